import { evaluateProbes } from '../../lambdas/core/rules/probe/probe-rules';
import { probeReport, renderProbeJson, renderProbeTable } from '../../lambdas/probe/report';
import { runProbe } from '../../lambdas/probe/run-probe';
import { parseTargets, TargetError } from '../../lambdas/probe/targets';
import { parseFlags, parseFormatFlag } from './args';
import { loadConfigFile } from './config-file';
import { writeFileAtomically } from './fleet-input';
import { isKnownRegion } from '../../lambdas/core/shared/regions';
import { SNAPSHOT_FORMAT, type FleetSnapshot, type RegionSnapshot } from '../../lambdas/core/fleet/model';
import type { ProbeObservation } from '../../lambdas/core/fleet/probe-observation';
import { EXIT_CRITICAL, EXIT_OK, UsageError, type CliCommand } from './types';

const usage = `Usage: replguard probe --target URL [--target URL ...] [--config FILE] [--format table|json]
                       [--connect-timeout SECONDS] [--query-timeout SECONDS] [--no-heartbeat-write] [--out FILE] [--exit-zero]

Connects to each database, writes the heartbeat on sources, reads it and the replication state on
replicas, and prints the same findings as "check". Read docs/probe.md for the monitoring user.

  --target URL            postgres://, mysql:// or mariadb://user:password@host:port/db, repeatable.
                          Options: ?name=NAME &role=source|replica &source=NAME &region=REGION
                          &heartbeat=schema.table &tls=off|require|verify &tlsca=FILE.
                          Without a password in the URL, REPLGUARD_PROBE_PASSWORD is used.
  --config FILE           replguard config: lag thresholds, suppressions, runbook links
  --format FORMAT         table (default) or json (with every observation)
  --connect-timeout S     per database (default 5)
  --query-timeout S       per query (default 5)
  --no-heartbeat-write    only read the heartbeat (pt-heartbeat --update --utc writes it)
  --out FILE              also write the observations as a replguard-snapshot/v1 file, so that
                          "check --snapshot FILE" reproduces every verdict (targets need a region)
  --exit-zero             exit 0 even with critical findings

Exit status: 0 no critical finding, 1 at least one critical finding, 2 bad input or usage.`;

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300) throw new UsageError(`--${flag} must be a number of seconds between 0 and 300 (got "${value}")`);
  return n * 1000;
}

const OPTIONS = {
  target: { type: 'string', multiple: true },
  config: { type: 'string' },
  format: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'query-timeout': { type: 'string' },
  'no-heartbeat-write': { type: 'boolean' },
  'exit-zero': { type: 'boolean' },
  out: { type: 'string' },
} as const;

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'measure true lag and read replication state inside the databases (--target URL ...)',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseFormatFlag(values.format);
    if (!values.target?.length) throw new UsageError('--target is required: give each database as a connection URL');
    let targets;
    try {
      targets = parseTargets(values.target).map((t) =>
        t.password === '' && io.env.REPLGUARD_PROBE_PASSWORD ? { ...t, password: io.env.REPLGUARD_PROBE_PASSWORD } : t,
      );
    } catch (error) {
      if (error instanceof TargetError) throw new UsageError(error.message);
      throw error;
    }
    if (values.out !== undefined) {
      const regionless = targets.find((t) => !isKnownRegion(t.region));
      if (regionless) throw new UsageError(`--out: target "${regionless.name}" has no AWS region; add ?region=us-east-1 (for example) to its URL`);
    }
    const config = await loadConfigFile(values.config);
    const run = await runProbe(targets, {
      connectTimeoutMs: seconds('connect-timeout', values['connect-timeout'], 5000),
      queryTimeoutMs: seconds('query-timeout', values['query-timeout'], 5000),
      writeHeartbeat: !values['no-heartbeat-write'],
    });
    const report = probeReport(run.observations, evaluateProbes(run.observations, config));
    if (values.out !== undefined) await writeFileAtomically(values.out, `${JSON.stringify(probeSnapshot(report.checkedAt, run.observations), null, 2)}\n`);
    io.stdout(format === 'json' ? renderProbeJson(report) : renderProbeTable(report));
    if (values['exit-zero']) return EXIT_OK;
    return report.summary.critical > 0 ? EXIT_CRITICAL : EXIT_OK;
  },
};

/** The observations as a snapshot: one region entry per target region, nothing else read. */
function probeSnapshot(capturedAt: string, observations: readonly ProbeObservation[]): FleetSnapshot {
  const regions: Record<string, RegionSnapshot> = {};
  for (const o of observations) {
    const probes = [...(regions[o.region]?.probes ?? []), o];
    regions[o.region] = { probes };
  }
  return { format: SNAPSHOT_FORMAT, capturedAt, regions };
}
