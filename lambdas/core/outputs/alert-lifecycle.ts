/**
 * The alert lifecycle: which findings are news. Pure: the previous alert states, this run's
 * findings and the time in; the transitions out.
 *
 * A finding notifies when it opens or escalates, reminds every `reminderHours` while open, and
 * notifies once more when it clears. Each check scope owns its alerts: a health run only opens,
 * reminds and resolves health alerts, so it never "resolves" a drift alert it did not look for.
 *
 * Blind is not resolved: each alert records the regions its verdict rests on (`dependsOn`: its
 * own region, the source's or primary's region its evidence names, and every region for "no
 * replica anywhere" codes). While a read failed in any of them, the alert is held: neither
 * resolved nor re-opened, its "open since" kept. An alert whose database is no longer described
 * by a region that was read in full ends as `gone` (deleted), not as resolved.
 *
 * Accounts: findings carry their account, alert keys lead with it, and holding is per
 * account-region (`accountId/region`): a blind region of one account holds only that account's
 * alerts. Alerts stored before keys had an account are adopted as the deploying account's
 * (`adoptLegacyAlerts`) and keep their stored item, so an upgrade sends no RESOLVED+NEW pairs.
 *
 * Delivery is at least once, never lost. A transition that is news is written with `unsent` set,
 * and the flag is cleared only after SNS accepted the message; a run that finds `unsent` still
 * set (the previous attempt crashed or timed out between the write and the publish, or the
 * publish failed) sends that news again. So a message SNS accepted but whose confirmation write
 * failed (every retry of it) or never ran (a crash right after the publish) is sent twice; no
 * failure loses one.
 */
import type { EvaluationScope } from '../rules/evaluate';
import { SEVERITY_RANK, codesInScope, findingKey, type Finding, type FindingCode, type Severity } from '../findings';
import type { FleetSnapshot, OrgSnapshot } from '../fleet/model';

export type AlertStatus = 'open' | 'resolved';

export interface AlertState {
  readonly scope: EvaluationScope;
  /** `findingKey()` of the finding. */
  readonly key: string;
  /**
   * The key the store holds the alert under when it differs from `key`: an alert written before
   * keys named the account keeps its item (see adoptLegacyAlerts).
   */
  readonly storedKey?: string;
  /** The alert's account; absent only on alerts written before accounts were recorded. */
  readonly accountId?: string;
  readonly accountName?: string;
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
  /**
   * Regions whose reads the verdict rests on (see `dependencyRegions`). Absent on alerts written
   * before it was recorded: those are held whenever any read failed.
   */
  readonly dependsOn?: readonly string[];
}

/**
 * `updated` is silent: a severity change that is not an escalation, or new dependencies.
 * `gone`: the alert's database is no longer described (deleted), so the alert ends without
 * claiming the problem was fixed.
 */
export type TransitionKind = 'opened' | 'escalated' | 'reminder' | 'resolved' | 'gone' | 'updated';
/** The transitions that are news (sent to people). */
export type NewsKind = Exclude<TransitionKind, 'updated'>;
export const NEWS_KINDS: readonly NewsKind[] = ['opened', 'escalated', 'reminder', 'resolved', 'gone'];
/** News about an alert that ended: nothing to act on any more. */
export const isClosing = (kind: TransitionKind): kind is 'resolved' | 'gone' => kind === 'resolved' || kind === 'gone';

export interface Transition {
  readonly kind: TransitionKind;
  readonly key: string;
  /** Whether this transition is news to send. */
  readonly notify: boolean;
  /** The state before, absent when the alert is new. */
  readonly previous?: AlertState;
  readonly next: AlertState;
  /** The current finding; absent for `resolved`, `gone` and held alerts. */
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
  /**
   * Where a read failed this run, as `alertPlace(accountId, region)`: an open alert whose
   * `dependsOn` names one of them in its account is held (neither resolved nor re-opened).
   */
  readonly heldRegions?: ReadonlySet<string>;
  /**
   * Codes this run did not evaluate (a run that did not read lag: see NOT_EVALUATED in
   * lambdas/core/rules/evaluate): their open alerts are held like blind ones, never resolved.
   */
  readonly notEvaluated?: ReadonlySet<FindingCode>;
  /** Alert keys this run did not evaluate though their code was judged for others (Report.notEvaluated): held too. */
  readonly notEvaluatedKeys?: ReadonlySet<string>;
  /**
   * Every region this run read (or tried to), as `alertPlace(accountId, region)`: what "no replica
   * anywhere" verdicts rest on. @default the findings' places
   */
  readonly regionsRead?: readonly string[];
  /**
   * The databases this run described (`describedResources`). When given, an open alert whose
   * database is not among them, in regions read in full, ends as `gone` rather than `resolved`.
   */
  readonly described?: DescribedResources;
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

/** Where an alert's read happens: `accountId/region`, or the bare region for alerts without an account. */
export const alertPlace = (accountId: string | undefined, region: string): string => (accountId ? `${accountId}/${region}` : region);

/** The regions of one account among places (`alertPlace` strings). */
function regionsOfAccount(places: readonly string[], accountId: string | undefined): string[] {
  if (!accountId) return places.filter((p) => !p.includes('/'));
  const prefix = `${accountId}/`;
  return places.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
}

/**
 * Alerts stored before keys named the account are the deploying account's: the account it ran in
 * is the only one it read. They get that account and its key (so this run's findings match them)
 * and keep their stored item (`storedKey`), so no alert is resolved and re-opened by an upgrade.
 */
export function adoptLegacyAlerts(states: readonly AlertState[], deployingAccountId: string): AlertState[] {
  return states.map((state) => {
    if (state.accountId && state.key.startsWith(`${state.accountId}/`)) return state;
    const accountId = state.accountId ?? deployingAccountId;
    return { ...state, accountId, key: `${accountId}/${state.key}`, storedKey: state.storedKey ?? state.key };
  });
}

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

/** Codes that say "nothing usable anywhere": a replica or backup copy could be in any region read. */
const ANYWHERE_CODES: ReadonlySet<FindingCode> = new Set(['NO_CROSS_REGION_REPLICA', 'BACKUPS_NOT_REPLICATED']);
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The regions a finding's verdict rests on: its own, every region its evidence names (a
 * source's, primary's or writer's region, `id@region` replica lists) and, for codes about a
 * missing replica or copy, every region read. A failed read in any of them could change the
 * verdict, so it holds the alert.
 */
export function dependencyRegions(finding: Finding, regionsRead: readonly string[]): string[] {
  const regions = new Set<string>([finding.region]);
  if (ANYWHERE_CODES.has(finding.code)) for (const region of regionsRead) regions.add(region);
  const consider = (value: unknown) => {
    if (typeof value !== 'string') return;
    const named = value.includes('@') ? value.slice(value.lastIndexOf('@') + 1) : value;
    if (REGION_NAME.test(named)) regions.add(named);
  };
  for (const [name, value] of Object.entries(finding.evidence)) {
    if (Array.isArray(value)) value.forEach(consider);
    else if (/region$/i.test(name) || (typeof value === 'string' && value.includes('@'))) consider(value);
  }
  return [...regions].sort();
}

/** Databases a run described, by region; global clusters (whose ARNs have no region) by identifier. */
export interface DescribedResources {
  readonly regional: ReadonlySet<string>;
  readonly global: ReadonlySet<string>;
}

const regional = (place: string, id: string) => `${place}\u0000${id}`;

function addDescribed(snapshot: Pick<FleetSnapshot, 'regions'>, accountId: string | undefined, into: { regional: Set<string>; global: Set<string> }): void {
  for (const [region, data] of Object.entries(snapshot.regions)) {
    const place = alertPlace(accountId, region);
    for (const i of data.dbInstances ?? []) if (i.DBInstanceIdentifier) into.regional.add(regional(place, i.DBInstanceIdentifier));
    for (const c of data.dbClusters ?? []) if (c.DBClusterIdentifier) into.regional.add(regional(place, c.DBClusterIdentifier));
    for (const g of data.globalClusters ?? []) if (g.GlobalClusterIdentifier) into.global.add(regional(accountId ?? '', g.GlobalClusterIdentifier));
  }
}

export function describedResources(snapshot: FleetSnapshot): DescribedResources {
  const out = { regional: new Set<string>(), global: new Set<string>() };
  addDescribed(snapshot, undefined, out);
  return out;
}

/** The databases every account of an organization read described, each under its account. */
export function describedOrgResources(org: OrgSnapshot): DescribedResources {
  const out = { regional: new Set<string>(), global: new Set<string>() };
  for (const [accountId, account] of Object.entries(org.accounts)) addDescribed(account, accountId, out);
  return out;
}

/** Every account-region an organization read tried, as `alertPlace` strings. */
export function orgPlacesRead(org: OrgSnapshot, extra: readonly string[] = []): string[] {
  const places = new Set(extra);
  for (const [accountId, account] of Object.entries(org.accounts)) {
    for (const region of Object.keys(account.regions)) places.add(alertPlace(accountId, region));
  }
  return [...places].sort();
}

/**
 * Whether an alert's database is known to be gone: its region was read, yet it is described
 * neither there nor as a global cluster. A region no longer read says nothing either way.
 */
function isGone(state: AlertState, described: DescribedResources | undefined, regionsRead: readonly string[]): boolean {
  // CHECK_DEGRADED names a read (an API, a parameter group), not a database.
  if (!described || state.code === 'CHECK_DEGRADED' || !regionsOfAccount(regionsRead, state.accountId).includes(state.region)) return false;
  return (
    !described.regional.has(regional(alertPlace(state.accountId, state.region), state.resource)) &&
    !described.global.has(regional(state.accountId ?? '', state.resource))
  );
}

const sameRegions = (a: readonly string[] | undefined, b: readonly string[]) =>
  a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);

export function planTransitions(input: LifecycleInput): LifecyclePlan {
  const { scope, now, minSeverity } = input;
  const nowIso = now.toISOString();
  const inScope = codesInScope(scope);
  const current = byKey(input.findings.filter((f) => inScope.has(f.code)));
  const states = new Map(input.previous.filter((s) => s.scope === scope).map((s) => [s.key, s]));
  const held = input.heldRegions ?? new Set<string>();
  const regionsRead = input.regionsRead ?? [...new Set(input.findings.map((f) => alertPlace(f.accountId, f.region)))];
  /** Held while a read its verdict rests on failed; an alert without recorded dependencies rests on every read of its account. */
  const notEvaluated = input.notEvaluated ?? new Set<FindingCode>();
  const notEvaluatedKeys = input.notEvaluatedKeys ?? new Set<string>();
  const heldInAccount = (accountId: string | undefined) => regionsOfAccount([...held], accountId).length > 0;
  const blind = (state: AlertState) =>
    notEvaluated.has(state.code) ||
    notEvaluatedKeys.has(state.key) ||
    (state.dependsOn === undefined
      ? heldInAccount(state.accountId)
      : state.dependsOn.some((region) => held.has(alertPlace(state.accountId, region))));
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
      ...(finding.accountId ? { accountId: finding.accountId } : {}),
      ...(finding.accountName ? { accountName: finding.accountName } : {}),
      code: finding.code,
      severity: finding.severity,
      region: finding.region,
      resource: finding.resource,
      message: finding.message,
      dependsOn: dependencyRegions(finding, regionsOfAccount(regionsRead, finding.accountId)),
    };
    if (!state || state.status === 'resolved') {
      if (!atLeast(finding.severity, minSeverity)) continue;
      const next: AlertState = {
        ...fromFinding,
        // A reopened alert stays in the item it was stored under.
        ...(state?.storedKey ? { storedKey: state.storedKey } : {}),
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
    } else if (finding.severity !== state.severity || !sameRegions(state.dependsOn, fromFinding.dependsOn)) {
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
      if (state.unsent && isClosing(state.unsent)) news(state.unsent, { key: state.key, previous: state, resend: true }, again);
      continue;
    }
    if (blind(state)) {
      // Not resolved while a read it rests on failed, but news already decided still goes out.
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
    news(isGone(state, input.described, regionsRead) ? 'gone' : 'resolved', { key: state.key, previous: state }, next);
  }
  return { transitions, open };
}

/** Open alerts by severity, for the notification's "open now" line. */
export function countBySeverity(states: readonly AlertState[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const s of states) counts[s.severity]++;
  return counts;
}

/** A stored alert this version cannot read (e.g. a finding code added by a newer version). */
export interface UnreadableAlert {
  readonly key: string;
  readonly reason: string;
}

/** Where transitions are remembered; the DynamoDB adapter implements it. */
export interface AlertStateStore {
  /**
   * Every alert of a scope, open and recently resolved. Items this version cannot read are left
   * out (so never resolved, deleted or overwritten by it) and reported to `onUnreadable`.
   */
  load(scope: EvaluationScope, onUnreadable?: (item: UnreadableAlert) => void): Promise<AlertState[]>;
  /**
   * Writes `transition.next` only if the alert is still as the run saw it (`previous`) and the
   * transition was not already written under this token. False when another run (or an earlier
   * attempt of this invocation) got there first: the caller must not notify it.
   */
  claim(transition: Transition, token: string): Promise<boolean>;
  /**
   * After SNS accepted the message: clears `unsent` on a claimed news transition, so no later run
   * sends it again. Does nothing if the alert has moved on since the claim. Until it succeeds,
   * the news counts as unsent and a later run sends it again (at least once, never lost).
   */
  confirm(transition: Transition, token: string): Promise<void>;
}
