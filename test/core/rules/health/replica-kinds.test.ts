/**
 * How each kind of replica is found and which CloudWatch series its lag is read from, checked
 * end to end (topology → metric plan → health and DR) and on recorded AWS responses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate, type Report } from '../../../../lambdas/core/rules/evaluate';
import { lagMetricsFor, MetricIndex, planFollowUps, planMetricQueries, seriesName } from '../../../../lambdas/core/fleet/metric-plan';
import type { DbCluster, DbInstance, FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import { buildTopology } from '../../../../lambdas/core/fleet/topology';
import { cluster, clusterArn, fleet, instance, instanceArn, lag, series } from '../../../support/fleet';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'aws', 'rds-topology');
const recorded = <T>(file: string): T => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;

const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health' });
const codes = (report: Report) => report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`);
const replicaRow = (report: Report, id: string) => report.replicas.find((r) => r.id === id);

/** RDS for MySQL `orders` and a Multi-AZ DB cluster read replica of it, `orders-maz`, in `replicaRegion`. */
function multiAzReplicaFleet(
  options: { replicaRegion?: string; writerLag?: readonly number[]; readerLag?: readonly number[]; postgres?: boolean } = {},
): FleetSnapshot {
  const replicaRegion = options.replicaRegion ?? 'us-east-1';
  const sameRegion = replicaRegion === 'us-east-1';
  const engine = options.postgres ? { Engine: 'postgres', EngineVersion: '16.4' } : { Engine: 'mysql', EngineVersion: '8.0.39' };
  const members: DbInstance[] = ['orders-maz-w', 'orders-maz-r1', 'orders-maz-r2'].map((id) =>
    instance(id, { DBClusterIdentifier: 'orders-maz', DBInstanceClass: 'db.m6gd.large', ...engine }),
  );
  const replicaCluster = cluster('orders-maz', { 'orders-maz-w': true, 'orders-maz-r1': false, 'orders-maz-r2': false }, {
    ...engine,
    DBClusterInstanceClass: 'db.m6gd.large',
    ReplicationSourceIdentifier: instanceArn('us-east-1', 'orders'),
  });
  const metrics = [
    lag('orders-maz-w', options.writerLag ?? [1, 2, 1, 2, 1]),
    lag('orders-maz-r1', options.readerLag ?? [0, 0, 0, 0, 0]),
    lag('orders-maz-r2', options.readerLag ?? [0, 0, 0, 0, 0]),
  ];
  const primary = instance('orders', {
    ...engine,
    DBInstanceArn: instanceArn('us-east-1', 'orders'),
    DBInstanceClass: 'db.m6gd.large',
    TagList: DR_TAG,
    ReadReplicaDBInstanceIdentifiers: [],
    ReadReplicaDBClusterIdentifiers: [sameRegion ? 'orders-maz' : clusterArn(replicaRegion, 'orders-maz')],
  });
  if (sameRegion) {
    return fleet({ 'us-east-1': { dbInstances: [primary, ...members], dbClusters: [replicaCluster], metrics } });
  }
  return fleet({
    'us-east-1': { dbInstances: [primary] },
    [replicaRegion]: { dbInstances: members, dbClusters: [replicaCluster], metrics },
  });
}

describe('Multi-AZ DB cluster read replica', () => {
  it('is its own kind, replicating from the source instance, with its readers following its writer', () => {
    const topology = buildTopology(multiAzReplicaFleet());

    expect(topology.replicas.map((r) => `${r.kind} ${r.id} <- ${r.sourceType} ${r.sourceId}`)).toEqual([
      'multi-az-cluster-replica orders-maz <- instance orders',
      'multi-az-cluster-reader orders-maz-r1 <- instance orders-maz-w',
      'multi-az-cluster-reader orders-maz-r2 <- instance orders-maz-w',
    ]);
    expect(topology.replicas[0]!.source?.id).toBe('orders');
  });

  it('reads its lag from the ReplicaLag of its writer instance, never AuroraBinlogReplicaLag', () => {
    const topology = buildTopology(multiAzReplicaFleet());
    const replicaCluster = topology.replicas.find((r) => r.id === 'orders-maz')!;

    expect(lagMetricsFor(replicaCluster).map(seriesName)).toEqual(['ReplicaLag{DBInstanceIdentifier=orders-maz-w}']);
    expect(planMetricQueries(topology).filter((q) => q.metricName === 'AuroraBinlogReplicaLag')).toEqual([]);
  });

  it('reports its real lag instead of a LAG_METRIC_MISSING that never clears', () => {
    const report = check(multiAzReplicaFleet({ writerLag: [400, 420, 450, 480, 500] }));

    const finding = report.findings.find((f) => f.resource === 'orders-maz')!;
    expect(codes(report)).not.toContain('LAG_METRIC_MISSING:warning:orders-maz');
    expect(finding.code).toBe('REPLICA_LAG_HIGH');
    expect(finding.severity).toBe('critical');
    expect(finding.evidence).toMatchObject({ metric: 'ReplicaLag', series: 'ReplicaLag{DBInstanceIdentifier=orders-maz-w}', lagSeconds: 500 });
    expect(replicaRow(report, 'orders-maz')).toMatchObject({ kind: 'multi-az-cluster-replica', lagSeconds: 500, status: 'lagging' });
  });

  it('is REPLICATION_BROKEN when its writer\'s ReplicaLag stays at -1, never a healthy lag of -1 s', () => {
    const report = check(multiAzReplicaFleet({ writerLag: [-1, -1, -1, -1, -1] }));

    const broken = report.findings.find((f) => f.resource === 'orders-maz')!;
    expect(`${broken.code}:${broken.severity}`).toBe('REPLICATION_BROKEN:critical');
    expect(broken.evidence).toMatchObject({ series: 'ReplicaLag{DBInstanceIdentifier=orders-maz-w}', minusOneDatapoints: 5 });
    expect(replicaRow(report, 'orders-maz')).toMatchObject({ kind: 'multi-az-cluster-replica', status: 'broken' });
  });

  it('asks for no source WAL series on PostgreSQL: the idle-source rule judges only RDS read replicas, and each series is billed', () => {
    // Prepare: the writer lags well over every threshold.
    const snapshot = multiAzReplicaFleet({ postgres: true, writerLag: [400, 420, 450, 480, 500] });
    const topology = buildTopology(snapshot);

    // Act
    const followUps = planFollowUps(topology, new MetricIndex(snapshot), { walAboveSeconds: 0 });
    const report = check(snapshot);

    // Assess
    expect(followUps.filter((q) => q.metricName === 'TransactionLogsGeneration')).toEqual([]);
    expect(report.findings.find((f) => f.resource === 'orders-maz')).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'critical' });
  });

  it('tries every member when no writer is flagged (a failover in progress)', () => {
    const snapshot = multiAzReplicaFleet();
    const region = snapshot.regions['us-east-1']!;
    const noWriter: DbCluster = {
      ...region.dbClusters![0]!,
      DBClusterMembers: region.dbClusters![0]!.DBClusterMembers!.map((m) => ({ ...m, IsClusterWriter: false })),
    };
    const topology = buildTopology(fleet({ 'us-east-1': { ...region, dbClusters: [noWriter] } }));

    expect(lagMetricsFor(topology.replicas.find((r) => r.id === 'orders-maz')!).map((m) => m.dimensions.DBInstanceIdentifier)).toEqual([
      'orders-maz-r1',
      'orders-maz-r2',
      'orders-maz-w',
    ]);
  });

  it('plans no lag series for one with no member yet (being created), and says its lag is unknown rather than failing the check', () => {
    const snapshot = multiAzReplicaFleet();
    const region = snapshot.regions['us-east-1']!;
    const headless = fleet({
      'us-east-1': {
        ...region,
        dbInstances: region.dbInstances!.filter((db) => db.DBClusterIdentifier !== 'orders-maz'),
        dbClusters: [{ ...region.dbClusters![0]!, DBClusterMembers: [] }],
        metrics: [],
      },
    });

    const queries = planMetricQueries(buildTopology(headless));
    const report = check(headless);

    expect(queries.filter((q) => q.dimensions.DBInstanceIdentifier?.startsWith('orders-maz'))).toEqual([]);
    expect(replicaRow(report, 'orders-maz')).toMatchObject({ kind: 'multi-az-cluster-replica', lagSeconds: null, status: 'unknown' });
    expect(codes(report)).toContain('LAG_METRIC_MISSING:warning:orders-maz');
  });

  it('gives a DR primary a verdict from its lag, not "unknown"', () => {
    const report = check(multiAzReplicaFleet({ replicaRegion: 'eu-west-1' }));

    expect(report.dr.find((d) => d.primary === 'orders')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'], worstLagSeconds: 1 });
  });

  it('raises RPO_EXCEEDED from the writer\'s ReplicaLag', () => {
    const report = check(multiAzReplicaFleet({ replicaRegion: 'eu-west-1', writerLag: [90, 120, 150, 160, 170] }));

    const rpo = report.findings.find((f) => f.code === 'RPO_EXCEEDED')!;
    expect(rpo.resource).toBe('orders-maz');
    expect(rpo.evidence).toMatchObject({ series: 'ReplicaLag{DBInstanceIdentifier=orders-maz-w}', lagSeconds: 170 });
  });
});

/** An Aurora MySQL binlog replica cluster `shop-replica` of cluster `shop`. */
function binlogReplicaFleet(metrics: FleetSnapshot['regions'][string]['metrics']): FleetSnapshot {
  return fleet({
    'us-east-1': {
      dbClusters: [
        cluster('shop', { 'shop-1': true }),
        cluster('shop-replica', { 'shop-replica-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') }),
      ],
      metrics,
    },
  });
}
const binlogLag = (dimensions: Record<string, string>, values: readonly number[]) => series('AuroraBinlogReplicaLag', dimensions, values);

describe('AuroraBinlogReplicaLag', () => {
  it('reads the writer series (DBClusterIdentifier + Role=WRITER) and names it in the evidence', () => {
    const report = check(
      binlogReplicaFleet([
        binlogLag({ DBClusterIdentifier: 'shop-replica', Role: 'WRITER' }, [400, 410, 420, 430, 440]),
        binlogLag({ DBClusterIdentifier: 'shop-replica' }, [1, 1, 1, 1, 1]),
      ]),
    );

    const finding = report.findings.find((f) => f.resource === 'shop-replica')!;
    expect(finding.code).toBe('REPLICA_LAG_HIGH');
    expect(finding.evidence).toMatchObject({ series: 'AuroraBinlogReplicaLag{DBClusterIdentifier=shop-replica,Role=WRITER}', lagSeconds: 440 });
  });

  it('falls back to the cluster-only series and says so', () => {
    const report = check(binlogReplicaFleet([binlogLag({ DBClusterIdentifier: 'shop-replica' }, [400, 410, 420, 430, 440])]));

    expect(report.findings.find((f) => f.resource === 'shop-replica')!.evidence.series).toBe(
      'AuroraBinlogReplicaLag{DBClusterIdentifier=shop-replica}',
    );
  });

  it('does not read a series with another dimension set: CloudWatch matches dimensions exactly', () => {
    const report = check(binlogReplicaFleet([binlogLag({ DBClusterIdentifier: 'shop-replica', Role: 'READER' }, [1, 1, 1, 1, 1])]));

    expect(codes(report)).toContain('LAG_METRIC_MISSING:warning:shop-replica');
  });

  it('plans the writer series first, and the cluster-only one when the writer\'s came back empty', () => {
    const topology = buildTopology(binlogReplicaFleet([]));

    expect(planMetricQueries(topology).filter((q) => q.metricName === 'AuroraBinlogReplicaLag').map((q) => q.dimensions)).toEqual([
      { DBClusterIdentifier: 'shop-replica', Role: 'WRITER' },
    ]);
    expect(planFollowUps(topology, new MetricIndex(binlogReplicaFleet([]))).map((q) => q.dimensions)).toEqual([{ DBClusterIdentifier: 'shop-replica' }]);
  });
});

describe('MetricIndex', () => {
  it('finds a series only by its exact dimension set', () => {
    const index = new MetricIndex(fleet({ 'us-east-1': { metrics: [lag('orders-ro', [1])] } }));
    const withExtra = new MetricIndex(
      fleet({ 'us-east-1': { metrics: [series('ReplicaLag', { DBInstanceIdentifier: 'orders-ro', Extra: 'x' }, [1])] } }),
    );

    expect(index.find('us-east-1', 'ReplicaLag', { DBInstanceIdentifier: 'orders-ro' })).toBeDefined();
    expect(withExtra.find('us-east-1', 'ReplicaLag', { DBInstanceIdentifier: 'orders-ro' })).toBeUndefined();
  });
});

/** Global database `pay`: writer cluster in us-east-1, secondary `pay-eu` in eu-west-1. */
function globalFleet(metrics: FleetSnapshot['regions'][string]['metrics'], tags = DR_TAG): FleetSnapshot {
  const global = {
    GlobalClusterIdentifier: 'pay',
    Engine: 'aurora-postgresql',
    TagList: tags,
    GlobalClusterMembers: [
      { DBClusterArn: clusterArn('us-east-1', 'pay-us'), IsWriter: true, Readers: [clusterArn('eu-west-1', 'pay-eu')] },
      { DBClusterArn: clusterArn('eu-west-1', 'pay-eu'), IsWriter: false, SynchronizationStatus: 'connected' },
    ],
  };
  return fleet({
    'us-east-1': {
      dbClusters: [cluster('pay-us', { 'pay-us-1': true }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'pay' })],
      dbInstances: [instance('pay-us-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'pay-us' })],
      globalClusters: [global],
    },
    'eu-west-1': {
      dbClusters: [cluster('pay-eu', { 'pay-eu-1': false }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'pay' })],
      dbInstances: [instance('pay-eu-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'pay-eu' })],
      globalClusters: [global],
      metrics: [...(metrics ?? []), series('AuroraReplicaLag', { DBInstanceIdentifier: 'pay-eu-1' }, [20, 20, 20, 20, 20])],
    },
  });
}
const globalSeries = (metricName: string, ms: readonly number[]) =>
  series(metricName, { DBClusterIdentifier: 'pay-eu', SourceRegion: 'us-east-1' }, ms);

describe('Aurora Global Database lag', () => {
  it('prefers AuroraGlobalDBProgressLag over AuroraGlobalDBReplicationLag for the secondary\'s lag', () => {
    const report = check(
      globalFleet(
        [globalSeries('AuroraGlobalDBProgressLag', [400_000, 410_000, 420_000, 430_000, 440_000]), globalSeries('AuroraGlobalDBReplicationLag', [900, 900, 900, 900, 900])],
        [],
      ),
    );

    const finding = report.findings.find((f) => f.resource === 'pay-eu')!;
    expect(finding.code).toBe('REPLICA_LAG_HIGH');
    expect(finding.evidence).toMatchObject({ metric: 'AuroraGlobalDBProgressLag', lagSeconds: 440 });
    expect(replicaRow(report, 'pay-eu')).toMatchObject({ lagSeconds: 440 });
  });

  it('still reads AuroraGlobalDBReplicationLag where ProgressLag is not published', () => {
    const report = check(globalFleet([globalSeries('AuroraGlobalDBReplicationLag', [900, 900, 900, 900, 900])], []));

    expect(replicaRow(report, 'pay-eu')).toMatchObject({ lagSeconds: 0.9, status: 'healthy' });
  });

  it('judges the RPO on AuroraGlobalDBRPOLag (user transactions only) even when ProgressLag is published', () => {
    const report = check(
      globalFleet([
        globalSeries('AuroraGlobalDBProgressLag', [100_000, 110_000, 120_000, 130_000, 140_000]),
        globalSeries('AuroraGlobalDBRPOLag', [900, 950, 880, 910, 920]),
      ]),
    );

    expect(report.findings.filter((f) => f.code === 'RPO_EXCEEDED')).toEqual([]);
    expect(report.dr.find((d) => d.primary === 'pay')).toMatchObject({ ready: true });
  });
});

describe('DocumentDB and Neptune (returned by the RDS describe APIs)', () => {
  it('are left out of the topology: the recorded DocumentDB cluster and instance raise nothing', () => {
    const snapshot = fleet({
      'us-west-2': {
        dbClusters: recorded<{ DBClusters: DbCluster[] }>('docdb-describe-db-clusters.json').DBClusters,
        dbInstances: recorded<{ DBInstances: DbInstance[] }>('docdb-describe-db-instances.json').DBInstances,
      },
    });

    const report = check(snapshot);

    expect(buildTopology(snapshot).replicas).toEqual([]);
    expect(buildTopology(snapshot).clusters).toEqual([]);
    expect(report.replicas).toEqual([]);
    expect(report.findings).toEqual([]);
  });

  it('leaves Neptune clusters and their instances out too', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('graph', { 'graph-1': true, 'graph-2': false }, { Engine: 'neptune' })],
        dbInstances: [instance('graph-1', { Engine: 'neptune', DBClusterIdentifier: 'graph' }), instance('graph-2', { Engine: 'neptune', DBClusterIdentifier: 'graph' })],
      },
    });

    expect(buildTopology(snapshot).replicas).toEqual([]);
    expect(buildTopology(snapshot).instances).toEqual([]);
  });
});

describe('Aurora readers, whatever the writer is called', () => {
  it('never makes the writer its own reader when a recorded response lists its identifier twice', () => {
    const snapshot = fleet({
      'us-east-1': { dbClusters: recorded<{ DBClusters: DbCluster[] }>('aurora-mysql-describe-db-clusters.json').DBClusters },
    });

    const topology = buildTopology(snapshot);

    expect(topology.replicas.map((r) => `${r.kind} ${r.id} <- ${r.sourceId}`)).toEqual([
      'aurora-reader dbinstance1 <- mydbcluster',
      'aurora-reader dbinstance2 <- mydbcluster',
      'aurora-reader dbinstance3 <- mydbcluster',
      'aurora-reader mydbcluster-us-east-1b <- mydbcluster',
    ]);
    expect(topology.replicasOfDatabase(topology.cluster('us-east-1', 'mydbcluster')!)).toHaveLength(4);
  });

  it('gives two identical clusters the same DR verdict whether or not the writer shares the cluster\'s name', () => {
    const shop = (clusterId: string, writer: string): FleetSnapshot['regions'][string] => ({
      dbClusters: [cluster(clusterId, { [writer]: true, [`${clusterId}-r1`]: false, [`${clusterId}-r2`]: false }, { TagList: DR_TAG, ReadReplicaIdentifiers: [] })],
      dbInstances: [writer, `${clusterId}-r1`, `${clusterId}-r2`].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: clusterId })),
      metrics: [`${clusterId}-r1`, `${clusterId}-r2`].map((id) => series('AuroraReplicaLag', { DBInstanceIdentifier: id }, [10, 10, 10, 10, 10])),
    });
    const named = check(fleet({ 'us-east-1': shop('shop', 'shop'), 'eu-west-1': {} }));
    const other = check(fleet({ 'us-east-1': shop('shop', 'shop-instance-1'), 'eu-west-1': {} }));

    const message = (report: Report) => report.findings.find((f) => f.code === 'NO_CROSS_REGION_REPLICA')!;
    expect(message(named).message).toContain('its 2 replicas are all in us-east-1');
    expect(message(other).message).toBe(message(named).message);
    expect(message(other).evidence.sameRegionReplicas).toBe(2);
    expect(other.dr).toEqual(named.dr);
  });
});

describe('replica lists that are not a complete account', () => {
  /** A DR primary listing no replicas, with eu-west-1 unreadable this run. */
  const listsNothing = (engine: string) =>
    fleet({
      'us-east-1': {
        dbInstances: [instance('orders', { Engine: engine, TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [], ReadReplicaDBClusterIdentifiers: [] })],
      },
      'eu-west-1': { errors: [{ operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' }] },
    });

  it('makes DR unknown, not NO_CROSS_REGION_REPLICA, for RDS for MySQL when a region could not be read', () => {
    // ReadReplicaDBClusterIdentifiers leaves out cross-Region Aurora read replicas: one may be in eu-west-1.
    const report = check(listsNothing('mysql'));

    expect(codes(report).filter((c) => c.startsWith('NO_CROSS_REGION_REPLICA'))).toEqual([]);
    const dr = report.dr.find((d) => d.primary === 'orders')!;
    expect(dr.ready).toBe('unknown');
    expect(dr.reasons.join()).toContain('region eu-west-1 could not be read');
    expect(dr.reasons.join()).toContain('cross-Region Aurora read replica');
  });

  it('makes DR unknown for RDS for MySQL when no other region is read at all', () => {
    const snapshot = fleet({ 'us-east-1': listsNothing('mysql').regions['us-east-1']! });

    const dr = check(snapshot).dr.find((d) => d.primary === 'orders')!;
    expect(dr.ready).toBe('unknown');
    expect(dr.reasons.join()).toContain('ReadReplicaDBClusterIdentifiers does not list cross-Region Aurora read replicas');
  });

  it('still reports NO_CROSS_REGION_REPLICA for RDS for PostgreSQL, whose lists miss nothing cross-Region, and names the regions read', () => {
    const report = check(listsNothing('postgres'));

    const finding = report.findings.find((f) => f.code === 'NO_CROSS_REGION_REPLICA')!;
    expect(finding.severity).toBe('critical');
    expect(finding.evidence.regionsRead).toEqual(['eu-west-1', 'us-east-1']);
  });
});

describe('the demo fleet', () => {
  it('shows a Multi-AZ DB cluster read replica lagging behind its source, read from its writer\'s ReplicaLag', () => {
    const demo = JSON.parse(readFileSync('examples/demo-fleet.json', 'utf8')) as FleetSnapshot;

    const report = check(demo);

    expect(replicaRow(report, 'accounts-maz')).toMatchObject({ kind: 'multi-az-cluster-replica', sourceId: 'accounts-mysql', status: 'lagging', lagSeconds: 480 });
    expect(report.findings.filter((f) => f.resource === 'accounts-maz').map((f) => `${f.code}:${f.severity}:${f.evidence.series}`)).toEqual([
      'REPLICA_LAG_HIGH:critical:ReplicaLag{DBInstanceIdentifier=accounts-maz-w}',
    ]);
    expect(replicaRow(report, 'accounts-maz-r1')).toMatchObject({ kind: 'multi-az-cluster-reader', sourceId: 'accounts-maz-w', status: 'healthy' });
  });
});

describe('a Multi-AZ DB cluster without backups, whatever its writer is called', () => {
  it('is not a replication source because of its own readers', () => {
    const maz = (writer: string): FleetSnapshot =>
      fleet({
        'us-east-1': {
          dbClusters: [cluster('maz', { [writer]: true, 'maz-r1': false, 'maz-r2': false }, { Engine: 'mysql', BackupRetentionPeriod: 0 })],
          dbInstances: [writer, 'maz-r1', 'maz-r2'].map((id) => instance(id, { DBClusterIdentifier: 'maz', BackupRetentionPeriod: 0 })),
          metrics: ['maz-r1', 'maz-r2'].map((id) => lag(id, [0, 0, 0, 0, 0])),
        },
      });
    const sourceFindings = (snapshot: FleetSnapshot) =>
      evaluate(snapshot, { config: parseConfig({}), scope: 'drift' }).findings.filter((f) => f.code === 'SOURCE_BACKUPS_DISABLED');

    expect(sourceFindings(maz('maz'))).toEqual([]);
    expect(sourceFindings(maz('maz-w'))).toEqual([]);
  });
});
