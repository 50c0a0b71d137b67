/**
 * Engine names and engine versions as the drift rules and the baseline see them.
 *
 * Versions compare part by part (`8.0.39` < `8.0.40`, `5.7` < `8.0`, `9.6` < `13.2`): numeric parts
 * numerically, text parts as text. A number never compares with text, so
 * `8.0.mysql_aurora.3.07.1` and `8.0.39` are "not comparable" past `8.0`.
 */

/** The engine names baseline entries and engine defaults are keyed on. */
export const BASELINE_ENGINES = [
  'mysql',
  'mariadb',
  'postgres',
  'aurora-mysql',
  'aurora-postgresql',
  'oracle',
  'sqlserver',
  'db2',
] as const;
export type BaselineEngine = (typeof BASELINE_ENGINES)[number];

/** `Engine` from the API (`aurora`, `oracle-ee`, `sqlserver-se`, ...) → the baseline engine name. */
export function baselineEngine(engine: string | undefined): BaselineEngine | undefined {
  const e = (engine ?? '').toLowerCase();
  if (e === 'aurora' || e === 'aurora-mysql') return 'aurora-mysql';
  if (e === 'aurora-postgresql') return 'aurora-postgresql';
  if (e === 'mysql' || e === 'mariadb' || e === 'postgres') return e;
  if (e.startsWith('oracle') || e.startsWith('custom-oracle')) return 'oracle';
  if (e.startsWith('sqlserver') || e.startsWith('custom-sqlserver')) return 'sqlserver';
  if (e.startsWith('db2')) return 'db2';
  return undefined;
}

type Part = number | string;

export function versionParts(version: string): Part[] {
  return version
    .trim()
    .split('.')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p.toLowerCase()));
}

/**
 * Negative when `a` is older, positive when newer, 0 when equal, undefined when a numeric part
 * meets a text part before the versions differ. A version that is a prefix of the other is older.
 */
export function compareVersions(a: string, b: string): number | undefined {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x !== typeof y) return undefined;
    if (x === y) continue;
    if (typeof x === 'number') return x - (y as number);
    return (x as string) < (y as string) ? -1 : 1;
  }
  return 0;
}

/** The major version, the part that changes incompatibly: `8.0` for MySQL, `16` for PostgreSQL 10+. */
export function majorVersion(engine: BaselineEngine | undefined, version: string): string {
  const parts = versionParts(version);
  const isPostgres = engine === 'postgres' || engine === 'aurora-postgresql';
  const first = parts[0];
  if (isPostgres && typeof first === 'number' && first >= 10) return String(first);
  return parts.slice(0, 2).join('.');
}

const COMPARATOR = /^(>=|<=|>|<|=)?(\d+(?:\.[0-9A-Za-z_-]+)*)$/;

/**
 * A version selector: either a prefix (`8.0` matches `8.0`, `8.0.39` and `8.0.mysql_aurora.3.07.1`,
 * but not `8.01`) or space-separated comparators that must all hold (`>=8.0.28 <8.4`).
 */
export interface VersionSpec {
  readonly text: string;
  readonly test: (version: string) => boolean;
}

/** Returns an error message for a malformed spec. */
export function parseVersionSpec(text: string): VersionSpec | string {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return 'must not be empty';
  const checks: ((version: string) => boolean)[] = [];
  for (const token of tokens) {
    if (/(^|\.)(x|\*)(\.|$)/i.test(token)) {
      return `"${token}": wildcards are not supported; a prefix already matches every version under it (e.g. "8.0" matches 8.0.39)`;
    }
    const match = COMPARATOR.exec(token);
    if (!match) {
      return `"${token}" is neither a version prefix (e.g. "8.0") nor a comparison (e.g. ">=8.0.28")`;
    }
    const [, op, bound] = match;
    if (!op) {
      if (tokens.length > 1) return `"${token}": a prefix cannot be combined with other terms; use comparisons such as ">=8.0 <8.4"`;
      const prefix = versionParts(bound!);
      checks.push((version) => {
        const parts = versionParts(version);
        return prefix.every((p, i) => parts[i] === p);
      });
      continue;
    }
    checks.push((version) => {
      const c = compareVersions(version, bound!);
      if (c === undefined) return false;
      switch (op) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
  }
  return { text, test: (version) => checks.every((check) => check(version)) };
}
