/// <reference types="aws-sdk-client-mock-vitest/extend" />
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes, toHaveReceivedCommandWith } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import { planTransitions, type AlertState } from '../../lambdas/core/outputs/alert-lifecycle';
import { AlertStateError, DynamoAlertStateStore, fromItem, toItem } from '../../lambdas/aws/alert-state-store';
import { fakeAlertTable } from '../support/alert-table-fake';
import { finding } from '../support/findings';
import { NOW_DATE } from '../support/fleet';

expect.extend({ toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

const lag = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
const plan = (previous: readonly AlertState[], findings = [lag], now = NOW_DATE) =>
  planTransitions({ scope: 'health', previous, findings, now, reminderHours: 4, minSeverity: 'warning' });

describe('DynamoAlertStateStore', () => {
  const ddb = mockClient(DynamoDBClient);
  beforeEach(() => ddb.reset());

  it('loads every page of a scope with a strongly consistent read', async () => {
    // Prepare
    const state = plan([]).transitions[0]!.next;
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [toItem(state)], LastEvaluatedKey: { pk: { S: 'health' }, sk: { S: state.key } } })
      .resolvesOnce({ Items: [toItem({ ...state, key: 'other', status: 'resolved', resolvedAt: NOW_DATE.toISOString(), expiresAt: 99 })] });
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');

    // Act
    const states = await store.load('health');

    // Assess
    expect(states).toEqual([state, { ...state, key: 'other', status: 'resolved', resolvedAt: NOW_DATE.toISOString(), expiresAt: 99 }]);
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'alerts',
      ConsistentRead: true,
      ExpressionAttributeValues: { ':scope': { S: 'health' } },
    });
  });

  it('claims a new alert only if nobody wrote it yet', async () => {
    ddb.on(PutItemCommand).resolves({});
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');
    const opened = plan([]).transitions[0]!;

    const claimed = await store.claim(opened, 'req-1');

    expect(claimed).toBe(true);
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'alerts',
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    const item = ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!;
    expect(item.lastTransition).toEqual({ S: 'req-1#opened#1' });
    expect(item.version).toEqual({ N: '1' });
    // Written as news not yet sent, until the run confirms the publish.
    expect(item.unsent).toEqual({ S: 'opened' });
  });

  it('claims a change of an existing alert only at the version it read, once per token', async () => {
    ddb.on(PutItemCommand).resolves({});
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');
    const open = plan([]).transitions[0]!.next;
    const resolved = plan([open], []).transitions[0]!;

    await store.claim(resolved, 'req-2');

    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      ConditionExpression: '#version = :expected AND (attribute_not_exists(#last) OR #last <> :id)',
      ExpressionAttributeValues: { ':expected': { N: '1' }, ':id': { S: 'req-2#resolved#2' } },
    });
  });

  it('reports a lost race as not claimed, and other errors as errors', async () => {
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');
    const opened = plan([]).transitions[0]!;

    ddb
      .on(PutItemCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(store.claim(opened, 'req-1')).resolves.toBe(false);
    await expect(store.claim(opened, 'req-1')).rejects.toThrow('throttled');
  });

  it('never lets a retried invocation send a confirmed transition twice', async () => {
    // Prepare: a table that really evaluates the conditions.
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan(await store.load('health')).transitions[0]!;

    // Act: the first attempt claims, publishes and confirms; the retry (same request id) plans from what it reads.
    const first = await store.claim(opened, 'req-1');
    await store.confirm(opened, 'req-1');
    const retryPlan = plan(await store.load('health'));
    const replay = await store.claim(opened, 'req-1');

    // Assess
    expect(first).toBe(true);
    expect(retryPlan.transitions).toEqual([]);
    expect(replay).toBe(false);
    expect((await store.load('health'))[0]).toMatchObject({ version: 2, status: 'open' });
    expect((await store.load('health'))[0]!.unsent).toBeUndefined();
  });

  it('leaves news it could not send for the retry: a crash between claim and publish loses nothing', async () => {
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan([]).transitions[0]!;
    await store.claim(opened, 'req-1');
    // The invocation dies here: no publish, no confirm.

    const retryPlan = plan(await store.load('health'), [lag], new Date(NOW_DATE.getTime() + 60_000));
    const resend = retryPlan.transitions[0]!;
    const claimed = await store.claim(resend, 'req-1');
    await store.confirm(resend, 'req-1');

    expect(retryPlan.transitions.map((t) => [t.kind, t.resend])).toEqual([['opened', true]]);
    expect(claimed).toBe(true);
    expect(plan(await store.load('health'), [lag], new Date(NOW_DATE.getTime() + 120_000)).transitions).toEqual([]);
  });

  it('confirms nothing over a newer write', async () => {
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan([]).transitions[0]!;
    await store.claim(opened, 'req-1');
    const resend = plan(await store.load('health')).transitions[0]!;
    await store.claim(resend, 'req-2');

    await store.confirm(opened, 'req-1');

    // The newer run's news is still waiting for its own confirmation.
    expect((await store.load('health'))[0]).toMatchObject({ version: 2, unsent: 'opened' });
  });

  it('rejects items it cannot read rather than guessing', () => {
    const item = toItem(plan([]).transitions[0]!.next);
    expect(() => fromItem({ ...item, severity: { S: 'urgent' } })).toThrow(AlertStateError);
    expect(() => fromItem({ ...item, version: { S: 'x' } })).toThrow(/version/);
  });

  it('keeps the regions an alert depends on', () => {
    const state = { ...plan([]).transitions[0]!.next, dependsOn: ['us-east-1', 'us-west-2'] };

    expect(fromItem(toItem(state))).toEqual(state);
  });

  it('loads the items it can read and reports, without throwing, one a newer version wrote', async () => {
    const state = plan([]).transitions[0]!.next;
    const future = { ...toItem({ ...state, key: 'REPLICA_TELEPATHY_LOST/us-east-1/x' }), code: { S: 'REPLICA_TELEPATHY_LOST' } };
    ddb.on(QueryCommand).resolves({ Items: [future, toItem(state)] });
    const unreadable: unknown[] = [];

    const states = await new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts').load('health', (item) =>
      unreadable.push(item),
    );

    expect(states).toEqual([state]);
    expect(unreadable).toEqual([{ key: 'REPLICA_TELEPATHY_LOST/us-east-1/x', reason: expect.stringContaining('unknown code "REPLICA_TELEPATHY_LOST"') }]);
  });
});

