/**
 * DR targets: the cross-region replicas and global secondaries a protected primary could fail
 * over to, including those its source lists but no region read, and regions that could not be read.
 */
import { parseRdsRef } from '../../fleet/arn';
import type { EvaluationContext } from '../context';
import type { Finding } from '../../findings';
import { DESCRIBE_OPERATIONS, type ReplicaHealth } from '../health/health';
import type { DbCluster, DbInstance } from '../../fleet/model';
import type { DatabaseNode, Replica } from '../../fleet/topology';
import { key, type ProtectedPrimary } from './dr-primaries';

/** One database the primary could fail over to, in a region other than the primary's. */
export interface DrTarget {
  readonly id: string;
  readonly region: string;
  readonly replica?: Replica;
  readonly health?: ReplicaHealth;
  /** Set when the target's state cannot be known this run (region not read or unreadable). */
  readonly unknownReason?: string;
  /** Set when the source lists the replica but its (read) region does not have it. */
  readonly missingReason?: string;
  readonly synchronizationStatus?: string;
}

/** What the rules found for one primary, collected as they run. */
export interface PrimaryEvaluation {
  readonly findings: Finding[];
  /** Definite reasons the primary cannot fail over within its RPO, whatever its replicas. */
  readonly blockers: string[];
  /** What is wrong with individual cross-region copies; decisive only when no copy is capable. */
  readonly targetProblems: string[];
  /** What could not be known; any of these keeps the verdict from being `true`. */
  readonly unknowns: string[];
  /** Cross-region copies fit to fail over to. */
  readonly capable: DrTarget[];
  /** `findingKey`s of RPO verdicts this run could not reach (their series was not read): carried, not cleared. */
  readonly notEvaluated: string[];
}

/** Why a region's databases cannot be seen this run, or undefined when they can. */
export function regionBlindReason(ctx: EvaluationContext, region: string): string | undefined {
  const data = ctx.snapshot.regions[region];
  if (!data) return `region ${region} is not read by this check (add it to "regions")`;
  const failed = (data.errors ?? []).filter((e) => DESCRIBE_OPERATIONS.test(e.operation));
  if (failed.length === 0) return undefined;
  return `region ${region} could not be read (${failed.map((e) => e.operation + (e.code ? ` ${e.code}` : '')).join(', ')})`;
}

/**
 * Identifiers of replicas the primary itself lists; cross-region ones are ARNs. The lists are a
 * complete account only of the replicas AWS documents them to hold: `ReadReplicaDBClusterIdentifiers`
 * leaves out cross-Region Aurora read replicas, which only an RDS for MySQL instance can have
 * (an Aurora read replica of RDS for PostgreSQL must be in its source's Region).
 */
function listedReplicas(node: DatabaseNode | undefined): { refs: string[]; authoritative: boolean; omits?: string } {
  const instance: DbInstance | undefined = node?.instance;
  const cluster: DbCluster | undefined = node?.cluster;
  const lists = instance
    ? [instance.ReadReplicaDBInstanceIdentifiers, instance.ReadReplicaDBClusterIdentifiers]
    : [cluster?.ReadReplicaIdentifiers];
  const omits =
    instance && (instance.Engine ?? '').toLowerCase() === 'mysql'
      ? 'ReadReplicaDBClusterIdentifiers does not list cross-Region Aurora read replicas'
      : undefined;
  // DescribeDBInstances/DescribeDBClusters always return these lists, empty when there is nothing.
  return {
    refs: lists.flatMap((list) => [...(list ?? [])]),
    authoritative: lists.some((list) => Array.isArray(list)) && omits === undefined,
    omits,
  };
}

/** Cross-region copies of the primary, and whether its own replica lists account for all of them. */
export function drTargets(
  ctx: EvaluationContext,
  primary: ProtectedPrimary,
  healthByKey: ReadonlyMap<string, ReplicaHealth>,
): { targets: DrTarget[]; authoritative: boolean; omits?: string } {
  const { topology } = ctx;
  const targets = new Map<string, DrTarget>();
  const addReplica = (replica: Replica, synchronizationStatus?: string) => {
    if (!replica.crossRegion || replica.region === primary.region) return;
    const k = key(replica.region, replica.id);
    if (targets.has(k)) return;
    const health = healthByKey.get(k);
    const blind = regionBlindReason(ctx, replica.region);
    targets.set(k, {
      id: replica.id,
      region: replica.region,
      replica,
      health,
      synchronizationStatus,
      unknownReason: blind
        ? `${replica.id}: ${blind}`
        : !health || health.status === 'unknown'
          ? `${replica.id} (${replica.region}): replication state unknown (${health?.note ?? 'not evaluated'})`
          : undefined,
    });
  };

  const sources: DatabaseNode[] = [];
  if (primary.node) sources.push(primary.node);
  if (primary.global) {
    for (const secondary of primary.global.secondaries) {
      const replica = topology.replicas.find((r) => r.region === secondary.region && r.id === secondary.id);
      if (replica) addReplica(replica, secondary.synchronizationStatus);
    }
  }
  // Writer instances of a cluster can be a replication source too (e.g. binlog replication).
  if (primary.node?.cluster) {
    const writerId = primary.node.cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    const writer = writerId ? topology.instance(primary.node.region, writerId) : undefined;
    if (writer) sources.push(writer);
  }
  for (const source of sources) {
    for (const replica of topology.replicasOf(source.region, source.id, source.type)) addReplica(replica);
  }

  // Replicas the source names but no region we read described (region unread, unreadable, or gone).
  const listed = listedReplicas(primary.node);
  for (const ref of listed.refs) {
    const parsed = parseRdsRef(ref);
    if (!parsed.region || parsed.region === primary.region) continue;
    const k = key(parsed.region, parsed.id);
    if (targets.has(k)) continue;
    const blind = regionBlindReason(ctx, parsed.region);
    targets.set(k, {
      id: parsed.id,
      region: parsed.region,
      unknownReason: blind ? `${parsed.id}: ${blind}` : undefined,
      missingReason: blind
        ? undefined
        : `${parsed.id} is listed as a replica of ${primary.node!.id} but ${parsed.region} has no such database`,
    });
  }

  const authoritative = primary.global !== undefined || listed.authoritative;
  return {
    targets: [...targets.values()].sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id)),
    authoritative,
    omits: primary.global ? undefined : listed.omits,
  };
}
