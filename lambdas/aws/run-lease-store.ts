/**
 * The run lease in the alert table (partition LEASE_PARTITION, sort key = scope). Read with a
 * consistent read, decided by decideLease, written only over the version read: of two runs that
 * read the same lease, one write fails its condition and that run stands down. A free lease
 * stays in the table (without a holder) to carry what the last run covered. Events that arrive
 * during a run ask for a follow-up with a conditional UpdateItem (see askFollowUp).
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { ALERT_TABLE_SCHEMA } from '../core/outputs/alert-lifecycle';
import type { EvaluationScope } from '../core/rules/evaluate';
import {
  decideFinish,
  decideLease,
  LEASE_PARTITION,
  type FinishDecision,
  type LeaseDecision,
  type LeaseState,
  type RunLease,
} from '../core/outputs/run-lease';

type Item = Record<string, AttributeValue>;
const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = ALERT_TABLE_SCHEMA;

/** DynamoDB's TTL removes stale lease items eventually; the lease's own `until` is what counts. */
const TTL_GRACE_SECONDS = 86_400;

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

const key = (scope: EvaluationScope): Item => ({ [PK]: { S: LEASE_PARTITION }, [SK]: { S: scope } });

const optionalNumber = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N;
  return value !== undefined && Number.isFinite(Number(value)) ? Number(value) : undefined;
};

function fromItem(item: Item | undefined): LeaseState | undefined {
  if (!item) return undefined;
  const holder = item.holder?.S;
  const until = holder === undefined ? 0 : Number(item.until?.N);
  const version = Number(item.version?.N);
  // An unreadable lease item is treated as free: it must never stop every run for good.
  if (holder === '' || !Number.isFinite(until) || !Number.isInteger(version)) return undefined;
  const startedAt = optionalNumber(item, 'startedAt');
  const checkedFrom = optionalNumber(item, 'checkedFrom');
  const followUpAfter = optionalNumber(item, 'followUpAfter');
  return {
    ...(holder !== undefined ? { holder } : {}),
    until,
    version,
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(checkedFrom !== undefined ? { checkedFrom } : {}),
    ...(followUpAfter !== undefined ? { followUpAfter } : {}),
  };
}

function toItem(scope: EvaluationScope, state: LeaseState, nowMs: number): Item {
  const item: Item = { ...key(scope), version: { N: String(state.version) } };
  if (state.holder !== undefined) {
    item.holder = { S: state.holder };
    item.until = { N: String(state.until) };
  }
  if (state.startedAt !== undefined) item.startedAt = { N: String(state.startedAt) };
  if (state.checkedFrom !== undefined) item.checkedFrom = { N: String(state.checkedFrom) };
  if (state.followUpAfter !== undefined) item.followUpAfter = { N: String(state.followUpAfter) };
  item[TTL] = { N: String(Math.ceil(Math.max(state.until, nowMs) / 1000) + TTL_GRACE_SECONDS) };
  return item;
}

/** Reads and writes retried when another run wrote the lease in between. */
const CONTENDED_ATTEMPTS = 8;

export class DynamoRunLease implements RunLease {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    /** The lease length for a run starting now (the handler passes its remaining time plus a margin). */
    private readonly durationMs: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(scope: EvaluationScope, holder: string, eventAt?: number): Promise<LeaseDecision> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.read(scope);
      const nowMs = this.clock();
      const decision = decideLease(fromItem(read), {
        holder,
        nowMs,
        durationMs: this.durationMs(),
        ...(eventAt !== undefined ? { eventAt } : {}),
      });
      const { next } = decision;
      if (!next) return decision;
      const written = decision.acquired ? await this.writeOver(scope, read, next, nowMs) : await this.askFollowUp(scope, next);
      if (written) return decision;
      // Another run wrote the lease between our read and our write. A scheduled run stands down;
      // an event decides again on what is there now, so its follow-up request is never dropped.
      if (decision.acquired && eventAt === undefined) {
        return { acquired: false, reason: 'held', heldBy: 'a run that took it at the same time', until: next.until };
      }
      if (attempt >= CONTENDED_ATTEMPTS) {
        throw new Error(`The ${scope} run lease kept changing under ${CONTENDED_ATTEMPTS} attempts to record an event; Lambda retries it.`);
      }
    }
  }

  async finish(scope: EvaluationScope, holder: string, outcome: { readonly covered: boolean; readonly mayRunAgain: boolean }): Promise<FinishDecision> {
    for (let attempt = 1; ; attempt++) {
      const read = await this.read(scope);
      const nowMs = this.clock();
      const decision = decideFinish(fromItem(read), { holder, nowMs, durationMs: this.durationMs(), ...outcome });
      if (!decision.next) return decision;
      // An event that asked for a follow-up in between changed the version: decide again, with it.
      if (await this.writeOver(scope, read, decision.next, nowMs)) return decision;
      if (attempt >= CONTENDED_ATTEMPTS) {
        throw new Error(`The ${scope} run lease kept changing under ${CONTENDED_ATTEMPTS} attempts to give it back; it expires on its own.`);
      }
    }
  }

  async release(scope: EvaluationScope, holder: string): Promise<void> {
    await this.finish(scope, holder, { covered: false, mayRunAgain: false });
  }

  /**
   * Records an event's follow-up request on the holder's lease. An update, not a write over the
   * version read: events of a burst land together, and each one only has to move `followUpAfter`
   * forward on the same holder's run. The version is incremented atomically, so the holder's
   * conditional write at the end of its run sees every request made since it read the lease.
   */
  private async askFollowUp(scope: EvaluationScope, next: LeaseState): Promise<boolean> {
    if (next.holder === undefined || next.followUpAfter === undefined) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(scope),
          UpdateExpression: 'SET #follow = :event ADD #version :one',
          ConditionExpression:
            next.startedAt !== undefined
              ? '#holder = :holder AND #started = :started AND (attribute_not_exists(#follow) OR #follow < :event)'
              : '#holder = :holder AND attribute_not_exists(#started) AND (attribute_not_exists(#follow) OR #follow < :event)',
          ExpressionAttributeNames: { '#follow': 'followUpAfter', '#version': 'version', '#holder': 'holder', '#started': 'startedAt' },
          ExpressionAttributeValues: {
            ':event': { N: String(next.followUpAfter) },
            ':one': { N: '1' },
            ':holder': { S: next.holder },
            ...(next.startedAt !== undefined ? { ':started': { N: String(next.startedAt) } } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async read(scope: EvaluationScope): Promise<Item | undefined> {
    const read = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(scope), ConsistentRead: true }));
    return read.Item;
  }

  /** Writes `next` only over the item read; false when another run wrote it in between. */
  private async writeOver(scope: EvaluationScope, read: Item | undefined, next: LeaseState, nowMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(scope, next, nowMs),
          // Only over what was read: nothing, the version read, or an item without one.
          ...(!read
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : read.version
              ? {
                  ConditionExpression: '#version = :read',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':read': read.version },
                }
              : { ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#version)', ExpressionAttributeNames: { '#pk': PK, '#version': 'version' } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
