import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { sdkRequestHandler } from '../../lambdas/aws/sdk-client-config';
import { parseConfig } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import { FAKE_CREDENTIALS } from '../support/local-aws-endpoint';
import { fleetRoute, localAwsEndpoints } from '../support/live-aws-fleet';
import { NOW_DATE } from '../support/fleet';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const endpoints = localAwsEndpoints();

// Without timeouts these tests would hang until the test timeout: fail fast instead.
describe('SDK client timeouts against an endpoint that accepts the connection and never answers', { timeout: 8_000 }, () => {
  it('gives a live read a CHECK_DEGRADED within the timeout, and still reports the region that answers', async () => {
    // Prepare: us-east-1 answers, eu-west-1 hangs on every call.
    const endpoint = await endpoints.start((r) => (r.region === 'eu-west-1' ? { hang: true } : fleetRoute(r)));
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'eu-west-1'],
      now: () => NOW_DATE,
      endpoint: endpoint.url,
      timeouts: { connectionMs: 200, requestMs: 300 },
      retry: { sleep: async () => {} },
    });

    // Act
    const started = Date.now();
    const snapshot = await reader.read();
    const elapsedMs = Date.now() - started;

    // Assess: three describe calls, each at most two SDK attempts of 300 ms plus the SDK's backoff.
    expect(elapsedMs).toBeLessThan(4_000);
    expect(snapshot.regions['eu-west-1']!.errors?.map((e) => [e.operation, e.code])).toEqual([
      ['rds:DescribeDBInstances', 'TimeoutError'],
      ['rds:DescribeDBClusters', 'TimeoutError'],
      ['rds:DescribeGlobalClusters', 'TimeoutError'],
    ]);
    const report = evaluate(JSON.parse(JSON.stringify(snapshot)), { config: parseConfig({}) });
    expect(
      report.findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.severity === 'critical').map((f) => f.region),
    ).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
    expect(report.replicas.find((r) => r.id === 'test-instance-repl')).toMatchObject({ region: 'us-east-1', status: 'healthy' });
  });

  it.each([
    ['RDS', (url: string) => new RDSClient(config(url)).send(new DescribeDBInstancesCommand({}))],
    ['CloudWatch', (url: string) => new CloudWatchClient(config(url)).send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [] }))],
    ['DynamoDB', (url: string) => new DynamoDBClient(config(url)).send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'a = :a' }))],
    ['SNS', (url: string) => new SNSClient(config(url)).send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' }))],
  ])('makes the %s client fail with TimeoutError instead of waiting forever', async (_name, call) => {
    // Prepare
    const { url } = await endpoints.start(() => ({ hang: true }));

    // Act
    const started = Date.now();
    const error = await call(url).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    // Assess
    expect(error?.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

const config = (url: string) => ({
  region: 'us-east-1',
  endpoint: url,
  credentials: FAKE_CREDENTIALS,
  maxAttempts: 1,
  requestHandler: sdkRequestHandler({ connectionMs: 200, requestMs: 300 }),
});
