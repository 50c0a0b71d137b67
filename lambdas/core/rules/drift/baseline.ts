/**
 * Baseline as code: the expected parameter values, versioned (`replguard-baseline/v1`), each
 * entry scoped to the databases it applies to and carrying a severity and a one-line reason.
 * See docs/baseline.md for the format. Parsing is strict: an unknown key, a bad pattern, version
 * selector or expectation fails with the file, the entry index and parameter, the key and the value.
 */
import * as z from 'zod'; // namespace import: lets esbuild tree-shake zod in the Lambda bundle
import { patternSchema } from '../../config';
import { SEVERITIES, type Severity } from '../../findings';
import { ownRecord } from '../../shared/records';
import { parseJson } from '../../shared/text';
import defaultBaselineJson from './default-baseline.json';
import { BASELINE_ENGINES, parseVersionSpec, type BaselineEngine, type VersionSpec } from './engines';

export const BASELINE_FORMAT = 'replguard-baseline/v1';

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

export type Scalar = string | number | boolean;

/** What an entry expects: a value, one of several, or numeric bounds. */
export type Expectation =
  | { readonly equals: Scalar }
  | { readonly oneOf: readonly Scalar[] }
  | { readonly min?: number; readonly max?: number };

/** Role of a database in replication. A database can be both (a replica that feeds another). */
export const ROLES = ['source', 'replica', 'standalone'] as const;
export type Role = (typeof ROLES)[number];

export interface BaselineEntry {
  readonly parameter: string;
  readonly expect: Expectation;
  readonly severity: Severity;
  readonly reason: string;
  readonly engine: readonly BaselineEngine[];
  readonly engineVersion?: VersionSpec;
  readonly identifier?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly role?: Role;
}

export interface Baseline {
  /** Where it came from, for messages: a file path or "default baseline". */
  readonly source: string;
  readonly description?: string;
  readonly entries: readonly BaselineEntry[];
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const EXPECT_SHAPES =
  'must be a value (string, number or boolean), {"equals": value}, {"oneOf": [values]}, or {"min": n} / {"max": n} / both';

const expectSchema = z.unknown().transform((value, ctx): Expectation => {
  const fail = (message: string): Expectation => {
    ctx.addIssue({ code: 'custom', message, input: value });
    return z.NEVER;
  };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'string' && value.trim() === '') return fail('must not be empty');
    return { equals: value };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(EXPECT_SHAPES);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const unknown = keys.filter((k) => !['equals', 'oneOf', 'min', 'max'].includes(k));
  if (unknown.length) return fail(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; ${EXPECT_SHAPES}`);
  if ('equals' in record) {
    if (keys.length > 1) return fail('"equals" cannot be combined with other keys');
    if (!scalar.safeParse(record.equals).success) return fail('"equals" must be a string, number or boolean');
    return { equals: record.equals as Scalar };
  }
  if ('oneOf' in record) {
    if (keys.length > 1) return fail('"oneOf" cannot be combined with other keys');
    const list = z.array(scalar).min(1).safeParse(record.oneOf);
    if (!list.success) return fail('"oneOf" must be a non-empty list of strings, numbers or booleans');
    return { oneOf: list.data };
  }
  const { min, max } = record;
  if (min === undefined && max === undefined) return fail(EXPECT_SHAPES);
  if (min !== undefined && (typeof min !== 'number' || !Number.isFinite(min))) return fail('"min" must be a number');
  if (max !== undefined && (typeof max !== 'number' || !Number.isFinite(max))) return fail('"max" must be a number');
  if (typeof min === 'number' && typeof max === 'number' && min > max) return fail(`"min" (${min}) must not exceed "max" (${max})`);
  return { ...(min !== undefined ? { min: min as number } : {}), ...(max !== undefined ? { max: max as number } : {}) };
});

const identifierSchema = patternSchema;

const versionSchema = z.string().transform((value, ctx): VersionSpec => {
  const spec = parseVersionSpec(value);
  if (typeof spec === 'string') {
    ctx.addIssue({ code: 'custom', message: spec, input: value });
    return z.NEVER;
  }
  return spec;
});

const ENGINE_MESSAGE = `must be one of ${BASELINE_ENGINES.join(', ')}, or a list of them`;

const engineSchema = z.unknown().transform((value, ctx): BaselineEngine[] => {
  const list = Array.isArray(value) ? value : [value];
  const bad = list.filter((e) => typeof e !== 'string' || !(BASELINE_ENGINES as readonly string[]).includes(e));
  if (list.length === 0 || bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: list.length === 0 ? 'must list at least one engine' : ENGINE_MESSAGE, input: value });
    return z.NEVER;
  }
  return [...new Set(list as BaselineEngine[])];
});

const entrySchema = z.strictObject({
  parameter: z
    .string()
    .min(1, 'must name a parameter')
    .refine((s) => s.trim() === s && !/[\r\n]/.test(s), 'must be a parameter name on one line, without surrounding spaces'),
  expect: expectSchema,
  severity: z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` }),
  reason: z
    .string()
    .min(1, 'must say why, in one line')
    .max(300, 'must be one line of at most 300 characters')
    .refine((s) => !/[\r\n]/.test(s), 'must be one line'),
  engine: engineSchema,
  engineVersion: versionSchema.optional(),
  identifier: identifierSchema.optional(),
  tags: ownRecord(z.string().min(1, 'must not be empty'), z.string()).optional(),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).optional(),
});

const baselineSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT, { message: `must be "${BASELINE_FORMAT}"` }),
  description: z.string().optional(),
  /** `"default"`: the shipped default baseline's entries come first, then this file's. */
  extends: z.literal('default', { message: 'must be "default" (the shipped default baseline)' }).optional(),
  entries: z.array(entrySchema),
});

export type BaselineInput = z.input<typeof baselineSchema>;

function describeInput(input: unknown): string {
  if (input === undefined) return ' (missing)';
  const text = JSON.stringify(input);
  return ` (got ${text && text.length > 80 ? `${text.slice(0, 77)}...` : text})`;
}

/** `entries.3.severity` → `entries[3] (binlog_format).severity`. */
function describePath(path: readonly PropertyKey[], raw: unknown): string {
  if (path.length === 0) return '(top level)';
  let out = String(path[0]);
  for (let i = 1; i < path.length; i++) {
    const part = path[i];
    if (typeof part === 'number') {
      out += `[${part}]`;
      if (path[i - 1] === 'entries') {
        const entries = (raw as { entries?: unknown[] } | undefined)?.entries;
        const parameter = (entries?.[part] as { parameter?: unknown } | undefined)?.parameter;
        if (typeof parameter === 'string') out += ` (${parameter})`;
      }
    } else {
      out += `.${String(part)}`;
    }
  }
  return out;
}

/** Validates a parsed baseline; `source` names the file in errors and findings. */
export function parseBaseline(raw: unknown, source = 'baseline'): Baseline {
  const result = baselineSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const lines = result.error.issues.slice(0, 20).map((issue) => {
      const where = describePath(issue.path, raw);
      if (issue.code === 'unrecognized_keys') {
        return `  ${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      const message = issue.code === 'invalid_type' ? `must be ${issue.expected}` : issue.message;
      return `  ${where}: ${message}${describeInput(issue.input)}`;
    });
    const more = result.error.issues.length > 20 ? `\n  ... and ${result.error.issues.length - 20} more` : '';
    throw new BaselineError(`Invalid ${BASELINE_FORMAT} file ${source}:\n${lines.join('\n')}${more}`);
  }
  const data = result.data;
  const own: BaselineEntry[] = data.entries.map((e) => ({
    parameter: e.parameter,
    expect: e.expect,
    severity: e.severity,
    reason: e.reason,
    engine: e.engine,
    ...(e.engineVersion ? { engineVersion: e.engineVersion } : {}),
    ...(e.identifier ? { identifier: e.identifier } : {}),
    ...(e.tags ? { tags: e.tags } : {}),
    ...(e.role ? { role: e.role } : {}),
  }));
  const inherited = data.extends === 'default' ? DEFAULT_BASELINE.entries : [];
  return { source, description: data.description, entries: [...inherited, ...own] };
}

/** Parses baseline JSON text. */
export function parseBaselineText(text: string, source = 'baseline'): Baseline {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new BaselineError(`${source} is not valid JSON: ${parsed.error}`);
  return parseBaseline(parsed.value, source);
}

/** The shipped default baseline: replication best practices per engine (default-baseline.json). */
export const DEFAULT_BASELINE: Baseline = parseBaseline(defaultBaselineJson, 'default baseline');

/** Back to the file format, for `baseline capture`. */
export function serializeBaseline(baseline: Baseline): BaselineInput {
  return {
    format: BASELINE_FORMAT,
    ...(baseline.description ? { description: baseline.description } : {}),
    entries: baseline.entries.map((e) => ({
      parameter: e.parameter,
      expect: 'equals' in e.expect ? e.expect.equals : { ...e.expect },
      severity: e.severity,
      reason: e.reason,
      engine: e.engine.length === 1 ? e.engine[0]! : [...e.engine],
      ...(e.engineVersion ? { engineVersion: e.engineVersion.text } : {}),
      ...(e.identifier ? { identifier: e.identifier } : {}),
      ...(e.tags ? { tags: { ...e.tags } } : {}),
      ...(e.role ? { role: e.role } : {}),
    })),
  } as BaselineInput;
}

/** How an expectation reads in a message. */
export function describeExpectation(expect: Expectation): string {
  if ('equals' in expect) return String(expect.equals);
  if ('oneOf' in expect) return `one of ${expect.oneOf.map(String).join(', ')}`;
  if (expect.min !== undefined && expect.max !== undefined) return `between ${expect.min} and ${expect.max}`;
  if (expect.min !== undefined) return `at least ${expect.min}`;
  return `at most ${expect.max}`;
}
