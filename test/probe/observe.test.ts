import { describe, expect, it } from 'vitest';
import { heartbeatTs, mysqlReplicaStatusFromRow, parseHeartbeatTs, postgresReplicaStatusFromRow } from '../../lambdas/probe/observe';

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
