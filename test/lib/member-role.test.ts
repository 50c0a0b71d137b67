import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { readActionsFor } from '../../lambdas/core/fleet/read-actions';
import { MemberRoleStack, memberRoleTemplate, TRUSTED_ROLES_PARAMETER } from '../../lib/member-role';
import { conditionsHold, resolveTemplateValue } from '../support/iam-condition';
import { EXAMPLE_CONFIG, policyStatements, synthGuard } from './synth';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const MEMBER = '444455556666';
const HUB = '123456789012';
const CHECKER = `arn:aws:iam::${HUB}:role/Guard-ReplicationGuardCheckerRole-ABC`;
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': MEMBER };
const ORG_CONFIG: ConfigInput = { ...EXAMPLE_CONFIG, organization: { ouIds: ['ou-ab12-cdefgh12', 'r-ab12'] } };

function memberStack(input: ConfigInput) {
  const app = new App();
  const stack = new MemberRoleStack(app, 'ReplicationGuardMemberRole', { config: parseConfig(input) });
  return { app, stack, template: Template.fromStack(stack) };
}

type Statement = { Effect: string; Action: string | string[]; Principal?: unknown; Condition?: Record<string, unknown>; Resource?: unknown };

/** Whether `principalArn` may assume the member role, as IAM judges its trust policy once deployed with `trusted`. */
function mayAssume(template: Template, trusted: string[], request: { principalArn: string; externalId?: string }): boolean {
  const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } } };
  const statements = resolveTemplateValue(role.Properties.AssumeRolePolicyDocument.Statement, PSEUDO, { [TRUSTED_ROLES_PARAMETER]: trusted }) as Statement[];
  const principalAccount = request.principalArn.split(':')[4];
  return statements.some(
    (st) =>
      st.Effect === 'Allow' &&
      [st.Action].flat().includes('sts:AssumeRole') &&
      JSON.stringify(st.Principal) === JSON.stringify({ AWS: `arn:aws:iam::${principalAccount}:root` }) &&
      conditionsHold(st.Condition, { 'aws:PrincipalArn': request.principalArn, 'sts:ExternalId': request.externalId }),
  );
}

describe('MemberRoleStack', () => {
  it('grants exactly the reader\'s actions for the config, nothing that writes', () => {
    for (const input of [EXAMPLE_CONFIG, { ...EXAMPLE_CONFIG, drift: { enabled: false } }, { ...EXAMPLE_CONFIG, dr: { requireReplicatedBackups: true } }]) {
      // Act
      const { template } = memberStack(input);

      // Assess
      const actions = policyStatements(template).flatMap((st) => [st.Action as string | string[]].flat());
      expect([...actions].sort()).toEqual([...readActionsFor(parseConfig(input))].sort());
      expect(actions.every((a) => /^(rds:Describe|cloudwatch:GetMetricData$)/.test(a))).toBe(true);
    }
  });

  it('scopes the describes to this account and the regions of every listed account, and metrics by region', () => {
    const { template } = memberStack({ ...EXAMPLE_CONFIG, accounts: [{ id: MEMBER, regions: ['ap-southeast-2'] }] });

    const statements = policyStatements(template).map((st) => resolveTemplateValue(st, PSEUDO) as Statement);
    const instances = statements.find((st) => st.Action === 'rds:DescribeDBInstances');
    expect(instances?.Resource).toEqual(['ap-southeast-2', 'us-east-1', 'us-west-2'].map((r) => `arn:aws:rds:${r}:${MEMBER}:db:*`));
    expect(statements.find((st) => st.Action === 'rds:DescribeGlobalClusters')?.Resource).toBe(`arn:aws:rds::${MEMBER}:global-cluster:*`);
    const metrics = statements.find((st) => st.Action === 'cloudwatch:GetMetricData');
    expect(metrics?.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': ['ap-southeast-2', 'us-east-1', 'us-west-2'] } });
  });

  it('is named by memberRole.name and trusts only the listed hub roles', () => {
    const { template } = memberStack(EXAMPLE_CONFIG);

    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'ReplicationGuardReader' });
    expect(mayAssume(template, [CHECKER], { principalArn: CHECKER })).toBe(true);
    // Another role of the hub account, and the same role name in another account: refused.
    expect(mayAssume(template, [CHECKER], { principalArn: `arn:aws:iam::${HUB}:role/Admin` })).toBe(false);
    expect(mayAssume(template, [CHECKER], { principalArn: CHECKER.replace(HUB, '999988887777') })).toBe(false);
    // A second trusted role (the fan-out readers).
    const reader = `arn:aws:iam::${HUB}:role/Guard-Reader`;
    expect(mayAssume(template, [CHECKER, reader], { principalArn: reader })).toBe(true);
  });

  it('requires the external id when the config sets one', () => {
    const { template } = memberStack({ ...EXAMPLE_CONFIG, memberRole: { name: 'RgReader', externalId: 'replguard-7f3a' } });

    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'RgReader' });
    expect(mayAssume(template, [CHECKER], { principalArn: CHECKER, externalId: 'replguard-7f3a' })).toBe(true);
    expect(mayAssume(template, [CHECKER], { principalArn: CHECKER })).toBe(false);
    expect(mayAssume(template, [CHECKER], { principalArn: CHECKER, externalId: 'other' })).toBe(false);
  });

  it('needs no CDK bootstrap in the member account and takes role ARNs only', () => {
    const { template } = memberStack(EXAMPLE_CONFIG);

    expect(template.toJSON().Rules).toBeUndefined();
    expect(Object.keys(template.toJSON().Parameters ?? {})).toEqual([TRUSTED_ROLES_PARAMETER]);
    template.templateMatches({ Parameters: { [TRUSTED_ROLES_PARAMETER]: { Type: 'CommaDelimitedList', AllowedPattern: Match.stringLikeRegexp('iam') } } });
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const { app } = memberStack({ ...EXAMPLE_CONFIG, dr: { requireReplicatedBackups: true } });

    const report = new AwsSolutionsChecks(app).validateScope(app);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('the StackSet in the hub stack', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard(ORG_CONFIG).template;
  });

  it('deploys the member template, service-managed, auto-deployed to the configured OUs, in one region', () => {
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdefgh12', 'r-ab12'] }, Regions: ['eu-west-1'] }],
      Parameters: [{ ParameterKey: TRUSTED_ROLES_PARAMETER, ParameterValue: { 'Fn::GetAtt': [Match.stringLikeRegexp('CheckerRole'), 'Arn'] } }],
    });
    const body = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as { Properties: { TemplateBody: string } };
    expect(JSON.parse(body.Properties.TemplateBody)).toEqual(memberRoleTemplate(parseConfig(ORG_CONFIG)));
  });

  it('is created as a delegated administrator when asked', () => {
    const { template: delegated } = synthGuard(ORG_CONFIG, { props: { stackSetCallAs: 'DELEGATED_ADMIN' } });

    delegated.hasResourceProperties('AWS::CloudFormation::StackSet', { CallAs: 'DELEGATED_ADMIN' });
  });

  it('is left out without an organization, or when turned off', () => {
    synthGuard({ ...EXAMPLE_CONFIG, accounts: [{ id: MEMBER }] }).template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
    synthGuard(ORG_CONFIG, { props: { memberRoleStackSet: false } }).template.resourceCountIs('AWS::CloudFormation::StackSet', 0);
  });

  it('cannot collide with the checker role when the hub sits in a target OU: no hub role takes the member role name', () => {
    const names = Object.values(template.findResources('AWS::IAM::Role')).map((r) => (r as { Properties: { RoleName?: unknown } }).Properties.RoleName);

    expect(names).not.toContain('ReplicationGuardReader');
    expect(names.every((n) => n === undefined)).toBe(true);
  });
});
