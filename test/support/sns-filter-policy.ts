/**
 * Decides whether an SNS subscription filter policy accepts a message, following the Amazon SNS
 * Developer Guide ("Amazon SNS message filtering": subscription filter policies, attribute string
 * value matching, numeric value matching, key matching, AND/OR logic, filter policy scope).
 * Test tooling: it lets a stack test read the synthesized subscriptions and say who receives
 * what. An operator it does not know makes it throw, so a policy it cannot judge fails loudly
 * instead of being judged wrong.
 *
 * Rules implemented (MessageAttributes scope):
 * - a subscription without a filter policy receives every message;
 * - every key of the policy must match (AND); within a key, any one condition may match (OR);
 * - a key the message does not carry matches only `{"exists": false}`, and that only when the
 *   message carries at least one attribute ("An empty set of attributes results in the filter
 *   not matching", Key matching);
 * - `String.Array` / `Number.Array` attributes match when any element matches;
 * - `Binary` attributes are ignored (treated as absent);
 * - strings are compared case-sensitively; `numeric` and numeric `anything-but` apply to numbers.
 */

/** A message attribute as the Publish API takes it. */
export interface PublishedAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

export type PublishedAttributes = Readonly<Record<string, PublishedAttribute>>;

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

type Scalar = string | number;

export class UnsupportedFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedFilterError';
  }
}

/** The attribute's values, or undefined when SNS does not compare it (absent or Binary). */
function valuesOf(attribute: PublishedAttribute | undefined): Scalar[] | undefined {
  if (!attribute || attribute.StringValue === undefined) return undefined;
  const { DataType, StringValue } = attribute;
  if (DataType.startsWith('Binary')) return undefined;
  if (DataType.startsWith('String.Array') || DataType.startsWith('Number.Array')) {
    const parsed: unknown = JSON.parse(StringValue);
    if (!Array.isArray(parsed)) throw new UnsupportedFilterError(`attribute of type ${DataType} is not a JSON array: ${StringValue}`);
    return parsed.filter((v): v is Scalar => typeof v === 'string' || typeof v === 'number');
  }
  if (DataType.startsWith('Number')) return [Number(StringValue)];
  if (DataType.startsWith('String')) return [StringValue];
  throw new UnsupportedFilterError(`attribute data type ${DataType} is not one SNS filters on`);
}

function numericMatches(value: Scalar, spec: unknown): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) {
    throw new UnsupportedFilterError(`numeric condition ${JSON.stringify(spec)} is malformed`);
  }
  let all = true;
  for (let i = 0; i < spec.length; i += 2) {
    const [op, bound] = [spec[i], spec[i + 1]];
    if (typeof bound !== 'number') throw new UnsupportedFilterError(`numeric bound ${JSON.stringify(bound)} is not a number`);
    if (!['=', '<', '<=', '>', '>='].includes(op)) throw new UnsupportedFilterError(`numeric operator ${JSON.stringify(op)} is not one SNS documents`);
    if (typeof value !== 'number') return false;
    const ok = op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : value >= bound;
    all &&= ok;
  }
  return all;
}

function anythingButMatches(value: Scalar, spec: unknown): boolean {
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const keys = Object.keys(spec);
    if (keys.length === 1 && keys[0] === 'prefix') {
      const prefix = (spec as { prefix: unknown }).prefix;
      return typeof value === 'string' && typeof prefix === 'string' && !value.startsWith(prefix);
    }
    throw new UnsupportedFilterError(`anything-but ${JSON.stringify(spec)} is not supported here`);
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  return !excluded.some((e) => e === value);
}

/** One condition of a key against one value of the attribute. */
function conditionMatches(condition: unknown, value: Scalar): boolean {
  if (typeof condition === 'string') return value === condition;
  if (typeof condition === 'number') return typeof value === 'number' && value === condition;
  // Booleans and null: message attributes have no such type, so they never match one.
  if (condition === null || typeof condition === 'boolean') return false;
  if (typeof condition !== 'object' || Array.isArray(condition)) {
    throw new UnsupportedFilterError(`condition ${JSON.stringify(condition)} is not supported`);
  }
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw new UnsupportedFilterError(`condition ${JSON.stringify(condition)} must have one operator`);
  const [operator, spec] = entries[0]!;
  switch (operator) {
    case 'prefix':
      if (typeof spec !== 'string') throw new UnsupportedFilterError(`prefix ${JSON.stringify(spec)} is not a string`);
      return typeof value === 'string' && value.startsWith(spec);
    case 'anything-but':
      return anythingButMatches(value, spec);
    case 'numeric':
      return numericMatches(value, spec);
    default:
      throw new UnsupportedFilterError(`operator "${operator}" is not supported by this evaluator`);
  }
}

function existsCondition(condition: unknown): boolean | undefined {
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition) && 'exists' in condition) {
    const { exists } = condition as { exists: unknown };
    if (typeof exists !== 'boolean' || Object.keys(condition).length !== 1) {
      throw new UnsupportedFilterError(`exists condition ${JSON.stringify(condition)} is malformed`);
    }
    return exists;
  }
  return undefined;
}

function keyMatches(conditions: unknown, attribute: PublishedAttribute | undefined, messageHasAttributes: boolean): boolean {
  if (!Array.isArray(conditions)) {
    throw new UnsupportedFilterError(`policy values must be arrays (nested keys need the MessageBody scope): ${JSON.stringify(conditions)}`);
  }
  const values = valuesOf(attribute);
  return conditions.some((condition) => {
    const exists = existsCondition(condition);
    if (exists === true) return values !== undefined && values.some((v) => v !== '');
    if (exists === false) return values === undefined && messageHasAttributes;
    return values !== undefined && values.some((v) => conditionMatches(condition, v));
  });
}

/**
 * True when a subscription with this filter policy receives a message with these attributes.
 * `policy` undefined means the subscription has no filter policy.
 */
export function snsFilterAccepts(
  policy: Readonly<Record<string, unknown>> | undefined,
  attributes: PublishedAttributes,
  scope: FilterPolicyScope = 'MessageAttributes',
): boolean {
  if (policy === undefined) return true;
  if (scope !== 'MessageAttributes') throw new UnsupportedFilterError(`filter policy scope ${scope} is not supported by this evaluator`);
  const keys = Object.keys(policy);
  if (keys.length === 0) throw new UnsupportedFilterError('an empty filter policy is not valid');
  const messageHasAttributes = Object.values(attributes).some((a) => valuesOf(a) !== undefined);
  return keys.every((key) => keyMatches(policy[key], attributes[key], messageHasAttributes));
}
