/**
 * The fault-sequence suite: scripted series of check runs through the checker exactly as Lambda
 * wires it (createChecker: trigger → run lease → live reader → evaluate → metrics → alert
 * lifecycle → message builder → SNS), with the real SDK clients against a local AWS endpoint
 * (RDS, CloudWatch and SNS on the wire) and the alert table on dynalite behind a proxy that can
 * fail or hold single DynamoDB calls. Faults are switched on and off between runs; time is a
 * virtual clock, so nothing waits.
 *
 * Each scenario asserts exactly which messages SNS accepted. Across all of them: per incident at
 * most one opening and one closing message (the one documented exception is named), never a
 * RESOLVED while a region the alert rests on was not read, nothing lost. The tally is printed at
 * the end and written to fault-sequence-tally.md in the system temp folder.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChecker } from '../../lambdas/checker/checker';
import type { CheckerEnvironment } from '../../lambdas/checker/env';
import type { CheckOutcome } from '../../lambdas/checker/run-check';
import type { CheckerEvent, RdsEventDetail } from '../../lambdas/checker/trigger';
import { parseConfig } from '../../lambdas/core/config';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import { ACCOUNT, FaultWorld, startDynamoProxy, TOPIC_ARN, type DynamoProxy } from '../support/fault-world';
import { FAKE_CREDENTIALS, type LocalAwsEndpoint } from '../support/local-aws-endpoint';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MINUTE = 60_000;
/** The checker's Lambda timeout (the stack's default): the time an invocation has, on the virtual clock. */
const TIMEOUT_MS = 120_000;

interface TallyRow {
  readonly scenario: string;
  readonly invocations: number;
  readonly checks: number;
  readonly expected: readonly (readonly string[])[];
  readonly got: readonly (readonly string[])[];
}
const tally: TallyRow[] = [];

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
  const table = [
    '| scenario | invocations | checks run | messages expected | messages sent | ok |',
    '|---|---|---|---|---|---|',
    ...tally.map((r) => {
      const show = (messages: readonly (readonly string[])[]) => (messages.length ? messages.map((m) => `[${m.join(', ')}]`).join(' ') : '(none)');
      const ok = JSON.stringify(r.expected) === JSON.stringify(r.got) ? 'yes' : 'NO';
      return `| ${r.scenario} | ${r.invocations} | ${r.checks} | ${show(r.expected)} | ${show(r.got)} | ${ok} |`;
    }),
  ].join('\n');
  writeFileSync(join(tmpdir(), 'fault-sequence-tally.md'), `${table}\n`);
  console.log(`Fault-sequence tally (messages SNS accepted):\n${table}`);
});

const open: { endpoint?: LocalAwsEndpoint; proxy?: DynamoProxy; world?: FaultWorld } = {};
afterEach(async () => {
  open.world?.releaseHeld();
  await open.endpoint?.close();
  await open.proxy?.close();
});

function rdsEvent(id: string, at: number, source = 'orders-ro', eventId = 'RDS-EVENT-0045'): CheckerEvent {
  const event: EventBridgeEvent<'RDS DB Instance Event', RdsEventDetail> = {
    version: '0',
    id,
    'detail-type': 'RDS DB Instance Event',
    source: 'aws.rds',
    account: ACCOUNT,
    // EventBridge gives the time in whole seconds.
    time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:rds:us-east-1:${ACCOUNT}:db:${source}`],
    detail: { EventID: eventId, SourceIdentifier: source, SourceType: 'DB_INSTANCE', Message: 'An error has occurred in the read replication process.' },
  };
  return event;
}

async function scenario(name: string) {
  const world = new FaultWorld();
  const endpoint = await world.start();
  const proxy = await startDynamoProxy(dynamo.url);
  Object.assign(open, { world, endpoint, proxy });
  const tableName = await dynamo.createAlertTable();
  let now = T0;
  world.now = () => new Date(now);
  const env: CheckerEnvironment = {
    config: parseConfig({ regions: ['us-east-1', 'us-west-2'], notifications: { emails: ['oncall@example.com'] } }),
    configFile: 'fault-sequence',
    tableName,
    topicArn: TOPIC_ARN,
    dashboardName: 'replication-guard',
    dashboardRegion: 'us-east-1',
    deploymentName: 'fault-suite',
  };
  const logs: string[] = [];
  const log = (level: string) => (message: string, ...attributes: Record<string, unknown>[]) =>
    void logs.push(`${level} ${message} ${JSON.stringify(attributes)}`);
  const check = createChecker({
    env,
    logger: { info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
    clock: () => new Date(now),
    // The readers' throttling backoff and the confirmation backoff: no waiting under test.
    retry: { sleep: async () => undefined },
    sleep: async () => undefined,
    clientOverrides: (service, region) => ({
      endpoint: service === 'dynamodb' ? proxy.url : endpoint.url,
      credentials: FAKE_CREDENTIALS,
      // One attempt per SDK call, and no adaptive rate limiter (it waits in real time once throttled):
      // retries under test are the project's own, with the sleeps above.
      maxAttempts: 1,
      retryMode: 'standard',
      region: region ?? 'us-east-1',
    }),
  });
  let invocations = 0;
  const outcomes: CheckOutcome[] = [];
  const errors: Error[] = [];
  /** One Lambda invocation; a failed one resolves to its error (Lambda would retry it). */
  const invoke = async (event: CheckerEvent = { scope: 'health' }, requestId = `req-${invocations + 1}`): Promise<CheckOutcome | Error> => {
    invocations++;
    const deadline = now + TIMEOUT_MS;
    try {
      const outcome = await check(event, {
        awsRequestId: requestId,
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checker',
        getRemainingTimeInMillis: () => deadline - now,
      });
      outcomes.push(outcome);
      return outcome;
    } catch (error) {
      errors.push(error as Error);
      return error as Error;
    }
  };
  const at = (minutes: number) => {
    now = T0 + minutes * MINUTE;
  };
  const sentNews = () => world.sent.map((m) => m.news);
  /** Records the scenario in the tally and asserts exactly these messages, each incident opened and closed at most once. */
  const record = (expected: readonly (readonly string[])[], options: { readonly documentedRepeat?: boolean } = {}) => {
    tally.push({ scenario: name, invocations, checks: world.reads, expected, got: sentNews() });
    expect(sentNews()).toEqual(expected);
    if (!options.documentedRepeat) expectAtMostOnceEach(sentNews());
  };
  const alertItems = async () => {
    const { Items = [] } = await dynamo.client.send(
      new (await import('@aws-sdk/client-dynamodb')).QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'health' } },
      }),
    );
    return Items;
  };
  return { world, proxy, tableName, invoke, at, now: () => now, record, sentNews, logs, outcomes, errors, alertItems };
}

/** Per incident at most one opening and one closing message. */
function expectAtMostOnceEach(messages: readonly (readonly string[])[]): void {
  const counts = new Map<string, number>();
  for (const news of messages.flat()) {
    const [kind, code, resource] = news.split(' ') as [string, string, string];
    const what = `${kind === 'GONE' ? 'RESOLVED' : kind} ${code} ${resource}`;
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  expect([...counts].filter(([what, n]) => /^(NEW|RESOLVED) /.test(what) && n > 1)).toEqual([]);
}

const BROKEN_RO = 'REPLICATION_BROKEN orders-ro';
const DEGRADED_WEST = ['CHECK_DEGRADED rds:DescribeDBClusters', 'CHECK_DEGRADED rds:DescribeDBInstances', 'CHECK_DEGRADED rds:DescribeGlobalClusters'];
const openSince = (email: string, news: string) => {
  const [, code, resource] = news.split(' ');
  const entry = email.slice(email.indexOf(`${code} on ${resource} (`));
  return /Open since: (\S+)/.exec(entry)?.[1];
};

describe('fault-sequence: what the on-call receives under faults', () => {
  it('region throttled then recovered: a DR gap fixed while its region was throttled resolves once, after the region is read again', async () => {
    // Prepare
    const s = await scenario('region throttled, then recovered');
    s.world.get('orders-dr').status = 'error';

    // Act
    s.at(0);
    await s.invoke();
    const opened = (await s.alertItems()).map((i) => [i.sk?.S, i.openedAt?.S]);
    // us-west-2 throttled on every call (past the reader's retries); meanwhile the DR replica recovers.
    s.world.throttled.add('us-west-2');
    s.world.get('orders-dr').status = 'replicating';
    s.at(1);
    const blind = await s.invoke();
    s.at(2);
    const stillBlind = await s.invoke();
    s.world.throttled.delete('us-west-2');
    s.at(3);
    await s.invoke();
    s.at(4);
    await s.invoke();

    // Assess
    expect(blind).toMatchObject({ degradedRegions: ['123456789012/us-west-2'], transitions: { opened: 3 } });
    expect(stillBlind).toMatchObject({ degradedRegions: ['123456789012/us-west-2'], transitions: {} });
    // Nothing said RESOLVED while us-west-2 was unread, and the alerts kept their "open since".
    expect(s.sentNews().slice(0, 2).flat().filter((n) => n.startsWith('RESOLVED'))).toEqual([]);
    expect(opened.filter(([sk]) => !sk?.startsWith('CHECK_DEGRADED'))).toHaveLength(2);
    s.record([
      ['NEW REPLICATION_BROKEN orders-dr', 'NEW NO_CROSS_REGION_REPLICA orders'],
      DEGRADED_WEST.map((d) => `NEW ${d}`),
      ['RESOLVED REPLICATION_BROKEN orders-dr', 'RESOLVED NO_CROSS_REGION_REPLICA orders', ...DEGRADED_WEST.map((d) => `RESOLVED ${d}`)],
    ]);
  });

  it.each([
    ['KMSAccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/sns is not authorized to perform: kms:GenerateDataKey'],
    ['KMSDisabled', 'The request was rejected because the specified AWS KMS key is disabled.'],
  ])('KMS refuses the topic key on publish (%s): the page is held, then sent once with its first "open since"', async (code, message) => {
    // Prepare
    const s = await scenario(`KMS ${code} on publish, key fixed later`);
    s.world.get('orders-ro').status = 'error';
    s.world.snsFaults.push({ status: 400, code, message }, { status: 400, code, message });

    // Act
    s.at(0);
    const first = await s.invoke(undefined, 'req-kms');
    // Lambda retries the failed asynchronous invocation with the same request id.
    s.at(1);
    const retried = await s.invoke(undefined, 'req-kms');
    s.at(5);
    await s.invoke();
    s.world.get('orders-ro').status = 'replicating';
    s.at(6);
    await s.invoke();

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).toContain(message);
    expect(retried).toBeInstanceOf(Error);
    expect(s.world.publishAttempts).toBe(4);
    expect(openSince(s.world.sent[0]!.email, `NEW ${BROKEN_RO}`)).toBe('2026-11-24T10:00:00Z');
    s.record([[`NEW ${BROKEN_RO}`], [`RESOLVED ${BROKEN_RO}`]]);
  });

  it('SNS throttles the publish: the retry of the invocation sends the page once', async () => {
    // Prepare
    const s = await scenario('SNS Throttled on publish');
    s.world.get('orders-ro').status = 'error';
    s.world.snsFaults.push({ status: 429, code: 'Throttled', message: 'Rate exceeded' });

    // Act
    s.at(0);
    const throttled = await s.invoke(undefined, 'req-sns');
    s.at(1);
    const retried = await s.invoke(undefined, 'req-sns');
    s.at(2);
    await s.invoke();

    // Assess
    expect(throttled).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ transitions: { opened: 1 }, resent: 1, notified: true });
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('DynamoDB conditional failure: of two overlapping runs (the lease could not be read), only the one whose claim wins pages', async () => {
    // Prepare
    const s = await scenario('DynamoDB conditional failure (overlapping runs)');
    s.world.get('orders-ro').status = 'error';
    let overlapping: Promise<unknown> | undefined;
    let leaseReadsToFail = 1;
    s.proxy.hook = async (call) => {
      const item = call.body.Item as Record<string, AttributeValue> | undefined;
      const key = call.body.Key as Record<string, AttributeValue> | undefined;
      if (overlapping === undefined && call.operation === 'PutItem' && item?.pk?.S === 'health') {
        // Run A is about to claim: run B starts now, cannot read the lease, runs unlocked and claims first.
        overlapping = s.invoke(undefined, 'req-b');
        await overlapping;
        return undefined;
      }
      if (overlapping !== undefined && leaseReadsToFail > 0 && call.operation === 'GetItem' && key?.pk?.S === '#lease') {
        leaseReadsToFail--;
        return { status: 500, type: 'InternalServerError', message: 'Internal server error' };
      }
      return undefined;
    };

    // Act
    s.at(0);
    const a = await s.invoke(undefined, 'req-a');
    s.proxy.hook = () => undefined;
    s.at(1);
    await s.invoke();

    // Assess
    expect(a).toMatchObject({ transitions: {}, notified: false });
    expect(s.errors.map((e) => e.message)).toEqual([expect.stringContaining('run lease')]);
    expect(s.logs.some((l) => l.includes('Transition already claimed'))).toBe(true);
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('Lambda retry with the same request id after the page went out: nothing is sent again', async () => {
    // Prepare
    const s = await scenario('Lambda retry, same request id, after publish');
    s.world.get('orders-ro').status = 'error';
    s.world.putMetricDataFails = true;

    // Act
    s.at(0);
    const failed = await s.invoke(undefined, 'req-retry');
    s.world.putMetricDataFails = false;
    s.at(1);
    const retried = await s.invoke(undefined, 'req-retry');
    s.at(3);
    const retriedAgain = await s.invoke(undefined, 'req-retry');

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/metrics/);
    expect(retried).toMatchObject({ transitions: {}, notified: false });
    expect(retriedAgain).toMatchObject({ transitions: {}, notified: false });
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('the confirmation write fails on every attempt after SNS took the page: the retry sends it again (the documented at-least-once window)', async () => {
    // Prepare
    const s = await scenario('confirm write fails after publish (at least once: repeat)');
    s.world.get('orders-ro').status = 'error';
    s.proxy.hook = (call) =>
      call.operation === 'PutItem' && String(call.body.ConditionExpression).includes('#last = :id')
        ? { status: 500, type: 'InternalServerError', message: 'Internal server error' }
        : undefined;

    // Act
    s.at(0);
    const failed = await s.invoke(undefined, 'req-confirm');
    s.proxy.hook = () => undefined;
    s.at(1);
    await s.invoke(undefined, 'req-confirm');
    s.at(2);
    await s.invoke();

    // Assess
    expect((failed as Error).message).toMatch(/alert states/);
    // Repeated, never lost; the repeat still names when the alert opened.
    expect(openSince(s.world.sent[1]!.email, `NEW ${BROKEN_RO}`)).toBe('2026-11-24T10:00:00Z');
    s.record([[`NEW ${BROKEN_RO}`], [`NEW ${BROKEN_RO}`]], { documentedRepeat: true });
  });

  it('crash between claim and publish: the lease keeps others out until it expires, then the page goes out once', async () => {
    // Prepare
    const s = await scenario('crash between claim and publish');
    s.world.get('orders-ro').status = 'error';
    s.world.snsFaults.push('hold');

    // Act
    s.at(0);
    const crashed = s.invoke(undefined, 'req-crash');
    // The invocation dies with its Publish in flight: nothing after it runs (no confirm, no release).
    await s.world.publishHeld();
    // Its lease lasts its timeout (2 min) plus 30 s.
    s.at(2);
    const whileLeased = await s.invoke();
    s.at(3);
    const afterExpiry = await s.invoke();
    s.at(4);
    await s.invoke();
    s.world.releaseHeld();
    await crashed;

    // Assess
    expect(whileLeased).toMatchObject({ skipped: expect.stringMatching(/holds the run lease/) });
    expect(afterExpiry).toMatchObject({ transitions: { opened: 1 }, resent: 1, notified: true });
    expect(openSince(s.world.sent[0]!.email, `NEW ${BROKEN_RO}`)).toBe('2026-11-24T10:00:00Z');
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('replica deleted: its alert ends as GONE, not RESOLVED, and the DR gap it leaves stays open', async () => {
    // Prepare
    const s = await scenario('DR replica deleted while broken');
    s.world.get('orders-dr').status = 'error';

    // Act
    s.at(0);
    await s.invoke();
    s.world.instances.delete('orders-dr');
    s.at(1);
    await s.invoke();
    s.at(2);
    await s.invoke();

    // Assess
    const items = await s.alertItems();
    expect(items.find((i) => i.code?.S === 'NO_CROSS_REGION_REPLICA')?.status?.S).toBe('open');
    s.record([['NEW REPLICATION_BROKEN orders-dr', 'NEW NO_CROSS_REGION_REPLICA orders'], ['GONE REPLICATION_BROKEN orders-dr']]);
  });

  it('burst of 50 RDS events (and their late duplicates): one check, one page', async () => {
    // Prepare
    const s = await scenario('burst of 50 RDS events');
    s.at(0);
    await s.invoke();
    s.world.get('orders-ro').status = 'error';
    const broke = T0 + 5 * MINUTE;
    const burst = Array.from({ length: 50 }, (_, i) => rdsEvent(`e-${i}`, broke + i * 200));

    // Act: the 50 invocations run at once, 15 s after the first event.
    s.at(5.25);
    const outcomes = await Promise.all(burst.map((e, i) => s.invoke(e, `req-burst-${i}`)));
    const checksAfterBurst = s.world.reads;
    // EventBridge delivers at least once: the same events again, a minute later.
    s.at(6.25);
    const late = await Promise.all(burst.map((e, i) => s.invoke(e, `req-late-${i}`)));

    // Assess
    expect(outcomes.filter((o) => o instanceof Error)).toEqual([]);
    expect(checksAfterBurst - 1).toBeGreaterThanOrEqual(1);
    expect(checksAfterBurst - 1).toBeLessThanOrEqual(2);
    expect(late.every((o) => !(o instanceof Error) && o.skipped?.includes('covered'))).toBe(true);
    expect(s.world.reads).toBe(checksAfterBurst);
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('an event arriving during a run that started before it: one follow-up check, which sends the page', async () => {
    // Prepare
    const s = await scenario('RDS event during a run (follow-up)');
    let during: Promise<CheckOutcome | Error> | undefined;
    s.world.onRead = async () => {
      if (during) return;
      // The schedule's run has read a healthy fleet; now the replica breaks and its event comes in.
      s.world.get('orders-ro').status = 'error';
      s.at(0.25);
      during = s.invoke(rdsEvent('e-during', T0 + 10_000), 'req-event');
      await during;
    };

    // Act
    s.at(0);
    const scheduled = await s.invoke(undefined, 'req-schedule');

    // Assess
    expect(await during).toMatchObject({ skipped: expect.stringMatching(/queued a follow-up/) });
    expect(scheduled).toMatchObject({ followUps: 1, transitions: { opened: 1 }, notified: true });
    expect(s.world.reads).toBe(2);
    s.record([[`NEW ${BROKEN_RO}`]]);
  });

  it('unknown alert item (written by a newer version): pages still go out and the item is left untouched', async () => {
    // Prepare
    const s = await scenario('unknown alert item in the table');
    const future: Record<string, AttributeValue> = {
      pk: { S: 'health' },
      sk: { S: 'REPLICA_FUTURE_CODE#us-east-1#orders-ro' },
      code: { S: 'REPLICA_FUTURE_CODE' },
      severity: { S: 'critical' },
      region: { S: 'us-east-1' },
      resource: { S: 'orders-ro' },
      status: { S: 'open' },
      message: { S: 'a check this version does not have' },
      openedAt: { S: '2026-11-24T09:00:00.000Z' },
      lastNotifiedAt: { S: '2026-11-24T09:00:00.000Z' },
      version: { N: '3' },
    };
    await dynamo.client.send(new PutItemCommand({ TableName: s.tableName, Item: future }));
    s.world.get('orders-ro').status = 'error';

    // Act
    s.at(0);
    await s.invoke();
    s.world.get('orders-ro').status = 'replicating';
    s.at(1);
    await s.invoke();

    // Assess
    const { Item } = await dynamo.client.send(new GetItemCommand({ TableName: s.tableName, Key: { pk: future.pk!, sk: future.sk! } }));
    expect(Item).toEqual(future);
    expect(s.logs.filter((l) => l.startsWith('WARN Alert item this version cannot read'))).toHaveLength(2);
    s.record([[`NEW ${BROKEN_RO}`], [`RESOLVED ${BROKEN_RO}`]]);
  });

  it('default cadence: a status-only minute carries the lag alert, still pages broken replication, and the next lag read resolves the lag', async () => {
    // Prepare: the schedule's input carries its time; 10:00 and 10:05 are lag reads, 10:01 a status read.
    const s = await scenario('default cadence: status runs between lag reads');
    const scheduled = (minute: number): CheckerEvent => ({ scope: 'health', time: new Date(T0 + minute * MINUTE).toISOString() });
    s.world.lag.set('orders-ro', 3600);

    // Act
    s.at(0);
    const lagRun = await s.invoke(scheduled(0));
    s.world.lag.set('orders-ro', 0);
    s.world.get('orders-ro').status = 'error';
    s.at(1);
    const statusRun = await s.invoke(scheduled(1));
    s.world.get('orders-ro').status = 'replicating';
    s.at(5);
    const nextLagRun = await s.invoke(scheduled(5));

    // Assess
    expect(lagRun).toMatchObject({ reads: 'lag', transitions: { opened: 1 } });
    // The lag fell, but the status run did not read it: no RESOLVED, and no LAG_METRIC_MISSING either.
    expect(statusRun).toMatchObject({ reads: 'status', transitions: { opened: 1 } });
    expect(nextLagRun).toMatchObject({ reads: 'lag' });
    s.record([['NEW REPLICA_LAG_HIGH orders-ro'], [`NEW ${BROKEN_RO}`], [`RESOLVED ${BROKEN_RO}`, 'RESOLVED REPLICA_LAG_HIGH orders-ro']]);
  });
});
