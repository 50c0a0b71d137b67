import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it, vi } from 'vitest';
import { LiveFleetReader, type LiveReaderOptions } from '../../lambdas/aws/live-reader';
import { parseConfig } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { DbInstance, FleetSnapshot } from '../../lambdas/core/fleet/model';
import { parseSnapshot } from '../../lambdas/core/fleet/snapshot';
import { cloudwatchError, cloudwatchResponse, FAKE_CREDENTIALS, rdsError, rdsResponse, withMarker, fixture, type Route } from '../support/local-aws-endpoint';
import { fleetRoute, metricResultsFor, localAwsEndpoints } from '../support/live-aws-fleet';
import { instance, instanceArn, NOW_DATE, replica } from '../support/fleet';
import { dbInstancesXml } from '../support/rds-xml';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const endpoints = localAwsEndpoints();

async function readThrough(route: Route, extra: Partial<LiveReaderOptions> = {}) {
  const endpoint = await endpoints.start(route);
  const progress: string[] = [];
  const sleeps: number[] = [];
  const reader = new LiveFleetReader({
    regions: ['us-east-1'],
    now: () => NOW_DATE,
    endpoint: endpoint.url,
    onProgress: (m) => progress.push(m),
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    ...extra,
  });
  const started = Date.now();
  const snapshot = await reader.read();
  return { snapshot, requests: endpoint.requests, progress, sleeps, elapsedMs: Date.now() - started };
}

/**
 * Real clients pointed at the endpoint with the SDK's own retry off, so only the reader's
 * throttling retry (whose sleep the test injects) runs and the test does not wait for real.
 */
const singleAttemptClients = (url: string) => (region: string) => {
  const config = { region, endpoint: url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 };
  return { rds: new RDSClient(config), cloudwatch: new CloudWatchClient(config) };
};

const check = (snapshot: FleetSnapshot) =>
  evaluate(parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'live read'), { config: parseConfig({}) });

const degraded = (snapshot: FleetSnapshot) =>
  check(snapshot)
    .findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.severity !== 'info' && f.resource !== 'mydbcluster-secondary')
    .map((f) => ({ region: f.region, resource: f.resource, severity: f.severity, errorCode: f.evidence.errorCode }));

const replicaRow = (snapshot: FleetSnapshot) => check(snapshot).replicas.find((r) => r.id === 'test-instance-repl');

/** The fixture fleet, with GetMetricData answered by `metrics`. */
const withMetrics =
  (metrics: Route): Route =>
  (request) =>
    request.operation === 'GetMetricData' ? metrics(request) : fleetRoute(request);

describe('LiveFleetReader failure paths through the real SDK clients', () => {
  it('turns a failed GetMetricData call into CHECK_DEGRADED and leaves the lag unknown, never healthy', async () => {
    // Act
    const { snapshot } = await readThrough(withMetrics(() => cloudwatchError(500, 'InternalServiceFault', 'InternalServiceError', 'Internal failure', 'Receiver')));

    // Assess
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      expect.objectContaining({ operation: 'cloudwatch:GetMetricData', code: 'InternalServiceFault' }),
    ]);
    expect(degraded(snapshot)).toEqual([
      { region: 'us-east-1', resource: 'cloudwatch:GetMetricData', severity: 'warning', errorCode: 'InternalServiceFault' },
    ]);
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: null, status: 'unknown' });
  });

  it.each(['InternalError', 'Forbidden'])('turns a series returned with StatusCode %s into CHECK_DEGRADED', async (status) => {
    // Act
    const { snapshot } = await readThrough(
      withMetrics((r) =>
        cloudwatchResponse({
          MetricDataResults: metricResultsFor(r, (res, q) =>
            q.MetricStat.Metric.MetricName === 'ReplicaLag' ? { ...res, Timestamps: [], Values: [], StatusCode: status } : res,
          ),
        }),
      ),
    );

    // Assess
    expect(degraded(snapshot)).toEqual([{ region: 'us-east-1', resource: 'cloudwatch:GetMetricData', severity: 'warning', errorCode: status }]);
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: null, status: 'unknown' });
  });

  it('follows NextToken past PartialData and keeps the newest datapoints', async () => {
    // Prepare: page 1 holds the older points, page 2 the newest.
    const route = withMetrics((r) =>
      r.json.NextToken === 'next-1'
        ? cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [1795514340], Values: [40], StatusCode: 'Complete' })) })
        : cloudwatchResponse({
            MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [1795514280], Values: [30], StatusCode: 'PartialData' })),
            NextToken: 'next-1',
          }),
    );

    // Act
    const { snapshot, requests } = await readThrough(route);

    // Assess
    expect(requests.filter((r) => r.operation === 'GetMetricData').map((r) => r.json.NextToken)).toEqual([undefined, 'next-1']);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: 40, status: 'healthy' });
  });

  it('treats PartialData on the last page (no NextToken) as an incomplete read, not as the latest lag', async () => {
    // Act
    const { snapshot } = await readThrough(
      withMetrics((r) => cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, StatusCode: 'PartialData' })) })),
    );

    // Assess
    expect(degraded(snapshot)).toEqual([
      { region: 'us-east-1', resource: 'cloudwatch:GetMetricData', severity: 'warning', errorCode: 'PartialData' },
    ]);
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: null, status: 'unknown' });
  });

  it('reports CloudWatch Messages as progress', async () => {
    // Act
    const { progress } = await readThrough(
      withMetrics((r) =>
        cloudwatchResponse({ MetricDataResults: metricResultsFor(r), Messages: [{ Code: 'MaxMetricsExceeded', Value: 'Too many metrics' }] }),
      ),
    );

    // Assess
    expect(progress).toContain('us-east-1: GetMetricData: MaxMetricsExceeded: Too many metrics');
  });

  it('turns a response with a malformed timestamp into CHECK_DEGRADED, never a guessed datapoint', async () => {
    // Act: the SDK's JSON deserializer rejects a timestamp that is not a number.
    const { snapshot } = await readThrough(
      withMetrics((r) =>
        cloudwatchResponse({
          MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [1795514280, 'yesterday-ish', 1795514340], Values: [5, 999, 6] })),
        }),
      ),
    );

    // Assess
    const region = snapshot.regions['us-east-1']!;
    expect(region.metrics).toEqual([]);
    expect(region.errors).toEqual([expect.objectContaining({ operation: 'cloudwatch:GetMetricData', code: 'TypeError' })]);
    expect(degraded(snapshot)).toEqual([
      { region: 'us-east-1', resource: 'cloudwatch:GetMetricData', severity: 'warning', errorCode: 'TypeError' },
    ]);
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: null, status: 'unknown' });
  });

  it('stops on a repeated Marker instead of paging forever, and says the list may be incomplete', async () => {
    // Prepare: RDS hands back the same Marker on every page.
    const route: Route = (r) =>
      r.operation === 'DescribeDBInstances'
        ? rdsResponse('DescribeDBInstances', withMarker(fixture('rds-api/describe-db-instances-page-1.xml'), 'same-marker'))
        : fleetRoute(r);

    // Act
    const { snapshot, requests } = await readThrough(route);

    // Assess
    expect(requests.filter((r) => r.operation === 'DescribeDBInstances').map((r) => r.form.get('Marker'))).toEqual([null, 'same-marker']);
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      expect.objectContaining({ operation: 'rds:DescribeDBInstances', code: 'RepeatedMarker' }),
    ]);
    expect(degraded(snapshot)).toEqual([
      { region: 'us-east-1', resource: 'rds:DescribeDBInstances', severity: 'critical', errorCode: 'RepeatedMarker' },
    ]);
  });

  it.each([
    [403, 'AccessDenied', 'User is not authorized to perform: rds:DescribeDBInstances'],
    [400, 'InvalidParameterValue', 'Invalid value for MaxRecords'],
    [500, 'InternalFailure', 'The request processing has failed because of an unknown error'],
    [503, 'ServiceUnavailable', 'Service unavailable'],
  ])('turns an RDS HTTP %i %s error response into a critical CHECK_DEGRADED naming the code', async (status, code, message) => {
    // Act
    const { snapshot } = await readThrough((r) =>
      r.operation === 'DescribeDBInstances' ? rdsError(status, code, message, status >= 500 ? 'Receiver' : 'Sender') : fleetRoute(r),
    );

    // Assess
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      { operation: 'rds:DescribeDBInstances', code, message },
    ]);
    expect(degraded(snapshot)).toEqual([{ region: 'us-east-1', resource: 'rds:DescribeDBInstances', severity: 'critical', errorCode: code }]);
  });

  it('retries a throttled describe page and a throttled GetMetricData call, then reads them', async () => {
    // Prepare: the first call of each kind is throttled.
    const throttled: string[] = [];
    const route: Route = (r) => {
      if (!throttled.includes(r.operation) && (r.operation === 'DescribeDBClusters' || r.operation === 'GetMetricData')) {
        throttled.push(r.operation);
        return r.service === 'rds'
          ? rdsError(400, 'Throttling', 'Rate exceeded')
          : cloudwatchError(400, 'com.amazonaws.cloudwatch#ThrottlingException', 'Throttling', 'Rate exceeded');
      }
      return fleetRoute(r);
    };
    const endpoint = await endpoints.start(route);
    const progress: string[] = [];
    const sleeps: number[] = [];
    const reader = new LiveFleetReader({
      regions: ['us-east-1'],
      now: () => NOW_DATE,
      clients: singleAttemptClients(endpoint.url),
      onProgress: (m) => progress.push(m),
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    });

    // Act
    const snapshot = await reader.read();

    // Assess
    expect(throttled.sort()).toEqual(['DescribeDBClusters', 'GetMetricData']);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
    expect(snapshot.regions['us-east-1']!.dbClusters).toHaveLength(1);
    expect(replicaRow(snapshot)).toMatchObject({ lagSeconds: 3, status: 'healthy' });
    expect(sleeps).toEqual([100, 100]);
    expect(progress.filter((m) => m.includes('throttled')).sort()).toEqual([
      'us-east-1: cloudwatch:GetMetricData throttled, retrying in 100 ms (attempt 2 of 6)',
      'us-east-1: rds:DescribeDBClusters throttled, retrying in 100 ms (attempt 2 of 6)',
    ]);
  });

  it('keeps throttling past the retries as CHECK_DEGRADED in that region while the other region is fully read', async () => {
    // Prepare: eu-west-1's RDS is throttled on every call; us-east-1 answers.
    const endpoint = await endpoints.start((r) =>
      r.region === 'eu-west-1' && r.service === 'rds' ? rdsError(400, 'Throttling', 'Rate exceeded') : fleetRoute(r),
    );
    const sleeps: number[] = [];
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'eu-west-1'],
      now: () => NOW_DATE,
      clients: singleAttemptClients(endpoint.url),
      retry: { maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    });

    // Act
    const snapshot = await reader.read();

    // Assess
    expect(endpoint.requests.filter((r) => r.region === 'eu-west-1')).toHaveLength(9);
    expect(snapshot.regions['eu-west-1']!.errors?.map((e) => [e.operation, e.code])).toEqual([
      ['rds:DescribeDBInstances', 'Throttling'],
      ['rds:DescribeDBClusters', 'Throttling'],
      ['rds:DescribeGlobalClusters', 'Throttling'],
    ]);
    expect(degraded(snapshot)).toEqual(
      ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:DescribeGlobalClusters'].map((resource) => ({
        region: 'eu-west-1',
        resource,
        severity: 'critical',
        errorCode: 'Throttling',
      })),
    );
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
    expect(snapshot.regions['us-east-1']!.dbInstances).toHaveLength(4);
    expect(replicaRow(snapshot)).toMatchObject({ region: 'us-east-1', lagSeconds: 3, status: 'healthy' });
    // Three describe calls, each retried twice with a growing delay (random 0.5 of 200, then of 400 ms).
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 100, 100, 200, 200, 200]);
  });

  it('turns a client factory that throws into CHECK_DEGRADED for that region only', async () => {
    // Prepare
    const endpoint = await endpoints.start(fleetRoute);
    const url = endpoint.url;
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'eu-west-1'],
      now: () => NOW_DATE,
      clients: (region) => {
        if (region === 'eu-west-1') throw new Error('The security token included in the request is invalid');
        const config = { region, endpoint: url, credentials: FAKE_CREDENTIALS };
        return { rds: new RDSClient(config), cloudwatch: new CloudWatchClient(config) };
      },
    });

    // Act
    const snapshot = await reader.read();

    // Assess
    expect(degraded(snapshot)).toEqual([expect.objectContaining({ region: 'eu-west-1', severity: 'critical' })]);
    expect(snapshot.regions['eu-west-1']!.errors?.[0]?.message).toContain('cannot create a client for eu-west-1');
    expect(replicaRow(snapshot)).toMatchObject({ region: 'us-east-1', lagSeconds: 3, status: 'healthy' });
  });
});

describe('a failed automated-backups read through the real SDK clients', () => {
  // A DR-tagged MySQL primary in us-east-1 with a healthy copy in eu-west-1; the config requires
  // replicated backups, so the reader lists automated backups in both regions.
  const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
  const described: Record<string, DbInstance[]> = {
    'us-east-1': [instance('orders', { DBInstanceArn: instanceArn('us-east-1', 'orders'), TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')] })],
    'eu-west-1': [replica('orders-dr', instanceArn('us-east-1', 'orders'))],
  };
  const copyInWest =
    '<DBInstanceAutomatedBackups><DBInstanceAutomatedBackup>' +
    `<DBInstanceArn>${instanceArn('us-east-1', 'orders')}</DBInstanceArn><Region>us-east-1</Region>` +
    '<DBInstanceIdentifier>orders</DBInstanceIdentifier><Status>replicating</Status>' +
    '</DBInstanceAutomatedBackup></DBInstanceAutomatedBackups>';
  const route =
    (westBackups: string): Route =>
    (r) => {
      switch (r.operation) {
        case 'DescribeDBInstances':
          return rdsResponse('DescribeDBInstances', dbInstancesXml(described[r.region] ?? []));
        case 'DescribeDBClusters':
          return rdsResponse('DescribeDBClusters', '<DBClusters></DBClusters>');
        case 'DescribeGlobalClusters':
          return rdsResponse('DescribeGlobalClusters', '<GlobalClusters></GlobalClusters>');
        case 'DescribeDBInstanceAutomatedBackups':
          return r.region === 'us-east-1'
            ? rdsError(500, 'InternalFailure', 'An internal error occurred', 'Receiver')
            : rdsResponse('DescribeDBInstanceAutomatedBackups', westBackups);
        case 'GetMetricData':
          return cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Values: res.Values.map(() => 1) })) });
        default:
          return { status: 400, body: `unexpected ${r.operation}` };
      }
    };

  async function judge(westBackups: string) {
    const endpoint = await endpoints.start(route(westBackups));
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'eu-west-1'],
      now: () => NOW_DATE,
      includeAutomatedBackups: true,
      clients: singleAttemptClients(endpoint.url),
      retry: { sleep: async () => undefined, random: () => 0.5 },
    });
    const snapshot = await reader.read();
    const report = evaluate(parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'live read'), {
      config: parseConfig({ dr: { requireReplicatedBackups: true } }),
    });
    return { snapshot, report };
  }

  it('is CHECK_DEGRADED and leaves the DR verdict unknown, never "backups not replicated"', async () => {
    // Act: us-east-1 fails, eu-west-1 lists no backups.
    const { snapshot, report } = await judge('<DBInstanceAutomatedBackups></DBInstanceAutomatedBackups>');

    // Assess
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      expect.objectContaining({ operation: 'rds:DescribeDBInstanceAutomatedBackups', code: 'InternalFailure' }),
    ]);
    expect(report.findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.severity !== 'info').map((f) => [f.region, f.resource, f.severity, f.evidence.errorCode])).toEqual([
      ['us-east-1', 'rds:DescribeDBInstanceAutomatedBackups', 'warning', 'InternalFailure'],
    ]);
    expect(report.findings.filter((f) => f.code === 'BACKUPS_NOT_REPLICATED')).toEqual([]);
    expect(report.dr).toEqual([expect.objectContaining({ primary: 'orders', ready: 'unknown', regionsCovered: ['eu-west-1'] })]);
  });

  it('still counts the copy the DR region lists: one region\'s failure hides nothing the others read', async () => {
    // Act
    const { report } = await judge(copyInWest);

    // Assess
    expect(report.findings.filter((f) => f.code === 'BACKUPS_NOT_REPLICATED')).toEqual([]);
    expect(report.dr).toEqual([expect.objectContaining({ primary: 'orders', ready: true })]);
  });
});
