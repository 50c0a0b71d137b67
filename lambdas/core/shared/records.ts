/**
 * Lookups in records keyed by names that come from AWS or from users. A parameter group, tag or
 * instance size may well be called `constructor`, `toString` or `__proto__`: `record[name]` would
 * then return a function from Object.prototype (or set the prototype) instead of "not there".
 */
import * as z from 'zod';

/** The record's own value under `key`, never one inherited from Object.prototype. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A record built from entries; `__proto__` stays an ordinary key (Object.fromEntries defines, never assigns). */
export function recordOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  return Object.fromEntries(entries) as Record<string, T>;
}

/**
 * `z.record` for keys from users or AWS. zod's own record drops a `__proto__` key without a word;
 * this one keeps every own key (JSON.parse makes `__proto__` an own key) and validates each value.
 */
export function ownRecord<K extends z.ZodType<string>, V extends z.ZodType>(keySchema: K, valueSchema: V) {
  return z.custom<Record<string, z.output<V>>>().transform((input, ctx): Record<string, z.output<V>> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: 'must be an object', input });
      return z.NEVER;
    }
    const out: [string, z.output<V>][] = [];
    for (const [key, value] of Object.entries(input)) {
      const keyResult = keySchema.safeParse(key, { reportInput: true });
      for (const issue of keyResult.error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', message: `key ${issue.message}`, path: [key], input: key });
      }
      const valueResult = valueSchema.safeParse(value, { reportInput: true });
      for (const issue of valueResult.error?.issues ?? []) {
        ctx.addIssue({ ...issue, code: 'custom', message: issue.code === 'invalid_type' ? `must be ${issue.expected}` : issue.message, path: [key, ...issue.path] } as z.core.$ZodRawIssue);
      }
      if (keyResult.success && valueResult.success) out.push([key, valueResult.data]);
    }
    return recordOf(out);
  });
}
