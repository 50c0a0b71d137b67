/**
 * Synthetic fleets for the benchmarks, in the SDK's own response shapes (Date objects included,
 * so the reader's conversion cost is measured too).
 */
import type { DBCluster, DBInstance, GlobalCluster, Parameter } from '@aws-sdk/client-rds';

export const ACCOUNT = '123456789012';
export const BENCH_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] as const;

export interface RegionFleet {
  readonly instances: DBInstance[];
  readonly clusters: DBCluster[];
  readonly globalClusters: GlobalCluster[];
  readonly dbParameters: Record<string, Parameter[]>;
  readonly clusterParameters: Record<string, Parameter[]>;
}

export type Fleet = Record<string, RegionFleet>;

const CREATED = new Date('2024-03-01T12:00:00Z');
const shortName = (region: string) => region.replace(/-(\w)\w*-(\d)$/, '$1$2').replace(/-/g, '');
const dbArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;
const clusterArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${id}`;

function instance(region: string, id: string, engine: string, extra: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceArn: dbArn(region, id),
    DBInstanceClass: 'db.r6g.xlarge',
    Engine: engine,
    EngineVersion: engine.includes('postgres') ? '16.4' : '8.0.39',
    DBInstanceStatus: 'available',
    AllocatedStorage: 500,
    StorageType: 'gp3',
    Iops: 12000,
    BackupRetentionPeriod: 7,
    MultiAZ: false,
    AvailabilityZone: `${region}a`,
    DbiResourceId: `db-${id.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    InstanceCreateTime: CREATED,
    Endpoint: { Address: `${id}.abc123.${region}.rds.amazonaws.com`, Port: engine.includes('postgres') ? 5432 : 3306 },
    DBParameterGroups: [{ DBParameterGroupName: `default.${engine}`, ParameterApplyStatus: 'in-sync' }],
    TagList: [
      { Key: 'team', Value: 'payments' },
      { Key: 'env', Value: 'prod' },
    ],
    ...extra,
  };
}

const replicationStatus = [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }];

/**
 * 250 replicas in each of the four regions, 1,000 in all: RDS MySQL and PostgreSQL read replicas
 * in the same region and across regions (ARN sources), Aurora readers, and Aurora global
 * secondaries with their readers.
 */
export function generateReplicationFleet(): Fleet {
  const fleet: Fleet = {};
  const globalClusters: GlobalCluster[] = [];
  for (const region of BENCH_REGIONS) {
    fleet[region] = { instances: [], clusters: [], globalClusters, dbParameters: {}, clusterParameters: {} };
  }

  BENCH_REGIONS.forEach((region, r) => {
    const here = fleet[region]!;
    const prev = BENCH_REGIONS[(r + BENCH_REGIONS.length - 1) % BENCH_REGIONS.length]!;
    const next = BENCH_REGIONS[(r + 1) % BENCH_REGIONS.length]!;
    const c = shortName(region);
    const p = shortName(prev);

    // 20 MySQL sources with 3 replicas each, 20 PostgreSQL sources with 2 each.
    for (let k = 0; k < 20; k++) {
      const mysqlId = `${c}-mysql-${k}`;
      const replicas = [0, 1, 2].map((j) => `${mysqlId}-ro${j}`);
      here.instances.push(instance(region, mysqlId, 'mysql', { ReadReplicaDBInstanceIdentifiers: replicas }));
      for (const id of replicas) {
        here.instances.push(instance(region, id, 'mysql', { ReadReplicaSourceDBInstanceIdentifier: mysqlId, StatusInfos: replicationStatus }));
      }
      const pgId = `${c}-pg-${k}`;
      const pgReplicas = [0, 1].map((j) => `${pgId}-ro${j}`);
      here.instances.push(instance(region, pgId, 'postgres', { ReadReplicaDBInstanceIdentifiers: pgReplicas }));
      for (const id of pgReplicas) {
        here.instances.push(instance(region, id, 'postgres', { ReadReplicaSourceDBInstanceIdentifier: pgId, StatusInfos: replicationStatus }));
      }
    }
    // Cross-region replicas of the previous region's sources: 20 PostgreSQL, 10 MySQL.
    for (let k = 0; k < 20; k++) {
      here.instances.push(
        instance(region, `${c}-pgx-${k}`, 'postgres', {
          ReadReplicaSourceDBInstanceIdentifier: dbArn(prev, `${p}-pg-${k}`),
          StatusInfos: replicationStatus,
        }),
      );
    }
    for (let k = 0; k < 10; k++) {
      here.instances.push(
        instance(region, `${c}-myx-${k}`, 'mysql', {
          ReadReplicaSourceDBInstanceIdentifier: dbArn(prev, `${p}-mysql-${k}`),
          StatusInfos: replicationStatus,
        }),
      );
    }
    // 38 Aurora clusters, a writer and 3 readers each.
    for (let k = 0; k < 38; k++) {
      const engine = k % 2 ? 'aurora-postgresql' : 'aurora-mysql';
      const id = `${c}-aur-${k}`;
      const members = ['w', 'r1', 'r2', 'r3'].map((m) => ({ DBInstanceIdentifier: `${id}-${m}`, IsClusterWriter: m === 'w', PromotionTier: 1 }));
      here.clusters.push({
        DBClusterIdentifier: id,
        DBClusterArn: clusterArn(region, id),
        Engine: engine,
        EngineVersion: engine === 'aurora-mysql' ? '8.0.mysql_aurora.3.08.0' : '16.4',
        Status: 'available',
        DBClusterParameterGroup: `default.${engine}`,
        DBClusterMembers: members,
        BackupRetentionPeriod: 7,
        ClusterCreateTime: CREATED,
      });
      for (const m of members) here.instances.push(instance(region, m.DBInstanceIdentifier, engine, { DBClusterIdentifier: id }));
    }
    // 2 global databases with the writer here and a secondary (2 readers) in the next region.
    for (let k = 0; k < 2; k++) {
      const globalId = `${c}-glob-${k}`;
      const primary = `${c}-glob-${k}`;
      const secondary = `${c}-glob-${k}-sec`;
      here.clusters.push({
        DBClusterIdentifier: primary,
        DBClusterArn: clusterArn(region, primary),
        Engine: 'aurora-postgresql',
        Status: 'available',
        GlobalClusterIdentifier: globalId,
        DBClusterMembers: [{ DBInstanceIdentifier: `${primary}-w`, IsClusterWriter: true }],
        BackupRetentionPeriod: 7,
      });
      here.instances.push(instance(region, `${primary}-w`, 'aurora-postgresql', { DBClusterIdentifier: primary }));
      const there = fleet[next]!;
      const readers = [`${secondary}-r1`, `${secondary}-r2`];
      there.clusters.push({
        DBClusterIdentifier: secondary,
        DBClusterArn: clusterArn(next, secondary),
        Engine: 'aurora-postgresql',
        Status: 'available',
        GlobalClusterIdentifier: globalId,
        DBClusterMembers: readers.map((id) => ({ DBInstanceIdentifier: id, IsClusterWriter: false })),
        BackupRetentionPeriod: 1,
      });
      for (const id of readers) there.instances.push(instance(next, id, 'aurora-postgresql', { DBClusterIdentifier: secondary }));
      globalClusters.push({
        GlobalClusterIdentifier: globalId,
        GlobalClusterArn: `arn:aws:rds::${ACCOUNT}:global-cluster:${globalId}`,
        Engine: 'aurora-postgresql',
        Status: 'available',
        GlobalClusterMembers: [
          { DBClusterArn: clusterArn(region, primary), IsWriter: true, Readers: [clusterArn(next, secondary)] },
          { DBClusterArn: clusterArn(next, secondary), IsWriter: false, SynchronizationStatus: 'connected' },
        ],
      });
    }
  });
  return fleet;
}

function parameters(group: string, count: number): Parameter[] {
  return Array.from({ length: count }, (_, i) => ({
    ParameterName: `${group.startsWith('pg') || group.includes('postgres') ? 'pg' : 'my'}_param_${i}`,
    ParameterValue: String(i),
    Source: i % 5 ? 'engine-default' : 'user',
    ApplyType: i % 3 ? 'dynamic' : 'static',
    DataType: 'integer',
    IsModifiable: true,
    ApplyMethod: 'pending-reboot',
  }));
}

export const PARAMETERS_PER_GROUP = 250;

/**
 * 500 databases in one region sharing 20 parameter groups: 420 RDS instances on 10 DB parameter
 * groups, 80 Aurora clusters on 5 cluster parameter groups whose writers use 5 more DB groups.
 */
export function generateSharedParameterFleet(region: string): Fleet {
  const dbGroups = Array.from({ length: 10 }, (_, i) => (i % 2 ? `pg16-shared-${i}` : `mysql80-shared-${i}`));
  const auroraInstanceGroups = Array.from({ length: 5 }, (_, i) => `aurora-instance-${i}`);
  const clusterGroups = Array.from({ length: 5 }, (_, i) => `aurora-cluster-${i}`);
  const instances: DBInstance[] = [];
  const clusters: DBCluster[] = [];
  for (let k = 0; k < 420; k++) {
    const group = dbGroups[k % dbGroups.length]!;
    instances.push(
      instance(region, `shared-db-${k}`, group.startsWith('pg') ? 'postgres' : 'mysql', {
        DBParameterGroups: [{ DBParameterGroupName: group, ParameterApplyStatus: 'in-sync' }],
      }),
    );
  }
  for (let k = 0; k < 80; k++) {
    const id = `shared-aur-${k}`;
    clusters.push({
      DBClusterIdentifier: id,
      DBClusterArn: clusterArn(region, id),
      Engine: 'aurora-mysql',
      Status: 'available',
      DBClusterParameterGroup: clusterGroups[k % clusterGroups.length]!,
      DBClusterMembers: [{ DBInstanceIdentifier: `${id}-w`, IsClusterWriter: true }],
    });
    instances.push(
      instance(region, `${id}-w`, 'aurora-mysql', {
        DBClusterIdentifier: id,
        DBParameterGroups: [{ DBParameterGroupName: auroraInstanceGroups[k % auroraInstanceGroups.length]!, ParameterApplyStatus: 'in-sync' }],
      }),
    );
  }
  return {
    [region]: {
      instances,
      clusters,
      globalClusters: [],
      dbParameters: Object.fromEntries([...dbGroups, ...auroraInstanceGroups].map((g) => [g, parameters(g, PARAMETERS_PER_GROUP)])),
      clusterParameters: Object.fromEntries(clusterGroups.map((g) => [g, parameters(g, PARAMETERS_PER_GROUP)])),
    },
  };
}
