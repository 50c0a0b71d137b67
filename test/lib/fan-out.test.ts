import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { FAN_OUT_AGGREGATE_KEY, fanOutDecision } from '../../lib/fan-out';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// Bundling is skipped in stack tests: any existing source names the handlers.
const FAN_OUT = { planEntry: 'lambdas/fanout/fan-out.ts', readerEntry: 'lambdas/fanout/fan-out.ts' };
const ORG: ConfigInput = { ...EXAMPLE_CONFIG, organization: { ouIds: ['r-ab12'] } };

type States = Record<string, Record<string, unknown>>;

/** The state machine's definition, with every reference to a resource rendered as a placeholder. */
function definition(template: Template): { StartAt: string; TimeoutSeconds: number; States: States } {
  const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
  const body = machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'REF')).join('');
  return JSON.parse(text);
}

describe('fanOutDecision', () => {
  it('puts the threshold at what one checker reads within its timeout', () => {
    // 100 ms AssumeRole + one 1,500 ms wave of regions = 1.6 s an account; 90 s of the 2 min timeout; 32 at once.
    const config = parseConfig(EXAMPLE_CONFIG);

    expect(fanOutDecision(config, { expectedAccounts: 1_792 })).toEqual({ accounts: 1_792, threshold: 1_792, fanOut: false });
    expect(fanOutDecision(config, { expectedAccounts: 1_793 }).fanOut).toBe(true);
    expect(fanOutDecision(config, { expectedAccounts: 1_793, checkerTimeout: Duration.minutes(5) }).fanOut).toBe(false);
  });

  it('counts the listed accounts and the deploying one when no size is given', () => {
    const accounts = Array.from({ length: 3 }, (_, i) => ({ id: String(111111111111 * (i + 1)).slice(0, 12) }));

    expect(fanOutDecision(parseConfig({ ...EXAMPLE_CONFIG, accounts })).accounts).toBe(4);
    expect(fanOutDecision(parseConfig({ ...EXAMPLE_CONFIG, accounts, includeDeployingAccount: false })).accounts).toBe(3);
  });
});

describe('the fan-out state machine', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard(ORG, { props: { fanOut: { ...FAN_OUT, expectedAccounts: 2_000 } } }).template;
  });

  it('plans, reads the shards in an inline Map of at most 40, then runs the checker once on the parts', () => {
    const def = definition(template);

    expect(def.StartAt).toBe('PlanShards');
    expect(def.States.PlanShards).toMatchObject({ Type: 'Task', Next: 'ReadShards', TimeoutSeconds: 150 });
    expect(def.States.PlanShards!.Parameters).toEqual({ 'runId.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' });
    expect(def.States.ReadShards).toMatchObject({ Type: 'Map', ItemsPath: '$.shards', MaxConcurrency: 40, ResultPath: '$.results', Next: 'CheckMergedParts' });
    expect(def.States.CheckMergedParts).toMatchObject({ Type: 'Task', End: true, TimeoutSeconds: 150 });
    expect(def.States.CheckMergedParts!.Parameters).toEqual({
      [FAN_OUT_AGGREGATE_KEY]: { 'runId.$': '$.runId', 'capturedAt.$': '$.capturedAt', 'results.$': '$.results' },
    });
  });

  it("tells the checker where the run's parts are, so the aggregate step can read them", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('checks RDS/Aurora replication health'),
      Environment: { Variables: Match.objectLike({ REPLGUARD_RUN_BUCKET: { Ref: Match.stringLikeRegexp('FanOutRuns') } }) },
    });
  });

  it('cuts a shard at the reader timeout and records it as failed instead of failing the run', () => {
    const processor = (definition(template).States.ReadShards!.ItemProcessor as { StartAt: string; States: States });
    const read = processor.States.ReadShard!;

    expect(processor.StartAt).toBe('ReadShard');
    // 4 min reader + 30 s for Lambda and Step Functions around it.
    expect(read.TimeoutSeconds).toBe(270);
    expect(read.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordShardFailure' }]);
    // Retried only on Lambda's transient errors: a timed-out shard retried would double the delay.
    const retried = (read.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]).flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain('States.Timeout');
    expect(retried).not.toContain('States.ALL');
    expect(retried).toContain('Lambda.TooManyRequestsException');
    expect(processor.States.RecordShardFailure).toEqual({
      Type: 'Pass',
      Parameters: { 'index.$': '$.index', 'failure.$': "States.Format('{}: {}', $.error.Error, $.error.Cause)" },
      End: true,
    });
  });

  it('bounds the whole run, traces it and logs it', () => {
    // Plan 150 s + two waves of (240 + 60) s + checker 150 s.
    expect(definition(template).TimeoutSeconds).toBe(150 + 600 + 150);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('reads one shard'), Timeout: 240 });
  });

  it('keeps the parts in an encrypted, TLS-only, private bucket that forgets them after a day', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 1, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('starts from the health schedule, and the member roles trust the shard reader too', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('FanOutStateMachine') } })],
    });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      Parameters: [{
        ParameterKey: 'TrustedRoleArns',
        ParameterValue: { 'Fn::Join': [',', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('CheckerRole'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('FanOutReaderRole'), 'Arn'] }]] },
      }],
    });
  });

  it('gives the planner the Organizations listing but no AssumeRole, and the reader AssumeRole but no listing', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, p]) => ({ id, json: JSON.stringify(p) }));
    const of = (pattern: RegExp) => policies.filter((p) => pattern.test(p.id)).map((p) => p.json).join('');

    expect(of(/FanOutPlanAccess/)).toContain('organizations:ListAccountsForParent');
    expect(of(/FanOutPlanAccess/)).not.toContain('sts:AssumeRole');
    expect(of(/FanOutReaderAccess/)).toContain('sts:AssumeRole');
    expect(of(/FanOutReaderAccess/)).not.toContain('organizations:');
  });

  it('lets the reader read the deploying account itself with the reader\'s calls, scoped to it', () => {
    const reads = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => /FanOutReaderReadPolicy/.test(id));

    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0]![1])).toContain('rds:DescribeDBInstances');
    expect(JSON.stringify(reads[0]![1])).toContain(':123456789012:db:*');
  });

  it('refuses a Map concurrency above the inline Map\'s 40 and a reader timeout Lambda cannot run', () => {
    expect(() => synthGuard(ORG, { props: { fanOut: { ...FAN_OUT, expectedAccounts: 2_000, mapConcurrency: 41 } } })).toThrow(
      /mapConcurrency must be a whole number from 1 to 40, the inline Map's most \(got 41\)/,
    );
    expect(() => synthGuard(ORG, { props: { fanOut: { ...FAN_OUT, expectedAccounts: 2_000, readerTimeout: Duration.minutes(20) } } })).toThrow(
      /readerTimeout must be 1 to 15 minutes/,
    );
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const { app } = synthGuard(ORG, { props: { fanOut: { ...FAN_OUT, expectedAccounts: 2_000 } } });

    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('is not deployed below the threshold: the schedule invokes the checker', () => {
    const { template: small } = synthGuard(ORG, { props: { fanOut: { ...FAN_OUT, expectedAccounts: 40 } } });

    small.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    small.resourceCountIs('AWS::S3::Bucket', 0);
    small.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CheckerFunction'), 'Arn'] } })],
    });
  });
});
