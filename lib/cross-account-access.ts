/**
 * What a hub role needs to read member accounts: sts:AssumeRole on the member roles only, and the
 * AWS Organizations listing calls only when the config discovers accounts through Organizations.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';

/** The Organizations calls account discovery makes (lambdas/aws): read-only listing. */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
] as const;

/** The member role ARNs of the explicitly listed accounts, in the deploying partition. */
export function listedMemberRoleArns(config: Config, partition: string): string[] {
  return config.accounts.map((a) => a.roleArn ?? `arn:${partition}:iam::${a.id}:role/${a.roleName ?? config.memberRole.name}`);
}

/** True when the config reads any account besides the deploying one. */
export function readsMemberAccounts(config: Config): boolean {
  return config.accounts.length > 0 || config.organization !== undefined;
}

export interface CrossAccountAccessProps {
  readonly config: Config;
  /** The roles that read member accounts (the checker's; the fan-out readers'). */
  readonly roles: readonly iam.IRole[];
  /**
   * Which grants: `assume` the member roles, `list` the organization (only with an `organization`).
   * @default both
   */
  readonly grants?: { readonly assume: boolean; readonly list: boolean };
}

export class CrossAccountAccess extends Construct {
  /** The policy with the AssumeRole grants; undefined when the config reads no member account. */
  readonly policy?: iam.Policy;
  /** The Organizations listing; undefined without an `organization`. */
  readonly listing?: iam.Policy;

  constructor(scope: Construct, id: string, props: CrossAccountAccessProps) {
    super(scope, id);
    const { config } = props;
    if (!readsMemberAccounts(config)) return;
    const grants = props.grants ?? { assume: true, list: true };
    const { partition } = Stack.of(this);
    const org = config.organization;
    const statements: iam.PolicyStatement[] = [];
    if (grants.assume && config.accounts.length > 0) {
      statements.push(new iam.PolicyStatement({ sid: 'AssumeListedMemberRoles', actions: ['sts:AssumeRole'], resources: listedMemberRoleArns(config, partition) }));
    }
    if (grants.assume && org) {
      // Accounts found at run time: any account id, but only the member role's name and only
      // inside the hub's own organization (the role's account must be in the caller's org).
      statements.push(
        new iam.PolicyStatement({
          sid: 'AssumeOrganizationMemberRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${partition}:iam::*:role/${org.roleName ?? config.memberRole.name}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } },
        }),
      );
    }
    if (statements.length > 0) {
      this.policy = new iam.Policy(this, 'AssumeMemberRoles', { roles: [...props.roles], statements });
      if (grants.assume && org) {
        Validations.of(this.policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${org.roleName ?? config.memberRole.name}]`,
          reason:
            'Organization accounts are discovered at run time, so the account id is a wildcard; the role name is fixed to the ' +
            'member role and aws:ResourceOrgID must equal the caller\'s own organization.',
        });
      }
    }
    if (grants.list && org) {
      this.listing = new iam.Policy(this, 'ListOrganization', {
        roles: [...props.roles],
        statements: [new iam.PolicyStatement({ sid: 'DiscoverAccounts', actions: [...ORGANIZATIONS_READ_ACTIONS], resources: ['*'] })],
      });
      Validations.of(this.listing).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Account discovery lists the accounts and child OUs of any configured OU and describes accounts found there; the ' +
          'OUs and accounts are known only at run time. The three actions are read-only and this policy holds nothing else.',
      });
    }
  }
}
