/**
 * The deployed probe's records in the alert-state table: one item per VPC under the partition
 * `PROBE_RESULTS_PARTITION`, overwritten by every run and expired by the table's TTL. The
 * observations are stored as one JSON string, exactly as a snapshot carries them.
 */
import { PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { ALERT_TABLE_SCHEMA } from '../core/outputs/alert-lifecycle';
import { PROBE_RESULTS_PARTITION, PROBE_RESULTS_TTL_SECONDS, type ProbeResultsRecord } from '../core/rules/probe/probe-results';
import type { ProbeObservation } from '../core/fleet/probe-observation';
import { probeObservationSchema } from '../core/fleet/snapshot';

const { partitionKey: PK, sortKey: SK, timeToLiveAttribute: TTL } = ALERT_TABLE_SCHEMA;
const observationsSchema = z.array(probeObservationSchema);

export class ProbeResultsStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async write(record: ProbeResultsRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(record.ranAt) / 1000) + PROBE_RESULTS_TTL_SECONDS;
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PK]: { S: PROBE_RESULTS_PARTITION },
          [SK]: { S: record.vpc },
          region: { S: record.region },
          ranAt: { S: record.ranAt },
          observations: { S: JSON.stringify(record.observations) },
          [TTL]: { N: String(expiresAt) },
        },
      }),
    );
  }

  /** Every VPC's latest record; an item this version cannot read is left out (and so counts as missing). */
  async readAll(): Promise<ProbeResultsRecord[]> {
    const records: ProbeResultsRecord[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':pk': { S: PROBE_RESULTS_PARTITION } },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = fromItem(item);
        if (record) records.push(record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}

function fromItem(item: Record<string, AttributeValue>): ProbeResultsRecord | undefined {
  const vpc = item[SK]?.S;
  const region = item.region?.S;
  const ranAt = item.ranAt?.S;
  const text = item.observations?.S;
  if (!vpc || !region || !ranAt || text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = observationsSchema.safeParse(parsed);
  if (!result.success) return undefined;
  return { vpc, region, ranAt, observations: result.data as unknown as ProbeObservation[] };
}
