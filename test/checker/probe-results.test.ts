import { DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { DynamoAlertStateStore } from '../../lambdas/aws/alert-state-store';
import { ProbeResultsStore } from '../../lambdas/aws/probe-results-store';
import { runCheck, type CheckLogger } from '../../lambdas/checker/run-check';
import { parseConfig } from '../../lambdas/core/config';
import { evaluateOrg } from '../../lambdas/core/rules/evaluate-org';
import { singleAccountOrgReader } from '../../lambdas/core/fleet/org-reader';
import type { FleetSnapshot } from '../../lambdas/core/fleet/model';
import type { ProbeObservation } from '../../lambdas/core/fleet/probe-observation';
import { ProbeResultsReader, type ProbeResultsRecord } from '../../lambdas/core/rules/probe/probe-results';
import type { MetricsPublisher } from '../../lambdas/aws/metrics-publisher';
import type { NotificationPublisher } from '../../lambdas/aws/sns-publisher';
import { fakeAlertTable } from '../support/alert-table-fake';
import { fleet, instance, lag, replica, NOW, NOW_MS } from '../support/fleet';

const silent: CheckLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const metrics: MetricsPublisher = { publish: async () => 0 };
const notifier: NotificationPublisher = { publish: async () => undefined };

const config = parseConfig({
  probes: {
    vpcs: [{ name: 'app', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] }],
    targets: [{ match: { identifier: 'orders*' }, vpc: 'app', credentials: { iamUser: 'replguard_probe' } }],
  },
});

// CloudWatch says the replica is 900 s behind for the whole window.
const lagging = fleet({
  'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', Array.from({ length: 10 }, () => 900))] },
});

const iso = (msBeforeNow: number) => new Date(NOW_MS - msBeforeNow).toISOString();
const observations = (at: string): ProbeObservation[] => [
  { target: 'orders', region: 'us-east-1', engine: 'postgres', observedAt: at, role: 'source', heartbeat: { table: 'replguard.heartbeat', serverId: 7, writtenTs: at, seenTs: at, readAt: at } },
  {
    target: 'orders-ro', region: 'us-east-1', engine: 'postgres', observedAt: at, role: 'replica', sourceTarget: 'orders',
    heartbeat: { table: 'replguard.heartbeat', serverId: 7, seenTs: at, readAt: at },
    postgresReplica: { receiverStatus: 'streaming', senderHost: 'orders', senderPort: 5432, receiveLsn: '0/1', replayLsn: '0/1', replayGapBytes: 0, replayPaused: false, lastReplayAgeSeconds: 400 },
  },
];
const record = (ranAt: string): ProbeResultsRecord => ({ vpc: 'app', region: 'us-east-1', ranAt, observations: observations(ranAt) });

async function check(snapshot: FleetSnapshot, records: () => Promise<readonly ProbeResultsRecord[]>) {
  const reader = new ProbeResultsReader({ read: async () => snapshot }, records, { config, homeRegion: 'us-east-1' });
  const table = fakeAlertTable();
  const store = new DynamoAlertStateStore(table.client, 'alerts');
  let findings: { code: string; message: string; severity: string }[] = [];
  await runCheck(
    { scope: 'health', token: 't1', reason: 'test' },
    { config, deployingAccountId: '123456789012' },
    {
      readerFor: () => singleAccountOrgReader(reader, { accountId: '123456789012' }),
      metrics,
      store,
      notifier,
      logger: silent,
      evaluate: (s, o) => {
        const report = evaluateOrg(s, o);
        findings = report.findings.map((f) => ({ code: f.code, message: f.message, severity: f.severity }));
        return report;
      },
    },
  );
  return findings;
}

describe('deployed probe results in a check', () => {
  it('fresh results replace CloudWatch lag: the heartbeat says the replica is current', async () => {
    // Act
    const without = await check(lagging, async () => []);
    const fresh = await check(lagging, async () => [record(iso(30_000))]);
    // Assess
    expect(without.map((f) => f.code)).toContain('REPLICA_LAG_HIGH');
    expect(fresh.map((f) => f.code)).not.toContain('REPLICA_LAG_HIGH');
    expect(fresh.map((f) => f.code)).not.toContain('CHECK_DEGRADED');
  });

  it('results older than twice the check rate count for nothing and are CHECK_DEGRADED, naming the VPC', async () => {
    // Act
    const stale = await check(lagging, async () => [record(iso(3 * 60_000))]);
    // Assess
    expect(stale.map((f) => f.code)).toContain('REPLICA_LAG_HIGH');
    const degraded = stale.filter((f) => f.code === 'CHECK_DEGRADED');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.message).toContain('The probe in VPC "app" last reported at');
  });

  it('a VPC that never reported, and a failing read of the records, are each CHECK_DEGRADED', async () => {
    const missing = await check(lagging, async () => []);
    expect(missing.filter((f) => f.code === 'CHECK_DEGRADED').map((f) => f.message).join()).toContain('has not reported any results');
    const failing = await check(lagging, async () => {
      throw new Error('AccessDenied');
    });
    expect(failing.filter((f) => f.code === 'CHECK_DEGRADED').map((f) => f.message).join()).toContain("Reading the probe's results failed: AccessDenied");
  });
});

describe('ProbeResultsStore', () => {
  it('writes one item per VPC with a TTL and reads back the same observations', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    const items: Record<string, AttributeValue>[] = [];
    mock.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      items.push(input.Item);
      return {};
    });
    mock.on(QueryCommand).callsFake(() => ({ Items: [...items, { pk: { S: 'probe-results' }, sk: { S: 'broken' }, region: { S: 'us-east-1' }, ranAt: { S: NOW }, observations: { S: '[{"engine":"oracle"}]' } }] }));
    const store = new ProbeResultsStore(client, 'alerts');
    // Act
    await store.write(record(NOW));
    const read = await store.readAll();
    // Assess
    expect(items[0]).toMatchObject({ pk: { S: 'probe-results' }, sk: { S: 'app' }, expiresAt: { N: String(NOW_MS / 1000 + 86_400) } });
    expect(read).toEqual([record(NOW)]);
  });
});
