/**
 * One replica's verdict: a down database, a -1 lag series (paused or broken), and lag over the
 * warning or critical threshold in M of the last N datapoints.
 */
import { readsLag } from '../../fleet/cadence';
import { lagThresholdsFor } from '../../config';
import type { EvaluationContext } from '../context';
import { makeFinding, type Finding, type Severity } from '../../findings';
import { formatSeconds } from '../../shared/format';
import { withGlobalState, withSourceCause, withSourceState } from './health-context';
import {
  brokenHint,
  databaseStatus,
  describeReplica,
  DOWN_DATABASE_STATUSES,
  missingLagFinding,
  pendingModifications,
  replicationStatusFinding,
  TRANSIENT_MINUS_ONE_MAX_MINUTES,
  transientPause,
  type ReplicaVerdict,
} from './health-status';
import { idleExplanation, isSustained, lagWindow, sinceText, streakStart } from './health-window';
import { seriesName } from '../../fleet/metric-plan';
import { engineFamily, type Replica } from '../../fleet/topology';

const finding = makeFinding;

/** Usual causes of lag, by kind and engine. */
function lagHint(replica: Replica): string {
  if (replica.kind === 'aurora-global-secondary') {
    return 'Global database lag follows the primary\'s write volume: look for a write burst or large transactions on the primary cluster and for throttling of the secondary\'s instances; a secondary without a healthy instance also lags.';
  }
  if (replica.kind === 'aurora-reader') {
    return 'Aurora readers lag when the reader is saturated (CPU, memory) or the writer runs large or long transactions and DDL; scale the reader to the writer\'s class and look for long transactions.';
  }
  switch (engineFamily(replica.engine)) {
    case 'postgres':
    case 'aurora-postgresql':
      return 'Compare the source\'s WAL rate (TransactionLogsGeneration) with the replica\'s replay: long queries on the replica blocking replay (max_standby_streaming_delay), an undersized replica or bulk writes on the source are the usual causes.';
    case 'mysql':
    case 'aurora-mysql':
      return 'Compare the source\'s write rate with the replica\'s apply rate: long transactions, an undersized replica, DDL, single-threaded apply (replica_parallel_workers) or tables without primary keys under row-based replication are the usual causes.';
    default:
      return 'Compare the source\'s write rate with the replica\'s apply rate: large transactions, an undersized replica or storage throughput limits are the usual causes.';
  }
}

function evaluateReplicaHealth(ctx: EvaluationContext, replica: Replica, metricsFailed: boolean): ReplicaVerdict {
  const { config } = ctx;
  const findings: Finding[] = [];
  const where = describeReplica(replica);

  const dbStatus = databaseStatus(replica);
  if (dbStatus && DOWN_DATABASE_STATUSES.has(dbStatus)) {
    const what = replica.node?.type === 'cluster' ? 'cluster' : 'instance';
    findings.push(
      finding(config, {
        code: 'REPLICATION_BROKEN',
        severity: 'critical',
        region: replica.region,
        resource: replica.id,
        message: `${where} is not replicating: the ${what} status is "${dbStatus}" (as of ${ctx.snapshot.capturedAt}).`,
        evidence: { databaseStatus: dbStatus, source: replica.sourceId, sourceRegion: replica.sourceRegion },
        hint:
          dbStatus === 'storage-full'
            ? 'The replica ran out of storage: increase its allocated storage (and enable storage autoscaling); replication resumes once it has room.'
            : dbStatus.startsWith('incompatible-parameters')
              ? 'The replica\'s parameter group has values it cannot start with (often memory settings too large for its class): fix the group and reboot.'
              : `Bring the ${what} back to available (start it, or follow its RDS events for the failure); it replicates nothing until then.`,
      }),
    );
    return { health: { replica, lagSeconds: null, status: 'broken', note: dbStatus }, findings };
  }

  const statusFinding = replicationStatusFinding(ctx, replica);
  if (statusFinding) findings.push(statusFinding);
  const replicationStopped = statusFinding?.severity === 'critical';
  const stopPointReached = statusFinding?.evidence.status === 'replication stop point reached';

  const reads = ctx.reads ?? 'full';
  if (!readsLag(reads)) {
    // Lag was not read this run: its verdict is carried (see NOT_EVALUATED), neither healthy nor missing.
    const broken = replicationStopped || stopPointReached;
    return { health: { replica, lagSeconds: null, status: broken ? 'broken' : 'unknown', note: 'lag not read this run' }, findings };
  }
  // A lag read asks for the fallback series of a replica whose preferred one was empty (planLagFallbacks).
  const lag = lagWindow(ctx, replica);
  if (!lag || lag.stale) {
    if (replicationStopped || stopPointReached) {
      return { health: { replica, lagSeconds: null, status: 'broken', note: 'replication status' }, findings };
    }
    if (metricsFailed) {
      return { health: { replica, lagSeconds: null, status: 'unknown', note: 'metrics unreadable' }, findings };
    }
    const missing = missingLagFinding(ctx, replica, lag?.newestAt);
    return { health: missing.health, findings: [...findings, ...missing.findings] };
  }

  const { metric } = lag;
  const { datapointsToAlarm: m } = config.lag;
  const lagged = { replica, lagSeconds: lag.latestSeconds, lagMetric: metric.metricName };

  if (lag.minusOnes > 0 && isSustained(lag.minusOnes, lag.minusOnes + lag.recent.length, m) && !statusFinding) {
    const pause = transientPause(replica);
    const minutes = lag.minusOneSince ? Math.round((ctx.now.getTime() - Date.parse(lag.minusOneSince)) / 60_000) : 0;
    const pending = pendingModifications(replica.node);
    // AWS reports -1 while maintenance, a reboot or replica setup interrupts replication: a pause, not
    // a break, unless it outlasts what such work takes.
    const paused = pause !== undefined && minutes <= TRANSIENT_MINUS_ONE_MAX_MINUTES;
    const counted = `${metric.metricName} is -1 (replication not running) in ${lag.minusOnes} of the last ${lag.minusOnes + lag.recent.length} datapoints, since ${lag.minusOneSince}`;
    findings.push(
      finding(config, {
        code: 'REPLICATION_BROKEN',
        severity: paused ? 'warning' : 'critical',
        region: replica.region,
        resource: replica.id,
        message: paused
          ? `${where}: replication paused during ${pause.what} ${pause.status}: ${counted}. RDS reports -1 while such work runs; it resumes when the ${pause.what} is available again.`
          : `${where}: ${counted}.` +
            (pause ? ` The ${pause.what} is ${pause.status}, but -1 for ${minutes} min outlasts that (bound ${TRANSIENT_MINUS_ONE_MAX_MINUTES} min).` : '') +
            (pending.length ? ` Pending modifications: ${pending.join(', ')}.` : ''),
        evidence: {
          metric: metric.metricName,
          series: seriesName(metric),
          minusOneDatapoints: lag.minusOnes,
          evaluatedDatapoints: lag.minusOnes + lag.recent.length,
          since: lag.minusOneSince ?? null,
          databaseStatus: dbStatus ?? null,
          transientState: pause ? `${pause.who}:${pause.status}` : null,
          minusOneMinutes: minutes,
          transientBoundMinutes: TRANSIENT_MINUS_ONE_MAX_MINUTES,
          pendingModifications: pending,
        },
        hint: paused
          ? `Wait for ${pause.who === 'source' ? `the source ${replica.sourceId}` : replica.id} to return to available (its RDS events show the progress); if -1 continues after that, replication is broken.`
          : brokenHint(replica),
      }),
    );
    if (paused) return { health: { ...lagged, status: 'degraded', note: `paused: ${pause.status}` }, findings };
  }
  if (replicationStopped || stopPointReached || findings.some((f) => f.code === 'REPLICATION_BROKEN' && f.severity === 'critical')) {
    // The status already names the cause; a lag alert on top would send people down the wrong path.
    return { health: { ...lagged, status: 'broken' }, findings };
  }

  const thresholds = lagThresholdsFor(config, replica.id, replica.tags);
  const over = (limit: number) => lag.recent.filter((s) => s.value > limit).length;
  const available = lag.recent.length;
  let severity: Severity | undefined;
  let limit = 0;
  if (isSustained(over(thresholds.criticalSeconds), available, m)) {
    severity = 'critical';
    limit = thresholds.criticalSeconds;
  } else if (isSustained(over(thresholds.warningSeconds), available, m)) {
    severity = 'warning';
    limit = thresholds.warningSeconds;
  }
  const degraded = findings.length > 0;

  if (!severity) return { health: { ...lagged, status: degraded ? 'degraded' : 'healthy' }, findings };

  const peak = Math.max(...lag.recent.map((s) => s.value));
  const idle = idleExplanation(ctx, replica, lag);
  const since = streakStart(lag.seconds, (v) => v > limit);
  const current = lag.latestSeconds === null ? 'unknown now (latest datapoint -1)' : `${formatSeconds(lag.latestSeconds)} behind`;
  const sparse = available < m ? ` (only ${available} datapoint${available === 1 ? '' : 's'} arrived)` : '';
  findings.push(
    finding(config, {
      code: 'REPLICA_LAG_HIGH',
      // Explained lag stays visible in the report but pages nobody.
      severity: idle?.applied ? 'info' : severity,
      region: replica.region,
      resource: replica.id,
      message:
        `${where} is ${current} (peak ${formatSeconds(peak)}), over the ${severity} threshold of ${formatSeconds(limit)} ` +
        `in ${over(limit)} of the last ${available} datapoints${sparse}, ${sinceText(since, lag.seconds[0]?.timestamp)}.` +
        (idle?.applied ? ` Not paging: this is the idle-source sawtooth of RDS for PostgreSQL (${idle.reason}), no data is behind.` : ''),
      evidence: {
        ...idle?.evidence,
        metric: metric.metricName,
        series: seriesName(metric),
        lagSeconds: lag.latestSeconds,
        peakSeconds: peak,
        thresholdSeconds: limit,
        warningSeconds: thresholds.warningSeconds,
        criticalSeconds: thresholds.criticalSeconds,
        datapointsOver: over(limit),
        evaluatedDatapoints: available,
        since: since ?? null,
      },
      hint: idle?.applied
        ? 'Nothing to do while the source is idle. If the source should be writing, check its applications; a replica that is really stuck keeps climbing past the cap and pages.'
        : lagHint(replica),
    }),
  );
  if (idle?.applied) return { health: { ...lagged, status: degraded ? 'degraded' : 'healthy', note: 'source idle' }, findings };
  return { health: { ...lagged, status: 'lagging' }, findings };
}

/** A replica's verdict with its source's and global cluster's state named on its findings. */
export function evaluateReplica(ctx: EvaluationContext, replica: Replica, metricsFailed: boolean): ReplicaVerdict {
  const verdict = evaluateReplicaHealth(ctx, replica, metricsFailed);
  return {
    health: verdict.health,
    findings: verdict.findings
      .map((f) => (f.code === 'REPLICATION_BROKEN' && f.severity === 'critical' ? withSourceCause(replica, f) : f))
      .map((f) => withSourceState(replica, f))
      .map((f) => withGlobalState(ctx.topology, replica.globalClusterId, f)),
  };
}
