/// <reference types="aws-sdk-client-mock-vitest/extend" />
import {
  CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes } from 'aws-sdk-client-mock-vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoAlertStateStore } from '../../lambdas/aws/alert-state-store';
import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { CloudWatchMetricsPublisher } from '../../lambdas/aws/metrics-publisher';
import { SnsNotificationPublisher, type NotificationPublisher } from '../../lambdas/aws/sns-publisher';
import { CheckOutputError, CONFIRM_ATTEMPTS, runCheck, type CheckDependencies, type CheckLogger } from '../../lambdas/checker/run-check';
import type { CheckScope } from '../../lambdas/checker/trigger';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import type { Report } from '../../lambdas/core/rules/evaluate';
import type { FleetSnapshot, OrgSnapshot } from '../../lambdas/core/fleet/model';
import { singleAccountOrgReader } from '../../lambdas/core/fleet/org-reader';
import type { FleetReader, OrgReader } from '../../lambdas/core/fleet/reader';
import type { RunLease } from '../../lambdas/core/outputs/run-lease';
import { fakeAlertTable } from '../support/alert-table-fake';
import { finding, report } from '../support/findings';
import { cluster, clusterArn, fleet, globalCluster, instance, instanceArn, lag, replica, series, NOW_DATE } from '../support/fleet';

expect.extend({ toHaveReceivedCommandTimes });

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
const ACCOUNT = '123456789012';

const silentLogger: CheckLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const staticReader = (snapshot: FleetSnapshot): FleetReader => ({ read: async () => snapshot });
const at = (minutes: number, snapshot: FleetSnapshot): FleetSnapshot => ({
  ...snapshot,
  capturedAt: new Date(NOW_DATE.getTime() + minutes * 60_000).toISOString(),
});

/** A replica 10 minutes over the critical threshold: REPLICA_LAG_HIGH, critical. */
const lagging = fleet({
  'us-east-1': {
    dbInstances: [instance('orders'), replica('orders-ro-1', 'orders')],
    metrics: [lag('orders-ro-1', Array.from({ length: 10 }, () => 900))],
  },
});
const healthy = fleet({
  'us-east-1': {
    dbInstances: [instance('orders'), replica('orders-ro-1', 'orders')],
    metrics: [lag('orders-ro-1', Array.from({ length: 10 }, () => 1))],
  },
});

function harness(configInput: ConfigInput = {}) {
  const table = fakeAlertTable();
  const snsClient = new SNSClient({ region: 'us-east-1' });
  const snsMock = mockClient(snsClient);
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  const cwClient = new CloudWatchClient({ region: 'us-east-1' });
  const cw = mockClient(cwClient);
  cw.on(PutMetricDataCommand).resolves({});
  const config = parseConfig({ notifications: { emails: ['oncall@example.com'] }, ...configInput });
  const deps = (reader: FleetReader, extra: Partial<CheckDependencies> = {}): CheckDependencies => ({
    readerFor: (): OrgReader => singleAccountOrgReader(reader, { accountId: ACCOUNT }),
    metrics: new CloudWatchMetricsPublisher(cwClient),
    store: new DynamoAlertStateStore(table.client, 'alerts'),
    notifier: new SnsNotificationPublisher(snsClient, TOPIC),
    logger: silentLogger,
    ...extra,
  });
  const check = (scope: CheckScope, token: string, reader: FleetReader, extra: Partial<CheckDependencies> = {}) =>
    runCheck({ scope, token, reason: 'test' }, { config, dashboardUrl: 'https://dashboard.example', deployingAccountId: ACCOUNT }, deps(reader, extra));
  const sent = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
  const metrics = () => cw.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData ?? []);
  return { table, snsMock, cw, check, sent, metrics, config, deps };
}

const metric = (data: readonly MetricDatum[], name: string, dims: Record<string, string> = {}) =>
  data.filter(
    (d) => d.MetricName === name && Object.entries(dims).every(([k, v]) => d.Dimensions?.some((x) => x.Name === k && x.Value === v)),
  );

describe('runCheck', () => {
  it('publishes metrics and one notification when a finding opens, then stays quiet', async () => {
    const h = harness();

    const first = await h.check('health', 'req-1', staticReader(lagging));
    const second = await h.check('health', 'req-2', staticReader(at(1, lagging)));

    expect(first).toMatchObject({ scope: 'health', replicas: 1, notified: true, transitions: { opened: 1 } });
    expect(second).toMatchObject({ notified: false, transitions: {} });
    expect(h.sent()).toHaveLength(1);
    expect(h.sent()[0]!.Subject).toContain('CRITICAL: 1 new');
    expect(JSON.parse(h.sent()[0]!.Message!).email).toContain('REPLICA_LAG_HIGH on orders-ro-1 (us-east-1, account 123456789012)');
    expect(metric(h.metrics(), 'Heartbeat')).toHaveLength(2);
    expect(metric(h.metrics(), 'MaxReplicaLagSeconds')[0]!.Value).toBe(900);
  });

  it('sends nothing twice when Lambda retries the invocation', async () => {
    const h = harness();

    await h.check('health', 'req-1', staticReader(lagging));
    // The retry keeps the request id and reads the same fleet a little later.
    const retry = await h.check('health', 'req-1', staticReader(at(1, lagging)));

    expect(h.sent()).toHaveLength(1);
    expect(retry.notified).toBe(false);
  });

  it('holds a global secondary\'s RPO alert through lag reads, which do not read its RPO series, and clears it on the next full read', async () => {
    // Prepare: a DR global database whose secondary's RPOLag is over the 60 s RPO, then back under it.
    const dr = [{ Key: 'replguard:dr', Value: 'required' }];
    const globalDb = (rpoMs: number): FleetSnapshot =>
      fleet({
        'us-east-1': {
          dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'pay-global' })],
          dbInstances: [instance('pay-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'pay' })],
          globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('us-west-2', 'pay-west')], { TagList: dr })],
        },
        'us-west-2': {
          dbClusters: [cluster('pay-west', { 'pay-west-1': false }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'pay-global' })],
          dbInstances: [instance('pay-west-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'pay-west' })],
          globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('us-west-2', 'pay-west')], { TagList: dr })],
          metrics: [
            series('AuroraGlobalDBProgressLag', { DBClusterIdentifier: 'pay-west', SourceRegion: 'us-east-1' }, [900, 900, 900, 900, 900]),
            series('AuroraGlobalDBRPOLag', { DBClusterIdentifier: 'pay-west', SourceRegion: 'us-east-1' }, Array.from({ length: 5 }, () => rpoMs)),
            series('AuroraReplicaLag', { DBInstanceIdentifier: 'pay-west-1' }, [20, 20, 20, 20, 20]),
          ],
        },
      });
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });
    const run = (token: string, reads: 'lag' | 'full', snapshot: FleetSnapshot) =>
      runCheck({ scope: 'health', token, reason: 'test', reads }, { config: h.config, dashboardUrl: 'https://dashboard.example', deployingAccountId: ACCOUNT }, h.deps(staticReader(snapshot)));

    // Act: RPO back under target by the lag read, which does not judge a global secondary's RPOLag.
    const opened = await run('full-1', 'full', globalDb(90_000));
    const lagRead = await run('lag-1', 'lag', at(1, globalDb(500)));
    const cleared = await run('full-2', 'full', at(2, globalDb(500)));

    // Assess
    expect(opened.transitions).toEqual({ opened: 1 });
    expect(lagRead.transitions).toEqual({});
    expect(cleared.transitions).toEqual({ resolved: 1 });
  });

  it('sends the resolution once when the finding clears', async () => {
    const h = harness();
    await h.check('health', 'req-1', staticReader(lagging));

    await h.check('health', 'req-2', staticReader(at(5, healthy)));
    await h.check('health', 'req-2', staticReader(at(6, healthy)));

    expect(h.sent()).toHaveLength(2);
    expect(h.sent()[1]!.Subject).toContain('RESOLVED: 1 resolved');
  });

  it('leaves its claims unsent when SNS fails, so the retry sends the news', async () => {
    const h = harness();
    h.snsMock.on(PublishCommand).rejectsOnce(new Error('SNS unavailable')).resolves({ MessageId: 'm' });

    const failed = h.check('health', 'req-1', staticReader(lagging));
    await expect(failed).rejects.toThrow(CheckOutputError);
    await h.check('health', 'req-1', staticReader(lagging));

    const calls = h.snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.Subject).toContain('1 new');
    // Metrics went out on both attempts even though the first failed.
    expect(metric(h.metrics(), 'Heartbeat')).toHaveLength(2);
  });

  it('sends the news on the retry when the invocation died between claim and publish', async () => {
    // Prepare: the first attempt writes its claims, then hangs in the publish until Lambda kills it.
    const h = harness();
    let reachedPublish: () => void = () => undefined;
    const atPublish = new Promise<void>((resolve) => (reachedPublish = resolve));
    const hangs: NotificationPublisher = {
      publish: () => {
        reachedPublish();
        return new Promise<never>(() => undefined);
      },
    };
    void h.check('health', 'req-1', staticReader(lagging), { notifier: hangs });
    await atPublish;

    // Act: Lambda retries the invocation (same request id), then the schedule runs on.
    const retry = await h.check('health', 'req-1', staticReader(at(2, lagging)));
    const next = await h.check('health', 'req-2', staticReader(at(3, lagging)));

    // Assess: sent once, by the retry; nothing after.
    expect(retry).toMatchObject({ notified: true, resent: 1, transitions: { opened: 1 } });
    expect(next.notified).toBe(false);
    expect(h.sent()).toHaveLength(1);
    expect(h.sent()[0]!.Subject).toContain('CRITICAL: 1 new');
  });

  it('still notifies when publishing metrics fails, reports the failure, and the retry sends nothing twice', async () => {
    const h = harness();
    h.cw.on(PutMetricDataCommand).rejectsOnce(new Error('AccessDenied')).resolves({});

    await expect(h.check('health', 'req-1', staticReader(lagging))).rejects.toThrow(/metrics: AccessDenied/);
    const retry = await h.check('health', 'req-1', staticReader(at(1, lagging)));

    expect(h.sent()).toHaveLength(1);
    expect(retry.notified).toBe(false);
  });

  it('opens and resolves only the alerts of its own scope', async () => {
    const h = harness();
    const drift = finding({ code: 'PARAM_DRIFT', severity: 'warning', evidence: { parameter: 'binlog_format' } });
    const lagHigh = finding({ code: 'REPLICA_LAG_HIGH' });
    const both = () => report({ findings: [drift, lagHigh] });
    const none = () => report({ findings: [] });
    const evaluateWith = (make: () => Report) => (_s: OrgSnapshot) => make();

    await h.check('drift', 'req-1', staticReader(healthy), { evaluate: evaluateWith(both) });
    const healthRun = await h.check('health', 'req-2', staticReader(healthy), { evaluate: evaluateWith(none) });

    expect(JSON.parse(h.sent()[0]!.Message!).email).toContain('PARAM_DRIFT');
    expect(JSON.parse(h.sent()[0]!.Message!).email).not.toContain('REPLICA_LAG_HIGH');
    // Nothing of the health scope was open, and the drift alert is not the health run's to resolve.
    expect(healthRun.transitions).toEqual({});
    expect(h.sent()).toHaveLength(1);
  });

  it('skips the drift check when drift is disabled, without reading', async () => {
    const h = harness({ drift: { enabled: false } });
    let reads = 0;

    const outcome = await h.check('drift', 'req-1', { read: async () => (reads++, healthy) });

    expect(outcome.skipped).toBe('drift disabled');
    expect(reads).toBe(0);
    expect(h.metrics()).toHaveLength(0);
  });
});

describe('runCheck with a region that cannot be read', () => {
  const restorers: (() => void)[] = [];
  afterEach(() => restorers.splice(0).forEach((restore) => restore()));

  it('still publishes metrics for the other regions and notifies a CHECK_DEGRADED finding', async () => {
    // Prepare: us-east-1 answers, us-west-2 denies every RDS call.
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });
    const clients = (region: string) => {
      const pair = { rds: new RDSClient({ region }), cloudwatch: new CloudWatchClient({ region }) };
      const rds = mockClient(pair.rds);
      const cloudwatch = mockClient(pair.cloudwatch);
      restorers.push(() => rds.restore(), () => cloudwatch.restore());
      if (region === 'us-west-2') {
        const denied = Object.assign(new Error('User is not authorized to perform rds:DescribeDBInstances'), { name: 'AccessDenied' });
        rds.on(DescribeDBInstancesCommand).rejects(denied);
        rds.on(DescribeDBClustersCommand).rejects(denied);
        rds.on(DescribeGlobalClustersCommand).rejects(denied);
      } else {
        rds.on(DescribeDBInstancesCommand).resolves({
          DBInstances: [
            { DBInstanceIdentifier: 'orders', Engine: 'mysql', DBInstanceClass: 'db.r6g.large', BackupRetentionPeriod: 7 },
            {
              DBInstanceIdentifier: 'orders-ro-1',
              Engine: 'mysql',
              DBInstanceClass: 'db.r6g.large',
              ReadReplicaSourceDBInstanceIdentifier: 'orders',
              StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }],
            },
          ],
        });
        rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
        rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
      }
      cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [1, 2, 3, 4, 5].map((m) => new Date(NOW_DATE.getTime() - m * 60_000)),
          Values: [2, 2, 2, 2, 2],
          StatusCode: 'Complete',
        })),
      }));
      return pair;
    };
    const reader = new LiveFleetReader({
      regions: ['us-east-1', 'us-west-2'],
      now: () => NOW_DATE,
      clients,
      retry: { sleep: async () => undefined },
    });

    // Act
    const outcome = await h.check('health', 'req-1', reader);

    // Assess
    expect(outcome.degradedRegions).toEqual(['123456789012/us-west-2']);
    expect(metric(h.metrics(), 'Heartbeat', { Scope: 'health' })).toHaveLength(1);
    expect(metric(h.metrics(), 'ReplicasMonitored')[0]!.Value).toBe(1);
    expect(metric(h.metrics(), 'MaxReplicaLagSeconds')[0]!.Value).toBe(2);
    expect(metric(h.metrics(), 'Findings', { Severity: 'critical' })[0]!.Value).toBeGreaterThanOrEqual(1);
    // A zero that only means "could not look" is not sent.
    expect(metric(h.metrics(), 'UnhealthyReplicas')).toHaveLength(0);
    const email = JSON.parse(h.sent()[0]!.Message!).email as string;
    expect(email).toContain('CHECK_DEGRADED');
    expect(email).toContain('us-west-2');
  });
});

describe('runCheck with a run lease', () => {
  /** A lease that one run holds until it releases; `fail` makes taking it throw. */
  function memoryLease(options: { heldBy?: string; fail?: boolean } = {}) {
    let holder = options.heldBy;
    const released: string[] = [];
    const lease: RunLease = {
      acquire: async (_scope, token) => {
        if (options.fail) throw new Error('ProvisionedThroughputExceededException');
        if (holder && holder !== token) return { acquired: false, heldBy: holder, until: NOW_DATE.getTime() + 60_000 };
        holder = token;
        return { acquired: true, next: { holder: token, until: NOW_DATE.getTime() + 60_000, version: 1 } };
      },
      finish: async (_scope, token) => {
        released.push(token);
        if (holder === token) holder = undefined;
        return { again: false };
      },
      release: async (_scope, token) => {
        released.push(token);
        if (holder === token) holder = undefined;
      },
    };
    return { lease, released };
  }

  it('stops without reading, publishing or notifying while another run holds the lease', async () => {
    const h = harness();
    const { lease } = memoryLease({ heldBy: 'req-other' });
    let reads = 0;
    const reader: FleetReader = { read: async () => (reads++, at(10, lagging)) };

    const outcome = await h.check('health', 'req-1', reader, { lease });

    expect(outcome.skipped).toMatch(/another health run holds the run lease/);
    expect(reads).toBe(0);
    expect(h.metrics()).toEqual([]);
    expect(h.sent()).toEqual([]);
  });

  it('gives the lease back after the run, also when the run fails', async () => {
    const h = harness();
    const { lease, released } = memoryLease();

    await h.check('health', 'req-1', staticReader(at(10, lagging)), { lease });
    const failing: FleetReader = { read: async () => Promise.reject(new Error('boom')) };
    await expect(h.check('health', 'req-2', failing, { lease })).rejects.toThrow('boom');

    expect(released).toEqual(['req-1', 'req-2']);
    expect(h.sent()).toHaveLength(1);
  });

  /** A lease whose holder is asked for `followUps` more runs; `finishFails` makes giving it back throw. */
  function followUpLease(followUps: number, finishFails = false) {
    const asked: { mayRunAgain: boolean }[] = [];
    let owed = followUps;
    const lease: RunLease = {
      acquire: async (_scope, token) => ({ acquired: true, next: { holder: token, until: NOW_DATE.getTime() + 60_000, version: 1 } }),
      finish: async (_scope, _token, outcome) => {
        asked.push({ mayRunAgain: outcome.mayRunAgain });
        if (finishFails) throw new Error('ProvisionedThroughputExceededException');
        if (owed > 0 && outcome.mayRunAgain) {
          owed--;
          return { again: true, eventAt: NOW_DATE.getTime(), next: { holder: 'req-1', until: NOW_DATE.getTime() + 60_000, version: 2 } };
        }
        return { again: false };
      },
      release: async () => undefined,
    };
    return { lease, asked };
  }

  it('checks again when an event arrived during the run, and the follow-up sends what it finds', async () => {
    const h = harness();
    const { lease } = followUpLease(1);
    const reads = [at(1, healthy), at(1, lagging)];
    const reader: FleetReader = { read: async () => reads.shift()! };

    const outcome = await h.check('health', 'req-1', reader, { lease });

    expect(reads).toEqual([]);
    expect(outcome).toMatchObject({ followUps: 1, transitions: { opened: 1 }, notified: true });
    expect(h.sent()).toHaveLength(1);
    expect(JSON.parse(h.sent()[0]!.Message!).email).toContain('REPLICA_LAG_HIGH');
  });

  it('leaves the follow-up to the schedule when the invocation has no time left for it', async () => {
    const h = harness();
    const { lease, asked } = followUpLease(1);
    let reads = 0;
    const reader: FleetReader = { read: async () => (reads++, at(10, lagging)) };

    const outcome = await h.check('health', 'req-1', reader, { lease, remainingMs: () => 5_000 });

    expect(reads).toBe(1);
    expect(asked).toEqual([{ mayRunAgain: false }]);
    expect(outcome.followUps).toBeUndefined();
  });

  it('does not fail a run whose outputs went out when giving the lease back fails (it expires on its own)', async () => {
    const h = harness();
    const { lease } = followUpLease(0, true);

    const outcome = await h.check('health', 'req-1', staticReader(at(10, lagging)), { lease });

    expect(outcome.notified).toBe(true);
    expect(h.sent()).toHaveLength(1);
  });

  it('still runs when the lease cannot be taken, then fails so the error is seen', async () => {
    const h = harness();
    const { lease } = memoryLease({ fail: true });

    await expect(h.check('health', 'req-1', staticReader(at(10, lagging)), { lease })).rejects.toThrow(CheckOutputError);
    expect(h.sent()).toHaveLength(1);
    expect(h.metrics().length).toBeGreaterThan(0);
  });
});

/** What a reader of the run's email would list: `kind:CODE:resource`, in message order. */
function newsIn(message: { Message?: string }): string[] {
  const kinds: Record<string, string> = { NEW: 'opened', ESCALATED: 'escalated', 'STILL OPEN': 'reminder', RESOLVED: 'resolved', 'GONE (deleted)': 'gone' };
  const email = JSON.parse(message.Message!).email as string;
  const out: string[] = [];
  let kind = '?';
  for (const line of email.split('\n')) {
    const heading = /^== (.+?)(?: \(reminder every [^)]*\))? \(\d+\) ==$/.exec(line);
    if (heading) kind = kinds[heading[1]!] ?? heading[1]!;
    const entry = /^-? ?\[[A-Z]+\] ([A-Z_]+) on (\S+) \(/.exec(line);
    if (entry) out.push(`${kind}:${entry[1]}:${entry[2]}`);
  }
  return out;
}

const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
const THROTTLED = { operation: 'rds:DescribeDBInstances', code: 'ThrottlingException', message: 'Rate exceeded' };

/** orders (us-east-1) needs DR; its only cross-region replica, orders-dr (us-west-2), is broken, unreadable or deleted. */
function drFleet(west: 'broken' | 'throttled' | 'lagging' | 'deleted' | 'deleted-still-listed'): FleetSnapshot {
  const drArn = instanceArn('us-west-2', 'orders-dr');
  return fleet({
    'us-east-1': {
      dbInstances: [
        instance('orders', {
          DBInstanceArn: instanceArn('us-east-1', 'orders'),
          TagList: DR_TAG,
          ReadReplicaDBInstanceIdentifiers: west === 'deleted' ? [] : [drArn],
        }),
      ],
    },
    'us-west-2':
      west === 'throttled'
        ? { errors: [THROTTLED] }
        : west === 'deleted' || west === 'deleted-still-listed'
          ? { dbInstances: [] }
          : {
              dbInstances: [
                replica('orders-dr', instanceArn('us-east-1', 'orders'), {
                  DBInstanceArn: drArn,
                  ...(west === 'broken'
                    ? { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Replication has stopped.' }] }
                    : {}),
                }),
              ],
              metrics: [lag('orders-dr', Array.from({ length: 10 }, () => (west === 'lagging' ? 900 : 1)))],
            },
  });
}

describe('runCheck while a region it depends on cannot be read', () => {
  it('holds a DR alert recorded in a readable region while its replica\'s region is throttled', async () => {
    // Prepare
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });

    // Act: broken, then us-west-2 throttled, then readable again and still broken.
    await h.check('health', 'req-1', staticReader(drFleet('broken')));
    await h.check('health', 'req-2', staticReader(at(5, drFleet('throttled'))));
    await h.check('health', 'req-3', staticReader(at(10, drFleet('broken'))));

    // Assess: one opening page for the DR gap, no false RESOLVED and no re-opening.
    const news = h.sent().flatMap(newsIn);
    expect(news.filter((n) => n.includes('NO_CROSS_REGION_REPLICA'))).toEqual(['opened:NO_CROSS_REGION_REPLICA:orders']);
    expect(news.filter((n) => n.startsWith('resolved:'))).toEqual(['resolved:CHECK_DEGRADED:rds:DescribeDBInstances']);
    const drState = [...h.table.items.values()].find((i) => i.code?.S === 'NO_CROSS_REGION_REPLICA');
    expect(drState?.openedAt?.S).toBe(NOW_DATE.toISOString());
  });

  it('holds a replica parameter alert while its source region\'s parameter groups cannot be read', async () => {
    // Prepare: a PostgreSQL standby in us-west-2 with fewer connections than its source in us-east-1.
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });
    const pg = { Engine: 'postgres', EngineVersion: '16.4' };
    const drift = (sourceParams: 'read' | 'throttled'): FleetSnapshot =>
      fleet({
        'us-east-1': {
          dbInstances: [
            instance('src', { ...pg, DBInstanceArn: instanceArn('us-east-1', 'src'), DBParameterGroups: [{ DBParameterGroupName: 'src-params', ParameterApplyStatus: 'in-sync' }] }),
          ],
          ...(sourceParams === 'read'
            ? { dbParameters: { 'src-params': [{ ParameterName: 'max_connections', ParameterValue: '200', Source: 'user' }] } }
            : { dbParameters: {}, errors: [{ operation: 'rds:DescribeDBParameters', code: 'ThrottlingException', message: 'src-params: Rate exceeded' }] }),
        },
        'us-west-2': {
          dbInstances: [
            replica('ro-west', instanceArn('us-east-1', 'src'), { ...pg, DBParameterGroups: [{ DBParameterGroupName: 'ro-params', ParameterApplyStatus: 'in-sync' }] }),
          ],
          dbParameters: { 'ro-params': [{ ParameterName: 'max_connections', ParameterValue: '100', Source: 'user' }] },
        },
      });

    // Act
    await h.check('drift', 'req-1', staticReader(drift('read')));
    await h.check('drift', 'req-2', staticReader(at(5, drift('throttled'))));
    await h.check('drift', 'req-3', staticReader(at(10, drift('read'))));

    // Assess
    const news = h.sent().flatMap(newsIn);
    expect(news.filter((n) => n.includes('REPLICA_PARAM_BELOW_SOURCE'))).toEqual(['opened:REPLICA_PARAM_BELOW_SOURCE:ro-west']);
  });
});

describe('runCheck when a database is deleted', () => {
  it('ends the deleted replica\'s alerts as gone and keeps its primary\'s DR gap open', async () => {
    // Prepare: the DR replica lags, then it is deleted (us-west-2 is read fine and no longer lists it).
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });

    // Act
    await h.check('health', 'req-1', staticReader(drFleet('lagging')));
    await h.check('health', 'req-2', staticReader(at(5, drFleet('deleted'))));

    // Assess
    const [first, second] = h.sent().map(newsIn);
    expect(first).toContain('opened:RPO_EXCEEDED:orders-dr');
    expect(second).toEqual(['opened:NO_CROSS_REGION_REPLICA:orders', 'gone:RPO_EXCEEDED:orders-dr']);
    expect(JSON.parse(h.sent()[1]!.Message!).email).toContain('orders-dr is no longer described in us-west-2');
  });

  it('keeps the DR gap open while the primary still lists the deleted replica', async () => {
    const h = harness({ regions: ['us-east-1', 'us-west-2'] });

    await h.check('health', 'req-1', staticReader(drFleet('lagging')));
    await h.check('health', 'req-2', staticReader(at(5, drFleet('deleted-still-listed'))));

    expect(h.sent().map(newsIn)[1]).toEqual(['opened:NO_CROSS_REGION_REPLICA:orders', 'gone:RPO_EXCEEDED:orders-dr']);
  });
});

describe('runCheck with an alert item this version cannot read', () => {
  it('still notifies, warns, and leaves the item untouched', async () => {
    // Prepare: an item a newer version wrote, with a finding code this version does not know.
    const h = harness();
    const future = {
      pk: { S: 'health' },
      sk: { S: 'REPLICA_TELEPATHY_LOST/us-east-1/orders-ro-1' },
      code: { S: 'REPLICA_TELEPATHY_LOST' },
      severity: { S: 'critical' },
      region: { S: 'us-east-1' },
      resource: { S: 'orders-ro-1' },
      status: { S: 'open' },
      message: { S: 'from the future' },
      openedAt: { S: '2026-11-24T09:00:00.000Z' },
      lastNotifiedAt: { S: '2026-11-24T09:00:00.000Z' },
      version: { N: '3' },
    };
    h.table.items.set('health|REPLICA_TELEPATHY_LOST/us-east-1/orders-ro-1', structuredClone(future));
    const warnings: unknown[] = [];
    const logger: CheckLogger = { ...silentLogger, warn: (message, ...attributes) => warnings.push({ message, ...attributes[0] }) };

    // Act: an alert opens, then the fleet is healthy again.
    await h.check('health', 'req-1', staticReader(lagging), { logger });
    await h.check('health', 'req-2', staticReader(at(5, healthy)), { logger });

    // Assess
    expect(h.sent().map(newsIn)).toEqual([['opened:REPLICA_LAG_HIGH:orders-ro-1'], ['resolved:REPLICA_LAG_HIGH:orders-ro-1']]);
    expect(h.table.items.get('health|REPLICA_TELEPATHY_LOST/us-east-1/orders-ro-1')).toEqual(future);
    expect(warnings).toContainEqual(
      expect.objectContaining({ key: 'REPLICA_TELEPATHY_LOST/us-east-1/orders-ro-1', reason: expect.stringContaining('REPLICA_TELEPATHY_LOST') }),
    );
  });
});

describe('runCheck when the confirmation write fails after SNS accepted the message', () => {
  /** The real store, whose confirm fails `failures` times first. */
  function flakyConfirm(h: ReturnType<typeof harness>, failures: number) {
    const store = new DynamoAlertStateStore(h.table.client, 'alerts');
    let left = failures;
    return {
      load: store.load.bind(store),
      claim: store.claim.bind(store),
      confirm: async (...args: Parameters<typeof store.confirm>) => {
        if (left-- > 0) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' });
        return store.confirm(...args);
      },
    };
  }
  const noWait = async () => undefined;

  it('retries the confirmation, so the run succeeds and its retry sends nothing twice', async () => {
    const h = harness();
    const store = flakyConfirm(h, 2);

    const outcome = await h.check('health', 'req-1', staticReader(lagging), { store, sleep: noWait });
    await h.check('health', 'req-1', staticReader(at(1, lagging)), { store, sleep: noWait });
    await h.check('health', 'req-2', staticReader(at(2, lagging)), { store, sleep: noWait });

    expect(outcome.notified).toBe(true);
    expect(h.sent().map(newsIn)).toEqual([['opened:REPLICA_LAG_HIGH:orders-ro-1']]);
  });

  it('sends the news again only when every confirmation attempt failed: at least once, never lost', async () => {
    const h = harness();
    const store = flakyConfirm(h, CONFIRM_ATTEMPTS);

    await expect(h.check('health', 'req-1', staticReader(lagging), { store, sleep: noWait })).rejects.toThrow(/alert states/);
    await h.check('health', 'req-2', staticReader(at(1, lagging)), { store, sleep: noWait });
    await h.check('health', 'req-3', staticReader(at(2, lagging)), { store, sleep: noWait });

    // The duplicate: the second run cannot know SNS took the first message.
    expect(h.sent().map(newsIn)).toEqual([['opened:REPLICA_LAG_HIGH:orders-ro-1'], ['opened:REPLICA_LAG_HIGH:orders-ro-1']]);
  });
});
