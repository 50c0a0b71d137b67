/**
 * The in-database probe at fleet scale: 200 logical databases (100 source/replica pairs on the
 * local PostgreSQL and MariaDB test servers) with 20 ms injected on every driver call, bounded
 * concurrency and connection timeouts. Targets: one run ≤ 5 s; connections opened = databases.
 */
import type { ProbeDriver } from '../lambdas/probe/drivers/types';
import { mysqlDriver } from '../lambdas/probe/drivers/mysql';
import { postgresDriver } from '../lambdas/probe/drivers/postgres';
import { runProbe } from '../lambdas/probe/run-probe';
import { parseTargets } from '../lambdas/probe/targets';
import { mariaUrl, pgUrl, skipDbTests, startMariaDb, startPg, stopServers } from '../test/probe/support/servers';
import type { Benchmark, BenchValue } from './types';

const DATABASES = 200;
const LATENCY_MS = 20;
const TARGET_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every connect and every call on a connection costs one network round trip of LATENCY_MS first. */
function withLatency(driver: ProbeDriver): ProbeDriver {
  return {
    classify: driver.classify,
    async connect(target, timeouts) {
      await sleep(LATENCY_MS);
      const conn = await driver.connect(target, timeouts);
      return new Proxy(conn, {
        get(obj, key, receiver) {
          const value = Reflect.get(obj, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            await sleep(LATENCY_MS);
            return (value as (...a: unknown[]) => unknown).apply(obj, args);
          };
        },
      });
    },
  };
}

export const probeBench: Benchmark = {
  name: 'probe: 200 databases, 20 ms latency',
  async run(ctx): Promise<Record<string, BenchValue>> {
    if (skipDbTests) {
      ctx.log('  skipped: REPLGUARD_SKIP_DB_TESTS=1');
      return { probeSkipped: true };
    }
    process.env.PROBE_MAX_CONNECTIONS = '150';
    const [pg, maria] = await Promise.all([startPg(), startMariaDb()]);
    try {
      const urls: string[] = [];
      const pairs = DATABASES / 4;
      for (let i = 0; i < pairs; i++) {
        urls.push(pgUrl(pg.primary, `pg-src-${i}`, '&role=source'), mariaUrl(maria.primary, `maria-src-${i}`, '&role=source'));
      }
      for (let i = 0; i < pairs; i++) {
        urls.push(pgUrl(pg.standby, `pg-ro-${i}`, `&role=replica&source=pg-src-${i}`), mariaUrl(maria.replica, `maria-ro-${i}`, `&role=replica&source=maria-src-${i}`));
      }
      const targets = parseTargets(urls);
      const drivers = { postgres: withLatency(postgresDriver), mysql: withLatency(mysqlDriver), mariadb: withLatency(mysqlDriver) };
      await runProbe(targets.slice(0, 4), { drivers }); // warm-up: JIT and first connections
      const started = performance.now();
      const run = await runProbe(targets, { drivers, concurrency: 32, connectTimeoutMs: 2000, queryTimeoutMs: 2000 });
      const wallMs = Math.round(performance.now() - started);
      const failed = run.observations.filter((o) => o.failure || o.partialFailures?.length).length;
      const replicaLags = run.observations.filter((o) => o.role === 'replica' && o.heartbeat?.seenTs).length;
      ctx.log(`  ${DATABASES} databases in ${wallMs} ms (target ≤ ${TARGET_MS} ms), ${run.connectionsOpened} connections, ${failed} failed, ${replicaLags} replicas with heartbeat`);
      if (wallMs > TARGET_MS) ctx.fail(`probe run took ${wallMs} ms, over ${TARGET_MS} ms`);
      if (run.connectionsOpened !== DATABASES) ctx.fail(`opened ${run.connectionsOpened} connections for ${DATABASES} databases`);
      if (failed > 0) ctx.fail(`${failed} databases failed: ${JSON.stringify(run.observations.find((o) => o.failure || o.partialFailures?.length))}`);
      return { probeDatabases: DATABASES, probeWallMs: wallMs, probeConnections: run.connectionsOpened, probeFailed: failed };
    } finally {
      await Promise.all([stopServers(pg.root), stopServers(maria.root)]);
    }
  },
};
