/**
 * The read-only role Replication Guard assumes in every member account, and the two ways it is
 * delivered: a service-managed StackSet that follows the target OUs (created by the hub stack when
 * `organization` is configured), and a standalone stack synthesized to cdk.out for accounts that
 * cannot take StackSets. Both deploy the same template, built by `MemberReadRole`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnParameter, DefaultStackSynthesizer, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { READ_ACTIONS, readActionsFor, type ReadAction } from '../lambdas/core/fleet/read-actions';
import { iamNagArn } from './nag-names';

/** The member template's parameter: the hub roles that may assume the member role. */
export const TRUSTED_ROLES_PARAMETER = 'TrustedRoleArns';

/** RDS resource type (Service Authorization Reference) each describe call is authorized on. */
const RDS_RESOURCE_TYPES: Readonly<Record<Exclude<ReadAction, 'cloudwatch:GetMetricData'>, readonly string[]>> = {
  [READ_ACTIONS.dbInstances]: ['db'],
  [READ_ACTIONS.dbClusters]: ['cluster'],
  [READ_ACTIONS.globalClusters]: ['global-cluster'],
  [READ_ACTIONS.dbParameters]: ['pg'],
  [READ_ACTIONS.dbClusterParameters]: ['cluster-pg'],
  [READ_ACTIONS.automatedBackups]: ['auto-backup', 'db'],
};

/** Every region any account is read in: the role is global, one template serves every account. */
export function memberRegions(config: Config): string[] {
  return [...new Set([...config.regions, ...config.accounts.flatMap((a) => a.regions ?? [])])].sort();
}

export interface MemberReadRoleProps {
  readonly config: Config;
  /** ARNs of the hub roles allowed to assume this role (the checker's, the fan-out readers'). */
  readonly trustedRoleArns: string[];
}

/**
 * The member role: exactly the reader's calls (READ_ACTIONS for this config), on this account's
 * RDS resources in the monitored regions, trusted by the listed hub roles only (and only with the
 * external id, when one is configured).
 */
export class MemberReadRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberReadRoleProps) {
    super(scope, id);
    const { config } = props;
    // The hub account, from the first trusted role's ARN; the condition then names the roles themselves.
    const hubAccount = Fn.select(4, Fn.split(':', Fn.select(0, props.trustedRoleArns)));
    const conditions: Record<string, Record<string, unknown>> = {
      // A role ARN as principal becomes the role's unique id in IAM: a re-created checker role would
      // no longer match. The hub account with aws:PrincipalArn survives that and names the roles exactly.
      ArnEquals: { 'aws:PrincipalArn': props.trustedRoleArns },
    };
    if (config.memberRole.externalId !== undefined) conditions.StringEquals = { 'sts:ExternalId': config.memberRole.externalId };

    this.role = new iam.Role(this, 'Role', {
      roleName: config.memberRole.name,
      description: 'Replication Guard member role: reads RDS descriptions and CloudWatch lag metrics, nothing else',
      assumedBy: new iam.AccountPrincipal(hubAccount).withConditions(conditions),
    });

    grantFleetReads(this, this.role, config);
  }
}

/**
 * Grants `role` the reader's calls for this config (READ_ACTIONS) on the RDS resources of the
 * account it lives in, in the monitored regions: the member role's grants, and those of a hub role
 * that reads its own account. Each policy is acknowledged for exactly its own wildcards.
 */
export function grantFleetReads(scope: Construct, role: iam.IRole, config: Config): void {
  const { partition, account } = Stack.of(scope);
  const regions = memberRegions(config);
  const rds = (type: string, region: string) => `arn:${partition}:rds:${region}:${account}:${type}:*`;
  const statements: iam.PolicyStatement[] = [];
  for (const action of readActionsFor(config)) {
    if (action === READ_ACTIONS.metricData) continue;
    // Global cluster ARNs have no region.
    const resources = RDS_RESOURCE_TYPES[action].flatMap((type) => (type === 'global-cluster' ? [rds(type, '')] : regions.map((r) => rds(type, r))));
    statements.push(new iam.PolicyStatement({ sid: action.replace('rds:', 'Rds'), actions: [action], resources }));
  }
  const readPolicy = new iam.Policy(scope, 'ReadPolicy', { roles: [role], statements });
  for (const resource of new Set(statements.flatMap((st) => st.resources))) {
    Validations.of(readPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${iamNagArn(resource, scope)}]`,
      reason:
        'Each rds:Describe* action lists every resource of its type: the wildcard is over resource names only, on the ' +
        'resource type the Service Authorization Reference names for the action, in this account and a monitored region.',
    });
  }
  // GetMetricData has no resource type: its own policy, so that the "*" acknowledgement covers it alone.
  const metricsPolicy = new iam.Policy(scope, 'MetricsPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'ReadLagMetrics',
        actions: [READ_ACTIONS.metricData],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
      }),
    ],
  });
  Validations.of(metricsPolicy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:GetMetricData has no resource types in the Service Authorization Reference, so it needs "*"; it is ' +
      'narrowed to the monitored regions by aws:RequestedRegion. This policy holds nothing else.',
  });
}

export interface MemberRoleStackProps extends StackProps {
  readonly config: Config;
}

/**
 * The member role as a stack of its own: what the StackSet deploys, and what an account outside
 * the target OUs deploys by hand (docs/organization.md has the command). Its one parameter names
 * the hub roles. No bootstrap rule: member accounts are not CDK-bootstrapped.
 */
export class MemberRoleStack extends Stack {
  readonly memberRole: MemberReadRole;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, {
      description: 'Replication Guard member role (read-only, trusted by the Replication Guard hub roles)',
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
      ...props,
    });
    const trusted = new CfnParameter(this, TRUSTED_ROLES_PARAMETER, {
      type: 'CommaDelimitedList',
      description: 'ARNs of the Replication Guard hub roles that may assume this role (the CheckerRoleArn output of the hub stack, and ReaderRoleArn when it has one)',
      // Role ARNs of any partition; a wrong one fails here, not at the first check.
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    });
    this.memberRole = new MemberReadRole(this, 'Member', { config: props.config, trustedRoleArns: trusted.valueAsList });
  }
}

/** The member template as CloudFormation JSON: the StackSet's template body. */
export function memberRoleTemplate(config: Config): Record<string, unknown> {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'replguard-member-')) });
  const stack = new MemberRoleStack(app, 'MemberRole', { config });
  const assembly = app.synth();
  return JSON.parse(readFileSync(assembly.getStackByName(stack.stackName).templateFullPath, 'utf8')) as Record<string, unknown>;
}

/** Who creates the StackSet: the management account (`SELF`) or a delegated administrator. */
export type StackSetCaller = 'SELF' | 'DELEGATED_ADMIN';

export interface MemberRoleStackSetProps {
  readonly config: Config;
  /** `organization.ouIds` of the config: the StackSet follows them (accounts added later get the role). */
  readonly ouIds: readonly string[];
  readonly trustedRoleArns: string[];
  /**
   * `DELEGATED_ADMIN` when the hub account is a registered StackSets delegated administrator,
   * `SELF` when it is the management account.
   * @default 'SELF'
   */
  readonly callAs?: StackSetCaller;
  /**
   * The one region stack instances go to: IAM is global, so one region gives every account its role.
   * @default - the hub stack's region
   */
  readonly region?: string;
}

/**
 * A service-managed StackSet of the member template, with automatic deployment to the target OUs.
 * StackSets never deploy to the management account itself; a delegated-administrator hub inside a
 * target OU does get the member role, under its own name, beside the checker's generated-name role.
 */
export class MemberRoleStackSet extends Construct {
  readonly stackSet: cloudformation.CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stackSet = new cloudformation.CfnStackSet(this, 'StackSet', {
      stackSetName: `${stack.stackName}-MemberRole`,
      description: 'Replication Guard read-only member role in every account of the target OUs',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs ?? 'SELF',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { maxConcurrentPercentage: 100, failureTolerancePercentage: 0, regionConcurrencyType: 'PARALLEL' },
      parameters: [{ parameterKey: TRUSTED_ROLES_PARAMETER, parameterValue: Fn.join(',', props.trustedRoleArns) }],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...props.ouIds] },
          regions: [props.region ?? stack.region],
        },
      ],
      templateBody: JSON.stringify(memberRoleTemplate(props.config)),
    });
  }
}
