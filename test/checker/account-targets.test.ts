import { describe, expect, it, vi } from 'vitest';
import { AccountDiscoveryError, createAccountTargets, DISCOVERY_TTL_MS, STALE_DISCOVERY_LIMIT_MS } from '../../lambdas/checker/account-targets';
import { parseConfig } from '../../lambdas/core/config';
import { organizationsError, type RecordedRequest, type Reply } from '../support/local-aws-endpoint';
import { localAwsEndpoints } from '../support/live-aws-fleet';
import { accountsPage, organizationsClientAt, ousPage } from '../support/live-aws-org';

vi.setConfig({ testTimeout: 30_000 });

const endpoints = localAwsEndpoints();
const HUB = '111111111111';
const ROOT = 'r-examplerootid111';
const T0 = Date.parse('2026-11-24T10:00:00Z');
const HUB_IDENTITY = { accountId: HUB, partition: 'aws' };

async function targetsOver(listing: () => Reply) {
  let now = T0;
  const warnings: string[] = [];
  const endpoint = await endpoints.start((r: RecordedRequest) =>
    r.operation === 'ListOrganizationalUnitsForParent' ? ousPage(ROOT, []) : listing(),
  );
  const source = createAccountTargets({
    config: parseConfig({ organization: { ouIds: [ROOT] } }),
    organizations: () => organizationsClientAt(endpoint.url),
    clock: () => new Date(now),
    onWarning: (message) => void warnings.push(message),
  });
  const listings = () => endpoint.requests.filter((r) => r.operation === 'ListAccountsForParent').length;
  return { source, warnings, listings, advance: (ms: number) => (now += ms) };
}

describe('the accounts a deployed check reads', () => {
  it('is the checker\'s own account only (no Organizations call) when the config names no member account', async () => {
    // Act
    const targets = await createAccountTargets({ config: parseConfig({}), clock: () => new Date(T0) })(HUB_IDENTITY);

    // Assess
    expect(targets).toBeUndefined();
  });

  it('lists the organization at most every 15 minutes, with member roles in the checker\'s partition', async () => {
    // Prepare
    const org = await targetsOver(() => accountsPage([{ Id: '222222222222', Name: 'prod', State: 'ACTIVE' }]));

    // Act
    const first = await org.source({ accountId: HUB, partition: 'aws-us-gov' });
    org.advance(DISCOVERY_TTL_MS - 1);
    await org.source({ accountId: HUB, partition: 'aws-us-gov' });
    org.advance(1);
    await org.source({ accountId: HUB, partition: 'aws-us-gov' });

    // Assess
    expect(first?.map((t) => [t.accountId, t.roleArn])).toEqual([
      [HUB, undefined],
      ['222222222222', 'arn:aws-us-gov:iam::222222222222:role/ReplicationGuardReader'],
    ]);
    expect(org.listings()).toBe(2);
  });

  it('keeps the last listing through a failed one for up to 6 hours, then fails the run instead of dropping every member', async () => {
    // Prepare
    let failing = false;
    const org = await targetsOver(() =>
      failing ? organizationsError(400, 'AccessDeniedException', "You don't have permissions to access this resource.") : accountsPage([{ Id: '222222222222', State: 'ACTIVE' }]),
    );
    await org.source(HUB_IDENTITY);
    failing = true;

    // Act
    org.advance(DISCOVERY_TTL_MS);
    const stale = await org.source(HUB_IDENTITY);
    org.advance(STALE_DISCOVERY_LIMIT_MS);
    const failure = org.source(HUB_IDENTITY);

    // Assess
    expect(stale?.map((t) => t.accountId)).toEqual([HUB, '222222222222']);
    expect(org.warnings).toContain('Listing the organization failed; using the last listing');
    await expect(failure).rejects.toBeInstanceOf(AccountDiscoveryError);
    await expect(failure).rejects.toThrow('management account or a delegated administrator');
  });

  it('warns once about an account it skips (suspended), not on every run', async () => {
    // Prepare
    const org = await targetsOver(() => accountsPage([{ Id: '333333333333', State: 'SUSPENDED' }]));

    // Act
    const targets = await org.source(HUB_IDENTITY);
    org.advance(DISCOVERY_TTL_MS);
    await org.source(HUB_IDENTITY);

    // Assess
    expect(targets?.map((t) => t.accountId)).toEqual([HUB]);
    expect(org.warnings.filter((w) => w === 'Account not read')).toHaveLength(1);
  });
});
