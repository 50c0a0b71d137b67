/// <reference types="aws-sdk-client-mock-vitest/extend" />
/**
 * The deployed handler's wiring, through the module as Lambda loads it: its readers, the custom
 * baseline bundled next to it, the configured reminder interval and the confirmation retries.
 * RDS, CloudWatch and SNS are mocked at the SDK client; the alert table is dynalite, reached by
 * the handler's own DynamoDB client through AWS_ENDPOINT_URL_DYNAMODB.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
  type Parameter as RdsParameter,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes, toHaveReceivedCommandWith } from 'aws-sdk-client-mock-vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV_NAMES } from '../../lambdas/checker/env';
import { CheckOutputError, CONFIRM_ATTEMPTS } from '../../lambdas/checker/run-check';
import { parseConfig } from '../../lambdas/core/config';
import { parseBaselineText, type Baseline } from '../../lambdas/core/rules/drift/baseline';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { DbInstance, Parameter } from '../../lambdas/core/fleet/model';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import { fleet, instance, NOW, replica } from '../support/fleet';

// Loads the handler module with its SDK clients; local servers.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

expect.extend({ toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

/** Files "bundled next to the handler", by name: the handler reads them from its own directory. */
const bundled = vi.hoisted(() => new Map<string, string>());
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const redirect = (path: unknown) => {
    const text = String(path);
    const name = text.slice(text.lastIndexOf('/') + 1);
    return text.includes('/lambdas/checker/') && bundled.has(name) ? bundled.get(name)! : path;
  };
  const readFileSync = ((path: unknown, ...rest: unknown[]) =>
    (actual.readFileSync as (...args: unknown[]) => unknown)(redirect(path), ...rest)) as typeof actual.readFileSync;
  return { ...actual, default: { ...actual, readFileSync }, readFileSync };
});

const HOUR = 3_600_000;
const T0 = Date.parse(NOW);
const REMINDER_HOURS = 2;
const GROUP = 'users-pg16';

const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 'checker',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checker',
    getRemainingTimeInMillis: () => 120_000,
  }) as unknown as Context;

const pg = { Engine: 'postgres', EngineVersion: '16.4', DBParameterGroups: [{ DBParameterGroupName: GROUP, ParameterApplyStatus: 'in-sync' }] };
const PARAMETERS: Parameter[] = [
  { ParameterName: 'log_min_duration_statement', ParameterValue: '-1', Source: 'user', ApplyType: 'dynamic', DataType: 'integer', IsModifiable: true },
];
/** Requires what the shipped default baseline does not: slow-statement logging on every PostgreSQL database. */
const CUSTOM_BASELINE = {
  format: 'replguard-baseline/v1',
  entries: [
    {
      parameter: 'log_min_duration_statement',
      expect: { min: 0 },
      severity: 'warning',
      reason: 'Slow statements must be logged on every database.',
      engine: 'postgres',
    },
  ],
};

describe('checker handler wiring', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const sns = mockClient(SNSClient);
  let dynamo: LocalDynamo;
  let handler: typeof import('../../lambdas/checker/handler').handler;
  let instances: DbInstance[] = [];
  /** Lag each replica reports, one datapoint a minute for the ten minutes before the request's EndTime. */
  let lagSeconds: Record<string, number> = {};

  beforeAll(async () => {
    dynamo = await startDynalite();
    const table = await dynamo.createAlertTable();
    const dir = mkdtempSync(join(tmpdir(), 'replguard-wiring-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ regions: ['us-east-1'], notifications: { emails: ['oncall@example.com'], reminderHours: REMINDER_HOURS } }),
    );
    const baselineFile = join(dir, 'custom-baseline.json');
    writeFileSync(baselineFile, JSON.stringify(CUSTOM_BASELINE));
    bundled.set('baseline.json', baselineFile);

    const env: Record<string, string> = {
      [ENV_NAMES.configFile]: configFile,
      [ENV_NAMES.tableName]: table,
      [ENV_NAMES.topicArn]: 'arn:aws:sns:us-east-1:123456789012:alerts',
      [ENV_NAMES.dashboardName]: 'guard',
      [ENV_NAMES.dashboardRegion]: 'us-east-1',
      [ENV_NAMES.baselineFile]: 'baseline.json',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    // Powertools adds its user agent to this variable when the handler imports it: stubbed so it is restored.
    vi.stubEnv('AWS_SDK_UA_APP_ID', process.env.AWS_SDK_UA_APP_ID);

    rds.on(DescribeDBInstancesCommand).callsFake(() => ({ DBInstances: instances }));
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    // The same values the SDK would return (its ApplyMethod is an enum; the snapshot model takes strings).
    rds.on(DescribeDBParametersCommand).resolves({ Parameters: PARAMETERS as RdsParameter[] });
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const end = (input.EndTime as Date).getTime();
      return {
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
          const dims = q.MetricStat?.Metric?.Dimensions ?? [];
          const id = dims.find((d) => d.Name === 'DBInstanceIdentifier')?.Value ?? '';
          const value = q.MetricStat?.Metric?.MetricName === 'ReplicaLag' ? lagSeconds[id] : undefined;
          const points = value === undefined ? 0 : 10;
          return {
            Id: q.Id,
            StatusCode: 'Complete',
            Timestamps: Array.from({ length: points }, (_, i) => new Date(end - (points - i) * 60_000)),
            Values: Array.from({ length: points }, () => value!),
          };
        }),
      };
    });
    cloudwatch.on(PutMetricDataCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm' });

    ({ handler } = await import('../../lambdas/checker/handler'));
  });

  afterAll(async () => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
    for (const m of [rds, cloudwatch, sns]) m.restore();
    await dynamo?.close();
  });

  const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
  const email = (input: { Message?: string }) => (JSON.parse(input.Message!) as { email: string }).email;

  it('a drift run reads the parameter groups, requests no metric, and applies the bundled custom baseline', async () => {
    // Prepare
    instances = [instance('users', { ...pg, ReadReplicaDBInstanceIdentifiers: ['users-ro'] }), replica('users-ro', 'users', pg)];
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);

    // Act
    const outcome = await handler({ scope: 'drift' }, context('drift-1'));

    // Assess
    expect(outcome).toMatchObject({ scope: 'drift', notified: true });
    expect(rds).toHaveReceivedCommandWith(DescribeDBParametersCommand, { DBParameterGroupName: GROUP });
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
    const [message] = published();
    for (const db of ['users', 'users-ro']) {
      expect(email(message!)).toContain(`PARAM_DRIFT on ${db} (us-east-1, account 123456789012)`);
    }
    expect(email(message!)).toContain('log_min_duration_statement');
    // Without the custom baseline the same fleet has no such finding: it came from the bundled file.
    const snapshot = fleet({ 'us-east-1': { dbInstances: instances, dbParameters: { [GROUP]: PARAMETERS } } });
    const drifted = (baseline?: Baseline) =>
      evaluate(snapshot, { config: parseConfig({ regions: ['us-east-1'] }), scope: 'drift', ...(baseline ? { baseline } : {}) })
        .findings.filter((f) => f.code === 'PARAM_DRIFT' && f.evidence.parameterName === 'log_min_duration_statement')
        .map((f) => f.resource)
        .sort();
    expect(drifted()).toEqual([]);
    expect(drifted(parseBaselineText(JSON.stringify(CUSTOM_BASELINE), 'custom'))).toEqual(['users', 'users-ro']);
  });

  it(`reminds of an open alert ${REMINDER_HOURS} h (reminderHours) after it last notified, not before`, async () => {
    // Prepare: a replica 900 s behind, over the critical threshold.
    instances = [instance('users', { ...pg, ReadReplicaDBInstanceIdentifiers: ['users-ro'] }), replica('users-ro', 'users', pg)];
    lagSeconds = { 'users-ro': 900 };
    sns.resetHistory();
    cloudwatch.resetHistory();
    vi.setSystemTime(T0);

    // Act
    const opened = await handler({ scope: 'health' }, context('health-1'));
    vi.setSystemTime(T0 + REMINDER_HOURS * HOUR - 60_000);
    const early = await handler({ scope: 'health' }, context('health-2'));
    vi.setSystemTime(T0 + REMINDER_HOURS * HOUR);
    const due = await handler({ scope: 'health' }, context('health-3'));

    // Assess
    // Each run (a manual one reads in full): the first request, then the lagging PostgreSQL replica's source WAL rate.
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 6);
    expect(opened.transitions).toEqual({ opened: 1 });
    expect(early).toMatchObject({ transitions: {}, notified: false });
    expect(due).toMatchObject({ transitions: { reminder: 1 }, notified: true });
    const sent = published();
    expect(sent).toHaveLength(2);
    expect(email(sent[1]!)).toContain('REPLICA_LAG_HIGH on users-ro (us-east-1, account 123456789012)');
    expect(email(sent[1]!)).toContain(`reminder every ${REMINDER_HOURS} h`);
  });

  it(`fails the run when the confirmation of sent news fails ${CONFIRM_ATTEMPTS} times, after the news went out`, async () => {
    // Prepare: a second replica starts lagging; every confirmation write fails.
    instances = [
      instance('users', { ...pg, ReadReplicaDBInstanceIdentifiers: ['users-ro', 'users-ro-2'] }),
      replica('users-ro', 'users', pg),
      replica('users-ro-2', 'users', pg),
    ];
    lagSeconds = { 'users-ro': 900, 'users-ro-2': 900 };
    sns.resetHistory();
    vi.setSystemTime(T0 + REMINDER_HOURS * HOUR + 60_000);
    const send = DynamoDBClient.prototype.send;
    let confirmations = 0;
    const spy = vi.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(function (this: DynamoDBClient, ...args: unknown[]) {
      const [command] = args as [PutItemCommand];
      if (command instanceof PutItemCommand && command.input.ConditionExpression === '#version = :claimed AND #last = :id') {
        confirmations++;
        return Promise.reject(new Error('ProvisionedThroughputExceededException: rate of requests exceeds the allowed throughput'));
      }
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as typeof send);

    // Act
    const run = handler({ scope: 'health' }, context('health-4'));

    // Assess
    await expect(run).rejects.toThrow(CheckOutputError);
    await expect(run).rejects.toThrow(/alert states: ProvisionedThroughputExceededException/);
    spy.mockRestore();
    expect(confirmations).toBe(CONFIRM_ATTEMPTS);
    const sent = published();
    expect(sent).toHaveLength(1);
    expect(email(sent[0]!)).toContain('REPLICA_LAG_HIGH on users-ro-2 (us-east-1, account 123456789012)');
  });
});
