/**
 * Replication health: lag, broken replication, missing lag metrics, PostgreSQL slot lag and
 * degraded reads. Pure: topology + metrics + config in, findings out.
 */
import { lagThresholdsFor, type Config } from './config';
import { runbookUrl, type Finding, type Severity } from './findings';
import type { EvaluationContext } from './context';
import {
  lagMetricsFor,
  samplesOf,
  SLOT_LAG_METRIC,
  type LagMetric,
  type Sample,
} from './metric-plan';
import type { ReadError } from './model';
import { engineFamily, type Replica } from './topology';

type HealthContext = EvaluationContext;

export type ReplicaStatus = 'healthy' | 'lagging' | 'broken' | 'unknown';

export interface ReplicaHealth {
  readonly replica: Replica;
  /** Latest lag in seconds, or null when there is no usable datapoint. */
  readonly lagSeconds: number | null;
  readonly lagMetric?: string;
  readonly status: ReplicaStatus;
  /** Why the status is what it is, in a few words (shown in the table). */
  readonly note?: string;
}

export interface HealthResult {
  readonly replicas: readonly ReplicaHealth[];
  readonly findings: readonly Finding[];
}

const BROKEN_REPLICATION_STATUSES = new Set(['error', 'stopped', 'terminated']);

/** Operations whose failure leaves a region's topology unknown, not just its metrics. */
export const DESCRIBE_OPERATIONS = /^rds:Describe(DBInstances|DBClusters|GlobalClusters)$/;

export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 6) / 10} min`;
  return `${Math.round(seconds / 360) / 10} h`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value * 10) / 10} ${units[unit]}`;
}

function inWindow(samples: readonly Sample[], now: Date, windowMinutes: number): Sample[] {
  const from = now.getTime() - windowMinutes * 60_000;
  return samples.filter((s) => {
    const t = Date.parse(s.timestamp);
    return t > from && t <= now.getTime() + 60_000;
  });
}

function finding(
  config: Config,
  partial: Omit<Finding, 'runbook'>,
): Finding {
  return { ...partial, runbook: runbookUrl(partial.code, config.runbookBaseUrl) };
}

/** Start of the run of consecutive samples satisfying `test` that ends at the latest one that does. */
export function streakStart(samples: readonly Sample[], test: (v: number) => boolean): string | undefined {
  let i = samples.length - 1;
  while (i >= 0 && !test(samples[i]!.value)) i--;
  if (i < 0) return undefined;
  let start = i;
  while (start > 0 && test(samples[start - 1]!.value)) start--;
  return samples[start]!.timestamp;
}

export interface ResolvedLag {
  readonly metric: LagMetric;
  readonly samples: readonly Sample[];
}

export function resolveLag(ctx: HealthContext, replica: Replica): ResolvedLag | undefined {
  for (const metric of lagMetricsFor(replica)) {
    const samples = inWindow(
      samplesOf(ctx.metrics.find(replica.region, metric.metricName, metric.dimensions)),
      ctx.now,
      ctx.config.lag.windowMinutes,
    );
    if (samples.length > 0) return { metric, samples };
  }
  return undefined;
}

/** True when the source's writes are known and stayed at or below the idle thresholds. */
export function sourceIsIdle(ctx: HealthContext, replica: Replica): boolean {
  const { maxTransactionLogsBytesPerSecond, maxWriteIops } = ctx.config.postgresIdle;
  const dims = { DBInstanceIdentifier: replica.sourceId };
  const window = (name: string) =>
    inWindow(samplesOf(ctx.metrics.find(replica.sourceRegion, name, dims)), ctx.now, ctx.config.lag.windowMinutes);
  const logs = window('TransactionLogsGeneration');
  if (logs.length > 0) return logs.every((s) => s.value <= maxTransactionLogsBytesPerSecond);
  const iops = window('WriteIOPS');
  if (iops.length > 0) return iops.every((s) => s.value <= maxWriteIops);
  return false;
}

function replicationStatusFinding(ctx: HealthContext, replica: Replica): Finding | undefined {
  const info = replica.node?.instance?.StatusInfos?.find((s) => s.StatusType === 'read replication');
  const status = info?.Status?.toLowerCase();
  if (!info || !status || !BROKEN_REPLICATION_STATUSES.has(status)) return undefined;
  return finding(ctx.config, {
    code: 'REPLICATION_BROKEN',
    severity: 'critical',
    region: replica.region,
    resource: replica.id,
    message:
      `Replication to ${replica.id} (${replica.region}) from ${replica.sourceId} (${replica.sourceRegion}) has ` +
      `read-replication status "${info.Status}" as of ${ctx.snapshot.capturedAt}` +
      (info.Message ? `. AWS says: ${info.Message}` : '.'),
    evidence: {
      statusType: 'read replication',
      status: info.Status ?? null,
      awsMessage: info.Message ?? null,
      normal: info.Normal ?? null,
      source: replica.sourceId,
      sourceRegion: replica.sourceRegion,
    },
    hint: 'Read the AWS message and the replica\'s error log; restart replication or recreate the replica. Not a network or application problem.',
  });
}

function evaluateReplica(ctx: HealthContext, replica: Replica, metricsFailed: boolean): { health: ReplicaHealth; findings: Finding[] } {
  const { config } = ctx;
  const findings: Finding[] = [];
  const statusFinding = replicationStatusFinding(ctx, replica);
  if (statusFinding) findings.push(statusFinding);

  const lag = resolveLag(ctx, replica);
  const where = `${replica.id} (${replica.region}, ${replica.kind}, source ${replica.sourceId} in ${replica.sourceRegion})`;

  if (!lag) {
    const expected = lagMetricsFor(replica).map((m) => m.metricName).join(' or ');
    if (statusFinding) {
      return { health: { replica, lagSeconds: null, status: 'broken', note: 'replication status' }, findings };
    }
    if (metricsFailed) {
      return { health: { replica, lagSeconds: null, status: 'unknown', note: 'metrics unreadable' }, findings };
    }
    const dbStatus = replica.node?.instance?.DBInstanceStatus ?? replica.node?.cluster?.Status;
    findings.push(
      finding(config, {
        code: 'LAG_METRIC_MISSING',
        severity: 'warning',
        region: replica.region,
        resource: replica.id,
        message:
          `${where} reported no ${expected} datapoints in the last ${config.lag.windowMinutes} min: ` +
          `its replication state is unknown` + (dbStatus ? ` (instance status ${dbStatus}).` : '.'),
        evidence: {
          expectedMetric: expected,
          windowMinutes: config.lag.windowMinutes,
          datapoints: 0,
          databaseStatus: dbStatus ?? null,
        },
        hint: 'Check the replica is available and replicating (aws rds describe-db-instances); a replica that stopped reporting lag is not a healthy one.',
      }),
    );
    return { health: { replica, lagSeconds: null, status: 'unknown', note: 'no lag datapoints' }, findings };
  }

  const { metric, samples } = lag;
  const { datapointsToAlarm: m, evaluationPeriods: n } = config.lag;
  const recent = samples.slice(-n);
  const minusOnes = metric.minusOneMeansBroken ? recent.filter((s) => s.value === -1).length : 0;
  const valid = samples.filter((s) => !(metric.minusOneMeansBroken && s.value === -1));
  // The newest datapoint decides: if it is -1, the current lag is unknown, not the last good value.
  const newest = samples[samples.length - 1]!;
  const lagSeconds = metric.minusOneMeansBroken && newest.value === -1 ? null : newest.value * metric.toSeconds;

  if (minusOnes >= m && !statusFinding) {
    const since = streakStart(samples, (v) => v === -1);
    findings.push(
      finding(config, {
        code: 'REPLICATION_BROKEN',
        severity: 'critical',
        region: replica.region,
        resource: replica.id,
        message:
          `${where}: ${metric.metricName} is -1 (replication not running) in ${minusOnes} of the last ${recent.length} ` +
          `datapoints, since ${since}.`,
        evidence: {
          metric: metric.metricName,
          minusOneDatapoints: minusOnes,
          evaluatedDatapoints: recent.length,
          since: since ?? null,
        },
        hint: 'The replication thread has stopped: check the replica\'s error log and SHOW REPLICA STATUS, then restart replication or recreate the replica.',
      }),
    );
  }

  const broken = findings.some((f) => f.code === 'REPLICATION_BROKEN');
  if (broken) {
    return { health: { replica, lagSeconds, lagMetric: metric.metricName, status: 'broken' }, findings };
  }

  const thresholds = lagThresholdsFor(config, replica.id, replica.tags);
  const recentValid = recent
    .filter((s) => !(metric.minusOneMeansBroken && s.value === -1))
    .map((s) => ({ ...s, value: s.value * metric.toSeconds }));
  const over = (limit: number) => recentValid.filter((s) => s.value > limit).length;
  let severity: Severity | undefined;
  let limit = 0;
  if (over(thresholds.criticalSeconds) >= m) {
    severity = 'critical';
    limit = thresholds.criticalSeconds;
  } else if (over(thresholds.warningSeconds) >= m) {
    severity = 'warning';
    limit = thresholds.warningSeconds;
  }

  if (severity && engineFamily(replica.engine) === 'postgres' && replica.kind === 'rds-read-replica') {
    const worst = Math.max(...recentValid.map((s) => s.value));
    if (worst <= config.postgresIdle.maxLagSeconds && sourceIsIdle(ctx, replica)) {
      return {
        health: { replica, lagSeconds, lagMetric: metric.metricName, status: 'healthy', note: 'source idle' },
        findings,
      };
    }
  }

  if (severity) {
    const seconds = valid.map((s) => ({ ...s, value: s.value * metric.toSeconds }));
    const since = streakStart(seconds, (v) => v > limit);
    const peak = Math.max(...recentValid.map((s) => s.value));
    findings.push(
      finding(config, {
        code: 'REPLICA_LAG_HIGH',
        severity,
        region: replica.region,
        resource: replica.id,
        message:
          `${where} is ${formatSeconds(lagSeconds ?? peak)} behind (peak ${formatSeconds(peak)}), over the ` +
          `${severity} threshold of ${formatSeconds(limit)} in ${over(limit)} of the last ${recentValid.length} minutes, ` +
          `since ${since}.`,
        evidence: {
          metric: metric.metricName,
          lagSeconds: lagSeconds,
          peakSeconds: peak,
          thresholdSeconds: limit,
          warningSeconds: thresholds.warningSeconds,
          criticalSeconds: thresholds.criticalSeconds,
          datapointsOver: over(limit),
          evaluatedDatapoints: recentValid.length,
          since: since ?? null,
        },
        hint: 'Compare the source\'s write rate with the replica\'s apply rate: long transactions, an undersized replica, DDL or missing primary keys (MySQL row-based apply) are the usual causes.',
      }),
    );
    return { health: { replica, lagSeconds, lagMetric: metric.metricName, status: 'lagging' }, findings };
  }

  return { health: { replica, lagSeconds, lagMetric: metric.metricName, status: 'healthy' }, findings };
}

function slotLagFindings(ctx: HealthContext): Finding[] {
  const { config } = ctx;
  const findings: Finding[] = [];
  const { datapointsToAlarm: m, evaluationPeriods: n } = config.lag;
  for (const instance of ctx.topology.instances) {
    if (engineFamily(instance.engine) !== 'postgres') continue;
    const samples = inWindow(
      samplesOf(ctx.metrics.find(instance.region, SLOT_LAG_METRIC, { DBInstanceIdentifier: instance.id })),
      ctx.now,
      config.lag.windowMinutes,
    );
    const recent = samples.slice(-n);
    const { warningBytes, criticalBytes } = config.replicationSlot;
    const over = (limit: number) => recent.filter((s) => s.value > limit).length;
    const severity: Severity | undefined =
      over(criticalBytes) >= m ? 'critical' : over(warningBytes) >= m ? 'warning' : undefined;
    if (!severity) continue;
    const limit = severity === 'critical' ? criticalBytes : warningBytes;
    const latest = recent[recent.length - 1]!.value;
    const since = streakStart(samples, (v) => v > warningBytes);
    findings.push(
      finding(config, {
        code: 'REPLICATION_SLOT_LAG_HIGH',
        severity,
        region: instance.region,
        resource: instance.id,
        message:
          `${instance.id} (${instance.region}) retains ${formatBytes(latest)} of WAL for its slowest replication slot, ` +
          `over the ${severity} threshold of ${formatBytes(limit)} in ${over(limit)} of the last ${recent.length} minutes, since ${since}.`,
        evidence: {
          metric: SLOT_LAG_METRIC,
          bytes: latest,
          thresholdBytes: limit,
          datapointsOver: over(limit),
          evaluatedDatapoints: recent.length,
          since: since ?? null,
        },
        hint: 'Find the slot in pg_replication_slots (inactive or far behind); fix or drop its consumer before the WAL fills the storage.',
      }),
    );
  }
  return findings;
}

function degradedFinding(config: Config, region: string, error: ReadError): Finding {
  const blind = DESCRIBE_OPERATIONS.test(error.operation);
  return finding(config, {
    code: 'CHECK_DEGRADED',
    severity: blind ? 'critical' : 'warning',
    region,
    resource: error.operation,
    message:
      `${error.operation} failed in ${region}` +
      (error.code ? ` (${error.code})` : '') +
      `: ${error.message}. ` +
      (blind
        ? `Replication in ${region} is not being checked.`
        : `Lag in ${region} is unknown this run; the other regions are fully reported.`),
    evidence: { operation: error.operation, errorCode: error.code ?? null, error: error.message },
    hint: 'Check the checker role\'s permissions and the region\'s RDS/CloudWatch endpoints; throttling clears on its own, access denied does not.',
  });
}

export function evaluateHealth(ctx: HealthContext): HealthResult {
  const findings: Finding[] = [];
  const metricsFailedIn = new Set<string>();
  for (const [region, data] of Object.entries(ctx.snapshot.regions)) {
    for (const error of data.errors ?? []) {
      findings.push(degradedFinding(ctx.config, region, error));
      if (error.operation.startsWith('cloudwatch:')) metricsFailedIn.add(region);
    }
  }

  const replicas: ReplicaHealth[] = [];
  for (const replica of ctx.topology.replicas) {
    if (!ctx.snapshot.regions[replica.region]) {
      // A global secondary in a region this run does not read: say so rather than guess.
      replicas.push({ replica, lagSeconds: null, status: 'unknown', note: 'region not read' });
      findings.push(
        finding(ctx.config, {
          code: 'CHECK_DEGRADED',
          severity: 'warning',
          region: replica.region,
          resource: replica.id,
          message: `${replica.id} replicates from ${replica.sourceId} (${replica.sourceRegion}) into ${replica.region}, a region this check does not read: its health is unknown.`,
          evidence: { operation: 'region-not-read', replicaRegion: replica.region },
          hint: `Add ${replica.region} to "regions" in the config (or to --regions).`,
        }),
      );
      continue;
    }
    const result = evaluateReplica(ctx, replica, metricsFailedIn.has(replica.region));
    replicas.push(result.health);
    findings.push(...result.findings);
  }
  findings.push(...slotLagFindings(ctx));
  return { replicas, findings };
}
