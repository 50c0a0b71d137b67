/**
 * Typed comparison of parameter values.
 *
 * Parameter groups hold text: `1`, `ON`, `ROW`, `{DBInstanceClassMemory/12582880}`,
 * `GREATEST(${DBInstanceVCPU*2},8)`. Before two values are compared each is resolved in the
 * context of the database it applies to (instance class, replica or not, port, storage):
 * numbers compare numerically, booleans across 0/1/on/off/true/false/yes/no, other text
 * case-insensitively, and formulas are evaluated where they can be.
 *
 * `DBInstanceClassMemory` is the memory available to the database process: AWS starts from the
 * class memory and subtracts what the operating system and the RDS processes reserve, and the
 * exact figure "depends on a combination of factors" (class, engine, RDS or Aurora). We do not
 * guess it: it is the interval [60 %, 100 %] of the class memory (observed values run from about
 * 70 % on micro classes to over 95 % on large ones), and every formula is evaluated over that
 * interval. A comparison that the interval cannot decide is "not comparable", never equal; the
 * same formula on the same class and engine is equal whatever the exact figure.
 */
import { classMemoryBytes, instanceClassInfo } from '../../fleet/instance-capacity';

/** Lower bound of DBInstanceClassMemory as a fraction of the class memory (see above). */
export const CLASS_MEMORY_MIN_FRACTION = 0.6;

/** Where a value is evaluated: the database it applies to. Unknown fields make formulas that need them unknown. */
export interface ValueEnv {
  readonly instanceClass?: string;
  /** Engine name; DBInstanceClassMemory differs by engine. */
  readonly engine?: string;
  /** `{TrueIfReplica}`: true for a read replica or an Aurora reader. */
  readonly isReplica?: boolean;
  /** `{EndPointPort}`. */
  readonly port?: number;
  /** `{AllocatedStorage}`, in GiB as the API reports it. */
  readonly allocatedStorageGiB?: number;
}

/** How a value reads: from the parameter's `DataType` when known, else inferred from the text. */
export type ValueType = 'boolean' | 'number' | 'string' | 'list';

/** A value resolved for one database. */
export type Resolved =
  | { readonly kind: 'number'; readonly lo: number; readonly hi: number; readonly text: string; readonly symbol?: string }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly text: string; readonly symbol?: string }
  | { readonly kind: 'string'; readonly value: string; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[]; readonly text: string }
  | { readonly kind: 'unknown'; readonly reason: string; readonly text: string; readonly symbol?: string };

export type EqualityOutcome =
  | { readonly outcome: 'equal' }
  | { readonly outcome: 'different' }
  | { readonly outcome: 'not-comparable'; readonly reason: string };

export type OrderOutcome =
  | { readonly outcome: 'less' | 'equal' | 'greater' }
  | { readonly outcome: 'not-comparable'; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Names

/**
 * One name for a parameter across engine versions: lower case, `-` as `_` (MySQL treats them
 * alike: `gtid-mode` is `gtid_mode`), and the MySQL 8.0.26+ terms (`slave` → `replica`,
 * `master` → `source`), so `log_slave_updates` and `log_replica_updates`,
 * `slave_parallel_workers` and `replica_parallel_workers` are one parameter.
 */
export function canonicalParameterName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/-/g, '_')
    .split('_')
    .map((part) => (part === 'slave' ? 'replica' : part === 'master' ? 'source' : part))
    .join('_');
}

/** `DataType` of DescribeDBParameters → how the value reads. */
export function valueTypeOf(dataType: string | undefined): ValueType | undefined {
  switch (dataType?.toLowerCase()) {
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
    case 'numeric':
      return 'number';
    case 'string':
      return 'string';
    case 'list':
      return 'list';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Formulas

/** A closed interval of numbers: formula variables that are not known exactly are intervals. */
interface Interval {
  readonly lo: number;
  readonly hi: number;
}

class FormulaError extends Error {}

interface EvalState {
  readonly env: ValueEnv;
  /** Variables read, with what they were bound to: the same formula under the same bindings is the same value. */
  readonly bindings: Map<string, string>;
  /** A variable whose value is unknown: the formula is unknown, but may still equal itself. */
  unknown?: string;
}

const point = (n: number): Interval => ({ lo: n, hi: n });
const trunc = (i: Interval): Interval => ({ lo: Math.trunc(i.lo), hi: Math.trunc(i.hi) });

function variable(name: string, state: EvalState): Interval {
  const { env } = state;
  const unknown = (why: string): Interval => {
    state.unknown ??= why;
    return point(0);
  };
  switch (name) {
    case 'DBInstanceClassMemory': {
      const binding = `${env.instanceClass ?? '?'}/${env.engine ?? '?'}`;
      state.bindings.set(name, binding);
      if (!env.instanceClass) return unknown('DBInstanceClassMemory needs the instance class');
      const info = instanceClassInfo(env.instanceClass);
      if (!info) return unknown(`DBInstanceClassMemory: instance class ${env.instanceClass} is not in the class table`);
      const bytes = classMemoryBytes(info);
      return { lo: Math.floor(bytes * CLASS_MEMORY_MIN_FRACTION), hi: bytes };
    }
    case 'DBInstanceVCPU': {
      state.bindings.set(name, env.instanceClass ?? '?');
      if (!env.instanceClass) return unknown('DBInstanceVCPU needs the instance class');
      const info = instanceClassInfo(env.instanceClass);
      if (!info) return unknown(`DBInstanceVCPU: instance class ${env.instanceClass} is not in the class table`);
      return point(info.vcpus);
    }
    case 'TrueIfReplica':
      state.bindings.set(name, String(env.isReplica));
      if (env.isReplica === undefined) return unknown('TrueIfReplica: whether the database is a replica is unknown');
      return point(env.isReplica ? 1 : 0);
    case 'EndPointPort':
      state.bindings.set(name, String(env.port));
      if (env.port === undefined) return unknown('EndPointPort: the port is unknown');
      return point(env.port);
    case 'AllocatedStorage':
      state.bindings.set(name, String(env.allocatedStorageGiB));
      if (env.allocatedStorageGiB === undefined) return unknown('AllocatedStorage: the storage size is unknown');
      return point(env.allocatedStorageGiB * 1024 ** 3);
    default:
      state.bindings.set(name, '?');
      return unknown(`formula variable ${name} is not supported`);
  }
}

/** Recursive-descent parser and interval evaluator for RDS parameter formulas and functions. */
class FormulaParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly state: EvalState,
  ) {}

  parse(): Interval {
    const value = this.argument();
    this.skipSpace();
    if (this.pos < this.text.length) throw new FormulaError(`unexpected "${this.text.slice(this.pos)}"`);
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  private expect(char: string): void {
    if (this.peek() !== char) throw new FormulaError(`expected "${char}" at position ${this.pos + 1}`);
    this.pos++;
  }

  /** A function argument or a whole value: `{formula}`, `${formula}`, FUNC(...) or an integer. */
  private argument(): Interval {
    const c = this.peek();
    if (c === '$' && this.text[this.pos + 1] === '{') {
      this.pos++;
      return this.braced();
    }
    if (c === '{') return this.braced();
    return this.product();
  }

  private braced(): Interval {
    this.expect('{');
    const value = this.product();
    this.expect('}');
    return value;
  }

  /** term (('*' | '/') term)*, left to right; decimals are truncated as RDS does. */
  private product(): Interval {
    let value = this.term();
    for (;;) {
      const op = this.peek();
      if (op !== '*' && op !== '/') return value;
      this.pos++;
      const right = this.term();
      value = op === '*' ? this.multiply(value, right) : this.divide(value, right);
    }
  }

  private multiply(a: Interval, b: Interval): Interval {
    const products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi];
    return trunc({ lo: Math.min(...products), hi: Math.max(...products) });
  }

  private divide(a: Interval, b: Interval): Interval {
    if (b.lo <= 0 && b.hi >= 0) {
      // Already unknown (an unknown reads as 0): go on, so every variable the formula reads is bound
      // and two formulas that differ only further on are not taken for the same value.
      if (this.state.unknown) return point(0);
      throw new FormulaError('division by zero');
    }
    const quotients = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
    return trunc({ lo: Math.min(...quotients), hi: Math.max(...quotients) });
  }

  private term(): Interval {
    const c = this.peek();
    if (c === '(') {
      this.pos++;
      const value = this.product();
      this.expect(')');
      return value;
    }
    // A `$` only opens `${`; any other `$` falls through to the error below (never back into argument()).
    if (c === '{' || (c === '$' && this.text[this.pos + 1] === '{')) return this.argument();
    const number = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return point(Number(number[0]));
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!word) throw new FormulaError(`unexpected "${this.text.slice(this.pos)}"`);
    this.pos += word[0].length;
    if (this.peek() === '(') return this.call(word[0]);
    return variable(word[0], this.state);
  }

  private call(name: string): Interval {
    this.expect('(');
    const args: Interval[] = [];
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.argument());
        if (this.peek() !== ',') break;
        this.pos++;
      }
    }
    this.expect(')');
    const fn = name.toUpperCase();
    if (args.length === 0) throw new FormulaError(`${name}() needs at least one argument`);
    switch (fn) {
      case 'GREATEST':
        return { lo: Math.max(...args.map((a) => a.lo)), hi: Math.max(...args.map((a) => a.hi)) };
      case 'LEAST':
        return { lo: Math.min(...args.map((a) => a.lo)), hi: Math.min(...args.map((a) => a.hi)) };
      case 'SUM':
        return { lo: args.reduce((s, a) => s + a.lo, 0), hi: args.reduce((s, a) => s + a.hi, 0) };
      case 'IF': {
        if (args.length !== 3) throw new FormulaError('IF() takes three arguments');
        const [cond, then, otherwise] = args as [Interval, Interval, Interval];
        if (cond.lo === 0 && cond.hi === 0) return otherwise;
        if (cond.lo > 0 || cond.hi < 0) return then;
        return { lo: Math.min(then.lo, otherwise.lo), hi: Math.max(then.hi, otherwise.hi) };
      }
      case 'LOG': {
        // Log base 2, as RDS log expressions define it.
        const [x] = args as [Interval];
        if (this.state.unknown) return point(0);
        if (x.lo <= 0) throw new FormulaError('log of a value that can be 0 or less');
        return { lo: Math.log2(x.lo), hi: Math.log2(x.hi) };
      }
      default:
        throw new FormulaError(`function ${name}() is not supported`);
    }
  }
}

const FORMULA_HINT = /[{}]|^[A-Za-z]+\s*\(/;

export function isFormula(text: string): boolean {
  return FORMULA_HINT.test(text.trim());
}

function normalizeFormula(text: string): string {
  return text.replace(/\s+/g, '').replace(/\$\{/g, '{').toLowerCase();
}

function evaluateFormula(text: string, env: ValueEnv): { interval?: Interval; symbol: string; reason?: string } {
  const state: EvalState = { env, bindings: new Map() };
  let interval: Interval | undefined;
  let reason: string | undefined;
  try {
    interval = new FormulaParser(text.trim(), state).parse();
  } catch (error) {
    reason = `cannot evaluate formula ${text.trim()}: ${(error as Error).message}`;
  }
  if (state.unknown && !reason) {
    reason = `cannot evaluate formula ${text.trim()}: ${state.unknown}`;
    interval = undefined;
  }
  const bindings = [...state.bindings.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return { interval, symbol: `${normalizeFormula(text)}|${bindings.join(',')}`, reason };
}

// ---------------------------------------------------------------------------------------------
// Resolving and comparing

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function booleanWord(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

/** Resolves a parameter value for one database. `type` comes from the parameter's `DataType` when known. */
export function resolveValue(raw: string, env: ValueEnv, type?: ValueType): Resolved {
  const text = raw.trim();
  if (text === '') return { kind: 'unknown', reason: 'the value is empty', text };
  if (type === 'string') return { kind: 'string', value: text.toLowerCase(), text };
  if (type === 'list') {
    const items = text
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)
      .sort();
    return { kind: 'list', items, text };
  }

  if (isFormula(text)) {
    const { interval, symbol, reason } = evaluateFormula(text, env);
    if (!interval) return { kind: 'unknown', reason: reason ?? 'cannot evaluate', text, symbol };
    if (type === 'boolean') {
      if (interval.lo === 0 && interval.hi === 0) return { kind: 'boolean', value: false, text, symbol };
      if (interval.lo > 0 || interval.hi < 0) return { kind: 'boolean', value: true, text, symbol };
      return { kind: 'unknown', reason: `formula ${text} may be 0 or not`, text, symbol };
    }
    return { kind: 'number', lo: interval.lo, hi: interval.hi, text, symbol };
  }

  if (NUMBER.test(text)) {
    const n = Number(text);
    if (type === 'boolean') return { kind: 'boolean', value: n !== 0, text };
    return { kind: 'number', lo: n, hi: n, text };
  }
  const word = booleanWord(text);
  if (word !== undefined && type !== 'number') return { kind: 'boolean', value: word, text };
  if (type === 'number') return { kind: 'unknown', reason: `"${text}" is not a number`, text };
  return { kind: 'string', value: text.toLowerCase(), text };
}

const isExact = (r: Resolved): boolean => r.kind === 'number' && r.lo === r.hi;

function asBoolean(r: Resolved): boolean | undefined {
  if (r.kind === 'boolean') return r.value;
  if (r.kind === 'number' && r.lo === r.hi && (r.lo === 0 || r.lo === 1)) return r.lo === 1;
  return undefined;
}

function symbolOf(r: Resolved): string | undefined {
  return r.kind === 'number' || r.kind === 'boolean' || r.kind === 'unknown' ? r.symbol : undefined;
}

/** Are two resolved values equal? Uncertain formulas and unknowns are "not comparable", never equal. */
export function compareEqual(a: Resolved, b: Resolved): EqualityOutcome {
  const sa = symbolOf(a);
  if (sa !== undefined && sa === symbolOf(b)) return { outcome: 'equal' };
  if (a.kind === 'unknown') return { outcome: 'not-comparable', reason: a.reason };
  if (b.kind === 'unknown') return { outcome: 'not-comparable', reason: b.reason };

  if (a.kind === 'boolean' || b.kind === 'boolean') {
    const x = asBoolean(a);
    const y = asBoolean(b);
    if (x !== undefined && y !== undefined) return { outcome: x === y ? 'equal' : 'different' };
    if (a.kind === 'number' && !isExact(a)) return { outcome: 'not-comparable', reason: `${a.text} is not known exactly` };
    if (b.kind === 'number' && !isExact(b)) return { outcome: 'not-comparable', reason: `${b.text} is not known exactly` };
    return { outcome: 'different' };
  }
  if (a.kind === 'number' && b.kind === 'number') {
    if (a.hi < b.lo || b.hi < a.lo) return { outcome: 'different' };
    if (isExact(a) && isExact(b)) return { outcome: 'equal' };
    return { outcome: 'not-comparable', reason: uncertainty(a, b) };
  }
  if (a.kind === 'list' || b.kind === 'list') {
    const x = a.kind === 'list' ? a.items : [a.text.toLowerCase()];
    const y = b.kind === 'list' ? b.items : [b.text.toLowerCase()];
    return { outcome: x.length === y.length && x.every((v, i) => v === y[i]) ? 'equal' : 'different' };
  }
  // Text against text, or text against a number (`ROW` vs `1`): compare the text case-insensitively.
  return { outcome: a.text.toLowerCase() === b.text.toLowerCase() ? 'equal' : 'different' };
}

function uncertainty(a: Resolved, b: Resolved): string {
  const open = [a, b].filter((r) => r.kind === 'number' && !isExact(r)).map((r) => `${r.text} is between ${describeRange(r)}`);
  return `${open.join(' and ')}: the exact value depends on memory RDS reserves`;
}

function describeRange(r: Resolved): string {
  if (r.kind !== 'number') return r.text;
  return r.lo === r.hi ? formatNumber(r.lo) : `${formatNumber(r.lo)} and ${formatNumber(r.hi)}`;
}

/** Orders two numeric values; `less` means a < b for every value the intervals allow. */
export function compareOrder(a: Resolved, b: Resolved): OrderOutcome {
  const sa = symbolOf(a);
  if (sa !== undefined && sa === symbolOf(b)) return { outcome: 'equal' };
  if (a.kind === 'unknown') return { outcome: 'not-comparable', reason: a.reason };
  if (b.kind === 'unknown') return { outcome: 'not-comparable', reason: b.reason };
  const x = toInterval(a);
  const y = toInterval(b);
  if (!x) return { outcome: 'not-comparable', reason: `"${a.text}" is not a number` };
  if (!y) return { outcome: 'not-comparable', reason: `"${b.text}" is not a number` };
  if (x.hi < y.lo) return { outcome: 'less' };
  if (x.lo > y.hi) return { outcome: 'greater' };
  if (x.lo === x.hi && y.lo === y.hi) return { outcome: 'equal' };
  return { outcome: 'not-comparable', reason: uncertainty(a, b) };
}

function toInterval(r: Resolved): Interval | undefined {
  if (r.kind === 'number') return { lo: r.lo, hi: r.hi };
  if (r.kind === 'boolean') return point(r.value ? 1 : 0);
  return undefined;
}

/** Is `a` at least `b` (for every value the intervals allow)? */
export function atLeast(a: Resolved, b: Resolved): { readonly outcome: 'yes' | 'no' } | { readonly outcome: 'not-comparable'; readonly reason: string } {
  const order = compareOrder(a, b);
  if (order.outcome === 'not-comparable') {
    const x = toInterval(a);
    const y = toInterval(b);
    // An uncertain side can still be decided: [10, 20] is at least [5, 10].
    if (x && y && x.lo >= y.hi && a.kind !== 'unknown' && b.kind !== 'unknown') return { outcome: 'yes' };
    return order;
  }
  return { outcome: order.outcome === 'less' ? 'no' : 'yes' };
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** How a resolved value reads in a message: `ON`, `1,365`, `{DBInstanceClassMemory/12582880} (between 819 and 1,365)`. */
export function describeResolved(r: Resolved): string {
  if (r.kind === 'number' && isFormula(r.text)) {
    return r.lo === r.hi ? `${r.text} (= ${formatNumber(r.lo)})` : `${r.text} (between ${formatNumber(r.lo)} and ${formatNumber(r.hi)})`;
  }
  if (r.kind === 'boolean' && isFormula(r.text)) return `${r.text} (= ${r.value ? 'on' : 'off'})`;
  return r.text;
}

/** A JSON-friendly form of a resolved value for evidence. */
export function evaluatedEvidence(r: Resolved): string | number | boolean | null {
  switch (r.kind) {
    case 'number':
      return r.lo === r.hi ? r.lo : `${r.lo}..${r.hi}`;
    case 'boolean':
      return r.value;
    case 'unknown':
      return null;
    default:
      return r.text;
  }
}
