import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baselineCommand } from '../../bin/cli/baseline';
import { UsageError, type CliIo } from '../../bin/cli/types';
import { BaselineError } from '../../lambdas/core/rules/drift/baseline';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import { group, param } from '../core/rules/drift/helpers';
import { fleet, instance, replica } from '../support/fleet';

interface FakeIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

function fakeIo(env: Record<string, string> = {}): FakeIo {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

const REGION = 'us-east-1';

/** orders-good is the reference; orders-bad shares its engine but not its settings. */
const snapshot: FleetSnapshot = fleet({
  [REGION]: {
    dbInstances: [
      instance('orders-good', { DBParameterGroups: [{ DBParameterGroupName: 'good', ParameterApplyStatus: 'in-sync' }] }),
      instance('orders-bad', { DBParameterGroups: [{ DBParameterGroupName: 'bad', ParameterApplyStatus: 'in-sync' }] }),
      replica('orders-good-ro', 'orders-good', { DBParameterGroups: [{ DBParameterGroupName: 'good', ParameterApplyStatus: 'in-sync' }] }),
    ],
    dbParameters: {
      good: [
        ...group({ binlog_format: 'ROW', max_allowed_packet: '1073741824', 'gtid-mode': 'ON' }),
        param('innodb_buffer_pool_size', '{DBInstanceClassMemory*3/4}', { Source: 'system' }),
        param('basedir', '/rdsdbbin/mysql', { Source: 'system', IsModifiable: false }),
      ],
      bad: [
        ...group({ binlog_format: 'row', max_allowed_packet: '16777216', gtid_mode: 'ON' }),
        param('innodb_buffer_pool_size', '{DBInstanceClassMemory*3/4}', { Source: 'system' }),
      ],
    },
  },
});

let dir: string;
let snapshotFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replguard-baseline-'));
  snapshotFile = join(dir, 'fleet.json');
  await writeFile(snapshotFile, JSON.stringify(snapshot), 'utf8');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replguard baseline capture → diff', () => {
  it('captures the user-set parameters of a known-good database and finds where others differ', async () => {
    // Prepare
    const baselineFile = join(dir, 'baseline.json');
    const captureIo = fakeIo();

    // Act: capture from the good database, then diff the fleet against it.
    const captured = await baselineCommand.run(['capture', '--from', 'orders-good', '--snapshot', snapshotFile, '--out', baselineFile], captureIo);
    const diffIo = fakeIo();
    const diffed = await baselineCommand.run(['diff', '--snapshot', snapshotFile, '--baseline', baselineFile, '--format', 'json'], diffIo);

    // Assess
    expect(captured).toBe(0);
    expect(captureIo.err()).toContain('Captured 3 parameters from orders-good (us-east-1; good)');
    const written = JSON.parse(await readFile(baselineFile, 'utf8'));
    expect(written.format).toBe('replguard-baseline/v1');
    expect(written.entries.map((e: { parameter: string }) => e.parameter).sort()).toEqual(['binlog_format', 'gtid-mode', 'max_allowed_packet']);
    expect(written.entries[0]).toMatchObject({ engine: 'mysql', engineVersion: '8.0', severity: 'warning' });

    expect(diffed).toBe(0);
    const report = JSON.parse(diffIo.out());
    // 'row' vs 'ROW' and gtid_mode vs gtid-mode are the same; only the packet size differs.
    expect(report.drift.map((d: { resource: string; parameter: string; actual: string }) => [d.resource, d.parameter, d.actual])).toEqual([
      ['orders-bad', 'max_allowed_packet', '16777216'],
    ]);
    expect(report.summary).toMatchObject({ databases: 3, drift: 1, notComparable: 0 });
  });

  it('captures every modifiable parameter with --all, to standard output', async () => {
    const io = fakeIo();

    const code = await baselineCommand.run(['capture', '--from', 'orders-good', '--snapshot', snapshotFile, '--all'], io);

    expect(code).toBe(0);
    const parameters = JSON.parse(io.out()).entries.map((e: { parameter: string }) => e.parameter);
    expect(parameters).toContain('innodb_buffer_pool_size');
    expect(parameters).not.toContain('basedir');
  });

  it('prints a table naming the database, parameter, expected and actual values', async () => {
    const baselineFile = join(dir, 'baseline.json');
    await baselineCommand.run(['capture', '--from', 'orders-good', '--snapshot', snapshotFile, '--out', baselineFile], fakeIo());
    const io = fakeIo();

    await baselineCommand.run(['diff', '--snapshot', snapshotFile, '--baseline', baselineFile], io);

    const table = io.out();
    expect(table).toContain('1 drift');
    expect(table).toMatch(/warning\s+us-east-1\s+orders-bad\s+max_allowed_packet\s+1073741824\s+16777216\s+bad/);
  });

  it('exits 1 when the fleet drifts from a critical entry', async () => {
    const baselineFile = join(dir, 'strict.json');
    await writeFile(
      baselineFile,
      JSON.stringify({
        format: 'replguard-baseline/v1',
        entries: [{ parameter: 'max_allowed_packet', expect: { min: 67108864 }, severity: 'critical', reason: 'Large rows.', engine: 'mysql' }],
      }),
    );

    const code = await baselineCommand.run(['diff', '--snapshot', snapshotFile, '--baseline', baselineFile], fakeIo());

    expect(code).toBe(1);
  });

  it('diffs against the shipped default baseline when none is given', async () => {
    const io = fakeIo();

    await baselineCommand.run(['diff', '--snapshot', snapshotFile, '--format', 'json'], io);

    expect(JSON.parse(io.out()).baseline).toBe('default baseline');
  });
});

describe('replguard baseline diff on the demo fleet', () => {
  it('lists the demo\'s parameter drift against the default baseline', async () => {
    const io = fakeIo();

    const code = await baselineCommand.run(['diff', '--snapshot', 'examples/demo-fleet.json', '--format', 'json'], io);

    expect(code).toBe(0);
    const rows = JSON.parse(io.out()).drift.map((d: { resource: string; parameter: string }) => `${d.resource} ${d.parameter}`);
    expect(rows).toEqual(expect.arrayContaining(['catalog-pg-dr max_standby_streaming_delay', 'billing-mariadb binlog_format', 'inventory-mysql binlog_format']));
    expect(rows).not.toContain('orders-mysql binlog_format');
  });
});

describe('replguard baseline: bad input', () => {
  it('rejects a missing or unknown subcommand and bad flags as usage errors', async () => {
    await expect(baselineCommand.run([], fakeIo())).rejects.toThrow(UsageError);
    await expect(baselineCommand.run(['show'], fakeIo())).rejects.toThrow(/unknown subcommand "show"/);
    await expect(baselineCommand.run(['capture', '--snapshot', snapshotFile], fakeIo())).rejects.toThrow(/--from/);
    await expect(baselineCommand.run(['diff', '--snapshot', snapshotFile, '--colour'], fakeIo())).rejects.toThrow(UsageError);
    await expect(baselineCommand.run(['diff', '--snapshot', snapshotFile, '--format', 'yaml'], fakeIo())).rejects.toThrow(/--format/);
  });

  it('needs a region to capture live', async () => {
    await expect(baselineCommand.run(['capture', '--from', 'orders-good'], fakeIo())).rejects.toThrow(/--region is required/);
  });

  it('names a database that is not in the data', async () => {
    await expect(baselineCommand.run(['capture', '--from', 'nope', '--snapshot', snapshotFile], fakeIo())).rejects.toThrow(BaselineError);
  });

  it('names the file and entry of an invalid baseline', async () => {
    const baselineFile = join(dir, 'bad.json');
    await writeFile(baselineFile, JSON.stringify({ format: 'replguard-baseline/v1', entries: [{ parameter: 'x', expect: 1, severity: 'loud', reason: 'r', engine: 'mysql' }] }));

    await expect(baselineCommand.run(['diff', '--snapshot', snapshotFile, '--baseline', baselineFile], fakeIo())).rejects.toThrow(
      /bad\.json[\s\S]*entries\[0\] \(x\)\.severity/,
    );
  });

  it('refuses a snapshot without parameter groups instead of reporting no drift', async () => {
    const bare = join(dir, 'bare.json');
    const { dbParameters: _dropped, ...region } = snapshot.regions[REGION]!;
    await writeFile(bare, JSON.stringify(fleet({ [REGION]: region })));

    await expect(baselineCommand.run(['diff', '--snapshot', bare], fakeIo())).rejects.toThrow(/holds no parameter groups/);
  });
});
