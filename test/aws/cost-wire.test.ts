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
import { FLEET_MIXES, planFleetUsage, syntheticFleet } from '../../lambdas/core/cost-fleet';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const stubs: AwsClientStub<RDSClient | CloudWatchClient>[] = [];
afterEach(() => {
  for (const stub of stubs.splice(0)) stub.restore();
});

describe('the cost model and the live reader', () => {
  it.each(FLEET_MIXES)('price exactly the metrics the reader requests on the wire for a %s fleet', async (mix) => {
    // Prepare: the synthetic fleet served by mocked describe calls, every metric answered empty.
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
      cwStub.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
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
});
