import { describe, expect, it, vi } from 'vitest';
import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { parseConfig } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import { parseSnapshot } from '../../lambdas/core/fleet/snapshot';
import { fixture, rdsResponse, withMarker, type Route } from '../support/local-aws-endpoint';
import { fleetRoute, metricResultsFor, queriesOf, localAwsEndpoints } from '../support/live-aws-fleet';
import { NOW_DATE } from '../support/fleet';
import { cloudwatchResponse } from '../support/local-aws-endpoint';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const endpoints = localAwsEndpoints();

async function readThrough(route: Route, regions = ['us-east-1']) {
  const endpoint = await endpoints.start(route);
  const reader = new LiveFleetReader({
    regions,
    now: () => NOW_DATE,
    endpoint: endpoint.url,
    includeParameters: true,
    includeAutomatedBackups: true,
    retry: { sleep: async () => {} },
  });
  return { snapshot: await reader.read(), requests: endpoint.requests };
}

const check = (snapshot: FleetSnapshot) =>
  evaluate(parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'live read'), { config: parseConfig({}) });

describe('LiveFleetReader through the real SDK clients against documented AWS responses', () => {
  it('reads every documented field the rules use, with the shapes the snapshot format expects', async () => {
    // Act
    const { snapshot } = await readThrough(fleetRoute);

    // Assess
    const region = snapshot.regions['us-east-1']!;
    expect(region.errors).toBeUndefined();
    expect(region.dbInstances!.map((db) => db.DBInstanceIdentifier)).toEqual(['test-instance', 'test-instance-repl', 'mydbcluster', 'dbinstance1']);
    const replica = region.dbInstances!.find((db) => db.DBInstanceIdentifier === 'test-instance-repl')!;
    expect(replica.ReadReplicaSourceDBInstanceIdentifier).toBe('test-instance');
    expect(replica.StatusInfos).toEqual([{ StatusType: 'read replication', Normal: true, Status: 'replicating' }]);
    expect(replica.DBParameterGroups).toEqual([{ DBParameterGroupName: 'default.mysql8.0', ParameterApplyStatus: 'pending-reboot' }]);
    expect(replica.InstanceCreateTime).toBe('2019-06-20T22:38:14.908Z');
    const primary = region.dbInstances!.find((db) => db.DBInstanceIdentifier === 'test-instance')!;
    expect(primary.ReadReplicaDBInstanceIdentifiers).toEqual(['test-instance-repl']);

    const [cluster] = region.dbClusters!;
    expect(cluster!.DBClusterMembers).toEqual([
      { DBInstanceIdentifier: 'dbinstance1', IsClusterWriter: false, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
      { DBInstanceIdentifier: 'mydbcluster', IsClusterWriter: true, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
    ]);
    expect(cluster!.MultiAZ).toBe(true);
    expect(cluster!.ClusterCreateTime).toBe('2019-04-15T14:18:42.785Z');

    const [global] = region.globalClusters!;
    expect(global!.GlobalClusterMembers).toEqual([
      {
        DBClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:mydbcluster',
        Readers: ['arn:aws:rds:us-west-2:123456789012:cluster:mydbcluster-secondary'],
        IsWriter: true,
      },
      {
        DBClusterArn: 'arn:aws:rds:us-west-2:123456789012:cluster:mydbcluster-secondary',
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'connected',
      },
    ]);

    expect(region.dbParameters?.['default.mysql8.0']?.map((p) => p.ParameterName)).toEqual(['allow-suspicious-udfs', 'aurora_lab_mode']);
    expect(region.dbClusterParameters?.['default.aurora-mysql5.7']?.[1]).toMatchObject({
      ParameterName: 'aurora_lab_mode',
      ParameterValue: '0',
      IsModifiable: true,
      ApplyMethod: 'pending-reboot',
      SupportedEngineModes: ['provisioned'],
    });
    expect(region.automatedBackups?.[0]).toMatchObject({
      DBInstanceIdentifier: 'new-orcl-db',
      Status: 'replicating',
      RestoreWindow: { EarliestTime: '2020-12-07T21:05:20.939Z', LatestTime: '2020-12-07T21:05:20.939Z' },
    });

    const lag = region.metrics!.find((m) => m.metricName === 'ReplicaLag' && m.dimensions.DBInstanceIdentifier === 'test-instance-repl');
    expect(lag?.timestamps).toEqual([
      '2026-11-24T09:55:00.000Z',
      '2026-11-24T09:56:00.000Z',
      '2026-11-24T09:57:00.000Z',
      '2026-11-24T09:58:00.000Z',
      '2026-11-24T09:59:00.000Z',
    ]);
    expect(lag?.values).toEqual([2, 3, 2, 4, 3]);
    const report = check(snapshot);
    // Every read succeeded; the one unknown is the global secondary in a region this check does not read.
    expect(report.findings.filter((f) => f.code === 'CHECK_DEGRADED').map((f) => [f.region, f.resource])).toEqual([
      ['us-west-2', 'mydbcluster-secondary'],
    ]);
    expect(report.replicas.find((r) => r.id === 'test-instance-repl')).toMatchObject({ lagSeconds: 3, status: 'healthy' });
  });

  it('sends the requests the reader intends: MaxRecords=100, the Marker echoed, the planned series and window', async () => {
    // Act
    const { requests } = await readThrough(fleetRoute);

    // Assess
    const instancePages = requests.filter((r) => r.operation === 'DescribeDBInstances');
    expect(instancePages.map((r) => [r.form.get('MaxRecords'), r.form.get('Marker')])).toEqual([
      ['100', null],
      ['100', 'page-2-marker'],
    ]);
    for (const r of requests.filter((r) => r.service === 'rds')) {
      expect(r.form.get('Version')).toBe('2014-10-31');
      expect(r.region).toBe('us-east-1');
    }
    expect(requests.filter((r) => r.operation === 'DescribeDBParameters').map((r) => r.form.get('Marker'))).toEqual([null, 'params-2']);
    expect(requests.find((r) => r.operation === 'DescribeDBParameters')?.form.get('DBParameterGroupName')).toBe('default.mysql8.0');
    expect(requests.find((r) => r.operation === 'DescribeDBClusterParameters')?.form.get('DBClusterParameterGroupName')).toBe(
      'default.aurora-mysql5.7',
    );

    const metricCalls = requests.filter((r) => r.operation === 'GetMetricData');
    expect(metricCalls).toHaveLength(1);
    const [call] = metricCalls as [(typeof metricCalls)[number]];
    expect(call.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(call.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(call.json.StartTime).toBe(NOW_DATE.getTime() / 1000 - 15 * 60);
    expect(call.json.EndTime).toBe(NOW_DATE.getTime() / 1000);
    expect(call.json.ScanBy).toBe('TimestampAscending');
    const queries = queriesOf(call);
    expect(queries.find((q) => q.MetricStat.Metric.MetricName === 'ReplicaLag')?.MetricStat).toEqual({
      Metric: { Namespace: 'AWS/RDS', MetricName: 'ReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'test-instance-repl' }] },
      Period: 60,
      Stat: 'Maximum',
    });
  });

  it('splits a large fleet into GetMetricData calls of at most 500 queries, each series asked once', async () => {
    // Prepare: 620 read replicas of the documented replica, 100 per describe page.
    const replica = fixture('rds-api/describe-db-instances-page-2.xml').match(/<DBInstance>[\s\S]*?<\/DBInstance>/)![0];
    const primary = fixture('rds-api/describe-db-instances-page-1.xml').match(/<DBInstance>[\s\S]*?<\/DBInstance>/)![0];
    const all = [primary, ...Array.from({ length: 620 }, (_, i) => replica.replaceAll('test-instance-repl', `test-instance-repl-${i}`))];
    const route: Route = (r) => {
      if (r.operation === 'DescribeDBInstances') {
        const start = Number(r.form.get('Marker') ?? 0);
        const page = all.slice(start, start + Number(r.form.get('MaxRecords')));
        const next = start + page.length < all.length ? String(start + page.length) : undefined;
        return rdsResponse('DescribeDBInstances', withMarker(`<DBInstances>${page.join('')}</DBInstances>`, next));
      }
      if (r.operation === 'DescribeDBClusters') return rdsResponse('DescribeDBClusters', '<DBClusters/>');
      if (r.operation === 'DescribeGlobalClusters') return rdsResponse('DescribeGlobalClusters', '<GlobalClusters/>');
      if (r.operation === 'GetMetricData') return cloudwatchResponse({ MetricDataResults: metricResultsFor(r) });
      return fleetRoute(r);
    };

    // Act
    const { snapshot, requests } = await readThrough(route);

    // Assess
    expect(requests.filter((r) => r.operation === 'DescribeDBInstances')).toHaveLength(7);
    expect(snapshot.regions['us-east-1']!.dbInstances!).toHaveLength(621);
    const calls = requests.filter((r) => r.operation === 'GetMetricData').map(queriesOf);
    const sizes = calls.map((q) => q.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(500);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
    expect(calls).toHaveLength(Math.ceil(total / 500));
    const lagSeries = calls
      .flat()
      .filter((q) => q.MetricStat.Metric.MetricName === 'ReplicaLag')
      .map((q) => q.MetricStat.Metric.Dimensions[0]!.Value);
    expect(new Set(lagSeries).size).toBe(620);
    expect(lagSeries).toHaveLength(620);
    expect(snapshot.regions['us-east-1']!.metrics!.filter((m) => m.metricName === 'ReplicaLag')).toHaveLength(620);
  });
});
