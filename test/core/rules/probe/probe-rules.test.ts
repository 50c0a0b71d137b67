import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { FINDING_CODES } from '../../../../lambdas/core/findings';
import type { MysqlReplicaStatus, ProbeObservation } from '../../../../lambdas/core/fleet/probe-observation';
import { evaluateProbes } from '../../../../lambdas/core/rules/probe/probe-rules';

const config = parseConfig({ lag: { warningSeconds: 30, criticalSeconds: 300 } });
const AT = '2026-11-30T08:00:10.000Z';

const source = (over: Partial<ProbeObservation> = {}): ProbeObservation => ({
  target: 'orders',
  region: 'us-east-1',
  engine: 'mysql',
  observedAt: AT,
  role: 'source',
  heartbeat: { table: 'replguard.heartbeat', serverId: 1, writtenTs: '2026-11-30T08:00:09.900Z', seenTs: '2026-11-30T08:00:09.900Z', readAt: AT },
  ...over,
});

const running: MysqlReplicaStatus = {
  columnNames: 'replica',
  ioRunning: 'Yes',
  sqlRunning: 'Yes',
  ioState: null,
  sqlState: null,
  lastIoErrno: null,
  lastIoError: null,
  lastSqlErrno: null,
  lastSqlError: null,
  secondsBehindSource: 0,
  sourceHost: 'orders',
  sourcePort: 3306,
  sourceServerId: 1,
  retrievedGtidSet: 'u:1-10',
  executedGtidSet: 'u:1-10',
};

const replica = (seenTs: string, status: Partial<MysqlReplicaStatus> = {}): ProbeObservation => ({
  target: 'orders-ro',
  region: 'us-east-1',
  engine: 'mysql',
  observedAt: AT,
  role: 'replica',
  sourceTarget: 'orders',
  heartbeat: { table: 'replguard.heartbeat', serverId: 1, seenTs, readAt: AT },
  mysqlReplica: { ...running, ...status },
});

describe('probe rules', () => {
  it('measures lag by the heartbeat when the source writes it, even where the engine reports 0', () => {
    // Act: the replica shows a heartbeat 45 s old; Seconds_Behind_Source says 0
    const result = evaluateProbes([source(), replica('2026-11-30T07:59:25.000Z')], config);
    // Assess
    const lag = result.findings.find((f) => f.code === 'REPLICA_LAG_HIGH');
    expect(lag).toMatchObject({ severity: 'warning', resource: 'orders-ro', evidence: { lagSource: 'heartbeat', lagSeconds: 45, engineLagSeconds: 0, sourceHeartbeat: 'fresh' } });
    expect(lag!.message).toContain('45 s behind its source by the heartbeat');
    expect(result.replicas[0]).toMatchObject({ lagSeconds: 45, lagSource: 'heartbeat', status: 'lagging' });
  });

  it('reports a source whose heartbeat write failed, and judges its replicas by the engine instead', () => {
    // Prepare: the write failed (read-only); the replica's last heartbeat is 10 minutes old
    const stale = source({
      heartbeat: {
        table: 'replguard.heartbeat',
        serverId: 1,
        seenTs: '2026-11-30T07:50:10.000Z',
        readAt: AT,
        error: { kind: 'other', stage: 'heartbeat-write', message: 'The MariaDB server is running with the --read-only option', code: '1290' },
      },
    });
    // Act
    const result = evaluateProbes([stale, replica('2026-11-30T07:50:10.000Z')], config);
    // Assess
    expect(result.findings.map((f) => [f.code, f.resource])).toEqual([['PROBE_HEARTBEAT_STALE', 'orders']]);
    expect(result.findings[0]!.evidence).toMatchObject({ heartbeatAgeSeconds: 600, errorCode: '1290' });
    expect(result.findings[0]!.hint).toMatch(/read-only/);
    expect(result.replicas[0]).toMatchObject({ lagSeconds: 0, lagSource: 'engine', status: 'healthy' });
  });

  it('counts an external writer stale only past the limit', () => {
    const external = (seenTs: string) => source({ heartbeat: { table: 'percona.heartbeat', serverId: 1, seenTs, readAt: AT } });
    expect(evaluateProbes([external('2026-11-30T08:00:05.000Z')], config).findings).toEqual([]);
    expect(evaluateProbes([external('2026-11-30T07:59:55.000Z')], config).findings.map((f) => f.code)).toEqual(['PROBE_HEARTBEAT_STALE']);
    expect(evaluateProbes([external('2026-11-30T07:59:55.000Z')], config, { heartbeatStaleSeconds: 60 }).findings).toEqual([]);
  });

  it('carries the engine\'s own error number and text when the SQL thread stops', () => {
    const result = evaluateProbes(
      [source(), replica('2026-11-30T08:00:09.900Z', { sqlRunning: 'No', lastSqlErrno: 1062, lastSqlError: "Duplicate entry '7' for key 'PRIMARY'", secondsBehindSource: null })],
      config,
    );
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ code: 'REPLICATION_BROKEN', severity: 'critical', evidence: { lastSqlErrno: 1062, sqlRunning: 'No' } });
    expect(result.findings[0]!.message).toBe(
      "Replication on orders-ro stopped: Error 1062: Duplicate entry '7' for key 'PRIMARY' The replica could not apply a change from its source: a data or schema conflict on the replica, not a network problem.",
    );
    expect(result.replicas[0]!.status).toBe('broken');
  });

  it('reports a stopped IO thread while the engine says 0 s, and no lag finding beside it', () => {
    const result = evaluateProbes([source(), replica('2026-11-30T07:58:00.000Z', { ioRunning: 'No', secondsBehindSource: 0 })], config);
    expect(result.findings.map((f) => f.code)).toEqual(['REPLICATION_IO_STOPPED']);
    expect(result.findings[0]!.message).toMatch(/IO thread on orders-ro is stopped, so no new changes arrive although the engine reports 0 s of lag/);
  });

  it('names a network IO error as a network problem', () => {
    const result = evaluateProbes(
      [replica('2026-11-30T08:00:09.900Z', { ioRunning: 'Connecting', lastIoErrno: 2003, lastIoError: "Can't connect to server on 'orders' (111)" })],
      config,
    );
    expect(result.findings[0]!.message).toMatch(/Error 2003: .* cannot reach its source over the network/);
  });

  it('reports paused replay with its lag, and a promoted standby as not replicating', () => {
    const standby: ProbeObservation = {
      target: 'pg-ro',
      region: 'us-east-1',
      engine: 'postgres',
      observedAt: AT,
      role: 'replica',
      postgresReplica: { receiverStatus: 'streaming', senderHost: null, senderPort: null, receiveLsn: '0/5000000', replayLsn: '0/4000000', replayGapBytes: 16777216, replayPaused: true, lastReplayAgeSeconds: 40 },
    };
    const paused = evaluateProbes([standby], config);
    expect(paused.findings.map((f) => f.code)).toEqual(['REPLICA_LAG_HIGH', 'REPLICATION_REPLAY_PAUSED']);
    expect(paused.findings[1]!.message).toContain('16 MiB received but not replayed');
    const promoted = evaluateProbes([{ ...standby, postgresReplica: undefined }], config);
    expect(promoted.findings[0]).toMatchObject({ code: 'REPLICATION_BROKEN', severity: 'critical' });
    expect(promoted.findings[0]!.message).toMatch(/promoted/);
  });

  it('makes an unreachable database CHECK_DEGRADED for that database only, and honours suppressions', () => {
    const down: ProbeObservation = { target: 'orders-ro-2', region: 'us-east-1', engine: 'mysql', observedAt: AT, failure: { kind: 'auth', stage: 'connect', message: "Access denied for user 'mon'@'10.0.0.9' (using password: YES)", code: '1045' } };
    const result = evaluateProbes([source(), replica('2026-11-30T08:00:09.900Z'), down], config);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ code: 'CHECK_DEGRADED', resource: 'orders-ro-2', evidence: { operation: 'probe:connect', failureKind: 'auth' } });
    expect(result.findings[0]!.hint).toMatch(/GRANTs/);
    const quiet = parseConfig({ suppressions: [{ code: 'CHECK_DEGRADED', resource: 'orders-ro-2', reason: 'being rebuilt' }] });
    expect(evaluateProbes([down], quiet).findings).toEqual([]);
  });

  it('reports an inactive slot, and its retained WAL over the slot threshold as slot lag', () => {
    const pgSource = (bytes: number): ProbeObservation =>
      source({ engine: 'postgres', postgresSource: { senders: [], slots: [{ slotName: 'gone', slotType: 'physical', active: false, retainedWalBytes: bytes, walStatus: 'reserved' }] } });
    expect(evaluateProbes([pgSource(1024)], config).findings.map((f) => f.code)).toEqual(['REPLICATION_SLOT_INACTIVE']);
    expect(evaluateProbes([pgSource(6 * 1024 ** 3)], config).findings.map((f) => [f.code, f.severity])).toEqual([['REPLICATION_SLOT_LAG_HIGH', 'warning']]);
  });
});

describe('Aurora replica views', () => {
  it('reports each lagging Aurora reader by its own identifier, from the writer\'s view', () => {
    // Prepare
    const writer: ProbeObservation = {
      ...source({ engine: 'postgres', target: 'orders-writer' }),
      auroraReplicas: [
        { serverId: 'orders-writer', writer: true, lagSeconds: null, lastUpdate: null, lastTransportError: null },
        { serverId: 'orders-reader-1', writer: false, lagSeconds: 0.02, lastUpdate: null, lastTransportError: null },
        { serverId: 'orders-reader-2', writer: false, lagSeconds: 45, lastUpdate: null, lastTransportError: null },
      ],
    };
    // Act
    const result = evaluateProbes([writer], config);
    // Assess
    expect(result.findings.map((f) => [f.code, f.resource, f.severity])).toEqual([['REPLICA_LAG_HIGH', 'orders-reader-2', 'warning']]);
    expect(result.findings[0]!.evidence).toMatchObject({ lagSource: 'aurora_replica_status', writer: 'orders-writer', lagSeconds: 45 });
  });
});

describe('runbook', () => {
  it('has a section for every finding code', () => {
    const runbook = readFileSync('docs/runbook.md', 'utf8');
    const missing = FINDING_CODES.filter((code) => !runbook.includes(`\n## ${code}\n`));
    expect(missing).toEqual([]);
  });
});
