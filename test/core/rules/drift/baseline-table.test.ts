/**
 * The baseline format, shape by shape: which expectations, parameter names and engine lists are
 * accepted and what they become; which are rejected, with the field named.
 */
import { describe, expect, it } from 'vitest';
import {
  BaselineError,
  describeExpectation,
  parseBaseline,
  parseBaselineText,
  type Expectation,
} from '../../../../lambdas/core/rules/drift/baseline';

const entry = (fields: Record<string, unknown>) => ({
  parameter: 'max_connections',
  expect: 100,
  severity: 'warning',
  reason: 'Enough connections.',
  engine: 'postgres',
  ...fields,
});

const baselineWith = (...entries: unknown[]) => ({ format: 'replguard-baseline/v1', entries });

function rejection(raw: unknown): string {
  try {
    parseBaseline(raw, 'b.json');
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineError);
    return (error as Error).message;
  }
  throw new Error('expected the baseline to be rejected');
}

describe('expectations', () => {
  it.each<[string, unknown, Expectation]>([
    ['a string', 'ROW', { equals: 'ROW' }],
    ['a number', 1, { equals: 1 }],
    ['a boolean', true, { equals: true }],
    ['false', false, { equals: false }],
    ['equals', { equals: 'ROW' }, { equals: 'ROW' }],
    ['oneOf', { oneOf: ['ON', 1, true] }, { oneOf: ['ON', 1, true] }],
    ['a minimum', { min: 0 }, { min: 0 }],
    ['a maximum', { max: 10 }, { max: 10 }],
    ['equal bounds', { min: 5, max: 5 }, { min: 5, max: 5 }],
  ])('accepts %s', (_, value, normalised) => {
    // Act
    const baseline = parseBaseline(baselineWith(entry({ expect: value })));

    // Assess
    expect(baseline.entries[0]!.expect).toStrictEqual(normalised);
  });

  it.each<[string, unknown]>([
    ['an empty string', ''],
    ['a blank string', '   '],
    ['null', null],
    ['a list', [1, 2]],
    ['an empty object', {}],
    ['equals with another key', { equals: 'ROW', min: 1 }],
    ['equals with an object', { equals: { value: 1 } }],
    ['equals with null', { equals: null }],
    ['an empty oneOf', { oneOf: [] }],
    ['oneOf with null', { oneOf: [null] }],
    ['oneOf with another key', { oneOf: ['ON'], max: 1 }],
    ['a text minimum', { min: '1' }],
    ['an infinite minimum', { min: Infinity }],
    ['a text maximum', { max: 'x' }],
    ['an infinite maximum', { max: Number.NaN }],
    ['a minimum above the maximum', { min: 10, max: 1 }],
    ['an unknown key next to a bound', { min: 1, atLeast: 2 }],
  ])('rejects %s, naming the entry and the field', (_, value) => {
    expect(rejection(baselineWith(entry({ expect: value })))).toContain('entries[0] (max_connections).expect');
  });
});

describe('parameter names and engines', () => {
  it.each([' max_connections', 'max_connections ', 'max\nconnections', ''])('rejects the parameter name %j', (parameter) => {
    expect(rejection(baselineWith(entry({ parameter })))).toMatch(/entries\[0\][\s\S]*\.parameter: /);
  });

  it.each<[unknown, string[]]>([
    ['postgres', ['postgres']],
    [['mysql', 'aurora-mysql', 'mysql'], ['mysql', 'aurora-mysql']],
  ])('accepts the engine %j', (engine, engines) => {
    expect(parseBaseline(baselineWith(entry({ engine }))).entries[0]!.engine).toEqual(engines);
  });

  it.each<[unknown]>([[[]], ['maria'], [['mysql', 'maria']], [[1]]])('rejects the engine %j', (engine) => {
    expect(rejection(baselineWith(entry({ engine })))).toContain('entries[0] (max_connections).engine');
  });

  it('names an entry that is not an object by its index', () => {
    expect(rejection(baselineWith(null))).toContain('entries[0]');
  });

  it('lists at most twenty problems, and says how many more there are', () => {
    const bad = Array.from({ length: 25 }, () => entry({ severity: 'high' }));

    const lines = rejection(baselineWith(...bad)).split('\n');

    expect(lines.filter((l) => l.includes('.severity'))).toHaveLength(20);
    expect(lines.at(-1)).toContain('5 more');
  });

  it('parses baseline text that is valid JSON', () => {
    const baseline = parseBaselineText(JSON.stringify(baselineWith(entry({}))), 'b.json');

    expect(baseline).toMatchObject({ source: 'b.json', entries: [{ parameter: 'max_connections', expect: { equals: 100 } }] });
  });
});

describe('expectations in findings', () => {
  it.each<[Expectation, string]>([
    [{ equals: 'ROW' }, 'ROW'],
    [{ equals: false }, 'false'],
    [{ oneOf: ['ON', 'ON_PERMISSIVE'] }, 'one of ON, ON_PERMISSIVE'],
    [{ min: 1, max: 5 }, 'between 1 and 5'],
    [{ min: 0 }, 'at least 0'],
    [{ max: 5 }, 'at most 5'],
  ])('%j reads %s', (expectation, text) => {
    expect(describeExpectation(expectation)).toBe(text);
  });
});
