import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError, type Config, type ProbesConfig } from '../lambdas/core/config';
import { BUNDLED_CONFIG_FILE } from '../lambdas/checker/env';
import { PROBE_RESULTS_PARTITION } from '../lambdas/core/rules/probe/probe-results';
import { BUNDLED_CA_FILE, PROBE_ENV_NAMES, RUNTIME_CA_FILE } from '../lambdas/probe/env';
import { bundlingWithFiles, deadLetterQueue, functionLogGroup, stageConfigFile } from './function-support';
import { iamNagArn } from './nag-names';

/** The probe handler's source. */
export const PROBE_ENTRY = fileURLToPath(new URL('../lambdas/probe/handler.ts', import.meta.url));

export interface ProbeFunctionProps {
  /** The validated config; its `probes` section says what this function probes. */
  readonly config: Config;
  /** The `probes.vpcs[].name` this function runs in. */
  readonly vpcName: string;
  /** The alert-state table the function writes its results record to. */
  readonly table: dynamodb.ITable;
  /**
   * A PEM file of the RDS certificate authorities (e.g. `global-bundle.pem` from
   * truststore.pki.rds.amazonaws.com) to ship in the package; TLS is verified against it alone.
   * @default - the Amazon CA file of the Lambda Node.js runtime, `/var/runtime/ca-cert.pem`
   */
  readonly caBundleFile?: string;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** A CA bundle that is not there fails synth, not the first probe run at 3 a.m. */
function checkedCaBundle(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new ConfigError(
      `The probe's caBundleFile ${path} does not exist. Download the RDS CA bundle once with\n` +
        `  curl -fsSLo ${path} https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem\n` +
        'or omit caBundleFile to use the Lambda runtime\'s Amazon CA file (docs/probe.md, "Deploying the probe").',
    );
  }
  return path;
}

/**
 * The in-database probe for one VPC: a Lambda in the VPC's subnets and security groups, run on
 * the health check's schedule, that writes its observations to the alert-state table for the
 * checker. Its role reads the region's DB instances, the named secrets only, connects as the
 * named IAM database users only, and writes its own records.
 */
export class ProbeFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: ProbeFunctionProps) {
    super(scope, id);
    const { config } = props;
    const probes: ProbesConfig | undefined = config.probes;
    const vpcConfig = probes?.vpcs.find((v) => v.name === props.vpcName);
    if (!probes || !vpcConfig) throw new ConfigError(`probes.vpcs has no VPC named "${props.vpcName}"`);
    const entries = probes.targets.filter((t) => t.vpc === vpcConfig.name);
    const caBundleFile = props.caBundleFile !== undefined ? checkedCaBundle(props.caBundleFile) : undefined;
    const configFile = stageConfigFile(config);
    const { account, partition, region } = Stack.of(this);

    this.logGroup = functionLogGroup(this, props);
    this.deadLetterQueue = deadLetterQueue(this, 'the probe function and its schedule');

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Replication Guard probe (VPC ${vpcConfig.name}): lists DB instances, reads its database credentials, writes its results`,
    });
    this.logGroup.grantWrite(this.role);
    // A function in a VPC manages its network interfaces; CDK adds this policy only to roles it creates itself.
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'A function in a VPC needs ec2:CreateNetworkInterface and friends, which have no resource scoping worth writing by hand; ' +
        'AWSLambdaVPCAccessExecutionRole is the policy the Lambda documentation names for it.',
    });

    const instances = `arn:${partition}:rds:${region}:${account}:db:*`;
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ListInstances', actions: ['rds:DescribeDBInstances'], resources: [instances] }));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${iamNagArn(instances, this)}]`,
      reason: 'Targets are chosen by identifier pattern or tag at run time, so DescribeDBInstances lists the region\'s instances: a wildcard over names only, in this account and region.',
    });

    const secrets = [...new Set(entries.flatMap((e) => ('secretArn' in e.credentials ? [e.credentials.secretArn] : [])))];
    if (secrets.length > 0) {
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadCredentials', actions: ['secretsmanager:GetSecretValue'], resources: secrets }));
    }
    const keys = [...new Set(entries.flatMap((e) => ('secretArn' in e.credentials && e.credentials.kmsKeyArn ? [e.credentials.kmsKeyArn] : [])))];
    if (keys.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptCredentials',
          actions: ['kms:Decrypt'],
          resources: keys,
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
      );
    }
    const iamUsers = [...new Set(entries.flatMap((e) => ('iamUser' in e.credentials ? [e.credentials.iamUser] : [])))];
    if (iamUsers.length > 0) {
      const dbUsers = iamUsers.map((user) => `arn:${partition}:rds-db:${region}:${account}:dbuser:*/${user}`);
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ConnectAsProbeUser', actions: ['rds-db:connect'], resources: dbUsers }));
      for (const arn of dbUsers) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${iamNagArn(arn, this)}]`,
          reason:
            'rds-db:connect names the database by its resource id (db-... / cluster-...), which targets chosen by pattern or tag ' +
            'do not have at synth; the user name is exact, so the role can connect as the probe user and no one else.',
        });
      }
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteResults',
        actions: ['dynamodb:PutItem'],
        resources: [props.table.tableArn],
        // Its own record only: the alert states and the run lease in the same table stay out of reach.
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [PROBE_RESULTS_PARTITION] } },
      }),
    );

    // Only the id matters: the function names its subnets itself.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: vpcConfig.vpcId, availabilityZones: Stack.of(this).availabilityZones });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: `Replication Guard probe: heartbeat lag and replication state inside the databases of VPC ${vpcConfig.name}`,
      entry: PROBE_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      // Connect and query timeouts are 5 s each, with bounded concurrency: a run of a few hundred databases fits.
      timeout: props.timeout ?? Duration.minutes(1),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc,
      vpcSubnets: { subnets: vpcConfig.subnetIds.map((subnetId, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, subnetId)) },
      securityGroups: vpcConfig.securityGroupIds.map((sg, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, sg, { mutable: false })),
      onFailure: new SqsDestination(this.deadLetterQueue),
      // A probe result is only worth having now: no retries, the next scheduled run measures again.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(Math.max(1, config.schedule.checkRateMinutes)),
      environment: {
        [PROBE_ENV_NAMES.configFile]: BUNDLED_CONFIG_FILE,
        [PROBE_ENV_NAMES.tableName]: props.table.tableName,
        [PROBE_ENV_NAMES.vpc]: vpcConfig.name,
        [PROBE_ENV_NAMES.caBundleFile]: caBundleFile ? BUNDLED_CA_FILE : RUNTIME_CA_FILE,
      },
      bundling: bundlingWithFiles({
        [BUNDLED_CONFIG_FILE]: configFile,
        ...(caBundleFile ? { [BUNDLED_CA_FILE]: caBundleFile } : {}),
      }),
    });

    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Runs the Replication Guard probe in VPC ${vpcConfig.name} at the health check's rate`,
      schedule: events.Schedule.rate(Duration.minutes(config.schedule.checkRateMinutes)),
      targets: [new targets.LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }
}
