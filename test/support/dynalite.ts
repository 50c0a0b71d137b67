/**
 * dynalite, an in-process DynamoDB implementation, on 127.0.0.1 with a random port, and the alert
 * table created with the key schema the CDK construct defines.
 */
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error dynalite ships no type declarations
import dynalite from 'dynalite';
import { AlertStateTable } from '../../lib/alert-state-table';
import { FAKE_CREDENTIALS } from './local-aws-endpoint';

/**
 * The key schema of the table the CDK construct defines, read from its CloudFormation resource
 * (the CfnTable that synthesizes into the template), so a test table cannot drift from the
 * deployed one. A full synth would cost seconds for the same values.
 */
export function alertTableInput(tableName: string): CreateTableCommandInput {
  const stack = new Stack(new App(), 'Table');
  const cfn = new AlertStateTable(stack, 'Alerts').table.node.defaultChild as CfnTable;
  const keys = stack.resolve(cfn.keySchema) as { attributeName: string; keyType: 'HASH' | 'RANGE' }[];
  const attributes = stack.resolve(cfn.attributeDefinitions) as { attributeName: string; attributeType: 'S' | 'N' | 'B' }[];
  return {
    TableName: tableName,
    KeySchema: keys.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.attributeName, AttributeType: a.attributeType })),
    BillingMode: cfn.billingMode as 'PAY_PER_REQUEST',
  };
}

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  /** The endpoint URL, for clients a test does not create itself. */
  readonly endpoint: string;
  /** Creates a fresh alert table and returns its name. */
  createAlertTable(): Promise<string>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
  let tables = 0;
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    createAlertTable: async () => {
      const name = `alerts-${++tables}`;
      await client.send(new CreateTableCommand(alertTableInput(name)));
      return name;
    },
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
