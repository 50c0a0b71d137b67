import { describe, expect, it, vi } from 'vitest';
import { discoverOrganizationAccounts, OrganizationsAccessError } from '../../lambdas/aws/organizations';
import { organizationsError, type RecordedRequest, type Reply } from '../support/local-aws-endpoint';
import { localAwsEndpoints } from '../support/live-aws-fleet';
import { accountsPage, organizationsClientAt, ousPage } from '../support/live-aws-org';

vi.setConfig({ testTimeout: 30_000 });

const endpoints = localAwsEndpoints();
const ROOT = 'r-examplerootid111';
const OU_A = 'ou-examplerootid111-exampleouid111';
const OU_B = 'ou-examplerootid111-exampleouid222';
const OU_A_CHILD = 'ou-examplerootid111-exampleouid333';

const parentOf = (r: RecordedRequest) => r.json.ParentId as string;
const tokenOf = (r: RecordedRequest) => r.json.NextToken as string | undefined;

async function discover(route: (r: RecordedRequest) => Reply, parents: string[]) {
  const endpoint = await endpoints.start(route);
  const accounts = await discoverOrganizationAccounts(organizationsClientAt(endpoint.url), parents, { retry: { sleep: async () => {} } });
  return { accounts, requests: endpoint.requests };
}

describe('discoverOrganizationAccounts through the real Organizations client (AWS JSON 1.1)', () => {
  it('lists every account under a root, through child OUs at any depth and every page, even after an empty page', async () => {
    // Prepare
    const route = (r: RecordedRequest): Reply => {
      const parent = parentOf(r);
      if (r.operation === 'ListAccountsForParent') {
        if (parent === ROOT) {
          if (!tokenOf(r)) return accountsPage([{ Id: '111111111111', Name: 'management', State: 'ACTIVE' }], 'page-2');
          // The API reference warns a List* page can be empty while more follow.
          if (tokenOf(r) === 'page-2') return accountsPage([], 'page-3');
          return accountsPage([{ Id: '222222222222', Name: 'sandbox', State: 'SUSPENDED', Status: 'SUSPENDED' }]);
        }
        if (parent === OU_A) return accountsPage([{ Id: '333333333333', Name: 'Development Account', State: 'ACTIVE' }]);
        if (parent === OU_B) return accountsPage([{ Id: '444444444444', Name: 'Test Account', Status: 'ACTIVE' }]);
        if (parent === OU_A_CHILD) return accountsPage([{ Id: '555555555555', Name: 'payments', State: 'PENDING_CLOSURE' }]);
      }
      if (r.operation === 'ListOrganizationalUnitsForParent') {
        if (parent === ROOT) return tokenOf(r) ? ousPage(ROOT, [OU_B]) : ousPage(ROOT, [OU_A], 'ou-page-2');
        if (parent === OU_A) return ousPage(OU_A, [OU_A_CHILD]);
        return ousPage(parent, []);
      }
      return organizationsError(400, 'InvalidInputException', `unexpected ${r.operation}`);
    };

    // Act
    const { accounts, requests } = await discover(route, [ROOT]);

    // Assess
    expect(accounts).toEqual([
      { id: '111111111111', name: 'management', state: 'ACTIVE' },
      { id: '222222222222', name: 'sandbox', state: 'SUSPENDED' },
      { id: '333333333333', name: 'Development Account', state: 'ACTIVE' },
      { id: '444444444444', name: 'Test Account', state: 'ACTIVE' },
      { id: '555555555555', name: 'payments', state: 'PENDING_CLOSURE' },
    ]);
    expect(requests.every((r) => r.service === 'organizations')).toBe(true);
    expect(requests.filter((r) => r.operation === 'ListAccountsForParent' && parentOf(r) === ROOT).map(tokenOf)).toEqual([undefined, 'page-2', 'page-3']);
  });

  it('reads a parent listed twice (an OU and its root) once', async () => {
    // Prepare
    const route = (r: RecordedRequest): Reply =>
      r.operation === 'ListAccountsForParent'
        ? accountsPage(parentOf(r) === OU_A ? [{ Id: '333333333333', State: 'ACTIVE' }] : [])
        : ousPage(parentOf(r), parentOf(r) === ROOT ? [OU_A] : []);

    // Act
    const { accounts, requests } = await discover(route, [OU_A, ROOT]);

    // Assess
    expect(accounts.map((a) => a.id)).toEqual(['333333333333']);
    expect(requests.filter((r) => parentOf(r) === OU_A)).toHaveLength(2);
  });

  it.each([
    ['AccessDeniedException', 'You don\'t have permissions to access this resource.'],
    ['AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'],
  ])('explains %s: the checker must run in the management account or a delegated administrator', async (type, message) => {
    // Act
    const failure = discover(() => organizationsError(400, type, message), [ROOT]);

    // Assess
    await expect(failure).rejects.toBeInstanceOf(OrganizationsAccessError);
    await expect(failure).rejects.toThrow(`organizations:ListAccountsForParent on ${ROOT} failed (${type}): ${message}`);
    await expect(failure).rejects.toThrow('management account or a delegated administrator');
  });

  it('names an OU id that is not in the organization', async () => {
    // Act
    const failure = discover(() => organizationsError(400, 'ParentNotFoundException', 'We can\'t find a root or OU with the ParentId that you specified.'), [OU_B]);

    // Assess
    await expect(failure).rejects.toThrow(`organization.ouIds: ${OU_B} is not a root or OU of this organization`);
  });

  it('retries a throttled listing and goes on', async () => {
    // Prepare
    let calls = 0;
    const route = (r: RecordedRequest): Reply => {
      if (r.operation === 'ListAccountsForParent' && calls++ === 0) return organizationsError(400, 'TooManyRequestsException', 'AWS Organizations can\'t complete your request because another request is already in progress.');
      return r.operation === 'ListAccountsForParent' ? accountsPage([{ Id: '333333333333', State: 'ACTIVE' }]) : ousPage(parentOf(r), []);
    };

    // Act
    const { accounts } = await discover(route, [ROOT]);

    // Assess
    expect(accounts.map((a) => a.id)).toEqual(['333333333333']);
  });

  it('stops on a NextToken it has seen before instead of paging forever', async () => {
    // Act
    const failure = discover((r) => (r.operation === 'ListAccountsForParent' ? accountsPage([], 'same-token') : ousPage(parentOf(r), [])), [ROOT]);

    // Assess
    await expect(failure).rejects.toThrow('returned NextToken "same-token" again');
  });
});
