/// <reference types="aws-sdk-client-mock-vitest/extend" />
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes } from 'aws-sdk-client-mock-vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_NAMES } from '../../lambdas/checker/env';

expect.extend({ toHaveReceivedCommandTimes });

const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 'checker',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checker',
    getRemainingTimeInMillis: () => 120_000,
  }) as unknown as Context;

// The stack bundles a custom baseline next to the handler and names it by file name only.
const BASELINE_NAME = `.drift-wiring-baseline-${process.pid}.json`;
const BASELINE_PATH = fileURLToPath(new URL(`../../lambdas/checker/${BASELINE_NAME}`, import.meta.url));

describe('checker handler, drift scope', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const dynamodb = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  let handler: typeof import('../../lambdas/checker/handler').handler;
  const saved = { ...process.env };

  beforeAll(async () => {
    // Prepare: one MySQL database whose parameter group breaks a rule only the custom baseline has.
    const configFile = join(mkdtempSync(join(tmpdir(), 'replguard-handler-drift-')), 'config.json');
    writeFileSync(configFile, JSON.stringify({ regions: ['us-east-1'], notifications: { emails: ['oncall@example.com'] } }));
    writeFileSync(
      BASELINE_PATH,
      JSON.stringify({
        format: 'replguard-baseline/v1',
        entries: [
          { parameter: 'long_query_time', expect: 1, severity: 'critical', reason: 'Team rule.', engine: ['mysql'] },
        ],
      }),
    );
    Object.assign(process.env, {
      [ENV_NAMES.configFile]: configFile,
      [ENV_NAMES.baselineFile]: BASELINE_NAME,
      [ENV_NAMES.tableName]: 'alerts',
      [ENV_NAMES.topicArn]: 'arn:aws:sns:us-east-1:123456789012:alerts',
      [ENV_NAMES.dashboardName]: 'guard',
      [ENV_NAMES.dashboardRegion]: 'us-east-1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'orders',
          DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders',
          Engine: 'mysql',
          EngineVersion: '8.0.39',
          DBInstanceStatus: 'available',
          DBInstanceClass: 'db.r6g.large',
          BackupRetentionPeriod: 7,
          DBParameterGroups: [{ DBParameterGroupName: 'orders-params', ParameterApplyStatus: 'in-sync' }],
        },
        {
          // A replica: a health read would ask CloudWatch for its lag.
          DBInstanceIdentifier: 'orders-ro',
          DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:orders-ro',
          ReadReplicaSourceDBInstanceIdentifier: 'orders',
          Engine: 'mysql',
          EngineVersion: '8.0.39',
          DBInstanceStatus: 'available',
          DBInstanceClass: 'db.r6g.large',
          BackupRetentionPeriod: 0,
          DBParameterGroups: [{ DBParameterGroupName: 'orders-params', ParameterApplyStatus: 'in-sync' }],
        },
      ],
    });
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    rds.on(DescribeDBParametersCommand).resolves({
      Parameters: [{ ParameterName: 'long_query_time', ParameterValue: '10', Source: 'user' }],
    });
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
    rmSync(BASELINE_PATH, { force: true });
    for (const m of [rds, cloudwatch, dynamodb, sns]) m.restore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  });

  it('reads the parameter groups, asks CloudWatch for no lag, and judges them on the deployed baseline', async () => {
    // Act
    const outcome = await handler({ scope: 'drift' }, context('drift-1'));

    // Assess: the group was read, no metric was bought, and the custom rule opened a critical alert.
    expect(rds).toHaveReceivedCommandTimes(DescribeDBParametersCommand, 1);
    expect(rds.commandCalls(DescribeDBParametersCommand)[0]!.args[0].input.DBParameterGroupName).toBe('orders-params');
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    expect(outcome).toMatchObject({ scope: 'drift', replicas: 1, degradedRegions: [], notified: true });
    const published = sns.commandCalls(PublishCommand).map((c) => JSON.stringify(c.args[0].input)).join('\n');
    expect(published).toContain('PARAM_DRIFT');
    expect(published).toContain('long_query_time');
  });
});
