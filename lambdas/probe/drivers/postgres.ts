/** PostgreSQL through `pg`: role, heartbeat, pg_stat_replication/slots on a source, receiver and replay on a standby. */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { ProbeFailure } from '../../core/fleet/probe-observation';
import { auroraReplicasFromRows, parseHeartbeatTs, postgresReplicaStatusFromRow, postgresSourceStatus } from '../observe';
import type { ProbeTarget } from '../targets';
import { networkFailure, scrub, type ProbeConnection, type ProbeDriver, type Timeouts } from './types';

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const tableName = (t: ProbeTarget['heartbeat']) => `${quote(t.schema)}.${quote(t.table)}`;

function ssl(target: ProbeTarget): pg.ClientConfig['ssl'] {
  if (target.tls === 'off') return false;
  if (target.tls === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(target.tlsCaFile ? { ca: readFileSync(target.tlsCaFile, 'utf8') } : {}) };
}

const SOURCE_SENDERS_SQL = `
SELECT application_name, client_addr::text AS client_addr, state, sync_state,
       EXTRACT(EPOCH FROM write_lag)::float8 AS write_lag_seconds,
       EXTRACT(EPOCH FROM flush_lag)::float8 AS flush_lag_seconds,
       EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag_seconds,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS replay_gap_bytes
FROM pg_stat_replication ORDER BY application_name`;

const SOURCE_SLOTS_SQL = `
SELECT slot_name, slot_type, active, wal_status,
       pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS retained_wal_bytes
FROM pg_replication_slots ORDER BY slot_name`;

const REPLICA_SQL = `
SELECT r.status AS receiver_status, r.sender_host, r.sender_port,
       pg_last_wal_receive_lsn()::text AS receive_lsn, pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 AS replay_gap_bytes,
       pg_is_wal_replay_paused() AS replay_paused,
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS last_replay_age_seconds
FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true`;

export const postgresDriver: ProbeDriver = {
  async connect(target: ProbeTarget, timeouts: Timeouts): Promise<ProbeConnection> {
    const client = new pg.Client({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      ssl: ssl(target),
      connectionTimeoutMillis: timeouts.connectMs,
      query_timeout: timeouts.queryMs,
      statement_timeout: timeouts.queryMs,
      application_name: 'replguard-probe',
    });
    // A server that goes away mid-run must not crash the process: queries fail instead.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      async roleInfo() {
        const { rows } = await client.query(
          `SELECT pg_is_in_recovery() AS in_recovery, version() AS version,
                  (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier`,
        );
        const row = rows[0] as { in_recovery: boolean; version: string; system_identifier: string | null };
        // Physical standbys share the primary's system identifier, so every member of a chain
        // reads the same row; pt-heartbeat's server_id is an unsigned 32-bit number.
        const serverId = row.system_identifier === null ? null : Number(BigInt(row.system_identifier) % 4294967296n);
        return { role: row.in_recovery ? 'replica' : 'source', serverId, version: row.version };
      },
      async writeHeartbeat(table, serverId, ts) {
        await client.query(
          `INSERT INTO ${tableName(table)} (ts, server_id, file, position)
           VALUES ($1, $2, pg_walfile_name(pg_current_wal_lsn()), pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint)
           ON CONFLICT (server_id) DO UPDATE SET ts = EXCLUDED.ts, file = EXCLUDED.file, position = EXCLUDED.position`,
          [ts, serverId],
        );
      },
      async readHeartbeat(table, serverId) {
        const { rows } =
          serverId === null
            ? await client.query(`SELECT ts, server_id FROM ${tableName(table)} ORDER BY ts DESC LIMIT 1`)
            : await client.query(`SELECT ts, server_id FROM ${tableName(table)} WHERE server_id = $1`, [serverId]);
        const row = rows[0] as { ts: string; server_id: string | number } | undefined;
        return row ? { serverId: Number(row.server_id), ts: parseHeartbeatTs(row.ts) } : null;
      },
      async postgresSource() {
        const senders = await client.query(SOURCE_SENDERS_SQL);
        const slots = await client.query(SOURCE_SLOTS_SQL);
        return postgresSourceStatus(senders.rows, slots.rows);
      },
      async postgresReplica() {
        const { rows } = await client.query(REPLICA_SQL);
        return postgresReplicaStatusFromRow(rows[0] ?? {});
      },
      async auroraReplicas() {
        try {
          const { rows } = await client.query('SELECT * FROM aurora_replica_status()');
          return auroraReplicasFromRows(rows);
        } catch (error) {
          // 42883 undefined_function: not Aurora PostgreSQL.
          if ((error as { code?: string }).code === '42883') return undefined;
          throw error;
        }
      },
      async close() {
        await client.end().catch(() => undefined);
      },
    };
  },

  classify(error: unknown, stage: string): ProbeFailure {
    const e = error as { code?: string; message?: string };
    const message = scrub(e.message ?? String(error), undefined);
    const network = networkFailure(e.code, message, stage);
    if (network) return network;
    const code = e.code;
    if (code === '28P01' || code === '28000') return { kind: 'auth', stage, message, code };
    if (code === '42501') return { kind: 'permission', stage, message, code };
    if (code === '42P01' || code === '3F000' || code === '3D000' || code === '42883') return { kind: 'missing-object', stage, message, code };
    if (code === '57014' || /timeout|timed out/i.test(message)) return { kind: 'timeout', stage, message, ...(code ? { code } : {}) };
    if (/SSL|TLS|certificate/i.test(message)) return { kind: 'tls', stage, message, ...(code ? { code } : {}) };
    return { kind: 'other', stage, message, ...(code ? { code } : {}) };
  },
};
