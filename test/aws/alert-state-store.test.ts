/// <reference types="aws-sdk-client-mock-vitest/extend" />
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes, toHaveReceivedCommandWith } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import { planTransitions, type AlertState } from '../../lambdas/core/alert-lifecycle';
import { AlertStateError, DynamoAlertStateStore, fromItem, toItem } from '../../lambdas/aws/alert-state-store';
import { fakeAlertTable } from '../support/alert-table-fake';
import { finding } from '../support/findings';

expect.extend({ toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

const NOW = new Date('2026-11-24T10:00:00Z');
const lag = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning' });
const plan = (previous: readonly AlertState[], findings = [lag], now = NOW) =>
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
      .resolvesOnce({ Items: [toItem({ ...state, key: 'other', status: 'resolved', resolvedAt: NOW.toISOString(), expiresAt: 99 })] });
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');

    // Act
    const states = await store.load('health');

    // Assess
    expect(states).toEqual([state, { ...state, key: 'other', status: 'resolved', resolvedAt: NOW.toISOString(), expiresAt: 99 }]);
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
    expect(item.lastTransition).toEqual({ S: 'req-1#opened' });
    expect(item.version).toEqual({ N: '1' });
  });

  it('claims a change of an existing alert only at the version it read, once per token', async () => {
    ddb.on(PutItemCommand).resolves({});
    const store = new DynamoAlertStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'alerts');
    const open = plan([]).transitions[0]!.next;
    const resolved = plan([open], []).transitions[0]!;

    await store.claim(resolved, 'req-2');

    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      ConditionExpression: '#version = :expected AND (attribute_not_exists(#last) OR #last <> :id)',
      ExpressionAttributeValues: { ':expected': { N: '1' }, ':id': { S: 'req-2#resolved' } },
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

  it('never lets a retried invocation claim the same transition twice', async () => {
    // Prepare: a table that really evaluates the conditions.
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan(await store.load('health')).transitions[0]!;

    // Act: the first attempt claims; the retry (same request id) plans from what it reads.
    const first = await store.claim(opened, 'req-1');
    const retryPlan = plan(await store.load('health'));
    const replay = await store.claim(opened, 'req-1');

    // Assess
    expect(first).toBe(true);
    expect(retryPlan.transitions).toEqual([]);
    expect(replay).toBe(false);
  });

  it('releases a claim so the retry plans the transition again', async () => {
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan([]).transitions[0]!;
    await store.claim(opened, 'req-1');

    await store.release(opened, 'req-1');
    const retryPlan = plan(await store.load('health'));

    expect(table.mock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(retryPlan.transitions.map((t) => t.kind)).toEqual(['opened']);
    expect(await store.claim(retryPlan.transitions[0]!, 'req-1')).toBe(true);
  });

  it('restores the previous state when releasing a change', async () => {
    const table = fakeAlertTable();
    const store = new DynamoAlertStateStore(table.client, 'alerts');
    const opened = plan([]).transitions[0]!;
    await store.claim(opened, 'req-1');
    const reminder = plan([opened.next], [lag], new Date(NOW.getTime() + 5 * 3_600_000)).transitions[0]!;
    await store.claim(reminder, 'req-2');

    await store.release(reminder, 'req-2');
    const [state] = await store.load('health');

    expect(state).toMatchObject({ lastNotifiedAt: NOW.toISOString(), version: 3 });
  });

  it('rejects items it cannot read rather than guessing', () => {
    const item = toItem(plan([]).transitions[0]!.next);
    expect(() => fromItem({ ...item, severity: { S: 'urgent' } })).toThrow(AlertStateError);
    expect(() => fromItem({ ...item, version: { S: 'x' } })).toThrow(/version/);
  });
});
