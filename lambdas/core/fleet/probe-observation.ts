/**
 * What the in-database probe saw on one database in one run. Plain JSON, so a snapshot can carry
 * it and `check --snapshot` judges it exactly as the live probe's own run did.
 */

export type ProbeEngine = 'postgres' | 'mysql' | 'mariadb';
export type ProbeRole = 'source' | 'replica';

/** Why the probe could not look at a database; never carries a password. */
export type ProbeFailureKind =
  | 'bad-target'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'permission'
  | 'missing-object'
  | 'tls'
  | 'other';

export interface ProbeFailure {
  readonly kind: ProbeFailureKind;
  /** What the probe was doing: connect, role, heartbeat-write, replica-status, ... */
  readonly stage: string;
  /** The engine's or the network's own message, password-free. */
  readonly message: string;
  /** Driver or engine error code (ECONNREFUSED, 28P01, 1045, ...). */
  readonly code?: string;
}

/** The pt-heartbeat row as this database shows it. */
export interface HeartbeatObservation {
  /** `schema.table` read (and, on a source, written). */
  readonly table: string;
  /** `server_id` of the row read: the source at the top of the chain. */
  readonly serverId: number | null;
  /** On a source: the `ts` this run wrote, ISO-8601 UTC; absent when it did not (or could not) write. */
  readonly writtenTs?: string;
  /** The `ts` in the row as read on this database, ISO-8601 UTC; null when there is no row. */
  readonly seenTs: string | null;
  /** The probe's clock when it read the row. */
  readonly readAt: string;
  /** The write or read failed; the rest of the observation still stands. */
  readonly error?: ProbeFailure;
}

/** `SHOW REPLICA STATUS` / `SHOW SLAVE STATUS`, whichever column names the engine used. */
export interface MysqlReplicaStatus {
  readonly columnNames: 'replica' | 'slave';
  readonly ioRunning: string | null;
  readonly sqlRunning: string | null;
  readonly ioState: string | null;
  readonly sqlState: string | null;
  readonly lastIoErrno: number | null;
  readonly lastIoError: string | null;
  readonly lastSqlErrno: number | null;
  readonly lastSqlError: string | null;
  /** `Seconds_Behind_Source` / `Seconds_Behind_Master`; null when the engine says NULL. */
  readonly secondsBehindSource: number | null;
  readonly sourceHost: string | null;
  readonly sourcePort: number | null;
  readonly sourceServerId: number | null;
  /** MySQL `Retrieved_Gtid_Set`, MariaDB `Gtid_IO_Pos`. */
  readonly retrievedGtidSet: string | null;
  /** MySQL `Executed_Gtid_Set`, MariaDB `@@gtid_slave_pos`. */
  readonly executedGtidSet: string | null;
}

export interface PostgresWalSender {
  readonly applicationName: string;
  readonly clientAddr: string | null;
  readonly state: string | null;
  readonly syncState: string | null;
  readonly writeLagSeconds: number | null;
  readonly flushLagSeconds: number | null;
  readonly replayLagSeconds: number | null;
  /** Bytes between the source's current WAL position and the standby's replay position. */
  readonly replayGapBytes: number | null;
}

export interface PostgresSlot {
  readonly slotName: string;
  readonly slotType: string;
  readonly active: boolean;
  /** WAL the source keeps for this slot (current LSN − restart_lsn); null when the slot never reserved WAL. */
  readonly retainedWalBytes: number | null;
  readonly walStatus: string | null;
}

export interface PostgresSourceStatus {
  readonly senders: readonly PostgresWalSender[];
  readonly slots: readonly PostgresSlot[];
}

export interface PostgresReplicaStatus {
  /** `pg_stat_wal_receiver.status`; null when no WAL receiver runs. */
  readonly receiverStatus: string | null;
  readonly senderHost: string | null;
  readonly senderPort: number | null;
  readonly receiveLsn: string | null;
  readonly replayLsn: string | null;
  /** Received but not yet replayed, in bytes. */
  readonly replayGapBytes: number | null;
  readonly replayPaused: boolean;
  /** now() − pg_last_xact_replay_timestamp(): saws on an idle source, so only a fallback. */
  readonly lastReplayAgeSeconds: number | null;
}

/** One row of Aurora's own replica view, read on the writer: a reader and its lag. */
export interface AuroraReplicaRow {
  /** The reader's DB instance identifier (`server_id` / `SERVER_ID`). */
  readonly serverId: string;
  /** `session_id` is `MASTER_SESSION_ID` for the writer. */
  readonly writer: boolean;
  /** `replica_lag_in_msec` / `REPLICA_LAG_IN_MILLISECONDS`, in seconds. */
  readonly lagSeconds: number | null;
  readonly lastUpdate: string | null;
  /** Aurora PostgreSQL `last_transport_error`; null or 0 when none. */
  readonly lastTransportError: string | null;
}

export interface ProbeObservation {
  /** Name of the database in findings: an RDS identifier, or what the target URL named. */
  readonly target: string;
  readonly region: string;
  readonly engine: ProbeEngine;
  /** The probe's clock when it finished with this database. */
  readonly observedAt: string;
  /** As detected (or as the target said); absent when the database could not be reached. */
  readonly role?: ProbeRole;
  /** The target this one replicates from, when the probe knows it. */
  readonly sourceTarget?: string;
  /** The database could not be probed at all. */
  readonly failure?: ProbeFailure;
  readonly heartbeat?: HeartbeatObservation;
  readonly mysqlReplica?: MysqlReplicaStatus;
  readonly postgresSource?: PostgresSourceStatus;
  readonly postgresReplica?: PostgresReplicaStatus;
  /** Aurora writers: `aurora_replica_status()` (PostgreSQL) or `information_schema.replica_host_status` (MySQL). */
  readonly auroraReplicas?: readonly AuroraReplicaRow[];
  /** Parts that failed while the rest was read (e.g. a missing grant on one view). */
  readonly partialFailures?: readonly ProbeFailure[];
}
