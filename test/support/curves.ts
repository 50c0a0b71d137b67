/** Generated lag curves: one value per minute, oldest first, as `series`/`lag` in fleet.ts take them. */

/** Deterministic noise in [-amplitude, amplitude], so a failing curve can be reproduced. */
export function noise(seed: number, amplitude: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return Math.round(((state / 2 ** 32) * 2 - 1) * amplitude);
  };
}

export interface SawtoothOptions {
  /** Datapoints, one a minute. @default 15 */
  readonly minutes?: number;
  /** Seconds between resets (a commit the replica replays). @default 300 */
  readonly periodSeconds?: number;
  /** Seconds already elapsed since the last reset at the first datapoint. @default 0 */
  readonly phaseSeconds?: number;
  /** Seconds of lag gained per second of clock. @default 1 */
  readonly rate?: number;
  /** Largest jitter added to each datapoint, in seconds. @default 0 */
  readonly jitterSeconds?: number;
  readonly seed?: number;
}

/** ReplicaLag of a PostgreSQL replica whose lag climbs at `rate` and starts over every `periodSeconds`. */
export function sawtooth(options: SawtoothOptions = {}): number[] {
  const { minutes = 15, periodSeconds = 300, phaseSeconds = 0, rate = 1, jitterSeconds = 0, seed = 7 } = options;
  const jitter = noise(seed, jitterSeconds);
  return Array.from({ length: minutes }, (_, i) => {
    const sinceReset = (phaseSeconds + i * 60) % periodSeconds;
    return Math.max(0, Math.round(sinceReset * rate) + jitter());
  });
}

/** Lag that never resets: `start` seconds at the first datapoint, `rate` seconds gained per second. */
export function ramp(start: number, rate: number, minutes = 15): number[] {
  return Array.from({ length: minutes }, (_, i) => Math.round(start + i * 60 * rate));
}
