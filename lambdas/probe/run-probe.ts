/**
 * One probe run: connect to every target once (bounded concurrency), write the heartbeat on each
 * source, read it and the replication state on each replica, and return one observation per
 * target. A target that fails never stops the others; nothing here waits without a deadline.
 */
import type {
  HeartbeatObservation,
  ProbeFailure,
  ProbeObservation,
  ProbeRole,
} from '../core/fleet/probe-observation';
import { mysqlDriver } from './drivers/mysql';
import { postgresDriver } from './drivers/postgres';
import type { ProbeConnection, ProbeDriver, RoleInfo, Timeouts } from './drivers/types';
import { heartbeatTs, parseHeartbeatTs } from './observe';
import type { ProbeTarget } from './targets';

export interface ProbeRunOptions {
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default 5000 */
  readonly queryTimeoutMs?: number;
  /** How long a replica may take to show this run's heartbeat before its older row counts. @default 2000 */
  readonly heartbeatWaitMs?: number;
  /** Databases probed at once. @default 16 */
  readonly concurrency?: number;
  /** Write the heartbeat on sources (off when pt-heartbeat --update writes it). @default true */
  readonly writeHeartbeat?: boolean;
  /** The probe's clock. */
  readonly now?: () => Date;
  /** Engine drivers; the bench wraps them to add latency. */
  readonly drivers?: Partial<Record<ProbeTarget['engine'], ProbeDriver>>;
}

export interface ProbeRun {
  readonly observations: readonly ProbeObservation[];
  readonly connectionsOpened: number;
}

const DEFAULT_DRIVERS: Record<ProbeTarget['engine'], ProbeDriver> = {
  postgres: postgresDriver,
  mysql: mysqlDriver,
  mariadb: mysqlDriver,
};

class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
  }
}

/** Rejects when `promise` takes longer than `ms`: the drivers' own timeouts have a backstop. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  readonly target: ProbeTarget;
  readonly driver: ProbeDriver;
  conn?: ProbeConnection;
  closed?: boolean;
  info?: RoleInfo;
  role?: ProbeRole;
  failure?: ProbeFailure;
  heartbeat?: HeartbeatObservation;
  partial: ProbeFailure[];
  sourceTarget?: string;
  observation?: Partial<ProbeObservation>;
}

/** Releases a database's connection as soon as its part of the run is done; idempotent. */
async function release(s: Session): Promise<void> {
  if (!s.conn || s.closed) return;
  s.closed = true;
  await s.conn.close().catch(() => undefined);
}

const tableLabel = (t: ProbeTarget) => `${t.heartbeat.schema}.${t.heartbeat.table}`;

export async function runProbe(targets: readonly ProbeTarget[], options: ProbeRunOptions = {}): Promise<ProbeRun> {
  const timeouts: Timeouts = { connectMs: options.connectTimeoutMs ?? 5000, queryMs: options.queryTimeoutMs ?? 5000 };
  const now = options.now ?? (() => new Date());
  const drivers = { ...DEFAULT_DRIVERS, ...options.drivers };
  const limit = Math.max(1, options.concurrency ?? 16);
  const waitMs = options.heartbeatWaitMs ?? 2000;
  const writeHeartbeat = options.writeHeartbeat ?? true;
  let connectionsOpened = 0;

  const sessions: Session[] = targets.map((target) => ({ target, driver: drivers[target.engine], partial: [] }));
  const step = <T>(s: Session, stage: string, work: () => Promise<T>): Promise<T> =>
    within(work(), timeouts.queryMs + 1000, `${stage} on ${s.target.name}`);

  // Each database moves on as soon as what it depends on is done, so a slow or hanging database
  // never delays (and so never inflates the heartbeat lag of) another replication chain.
  const ready = new Map<Session, Deferred>(sessions.map((s) => [s, deferred()]));
  const written = new Map<Session, Deferred>(sessions.map((s) => [s, deferred()]));
  // Resolved once a replica knows which target it replicates from (at once for anything else).
  const linked = new Map<Session, Deferred>(sessions.map((s) => [s, deferred()]));

  const connectAndWrite = async (s: Session): Promise<void> => {
    try {
      try {
        connectionsOpened++;
        const pending = s.driver.connect(s.target, timeouts);
        s.conn = await within(pending, timeouts.connectMs + 1000, `connecting to ${s.target.name}`).catch((error) => {
          // A connection that completes after the backstop fired is closed, not leaked.
          void pending.then((c) => c.close()).catch(() => undefined);
          throw error;
        });
      } catch (error) {
        s.failure = s.driver.classify(error, 'connect');
        return;
      }
      try {
        s.info = await step(s, 'role', () => s.conn!.roleInfo());
      } catch (error) {
        s.failure = s.driver.classify(error, 'role');
        return;
      }
      s.role = s.target.role ?? s.info.role;
      ready.get(s)!.resolve();
      if (s.role !== 'source') return;
      const table = tableLabel(s.target);
      let writtenTs: string | undefined;
      let error: ProbeFailure | undefined;
      if (writeHeartbeat && s.info.serverId !== null) {
        const ts = heartbeatTs(now());
        try {
          await step(s, 'heartbeat-write', () => s.conn!.writeHeartbeat(s.target.heartbeat, s.info!.serverId!, ts));
          writtenTs = parseHeartbeatTs(ts) ?? undefined;
        } catch (e) {
          error = s.driver.classify(e, 'heartbeat-write');
        }
      }
      try {
        const row = await step(s, 'heartbeat-read', () => s.conn!.readHeartbeat(s.target.heartbeat, s.info!.serverId));
        s.heartbeat = { table, serverId: s.info.serverId, ...(writtenTs ? { writtenTs } : {}), seenTs: row?.ts ?? null, readAt: now().toISOString(), ...(error ? { error } : {}) };
      } catch (e) {
        s.heartbeat = { table, serverId: s.info.serverId, seenTs: null, readAt: now().toISOString(), error: error ?? s.driver.classify(e, 'heartbeat-read') };
      }
      written.get(s)!.resolve();
      if (s.conn.auroraReplicas) {
        try {
          const aurora = await step(s, 'aurora-replica-status', () => s.conn!.auroraReplicas!());
          if (aurora) s.observation = { ...s.observation, auroraReplicas: aurora };
        } catch (e) {
          s.partial.push(s.driver.classify(e, 'aurora-replica-status'));
        }
      }
      if (s.conn.postgresSource) {
        try {
          s.observation = { ...s.observation, postgresSource: await step(s, 'pg_stat_replication', () => s.conn!.postgresSource!()) };
        } catch (e) {
          s.partial.push(s.driver.classify(e, 'pg_stat_replication'));
        }
      }
    } finally {
      ready.get(s)!.resolve();
      written.get(s)!.resolve();
      if (s.role !== 'replica' || s.failure || !s.conn) linked.get(s)!.resolve();
    }
  };

  const byEndpoint = new Map(sessions.map((s) => [`${s.target.host}:${s.target.port}`, s]));
  const byName = new Map(sessions.map((s) => [s.target.name, s]));
  const family = (t: ProbeTarget) => (t.engine === 'postgres' ? 'postgres' : 'mysql');

  /** The source at the top of the chain, once every link's role is known. */
  const rootOf = async (s: Session): Promise<Session | undefined> => {
    const seen = new Set<Session>([s]);
    let current = s.sourceTarget !== undefined ? byName.get(s.sourceTarget) : undefined;
    while (current && !seen.has(current)) {
      await ready.get(current)!.promise;
      await linked.get(current)!.promise;
      if (current.role === 'source') return current;
      seen.add(current);
      const next: string | undefined = current.target.source ?? current.sourceTarget;
      current = next !== undefined ? byName.get(next) : undefined;
    }
    return undefined;
  };

  const readReplica = async (s: Session): Promise<void> => {
    try {
      await linkReplica(s);
    } finally {
      linked.get(s)!.resolve();
    }
    await readReplicaHeartbeat(s);
  };

  const linkReplica = async (s: Session): Promise<void> => {
    if (s.info?.role === 'source') {
      // Named a replica but not in recovery / without replica status: promoted or reset.
      s.observation = {};
      s.sourceTarget = s.target.source;
      return;
    }
    if (s.conn!.postgresReplica) {
      try {
        const status = await step(s, 'pg_stat_wal_receiver', () => s.conn!.postgresReplica!());
        s.observation = { postgresReplica: status };
        const upstream = status.senderHost ? byEndpoint.get(`${status.senderHost}:${status.senderPort ?? 5432}`) : undefined;
        s.sourceTarget = s.target.source ?? upstream?.target.name;
      } catch (e) {
        s.partial.push(s.driver.classify(e, 'pg_stat_wal_receiver'));
      }
    } else {
      const status = s.info?.mysqlReplica;
      s.observation = status ? { mysqlReplica: status } : {};
      const upstream = status?.sourceHost ? byEndpoint.get(`${status.sourceHost}:${status.sourcePort ?? 3306}`) : undefined;
      s.sourceTarget = s.target.source ?? upstream?.target.name;
    }
    if (s.sourceTarget === undefined) {
      // A lone source of the same engine family is the only candidate.
      const others = sessions.filter((o) => o !== s && family(o.target) === family(s.target));
      await Promise.all(others.map((o) => ready.get(o)!.promise));
      const candidates = others.filter((o) => o.role === 'source');
      if (candidates.length === 1) s.sourceTarget = candidates[0]!.target.name;
    }
  };

  const readReplicaHeartbeat = async (s: Session): Promise<void> => {
    if (s.info?.role === 'source') return;
    const root = await rootOf(s);
    if (root) await written.get(root)!.promise;
    // PostgreSQL standbys share their primary's system identifier, hence its server id.
    const serverId = root?.info?.serverId ?? (s.target.engine === 'postgres' ? s.info?.serverId : s.info?.mysqlReplica?.sourceServerId) ?? null;
    const awaited = root?.heartbeat?.writtenTs;
    const table = tableLabel(s.target);
    // Replication that is known not to apply cannot show this run's heartbeat: no point waiting.
    const m = s.observation?.mysqlReplica;
    const stalled = (m && (m.ioRunning !== 'Yes' || m.sqlRunning !== 'Yes')) || s.observation?.postgresReplica?.replayPaused === true;
    const deadline = Date.now() + (awaited && !stalled ? waitMs : 0);
    for (;;) {
      try {
        const row = await step(s, 'heartbeat-read', () => s.conn!.readHeartbeat(s.target.heartbeat, serverId));
        s.heartbeat = { table, serverId: row?.serverId ?? serverId, seenTs: row?.ts ?? null, readAt: now().toISOString() };
      } catch (e) {
        s.heartbeat = { table, serverId, seenTs: null, readAt: now().toISOString(), error: s.driver.classify(e, 'heartbeat-read') };
        break;
      }
      const seen = s.heartbeat.seenTs;
      if (!awaited || (seen !== null && seen >= awaited) || Date.now() >= deadline) break;
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
  };

  // Connections are bounded; a replica's reads start as soon as its own connection and its source's write are done.
  const replicaReads: Promise<void>[] = [];
  await mapBounded(sessions, limit, async (s) => {
    await connectAndWrite(s);
    if (s.role === 'replica' && s.conn && !s.failure) replicaReads.push(readReplica(s).finally(() => release(s)));
    else await release(s);
  });
  await Promise.all(replicaReads);

  await Promise.all(sessions.map(release));

  const observations = sessions.map((s): ProbeObservation => {
    const base = { target: s.target.name, region: s.target.region, engine: s.target.engine, observedAt: now().toISOString() };
    const role = s.role ?? s.target.role;
    if (s.failure) return { ...base, ...(role ? { role } : {}), ...(s.target.source ? { sourceTarget: s.target.source } : {}), failure: s.failure };
    const heartbeatFailure = s.heartbeat?.error && s.role === 'replica' ? [s.heartbeat.error] : [];
    const partialFailures = [...s.partial, ...heartbeatFailure];
    return {
      ...base,
      ...(role ? { role } : {}),
      ...(s.sourceTarget ? { sourceTarget: s.sourceTarget } : s.target.source ? { sourceTarget: s.target.source } : {}),
      ...(s.heartbeat ? { heartbeat: s.heartbeat } : {}),
      ...s.observation,
      ...(partialFailures.length ? { partialFailures } : {}),
    };
  });
  return { observations, connectionsOpened };
}
