/**
 * STS and Organizations answers for the local AWS endpoint, built on the documented examples under
 * test/fixtures/aws: AssumeRole hands out credentials whose access key names the account, so a
 * test can tell from each request's signature which account's credentials signed it.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { FAKE_CREDENTIALS, fixture, organizationsResponse, stsResponse, type Reply } from './local-aws-endpoint';

/** The access key AssumeRole hands out for `accountId`; `n` counts sessions of the same account. */
export const sessionKeyOf = (accountId: string, n = 1) => `ASIA${accountId}S${n}`;

/** The documented AssumeRole result with this account's access key and an expiry. */
export function assumeRoleReply(accountId: string, expiration: Date, n = 1): Reply {
  const result = fixture('sts-api/assume-role.xml')
    .replace(/<AccessKeyId>[^<]*<\/AccessKeyId>/, `<AccessKeyId>${sessionKeyOf(accountId, n)}</AccessKeyId>`)
    .replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${expiration.toISOString()}</Expiration>`);
  return stsResponse('AssumeRole', result);
}

/** The account id in a role ARN. */
export const accountOfRole = (roleArn: string | null) => roleArn?.split(':')[4] ?? '';

interface ListedAccount {
  readonly Id: string;
  readonly Name?: string;
  readonly State?: string;
  readonly Status?: string;
}

/** The documented ListAccountsForParent entries, re-used for other ids, names and states. */
export function accountsPage(accounts: readonly ListedAccount[], nextToken?: string): Reply {
  const [template] = (JSON.parse(fixture('organizations-api/list-accounts-for-parent.json')) as { Accounts: Record<string, unknown>[] }).Accounts;
  return organizationsResponse({
    Accounts: accounts.map((a) => ({ ...template, Arn: `arn:aws:organizations::111111111111:account/o-exampleorgid/${a.Id}`, ...a })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  });
}

/** The documented ListOrganizationalUnitsForParent entries with the given OU ids. */
export function ousPage(parentId: string, ouIds: readonly string[], nextToken?: string): Reply {
  const [template] = (JSON.parse(fixture('organizations-api/list-organizational-units-for-parent.json')) as { OrganizationalUnits: Record<string, unknown>[] })
    .OrganizationalUnits;
  return organizationsResponse({
    OrganizationalUnits: ouIds.map((Id) => ({ ...template, Id, Arn: `arn:aws:organizations::o-exampleorgid:ou/${parentId}/${Id}` })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  });
}

export const stsClientAt = (endpoint: string) => new STSClient({ region: 'us-east-1', endpoint, credentials: FAKE_CREDENTIALS });
export const organizationsClientAt = (endpoint: string) =>
  new OrganizationsClient({ region: 'us-east-1', endpoint, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
