/** `replguard baseline capture|diff`: write a baseline from a known-good database; show the fleet against one. */
import { DEFAULT_CONFIG } from '../../lambdas/core/config';
import { unknownRegionReason } from '../../lambdas/core/shared/regions';
import {
  BaselineError,
  DEFAULT_BASELINE,
  parseBaseline,
  serializeBaseline,
  type Baseline,
  type BaselineEntry,
} from '../../lambdas/core/rules/drift/baseline';
import { baselineEngine, majorVersion, parseVersionSpec } from '../../lambdas/core/rules/drift/engines';
import { ParameterIndex } from '../../lambdas/core/rules/drift/parameters';
import { diffBaseline, type BaselineCheck, type BaselineDiff } from '../../lambdas/core/rules/drift/rules';
import { createContext } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import type { DatabaseNode } from '../../lambdas/core/fleet/topology';
import { printable } from '../../lambdas/core/shared/text';
import { OrgSnapshotFileReader } from '../../lambdas/io/snapshot-file-reader';
import { parseFlags, parseFormatFlag } from './args';
import { resolveLiveSetup } from './aws-setup';
import { FLEET_INPUT_FLAGS, FLEET_INPUT_HELP, oneAccountFleet, readFleetInput, writeFileAtomically } from './fleet-input';
import { checkOutPath } from './out-file';
import { createLiveReader } from './live';
import { EXIT_CRITICAL, EXIT_OK, UsageError, type CliCommand, type CliIo } from './types';

const CAPTURE_OPTIONS = {
  from: { type: 'string' },
  region: { type: 'string' },
  snapshot: { type: 'string' },
  all: { type: 'boolean' },
  out: { type: 'string' },
  profile: { type: 'string' },
} as const;
const DIFF_OPTIONS = { ...FLEET_INPUT_FLAGS, format: { type: 'string' } } as const;

const usage = `Usage: replguard baseline capture --from DB [--region R] [--snapshot FILE] [--all] [--out FILE] [--profile NAME]
       replguard baseline diff [--snapshot FILE | --regions R1,R2 [--profile NAME]] [--baseline FILE]
                               [--config FILE] [--format table|json]

capture  writes a replguard-baseline/v1 file from a known-good database's parameter groups
         (instance group, plus the cluster group for Aurora): the parameters set by a user
         (Source "user") by default, every modifiable parameter with --all.
  --from DB         DB instance or Aurora cluster identifier
  --region R        its region (default: AWS_REGION, AWS_DEFAULT_REGION, else the profile's region)
  --snapshot FILE   read a snapshot file (replguard-snapshot/v2 of one account, or v1) instead of AWS
  --all             capture every modifiable parameter that has a value, not only user-set ones
  --out FILE        write the baseline here (default: standard output; its folder must exist)
  --profile NAME    AWS shared-config profile for live reads (default: AWS_PROFILE)

diff     shows every database against a baseline: parameters that drift, that cannot be compared,
         and databases that could not be checked.
${FLEET_INPUT_HELP}
  --format FORMAT   table (default) or json

Exit status: 0 ok (diff: no critical drift), 1 diff found critical drift, 2 bad input or usage.`;


// ---------------------------------------------------------------------------------------------
// capture

function findDatabase(snapshot: FleetSnapshot, id: string, region: string | undefined): DatabaseNode {
  // Capture reads no thresholds: the default config will do.
  const ctx = createContext(snapshot, DEFAULT_CONFIG);
  const regions = region ? [region] : ctx.topology.regions;
  const found = regions.flatMap((r) => {
    const node = ctx.topology.instance(r, id) ?? ctx.topology.cluster(r, id);
    return node ? [node] : [];
  });
  if (found.length === 0) {
    throw new BaselineError(`No DB instance or cluster "${id}" in ${region ?? `the regions read (${ctx.topology.regions.join(', ')})`}.`);
  }
  if (found.length > 1) {
    throw new UsageError(`"${id}" exists in ${found.map((n) => n.region).join(' and ')}: pass --region`);
  }
  return found[0]!;
}

function capturedBaseline(snapshot: FleetSnapshot, node: DatabaseNode, all: boolean): { baseline: Baseline; groups: readonly string[] } {
  const ctx = createContext(snapshot, DEFAULT_CONFIG);
  const lookup = new ParameterIndex(ctx).lookup(node);
  if (lookup.status === 'not-read') {
    throw new BaselineError(`The data for ${node.region} holds no parameter groups: take the snapshot with parameters (drift enabled).`);
  }
  if (lookup.status === 'no-group') throw new BaselineError(`${node.id} (${node.region}) names no parameter group.`);
  if (lookup.status === 'missing') {
    throw new BaselineError(`Parameter group ${lookup.groups.map((g) => g.name).join(', ')} of ${node.id} is not in the data read.`);
  }
  const params = lookup.params;
  const engine = baselineEngine(node.engine);
  if (!engine) throw new BaselineError(`${node.id} runs engine "${node.engine}", which baselines do not cover.`);
  const versionText = node.engineVersion ? majorVersion(engine, node.engineVersion) : undefined;
  const version = versionText ? parseVersionSpec(versionText) : undefined;
  const day = snapshot.capturedAt.slice(0, 10);
  const entries: BaselineEntry[] = params
    .explicit()
    .filter((p) => p.raw !== undefined && (all ? p.modifiable !== false : p.source === 'user'))
    .map((p) => ({
      parameter: p.name,
      expect: { equals: p.raw! },
      severity: 'warning' as const,
      reason: `Captured from ${node.id} (${p.group ?? params.groups.join(', ')}) on ${day}.`,
      engine: [engine],
      ...(version && typeof version !== 'string' ? { engineVersion: version } : {}),
    }));
  const description =
    `Captured from ${node.id} (${node.region}, ${node.engine} ${node.engineVersion ?? ''}`.trimEnd() +
    `) at ${snapshot.capturedAt}: ${all ? 'every modifiable parameter' : 'user-set parameters'} of ${params.groups.join(', ')}.`;
  // Round-trip through the parser so a captured file is always one the diff accepts.
  const baseline = parseBaseline(serializeBaseline({ source: 'capture', description, entries }), 'captured baseline');
  return { baseline, groups: params.groups };
}

async function capture(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, CAPTURE_OPTIONS);
  if (!values.from) throw new UsageError('capture needs --from <db identifier>');
  const regionFlagProblem = values.region === undefined ? undefined : unknownRegionReason(values.region);
  if (regionFlagProblem) throw new UsageError(`--region: unknown region "${values.region}" (${regionFlagProblem})`);
  if (values.snapshot && values.profile) throw new UsageError('--snapshot reads a file: it cannot be combined with --profile');
  if (values.out) await checkOutPath(values.out);
  let snapshot: FleetSnapshot;
  if (values.snapshot) {
    snapshot = oneAccountFleet(await new OrgSnapshotFileReader(values.snapshot).read(), values.snapshot);
  } else {
    const setup = resolveLiveSetup(io.env, { regionFlags: [values.region], profileFlag: values.profile });
    // One database, one region: a guess from the defaults would search the wrong place.
    if (setup.regionSource === 'the default') {
      throw new UsageError('--region is required to capture from a live account (or set AWS_REGION, or a region in the profile)');
    }
    const region = setup.regions[0]!;
    snapshot = await createLiveReader(io, { regions: [region], profile: setup.profile, config: DEFAULT_CONFIG, windowMinutes: 1, includeParameters: true }).read();
    for (const e of snapshot.regions[region]?.errors ?? []) {
      if (/Describe(DBInstances|DBClusters|DB\w*Parameters)$/.test(e.operation)) {
        throw new BaselineError(`${e.operation} failed in ${region}: ${e.message}`);
      }
    }
  }
  if (values.region && !snapshot.regions[values.region]) {
    throw new BaselineError(`The data read has no region ${values.region} (it has ${Object.keys(snapshot.regions).join(', ')}).`);
  }
  const node = findDatabase(snapshot, values.from, values.region);
  const { baseline, groups } = capturedBaseline(snapshot, node, values.all ?? false);
  const text = `${JSON.stringify(serializeBaseline(baseline), null, 2)}\n`;
  if (values.out) {
    await writeFileAtomically(values.out, text);
  } else {
    io.stdout(text);
  }
  const count = baseline.entries.length;
  io.stderr(
    `Captured ${count} parameter${count === 1 ? '' : 's'} from ${node.id} (${node.region}; ${groups.join(', ')})` +
      (values.out ? ` into ${values.out}` : '') +
      '.\n' +
      (count === 0 && !values.all ? 'No parameter is set by a user in its groups; use --all to capture every modifiable parameter.\n' : ''),
  );
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// diff

/** Cells hold AWS's names and values: each is made printable on one line before it is measured. */
function table(cells: readonly (readonly string[])[]): string[] {
  const rows = cells.map((row) => row.map(printable));
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!)))
      .join('  ')
      .trimEnd(),
  );
}

function resourceLabel(check: BaselineCheck): string {
  return check.resourceType === 'cluster' ? `${check.resource} (cluster)` : check.resource;
}

function actualLabel(check: BaselineCheck): string {
  return check.origin === 'engine-default' && check.actual !== null ? `${check.actualDisplay} (engine default)` : check.actualDisplay;
}

function renderDiffTable(diff: BaselineDiff, checkedAt: string): string {
  const drift = diff.checks.filter((c) => c.status === 'drift');
  const open = diff.checks.filter((c) => c.status === 'not-comparable');
  const ok = diff.checks.length - drift.length - open.length;
  const lines = [
    `Baseline diff at ${checkedAt} against ${diff.baseline}: ${diff.databases} databases, ${diff.checks.length} checks: ` +
      `${drift.length} drift, ${open.length} not comparable, ${ok} ok`,
    '',
  ];
  if (drift.length === 0) {
    lines.push('No drift: every parameter that could be compared matches the baseline.');
  } else {
    const order = { critical: 0, warning: 1, info: 2 } as const;
    const sorted = [...drift].sort((a, b) => order[a.severity] - order[b.severity]);
    lines.push(
      ...table([
        ['SEVERITY', 'REGION', 'DATABASE', 'PARAMETER', 'EXPECTED', 'ACTUAL', 'GROUP'],
        ...sorted.map((c) => [c.severity, c.region, resourceLabel(c), c.parameterName, c.expected, actualLabel(c), c.group ?? '-']),
      ]),
    );
    lines.push('', 'Why:');
    const reasons = new Map<string, string>();
    for (const c of sorted) reasons.set(c.parameterName, c.reason);
    for (const [name, reason] of reasons) lines.push(printable(`  ${name}: ${reason}`));
  }
  if (open.length) {
    lines.push('', `Not comparable (${open.length}):`);
    for (const c of open) {
      lines.push(printable(`  ${c.region}/${resourceLabel(c)} ${c.parameterName}: expected ${c.expected}, actual ${actualLabel(c)}: ${c.why ?? 'cannot compare'}`));
    }
  }
  if (diff.unchecked.length) {
    lines.push('', `Not checked (${diff.unchecked.length}):`);
    for (const u of diff.unchecked) lines.push(printable(`  ${u.region}/${u.resource}: ${u.why}`));
  }
  return `${lines.join('\n')}\n`;
}

function renderDiffJson(diff: BaselineDiff, checkedAt: string): string {
  const count = (status: BaselineCheck['status']) => diff.checks.filter((c) => c.status === status).length;
  return `${JSON.stringify(
    {
      checkedAt,
      baseline: diff.baseline,
      summary: {
        databases: diff.databases,
        checks: diff.checks.length,
        ok: count('ok'),
        drift: count('drift'),
        notComparable: count('not-comparable'),
        unchecked: diff.unchecked.length,
      },
      drift: diff.checks.filter((c) => c.status === 'drift'),
      notComparable: diff.checks.filter((c) => c.status === 'not-comparable'),
      unchecked: diff.unchecked,
      ok: diff.checks.filter((c) => c.status === 'ok').map((c) => ({ region: c.region, resource: c.resource, parameter: c.parameter })),
    },
    null,
    2,
  )}\n`;
}

async function diff(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, DIFF_OPTIONS);
  const format = parseFormatFlag(values.format);
  const input = await readFleetInput(values, io);
  const { config } = input;
  const snapshot = oneAccountFleet(input.org, values.snapshot ?? 'the live read');
  const baseline = input.baseline ?? DEFAULT_BASELINE;
  const withParameters = Object.values(snapshot.regions).some((r) => r.dbParameters !== undefined || r.dbClusterParameters !== undefined);
  if (!withParameters) {
    throw new BaselineError(
      `${values.snapshot ?? 'The data read'} holds no parameter groups (dbParameters): capture it with parameters (replguard snapshot with drift enabled).`,
    );
  }
  const result = diffBaseline(createContext(snapshot, config), baseline);
  io.stdout(format === 'json' ? renderDiffJson(result, snapshot.capturedAt) : renderDiffTable(result, snapshot.capturedAt));
  return result.checks.some((c) => c.status === 'drift' && c.severity === 'critical') ? EXIT_CRITICAL : EXIT_OK;
}

export const baselineCommand: CliCommand = {
  name: 'baseline',
  summary: 'capture a parameter baseline from a database, or diff the fleet against one',
  usage,
  flags: [...new Set([...Object.keys(CAPTURE_OPTIONS), ...Object.keys(DIFF_OPTIONS)])],
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'capture') return capture(rest, io);
    if (sub === 'diff') return diff(rest, io);
    throw new UsageError(sub === undefined ? 'needs a subcommand: capture or diff' : `unknown subcommand "${sub}" (capture or diff)`);
  },
};
