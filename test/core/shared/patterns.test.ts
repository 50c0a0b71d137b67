import { describe, expect, it } from 'vitest';
import { ConfigError, matches, parseConfig } from '../../../lambdas/core/config';
import { BaselineError, parseBaseline } from '../../../lambdas/core/rules/drift/baseline';
import { compilePattern, globMatch, MAX_UNBOUNDED_QUANTIFIERS, patternProblem, type StepCounter } from '../../../lambdas/core/shared/patterns';

const ID_62 = 'a'.repeat(62);

describe('glob patterns', () => {
  it('match the whole identifier with * and ?', () => {
    expect(globMatch('orders-*', 'orders-eu-1')).toBe(true);
    expect(globMatch('orders-*', 'old-orders-eu-1')).toBe(false);
    expect(globMatch('db-?', 'db-1')).toBe(true);
    expect(globMatch('db-?', 'db-12')).toBe(false);
    expect(globMatch('*-ro-*', 'orders-ro-1')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*b*c', 'abbbc')).toBe(true);
    expect(globMatch('a*b*c', 'abcb')).toBe(false);
  });

  it('treat regex characters as literal text', () => {
    // Only letters, digits, hyphens, * and ? are allowed in a glob, so a dot is refused rather than matched loosely.
    expect(patternProblem('orders.*')).toMatch(/must be a glob/);
  });

  it('decide the pathological glob on a 62-character identifier in at most pattern x text steps', () => {
    // Prepare: the glob that took 5 s as a backtracking regex
    const counter: StepCounter = { steps: 0 };
    const pattern = '*a*a*a*a*a*a*a*b';

    // Act
    const result = globMatch(pattern, ID_62, counter);

    // Assess
    expect(result).toBe(false);
    expect(counter.steps).toBeLessThanOrEqual((pattern.length + 1) * (ID_62.length + 1));
  });

  it('stays within pattern x text steps on a long near-miss', () => {
    const counter: StepCounter = { steps: 0 };
    const text = `${'ab'.repeat(100)}c`;
    expect(globMatch('*ab*ab*ab*ab*abd', text, counter)).toBe(false);
    expect(counter.steps).toBeLessThanOrEqual(17 * 202);
  });
});

describe('regular expression patterns', () => {
  it('keep working for safe expressions, as the config reference promises', () => {
    expect(patternProblem('/^orders-(eu|us)-\\d+$/')).toBeUndefined();
    expect(patternProblem('/^db-(\\d+)?$/')).toBeUndefined();
    expect(patternProblem('/^(?<team>[a-z]+)-ro-\\d{1,3}$/')).toBeUndefined();
    expect(compilePattern('/^orders-(eu|us)-\\d+$/').test('orders-eu-12')).toBe(true);
    expect(compilePattern('/^orders-(eu|us)-\\d+$/').test('orders-ap-12')).toBe(false);
  });

  it.each([
    ['/^(a|a)+$/', /alternatives/],
    ['/^(a+)+$/', /nested quantifiers/],
    ['/^(a*b?)*c$/', /nested quantifiers/],
    ['/^((ab)+)+$/', /nested quantifiers/],
    ['/^(x|y){2,}$/', /alternatives/],
    ['/^(\\w)\\1$/', /backreference/],
    ['/^(?<c>a)\\k<c>$/', /backreference/],
    ['/^(?=a)a$/', /lookahead or lookbehind/],
    ['/^(?<!b)a$/', /lookahead or lookbehind/],
    [`/^${'a*'.repeat(MAX_UNBOUNDED_QUANTIFIERS + 1)}b$/`, /more than 3 repeating quantifiers/],
  ])('refuses %s, whose backtracking has no useful bound', (pattern, reason) => {
    expect(patternProblem(pattern)).toMatch(reason);
    expect(() => compilePattern(pattern)).toThrow(/is refused/);
  });

  it('are refused at config load with the key named', () => {
    // Act
    const load = () => parseConfig({ lagOverrides: [{ match: { identifier: '/^(a|a)+$/' }, warningSeconds: 10 }] }, 'replguard.json');

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/lagOverrides\.0\.match\.identifier: is refused: the regular expression repeats a group with alternatives/);
  });

  it('are refused in suppressions, DR identifiers and baselines', () => {
    expect(() => parseConfig({ dr: { identifiers: ['/(a+)+/'] } })).toThrow(/dr\.identifiers\.0: is refused/);
    expect(() => parseConfig({ suppressions: [{ code: 'PARAM_DRIFT', resource: '/(a+)+/', reason: 'x' }] })).toThrow(/suppressions\.0\.resource: is refused/);
    expect(() =>
      parseBaseline({
        format: 'replguard-baseline/v1',
        entries: [{ parameter: 'read_only', expect: '1', severity: 'warning', reason: 'r', engine: 'mysql', identifier: '/^(a|a)+$/' }],
      }),
    ).toThrow(BaselineError);
  });

  it('compile once per process, whatever the number of databases matched', () => {
    const config = parseConfig({ lagOverrides: [{ match: { identifier: '/^orders-\\d+$/' }, warningSeconds: 10 }] });
    const match = config.lagOverrides[0]!.match;

    expect(compilePattern('/^orders-\\d+$/')).toBe(compilePattern('/^orders-\\d+$/'));
    expect(matches(match, 'orders-1', {})).toBe(true);
    expect(matches(match, 'orders-x', {})).toBe(false);
  });
});
