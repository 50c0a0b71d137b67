/**
 * An in-memory alert table behind a mocked DynamoDBClient: it evaluates the store's condition
 * expressions (and fails on any other), so retries and races can be played out.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

export function fakeAlertTable() {
  const items = new Map<string, Item>();
  const keyOf = (item: Item) => `${item.pk?.S}|${item.sk?.S}`;
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

  function check(existing: Item | undefined, expression: string | undefined, values: Record<string, AttributeValue> = {}): void {
    if (expression === undefined) return;
    if (expression === 'attribute_not_exists(#pk)') {
      if (existing) throw conditionFailed();
      return;
    }
    if (expression === '#version = :expected AND (attribute_not_exists(#last) OR #last <> :id)') {
      if (!existing || existing.version?.N !== values[':expected']?.N || existing.lastTransition?.S === values[':id']?.S) {
        throw conditionFailed();
      }
      return;
    }
    if (expression === '#version = :claimed AND #last = :id') {
      if (!existing || existing.version?.N !== values[':claimed']?.N || existing.lastTransition?.S !== values[':id']?.S) {
        throw conditionFailed();
      }
      return;
    }
    throw new Error(`fake table does not know the condition ${expression}`);
  }

  const client = new DynamoDBClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
    const scope = input.ExpressionAttributeValues?.[':scope']?.S;
    return { Items: [...items.values()].filter((i) => i.pk?.S === scope) };
  });
  mock.on(PutItemCommand).callsFake(
    (input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
      check(items.get(keyOf(input.Item)), input.ConditionExpression, input.ExpressionAttributeValues);
      items.set(keyOf(input.Item), input.Item);
      return {};
    },
  );
  mock.on(DeleteItemCommand).callsFake(
    (input: { Key: Item; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, AttributeValue> }) => {
      check(items.get(keyOf(input.Key)), input.ConditionExpression, input.ExpressionAttributeValues);
      items.delete(keyOf(input.Key));
      return {};
    },
  );
  return { client, mock, items };
}
