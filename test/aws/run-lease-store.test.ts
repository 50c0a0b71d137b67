/**
 * The DynamoDB run lease: the requests it sends, and two runs racing for it. The table is an
 * in-memory map behind a mocked client that evaluates exactly the condition expressions the
 * store sends (and refuses any other), as DynamoDB documents them: attribute_not_exists,
 * attribute_exists and equality on the item as stored.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoRunLease } from '../../lambdas/aws/run-lease-store';
import { NOW_MS } from '../support/fleet';

type Item = Record<string, AttributeValue>;

function leaseTable() {
  const items = new Map<string, Item>();
  const id = (key: Item) => `${key.pk?.S}|${key.sk?.S}`;
  const fail = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  const holds = (existing: Item | undefined, expression: string, values: Record<string, AttributeValue> = {}) => {
    switch (expression) {
      case 'attribute_not_exists(#pk)':
        return !existing;
      case '#version = :read':
        return existing?.version?.N === values[':read']?.N;
      case 'attribute_exists(#pk) AND attribute_not_exists(#version)':
        return !!existing && !existing.version;
      case '#holder = :holder':
        return existing?.holder?.S === values[':holder']?.S;
      default:
        throw new Error(`lease table does not know the condition ${expression}`);
    }
  };
  const client = new DynamoDBClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(GetItemCommand).callsFake(async (input: { Key: Item }) => ({ Item: items.get(id(input.Key)) }));
  mock.on(PutItemCommand).callsFake(async (input: { Item: Item; ConditionExpression: string; ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
    if (!holds(items.get(id(input.Item)), input.ConditionExpression, input.ExpressionAttributeValues)) throw fail();
    items.set(id(input.Item), input.Item);
    return {};
  });
  // The follow-up request: SET followUpAfter = :event ADD version :one, on the holder's run only.
  mock.on(UpdateItemCommand).callsFake(
    async (input: { Key: Item; UpdateExpression: string; ConditionExpression: string; ExpressionAttributeValues: Record<string, AttributeValue> }) => {
      const existing = items.get(id(input.Key));
      const v = input.ExpressionAttributeValues;
      if (input.UpdateExpression !== 'SET #follow = :event ADD #version :one') throw new Error(`lease table does not know the update ${input.UpdateExpression}`);
      const started =
        input.ConditionExpression === '#holder = :holder AND #started = :started AND (attribute_not_exists(#follow) OR #follow < :event)'
          ? existing?.startedAt?.N === v[':started']?.N
          : input.ConditionExpression === '#holder = :holder AND attribute_not_exists(#started) AND (attribute_not_exists(#follow) OR #follow < :event)'
            ? !existing?.startedAt
            : (() => {
                throw new Error(`lease table does not know the condition ${input.ConditionExpression}`);
              })();
      const later = !existing?.followUpAfter || Number(existing.followUpAfter.N) < Number(v[':event']!.N);
      if (!existing || existing.holder?.S !== v[':holder']?.S || !started || !later) throw fail();
      items.set(id(input.Key), { ...existing, followUpAfter: v[':event']!, version: { N: String(Number(existing.version?.N ?? 0) + 1) } });
      return {};
    },
  );
  mock.on(DeleteItemCommand).callsFake(async (input: { Key: Item; ConditionExpression: string; ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
    if (!holds(items.get(id(input.Key)), input.ConditionExpression, input.ExpressionAttributeValues)) throw fail();
    items.delete(id(input.Key));
    return {};
  });
  return { client, mock, items };
}

describe('DynamoRunLease', () => {
  let table: ReturnType<typeof leaseTable>;
  afterEach(() => table.mock.restore());
  const lease = (clock = () => NOW_MS) => new DynamoRunLease(table.client, 'alerts', () => 150_000, clock);

  it('takes a free lease in its own partition, with a TTL past its expiry', async () => {
    table = leaseTable();

    const decision = await lease().acquire('health', 'req-1');

    expect(decision.acquired).toBe(true);
    const put = table.mock.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.Item).toEqual({
      pk: { S: '#lease' },
      sk: { S: 'health' },
      holder: { S: 'req-1' },
      until: { N: String(NOW_MS + 150_000) },
      version: { N: '1' },
      startedAt: { N: String(NOW_MS) },
      expiresAt: { N: String((NOW_MS + 150_000) / 1000 + 86_400) },
    });
    expect(table.mock.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('keeps a second run of the same scope out while the first holds it, but not a run of the other scope', async () => {
    table = leaseTable();
    await lease().acquire('health', 'req-1');

    expect(await lease().acquire('health', 'req-2')).toMatchObject({ acquired: false, heldBy: 'req-1' });
    expect(await lease().acquire('drift', 'req-2')).toMatchObject({ acquired: true });
  });

  it('lets exactly one of two runs that read the free lease at the same moment in', async () => {
    table = leaseTable();

    const results = await Promise.all([lease().acquire('health', 'req-1'), lease().acquire('health', 'req-2')]);

    // Both read it free and both tried to write: the condition on what was read decided.
    expect(table.mock.commandCalls(GetItemCommand)).toHaveLength(2);
    expect(table.mock.commandCalls(PutItemCommand)).toHaveLength(2);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    expect(results.filter((r) => !r.acquired)).toHaveLength(1);
  });

  it('is free again once released, and a release by a run that lost it changes nothing', async () => {
    table = leaseTable();
    await lease().acquire('health', 'req-1');

    await lease().release('health', 'req-2');
    expect(await lease().acquire('health', 'req-3')).toMatchObject({ acquired: false });
    await lease().release('health', 'req-1');
    expect(await lease().acquire('health', 'req-3')).toMatchObject({ acquired: true });
  });

  it('is taken over once it expired: a run that died holding it blocks the next only until then', async () => {
    table = leaseTable();
    await lease().acquire('health', 'req-1');

    expect(await lease(() => NOW_MS + 149_999).acquire('health', 'req-2')).toMatchObject({ acquired: false });
    expect(await lease(() => NOW_MS + 150_000).acquire('health', 'req-2')).toMatchObject({ acquired: true });
    expect(table.items.get('#lease|health')?.version).toEqual({ N: '2' });
  });

  it('treats an unreadable lease item as free instead of blocking every run for good', async () => {
    table = leaseTable();
    table.items.set('#lease|health', { pk: { S: '#lease' }, sk: { S: 'health' }, holder: { S: 'req-1' } });

    expect(await lease().acquire('health', 'req-2')).toMatchObject({ acquired: true });
  });
});

describe('DynamoRunLease coalescing event-triggered runs', () => {
  let table: ReturnType<typeof leaseTable>;
  afterEach(() => table.mock.restore());
  const lease = (clock = () => NOW_MS) => new DynamoRunLease(table.client, 'alerts', () => 150_000, clock);

  it('turns 50 events racing in during a run into one follow-up of that run, and drops those it then covered', async () => {
    table = leaseTable();
    await lease().acquire('health', 'req-run');

    // 50 events 10-59 s after the run started, their invocations all reading and writing the lease at once.
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => lease(() => NOW_MS + 60_000).acquire('health', `req-event-${i}`, NOW_MS + 10_000 + i * 1_000)),
    );
    const first = await lease(() => NOW_MS + 60_000).finish('health', 'req-run', { covered: true, mayRunAgain: true });
    const late = await lease(() => NOW_MS + 61_000).acquire('health', 'req-late', NOW_MS + 59_500);
    const second = await lease(() => NOW_MS + 90_000).finish('health', 'req-run', { covered: true, mayRunAgain: true });
    const after = await lease(() => NOW_MS + 95_000).acquire('health', 'req-after', NOW_MS + 59_000);

    expect(decisions.every((d) => !d.acquired && d.reason === 'queued')).toBe(true);
    // The follow-up is owed for the latest event, whatever order the writes landed in.
    expect(first).toMatchObject({ again: true, eventAt: NOW_MS + 59_000 });
    // The follow-up started at +60 s: an event from +59.5 s is too close to count as seen; it asks again.
    expect(late).toMatchObject({ acquired: false, reason: 'queued' });
    expect(second).toMatchObject({ again: true });
    expect(await lease(() => NOW_MS + 120_000).finish('health', 'req-run', { covered: true, mayRunAgain: true })).toMatchObject({ again: false });
    expect(after).toMatchObject({ acquired: false, reason: 'covered' });
  });
});
