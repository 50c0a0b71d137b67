/**
 * Replication health: lag, broken replication, missing lag metrics, PostgreSQL slot lag and
 * degraded reads. Pure: topology + metrics + config in, findings out.
 */
import { readsDetail, readsLag } from './cadence';
import { lagThresholdsFor, type Config } from './config';
import { parseRdsRef } from './arn';
import { makeFinding, type EvidenceValue, type Finding, type Severity } from './findings';
import type { EvaluationContext } from './context';
import { formatBytes, formatSeconds } from './format';
import { analyseIdleSawtooth } from './idle-sawtooth';
import {
  lagMetricsFor,
  samplesOf,
  seriesName,
  SLOT_LAG_METRIC,
  WAL_RATE_METRIC,
  type LagMetric,
  type LagPurpose,
  type Sample,
} from './metric-plan';
import type { ReadError } from './model';
import { engineFamily, type DatabaseNode, type Replica, type Topology } from './topology';


/**
 * healthy: replicating within thresholds; lagging: lag (or RPO) over threshold; degraded: running
 * but AWS reports a problem (degraded status, global member resyncing); broken: not replicating;
 * unknown: no usable data this run.
 */
export type ReplicaStatus = 'healthy' | 'lagging' | 'degraded' | 'broken' | 'unknown';

export interface ReplicaHealth {
  readonly replica: Replica;
  /** Latest lag in seconds, or null when there is no usable datapoint. */
  readonly lagSeconds: number | null;
  readonly lagMetric?: string;
  readonly status: ReplicaStatus;
  /** Why the status is what it is, in a few words (shown in the table). */
  readonly note?: string;
}

export interface HealthResult {
  readonly replicas: readonly ReplicaHealth[];
  readonly findings: readonly Finding[];
}

/** Operations whose failure leaves a region's topology unknown, not just its metrics. */
export const DESCRIBE_OPERATIONS = /^rds:Describe(DBInstances|DBClusters|GlobalClusters)$/;

function inWindow(samples: readonly Sample[], now: Date, windowMinutes: number): Sample[] {
  const from = now.getTime() - windowMinutes * 60_000;
  return samples.filter((s) => {
    const t = Date.parse(s.timestamp);
    return t > from && t <= now.getTime() + 60_000;
  });
}

const finding = makeFinding;

/** Start of the run of consecutive samples satisfying `test` that ends at the latest one that does. */
export function streakStart(samples: readonly Sample[], test: (v: number) => boolean): string | undefined {
  let i = samples.length - 1;
  while (i >= 0 && !test(samples[i]!.value)) i--;
  if (i < 0) return undefined;
  let start = i;
  while (start > 0 && test(samples[start - 1]!.value)) start--;
  return samples[start]!.timestamp;
}

/** Read-replication statuses that mean replication is not running. */
const BROKEN_REPLICATION_STATUSES = new Set(['error', 'stopped', 'terminated']);

/** Database statuses in which a replica cannot replicate, whatever its lag metric says. */
const DOWN_DATABASE_STATUSES = new Set([
  'stopped',
  'stopping',
  'failed',
  'storage-full',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-parameters',
  'incompatible-restore',
  'restore-error',
]);

/** Database statuses that explain a pause in metrics and end by themselves. */
const TRANSITIONAL_DATABASE_STATUSES = new Set([
  'creating',
  'modifying',
  'rebooting',
  'starting',
  'upgrading',
  'renaming',
  'maintenance',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'moving-to-vpc',
  'resetting-master-credentials',
]);

/**
 * Longest -1 streak a transient state explains. Reboots, minor upgrades and maintenance updates
 * normally finish well within an hour; -1 for longer is treated as broken whatever the status says.
 */
const TRANSIENT_MINUS_ONE_MAX_MINUTES = 60;

/** The replica's or its source's transient state that explains a -1, if any. */
function transientPause(replica: Replica): { who: 'replica' | 'source'; what: string; status: string } | undefined {
  const own = databaseStatus(replica);
  if (own && TRANSITIONAL_DATABASE_STATUSES.has(own)) {
    return { who: 'replica', what: replica.node?.type === 'cluster' ? 'cluster' : 'instance', status: own };
  }
  const source = nodeStatus(replica.source);
  if (source && TRANSITIONAL_DATABASE_STATUSES.has(source)) return { who: 'source', what: `source ${replica.sourceId}`, status: source };
  return undefined;
}

/** Names of modifications waiting for the next maintenance window (`PendingModifiedValues`), when read. */
function pendingModifications(node: DatabaseNode | undefined): string[] {
  const pending = (node?.instance ?? node?.cluster)?.PendingModifiedValues;
  if (typeof pending !== 'object' || pending === null) return [];
  return Object.entries(pending)
    .filter(([, value]) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
    .map(([key]) => key)
    .sort();
}

/** Minutes a lag series may trail "now" before the replica counts as having stopped reporting. */
const INGESTION_GRACE_MINUTES = 3;

function nodeStatus(node: DatabaseNode | undefined): string | undefined {
  return (node?.instance?.DBInstanceStatus ?? node?.cluster?.Status)?.toLowerCase();
}

function databaseStatus(replica: Replica): string | undefined {
  return nodeStatus(replica.node);
}

function describeReplica(replica: Replica): string {
  return `${replica.id} (${replica.region}, ${replica.kind}, source ${replica.sourceId} in ${replica.sourceRegion})`;
}

/** What to look at first when replication stopped, by engine. */
function brokenHint(replica: Replica): string {
  switch (engineFamily(replica.engine)) {
    case 'mysql':
    case 'aurora-mysql':
      return 'Replication has stopped: run SHOW REPLICA STATUS on the replica (Last_SQL_Error, Last_IO_Error) and read its error log, then restart replication (CALL mysql.rds_start_replication) or recreate the replica. Not a network or application problem.';
    case 'postgres':
    case 'aurora-postgresql':
      return 'Replication has stopped: check pg_stat_wal_receiver on the replica and the PostgreSQL log for the reason (usually WAL removed on the source); recreate the replica if it cannot resume. Not a network or application problem.';
    default:
      return 'Replication has stopped: read the RDS events and the replica\'s error log for the reason, then resume replication or recreate the replica. Not a network or application problem.';
  }
}

/** Usual causes of lag, by kind and engine. */
function lagHint(replica: Replica): string {
  if (replica.kind === 'aurora-global-secondary') {
    return 'Global database lag follows the primary\'s write volume: look for a write burst or large transactions on the primary cluster and for throttling of the secondary\'s instances; a secondary without a healthy instance also lags.';
  }
  if (replica.kind === 'aurora-reader') {
    return 'Aurora readers lag when the reader is saturated (CPU, memory) or the writer runs large or long transactions and DDL; scale the reader to the writer\'s class and look for long transactions.';
  }
  switch (engineFamily(replica.engine)) {
    case 'postgres':
    case 'aurora-postgresql':
      return 'Compare the source\'s WAL rate (TransactionLogsGeneration) with the replica\'s replay: long queries on the replica blocking replay (max_standby_streaming_delay), an undersized replica or bulk writes on the source are the usual causes.';
    case 'mysql':
    case 'aurora-mysql':
      return 'Compare the source\'s write rate with the replica\'s apply rate: long transactions, an undersized replica, DDL, single-threaded apply (replica_parallel_workers) or tables without primary keys under row-based replication are the usual causes.';
    default:
      return 'Compare the source\'s write rate with the replica\'s apply rate: large transactions, an undersized replica or storage throughput limits are the usual causes.';
  }
}

function replicationStatusFinding(ctx: EvaluationContext, replica: Replica): Finding | undefined {
  const info = replica.node?.instance?.StatusInfos?.find((s) => s.StatusType === 'read replication');
  const status = info?.Status?.toLowerCase();
  if (!info || !status || status === 'replicating' || status === 'replication stop point set') return undefined;
  // error/stopped/terminated: not running. Stop point reached: stopped on purpose. Anything else
  // abnormal ("replication degraded", Normal false): running badly. AWS's own words go in the message.
  const stopped = BROKEN_REPLICATION_STATUSES.has(status);
  const deliberate = status === 'replication stop point reached';
  if (!stopped && !deliberate && info.Normal !== false && status !== 'replication degraded') return undefined;
  const severity: Severity = stopped ? 'critical' : 'warning';
  return finding(ctx.config, {
    code: 'REPLICATION_BROKEN',
    severity,
    region: replica.region,
    resource: replica.id,
    message:
      `Replication to ${replica.id} (${replica.region}) from ${replica.sourceId} (${replica.sourceRegion}) has ` +
      `read-replication status "${info.Status}" as of ${ctx.snapshot.capturedAt}` +
      (info.Message ? `. AWS says: ${info.Message}` : '.') +
      (deliberate ? ' Replication was stopped at a configured stop point; lag grows until it is resumed.' : ''),
    evidence: {
      statusType: 'read replication',
      status: info.Status ?? null,
      awsMessage: info.Message ?? null,
      normal: info.Normal ?? null,
      source: replica.sourceId,
      sourceRegion: replica.sourceRegion,
    },
    hint: deliberate
      ? 'Someone set a replication stop point (delayed replication or recovery to a point in time): resume replication (mysql.rds_start_replication) when that work is done.'
      : brokenHint(replica),
  });
}

interface ResolvedLag {
  readonly metric: LagMetric;
  /** Every datapoint in the window, oldest first, raw values (-1 kept). */
  readonly samples: readonly Sample[];
}

function resolveLag(ctx: EvaluationContext, replica: Replica, purpose: LagPurpose): ResolvedLag | undefined {
  for (const metric of lagMetricsFor(replica, purpose)) {
    const samples = inWindow(
      samplesOf(ctx.metrics.find(replica.region, metric.metricName, metric.dimensions)),
      ctx.now,
      ctx.config.lag.windowMinutes,
    );
    if (samples.length > 0) return { metric, samples };
  }
  return undefined;
}

/** A replica's lag over the window, normalised to seconds, as every lag rule reads it. */
export interface LagWindow {
  readonly metric: LagMetric;
  /** Valid datapoints in the window in seconds, oldest first (no -1 markers). */
  readonly seconds: readonly Sample[];
  /** Valid datapoints among the last N that are recent enough to count, in seconds. */
  readonly recent: readonly Sample[];
  /** -1 ("not running") datapoints among the last N. */
  readonly minusOnes: number;
  readonly minusOneSince?: string;
  /** The newest datapoint in seconds; null when it is -1. */
  readonly latestSeconds: number | null;
  readonly newestAt: string;
  /** The newest datapoint is older than N minutes plus ingestion grace: the replica stopped reporting. */
  readonly stale: boolean;
}

/** Datapoints older than the last N minutes plus ingestion grace do not count towards M of N. */
function oldestCountedTime(ctx: EvaluationContext): number {
  return ctx.now.getTime() - (ctx.config.lag.evaluationPeriods + INGESTION_GRACE_MINUTES) * 60_000;
}

/** The last N datapoints that are recent enough to count. */
function lastCounted(ctx: EvaluationContext, samples: readonly Sample[]): Sample[] {
  const oldest = oldestCountedTime(ctx);
  return samples.slice(-ctx.config.lag.evaluationPeriods).filter((s) => Date.parse(s.timestamp) > oldest);
}

export function lagWindow(ctx: EvaluationContext, replica: Replica, purpose: LagPurpose = 'lag'): LagWindow | undefined {
  const lag = resolveLag(ctx, replica, purpose);
  if (!lag) return undefined;
  const { metric, samples } = lag;
  const isMarker = (s: Sample) => metric.minusOneMeansBroken && s.value === -1;
  const toSeconds = (s: Sample) => ({ ...s, value: s.value * metric.toSeconds });
  const lastN = lastCounted(ctx, samples);
  const newest = samples[samples.length - 1]!;
  return {
    metric,
    seconds: samples.filter((s) => !isMarker(s)).map(toSeconds),
    recent: lastN.filter((s) => !isMarker(s)).map(toSeconds),
    minusOnes: lastN.filter(isMarker).length,
    minusOneSince: metric.minusOneMeansBroken ? streakStart(samples, (v) => v === -1) : undefined,
    latestSeconds: isMarker(newest) ? null : newest.value * metric.toSeconds,
    newestAt: newest.timestamp,
    stale: Date.parse(newest.timestamp) <= oldestCountedTime(ctx),
  };
}

/**
 * M of the last N datapoints; when fewer than M datapoints arrived, all of them. Sparse data
 * must not hide lag that every datapoint shows.
 */
export function isSustained(over: number, available: number, datapointsToAlarm: number): boolean {
  return available >= datapointsToAlarm ? over >= datapointsToAlarm : available > 0 && over === available;
}

/** Whether the idle-source explanation was applied to a lag reading, why, and on what evidence. */
export interface IdleExplanation {
  readonly applied: boolean;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
}

function sourceSeries(ctx: EvaluationContext, replica: Replica, metricName: string): Sample[] {
  const dims = { DBInstanceIdentifier: replica.sourceId };
  return inWindow(samplesOf(ctx.metrics.find(replica.sourceRegion, metricName, dims)), ctx.now, ctx.config.lag.windowMinutes);
}

/**
 * The RDS for PostgreSQL idle-source artefact: with no user writes on the source, a replica's
 * ReplicaLag climbs with the clock and starts over at each WAL segment switch (every 5 min), so
 * it reports up to ~5 min of lag that is not data behind. Decided on the curve's shape, with the
 * source's WAL rate and slot lag as byte-level checks where they were read. Undefined for
 * replicas the artefact cannot apply to.
 */
export function idleExplanation(ctx: EvaluationContext, replica: Replica, lag: LagWindow): IdleExplanation | undefined {
  if (replica.kind !== 'rds-read-replica' || engineFamily(replica.engine) !== 'postgres') return undefined;
  const { maxLagSeconds, maxSourceWalBytesPerSecond, maxSourceSlotLagBytes } = ctx.config.postgresIdle;
  const sourceInstance = replica.source?.instance;
  const notApplied = (reason: string, extra: Record<string, EvidenceValue> = {}): IdleExplanation => ({
    applied: false,
    reason,
    evidence: { idleExplanation: 'not applied', idleReason: reason, idleCapSeconds: maxLagSeconds, ...extra },
  });
  if (!sourceInstance) return notApplied(`source ${replica.sourceId} was not described this run`);
  // An intermediate replica writes no WAL of its own: its quiet says nothing about the real primary.
  if (sourceInstance.ReadReplicaSourceDBInstanceIdentifier) {
    return notApplied(`source ${replica.sourceId} is itself a replica`);
  }

  const shape = analyseIdleSawtooth(lag.seconds, maxLagSeconds);
  const wal = sourceSeries(ctx, replica, WAL_RATE_METRIC);
  const walMean = wal.length ? Math.round(wal.reduce((sum, s) => sum + s.value, 0) / wal.length) : null;
  const slot = sourceSeries(ctx, replica, SLOT_LAG_METRIC);
  const slotPeak = slot.length ? Math.max(...slot.map((s) => s.value)) : null;
  const facts: Record<string, EvidenceValue> = {
    lagResets: shape.resets,
    lagSlope: shape.slope,
    sourceWalBytesPerSecond: walMean,
    sourceSlotLagBytes: slotPeak,
  };
  if (!shape.idle) return notApplied(shape.reason, facts);
  if (walMean !== null && walMean > maxSourceWalBytesPerSecond) {
    return notApplied(
      `source writes ${formatBytes(walMean)}/s of WAL on average, more than RDS's own heartbeat and segment switches (${formatBytes(maxSourceWalBytesPerSecond)}/s)`,
      facts,
    );
  }
  if (slotPeak !== null && slotPeak > maxSourceSlotLagBytes) {
    return notApplied(`source holds ${formatBytes(slotPeak)} of WAL for a replication slot`, facts);
  }
  const bytes = [
    slotPeak !== null ? `source slot lag ${formatBytes(slotPeak)}` : undefined,
    walMean !== null ? `source WAL ${formatBytes(walMean)}/s` : undefined,
  ].filter((x): x is string => x !== undefined);
  const reason = shape.reason + (bytes.length ? `; ${bytes.join(', ')}` : '; no byte-level source metric read');
  return { applied: true, reason, evidence: { idleExplanation: 'applied', idleReason: reason, idleCapSeconds: maxLagSeconds, ...facts } };
}

/** "since T", or "since at least T" when the streak began before the window. */
export function sinceText(since: string | undefined, windowStart: string | undefined): string {
  if (!since) return '';
  return since === windowStart ? `since at least ${since}` : `since ${since}`;
}

interface ReplicaVerdict {
  readonly health: ReplicaHealth;
  readonly findings: Finding[];
}

function missingLagFinding(ctx: EvaluationContext, replica: Replica, lastSeen?: string): ReplicaVerdict {
  const { config } = ctx;
  const expected = [...new Set(lagMetricsFor(replica).map((m) => m.metricName))].join(' or ');
  const dbStatus = databaseStatus(replica);
  const transitional = dbStatus !== undefined && TRANSITIONAL_DATABASE_STATUSES.has(dbStatus);
  const what = replica.node?.type === 'cluster' ? 'cluster' : 'instance';
  const silence = lastSeen
    ? `has reported no ${expected} since ${lastSeen}`
    : `reported no ${expected} datapoints in the last ${config.lag.windowMinutes} min`;
  return {
    health: { replica, lagSeconds: null, status: 'unknown', note: lastSeen ? 'lag metric stale' : 'no lag datapoints' },
    findings: [
      finding(config, {
        code: 'LAG_METRIC_MISSING',
        severity: transitional ? 'info' : 'warning',
        region: replica.region,
        resource: replica.id,
        message:
          `${describeReplica(replica)} ${silence}: its replication state is unknown` +
          (dbStatus ? ` (${what} status ${dbStatus}${transitional ? ', which pauses metrics until it completes' : ''}).` : '.'),
        evidence: {
          expectedMetric: expected,
          windowMinutes: config.lag.windowMinutes,
          lastDatapoint: lastSeen ?? null,
          databaseStatus: dbStatus ?? null,
        },
        hint: transitional
          ? `The ${what} is ${dbStatus}; lag reporting resumes when that finishes. If it does not, check its events.`
          : `Check the replica is available and replicating (aws rds describe-db-${what === 'cluster' ? 'clusters' : 'instances'}); a replica that stopped reporting lag is not a healthy one.`,
      }),
    ],
  };
}

/**
 * A cause on the source that stops replication by itself: RDS MySQL and MariaDB turn binary
 * logging off when automated backups are off, so their replicas have nothing to replay.
 */
function knownSourceCause(replica: Replica): string | undefined {
  const source = replica.source?.instance;
  if (!source || source.BackupRetentionPeriod !== 0 || engineFamily(replica.engine) !== 'mysql') return undefined;
  return ` Its source ${replica.sourceId} has automated backups off (BackupRetentionPeriod 0), which turns binary logging off: replication cannot run until backups are enabled on it.`;
}

function withSourceCause(replica: Replica, broken: Finding): Finding {
  const cause = knownSourceCause(replica);
  if (!cause) return broken;
  return {
    ...broken,
    message: broken.message + cause,
    evidence: { ...broken.evidence, sourceBackupRetentionPeriod: 0 },
    hint: `Enable automated backups on ${replica.sourceId} (backup retention of at least 1 day), then recreate or restart the replica.`,
  };
}

/** Source statuses in which the source itself cannot feed its replicas: the place to start. */
const SOURCE_DOWN_STATUSES = DOWN_DATABASE_STATUSES;

/** Names a source that is down on each of its replica's findings: the replica is not where to start. */
export function withSourceState(replica: Replica, f: Finding): Finding {
  const status = nodeStatus(replica.source);
  if (!status || !SOURCE_DOWN_STATUSES.has(status)) return f;
  return {
    ...f,
    message: `${f.message} Source ${replica.sourceId} (${replica.sourceRegion}) is ${status}: start there.`,
    evidence: { ...f.evidence, sourceStatus: status },
    hint: `Fix the source first: ${replica.sourceId} is ${status} and feeds nothing until it is available again; the replica follows once it is.`,
  };
}

/** Global cluster operations that move lag and synchronization on every member while they run. */
const GLOBAL_OPERATION_STATUSES = new Set(['failing-over', 'switching-over']);

/** Says on a global member's finding that its global cluster is switching over or failing over. */
export function withGlobalState(topology: Topology, globalClusterId: string | undefined, f: Finding): Finding {
  if (!globalClusterId) return f;
  const raw = topology.globalClusters.find((g) => g.id === globalClusterId)?.raw;
  if (!raw) return f;
  const status = raw.Status?.toLowerCase();
  const state = raw.FailoverState;
  const failover = typeof state === 'object' && state !== null ? (state as Record<string, unknown>) : undefined;
  const failoverStatus = typeof failover?.Status === 'string' ? failover.Status.toLowerCase() : undefined;
  if (!failoverStatus && !(status && GLOBAL_OPERATION_STATUSES.has(status))) return f;
  const ref = (v: unknown) => (typeof v === 'string' ? parseRdsRef(v) : undefined);
  const from = ref(failover?.FromDbClusterArn);
  const to = ref(failover?.ToDbClusterArn);
  const kind = failover?.IsDataLossAllowed === true ? 'failover' : failover?.IsDataLossAllowed === false ? 'switchover' : 'switchover or failover';
  const doing = failoverStatus === 'pending' ? `has a pending ${kind}` : `is ${failoverStatus ?? status}`;
  const route = from && to ? ` from ${from.id} (${from.region}) to ${to.id} (${to.region})` : '';
  return {
    ...f,
    message: `${f.message} Global cluster ${globalClusterId} ${doing}${route}: lag and synchronization of its members move while it runs; read this again when it completes.`,
    evidence: {
      ...f.evidence,
      globalClusterStatus: status ?? null,
      failoverState: failoverStatus ?? null,
      failoverFrom: from ? `${from.id}@${from.region}` : null,
      failoverTo: to ? `${to.id}@${to.region}` : null,
    },
  };
}

function evaluateReplica(ctx: EvaluationContext, replica: Replica, metricsFailed: boolean): ReplicaVerdict {
  const verdict = evaluateReplicaHealth(ctx, replica, metricsFailed);
  return {
    health: verdict.health,
    findings: verdict.findings
      .map((f) => (f.code === 'REPLICATION_BROKEN' && f.severity === 'critical' ? withSourceCause(replica, f) : f))
      .map((f) => withSourceState(replica, f))
      .map((f) => withGlobalState(ctx.topology, replica.globalClusterId, f)),
  };
}

/** Cluster statuses a user put the cluster in: its readers replicate nothing, by choice. */
const USER_STOPPED_CLUSTER_STATUSES = new Set(['stopped', 'stopping', 'starting']);

/** The cluster a reader instance belongs to, when it is a cluster reader. */
function readerCluster(ctx: EvaluationContext, replica: Replica): DatabaseNode | undefined {
  if (replica.kind !== 'aurora-reader' && replica.kind !== 'multi-az-cluster-reader') return undefined;
  return ctx.topology.clusters.find(
    (c) => c.region === replica.region && (c.cluster?.DBClusterMembers ?? []).some((m) => m.DBInstanceIdentifier === replica.id),
  );
}

function stoppedClusterFinding(ctx: EvaluationContext, cluster: DatabaseNode, status: string, readers: readonly string[]): Finding {
  return finding(ctx.config, {
    code: 'REPLICATION_BROKEN',
    severity: 'info',
    region: cluster.region,
    resource: cluster.id,
    message:
      `Cluster ${cluster.id} (${cluster.region}) is ${status} (as of ${ctx.snapshot.capturedAt}): its reader${readers.length === 1 ? '' : 's'} ` +
      `${readers.join(', ')} replicate nothing until it is available again. Not paging: the cluster was stopped or started on request.`,
    evidence: { clusterStatus: status, readers: [...readers] },
    hint:
      status === 'starting'
        ? 'Readers report lag again once the cluster is available.'
        : 'Start the cluster when it is needed again (AWS starts a stopped cluster by itself after 7 days); nothing to do otherwise.',
  });
}

function evaluateReplicaHealth(ctx: EvaluationContext, replica: Replica, metricsFailed: boolean): ReplicaVerdict {
  const { config } = ctx;
  const findings: Finding[] = [];
  const where = describeReplica(replica);

  const dbStatus = databaseStatus(replica);
  if (dbStatus && DOWN_DATABASE_STATUSES.has(dbStatus)) {
    const what = replica.node?.type === 'cluster' ? 'cluster' : 'instance';
    findings.push(
      finding(config, {
        code: 'REPLICATION_BROKEN',
        severity: 'critical',
        region: replica.region,
        resource: replica.id,
        message: `${where} is not replicating: the ${what} status is "${dbStatus}" (as of ${ctx.snapshot.capturedAt}).`,
        evidence: { databaseStatus: dbStatus, source: replica.sourceId, sourceRegion: replica.sourceRegion },
        hint:
          dbStatus === 'storage-full'
            ? 'The replica ran out of storage: increase its allocated storage (and enable storage autoscaling); replication resumes once it has room.'
            : dbStatus.startsWith('incompatible-parameters')
              ? 'The replica\'s parameter group has values it cannot start with (often memory settings too large for its class): fix the group and reboot.'
              : `Bring the ${what} back to available (start it, or follow its RDS events for the failure); it replicates nothing until then.`,
      }),
    );
    return { health: { replica, lagSeconds: null, status: 'broken', note: dbStatus }, findings };
  }

  const statusFinding = replicationStatusFinding(ctx, replica);
  if (statusFinding) findings.push(statusFinding);
  const replicationStopped = statusFinding?.severity === 'critical';
  const stopPointReached = statusFinding?.evidence.status === 'replication stop point reached';

  const reads = ctx.reads ?? 'full';
  if (!readsLag(reads)) {
    // Lag was not read this run: its verdict is carried (see NOT_EVALUATED), neither healthy nor missing.
    const broken = replicationStopped || stopPointReached;
    return { health: { replica, lagSeconds: null, status: broken ? 'broken' : 'unknown', note: 'lag not read this run' }, findings };
  }
  // A lag read asks for the fallback series of a replica whose preferred one was empty (planLagFallbacks).
  const lag = lagWindow(ctx, replica);
  if (!lag || lag.stale) {
    if (replicationStopped || stopPointReached) {
      return { health: { replica, lagSeconds: null, status: 'broken', note: 'replication status' }, findings };
    }
    if (metricsFailed) {
      return { health: { replica, lagSeconds: null, status: 'unknown', note: 'metrics unreadable' }, findings };
    }
    const missing = missingLagFinding(ctx, replica, lag?.newestAt);
    return { health: missing.health, findings: [...findings, ...missing.findings] };
  }

  const { metric } = lag;
  const { datapointsToAlarm: m } = config.lag;
  const lagged = { replica, lagSeconds: lag.latestSeconds, lagMetric: metric.metricName };

  if (lag.minusOnes > 0 && isSustained(lag.minusOnes, lag.minusOnes + lag.recent.length, m) && !statusFinding) {
    const pause = transientPause(replica);
    const minutes = lag.minusOneSince ? Math.round((ctx.now.getTime() - Date.parse(lag.minusOneSince)) / 60_000) : 0;
    const pending = pendingModifications(replica.node);
    // AWS reports -1 while maintenance, a reboot or replica setup interrupts replication: a pause, not
    // a break, unless it outlasts what such work takes.
    const paused = pause !== undefined && minutes <= TRANSIENT_MINUS_ONE_MAX_MINUTES;
    const counted = `${metric.metricName} is -1 (replication not running) in ${lag.minusOnes} of the last ${lag.minusOnes + lag.recent.length} datapoints, since ${lag.minusOneSince}`;
    findings.push(
      finding(config, {
        code: 'REPLICATION_BROKEN',
        severity: paused ? 'warning' : 'critical',
        region: replica.region,
        resource: replica.id,
        message: paused
          ? `${where}: replication paused during ${pause.what} ${pause.status}: ${counted}. RDS reports -1 while such work runs; it resumes when the ${pause.what} is available again.`
          : `${where}: ${counted}.` +
            (pause ? ` The ${pause.what} is ${pause.status}, but -1 for ${minutes} min outlasts that (bound ${TRANSIENT_MINUS_ONE_MAX_MINUTES} min).` : '') +
            (pending.length ? ` Pending modifications: ${pending.join(', ')}.` : ''),
        evidence: {
          metric: metric.metricName,
          series: seriesName(metric),
          minusOneDatapoints: lag.minusOnes,
          evaluatedDatapoints: lag.minusOnes + lag.recent.length,
          since: lag.minusOneSince ?? null,
          databaseStatus: dbStatus ?? null,
          transientState: pause ? `${pause.who}:${pause.status}` : null,
          minusOneMinutes: minutes,
          transientBoundMinutes: TRANSIENT_MINUS_ONE_MAX_MINUTES,
          pendingModifications: pending,
        },
        hint: paused
          ? `Wait for ${pause.who === 'source' ? `the source ${replica.sourceId}` : replica.id} to return to available (its RDS events show the progress); if -1 continues after that, replication is broken.`
          : brokenHint(replica),
      }),
    );
    if (paused) return { health: { ...lagged, status: 'degraded', note: `paused: ${pause.status}` }, findings };
  }
  if (replicationStopped || stopPointReached || findings.some((f) => f.code === 'REPLICATION_BROKEN' && f.severity === 'critical')) {
    // The status already names the cause; a lag alert on top would send people down the wrong path.
    return { health: { ...lagged, status: 'broken' }, findings };
  }

  const thresholds = lagThresholdsFor(config, replica.id, replica.tags);
  const over = (limit: number) => lag.recent.filter((s) => s.value > limit).length;
  const available = lag.recent.length;
  let severity: Severity | undefined;
  let limit = 0;
  if (isSustained(over(thresholds.criticalSeconds), available, m)) {
    severity = 'critical';
    limit = thresholds.criticalSeconds;
  } else if (isSustained(over(thresholds.warningSeconds), available, m)) {
    severity = 'warning';
    limit = thresholds.warningSeconds;
  }
  const degraded = findings.length > 0;

  if (!severity) return { health: { ...lagged, status: degraded ? 'degraded' : 'healthy' }, findings };

  const peak = Math.max(...lag.recent.map((s) => s.value));
  const idle = idleExplanation(ctx, replica, lag);
  const since = streakStart(lag.seconds, (v) => v > limit);
  const current = lag.latestSeconds === null ? 'unknown now (latest datapoint -1)' : `${formatSeconds(lag.latestSeconds)} behind`;
  const sparse = available < m ? ` (only ${available} datapoint${available === 1 ? '' : 's'} arrived)` : '';
  findings.push(
    finding(config, {
      code: 'REPLICA_LAG_HIGH',
      // Explained lag stays visible in the report but pages nobody.
      severity: idle?.applied ? 'info' : severity,
      region: replica.region,
      resource: replica.id,
      message:
        `${where} is ${current} (peak ${formatSeconds(peak)}), over the ${severity} threshold of ${formatSeconds(limit)} ` +
        `in ${over(limit)} of the last ${available} datapoints${sparse}, ${sinceText(since, lag.seconds[0]?.timestamp)}.` +
        (idle?.applied ? ` Not paging: this is the idle-source sawtooth of RDS for PostgreSQL (${idle.reason}), no data is behind.` : ''),
      evidence: {
        ...idle?.evidence,
        metric: metric.metricName,
        series: seriesName(metric),
        lagSeconds: lag.latestSeconds,
        peakSeconds: peak,
        thresholdSeconds: limit,
        warningSeconds: thresholds.warningSeconds,
        criticalSeconds: thresholds.criticalSeconds,
        datapointsOver: over(limit),
        evaluatedDatapoints: available,
        since: since ?? null,
      },
      hint: idle?.applied
        ? 'Nothing to do while the source is idle. If the source should be writing, check its applications; a replica that is really stuck keeps climbing past the cap and pages.'
        : lagHint(replica),
    }),
  );
  if (idle?.applied) return { health: { ...lagged, status: degraded ? 'degraded' : 'healthy', note: 'source idle' }, findings };
  return { health: { ...lagged, status: 'lagging' }, findings };
}

function slotLagFindings(ctx: EvaluationContext): Finding[] {
  const { config } = ctx;
  const findings: Finding[] = [];
  if (!readsDetail(ctx.reads ?? 'full')) return findings;
  const { datapointsToAlarm: m } = config.lag;
  for (const instance of ctx.topology.instances) {
    if (engineFamily(instance.engine) !== 'postgres') continue;
    const samples = inWindow(
      samplesOf(ctx.metrics.find(instance.region, SLOT_LAG_METRIC, { DBInstanceIdentifier: instance.id })),
      ctx.now,
      config.lag.windowMinutes,
    );
    const recent = lastCounted(ctx, samples);
    const { warningBytes, criticalBytes } = config.replicationSlot;
    const over = (limit: number) => recent.filter((s) => s.value > limit).length;
    const severity: Severity | undefined = isSustained(over(criticalBytes), recent.length, m)
      ? 'critical'
      : isSustained(over(warningBytes), recent.length, m)
        ? 'warning'
        : undefined;
    if (!severity) continue;
    const limit = severity === 'critical' ? criticalBytes : warningBytes;
    const latest = recent[recent.length - 1]!.value;
    const since = sinceText(streakStart(samples, (v) => v > limit), samples[0]?.timestamp);
    findings.push(
      finding(config, {
        code: 'REPLICATION_SLOT_LAG_HIGH',
        severity,
        region: instance.region,
        resource: instance.id,
        message:
          `${instance.id} (${instance.region}) retains ${formatBytes(latest)} of WAL for its slowest replication slot, ` +
          `over the ${severity} threshold of ${formatBytes(limit)} in ${over(limit)} of the last ${recent.length} datapoints, ${since}.`,
        evidence: {
          metric: SLOT_LAG_METRIC,
          bytes: latest,
          thresholdBytes: limit,
          datapointsOver: over(limit),
          evaluatedDatapoints: recent.length,
          since: since || null,
        },
        hint: 'Find the slot in pg_replication_slots (inactive or far behind); fix or drop its consumer before the WAL fills the storage.',
      }),
    );
  }
  return findings;
}

function degradedFinding(config: Config, region: string, errors: readonly ReadError[]): Finding {
  const [first] = errors as [ReadError, ...ReadError[]];
  const blind = DESCRIBE_OPERATIONS.test(first.operation);
  const times = errors.length > 1 ? ` (${errors.length} calls)` : '';
  return finding(config, {
    code: 'CHECK_DEGRADED',
    severity: blind ? 'critical' : 'warning',
    region,
    resource: first.operation,
    message:
      `${first.operation} failed in ${region}${times}` +
      (first.code ? ` (${first.code})` : '') +
      `: ${first.message}. ` +
      (blind
        ? `Replication in ${region} is not being checked.`
        : first.operation.startsWith('cloudwatch:')
          ? `Lag in ${region} is unknown this run; the other regions are fully reported.`
          : `Part of ${region} could not be checked this run; the other regions are fully reported.`),
    evidence: {
      operation: first.operation,
      errorCode: first.code ?? null,
      error: first.message,
      failedCalls: errors.length,
    },
    hint: 'Check the checker role\'s permissions and the region\'s RDS/CloudWatch endpoints; throttling clears on its own, access denied does not.',
  });
}

export function evaluateHealth(ctx: EvaluationContext): HealthResult {
  const findings: Finding[] = [];
  const metricsFailedIn = new Set<string>();
  for (const [region, data] of Object.entries(ctx.snapshot.regions)) {
    // One finding per region and API, however many calls of it failed.
    const byOperation = new Map<string, ReadError[]>();
    for (const error of data.errors ?? []) {
      byOperation.set(error.operation, [...(byOperation.get(error.operation) ?? []), error]);
      if (error.operation.startsWith('cloudwatch:')) metricsFailedIn.add(region);
    }
    for (const errors of byOperation.values()) findings.push(degradedFinding(ctx.config, region, errors));
  }

  const replicas: ReplicaHealth[] = [];
  const stoppedClusters = new Map<string, { cluster: DatabaseNode; status: string; readers: string[] }>();
  for (const replica of ctx.topology.replicas) {
    if (!ctx.snapshot.regions[replica.region]) {
      // A global secondary in a region this run does not read: say so rather than guess.
      replicas.push({ replica, lagSeconds: null, status: 'unknown', note: 'region not read' });
      findings.push(
        finding(ctx.config, {
          code: 'CHECK_DEGRADED',
          severity: 'warning',
          region: replica.region,
          resource: replica.id,
          message: `${replica.id} replicates from ${replica.sourceId} (${replica.sourceRegion}) into ${replica.region}, a region this check does not read: its health is unknown.`,
          evidence: { operation: 'region-not-read', replicaRegion: replica.region },
          hint: `Add ${replica.region} to "regions" in the config (or to --regions).`,
        }),
      );
      continue;
    }
    const undescribed = (ctx.snapshot.regions[replica.region]!.errors ?? []).some((e) => DESCRIBE_OPERATIONS.test(e.operation));
    if (!replica.node && undescribed) {
      // Its source lists it, but its region's describe call failed: that CHECK_DEGRADED says why.
      replicas.push({ replica, lagSeconds: null, status: 'unknown', note: 'region unreadable' });
      continue;
    }
    const parent = readerCluster(ctx, replica);
    const parentStatus = nodeStatus(parent);
    if (parent && parentStatus && USER_STOPPED_CLUSTER_STATUSES.has(parentStatus)) {
      // One finding for the cluster, not one page per reader.
      replicas.push({ replica, lagSeconds: null, status: 'unknown', note: `cluster ${parentStatus}` });
      const k = `${parent.region}\u0000${parent.id}`;
      stoppedClusters.set(k, { cluster: parent, status: parentStatus, readers: [...(stoppedClusters.get(k)?.readers ?? []), replica.id] });
      continue;
    }
    const result = evaluateReplica(ctx, replica, metricsFailedIn.has(replica.region));
    replicas.push(result.health);
    findings.push(...result.findings);
  }
  for (const { cluster, status, readers } of stoppedClusters.values()) findings.push(stoppedClusterFinding(ctx, cluster, status, readers));
  findings.push(...slotLagFindings(ctx));
  return { replicas, findings };
}
