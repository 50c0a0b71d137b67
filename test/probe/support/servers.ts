/**
 * Real PostgreSQL 15 and MariaDB replication pairs for the probe's integration tests, started by
 * test/probe/servers.sh on 127.0.0.1 and stopped (directory removed) after the file's tests.
 * Setting REPLGUARD_SKIP_DB_TESTS=1 is the only way to skip them; when the servers cannot start
 * otherwise, the tests fail with the reason.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', 'servers.sh');

export const skipDbTests = process.env.REPLGUARD_SKIP_DB_TESTS === '1';

export const PROBE_USER = 'replguard_probe';
export const PROBE_PASSWORD = 'probe-secret-7f3a';

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly datadir: string;
}

export interface PgServers {
  readonly root: string;
  readonly bin: string;
  readonly primary: Endpoint;
  readonly standby: Endpoint;
  readonly admin: { readonly user: string; readonly password: string };
}

export interface MariaServers {
  readonly root: string;
  readonly primary: Endpoint;
  readonly replica: Endpoint;
  /** Replicates from `replica`: a chain two deep. */
  readonly chained: Endpoint;
  readonly admin: { readonly user: string; readonly password: string };
}

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'replguard-probe-'));
  chmodSync(root, 0o755);
  return root;
}

export async function stopServers(root: string): Promise<void> {
  await run('bash', [SCRIPT, 'stop', root], { timeout: 60_000 });
}

/** The statements docs/probe.md gives for PostgreSQL, run as the admin on the primary. */
export const PG_SETUP_SQL = [
  `CREATE ROLE ${PROBE_USER} LOGIN PASSWORD '${PROBE_PASSWORD}'`,
  `GRANT pg_monitor TO ${PROBE_USER}`,
  'CREATE SCHEMA replguard',
  `CREATE TABLE replguard.heartbeat (
     ts                    varchar(26) NOT NULL,
     server_id             bigint NOT NULL PRIMARY KEY,
     file                  varchar(255) DEFAULT NULL,
     position              bigint DEFAULT NULL,
     relay_master_log_file varchar(255) DEFAULT NULL,
     exec_master_log_pos   bigint DEFAULT NULL)`,
  `GRANT USAGE ON SCHEMA replguard TO ${PROBE_USER}`,
  `GRANT SELECT, INSERT, UPDATE ON replguard.heartbeat TO ${PROBE_USER}`,
];

/** The statements docs/probe.md gives for MariaDB 10.11, run as the admin on the primary. */
export const MARIADB_SETUP_SQL = [
  'CREATE DATABASE replguard',
  `CREATE TABLE replguard.heartbeat (
     ts                    varchar(26) NOT NULL,
     server_id             int unsigned NOT NULL PRIMARY KEY,
     file                  varchar(255) DEFAULT NULL,
     position              bigint unsigned DEFAULT NULL,
     relay_master_log_file varchar(255) DEFAULT NULL,
     exec_master_log_pos   bigint unsigned DEFAULT NULL
   ) ENGINE=InnoDB`,
  `CREATE USER '${PROBE_USER}'@'%' IDENTIFIED BY '${PROBE_PASSWORD}'`,
  `GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO '${PROBE_USER}'@'%'`,
  `GRANT SELECT, INSERT, UPDATE ON replguard.heartbeat TO '${PROBE_USER}'@'%'`,
];

export async function startPg(): Promise<PgServers> {
  const root = newRoot();
  const { stdout } = await run('bash', [SCRIPT, 'start', 'pg', root], { timeout: 120_000 });
  const state = JSON.parse(stdout) as Omit<PgServers, 'root'>;
  const servers = { ...state, root };
  await withPg(servers, 'primary', async (c) => {
    for (const sql of PG_SETUP_SQL) await c.query(sql);
  });
  return servers;
}

export async function startMariaDb(): Promise<MariaServers> {
  const root = newRoot();
  const { stdout } = await run('bash', [SCRIPT, 'start', 'mariadb', root], { timeout: 120_000 });
  const state = JSON.parse(stdout) as Omit<MariaServers, 'root'>;
  const servers = { ...state, root };
  await withMaria(servers, 'primary', async (c) => {
    for (const sql of MARIADB_SETUP_SQL) await c.query(sql);
  });
  for (const which of ['replica', 'chained'] as const) {
    await waitFor(async () => {
      const rows = await withMaria(servers, which, (c) => c.query("SELECT 1 FROM mysql.user WHERE user = 'replguard_probe'"));
      return (rows[0] as unknown[]).length === 1;
    }, `the probe user to replicate to the ${which} server`);
  }
  return servers;
}

export async function withPg<T>(s: PgServers, which: 'primary' | 'standby', fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: s[which].host, port: s[which].port, user: s.admin.user, password: s.admin.password, database: 'postgres' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function withMaria<T>(s: MariaServers, which: 'primary' | 'replica' | 'chained', fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ host: s[which].host, port: s[which].port, user: s.admin.user, password: s.admin.password });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function waitFor(test: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function pgUrl(e: Endpoint, name: string, extra = '', user = PROBE_USER, password = PROBE_PASSWORD): string {
  return `postgres://${user}:${password}@${e.host}:${e.port}/postgres?name=${name}${extra}`;
}

export function mariaUrl(e: Endpoint, name: string, extra = '', user = PROBE_USER, password = PROBE_PASSWORD): string {
  return `mariadb://${user}:${password}@${e.host}:${e.port}/?name=${name}${extra}`;
}

/** Runs `pg_ctl` on one of the PostgreSQL servers as the postgres user. */
export async function pgCtl(s: PgServers, which: 'primary' | 'standby', action: 'stop' | 'start'): Promise<void> {
  const datadir = s[which].datadir;
  const args = [join(s.bin, 'pg_ctl'), '-D', datadir, '-l', `${datadir}.log`, '-w', '-t', '30', ...(action === 'stop' ? ['-m', 'fast'] : []), action];
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 });
  else await run(args[0]!, args.slice(1), { timeout: 60_000 });
}
