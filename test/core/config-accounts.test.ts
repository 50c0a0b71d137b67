import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type ConfigInput } from '../../lambdas/core/config';

const errorOf = (raw: ConfigInput): string => {
  try {
    parseConfig(raw, 'replguard.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('accounts and organization config', () => {
  it('defaults to the deploying account only, with the standard member role name', () => {
    // Act
    const config = parseConfig({});

    // Assess
    expect(config.accounts).toEqual([]);
    expect(config.organization).toBeUndefined();
    expect(config.includeDeployingAccount).toBe(true);
    expect(config.memberRole).toEqual({ name: 'ReplicationGuardReader' });
  });

  it('accepts accounts by id with names, regions and roles, and an organization by OU', () => {
    // Act
    const config = parseConfig({
      regions: ['us-east-1', 'eu-west-1'],
      accounts: [
        { id: '111122223333', name: 'payments-prod', regions: ['eu-west-1'] },
        { id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/platform/ReplGuardRead' },
      ],
      organization: { ouIds: ['r-ab12', 'ou-ab12-cdef3456'], excludeAccounts: ['777788889999'] },
      memberRole: { name: 'ReplGuard', externalId: 'sre-team:42' },
    });

    // Assess
    expect(config.accounts[0]).toEqual({ id: '111122223333', name: 'payments-prod', regions: ['eu-west-1'] });
    expect(config.organization).toEqual({ ouIds: ['r-ab12', 'ou-ab12-cdef3456'], includeAccounts: [], excludeAccounts: ['777788889999'] });
    expect(config.memberRole.externalId).toBe('sre-team:42');
  });

  it.each<[string, ConfigInput, string]>([
    ['an account id that is not 12 digits', { accounts: [{ id: '12345' }] }, 'accounts.0.id: must be a 12-digit AWS account id'],
    ['an account id with letters', { accounts: [{ id: '11112222333a' }] }, 'accounts.0.id: must be a 12-digit AWS account id'],
    ['the same account twice', { accounts: [{ id: '111122223333' }, { id: '111122223333' }] }, 'accounts.1.id: lists account 111122223333 twice'],
    ['a role ARN in another partition', { accounts: [{ id: '111122223333', roleArn: 'arn:aws-cn:iam::111122223333:role/R' }] }, 'accounts.0.roleArn: is in partition aws-cn, but the regions are in aws'],
    ['a role ARN of another account', { accounts: [{ id: '111122223333', roleArn: 'arn:aws:iam::444455556666:role/R' }] }, 'accounts.0.roleArn: names account 444455556666'],
    ['a role name and a role ARN', { accounts: [{ id: '111122223333', roleName: 'R', roleArn: 'arn:aws:iam::111122223333:role/R' }] }, 'accounts.0.roleArn: give roleName or roleArn, not both'],
    ['an account region in another partition', { accounts: [{ id: '111122223333', regions: ['cn-north-1'] }] }, 'accounts.0.regions.0: is not in the partition'],
    ['a malformed OU id', { organization: { ouIds: ['ou-12'] } }, 'organization.ouIds.0: must be an organization root id'],
    ['no OU ids', { organization: { ouIds: [] } }, 'organization.ouIds: must list at least one'],
    ['an account both included and excluded', { organization: { ouIds: ['r-ab12'], includeAccounts: ['111122223333'], excludeAccounts: ['111122223333'] } }, 'both includes and excludes account 111122223333'],
    ['a role name with a slash', { memberRole: { name: 'team/reader' } }, 'memberRole.name: must be an IAM role name'],
    ['a one-character external id', { memberRole: { externalId: 'x' } }, 'memberRole.externalId: must be 2-1224 characters'],
  ])('rejects %s and names the key', (_case, raw, expected) => {
    // Act
    const message = errorOf(raw);

    // Assess
    expect(message).toContain(expected);
  });
});
