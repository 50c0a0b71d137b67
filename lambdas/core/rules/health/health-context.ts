/**
 * Context added to a replica's findings from outside the replica: a cause on its source, a source
 * that is down, a global cluster switching over or failing over.
 */
import { parseRdsRef } from '../../fleet/arn';
import type { Finding } from '../../findings';
import { DOWN_DATABASE_STATUSES, nodeStatus } from './health-status';
import { engineFamily, type Replica, type Topology } from '../../fleet/topology';

/**
 * A cause on the source that stops replication by itself: RDS MySQL and MariaDB turn binary
 * logging off when automated backups are off, so their replicas have nothing to replay.
 */
function knownSourceCause(replica: Replica): string | undefined {
  const source = replica.source?.instance;
  if (!source || source.BackupRetentionPeriod !== 0 || engineFamily(replica.engine) !== 'mysql') return undefined;
  return ` Its source ${replica.sourceId} has automated backups off (BackupRetentionPeriod 0), which turns binary logging off: replication cannot run until backups are enabled on it.`;
}

export function withSourceCause(replica: Replica, broken: Finding): Finding {
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
