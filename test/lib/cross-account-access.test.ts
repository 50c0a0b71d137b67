import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lambdas/core/config';
import { ORGANIZATIONS_READ_ACTIONS } from '../../lib/cross-account-access';
import { conditionsHold, resolveTemplateValue } from '../support/iam-condition';
import { EXAMPLE_CONFIG, policyStatements, synthGuard } from './synth';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' };
type Statement = { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, unknown> };

/** The statements on STS and Organizations, resolved (the others name resources that exist only once deployed). */
const statements = (template: Template) =>
  policyStatements(template)
    .filter((st) => [st.Action as string | string[]].flat().some((a) => /^(sts|organizations):/.test(a)))
    .map((st) => resolveTemplateValue(st, PSEUDO) as Statement);
const withAction = (template: Template, action: string) => statements(template).filter((st) => [st.Action].flat().includes(action));

/** Whether the hub's policies let it call sts:AssumeRole on `roleArn` (in an account of org `resourceOrg`). */
function mayAssume(template: Template, roleArn: string, resourceOrg = 'o-hub0000000'): boolean {
  const arnLike = (pattern: string) => conditionsHold({ ArnLike: { r: pattern } }, { r: roleArn });
  return withAction(template, 'sts:AssumeRole').some(
    (st) =>
      st.Effect === 'Allow' &&
      [st.Resource].flat().some(arnLike) &&
      conditionsHold(st.Condition, { 'aws:ResourceOrgID': resourceOrg, 'aws:PrincipalOrgID': 'o-hub0000000' }),
  );
}

describe('the checker role\'s member-account permissions', () => {
  it('has no AssumeRole and no Organizations access when only the deploying account is read', () => {
    const { template } = synthGuard();

    expect(withAction(template, 'sts:AssumeRole')).toEqual([]);
    expect(statements(template).flatMap((st) => [st.Action].flat()).filter((a) => a.startsWith('organizations:'))).toEqual([]);
  });

  it('may assume exactly the listed accounts\' roles, by member role name, roleName or roleArn', () => {
    // Prepare
    const config: ConfigInput = {
      ...EXAMPLE_CONFIG,
      accounts: [{ id: '111122223333' }, { id: '444455556666', roleName: 'OtherReader' }, { id: '777788889999', roleArn: 'arn:aws:iam::777788889999:role/ops/Rg' }],
    };

    // Act
    const { template } = synthGuard(config);

    // Assess
    expect(withAction(template, 'sts:AssumeRole').flatMap((st) => [st.Resource].flat())).toEqual([
      'arn:aws:iam::111122223333:role/ReplicationGuardReader',
      'arn:aws:iam::444455556666:role/OtherReader',
      'arn:aws:iam::777788889999:role/ops/Rg',
    ]);
    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/ReplicationGuardReader')).toBe(true);
    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/Admin')).toBe(false);
    expect(mayAssume(template, 'arn:aws:iam::999999999999:role/ReplicationGuardReader')).toBe(false);
    expect(withAction(template, 'organizations:ListAccountsForParent')).toEqual([]);
  });

  it('may assume the member role in any account of its own organization only, and list the organization', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, organization: { ouIds: ['ou-ab12-cdefgh12'] } });

    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/ReplicationGuardReader')).toBe(true);
    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/ReplicationGuardReader', 'o-other000000')).toBe(false);
    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/Admin')).toBe(false);
    // In the deploying partition only.
    expect(mayAssume(template, 'arn:aws-cn:iam::111122223333:role/ReplicationGuardReader')).toBe(false);
    const listing = statements(template).filter((st) => [st.Action].flat().some((a) => a.startsWith('organizations:')));
    expect(listing.flatMap((st) => [st.Action].flat()).sort()).toEqual([...ORGANIZATIONS_READ_ACTIONS].sort());
  });

  it('uses organization.roleName for discovered accounts', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, organization: { ouIds: ['r-ab12'], roleName: 'OrgReader' } });

    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/OrgReader')).toBe(true);
    expect(mayAssume(template, 'arn:aws:iam::111122223333:role/ReplicationGuardReader')).toBe(false);
  });
});
