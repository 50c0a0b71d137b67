import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../lambdas/core/config';
import { resolveTargets, type OrganizationAccount, type ResolvedTargets } from '../../../lambdas/core/fleet/accounts';

const HUB = '111111111111';
const PROD = '222222222222';
const DEV = '333333333333';
const OLD = '444444444444';

const resolve = (raw: ConfigInput, organizationAccounts?: OrganizationAccount[], partition = 'aws'): ResolvedTargets =>
  resolveTargets({ config: parseConfig(raw), deployingAccountId: HUB, partition, organizationAccounts });

describe('resolveTargets', () => {
  it.each<[string, ConfigInput, OrganizationAccount[] | undefined, ResolvedTargets]>([
    ['no accounts configured: the deploying account alone, with its own credentials', {}, undefined, {
      targets: [{ accountId: HUB, regions: ['us-east-1'] }],
      skipped: [],
    }],
    ['listed accounts get the member role in the deploying partition and the external id', {
      regions: ['eu-west-1'],
      accounts: [{ id: PROD, name: 'prod' }, { id: DEV, roleName: 'CustomReader', regions: ['us-west-2'] }],
      memberRole: { externalId: 'sre:42' },
    }, undefined, {
      targets: [
        { accountId: HUB, regions: ['eu-west-1'] },
        { accountId: PROD, name: 'prod', regions: ['eu-west-1'], roleArn: `arn:aws:iam::${PROD}:role/ReplicationGuardReader`, externalId: 'sre:42' },
        { accountId: DEV, regions: ['us-west-2'], roleArn: `arn:aws:iam::${DEV}:role/CustomReader`, externalId: 'sre:42' },
      ],
      skipped: [],
    }],
    ['a role ARN with a path is used as given', {
      accounts: [{ id: PROD, roleArn: `arn:aws:iam::${PROD}:role/platform/Reader` }],
    }, undefined, {
      targets: [{ accountId: HUB, regions: ['us-east-1'] }, { accountId: PROD, regions: ['us-east-1'], roleArn: `arn:aws:iam::${PROD}:role/platform/Reader` }],
      skipped: [],
    }],
    ['the deploying account inside a target OU is read without AssumeRole, under its Organizations name', {
      organization: { ouIds: ['r-ab12'], roleName: 'OrgReader' },
    }, [{ id: HUB, name: 'monitoring', state: 'ACTIVE' }, { id: PROD, name: 'prod', state: 'ACTIVE' }], {
      targets: [
        { accountId: HUB, name: 'monitoring', regions: ['us-east-1'] },
        { accountId: PROD, name: 'prod', regions: ['us-east-1'], roleArn: `arn:aws:iam::${PROD}:role/OrgReader` },
      ],
      skipped: [],
    }],
    ['suspended, closing and unfinished accounts are skipped and reported; an account without a state is tried', {
      organization: { ouIds: ['r-ab12'] },
    }, [
      { id: PROD, state: 'ACTIVE' },
      { id: DEV, name: 'closed-sandbox', state: 'SUSPENDED' },
      { id: OLD, state: 'PENDING_CLOSURE' },
      { id: '555555555555', state: 'PENDING_ACTIVATION' },
      { id: '666666666666' },
    ], {
      targets: [
        { accountId: HUB, regions: ['us-east-1'] },
        { accountId: PROD, regions: ['us-east-1'], roleArn: `arn:aws:iam::${PROD}:role/ReplicationGuardReader` },
        { accountId: '666666666666', regions: ['us-east-1'], roleArn: 'arn:aws:iam::666666666666:role/ReplicationGuardReader' },
      ],
      skipped: [
        { accountId: DEV, name: 'closed-sandbox', reason: 'SUSPENDED in AWS Organizations' },
        { accountId: OLD, reason: 'PENDING_CLOSURE in AWS Organizations' },
        { accountId: '555555555555', reason: 'PENDING_ACTIVATION in AWS Organizations' },
      ],
    }],
    ['excludeAccounts wins over the OU listing, accounts[] and the deploying account', {
      accounts: [{ id: DEV }],
      organization: { ouIds: ['r-ab12'], excludeAccounts: [PROD, DEV, HUB] },
    }, [{ id: PROD, state: 'ACTIVE' }], {
      targets: [],
      skipped: [
        { accountId: HUB, reason: 'listed in organization.excludeAccounts' },
        { accountId: PROD, reason: 'listed in organization.excludeAccounts' },
        { accountId: DEV, reason: 'listed in organization.excludeAccounts' },
      ],
    }],
    ['includeAccounts adds accounts outside the OUs; an accounts[] entry overrides the OU defaults for its account', {
      regions: ['us-east-1', 'eu-west-1'],
      accounts: [{ id: PROD, name: 'payments', regions: ['eu-west-1'] }],
      organization: { ouIds: ['ou-ab12-cdef3456'], includeAccounts: [OLD], roleName: 'OrgReader' },
    }, [{ id: PROD, name: 'prod-payments', state: 'ACTIVE' }], {
      targets: [
        { accountId: HUB, regions: ['us-east-1', 'eu-west-1'] },
        { accountId: PROD, name: 'payments', regions: ['eu-west-1'], roleArn: `arn:aws:iam::${PROD}:role/ReplicationGuardReader` },
        { accountId: OLD, regions: ['us-east-1', 'eu-west-1'], roleArn: `arn:aws:iam::${OLD}:role/OrgReader` },
      ],
      skipped: [],
    }],
    ['includeDeployingAccount false leaves the hub out, even when an OU lists it', {
      includeDeployingAccount: false,
      organization: { ouIds: ['r-ab12'] },
    }, [{ id: HUB, state: 'ACTIVE' }, { id: PROD, state: 'ACTIVE' }], {
      targets: [{ accountId: PROD, regions: ['us-east-1'], roleArn: `arn:aws:iam::${PROD}:role/ReplicationGuardReader` }],
      skipped: [{ accountId: HUB, reason: 'the deploying account, and includeDeployingAccount is false' }],
    }],
  ])('%s', (_case, raw, organizationAccounts, expected) => {
    // Act
    const resolved = resolve(raw, organizationAccounts);

    // Assess
    expect(resolved).toEqual(expected);
  });

  it('builds member role ARNs in the partition the checker runs in', () => {
    // Act
    const { targets } = resolve({ regions: ['cn-north-1'], accounts: [{ id: PROD }] }, undefined, 'aws-cn');

    // Assess
    expect(targets.map((t) => t.roleArn)).toEqual([undefined, `arn:aws-cn:iam::${PROD}:role/ReplicationGuardReader`]);
  });

  it('lists an account found twice (accounts[], an OU and includeAccounts) once', () => {
    // Act
    const { targets } = resolve(
      { accounts: [{ id: PROD }], organization: { ouIds: ['r-ab12'], includeAccounts: [PROD] } },
      [{ id: PROD, state: 'ACTIVE' }, { id: PROD, state: 'ACTIVE' }],
    );

    // Assess
    expect(targets.map((t) => t.accountId)).toEqual([HUB, PROD]);
  });

  it('refuses to resolve an organization without its listing', () => {
    // Act
    const act = () => resolve({ organization: { ouIds: ['r-ab12'] } });

    // Assess
    expect(act).toThrow('no Organizations listing');
  });
});
