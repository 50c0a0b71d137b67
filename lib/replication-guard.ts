import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../lambdas/checker/env';
import { ConfigError, parseConfig, type Config, type ConfigInput } from '../lambdas/core/config';
import { BaselineError, parseBaselineText } from '../lambdas/core/rules/drift/baseline';
import { dashboardConsoleUrl } from '../lambdas/core/outputs/notify';
import { AlertStateTable } from './alert-state-table';
import { GuardAlarms } from './alarms';
import { CheckTriggers } from './check-triggers';
import { CheckerFunction } from './checker-function';
import { CrossAccountAccess } from './cross-account-access';
import { GuardDashboard } from './dashboard';
import { FanOut, fanOutDecision, type FanOutDecision } from './fan-out';
import { MemberRoleStackSet, type StackSetCaller } from './member-role';
import { ProbeFunction } from './probe-function';
import { Notifications } from './notifications';
import { SmsDeliveryStatusRole } from './sms-delivery-status';

export interface ReplicationGuardProps {
  /**
   * The replguard config: the same object as the CLI's config file. Validated with the same
   * schema; an invalid config fails synth with the key and the value named.
   */
  readonly config: ConfigInput;
  /**
   * Where the config came from, named in error messages.
   * @default 'config'
   */
  readonly configSource?: string;
  /**
   * Directory that a relative `drift.baseline` path in the config is resolved against
   * (the config file's directory when the config comes from a file).
   * @default process.cwd()
   */
  readonly baseDirectory?: string;
  /**
   * CloudWatch dashboard name.
   * @default - `<stack name>-ReplicationGuard`
   */
  readonly dashboardName?: string;
  /**
   * Prefix of the alarm names (`<prefix>-HeartbeatMissing`, ...): alarm emails and SMS show the
   * name. Set it when one stack holds two guards.
   * @default - the stack name
   */
  readonly alarmNamePrefix?: string;
  /**
   * The account's monthly SMS spend limit in USD (SNS `MonthlySpendLimit`, account-wide): the
   * SmsSpend alarm fires at 80% of it. Set it when you have raised the limit.
   * @default 1 (the limit of a new account)
   */
  readonly smsMonthlySpendLimitUsd?: number;
  /**
   * Checker timeout.
   * @default Duration.minutes(2)
   */
  readonly checkerTimeout?: Duration;
  /**
   * Checker memory in MB (CPU scales with it).
   * @default 512
   */
  readonly checkerMemorySize?: number;
  /**
   * Retention of the checker's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The RDS CA bundle (PEM) the probe functions ship and verify database certificates against;
   * used only with a `probes` section in the config. A path that does not exist fails synth.
   * @default - the Amazon CA file of the Lambda Node.js runtime
   */
  readonly probeCaBundleFile?: string;
  /**
   * Create the member role in every account of `organization.ouIds` with a service-managed
   * StackSet. Turn it off when the role is deployed another way (the standalone template).
   * @default true when the config has an `organization`
   */
  readonly memberRoleStackSet?: boolean;
  /**
   * Who creates the StackSet: `SELF` from the organization's management account,
   * `DELEGATED_ADMIN` from a registered StackSets delegated administrator.
   * @default 'SELF'
   */
  readonly stackSetCallAs?: StackSetCaller;
  /**
   * Fan-out on Step Functions for organizations larger than one checker invocation reads
   * (docs/organization.md): deployed only when the accounts exceed the computed threshold.
   * @default - no fan-out: the single checker reads every account
   */
  readonly fanOut?: ReplicationGuardFanOutProps;
  /**
   * Removal policy of the alert state table, the topic key and the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export interface ReplicationGuardFanOutProps {
  /** The plan step's handler source. */
  readonly planEntry: string;
  /** The shard reader's handler source. */
  readonly readerEntry: string;
  /**
   * Accounts the organization is expected to hold (Organizations is asked only at run time).
   * @default - the listed accounts, plus the deploying account
   */
  readonly expectedAccounts?: number;
  /** @default Duration.minutes(4) */
  readonly readerTimeout?: Duration;
  /** @default 40 */
  readonly mapConcurrency?: number;
}

/** A custom baseline must be valid at synth: a typo should fail the deploy, not the 3 a.m. drift check. */
function checkedBaseline(path: string, source: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid config in ${source}:\n  drift.baseline: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    parseBaselineText(text, path);
  } catch (error) {
    if (error instanceof BaselineError) throw new ConfigError(`Invalid config in ${source}:\n  drift.baseline: ${error.message}`);
    throw error;
  }
  return path;
}

/**
 * Replication Guard in one construct: the checker Lambda and its triggers, CloudWatch metrics,
 * alarms and dashboard, the SNS alert topic with email and SMS, and the alert state table.
 * Put it in any stack; `ReplicationGuardStack` is the ready-made one.
 */
export class ReplicationGuard extends Construct {
  readonly config: Config;
  readonly topic: sns.Topic;
  /**
   * Alarms that page (heartbeat missing, checker errors, failed deliveries, SMS spend), with its
   * own key; email and phones subscribe without a filter.
   */
  readonly pagingTopic: sns.Topic;
  /** The role SNS uses to write SMS delivery-status logs (set account-wide, see docs/deploy.md). */
  readonly smsDeliveryStatusRole: iam.Role;
  private readonly smsDeliveryStatus: SmsDeliveryStatusRole;
  readonly table: dynamodb.Table;
  readonly checker: lambda.Function;
  /** The checker's role: the member roles trust it. */
  readonly checkerRole: iam.IRole;
  /** The StackSet that puts the member role in every target account; only with an `organization`. */
  readonly memberRoleStackSet?: MemberRoleStackSet;
  /** Whether the fan-out is deployed, and why; undefined without a `fanOut` prop. */
  readonly fanOutDecision?: FanOutDecision;
  /** The Step Functions fan-out, when the organization is above the threshold. */
  readonly fanOut?: FanOut;
  readonly deadLetterQueue: sqs.Queue;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: GuardAlarms;
  readonly triggers: CheckTriggers;
  readonly dashboardName: string;
  /** One probe function per `probes.vpcs` entry; empty without a `probes` section. */
  readonly probes: readonly ProbeFunction[];

  constructor(scope: Construct, id: string, props: ReplicationGuardProps) {
    super(scope, id);
    const source = props.configSource ?? 'config';
    // Validated here, shipped to the checker as a file in its package (any size), validated again there.
    this.config = parseConfig(props.config, source);

    const baselineFile = this.config.drift.enabled && this.config.drift.baseline
      ? checkedBaseline(resolve(props.baseDirectory ?? process.cwd(), this.config.drift.baseline), source)
      : undefined;

    this.dashboardName = props.dashboardName ?? `${Stack.of(this).stackName}-ReplicationGuard`;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    const notifications = new Notifications(this, 'Notifications', {
      emails: this.config.notifications.emails,
      smsNumbers: this.config.notifications.smsNumbers,
      removalPolicy,
    });
    this.topic = notifications.topic;
    this.pagingTopic = notifications.pagingTopic;
    this.table = new AlertStateTable(this, 'AlertStates', { removalPolicy }).table;

    const checker = new CheckerFunction(this, 'Checker', {
      config: this.config,
      table: this.table,
      topic: this.topic,
      dashboardName: this.dashboardName,
      baselineFile,
      timeout: props.checkerTimeout,
      memorySize: props.checkerMemorySize,
      logRetention: props.logRetention,
      removalPolicy,
    });
    this.checker = checker.function;
    this.checkerRole = checker.role;
    this.deadLetterQueue = checker.deadLetterQueue;

    const memberReaders: iam.IRole[] = [checker.role];
    if (props.fanOut) {
      const checkerTimeout = props.checkerTimeout ?? Duration.minutes(2);
      this.fanOutDecision = fanOutDecision(this.config, { checkerTimeout, ...(props.fanOut.expectedAccounts !== undefined ? { expectedAccounts: props.fanOut.expectedAccounts } : {}) });
      if (this.fanOutDecision.fanOut) {
        this.fanOut = new FanOut(this, 'FanOut', {
          config: this.config,
          checker: checker.function,
          checkerRole: checker.role,
          planEntry: props.fanOut.planEntry,
          readerEntry: props.fanOut.readerEntry,
          checkerTimeout,
          ...(props.fanOut.readerTimeout ? { readerTimeout: props.fanOut.readerTimeout } : {}),
          ...(props.fanOut.mapConcurrency !== undefined ? { mapConcurrency: props.fanOut.mapConcurrency } : {}),
          ...(props.logRetention ? { logRetention: props.logRetention } : {}),
          removalPolicy,
        });
        memberReaders.push(this.fanOut.readerRole);
        // The aggregate step hands the checker a run: it reads the parts from this bucket.
        checker.function.addEnvironment(ENV_NAMES.runBucket, this.fanOut.bucket.bucketName);
      }
    }
    new CrossAccountAccess(this, 'MemberAccess', { config: this.config, roles: [checker.role] });
    const organization = this.config.organization;
    if (organization && (props.memberRoleStackSet ?? true)) {
      this.memberRoleStackSet = new MemberRoleStackSet(this, 'MemberRole', {
        config: this.config,
        ouIds: organization.ouIds,
        trustedRoleArns: memberReaders.map((r) => r.roleArn),
        ...(props.stackSetCallAs ? { callAs: props.stackSetCallAs } : {}),
      });
    }

    this.probes = (this.config.probes?.vpcs ?? []).map(
      (vpc) =>
        new ProbeFunction(this, `Probe-${vpc.name}`, {
          config: this.config,
          vpcName: vpc.name,
          table: this.table,
          caBundleFile: props.probeCaBundleFile,
          logRetention: props.logRetention,
          removalPolicy,
        }),
    );

    this.triggers = new CheckTriggers(this, 'Triggers', {
      config: this.config,
      checker: this.checker,
      deadLetterQueue: this.deadLetterQueue,
      ...(this.fanOut ? { healthStateMachine: this.fanOut.stateMachine } : {}),
    });
    this.alarms = new GuardAlarms(this, 'Alarms', {
      config: this.config,
      topic: this.topic,
      pagingTopic: this.pagingTopic,
      checker: this.checker,
      deadLetterQueue: this.deadLetterQueue,
      namePrefix: props.alarmNamePrefix ?? Stack.of(this).stackName,
      smsMonthlySpendLimitUsd: props.smsMonthlySpendLimitUsd,
    });
    notifications.allowAlarms(this.topic, this.alarms.names('alerting'));
    notifications.allowAlarms(this.pagingTopic, this.alarms.names('paging'));
    this.smsDeliveryStatus = new SmsDeliveryStatusRole(this, 'SmsDeliveryStatus');
    this.smsDeliveryStatusRole = this.smsDeliveryStatus.role;
    this.dashboard = new GuardDashboard(this, 'Dashboard', {
      config: this.config,
      dashboardName: this.dashboardName,
      alarms: this.alarms.all,
      checker: this.checker,
    }).dashboard;
  }

  /** The one-off command that turns SMS delivery-status logging on with this stack's role. */
  smsDeliveryStatusCommand(): string {
    return this.smsDeliveryStatus.setSmsAttributesCommand();
  }

  /** Console link of the dashboard (region resolved at deploy time). */
  dashboardUrl(): string {
    return dashboardConsoleUrl(Stack.of(this).region, this.dashboardName);
  }
}
