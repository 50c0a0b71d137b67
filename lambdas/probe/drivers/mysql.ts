/** MySQL and MariaDB through `mysql2`: role and replica status (both column namings), heartbeat. */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import type { MysqlReplicaStatus, ProbeFailure } from '../../core/fleet/probe-observation';
import { auroraReplicasFromRows, mysqlReplicaStatusFromRow, parseHeartbeatTs } from '../observe';
import type { ProbeTarget } from '../targets';
import { networkFailure, scrub, type ProbeConnection, type ProbeDriver, type Timeouts } from './types';

const quote = (ident: string) => `\`${ident.replace(/`/g, '``')}\``;
const tableName = (t: ProbeTarget['heartbeat']) => `${quote(t.schema)}.${quote(t.table)}`;

type Row = Record<string, unknown>;

function ssl(target: ProbeTarget): mysql.ConnectionOptions['ssl'] {
  if (target.tls === 'off') return undefined;
  if (target.tls === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(target.tlsCaFile ? { ca: readFileSync(target.tlsCaFile, 'utf8') } : {}) };
}

/** Engine error numbers that mean "the monitoring user may not do this". */
const PERMISSION_ERRNOS = new Set([1044, 1142, 1143, 1227, 1370]);
const MISSING_ERRNOS = new Set([1049, 1146]);

export const mysqlDriver: ProbeDriver = {
  async connect(target: ProbeTarget, timeouts: Timeouts): Promise<ProbeConnection> {
    const sslOptions = ssl(target);
    const conn = await mysql.createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      ...(target.database ? { database: target.database } : {}),
      ...(sslOptions ? { ssl: sslOptions } : {}),
      connectTimeout: timeouts.connectMs,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    conn.on('error', () => undefined);
    const query = async (sql: string, values: unknown[] = []): Promise<Row[]> => {
      const [rows] = await conn.query({ sql, values, timeout: timeouts.queryMs });
      return rows as Row[];
    };
    const replicaStatus = async (): Promise<MysqlReplicaStatus | undefined> => {
      let rows: Row[];
      try {
        rows = await query('SHOW REPLICA STATUS');
      } catch (error) {
        // MySQL before 8.0.22 and MariaDB before 10.5.1 only know SHOW SLAVE STATUS.
        if ((error as { errno?: number }).errno !== 1064) throw error;
        rows = await query('SHOW SLAVE STATUS');
      }
      const row = rows[0];
      if (!row) return undefined;
      let gtidSlavePos: string | null = null;
      if (!('Executed_Gtid_Set' in row)) {
        gtidSlavePos = await query('SELECT @@gtid_slave_pos AS pos')
          .then((r) => (r[0]?.pos as string | undefined) ?? null)
          .catch(() => null);
      }
      return mysqlReplicaStatusFromRow(row, gtidSlavePos);
    };
    return {
      async roleInfo() {
        const [info] = await query('SELECT @@server_id AS server_id, @@version AS version');
        const replica = await replicaStatus();
        return {
          role: replica ? 'replica' : 'source',
          serverId: Number(info!.server_id),
          version: String(info!.version),
          ...(replica ? { mysqlReplica: replica } : {}),
        };
      },
      async writeHeartbeat(table, serverId, ts) {
        // file/position as pt-heartbeat records them; without the binlog privilege they stay NULL.
        const status = await query('SHOW MASTER STATUS').catch(() => [] as Row[]);
        const file = (status[0]?.File as string | undefined) ?? null;
        const position = (status[0]?.Position as string | number | undefined) ?? null;
        await query(
          `INSERT INTO ${tableName(table)} (ts, server_id, file, position) VALUES (?, ?, ?, ?)
           ON DUPLICATE KEY UPDATE ts = VALUES(ts), file = VALUES(file), position = VALUES(position)`,
          [ts, serverId, file, position],
        );
      },
      async readHeartbeat(table, serverId) {
        const rows =
          serverId === null
            ? await query(`SELECT ts, server_id FROM ${tableName(table)} ORDER BY ts DESC LIMIT 1`)
            : await query(`SELECT ts, server_id FROM ${tableName(table)} WHERE server_id = ?`, [serverId]);
        const row = rows[0];
        return row ? { serverId: Number(row.server_id), ts: parseHeartbeatTs(row.ts) } : null;
      },
      mysqlReplica: replicaStatus,
      async auroraReplicas() {
        try {
          return auroraReplicasFromRows(await query('SELECT * FROM information_schema.replica_host_status'));
        } catch (error) {
          // 1109 unknown table: not Aurora MySQL.
          if ((error as { errno?: number }).errno === 1109) return undefined;
          throw error;
        }
      },
      async close() {
        await conn.end().catch(() => conn.destroy());
      },
    };
  },

  classify(error: unknown, stage: string): ProbeFailure {
    const e = error as { code?: string; errno?: number; message?: string };
    const message = scrub(e.message ?? String(error), undefined);
    const network = networkFailure(e.code, message, stage);
    if (network) return network;
    const code = e.errno !== undefined && e.errno > 1000 ? String(e.errno) : e.code;
    const withCode = code ? { code } : {};
    if (e.errno === 1045 || e.errno === 1698) return { kind: 'auth', stage, message, ...withCode };
    if (e.errno !== undefined && PERMISSION_ERRNOS.has(e.errno)) return { kind: 'permission', stage, message, ...withCode };
    if (e.errno !== undefined && MISSING_ERRNOS.has(e.errno)) return { kind: 'missing-object', stage, message, ...withCode };
    if (e.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || /timeout|timed out/i.test(message)) return { kind: 'timeout', stage, message, ...withCode };
    if (e.code === 'HANDSHAKE_NO_SSL_SUPPORT' || /SSL|TLS|certificate/i.test(message)) return { kind: 'tls', stage, message, ...withCode };
    return { kind: 'other', stage, message, ...withCode };
  },
};
