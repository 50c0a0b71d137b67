/**
 * The alert-state store against a real DynamoDB implementation (dynalite, in process on
 * 127.0.0.1), through the real @aws-sdk/client-dynamodb: the conditional writes that make
 * delivery safe are evaluated by a DynamoDB engine, not by a mock of our beliefs about it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoAlertStateStore } from '../../lambdas/aws/alert-state-store';
import { planTransitions, type AlertState } from '../../lambdas/core/outputs/alert-lifecycle';
import { alertTableInput, startDynalite, type LocalDynamo } from '../support/dynalite';
import { finding } from '../support/findings';
import { NOW_DATE } from '../support/fleet';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const HOUR = 3_600_000;
const lag = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
const plan = (previous: readonly AlertState[], findings = [lag], now = NOW_DATE) =>
  planTransitions({ scope: 'health', previous, findings, now, reminderHours: 4, minSeverity: 'warning' });

let dynamo: LocalDynamo;
let store: DynamoAlertStateStore;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

// A fresh table per test keeps the tests independent.
beforeEach(async () => {
  store = new DynamoAlertStateStore(dynamo.client, await dynamo.createAlertTable());
});

const only = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

describe('DynamoAlertStateStore on a real DynamoDB engine', () => {
  it('uses the key schema the CDK construct defines', () => {
    expect(alertTableInput('t')).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('claims news unsent, and confirms it sent after the publish', async () => {
    // Prepare
    const opened = only(plan([]).transitions);

    // Act: claim, (publish), confirm.
    const claimed = await store.claim(opened, 'req-1');
    const afterClaim = only(await store.load('health'));
    await store.confirm(opened, 'req-1');
    const afterConfirm = only(await store.load('health'));

    // Assess
    expect(claimed).toBe(true);
    expect(afterClaim).toEqual(opened.next);
    expect(afterClaim.unsent).toBe('opened');
    expect(afterConfirm.unsent).toBeUndefined();
    expect(afterConfirm.version).toBe(opened.next.version + 1);
    // Nothing left to send: the next run plans no transition for a still-open alert.
    expect(plan([afterConfirm]).transitions).toEqual([]);
  });

  it('refuses a second claim of the same transition by the same request (a retried invocation)', async () => {
    // Prepare: a new alert, and a reminder of an existing one.
    const opened = only(plan([]).transitions);
    await store.claim(opened, 'req-1');
    await store.confirm(opened, 'req-1');
    const open = only(await store.load('health'));
    const reminder = only(plan([open], [lag], new Date(NOW_DATE.getTime() + 5 * HOUR)).transitions);

    // Act
    const openedAgain = await store.claim(opened, 'req-1');
    const firstReminder = await store.claim(reminder, 'req-2');
    const reminderAgain = await store.claim(reminder, 'req-2');

    // Assess
    expect(reminder.kind).toBe('reminder');
    expect([openedAgain, firstReminder, reminderAgain]).toEqual([false, true, false]);
    expect(only(await store.load('health'))).toMatchObject({ unsent: 'reminder', version: reminder.next.version });
  });

  it('leaves a claim whose run crashed before the publish for the next run to send', async () => {
    // Prepare: run 1 claims and dies before publishing.
    const opened = only(plan([]).transitions);
    await store.claim(opened, 'req-1');

    // Act: run 2 reads the table and plans again.
    const resend = only(plan(await store.load('health'), [lag], new Date(NOW_DATE.getTime() + 60_000)).transitions);
    const claimed = await store.claim(resend, 'req-2');
    await store.confirm(resend, 'req-2');

    // Assess
    expect(resend).toMatchObject({ kind: 'opened', resend: true, notify: true });
    expect(claimed).toBe(true);
    const state = only(await store.load('health'));
    expect(state.unsent).toBeUndefined();
    expect(state.openedAt).toBe(opened.next.openedAt);
  });

  it('lets exactly one of many concurrent claims win, for a new alert and for a change to an existing one', async () => {
    // Prepare
    const opened = only(plan([]).transitions);
    const tokens = Array.from({ length: 8 }, (_, i) => `req-${i}`);

    // Act
    const openClaims = await Promise.all(tokens.map((t) => store.claim(opened, t)));
    await store.confirm(opened, tokens[openClaims.indexOf(true)]!);
    const escalated = only(plan(await store.load('health'), [{ ...lag, severity: 'critical' }]).transitions);
    const escalateClaims = await Promise.all(tokens.map((t) => store.claim(escalated, `${t}-b`)));

    // Assess
    expect(openClaims.filter(Boolean)).toHaveLength(1);
    expect(escalated.kind).toBe('escalated');
    expect(escalateClaims.filter(Boolean)).toHaveLength(1);
    expect(only(await store.load('health'))).toMatchObject({ severity: 'critical', unsent: 'escalated' });
  });

  it('keeps what a later run wrote when a stale run confirms its older claim', async () => {
    // Prepare: run 1 claims; run 2 resends and moves the alert on before run 1 confirms.
    const opened = only(plan([]).transitions);
    await store.claim(opened, 'req-1');
    const resend = only(plan(await store.load('health'), [lag], new Date(NOW_DATE.getTime() + 60_000)).transitions);
    await store.claim(resend, 'req-2');

    // Act
    await store.confirm(opened, 'req-1');

    // Assess: run 2's claim stands, still unsent until run 2 confirms.
    expect(only(await store.load('health'))).toMatchObject({ version: resend.next.version, unsent: 'opened' });
  });
});
