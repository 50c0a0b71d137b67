/**
 * What the database and replication statuses AWS reports say about a replica, before any lag is
 * read: the status sets, read-replication StatusInfos, a missing lag series, a stopped cluster.
 */
import type { EvaluationContext } from '../context';
import { makeFinding, type Finding, type Severity } from '../../findings';
import { lagMetricsFor } from '../../fleet/metric-plan';
import { engineFamily, type DatabaseNode, type Replica } from '../../fleet/topology';

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

/** One replica's health and the findings that explain it. */
export interface ReplicaVerdict {
  readonly health: ReplicaHealth;
  readonly findings: Finding[];
}

const finding = makeFinding;

/** Read-replication statuses that mean replication is not running. */
const BROKEN_REPLICATION_STATUSES = new Set(['error', 'stopped', 'terminated']);

/** Database statuses in which a replica cannot replicate, whatever its lag metric says. */
export const DOWN_DATABASE_STATUSES = new Set([
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
export const TRANSIENT_MINUS_ONE_MAX_MINUTES = 60;

/** The replica's or its source's transient state that explains a -1, if any. */
export function transientPause(replica: Replica): { who: 'replica' | 'source'; what: string; status: string } | undefined {
  const own = databaseStatus(replica);
  if (own && TRANSITIONAL_DATABASE_STATUSES.has(own)) {
    return { who: 'replica', what: replica.node?.type === 'cluster' ? 'cluster' : 'instance', status: own };
  }
  const source = nodeStatus(replica.source);
  if (source && TRANSITIONAL_DATABASE_STATUSES.has(source)) return { who: 'source', what: `source ${replica.sourceId}`, status: source };
  return undefined;
}

/** Names of modifications waiting for the next maintenance window (`PendingModifiedValues`), when read. */
export function pendingModifications(node: DatabaseNode | undefined): string[] {
  const pending = (node?.instance ?? node?.cluster)?.PendingModifiedValues;
  if (typeof pending !== 'object' || pending === null) return [];
  return Object.entries(pending)
    .filter(([, value]) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
    .map(([key]) => key)
    .sort();
}

export function nodeStatus(node: DatabaseNode | undefined): string | undefined {
  return (node?.instance?.DBInstanceStatus ?? node?.cluster?.Status)?.toLowerCase();
}

export function databaseStatus(replica: Replica): string | undefined {
  return nodeStatus(replica.node);
}

export function describeReplica(replica: Replica): string {
  return `${replica.id} (${replica.region}, ${replica.kind}, source ${replica.sourceId} in ${replica.sourceRegion})`;
}

/** What to look at first when replication stopped, by engine. */
export function brokenHint(replica: Replica): string {
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

export function replicationStatusFinding(ctx: EvaluationContext, replica: Replica): Finding | undefined {
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

export function missingLagFinding(ctx: EvaluationContext, replica: Replica, lastSeen?: string): ReplicaVerdict {
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

/** Cluster statuses a user put the cluster in: its readers replicate nothing, by choice. */
export const USER_STOPPED_CLUSTER_STATUSES = new Set(['stopped', 'stopping', 'starting']);

/** The cluster a reader instance belongs to, when it is a cluster reader. */
export function readerCluster(ctx: EvaluationContext, replica: Replica): DatabaseNode | undefined {
  if (replica.kind !== 'aurora-reader' && replica.kind !== 'multi-az-cluster-reader') return undefined;
  return ctx.topology.clusters.find(
    (c) => c.region === replica.region && (c.cluster?.DBClusterMembers ?? []).some((m) => m.DBInstanceIdentifier === replica.id),
  );
}

export function stoppedClusterFinding(ctx: EvaluationContext, cluster: DatabaseNode, status: string, readers: readonly string[]): Finding {
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
