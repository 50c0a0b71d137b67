import { describe, expect, it } from 'vitest';
import type { AccountTarget } from '../../../lambdas/core/fleet/accounts';
import {
  accountReadMs,
  accountsPerReader,
  criticalPath,
  listScheduleMs,
  planShards,
  ShardPlanError,
  type ShardBudget,
} from '../../../lambdas/core/fleet/shard-plan';

const budget: ShardBudget = {
  readBudgetMs: 1_000,
  accountConcurrency: 2,
  regionConcurrency: 4,
  maxAccountsPerShard: 100,
  times: { assumeRoleMs: 100, accountRegionReadMs: 200 },
};

const account = (n: number, regions = 2, roleArn = true): AccountTarget => {
  const accountId = String(100000000000 + n);
  return {
    accountId,
    regions: Array.from({ length: regions }, (_, i) => `r-${i}`),
    ...(roleArn ? { roleArn: `arn:aws:iam::${accountId}:role/ReplicationGuardReader` } : {}),
  };
};

describe('accountReadMs', () => {
  it('adds the AssumeRole only for a member account and reads regions in waves', () => {
    expect(accountReadMs(account(1, 4), budget)).toBe(300);
    expect(accountReadMs(account(1, 5), budget)).toBe(500);
    expect(accountReadMs(account(1, 4, false), budget)).toBe(200);
  });
});

describe('listScheduleMs', () => {
  it('puts each item on the lane that frees up first', () => {
    expect(listScheduleMs([5, 1, 1, 1, 1, 1], 2)).toBe(5);
    expect(listScheduleMs([3, 3, 3], 2)).toBe(6);
    expect(listScheduleMs([], 3)).toBe(0);
  });
});

describe('planShards', () => {
  it('keeps every shard within the budget and every account in exactly one shard', () => {
    // Prepare: 300 ms each, 2 lanes: 3 per lane fit in 1,000 ms, so 6 per shard.
    const targets = Array.from({ length: 20 }, (_, i) => account(20 - i));

    // Act
    const plan = planShards(targets, budget);

    // Assess
    expect(plan.shards.map((s) => s.accounts.length)).toEqual([6, 6, 6, 2]);
    expect(plan.shards.every((s) => s.estimatedMs <= budget.readBudgetMs)).toBe(true);
    const ids = plan.shards.flatMap((s) => s.accounts.map((a) => a.accountId));
    expect(ids).toEqual([...targets.map((t) => t.accountId)].sort());
    expect(plan.shards.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(plan.overBudget).toEqual([]);
  });

  it('gives the same shards whatever order the accounts come in', () => {
    const targets = Array.from({ length: 13 }, (_, i) => account(i, 1 + (i % 6)));

    const a = planShards(targets, budget);
    const b = planShards([...targets].reverse(), budget);

    expect(b).toEqual(a);
  });

  it('caps a shard at maxAccountsPerShard even when time is left', () => {
    const plan = planShards(Array.from({ length: 7 }, (_, i) => account(i, 1, false)), { ...budget, readBudgetMs: 60_000, maxAccountsPerShard: 3 });

    expect(plan.shards.map((s) => s.accounts.length)).toEqual([3, 3, 1]);
  });

  it('puts an account slower than the whole budget in a shard of its own and names it', () => {
    const slow = account(5, 40); // 100 + 10 waves x 200 ms
    const plan = planShards([account(1), slow, account(9)], budget);

    expect(plan.overBudget).toEqual([slow.accountId]);
    expect(plan.shards.find((s) => s.accounts.includes(slow))?.accounts).toEqual([slow]);
  });

  it('returns no shard for no account and refuses a budget that cannot be planned', () => {
    expect(planShards([], budget).shards).toEqual([]);
    expect(() => planShards([account(1)], { ...budget, accountConcurrency: 0 })).toThrow(ShardPlanError);
    expect(() => planShards([account(1)], { ...budget, readBudgetMs: Number.NaN })).toThrow(/readBudgetMs/);
    expect(() => planShards([account(1)], { ...budget, times: { assumeRoleMs: -1, accountRegionReadMs: 1 } })).toThrow(/assumeRoleMs/);
  });
});

describe('accountsPerReader', () => {
  it('is the accounts per lane that fit the budget times the lanes, capped by the shard size', () => {
    expect(accountsPerReader(2, budget)).toBe(6);
    expect(accountsPerReader(2, { ...budget, maxAccountsPerShard: 4 })).toBe(4);
    // Slower than the budget: still one per lane.
    expect(accountsPerReader(40, budget)).toBe(2);
  });
});

describe('criticalPath', () => {
  const times = { mapConcurrency: 2, readerTimeoutMs: 10_000, shardOverheadMs: 50, planMs: 10, aggregateMs: 500 };

  it('runs shards in waves of the Map concurrency between the plan and the aggregate step', () => {
    const plan = planShards(Array.from({ length: 20 }, (_, i) => account(i)), budget);

    const path = criticalPath(plan, times);

    // Shards of 900, 900, 900 and 300 ms (+50 each) on 2 lanes: 950+950 | 950+350.
    expect(path).toEqual({ shards: 4, waves: 2, mapMs: 1_900, totalMs: 2_410, slowestShardMs: 950 });
  });

  it('stops a shard at the reader timeout: one slow account cannot hold the run past it', () => {
    const plan = planShards([account(1, 400)], budget);

    const path = criticalPath(plan, { ...times, readerTimeoutMs: 900 });

    expect(path.slowestShardMs).toBe(950);
    expect(path.totalMs).toBe(10 + 950 + 500);
  });
});
