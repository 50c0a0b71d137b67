/**
 * How every lag rule reads a replica's lag: the window, the series chosen, M of N, staleness,
 * -1 markers, and whether an idle PostgreSQL source explains the reading.
 */
import type { EvaluationContext } from '../context';
import type { EvidenceValue } from '../../findings';
import { formatBytes } from '../../shared/format';
import { analyseIdleSawtooth } from './idle-sawtooth';
import {
  lagMetricsFor,
  samplesOf,
  SLOT_LAG_METRIC,
  WAL_RATE_METRIC,
  type LagMetric,
  type LagPurpose,
  type Sample,
} from '../../fleet/metric-plan';
import { engineFamily, type Replica } from '../../fleet/topology';

export function inWindow(samples: readonly Sample[], now: Date, windowMinutes: number): Sample[] {
  const from = now.getTime() - windowMinutes * 60_000;
  return samples.filter((s) => {
    const t = Date.parse(s.timestamp);
    return t > from && t <= now.getTime() + 60_000;
  });
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

/** Minutes a lag series may trail "now" before the replica counts as having stopped reporting. */
const INGESTION_GRACE_MINUTES = 3;

interface ResolvedLag {
  readonly metric: LagMetric;
  /** Every datapoint in the window, oldest first, raw values (-1 kept). */
  readonly samples: readonly Sample[];
}

function resolveLag(ctx: EvaluationContext, replica: Replica, purpose: LagPurpose): ResolvedLag | undefined {
  for (const metric of lagMetricsFor(replica, purpose)) {
    const samples = inWindow(
      samplesOf(ctx.metrics.find(replica.region, metric.metricName, metric.dimensions)),
      ctx.now,
      ctx.config.lag.windowMinutes,
    );
    if (samples.length > 0) return { metric, samples };
  }
  return undefined;
}

/** A replica's lag over the window, normalised to seconds, as every lag rule reads it. */
export interface LagWindow {
  readonly metric: LagMetric;
  /** Valid datapoints in the window in seconds, oldest first (no -1 markers). */
  readonly seconds: readonly Sample[];
  /** Valid datapoints among the last N that are recent enough to count, in seconds. */
  readonly recent: readonly Sample[];
  /** -1 ("not running") datapoints among the last N. */
  readonly minusOnes: number;
  readonly minusOneSince?: string;
  /** The newest datapoint in seconds; null when it is -1. */
  readonly latestSeconds: number | null;
  readonly newestAt: string;
  /** The newest datapoint is older than N minutes plus ingestion grace: the replica stopped reporting. */
  readonly stale: boolean;
}

/** Datapoints older than the last N minutes plus ingestion grace do not count towards M of N. */
function oldestCountedTime(ctx: EvaluationContext): number {
  return ctx.now.getTime() - (ctx.config.lag.evaluationPeriods + INGESTION_GRACE_MINUTES) * 60_000;
}

/** The last N datapoints that are recent enough to count. */
export function lastCounted(ctx: EvaluationContext, samples: readonly Sample[]): Sample[] {
  const oldest = oldestCountedTime(ctx);
  return samples.slice(-ctx.config.lag.evaluationPeriods).filter((s) => Date.parse(s.timestamp) > oldest);
}

export function lagWindow(ctx: EvaluationContext, replica: Replica, purpose: LagPurpose = 'lag'): LagWindow | undefined {
  const lag = resolveLag(ctx, replica, purpose);
  if (!lag) return undefined;
  const { metric, samples } = lag;
  const isMarker = (s: Sample) => metric.minusOneMeansBroken && s.value === -1;
  const toSeconds = (s: Sample) => ({ ...s, value: s.value * metric.toSeconds });
  const lastN = lastCounted(ctx, samples);
  const newest = samples[samples.length - 1]!;
  return {
    metric,
    seconds: samples.filter((s) => !isMarker(s)).map(toSeconds),
    recent: lastN.filter((s) => !isMarker(s)).map(toSeconds),
    minusOnes: lastN.filter(isMarker).length,
    minusOneSince: metric.minusOneMeansBroken ? streakStart(samples, (v) => v === -1) : undefined,
    latestSeconds: isMarker(newest) ? null : newest.value * metric.toSeconds,
    newestAt: newest.timestamp,
    stale: Date.parse(newest.timestamp) <= oldestCountedTime(ctx),
  };
}

/**
 * M of the last N datapoints; when fewer than M datapoints arrived, all of them. Sparse data
 * must not hide lag that every datapoint shows.
 */
export function isSustained(over: number, available: number, datapointsToAlarm: number): boolean {
  return available >= datapointsToAlarm ? over >= datapointsToAlarm : available > 0 && over === available;
}

/** Whether the idle-source explanation was applied to a lag reading, why, and on what evidence. */
export interface IdleExplanation {
  readonly applied: boolean;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, EvidenceValue>>;
}

function sourceSeries(ctx: EvaluationContext, replica: Replica, metricName: string): Sample[] {
  const dims = { DBInstanceIdentifier: replica.sourceId };
  return inWindow(samplesOf(ctx.metrics.find(replica.sourceRegion, metricName, dims)), ctx.now, ctx.config.lag.windowMinutes);
}

/**
 * The RDS for PostgreSQL idle-source artefact: with no user writes on the source, a replica's
 * ReplicaLag climbs with the clock and starts over at each WAL segment switch (every 5 min), so
 * it reports up to ~5 min of lag that is not data behind. Decided on the curve's shape, with the
 * source's WAL rate and slot lag as byte-level checks where they were read. Undefined for
 * replicas the artefact cannot apply to.
 */
export function idleExplanation(ctx: EvaluationContext, replica: Replica, lag: LagWindow): IdleExplanation | undefined {
  if (replica.kind !== 'rds-read-replica' || engineFamily(replica.engine) !== 'postgres') return undefined;
  const { maxLagSeconds, maxSourceWalBytesPerSecond, maxSourceSlotLagBytes } = ctx.config.postgresIdle;
  const sourceInstance = replica.source?.instance;
  const notApplied = (reason: string, extra: Record<string, EvidenceValue> = {}): IdleExplanation => ({
    applied: false,
    reason,
    evidence: { idleExplanation: 'not applied', idleReason: reason, idleCapSeconds: maxLagSeconds, ...extra },
  });
  if (!sourceInstance) return notApplied(`source ${replica.sourceId} was not described this run`);
  // An intermediate replica writes no WAL of its own: its quiet says nothing about the real primary.
  if (sourceInstance.ReadReplicaSourceDBInstanceIdentifier) {
    return notApplied(`source ${replica.sourceId} is itself a replica`);
  }

  const shape = analyseIdleSawtooth(lag.seconds, maxLagSeconds);
  const wal = sourceSeries(ctx, replica, WAL_RATE_METRIC);
  const walMean = wal.length ? Math.round(wal.reduce((sum, s) => sum + s.value, 0) / wal.length) : null;
  const slot = sourceSeries(ctx, replica, SLOT_LAG_METRIC);
  const slotPeak = slot.length ? Math.max(...slot.map((s) => s.value)) : null;
  const facts: Record<string, EvidenceValue> = {
    lagResets: shape.resets,
    lagSlope: shape.slope,
    sourceWalBytesPerSecond: walMean,
    sourceSlotLagBytes: slotPeak,
  };
  if (!shape.idle) return notApplied(shape.reason, facts);
  if (walMean !== null && walMean > maxSourceWalBytesPerSecond) {
    return notApplied(
      `source writes ${formatBytes(walMean)}/s of WAL on average, more than RDS's own heartbeat and segment switches (${formatBytes(maxSourceWalBytesPerSecond)}/s)`,
      facts,
    );
  }
  if (slotPeak !== null && slotPeak > maxSourceSlotLagBytes) {
    return notApplied(`source holds ${formatBytes(slotPeak)} of WAL for a replication slot`, facts);
  }
  const bytes = [
    slotPeak !== null ? `source slot lag ${formatBytes(slotPeak)}` : undefined,
    walMean !== null ? `source WAL ${formatBytes(walMean)}/s` : undefined,
  ].filter((x): x is string => x !== undefined);
  const reason = shape.reason + (bytes.length ? `; ${bytes.join(', ')}` : '; no byte-level source metric read');
  return { applied: true, reason, evidence: { idleExplanation: 'applied', idleReason: reason, idleCapSeconds: maxLagSeconds, ...facts } };
}

/** "since T", or "since at least T" when the streak began before the window. */
export function sinceText(since: string | undefined, windowStart: string | undefined): string {
  if (!since) return '';
  return since === windowStart ? `since at least ${since}` : `since ${since}`;
}
