/**
 * Raw rows from the engines → probe observation parts. Pure: the drivers run the queries, these
 * functions decide what the rows mean, so the column-name variants are tested without a server.
 */
import type {
  AuroraReplicaRow,
  MysqlReplicaStatus,
  PostgresReplicaStatus,
  PostgresSlot,
  PostgresSourceStatus,
  PostgresWalSender,
} from '../core/fleet/probe-observation';

type Row = Readonly<Record<string, unknown>>;

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

function num(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(text(value));
  return Number.isFinite(n) ? n : null;
}

/** The first of several column names that the row has (MySQL 8.0.22+ renamed Slave/Master). */
function pick(row: Row, ...names: string[]): unknown {
  for (const name of names) if (name in row) return row[name];
  return undefined;
}

/** Non-empty text, or null: the engines report "no error" as an empty string and errno 0. */
const nonEmpty = (value: unknown) => {
  const t = text(value);
  return t === null || t.trim() === '' ? null : t;
};

/**
 * One row of `SHOW REPLICA STATUS` (MySQL 8.0.22+: Replica_/Source_ names; MariaDB 10.5+ accepts
 * the statement but keeps Slave_/Master_ names) or `SHOW SLAVE STATUS`.
 * `gtidSlavePos` is MariaDB's executed position (`@@gtid_slave_pos`), which the row lacks.
 */
export function mysqlReplicaStatusFromRow(row: Row, gtidSlavePos?: string | null): MysqlReplicaStatus {
  const columnNames = 'Replica_IO_Running' in row ? 'replica' : 'slave';
  const lastIoErrno = num(pick(row, 'Last_IO_Errno'));
  const lastSqlErrno = num(pick(row, 'Last_SQL_Errno'));
  return {
    columnNames,
    ioRunning: text(pick(row, 'Replica_IO_Running', 'Slave_IO_Running')),
    sqlRunning: text(pick(row, 'Replica_SQL_Running', 'Slave_SQL_Running')),
    ioState: nonEmpty(pick(row, 'Replica_IO_State', 'Slave_IO_State')),
    sqlState: nonEmpty(pick(row, 'Replica_SQL_Running_State', 'Slave_SQL_Running_State')),
    lastIoErrno: lastIoErrno === 0 ? null : lastIoErrno,
    lastIoError: nonEmpty(pick(row, 'Last_IO_Error')),
    lastSqlErrno: lastSqlErrno === 0 ? null : lastSqlErrno,
    lastSqlError: nonEmpty(pick(row, 'Last_SQL_Error')),
    secondsBehindSource: num(pick(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master')),
    sourceHost: nonEmpty(pick(row, 'Source_Host', 'Master_Host')),
    sourcePort: num(pick(row, 'Source_Port', 'Master_Port')),
    sourceServerId: num(pick(row, 'Source_Server_Id', 'Master_Server_Id')),
    retrievedGtidSet: nonEmpty(pick(row, 'Retrieved_Gtid_Set', 'Gtid_IO_Pos')),
    executedGtidSet: nonEmpty(pick(row, 'Executed_Gtid_Set')) ?? nonEmpty(gtidSlavePos),
  };
}

/** Rows of the source-side query over `pg_stat_replication` (see the PostgreSQL driver). */
export function postgresSendersFromRows(rows: readonly Row[]): PostgresWalSender[] {
  return rows.map((r) => ({
    applicationName: text(r.application_name) ?? '',
    clientAddr: text(r.client_addr),
    state: text(r.state),
    syncState: text(r.sync_state),
    writeLagSeconds: num(r.write_lag_seconds),
    flushLagSeconds: num(r.flush_lag_seconds),
    replayLagSeconds: num(r.replay_lag_seconds),
    replayGapBytes: num(r.replay_gap_bytes),
  }));
}

export function postgresSlotsFromRows(rows: readonly Row[]): PostgresSlot[] {
  return rows.map((r) => ({
    slotName: text(r.slot_name) ?? '',
    slotType: text(r.slot_type) ?? '',
    active: r.active === true || r.active === 't',
    retainedWalBytes: num(r.retained_wal_bytes),
    walStatus: text(r.wal_status),
  }));
}

export function postgresSourceStatus(senders: readonly Row[], slots: readonly Row[]): PostgresSourceStatus {
  return { senders: postgresSendersFromRows(senders), slots: postgresSlotsFromRows(slots) };
}

/** One row of the standby-side query (pg_stat_wal_receiver joined with the replay functions). */
export function postgresReplicaStatusFromRow(row: Row): PostgresReplicaStatus {
  return {
    receiverStatus: text(row.receiver_status),
    senderHost: text(row.sender_host),
    senderPort: num(row.sender_port),
    receiveLsn: text(row.receive_lsn),
    replayLsn: text(row.replay_lsn),
    replayGapBytes: num(row.replay_gap_bytes),
    replayPaused: row.replay_paused === true || row.replay_paused === 't',
    lastReplayAgeSeconds: num(row.last_replay_age_seconds),
  };
}

/** pt-heartbeat's `ts`: `YYYY-MM-DDTHH:MM:SS.ffffff` (26 characters, UTC with --utc). */
export function heartbeatTs(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/**
 * A pt-heartbeat `ts` as ISO-8601 UTC. pt-heartbeat writes UTC only with `--utc`; the probe
 * always does, and reads every `ts` as UTC.
 */
export function parseHeartbeatTs(ts: unknown): string | null {
  const t = text(ts);
  if (t === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/.exec(t.trim());
  if (!match) return null;
  const fraction = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  const date = new Date(`${match[1]}T${match[2]}.${fraction}Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Rows of Aurora PostgreSQL `aurora_replica_status()` (lower-case columns) or Aurora MySQL
 * `information_schema.replica_host_status` (upper-case columns): one per instance of the cluster.
 */
export function auroraReplicasFromRows(rows: readonly Row[]): AuroraReplicaRow[] {
  return rows.map((r) => {
    const lagMs = num(pick(r, 'replica_lag_in_msec', 'REPLICA_LAG_IN_MILLISECONDS'));
    const transport = nonEmpty(pick(r, 'last_transport_error'));
    return {
      serverId: text(pick(r, 'server_id', 'SERVER_ID')) ?? '',
      writer: text(pick(r, 'session_id', 'SESSION_ID')) === 'MASTER_SESSION_ID',
      lagSeconds: lagMs === null ? null : lagMs / 1000,
      lastUpdate: text(pick(r, 'last_update_timestamp', 'LAST_UPDATE_TIMESTAMP')),
      lastTransportError: transport === '0' ? null : transport,
    };
  });
}
