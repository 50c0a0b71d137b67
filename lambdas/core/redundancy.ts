/**
 * Cross-region redundancy and disaster-recovery readiness of the primaries marked as needing DR.
 * Pure: topology, the health engine's per-replica verdicts, metrics and config in; findings and one
 * readiness verdict per protected primary out.
 *
 * Scope decisions:
 * - Protected primaries are RDS instances that are not themselves replicas, Aurora clusters that
 *   are neither replica clusters nor global members, and Aurora global clusters (the global
 *   cluster is the unit; its writer cluster is not reported again on its own). A replica or
 *   secondary that carries the DR tag is skipped: it is covered through its source.
 * - For Aurora, the DR tag is read from the cluster (and for global databases from the global
 *   cluster or its writer cluster); tags on the instances inside a cluster are not read.
 * - Every rule here applies to protected primaries only; replication health of everything else
 *   is the health engine's job.
 */
import { readsDetail } from './cadence';
import { compilePattern, matches, type Config } from './config';
import type { EvaluationContext } from './context';
import type { DrReadiness } from './evaluate';
import { makeFinding, type EvidenceValue, type Finding } from './findings';
import { formatSeconds } from './format';
import { compareInstanceClasses, parseClass } from './instance-capacity';
import {
  DESCRIBE_OPERATIONS,
  idleExplanation,
  isSustained,
  lagWindow,
  sinceText,
  streakStart,
  type ReplicaHealth,
  withGlobalState,
  withSourceState,
} from './health';
import { parseRdsRef } from './arn';
import { seriesName } from './metric-plan';
import type { AutomatedBackup, DbCluster, DbInstance } from './model';
import { tagsToRecord } from './model';
import type { DatabaseNode, GlobalClusterNode, Replica } from './topology';
import { own } from './records';

export interface RedundancyResult {
  readonly findings: Finding[];
  readonly dr: DrReadiness[];
}

const AUTOMATED_BACKUPS_OPERATION = 'rds:DescribeDBInstanceAutomatedBackups';

/** One database the primary could fail over to, in a region other than the primary's. */
interface DrTarget {
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

interface ProtectedPrimary {
  readonly id: string;
  readonly region: string;
  readonly kind: DrReadiness['kind'];
  /** The database whose class, backups and replica lists describe the primary (the writer cluster for global). */
  readonly node?: DatabaseNode;
  readonly global?: GlobalClusterNode;
  /** Identifier/tag pairs the selectors are matched against (global and writer cluster for global). */
  readonly identities: readonly { readonly id: string; readonly tags: Readonly<Record<string, string>> }[];
  /** A cluster naming a global cluster that no region described: its secondaries cannot be seen. */
  readonly missingGlobal?: string;
}

const key = (region: string, id: string) => `${region}\u0000${id}`;

const finding = makeFinding;

// ---------------------------------------------------------------------------------------------
// Which primaries need DR

function isProtected(config: Config, identities: ProtectedPrimary['identities']): boolean {
  const { tagKey, tagValue, identifiers } = config.dr;
  const patterns = identifiers.map(compilePattern);
  return identities.some(
    ({ id, tags }) => own(tags, tagKey) === tagValue || patterns.some((pattern) => pattern.test(id)),
  );
}

/** The global RPO, or the last override matching any identity of the primary. */
function rpoSecondsFor(config: Config, identities: ProtectedPrimary['identities']): number {
  let rpo = config.dr.rpoSeconds;
  for (const override of config.dr.rpoOverrides) {
    if (identities.some(({ id, tags }) => matches(override.match, id, tags))) rpo = override.rpoSeconds;
  }
  return rpo;
}

function protectedPrimaries(ctx: EvaluationContext): ProtectedPrimary[] {
  const { topology, config } = ctx;
  const out: ProtectedPrimary[] = [];
  const globalWriters = new Set<string>();

  for (const global of topology.globalClusters) {
    const writerNode = global.writer ? topology.cluster(global.writer.region, global.writer.id) : undefined;
    if (global.writer) globalWriters.add(key(global.writer.region, global.writer.id));
    const identities = [
      { id: global.id, tags: tagsToRecord(global.raw.TagList) },
      ...(global.writer ? [{ id: global.writer.id, tags: writerNode?.tags ?? {} }] : []),
    ];
    if (!isProtected(config, identities)) continue;
    out.push({
      id: global.id,
      region: global.writer?.region ?? global.secondaries[0]?.region ?? topology.regions[0] ?? 'unknown',
      kind: 'aurora-global',
      node: writerNode,
      global,
      identities,
    });
  }

  const secondaryKeys = new Set(topology.globalClusters.flatMap((g) => g.secondaries.map((s) => key(s.region, s.id))));
  for (const cluster of topology.clusters) {
    const k = key(cluster.region, cluster.id);
    // Global writers are reported as their global cluster; secondaries and replica clusters are covered through their source.
    if (globalWriters.has(k) || secondaryKeys.has(k) || cluster.cluster?.ReplicationSourceIdentifier) continue;
    const identities = [{ id: cluster.id, tags: cluster.tags }];
    if (!isProtected(config, identities)) continue;
    const globalId = cluster.cluster?.GlobalClusterIdentifier;
    const missingGlobal =
      globalId && !topology.globalClusters.some((g) => g.id === globalId)
        ? `${cluster.id} is a member of global cluster ${globalId}, which no region's DescribeGlobalClusters returned`
        : undefined;
    out.push({ id: cluster.id, region: cluster.region, kind: 'aurora-cluster', node: cluster, identities, missingGlobal });
  }

  for (const instance of topology.instances) {
    const raw = instance.instance!;
    if (raw.DBClusterIdentifier) continue;
    if (raw.ReadReplicaSourceDBInstanceIdentifier || raw.ReadReplicaSourceDBClusterIdentifier) continue;
    const identities = [{ id: instance.id, tags: instance.tags }];
    if (!isProtected(config, identities)) continue;
    out.push({ id: instance.id, region: instance.region, kind: 'rds-instance', node: instance, identities });
  }

  return out.sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------------------------
// Regions that could not be read

/** Why a region's databases cannot be seen this run, or undefined when they can. */
function regionBlindReason(ctx: EvaluationContext, region: string): string | undefined {
  const data = ctx.snapshot.regions[region];
  if (!data) return `region ${region} is not read by this check (add it to "regions")`;
  const failed = (data.errors ?? []).filter((e) => DESCRIBE_OPERATIONS.test(e.operation));
  if (failed.length === 0) return undefined;
  return `region ${region} could not be read (${failed.map((e) => e.operation + (e.code ? ` ${e.code}` : '')).join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// DR targets: cross-region replicas and secondaries

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

function drTargets(
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

// ---------------------------------------------------------------------------------------------
// Capacity: could the target carry the primary's load?


interface Capacity {
  /** Instance classes able to take the load: the instance's own, or every member of a cluster. */
  readonly classes: readonly string[];
  /** A cluster with no instance: nothing to promote. */
  readonly headless: boolean;
  /** Aurora Serverless v2 maximum ACUs, when the cluster runs serverless instances. */
  readonly maxAcu?: number;
}

function serverlessMaxAcu(cluster: DbCluster | undefined): number | undefined {
  const scaling = cluster?.ServerlessV2ScalingConfiguration;
  if (typeof scaling !== 'object' || scaling === null) return undefined;
  const max = (scaling as { MaxCapacity?: unknown }).MaxCapacity;
  return typeof max === 'number' ? max : undefined;
}

function capacityOf(ctx: EvaluationContext, node: DatabaseNode, writerOnly: boolean): Capacity | undefined {
  if (node.instance) {
    return node.instance.DBInstanceClass ? { classes: [node.instance.DBInstanceClass], headless: false } : undefined;
  }
  const members = node.cluster?.DBClusterMembers ?? [];
  if (members.length === 0) return { classes: [], headless: true };
  const chosen = writerOnly ? members.filter((m) => m.IsClusterWriter) : members;
  const classes = chosen
    .map((m) => (m.DBInstanceIdentifier ? ctx.topology.instance(node.region, m.DBInstanceIdentifier) : undefined))
    .map((i) => i?.instance?.DBInstanceClass)
    .filter((c): c is string => typeof c === 'string');
  if (classes.length === 0) return undefined;
  return { classes, headless: false, maxAcu: serverlessMaxAcu(node.cluster) };
}

/** Why the target could not carry the primary's load, or undefined when it could (or cannot be told). */
function undersized(
  ctx: EvaluationContext,
  primaryNode: DatabaseNode | undefined,
  target: DrTarget,
): { reason: string; evidence: Record<string, string | number | null> } | undefined {
  const targetNode = target.replica?.node;
  if (!targetNode || !primaryNode) return undefined;
  const targetCapacity = capacityOf(ctx, targetNode, false);
  if (targetCapacity?.headless) {
    return {
      reason: `${target.id} (${target.region}) has no DB instance: there is nothing to promote`,
      evidence: { targetInstances: 0, targetClass: null, primaryClass: null },
    };
  }
  const primaryCapacity = capacityOf(ctx, primaryNode, true);
  if (!primaryCapacity || !targetCapacity || primaryCapacity.classes.length === 0) return undefined;
  const primaryClass = primaryCapacity.classes[0]!;
  if (primaryClass === 'db.serverless' || targetCapacity.classes.includes('db.serverless')) {
    if (primaryClass !== 'db.serverless' || !targetCapacity.classes.every((c) => c === 'db.serverless')) return undefined;
    const p = primaryCapacity.maxAcu;
    const t = targetCapacity.maxAcu;
    if (p === undefined || t === undefined || t >= p) return undefined;
    return {
      reason: `${target.id} (${target.region}) can scale to ${t} ACU, the primary to ${p} ACU`,
      evidence: { primaryClass, targetClass: 'db.serverless', primaryMaxAcu: p, targetMaxAcu: t },
    };
  }
  // A cluster can promote its biggest instance; an instance has only itself.
  const comparisons = targetCapacity.classes.map((c) => ({ cls: c, cmp: compareInstanceClasses(primaryClass, c) }));
  if (comparisons.some(({ cmp }) => cmp.verdict !== 'smaller')) return undefined;
  const best = comparisons[0]!;
  return {
    reason:
      targetCapacity.classes.length > 1
        ? `every instance of ${target.id} (${target.region}) is smaller than the primary's ${primaryClass} (largest: ${best.cmp.detail})`
        : `${target.id} (${target.region}) runs ${best.cls}, smaller than the primary's ${primaryClass}` +
          (parseClass(best.cls)?.family === parseClass(primaryClass)?.family ? '' : ` (${best.cmp.detail})`),
    evidence: { primaryClass, targetClass: targetCapacity.classes.join(','), comparison: best.cmp.detail },
  };
}

// ---------------------------------------------------------------------------------------------
// RPO

interface RpoCheck {
  readonly over: number;
  readonly evaluated: number;
  readonly peakSeconds: number;
  readonly latestSeconds: number | null;
  readonly metric: string;
  /** The exact series read, e.g. `AuroraGlobalDBRPOLag{DBClusterIdentifier=x,SourceRegion=y}`. */
  readonly series: string;
  readonly sustained: boolean;
  /** "since T" or "since at least T". */
  readonly since: string;
  /** Why the idle-source explanation was not applied, for PostgreSQL replicas. */
  readonly idleEvidence?: Readonly<Record<string, EvidenceValue>>;
}

/** Lag over the RPO in M of the last N datapoints, read exactly as the health engine reads lag. */
function rpoCheck(ctx: EvaluationContext, replica: Replica, rpoSeconds: number): RpoCheck | undefined {
  // The RPO series is read only on full reads; its verdict is carried in between.
  if (!readsDetail(ctx.reads ?? 'full')) return undefined;
  const lag = lagWindow(ctx, replica, 'rpo');
  if (!lag || lag.stale || lag.recent.length === 0) return undefined;
  const peak = Math.max(...lag.recent.map((s) => s.value));
  // PostgreSQL reports up to ~5 min of lag when its source writes nothing: no data is at risk then.
  const idle = idleExplanation(ctx, replica, lag);
  if (idle?.applied) return undefined;
  const over = lag.recent.filter((s) => s.value > rpoSeconds).length;
  return {
    over,
    evaluated: lag.recent.length,
    sustained: isSustained(over, lag.recent.length, ctx.config.lag.datapointsToAlarm),
    peakSeconds: peak,
    latestSeconds: lag.latestSeconds,
    metric: lag.metric.metricName,
    series: seriesName(lag.metric),
    since: sinceText(streakStart(lag.seconds, (v) => v > rpoSeconds), lag.seconds[0]?.timestamp),
    idleEvidence: idle?.evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Backups

/** `DBInstanceAutomatedBackupsReplications[].DBInstanceAutomatedBackupsArn`, from an untyped response field. */
function replicationArns(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((item: unknown) =>
      typeof item === 'object' && item !== null ? (item as { DBInstanceAutomatedBackupsArn?: unknown }).DBInstanceAutomatedBackupsArn : undefined,
    )
    .filter((arn): arn is string => typeof arn === 'string');
}

function backupReplicationRegions(
  ctx: EvaluationContext,
  primary: DatabaseNode,
): { regions: string[]; checked: string[] } {
  const raw = primary.instance!;
  const arn = raw.DBInstanceArn;
  const resourceId = raw.DbiResourceId;
  const regions = new Set<string>();
  const destination = (replicationArn: string | undefined) => {
    const region = replicationArn ? parseRdsRef(replicationArn).region : undefined;
    if (region && region !== primary.region) regions.add(region);
  };
  const refersToPrimary = (backup: AutomatedBackup) => {
    if (arn && backup.DBInstanceArn === arn) return true;
    if (resourceId && backup.DbiResourceId === resourceId && (!backup.Region || backup.Region === primary.region)) return true;
    if (backup.DBInstanceArn) {
      const ref = parseRdsRef(backup.DBInstanceArn);
      return ref.id === primary.id && ref.region === primary.region;
    }
    return false;
  };

  // DescribeDBInstances carries the replications too.
  for (const replicationArn of replicationArns(raw.DBInstanceAutomatedBackupsReplications)) destination(replicationArn);
  const checked: string[] = [];
  for (const [region, data] of Object.entries(ctx.snapshot.regions)) {
    if (data.automatedBackups === undefined) continue;
    checked.push(region);
    for (const backup of data.automatedBackups) {
      const sameDb =
        refersToPrimary(backup) ||
        (region === primary.region && !backup.DBInstanceArn && backup.DBInstanceIdentifier === primary.id);
      if (!sameDb) continue;
      if (region === primary.region) {
        for (const replicationArn of replicationArns(backup.DBInstanceAutomatedBackupsReplications)) destination(replicationArn);
      } else if (backup.Status !== 'retained') {
        // The destination region's copy; `retained` means replication was stopped.
        regions.add(region);
      }
    }
  }
  return { regions: [...regions].sort(), checked: checked.sort() };
}

// ---------------------------------------------------------------------------------------------

function describe(primary: ProtectedPrimary): string {
  if (primary.kind === 'aurora-global') {
    const writer = primary.global?.writer;
    return `global database ${primary.id} (writer ${writer ? `${writer.id} in ${writer.region}` : 'unknown'})`;
  }
  return `${primary.kind === 'rds-instance' ? 'DB instance' : 'Aurora cluster'} ${primary.id} (${primary.region})`;
}

interface PrimaryEvaluation {
  readonly findings: Finding[];
  /** Definite reasons the primary cannot fail over within its RPO, whatever its replicas. */
  readonly blockers: string[];
  /** What is wrong with individual cross-region copies; decisive only when no copy is capable. */
  readonly targetProblems: string[];
  /** What could not be known; any of these keeps the verdict from being `true`. */
  readonly unknowns: string[];
  /** Cross-region copies fit to fail over to. */
  readonly capable: DrTarget[];
}

function evaluateTargets(
  ctx: EvaluationContext,
  primary: ProtectedPrimary,
  targets: readonly DrTarget[],
  rpoSeconds: number,
  out: PrimaryEvaluation,
): void {
  const { config } = ctx;
  const label = describe(primary);
  for (const target of targets) {
    if (target.missingReason) continue;
    if (target.health?.status === 'broken') {
      out.targetProblems.push(`${target.id} (${target.region}): replication broken`);
      continue;
    }
    // Structural facts first: they hold whether or not the lag could be read.
    const problems: string[] = [];
    if (target.synchronizationStatus === 'pending-resync') {
      problems.push(`${target.id} (${target.region}): global member pending-resync`);
      out.findings.push(resyncFinding(ctx, { id: target.id, region: target.region }, primary.id, primary.region, label));
    }
    const small = undersized(ctx, primary.node, target);
    if (small) {
      problems.push(small.reason);
      out.findings.push(
        finding(config, {
          code: 'DR_REPLICA_UNDERSIZED',
          severity: 'warning',
          region: target.region,
          resource: target.id,
          message: `DR copy of ${label}: ${small.reason} (as of ${ctx.snapshot.capturedAt}); after a failover it could not carry the primary's load.`,
          evidence: { primary: primary.id, primaryRegion: primary.region, ...small.evidence },
          hint:
            small.evidence.targetInstances === 0
              ? "Add a DB instance (the writer's class) to the secondary cluster so it can be promoted without waiting for one to be created."
              : "Modify the replica to the primary's instance class or larger: size it for the primary's peak, not for its read traffic.",
        }),
      );
    }
    if (target.unknownReason) {
      if (problems.length > 0) out.targetProblems.push(...problems);
      else out.unknowns.push(target.unknownReason);
      continue;
    }

    const replica = target.replica!;
    const rpo = rpoCheck(ctx, replica, rpoSeconds);
    if (rpo?.sustained) {
      const lag = formatSeconds(rpo.latestSeconds ?? rpo.peakSeconds);
      problems.push(`${target.id} (${target.region}): lag ${lag} over the RPO of ${formatSeconds(rpoSeconds)}`);
      out.findings.push(
        finding(config, {
          code: 'RPO_EXCEEDED',
          severity: 'critical',
          region: target.region,
          resource: target.id,
          message:
            `${target.id} (${target.region}), the cross-region ${replica.kind} of ${label}, is ${lag} behind` +
            (rpo.latestSeconds === rpo.peakSeconds ? '' : ` (peak ${formatSeconds(rpo.peakSeconds)})`) +
            `, over the RPO of ${formatSeconds(rpoSeconds)} in ${rpo.over} of ` +
            `the last ${rpo.evaluated} datapoints, ${rpo.since}: a failover now would lose that much data.`,
          evidence: {
            ...rpo.idleEvidence,
            primary: primary.id,
            primaryRegion: primary.region,
            metric: rpo.metric,
            series: rpo.series,
            lagSeconds: rpo.latestSeconds,
            peakSeconds: rpo.peakSeconds,
            rpoSeconds,
            datapointsOver: rpo.over,
            evaluatedDatapoints: rpo.evaluated,
            since: rpo.since,
          },
          hint: "Find what slows cross-region apply: the primary's write burst, the replica's size and apply rate, or inter-region throughput. Raise the RPO only if the business agrees.",
        }),
      );
    }
    if (problems.length > 0) out.targetProblems.push(...problems);
    else out.capable.push(target);
  }
}

/** NO_CROSS_REGION_REPLICA, or an unknown when a replica could exist where this run did not look. */
function coverage(
  ctx: EvaluationContext,
  primary: ProtectedPrimary,
  targets: readonly DrTarget[],
  authoritative: boolean,
  omits: string | undefined,
  rpoSeconds: number,
  out: PrimaryEvaluation,
): void {
  const usable = targets.filter((t) => !t.missingReason && (t.unknownReason !== undefined || t.health?.status !== 'broken'));
  if (usable.length > 0) return;
  if (primary.missingGlobal) {
    out.unknowns.push(primary.missingGlobal);
    return;
  }
  const others = Object.keys(ctx.snapshot.regions).filter((r) => r !== primary.region);
  const blindElsewhere = others.map((r) => regionBlindReason(ctx, r)).filter((r): r is string => r !== undefined);
  if (!authoritative && (others.length === 0 || blindElsewhere.length > 0)) {
    // The primary does not list its replicas, so a region this run did not see could hold one.
    const unseen = omits ? `a cross-Region Aurora read replica there would not be seen (${omits})` : 'a replica there would not be seen';
    out.unknowns.push(
      ...(others.length === 0
        ? [
            `no region other than ${primary.region} was read and ${primary.id} ` +
              (omits ? `cannot list every replica (${omits})` : 'does not list its replicas'),
          ]
        : blindElsewhere.map((r) => `${r}: ${unseen}`)),
    );
    return;
  }

  const broken = targets.filter((t) => t.health?.status === 'broken');
  const missing = targets.filter((t) => t.missingReason);
  // A cluster's readers count whatever its writer is called.
  const sameRegion = primary.node ? ctx.topology.replicasOfDatabase(primary.node).filter((r) => !r.crossRegion).length : 0;
  const detail =
    broken.length > 0
      ? `its cross-region replica${broken.length > 1 ? 's' : ''} ${broken.map((t) => `${t.id} (${t.region})`).join(', ')} ${broken.length > 1 ? 'are' : 'is'} broken`
      : missing.length > 0
        ? missing.map((t) => t.missingReason).join('; ')
        : sameRegion > 0
          ? sameRegion === 1
            ? `its only replica is in ${primary.region} too`
            : `its ${sameRegion} replicas are all in ${primary.region}`
          : 'it has no replica in another region';
  // The per-target "broken" lines would say the same thing again.
  out.targetProblems.length = 0;
  out.blockers.push(`no usable replica in another region: ${detail}`);
  out.findings.push(
    finding(ctx.config, {
      code: 'NO_CROSS_REGION_REPLICA',
      severity: 'critical',
      region: primary.region,
      resource: primary.id,
      message:
        `${describe(primary)} is marked as needing DR but has no usable replica in another region: ${detail} ` +
        `(as of ${ctx.snapshot.capturedAt}). An outage of ${primary.region} would take the database with it.`,
      evidence: {
        primaryKind: primary.kind,
        crossRegionReplicas: targets.map((t) => `${t.id}@${t.region}`),
        brokenReplicas: broken.map((t) => `${t.id}@${t.region}`),
        sameRegionReplicas: sameRegion,
        // The scope of "no replica": a copy in a region this check does not read is not seen.
        regionsRead: Object.keys(ctx.snapshot.regions).sort(),
        rpoSeconds,
      },
      hint:
        primary.kind === 'rds-instance'
          ? 'Create a cross-region read replica (or repair the broken one); a same-region replica does not survive a regional outage.'
          : primary.kind === 'aurora-global'
            ? 'Add a secondary cluster in another region to the global database (or repair the broken one).'
            : 'Add the cluster to a global database with a secondary in another region, or create a cross-region replica cluster.',
    }),
  );
}

function backups(ctx: EvaluationContext, primary: ProtectedPrimary, out: PrimaryEvaluation): void {
  const instance = primary.node?.instance;
  // Aurora has no cross-region automated-backup replication: the rule is for RDS instances only.
  if (!ctx.config.dr.requireReplicatedBackups || primary.kind !== 'rds-instance' || !instance) return;
  const { regions, checked } = backupReplicationRegions(ctx, primary.node!);
  if (regions.length > 0) return;
  const retention = instance.BackupRetentionPeriod;
  const disabled = retention === 0;
  const failedRead = (ctx.snapshot.regions[primary.region]?.errors ?? []).some(
    (e) => e.operation === AUTOMATED_BACKUPS_OPERATION,
  );
  if (failedRead && !disabled) {
    out.unknowns.push(`automated backups of ${primary.id}: ${AUTOMATED_BACKUPS_OPERATION} failed in ${primary.region}`);
    return;
  }
  if (checked.length === 0 && !disabled) {
    // Data read without automated backups (e.g. an older snapshot) says nothing either way.
    out.unknowns.push(`automated backups of ${primary.id} were not read (${AUTOMATED_BACKUPS_OPERATION})`);
    return;
  }
  out.blockers.push(disabled ? 'automated backups are disabled' : 'automated backups are not replicated to another region');
  out.findings.push(
    finding(ctx.config, {
      code: 'BACKUPS_NOT_REPLICATED',
      severity: 'warning',
      region: primary.region,
      resource: primary.id,
      message:
        `${describe(primary)} is marked as needing DR and the config requires replicated backups, but ` +
        (disabled
          ? 'its automated backups are disabled (BackupRetentionPeriod 0)'
          : 'its automated backups are not replicated to any other region') +
        ` (as of ${ctx.snapshot.capturedAt}): a point-in-time restore is only possible in ${primary.region}.`,
      evidence: { backupRetentionPeriod: retention ?? null, automatedBackupsReadIn: checked, replicatedTo: [] },
      hint: disabled
        ? 'Enable automated backups (BackupRetentionPeriod > 0), then start cross-region backup replication.'
        : 'Start it: aws rds start-db-instance-automated-backups-replication --source-db-instance-arn <primary ARN> --region <DR region>.',
    }),
  );
}

/**
 * Findings for every protected primary and one readiness verdict each. `replicaHealth` is the
 * health engine's result, so a replica's status and lag mean the same here as in the report.
 */
export function evaluateRedundancy(
  ctx: EvaluationContext,
  replicaHealth: readonly ReplicaHealth[],
): RedundancyResult {
  const healthByKey = new Map(replicaHealth.map((h) => [key(h.replica.region, h.replica.id), h]));
  const findings: Finding[] = [];
  const dr: DrReadiness[] = [];

  const primaries = protectedPrimaries(ctx);
  for (const primary of primaries) {
    const rpoSeconds = rpoSecondsFor(ctx.config, primary.identities);
    const { targets, authoritative, omits } = drTargets(ctx, primary, healthByKey);
    const out: PrimaryEvaluation = { findings: [], blockers: [], targetProblems: [], unknowns: [], capable: [] };

    const primaryBlind = regionBlindReason(ctx, primary.region);
    if (primaryBlind) out.unknowns.push(`primary: ${primaryBlind}`);
    evaluateTargets(ctx, primary, targets, rpoSeconds, out);
    if (!primaryBlind) coverage(ctx, primary, targets, authoritative, omits, rpoSeconds, out);
    if (primary.kind === 'aurora-global' && !primary.global?.writer) {
      out.blockers.push(`global database ${primary.id} has no writer member`);
    }
    if (!primaryBlind) backups(ctx, primary, out);

    const live = targets.filter((t) => !t.missingReason && t.health?.status !== 'broken');
    const lags = live.map((t) => t.health?.lagSeconds).filter((l): l is number => typeof l === 'number');
    // A region that cannot be read keeps the verdict from `true` (never "ready" on a guess), even
    // when another copy is verified: the unread one may be the one the runbook fails over to.
    const ready: DrReadiness['ready'] =
      out.blockers.length > 0 ? false : out.unknowns.length > 0 ? 'unknown' : out.capable.length > 0;
    const reasons = ready === true ? [] : [...new Set([...out.blockers, ...out.targetProblems, ...out.unknowns])];
    if (ready === false && reasons.length === 0) reasons.push('no cross-region copy is fit to fail over to');

    findings.push(...out.findings);
    dr.push({
      primary: primary.id,
      region: primary.region,
      kind: primary.kind,
      regionsCovered: [...new Set(live.map((t) => t.region))].sort(),
      worstLagSeconds: lags.length ? Math.round(Math.max(...lags) * 1000) / 1000 : null,
      rpoSeconds,
      ready,
      reasons,
    });
  }

  findings.push(...unprotectedResyncs(ctx, new Set(primaries.filter((p) => p.global).map((p) => p.id))));
  return { findings: findings.map((f) => withReplicaContext(ctx, f)), dr };
}

/** A replica's findings name a down source or a running global switchover, as its health findings do. */
function withReplicaContext(ctx: EvaluationContext, f: Finding): Finding {
  if (f.code !== 'RPO_EXCEEDED' && f.code !== 'GLOBAL_SECONDARY_NOT_SYNCED') return f;
  const replica = ctx.topology.replicas.find((r) => r.region === f.region && r.id === f.resource);
  if (!replica) return f;
  return withGlobalState(ctx.topology, replica.globalClusterId, withSourceState(replica, f));
}

/**
 * A resyncing global secondary matters whether or not the database is marked for DR: readers
 * in that region see stale data and a switchover to it is blocked.
 */
function unprotectedResyncs(ctx: EvaluationContext, protectedGlobals: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const global of ctx.topology.globalClusters) {
    if (protectedGlobals.has(global.id)) continue;
    for (const secondary of global.secondaries) {
      if (secondary.synchronizationStatus !== 'pending-resync') continue;
      const writer = global.writer ? ` (writer ${global.writer.id} in ${global.writer.region})` : '';
      findings.push(resyncFinding(ctx, secondary, global.id, global.writer?.region ?? null, `global database ${global.id}${writer}`));
    }
  }
  return findings;
}

function resyncFinding(
  ctx: EvaluationContext,
  secondary: { readonly id: string; readonly region: string },
  globalClusterId: string,
  writerRegion: string | null,
  label: string,
): Finding {
  return finding(ctx.config, {
    code: 'GLOBAL_SECONDARY_NOT_SYNCED',
    severity: 'warning',
    region: secondary.region,
    resource: secondary.id,
    message:
      `Secondary cluster ${secondary.id} (${secondary.region}) of ${label} has SynchronizationStatus ` +
      `pending-resync as of ${ctx.snapshot.capturedAt}: it is not in sync with the writer and is not a ` +
      `safe failover target until it reports connected.`,
    evidence: { globalCluster: globalClusterId, synchronizationStatus: 'pending-resync', writerRegion },
    hint: "Usually follows a switchover or failover and clears on its own; if it lasts, read the global cluster's events and the secondary's status before relying on it.",
  });
}
