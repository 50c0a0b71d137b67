/**
 * The replication graph: every edge from a source to a replica, across regions.
 * Built from a fleet snapshot alone, so it is the same for live reads and snapshot files.
 */
import { parseRdsRef } from './arn';
import type { DbCluster, DbInstance, FleetSnapshot, GlobalCluster } from './model';
import { tagsToRecord } from './model';

export type ReplicaKind =
  /** RDS read replica (MySQL, MariaDB, PostgreSQL, Oracle, SQL Server), same or other region. */
  | 'rds-read-replica'
  /** Reader instance of an Aurora cluster. */
  | 'aurora-reader'
  /** Reader instance of an RDS Multi-AZ DB cluster (MySQL or PostgreSQL, not Aurora). */
  | 'multi-az-cluster-reader'
  /** Aurora cluster replicating from another cluster or instance (`ReplicationSourceIdentifier`). */
  | 'aurora-replica-cluster'
  /**
   * RDS Multi-AZ DB cluster (MySQL or PostgreSQL, not Aurora) created as a read replica of a DB
   * instance (`ReplicationSourceIdentifier`): its writer replicates from the source.
   */
  | 'multi-az-cluster-replica'
  /** Secondary cluster of an Aurora Global Database. */
  | 'aurora-global-secondary';

export interface DatabaseNode {
  readonly id: string;
  readonly region: string;
  readonly type: 'instance' | 'cluster';
  readonly engine: string;
  readonly engineVersion?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly instance?: DbInstance;
  readonly cluster?: DbCluster;
}

export interface Replica {
  readonly id: string;
  readonly region: string;
  readonly kind: ReplicaKind;
  readonly engine: string;
  readonly sourceId: string;
  readonly sourceRegion: string;
  /** Whether `sourceId` names a DB instance or a DB cluster: the two share no namespace guarantee. */
  readonly sourceType: 'instance' | 'cluster';
  readonly crossRegion: boolean;
  readonly tags: Readonly<Record<string, string>>;
  /** The replica's own description, when its region was read. */
  readonly node?: DatabaseNode;
  /** The source's description, when its region was read. */
  readonly source?: DatabaseNode;
  readonly globalClusterId?: string;
}

export interface GlobalClusterNode {
  readonly id: string;
  readonly engine: string;
  readonly writer?: { readonly id: string; readonly region: string };
  readonly secondaries: readonly { readonly id: string; readonly region: string; readonly synchronizationStatus?: string }[];
  readonly raw: GlobalCluster;
}

export interface Topology {
  readonly regions: readonly string[];
  readonly instances: readonly DatabaseNode[];
  readonly clusters: readonly DatabaseNode[];
  readonly globalClusters: readonly GlobalClusterNode[];
  readonly replicas: readonly Replica[];
  instance(region: string, id: string): DatabaseNode | undefined;
  cluster(region: string, id: string): DatabaseNode | undefined;
  /**
   * Replicas whose source is the given database. An instance and a cluster may share an
   * identifier (a writer is often named after its cluster): pass `type` to tell them apart.
   */
  replicasOf(region: string, id: string, type?: 'instance' | 'cluster'): readonly Replica[];
  /**
   * Everything that replicates from a database: for a cluster, its readers and the replicas of
   * the cluster and of its writer instance, whatever the writer is called.
   */
  replicasOfDatabase(node: DatabaseNode): readonly Replica[];
}

/**
 * The RDS describe APIs also return Amazon DocumentDB and Amazon Neptune clusters and instances.
 * They replicate by their own means and publish none of the lag metrics read here.
 */
const NON_RDS_ENGINES = new Set(['docdb', 'neptune']);

/** True for the engines this product watches (everything RDS returns except DocumentDB and Neptune). */
export function isRdsReplicationEngine(engine: string | undefined): boolean {
  return !NON_RDS_ENGINES.has((engine ?? '').toLowerCase());
}

function isAuroraEngine(engine: string): boolean {
  return engine.toLowerCase().startsWith('aurora');
}

const key = (region: string, id: string) => `${region}\u0000${id}`;
const typedKey = (region: string, type: 'instance' | 'cluster', id: string) => `${region}\u0000${type}\u0000${id}`;

function instanceNode(region: string, db: DbInstance): DatabaseNode | undefined {
  if (!db.DBInstanceIdentifier) return undefined;
  return {
    id: db.DBInstanceIdentifier,
    region,
    type: 'instance',
    engine: db.Engine ?? 'unknown',
    engineVersion: db.EngineVersion,
    tags: tagsToRecord(db.TagList),
    instance: db,
  };
}

function clusterNode(region: string, cluster: DbCluster): DatabaseNode | undefined {
  if (!cluster.DBClusterIdentifier) return undefined;
  return {
    id: cluster.DBClusterIdentifier,
    region,
    type: 'cluster',
    engine: cluster.Engine ?? 'unknown',
    engineVersion: cluster.EngineVersion,
    tags: tagsToRecord(cluster.TagList),
    cluster,
  };
}

export function buildTopology(snapshot: FleetSnapshot): Topology {
  const regions = Object.keys(snapshot.regions).sort();
  const instances = new Map<string, DatabaseNode>();
  const clusters = new Map<string, DatabaseNode>();
  const globals = new Map<string, GlobalCluster>();

  for (const region of regions) {
    const data = snapshot.regions[region]!;
    for (const db of data.dbInstances ?? []) {
      if (!isRdsReplicationEngine(db.Engine)) continue;
      const node = instanceNode(region, db);
      if (node) instances.set(key(region, node.id), node);
    }
    for (const cluster of data.dbClusters ?? []) {
      if (!isRdsReplicationEngine(cluster.Engine)) continue;
      const node = clusterNode(region, cluster);
      if (node) clusters.set(key(region, node.id), node);
    }
    // DescribeGlobalClusters answers the same global clusters in every region: keep one of each.
    for (const global of data.globalClusters ?? []) {
      if (!isRdsReplicationEngine(global.Engine)) continue;
      if (global.GlobalClusterIdentifier && !globals.has(global.GlobalClusterIdentifier)) {
        globals.set(global.GlobalClusterIdentifier, global);
      }
    }
  }

  const replicas = new Map<string, Replica>();
  const addReplica = (replica: Replica) => {
    if (!replicas.has(key(replica.region, replica.id))) replicas.set(key(replica.region, replica.id), replica);
  };

  const globalClusters: GlobalClusterNode[] = [];
  const globalSecondaryKeys = new Set<string>();
  for (const global of globals.values()) {
    const id = global.GlobalClusterIdentifier!;
    let writer: GlobalClusterNode['writer'];
    const secondaries: { id: string; region: string; synchronizationStatus?: string }[] = [];
    for (const member of global.GlobalClusterMembers ?? []) {
      if (!member.DBClusterArn) continue;
      const ref = parseRdsRef(member.DBClusterArn);
      if (!ref.region) continue;
      if (member.IsWriter) writer = { id: ref.id, region: ref.region };
      else secondaries.push({ id: ref.id, region: ref.region, synchronizationStatus: member.SynchronizationStatus });
    }
    globalClusters.push({ id, engine: global.Engine ?? 'unknown', writer, secondaries, raw: global });
    for (const secondary of secondaries) {
      globalSecondaryKeys.add(key(secondary.region, secondary.id));
      const node = clusters.get(key(secondary.region, secondary.id));
      addReplica({
        id: secondary.id,
        region: secondary.region,
        kind: 'aurora-global-secondary',
        engine: node?.engine ?? global.Engine ?? 'unknown',
        sourceId: writer?.id ?? id,
        sourceRegion: writer?.region ?? secondary.region,
        sourceType: 'cluster',
        crossRegion: writer !== undefined && writer.region !== secondary.region,
        tags: node?.tags ?? tagsToRecord(global.TagList),
        node,
        source: writer ? clusters.get(key(writer.region, writer.id)) : undefined,
        globalClusterId: id,
      });
    }
  }

  for (const cluster of clusters.values()) {
    const raw = cluster.cluster!;
    if (raw.ReplicationSourceIdentifier && !globalSecondaryKeys.has(key(cluster.region, cluster.id))) {
      const ref = parseRdsRef(raw.ReplicationSourceIdentifier);
      const sourceRegion = ref.region ?? cluster.region;
      // A plain identifier (same region) may name an instance or a cluster: an instance first for
      // a Multi-AZ DB cluster (its source is always a DB instance), a cluster first for Aurora.
      const sourceInstance = ref.type === 'cluster' ? undefined : instances.get(key(sourceRegion, ref.id));
      const sourceCluster = ref.type === 'db' ? undefined : clusters.get(key(sourceRegion, ref.id));
      const aurora = isAuroraEngine(cluster.engine);
      const source = aurora ? (sourceCluster ?? sourceInstance) : (sourceInstance ?? sourceCluster);
      addReplica({
        id: cluster.id,
        region: cluster.region,
        kind: aurora ? 'aurora-replica-cluster' : 'multi-az-cluster-replica',
        engine: cluster.engine,
        sourceId: ref.id,
        sourceRegion,
        sourceType: source?.type ?? (ref.type === 'db' ? 'instance' : ref.type === 'cluster' || aurora ? 'cluster' : 'instance'),
        crossRegion: sourceRegion !== cluster.region,
        tags: cluster.tags,
        node: cluster,
        source,
      });
    }
    const members = raw.DBClusterMembers ?? [];
    const writerId = members.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    const aurora = isAuroraEngine(cluster.engine);
    for (const member of members) {
      // The writer is never its own reader, even when a response lists its identifier twice.
      if (member.IsClusterWriter || !member.DBInstanceIdentifier || member.DBInstanceIdentifier === writerId) continue;
      const node = instances.get(key(cluster.region, member.DBInstanceIdentifier));
      addReplica({
        id: member.DBInstanceIdentifier,
        region: cluster.region,
        kind: aurora ? 'aurora-reader' : 'multi-az-cluster-reader',
        engine: node?.engine ?? cluster.engine,
        // A reader follows its cluster's writer; a secondary or replica cluster has none of its own.
        sourceId: writerId ?? cluster.id,
        sourceRegion: cluster.region,
        sourceType: writerId ? 'instance' : 'cluster',
        crossRegion: false,
        // Teams tag the cluster; instance tags refine it.
        tags: { ...cluster.tags, ...node?.tags },
        node,
        source: writerId ? instances.get(key(cluster.region, writerId)) : cluster,
      });
    }
  }

  for (const instance of instances.values()) {
    const raw = instance.instance!;
    const sourceRef = raw.ReadReplicaSourceDBInstanceIdentifier ?? raw.ReadReplicaSourceDBClusterIdentifier;
    if (!sourceRef || raw.DBClusterIdentifier) continue;
    const ref = parseRdsRef(sourceRef);
    const sourceRegion = ref.region ?? instance.region;
    addReplica({
      id: instance.id,
      region: instance.region,
      kind: 'rds-read-replica',
      engine: instance.engine,
      sourceId: ref.id,
      sourceRegion,
      sourceType: raw.ReadReplicaSourceDBInstanceIdentifier ? 'instance' : 'cluster',
      crossRegion: sourceRegion !== instance.region,
      tags: instance.tags,
      node: instance,
      source: raw.ReadReplicaSourceDBInstanceIdentifier
        ? instances.get(key(sourceRegion, ref.id))
        : clusters.get(key(sourceRegion, ref.id)),
    });
  }

  // Replicas a source lists in a region this run could not describe: known to exist, state unknown.
  const undescribed = (region: string, operation: string) => {
    const data = snapshot.regions[region];
    return !data || (data.errors ?? []).some((e) => e.operation === operation);
  };
  const addListedReplicas = (source: DatabaseNode, refs: readonly string[] | undefined) => {
    for (const ref of refs ?? []) {
      const parsed = parseRdsRef(ref);
      const region = parsed.region ?? source.region;
      const isCluster = parsed.type === 'cluster';
      if (replicas.has(key(region, parsed.id))) continue;
      if (!undescribed(region, isCluster ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances')) continue;
      addReplica({
        id: parsed.id,
        region,
        kind: isCluster ? 'aurora-replica-cluster' : 'rds-read-replica',
        engine: source.engine,
        sourceId: source.id,
        sourceRegion: source.region,
        sourceType: source.type,
        crossRegion: region !== source.region,
        tags: {},
        source,
      });
    }
  };
  for (const instance of instances.values()) {
    addListedReplicas(instance, instance.instance!.ReadReplicaDBInstanceIdentifiers);
    addListedReplicas(instance, instance.instance!.ReadReplicaDBClusterIdentifiers);
  }
  for (const cluster of clusters.values()) addListedReplicas(cluster, cluster.cluster!.ReadReplicaIdentifiers);

  const replicaList = [...replicas.values()].sort(
    (a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id),
  );
  const bySource = new Map<string, Replica[]>();
  for (const replica of replicaList) {
    const k = typedKey(replica.sourceRegion, replica.sourceType, replica.sourceId);
    bySource.set(k, [...(bySource.get(k) ?? []), replica]);
  }
  const replicasOf = (region: string, id: string, type?: 'instance' | 'cluster'): Replica[] =>
    type
      ? (bySource.get(typedKey(region, type, id)) ?? [])
      : [...(bySource.get(typedKey(region, 'instance', id)) ?? []), ...(bySource.get(typedKey(region, 'cluster', id)) ?? [])];
  const replicasOfDatabase = (node: DatabaseNode): Replica[] => {
    const found = new Map<string, Replica>();
    const take = (list: readonly Replica[]) => list.forEach((r) => found.set(key(r.region, r.id), r));
    take(replicasOf(node.region, node.id, node.type));
    const writerId = node.cluster?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
    if (writerId) take(replicasOf(node.region, writerId, 'instance'));
    return [...found.values()].sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
  };

  return {
    regions,
    instances: [...instances.values()],
    clusters: [...clusters.values()],
    globalClusters,
    replicas: replicaList,
    instance: (region, id) => instances.get(key(region, id)),
    cluster: (region, id) => clusters.get(key(region, id)),
    replicasOf,
    replicasOfDatabase,
  };
}

/** Engine families the rules branch on. */
export type EngineFamily = 'mysql' | 'postgres' | 'aurora-mysql' | 'aurora-postgresql' | 'oracle' | 'sqlserver' | 'other';

export function engineFamily(engine: string): EngineFamily {
  const e = engine.toLowerCase();
  if (e === 'aurora' || e === 'aurora-mysql') return 'aurora-mysql';
  if (e === 'aurora-postgresql') return 'aurora-postgresql';
  if (e === 'mysql' || e === 'mariadb') return 'mysql';
  if (e === 'postgres') return 'postgres';
  if (e.startsWith('oracle')) return 'oracle';
  if (e.startsWith('sqlserver')) return 'sqlserver';
  return 'other';
}
