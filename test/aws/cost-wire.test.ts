import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { FLEET_MIXES, planFleetUsage, syntheticFleet } from '../../lambdas/core/outputs/cost-fleet';
import { DEFAULT_CONFIG } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const stubs: AwsClientStub<RDSClient | CloudWatchClient>[] = [];
afterEach(() => {
  for (const stub of stubs.splice(0)) stub.restore();
});

describe('the cost model and the live reader', () => {
  it.each(FLEET_MIXES)('price exactly the metrics the reader requests on the wire for a %s fleet', async (mix) => {
    // Prepare: the synthetic fleet served by mocked describe calls, every metric answered with a calm datapoint.
    const snapshot = syntheticFleet(mix, 41, ['us-east-1', 'eu-west-1']);
    const cloudwatchStubs = new Map<string, AwsClientStub<CloudWatchClient>>();
    const clients = (region: string) => {
      const data = snapshot.regions[region]!;
      const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
      const rds = new RDSClient({ region, credentials });
      const cloudwatch = new CloudWatchClient({ region, credentials });
      const rdsStub = mockClient(rds);
      rdsStub.on(DescribeDBInstancesCommand).resolves({ DBInstances: data.dbInstances as never });
      rdsStub.on(DescribeDBClustersCommand).resolves({ DBClusters: data.dbClusters as never });
      rdsStub.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: data.globalClusters as never });
      const cwStub = mockClient(cloudwatch);
      cwStub.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, Timestamps: [input.EndTime], Values: [0], StatusCode: 'Complete' })),
      }));
      stubs.push(rdsStub, cwStub);
      cloudwatchStubs.set(region, cwStub);
      return { rds, cloudwatch };
    };

    // Act
    await new LiveFleetReader({ regions: Object.keys(snapshot.regions), clients }).read();

    // Assess
    const requested = [...cloudwatchStubs.values()]
      .flatMap((stub) => stub.commandCalls(GetMetricDataCommand))
      .reduce((n, call) => n + ((call.args[0].input as GetMetricDataCommandInput).MetricDataQueries ?? []).length, 0);
    expect(requested).toBe(planFleetUsage(snapshot, mix).metricsPerHealthRun);
    expect(requested).toBeGreaterThanOrEqual(41);
  });

  it('a full read of a fleet whose preferred series are all empty asks again for the rest, in a second request', async () => {
    // Prepare: nothing answers but the cluster-only dimension sets.
    const snapshot = syntheticFleet('global', 4, ['us-east-1', 'us-west-2']);
    const aws = mocked(snapshot, (dimensions) => dimensions.SourceRegion === undefined);

    // Act
    const read = await new LiveFleetReader({ regions: Object.keys(snapshot.regions), clients: aws.clients }).read();
    const report = evaluate(read, { config: DEFAULT_CONFIG, scope: 'health', reads: 'full' });

    // Assess: more than the healthy fleet's one request per region, and every secondary judged.
    expect(aws.requested().reduce((a, b) => a + b, 0)).toBeGreaterThan(planFleetUsage(snapshot, 'global').metricsPerHealthRun);
    expect(report.findings.filter((f) => f.code === 'LAG_METRIC_MISSING')).toEqual([]);
    expect(report.replicas.filter((r) => r.kind === 'aurora-global-secondary').map((r) => r.lagSeconds)).toEqual([0.1, 0.1]);
  });

  /** Mocked clients for a snapshot; CloudWatch answers 10 minutes of datapoints for the queries `answers` accepts. */
  function mocked(snapshot: FleetSnapshot, answers: (dimensions: Record<string, string>) => boolean) {
    const cloudwatchStubs: AwsClientStub<CloudWatchClient>[] = [];
    const clients = (region: string) => {
      const data = snapshot.regions[region]!;
      const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
      const rds = new RDSClient({ region, credentials });
      const cloudwatch = new CloudWatchClient({ region, credentials });
      const rdsStub = mockClient(rds);
      rdsStub.on(DescribeDBInstancesCommand).resolves({ DBInstances: data.dbInstances as never });
      rdsStub.on(DescribeDBClustersCommand).resolves({ DBClusters: data.dbClusters as never });
      rdsStub.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: data.globalClusters as never });
      const cwStub = mockClient(cloudwatch);
      cwStub.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? [])
          .filter((q) => answers(Object.fromEntries((q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [d.Name!, d.Value!]))))
          .map((q) => ({
            Id: q.Id,
            Timestamps: Array.from({ length: 10 }, (_, i) => new Date(Date.parse(input.EndTime as unknown as string) - (10 - i) * 60_000)),
            Values: Array.from({ length: 10 }, () => 100),
            StatusCode: 'Complete',
          })),
      }));
      stubs.push(rdsStub, cwStub);
      cloudwatchStubs.push(cwStub);
      return { rds, cloudwatch };
    };
    const requested = () =>
      cloudwatchStubs
        .flatMap((stub) => stub.commandCalls(GetMetricDataCommand))
        .map((call) => ((call.args[0].input as GetMetricDataCommandInput).MetricDataQueries ?? []).length);
    return { clients, requested };
  }

  it('a lag read asks for one series per replica when each has data', async () => {
    const snapshot = syntheticFleet('global', 40, ['us-east-1', 'us-west-2']);
    const aws = mocked(snapshot, () => true);

    await new LiveFleetReader({ regions: Object.keys(snapshot.regions), clients: aws.clients, metricLevel: 'lag' }).read();

    expect(aws.requested().reduce((a, b) => a + b, 0)).toBe(planFleetUsage(snapshot, 'global').metricsPerRunByLevel.lag);
    expect(planFleetUsage(snapshot, 'global').metricsPerRunByLevel.lag).toBe(40);
  });

  it('a lag read finds a secondary published without SourceRegion in a second request, and judges its lag', async () => {
    // Prepare: the secondaries publish only the cluster-only dimension set.
    const snapshot = syntheticFleet('global', 4, ['us-east-1', 'us-west-2']);
    const aws = mocked(snapshot, (dimensions) => dimensions.SourceRegion === undefined);

    // Act
    const read = await new LiveFleetReader({ regions: Object.keys(snapshot.regions), clients: aws.clients, metricLevel: 'lag' }).read();
    const report = evaluate(read, { config: DEFAULT_CONFIG, scope: 'health', reads: 'lag' });

    // Assess: a second, smaller request per region with secondaries; lag known, nothing missing.
    expect(aws.requested().length).toBeGreaterThan(2);
    expect(report.findings.filter((f) => f.code === 'LAG_METRIC_MISSING')).toEqual([]);
    expect(report.replicas.filter((r) => r.kind === 'aurora-global-secondary').map((r) => r.lagSeconds)).toEqual([0.1, 0.1]);
  });
});
