/**
 * The accounts a live check reads: who the checker's credentials belong to (STS
 * GetCallerIdentity), what AWS Organizations lists under the configured OUs, and the pure
 * resolution of lambdas/core/fleet/accounts over both.
 */
import { ListRootsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { resolveTargets, type AccountsConfig, type ResolvedTargets } from '../core/fleet/accounts';
import { discoverOrganizationAccounts, OrganizationsAccessError } from './organizations';
import type { RetryOptions } from './throttling-retry';

export interface CallerAccount {
  readonly accountId: string;
  /** From the caller's ARN (`arn:<partition>:...`). */
  readonly partition: string;
}

export async function callerAccount(sts: Pick<STSClient, 'send'>): Promise<CallerAccount> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  const partition = out.Arn?.split(':')[1];
  if (!out.Account || !partition) throw new Error(`sts:GetCallerIdentity returned no account or ARN (${JSON.stringify({ Account: out.Account, Arn: out.Arn })})`);
  return { accountId: out.Account, partition };
}

/** The roots of the organization, for reading all of it when no OU is configured. */
export async function organizationRoots(client: Pick<OrganizationsClient, 'send'>): Promise<string[]> {
  try {
    const roots: string[] = [];
    let NextToken: string | undefined;
    do {
      const out = await client.send(new ListRootsCommand({ NextToken }));
      for (const root of out.Roots ?? []) if (root.Id) roots.push(root.Id);
      NextToken = out.NextToken ?? undefined;
    } while (NextToken);
    return roots;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    throw new OrganizationsAccessError(
      `organizations:ListRoots failed (${e.name ?? 'Error'}): ${e.message ?? String(error)}. Listing the organization needs its management account ` +
        'or a delegated administrator; name the accounts with --accounts instead.',
      e.name,
    );
  }
}

export interface LiveTargetsRequest {
  readonly config: AccountsConfig;
  readonly sts: Pick<STSClient, 'send'>;
  /** Needed only when `config.organization` is set. */
  readonly organizations?: Pick<OrganizationsClient, 'send'>;
  readonly retry?: RetryOptions;
  readonly onProgress?: (message: string) => void;
  /** Already asked of STS (saves the call). */
  readonly caller?: CallerAccount;
}

export async function resolveLiveTargets(request: LiveTargetsRequest): Promise<ResolvedTargets & { readonly caller: CallerAccount }> {
  const caller = request.caller ?? (await callerAccount(request.sts));
  const { organization } = request.config;
  let organizationAccounts;
  if (organization) {
    if (!request.organizations) throw new Error('resolveLiveTargets: "organization" is configured but no Organizations client was given');
    organizationAccounts = await discoverOrganizationAccounts(request.organizations, organization.ouIds, {
      retry: request.retry,
      onProgress: request.onProgress,
    });
  }
  const resolved = resolveTargets({ config: request.config, deployingAccountId: caller.accountId, partition: caller.partition, organizationAccounts });
  return { ...resolved, caller };
}
