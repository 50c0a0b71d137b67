import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/config';
import { DEFAULT_BASELINE, serializeBaseline } from '../../lambdas/core/drift/baseline';
import { EXAMPLE_CONFIG, policyStatements, synthGuard } from './synth';

/** The directory of the function's code asset in the cloud assembly. */
function assetDir(app: { outdir: string }, template: Template): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: string } } };
  return join(app.outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

describe('CheckerFunction', () => {
  let template: Template;
  let bundle: string;
  beforeAll(() => {
    // The one test file that really bundles: the same esbuild run as `cdk synth`.
    const { app, template: t } = synthGuard(EXAMPLE_CONFIG, { bundle: true });
    template = t;
    bundle = join(assetDir(app, t), 'index.mjs');
  });

  it('runs on a current Node.js runtime on arm64, one at a time, with a timeout and DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      Timeout: 120,
      MemorySize: 512,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('logs to its own log group with a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('receives the config, table, topic and dashboard through its environment', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    };
    const vars = fn.Properties.Environment.Variables;
    expect(JSON.parse(vars.REPLGUARD_CONFIG as string)).toEqual(EXAMPLE_CONFIG);
    expect(vars).toMatchObject({
      ALERT_TABLE_NAME: { Ref: expect.stringMatching(/AlertStates/) },
      ALERT_TOPIC_ARN: { Ref: expect.stringMatching(/Topic/) },
      DASHBOARD_NAME: 'Guard-ReplicationGuard',
      DASHBOARD_REGION: 'eu-west-1',
      DEPLOYMENT_NAME: 'Guard',
    });
    expect(vars.REPLGUARD_BASELINE_FILE).toBeUndefined();
  });

  it('has only the permissions it needs, each narrowed by resource or condition', () => {
    const statements = policyStatements(template);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadFleet',
        Action: [
          'rds:DescribeDBInstances',
          'rds:DescribeDBClusters',
          'rds:DescribeGlobalClusters',
          'rds:DescribeDBParameters',
          'rds:DescribeDBClusterParameters',
        ],
        Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'ReadLagMetrics', Action: 'cloudwatch:GetMetricData', Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'PublishOwnMetrics',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'ReplicationGuard' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'AlertStates',
        Action: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/AlertStates/), 'Arn'] },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/Topic/) } }),
    );
    // Nothing broader slipped in: no wildcard actions, no write access to RDS.
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
    expect(actions.filter((a) => a.startsWith('rds:') && !a.startsWith('rds:Describe'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('bundles the handler into one minified ESM file', () => {
    expect(existsSync(bundle)).toBe(true);
    expect(statSync(bundle).size).toBeGreaterThan(10_000);
  });
});

describe('CheckerFunction with options', () => {
  it('asks for automated backups and drops parameter reads only when the config needs them', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, drift: { enabled: false }, dr: { requireReplicatedBackups: true } });

    expect(policyStatements(template)).toContainEqual(
      expect.objectContaining({
        Sid: 'ReadFleet',
        Action: ['rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'rds:DescribeGlobalClusters', 'rds:DescribeDBInstanceAutomatedBackups'],
      }),
    );
  });

  it('ships a custom drift baseline next to the handler, validated at synth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replguard-baseline-'));
    writeFileSync(join(dir, 'team-baseline.json'), JSON.stringify(serializeBaseline(DEFAULT_BASELINE)));
    const { app, template } = synthGuard(
      { ...EXAMPLE_CONFIG, drift: { baseline: 'team-baseline.json' } },
      { bundle: true, props: { baseDirectory: dir } },
    );

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPLGUARD_BASELINE_FILE: 'baseline.json' }) },
    });
    expect(existsSync(join(assetDir(app, template), 'baseline.json'))).toBe(true);
  });

  it('fails synth on a baseline that does not validate, naming the config key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replguard-baseline-'));
    writeFileSync(join(dir, 'broken.json'), '{"format": "something-else"}');

    expect(() => synthGuard({ drift: { baseline: 'broken.json' } }, { props: { baseDirectory: dir } })).toThrow(ConfigError);
    expect(() => synthGuard({ drift: { baseline: 'missing.json' } }, { props: { baseDirectory: dir } })).toThrow(
      /drift\.baseline: cannot read .*missing\.json/,
    );
  });
});
