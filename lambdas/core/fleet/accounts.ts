/**
 * Which accounts a check reads, and how. Resolved from the config (`accounts`, `organization`,
 * `includeDeployingAccount`) and, for `organization`, the accounts AWS Organizations lists.
 * Pure: the Organizations listing and the deploying account come in as data.
 */

/** One account to read. */
export interface AccountTarget {
  /** 12-digit account id. */
  readonly accountId: string;
  readonly name?: string;
  readonly regions: readonly string[];
  /** The role to assume; absent for the account the checker runs in (read with its own credentials). */
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** An account as AWS Organizations lists it (ListAccountsForParent → Accounts[]). */
export interface OrganizationAccount {
  readonly id: string;
  readonly name?: string;
  /** `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION), else the retired `Status`. */
  readonly state?: string;
}

/** An account the config names or Organizations lists that will not be read, and why. */
export interface SkippedAccount {
  readonly accountId: string;
  readonly name?: string;
  readonly reason: string;
}

/** The parts of the parsed config (lambdas/core/config) that say which accounts to read. */
export interface AccountsConfig {
  readonly regions: readonly string[];
  readonly accounts: readonly {
    readonly id: string;
    readonly name?: string;
    readonly regions?: readonly string[];
    readonly roleName?: string;
    readonly roleArn?: string;
  }[];
  readonly organization?: {
    readonly ouIds: readonly string[];
    readonly includeAccounts: readonly string[];
    readonly excludeAccounts: readonly string[];
    readonly roleName?: string;
  };
  readonly memberRole: { readonly name: string; readonly externalId?: string };
  readonly includeDeployingAccount: boolean;
}

export interface ResolveTargetsInput {
  readonly config: AccountsConfig;
  /** The account the checker's own credentials belong to. */
  readonly deployingAccountId: string;
  /** The checker's partition (aws, aws-cn, aws-us-gov, ...): member role ARNs are built in it. */
  readonly partition: string;
  /** What AWS Organizations listed under `organization.ouIds`; required when `organization` is set. */
  readonly organizationAccounts?: readonly OrganizationAccount[];
}

export interface ResolvedTargets {
  /** Sorted by account id, each account once. */
  readonly targets: readonly AccountTarget[];
  readonly skipped: readonly SkippedAccount[];
}

/** Only an ACTIVE account can be signed in to; an account without any state field is tried. */
const READABLE_STATES = new Set(['ACTIVE']);

export const roleArnOf = (partition: string, accountId: string, roleName: string): string =>
  `arn:${partition}:iam::${accountId}:role/${roleName}`;

/**
 * The accounts to read: the deploying account with its own credentials (even when an OU lists it,
 * so the hub never needs the member role), `accounts[]` and the organization's accounts through
 * the member role. `excludeAccounts` wins over every source; an `accounts[]` entry's name, regions
 * and role win over the organization's defaults for the same account.
 */
export function resolveTargets(input: ResolveTargetsInput): ResolvedTargets {
  const { config, deployingAccountId, partition } = input;
  const organization = config.organization;
  if (organization && !input.organizationAccounts) {
    throw new Error('resolveTargets: "organization" is configured but no Organizations listing was given');
  }
  const excluded = new Set(organization?.excludeAccounts ?? []);
  const skipped = new Map<string, SkippedAccount>();
  const targets = new Map<string, AccountTarget>();
  const externalId = config.memberRole.externalId;
  const withName = (name: string | undefined) => (name ? { name } : {});
  const skip = (accountId: string, name: string | undefined, reason: string) => {
    if (!skipped.has(accountId) && !targets.has(accountId)) skipped.set(accountId, { accountId, ...withName(name), reason });
  };
  const entries = new Map(config.accounts.map((a) => [a.id, a]));
  const listed = new Map((input.organizationAccounts ?? []).map((a) => [a.id, a]));

  const consider = (accountId: string, fallbackName: string | undefined, roleName: string | undefined) => {
    if (targets.has(accountId)) return;
    const entry = entries.get(accountId);
    const name = entry?.name ?? fallbackName ?? listed.get(accountId)?.name;
    if (excluded.has(accountId)) return skip(accountId, name, 'listed in organization.excludeAccounts');
    const regions = entry?.regions ?? config.regions;
    if (accountId === deployingAccountId) {
      if (!config.includeDeployingAccount) return skip(accountId, name, 'the deploying account, and includeDeployingAccount is false');
      targets.set(accountId, { accountId, ...withName(name), regions });
      return;
    }
    const state = listed.get(accountId)?.state;
    if (state !== undefined && !READABLE_STATES.has(state)) return skip(accountId, name, `${state} in AWS Organizations`);
    const roleArn = entry?.roleArn ?? roleArnOf(partition, accountId, entry?.roleName ?? roleName ?? config.memberRole.name);
    targets.set(accountId, { accountId, ...withName(name), regions, roleArn, ...(externalId ? { externalId } : {}) });
  };

  consider(deployingAccountId, undefined, undefined);
  for (const entry of config.accounts) consider(entry.id, entry.name, undefined);
  if (organization) {
    for (const account of input.organizationAccounts ?? []) consider(account.id, account.name, organization.roleName);
    for (const id of organization.includeAccounts) consider(id, listed.get(id)?.name, organization.roleName);
  }
  const byId = <T extends { accountId: string }>(a: T, b: T) => a.accountId.localeCompare(b.accountId);
  return { targets: [...targets.values()].sort(byId), skipped: [...skipped.values()].sort(byId) };
}
