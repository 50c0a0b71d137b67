import { describe, expect, it } from 'vitest';
import {
  BaselineError,
  DEFAULT_BASELINE,
  parseBaseline,
  parseBaselineText,
  serializeBaseline,
} from '../../../../lambdas/core/rules/drift/baseline';

const valid = {
  format: 'replguard-baseline/v1',
  entries: [
    {
      parameter: 'binlog_format',
      expect: 'ROW',
      severity: 'warning',
      reason: 'Row-based replication is deterministic.',
      engine: ['mysql', 'aurora-mysql'],
      engineVersion: '>=8.0 <8.4',
      identifier: 'orders-*',
      tags: { env: 'prod' },
      role: 'source',
    },
    { parameter: 'max_connections', expect: { min: 100, max: 5000 }, severity: 'info', reason: 'Sane bounds.', engine: 'postgres' },
    { parameter: 'gtid-mode', expect: { oneOf: ['ON', 'ON_PERMISSIVE'] }, severity: 'critical', reason: 'GTIDs on.', engine: 'mysql', engineVersion: '8.0' },
  ],
};

function errorOf(raw: unknown, source = 'fleet-baseline.json'): string {
  try {
    parseBaseline(raw, source);
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineError);
    return (error as Error).message;
  }
  throw new Error('expected the baseline to be rejected');
}

function withEntry(entry: Record<string, unknown>, index = 0) {
  const entries = structuredClone(valid.entries) as Record<string, unknown>[];
  entries[index] = { ...entries[index], ...entry };
  return { ...valid, entries };
}

describe('baseline format', () => {
  it('accepts every documented field and normalises the expectations', () => {
    // Act
    const baseline = parseBaseline(valid, 'fleet-baseline.json');

    // Assess
    expect(baseline.source).toBe('fleet-baseline.json');
    expect(baseline.entries).toHaveLength(3);
    expect(baseline.entries[0]).toMatchObject({ expect: { equals: 'ROW' }, engine: ['mysql', 'aurora-mysql'], role: 'source' });
    expect(baseline.entries[0]!.engineVersion!.test('8.0.39')).toBe(true);
    expect(baseline.entries[0]!.engineVersion!.test('8.4.3')).toBe(false);
    expect(baseline.entries[1]!.expect).toEqual({ min: 100, max: 5000 });
    expect(baseline.entries[2]!.engineVersion!.test('8.0.mysql_aurora.3.07.1')).toBe(true);
    expect(baseline.entries[2]!.engineVersion!.test('8.01')).toBe(false);
  });

  it('names the file, the entry index and parameter, the key and the bad value', () => {
    const message = errorOf(withEntry({ severity: 'high' }));

    expect(message).toContain('fleet-baseline.json');
    expect(message).toContain('entries[0] (binlog_format).severity');
    expect(message).toContain('critical, warning, info');
    expect(message).toContain('"high"');
  });

  it('rejects unknown keys, in entries and at the top level', () => {
    expect(errorOf(withEntry({ severty: 'warning' }))).toMatch(/entries\[0\] \(binlog_format\): unknown key "severty"/);
    expect(errorOf({ ...valid, version: 2 })).toContain('unknown key "version"');
  });

  it('rejects a bad identifier pattern, version selector, engine or expectation with the value', () => {
    expect(errorOf(withEntry({ identifier: 'orders_*' }))).toMatch(/entries\[0\] \(binlog_format\)\.identifier: must be a glob.*"orders_\*"/);
    expect(errorOf(withEntry({ engineVersion: '8.x' }))).toMatch(/engineVersion: "8\.x": wildcards are not supported.*\(got "8\.x"\)/);
    expect(errorOf(withEntry({ engineVersion: '>=8.0 8.4' }))).toMatch(/engineVersion: "8\.4": a prefix cannot be combined/);
    expect(errorOf(withEntry({ engineVersion: '~8.0' }))).toMatch(/engineVersion: "~8\.0" is neither a version prefix/);
    expect(errorOf(withEntry({ engine: 'maria' }))).toMatch(/entries\[0\] \(binlog_format\)\.engine: must be one of mysql, mariadb.*"maria"/);
    expect(errorOf(withEntry({ expect: { min: '1' } }, 1))).toMatch(/entries\[1\] \(max_connections\)\.expect: "min" must be a number/);
    expect(errorOf(withEntry({ expect: { min: 10, max: 1 } }, 1))).toContain('"min" (10) must not exceed "max" (1)');
    expect(errorOf(withEntry({ expect: { atLeast: 1 } }, 1))).toContain('unknown key "atLeast"');
    expect(errorOf(withEntry({ expect: [1, 2] }, 1))).toContain('{"oneOf": [values]}');
  });

  it('requires a one-line reason, a severity and an engine', () => {
    expect(errorOf(withEntry({ reason: 'two\nlines' }))).toMatch(/reason: must be one line/);
    const { reason: _r, engine: _e, ...bare } = valid.entries[1]!;
    const message = errorOf({ ...valid, entries: [bare] });
    expect(message).toMatch(/entries\[0\] \(max_connections\)\.reason: must be string \(missing\)/);
    expect(message).toMatch(/entries\[0\] \(max_connections\)\.engine: .*\(missing\)/);
  });

  it('rejects another format or version', () => {
    expect(errorOf({ ...valid, format: 'replguard-baseline/v2' })).toContain('format: must be "replguard-baseline/v1"');
  });

  it('reports invalid JSON with the file name', () => {
    expect(() => parseBaselineText('{ "format": ', 'broken.json')).toThrow(/broken\.json is not valid JSON/);
  });

  it('puts the default entries first when a file extends the default', () => {
    const baseline = parseBaseline({ format: 'replguard-baseline/v1', extends: 'default', entries: [valid.entries[1]] }, 'mine.json');

    expect(baseline.entries).toHaveLength(DEFAULT_BASELINE.entries.length + 1);
    expect(baseline.entries.at(-1)!.parameter).toBe('max_connections');
  });

  it('round-trips through the file format', () => {
    const baseline = parseBaseline(valid, 'a.json');

    const again = parseBaseline(JSON.parse(JSON.stringify(serializeBaseline(baseline))), 'b.json');

    expect(again.entries.map((e) => [e.parameter, e.expect, e.engine, e.engineVersion?.text, e.role])).toEqual(
      baseline.entries.map((e) => [e.parameter, e.expect, e.engine, e.engineVersion?.text, e.role]),
    );
  });
});

describe('default baseline', () => {
  it('covers MySQL, MariaDB, PostgreSQL, Aurora MySQL and Aurora PostgreSQL', () => {
    const engines = new Set(DEFAULT_BASELINE.entries.flatMap((e) => e.engine));

    for (const engine of ['mysql', 'mariadb', 'postgres', 'aurora-mysql', 'aurora-postgresql']) expect(engines).toContain(engine);
    expect(DEFAULT_BASELINE.entries.every((e) => e.reason.length > 0)).toBe(true);
  });

  it('scopes the durability settings to sources and the standby delays to replicas', () => {
    const roleOf = (parameter: string) => DEFAULT_BASELINE.entries.filter((e) => e.parameter === parameter).map((e) => e.role);

    expect(roleOf('sync_binlog')).toEqual(['source']);
    expect(roleOf('innodb_flush_log_at_trx_commit')).toEqual(['source']);
    expect(roleOf('binlog_format')).toEqual(['source']);
    expect(roleOf('max_standby_streaming_delay')).toEqual(['replica']);
  });
});
