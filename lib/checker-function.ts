import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { BUNDLED_CONFIG_FILE, ENV_NAMES } from '../lambdas/checker/env';
import { CHECKER_ENTRY } from './checker-bundle';
import { bundlingWithFiles, deadLetterQueue, functionLogGroup, stageConfigFile } from './function-support';
import { iamNagArn } from './nag-names';

/** Name of the custom drift baseline inside the function package. */
export const BUNDLED_BASELINE = 'baseline.json';

export interface CheckerFunctionProps {
  /** The validated config; shipped inside the function package as `BUNDLED_CONFIG_FILE`. */
  readonly config: Config;
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly dashboardName: string;
  /**
   * A drift baseline file (already validated) to bundle next to the handler.
   * @default - the shipped default baseline
   */
  readonly baselineFile?: string;
  /** @default Duration.minutes(2) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The checker Lambda with its role, log group and dead-letter queue. No reserved concurrency:
 * Lambda only lets you reserve what leaves 100 unreserved, which fails the deploy on accounts
 * with a small concurrency quota. Runs of one scope are kept apart by a lease in the alert
 * table instead (lambdas/core/outputs/run-lease).
 */
export class CheckerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Invocations that failed every retry land here. */
  readonly deadLetterQueue: sqs.Queue;
  /** The CloudWatch grants, the role's only ones on "*". */
  readonly metricsPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: CheckerFunctionProps) {
    super(scope, id);
    const { config } = props;
    const configFile = stageConfigFile(config);

    this.logGroup = functionLogGroup(this, props);
    this.deadLetterQueue = deadLetterQueue(this, 'the checker function and its event rules');

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Replication Guard checker: reads RDS and CloudWatch, writes its metrics, alert states and notifications',
    });
    this.logGroup.grantWrite(this.role);
    props.topic.grantPublish(this.role);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Added by topic.grantPublish for the KMS-encrypted alert topic: SNS needs kms:GenerateDataKey* (data keys of ' +
        'any spec) to encrypt a publish; the statement is limited to the topic key.',
    });

    const regions = [...config.regions];
    const { account, partition } = Stack.of(this);
    const rds = (resourceType: string, region: string) => `arn:${partition}:rds:${region}:${account}:${resourceType}:*`;
    const inRegions = (resourceType: string) => regions.map((region) => rds(resourceType, region));
    // Each describe call on the resource type the Service Authorization Reference names for it,
    // in this account and the monitored regions only. List calls need a wildcard over names.
    const reads: { action: string; resources: string[] }[] = [
      { action: 'rds:DescribeDBInstances', resources: inRegions('db') },
      { action: 'rds:DescribeDBClusters', resources: inRegions('cluster') },
      // Global cluster ARNs have no region.
      { action: 'rds:DescribeGlobalClusters', resources: [rds('global-cluster', '')] },
    ];
    if (config.drift.enabled) {
      reads.push(
        { action: 'rds:DescribeDBParameters', resources: inRegions('pg') },
        { action: 'rds:DescribeDBClusterParameters', resources: inRegions('cluster-pg') },
      );
    }
    if (config.dr.requireReplicatedBackups) {
      reads.push({ action: 'rds:DescribeDBInstanceAutomatedBackups', resources: [...inRegions('auto-backup'), ...inRegions('db')] });
    }
    for (const { action, resources } of reads) {
      this.role.addToPolicy(new iam.PolicyStatement({ sid: action.replace('rds:', 'Rds'), actions: [action], resources }));
      for (const resource of resources) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${iamNagArn(resource, this)}]`,
          reason: `${action} lists every resource of its type: the wildcard is over names only, in this account and a monitored region.`,
        });
      }
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AlertStates',
        // GetItem and UpdateItem: the run lease (read it; an event asks the run in progress for a follow-up).
        actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
      }),
    );

    // The only grants on "*": CloudWatch GetMetricData and PutMetricData have no resource types.
    // They live in a policy of their own so that the acknowledgement below covers exactly them:
    // a wildcard grant added to the role's default policy later fails cdk-nag.
    this.metricsPolicy = new iam.Policy(this, 'MetricsPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadLagMetrics',
          actions: ['cloudwatch:GetMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
        }),
        new iam.PolicyStatement({
          sid: 'PublishOwnMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': config.metrics.namespace } },
        }),
      ],
    });
    Validations.of(this.metricsPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData and cloudwatch:PutMetricData have no resource types in the Service Authorization Reference, ' +
        'so they need "*"; each is narrowed by condition (aws:RequestedRegion to the monitored regions, cloudwatch:namespace ' +
        'to the configured namespace). This policy holds nothing else.',
    });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Replication Guard: checks RDS/Aurora replication health and parameter drift',
      entry: CHECKER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      // A run reads every region in parallel; drift runs also page through parameter groups.
      timeout: props.timeout ?? Duration.minutes(2),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: 2,
      // A check queued for longer than this reads a fleet the next scheduled run reads anyway.
      maxEventAge: Duration.hours(1),
      environment: {
        [ENV_NAMES.configFile]: BUNDLED_CONFIG_FILE,
        [ENV_NAMES.tableName]: props.table.tableName,
        [ENV_NAMES.topicArn]: props.topic.topicArn,
        [ENV_NAMES.dashboardName]: props.dashboardName,
        [ENV_NAMES.dashboardRegion]: Stack.of(this).region,
        [ENV_NAMES.deploymentName]: Stack.of(this).stackName,
        ...(props.baselineFile ? { [ENV_NAMES.baselineFile]: BUNDLED_BASELINE } : {}),
      },
      bundling: bundlingWithFiles({
        [BUNDLED_CONFIG_FILE]: configFile,
        ...(props.baselineFile ? { [BUNDLED_BASELINE]: props.baselineFile } : {}),
      }),
    });
  }
}
