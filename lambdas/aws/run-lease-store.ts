/**
 * The run lease in the alert table (partition LEASE_PARTITION, sort key = scope). Read with a
 * consistent read, decided by decideLease, written only over the version read: of two runs that
 * read the same lease, one write fails its condition and that run stands down.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ALERT_TABLE_SCHEMA } from '../core/alert-lifecycle';
import type { EvaluationScope } from '../core/evaluate';
import { decideLease, LEASE_PARTITION, type LeaseDecision, type LeaseState, type RunLease } from '../core/run-lease';

type Item = Record<string, AttributeValue>;
const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = ALERT_TABLE_SCHEMA;

/** DynamoDB's TTL removes stale lease items eventually; the lease's own `until` is what counts. */
const TTL_GRACE_SECONDS = 86_400;

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

const key = (scope: EvaluationScope): Item => ({ [PK]: { S: LEASE_PARTITION }, [SK]: { S: scope } });

function fromItem(item: Item | undefined): LeaseState | undefined {
  if (!item) return undefined;
  const holder = item.holder?.S;
  const until = Number(item.until?.N);
  const version = Number(item.version?.N);
  // An unreadable lease item is treated as free: it must never stop every run for good.
  if (!holder || !Number.isFinite(until) || !Number.isInteger(version)) return undefined;
  return { holder, until, version };
}

export class DynamoRunLease implements RunLease {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** The lease length for a run starting now (the handler passes its remaining time plus a margin). */
    private readonly durationMs: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(scope: EvaluationScope, holder: string): Promise<LeaseDecision> {
    const read = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(scope), ConsistentRead: true }));
    const current = fromItem(read.Item);
    const decision = decideLease(current, { holder, nowMs: this.clock(), durationMs: this.durationMs() });
    if (!decision.acquired) return decision;
    const { next } = decision;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(scope),
            holder: { S: next.holder },
            until: { N: String(next.until) },
            version: { N: String(next.version) },
            [TTL]: { N: String(Math.ceil(next.until / 1000) + TTL_GRACE_SECONDS) },
          },
          // Only over what was read: nothing, the version read, or an item without one.
          ...(!read.Item
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : read.Item.version
              ? {
                  ConditionExpression: '#version = :read',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':read': read.Item.version },
                }
              : { ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#version)', ExpressionAttributeNames: { '#pk': PK, '#version': 'version' } }),
        }),
      );
      return decision;
    } catch (error) {
      // Another run wrote the lease between our read and our write: it won.
      if (isConditionFailure(error)) return { acquired: false, heldBy: 'a run that took it at the same time', until: next.until };
      throw error;
    }
  }

  async release(scope: EvaluationScope, holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(scope),
          ConditionExpression: '#holder = :holder',
          ExpressionAttributeNames: { '#holder': 'holder' },
          ExpressionAttributeValues: { ':holder': { S: holder } },
        }),
      );
    } catch (error) {
      // Expired and taken over by another run: that run's lease stands.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
