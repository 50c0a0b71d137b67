/**
 * Alert states in DynamoDB: one item per (scope, finding key).
 *
 * Every write is conditional on the version the run read and carries the invocation's token, so
 * a retried Lambda invocation (same request id) finds its transition already claimed and does not
 * claim it again. News is claimed `unsent` and confirmed after the publish, so a run that died in
 * between leaves it for the next run to send: at least once, and twice if the publish succeeded
 * but the confirmation did not (see alert-lifecycle).
 *
 * Items this version cannot read (a finding code, status or severity from a newer version) are
 * skipped on load and never written, so a rollback neither blocks notifications nor loses them.
 */
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  ALERT_TABLE_SCHEMA,
  NEWS_KINDS,
  type AlertState,
  type AlertStateStore,
  type AlertStatus,
  type Transition,
  type UnreadableAlert,
} from '../core/outputs/alert-lifecycle';
import type { EvaluationScope } from '../core/rules/evaluate';
import { FINDING_CODES, SEVERITIES, type FindingCode, type Severity } from '../core/findings';

type Item = Record<string, AttributeValue>;

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = ALERT_TABLE_SCHEMA;
const SCOPES: readonly EvaluationScope[] = ['all', 'health', 'drift'];

export class AlertStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlertStateError';
  }
}

export function toItem(state: AlertState, transitionId?: string): Item {
  const item: Item = {
    [PK]: { S: state.scope },
    // An alert adopted from before keys named the account stays in its item.
    [SK]: { S: state.storedKey ?? state.key },
    code: { S: state.code },
    severity: { S: state.severity },
    region: { S: state.region },
    resource: { S: state.resource },
    status: { S: state.status },
    message: { S: state.message },
    openedAt: { S: state.openedAt },
    lastNotifiedAt: { S: state.lastNotifiedAt },
    version: { N: String(state.version) },
  };
  if (state.accountId) item.accountId = { S: state.accountId };
  if (state.accountName) item.accountName = { S: state.accountName };
  if (state.resolvedAt) item.resolvedAt = { S: state.resolvedAt };
  if (state.expiresAt !== undefined) item[TTL] = { N: String(state.expiresAt) };
  if (state.unsent) item.unsent = { S: state.unsent };
  if (state.dependsOn && state.dependsOn.length > 0) item.dependsOn = { L: state.dependsOn.map((region) => ({ S: region })) };
  if (transitionId) item.lastTransition = { S: transitionId };
  return item;
}

function text(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new AlertStateError(`alert item ${item[SK]?.S ?? '?'} has no string attribute "${name}"`);
  return value;
}

function oneOf<T extends string>(item: Item, name: string, allowed: readonly T[]): T {
  const value = text(item, name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AlertStateError(`alert item ${item[SK]?.S ?? '?'} has unknown ${name} "${value}"`);
  }
  return value as T;
}

export function fromItem(item: Item): AlertState {
  const version = Number(item.version?.N);
  if (!Number.isInteger(version)) throw new AlertStateError(`alert item ${item[SK]?.S ?? '?'} has no numeric "version"`);
  const expires = item[TTL]?.N;
  return {
    scope: oneOf(item, PK, SCOPES),
    key: text(item, SK),
    ...(item.accountId?.S ? { accountId: item.accountId.S } : {}),
    ...(item.accountName?.S ? { accountName: item.accountName.S } : {}),
    code: oneOf<FindingCode>(item, 'code', FINDING_CODES),
    severity: oneOf<Severity>(item, 'severity', SEVERITIES),
    region: text(item, 'region'),
    resource: text(item, 'resource'),
    status: oneOf<AlertStatus>(item, 'status', ['open', 'resolved']),
    message: text(item, 'message'),
    openedAt: text(item, 'openedAt'),
    lastNotifiedAt: text(item, 'lastNotifiedAt'),
    ...(item.resolvedAt?.S ? { resolvedAt: item.resolvedAt.S } : {}),
    ...(expires !== undefined ? { expiresAt: Number(expires) } : {}),
    version,
    ...(item.unsent ? { unsent: oneOf(item, 'unsent', NEWS_KINDS) } : {}),
    ...(item.dependsOn?.L ? { dependsOn: dependencies(item) } : {}),
  };
}

function dependencies(item: Item): string[] {
  return (item.dependsOn?.L ?? []).map((entry) => {
    if (entry.S === undefined) throw new AlertStateError(`alert item ${item[SK]?.S ?? '?'} has a non-string entry in "dependsOn"`);
    return entry.S;
  });
}

/** Unique per write of a run: a re-send under the same request id is a new transition, not a replay. */
const transitionId = (t: Transition, token: string) => `${token}#${t.kind}#${t.next.version}`;

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

export class DynamoAlertStateStore implements AlertStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(scope: EvaluationScope, onUnreadable?: (item: UnreadableAlert) => void): Promise<AlertState[]> {
    const states: AlertState[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :scope',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':scope': { S: scope } },
          // The previous run's writes must be visible, or a transition could be planned twice.
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        try {
          states.push(fromItem(item));
        } catch (error) {
          if (!(error instanceof AlertStateError)) throw error;
          // Left as it is: its writer (a newer version) knows what it means.
          onUnreadable?.({ key: item[SK]?.S ?? '?', reason: error.message });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return states;
  }

  async claim(transition: Transition, token: string): Promise<boolean> {
    const id = transitionId(transition, token);
    const expected = transition.previous?.version;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(transition.next, id),
          ...(expected === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
              }
            : {
                ConditionExpression: '#version = :expected AND (attribute_not_exists(#last) OR #last <> :id)',
                ExpressionAttributeNames: { '#version': 'version', '#last': 'lastTransition' },
                ExpressionAttributeValues: { ':expected': { N: String(expected) }, ':id': { S: id } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async confirm(transition: Transition, token: string): Promise<void> {
    if (!transition.next.unsent) return;
    const { unsent: _sent, ...sent } = transition.next;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({ ...sent, version: transition.next.version + 1 }, transitionId(transition, token)),
          ConditionExpression: '#version = :claimed AND #last = :id',
          ExpressionAttributeNames: { '#version': 'version', '#last': 'lastTransition' },
          ExpressionAttributeValues: {
            ':claimed': { N: String(transition.next.version) },
            ':id': { S: transitionId(transition, token) },
          },
        }),
      );
    } catch (error) {
      // Someone moved the alert on since the claim: what they wrote stands.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
