/**
 * The fan-out path over 2,000 accounts of 4 regions: the simulated critical path of one Step
 * Functions run (plan → inline Map of shard readers → the checker on the merged parts), from the
 * shard plan and read times measured here:
 *   - one account's read: the live reader over mocked RDS and CloudWatch answering after 50 ms,
 *     an account of 52 replicas over 4 regions (the 10,000 replicas / 200 accounts),
 *     plus the mocked AssumeRole's 100 ms;
 *   - the aggregate step: merging 2,000 parts and evaluating each account, measured.
 * Modelled, not measured: per-shard overhead (Lambda start, S3 plan read and part write) and the
 * Organizations listing (20 accounts per ListAccountsForParent page, one page per 50 ms call).
 */
import { LiveFleetReader } from '../lambdas/aws/live-reader';
import { parseConfig } from '../lambdas/core/config';
import type { AccountTarget } from '../lambdas/core/fleet/accounts';
import { mergeOrgSnapshots } from '../lambdas/core/fleet/merge-shards';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_V2, type FleetSnapshot, type OrgSnapshot } from '../lambdas/core/fleet/model';
import { criticalPath, listScheduleMs, planShards, accountReadMs, accountsPerReader } from '../lambdas/core/fleet/shard-plan';
import { evaluate } from '../lambdas/core/rules/evaluate';
import { Duration } from 'aws-cdk-lib';
import { CHECKER_ACCOUNT_CONCURRENCY, DEFAULT_READ_TIMES, fanOutDecision, INLINE_MAP_MAX_CONCURRENCY, readerBudget } from '../lib/fan-out';
import { BENCH_REGIONS, generateReplicationFleet, type Fleet } from './support/fleet';
import { mockAws } from './support/mock-aws';
import type { Benchmark } from './types';

const ACCOUNTS = 2_000;
const LATENCY_MS = 50;
const ASSUME_ROLE_MS = 100;
const SHARD_OVERHEAD_MS = 1_000;
const ORGANIZATIONS_PAGE_SIZE = 20;
const READER_TIMEOUT = Duration.minutes(4);
const CHECKER_TIMEOUT = Duration.minutes(2);
/** The state machine's timeout with the defaults (lib/fan-out.ts): plan 150 s, two waves of 300 s, checker 150 s. */
const RUN_TIMEOUT_MS = 900_000;

/** A 52-replica account: the generated fleet cut down to 13 instances and 2 clusters a region. */
function smallAccount(): Fleet {
  const full = generateReplicationFleet();
  return Object.fromEntries(
    Object.entries(full).map(([region, f]) => [region, { ...f, instances: f.instances.slice(0, 13), clusters: f.clusters.slice(0, 2), globalClusters: [] }]),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const fanOutBench: Benchmark = {
  name: 'fan-out: Step Functions critical path over 2,000 accounts × 4 regions',
  async run(ctx) {
    // Measure one account's read (its regions in parallel).
    const aws = mockAws(smallAccount(), LATENCY_MS);
    const reads: number[] = [];
    let account!: FleetSnapshot;
    try {
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        account = await new LiveFleetReader({ regions: [...BENCH_REGIONS], clients: (r) => aws.clients(r) }).read();
        reads.push(performance.now() - started);
      }
    } finally {
      aws.restore();
    }
    const regionWaveMs = Math.round(median(reads));
    const times = { assumeRoleMs: ASSUME_ROLE_MS, accountRegionReadMs: regionWaveMs };
    ctx.log(`  one account (4 regions in parallel): ${regionWaveMs} ms read + ${ASSUME_ROLE_MS} ms AssumeRole`);

    // Plan 2,000 accounts with the deployed reader's budget.
    const targets: AccountTarget[] = Array.from({ length: ACCOUNTS }, (_, i) => {
      const accountId = String(100000000000 + i);
      return { accountId, regions: [...BENCH_REGIONS], roleArn: `arn:aws:iam::${accountId}:role/ReplicationGuardReader` };
    });
    const budget = { ...readerBudget(READER_TIMEOUT, CHECKER_ACCOUNT_CONCURRENCY, BENCH_REGIONS.length), times };
    const planStarted = performance.now();
    const plan = planShards(targets, budget);
    const planComputeMs = performance.now() - planStarted;
    const listingMs = Math.ceil(ACCOUNTS / ORGANIZATIONS_PAGE_SIZE) * LATENCY_MS;

    // Measure the aggregate step: merge every part, evaluate every account.
    const config = parseConfig({ regions: [...BENCH_REGIONS] });
    const parts = plan.shards.map((s) => ({
      index: s.index,
      snapshot: { format: SNAPSHOT_FORMAT_V2, capturedAt: account.capturedAt, accounts: Object.fromEntries(s.accounts.map((a) => [a.accountId, { regions: account.regions }])) } satisfies OrgSnapshot,
    }));
    const aggregateStarted = performance.now();
    const merged = mergeOrgSnapshots(plan.shards, parts, account.capturedAt);
    let findings = 0;
    for (const read of Object.values(merged.accounts)) {
      findings += evaluate({ format: SNAPSHOT_FORMAT, capturedAt: merged.capturedAt, regions: read.regions }, { config }).findings.length;
    }
    const aggregateMs = Math.round(performance.now() - aggregateStarted);
    ctx.log(`  aggregate: merged ${Object.keys(merged.accounts).length} accounts and evaluated them in ${aggregateMs} ms (${findings} findings)`);

    const path = criticalPath(plan, {
      mapConcurrency: INLINE_MAP_MAX_CONCURRENCY,
      readerTimeoutMs: READER_TIMEOUT.toMilliseconds(),
      shardOverheadMs: SHARD_OVERHEAD_MS,
      planMs: Math.round(planComputeMs + listingMs),
      aggregateMs,
    });
    // The same run with one account that never answers: its shard is cut at the reader's timeout.
    const slow = { ...plan, shards: plan.shards.map((s, i) => (i === 0 ? { ...s, estimatedMs: 3_600_000 } : s)) };
    const slowPath = criticalPath(slow, {
      mapConcurrency: INLINE_MAP_MAX_CONCURRENCY,
      readerTimeoutMs: READER_TIMEOUT.toMilliseconds(),
      shardOverheadMs: SHARD_OVERHEAD_MS,
      planMs: Math.round(planComputeMs + listingMs),
      aggregateMs,
    });
    const perAccount = accountReadMs(targets[0]!, budget);
    const singleProcessReadMs = listScheduleMs(targets.map(() => perAccount), CHECKER_ACCOUNT_CONCURRENCY);
    const threshold = accountsPerReader(BENCH_REGIONS.length, {
      ...budget,
      readBudgetMs: CHECKER_TIMEOUT.toMilliseconds() - 30_000,
      accountConcurrency: CHECKER_ACCOUNT_CONCURRENCY,
      maxAccountsPerShard: Number.MAX_SAFE_INTEGER,
    });
    ctx.log(
      `  ${plan.shards.length} shards of up to ${Math.max(...plan.shards.map((s) => s.accounts.length))} accounts, ${path.waves} wave(s): ` +
        `critical path ${(path.totalMs / 1000).toFixed(1)} s (map ${(path.mapMs / 1000).toFixed(1)} s); one process would read for ${(singleProcessReadMs / 1000).toFixed(0)} s`,
    );
    ctx.log(`  with one account that never answers: ${(slowPath.totalMs / 1000).toFixed(1)} s (its shard cut at ${READER_TIMEOUT.toSeconds()} s)`);
    // The deployed threshold and plan use DEFAULT_READ_TIMES: live calls are slower than the 50 ms mock.
    const deployedPlan = planShards(targets, readerBudget(READER_TIMEOUT, CHECKER_ACCOUNT_CONCURRENCY, BENCH_REGIONS.length));
    const deployedPath = criticalPath(deployedPlan, {
      mapConcurrency: INLINE_MAP_MAX_CONCURRENCY,
      readerTimeoutMs: READER_TIMEOUT.toMilliseconds(),
      shardOverheadMs: SHARD_OVERHEAD_MS,
      planMs: Math.round(planComputeMs + listingMs),
      aggregateMs,
    });
    const deployedThreshold = fanOutDecision(config, { checkerTimeout: CHECKER_TIMEOUT, expectedAccounts: ACCOUNTS }).threshold;
    ctx.log(
      `  at the deployed read times (${DEFAULT_READ_TIMES.accountRegionReadMs} ms a wave of regions): ${deployedPlan.shards.length} shards, ` +
        `critical path ${(deployedPath.totalMs / 1000).toFixed(1)} s; fan-out above ${deployedThreshold} accounts`,
    );
    if (deployedPath.totalMs > RUN_TIMEOUT_MS) ctx.fail(`at the deployed read times the critical path ${deployedPath.totalMs} ms is over the ${RUN_TIMEOUT_MS} ms timeout`);
    ctx.log(`  threshold at these read times: the single checker reads up to ${threshold} accounts in its ${CHECKER_TIMEOUT.toSeconds()} s`);
    if (path.totalMs > RUN_TIMEOUT_MS) ctx.fail(`critical path ${path.totalMs} ms is over the state machine's ${RUN_TIMEOUT_MS} ms timeout`);
    if (slowPath.totalMs > RUN_TIMEOUT_MS) ctx.fail(`a slow account pushes the run to ${slowPath.totalMs} ms, over the ${RUN_TIMEOUT_MS} ms timeout`);
    if (path.waves > 2) ctx.fail(`${path.waves} waves of shards: more than the two the run timeout allows for`);

    return {
      fanOutAccounts: ACCOUNTS,
      fanOutAccountReadMs: regionWaveMs + ASSUME_ROLE_MS,
      fanOutShards: plan.shards.length,
      fanOutWaves: path.waves,
      fanOutSlowestShardMs: path.slowestShardMs,
      fanOutAggregateMs: aggregateMs,
      fanOutCriticalPathMs: path.totalMs,
      fanOutCriticalPathWithStuckAccountMs: slowPath.totalMs,
      fanOutSingleProcessReadMs: singleProcessReadMs,
      fanOutThresholdAccountsAtMeasuredTimes: threshold,
      fanOutShardsAtDeployedTimes: deployedPlan.shards.length,
      fanOutCriticalPathAtDeployedTimesMs: deployedPath.totalMs,
      fanOutThresholdAccounts: deployedThreshold,
    };
  },
};
