/** What `check` and `baseline diff` share: where the fleet comes from, the config and the baseline. */
import { writeFile, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../lambdas/core/config';
import type { Baseline } from '../../lambdas/core/drift/baseline';
import type { FleetSnapshot } from '../../lambdas/core/model';
import type { FleetReader } from '../../lambdas/core/reader';
import { loadBaselineFile } from '../../lambdas/io/baseline-file';
import { SnapshotFileReader } from '../../lambdas/io/snapshot-file-reader';
import { parseRegionsFlag } from './args';
import { loadConfigFile } from './config-file';
import { createLiveReader } from './live';
import { UsageError, type CliIo } from './types';

export const FLEET_INPUT_FLAGS = {
  snapshot: { type: 'string' },
  regions: { type: 'string' },
  profile: { type: 'string' },
  config: { type: 'string' },
  baseline: { type: 'string' },
} as const;

export interface FleetInputFlags {
  readonly snapshot?: string;
  readonly regions?: string;
  readonly profile?: string;
  readonly config?: string;
  readonly baseline?: string;
}

export interface FleetInput {
  readonly config: Config;
  /** From --baseline or drift.baseline; undefined means the shipped default. */
  readonly baseline?: Baseline;
  readonly snapshot: FleetSnapshot;
}

/** Validates every flag and file before any AWS call, then reads the fleet. */
export async function readFleetInput(values: FleetInputFlags, io: CliIo): Promise<FleetInput> {
  const regions = parseRegionsFlag(values.regions);
  if (values.snapshot && (regions || values.profile)) {
    throw new UsageError('--snapshot reads a file: it cannot be combined with --regions or --profile');
  }
  const config = await loadConfigFile(values.config);
  // --baseline is relative to where the user stands; drift.baseline to the config file, as in the stack.
  const baselinePath =
    values.baseline ??
    (config.drift.baseline && values.config ? resolve(dirname(values.config), config.drift.baseline) : config.drift.baseline);
  const baseline = baselinePath ? await loadBaselineFile(baselinePath) : undefined;
  const reader: FleetReader = values.snapshot
    ? new SnapshotFileReader(values.snapshot)
    : createLiveReader(io, { regions: regions ?? config.regions, profile: values.profile, config });
  return { config, baseline, snapshot: await reader.read() };
}

/** Writes beside the target and renames, so an interrupted run never leaves half a file. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.partial`;
  await writeFile(temporary, text, 'utf8');
  await rename(temporary, path);
}
