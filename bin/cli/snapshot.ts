import { printable } from '../../lambdas/core/shared/text';
import { asOrgSnapshot } from '../../lambdas/core/fleet/snapshot';
import { parseFlags, parseRegionsFlag } from './args';
import { resolveLiveSetup } from './aws-setup';
import { loadCliConfig } from './config-file';
import { checkOutPath } from './out-file';
import { writeFileAtomically } from './fleet-input';
import { createLiveReader } from './live';
import { ACCOUNT_FLAGS, ACCOUNT_FLAGS_HELP, parseAccountFlags, readOrganization } from './org-input';
import { EXIT_OK, UsageError, type CliCommand } from './types';

const OPTIONS = {
  out: { type: 'string' },
  regions: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  config: { type: 'string' },
  ...ACCOUNT_FLAGS,
} as const;

const usage = `Usage: replguard snapshot --out FILE [--regions R1,R2] [--profile NAME] [--config FILE]
                          [--accounts ID,... [--role-name NAME] | --organization [--role-name NAME]]

Captures everything a check reads (instances, clusters, global clusters, parameter groups,
automated backups and the lag metric series) into a replguard-snapshot/v2 file, using
read-only calls. Without --accounts, --organization or accounts in the config, the account is the
one the ARNs read name (docs/snapshot-format.md). Evaluate it later with: replguard check --snapshot FILE

  --out FILE        write the snapshot here (its folder must exist and be writable)
  --regions LIST    regions to read, comma-separated; default: "regions" from the config,
                    else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1
  --region R        the same as --regions (as in the aws CLI)
  --profile NAME    AWS shared-config profile (default: AWS_PROFILE, else the default chain)
  --config FILE     replguard config (JSON), for its regions, lag window and accounts
${ACCOUNT_FLAGS_HELP}

Exit status: 0 written, 2 bad input or usage, or nothing could be read from AWS.`;

export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  summary: 'capture a fleet snapshot file from a live account (read-only)',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    if (!values.out) throw new UsageError('--out FILE is required');
    const regionFlags = [values.regions, values.region];
    regionFlags.forEach(parseRegionsFlag);
    await checkOutPath(values.out);
    const { config, configRegions } = await loadCliConfig(values.config);
    const selection = parseAccountFlags(values, config);
    const { regions, profile } = resolveLiveSetup(io.env, { regionFlags, profileFlag: values.profile, configRegions });
    if (selection) {
      const { snapshot } = await readOrganization(io, { config, selection, regions, profile, everything: true });
      await writeFileAtomically(values.out, `${JSON.stringify(snapshot, null, 2)}\n`);
      for (const [accountId, account] of Object.entries(snapshot.accounts)) {
        for (const e of account.errors ?? []) io.stderr(`warning: ${printable(`${accountId}: ${e.operation} failed: ${e.message}`)}\n`);
        for (const [region, data] of Object.entries(account.regions)) {
          for (const e of data.errors ?? []) io.stderr(`warning: ${printable(`${accountId} ${region}: ${e.operation} failed: ${e.message}`)}\n`);
        }
      }
      io.stderr(`Wrote ${values.out} (${Object.keys(snapshot.accounts).length} accounts).\n`);
      return EXIT_OK;
    }
    // Everything any check could read, whatever this config enables, so the file serves any later config.
    const reader = createLiveReader(io, {
      regions,
      profile,
      config,
      includeParameters: true,
      includeAutomatedBackups: true,
    });
    const snapshot = await reader.read();
    const org = asOrgSnapshot(snapshot);
    await writeFileAtomically(values.out, `${JSON.stringify(org, null, 2)}\n`);
    const errors = Object.entries(snapshot.regions).flatMap(([region, data]) =>
      (data.errors ?? []).map((e) => printable(`${region}: ${e.operation} failed: ${e.message}`)),
    );
    for (const line of errors) io.stderr(`warning: ${line}\n`);
    io.stderr(`Wrote ${values.out} (account ${Object.keys(org.accounts).join(', ')}; ${regions.join(', ')}).\n`);
    return EXIT_OK;
  },
};
