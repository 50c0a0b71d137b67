/**
 * Probe rules: what the in-database probe observed becomes findings, through the same codes,
 * thresholds, suppressions and runbook links as the CloudWatch-based rules. Pure.
 */
import { isSuppressed, lagThresholdsFor, type Config } from '../../config';
import { makeFinding, sortFindings, type EvidenceValue, type Finding, type Severity } from '../../findings';
import { formatBytes, formatSeconds } from '../../shared/format';
import type { MysqlReplicaStatus, PostgresReplicaStatus, ProbeFailure, ProbeObservation } from '../../fleet/probe-observation';

export interface ProbeRuleOptions {
  /**
   * A source's heartbeat row older than this, when the probe did not write it itself this run
   * (an external pt-heartbeat writer), counts as stale.
   * @default 10
   */
  readonly heartbeatStaleSeconds?: number;
}

export type ProbeLagSource = 'heartbeat' | 'engine';

export interface ProbeReplicaVerdict {
  readonly target: string;
  readonly region: string;
  readonly engine: string;
  readonly sourceTarget: string | null;
  /** Lag in seconds, null when neither the heartbeat nor the engine gave one. */
  readonly lagSeconds: number | null;
  readonly lagSource: ProbeLagSource | null;
  readonly status: 'healthy' | 'lagging' | 'degraded' | 'broken' | 'unknown';
}

export interface ProbeResult {
  readonly checkedAt: string;
  readonly replicas: readonly ProbeReplicaVerdict[];
  readonly findings: readonly Finding[];
}

const DEFAULT_HEARTBEAT_STALE_SECONDS = 10;

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Heartbeat age on a source, and whether it is stale (see ProbeRuleOptions). */
function sourceHeartbeatState(
  obs: ProbeObservation,
  staleSeconds: number,
): { readonly stale: boolean; readonly ageSeconds: number | null; readonly reason: string } {
  const hb = obs.heartbeat;
  if (!hb) return { stale: true, ageSeconds: null, reason: 'no heartbeat was read' };
  const ageSeconds = hb.seenTs === null ? null : round3(seconds(hb.seenTs, hb.readAt));
  if (hb.error && hb.writtenTs === undefined) {
    return { stale: true, ageSeconds, reason: `the heartbeat write failed: ${hb.error.message}` };
  }
  if (hb.seenTs === null) return { stale: true, ageSeconds, reason: `${hb.table} has no row for this server` };
  if (hb.writtenTs === undefined && ageSeconds !== null && ageSeconds > staleSeconds) {
    return { stale: true, ageSeconds, reason: `the newest heartbeat is ${formatSeconds(ageSeconds)} old` };
  }
  return { stale: false, ageSeconds, reason: '' };
}

/** The source at the top of a replica's chain, as far as the probe saw it. */
function rootSource(obs: ProbeObservation, byTarget: ReadonlyMap<string, ProbeObservation>): ProbeObservation | undefined {
  const seen = new Set<string>([obs.target]);
  let current = obs;
  while (current.sourceTarget !== undefined) {
    const next = byTarget.get(current.sourceTarget);
    if (!next || seen.has(next.target)) return undefined;
    if (next.role === 'source') return next;
    seen.add(next.target);
    current = next;
  }
  return undefined;
}

/**
 * PostgreSQL's own lag figure: 0 while streaming with everything received replayed (as
 * pg_stat_replication's lag columns do), else the age of the last replayed transaction, which
 * overstates lag on an idle source.
 */
function postgresEngineLag(p: PostgresReplicaStatus | undefined): number | null {
  if (!p) return null;
  if (p.receiverStatus === 'streaming' && p.replayGapBytes === 0 && !p.replayPaused) return 0;
  return p.lastReplayAgeSeconds;
}

function failureEvidence(failure: ProbeFailure): Record<string, EvidenceValue> {
  return { operation: `probe:${failure.stage}`, failureKind: failure.kind, errorCode: failure.code ?? null };
}

const FAILURE_WORDS: Record<ProbeFailure['kind'], string> = {
  'bad-target': 'the target is not usable',
  refused: 'the connection was refused (nothing listens on that port, or a security group/firewall rejects it)',
  unreachable: 'the host cannot be reached',
  timeout: 'it did not answer in time',
  auth: 'the login was rejected (user or password)',
  permission: 'the monitoring user lacks a privilege',
  'missing-object': 'an object the probe needs does not exist',
  tls: 'TLS negotiation failed',
  other: 'an error occurred',
};

/** One line naming what the SQL/IO error means for where to look. */
function mysqlErrorMeaning(errno: number, thread: 'sql' | 'io'): string {
  if (thread === 'sql') {
    return 'The replica could not apply a change from its source: a data or schema conflict on the replica, not a network problem.';
  }
  if (errno === 1045) return 'The replica cannot log in to its source: the replication user or password is wrong.';
  if (errno === 1236) return 'The source no longer has the binary log the replica needs: the replica must be rebuilt.';
  if ([2003, 2005, 2013, 2026].includes(errno)) return 'The replica cannot reach its source over the network.';
  return 'The replica cannot read changes from its source.';
}

function mysqlEvidence(s: MysqlReplicaStatus): Record<string, EvidenceValue> {
  return {
    ioRunning: s.ioRunning,
    sqlRunning: s.sqlRunning,
    lastIoErrno: s.lastIoErrno,
    lastIoError: s.lastIoError,
    lastSqlErrno: s.lastSqlErrno,
    lastSqlError: s.lastSqlError,
    secondsBehindSource: s.secondsBehindSource,
    retrievedGtidSet: s.retrievedGtidSet,
    executedGtidSet: s.executedGtidSet,
    columnNames: s.columnNames,
  };
}

export function evaluateProbes(
  observations: readonly ProbeObservation[],
  config: Config,
  options: ProbeRuleOptions = {},
): ProbeResult {
  const staleSeconds = options.heartbeatStaleSeconds ?? DEFAULT_HEARTBEAT_STALE_SECONDS;
  const byTarget = new Map(observations.map((o) => [o.target, o]));
  const findings: Finding[] = [];
  const replicas: ProbeReplicaVerdict[] = [];
  const add = (draft: Parameters<typeof makeFinding>[1]) => findings.push(makeFinding(config, draft));

  for (const obs of observations) {
    const where = { region: obs.region, resource: obs.target };
    if (obs.failure) {
      const f = obs.failure;
      add({
        code: 'CHECK_DEGRADED',
        severity: 'warning',
        ...where,
        message:
          `The probe could not ${f.stage === 'connect' ? 'connect to' : `read (${f.stage})`} ${obs.target} (${obs.engine}): ` +
          `${FAILURE_WORDS[f.kind]}: ${f.message}. Its replication state is unknown this run; the other databases are fully reported.`,
        evidence: failureEvidence(f),
        hint:
          f.kind === 'auth' || f.kind === 'permission'
            ? 'Check the monitoring user and its GRANTs (docs/probe.md).'
            : 'Check that the database is up and that the probe can reach its endpoint and port.',
      });
      if (obs.role === 'replica') {
        replicas.push({ target: obs.target, region: obs.region, engine: obs.engine, sourceTarget: obs.sourceTarget ?? null, lagSeconds: null, lagSource: null, status: 'unknown' });
      }
      continue;
    }
    for (const partial of obs.partialFailures ?? []) {
      add({
        code: 'CHECK_DEGRADED',
        severity: 'warning',
        ...where,
        message: `The probe could not read ${partial.stage} on ${obs.target}: ${FAILURE_WORDS[partial.kind]}: ${partial.message}. That part is unknown this run.`,
        evidence: failureEvidence(partial),
        hint: 'Grant the monitoring user what docs/probe.md lists for this engine.',
      });
    }

    if (obs.role === 'source') {
      const state = sourceHeartbeatState(obs, staleSeconds);
      if (state.stale) {
        add({
          code: 'PROBE_HEARTBEAT_STALE',
          severity: 'warning',
          ...where,
          message:
            `The heartbeat on source ${obs.target} is not being written: ${state.reason}. ` +
            'Replica lag falls back to the engine\'s own figure until it is; this is not lag on the replicas.',
          evidence: {
            table: obs.heartbeat?.table ?? null,
            heartbeatAgeSeconds: state.ageSeconds,
            seenTs: obs.heartbeat?.seenTs ?? null,
            ...(obs.heartbeat?.error ? failureEvidence(obs.heartbeat.error) : {}),
          },
          hint: obs.heartbeat?.error?.message.includes('read-only') || obs.heartbeat?.error?.code === '1290' || obs.heartbeat?.error?.code === '25006'
            ? 'The source is read-only: check whether it was demoted or failed over, then point the probe at the new source.'
            : 'Check the heartbeat table and the monitoring user\'s INSERT/UPDATE grant on it (docs/probe.md).',
        });
      }
      for (const reader of obs.auroraReplicas ?? []) {
        if (reader.writer || reader.lagSeconds === null) continue;
        const t = lagThresholdsFor(config, reader.serverId, {});
        const severity: Severity | null = reader.lagSeconds >= t.criticalSeconds ? 'critical' : reader.lagSeconds >= t.warningSeconds ? 'warning' : null;
        if (!severity) continue;
        add({
          code: 'REPLICA_LAG_HIGH',
          severity,
          region: obs.region,
          resource: reader.serverId,
          message:
            `Aurora reader ${reader.serverId} is ${formatSeconds(reader.lagSeconds)} behind writer ${obs.target} by aurora replica status` +
            ` (${severity} threshold ${formatSeconds(severity === 'critical' ? t.criticalSeconds : t.warningSeconds)}).`,
          evidence: {
            lagSeconds: reader.lagSeconds,
            lagSource: 'aurora_replica_status',
            writer: obs.target,
            lastUpdate: reader.lastUpdate,
            lastTransportError: reader.lastTransportError,
            warningSeconds: t.warningSeconds,
            criticalSeconds: t.criticalSeconds,
          },
          hint: 'Look at the reader\'s load (long queries holding old read views, CPU) and its instance size before the network.',
        });
      }
      for (const slot of obs.postgresSource?.slots ?? []) {
        if (slot.active || slot.retainedWalBytes === null) continue;
        const overCritical = slot.retainedWalBytes >= config.replicationSlot.criticalBytes;
        const overWarning = slot.retainedWalBytes >= config.replicationSlot.warningBytes;
        add({
          code: overWarning ? 'REPLICATION_SLOT_LAG_HIGH' : 'REPLICATION_SLOT_INACTIVE',
          severity: overCritical ? 'critical' : 'warning',
          ...where,
          message:
            `Replication slot "${slot.slotName}" on ${obs.target} is inactive and retains ${formatBytes(slot.retainedWalBytes)} of WAL` +
            (overWarning ? ` (threshold ${formatBytes(overCritical ? config.replicationSlot.criticalBytes : config.replicationSlot.warningBytes)})` : '') +
            ': no consumer is reading it, so the WAL grows until the disk is full.',
          evidence: { slot: slot.slotName, slotType: slot.slotType, active: false, retainedWalBytes: slot.retainedWalBytes, walStatus: slot.walStatus, lagSource: 'probe' },
          hint: 'Bring its consumer back, or drop the slot if the consumer is gone: SELECT pg_drop_replication_slot(\'name\').',
        });
      }
      continue;
    }
    if (obs.role !== 'replica') continue;

    // Lag: the heartbeat when its writer is fresh, else the engine's own figure.
    const root = rootSource(obs, byTarget);
    const rootState = root && !root.failure ? sourceHeartbeatState(root, staleSeconds) : undefined;
    const hb = obs.heartbeat;
    const heartbeatLag = hb && !hb.error && hb.seenTs !== null ? round3(seconds(hb.seenTs, hb.readAt)) : null;
    const heartbeatUsable = heartbeatLag !== null && (rootState === undefined || !rootState.stale);
    const engineLag = obs.mysqlReplica?.secondsBehindSource ?? postgresEngineLag(obs.postgresReplica) ?? null;
    const lagSeconds = heartbeatUsable ? heartbeatLag : engineLag;
    const lagSource: ProbeLagSource | null = heartbeatUsable ? 'heartbeat' : engineLag !== null ? 'engine' : null;
    const lagEvidence: Record<string, EvidenceValue> = {
      lagSeconds,
      lagSource,
      heartbeatLagSeconds: heartbeatLag,
      engineLagSeconds: engineLag,
      heartbeatSeenTs: hb?.seenTs ?? null,
      sourceHeartbeat: rootState === undefined ? 'not probed' : rootState.stale ? 'stale' : 'fresh',
    };
    let status: ProbeReplicaVerdict['status'] = 'healthy';
    let stopped = false;

    const m = obs.mysqlReplica;
    if (m) {
      const sqlStopped = m.sqlRunning !== 'Yes';
      const ioStopped = m.ioRunning !== 'Yes';
      if (sqlStopped) {
        stopped = true;
        const errno = m.lastSqlErrno ?? 0;
        add({
          code: 'REPLICATION_BROKEN',
          severity: 'critical',
          ...where,
          message: errno
            ? `Replication on ${obs.target} stopped: Error ${errno}: ${m.lastSqlError ?? ''} ${mysqlErrorMeaning(errno, 'sql')}`
            : `Replication on ${obs.target} is stopped (SQL thread ${m.sqlRunning ?? 'not running'}, IO thread ${m.ioRunning ?? 'not running'}) with no error: someone ran STOP REPLICA/STOP SLAVE.`,
          evidence: { ...mysqlEvidence(m), ...lagEvidence, lagSource },
          hint: errno
            ? 'Fix the conflicting row or schema on the replica (or rebuild it), then START REPLICA; do not chase the network.'
            : 'START REPLICA (START SLAVE) once whoever stopped it is done.',
        });
      } else if (ioStopped) {
        stopped = true;
        const errno = m.lastIoErrno ?? 0;
        const connecting = m.ioRunning === 'Connecting';
        add({
          code: 'REPLICATION_IO_STOPPED',
          severity: 'critical',
          ...where,
          message:
            `The IO thread on ${obs.target} is ${connecting ? 'not connected (Connecting)' : 'stopped'}, so no new changes arrive` +
            (m.secondsBehindSource === 0 ? ' although the engine reports 0 s of lag' : '') +
            (errno ? `: Error ${errno}: ${m.lastIoError ?? ''} ${mysqlErrorMeaning(errno, 'io')}` : ': stopped without an error (STOP REPLICA IO_THREAD / STOP SLAVE IO_THREAD).'),
          evidence: { ...mysqlEvidence(m), ...lagEvidence },
          hint: errno ? 'Fix what the IO error names, then START REPLICA IO_THREAD.' : 'START REPLICA IO_THREAD (START SLAVE IO_THREAD).',
        });
      }
    }

    const p = obs.postgresReplica;
    if (p) {
      if (p.receiverStatus !== 'streaming') {
        stopped = true;
        add({
          code: 'REPLICATION_BROKEN',
          severity: p.receiverStatus === null ? 'critical' : 'warning',
          ...where,
          message:
            p.receiverStatus === null
              ? `Standby ${obs.target} has no WAL receiver running: it is not streaming from its source (it cannot connect, or replication was never configured).`
              : `Standby ${obs.target}'s WAL receiver is "${p.receiverStatus}", not streaming.`,
          evidence: { receiverStatus: p.receiverStatus, receiveLsn: p.receiveLsn, replayLsn: p.replayLsn, replayPaused: p.replayPaused, ...lagEvidence },
          hint: 'Read the standby\'s log for the walreceiver error (authentication, pg_hba.conf, network, or WAL removed on the source).',
        });
      }
      if (p.replayPaused) {
        add({
          code: 'REPLICATION_REPLAY_PAUSED',
          severity: 'warning',
          ...where,
          message:
            `WAL replay on standby ${obs.target} is paused (pg_wal_replay_pause())` +
            (lagSeconds !== null ? `: it is ${formatSeconds(lagSeconds)} behind by the ${lagSource}` : '') +
            (p.replayGapBytes !== null ? ` with ${formatBytes(p.replayGapBytes)} received but not replayed` : '') +
            '. It receives WAL but applies none of it.',
          evidence: { replayPaused: true, replayGapBytes: p.replayGapBytes, receiveLsn: p.receiveLsn, replayLsn: p.replayLsn, ...lagEvidence },
          hint: 'SELECT pg_wal_replay_resume(); once whoever paused it (a long report, an investigation) is done.',
        });
        status = 'degraded';
      }
    }

    if (!m && !p && (obs.partialFailures ?? []).length === 0) {
      stopped = true;
      add({
        code: 'REPLICATION_BROKEN',
        severity: 'critical',
        ...where,
        message:
          `${obs.target} is named a replica but is not replicating: ` +
          (obs.engine === 'postgres'
            ? 'it is not in recovery (it was promoted).'
            : 'SHOW REPLICA STATUS is empty (replication was reset or never configured).'),
        evidence: { role: 'replica', inRecovery: obs.engine === 'postgres' ? false : null, ...lagEvidence },
        hint: 'Rebuild the replica from its source, or correct the target if this database is meant to be a source now.',
      });
    }

    if (stopped) status = 'broken';
    else if (lagSeconds !== null) {
      const t = lagThresholdsFor(config, obs.target, {});
      const severity: Severity | null = lagSeconds >= t.criticalSeconds ? 'critical' : lagSeconds >= t.warningSeconds ? 'warning' : null;
      if (severity) {
        status = 'lagging';
        add({
          code: 'REPLICA_LAG_HIGH',
          severity,
          ...where,
          message:
            `${obs.target} is ${formatSeconds(lagSeconds)} behind its source by the ${lagSource === 'heartbeat' ? 'heartbeat' : "engine's own lag figure"}` +
            ` (${severity} threshold ${formatSeconds(severity === 'critical' ? t.criticalSeconds : t.warningSeconds)}).` +
            (lagSource === 'engine' && rootState?.stale ? ' The heartbeat is not used: its writer on the source is stale.' : ''),
          evidence: { ...lagEvidence, warningSeconds: t.warningSeconds, criticalSeconds: t.criticalSeconds },
          hint: 'Look at what the replica is applying (long transactions, replay conflicts, an undersized replica) before the network.',
        });
      }
    } else {
      status = 'unknown';
    }
    replicas.push({
      target: obs.target,
      region: obs.region,
      engine: obs.engine,
      sourceTarget: obs.sourceTarget ?? root?.target ?? null,
      lagSeconds: lagSeconds === null ? null : round3(lagSeconds),
      lagSource,
      status,
    });
  }

  const kept = findings.filter((f) => !isSuppressed(config, f.code, f.region, f.resource));
  const checkedAt = observations.map((o) => o.observedAt).sort().at(-1) ?? new Date(0).toISOString();
  return { checkedAt, replicas, findings: sortFindings(kept) };
}
