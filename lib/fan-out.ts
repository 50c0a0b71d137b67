/**
 * The fan-out of a large organization on AWS Step Functions: a plan step splits the accounts into
 * shards sized to one reader's time budget, an inline Map runs one reader Lambda per shard (each
 * only reads, and writes its part to S3), then the checker runs once on the merged parts, so there
 * is one alert lifecycle and one notification per run.
 *
 * Limits this design stays inside (docs/organization.md): an inline Map runs at most 40 iterations
 * at once; a state's input or output is at most 256 KiB, so Map items carry shard indexes and the
 * accounts and parts travel through S3; an execution's history is at most 25,000 events.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { ENV_NAMES, BUNDLED_CONFIG_FILE } from '../lambdas/checker/env';
import { accountsPerReader, type ShardBudget } from '../lambdas/core/fleet/shard-plan';
import { FAN_OUT_ENV } from '../lambdas/fanout/fan-out';
import { CrossAccountAccess } from './cross-account-access';
import { bundlingWithFiles, functionLogGroup, stageConfigFile } from './function-support';
import { grantFleetReads } from './member-role';

/** The plan and reader handlers' sources. */
export const FAN_OUT_PLAN_ENTRY = fileURLToPath(new URL('../lambdas/fanout/plan-handler.ts', import.meta.url));
export const FAN_OUT_READER_ENTRY = fileURLToPath(new URL('../lambdas/fanout/reader-handler.ts', import.meta.url));

/** An inline Map runs at most 40 iterations at once ("Using Map state in Inline mode"). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

/** Measured read times the shard budget starts from (bench/fan-out.bench.ts measures them). */
export const DEFAULT_READ_TIMES = { assumeRoleMs: 100, accountRegionReadMs: 1_500 } as const;

/** The event the aggregate step sends the checker: read this run's parts instead of AWS. */
export const FAN_OUT_AGGREGATE_KEY = 'fanOutRun';

export interface FanOutProps {
  readonly config: Config;
  /** The checker: the aggregate step invokes it once with the run's parts. */
  readonly checker: lambda.IFunction;
  /** The checker's role: it reads the parts. */
  readonly checkerRole: iam.IRole;
  /** Source of the plan step's handler (resolves the accounts, calls `planRun`). */
  readonly planEntry: string;
  /** Source of the reader's handler (reads one shard, calls `readShard`). */
  readonly readerEntry: string;
  /**
   * One reader's timeout: a shard still reading then is cut, and its accounts are reported
   * degraded. Shards are sized to fit it with a margin.
   * @default Duration.minutes(4)
   */
  readonly readerTimeout?: Duration;
  /**
   * Shards read at once.
   * @default 40 (the inline Map's most)
   */
  readonly mapConcurrency?: number;
  /**
   * Accounts one reader reads at once.
   * @default CHECKER_ACCOUNT_CONCURRENCY (32)
   */
  readonly accountConcurrency?: number;
  /**
   * The checker's timeout (the aggregate step's task timeout).
   * @default Duration.minutes(2)
   */
  readonly checkerTimeout?: Duration;
  /**
   * Waves of shards a run allows for: with more shards than `mapConcurrency` times this, the run
   * times out (shards are sized to the reader's budget, so this is an organization-size limit).
   * @default 2
   */
  readonly maxWaves?: number;
  /**
   * How long a run's plan and parts are kept.
   * @default Duration.days(1)
   */
  readonly partsExpiry?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** Time a reader keeps free after its budget to write its part. */
const READER_MARGIN = Duration.seconds(20);
/** Time allowed to Step Functions and Lambda around a task before its task timeout fires. */
const TASK_SLACK = Duration.seconds(30);
const PLAN_TIMEOUT = Duration.minutes(2);

/** The shard budget of a reader with this timeout. */
export function readerBudget(readerTimeout: Duration, accountConcurrency: number, regions: number): ShardBudget {
  return {
    readBudgetMs: readerTimeout.toMilliseconds() - READER_MARGIN.toMilliseconds(),
    accountConcurrency,
    regionConcurrency: Math.max(1, regions),
    maxAccountsPerShard: 200,
    times: DEFAULT_READ_TIMES,
  };
}

export interface FanOutDecision {
  /** Accounts a run reads: `expectedAccounts`, or the listed accounts (+ the deploying one). */
  readonly accounts: number;
  /** The most accounts the single checker reads within its timeout. */
  readonly threshold: number;
  readonly fanOut: boolean;
}

/** Time the single checker keeps for evaluating and notifying after reading. */
const CHECKER_OUTPUT_RESERVE = Duration.seconds(30);
/** Accounts one reader reads at once: the live organization reader's default (32 accounts in flight). */
export const CHECKER_ACCOUNT_CONCURRENCY = 32;

/**
 * Whether a config needs the fan-out: more accounts than the single checker reads within its
 * timeout at the measured read times. An organization's size is known only at run time, so it
 * is given (`expectedAccounts`); listed accounts are counted.
 */
export function fanOutDecision(config: Config, options: { readonly checkerTimeout?: Duration; readonly expectedAccounts?: number } = {}): FanOutDecision {
  const checkerTimeout = options.checkerTimeout ?? Duration.minutes(2);
  const accounts = options.expectedAccounts ?? config.accounts.length + (config.includeDeployingAccount ? 1 : 0);
  const threshold = accountsPerReader(config.regions.length, {
    readBudgetMs: checkerTimeout.toMilliseconds() - CHECKER_OUTPUT_RESERVE.toMilliseconds(),
    accountConcurrency: CHECKER_ACCOUNT_CONCURRENCY,
    regionConcurrency: config.regions.length,
    maxAccountsPerShard: Number.MAX_SAFE_INTEGER,
    times: DEFAULT_READ_TIMES,
  });
  return { accounts, threshold, fanOut: accounts > threshold };
}

class FanOutFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { entry: string; description: string; timeout: Duration; configFile: string; environment: Record<string, string>; logRetention?: logs.RetentionDays; removalPolicy?: RemovalPolicy }) {
    super(scope, id);
    const logGroup = functionLogGroup(this, props);
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: props.description,
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { [ENV_NAMES.configFile]: BUNDLED_CONFIG_FILE, ...props.environment },
      bundling: bundlingWithFiles({ [BUNDLED_CONFIG_FILE]: props.configFile }),
    });
  }
}

export class FanOut extends Construct {
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly planFunction: nodejs.NodejsFunction;
  readonly readerFunction: nodejs.NodejsFunction;
  /** The role the member roles must trust beside the checker's. */
  readonly readerRole: iam.IRole;
  readonly budget: ShardBudget;
  /** The state machine's timeout: no run outlives it. */
  readonly runTimeout: Duration;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    const { config } = props;
    const readerTimeout = props.readerTimeout ?? Duration.minutes(4);
    const checkerTimeout = props.checkerTimeout ?? Duration.minutes(2);
    const mapConcurrency = props.mapConcurrency ?? INLINE_MAP_MAX_CONCURRENCY;
    if (!Number.isInteger(mapConcurrency) || mapConcurrency < 1 || mapConcurrency > INLINE_MAP_MAX_CONCURRENCY) {
      throw new Error(`FanOut mapConcurrency must be a whole number from 1 to ${INLINE_MAP_MAX_CONCURRENCY}, the inline Map's most (got ${mapConcurrency})`);
    }
    if (readerTimeout.toSeconds() < 60 || readerTimeout.toSeconds() > 900) {
      throw new Error(`FanOut readerTimeout must be 1 to 15 minutes, Lambda's limit (got ${readerTimeout.toHumanString()})`);
    }
    this.budget = readerBudget(readerTimeout, props.accountConcurrency ?? CHECKER_ACCOUNT_CONCURRENCY, config.regions.length);

    this.bucket = new s3.Bucket(this, 'Runs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: props.partsExpiry ?? Duration.days(1) }],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds one run\'s plan and parts for a day; only the fan-out functions and the checker touch it, and CloudTrail records their calls.',
    });

    const configFile = stageConfigFile(config);
    const common = { configFile, logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    const plan = new FanOutFunction(this, 'Plan', {
      ...common,
      entry: props.planEntry,
      description: 'Replication Guard fan-out: resolves the accounts and splits them into shards',
      timeout: PLAN_TIMEOUT,
      environment: { [FAN_OUT_ENV.bucket]: this.bucket.bucketName, [FAN_OUT_ENV.budget]: JSON.stringify(this.budget) },
    });
    const reader = new FanOutFunction(this, 'Reader', {
      ...common,
      entry: props.readerEntry,
      description: 'Replication Guard fan-out: reads one shard of accounts (read-only) and writes its part',
      timeout: readerTimeout,
      environment: { [FAN_OUT_ENV.bucket]: this.bucket.bucketName },
    });
    this.planFunction = plan.function;
    this.readerFunction = reader.function;
    this.readerRole = reader.role;

    // Plans go in, parts come out; nobody deletes (the lifecycle rule does).
    plan.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WritePlan', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('runs/*/plan.json')] }));
    reader.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadPlan', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('runs/*/plan.json')] }));
    reader.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WritePart', actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('runs/*/part-*.json')] }));
    props.checkerRole.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadRunParts', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('runs/*')] }));
    const bucketArn = `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>`;
    const keys: [iam.IRole, string[]][] = [
      [plan.role, ['runs/*/plan.json']],
      [reader.role, ['runs/*/plan.json', 'runs/*/part-*.json']],
      [props.checkerRole, ['runs/*']],
    ];
    for (const [role, patterns] of keys) {
      for (const pattern of patterns) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${bucketArn}/${pattern}]`,
          reason: `A run's objects are named by its execution at run time; the grant is on the key pattern ${pattern} in the run bucket only.`,
        });
      }
    }
    // Organizations listing for the planner, AssumeRole for the reader; the deploying account is read with the reader's own grants.
    new CrossAccountAccess(this, 'PlanAccess', { config, roles: [plan.role], grants: { assume: false, list: true } });
    new CrossAccountAccess(this, 'ReaderAccess', { config, roles: [reader.role], grants: { assume: true, list: false } });
    if (config.includeDeployingAccount) grantFleetReads(reader, reader.role, config);

    const lambdaErrors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
    const planStep = new tasks.LambdaInvoke(this, 'PlanShards', {
      lambdaFunction: plan.function,
      payload: sfn.TaskInput.fromObject({ runId: sfn.JsonPath.executionName, startedAt: sfn.JsonPath.executionStartTime }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(PLAN_TIMEOUT.plus(TASK_SLACK)),
    });
    planStep.addRetry({ errors: lambdaErrors, maxAttempts: 2, interval: Duration.seconds(2), backoffRate: 2 });

    const readStep = new tasks.LambdaInvoke(this, 'ReadShard', {
      lambdaFunction: reader.function,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      // Past this the shard is cut: its accounts come back degraded, the run goes on.
      taskTimeout: sfn.Timeout.duration(readerTimeout.plus(TASK_SLACK)),
    });
    // Only Lambda's own transient errors are retried: a slow shard retried would double its delay.
    readStep.addRetry({ errors: lambdaErrors, maxAttempts: 2, interval: Duration.seconds(2), backoffRate: 2 });
    const recordFailure = new sfn.Pass(this, 'RecordShardFailure', {
      parameters: {
        'index.$': '$.index',
        'failure.$': "States.Format('{}: {}', $.error.Error, $.error.Cause)",
      },
    });
    readStep.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const map = new sfn.Map(this, 'ReadShards', {
      itemsPath: '$.shards',
      maxConcurrency: mapConcurrency,
      resultPath: '$.results',
    });
    map.itemProcessor(readStep);

    const aggregate = new tasks.LambdaInvoke(this, 'CheckMergedParts', {
      lambdaFunction: props.checker,
      payload: sfn.TaskInput.fromObject({
        [FAN_OUT_AGGREGATE_KEY]: { 'runId.$': '$.runId', 'capturedAt.$': '$.capturedAt', 'results.$': '$.results' },
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(checkerTimeout.plus(TASK_SLACK)),
    });
    aggregate.addRetry({ errors: lambdaErrors, maxAttempts: 2, interval: Duration.seconds(2), backoffRate: 2 });

    const runLogs = new logs.LogGroup(this, 'RunLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // The run's own deadline: planning, the waves of shards and the checker, each with its slack.
    const shardWave = readerTimeout.plus(TASK_SLACK).plus(TASK_SLACK);
    const readWaves = Duration.seconds(shardWave.toSeconds() * (props.maxWaves ?? 2));
    this.runTimeout = PLAN_TIMEOUT.plus(TASK_SLACK).plus(readWaves).plus(checkerTimeout).plus(TASK_SLACK);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(planStep.next(map).next(aggregate)),
      comment: 'Replication Guard: read the organization in shards, then check the merged read once',
      timeout: this.runTimeout,
      tracingEnabled: true,
      logs: { destination: runLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const functionVersions = [plan.function, reader.function, props.checker].map(
      (fn) => `<${Stack.of(this).getLogicalId((fn.node.defaultChild as lambda.CfnFunction))}.Arn>:*`,
    );
    for (const resource of functionVersions) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: 'Added by the Lambda task: lambda:InvokeFunction on the function and its versions and aliases (Function:*), this function only.',
      });
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Added by CDK for X-Ray tracing (xray:PutTraceSegments and friends) and execution logging (logs:CreateLogDelivery and friends): these actions have no resource types.',
    });
  }
}
