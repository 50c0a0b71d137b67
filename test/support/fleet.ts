/** Small builders for fleet snapshots in tests: only the fields a rule reads. */
import type { DbCluster, DbInstance, FleetSnapshot, GlobalCluster, MetricSeries, RegionSnapshot } from '../../lambdas/core/fleet/model';

/** The instant every fixture is captured at, as an ISO string; NOW_DATE and NOW_MS are the same instant. */
export const NOW = '2026-11-24T10:00:00Z';
export const NOW_DATE = new Date(NOW);
export const NOW_MS = NOW_DATE.getTime();
export const ACCOUNT = '123456789012';

export const instanceArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:db:${id}`;
export const clusterArn = (region: string, id: string) => `arn:aws:rds:${region}:${ACCOUNT}:cluster:${id}`;

export function instance(id: string, fields: Partial<DbInstance> = {}): DbInstance {
  return {
    DBInstanceIdentifier: id,
    DBInstanceClass: 'db.r6g.large',
    Engine: 'mysql',
    EngineVersion: '8.0.39',
    DBInstanceStatus: 'available',
    AllocatedStorage: 100,
    BackupRetentionPeriod: 7,
    ...fields,
  };
}

export function replica(id: string, source: string, fields: Partial<DbInstance> = {}): DbInstance {
  return instance(id, {
    ReadReplicaSourceDBInstanceIdentifier: source,
    StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }],
    ...fields,
  });
}

export function cluster(id: string, members: Record<string, boolean>, fields: Partial<DbCluster> = {}): DbCluster {
  return {
    DBClusterIdentifier: id,
    Engine: 'aurora-mysql',
    EngineVersion: '8.0.mysql_aurora.3.07.1',
    Status: 'available',
    DBClusterMembers: Object.entries(members).map(([name, writer]) => ({ DBInstanceIdentifier: name, IsClusterWriter: writer })),
    ...fields,
  };
}

export function globalCluster(id: string, writerArn: string, secondaries: readonly string[], fields: Partial<GlobalCluster> = {}): GlobalCluster {
  return {
    GlobalClusterIdentifier: id,
    Engine: 'aurora-postgresql',
    GlobalClusterMembers: [
      { DBClusterArn: writerArn, IsWriter: true, Readers: [...secondaries] },
      ...secondaries.map((arn) => ({ DBClusterArn: arn, IsWriter: false, SynchronizationStatus: 'connected' })),
    ],
    ...fields,
  };
}

/** One-minute datapoints ending at NOW, oldest first. */
export function series(metricName: string, dimensions: Record<string, string>, values: readonly number[]): MetricSeries {
  const end = Date.parse(NOW);
  return {
    namespace: 'AWS/RDS',
    metricName,
    dimensions,
    stat: 'Maximum',
    period: 60,
    timestamps: values.map((_, i) => new Date(end - (values.length - 1 - i) * 60_000).toISOString()),
    values: [...values],
  };
}

export const lag = (id: string, values: readonly number[]) => series('ReplicaLag', { DBInstanceIdentifier: id }, values);

export function fleet(regions: Record<string, RegionSnapshot>, capturedAt = NOW): FleetSnapshot {
  return { format: 'replguard-snapshot/v1', capturedAt, regions };
}
