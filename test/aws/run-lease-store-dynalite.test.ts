/**
 * The run lease against a real DynamoDB implementation (dynalite, in process on 127.0.0.1),
 * through the real @aws-sdk/client-dynamodb: the condition expressions that keep two runs apart
 * are evaluated by a DynamoDB engine, not by a mock that knows only the expressions we send.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunLease } from '../../lambdas/aws/run-lease-store';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import { NOW_MS } from '../support/fleet';

const DURATION_MS = 150_000;

let dynamo: LocalDynamo;
let table: string;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());
beforeEach(async () => {
  table = await dynamo.createAlertTable();
});

const lease = (clock = () => NOW_MS, client: DynamoDBClient = dynamo.client) => new DynamoRunLease(client, table, () => DURATION_MS, clock);

/**
 * The real client, except that every lease read waits until `runs` reads have completed: the
 * runs all see the same lease before any of them writes, the worst interleaving there is.
 */
function readBarrier(runs: number): DynamoDBClient {
  let arrived = 0;
  let open!: () => void;
  const allRead = new Promise<void>((resolve) => (open = resolve));
  const send = async (command: Parameters<DynamoDBClient['send']>[0]) => {
    const result = await dynamo.client.send(command as never);
    if (command instanceof GetItemCommand) {
      if (++arrived === runs) open();
      await allRead;
    }
    return result;
  };
  return { send } as unknown as DynamoDBClient;
}

describe('DynamoRunLease on a real DynamoDB engine', () => {
  it('lets exactly one of two runs in when both read the free lease before either writes', async () => {
    // Prepare
    const client = readBarrier(2);

    // Act
    const results = await Promise.all([lease(undefined, client).acquire('health', 'req-1'), lease(undefined, client).acquire('health', 'req-2')]);

    // Assess
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const loser = results.find((r) => !r.acquired);
    expect(loser).toMatchObject({ acquired: false });
    // The winner really holds it: a third run is kept out.
    expect(await lease().acquire('health', 'req-3')).toMatchObject({ acquired: false });
  });

  it('lets exactly one of two runs take over an expired lease when both read it at once', async () => {
    // Prepare: a run that died holding the lease.
    await lease().acquire('health', 'req-dead');
    const client = readBarrier(2);
    const later = () => NOW_MS + DURATION_MS;

    // Act
    const results = await Promise.all([lease(later, client).acquire('health', 'req-1'), lease(later, client).acquire('health', 'req-2')]);

    // Assess
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('lets exactly one of eight runs started together in', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => lease().acquire('health', `req-${i}`)));

    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });

  it('keeps the next run out until the lease expires, then lets it in', async () => {
    // Prepare
    await lease().acquire('health', 'req-1');

    // Act
    const early = await lease(() => NOW_MS + DURATION_MS - 1).acquire('health', 'req-2');
    const onExpiry = await lease(() => NOW_MS + DURATION_MS).acquire('health', 'req-2');
    const afterTakeover = await lease(() => NOW_MS + DURATION_MS + 1).acquire('health', 'req-1');

    // Assess
    expect(early).toMatchObject({ acquired: false, heldBy: 'req-1', until: NOW_MS + DURATION_MS });
    expect(onExpiry).toMatchObject({ acquired: true, next: { holder: 'req-2', version: 2 } });
    // The run that lost it by expiry does not get it back while the new holder's lease runs.
    expect(afterTakeover).toMatchObject({ acquired: false, heldBy: 'req-2' });
  });

  it('lets a retry of the same invocation (same request id) back in while its lease runs', async () => {
    // Prepare
    await lease().acquire('health', 'req-1');

    // Act
    const retry = await lease(() => NOW_MS + 60_000).acquire('health', 'req-1');
    const other = await lease(() => NOW_MS + 60_000).acquire('health', 'req-2');

    // Assess: re-entry extends the lease from the retry's start.
    expect(retry).toMatchObject({ acquired: true, next: { holder: 'req-1', until: NOW_MS + 60_000 + DURATION_MS, version: 2 } });
    expect(other).toMatchObject({ acquired: false, heldBy: 'req-1' });
  });

  it('is released only by its holder', async () => {
    // Prepare
    await lease().acquire('health', 'req-1');

    // Act + Assess: a release by another run changes nothing.
    await lease().release('health', 'req-2');
    expect(await lease().acquire('health', 'req-3')).toMatchObject({ acquired: false, heldBy: 'req-1' });

    await lease().release('health', 'req-1');
    expect(await lease().acquire('health', 'req-3')).toMatchObject({ acquired: true });
  });

  it('leaves a lease taken over after expiry with its new holder when the old holder releases late', async () => {
    // Prepare
    await lease().acquire('health', 'req-1');
    await lease(() => NOW_MS + DURATION_MS).acquire('health', 'req-2');

    // Act
    await lease(() => NOW_MS + DURATION_MS).release('health', 'req-1');

    // Assess
    expect(await lease(() => NOW_MS + DURATION_MS).acquire('health', 'req-3')).toMatchObject({ acquired: false, heldBy: 'req-2' });
  });

  it('keeps scopes apart: a health run never waits for a drift run', async () => {
    await lease().acquire('drift', 'req-1');

    expect(await lease().acquire('health', 'req-2')).toMatchObject({ acquired: true });
  });
});
