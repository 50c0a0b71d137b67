import { evaluate } from '../../lambdas/core/evaluate';
import type { FleetReader } from '../../lambdas/core/reader';
import { renderJson, renderTable } from '../../lambdas/core/report';
import { loadBaselineFile } from '../../lambdas/io/baseline-file';
import { SnapshotFileReader } from '../../lambdas/io/snapshot-file-reader';
import { parseFlags, parseFormatFlag, parseRegionsFlag } from './args';
import { loadConfigFile } from './config-file';
import { createLiveReader } from './live';
import { EXIT_CRITICAL, EXIT_OK, UsageError, type CliCommand } from './types';

const usage = `Usage: replguard check [--snapshot FILE | --regions R1,R2 [--profile NAME]] [--config FILE]
                       [--baseline FILE] [--format table|json] [--exit-zero]

Checks replication health, parameter drift and DR readiness, live or from a snapshot file.

  --snapshot FILE   evaluate a replguard-snapshot/v1 file offline (no AWS access)
  --regions LIST    regions to read live (default: "regions" from the config)
  --profile NAME    AWS shared-config profile for live reads
  --config FILE     replguard config (JSON); defaults apply when omitted
  --baseline FILE   parameter baseline (default: drift.baseline from the config, else the shipped one)
  --format FORMAT   table (default) or json
  --exit-zero       exit 0 even with critical findings (for demos)

Exit status: 0 no critical finding, 1 at least one critical finding, 2 bad input or usage.`;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check replication health, drift and DR readiness (live or --snapshot)',
  usage,
  async run(args, io) {
    const { values } = parseFlags(args, {
      snapshot: { type: 'string' },
      regions: { type: 'string' },
      profile: { type: 'string' },
      config: { type: 'string' },
      baseline: { type: 'string' },
      format: { type: 'string' },
      'exit-zero': { type: 'boolean' },
    });
    const format = parseFormatFlag(values.format);
    const regions = parseRegionsFlag(values.regions);
    if (values.snapshot && (regions || values.profile)) {
      throw new UsageError('--snapshot reads a file: it cannot be combined with --regions or --profile');
    }
    const config = await loadConfigFile(values.config);
    const baselinePath = values.baseline ?? config.drift.baseline;
    const baseline = baselinePath ? await loadBaselineFile(baselinePath) : undefined;
    const reader: FleetReader = values.snapshot
      ? new SnapshotFileReader(values.snapshot)
      : createLiveReader(io, { regions: regions ?? config.regions, profile: values.profile, config });

    const snapshot = await reader.read();
    const report = evaluate(snapshot, { config, baseline, scope: 'all' });
    io.stdout(format === 'json' ? renderJson(report) : renderTable(report, { color: io.stdoutIsTTY && !io.env.NO_COLOR }));
    if (values['exit-zero']) return EXIT_OK;
    return report.summary.critical > 0 ? EXIT_CRITICAL : EXIT_OK;
  },
};
