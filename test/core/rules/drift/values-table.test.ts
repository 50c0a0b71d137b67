/**
 * Value resolution and comparison, table by table: how each text reads for each parameter type,
 * formulas at their edges, and the outcome of every comparison at its boundaries.
 */
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  compareEqual,
  compareOrder,
  evaluatedEvidence,
  resolveValue,
  valueTypeOf,
  type Resolved,
  type ValueEnv,
  type ValueType,
} from '../../../../lambdas/core/rules/drift/values';

const large: ValueEnv = { instanceClass: 'db.r6g.large', engine: 'mysql', isReplica: false, port: 3306, allocatedStorageGiB: 100 };
const r = (text: string, type?: ValueType, env: ValueEnv = large) => resolveValue(text, env, type);

describe('parameter data types', () => {
  it.each<[string | undefined, ValueType | undefined]>([
    ['boolean', 'boolean'],
    ['Boolean', 'boolean'],
    ['integer', 'number'],
    ['long', 'number'],
    ['float', 'number'],
    ['double', 'number'],
    ['numeric', 'number'],
    ['string', 'string'],
    ['list', 'list'],
    ['blob', undefined],
    [undefined, undefined],
  ])('%s reads as %s', (dataType, type) => {
    expect(valueTypeOf(dataType)).toBe(type);
  });
});

describe('resolving a value', () => {
  it.each<[string, ValueType | undefined, string | number | boolean | null]>([
    [' 1024 ', undefined, 1024],
    ['1', 'boolean', true],
    ['0', 'boolean', false],
    ['ON', undefined, true],
    ['ON', 'number', null],
    ['ROW', undefined, 'ROW'],
    ['ROW', 'number', null],
    [' A, b ,,C ', 'list', 'A, b ,,C'],
    ['{TrueIfReplica}', 'boolean', false],
    ['{TrueIfReplica}', undefined, 0],
    ['{EndPointPort}', undefined, 3306],
    ['{AllocatedStorage}', undefined, 100 * 1024 ** 3],
    ['{DBInstanceVCPU}', undefined, 2],
    ['{DBInstanceVCPU*2}', undefined, 4],
    ['${DBInstanceVCPU}', undefined, 2],
    ['{ DBInstanceVCPU * 2 }', undefined, 4],
    ['{DBInstanceVCPU/3}', undefined, 0],
    ['{(DBInstanceVCPU+1)}', undefined, null],
    ['{(DBInstanceVCPU*3)/2}', undefined, 3],
    ['{2.5*2}', undefined, 5],
    ['SUM(1,2,3)', undefined, 6],
    ['GREATEST(1,{DBInstanceVCPU},3)', undefined, 3],
    ['LEAST(7,{DBInstanceVCPU})', undefined, 2],
    ['IF(0,5,7)', undefined, 7],
    ['IF(2,5,7)', undefined, 5],
    ['IF(1,2)', undefined, null],
    ['LEAST()', undefined, null],
    ['MEDIAN(1,2)', undefined, null],
    ['{log(1024)}', undefined, 10],
    ['{log(0)}', undefined, null],
    ['{DBInstanceVCPU/0}', undefined, null],
    ['{DBInstanceVCPU} junk', undefined, null],
    ['{DBInstanceVCPU', undefined, null],
    ['{-}', undefined, null],
    ['{DBInstanceClassMemory/1073741824}', undefined, '9..16'],
  ])('%j as %s evaluates to %j', (text, type, evaluated) => {
    expect(evaluatedEvidence(r(text, type))).toBe(evaluated);
  });

  it.each<[string, ValueEnv]>([
    ['{DBInstanceVCPU}', {}],
    ['{DBInstanceVCPU}', { instanceClass: 'db.nope.large' }],
    ['{DBInstanceClassMemory}', {}],
    ['{EndPointPort}', {}],
    ['{AllocatedStorage}', {}],
    ['{TrueIfReplica}', {}],
    ['{log(DBInstanceVCPU)}', {}],
    ['{DBInstanceVCPU/DBInstanceVCPU}', {}],
  ])('cannot evaluate %s without what it needs', (text, env) => {
    const value = resolveValue(text, env);

    expect(value.kind).toBe('unknown');
    if (value.kind === 'unknown') expect(value.reason).toMatch(/\S/);
  });

  it('reads a formula that may be 0 or not as an unknown boolean', () => {
    expect(r('IF({DBInstanceClassMemory/1073741824}-0,1,0)', 'boolean').kind).toBe('unknown');
    expect(r('{DBInstanceClassMemory/17179869184}', 'boolean').kind).toBe('unknown');
    expect(r('{DBInstanceClassMemory/1073741824}', 'boolean')).toMatchObject({ kind: 'boolean', value: true });
  });

  it('keeps lists as sorted lower-case items', () => {
    expect(r(' B, a ,,C ', 'list')).toMatchObject({ kind: 'list', items: ['a', 'b', 'c'] });
  });
});

describe('equality', () => {
  const eq = (a: Resolved, b: Resolved) => compareEqual(a, b).outcome;

  it.each<[string, Resolved, Resolved, string]>([
    ['two numbers', r('10'), r('10.0'), 'equal'],
    ['two different numbers', r('10'), r('11'), 'different'],
    ['a boolean and 1', r('ON'), r('1'), 'equal'],
    ['a boolean and 0', r('ON'), r('0'), 'different'],
    ['1 and a boolean', r('1'), r('ON'), 'equal'],
    ['a boolean and 2', r('ON'), r('2'), 'different'],
    ['a boolean and a word', r('ON'), r('ROW'), 'different'],
    ['a boolean and an uncertain number', r('ON'), r('{DBInstanceClassMemory/1073741824}'), 'not-comparable'],
    ['an uncertain number and a boolean', r('{DBInstanceClassMemory/1073741824}'), r('OFF'), 'not-comparable'],
    ['overlapping intervals', r('{DBInstanceClassMemory/1073741824}'), r('12'), 'not-comparable'],
    ['an interval and a number outside it', r('{DBInstanceClassMemory/1073741824}'), r('17'), 'different'],
    ['a number below an interval', r('8'), r('{DBInstanceClassMemory/1073741824}'), 'different'],
    ['an unknown and a number', r('{DBInstanceVCPU}', undefined, {}), r('2'), 'not-comparable'],
    ['a number and an unknown', r('2'), r('{DBInstanceVCPU}', undefined, {}), 'not-comparable'],
    ['two lists in another order', r('a,b', 'list'), r('B, A', 'list'), 'equal'],
    ['a list and a longer one', r('a,b', 'list'), r('a,b,c', 'list'), 'different'],
    ['lists that differ in one item', r('a,b', 'list'), r('a,c', 'list'), 'different'],
    ['a list and a word', r('a', 'list'), r('A'), 'equal'],
    ['a word and a list', r('A'), r('a,b', 'list'), 'different'],
    ['words in another case', r('Row'), r('ROW'), 'equal'],
    ['a word and a number', r('ROW'), r('1'), 'different'],
    ['the same formula on the same class', r('{DBInstanceClassMemory/3}'), r('{DBInstanceClassMemory / 3}'), 'equal'],
    ['the same formula on another class', r('{DBInstanceClassMemory/3}'), r('{DBInstanceClassMemory/3}', undefined, { instanceClass: 'db.r6g.xlarge' }), 'different'],
    ['the same formula for a replica and a source', r('{TrueIfReplica}', 'boolean'), r('{TrueIfReplica}', 'boolean', { isReplica: true }), 'different'],
  ])('%s: %s', (_, a, b, outcome) => {
    expect(eq(a, b)).toBe(outcome);
  });
});

describe('order', () => {
  it.each<[string, Resolved, Resolved, string, string]>([
    ['a smaller number', r('1'), r('2'), 'less', 'no'],
    ['an equal number', r('2'), r('2'), 'equal', 'yes'],
    ['a larger number', r('3'), r('2'), 'greater', 'yes'],
    ['a boolean against a number', r('ON'), r('1'), 'equal', 'yes'],
    ['a number against a boolean', r('0'), r('ON'), 'less', 'no'],
    ['an interval touching a number from above', r('{DBInstanceClassMemory/1073741824}'), r('9'), 'not-comparable', 'yes'],
    ['an interval overlapping a number', r('{DBInstanceClassMemory/1073741824}'), r('12'), 'not-comparable', 'not-comparable'],
    ['an interval above a number', r('{DBInstanceClassMemory/1073741824}'), r('8'), 'greater', 'yes'],
    ['a number touching an interval from above', r('16'), r('{DBInstanceClassMemory/1073741824}'), 'not-comparable', 'yes'],
    ['a word against a number', r('ROW'), r('1'), 'not-comparable', 'not-comparable'],
    ['a number against a word', r('1'), r('ROW'), 'not-comparable', 'not-comparable'],
    ['an unknown against a number', r('{DBInstanceVCPU}', undefined, {}), r('1'), 'not-comparable', 'not-comparable'],
    ['a number against an unknown', r('1'), r('{DBInstanceVCPU}', undefined, {}), 'not-comparable', 'not-comparable'],
  ])('%s: %s, at least: %s', (_, a, b, order, least) => {
    const o = compareOrder(a, b);
    const l = atLeast(a, b);

    expect(o.outcome).toBe(order);
    expect(l.outcome).toBe(least);
    if (o.outcome === 'not-comparable') expect(o.reason).toMatch(/\S/);
    if (l.outcome === 'not-comparable') expect(l.reason).toMatch(/\S/);
  });
});
