/** RPO: a DR target's lag over the primary's RPO, read exactly as the health engine reads lag. */
import { readsDetail, readsLag } from '../../fleet/cadence';
import type { EvaluationContext } from '../context';
import type { EvidenceValue } from '../../findings';
import { idleExplanation, isSustained, lagWindow, sinceText, streakStart } from '../health/health';
import { lagMetricsFor, seriesName } from '../../fleet/metric-plan';
import type { Replica } from '../../fleet/topology';

export interface RpoCheck {
  readonly over: number;
  readonly evaluated: number;
  readonly peakSeconds: number;
  readonly latestSeconds: number | null;
  readonly metric: string;
  /** The exact series read, e.g. `AuroraGlobalDBRPOLag{DBClusterIdentifier=x,SourceRegion=y}`. */
  readonly series: string;
  readonly sustained: boolean;
  /** "since T" or "since at least T". */
  readonly since: string;
  /** Why the idle-source explanation was not applied, for PostgreSQL replicas. */
  readonly idleEvidence?: Readonly<Record<string, EvidenceValue>>;
}

/**
 * Whether this run read the series the RPO of a replica is judged on. A full read reads it; a lag
 * read too when it is the replica's lag series (every kind but an Aurora Global Database
 * secondary, whose RPOLag is a series of its own, read on full reads only). A run that did not
 * read it carries the replica's RPO verdict.
 */
export function rpoReadThisRun(ctx: EvaluationContext, replica: Replica): boolean {
  const reads = ctx.reads ?? 'full';
  if (readsDetail(reads)) return true;
  // Stryker disable next-line all: a status read judges no DR target's lag, so no RPO check reaches here (docs/mutation-testing.md).
  if (!readsLag(reads)) return false;
  const [rpo] = lagMetricsFor(replica, 'rpo');
  const [lag] = lagMetricsFor(replica, 'lag');
  // Stryker disable next-line ConditionalExpression,LogicalOperator: both lists hold the same series, so both are empty or neither is.
  return rpo !== undefined && lag !== undefined && seriesName(rpo) === seriesName(lag);
}

/** Lag over the RPO in M of the last N datapoints, read exactly as the health engine reads lag. */
export function rpoCheck(ctx: EvaluationContext, replica: Replica, rpoSeconds: number): RpoCheck | undefined {
  if (!rpoReadThisRun(ctx, replica)) return undefined;
  const lag = lagWindow(ctx, replica, 'rpo');
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a stale series has no recent datapoint, and none is never sustained.
  if (!lag || lag.stale || lag.recent.length === 0) return undefined;
  const peak = Math.max(...lag.recent.map((s) => s.value));
  // PostgreSQL reports up to ~5 min of lag when its source writes nothing: no data is at risk then.
  const idle = idleExplanation(ctx, replica, lag);
  if (idle?.applied) return undefined;
  const over = lag.recent.filter((s) => s.value > rpoSeconds).length;
  return {
    over,
    evaluated: lag.recent.length,
    sustained: isSustained(over, lag.recent.length, ctx.config.lag.datapointsToAlarm),
    peakSeconds: peak,
    latestSeconds: lag.latestSeconds,
    metric: lag.metric.metricName,
    series: seriesName(lag.metric),
    // Stryker disable next-line OptionalChaining: a recent datapoint implies a first one.
    since: sinceText(streakStart(lag.seconds, (v) => v > rpoSeconds), lag.seconds[0]?.timestamp),
    idleEvidence: idle?.evidence,
  };
}
