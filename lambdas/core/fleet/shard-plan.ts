/**
 * How an organization's accounts are split across parallel readers (the Step Functions fan-out),
 * and how long a run takes. Pure: the plan and the estimates come from measured read times only.
 *
 * A reader takes the next account whenever one of its `accountConcurrency` slots frees up (as
 * `mapLimit` does), so a shard's time is list scheduling of its accounts, in order, on that many
 * lanes. A run's critical path is the same scheduling of its shards on the Map's concurrency.
 */
import type { AccountTarget } from './accounts';

/** Measured times of one read (see bench/fan-out.bench.ts). */
export interface ReadTimes {
  /** One sts:AssumeRole call; the deploying account (no roleArn) makes none. */
  readonly assumeRoleMs: number;
  /** Reading one region of one account (describes and metrics, paced). */
  readonly accountRegionReadMs: number;
}

export interface ShardBudget {
  /** Time one reader may spend reading: its timeout minus a margin for writing its part. */
  readonly readBudgetMs: number;
  /** Accounts one reader reads at once. */
  readonly accountConcurrency: number;
  /** Regions of one account read at once. */
  readonly regionConcurrency: number;
  /** Most accounts in one shard: bounds a reader's memory and its part's size. */
  readonly maxAccountsPerShard: number;
  readonly times: ReadTimes;
}

export interface Shard {
  /** 0-based, in plan order; names the shard's part. */
  readonly index: number;
  readonly accounts: readonly AccountTarget[];
  /** Estimated read time of the shard. */
  readonly estimatedMs: number;
}

export interface ShardPlan {
  readonly shards: readonly Shard[];
  /** Accounts that alone take longer than the budget: they get a shard each and may be cut short. */
  readonly overBudget: readonly string[];
}

export class ShardPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardPlanError';
  }
}

function checkBudget(budget: ShardBudget): void {
  for (const [name, value] of [['readBudgetMs', budget.readBudgetMs], ['times.accountRegionReadMs', budget.times.accountRegionReadMs]] as const) {
    if (!(Number.isFinite(value) && value > 0)) throw new ShardPlanError(`${name} must be a positive number of milliseconds (got ${value})`);
  }
  if (!(Number.isFinite(budget.times.assumeRoleMs) && budget.times.assumeRoleMs >= 0)) {
    throw new ShardPlanError(`times.assumeRoleMs must be 0 or more milliseconds (got ${budget.times.assumeRoleMs})`);
  }
  for (const [name, value] of [
    ['accountConcurrency', budget.accountConcurrency],
    ['regionConcurrency', budget.regionConcurrency],
    ['maxAccountsPerShard', budget.maxAccountsPerShard],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new ShardPlanError(`${name} must be a whole number of at least 1 (got ${value})`);
  }
}

/** Time to read one account: its AssumeRole, then its regions in waves of `regionConcurrency`. */
export function accountReadMs(target: AccountTarget, budget: Pick<ShardBudget, 'regionConcurrency' | 'times'>): number {
  const waves = Math.ceil(target.regions.length / budget.regionConcurrency);
  return (target.roleArn ? budget.times.assumeRoleMs : 0) + waves * budget.times.accountRegionReadMs;
}

/** List scheduling, in order, on `lanes` parallel lanes: the time the last one finishes. */
export function listScheduleMs(durations: readonly number[], lanes: number): number {
  const ends = new Array<number>(Math.max(1, Math.min(lanes, durations.length))).fill(0);
  for (const d of durations) {
    let min = 0;
    for (let i = 1; i < ends.length; i++) if (ends[i]! < ends[min]!) min = i;
    ends[min]! += d;
  }
  return Math.max(0, ...ends);
}

/**
 * Splits accounts into shards that each fit the read budget. Accounts are taken in account id
 * order so that a shard holds the same accounts from run to run (its logs and failures compare).
 */
export function planShards(targets: readonly AccountTarget[], budget: ShardBudget): ShardPlan {
  checkBudget(budget);
  const sorted = [...targets].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const shards: Shard[] = [];
  const overBudget: string[] = [];
  let accounts: AccountTarget[] = [];
  let lanes: number[] = [];
  const close = () => {
    if (accounts.length === 0) return;
    shards.push({ index: shards.length, accounts, estimatedMs: Math.max(...lanes) });
    accounts = [];
    lanes = [];
  };
  for (const target of sorted) {
    const ms = accountReadMs(target, budget);
    if (ms > budget.readBudgetMs) {
      // Alone, so that it cannot push the accounts beside it past the reader's timeout.
      overBudget.push(target.accountId);
      close();
      accounts = [target];
      lanes = [ms];
      close();
      continue;
    }
    // The lane the account would run on: the first to free up.
    const next = lanes.length < budget.accountConcurrency ? 0 : Math.min(...lanes);
    const full = accounts.length >= budget.maxAccountsPerShard || (accounts.length > 0 && next + ms > budget.readBudgetMs);
    if (full) close();
    if (lanes.length < budget.accountConcurrency) lanes.push(ms);
    else lanes[lanes.indexOf(Math.min(...lanes))]! += ms;
    accounts.push(target);
  }
  close();
  return { shards, overBudget };
}

/** How many accounts of `regionsPerAccount` regions one reader reads within its budget. */
export function accountsPerReader(regionsPerAccount: number, budget: ShardBudget): number {
  checkBudget(budget);
  const ms = accountReadMs({ accountId: '000000000000', regions: new Array<string>(regionsPerAccount).fill('r'), roleArn: 'x' }, budget);
  const perLane = Math.max(1, Math.floor(budget.readBudgetMs / ms));
  return Math.min(budget.maxAccountsPerShard, perLane * budget.accountConcurrency);
}

export interface FanOutTimes {
  /** Parallel shards the Map runs at once. */
  readonly mapConcurrency: number;
  /** A reader's timeout: a shard that runs longer is stopped there (and its accounts reported degraded). */
  readonly readerTimeoutMs: number;
  /** Per shard: state transition, invocation and writing its part. */
  readonly shardOverheadMs: number;
  /** Planning the shards before the Map. */
  readonly planMs: number;
  /** Reading the parts, merging and running the checker pipeline after the Map. */
  readonly aggregateMs: number;
}

export interface CriticalPath {
  readonly shards: number;
  readonly waves: number;
  readonly mapMs: number;
  readonly totalMs: number;
  readonly slowestShardMs: number;
}

/** The simulated critical path of one run: plan, the Map over the shards, then the aggregate step. */
export function criticalPath(plan: ShardPlan, times: FanOutTimes): CriticalPath {
  const durations = plan.shards.map((s) => Math.min(s.estimatedMs, times.readerTimeoutMs) + times.shardOverheadMs);
  const mapMs = listScheduleMs(durations, times.mapConcurrency);
  return {
    shards: plan.shards.length,
    waves: Math.ceil(plan.shards.length / times.mapConcurrency),
    mapMs,
    totalMs: times.planMs + mapMs + times.aggregateMs,
    slowestShardMs: Math.max(0, ...durations),
  };
}
