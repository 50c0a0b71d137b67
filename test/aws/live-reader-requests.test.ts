import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it, vi } from 'vitest';
import { LiveFleetReader, type LiveReaderOptions } from '../../lambdas/aws/live-reader';
import { cloudwatchError, cloudwatchResponse, FAKE_CREDENTIALS, fixture, rdsError, rdsResponse, withMarker, type RecordedRequest, type Route } from '../support/local-aws-endpoint';
import { fleetRoute, localAwsEndpoints, metricResultsFor, queriesOf, type MetricQueryJson } from '../support/live-aws-fleet';
import { NOW_DATE } from '../support/fleet';

// Real SDK clients against local servers.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const endpoints = localAwsEndpoints();

/** Real clients pointed at the endpoint, the SDK's own retry off so each request is seen once. */
const clientsFor = (url: string) => (region: string) => {
  const config = { region, endpoint: url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 };
  return { rds: new RDSClient(config), cloudwatch: new CloudWatchClient(config) };
};

async function readThrough(route: Route, extra: Partial<LiveReaderOptions> = {}) {
  const endpoint = await endpoints.start(route);
  const progress: string[] = [];
  const reader = new LiveFleetReader({
    regions: ['us-east-1'],
    now: () => NOW_DATE,
    clients: clientsFor(endpoint.url),
    onProgress: (m) => progress.push(m),
    retry: { sleep: async () => undefined, random: () => 0.5 },
    ...extra,
  });
  const snapshot = await reader.read();
  return { snapshot, requests: endpoint.requests, progress };
}

const metricCalls = (requests: readonly RecordedRequest[], region?: string) =>
  requests.filter((r) => r.operation === 'GetMetricData' && (region === undefined || r.region === region));
const named = (q: MetricQueryJson) =>
  `${q.MetricStat.Metric.MetricName}(${q.MetricStat.Metric.Dimensions.map((d) => `${d.Name}=${d.Value}`).join(',')})`;
const empty = (r: RecordedRequest) => cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [], Values: [] })) });

describe('a lag read (metricLevel "lag") through the real SDK clients', () => {
  const SECONDARY_PREFERRED = 'AuroraGlobalDBProgressLag(DBClusterIdentifier=mydbcluster-secondary,SourceRegion=us-east-1)';

  it('asks a second time only for the other lag series of replicas whose preferred one came back empty, and keeps what they return', async () => {
    // Prepare: the global secondary in us-west-2 publishes only its cluster-only series.
    const route: Route = (r) =>
      r.operation !== 'GetMetricData'
        ? fleetRoute(r)
        : cloudwatchResponse({
            MetricDataResults: metricResultsFor(r, (res, q) => (named(q) === SECONDARY_PREFERRED ? { ...res, Timestamps: [], Values: [] } : res)),
          });

    // Act
    const { snapshot, requests } = await readThrough(route, { regions: ['us-east-1', 'us-west-2'], metricLevel: 'lag' });

    // Assess
    expect(metricCalls(requests, 'us-east-1')).toHaveLength(1);
    const west = metricCalls(requests, 'us-west-2').map((r) => queriesOf(r).map(named));
    expect(west).toHaveLength(2);
    expect(west[0]).toContain(SECONDARY_PREFERRED);
    expect(west[1]!.every((n) => n.includes('mydbcluster-secondary') && n !== SECONDARY_PREFERRED)).toBe(true);
    expect(west[1]!.length).toBeGreaterThan(0);
    const secondary = snapshot.regions['us-west-2']!.metrics!.filter((m) => m.dimensions.DBClusterIdentifier === 'mydbcluster-secondary');
    expect(secondary.length).toBe(west[1]!.length);
    expect(snapshot.regions['us-west-2']!.errors).toBeUndefined();
  });

  it('does not ask a region whose first request failed again, while still asking the others', async () => {
    // Prepare: us-west-2's CloudWatch fails; us-east-1 answers with empty series.
    const route: Route = (r) =>
      r.operation !== 'GetMetricData'
        ? fleetRoute(r)
        : r.region === 'us-west-2'
          ? cloudwatchError(500, 'InternalServiceFault', 'InternalServiceError', 'Internal failure', 'Receiver')
          : empty(r);

    // Act
    const { snapshot, requests } = await readThrough(route, { regions: ['us-east-1', 'us-west-2'], metricLevel: 'lag' });

    // Assess: one failed request, one CHECK_DEGRADED error, not two.
    expect(metricCalls(requests, 'us-west-2')).toHaveLength(1);
    expect(snapshot.regions['us-west-2']!.errors?.map((e) => [e.operation, e.code])).toEqual([['cloudwatch:GetMetricData', 'InternalServiceFault']]);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
  });
  it('asks each region once when every preferred series has data, on a lag read as on a full one', async () => {
    // Act
    const lagRead = await readThrough(fleetRoute, { regions: ['us-east-1', 'us-west-2'], metricLevel: 'lag' });
    const fullRead = await readThrough(fleetRoute, { regions: ['us-east-1', 'us-west-2'] });

    // Assess: no second request when the first answer has every preferred series.
    expect(metricCalls(lagRead.requests).map((r) => r.region).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(metricCalls(fullRead.requests).map((r) => r.region).sort()).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('LiveFleetReader requests and defaults', () => {
  it('reads every series (the full level) at the current time unless told otherwise', async () => {
    // Prepare
    const before = Date.now();
    const endpoint = await endpoints.start(fleetRoute);
    const read = (extra: Partial<LiveReaderOptions>) =>
      new LiveFleetReader({ regions: ['us-east-1'], clients: clientsFor(endpoint.url), ...extra }).read();

    // Act
    const byDefault = await read({});
    const defaultCalls = metricCalls(endpoint.requests).map((r) => queriesOf(r).map(named));
    endpoint.requests.length = 0;
    await read({ metricLevel: 'full' });
    const fullCalls = metricCalls(endpoint.requests).map((r) => queriesOf(r).map(named));

    // Assess
    expect(defaultCalls).toEqual(fullCalls);
    expect(Date.parse(byDefault.capturedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(byDefault.capturedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('asks CloudWatch to return every queried series', async () => {
    const { requests } = await readThrough(fleetRoute);

    const queries = metricCalls(requests).flatMap((r) => r.json.MetricDataQueries as { ReturnData?: boolean }[]);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.ReturnData === true)).toBe(true);
  });

  it('sends exactly 500 queries in one GetMetricData call, never an empty second one', async () => {
    // Prepare: 500 MySQL read replicas, one ReplicaLag series each.
    const replica = fixture('rds-api/describe-db-instances-page-2.xml').match(/<DBInstance>[\s\S]*?<\/DBInstance>/)![0];
    const all = Array.from({ length: 500 }, (_, i) => replica.replaceAll('test-instance-repl', `test-instance-repl-${i}`));
    const route: Route = (r) => {
      if (r.operation === 'DescribeDBInstances') {
        const start = Number(r.form.get('Marker') ?? 0);
        const page = all.slice(start, start + 100);
        return rdsResponse('DescribeDBInstances', withMarker(`<DBInstances>${page.join('')}</DBInstances>`, start + 100 < all.length ? String(start + 100) : undefined));
      }
      if (r.operation === 'DescribeDBClusters') return rdsResponse('DescribeDBClusters', '<DBClusters/>');
      if (r.operation === 'DescribeGlobalClusters') return rdsResponse('DescribeGlobalClusters', '<GlobalClusters/>');
      return fleetRoute(r);
    };

    // Act
    const { requests } = await readThrough(route);

    // Assess
    expect(metricCalls(requests).map((r) => queriesOf(r).length)).toEqual([500]);
  });

  it('reads a describe page without its list element as an empty list, not as an error', async () => {
    // Prepare: a region with no global clusters, answered without the GlobalClusters element.
    const route: Route = (r) => (r.operation === 'DescribeGlobalClusters' ? rdsResponse('DescribeGlobalClusters', '') : fleetRoute(r));

    // Act
    const { snapshot } = await readThrough(route);

    // Assess
    expect(snapshot.regions['us-east-1']!.globalClusters).toEqual([]);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
  });

  it('keeps a series CloudWatch answered InternalError on one page failed, whatever a later page says', async () => {
    // Prepare: page 1 InternalError (more to come), page 2 Complete with data.
    const route: Route = (r) =>
      r.operation !== 'GetMetricData'
        ? fleetRoute(r)
        : r.json.NextToken === 'next-1'
          ? cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, StatusCode: 'Complete' })) })
          : cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [], Values: [], StatusCode: 'InternalError' })), NextToken: 'next-1' });

    // Act
    const { snapshot, requests } = await readThrough(route);

    // Assess
    const count = queriesOf(metricCalls(requests)[0]!).length;
    expect(snapshot.regions['us-east-1']!.metrics).toEqual([]);
    expect(snapshot.regions['us-east-1']!.errors?.map((e) => [e.operation, e.code])).toEqual([['cloudwatch:GetMetricData', 'InternalError']]);
    expect(snapshot.regions['us-east-1']!.errors?.[0]?.message).toMatch(new RegExp(`^${count} series returned InternalError`));
  });

  it('names the first three series CloudWatch refused and counts the rest', async () => {
    // Prepare: a fleet of five replicas, every series Forbidden.
    const replica = fixture('rds-api/describe-db-instances-page-2.xml').match(/<DBInstance>[\s\S]*?<\/DBInstance>/)![0];
    const all = Array.from({ length: 5 }, (_, i) => replica.replaceAll('test-instance-repl', `repl-${i}`));
    const route: Route = (r) => {
      if (r.operation === 'DescribeDBInstances') return rdsResponse('DescribeDBInstances', `<DBInstances>${all.join('')}</DBInstances>`);
      if (r.operation === 'DescribeDBClusters') return rdsResponse('DescribeDBClusters', '<DBClusters/>');
      if (r.operation === 'DescribeGlobalClusters') return rdsResponse('DescribeGlobalClusters', '<GlobalClusters/>');
      return cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, StatusCode: 'Forbidden' })) });
    };

    // Act
    const { snapshot, requests } = await readThrough(route);

    // Assess
    const asked = queriesOf(metricCalls(requests)[0]!).map(named);
    expect(asked).toHaveLength(5);
    expect(snapshot.regions['us-east-1']!.errors).toEqual([
      { operation: 'cloudwatch:GetMetricData', code: 'Forbidden', message: `5 series returned Forbidden: ${asked.slice(0, 3).join(', ')} and 2 more` },
    ]);
  });

  it('reports on progress what it read and what failed, with the counts', async () => {
    // Prepare: DescribeGlobalClusters denied.
    const route: Route = (r) =>
      r.operation === 'DescribeGlobalClusters' ? rdsError(403, 'AccessDenied', 'not authorized') : fleetRoute(r);

    // Act
    const { progress, requests } = await readThrough(route, { includeParameters: true, includeAutomatedBackups: true });

    // Assess
    const describePages = requests.filter((r) => r.service === 'rds' && /^Describe(DBInstances|DBClusters|GlobalClusters)$/.test(r.operation)).length;
    const groupCalls = requests.filter((r) => /^DescribeDB(Cluster)?Parameters$/.test(r.operation)).length;
    expect(progress).toContain(`us-east-1: 4 DB instances, 1 clusters, 0 global clusters (${describePages - 1} describe pages)`);
    expect(progress).toContain('us-east-1: rds:DescribeGlobalClusters failed (AccessDenied): not authorized');
    expect(progress).toContain(`us-east-1: 1 DB parameter groups, 1 cluster parameter groups (${groupCalls} calls)`);
    expect(progress.some((m) => /^us-east-1: \d+ automated backups$/.test(m))).toBe(true);
    expect(progress.some((m) => /^us-east-1: \d+ of \d+ metric series with data \(1 GetMetricData calls\)$/.test(m))).toBe(true);
  });

  it('reads backups without parameter groups, adding no error', async () => {
    const { snapshot } = await readThrough(fleetRoute, { includeAutomatedBackups: true });

    expect(snapshot.regions['us-east-1']!.automatedBackups?.length).toBeGreaterThan(0);
    expect(snapshot.regions['us-east-1']!.dbParameters).toBeUndefined();
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
  });

  it('retries a throttled call with its own defaults when no retry options are given', async () => {
    // Prepare: the first DescribeDBClusters is throttled.
    let throttled = false;
    const route: Route = (r) => {
      if (r.operation === 'DescribeDBClusters' && !throttled) {
        throttled = true;
        return rdsError(400, 'Throttling', 'Rate exceeded');
      }
      return fleetRoute(r);
    };

    // Act
    const { snapshot } = await readThrough(route, { retry: undefined });

    // Assess
    expect(throttled).toBe(true);
    expect(snapshot.regions['us-east-1']!.dbClusters).toHaveLength(1);
    expect(snapshot.regions['us-east-1']!.errors).toBeUndefined();
  });

  it('reads parameter groups of the other regions when one region cannot create its clients', async () => {
    // Prepare
    const endpoint = await endpoints.start(fleetRoute);
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'eu-west-1'],
      now: () => NOW_DATE,
      includeParameters: true,
      includeAutomatedBackups: true,
      clients: (region) => {
        if (region === 'eu-west-1') throw new Error('no credentials');
        return clientsFor(endpoint.url)(region);
      },
    });

    // Act
    const snapshot = await reader.read();

    // Assess
    expect(Object.keys(snapshot.regions['us-east-1']!.dbParameters ?? {})).toEqual(['default.mysql8.0']);
    expect(snapshot.regions['eu-west-1']!.errors?.map((e) => e.operation)).toEqual(['rds:DescribeDBInstances']);
  });
  it('turns the metrics of a region whose clients cannot be created into CHECK_DEGRADED, not silence', async () => {
    // Prepare: us-east-1 describes a global database with a secondary in us-west-2, whose clients fail.
    const endpoint = await endpoints.start(fleetRoute);
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'us-west-2'],
      now: () => NOW_DATE,
      clients: (region) => {
        if (region === 'us-west-2') throw new Error('no credentials');
        return clientsFor(endpoint.url)(region);
      },
    });

    // Act
    const snapshot = await reader.read();

    // Assess
    expect(snapshot.regions['us-west-2']!.errors?.map((e) => e.operation)).toEqual(['rds:DescribeDBInstances', 'cloudwatch:GetMetricData']);
    expect(metricCalls(endpoint.requests).map((r) => r.region)).toEqual(['us-east-1']);
  });
});
