/**
 * Replication health: lag, broken replication, missing lag metrics, PostgreSQL slot lag and
 * degraded reads. Pure: topology + metrics + config in, findings out.
 */
import type { Config } from '../../config';
import type { EvaluationContext } from '../context';
import { makeFinding, type Finding } from '../../findings';
import { evaluateReplica } from './health-lag';
import { slotLagFindings } from './health-slot-lag';
import { nodeStatus, readerCluster, stoppedClusterFinding, USER_STOPPED_CLUSTER_STATUSES, type ReplicaHealth } from './health-status';
import type { ReadError } from '../../fleet/model';
import type { DatabaseNode } from '../../fleet/topology';

export type { ReplicaHealth, ReplicaStatus } from './health-status';
export { idleExplanation, isSustained, lagWindow, sinceText, streakStart } from './health-window';
export type { IdleExplanation, LagWindow } from './health-window';
export { withGlobalState, withSourceState } from './health-context';

export interface HealthResult {
  readonly replicas: readonly ReplicaHealth[];
  readonly findings: readonly Finding[];
}

/** Operations whose failure leaves a region's topology unknown, not just its metrics. */
export const DESCRIBE_OPERATIONS = /^rds:Describe(DBInstances|DBClusters|GlobalClusters)$/;

const finding = makeFinding;

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
