/**
 * The probe run's ordering over in-memory databases: which heartbeat row each replica reads and
 * how many connections a run opens. The engines themselves are covered by the integration tests.
 */
import { describe, expect, it } from 'vitest';
import type { MysqlReplicaStatus } from '../../lambdas/core/fleet/probe-observation';
import type { ProbeConnection, ProbeDriver } from '../../lambdas/probe/drivers/types';
import { runProbe } from '../../lambdas/probe/run-probe';
import { parseTargets } from '../../lambdas/probe/targets';

interface FakeServer {
  readonly serverId: number;
  readonly connectDelayMs: number;
  /** Host:port it replicates from; none for a source. */
  readonly upstream?: { readonly port: number; readonly serverId: number };
}

const status = (upstream: NonNullable<FakeServer['upstream']>): MysqlReplicaStatus => ({
  columnNames: 'replica', ioRunning: 'Yes', sqlRunning: 'Yes', ioState: null, sqlState: null,
  lastIoErrno: null, lastIoError: null, lastSqlErrno: null, lastSqlError: null, secondsBehindSource: 0,
  sourceHost: '127.0.0.1', sourcePort: upstream.port, sourceServerId: upstream.serverId, retrievedGtidSet: null, executedGtidSet: null,
});

/** Servers by port sharing one heartbeat table, replicated instantly. */
function fakeDriver(servers: Readonly<Record<number, FakeServer>>, opened: { count: number }): ProbeDriver {
  const rows = new Map<number, string>();
  return {
    classify: (error, stage) => ({ kind: 'other', stage, message: String(error) }),
    async connect(target) {
      const server = servers[target.port]!;
      opened.count++;
      await new Promise((r) => setTimeout(r, server.connectDelayMs));
      const conn: ProbeConnection = {
        roleInfo: async () => ({
          role: server.upstream ? 'replica' : 'source',
          serverId: server.serverId,
          version: 'fake',
          ...(server.upstream ? { mysqlReplica: status(server.upstream) } : {}),
        }),
        writeHeartbeat: async (_table, serverId, ts) => void rows.set(serverId, `${ts.slice(0, 23)}Z`),
        readHeartbeat: async (_table, serverId) => {
          const ts = serverId === null ? undefined : rows.get(serverId);
          return ts === undefined ? null : { serverId: serverId!, ts };
        },
        close: async () => undefined,
      };
      return conn;
    },
  };
}

describe('probe run', () => {
  it('reads the heartbeat of the source at the top of a chain, even when the middle is slow to connect', async () => {
    // Prepare: primary (server 1) → middle (server 2, slow) → end (server 3)
    const servers = {
      3001: { serverId: 1, connectDelayMs: 0 },
      3002: { serverId: 2, connectDelayMs: 40, upstream: { port: 3001, serverId: 1 } },
      3003: { serverId: 3, connectDelayMs: 0, upstream: { port: 3002, serverId: 2 } },
    };
    const opened = { count: 0 };
    const targets = parseTargets(['mysql://m:p@127.0.0.1:3001?name=primary', 'mysql://m:p@127.0.0.1:3002?name=middle', 'mysql://m:p@127.0.0.1:3003?name=end']);
    // Act
    const run = await runProbe(targets, { drivers: { mysql: fakeDriver(servers, opened) } });
    // Assess
    const end = run.observations.find((o) => o.target === 'end')!;
    expect(end).toMatchObject({ role: 'replica', sourceTarget: 'middle' });
    expect(end.heartbeat).toMatchObject({ serverId: 1 });
    expect(end.heartbeat!.seenTs).toBe(run.observations[0]!.heartbeat!.writtenTs);
    expect(run.connectionsOpened).toBe(3);
    expect(opened.count).toBe(3);
  });
});
