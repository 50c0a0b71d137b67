/**
 * `--accounts`, `--role-name` and `--organization`: which accounts a live `check` or `snapshot`
 * reads, starting from the user's own credentials (profile, SSO session or the default chain).
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { createLiveOrgReader } from '../../lambdas/aws/live-org-reader';
import { callerAccount, organizationRoots, resolveLiveTargets, type CallerAccount } from '../../lambdas/aws/org-targets';
import { sdkRequestHandler } from '../../lambdas/aws/sdk-client-config';
import { ACCOUNT_ID, type Config } from '../../lambdas/core/config';
import type { AccountTarget } from '../../lambdas/core/fleet/accounts';
import type { OrgSnapshot } from '../../lambdas/core/fleet/model';
import { printable } from '../../lambdas/core/shared/text';
import { SetupError } from './aws-setup';
import { CredentialsError } from './live';
import { UsageError, type CliIo } from './types';

export const ACCOUNT_FLAGS = {
  accounts: { type: 'string' },
  'role-name': { type: 'string' },
  organization: { type: 'boolean' },
} as const;

export const ACCOUNT_FLAGS_HELP = `  --accounts LIST   member accounts to read, comma-separated 12-digit ids, each through its
                    read-only role (your own account, if listed, with your own credentials)
  --role-name NAME  the role to assume in each account (default: memberRole.name from the
                    config, else ReplicationGuardReader)
  --organization    read the organization's accounts: organization.ouIds from the config, else
                    every root (run from the management account or a delegated administrator)`;

export interface AccountFlags {
  readonly accounts?: string;
  readonly 'role-name'?: string;
  readonly organization?: boolean;
}

/** IAM role names (IAM API reference, CreateRole: RoleName). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface AccountSelection {
  /** `--accounts` ids, deduplicated. */
  readonly accounts?: readonly string[];
  readonly roleName?: string;
  readonly organization: boolean;
}

/** Validates the flags before any AWS call; undefined when neither they nor the config ask for more than one account. */
export function parseAccountFlags(flags: AccountFlags, config: Config): AccountSelection | undefined {
  let accounts: string[] | undefined;
  if (flags.accounts !== undefined) {
    accounts = [...new Set(flags.accounts.split(',').map((a) => a.trim()).filter(Boolean))];
    if (accounts.length === 0) throw new UsageError('--accounts needs at least one 12-digit account id, e.g. --accounts 111122223333,444455556666');
    const bad = accounts.filter((a) => !ACCOUNT_ID.test(a));
    if (bad.length) throw new UsageError(`--accounts: ${bad.map((a) => `"${a}"`).join(', ')} ${bad.length > 1 ? 'are not' : 'is not'} a 12-digit AWS account id`);
  }
  const roleName = flags['role-name'];
  if (roleName !== undefined && !ROLE_NAME.test(roleName)) {
    throw new UsageError(`--role-name: "${roleName}" is not an IAM role name (1-64 letters, digits or +=,.@_-; no path)`);
  }
  if (accounts && flags.organization) throw new UsageError('--accounts and --organization cannot be combined: name the accounts, or read the organization');
  const fromConfig = config.accounts.length > 0 || config.organization !== undefined;
  if (roleName !== undefined && !accounts && !flags.organization && !fromConfig) {
    throw new UsageError('--role-name needs --accounts or --organization (or accounts/organization in the config)');
  }
  if (!accounts && !flags.organization && !fromConfig) return undefined;
  return { ...(accounts ? { accounts } : {}), ...(roleName ? { roleName } : {}), organization: flags.organization === true };
}

/** The config the selection describes: `--accounts` replaces the account list, `--role-name` every role name. */
function selectedConfig(config: Config, selection: AccountSelection, caller: CallerAccount, roots: readonly string[] | undefined): Config {
  let out: Config = config;
  if (selection.accounts) {
    const entries = new Map(config.accounts.map((a) => [a.id, a]));
    out = {
      ...out,
      accounts: selection.accounts.map((id) => entries.get(id) ?? { id }),
      organization: undefined,
      // Listing your own account means reading it; not listing it means leaving it out.
      includeDeployingAccount: selection.accounts.includes(caller.accountId),
    };
  }
  if (roots) out = { ...out, organization: { ouIds: [...roots], includeAccounts: [], excludeAccounts: [] } };
  if (selection.roleName) {
    const name = selection.roleName;
    out = {
      ...out,
      memberRole: { ...out.memberRole, name },
      accounts: out.accounts.map(({ roleName: _, ...a }) => (a.roleArn ? a : { ...a, roleName: name })),
      ...(out.organization ? { organization: { ...out.organization, roleName: name } } : {}),
    };
  }
  return out;
}

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'CredentialsError']);

export interface OrgReadRequest {
  readonly config: Config;
  readonly selection: AccountSelection;
  /** Regions of accounts without their own (flags, config, environment or profile). */
  readonly regions: readonly string[];
  readonly profile?: string;
  /** Everything any check could read (snapshot) rather than what this config needs. */
  readonly everything?: boolean;
}

export interface OrgRead {
  readonly snapshot: OrgSnapshot;
  readonly targets: readonly AccountTarget[];
  readonly config: Config;
}

/** Resolves the accounts and reads them; setup problems (no credentials, not the management account) are errors, exit 2. */
export async function readOrganization(io: CliIo, request: OrgReadRequest): Promise<OrgRead> {
  const progress = (message: string) => io.stderr(`${message}\n`);
  const region = request.regions[0]!;
  const credentials = request.profile ? fromIni({ profile: request.profile }) : undefined;
  const clientConfig = { region, requestHandler: sdkRequestHandler(), ...(credentials ? { credentials } : {}) };
  const sts = new STSClient(clientConfig);
  const organizations = new OrganizationsClient(clientConfig);
  try {
    let caller: CallerAccount;
    try {
      caller = await callerAccount(sts);
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (e.name && NO_CREDENTIALS.has(e.name)) {
        throw new CredentialsError(
          `No AWS credentials found (${printable(e.message ?? '')}). Pass --profile NAME, set AWS_PROFILE or run "aws sso login".`,
        );
      }
      throw new SetupError(`sts:GetCallerIdentity failed${e.name ? ` (${e.name})` : ''}: ${printable(e.message ?? String(error))}. Check the credentials in use.`);
    }
    const roots = request.selection.organization && !request.config.organization ? await organizationRoots(organizations) : undefined;
    const config = selectedConfig({ ...request.config, regions: [...request.regions] }, request.selection, caller, roots);
    const { targets, skipped } = await resolveLiveTargets({ config, sts, organizations, caller, onProgress: progress });
    for (const s of skipped) progress(`skipped account ${s.accountId}${s.name ? ` (${printable(s.name)})` : ''}: ${s.reason}`);
    if (targets.length === 0) throw new SetupError('No account left to read: every account found was skipped or excluded.');
    progress(`Reading ${targets.length} account${targets.length > 1 ? 's' : ''} as ${caller.accountId}: ${targets.map((t) => t.accountId).join(', ')}`);
    const reader = createLiveOrgReader({
      ...(request.profile ? { profile: request.profile } : {}),
      stsRegion: region,
      read: {
        windowMinutes: config.lag.windowMinutes,
        includeParameters: request.everything || config.drift.enabled,
        includeAutomatedBackups: request.everything || config.dr.requireReplicatedBackups,
      },
      onProgress: progress,
    });
    return { snapshot: await reader.read(targets), targets, config };
  } finally {
    sts.destroy();
    organizations.destroy();
  }
}
