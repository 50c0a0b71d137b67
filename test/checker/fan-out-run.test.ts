/**
 * A whole fan-out run as Step Functions drives it, minus Step Functions: the plan step, one reader
 * per shard (the real organization reader over a local AWS endpoint, AssumeRole included), the
 * Map's caught failures, then the checker once on the merged parts. Parts travel through an
 * in-memory store that serializes them as S3 would.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CheckerEnvironment } from '../../lambdas/checker/env';
import { parseConfig } from '../../lambdas/core/config';
import type { RunObjects, ShardRunResult } from '../../lambdas/fanout/fan-out';
import { createFanOutSteps } from '../../lambdas/fanout/steps';
import { ACCOUNT, FaultWorld, TOPIC_ARN } from '../support/fault-world';
import { FAKE_CREDENTIALS } from '../support/local-aws-endpoint';
import { useWorldServers, worldChecker } from '../support/world-checker';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const PROD = '222233334444';
const DEV = '555566667777';
const T0 = Date.parse('2026-11-24T10:00:00Z');
const CONTEXT = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:step`,
  getRemainingTimeInMillis: () => 240_000,
};

const servers = useWorldServers();

/** JSON in, JSON out, as S3 stores it. */
function memoryObjects(): RunObjects & { readonly keys: () => string[] } {
  const store = new Map<string, string>();
  return {
    put: async (key, value) => void store.set(key, JSON.stringify(value)),
    get: async (key) => (store.has(key) ? (JSON.parse(store.get(key)!) as unknown) : undefined),
    keys: () => [...store.keys()].sort(),
  };
}

async function fanOutWorld() {
  const world = new FaultWorld();
  world.add({ id: 'orders', region: 'us-east-1', account: PROD });
  world.add({ id: 'orders-ro', region: 'us-east-1', source: 'orders', account: PROD });
  world.add({ id: 'ledger', region: 'us-east-1', account: DEV });
  world.add({ id: 'ledger-ro', region: 'us-east-1', source: 'ledger', account: DEV });
  const endpoint = await servers.start(world);
  world.now = () => new Date(T0);
  const config = parseConfig({
    // The hub's orders database has a DR replica in us-west-2 (FaultWorld).
    regions: ['us-east-1', 'us-west-2'],
    notifications: { emails: ['oncall@example.com'] },
    accounts: [{ id: PROD, name: 'prod' }, { id: DEV, name: 'dev' }],
  });
  const objects = memoryObjects();
  const url = endpoint.url;
  const clock = () => new Date(T0);
  const steps = createFanOutSteps({
    env: {
      config,
      bucket: 'runs',
      // One account per shard: three shards for the hub and two members.
      budget: { readBudgetMs: 60_000, accountConcurrency: 1, regionConcurrency: 1, maxAccountsPerShard: 1, times: { assumeRoleMs: 100, accountRegionReadMs: 1_500 } },
    },
    logger: { warn: () => undefined },
    objects,
    readerOverrides: { endpoint: url, credentials: FAKE_CREDENTIALS },
    retry: { sleep: async () => undefined },
    clock,
  });
  const env: CheckerEnvironment = {
    config,
    configFile: 'fan-out',
    tableName: await servers.dynamo().createAlertTable(),
    topicArn: TOPIC_ARN,
    dashboardName: 'replication-guard',
    dashboardRegion: 'us-east-1',
  };
  const check = worldChecker({ env, endpointUrl: url, dynamoUrl: servers.dynamo().url, clock, extra: { runObjects: objects } });

  /** Plan, read every shard the `failing` predicate spares (the Map catches the rest), then check once. */
  const run = async (failing: (accounts: number, index: number) => boolean = () => false) => {
    const plan = await steps.plan({ runId: 'run-1', startedAt: new Date(T0).toISOString() }, CONTEXT);
    const results: ShardRunResult[] = [];
    for (const shard of plan.shards) {
      if (failing(shard.accounts, shard.index)) results.push({ index: shard.index, failure: 'States.Timeout: shard still reading' });
      else results.push(await steps.read({ runId: shard.runId, index: shard.index }, CONTEXT));
    }
    const outcome = await check({ fanOutRun: { runId: plan.runId, capturedAt: plan.capturedAt, results } }, { ...CONTEXT, awsRequestId: 'agg-1' });
    return { plan, outcome };
  };
  return { world, objects, run };
}

describe('a fan-out run end to end', () => {
  it('reads each account in its own shard and pages once, for the member whose replica broke', async () => {
    // Prepare
    const org = await fanOutWorld();
    org.world.get(`${PROD}:orders-ro`).status = 'error';

    // Act
    const { plan } = await org.run();

    // Assess
    expect(plan.shards).toHaveLength(3);
    expect(org.objects.keys()).toEqual(['runs/run-1/part-0000.json', 'runs/run-1/part-0001.json', 'runs/run-1/part-0002.json', 'runs/run-1/plan.json']);
    expect(org.world.sent).toHaveLength(1);
    expect(org.world.sent[0]!.news).toEqual(['NEW REPLICATION_BROKEN orders-ro']);
    expect(org.world.sent[0]!.email).toContain(`account ${PROD} prod`);
  });

  it("reports the accounts of a shard the Map caught as CHECK_DEGRADED, and still pages the others' findings", async () => {
    // Prepare
    const org = await fanOutWorld();
    org.world.get(`${PROD}:orders-ro`).status = 'error';
    org.world.get(`${DEV}:ledger-ro`).status = 'error';

    // Act: the dev account's shard (the last, accounts sorted by id) times out.
    const { plan } = await org.run((_accounts, index) => index === 2);

    // Assess
    expect(plan.shards).toHaveLength(3);
    const news = org.world.sent.flatMap((m) => m.news);
    expect(news).toContain('NEW REPLICATION_BROKEN orders-ro');
    expect(news).not.toContain('NEW REPLICATION_BROKEN ledger-ro');
    // One per region of the unread account.
    expect(news.filter((n) => n.startsWith('NEW CHECK_DEGRADED'))).toHaveLength(2);
    expect(org.world.sent[0]!.email).toContain(`account ${DEV} dev`);
    expect(org.world.sent[0]!.email).toContain('States.Timeout');
  });
});
