import { describe, expect, it } from 'vitest';
import { engineDefault } from '../../../../lambdas/core/rules/drift/engine-defaults';
import {
  baselineEngine,
  compareVersions,
  majorVersion,
  parseVersionSpec,
  type BaselineEngine,
} from '../../../../lambdas/core/rules/drift/engines';

describe('engine names', () => {
  it.each([
    ['aurora', 'aurora-mysql'],
    ['aurora-mysql', 'aurora-mysql'],
    ['Aurora-PostgreSQL', 'aurora-postgresql'],
    ['MySQL', 'mysql'],
    ['mariadb', 'mariadb'],
    ['postgres', 'postgres'],
    ['oracle-ee', 'oracle'],
    ['custom-oracle-ee', 'oracle'],
    ['sqlserver-se', 'sqlserver'],
    ['custom-sqlserver-ee', 'sqlserver'],
    ['db2-se', 'db2'],
    ['neptune', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('maps the API engine %s to %s', (engine, expected) => {
    // Act / Assess
    expect(baselineEngine(engine)).toBe(expected);
  });
});

describe('version order', () => {
  it.each([
    ['8.0.9', '8.0.39', -1],
    ['8.0.39', '8.0.9', 1],
    ['5.7', '8.0', -1],
    ['9.6', '13.2', -1],
    ['13.2', '9.6', 1],
    ['8.0', '8.0.39', -1],
    ['8.0.39', '8.0', 1],
    ['8.0.39', '8.0.39', 0],
    [' 8.0.39 ', '8.0.39', 0],
    ['8.0.MySQL_Aurora.3.07', '8.0.mysql_aurora.3.07', 0],
    ['8.0.mysql_aurora.3.07.1', '8.0.mysql_aurora.3.08.0', -1],
    ['8.0.b', '8.0.a', 1],
    ['8.0.a', '8.0.b', -1],
    ['8.0.mysql_aurora.3.07.1', '8.0.39', undefined],
    // A trailing dot adds no part.
    ['8.0.', '8.0', 0],
    // Oracle release updates: a text part that ends in digits is text, compared as text.
    ['19.0.0.0.ru-2024-01.rur-2024-01.r1', '19.0.0.0.ru-2024-04.rur-2024-04.r1', -1],
  ])('%s against %s', (a, b, expected) => {
    const c = compareVersions(a, b);

    expect(c === undefined ? undefined : Math.sign(c)).toBe(expected);
  });

  it.each<[BaselineEngine | undefined, string, string]>([
    ['mysql', '8.0.39', '8.0'],
    ['mysql', '5.7.44', '5.7'],
    ['aurora-mysql', '8.0.mysql_aurora.3.07.1', '8.0'],
    ['postgres', '16.4', '16'],
    ['postgres', '10.23', '10'],
    ['aurora-postgresql', '15.8', '15'],
    // Before PostgreSQL 10 the major version had two parts.
    ['postgres', '9.6.22', '9.6'],
    [undefined, '16.4', '16.4'],
  ])('the major version of %s %s is %s', (engine, version, expected) => {
    expect(majorVersion(engine, version)).toBe(expected);
  });
});

describe('version selectors', () => {
  const matches = (spec: string, version: string) => {
    const parsed = parseVersionSpec(spec);
    if (typeof parsed === 'string') throw new Error(parsed);
    return parsed.test(version);
  };

  it.each([
    ['8.0', '8.0', true],
    ['8.0', '8.0.39', true],
    ['8.0', '8.0.mysql_aurora.3.07.1', true],
    ['8.0', '8.01', false],
    ['8.0', '8.4.3', false],
    ['>=8.0.28', '8.0.28', true],
    ['>=8.0.28', '8.0.27', false],
    ['>8.0.28', '8.0.28', false],
    ['>8.0.28', '8.0.29', true],
    ['<=8.0.28', '8.0.28', true],
    ['<=8.0.28', '8.0.29', false],
    ['<8.0.28', '8.0.28', false],
    ['<8.0.28', '8.0.27', true],
    ['=8.0.28', '8.0.28', true],
    ['=8.0.28', '8.0.29', false],
    ['>=8.0 <8.4', '8.0.39', true],
    ['>=8.0 <8.4', '8.4.3', false],
    ['>=8.0 <8.4', '5.7.44', false],
    // Not comparable past 8.0: no comparison holds, not even "not less".
    ['>=8.0.28', '8.0.mysql_aurora.3.07.1', false],
    ['<8.0.28', '8.0.mysql_aurora.3.07.1', false],
  ])('"%s" on %s is %s', (spec, version, expected) => {
    expect(matches(spec, version)).toBe(expected);
  });

  it.each([' ', '8.x', '8.0.*', 'latest', '>=8.0 8.4', '8.0 <8.4', '~8.0'])('rejects "%s"', (spec) => {
    expect(typeof parseVersionSpec(spec)).toBe('string');
  });

  it('keeps the selector text', () => {
    expect(parseVersionSpec('>=8.0 <8.4')).toMatchObject({ text: '>=8.0 <8.4' });
  });
});

describe('engine defaults', () => {
  it.each<[BaselineEngine | undefined, string | undefined, string, string | undefined]>([
    ['mysql', '5.7.44', 'max_allowed_packet', '4194304'],
    ['mysql', '8.0.39', 'max_allowed_packet', '67108864'],
    ['mysql', '8.0.26', 'replica_preserve_commit_order', '0'],
    ['mysql', '8.0.27', 'replica_preserve_commit_order', '1'],
    ['mysql', '8.0.39', 'binlog_format', 'MIXED'],
    // binlog_format is known below 8.4 only.
    ['mysql', '8.4.3', 'binlog_format', undefined],
    // A versioned default without a version is unknown, not the first entry's.
    ['mysql', undefined, 'max_allowed_packet', undefined],
    ['mysql', undefined, 'sync_binlog', '1'],
    ['mariadb', '10.1.48', 'max_allowed_packet', undefined],
    ['mariadb', '10.6.16', 'max_allowed_packet', '16777216'],
    ['aurora-mysql', '8.0.mysql_aurora.3.07.1', 'binlog_format', 'OFF'],
    ['postgres', '16.4', 'hot_standby_feedback', '0'],
    ['aurora-postgresql', '16.4', 'hot_standby_feedback', undefined],
    ['oracle', '19.0', 'read_only', undefined],
    [undefined, '8.0.39', 'read_only', undefined],
    ['mysql', '8.0.39', 'no_such_parameter', undefined],
  ])('%s %s: %s defaults to %s', (engine, version, name, expected) => {
    expect(engineDefault(engine, version, name)).toBe(expected);
  });
});
