import { printable } from '../../lambdas/core/text';
import { parseFlags, parseRegionsFlag } from './args';
import { loadConfigFile } from './config-file';
import { writeFileAtomically } from './fleet-input';
import { createLiveReader } from './live';
import { EXIT_OK, UsageError, type CliCommand } from './types';

const usage = `Usage: replguard snapshot --out FILE [--regions R1,R2] [--profile NAME] [--config FILE]

Captures everything a check reads (instances, clusters, global clusters, parameter groups,
automated backups and the lag metric series) into a replguard-snapshot/v1 file, using
read-only calls. Evaluate it later with: replguard check --snapshot FILE`;

export const snapshotCommand: CliCommand = {
  name: 'snapshot',
  summary: 'capture a fleet snapshot file from a live account (read-only)',
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, {
      out: { type: 'string' },
      regions: { type: 'string' },
      profile: { type: 'string' },
      config: { type: 'string' },
    });
    if (!values.out) throw new UsageError('--out FILE is required');
    const config = await loadConfigFile(values.config);
    const regions = parseRegionsFlag(values.regions) ?? config.regions;
    // Everything any check could read, whatever this config enables, so the file serves any later config.
    const reader = createLiveReader(io, {
      regions,
      profile: values.profile,
      config,
      includeParameters: true,
      includeAutomatedBackups: true,
    });
    const snapshot = await reader.read();
    await writeFileAtomically(values.out, `${JSON.stringify(snapshot, null, 2)}\n`);
    const errors = Object.entries(snapshot.regions).flatMap(([region, data]) =>
      (data.errors ?? []).map((e) => printable(`${region}: ${e.operation} failed: ${e.message}`)),
    );
    for (const line of errors) io.stderr(`warning: ${line}\n`);
    io.stderr(`Wrote ${values.out} (${regions.join(', ')}).\n`);
    return EXIT_OK;
  },
};
