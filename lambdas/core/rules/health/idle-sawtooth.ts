/**
 * The shape RDS for PostgreSQL's ReplicaLag takes when the source writes nothing: the metric is
 * `now() - last replayed commit`, so it climbs with the wall clock (1 s per s) and falls back to
 * near zero each time the source commits something, which RDS makes happen at least every
 * 5 minutes (WAL segment switch). A sawtooth bounded by that period.
 *
 * Pure and engine-agnostic: it only judges the curve. Whether the curve may be explained as idle
 * (engine, source, byte-level evidence) is decided by the caller.
 */
import type { Sample } from '../../fleet/metric-plan';

export interface SawtoothVerdict {
  /** The curve is what an idle source produces: clock-rate climbs, resets, never past the cap. */
  readonly idle: boolean;
  /** Why it is or is not, in a few words (goes into the finding's evidence). */
  readonly reason: string;
  /** Times the lag fell back to less than the time between two datapoints. */
  readonly resets: number;
  /** Mean growth over the climbing steps, seconds of lag per second of clock; null without any. */
  readonly slope: number | null;
  readonly peakSeconds: number;
}

/**
 * How far one step may stray from the clock rate and still count as "growing with the clock":
 * a quarter of the step, and never less than 15 s, which absorbs the few seconds of jitter
 * between when RDS samples the lag and the minute CloudWatch files it under.
 */
function stepTolerance(stepSeconds: number): number {
  return Math.max(0.25 * stepSeconds, 15);
}

/**
 * Judges lag datapoints (seconds, oldest first) against the idle-source shape. Needs at least
 * three datapoints: two steps are the least that show a rate.
 */
export function analyseIdleSawtooth(samples: readonly Sample[], capSeconds: number): SawtoothVerdict {
  const peakSeconds = samples.length ? Math.max(...samples.map((s) => s.value)) : 0;
  const verdict = (idle: boolean, reason: string, resets = 0, slope: number | null = null): SawtoothVerdict => ({
    idle,
    reason,
    resets,
    slope: slope === null ? null : Math.round(slope * 100) / 100,
    peakSeconds,
  });
  if (samples.length < 3) return verdict(false, `only ${samples.length} datapoint(s): too few to see a shape`);
  if (peakSeconds > capSeconds) {
    return verdict(false, `lag reached ${peakSeconds} s, past the ${capSeconds} s an idle source can produce`);
  }

  let resets = 0;
  let rise = 0;
  let riseTime = 0;
  for (let i = 1; i < samples.length; i++) {
    const dt = (Date.parse(samples[i]!.timestamp) - Date.parse(samples[i - 1]!.timestamp)) / 1000;
    if (!(dt > 0)) continue;
    const previous = samples[i - 1]!.value;
    const current = samples[i]!.value;
    const step = current - previous;
    const tolerance = stepTolerance(dt);
    if (step < -tolerance) {
      // A reset restarts the clock: the lag can be at most the time since the previous datapoint.
      if (current > dt + tolerance) {
        return verdict(false, `lag fell from ${previous} s to ${current} s without starting over`, resets);
      }
      resets++;
      continue;
    }
    if (Math.abs(step - dt) > tolerance) {
      const rate = Math.round((step / dt) * 100) / 100;
      return verdict(false, `lag changed at ${rate} s per s, not with the clock (1 s per s)`, resets);
    }
    rise += step;
    riseTime += dt;
  }
  const slope = riseTime > 0 ? rise / riseTime : null;
  if (slope === null) return verdict(false, 'no climbing step to measure', resets);
  return verdict(
    true,
    resets > 0
      ? `lag climbs with the clock and started over ${resets} time(s), never past ${capSeconds} s`
      : `lag climbs with the clock and stayed under ${capSeconds} s`,
    resets,
    slope,
  );
}
