/**
 * The probe against a real PostgreSQL 15 primary and streaming standby on 127.0.0.1
 * (test/probe/servers.sh). REPLGUARD_SKIP_DB_TESTS=1 skips it; nothing else does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, codesOf, probe, silentPort, sleep, writeLoad } from './support/probe';
import { PROBE_PASSWORD, pgCtl, pgUrl, skipDbTests, startPg, stopServers, waitFor, withPg, type PgServers } from './support/servers';

describe.skipIf(skipDbTests)('probe on real PostgreSQL streaming replication', () => {
  let s: PgServers;
  let urls: string[];

  beforeAll(async () => {
    s = await startPg();
    urls = [pgUrl(s.primary, 'pg-primary'), pgUrl(s.standby, 'pg-standby')];
    await withPg(s, 'primary', (c) => c.query('CREATE TABLE public.load (id serial PRIMARY KEY, v text)'));
  }, 120_000);

  afterAll(async () => {
    if (s) await stopServers(s.root);
  });

  const insert = () => withPg(s, 'primary', (c) => c.query("INSERT INTO public.load (v) VALUES ('x')"));

  it('reports sub-second heartbeat lag and no finding while the primary takes writes', async () => {
    // Prepare
    const load = writeLoad(insert);
    try {
      // Act
      const runs = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await probe(urls));
        await sleep(300);
      }
      // Assess
      for (const run of runs) {
        expect(run.findings).toEqual([]);
        expect(run.replicas).toEqual([
          expect.objectContaining({ target: 'pg-standby', sourceTarget: 'pg-primary', lagSource: 'heartbeat', status: 'healthy' }),
        ]);
        expect(run.replicas[0]!.lagSeconds).toBeLessThan(1);
        const primary = run.observations.find((o) => o.target === 'pg-primary')!;
        expect(primary.postgresSource?.senders[0]).toMatchObject({ state: 'streaming' });
        expect(primary.postgresSource?.slots).toEqual([expect.objectContaining({ slotName: 'standby1', active: true })]);
      }
    } finally {
      expect(await load.stop()).toBeGreaterThan(0);
    }
  });

  it('keeps lag low on an idle primary, where the replay timestamp alone would saw upwards', async () => {
    // Act: three runs 1.5 s apart with no writes but the probe's own heartbeat
    const lags: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await probe(urls);
      expect(run.findings).toEqual([]);
      expect(run.replicas[0]!.lagSource).toBe('heartbeat');
      lags.push(run.replicas[0]!.lagSeconds!);
      await sleep(1500);
    }
    // Assess
    expect(Math.max(...lags)).toBeLessThan(1);
  });

  it('reports paused replay and the lag that grows under writes', async () => {
    // Prepare
    await probe(urls);
    await withPg(s, 'standby', (c) => c.query('SELECT pg_wal_replay_pause()'));
    const load = writeLoad(insert);
    try {
      await sleep(1200);
      // Act
      const first = await probe(urls);
      await sleep(1500);
      const second = await probe(urls);
      // Assess
      for (const run of [first, second]) {
        expect(codesOf(run.findings, 'pg-standby')).toEqual(['REPLICA_LAG_HIGH', 'REPLICATION_REPLAY_PAUSED']);
      }
      const paused = second.findings.find((f) => f.code === 'REPLICATION_REPLAY_PAUSED')!;
      expect(paused.evidence).toMatchObject({ replayPaused: true, lagSource: 'heartbeat' });
      expect(paused.evidence.replayGapBytes).toBeGreaterThan(0);
      expect(second.replicas[0]!.lagSeconds!).toBeGreaterThan(first.replicas[0]!.lagSeconds! + 1);
      expect(paused.message).toMatch(/paused .* behind by the heartbeat/);
    } finally {
      await load.stop();
      await withPg(s, 'standby', (c) => c.query('SELECT pg_wal_replay_resume()'));
    }
    await waitFor(async () => (await probe(urls)).findings.length === 0, 'replay to catch up');
  });

  it('reports a stale heartbeat writer on a read-only primary, not lag on its standby', async () => {
    // Prepare: new sessions on the primary are read-only, so the heartbeat write fails
    await probe(urls);
    await withPg(s, 'primary', async (c) => {
      await c.query('ALTER SYSTEM SET default_transaction_read_only = on');
      await c.query('SELECT pg_reload_conf()');
    });
    try {
      await sleep(2500);
      // Act
      const run = await probe(urls);
      // Assess
      const stale = run.findings.find((f) => f.code === 'PROBE_HEARTBEAT_STALE');
      expect(stale).toMatchObject({ resource: 'pg-primary', evidence: { errorCode: '25006' } });
      expect(codesOf(run.findings, 'pg-standby')).toEqual([]);
      expect(run.replicas[0]!.lagSource).toBe('engine');
    } finally {
      await withPg(s, 'primary', async (c) => {
        await c.query('ALTER SYSTEM RESET default_transaction_read_only');
        await c.query('SELECT pg_reload_conf()');
      });
    }
  });

  it('names each database it cannot probe and still reports the others', async () => {
    // Prepare
    await withPg(s, 'primary', (c) => c.query("CREATE ROLE nogrant LOGIN PASSWORD 'nogrant-pw'"));
    const refused = await closedPort();
    const hang = await silentPort();
    try {
      // Act
      const run = await probe([
        ...urls,
        pgUrl(s.standby, 'standby-wrong-password', '', 'replguard_probe', 'not-the-password'),
        pgUrl(s.standby, 'standby-no-grant', '', 'nogrant', 'nogrant-pw'),
        `postgres://replguard_probe:${PROBE_PASSWORD}@127.0.0.1:${refused}/postgres?name=port-closed`,
        `postgres://replguard_probe:${PROBE_PASSWORD}@127.0.0.1:${hang.port}/postgres?name=hangs`,
      ]);
      // Assess
      const degraded = (name: string) => run.findings.find((f) => f.code === 'CHECK_DEGRADED' && f.resource === name);
      expect(degraded('standby-wrong-password')?.evidence).toMatchObject({ failureKind: 'auth', errorCode: '28P01' });
      expect(degraded('standby-no-grant')?.evidence).toMatchObject({ failureKind: 'permission' });
      expect(degraded('port-closed')?.evidence).toMatchObject({ failureKind: 'refused', operation: 'probe:connect' });
      expect(degraded('hangs')?.evidence).toMatchObject({ failureKind: 'timeout' });
      for (const f of run.findings) expect(JSON.stringify(f)).not.toContain('not-the-password');
      expect(codesOf(run.findings, 'pg-primary')).toEqual([]);
      expect(codesOf(run.findings, 'pg-standby')).toEqual([]);
      expect(run.elapsedMs).toBeLessThan(6000);
    } finally {
      await hang.close();
    }
  });

  it('reports a stopped standby as unreachable and its slot as inactive, the primary still checked', async () => {
    // Prepare
    await pgCtl(s, 'standby', 'stop');
    try {
      await withPg(s, 'primary', (c) => c.query("INSERT INTO public.load (v) SELECT 'while stopped' FROM generate_series(1, 2000)"));
      // Act
      const run = await probe(urls);
      // Assess
      expect(run.findings.find((f) => f.resource === 'pg-standby')).toMatchObject({
        code: 'CHECK_DEGRADED',
        evidence: { failureKind: 'refused', operation: 'probe:connect' },
      });
      const slot = run.findings.find((f) => f.code === 'REPLICATION_SLOT_INACTIVE');
      expect(slot).toMatchObject({ resource: 'pg-primary', evidence: { slot: 'standby1', active: false } });
      expect(slot!.evidence.retainedWalBytes).toBeGreaterThan(0);
      expect(codesOf(run.findings, 'pg-primary')).toEqual(['REPLICATION_SLOT_INACTIVE']);
    } finally {
      await pgCtl(s, 'standby', 'start');
    }
    await waitFor(async () => (await probe(urls)).findings.length === 0, 'the standby to stream again');
  });
});
