/// <reference types="aws-sdk-client-mock-vitest/extend" />
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
  type DBCluster,
  type DBInstance,
  type GlobalCluster,
  type Parameter,
} from '@aws-sdk/client-rds';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import {
  toHaveReceivedCommand,
  toHaveReceivedCommandTimes,
  toHaveReceivedCommandWith,
} from 'aws-sdk-client-mock-vitest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveFleetReader, type LiveReaderOptions } from '../../lambdas/aws/live-reader';
import { parseConfig } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import { parseSnapshot } from '../../lambdas/core/fleet/snapshot';
import { NOW_DATE } from '../support/fleet';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

expect.extend({ toHaveReceivedCommand, toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

const ACCOUNT = '123456789012';

interface RegionMocks {
  readonly rds: AwsClientStub<RDSClient>;
  readonly cloudwatch: AwsClientStub<CloudWatchClient>;
}

const restorers: (() => void)[] = [];
afterEach(() => {
  for (const restore of restorers.splice(0)) restore();
});

/** One real client pair per region, each mocked on its own so regions can behave differently. */
function mockRegions(regions: readonly string[]) {
  const clients = new Map<string, { rds: RDSClient; cloudwatch: CloudWatchClient }>();
  const mocks: Record<string, RegionMocks> = {};
  for (const region of regions) {
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const pair = { rds: new RDSClient({ region, credentials }), cloudwatch: new CloudWatchClient({ region, credentials }) };
    const rds = mockClient(pair.rds);
    const cloudwatch = mockClient(pair.cloudwatch);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    restorers.push(() => rds.restore(), () => cloudwatch.restore());
    clients.set(region, pair);
    mocks[region] = { rds, cloudwatch };
  }
  const sleeps: number[] = [];
  const options = (extra: Partial<LiveReaderOptions> = {}): LiveReaderOptions => ({
    regions,
    now: () => NOW_DATE,
    clients: (region) => clients.get(region)!,
    retry: { sleep: async (ms) => void sleeps.push(ms) },
    ...extra,
  });
  return { mocks, options, sleeps };
}

/** Answers a describe call page by page, the way RDS does with Marker and MaxRecords. */
function paged<T>(key: string, items: readonly T[]) {
  return (input: { Marker?: string; MaxRecords?: number }) => {
    const start = input.Marker ? Number(input.Marker.replace('page-', '')) : 0;
    const end = start + (input.MaxRecords ?? 100);
    return { [key]: items.slice(start, end), ...(end < items.length ? { Marker: `page-${end}` } : {}) };
  };
}

/** Answers GetMetricData with five 1-minute datapoints per query, from `valueOf(query)`. */
function metricAnswer(valueOf: (q: MetricDataQuery) => number | undefined) {
  return (input: GetMetricDataCommandInput): Partial<GetMetricDataCommandOutput> => ({
    MetricDataResults: (input.MetricDataQueries ?? []).flatMap((q) => {
      const value = valueOf(q);
      if (value === undefined) return [{ Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Complete' as const }];
      const timestamps = [5, 4, 3, 2, 1].map((m) => new Date(NOW_DATE.getTime() - m * 60_000));
      return [{ Id: q.Id, Timestamps: timestamps, Values: timestamps.map(() => value), StatusCode: 'Complete' as const }];
    }),
  });
}

const dimension = (q: MetricDataQuery, name: string) =>
  q.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === name)?.Value;

const mysql = (id: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:aws:rds:us-east-1:${ACCOUNT}:db:${id}`,
  Engine: 'mysql',
  EngineVersion: '8.0.39',
  DBInstanceClass: 'db.r6g.large',
  DBInstanceStatus: 'available',
  BackupRetentionPeriod: 7,
  ...extra,
});

const roundTrip = (snapshot: FleetSnapshot) => parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'live read');
const check = (snapshot: FleetSnapshot) => evaluate(roundTrip(snapshot), { config: parseConfig({}) });

describe('LiveFleetReader', () => {
  it('follows Marker on every describe call and keeps every page', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const rds = mocks['us-east-1']!.rds;
    const instances = Array.from({ length: 250 }, (_, i) => mysql(`db-${i}`));
    const clusters: DBCluster[] = Array.from({ length: 130 }, (_, i) => ({ DBClusterIdentifier: `cl-${i}`, Engine: 'aurora-mysql' }));
    const globals: GlobalCluster[] = Array.from({ length: 101 }, (_, i) => ({ GlobalClusterIdentifier: `g-${i}` }));
    rds.on(DescribeDBInstancesCommand).callsFake(paged('DBInstances', instances));
    rds.on(DescribeDBClustersCommand).callsFake(paged('DBClusters', clusters));
    rds.on(DescribeGlobalClustersCommand).callsFake(paged('GlobalClusters', globals));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    const region = snapshot.regions['us-east-1']!;
    expect(region.dbInstances?.map((d) => d.DBInstanceIdentifier)).toEqual(instances.map((d) => d.DBInstanceIdentifier));
    expect(region.dbClusters).toHaveLength(130);
    expect(region.globalClusters).toHaveLength(101);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 3);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 2);
    expect(rds).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 2);
    expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { Marker: 'page-200', MaxRecords: 100 });
    expect(rds).toHaveReceivedCommandWith(DescribeGlobalClustersCommand, { Marker: 'page-100', MaxRecords: 100 });
    expect(region.errors).toBeUndefined();
  });

  it('reports a cross-region read replica whose source is an ARN, with lag read in the replica region', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1', 'eu-west-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [mysql('orders', { ReadReplicaDBInstanceIdentifiers: [`arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders-eu`] })],
    });
    mocks['eu-west-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        mysql('orders-eu', {
          DBInstanceArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:db:orders-eu`,
          ReadReplicaSourceDBInstanceIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:db:orders`,
        }),
      ],
    });
    mocks['eu-west-1']!.cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(metricAnswer((q) => (dimension(q, 'DBInstanceIdentifier') === 'orders-eu' ? 12 : undefined)));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();
    const report = check(snapshot);

    // Assess
    expect(report.replicas).toEqual([
      expect.objectContaining({ id: 'orders-eu', region: 'eu-west-1', sourceId: 'orders', sourceRegion: 'us-east-1', lagSeconds: 12 }),
    ]);
    expect(mocks['eu-west-1']!.cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      MetricDataQueries: [
        expect.objectContaining({
          MetricStat: expect.objectContaining({
            Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-eu' }] },
            Period: 60,
            Stat: 'Maximum',
          }),
        }),
      ],
      StartTime: new Date('2026-11-24T09:45:00Z'),
      EndTime: NOW_DATE,
      ScanBy: 'TimestampAscending',
    });
    // Nothing to read in the source region: a MySQL source has no slot or activity metrics.
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('asks for a global secondary lag in the secondary region only when that region is read', async () => {
    // Prepare
    const global: GlobalCluster = {
      GlobalClusterIdentifier: 'payments-global',
      Engine: 'aurora-postgresql',
      GlobalClusterMembers: [
        { DBClusterArn: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:payments`, IsWriter: true },
        { DBClusterArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:payments-eu`, IsWriter: false },
        { DBClusterArn: `arn:aws:rds:ap-southeast-2:${ACCOUNT}:cluster:payments-ap`, IsWriter: false },
      ],
    };
    const { mocks, options } = mockRegions(['us-east-1', 'eu-west-1']);
    for (const region of ['us-east-1', 'eu-west-1']) {
      mocks[region]!.rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [global] });
    }
    mocks['eu-west-1']!.cloudwatch.on(GetMetricDataCommand).callsFake(metricAnswer(() => 800));

    // Act
    const report = check(await new LiveFleetReader(options()).read());

    // Assess
    const sent = mocks['eu-west-1']!.cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    // The preferred lag and RPO series; both answered, so no second request for the fallbacks.
    expect(sent.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.MetricName).sort()).toEqual([
      'AuroraGlobalDBProgressLag',
      'AuroraGlobalDBRPOLag',
    ]);
    expect(sent.MetricDataQueries?.every((q) => dimension(q, 'DBClusterIdentifier') === 'payments-eu')).toBe(true);
    expect(sent.MetricDataQueries?.filter((q) => dimension(q, 'SourceRegion') === 'us-east-1')).toHaveLength(2);
    expect(mocks['eu-west-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(report.replicas.find((r) => r.id === 'payments-eu')).toMatchObject({ lagSeconds: 0.8, status: 'healthy' });
    expect(report.replicas.find((r) => r.id === 'payments-ap')).toMatchObject({ region: 'ap-southeast-2', status: 'unknown' });
  });

  it('asks for the Role=WRITER binlog lag series and judges a live read on it exactly as on a snapshot', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: 'shop', Engine: 'aurora-mysql', DBClusterMembers: [{ DBInstanceIdentifier: 'shop-1', IsClusterWriter: true }] },
        {
          DBClusterIdentifier: 'shop-replica',
          Engine: 'aurora-mysql',
          ReplicationSourceIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:shop`,
          DBClusterMembers: [{ DBInstanceIdentifier: 'shop-replica-1', IsClusterWriter: true }],
        },
      ],
    });
    // Only the writer series carries the real lag; the cluster-only series would say all is well.
    mocks['us-east-1']!.cloudwatch.on(GetMetricDataCommand).callsFake(
      metricAnswer((q) => (q.MetricStat?.Metric?.MetricName !== 'AuroraBinlogReplicaLag' ? undefined : dimension(q, 'Role') === 'WRITER' ? 600 : 1)),
    );

    // Act
    const snapshot = await new LiveFleetReader(options()).read();
    const report = check(snapshot);

    // Assess
    const sent = mocks['us-east-1']!.cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries ?? [];
    // The writer's series answered: the cluster-only one (a fallback) is never asked for.
    expect(sent.filter((q) => q.MetricStat?.Metric?.MetricName === 'AuroraBinlogReplicaLag').map((q) => q.MetricStat?.Metric?.Dimensions)).toEqual([
      [{ Name: 'DBClusterIdentifier', Value: 'shop-replica' }, { Name: 'Role', Value: 'WRITER' }],
    ]);
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const finding = report.findings.find((f) => f.resource === 'shop-replica')!;
    expect(finding.code).toBe('REPLICA_LAG_HIGH');
    expect(finding.evidence.series).toBe('AuroraBinlogReplicaLag{DBClusterIdentifier=shop-replica,Role=WRITER}');
    expect(check(roundTrip(snapshot)).findings).toEqual(report.findings);
  });

  it('skips GetMetricData when metrics are not wanted (the drift check), still describing everything', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [mysql('primary'), mysql('ro-1', { ReadReplicaSourceDBInstanceIdentifier: 'primary' })],
    });

    // Act
    const snapshot = await new LiveFleetReader(options({ includeMetrics: false })).read();

    // Assess
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(snapshot.regions['us-east-1']!.dbInstances).toHaveLength(2);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
  });

  it('splits more than 500 metric queries into ceil(n/500) calls and maps every result back to its series', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const replicas = Array.from({ length: 1234 }, (_, i) =>
      mysql(`ro-${i}`, { ReadReplicaSourceDBInstanceIdentifier: 'primary' }),
    );
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).callsFake(paged('DBInstances', [mysql('primary'), ...replicas]));
    const cloudwatch = mocks['us-east-1']!.cloudwatch;
    // Lag of ro-N is N % 40 seconds, so a result mapped to the wrong series shows.
    cloudwatch.on(GetMetricDataCommand).callsFake(
      metricAnswer((q) => Number(dimension(q, 'DBInstanceIdentifier')!.replace('ro-', '')) % 40),
    );

    // Act
    const snapshot = await new LiveFleetReader(options()).read();
    const report = check(snapshot);

    // Assess
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, Math.ceil(1234 / 500));
    const batches = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries ?? []);
    expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([500, 500, 234]);
    for (const batch of batches) {
      for (const q of batch) expect(q.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
      expect(new Set(batch.map((q) => q.Id)).size).toBe(batch.length);
    }
    expect(snapshot.regions['us-east-1']!.metrics).toHaveLength(1234);
    expect(report.replicas).toHaveLength(1234);
    for (const row of report.replicas) {
      expect(row.lagSeconds).toBe(Number(row.id.replace('ro-', '')) % 40);
    }
  });

  it('retries throttled calls with backoff and returns the data', async () => {
    // Prepare
    const { mocks, options, sleeps } = mockRegions(['us-east-1']);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    const tooMany = Object.assign(new Error('Too many requests'), { name: 'Unknown', $metadata: { httpStatusCode: 429 } });
    mocks['us-east-1']!.rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ DBInstances: [mysql('primary'), mysql('ro-1', { ReadReplicaSourceDBInstanceIdentifier: 'primary' })] });
    mocks['us-east-1']!.cloudwatch
      .on(GetMetricDataCommand)
      .rejectsOnce(tooMany)
      .callsFake(metricAnswer(() => 2));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    expect(mocks['us-east-1']!.rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 3);
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(sleeps).toHaveLength(3);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
    expect(check(snapshot).replicas).toEqual([expect.objectContaining({ id: 'ro-1', lagSeconds: 2, status: 'healthy' })]);
  });

  it('records a ReadError when throttling outlasts the retries', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds
      .on(DescribeDBClustersCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    expect(mocks['us-east-1']!.rds).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 6);
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      { operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' },
    ]);
    expect(check(snapshot).findings.map((f) => f.code)).toContain('CHECK_DEGRADED');
  });

  it('keeps reading the other regions, and the other calls of a region, when one region denies access', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1', 'eu-west-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [mysql('primary'), mysql('ro-1', { ReadReplicaSourceDBInstanceIdentifier: 'primary' })],
    });
    mocks['us-east-1']!.cloudwatch.on(GetMetricDataCommand).callsFake(metricAnswer(() => 3));
    const denied = Object.assign(new Error('User is not authorized to perform: rds:Describe*'), { name: 'AccessDenied' });
    mocks['eu-west-1']!.rds.rejects(denied);

    // Act
    const snapshot = await new LiveFleetReader(options()).read();
    const report = check(snapshot);

    // Assess
    const eu = mocks['eu-west-1']!.rds;
    expect(eu).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
    expect(eu).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 1);
    expect(eu).toHaveReceivedCommandTimes(DescribeGlobalClustersCommand, 1);
    expect(snapshot.regions['eu-west-1']!.errors?.map((e) => [e.operation, e.code])).toEqual([
      ['rds:DescribeDBInstances', 'AccessDenied'],
      ['rds:DescribeDBClusters', 'AccessDenied'],
      ['rds:DescribeGlobalClusters', 'AccessDenied'],
    ]);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
    expect(report.replicas).toEqual([expect.objectContaining({ id: 'ro-1', region: 'us-east-1', lagSeconds: 3, status: 'healthy' })]);
    expect(report.findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.severity !== 'info').map((f) => f.region)).toEqual([
      'eu-west-1',
      'eu-west-1',
      'eu-west-1',
    ]);
  });

  it('keeps what a describe read before a later page failed', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const instances = Array.from({ length: 150 }, (_, i) => mysql(`db-${i}`));
    mocks['us-east-1']!.rds
      .on(DescribeDBInstancesCommand)
      .callsFakeOnce(paged('DBInstances', instances))
      .rejects(Object.assign(new Error('Internal failure'), { name: 'InternalFailure' }));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    expect(snapshot.regions['us-east-1']!.dbInstances).toHaveLength(100);
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      { operation: 'rds:DescribeDBInstances', code: 'InternalFailure', message: 'Internal failure' },
    ]);
  });

  it('reads each shared parameter group once, every page, with no Source filter', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const rds = mocks['us-east-1']!.rds;
    const instances = Array.from({ length: 40 }, (_, i) =>
      mysql(`db-${i}`, { DBParameterGroups: [{ DBParameterGroupName: i % 2 ? 'mysql-a' : 'mysql-b', ParameterApplyStatus: 'in-sync' }] }),
    );
    const clusters: DBCluster[] = Array.from({ length: 12 }, (_, i) => ({
      DBClusterIdentifier: `cl-${i}`,
      Engine: 'aurora-postgresql',
      DBClusterParameterGroup: 'aurora-pg',
    }));
    const params = (prefix: string, n: number): Parameter[] =>
      Array.from({ length: n }, (_, i) => ({ ParameterName: `${prefix}_${i}`, ParameterValue: String(i), Source: 'engine-default' }));
    rds.on(DescribeDBInstancesCommand).callsFake(paged('DBInstances', instances));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: clusters });
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'mysql-a' }).callsFake(paged('Parameters', params('a', 250)));
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'mysql-b' }).callsFake(paged('Parameters', params('b', 40)));
    rds.on(DescribeDBClusterParametersCommand).callsFake(paged('Parameters', params('pg', 120)));

    // Act
    const snapshot = await new LiveFleetReader(options({ includeParameters: true })).read();

    // Assess
    const region = snapshot.regions['us-east-1']!;
    expect(rds).toHaveReceivedCommandTimes(DescribeDBParametersCommand, 3 + 1);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBClusterParametersCommand, 2);
    expect(rds).toHaveReceivedCommandWith(DescribeDBParametersCommand, { DBParameterGroupName: 'mysql-a', Marker: 'page-200', MaxRecords: 100 });
    const inputs = [
      ...rds.commandCalls(DescribeDBParametersCommand).map((c) => c.args[0].input),
      ...rds.commandCalls(DescribeDBClusterParametersCommand).map((c) => c.args[0].input),
    ];
    expect(inputs.every((input) => input.Source === undefined)).toBe(true);
    expect(Object.keys(region.dbParameters ?? {}).sort()).toEqual(['mysql-a', 'mysql-b']);
    expect(region.dbParameters?.['mysql-a']).toHaveLength(250);
    expect(region.dbParameters?.['mysql-b']).toHaveLength(40);
    expect(region.dbClusterParameters?.['aurora-pg']).toHaveLength(120);
  });

  it('reads no parameter groups or backups unless asked', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [mysql('db', { DBParameterGroups: [{ DBParameterGroupName: 'mysql-a' }] })],
    });

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    expect(mocks['us-east-1']!.rds).toHaveReceivedCommandTimes(DescribeDBParametersCommand, 0);
    expect(mocks['us-east-1']!.rds).toHaveReceivedCommandTimes(DescribeDBInstanceAutomatedBackupsCommand, 0);
    expect(snapshot.regions['us-east-1']!.dbParameters).toBeUndefined();
  });

  it('leaves out a parameter group whose read failed and says which one', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const rds = mocks['us-east-1']!.rds;
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        mysql('db-1', { DBParameterGroups: [{ DBParameterGroupName: 'ok-group' }] }),
        mysql('db-2', { DBParameterGroups: [{ DBParameterGroupName: 'gone-group' }] }),
      ],
    });
    rds.on(DescribeDBParametersCommand, { DBParameterGroupName: 'ok-group' }).resolves({ Parameters: [{ ParameterName: 'read_only', ParameterValue: '1' }] });
    rds
      .on(DescribeDBParametersCommand, { DBParameterGroupName: 'gone-group' })
      .rejects(Object.assign(new Error('DBParameterGroup not found'), { name: 'DBParameterGroupNotFoundFault' }));

    // Act
    const snapshot = await new LiveFleetReader(options({ includeParameters: true })).read();

    // Assess
    const region = snapshot.regions['us-east-1']!;
    expect(Object.keys(region.dbParameters ?? {})).toEqual(['ok-group']);
    expect(region.errors).toEqual([
      {
        operation: 'rds:DescribeDBParameters',
        code: 'DBParameterGroupNotFoundFault',
        message: 'parameter group gone-group: DBParameterGroup not found',
      },
    ]);
  });

  it('reads every page of automated backups when asked', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    const backups = Array.from({ length: 120 }, (_, i) => ({ DBInstanceIdentifier: `db-${i}`, Region: 'us-east-1', Status: 'active' }));
    mocks['us-east-1']!.rds.on(DescribeDBInstanceAutomatedBackupsCommand).callsFake(paged('DBInstanceAutomatedBackups', backups));

    // Act
    const snapshot = await new LiveFleetReader(options({ includeAutomatedBackups: true })).read();

    // Assess
    expect(mocks['us-east-1']!.rds).toHaveReceivedCommandTimes(DescribeDBInstanceAutomatedBackupsCommand, 2);
    expect(snapshot.regions['us-east-1']!.automatedBackups).toHaveLength(120);
  });

  it('turns every SDK Date into an ISO string and produces a valid snapshot file', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        mysql('primary', {
          InstanceCreateTime: new Date('2025-01-02T03:04:05Z'),
          CertificateDetails: { CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: new Date('2027-05-06T07:08:09Z') },
        }),
        mysql('ro-1', { ReadReplicaSourceDBInstanceIdentifier: 'primary' }),
      ],
    });
    mocks['us-east-1']!.cloudwatch.on(GetMetricDataCommand).callsFake(metricAnswer(() => 1));

    // Act
    const snapshot = await new LiveFleetReader(options()).read();

    // Assess
    const primary = snapshot.regions['us-east-1']!.dbInstances![0]!;
    expect(primary['InstanceCreateTime']).toBe('2025-01-02T03:04:05.000Z');
    expect(primary['CertificateDetails']).toEqual({ CAIdentifier: 'rds-ca-rsa2048-g1', ValidTill: '2027-05-06T07:08:09.000Z' });
    expect(snapshot.regions['us-east-1']!.metrics![0]!.timestamps[0]).toBe('2026-11-24T09:55:00.000Z');
    expect(snapshot.capturedAt).toBe('2026-11-24T10:00:00.000Z');
    // The in-memory object is already the file: a JSON round trip changes nothing and validates.
    expect(roundTrip(snapshot)).toEqual(snapshot);
  });

  it('joins GetMetricData pages, leaves out empty series and records series CloudWatch refused', async () => {
    // Prepare
    const { mocks, options } = mockRegions(['us-east-1']);
    mocks['us-east-1']!.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        mysql('primary'),
        ...['ro-paged', 'ro-silent', 'ro-forbidden'].map((id) => mysql(id, { ReadReplicaSourceDBInstanceIdentifier: 'primary' })),
      ],
    });
    const at = (minutesAgo: number) => new Date(NOW_DATE.getTime() - minutesAgo * 60_000);
    const idOf = (input: GetMetricDataCommandInput, replica: string) =>
      input.MetricDataQueries!.find((q) => dimension(q, 'DBInstanceIdentifier') === replica)!.Id;
    mocks['us-east-1']!.cloudwatch
      .on(GetMetricDataCommand)
      .callsFake((input: GetMetricDataCommandInput) =>
        input.NextToken === undefined
          ? {
              MetricDataResults: [
                { Id: idOf(input, 'ro-paged'), Timestamps: [at(5), at(4)], Values: [1, 1], StatusCode: 'PartialData' },
                { Id: idOf(input, 'ro-silent'), Timestamps: [], Values: [], StatusCode: 'Complete' },
                { Id: idOf(input, 'ro-forbidden'), Timestamps: [], Values: [], StatusCode: 'Forbidden' },
              ],
              NextToken: 'more',
            }
          : {
              MetricDataResults: [
                { Id: idOf(input, 'ro-paged'), Timestamps: [at(3), at(2), at(1)], Values: [1, 1, 400], StatusCode: 'Complete' },
              ],
            },
      );

    // Act
    const snapshot = await new LiveFleetReader(options()).read();
    const report = check(snapshot);

    // Assess
    expect(mocks['us-east-1']!.cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, { NextToken: 'more' });
    const metrics = snapshot.regions['us-east-1']!.metrics!;
    expect(metrics.map((m) => m.dimensions['DBInstanceIdentifier'])).toEqual(['ro-paged']);
    expect(metrics[0]!.values).toEqual([1, 1, 1, 1, 400]);
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      expect.objectContaining({ operation: 'cloudwatch:GetMetricData', code: 'Forbidden' }),
    ]);
    expect(report.replicas.find((r) => r.id === 'ro-paged')?.lagSeconds).toBe(400);
  });

  it('creates one adaptive-retry client pair per region and reuses it across reads', async () => {
    // Prepare
    const rds = mockClient(RDSClient);
    const cloudwatch = mockClient(CloudWatchClient);
    restorers.push(() => rds.restore(), () => cloudwatch.restore());
    rds.onAnyCommand().resolves({});
    const reader = new LiveFleetReader({ regions: ['us-east-1', 'eu-west-1'], now: () => NOW_DATE });

    // Act
    await reader.read();
    await reader.read();

    // Assess
    const clients = new Set(rds.calls().map((call) => call.thisValue as RDSClient));
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 4);
    expect(clients.size).toBe(2);
    const configs = await Promise.all(
      [...clients].map(async (c) => {
        const mode = c.config.retryMode;
        return [await c.config.region(), typeof mode === 'function' ? await mode() : mode] as const;
      }),
    );
    expect(configs.sort()).toEqual([
      ['eu-west-1', 'adaptive'],
      ['us-east-1', 'adaptive'],
    ]);
  });

  it('signs with the named profile from the shared credentials file when one is given', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'replguard-'));
    writeFileSync(join(dir, 'credentials'), '[audit]\naws_access_key_id = AKIDAUDIT\naws_secret_access_key = secret\n');
    writeFileSync(join(dir, 'config'), '');
    const saved = { creds: process.env['AWS_SHARED_CREDENTIALS_FILE'], config: process.env['AWS_CONFIG_FILE'] };
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = join(dir, 'credentials');
    process.env['AWS_CONFIG_FILE'] = join(dir, 'config');
    restorers.push(() => {
      for (const [name, value] of [['AWS_SHARED_CREDENTIALS_FILE', saved.creds], ['AWS_CONFIG_FILE', saved.config]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    });
    const rds = mockClient(RDSClient);
    const cloudwatch = mockClient(CloudWatchClient);
    restorers.push(() => rds.restore(), () => cloudwatch.restore());
    rds.onAnyCommand().resolves({});

    // Act
    await new LiveFleetReader({ regions: ['us-east-1'], profile: 'audit', now: () => NOW_DATE }).read();

    // Assess
    const client = rds.call(0).thisValue as RDSClient;
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe('AKIDAUDIT');
  });
});
