/**
 * How often a scheduled health run reads what. Describe calls are free and carry replication
 * status (StatusInfos, database status); GetMetricData is billed per metric requested, so reading
 * lag every run is what makes a monitor expensive. A run reads one of three levels:
 *
 * - `status`: describes only. Broken replication (StatusInfos, database down) is judged; the
 *   rules that read metrics are not evaluated, and their alerts are carried, never resolved.
 * - `lag`: plus each replica's first lag series (one series per replica): the lag rules run, and
 *   the RPO rule wherever the RPO series is that lag series (all but global secondaries).
 * - `full`: plus slot lag and a global secondary's RPO series; both levels ask again for the
 *   fallbacks of an empty series, and a full read for the WAL rate of a lagging PostgreSQL source.
 *
 * Pure: the level of a run is a function of its scheduled time, so the handler, the cost model
 * and the bench all run what the config says.
 */
export type ReadLevel = 'status' | 'lag' | 'full';
export const READ_LEVELS: readonly ReadLevel[] = ['status', 'lag', 'full'];
export const PROFILE_NAMES = ['economy', 'standard', 'fast'] as const;
export type Profile = (typeof PROFILE_NAMES)[number];

/** Minutes between lag reads and between full reads, per profile. */
export const PROFILES: Readonly<Record<Profile, { readonly lagEveryMinutes: number; readonly detailEveryMinutes: number }>> = {
  fast: { lagEveryMinutes: 1, detailEveryMinutes: 1 },
  standard: { lagEveryMinutes: 5, detailEveryMinutes: 720 },
  economy: { lagEveryMinutes: 15, detailEveryMinutes: 1440 },
};

const DAY_MINUTES = 1440;

export interface Cadence {
  readonly profile: Profile;
  /** Every scheduled run (checkRateMinutes). */
  readonly statusEveryMinutes: number;
  readonly lagEveryMinutes: number;
  readonly detailEveryMinutes: number;
}

/** The config's `schedule` as the cadence reads it (config.ts validates it through cadenceProblem). */
interface Schedule {
  readonly checkRateMinutes: number;
  readonly profile: Profile;
  readonly lagEveryMinutes?: number;
  readonly detailEveryMinutes?: number;
}

/** The smallest multiple of `step` that is at least `atLeast` and divides a day (a day itself at worst). */
function onGrid(atLeast: number, step: number): number {
  for (let m = Math.max(step, Math.ceil(atLeast / step) * step); m < DAY_MINUTES; m += step) {
    if (DAY_MINUTES % m === 0) return m;
  }
  return DAY_MINUTES;
}

/** What is wrong with an explicit cadence, naming the field; undefined when it is usable. */
export function cadenceProblem(schedule: Schedule): { readonly path: string; readonly message: string } | undefined {
  const status = schedule.checkRateMinutes;
  const { lagEveryMinutes: lag, detailEveryMinutes: detail } = schedule;
  if ((lag !== undefined || detail !== undefined) && DAY_MINUTES % status !== 0) {
    return {
      path: lag !== undefined ? 'lagEveryMinutes' : 'detailEveryMinutes',
      message: `needs a checkRateMinutes that divides a day (1440 minutes); checkRateMinutes is ${status}`,
    };
  }
  if (lag !== undefined && (lag % status !== 0 || DAY_MINUTES % lag !== 0)) {
    return { path: 'lagEveryMinutes', message: `must be a multiple of checkRateMinutes (${status}) that divides a day (1440 minutes)` };
  }
  const lagResolved = lag ?? status;
  if (detail !== undefined && (detail % lagResolved !== 0 || DAY_MINUTES % detail !== 0)) {
    return { path: 'detailEveryMinutes', message: `must be a multiple of lagEveryMinutes (${lagResolved}) that divides a day (1440 minutes)` };
  }
  return undefined;
}

/**
 * The cadence of a config. A checkRateMinutes that does not divide a day reads everything every
 * run (the slots below could not line up with it).
 */
export function resolveCadence(schedule: Schedule): Cadence {
  const status = schedule.checkRateMinutes;
  const profile = PROFILES[schedule.profile];
  if (DAY_MINUTES % status !== 0) {
    return { profile: schedule.profile, statusEveryMinutes: status, lagEveryMinutes: status, detailEveryMinutes: status };
  }
  const lag = schedule.lagEveryMinutes ?? onGrid(profile.lagEveryMinutes, status);
  const detail = schedule.detailEveryMinutes ?? onGrid(Math.max(profile.detailEveryMinutes, lag), lag);
  return { profile: schedule.profile, statusEveryMinutes: status, lagEveryMinutes: lag, detailEveryMinutes: detail };
}

/**
 * The level of a run scheduled at `epochMs`. Minutes are counted from the epoch (so slots line up
 * with UTC days); the first run in each lag slot reads lag, the first in each detail slot reads
 * everything. Runs every `statusEveryMinutes` put exactly one run in each slot.
 */
export function readLevelAt(cadence: Cadence, epochMs: number): ReadLevel {
  const minute = Math.floor(epochMs / 60_000);
  const { statusEveryMinutes: status } = cadence;
  if (cadence.detailEveryMinutes <= status || minute % cadence.detailEveryMinutes < status) return 'full';
  if (cadence.lagEveryMinutes <= status || minute % cadence.lagEveryMinutes < status) return 'lag';
  return 'status';
}

/** Whether a level reads what a rule needs. */
export const readsLag = (level: ReadLevel) => level !== 'status';
export const readsDetail = (level: ReadLevel) => level === 'full';

/** Runs of each level in a day of scheduled runs, counted over the day's minutes. */
export function runsPerDay(cadence: Cadence): Readonly<Record<ReadLevel, number>> {
  const counts: Record<ReadLevel, number> = { status: 0, lag: 0, full: 0 };
  for (let minute = 0; minute < DAY_MINUTES; minute += cadence.statusEveryMinutes) counts[readLevelAt(cadence, minute * 60_000)]++;
  return counts;
}

/** Worst-case detection times, in minutes, of a config's scheduled runs (events make broken replication faster). */
export interface DetectionTimes {
  /** From StatusInfos or the database status changing to the run that reads it. */
  readonly brokenMinutes: number;
  /** From lag being over critical long enough for the rule (M of N datapoints published) to the run that reads it. */
  readonly lagOverCriticalMinutes: number;
  /** The same, counted from the first datapoint over critical: the rule's M minutes plus ingestion plus the cadence. */
  readonly lagFromFirstDatapointMinutes: number;
  /** Slot lag and a global secondary's RPO lag (AuroraGlobalDBRPOLag): series of their own, read on full reads. */
  readonly detailMinutes: number;
  /** RPO of every other DR replica: judged on the lag series each lag read asks for. */
  readonly rpoMinutes: number;
}

export function detectionTimes(cadence: Cadence, datapointsToAlarm: number, ingestionMinutes: number): DetectionTimes {
  return {
    brokenMinutes: cadence.statusEveryMinutes,
    lagOverCriticalMinutes: cadence.lagEveryMinutes,
    lagFromFirstDatapointMinutes: datapointsToAlarm + ingestionMinutes + cadence.lagEveryMinutes,
    detailMinutes: cadence.detailEveryMinutes,
    rpoMinutes: cadence.lagEveryMinutes,
  };
}
