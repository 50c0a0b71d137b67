/**
 * Value resolution at its edges: IF with a condition the memory interval cannot settle, formulas
 * that are unknown but still read every variable, which formulas count as the same value, a 0/1
 * number against a boolean, mixed kinds, and how a resolved value is shown in the report.
 */
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  canonicalParameterName,
  compareEqual,
  compareOrder,
  describeResolved,
  evaluatedEvidence,
  formatNumber,
  resolveValue,
  type ValueEnv,
  type ValueType,
} from '../../../../lambdas/core/rules/drift/values';
import { fleet, instance, replica } from '../../../support/fleet';
import { drift, group, NO_BASELINE, only } from './helpers';

// db.r6g.large: 2 vCPUs, 16 GiB. {DBInstanceClassMemory/1073741824} is 9..16 there, and
// {DBInstanceClassMemory/17179869184} is 0..1 (a condition that may be 0 or not).
const large: ValueEnv = { instanceClass: 'db.r6g.large', engine: 'mysql', isReplica: false, port: 3306, allocatedStorageGiB: 100 };
const r = (text: string, type?: ValueType, env: ValueEnv = large) => resolveValue(text, env, type);
const evaluated = (text: string, type?: ValueType, env: ValueEnv = large) => evaluatedEvidence(r(text, type, env));

describe('IF over a condition the memory interval may or may not make 0', () => {
  it.each<[string, string | number | null]>([
    ['IF({DBInstanceClassMemory/17179869184},5,7)', '5..7'],
    ['IF({DBInstanceClassMemory/17179869184},7,5)', '5..7'],
    ['IF({DBInstanceClassMemory/17179869184},{DBInstanceClassMemory/1073741824},12)', '9..16'],
    // A condition of -7..0 is 0 or true (non-zero), so either branch.
    ['IF(SUM({DBInstanceClassMemory/1073741824},-16),5,7)', '5..7'],
    ['IF({DBInstanceClassMemory/1073741824},5,7)', 5],
    ['IF(-1,5,7)', 5],
    ['IF(0,5,7)', 7],
  ])('%s evaluates to %j', (text, expected) => {
    expect(evaluated(text)).toBe(expected);
  });

  it('keeps a formula unknown when it names a variable or function this release does not evaluate, even in a branch IF does not take', () => {
    // RDS validates the whole formula, so an unknown name anywhere leaves its value unknown.
    expect(r('IF(0,{DBInstanceHugeThing},7)').kind).toBe('unknown');
    expect(r('IF(0,MEDIAN(1,2),7)').kind).toBe('unknown');
  });

  it.each<[string, boolean | null]>([
    ['{DBInstanceClassMemory/17179869184}', null],
    ['SUM({DBInstanceClassMemory/1073741824},-16)', null],
    ['{DBInstanceClassMemory/1073741824}', true],
    ['{-1}', true],
    ['{TrueIfReplica}', false],
  ])('%s read as a boolean is %j', (text, expected) => {
    expect(evaluated(text, 'boolean')).toBe(expected);
  });
});

describe('IF on a PostgreSQL replica', () => {
  /** A PostgreSQL source and replica (both db.r6g.large) with their own max_connections. */
  const standby = (sourceValue: string, replicaValue: string) => {
    const withGroup = (name: string) => ({
      Engine: 'postgres',
      EngineVersion: '16.4',
      DBParameterGroups: [{ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' }],
    });
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('src', withGroup('src-params')), replica('ro', 'src', withGroup('ro-params'))],
        dbParameters: { 'src-params': group({ max_connections: sourceValue }), 'ro-params': group({ max_connections: replicaValue }) },
      },
    });
    return only(drift(snapshot, NO_BASELINE), 'REPLICA_PARAM_BELOW_SOURCE').map((f) => [f.severity, f.evidence.replicaEvaluated, f.evidence.comparable]);
  };

  it.each<[string, string, unknown[]]>([
    // The condition is 0..1 on 16 GiB: the replica may run with 100 connections, below the source's 1000.
    ['a condition that may be 0: cannot tell', 'IF({DBInstanceClassMemory/17179869184},5000,100)', [['info', '100..5000', false]]],
    ['a condition that is never 0: the first branch', 'IF({DBInstanceClassMemory/1073741824},5000,100)', []],
    ['a condition that is 0: the second branch', 'IF(0,5000,100)', [['critical', 100, true]]],
  ])('%s', (_, replicaValue, findings) => {
    expect(standby('1000', replicaValue)).toEqual(findings);
  });
});

describe('the parser', () => {
  it.each<[string, number | null]>([
    ['{{DBInstanceVCPU}}', 2],
    ['{2*{DBInstanceVCPU}}', 4],
    ['{2*${DBInstanceVCPU}}', 4],
    ['GREATEST(${DBInstanceVCPU*2}, {DBInstanceVCPU})', 4],
    ['{DBInstanceVCPU*4/-2}', -4],
    ['{2.25*4}', 9],
    ['{DBInstanceVCPU*}', null],
  ])('%s evaluates to %j', (text, expected) => {
    expect(evaluated(text)).toBe(expected);
  });

  it('names the instance class it does not know in the reason', () => {
    const value = r('{DBInstanceVCPU}', undefined, { instanceClass: 'db.nope.large' });

    expect(value.kind).toBe('unknown');
    if (value.kind === 'unknown') expect(value.reason).toContain('db.nope.large');
  });
});

describe('the same formula is the same value only under the same inputs', () => {
  // db.serverless has no class figures: vCPUs and memory are unknown there.
  const serverlessSource: ValueEnv = { instanceClass: 'db.serverless', engine: 'aurora-postgresql', isReplica: false };
  const serverlessReplica: ValueEnv = { ...serverlessSource, isReplica: true };

  it.each([
    ['a division by an unknown', 'GREATEST({1000/DBInstanceVCPU},{TrueIfReplica})'],
    ['the log of an unknown', 'GREATEST({log(DBInstanceVCPU)},{TrueIfReplica})'],
  ])('after %s, still reads the variables that follow: a source and its replica are not claimed equal', (_, text) => {
    const source = r(text, 'number', serverlessSource);
    const replica = r(text, 'number', serverlessReplica);

    expect(source.kind).toBe('unknown');
    expect(compareEqual(source, replica).outcome).toBe('not-comparable');
    expect(compareEqual(source, r(text, 'number', serverlessSource)).outcome).toBe('equal');
  });

  it('after an unknown, a divisor that may be 0 (without being 0) still lets the variables that follow be read', () => {
    // The storage size is unknown; on db.r6g.large {DBInstanceClassMemory/17179869184} is 0..1, so the divisor is -1..0.
    const noStorage: ValueEnv = { instanceClass: 'db.r6g.large', engine: 'mysql', port: 3306 };
    const text = 'GREATEST({SUM(AllocatedStorage,1000)/SUM({DBInstanceClassMemory/17179869184},-1)},{TrueIfReplica})';
    const source = r(text, 'number', { ...noStorage, isReplica: false });
    const replica = r(text, 'number', { ...noStorage, isReplica: true });

    expect(source.kind).toBe('unknown');
    expect(compareEqual(source, replica).outcome).toBe('not-comparable');
    expect(compareEqual(source, r(text, 'number', { ...noStorage, isReplica: false })).outcome).toBe('equal');
  });

  it('finds a formula it cannot evaluate equal to itself on the same class and engine, and only there', () => {
    const text = '{DBInstanceClassMemory/12582880}';

    expect(compareEqual(r(text, undefined, serverlessSource), r(text, undefined, serverlessReplica)).outcome).toBe('equal');
    expect(compareOrder(r(text, undefined, serverlessSource), r(text, undefined, serverlessSource)).outcome).toBe('equal');
    expect(compareEqual(r(text, undefined, serverlessSource), r(text, undefined, { ...serverlessSource, engine: 'aurora-mysql' })).outcome).toBe(
      'not-comparable',
    );
  });

  it('does not take the memory figure of one engine for another on the same class', () => {
    const text = '{DBInstanceClassMemory*3/4}';

    expect(compareEqual(r(text), r(text, undefined, { ...large, engine: 'postgres' })).outcome).toBe('not-comparable');
    expect(compareEqual(r(text), r(text, undefined, { ...large })).outcome).toBe('equal');
  });

  it('does not take two different formulas over the same variable for the same value', () => {
    expect(compareEqual(r('{DBInstanceClassMemory/3}'), r('{DBInstanceClassMemory/4}')).outcome).toBe('not-comparable');
    expect(compareOrder(r('{DBInstanceClassMemory/3}'), r('{DBInstanceClassMemory / 3}')).outcome).toBe('equal');
  });

  it('finds the same formula equal whether the parameter reads it as a boolean or a number', () => {
    const text = '{DBInstanceClassMemory/1073741824}';

    expect(compareEqual(r(text, 'boolean'), r(text)).outcome).toBe('equal');
    expect(compareEqual(r(text), r(text, 'boolean')).outcome).toBe('equal');
  });

  it('gives an unknown value\'s own reason when ordering it', () => {
    const unknown = r('{DBInstanceVCPU}', undefined, {});
    const reason = unknown.kind === 'unknown' ? unknown.reason : 'not unknown';

    expect(compareOrder(unknown, r('1'))).toEqual({ outcome: 'not-comparable', reason });
    expect(compareOrder(r('1'), unknown)).toEqual({ outcome: 'not-comparable', reason });
    expect(atLeast(r('1'), unknown)).toEqual({ outcome: 'not-comparable', reason });
  });
});

describe('a 0/1 number against a boolean', () => {
  it.each<[string, ReturnType<typeof r>, ReturnType<typeof r>, string]>([
    ['ON and a memory formula of 0..1', r('ON'), r('{DBInstanceClassMemory/17179869184}'), 'not-comparable'],
    ['OFF and a memory formula of 0..1', r('OFF'), r('{DBInstanceClassMemory/17179869184}'), 'not-comparable'],
    ['ON and a memory formula of 1..2', r('ON'), r('{DBInstanceClassMemory/17179869184}', undefined, { ...large, instanceClass: 'db.r6g.xlarge' }), 'not-comparable'],
    ['OFF and 2', r('OFF'), r('2'), 'different'],
    ['ON and 2', r('ON'), r('2'), 'different'],
    ['OFF and 0', r('OFF'), r('0'), 'equal'],
  ])('%s: %s', (_, a, b, outcome) => {
    expect(compareEqual(a, b).outcome).toBe(outcome);
  });
});

describe('values of different kinds', () => {
  it.each<[string, ReturnType<typeof r>, ReturnType<typeof r>, string]>([
    ['a number and a word', r('1'), r('ROW'), 'different'],
    ['a number and a list', r('1'), r('1,2', 'list'), 'different'],
    ['a one-item list with a trailing comma and the word', r('A,', 'list'), r('a'), 'equal'],
    ['a word and a one-item list with a trailing comma', r('a'), r('A,', 'list'), 'equal'],
    ['a word and a one-item list in another case', r('A'), r('a', 'list'), 'equal'],
  ])('%s: %s', (_, a, b, outcome) => {
    expect(compareEqual(a, b).outcome).toBe(outcome);
  });

  it('keeps free text lower-cased as the value the rules read', () => {
    expect(r('ON_PERMISSIVE')).toMatchObject({ kind: 'string', value: 'on_permissive', text: 'ON_PERMISSIVE' });
  });

  it('folds a parameter name written with spaces around it', () => {
    expect(canonicalParameterName(' Max_Connections ')).toBe('max_connections');
  });
});

describe('a value as the baseline report shows it', () => {
  it.each<[string, ReturnType<typeof r>, string]>([
    ['a memory formula, with its range', r('{DBInstanceClassMemory/12582880}'), '{DBInstanceClassMemory/12582880} (between 819 and 1,365)'],
    ['an exact formula, with its value', r('{DBInstanceVCPU*1000}', undefined, { instanceClass: 'db.r6g.2xlarge' }), '{DBInstanceVCPU*1000} (= 8,000)'],
    ['a boolean formula on a source', r('{TrueIfReplica}', 'boolean'), '{TrueIfReplica} (= off)'],
    ['a boolean formula on a replica', r('{TrueIfReplica}', 'boolean', { isReplica: true }), '{TrueIfReplica} (= on)'],
    ['a formula it cannot evaluate, as written', r('{DBInstanceVCPU}', undefined, {}), '{DBInstanceVCPU}'],
    ['a plain number, as written', r('1048576'), '1048576'],
    ['a plain word, as written', r('ON'), 'ON'],
  ])('%s: %s', (_, value, shown) => {
    expect(describeResolved(value)).toBe(shown);
  });

  it.each<[number, string]>([
    [1365, '1,365'],
    [-4, '-4'],
    [1234.5678, '1,234.57'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('formats %d as %s', (n, shown) => {
    expect(formatNumber(n)).toBe(shown);
  });
});

describe('a $ not followed by {', () => {
  it.each(['{$5}', '{DBInstanceClassMemory*$}'])('%s is an unknown value that names what was wrong, not a parser crash', (text) => {
    // Act
    const value = r(text, 'number');

    // Assess
    expect(value.kind).toBe('unknown');
    if (value.kind === 'unknown') {
      expect(value.reason).toContain('unexpected "$');
      expect(value.reason).not.toMatch(/call stack/i);
    }
  });
});
