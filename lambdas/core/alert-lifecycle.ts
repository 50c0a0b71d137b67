/**
 * The alert lifecycle: which findings are news. Pure: the previous alert states, this run's
 * findings and the time in; the transitions out.
 *
 * A finding notifies when it opens or escalates, reminds every `reminderHours` while open, and
 * notifies once more when it clears. Each check scope owns its alerts: a health run only opens,
 * reminds and resolves health alerts, so it never "resolves" a drift alert it did not look for.
 * An alert in a region whose read failed this run is held, not resolved: unknown is not healthy.
 *
 * Delivery is at least once. A transition that is news is written with `unsent` set, and the
 * flag is cleared only after SNS accepted the message; a run that finds `unsent` still set (the
 * previous attempt crashed or timed out between the write and the publish, or the publish failed)
 * sends that news again. A crash after the publish and before the clear repeats a message; no
 * crash loses one.
 */
import type { EvaluationScope } from './evaluate';
import { SEVERITY_RANK, codesInScope, findingKey, type Finding, type FindingCode, type Severity } from './findings';

export type AlertStatus = 'open' | 'resolved';

export interface AlertState {
  readonly scope: EvaluationScope;
  /** `findingKey()` of the finding. */
  readonly key: string;
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly region: string;
  readonly resource: string;
  readonly status: AlertStatus;
  /** The finding's latest message (what the "resolved" notice quotes). */
  readonly message: string;
  readonly openedAt: string;
  readonly lastNotifiedAt: string;
  readonly resolvedAt?: string;
  /** Epoch seconds after which the table may delete a resolved alert (DynamoDB TTL). */
  readonly expiresAt?: number;
  /** Incremented by every write: writes are conditional on it, so a retried run cannot repeat one. */
  readonly version: number;
  /** News written but not yet confirmed sent; the next run sends it (again) until it is. */
  readonly unsent?: NewsKind;
}

/** `updated` is silent: a severity change that is not an escalation. */
export type TransitionKind = 'opened' | 'escalated' | 'reminder' | 'resolved' | 'updated';
/** The transitions that are news (sent to people). */
export type NewsKind = Exclude<TransitionKind, 'updated'>;
export const NEWS_KINDS: readonly NewsKind[] = ['opened', 'escalated', 'reminder', 'resolved'];

export interface Transition {
  readonly kind: TransitionKind;
  readonly key: string;
  /** Whether this transition is news to send. */
  readonly notify: boolean;
  /** The state before, absent when the alert is new. */
  readonly previous?: AlertState;
  readonly next: AlertState;
  /** The current finding; absent for `resolved`. */
  readonly finding?: Finding;
  /** Sends news an earlier run wrote but never confirmed sent (it crashed, timed out or SNS failed). */
  readonly resend?: boolean;
}

export interface LifecycleInput {
  readonly scope: EvaluationScope;
  readonly previous: readonly AlertState[];
  readonly findings: readonly Finding[];
  readonly now: Date;
  readonly reminderHours: number;
  /** Findings below this severity never open an alert. */
  readonly minSeverity: Severity;
  /** Regions whose read failed this run: their open alerts are neither resolved nor reminded of as cleared. */
  readonly heldRegions?: ReadonlySet<string>;
  /** How long a resolved alert stays in the table. @default 30 */
  readonly resolvedRetentionDays?: number;
}

export interface LifecyclePlan {
  readonly transitions: readonly Transition[];
  /** Alerts open after this run, in this scope. */
  readonly open: readonly AlertState[];
}

/** Table layout shared by the store and the CDK table. */
export const ALERT_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
} as const;

const HOUR_MS = 3_600_000;

const atLeast = (severity: Severity, min: Severity) => SEVERITY_RANK[severity] <= SEVERITY_RANK[min];
const moreSevere = (a: Severity, b: Severity) => SEVERITY_RANK[a] < SEVERITY_RANK[b];

/** One finding per key, the most severe when rules report the same key twice. */
function byKey(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const finding of findings) {
    const key = findingKey(finding);
    const seen = out.get(key);
    if (!seen || moreSevere(finding.severity, seen.severity)) out.set(key, finding);
  }
  return out;
}

export function planTransitions(input: LifecycleInput): LifecyclePlan {
  const { scope, now, minSeverity } = input;
  const nowIso = now.toISOString();
  const inScope = codesInScope(scope);
  const current = byKey(input.findings.filter((f) => inScope.has(f.code)));
  const states = new Map(input.previous.filter((s) => s.scope === scope).map((s) => [s.key, s]));
  const held = input.heldRegions ?? new Set<string>();
  const retentionSeconds = (input.resolvedRetentionDays ?? 30) * 86_400;
  const transitions: Transition[] = [];
  const open: AlertState[] = [];
  /** News is written unsent; the run clears the flag once SNS took the message. */
  const news = (kind: NewsKind, fields: Omit<Transition, 'kind' | 'notify' | 'next'>, next: AlertState) =>
    transitions.push({ kind, notify: true, ...fields, next: { ...next, lastNotifiedAt: nowIso, unsent: kind } });

  for (const [key, finding] of current) {
    const state = states.get(key);
    const fromFinding = {
      scope,
      key,
      code: finding.code,
      severity: finding.severity,
      region: finding.region,
      resource: finding.resource,
      message: finding.message,
    };
    if (!state || state.status === 'resolved') {
      if (!atLeast(finding.severity, minSeverity)) continue;
      const next: AlertState = {
        ...fromFinding,
        status: 'open',
        openedAt: nowIso,
        lastNotifiedAt: nowIso,
        version: (state?.version ?? 0) + 1,
      };
      news('opened', { key, previous: state, finding }, next);
      open.push(transitions.at(-1)!.next);
      continue;
    }
    const base: AlertState = { ...state, ...fromFinding, version: state.version + 1 };
    if (moreSevere(finding.severity, state.severity) && atLeast(finding.severity, minSeverity)) {
      news('escalated', { key, previous: state, finding }, base);
    } else if (state.unsent) {
      news(state.unsent, { key, previous: state, finding, resend: true }, base);
    } else if (finding.severity !== state.severity) {
      transitions.push({ kind: 'updated', key, notify: false, previous: state, next: base, finding });
    } else if (
      atLeast(finding.severity, minSeverity) &&
      now.getTime() - Date.parse(state.lastNotifiedAt) >= input.reminderHours * HOUR_MS
    ) {
      news('reminder', { key, previous: state, finding }, base);
    } else {
      // Still open, nothing new: no write, so a quiet minute costs nothing.
      open.push(state);
      continue;
    }
    open.push(transitions.at(-1)!.next);
  }

  for (const state of states.values()) {
    if (current.has(state.key)) continue;
    const again = { ...state, version: state.version + 1 };
    if (state.status === 'resolved') {
      if (state.unsent === 'resolved') news('resolved', { key: state.key, previous: state, resend: true }, again);
      continue;
    }
    if (held.has(state.region)) {
      // Not resolved while its region cannot be read, but news already decided still goes out.
      if (state.unsent) {
        news(state.unsent, { key: state.key, previous: state, resend: true }, again);
        open.push(transitions.at(-1)!.next);
      } else {
        open.push(state);
      }
      continue;
    }
    const next: AlertState = {
      ...again,
      status: 'resolved',
      resolvedAt: nowIso,
      expiresAt: Math.floor(now.getTime() / 1000) + retentionSeconds,
    };
    news('resolved', { key: state.key, previous: state }, next);
  }
  return { transitions, open };
}

/** Open alerts by severity, for the notification's "open now" line. */
export function countBySeverity(states: readonly AlertState[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const s of states) counts[s.severity]++;
  return counts;
}

/** Where transitions are remembered; the DynamoDB adapter implements it. */
export interface AlertStateStore {
  /** Every alert of a scope, open and recently resolved. */
  load(scope: EvaluationScope): Promise<AlertState[]>;
  /**
   * Writes `transition.next` only if the alert is still as the run saw it (`previous`) and the
   * transition was not already written under this token. False when another run (or an earlier
   * attempt of this invocation) got there first: the caller must not notify it.
   */
  claim(transition: Transition, token: string): Promise<boolean>;
  /**
   * After SNS accepted the message: clears `unsent` on a claimed news transition, so no later run
   * sends it again. Does nothing if the alert has moved on since the claim.
   */
  confirm(transition: Transition, token: string): Promise<void>;
}
