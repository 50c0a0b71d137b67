/**
 * Decides whether an EventBridge event pattern matches an event, following the Amazon
 * EventBridge User Guide ("Amazon EventBridge event patterns", "Arrays in ... event patterns",
 * "Matching null values and empty strings ...", "Content filtering in ... event patterns").
 * Test tooling: stack tests match the synthesized rules against AWS's documented sample events.
 * An operator it does not know makes it throw instead of guessing.
 *
 * Rules implemented:
 * - every field the pattern names must be in the event, with the same nesting (an object in
 *   the pattern descends into the event); fields the pattern does not name are ignored;
 * - a leaf is an array of conditions, any one of which may match (OR); an event value that is
 *   an array matches when any of its elements matches (non-empty intersection);
 * - literal strings match character by character (no case folding); `null` matches only null,
 *   `""` only the empty string; numbers match by value (after JSON.parse the textual
 *   representation the guide compares, "300" vs "3.0e2", is no longer visible);
 * - `prefix`, `anything-but` (value, list, or `{prefix}`), `numeric` ranges, and `exists`
 *   (leaf fields only: a field holding an object does not exist for `exists`).
 */

export class UnsupportedPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPatternError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function numericMatches(value: unknown, spec: unknown): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) {
    throw new UnsupportedPatternError(`numeric condition ${JSON.stringify(spec)} is malformed`);
  }
  let all = true;
  for (let i = 0; i < spec.length; i += 2) {
    const [op, bound] = [spec[i], spec[i + 1]];
    if (typeof bound !== 'number' || !['=', '<', '<=', '>', '>='].includes(op)) {
      throw new UnsupportedPatternError(`numeric condition ${JSON.stringify(spec)} is malformed`);
    }
    if (typeof value !== 'number') return false;
    all &&= op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : value >= bound;
  }
  return all;
}

function anythingBut(value: unknown, spec: unknown): boolean {
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    if (keys.length === 1 && keys[0] === 'prefix' && typeof spec.prefix === 'string') {
      return typeof value === 'string' && !value.startsWith(spec.prefix);
    }
    throw new UnsupportedPatternError(`anything-but ${JSON.stringify(spec)} is not supported here`);
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  return !excluded.some((e) => e === value);
}

/** One condition against one scalar value of the event. */
function conditionMatches(condition: unknown, value: unknown): boolean {
  if (condition === null || typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean') {
    return condition === value;
  }
  if (!isObject(condition)) throw new UnsupportedPatternError(`condition ${JSON.stringify(condition)} is not supported`);
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw new UnsupportedPatternError(`condition ${JSON.stringify(condition)} must have one operator`);
  const [operator, spec] = entries[0]!;
  switch (operator) {
    case 'prefix':
      if (typeof spec !== 'string') throw new UnsupportedPatternError(`prefix ${JSON.stringify(spec)} is not supported here`);
      return typeof value === 'string' && value.startsWith(spec);
    case 'anything-but':
      return anythingBut(value, spec);
    case 'numeric':
      return numericMatches(value, spec);
    default:
      throw new UnsupportedPatternError(`operator "${operator}" is not supported by this matcher`);
  }
}

function leafMatches(conditions: unknown[], present: boolean, value: unknown): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) {
      if (typeof condition.exists !== 'boolean') throw new UnsupportedPatternError(`exists ${JSON.stringify(condition)} is malformed`);
      // Exists works on leaf nodes only: a field that holds an object is not there for it.
      const leafPresent = present && !isObject(value);
      return condition.exists === leafPresent;
    }
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => conditionMatches(condition, v));
  });
}

function objectMatches(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    const present = isObject(event) && key in event;
    const value = present ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(sub)) return leafMatches(sub, present, value);
    if (isObject(sub)) {
      if (!present || !isObject(value)) {
        // Only exists:false leaves can match below a missing branch.
        return objectMatches(sub, undefined);
      }
      return objectMatches(sub, value);
    }
    throw new UnsupportedPatternError(`pattern value for "${key}" must be an array or an object: ${JSON.stringify(sub)}`);
  });
}

/** True when the pattern matches the event. */
export function eventPatternMatches(pattern: Readonly<Record<string, unknown>>, event: Json | Record<string, unknown>): boolean {
  if (Object.keys(pattern).length === 0) throw new UnsupportedPatternError('an empty event pattern is not valid');
  return objectMatches(pattern as Record<string, unknown>, event);
}
