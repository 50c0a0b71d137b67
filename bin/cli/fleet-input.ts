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

/** Validates every flag and file before any AWS call, then reads the fleet. */
export async function readFleetInput(values: FleetInputFlags, io: CliIo): Promise<FleetInput> {
  const regionFlags = [values.regions, values.region];
  regionFlags.forEach(parseRegionsFlag);
  if (values.snapshot && (values.regions !== undefined || values.region !== undefined || values.profile !== undefined)) {
    throw new UsageError('--snapshot reads a file: it cannot be combined with --regions, --region or --profile');
  }
  const { config, configRegions } = await loadCliConfig(values.config);
  // --baseline is relative to where the user stands; drift.baseline to the config file, as in the stack.
  const baselinePath =
    values.baseline ??
    (config.drift.baseline && values.config ? resolve(dirname(values.config), config.drift.baseline) : config.drift.baseline);
  const baseline = baselinePath ? await loadBaselineFile(baselinePath) : undefined;
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
