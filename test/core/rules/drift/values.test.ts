import { describe, expect, it } from 'vitest';
import {
  atLeast,
  canonicalParameterName,
  compareEqual,
  compareOrder,
  resolveValue,
  type ValueEnv,
} from '../../../../lambdas/core/rules/drift/values';

const large: ValueEnv = { instanceClass: 'db.r6g.large', engine: 'mysql', isReplica: false };
const equal = (a: string, b: string, env: ValueEnv = large, type?: 'boolean' | 'number' | 'string' | 'list') =>
  compareEqual(resolveValue(a, env, type), resolveValue(b, env, type)).outcome;

describe('parameter names', () => {
  it('folds dash/underscore spellings and the slave/master renames into one name', () => {
    // Prepare / Act / Assess
    expect(canonicalParameterName('gtid-mode')).toBe(canonicalParameterName('gtid_mode'));
    expect(canonicalParameterName('log_slave_updates')).toBe(canonicalParameterName('log_replica_updates'));
    expect(canonicalParameterName('slave_parallel_workers')).toBe('replica_parallel_workers');
    expect(canonicalParameterName('slave_preserve_commit_order')).toBe('replica_preserve_commit_order');
    expect(canonicalParameterName('rpl_semi_sync_master_enabled')).toBe('rpl_semi_sync_source_enabled');
    expect(canonicalParameterName('Max_Connections')).toBe('max_connections');
  });

  it('keeps distinct parameters distinct', () => {
    expect(canonicalParameterName('max_wal_senders')).not.toBe(canonicalParameterName('max_worker_processes'));
    expect(canonicalParameterName('rds.logical_replication')).toBe('rds.logical_replication');
  });
});

describe('plain values', () => {
  it('compares numbers numerically', () => {
    expect(equal('1024', '1024.0')).toBe('equal');
    expect(equal('67108864', '16777216')).toBe('different');
  });

  it('compares booleans across 0/1, on/off, true/false and yes/no', () => {
    expect(equal('ON', '1')).toBe('equal');
    expect(equal('off', '0')).toBe('equal');
    expect(equal('true', 'yes')).toBe('equal');
    expect(equal('FALSE', 'no')).toBe('equal');
    expect(equal('ON', '0')).toBe('different');
    expect(equal('1', 'on', large, 'boolean')).toBe('equal');
  });

  it('compares enums case-insensitively, and keeps enum words apart from booleans when the type says string', () => {
    expect(equal('row', 'ROW')).toBe('equal');
    expect(equal('MIXED', 'ROW')).toBe('different');
    expect(equal('on_permissive', 'ON_PERMISSIVE', large, 'string')).toBe('equal');
    expect(equal('ON', '1', large, 'string')).toBe('different');
  });

  it('compares lists as sets, ignoring order, spaces and case', () => {
    expect(equal('pg_stat_statements,pgaudit', 'PGAUDIT, pg_stat_statements', large, 'list')).toBe('equal');
    expect(equal('pg_stat_statements', 'pg_stat_statements,pgaudit', large, 'list')).toBe('different');
  });

  it('treats an empty value as not comparable, never equal', () => {
    const outcome = compareEqual(resolveValue('', large), resolveValue('', large));
    expect(outcome.outcome).toBe('not-comparable');
  });
});

describe('formulas and placeholders', () => {
  it('evaluates DBInstanceVCPU exactly from the class table', () => {
    const workers = resolveValue('GREATEST(${DBInstanceVCPU*2},8)', { instanceClass: 'db.r6g.4xlarge' });
    expect(workers).toMatchObject({ kind: 'number', lo: 32, hi: 32 });
    expect(equal('{DBInstanceVCPU*2}', '8', { instanceClass: 'db.r6g.xlarge' })).toBe('equal');
    expect(equal('SUM({DBInstanceVCPU},-1)', '1', { instanceClass: 'db.m6g.large' })).toBe('equal');
  });

  it('treats DBInstanceClassMemory as an interval: below the class memory, never a guessed figure', () => {
    // 16 GiB / 12582880 is 1365: RDS reserves some memory, so the real value is at most that.
    const value = resolveValue('{DBInstanceClassMemory/12582880}', large);
    expect(value.kind).toBe('number');
    if (value.kind !== 'number') return;
    expect(value.hi).toBe(1365);
    expect(value.lo).toBeLessThan(1365);
    expect(compareEqual(value, resolveValue('1365', large)).outcome).toBe('not-comparable');
    expect(compareEqual(value, resolveValue('5000', large)).outcome).toBe('different');
    expect(compareOrder(value, resolveValue('2000', large)).outcome).toBe('less');
  });

  it('settles a formula exactly when a function bound makes the memory figure irrelevant', () => {
    // 512 GiB of memory gives far more than 5000 connections: LEAST pins it to 5000.
    const env = { instanceClass: 'db.r6g.16xlarge', engine: 'postgres' };
    expect(equal('LEAST({DBInstanceClassMemory/9531392},5000)', '5000', env)).toBe('equal');
  });

  it('finds the same formula on the same class equal, whatever the reserved memory', () => {
    expect(equal('{DBInstanceClassMemory*3/4}', '{DBInstanceClassMemory*3/4}')).toBe('equal');
    expect(equal('{DBInstanceClassMemory * 3/4}', '${DBInstanceClassMemory*3/4}')).toBe('equal');
  });

  it('orders the same formula on classes of different sizes', () => {
    const small = resolveValue('LEAST({DBInstanceClassMemory/9531392},5000)', { instanceClass: 'db.r6g.large', engine: 'postgres' });
    const big = resolveValue('LEAST({DBInstanceClassMemory/9531392},5000)', { instanceClass: 'db.r6g.2xlarge', engine: 'postgres' });
    expect(compareOrder(small, big).outcome).toBe('less');
    expect(atLeast(big, small).outcome).toBe('yes');
    expect(atLeast(small, big).outcome).toBe('no');
  });

  it('evaluates log expressions (log base 2) over the interval', () => {
    const value = resolveValue('{log(DBInstanceClassMemory/8187281418)*1000}', { instanceClass: 'db.r6g.4xlarge' });
    expect(compareOrder(value, resolveValue('3000', large)).outcome).toBe('greater');
    expect(compareEqual(value, resolveValue('4000', large)).outcome).toBe('not-comparable');
  });

  it('resolves {TrueIfReplica} by the database\'s role, and {EndPointPort} by its port', () => {
    expect(resolveValue('{TrueIfReplica}', { isReplica: true }, 'boolean')).toMatchObject({ kind: 'boolean', value: true });
    expect(resolveValue('{TrueIfReplica}', { isReplica: false }, 'boolean')).toMatchObject({ kind: 'boolean', value: false });
    expect(equal('{TrueIfReplica}', 'ON', { isReplica: true })).toBe('equal');
    expect(equal('IF({TrueIfReplica},1,0)', '0', { isReplica: false })).toBe('equal');
    expect(equal('{EndPointPort}', '3306', { port: 3306 })).toBe('equal');
  });

  it('reports a formula it cannot evaluate as not comparable, never equal', () => {
    const unknownClass = { instanceClass: 'db.serverless' };
    const outcome = compareEqual(resolveValue('{DBInstanceClassMemory/12582880}', unknownClass), resolveValue('1000', unknownClass));
    expect(outcome).toMatchObject({ outcome: 'not-comparable' });
    if (outcome.outcome === 'not-comparable') expect(outcome.reason).toContain('db.serverless');
    expect(compareEqual(resolveValue('{TrueIfReplica}', {}), resolveValue('1', {})).outcome).toBe('not-comparable');
    expect(compareEqual(resolveValue('{DBInstanceClassMemory/', large), resolveValue('1', large)).outcome).toBe('not-comparable');
    expect(compareEqual(resolveValue('{DBInstanceHugeThing}', large), resolveValue('1', large)).outcome).toBe('not-comparable');
  });

  it('still finds an unevaluable formula equal to itself on the same class (db.serverless has no class figures)', () => {
    const env = { instanceClass: 'db.serverless' };
    expect(resolveValue('{DBInstanceClassMemory/12582880}', env).kind).toBe('unknown');
    expect(equal('{DBInstanceClassMemory/12582880}', '{DBInstanceClassMemory/12582880}', env)).toBe('equal');
  });
});
