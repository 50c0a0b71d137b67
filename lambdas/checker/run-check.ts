/**
 * One check, end to end: read → evaluate → publish metrics → alert lifecycle → notify → confirm.
 * Every dependency is injected, so this runs under test without AWS. A failing output never
 * hides the others: metrics, alert states and the notification are each attempted, and the
 * run fails (so Lambda counts an error and retries) only after all of them were tried.
 *
 * Delivery is at least once, never lost: news is claimed `unsent` before the publish and
 * confirmed after it. SNS standard topics cannot deduplicate (MessageDeduplicationId is for FIFO
 * topics, which take no email or SMS subscriptions), so the one window for a repeat is a publish
 * SNS accepted whose confirmation failed on every attempt (or a crash right after the publish):
 * the next run sends that news again.
 *
 * With a run lease, event-triggered runs are coalesced (lambdas/core/outputs/run-lease): an event a run
 * starting after it already read is dropped, and one that arrives during an earlier-started run
 * makes that run check once more before it gives the lease back.
 */
import {
  adoptLegacyAlerts,
  countBySeverity,
  describedOrgResources,
  orgPlacesRead,
  planTransitions,
  type AlertStateStore,
  type Transition,
  type TransitionKind,
} from '../core/outputs/alert-lifecycle';
import type { Config } from '../core/config';
import type { ReadLevel } from '../core/fleet/cadence';
import { NOT_EVALUATED, type Report } from '../core/rules/evaluate';
import { degradedAccountRegions, evaluateOrg, type OrgEvaluateOptions } from '../core/rules/evaluate-org';
import type { AccountTarget } from '../core/fleet/accounts';
import { codesInScope } from '../core/findings';
import { buildMetrics } from '../core/outputs/metrics';
import type { OrgSnapshot } from '../core/fleet/model';
import { buildNotification } from '../core/outputs/notify';
import type { RunLease } from '../core/outputs/run-lease';
import type { OrgReader } from '../core/fleet/reader';
import type { MetricsPublisher } from '../aws/metrics-publisher';
import type { NotificationPublisher } from '../aws/sns-publisher';
import type { CheckScope } from './trigger';

/** The part of the Powertools Logger a check uses: a message plus structured attributes. */
export interface CheckLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export interface CheckDependencies {
  /** The reader for a scope (drift reads parameter groups, health does not). */
  readonly readerFor: (scope: CheckScope, reads: ReadLevel) => OrgReader;
  readonly metrics: MetricsPublisher;
  readonly store: AlertStateStore;
  readonly notifier: NotificationPublisher;
  readonly logger: CheckLogger;
  /** @default evaluateOrg from lambdas/core/rules/evaluate-org */
  readonly evaluate?: (org: OrgSnapshot, options: OrgEvaluateOptions) => Report;
  /** Measures the check's duration. @default () => new Date() */
  readonly clock?: () => Date;
  /**
   * Keeps two runs of one scope from overlapping (the deployed checker has no reserved
   * concurrency). A run that finds the lease held by another run stops without reading.
   * @default - no lease: runs may overlap (claims still keep each message from going out twice)
   */
  readonly lease?: RunLease;
  /**
   * Time left in the invocation (Lambda's getRemainingTimeInMillis): a follow-up run is made only
   * if it fits. @default - unbounded
   */
  readonly remainingMs?: () => number;
  /** Waits between confirmation attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Confirmation writes tried per sent transition before the run gives up (and the news is sent again later). */
export const CONFIRM_ATTEMPTS = 4;
const CONFIRM_BACKOFF_MS = 200;
/** Follow-up runs one invocation makes at most for events that arrived while it ran. */
export const MAX_FOLLOW_UPS = 3;
/** Time kept free after a follow-up run for its outputs and the lease. */
const FOLLOW_UP_RESERVE_MS = 10_000;

export interface CheckSettings {
  readonly config: Config;
  /**
   * The account the checker runs in: alerts stored before keys named an account are its
   * (adoptLegacyAlerts), and it is the one account read when `targets` is not given.
   */
  readonly deployingAccountId: string;
  /** The accounts to read. @default the deploying account, in the config's regions */
  readonly targets?: readonly AccountTarget[];
  readonly dashboardUrl?: string;
  readonly deploymentName?: string;
}

export interface CheckRequest {
  readonly scope: CheckScope;
  /**
   * Stable across retries of one invocation (the Lambda request id): transitions are claimed
   * under it, so a retry of a run whose news was sent and confirmed sends nothing again.
   */
  readonly token: string;
  readonly reason: string;
  /**
   * When the triggering event happened (epoch ms); absent for scheduled runs. An event that a run
   * starting after it already covered is dropped (see lambdas/core/outputs/run-lease).
   */
  readonly eventAt?: number;
  /** What a health run reads (lambdas/core/fleet/cadence). @default 'full' */
  readonly reads?: ReadLevel;
}

export interface CheckOutcome {
  readonly scope: CheckScope;
  readonly checkedAt?: string;
  readonly replicas: number;
  readonly findings: number;
  /** Account-regions where a read failed, as `accountId/region`. */
  readonly degradedRegions: readonly string[];
  /** Accounts read (or tried). */
  readonly accounts?: number;
  readonly metricsPublished: number;
  readonly transitions: Readonly<Partial<Record<TransitionKind, number>>>;
  /** Of those, news an earlier run wrote but never confirmed sent. */
  readonly resent: number;
  readonly notified: boolean;
  /** Runs made again in this invocation for events that arrived during the run (the outcome is the last run's). */
  readonly followUps?: number;
  /** What a health run read (status, lag or full). */
  readonly reads?: ReadLevel;
  /** Set when the check did not run, with why. */
  readonly skipped?: string;
}

/** Some outputs of a run failed; the others were still delivered. */
export class CheckOutputError extends Error {
  constructor(readonly failures: readonly { readonly output: string; readonly error: Error }[]) {
    super(`Check outputs failed: ${failures.map((f) => `${f.output}: ${f.error.message}`).join('; ')}`);
    this.name = 'CheckOutputError';
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The error of the last attempt, or undefined once one succeeded. */
async function confirmWithRetries(deps: CheckDependencies, transition: Transition, token: string): Promise<Error | undefined> {
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.store.confirm(transition, token);
      return undefined;
    } catch (error) {
      if (attempt >= CONFIRM_ATTEMPTS) return asError(error);
      deps.logger.warn('Confirming a sent transition failed; trying again', { key: transition.key, attempt, error: asError(error).message });
      await sleep(CONFIRM_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}

const skippedOutcome = (scope: CheckScope, skipped: string): CheckOutcome => ({
  scope,
  replicas: 0,
  findings: 0,
  degradedRegions: [],
  metricsPublished: 0,
  transitions: {},
  resent: 0,
  notified: false,
  skipped,
});

export async function runCheck(
  request: CheckRequest,
  settings: CheckSettings,
  deps: CheckDependencies,
): Promise<CheckOutcome> {
  const { lease } = deps;
  if (!lease) return runUnlocked(request, settings, deps);
  const { scope, token } = request;
  try {
    const decision = await lease.acquire(scope, token, request.eventAt);
    if (!decision.acquired) {
      // Not an error: the run in progress (or just finished) reads the same fleet, and the schedule runs again.
      const until = new Date(decision.until).toISOString();
      if (decision.reason === 'covered') {
        deps.logger.info('A run that started after this event already checked it; this one stops', { scope, reason: request.reason });
        return skippedOutcome(scope, `a ${scope} run that started after the event covered it`);
      }
      if (decision.reason === 'queued') {
        deps.logger.info('A run is in progress that started before this event; it checks again when it ends', {
          scope,
          reason: request.reason,
          heldBy: decision.heldBy,
        });
        return skippedOutcome(scope, `queued a follow-up on the ${scope} run in progress`);
      }
      deps.logger.info('Another run of this check is in progress; this one stops', { scope, reason: request.reason, heldBy: decision.heldBy, until });
      return skippedOutcome(scope, `another ${scope} run holds the run lease`);
    }
  } catch (error) {
    // Without the lease the run still goes ahead (claims keep delivery safe); the run then fails so the error is seen.
    deps.logger.error('Taking the run lease failed; running without it', { scope, error: asError(error).message });
    await runUnlocked(request, settings, deps);
    throw new CheckOutputError([{ output: 'run lease', error: asError(error) }]);
  }
  return runHoldingLease(request, settings, deps, lease);
}

/** Runs, then the follow-ups events asked for while it ran, then gives the lease back. */
async function runHoldingLease(request: CheckRequest, settings: CheckSettings, deps: CheckDependencies, lease: RunLease): Promise<CheckOutcome> {
  const { scope, token } = request;
  const clock = deps.clock ?? (() => new Date());
  let followUps = 0;
  let released = false;
  try {
    for (;;) {
      const started = clock().getTime();
      const outcome = await runUnlocked(request, settings, deps);
      const tookMs = clock().getTime() - started;
      // One more run only if it fits in what is left of the invocation (twice the last one, for margin).
      const remaining = deps.remainingMs?.() ?? Infinity;
      const mayRunAgain = followUps < MAX_FOLLOW_UPS && remaining > 2 * tookMs + FOLLOW_UP_RESERVE_MS;
      let finish: Awaited<ReturnType<RunLease['finish']>>;
      try {
        finish = await lease.finish(scope, token, { covered: true, mayRunAgain });
      } catch (error) {
        // The run's outputs went out; the lease expires on its own and the schedule makes any follow-up.
        deps.logger.warn('Giving the run lease back failed; it expires on its own', { scope, error: asError(error).message });
        released = true;
        return followUps > 0 ? { ...outcome, followUps } : outcome;
      }
      if (!finish.again) {
        released = true;
        return followUps > 0 ? { ...outcome, followUps } : outcome;
      }
      followUps++;
      deps.logger.info('An event arrived during the run; checking again before giving the lease back', {
        scope,
        eventAt: new Date(finish.eventAt).toISOString(),
        followUp: followUps,
      });
    }
  } finally {
    if (!released) {
      await lease.release(scope, token).catch((error: unknown) =>
        deps.logger.warn('Releasing the run lease failed; it expires on its own', { scope, error: asError(error).message }),
      );
    }
  }
}

async function runUnlocked(
  request: CheckRequest,
  settings: CheckSettings,
  deps: CheckDependencies,
): Promise<CheckOutcome> {
  const { scope } = request;
  const { config } = settings;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.logger;

  if (scope === 'drift' && !config.drift.enabled) {
    log.info('Drift check skipped: drift.enabled is false', { reason: request.reason });
    return skippedOutcome(scope, 'drift disabled');
  }

  const started = clock();
  const reads: ReadLevel = scope === 'health' ? (request.reads ?? 'full') : 'full';
  const targets = settings.targets ?? [{ accountId: settings.deployingAccountId, regions: config.regions }];
  const org = await deps.readerFor(scope, reads).read(targets);
  const report = (deps.evaluate ?? evaluateOrg)(org, { config, scope, reads, targets });
  const durationMs = clock().getTime() - started.getTime();

  // Only this scope's codes: the lifecycle must never resolve what another scope raised.
  const inScope = codesInScope(scope);
  const findings = report.findings.filter((f) => inScope.has(f.code));
  const degradedRegions = degradedAccountRegions(org, report);
  for (const [accountId, account] of Object.entries(org.accounts)) {
    if ((account.errors ?? []).length > 0) log.warn('An account could not be read', { accountId, errors: account.errors });
    for (const [region, data] of Object.entries(account.regions)) {
      if ((data.errors ?? []).length > 0) log.warn('Part of the read failed', { accountId, region, errors: data.errors });
    }
  }

  const failures: { output: string; error: Error }[] = [];

  let metricsPublished = 0;
  const datums = buildMetrics({ report, scope, config, durationMs, degraded: degradedRegions.length > 0, reads });
  try {
    await deps.metrics.publish(config.metrics.namespace, datums);
    metricsPublished = datums.length;
  } catch (error) {
    log.error('Publishing metrics failed', { error: asError(error).message });
    failures.push({ output: 'metrics', error: asError(error) });
  }

  const transitionCounts: Partial<Record<TransitionKind, number>> = {};
  let resent = 0;
  let notified = false;
  try {
    const stored = await deps.store.load(scope, (item) =>
      log.warn('Alert item this version cannot read; left as it is (written by a newer version?)', { ...item }),
    );
    const previous = adoptLegacyAlerts(stored, settings.deployingAccountId);
    const plan = planTransitions({
      scope,
      previous,
      findings,
      now: new Date(report.checkedAt),
      reminderHours: config.notifications.reminderHours,
      minSeverity: config.notifications.minSeverity,
      heldRegions: new Set(degradedRegions),
      notEvaluated: new Set(NOT_EVALUATED[reads]),
      notEvaluatedKeys: new Set(report.notEvaluated ?? []),
      regionsRead: orgPlacesRead(org, degradedRegions),
      described: describedOrgResources(org),
    });

    const claimed: Transition[] = [];
    for (const transition of plan.transitions) {
      if (await deps.store.claim(transition, request.token)) {
        claimed.push(transition);
        transitionCounts[transition.kind] = (transitionCounts[transition.kind] ?? 0) + 1;
        if (transition.resend) {
          resent++;
          log.warn('Sending news an earlier run wrote but never confirmed sent', { key: transition.key, kind: transition.kind });
        }
      } else {
        log.info('Transition already claimed (a retry or an overlapping run); not sent again', {
          key: transition.key,
          kind: transition.kind,
        });
      }
    }

    const notification = buildNotification({
      scope,
      transitions: claimed,
      open: plan.open,
      checkedAt: report.checkedAt,
      runbookBaseUrl: config.runbookBaseUrl,
      dashboardUrl: settings.dashboardUrl,
      deploymentName: settings.deploymentName,
      smsMinSeverity: config.notifications.smsMinSeverity,
      reminderHours: config.notifications.reminderHours,
    });
    if (notification) {
      // A failure here leaves the claims unsent: the retry (or the next run) sends them.
      await deps.notifier.publish(notification);
      notified = true;
      log.info('Notification sent', { subject: notification.subject, sms: notification.sendSms, open: countBySeverity(plan.open) });
      // Sent: clear the unsent marks, retrying a few times, since a mark left set means the next
      // run sends that news again (repeated, never lost).
      let confirmFailure: Error | undefined;
      for (const transition of claimed.filter((t) => t.next.unsent)) {
        const error = await confirmWithRetries(deps, transition, request.token);
        if (error) {
          confirmFailure = error;
          log.error('Confirming a sent transition failed on every attempt; the next run sends it again', {
            key: transition.key,
            attempts: CONFIRM_ATTEMPTS,
            error: error.message,
          });
        }
      }
      if (confirmFailure) failures.push({ output: 'alert states', error: confirmFailure });
    }
  } catch (error) {
    log.error('Alert lifecycle or notification failed', { error: asError(error).message });
    failures.push({ output: 'notifications', error: asError(error) });
  }

  const outcome: CheckOutcome = {
    scope,
    checkedAt: report.checkedAt,
    replicas: report.replicas.length,
    findings: findings.length,
    degradedRegions,
    accounts: Object.keys(org.accounts).length,
    metricsPublished,
    transitions: transitionCounts,
    resent,
    notified,
    ...(scope === 'health' ? { reads } : {}),
  };
  log.info('Check finished', { ...outcome, reason: request.reason, durationMs, summary: report.summary });
  if (failures.length > 0) throw new CheckOutputError(failures);
  return outcome;
}
