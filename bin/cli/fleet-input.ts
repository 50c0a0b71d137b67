/** What `check` and `baseline diff` share: where the fleet comes from, the config and the baseline. */
import { writeFile, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../lambdas/core/config';
import type { Baseline } from '../../lambdas/core/rules/drift/baseline';
import type { FleetSnapshot, OrgSnapshot } from '../../lambdas/core/fleet/model';
import { accountFleet, asOrgSnapshot, SnapshotError } from '../../lambdas/core/fleet/snapshot';
import { loadBaselineFile } from '../../lambdas/io/baseline-file';
import { OrgSnapshotFileReader } from '../../lambdas/io/snapshot-file-reader';
import { parseRegionsFlag } from './args';
import { resolveLiveSetup } from './aws-setup';
import { loadCliConfig } from './config-file';
import { createLiveReader } from './live';
import { ACCOUNT_FLAGS, parseAccountFlags, readOrganization, type AccountFlags, type OrgRead } from './org-input';
import { UsageError, type CliIo } from './types';

export const FLEET_INPUT_FLAGS = {
  snapshot: { type: 'string' },
  regions: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  config: { type: 'string' },
  baseline: { type: 'string' },
} as const;

/** The help lines of the flags above, shared by every command that reads a fleet. */
export const FLEET_INPUT_HELP = `  --snapshot FILE   evaluate a snapshot file offline (replguard-snapshot/v2, or v1; no AWS access)
  --regions LIST    regions to read live, comma-separated; default: "regions" from the config,
                    else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1
  --region R        the same as --regions (as in the aws CLI)
  --profile NAME    AWS shared-config profile for live reads (default: AWS_PROFILE, else the default chain)
  --config FILE     replguard config (JSON); defaults apply when omitted
  --baseline FILE   parameter baseline (default: drift.baseline from the config, else the shipped one)`;

export interface FleetInputFlags {
  readonly snapshot?: string;
  readonly regions?: string;
  readonly region?: string;
  readonly profile?: string;
  readonly config?: string;
  readonly baseline?: string;
}

export interface FleetInput {
  readonly config: Config;
  /** From --baseline or drift.baseline; undefined means the shipped default. */
  readonly baseline?: Baseline;
  /** Every account read; a v1 file or a one-account live read is one account (see accountOfSnapshot). */
  readonly org: OrgSnapshot;
}

/**
 * The one account of a read, for commands that work on one account's fleet (report, baseline):
 * a read of several accounts is refused with the accounts named, never merged (names may repeat).
 */
export function oneAccountFleet(org: OrgSnapshot, source: string): FleetSnapshot {
  const ids = Object.keys(org.accounts).sort();
  if (ids.length !== 1) {
    throw new SnapshotError(
      `${source} holds ${ids.length} accounts (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}) and this command works on one: ` +
        'check them all with "replguard check", or pass a snapshot of one account.',
    );
  }
  return accountFleet(org, ids[0]!);
}

/** `check`'s fleet flags plus the account selection. */
export const FLEET_OR_ORG_INPUT_FLAGS = { ...FLEET_INPUT_FLAGS, ...ACCOUNT_FLAGS } as const;

/** Validates every flag and file before any AWS call, then reads the fleet. */
export async function readFleetInput(values: FleetInputFlags, io: CliIo): Promise<FleetInput> {
  const regionFlags = [values.regions, values.region];
  regionFlags.forEach(parseRegionsFlag);
  if (values.snapshot && (values.regions !== undefined || values.region !== undefined || values.profile !== undefined)) {
    throw new UsageError('--snapshot reads a file: it cannot be combined with --regions, --region or --profile');
  }
  return readValidatedFleetInput(values, io);
}

/** A read of several accounts also knows which accounts were targeted (for regions of unreadable ones). */
export type FleetOrOrgInput = FleetInput & { readonly targets?: OrgRead['targets'] };

/**
 * As readFleetInput, and with `--accounts`, `--organization` or accounts in the config, reads every
 * selected account instead of the credentials' own.
 */
export async function readFleetOrOrgInput(values: FleetInputFlags & AccountFlags, io: CliIo): Promise<FleetOrOrgInput> {
  const regionFlags = [values.regions, values.region];
  regionFlags.forEach(parseRegionsFlag);
  const accountFlags = values.accounts !== undefined || values['role-name'] !== undefined || values.organization !== undefined;
  if (values.snapshot && (values.regions !== undefined || values.region !== undefined || values.profile !== undefined || accountFlags)) {
    throw new UsageError('--snapshot reads a file: it cannot be combined with --regions, --region, --profile, --accounts, --role-name or --organization');
  }
  if (values.snapshot) return readValidatedFleetInput(values, io);
  const { config, configRegions } = await loadCliConfig(values.config);
  const selection = parseAccountFlags(values, config);
  if (!selection) return readValidatedFleetInput(values, io);
  const baseline = await baselineOf(values, config);
  const setup = resolveLiveSetup(io.env, { regionFlags, profileFlag: values.profile, configRegions });
  const read = await readOrganization(io, { config, selection, regions: setup.regions, profile: setup.profile });
  return { config: read.config, baseline, org: read.snapshot, targets: read.targets };
}

async function baselineOf(values: FleetInputFlags, config: Config): Promise<Baseline | undefined> {
  // --baseline is relative to where the user stands; drift.baseline to the config file, as in the stack.
  const baselinePath =
    values.baseline ??
    (config.drift.baseline && values.config ? resolve(dirname(values.config), config.drift.baseline) : config.drift.baseline);
  return baselinePath ? loadBaselineFile(baselinePath) : undefined;
}

async function readValidatedFleetInput(values: FleetInputFlags, io: CliIo): Promise<FleetInput> {
  const regionFlags = [values.regions, values.region];
  const { config, configRegions } = await loadCliConfig(values.config);
  const baseline = await baselineOf(values, config);
  if (values.snapshot) return { config, baseline, org: await new OrgSnapshotFileReader(values.snapshot).read() };
  const setup = resolveLiveSetup(io.env, { regionFlags, profileFlag: values.profile, configRegions });
  // The account of the credentials in use, known from the ARNs it described (as for a v1 file).
  const snapshot = await createLiveReader(io, { regions: setup.regions, profile: setup.profile, config }).read();
  return { config, baseline, org: asOrgSnapshot(snapshot) };
}

/** Writes beside the target and renames, so an interrupted run never leaves half a file. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.partial`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}
