/**
 * Which accounts a deployed check reads. Without `accounts` or `organization` in the config the
 * checker reads only its own account, as before. With `organization`, AWS Organizations is asked
 * at most every DISCOVERY_TTL_MS (its API has low request quotas and membership changes rarely);
 * when the listing fails the last good listing is used for up to STALE_DISCOVERY_LIMIT_MS, after
 * which the run fails (CheckerErrors pages) rather than dropping every member account, which
 * would resolve their open alerts as if they were healthy.
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { Context } from 'aws-lambda';
import { accountIdOfArn } from '../core/fleet/org-reader';
import { resolveTargets, type AccountTarget, type OrganizationAccount, type SkippedAccount } from '../core/fleet/accounts';
import type { Config } from '../core/config';
import { discoverOrganizationAccounts } from '../aws/organizations';

export const DISCOVERY_TTL_MS = 15 * 60_000;
export const STALE_DISCOVERY_LIMIT_MS = 6 * 3_600_000;

export class AccountDiscoveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AccountDiscoveryError';
  }
}

export interface AccountTargetsOptions {
  readonly config: Config;
  /** Needed when `config.organization` is set. */
  readonly organizations?: () => Pick<OrganizationsClient, 'send'>;
  readonly clock: () => Date;
  readonly onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export interface DeployingIdentity {
  readonly accountId: string;
  /** From the function's ARN: member role ARNs are built in the same partition. */
  readonly partition: string;
}

/** Reads several accounts when the config names any; undefined: the checker's own account only. */
export type AccountTargetSource = (identity: DeployingIdentity) => Promise<readonly AccountTarget[] | undefined>;

export function isMultiAccount(config: Pick<Config, 'accounts' | 'organization'>): boolean {
  return config.accounts.length > 0 || config.organization !== undefined;
}

export function createAccountTargets(options: AccountTargetsOptions): AccountTargetSource {
  const { config, clock } = options;
  let listed: { readonly at: number; readonly accounts: readonly OrganizationAccount[] } | undefined;
  const reportedSkips = new Set<string>();

  async function organizationAccounts(): Promise<readonly OrganizationAccount[] | undefined> {
    if (!config.organization) return undefined;
    const now = clock().getTime();
    if (listed && now - listed.at < DISCOVERY_TTL_MS) return listed.accounts;
    try {
      const accounts = await discoverOrganizationAccounts(options.organizations!(), config.organization.ouIds);
      listed = { at: now, accounts };
      return accounts;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (listed && now - listed.at < STALE_DISCOVERY_LIMIT_MS) {
        options.onWarning?.('Listing the organization failed; using the last listing', { reason, listedAt: new Date(listed.at).toISOString() });
        return listed.accounts;
      }
      throw new AccountDiscoveryError(`Listing the organization's accounts failed: ${reason}`, { cause: error });
    }
  }

  const warnSkipped = (skipped: readonly SkippedAccount[]) => {
    for (const s of skipped) {
      const key = `${s.accountId}:${s.reason}`;
      if (reportedSkips.has(key)) continue;
      reportedSkips.add(key);
      options.onWarning?.('Account not read', { accountId: s.accountId, reason: s.reason });
    }
  };

  return async (identity) => {
    if (!isMultiAccount(config)) return undefined;
    const resolved = resolveTargets({
      config,
      deployingAccountId: identity.accountId,
      partition: identity.partition,
      organizationAccounts: await organizationAccounts(),
    });
    warnSkipped(resolved.skipped);
    return resolved.targets;
  };
}

/** The partition in an ARN (`arn:aws-cn:lambda:...` → `aws-cn`). */
export function partitionOfArn(arn: string): string {
  return arn.split(':')[1] || 'aws';
}

/** The deploying account from the invocation's function ARN; a context without one is a broken invocation. */
export function deployingAccountOf(context: Pick<Context, 'invokedFunctionArn'>): string {
  const accountId = accountIdOfArn(context.invokedFunctionArn);
  if (!accountId) throw new Error(`The invocation's function ARN names no 12-digit account (got ${JSON.stringify(context.invokedFunctionArn)}).`);
  return accountId;
}

/** Who an invocation runs as: its account (read with its own role) and partition, from its function ARN. */
export function deployingIdentityOf(context: Pick<Context, 'invokedFunctionArn'>): DeployingIdentity {
  return { accountId: deployingAccountOf(context), partition: partitionOfArn(context.invokedFunctionArn) };
}
