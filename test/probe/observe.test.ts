import { describe, expect, it } from 'vitest';
import { auroraReplicasFromRows, heartbeatTs, mysqlReplicaStatusFromRow, parseHeartbeatTs, postgresReplicaStatusFromRow } from '../../lambdas/probe/observe';

describe('replica status rows', () => {
  it('reads MySQL 8 Replica_/Source_ columns', () => {
    // Prepare: SHOW REPLICA STATUS on MySQL 8.0.22+ after a duplicate-key error
    const row = {
      Replica_IO_Running: 'Yes',
      Replica_SQL_Running: 'No',
      Last_SQL_Errno: 1062,
      Last_SQL_Error: "Could not execute Write_rows event on table app.t; Duplicate entry '7' for key 't.PRIMARY'",
      Last_IO_Errno: 0,
      Last_IO_Error: '',
      Seconds_Behind_Source: null,
      Source_Host: 'orders.example',
      Source_Port: 3306,
      Source_Server_Id: 11,
      Retrieved_Gtid_Set: 'uuid:1-20',
      Executed_Gtid_Set: 'uuid:1-19',
    };
    // Act
    const s = mysqlReplicaStatusFromRow(row);
    // Assess
    expect(s).toMatchObject({
      columnNames: 'replica',
      ioRunning: 'Yes',
      sqlRunning: 'No',
      lastSqlErrno: 1062,
      lastIoErrno: null,
      lastIoError: null,
      secondsBehindSource: null,
      sourceServerId: 11,
      retrievedGtidSet: 'uuid:1-20',
      executedGtidSet: 'uuid:1-19',
    });
  });

  it('reads Slave_/Master_ columns and MariaDB GTID positions', () => {
    const s = mysqlReplicaStatusFromRow(
      { Slave_IO_Running: 'Connecting', Slave_SQL_Running: 'Yes', Last_IO_Errno: '2003', Last_IO_Error: "error connecting to master 'repl@db:3306'", Seconds_Behind_Master: '0', Master_Host: 'db', Master_Port: '3306', Master_Server_Id: '1', Gtid_IO_Pos: '0-1-9' },
      '0-1-8',
    );
    expect(s).toMatchObject({ columnNames: 'slave', ioRunning: 'Connecting', lastIoErrno: 2003, secondsBehindSource: 0, sourcePort: 3306, retrievedGtidSet: '0-1-9', executedGtidSet: '0-1-8' });
  });

  it('reads a standby without a WAL receiver as not streaming', () => {
    const s = postgresReplicaStatusFromRow({ receiver_status: null, replay_paused: false, receive_lsn: null, replay_lsn: '0/3000000', replay_gap_bytes: null, last_replay_age_seconds: 12.5 });
    expect(s).toMatchObject({ receiverStatus: null, replayPaused: false, replayLsn: '0/3000000', lastReplayAgeSeconds: 12.5 });
  });
});

describe('pt-heartbeat timestamps', () => {
  it('writes 26 characters and reads them back as UTC', () => {
    const ts = heartbeatTs(new Date('2026-11-30T08:00:01.234Z'));
    expect(ts).toBe('2026-11-30T08:00:01.234000');
    expect(parseHeartbeatTs(ts)).toBe('2026-11-30T08:00:01.234Z');
    expect(parseHeartbeatTs('2026-11-30 08:00:01')).toBe('2026-11-30T08:00:01.000Z');
    expect(parseHeartbeatTs('garbage')).toBeNull();
  });
});

describe('Aurora replica views', () => {
  it('reads aurora_replica_status() rows as the Aurora PostgreSQL guide documents their columns', () => {
    // Prepare: the writer (MASTER_SESSION_ID) and one reader, columns as documented
    const rows = [
      { server_id: 'orders-writer', session_id: 'MASTER_SESSION_ID', durable_lsn: '12345', highest_lsn_rcvd: null, current_read_lsn: null, cur_replay_latency_in_usec: null, active_txns: 3, is_current: true, last_transport_error: 0, last_error_timestamp: null, last_update_timestamp: '2026-11-30 08:00:00+00', feedback_xmin: null, feedback_epoch: null, replica_lag_in_msec: null },
      { server_id: 'orders-reader-1', session_id: '6d1f7a38-2b8f-4c1e-9d8e-1f2a3b4c5d6e', durable_lsn: '12300', highest_lsn_rcvd: '12345', current_read_lsn: '12300', cur_replay_latency_in_usec: 700, active_txns: 0, is_current: true, last_transport_error: 0, last_error_timestamp: null, last_update_timestamp: '2026-11-30 08:00:00+00', feedback_xmin: '100', feedback_epoch: 0, replica_lag_in_msec: 12500 },
    ];
    // Act
    const replicas = auroraReplicasFromRows(rows);
    // Assess
    expect(replicas).toEqual([
      { serverId: 'orders-writer', writer: true, lagSeconds: null, lastUpdate: '2026-11-30 08:00:00+00', lastTransportError: null },
      { serverId: 'orders-reader-1', writer: false, lagSeconds: 12.5, lastUpdate: '2026-11-30 08:00:00+00', lastTransportError: null },
    ]);
  });

  it('reads information_schema.replica_host_status rows (Aurora MySQL, upper-case columns)', () => {
    const replicas = auroraReplicasFromRows([
      { SERVER_ID: 'app-reader', SESSION_ID: 'b8e9c6a0-0000-4000-8000-000000000001', REPLICA_LAG_IN_MILLISECONDS: '20.5', LAST_UPDATE_TIMESTAMP: '2026-11-30 08:00:00' },
    ]);
    expect(replicas[0]).toMatchObject({ serverId: 'app-reader', writer: false, lagSeconds: 0.0205 });
  });
});
