/**
 * A check run end to end on the wire: the real handler logic (runCheck) with the live reader's real
 * SDK clients against the local AWS endpoint, the alert store on dynalite, and a recording
 * notifier. Decides what the on-call sees when CloudWatch fails mid-incident.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoAlertStateStore } from '../../lambdas/aws/alert-state-store';
import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { CloudWatchMetricsPublisher } from '../../lambdas/aws/metrics-publisher';
import type { NotificationPublisher } from '../../lambdas/aws/sns-publisher';
import { runCheck, type CheckLogger } from '../../lambdas/checker/run-check';
import { parseConfig } from '../../lambdas/core/config';
import { singleAccountOrgReader } from '../../lambdas/core/fleet/org-reader';
import type { Notification } from '../../lambdas/core/outputs/notify';
import {
  cloudwatchError,
  cloudwatchResponse,
  FAKE_CREDENTIALS,
  startLocalAwsEndpoint,
  type LocalAwsEndpoint,
  type Reply,
  type RecordedRequest,
} from '../support/local-aws-endpoint';
import { fleetRoute, metricResultsFor } from '../support/live-aws-fleet';
import { NOW_DATE } from '../support/fleet';
import { startDynalite, type LocalDynamo } from '../support/dynalite';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MINUTE = 60_000;
const silent: CheckLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Ten 1-minute datapoints of `value` ending at `now`. */
const lagSeries = (value: number, now: Date) => (r: RecordedRequest) =>
  cloudwatchResponse({
    MetricDataResults: metricResultsFor(r, (res) => ({
      ...res,
      Timestamps: Array.from({ length: 10 }, (_, i) => (now.getTime() - (10 - i) * MINUTE) / 1000),
      Values: Array.from({ length: 10 }, () => value),
      StatusCode: 'Complete',
    })),
  });

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(() => dynamo.close());

let endpoint: LocalAwsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

async function harness() {
  let metrics: (r: RecordedRequest) => Reply = () => cloudwatchResponse({});
  endpoint = await startLocalAwsEndpoint((r) => {
    if (r.operation === 'GetMetricData') return metrics(r);
    if (r.operation === 'PutMetricData') return cloudwatchResponse({});
    return fleetRoute(r);
  });
  const url = endpoint.url;
  const store = new DynamoAlertStateStore(dynamo.client, await dynamo.createAlertTable());
  const sent: Notification[] = [];
  const notifier: NotificationPublisher = { publish: async (n) => (sent.push(n), `m-${sent.length}`) };
  const config = parseConfig({ notifications: { emails: ['oncall@example.com'] } });
  const run = async (minutes: number, answer: (now: Date) => (r: RecordedRequest) => Reply) => {
    const now = new Date(NOW_DATE.getTime() + minutes * MINUTE);
    metrics = answer(now);
    const reader = new LiveFleetReader({
      regions: ['us-east-1'],
      now: () => now,
      clients: (region) => {
        const options = { region, endpoint: url, credentials: FAKE_CREDENTIALS, maxAttempts: 1 };
        return { rds: new RDSClient(options), cloudwatch: new CloudWatchClient(options) };
      },
      retry: { sleep: async () => {} },
    });
    const before = sent.length;
    const outcome = await runCheck(
      { scope: 'health', token: `req-${minutes}`, reason: 'schedule' },
      { config, deployingAccountId: '123456789012' },
      {
        readerFor: () => singleAccountOrgReader(reader, { accountId: '123456789012' }),
        metrics: new CloudWatchMetricsPublisher(new CloudWatchClient({ region: 'us-east-1', endpoint: url, credentials: FAKE_CREDENTIALS })),
        store,
        notifier,
        logger: silent,
        clock: () => now,
      },
    );
    return { outcome, news: sent.slice(before).map((n) => n.subject) };
  };
  return { run, store };
}


describe('a check run through the wire when CloudWatch fails during an incident', () => {
  it.each([
    ['the GetMetricData call fails', () => () => cloudwatchError(500, 'InternalServiceFault', 'InternalServiceError', 'Internal failure', 'Receiver')],
    [
      'the lag series comes back InternalError',
      () => (r: RecordedRequest) =>
        cloudwatchResponse({ MetricDataResults: metricResultsFor(r, (res) => ({ ...res, Timestamps: [], Values: [], StatusCode: 'InternalError' })) }),
    ],
  ])('holds the open lag alert when %s: no false RESOLVED, and resolves once lag is read healthy', async (_case, failing) => {
    // Prepare
    const { run, store } = await harness();

    const lagAlert = async () => (await store.load('health')).find((s) => s.code === 'REPLICA_LAG_HIGH');

    // Act
    const opened = await run(0, (now) => lagSeries(900, now));
    const afterOpen = await lagAlert();
    const outage = await run(1, failing);
    const afterOutage = await lagAlert();
    const recovered = await run(2, (now) => lagSeries(1, now));
    const afterRecovery = await lagAlert();

    // Assess
    expect(opened.outcome.degradedRegions).toEqual([]);
    expect(afterOpen).toMatchObject({ status: 'open', resource: 'test-instance-repl', severity: 'critical' });
    // The outage is news itself (lag unknown), but nothing is resolved and the lag alert stays open.
    expect(outage.outcome.degradedRegions).toEqual(['123456789012/us-east-1']);
    expect(outage.outcome.transitions.resolved).toBeUndefined();
    expect(outage.news.join('\n')).not.toMatch(/resolved/i);
    expect(recovered.news.join('\n')).toMatch(/resolved/i);
    expect(afterOutage).toEqual(afterOpen);
    expect(recovered.outcome.degradedRegions).toEqual([]);
    expect(recovered.outcome.transitions.resolved).toBe(2);
    expect(afterRecovery).toMatchObject({ status: 'resolved', resource: 'test-instance-repl' });
  });
});
