/// <reference types="aws-sdk-client-mock-vitest/extend" />
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes } from 'aws-sdk-client-mock-vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV_NAMES } from '../../lambdas/checker/env';

// Loads the handler module with its SDK clients; local servers.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

expect.extend({ toHaveReceivedCommandTimes });

const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 'checker',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checker',
    getRemainingTimeInMillis: () => 120_000,
  }) as unknown as Context;

describe('checker handler', () => {
  // Every client the module creates at init is mocked, whatever its region.
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const dynamodb = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  let handler: typeof import('../../lambdas/checker/handler').handler;

  beforeAll(async () => {
    // The stack ships the config inside the package; here it is a file elsewhere, named by absolute path.
    const configFile = join(mkdtempSync(join(tmpdir(), 'replguard-handler-')), 'config.json');
    writeFileSync(configFile, JSON.stringify({ regions: ['us-east-1', 'eu-west-1'], notifications: { emails: ['oncall@example.com'] } }));
    const env: Record<string, string> = {
      [ENV_NAMES.configFile]: configFile,
      [ENV_NAMES.tableName]: 'alerts',
      [ENV_NAMES.topicArn]: 'arn:aws:sns:us-east-1:123456789012:alerts',
      [ENV_NAMES.dashboardName]: 'guard',
      [ENV_NAMES.dashboardRegion]: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    // Powertools adds its user agent to this variable when the handler imports it: stubbed so it is restored.
    vi.stubEnv('AWS_SDK_UA_APP_ID', process.env.AWS_SDK_UA_APP_ID);
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    cloudwatch.on(PutMetricDataCommand).resolves({});
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    dynamodb.on(GetItemCommand).resolves({});
    dynamodb.on(PutItemCommand).resolves({});
    dynamodb.on(DeleteItemCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    ({ handler } = await import('../../lambdas/checker/handler'));
  });
  afterAll(() => {
    for (const m of [rds, cloudwatch, dynamodb, sns]) m.restore();
    vi.unstubAllEnvs();
  });

  it('runs the scheduled health check over every configured region', async () => {
    const outcome = await handler({ scope: 'health' }, context('req-1'));

    expect(outcome).toMatchObject({ scope: 'health', replicas: 0, notified: false });
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 2);
    expect(cloudwatch).toHaveReceivedCommandTimes(PutMetricDataCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('holds the health run lease for the run, outliving the invocation, and gives it back', async () => {
    dynamodb.resetHistory();
    // The lease item as last written, so giving it back reads what taking it wrote.
    let leaseItem: Record<string, unknown> | undefined;
    dynamodb.on(PutItemCommand).callsFake((input: { Item: Record<string, { S?: string }> }) => {
      if (input.Item.pk?.S === '#lease') leaseItem = input.Item;
      return {};
    });
    dynamodb.on(GetItemCommand).callsFake(() => ({ Item: leaseItem }));
    const before = Date.now();

    await handler({ scope: 'health' }, context('req-3'));

    const put = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input).find((i) => i.Item?.pk?.S === '#lease');
    expect(put?.Item).toMatchObject({ sk: { S: 'health' }, holder: { S: 'req-3' } });
    // Remaining time (120 s) plus a margin.
    expect(Number(put!.Item!.until!.N)).toBeGreaterThanOrEqual(before + 150_000);
    // Given back: the item stays, without a holder, recording the run's start as covered.
    const leaseWrites = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input).filter((i) => i.Item?.pk?.S === '#lease');
    expect(leaseWrites).toHaveLength(2);
    expect(leaseWrites[1]!.Item).toMatchObject({ sk: { S: 'health' }, checkedFrom: put!.Item!.startedAt });
    expect(leaseWrites[1]!.Item!.holder).toBeUndefined();
  });

  it('runs a health check for an RDS replication event', async () => {
    const outcome = await handler(
      {
        id: 'e-1',
        version: '0',
        account: '123456789012',
        time: '2026-11-24T10:00:00Z',
        region: 'us-east-1',
        resources: [],
        source: 'aws.rds',
        'detail-type': 'RDS DB Instance Event',
        detail: { EventID: 'RDS-EVENT-0045', SourceIdentifier: 'orders-ro-1' },
      },
      context('req-2'),
    );

    expect(outcome.scope).toBe('health');
  });
});
