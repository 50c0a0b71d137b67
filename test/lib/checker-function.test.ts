import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BUNDLED_CONFIG_FILE, ENV_NAMES, readEnvironment } from '../../lambdas/checker/env';
import { ConfigError, parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { DEFAULT_BASELINE, serializeBaseline } from '../../lambdas/core/rules/drift/baseline';
import { CHILD_PROCESS_TIMEOUT_MS } from '../support/child-process';
import { EXAMPLE_CONFIG, policyStatements, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** The directory of the function's code asset in the cloud assembly. */
function assetDir(app: { outdir: string }, template: Template): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: string } } };
  return join(app.outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

/** A real fleet's config: far more than the 4 KB Lambda allows for all environment variables together. */
const LARGE_CONFIG: ConfigInput = {
  ...EXAMPLE_CONFIG,
  lagOverrides: Array.from({ length: 200 }, (_, i) => ({
    match: { identifier: `analytics-${i}-ro-*`, tags: { team: `team-${i % 12}` } },
    warningSeconds: 600,
    criticalSeconds: 3600,
  })),
  suppressions: Array.from({ length: 40 }, (_, i) => ({
    code: 'LAG_METRIC_MISSING' as const,
    resource: `batch-${i}-*`,
    reason: 'Stopped outside the nightly batch window; no lag to report while stopped.',
  })),
  dr: { identifiers: Array.from({ length: 30 }, (_, i) => `/^payments-${i}-(eu|us)-[0-9]+$/`) },
};

/** The function's environment as deployed, with CloudFormation references as placeholders. */
function functionEnvironment(template: Template): Record<string, unknown> {
  const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  };
  return fn.Properties.Environment.Variables;
}

/** Imports the bundle in a fresh Node.js process, as a cold start does; returns the exit status and stderr. */
function coldStart(bundleFile: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundleFile).href)});`], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      [ENV_NAMES.configFile]: BUNDLED_CONFIG_FILE,
      [ENV_NAMES.tableName]: 'alerts',
      [ENV_NAMES.topicArn]: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      [ENV_NAMES.dashboardName]: 'Guard-ReplicationGuard',
      [ENV_NAMES.dashboardRegion]: 'eu-west-1',
    },
    timeout: CHILD_PROCESS_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
}

describe('CheckerFunction', () => {
  let template: Template;
  let asset: string;
  let bundle: string;
  beforeAll(() => {
    // The one test file that really bundles: the same esbuild run as `cdk synth`, with a large config.
    const { app, template: t } = synthGuard(LARGE_CONFIG, { bundle: true });
    template = t;
    asset = assetDir(app, t);
    bundle = join(asset, 'index.mjs');
  });

  it('reserves no concurrency, which would fail the deploy on accounts with a small concurrency quota', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => (f as { Properties: { Handler?: string } }).Properties.Handler === 'index.handler',
    ) as { Properties: Record<string, unknown> };
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('runs on a current Node.js runtime on arm64, with a timeout and DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
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

  it('receives the table, topic and dashboard through its environment, and only the name of its config file', () => {
    const vars = functionEnvironment(template);

    expect(vars).toEqual({
      REPLGUARD_CONFIG_FILE: 'replguard.config.json',
      ALERT_TABLE_NAME: { Ref: expect.stringMatching(/AlertStates/) },
      ALERT_TOPIC_ARN: { Ref: expect.stringMatching(/Topic/) },
      DASHBOARD_NAME: 'Guard-ReplicationGuard',
      DASHBOARD_REGION: 'eu-west-1',
      DEPLOYMENT_NAME: 'Guard',
    });
    // Far below Lambda's 4 KB, however large the config (resolved ARNs are ~100 bytes each).
    expect(Buffer.byteLength(JSON.stringify(vars))).toBeLessThan(1024);
  });

  it('ships a config of 200 lag overrides inside the package, validated, with the defaults filled in', () => {
    const file = join(asset, BUNDLED_CONFIG_FILE);
    expect(statSync(file).size).toBeGreaterThan(4096);

    // As Lambda sees it: the references resolved to the table name and the topic ARN.
    const deployed = {
      ...functionEnvironment(template),
      ALERT_TABLE_NAME: 'Guard-AlertStates',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:Guard-Topic',
    } as Record<string, string>;
    const shipped = readEnvironment(deployed, (name) => readFileSync(join(asset, name), 'utf8'));

    expect(shipped.config).toEqual(parseConfig(LARGE_CONFIG));
    expect(shipped.config.lagOverrides).toHaveLength(200);
    expect(shipped.config.notifications.reminderHours).toBe(4);
  });

  it('starts from the shipped config, and fails the cold start naming the file when it is missing', () => {
    const broken = mkdtempSync(join(tmpdir(), 'replguard-asset-'));
    cpSync(asset, broken, { recursive: true });
    rmSync(join(broken, BUNDLED_CONFIG_FILE));

    const ok = coldStart(bundle);
    const missing = coldStart(join(broken, 'index.mjs'));

    // A clean cold start: no environment error logged, nothing thrown (a warning on stderr is fine).
    expect(ok.status).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('Checker environment is invalid');
    expect(ok.stderr).not.toMatch(/^\s+at /m);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('Config file replguard.config.json (REPLGUARD_CONFIG_FILE) cannot be read');
    expect(missing.stdout + missing.stderr).toContain('Checker environment is invalid');
  });

  it('has only the permissions it needs, each on its own resource type in this account and the monitored regions', () => {
    const statements = policyStatements(template);
    const read = (action: string) => statements.find((s) => s.Action === action);
    const resources = (action: string) => [read(action)?.Resource].flat().map(flattenCfnReference);

    // The Service Authorization Reference's resource type for each describe call, per monitored region.
    expect(resources('rds:DescribeDBInstances')).toEqual([
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:db:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:db:*',
    ]);
    expect(resources('rds:DescribeDBClusters')).toEqual([
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:cluster:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:cluster:*',
    ]);
    // Global cluster ARNs have no region.
    expect(resources('rds:DescribeGlobalClusters')).toEqual(['arn:<AWS::Partition>:rds::123456789012:global-cluster:*']);
    expect(resources('rds:DescribeDBParameters')).toEqual([
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:pg:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:pg:*',
    ]);
    expect(resources('rds:DescribeDBClusterParameters')).toEqual([
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:cluster-pg:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:cluster-pg:*',
    ]);
    expect(read('rds:DescribeDBInstanceAutomatedBackups')).toBeUndefined();
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
        Action: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/AlertStates/), 'Arn'] },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/Topic/) } }),
    );
    // Nothing broader slipped in: no wildcard actions, no write access to RDS, and "*" only for
    // the two CloudWatch actions that have no resource types.
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
    expect(actions.filter((a) => a.startsWith('rds:') && !a.startsWith('rds:Describe'))).toEqual([]);
    expect(statements.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'cloudwatch:GetMetricData',
      'cloudwatch:PutMetricData',
    ]);
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

    const statements = policyStatements(template);
    const actions = statements.flatMap((s) => [s.Action].flat());

    expect(actions.filter((a) => String(a).startsWith('rds:')).sort()).toEqual([
      'rds:DescribeDBClusters',
      'rds:DescribeDBInstanceAutomatedBackups',
      'rds:DescribeDBInstances',
      'rds:DescribeGlobalClusters',
    ]);
    // Automated backups are an auto-backup or a db resource (both optional in the reference).
    const backups = statements.find((s) => s.Action === 'rds:DescribeDBInstanceAutomatedBackups')!;
    expect([backups.Resource].flat().map(flattenCfnReference)).toEqual([
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:auto-backup:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:auto-backup:*',
      'arn:<AWS::Partition>:rds:us-east-1:123456789012:db:*',
      'arn:<AWS::Partition>:rds:us-west-2:123456789012:db:*',
    ]);
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
