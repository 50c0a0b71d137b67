/**
 * Probe targets from connection URLs: `postgres://`, `mysql://`, `mariadb://`, with query options
 * `name`, `role` (source|replica), `source` (the name of the target it replicates from),
 * `region`, `heartbeat` (schema.table), `tls` (off|require|verify) and `tlsca` (a CA bundle file).
 */
import type { ProbeEngine, ProbeRole } from '../core/fleet/probe-observation';

export type TlsMode = 'off' | 'require' | 'verify';

export interface ProbeTarget {
  readonly name: string;
  readonly region: string;
  readonly engine: ProbeEngine;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Never logged, never in an error or a snapshot. */
  readonly password: string;
  readonly database: string | undefined;
  readonly role?: ProbeRole;
  readonly source?: string;
  readonly heartbeat: { readonly schema: string; readonly table: string };
  readonly tls: TlsMode;
  readonly tlsCaFile?: string;
}

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

const SCHEMES: Readonly<Record<string, ProbeEngine>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mariadb',
};
const DEFAULT_PORTS: Readonly<Record<ProbeEngine, number>> = { postgres: 5432, mysql: 3306, mariadb: 3306 };
const OPTIONS = new Set(['name', 'role', 'source', 'region', 'heartbeat', 'tls', 'tlsca']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** The URL with its password replaced, for messages. */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** `<id>.<hash>.<region>.rds.amazonaws.com` names the database and its region. */
function rdsEndpoint(host: string): { readonly id: string; readonly region: string } | undefined {
  const match = /^([a-z][a-z0-9-]*)\.[a-z0-9]+\.([a-z]{2}(?:-[a-z]+)+-\d)\.rds\.amazonaws\.com(?:\.cn)?$/i.exec(host);
  return match ? { id: match[1]!, region: match[2]! } : undefined;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);

export function parseTarget(raw: string, label = 'target'): ProbeTarget {
  const shown = redactUrl(raw);
  const fail = (why: string): never => {
    throw new TargetError(`${label} "${shown}": ${why}`);
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('is not a URL; expected e.g. postgres://user:password@host:5432/dbname or mysql://user:password@host:3306');
  }
  const engine = SCHEMES[url.protocol];
  if (!engine) return fail(`unsupported scheme "${url.protocol}"; use postgres://, mysql:// or mariadb://`);
  if (!url.hostname) fail('has no host');
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[engine];
  const user = decodeURIComponent(url.username);
  if (!user) fail('has no user; put the monitoring user before the host (user:password@host)');
  for (const key of url.searchParams.keys()) {
    if (!OPTIONS.has(key)) fail(`unknown option "${key}" (known: ${[...OPTIONS].join(', ')})`);
  }
  const roleValue = url.searchParams.get('role');
  if (roleValue !== null && roleValue !== 'source' && roleValue !== 'replica') fail(`role must be "source" or "replica" (got "${roleValue}")`);
  const tlsValue = url.searchParams.get('tls');
  if (tlsValue !== null && !['off', 'require', 'verify'].includes(tlsValue)) fail(`tls must be off, require or verify (got "${tlsValue}")`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const rds = rdsEndpoint(host);
  const heartbeatValue = url.searchParams.get('heartbeat') ?? 'replguard.heartbeat';
  const [schema, table, extra] = heartbeatValue.split('.');
  if (extra !== undefined || !schema || !table || !IDENT.test(schema) || !IDENT.test(table)) {
    fail(`heartbeat must be schema.table with plain identifiers (got "${heartbeatValue}")`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  const name = url.searchParams.get('name') ?? rds?.id ?? `${host}:${port}`;
  const source = url.searchParams.get('source') ?? undefined;
  return {
    name,
    region: url.searchParams.get('region') ?? rds?.region ?? 'probe',
    engine,
    host,
    port,
    user,
    password: decodeURIComponent(url.password),
    database: database ?? (engine === 'postgres' ? 'postgres' : undefined),
    ...(roleValue ? { role: roleValue as ProbeRole } : {}),
    ...(source ? { source } : {}),
    heartbeat: { schema: schema!, table: table! },
    tls: (tlsValue as TlsMode | null) ?? (isLoopback(host) ? 'off' : 'verify'),
    ...(url.searchParams.get('tlsca') ? { tlsCaFile: url.searchParams.get('tlsca')! } : {}),
  };
}

/** Parses every target; names must be unique and every `source=` must name one of them. */
export function parseTargets(raws: readonly string[]): ProbeTarget[] {
  const targets = raws.map((raw, i) => parseTarget(raw, `--target #${i + 1}`));
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new TargetError(`two targets are named "${t.name}"; give each a distinct ?name=`);
    names.add(t.name);
  }
  for (const t of targets) {
    if (t.source !== undefined && !names.has(t.source)) {
      throw new TargetError(`target "${t.name}" names source "${t.source}", which is not one of the targets (${[...names].join(', ')})`);
    }
  }
  return targets;
}
