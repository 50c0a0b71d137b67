/**
 * Identifier patterns from the config and baselines: a glob (`orders-*`, `db-?`) or a regular
 * expression between slashes (`/^orders-(eu|us)-\d+$/`), matched on the whole identifier (a regex
 * as written: anchor it to match the whole).
 *
 * A pattern must never hang a check. Globs run through a two-pointer wildcard matcher (at most
 * pattern × text steps, no backtracking blow-up). Regexes stay (the config promises them) but
 * only in a shape whose backtracking is bounded: no backreferences or lookarounds, no repeated
 * group that itself repeats or alternates (`(a+)+`, `(a|a)*`), and at most
 * MAX_UNBOUNDED_QUANTIFIERS repeating quantifiers in all (`a*a*a*a*b` is polynomial of that degree).
 */

export interface Matcher {
  test(text: string): boolean;
}

/** Enough for `^prefix-.*-(eu|us)-\d+$`; more repeats make backtracking polynomial of higher degree. */
export const MAX_UNBOUNDED_QUANTIFIERS = 3;

const GLOB = /^[A-Za-z0-9*?-]+$/;

export const isRegexPattern = (pattern: string): boolean => pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/');

/** Counts the steps of a glob match, for the proof that it stays linear in pattern × text. */
export interface StepCounter {
  steps: number;
}

/** `*` any run of characters, `?` one character, everything else literal; whole-string match. */
export function globMatch(pattern: string, text: string, counter?: StepCounter): boolean {
  let p = 0;
  let t = 0;
  // Where the last `*` was and which text position it has swallowed up to: a mismatch retries from there, never earlier.
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    if (counter) counter.steps++;
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      starText = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

const QUANTIFIER = /^(?:[*+?]|\{(\d+)(?:(,)(\d*))?\})/;

/**
 * Why a regex source could backtrack without bound, or undefined when its shape is safe.
 * A walk over the source: escapes, character classes, groups and the quantifier after each atom.
 */
export function unsafeRegexReason(source: string): string | undefined {
  interface Frame {
    repeats: boolean;
    alternates: boolean;
  }
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  let unbounded = 0;
  let i = 0;
  /** Reads a quantifier at i; returns whether it repeats (max > 1) and moves past it (and a lazy `?`). */
  const quantifier = (): { repeats: boolean } | undefined => {
    const match = QUANTIFIER.exec(source.slice(i));
    if (!match) return undefined;
    i += match[0].length;
    if (source[i] === '?') i++;
    const q = match[0];
    const repeats = q === '*' || q === '+' || (q.startsWith('{') && (match[2] !== undefined ? match[3] === '' || Number(match[3]) > 1 : Number(match[1]) > 1));
    if (repeats) unbounded++;
    return { repeats };
  };
  while (i < source.length) {
    const c = source[i]!;
    const frame = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) return 'uses a backreference';
      i += 2;
    } else if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      if (/^\(\?<?[=!]/.test(source.slice(i))) return 'uses a lookahead or lookbehind';
      stack.push({ repeats: false, alternates: false });
      i += source.startsWith('(?:', i) ? 3 : source.startsWith('(?<', i) ? source.indexOf('>', i) + 1 || source.length : 1;
      continue;
    } else if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : frame;
      i++;
      const q = quantifier();
      if (q?.repeats && (group.repeats || group.alternates)) {
        return group.repeats ? 'repeats a group that itself repeats (nested quantifiers)' : 'repeats a group with alternatives';
      }
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= group.repeats || Boolean(q?.repeats);
      if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) break;
      continue;
    } else if (c === '|') {
      frame.alternates = true;
      i++;
      continue;
    } else {
      i++;
    }
    // The atom just read may carry a quantifier.
    const q = quantifier();
    if (q?.repeats) frame.repeats = true;
    if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) break;
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) return `has more than ${MAX_UNBOUNDED_QUANTIFIERS} repeating quantifiers (*, +, {n,})`;
  return undefined;
}

/** Why a pattern is refused, or undefined when it is a valid, safe glob or regex. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (!isRegexPattern(pattern)) {
    return GLOB.test(pattern) ? undefined : 'must be a glob of letters, digits, hyphens, * and ?, or a /regular expression/';
  }
  const source = pattern.slice(1, -1);
  try {
    new RegExp(source);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  const unsafe = unsafeRegexReason(source);
  return unsafe ? `is refused: the regular expression ${unsafe}, which can make matching take minutes; use a glob or a simpler expression` : undefined;
}

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const compiled = new Map<string, Matcher>();

/** The matcher of a pattern, compiled once per process. Throws PatternError for a refused pattern. */
export function compilePattern(pattern: string): Matcher {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const problem = patternProblem(pattern);
  if (problem) throw new PatternError(`pattern ${JSON.stringify(pattern)} ${problem}`);
  let matcher: Matcher;
  if (isRegexPattern(pattern)) {
    const regex = new RegExp(pattern.slice(1, -1));
    matcher = { test: (text) => regex.test(text) };
  } else {
    matcher = { test: (text) => globMatch(pattern, text) };
  }
  compiled.set(pattern, matcher);
  return matcher;
}
