/**
 * The probe against a real MariaDB primary and replica on 127.0.0.1 (test/probe/servers.sh).
 * REPLGUARD_SKIP_DB_TESTS=1 skips it; nothing else does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/findings';
import { runCli } from '../support/cli';
import { closedPort, codesOf, probe, silentPort, sleep, writeLoad } from './support/probe';
import {
  PROBE_PASSWORD,
  mariaUrl,
  skipDbTests,
  startMariaDb,
  stopServers,
  waitFor,
  withMaria,
  type MariaServers,
} from './support/servers';

describe.skipIf(skipDbTests)('probe on real MariaDB replication', () => {
  let s: MariaServers;
  let urls: string[];

  beforeAll(async () => {
    s = await startMariaDb();
    urls = [mariaUrl(s.primary, 'maria-primary'), mariaUrl(s.replica, 'maria-replica')];
    await withMaria(s, 'primary', (c) => c.query('CREATE TABLE replguard.load (id int PRIMARY KEY AUTO_INCREMENT, v varchar(40))'));
  }, 120_000);

  afterAll(async () => {
    if (s) await stopServers(s.root);
  });

  const replicaStatus = () =>
    withMaria(s, 'replica', async (c) => ((await c.query('SHOW SLAVE STATUS'))[0] as Record<string, unknown>[])[0]!);

  it('reports sub-second heartbeat lag and no finding while the source takes writes', async () => {
    // Prepare
    const load = writeLoad(() => withMaria(s, 'primary', (c) => c.query("INSERT INTO replguard.load (v) VALUES ('x')")));
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
        const replica = run.replicas.find((r) => r.target === 'maria-replica')!;
        expect(replica).toMatchObject({ sourceTarget: 'maria-primary', lagSource: 'heartbeat', status: 'healthy' });
        expect(replica.lagSeconds).toBeLessThan(1);
        expect(run.connectionsOpened).toBe(2);
      }
    } finally {
      expect(await load.stop()).toBeGreaterThan(0);
    }
  });

  it('keeps lag low across several idle probe intervals', async () => {
    // Act: no writes but the probe's own, three runs 1.5 s apart (over the 1 s warning threshold)
    const lags: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await probe(urls);
      expect(run.findings).toEqual([]);
      lags.push(run.replicas[0]!.lagSeconds!);
      await sleep(1500);
    }
    // Assess
    expect(Math.max(...lags)).toBeLessThan(1);
  });

  it('reports error 1062 from the engine when a conflicting row stops the SQL thread', async () => {
    // Prepare: a row on the replica that the source is about to insert too
    await withMaria(s, 'replica', (c) => c.query("INSERT INTO replguard.load (id, v) VALUES (1000000, 'replica-only')"));
    await withMaria(s, 'primary', (c) => c.query("INSERT INTO replguard.load (id, v) VALUES (1000000, 'from-source')"));
    try {
      // Act: at most two probe runs
      let broken: Finding | undefined;
      for (let i = 0; i < 2 && !broken; i++) {
        if (i > 0) await sleep(1000);
        broken = (await probe(urls)).findings.find((f) => f.code === 'REPLICATION_BROKEN');
      }
      // Assess
      expect(broken).toMatchObject({ severity: 'critical', resource: 'maria-replica', evidence: { lastSqlErrno: 1062, sqlRunning: 'No' } });
      expect(broken!.message).toMatch(/Error 1062: .*Duplicate entry '1000000'.*not a network problem/);
    } finally {
      await withMaria(s, 'replica', async (c) => {
        await c.query('DELETE FROM replguard.load WHERE id = 1000000');
        await c.query('START SLAVE');
      });
      await waitFor(async () => (await replicaStatus()).Slave_SQL_Running === 'Yes', 'the SQL thread to resume');
    }
    const after = await probe(urls);
    expect(after.findings).toEqual([]);
  });

  it('finds the stopped IO thread although the SQL side reports no lag', async () => {
    // Prepare
    await probe(urls);
    await withMaria(s, 'replica', (c) => c.query('STOP SLAVE IO_THREAD'));
    try {
      await withMaria(s, 'primary', (c) => c.query("INSERT INTO replguard.load (v) VALUES ('while io stopped')"));
      // Act
      const run = await probe(urls);
      // Assess
      const finding = run.findings.find((f) => f.code === 'REPLICATION_IO_STOPPED');
      expect(finding).toMatchObject({ severity: 'critical', resource: 'maria-replica', evidence: { ioRunning: 'No', sqlRunning: 'Yes' } });
      expect(codesOf(run.findings)).not.toContain('REPLICA_LAG_HIGH');
      expect(run.replicas[0]!.status).toBe('broken');
    } finally {
      await withMaria(s, 'replica', (c) => c.query('START SLAVE IO_THREAD'));
      await waitFor(async () => (await replicaStatus()).Slave_IO_Running === 'Yes', 'the IO thread to resume');
    }
  });

  it('reports a stale heartbeat writer on a read-only source, not lag on its replica', async () => {
    // Prepare: the source turns read-only, so the probe user cannot write the heartbeat
    await probe(urls);
    await withMaria(s, 'primary', (c) => c.query('SET GLOBAL read_only = 1'));
    try {
      await sleep(2500); // the last heartbeat the replica saw is now older than the 1 s threshold
      // Act
      const run = await probe(urls);
      // Assess
      const stale = run.findings.find((f) => f.code === 'PROBE_HEARTBEAT_STALE');
      expect(stale).toMatchObject({ resource: 'maria-primary', evidence: { errorCode: '1290' } });
      expect(stale!.hint).toMatch(/read-only/);
      expect(codesOf(run.findings, 'maria-replica')).toEqual([]);
      expect(run.replicas[0]).toMatchObject({ lagSource: 'engine', lagSeconds: 0 });
    } finally {
      await withMaria(s, 'primary', (c) => c.query('SET GLOBAL read_only = 0'));
    }
  });

  it('names each database it cannot probe and still reports the others', async () => {
    // Prepare
    await withMaria(s, 'primary', async (c) => {
      await c.query("CREATE USER IF NOT EXISTS 'nogrant'@'%' IDENTIFIED BY 'nogrant-pw'");
    });
    const refused = await closedPort();
    const hang = await silentPort();
    try {
      // Act
      const run = await probe([
        ...urls,
        mariaUrl(s.replica, 'replica-wrong-password', '', 'replguard_probe', 'not-the-password'),
        mariaUrl(s.replica, 'replica-no-grant', '', 'nogrant', 'nogrant-pw'),
        `mariadb://replguard_probe:${PROBE_PASSWORD}@127.0.0.1:${refused}/?name=port-closed`,
        `mariadb://replguard_probe:${PROBE_PASSWORD}@127.0.0.1:${hang.port}/?name=hangs`,
      ]);
      // Assess
      const degraded = (name: string) => run.findings.find((f) => f.code === 'CHECK_DEGRADED' && f.resource === name);
      expect(degraded('replica-wrong-password')?.evidence).toMatchObject({ failureKind: 'auth', errorCode: '1045' });
      expect(degraded('replica-no-grant')?.evidence).toMatchObject({ failureKind: 'permission' });
      expect(degraded('replica-no-grant')!.message).toMatch(/SLAVE MONITOR|REPLICA MONITOR|denied/i);
      expect(degraded('port-closed')?.evidence).toMatchObject({ failureKind: 'refused', operation: 'probe:connect' });
      expect(degraded('hangs')?.evidence).toMatchObject({ failureKind: 'timeout' });
      for (const f of run.findings) expect(JSON.stringify(f)).not.toContain('not-the-password');
      expect(codesOf(run.findings, 'maria-primary')).toEqual([]);
      expect(codesOf(run.findings, 'maria-replica')).toEqual([]);
      expect(run.replicas.find((r) => r.target === 'maria-replica')).toMatchObject({ status: 'healthy', lagSource: 'heartbeat' });
      expect(run.elapsedMs).toBeLessThan(6000);
    } finally {
      await hang.close();
    }
  });

  it('prints the findings from the command line and exits 1 on a critical one', async () => {
    // Prepare
    await withMaria(s, 'replica', (c) => c.query('STOP SLAVE'));
    try {
      // Act
      const table = await runCli(['probe', '--target', urls[0]!, '--target', urls[1]!, '--connect-timeout', '2']);
      const json = await runCli(['probe', '--target', urls[0]!, '--target', urls[1]!, '--format', 'json']);
      // Assess
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/maria-replica\s+mariadb\s+replica\s+maria-primary\s+.*broken/);
      expect(table.stdout).toContain('REPLICATION_BROKEN  probe/maria-replica');
      expect(table.stdout).toContain('runbook: docs/runbook.md#replication_broken');
      const report = JSON.parse(json.stdout);
      expect(report.summary).toMatchObject({ databases: 2, replicas: 1, critical: 1 });
      expect(report.observations[1].mysqlReplica).toMatchObject({ ioRunning: 'No', sqlRunning: 'No' });
      expect(json.stdout + table.stdout).not.toContain(PROBE_PASSWORD);
    } finally {
      await withMaria(s, 'replica', (c) => c.query('START SLAVE'));
    }
  });

  it('writes a snapshot from which check reproduces every probe verdict offline', async () => {
    // Prepare: a broken replica, and targets in a region so the snapshot can hold them
    const dir = mkdtempSync(join(tmpdir(), 'replguard-probe-snapshot-'));
    const file = join(dir, 'probe.json');
    const regional = urls.map((u) => `${u}&region=eu-west-1`);
    await withMaria(s, 'replica', (c) => c.query('STOP SLAVE SQL_THREAD'));
    try {
      // Act
      const live = await runCli(['probe', '--target', regional[0]!, '--target', regional[1]!, '--format', 'json', '--out', file]);
      const offline = await runCli(['check', '--snapshot', file, '--format', 'json']);
      // Assess
      expect(live.code).toBe(1);
      expect(offline.code).toBe(1);
      const liveFindings = JSON.parse(live.stdout).findings;
      expect(liveFindings.map((f: Finding) => [f.code, f.region, f.resource])).toEqual([['REPLICATION_BROKEN', 'eu-west-1', 'maria-replica']]);
      // The offline check reads the file as one account (no ARNs in it: the placeholder id); the verdicts are the probe's.
      const offlineFindings = JSON.parse(offline.stdout).findings as (Finding & { accountId?: string })[];
      expect(offlineFindings.map((f) => f.accountId)).toEqual(['000000000000']);
      expect(offlineFindings.map(({ accountId: _account, ...f }) => f)).toEqual(liveFindings);
    } finally {
      await withMaria(s, 'replica', (c) => c.query('START SLAVE'));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('measures lag at depth two against the source at the top of the chain', async () => {
    // Prepare
    const chain = [...urls, mariaUrl(s.chained, 'maria-chained')];
    // Act
    const healthy = await probe(chain);
    await withMaria(s, 'replica', (c) => c.query('STOP SLAVE'));
    let stalled;
    try {
      await probe(chain);
      await sleep(2500);
      stalled = await probe(chain);
    } finally {
      await withMaria(s, 'replica', (c) => c.query('START SLAVE'));
    }
    // Assess: the chained replica reads the top source's heartbeat through the middle one
    expect(healthy.findings).toEqual([]);
    expect(healthy.replicas.find((r) => r.target === 'maria-chained')).toMatchObject({ sourceTarget: 'maria-replica', lagSource: 'heartbeat', status: 'healthy' });
    expect(healthy.observations.find((o) => o.target === 'maria-chained')!.heartbeat!.serverId).toBe(1);
    // ...so when the middle one stops, the end of the chain is reported behind, by the heartbeat
    expect(codesOf(stalled.findings, 'maria-replica')).toEqual(['REPLICATION_BROKEN']);
    const lag = stalled.findings.find((f) => f.resource === 'maria-chained');
    expect(lag).toMatchObject({ code: 'REPLICA_LAG_HIGH', evidence: { lagSource: 'heartbeat', engineLagSeconds: 0 } });
    expect(lag!.evidence.lagSeconds).toBeGreaterThan(2.5);
    await waitFor(async () => (await probe(chain)).findings.length === 0, 'the chain to catch up');
  });
});
