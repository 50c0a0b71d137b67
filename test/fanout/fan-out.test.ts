import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { S3RunObjects } from '../../lambdas/aws/s3-run-objects';
import type { AccountTarget } from '../../lambdas/core/fleet/accounts';
import { SNAPSHOT_FORMAT_V2, type OrgSnapshot } from '../../lambdas/core/fleet/model';
import type { OrgReader } from '../../lambdas/core/fleet/reader';
import type { ShardBudget } from '../../lambdas/core/fleet/shard-plan';
import {
  FanOutError,
  partKey,
  PartsOrgReader,
  planKey,
  planRun,
  readShard,
  ShardTimeoutError,
  type RunObjects,
} from '../../lambdas/fanout/fan-out';

/** The run's objects in memory, as JSON round trips (what S3 gives back). */
class MemoryObjects implements RunObjects {
  readonly objects = new Map<string, string>();
  async put(key: string, value: unknown) {
    this.objects.set(key, JSON.stringify(value));
  }
  async get(key: string) {
    const text = this.objects.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }
}

const BUDGET: ShardBudget = { readBudgetMs: 1_000, accountConcurrency: 1, regionConcurrency: 4, maxAccountsPerShard: 100, times: { assumeRoleMs: 100, accountRegionReadMs: 400 } };
const target = (n: number, name?: string): AccountTarget => ({
  accountId: String(111111111110 + n),
  regions: ['us-east-1'],
  roleArn: `arn:aws:iam::${111111111110 + n}:role/ReplicationGuardReader`,
  ...(name ? { name } : {}),
});
const TARGETS = [target(1, 'orders'), target(2), target(3), target(4), target(5)];

/** Reads each account as one region with one database named after it. */
const reader = (delayMs = 0): OrgReader & { calls: string[][] } => {
  const calls: string[][] = [];
  return {
    calls,
    async read(targets) {
      calls.push(targets.map((t) => t.accountId));
      await new Promise((r) => setTimeout(r, delayMs));
      const accounts = Object.fromEntries(targets.map((t) => [t.accountId, { regions: { 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: `db-${t.accountId}` }] } } }]));
      return { format: SNAPSHOT_FORMAT_V2, capturedAt: '2026-11-30T10:00:05.000Z', accounts } satisfies OrgSnapshot;
    },
  };
};

async function plannedRun(objects = new MemoryObjects()) {
  const plan = await planRun({ runId: 'run-1', startedAt: '2026-11-30T10:00:00Z' }, { resolveTargets: async () => TARGETS, budget: BUDGET, objects });
  return { objects, plan };
}

describe('planRun', () => {
  it('stores the shards with their accounts and hands the Map only small items', async () => {
    // Act: 500 ms per account, one at a time: two per 1,000 ms shard.
    const { objects, plan } = await plannedRun();

    // Assess
    expect(plan).toEqual({
      runId: 'run-1',
      capturedAt: '2026-11-30T10:00:00.000Z',
      shards: [0, 1, 2].map((index) => ({ runId: 'run-1', index, accounts: index < 2 ? 2 : 1 })),
    });
    const stored = await objects.get(planKey('run-1'));
    expect(stored.shards.flatMap((s: { accounts: AccountTarget[] }) => s.accounts)).toEqual(TARGETS);
  });

  it('refuses a run id that cannot name an object and a start time that is not a time', async () => {
    const deps = { resolveTargets: async () => TARGETS, budget: BUDGET, objects: new MemoryObjects() };

    await expect(planRun({ runId: '../x', startedAt: '2026-11-30T10:00:00Z' }, deps)).rejects.toThrow(FanOutError);
    await expect(planRun({ runId: 'r', startedAt: 'soon' }, deps)).rejects.toThrow(/startedAt must be an ISO-8601 time \(got "soon"\)/);
  });
});

describe('readShard', () => {
  it('reads only its shard\'s accounts and writes them as its part', async () => {
    const { objects } = await plannedRun();
    const r = reader();

    const result = await readShard({ runId: 'run-1', index: 1 }, { reader: r, objects, remainingMs: () => 60_000, marginMs: 5_000 });

    expect(result).toEqual({ index: 1, accounts: 2 });
    expect(r.calls).toEqual([[TARGETS[2]!.accountId, TARGETS[3]!.accountId]]);
    expect(Object.keys((await objects.get(partKey('run-1', 1))).accounts)).toEqual([TARGETS[2]!.accountId, TARGETS[3]!.accountId]);
  });

  it('gives up at its deadline and writes no part, so one slow shard cannot hold the run', async () => {
    const { objects } = await plannedRun();

    const run = readShard({ runId: 'run-1', index: 0 }, { reader: reader(200), objects, remainingMs: () => 5_050, marginMs: 5_000 });

    await expect(run).rejects.toThrow(ShardTimeoutError);
    expect(await objects.get(partKey('run-1', 0))).toBeUndefined();
  });

  it('names a shard the plan does not have', async () => {
    const { objects } = await plannedRun();

    await expect(readShard({ runId: 'run-1', index: 7 }, { reader: reader(), objects, remainingMs: () => 60_000, marginMs: 0 })).rejects.toThrow('run run-1 has no shard 7');
  });
});

describe('PartsOrgReader', () => {
  it('merges the parts into one snapshot at the run\'s start, and degrades the accounts of a failed shard', async () => {
    // Prepare: shard 0 read, shard 1 timed out in the Map, shard 2's part went missing.
    const { objects } = await plannedRun();
    const deps = { reader: reader(), objects, remainingMs: () => 60_000, marginMs: 0 };
    await readShard({ runId: 'run-1', index: 0 }, deps);
    const results = [{ index: 0, accounts: 2 }, { index: 1, failure: 'States.Timeout' }, { index: 2, accounts: 1 }];

    // Act
    const snapshot = await new PartsOrgReader(objects, { runId: 'run-1', capturedAt: '2026-11-30T10:00:00.000Z', results }).read(TARGETS);

    // Assess
    expect(snapshot.capturedAt).toBe('2026-11-30T10:00:00.000Z');
    expect(Object.keys(snapshot.accounts)).toEqual(TARGETS.map((t) => t.accountId));
    expect(snapshot.accounts[TARGETS[0]!.accountId]).toEqual({ name: 'orders', regions: { 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: `db-${TARGETS[0]!.accountId}` }] } } });
    expect(snapshot.accounts[TARGETS[2]!.accountId]?.errors?.[0]?.message).toBe('shard 1 failed: States.Timeout');
    expect(snapshot.accounts[TARGETS[4]!.accountId]?.errors?.[0]?.message).toBe('shard 2 failed: its part is missing');
  });

  it('reports a target the plan did not hold instead of leaving it out', async () => {
    const { objects } = await plannedRun();
    const late = target(9, 'new-account');

    const snapshot = await new PartsOrgReader(objects, { runId: 'run-1', capturedAt: '2026-11-30T10:00:00.000Z', results: [] }).read([late]);

    expect(snapshot.accounts).toEqual({
      [late.accountId]: { name: 'new-account', regions: {}, errors: [{ operation: 'replguard:ReadShard', code: 'NotPlanned', message: 'run run-1 planned no shard for this account' }] },
    });
  });
});

describe('S3RunObjects', () => {
  it('writes JSON and reads it back, and reads a missing key as undefined', async () => {
    // Prepare
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Key: 'runs/r/plan.json' }).resolves({ Body: { transformToString: async () => '{"shards":[]}' } as never });
    s3.on(GetObjectCommand, { Key: 'runs/r/part-0000.json' }).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    const objects = new S3RunObjects(new S3Client({ region: 'eu-west-1' }), 'bucket');

    // Act
    await objects.put('runs/r/plan.json', { shards: [] });

    // Assess
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({ Bucket: 'bucket', Key: 'runs/r/plan.json', Body: '{"shards":[]}', ContentType: 'application/json' });
    expect(await objects.get('runs/r/plan.json')).toEqual({ shards: [] });
    expect(await objects.get('runs/r/part-0000.json')).toBeUndefined();
    s3.restore();
  });
});
