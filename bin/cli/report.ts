import { evaluate } from '../../lambdas/core/rules/evaluate';
import { renderReviewReport, type ReviewFormat } from '../../lambdas/core/outputs/review-report';
import { SnapshotError } from '../../lambdas/core/fleet/snapshot';
import { parseFlags, parseRegionsFlag } from './args';
import { FLEET_INPUT_FLAGS, FLEET_INPUT_HELP, oneAccountFleet, readFleetInput, writeFileAtomically } from './fleet-input';
import { checkOutPath } from './out-file';
import { EXIT_OK, UsageError, type CliCommand } from './types';

const OPTIONS = { ...FLEET_INPUT_FLAGS, out: { type: 'string' }, format: { type: 'string' } } as const;

const usage = `Usage: replguard report [--snapshot FILE | --regions R1,R2 [--profile NAME]] [--config FILE]
                        [--baseline FILE] [--out FILE] [--format html|markdown]

Writes a review report of replication health, parameter drift and DR readiness: the same
evaluation as "check", with the replication topology drawn by region, a lag sparkline per
replica, DR readiness per primary, and every finding with its cause, fix and runbook link.

${FLEET_INPUT_HELP}
  --out FILE        where to write it (default: report.html, or report.md with --format markdown)
  --format FORMAT   html (default): one self-contained page that needs no network to view;
                    markdown: a Mermaid diagram and tables for a wiki

Exit status: 0 report written (whatever it found), 2 bad input or usage.`;

function parseReportFormat(value: string | undefined): ReviewFormat {
  if (value === undefined || value === 'html' || value === 'markdown') return value ?? 'html';
  throw new UsageError(`--format must be "html" or "markdown" (got "${value}")`);
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'write a review report (self-contained HTML, or Markdown with a Mermaid diagram)',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseReportFormat(values.format);
    const out = values.out ?? (format === 'markdown' ? 'report.md' : 'report.html');
    if (out.trim() === '') throw new UsageError('--out needs a file name');
    await checkOutPath(out);
    const { config, baseline, org } = await readFleetInput(values, io);
    const snapshot = oneAccountFleet(org, values.snapshot ?? 'the live read');
    const report = evaluate(snapshot, { config, baseline, scope: 'all' });
    const regions = Object.keys(snapshot.regions).sort();
    const source = values.snapshot ? `snapshot ${values.snapshot}` : `live read of ${(parseRegionsFlag(values.regions) ?? regions).join(', ')}`;
    if (report.replicas.length === 0) {
      const where = values.snapshot ? `The snapshot ${values.snapshot}` : `The live read of ${regions.join(', ')}`;
      throw new SnapshotError(
        `${where} has no replicas (no read replicas, cluster readers, replica clusters or global secondaries): there is no replication to review. ` +
          'Check the regions read (--regions, or "regions" in the config).',
      );
    }
    const text = await renderReviewReport({ snapshot, config, report, source, format });
    try {
      await writeFileAtomically(out, text);
    } catch (error) {
      throw new UsageError(`--out ${out}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const s = report.summary;
    io.stderr(
      `Wrote ${out} (${format}, ${Math.round(Buffer.byteLength(text) / 1024)} KiB): ${s.replicas} replicas, ${s.healthy} healthy; ` +
        `findings: ${s.critical} critical, ${s.warning} warning, ${s.info} info.\n`,
    );
    return EXIT_OK;
  },
};
