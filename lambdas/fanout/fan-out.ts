/**
 * The steps of a fan-out run (lib/fan-out.ts runs them on Step Functions): plan the shards, read
 * one shard into a part, and read the parts back as one OrgSnapshot for the checker pipeline.
 * Readers only read; everything that judges, stores alert states or notifies runs once, after.
 * No SDK here: the run's objects and the reader are injected.
 */
import type { AccountTarget } from '../core/fleet/accounts';
import { mergeOrgSnapshots, type PlannedShard, type ShardOutcome } from '../core/fleet/merge-shards';
import { SNAPSHOT_FORMAT_V2, type AccountSnapshot, type OrgSnapshot } from '../core/fleet/model';
import type { OrgReader } from '../core/fleet/reader';
import { planShards, type ShardBudget } from '../core/fleet/shard-plan';

/** Where a run keeps its plan and parts (an S3 bucket once deployed). */
export interface RunObjects {
  put(key: string, value: unknown): Promise<void>;
  /** undefined when there is no such object. */
  get(key: string): Promise<unknown>;
}

export const planKey = (runId: string) => `runs/${runId}/plan.json`;
export const partKey = (runId: string, index: number) => `runs/${runId}/part-${String(index).padStart(4, '0')}.json`;

export class FanOutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FanOutError';
  }
}

/** A reader that ran out of its time: the Map records the shard as failed, its accounts degraded. */
export class ShardTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardTimeoutError';
  }
}

interface StoredPlan {
  readonly runId: string;
  readonly capturedAt: string;
  readonly shards: readonly { readonly index: number; readonly accounts: readonly AccountTarget[] }[];
}

export interface PlanEvent {
  /** The execution's name: unique per run, names its objects. */
  readonly runId: string;
  /** The execution's start time: the merged snapshot's capturedAt. */
  readonly startedAt: string;
}

/** The Map's items stay small (an index per shard): the accounts travel through S3, not the 256 KB state. */
export interface PlanOutput {
  readonly runId: string;
  readonly capturedAt: string;
  readonly shards: readonly { readonly runId: string; readonly index: number; readonly accounts: number }[];
}

const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

function checkRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw new FanOutError(`runId must be 1-80 letters, digits, _ or - (got ${JSON.stringify(runId)})`);
  return runId;
}

export async function planRun(
  event: PlanEvent,
  deps: { readonly resolveTargets: () => Promise<readonly AccountTarget[]>; readonly budget: ShardBudget; readonly objects: RunObjects },
): Promise<PlanOutput> {
  const runId = checkRunId(event.runId);
  const capturedAt = new Date(event.startedAt);
  if (Number.isNaN(capturedAt.getTime())) throw new FanOutError(`startedAt must be an ISO-8601 time (got ${JSON.stringify(event.startedAt)})`);
  const plan = planShards(await deps.resolveTargets(), deps.budget);
  const stored: StoredPlan = { runId, capturedAt: capturedAt.toISOString(), shards: plan.shards.map(({ index, accounts }) => ({ index, accounts })) };
  await deps.objects.put(planKey(runId), stored);
  return { runId, capturedAt: stored.capturedAt, shards: plan.shards.map((s) => ({ runId, index: s.index, accounts: s.accounts.length })) };
}

async function loadPlan(objects: RunObjects, runId: string): Promise<StoredPlan> {
  const plan = (await objects.get(planKey(runId))) as StoredPlan | undefined;
  if (!plan || !Array.isArray(plan.shards)) throw new FanOutError(`run ${runId} has no plan at ${planKey(runId)}`);
  return plan;
}

export interface ShardEvent {
  readonly runId: string;
  readonly index: number;
}

export interface ShardResult {
  readonly index: number;
  readonly accounts: number;
}

/**
 * Reads one shard and writes its part. Stops at `remainingMs() - marginMs`: a shard still reading
 * then fails as a whole (its accounts degraded) rather than delay the run past its deadline.
 */
export async function readShard(
  event: ShardEvent,
  deps: { readonly reader: OrgReader; readonly objects: RunObjects; readonly remainingMs: () => number; readonly marginMs: number },
): Promise<ShardResult> {
  const runId = checkRunId(event.runId);
  const plan = await loadPlan(deps.objects, runId);
  const shard = plan.shards.find((s) => s.index === event.index);
  if (!shard) throw new FanOutError(`run ${runId} has no shard ${JSON.stringify(event.index)}`);
  const budgetMs = deps.remainingMs() - deps.marginMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ShardTimeoutError(`shard ${shard.index} (${shard.accounts.length} accounts) still reading after ${Math.max(0, budgetMs)} ms`)),
      Math.max(0, budgetMs),
    );
  });
  try {
    const snapshot = await Promise.race([deps.reader.read(shard.accounts), deadline]);
    await deps.objects.put(partKey(runId, shard.index), snapshot);
  } finally {
    clearTimeout(timer);
  }
  return { index: shard.index, accounts: shard.accounts.length };
}

/** One Map result: the shard's result, or the error the Map caught for it. */
export type ShardRunResult = ShardResult | { readonly index: number; readonly failure: string };

export interface AggregateEvent {
  readonly runId: string;
  readonly capturedAt: string;
  readonly results: readonly ShardRunResult[];
}

function isPart(value: unknown): value is OrgSnapshot {
  const v = value as Partial<OrgSnapshot> | undefined;
  return !!v && v.format === SNAPSHOT_FORMAT_V2 && typeof v.accounts === 'object' && v.accounts !== null;
}

/**
 * The aggregate step's reader: the run's parts, merged. A failed shard, a missing part and a
 * target the plan did not hold all come back as account errors (CHECK_DEGRADED), never as gaps.
 */
export class PartsOrgReader implements OrgReader {
  constructor(
    private readonly objects: RunObjects,
    private readonly run: AggregateEvent,
  ) {}

  async read(targets: readonly AccountTarget[]): Promise<OrgSnapshot> {
    const runId = checkRunId(this.run.runId);
    const plan = await loadPlan(this.objects, runId);
    const results = new Map(this.run.results.map((r) => [r.index, r]));
    const outcomes: ShardOutcome[] = await Promise.all(
      plan.shards.map(async ({ index }): Promise<ShardOutcome> => {
        const result = results.get(index);
        if (!result) return { index, failure: 'no result from the Map' };
        if ('failure' in result) return { index, failure: result.failure };
        try {
          const part = await this.objects.get(partKey(runId, index));
          return isPart(part) ? { index, snapshot: part } : { index, failure: part === undefined ? 'its part is missing' : 'its part is not a replguard-snapshot/v2 object' };
        } catch (error) {
          return { index, failure: `its part could not be read: ${(error as Error).message}` };
        }
      }),
    );
    const shards: PlannedShard[] = plan.shards.map((s) => ({ index: s.index, accounts: s.accounts.map(({ accountId, name }) => ({ accountId, ...(name !== undefined ? { name } : {}) })) }));
    const merged = mergeOrgSnapshots(shards, outcomes, this.run.capturedAt);
    const accounts: Record<string, AccountSnapshot> = {};
    for (const { accountId, name } of targets) {
      accounts[accountId] = merged.accounts[accountId] ?? {
        ...(name !== undefined ? { name } : {}),
        regions: {},
        errors: [{ operation: 'replguard:ReadShard', code: 'NotPlanned', message: `run ${runId} planned no shard for this account` }],
      };
    }
    return { ...merged, accounts };
  }
}

/** Environment of the plan and reader functions (the config ships as a file, as for the checker). */
export const FAN_OUT_ENV = {
  /** The bucket of the run's plan and parts. */
  bucket: 'REPLGUARD_RUN_BUCKET',
  /** The shard budget (ShardBudget as JSON), set by the stack from the reader's timeout. */
  budget: 'REPLGUARD_SHARD_BUDGET',
} as const;
