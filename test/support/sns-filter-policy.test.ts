/**
 * The SNS filter evaluator against the examples of the Amazon SNS Developer Guide: each case is
 * a policy, a message and the verdict the guide gives for it (section named in the test).
 */
import { describe, expect, it } from 'vitest';
import { snsFilterAccepts, UnsupportedFilterError, type PublishedAttributes } from './sns-filter-policy';

const str = (value: string) => ({ DataType: 'String', StringValue: value });
const num = (value: string) => ({ DataType: 'Number', StringValue: value });
const strArray = (values: string[]) => ({ DataType: 'String.Array', StringValue: JSON.stringify(values) });

// "Example filter policies": the example message.
const EXAMPLE: PublishedAttributes = {
  customer_interests: strArray(['soccer', 'rugby', 'hockey']),
  store: str('example_corp'),
  event: str('order_placed'),
  price_usd: num('210.75'),
};

describe('snsFilterAccepts: Example filter policies', () => {
  it('accepts the example message with the accepting policy', () => {
    const policy = {
      store: ['example_corp'],
      event: [{ 'anything-but': 'order_cancelled' }],
      customer_interests: ['rugby', 'football', 'baseball'],
      price_usd: [{ numeric: ['>=', 100] }],
    };
    expect(snsFilterAccepts(policy, EXAMPLE)).toBe(true);
  });

  it('rejects it with the rejecting policy, a key the message lacks rejecting whatever its value', () => {
    const policy = { store: ['example_corp'], event: ['order_cancelled'], encrypted: [false], customer_interests: ['basketball', 'baseball'] };
    expect(snsFilterAccepts(policy, EXAMPLE)).toBe(false);
    expect(snsFilterAccepts({ store: ['example_corp'], encrypted: [false] }, EXAMPLE)).toBe(false);
  });

  it('delivers everything to a subscription without a filter policy, attributes or not', () => {
    expect(snsFilterAccepts(undefined, EXAMPLE)).toBe(true);
    expect(snsFilterAccepts(undefined, {})).toBe(true);
  });
});

describe('snsFilterAccepts: Attribute string value matching', () => {
  it('exact matching', () => {
    const policy = { customer_interests: ['rugby', 'tennis'] };
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('tennis') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('baseball') })).toBe(false);
    // Filter policy constraints: string comparison is case-sensitive.
    expect(snsFilterAccepts(policy, { customer_interests: str('Rugby') })).toBe(false);
  });

  it('prefix matching', () => {
    const policy = { customer_interests: [{ prefix: 'bas' }] };
    expect(snsFilterAccepts(policy, { customer_interests: str('baseball') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('basketball') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby') })).toBe(false);
  });

  it('anything-but matching, an array matching when one element is not excluded', () => {
    const policy = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    expect(snsFilterAccepts(policy, { customer_interests: str('baseball') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('football') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: strArray(['rugby', 'baseball']) })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby') })).toBe(false);
  });

  it('anything-but with a prefix', () => {
    const policy = { event: [{ 'anything-but': { prefix: 'order-' } }] };
    expect(snsFilterAccepts(policy, { event: str('data-entry') })).toBe(true);
    expect(snsFilterAccepts(policy, { event: str('order_number') })).toBe(true);
    expect(snsFilterAccepts(policy, { event: str('order-cancelled') })).toBe(false);
  });
});

describe('snsFilterAccepts: Numeric value matching', () => {
  it('exact matching, whatever the notation', () => {
    const policy = { price_usd: [{ numeric: ['=', 301.5] }] };
    expect(snsFilterAccepts(policy, { price_usd: num('301.5') })).toBe(true);
    expect(snsFilterAccepts(policy, { price_usd: num('3.015e2') })).toBe(true);
    expect(snsFilterAccepts(policy, { price_usd: num('301.6') })).toBe(false);
  });

  it('anything-but matching, a Number.Array matching when one element is not excluded', () => {
    const policy = { price: [{ 'anything-but': [100, 500] }] };
    expect(snsFilterAccepts(policy, { price: num('101') })).toBe(true);
    expect(snsFilterAccepts(policy, { price: num('100.1') })).toBe(true);
    expect(snsFilterAccepts(policy, { price: { DataType: 'Number.Array', StringValue: '[100, 50]' } })).toBe(true);
    expect(snsFilterAccepts(policy, { price: num('100') })).toBe(false);
  });

  it('value range matching', () => {
    expect(snsFilterAccepts({ price_usd: [{ numeric: ['<', 0] }] }, { price_usd: num('-1') })).toBe(true);
    expect(snsFilterAccepts({ price_usd: [{ numeric: ['<', 0] }] }, { price_usd: num('0') })).toBe(false);
    const range = { price_usd: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(snsFilterAccepts(range, { price_usd: num('150') })).toBe(true);
    expect(snsFilterAccepts(range, { price_usd: num('150.5') })).toBe(false);
    expect(snsFilterAccepts(range, { price_usd: num('0') })).toBe(false);
  });
});

describe('snsFilterAccepts: Key matching', () => {
  const withStore = { store: str('fans'), customer_interests: strArray(['baseball', 'basketball']) };
  const withoutStore = { customer_interests: strArray(['baseball', 'basketball']) };

  it('"exists": true matches only messages that carry the key', () => {
    expect(snsFilterAccepts({ store: [{ exists: true }] }, withStore)).toBe(true);
    expect(snsFilterAccepts({ store: [{ exists: true }] }, withoutStore)).toBe(false);
  });

  it('"exists": false matches messages without the key', () => {
    expect(snsFilterAccepts({ store: [{ exists: false }] }, withStore)).toBe(false);
    expect(snsFilterAccepts({ store: [{ exists: false }] }, withoutStore)).toBe(true);
  });

  it('"exists": false matches nothing when the message carries no attributes at all', () => {
    expect(snsFilterAccepts({ store: [{ exists: false }] }, {})).toBe(false);
  });

  it('ignores Binary attributes: a message with only a Binary attribute has none to match', () => {
    expect(snsFilterAccepts({ store: [{ exists: false }] }, { blob: { DataType: 'Binary' } })).toBe(false);
  });
});

describe('snsFilterAccepts: AND/OR logic', () => {
  const policy = { customer_interests: ['rugby'], price_usd: [{ numeric: ['>', 100] }] };

  it('needs every key (AND)', () => {
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby'), price_usd: num('101') })).toBe(true);
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby'), price_usd: num('100') })).toBe(false);
    expect(snsFilterAccepts(policy, { customer_interests: str('rugby') })).toBe(false);
  });

  it('takes any value of one key (OR)', () => {
    const or = { customer_interests: ['rugby', 'football', 'baseball'] };
    expect(snsFilterAccepts(or, { customer_interests: str('football') })).toBe(true);
    expect(snsFilterAccepts(or, { customer_interests: str('hockey') })).toBe(false);
  });
});

describe('snsFilterAccepts: what it cannot judge', () => {
  it('throws on an operator it does not implement instead of guessing', () => {
    expect(() => snsFilterAccepts({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: str('10.0.0.1') })).toThrow(UnsupportedFilterError);
    expect(() => snsFilterAccepts({ a: ['x'] }, { a: str('x') }, 'MessageBody')).toThrow(UnsupportedFilterError);
  });
});
