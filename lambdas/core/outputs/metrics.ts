/**
 * What a check publishes to CloudWatch, as plain objects (the SDK adapter sends them).
 *
 * Fleet aggregates always; one series per replica only when `metrics.perReplica` is on, because
 * every distinct name + dimension set is a custom metric billed per month (see `replguard cost`).
 * Unknown is not zero: a count that a failed read could hide is left out rather than sent as 0,
 * and the alarms treat a missing datapoint as "keep the last state".
 *
 * Accounts: the fleet series stay as they are (no account dimension, so alarms and dashboards
 * made before accounts keep working), and a run over two or more accounts adds, per account, only
 * the two counts the alarms watch (`UnhealthyReplicas`, `ReplicasOverCriticalLag` with
 * `AccountId`): PER_ACCOUNT_METRICS custom metrics per account, priced by `replguard cost
 * --accounts N`. With one account the fleet series are that account's, so nothing is added.
 */
import type { ReadLevel } from '../fleet/cadence';
import { isSuppressed, type Config } from '../config';
import type { EvaluationScope, Report } from '../rules/evaluate';
import { DRIFT_CODES, SEVERITIES, codesInScope, type Finding, type FindingCode, type Severity } from '../findings';

export const METRIC_NAMES = {
  replicasMonitored: 'ReplicasMonitored',
  unhealthyReplicas: 'UnhealthyReplicas',
  maxReplicaLagSeconds: 'MaxReplicaLagSeconds',
  replicasOverCriticalLag: 'ReplicasOverCriticalLag',
  findings: 'Findings',
  checkDurationMs: 'CheckDurationMs',
  heartbeat: 'Heartbeat',
  driftFindings: 'DriftFindings',
  drReadyPrimaries: 'DrReadyPrimaries',
  drNotReadyPrimaries: 'DrNotReadyPrimaries',
  replicaLagSeconds: 'ReplicaLagSeconds',
  replicaHealthy: 'ReplicaHealthy',
} as const;

export const METRIC_DIMENSIONS = {
  scope: 'Scope',
  severity: 'Severity',
  region: 'Region',
  replicaId: 'ReplicaId',
  accountId: 'AccountId',
} as const;

/** PutMetricData accepts at most 1,000 metrics per call. */
export const MAX_METRICS_PER_PUT = 1000;

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

/** The shape of a CloudWatch `MetricDatum`, with the timestamp as an ISO string. */
export interface MetricDatumLike {
  readonly MetricName: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: string }[];
  readonly Value: number;
  readonly Unit: MetricUnit;
  readonly Timestamp: string;
}

export interface MetricsInput {
  readonly report: Report;
  readonly scope: EvaluationScope;
  readonly config: Config;
  /** Wall time of read + evaluate. */
  readonly durationMs: number;
  /** Part of the read failed (any region `ReadError`): counts that could hide a problem are not sent as 0. */
  readonly degraded: boolean;
  /**
   * What the run read (lambdas/core/fleet/cadence). A status run publishes only its heartbeat and
   * duration, a lag run no DR counts: a count the run could not judge is not sent as 0. @default 'full'
   */
  readonly reads?: ReadLevel;
}

/**
 * The aggregates every check publishes per scope (a fixed set: this is what `replguard cost` counts).
 * Each is $0.30 a month, so only what an alarm or the dashboard reads is published: the drift
 * check publishes its DriftFindings count and nothing else (its liveness shows in the Lambda's
 * own Errors metric, which the CheckerErrors alarm watches).
 */
export function fleetMetricCount(scope: EvaluationScope, driftEnabled: boolean): number {
  const common = 2 + SEVERITIES.length; // Heartbeat, CheckDurationMs, Findings × severity (Scope=health)
  const health = 6; // ReplicasMonitored, UnhealthyReplicas, MaxReplicaLagSeconds, ReplicasOverCriticalLag, DrReady, DrNotReady
  const drift = driftEnabled ? 1 : 0; // DriftFindings
  if (scope === 'health') return common + health;
  if (scope === 'drift') return drift;
  return common + health + drift;
}

/** The codes whose findings set a replica's own status (lagging, broken, unknown). */
const REPLICA_STATUS_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'REPLICA_LAG_HIGH',
  'REPLICATION_BROKEN',
  'LAG_METRIC_MISSING',
  'CHECK_DEGRADED',
]);

const replicaKey = (accountId: string | undefined, region: string, id: string) => `${accountId ?? ''}\u0000${region}\u0000${id}`;

/**
 * Replicas that are not healthy and that the user did not silence. A replica whose only problem
 * is suppressed in the config is not paged for, so the alarm must not count it either; a replica
 * that is not healthy for any other reason counts, finding or not (unknown is not healthy).
 */
function unhealthyReplicas(replicas: Report['replicas'], config: Config, findings: readonly Finding[]): number {
  const named = new Set(findings.filter((f) => f.severity !== 'info').map((f) => replicaKey(f.accountId, f.region, f.resource)));
  const silenced = (region: string, id: string) =>
    [...REPLICA_STATUS_CODES].some((code) => isSuppressed(config, code, region, id));
  return replicas.filter(
    (r) => r.status !== 'healthy' && (named.has(replicaKey(r.accountId, r.region, r.id)) || !silenced(r.region, r.id)),
  ).length;
}

/** Custom metrics each account adds in an organization evaluation (UnhealthyReplicas and ReplicasOverCriticalLag per AccountId). */
export const PER_ACCOUNT_METRICS = 2;

/** Custom metrics per replica when `metrics.perReplica` is on (lag and health). */
export const PER_REPLICA_METRICS = 2;

export function buildMetrics(input: MetricsInput): MetricDatumLike[] {
  const { report, scope, config, durationMs, degraded } = input;
  const at = report.checkedAt;
  const scopeDim = { Name: METRIC_DIMENSIONS.scope, Value: scope };
  const datum = (
    name: string,
    value: number,
    unit: MetricUnit,
    dims: MetricDatumLike['Dimensions'] = undefined,
  ): MetricDatumLike => ({ MetricName: name, Value: value, Unit: unit, Timestamp: at, ...(dims ? { Dimensions: dims } : {}) });
  /** A count of problems that reads 0 only because a read failed is unknown, not 0. */
  const count = (name: string, value: number, dims?: MetricDatumLike['Dimensions']): MetricDatumLike[] =>
    value === 0 && degraded ? [] : [datum(name, value, 'Count', dims)];

  const inScope = codesInScope(scope);
  const findings = report.findings.filter((f) => inScope.has(f.code));
  const reads = input.reads ?? 'full';
  if (scope === 'drift') return driftCount(findings, config, count);
  const liveness = [
    datum(METRIC_NAMES.heartbeat, 1, 'Count', [scopeDim]),
    datum(METRIC_NAMES.checkDurationMs, Math.max(0, Math.round(durationMs)), 'Milliseconds', [scopeDim]),
  ];
  if (reads === 'status') return liveness;
  const out: MetricDatumLike[] = [
    ...liveness,
    ...SEVERITIES.map((severity: Severity) =>
      datum(METRIC_NAMES.findings, findings.filter((f) => f.severity === severity).length, 'Count', [
        scopeDim,
        { Name: METRIC_DIMENSIONS.severity, Value: severity },
      ]),
    ),
  ];

  // With one account the fleet series are that account's: nothing per account, and per-replica series keep their dimensions.
  const accounts = report.accounts ?? [];
  const multiAccount = accounts.length > 1;
  if (scope === 'health' || scope === 'all') {
    const lags = report.replicas.map((r) => r.lagSeconds).filter((v): v is number => v !== null);
    // Over each replica's own critical threshold (lagOverrides applied), sustained, not suppressed: what pages.
    // A DR replica's lag finding is folded into its RPO_EXCEEDED, which keeps the verdict in evidence.
    const overCriticalFindings = findings.filter(
      (f) =>
        (f.code === 'REPLICA_LAG_HIGH' && f.severity === 'critical') ||
        (f.code === 'RPO_EXCEEDED' && f.evidence.overCriticalLag === true),
    );
    const overCritical = new Set(overCriticalFindings.map((f) => replicaKey(f.accountId, f.region, f.resource)));
    out.push(datum(METRIC_NAMES.replicasMonitored, report.replicas.length, 'Count'));
    out.push(...count(METRIC_NAMES.unhealthyReplicas, unhealthyReplicas(report.replicas, config, findings)));
    // Raw worst lag, for the graph: it ignores overrides and suppressions, so no alarm uses it.
    if (lags.length > 0) out.push(datum(METRIC_NAMES.maxReplicaLagSeconds, Math.max(...lags), 'Seconds'));
    out.push(...count(METRIC_NAMES.replicasOverCriticalLag, overCritical.size));
    if (reads === 'full') {
      out.push(datum(METRIC_NAMES.drReadyPrimaries, report.dr.filter((d) => d.ready === true).length, 'Count'));
      // 'unknown' is not ready: a primary whose DR cannot be verified is not protected.
      out.push(...count(METRIC_NAMES.drNotReadyPrimaries, report.dr.filter((d) => d.ready !== true).length));
    }

    // The alarmed counts per account; an account with a failed read sends no 0 it could not vouch for.
    for (const account of multiAccount ? accounts : []) {
      const dims = [{ Name: METRIC_DIMENSIONS.accountId, Value: account.accountId }];
      const mine = (f: Finding) => f.accountId === account.accountId;
      const countFor = (name: string, value: number) =>
        value === 0 && account.read !== 'full' ? [] : [datum(name, value, 'Count', dims)];
      const replicas = report.replicas.filter((r) => r.accountId === account.accountId);
      out.push(...countFor(METRIC_NAMES.unhealthyReplicas, unhealthyReplicas(replicas, config, findings.filter(mine))));
      out.push(...countFor(METRIC_NAMES.replicasOverCriticalLag, new Set(overCriticalFindings.filter(mine).map((f) => replicaKey(f.accountId, f.region, f.resource))).size));
    }

    if (config.metrics.perReplica) {
      for (const replica of report.replicas) {
        const dims = [
          // Two accounts may each have a replica of this name and region.
          ...(multiAccount && replica.accountId ? [{ Name: METRIC_DIMENSIONS.accountId, Value: replica.accountId }] : []),
          { Name: METRIC_DIMENSIONS.region, Value: replica.region },
          { Name: METRIC_DIMENSIONS.replicaId, Value: replica.id },
        ];
        if (replica.lagSeconds !== null) out.push(datum(METRIC_NAMES.replicaLagSeconds, replica.lagSeconds, 'Seconds', dims));
        out.push(datum(METRIC_NAMES.replicaHealthy, replica.status === 'healthy' ? 1 : 0, 'Count', dims));
      }
    }
  }

  if (scope === 'all') out.push(...driftCount(findings, config, count));
  return out;
}

/** DriftFindings: drift codes found, without degraded reads (CHECK_DEGRADED is not drift). */
function driftCount(
  findings: readonly Finding[],
  config: Config,
  count: (name: string, value: number) => MetricDatumLike[],
): MetricDatumLike[] {
  if (!config.drift.enabled) return [];
  const driftCodes = new Set<FindingCode>(DRIFT_CODES.filter((c) => c !== 'CHECK_DEGRADED'));
  return count(METRIC_NAMES.driftFindings, findings.filter((f) => driftCodes.has(f.code)).length);
}

/** Splits datums into PutMetricData-sized batches. */
export function batchMetrics<T>(datums: readonly T[], size: number = MAX_METRICS_PER_PUT): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer (got ${size})`);
  const batches: T[][] = [];
  for (let i = 0; i < datums.length; i += size) batches.push(datums.slice(i, i + size));
  return batches;
}
