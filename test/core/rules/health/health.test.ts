import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import {
  cluster,
  clusterArn,
  fleet,
  globalCluster,
  instance,
  instanceArn,
  lag,
  replica,
  series,
} from '../../../support/fleet';

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health' });

const codes = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  check(snapshot, config).findings.map((f) => `${f.code}:${f.severity}:${f.resource}`);

const mysqlPair = (values: readonly number[], replicaFields = {}) =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('orders'), replica('orders-ro', 'orders', replicaFields)],
      metrics: [lag('orders-ro', values)],
    },
  });

describe('REPLICA_LAG_HIGH', () => {
  it('stays silent for a healthy replica', () => {
    // Prepare
    const snapshot = mysqlPair([0, 1, 0, 2, 1, 0, 1, 0, 0, 1]);
    // Act
    const report = check(snapshot);
    // Assess
    expect(report.findings).toEqual([]);
    expect(report.replicas).toEqual([
      expect.objectContaining({ id: 'orders-ro', status: 'healthy', lagSeconds: 1, sourceId: 'orders', kind: 'rds-read-replica' }),
    ]);
    expect(report.summary).toMatchObject({ replicas: 1, healthy: 1, critical: 0, warning: 0 });
  });

  it('warns when lag stays over the warning threshold for M of the last N datapoints', () => {
    const report = check(mysqlPair([0, 0, 0, 0, 0, 45, 10, 50, 60, 70]));

    expect(report.findings).toHaveLength(1);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning', region: 'us-east-1', resource: 'orders-ro' });
    expect(finding!.message).toContain('70 s behind');
    expect(finding!.message).toContain('warning threshold of 30 s');
    expect(finding!.message).toContain('4 of the last 5 datapoints');
    expect(finding!.message).toContain('since 2026-11-24T09:58:00.000Z');
    expect(finding!.evidence).toMatchObject({ metric: 'ReplicaLag', lagSeconds: 70, thresholdSeconds: 30 });
    expect(finding!.runbook).toBe('docs/runbook.md#replica_lag_high');
    expect(report.replicas[0]!.status).toBe('lagging');
  });

  it('does not fire on a spike shorter than M datapoints', () => {
    expect(codes(mysqlPair([0, 0, 0, 0, 0, 0, 0, 900, 900, 0]))).toEqual([]);
  });

  it('is critical once the critical threshold is sustained', () => {
    expect(codes(mysqlPair([10, 40, 200, 310, 320, 400]))).toEqual(['REPLICA_LAG_HIGH:critical:orders-ro']);
  });

  it('reads Aurora reader lag in milliseconds, not seconds', () => {
    // 900 ms of AuroraReplicaLag is healthy; read as seconds it would be critical.
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
        dbInstances: [instance('shop-1', { Engine: 'aurora-mysql' }), instance('shop-2', { Engine: 'aurora-mysql' })],
        metrics: [series('AuroraReplicaLag', { DBInstanceIdentifier: 'shop-2' }, [900, 950, 880, 910, 920])],
      },
    });

    const report = check(snapshot);

    expect(report.findings).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ id: 'shop-2', kind: 'aurora-reader', sourceId: 'shop-1', lagSeconds: 0.92 });
  });

  it('flags Aurora reader lag of 45,000 ms as 45 s over the warning threshold', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
        metrics: [series('AuroraReplicaLag', { DBInstanceIdentifier: 'shop-2' }, [45_000, 45_000, 45_000])],
      },
    });

    const [finding] = check(snapshot).findings;

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: 'shop-2' });
    expect(finding!.evidence.lagSeconds).toBe(45);
  });

  it('applies per-replica overrides by identifier pattern and by tag, last match winning', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders'),
          replica('analytics-ro', 'orders'),
          replica('reporting-ro', 'orders', { TagList: [{ Key: 'tier', Value: 'batch' }] }),
        ],
        metrics: [lag('analytics-ro', [120, 120, 120]), lag('reporting-ro', [120, 120, 120])],
      },
    });

    const found = codes(snapshot, {
      lagOverrides: [
        { match: { identifier: 'analytics-*' }, warningSeconds: 600, criticalSeconds: 3600 },
        { match: { tags: { tier: 'batch' } }, warningSeconds: 60, criticalSeconds: 100 },
      ],
    });

    expect(found).toEqual(['REPLICA_LAG_HIGH:critical:reporting-ro']);
  });
});

describe('REPLICATION_BROKEN', () => {
  it('reports a read-replication status of error with the AWS message', () => {
    const snapshot = mysqlPair([0, 0, 0], {
      StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Error 1062 Duplicate entry' }],
    });

    const report = check(snapshot);

    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ code: 'REPLICATION_BROKEN', severity: 'critical', resource: 'orders-ro' });
    expect(report.findings[0]!.message).toContain('Error 1062 Duplicate entry');
    expect(report.findings[0]!.evidence).toMatchObject({ status: 'error', awsMessage: 'Error 1062 Duplicate entry' });
    expect(report.replicas[0]!.status).toBe('broken');
  });

  it.each(['stopped', 'terminated'])('reports status %s', (status) => {
    const snapshot = mysqlPair([0, 0, 0], { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: status }] });
    expect(codes(snapshot)).toEqual(['REPLICATION_BROKEN:critical:orders-ro']);
  });

  it('ignores replicating and degraded-but-running statuses', () => {
    const snapshot = mysqlPair([0, 0, 0], {
      StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }],
    });
    expect(codes(snapshot)).toEqual([]);
  });

  it('reports ReplicaLag of -1 sustained for M of the last N datapoints, with unknown lag', () => {
    const report = check(mysqlPair([0, 0, 0, 0, 0, 0, -1, -1, -1]));

    expect(report.findings.map((f) => f.code)).toEqual(['REPLICATION_BROKEN']);
    expect(report.findings[0]!.message).toContain('-1');
    expect(report.findings[0]!.evidence).toMatchObject({ minusOneDatapoints: 3, since: '2026-11-24T09:58:00.000Z' });
    expect(report.replicas[0]).toMatchObject({ status: 'broken', lagSeconds: null });
  });

  it('does not treat a single -1 datapoint as broken, nor as zero lag', () => {
    const report = check(mysqlPair([0, 0, 0, 0, 0, 0, 0, 0, -1, 2]));

    expect(report.findings).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ status: 'healthy', lagSeconds: 2 });
  });

  it('reports AuroraBinlogReplicaLag of -1 on a binlog replica cluster', () => {
    const snapshot = fleet({
      'eu-west-1': {
        dbClusters: [
          cluster('shop-eu', { 'shop-eu-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') }),
        ],
        metrics: [series('AuroraBinlogReplicaLag', { DBClusterIdentifier: 'shop-eu' }, [-1, -1, -1, -1])],
      },
    });

    expect(codes(snapshot)).toEqual(['REPLICATION_BROKEN:critical:shop-eu']);
  });
});

describe('LAG_METRIC_MISSING', () => {
  it('reports a replica that reported no lag in the window: unknown is not healthy', () => {
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')] } });

    const report = check(snapshot);

    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'LAG_METRIC_MISSING', severity: 'warning', resource: 'orders-ro' }),
    ]);
    expect(report.replicas[0]).toMatchObject({ status: 'unknown', lagSeconds: null });
    expect(report.summary.healthy).toBe(0);
  });

  it('ignores datapoints older than the window', () => {
    const old = lag('orders-ro', [1, 1, 1]);
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('orders'), replica('orders-ro', 'orders')],
        metrics: [{ ...old, timestamps: ['2026-11-24T08:00:00Z', '2026-11-24T08:01:00Z', '2026-11-24T08:02:00Z'] }],
      },
    });

    expect(codes(snapshot)).toEqual(['LAG_METRIC_MISSING:warning:orders-ro']);
  });

  it('does not blame the replica when the region\'s metrics could not be read', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('orders'), replica('orders-ro', 'orders')],
        errors: [{ operation: 'cloudwatch:GetMetricData', message: 'Rate exceeded', code: 'ThrottlingException' }],
      },
    });

    const report = check(snapshot);

    expect(report.findings.map((f) => f.code)).toEqual(['CHECK_DEGRADED']);
    expect(report.findings[0]!.severity).toBe('warning');
    expect(report.replicas[0]!.status).toBe('unknown');
  });
});

describe('REPLICATION_SLOT_LAG_HIGH', () => {
  const GiB = 1024 ** 3;
  const slotFleet = (values: readonly number[]) =>
    fleet({
      'us-east-1': {
        dbInstances: [instance('events', { Engine: 'postgres' })],
        metrics: [series('OldestReplicationSlotLag', { DBInstanceIdentifier: 'events' }, values)],
      },
    });

  it('warns when WAL retained for a slot passes the byte threshold', () => {
    const report = check(slotFleet([6 * GiB, 6 * GiB, 7 * GiB]));
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual([
      'REPLICATION_SLOT_LAG_HIGH:warning:events',
    ]);
    expect(report.findings[0]!.message).toContain('7 GiB');
  });

  it('is critical past the critical threshold and respects configured thresholds', () => {
    expect(codes(slotFleet([2 * GiB, 2 * GiB, 2 * GiB]), { replicationSlot: { warningBytes: GiB, criticalBytes: 1.5 * GiB } })).toEqual([
      'REPLICATION_SLOT_LAG_HIGH:critical:events',
    ]);
  });

  it('stays silent for small slot lag', () => {
    expect(codes(slotFleet([64 * 1024 ** 2, 64 * 1024 ** 2, 64 * 1024 ** 2]))).toEqual([]);
  });
});

describe('CHECK_DEGRADED', () => {
  it('reports a failed region as critical and still reports the other regions fully', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('orders'), replica('orders-ro', 'orders')],
        metrics: [lag('orders-ro', [400, 400, 400])],
      },
      'eu-west-1': {
        errors: [{ operation: 'rds:DescribeDBInstances', message: 'not authorized', code: 'AccessDenied' }],
      },
    });

    const report = check(snapshot);

    // The replica's lag comes first: a region we could not read must not push a real cause down.
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.region}`)).toEqual([
      'REPLICA_LAG_HIGH:critical:us-east-1',
      'CHECK_DEGRADED:critical:eu-west-1',
    ]);
    expect(report.findings[1]!.message).toContain('AccessDenied');
  });

  it('reports a global secondary in a region that was not read as unknown', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' })],
        globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('ap-south-1', 'pay-in')])],
      },
    });

    const report = check(snapshot);

    expect(report.replicas).toEqual([expect.objectContaining({ id: 'pay-in', region: 'ap-south-1', status: 'unknown' })]);
    expect(report.findings[0]).toMatchObject({ code: 'CHECK_DEGRADED', resource: 'pay-in' });
    expect(report.findings[0]!.hint).toContain('ap-south-1');
  });
});

describe('cross-region sources', () => {
  it('reads lag for a replica whose source is an ARN in another region', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders')] },
      'eu-west-1': {
        dbInstances: [replica('orders-eu', instanceArn('us-east-1', 'orders'))],
        metrics: [lag('orders-eu', [2, 3, 2])],
      },
    });

    const report = check(snapshot);

    expect(report.replicas).toEqual([
      expect.objectContaining({ id: 'orders-eu', region: 'eu-west-1', sourceId: 'orders', sourceRegion: 'us-east-1', lagSeconds: 2, status: 'healthy' }),
    ]);
  });
});

describe('suppressions', () => {
  it('drops findings whose code and resource match a suppression', () => {
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('legacy-ro', 'orders')] } });
    expect(
      codes(snapshot, { suppressions: [{ code: 'LAG_METRIC_MISSING', resource: 'legacy-*', reason: 'being decommissioned' }] }),
    ).toEqual([]);
  });
});

describe('stale and sparse lag data', () => {
  it('treats a replica whose newest datapoint is old as having stopped reporting, not as healthy', () => {
    // Seven healthy datapoints that end 16 minutes before the check.
    const stale = lag('orders-ro', [1, 1, 1, 1, 1, 1, 1]);
    const shifted = { ...stale, timestamps: stale.timestamps.map((t) => new Date(Date.parse(t) - 9 * 60_000).toISOString()) };
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [shifted] } });

    const report = check(snapshot);

    expect(report.findings.map((f) => f.code)).toEqual(['LAG_METRIC_MISSING']);
    expect(report.findings[0]!.message).toContain('has reported no ReplicaLag since 2026-11-24T09:51:00.000Z');
    expect(report.replicas[0]).toMatchObject({ status: 'unknown', lagSeconds: null });
  });

  it('reports lag that every datapoint shows even when fewer than M datapoints arrived', () => {
    const report = check(mysqlPair([7200, 7300]));

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICA_LAG_HIGH:critical']);
    expect(report.findings[0]!.message).toContain('only 2 datapoints arrived');
  });

  it('says the current lag is unknown when the newest datapoint is -1', () => {
    const [finding] = check(mysqlPair([400, 400, 400, 400, -1])).findings;

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', severity: 'critical' });
    expect(finding!.message).toContain('unknown now (latest datapoint -1)');
  });

  it('says "since at least" when the lag began before the window', () => {
    const [finding] = check(mysqlPair([400, 400, 400, 400, 400])).findings;
    expect(finding!.message).toContain('since at least 2026-11-24T09:56:00.000Z');
  });
});

describe('replica status from AWS', () => {
  it('reports "replication degraded" with the AWS message even when lag looks fine', () => {
    const snapshot = mysqlPair([1, 1, 1], {
      Engine: 'sqlserver-ee',
      StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'replication degraded', Message: 'Database orders_archive is not receiving updates' }],
    });

    const report = check(snapshot);

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:warning']);
    expect(report.findings[0]!.message).toContain('Database orders_archive is not receiving updates');
    expect(report.replicas[0]!.status).toBe('degraded');
  });

  it('explains a replica stopped at a stop point instead of blaming the workload for its lag', () => {
    const snapshot = mysqlPair([600, 1200, 1800, 2400, 3000], {
      StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replication stop point reached', Message: 'Replication stop point reached' }],
    });

    const report = check(snapshot);

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:warning']);
    expect(report.findings[0]!.message).toContain('stop point');
    expect(report.findings[0]!.hint).toContain('resume replication');
  });

  it.each(['stopped', 'storage-full', 'incompatible-parameters'])('reports a replica whose instance is %s as broken', (status) => {
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders', { DBInstanceStatus: status })] } });

    const report = check(snapshot);

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:critical']);
    expect(report.findings[0]!.message).toContain(`"${status}"`);
    expect(report.replicas[0]!.status).toBe('broken');
  });

  it('does not warn about missing lag while a replica is being created', () => {
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders', { DBInstanceStatus: 'creating' })] } });

    const report = check(snapshot);

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['LAG_METRIC_MISSING:info']);
    expect(report.findings[0]!.hint).toContain('creating');
  });

  it('gives PostgreSQL-specific advice for a broken PostgreSQL replica', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('pg', { Engine: 'postgres' }), replica('pg-ro', 'pg', { Engine: 'postgres' })],
        metrics: [lag('pg-ro', [-1, -1, -1])],
      },
    });
    expect(check(snapshot).findings[0]!.hint).toContain('pg_stat_wal_receiver');
  });
});

describe('cascading PostgreSQL replicas', () => {
  it('does not excuse lag as the idle artefact when the source is itself a replica', () => {
    // pg-b replicates from pg-a and writes no WAL of its own; pg-c lags behind the busy pg-a.
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('pg-a', { Engine: 'postgres' }),
          replica('pg-b', 'pg-a', { Engine: 'postgres' }),
          replica('pg-c', 'pg-b', { Engine: 'postgres' }),
        ],
        metrics: [
          lag('pg-b', [0, 0, 0, 0, 0]),
          lag('pg-c', [300, 300, 300, 300, 300]),
          series('TransactionLogsGeneration', { DBInstanceIdentifier: 'pg-a' }, [5e6, 5e6, 5e6, 5e6, 5e6]),
          series('TransactionLogsGeneration', { DBInstanceIdentifier: 'pg-b' }, [0, 0, 0, 0, 0]),
        ],
      },
    });

    expect(codes(snapshot)).toEqual(['REPLICA_LAG_HIGH:warning:pg-c']);
  });
});

describe('other replica kinds', () => {
  it('reads ReplicaLag in seconds for Multi-AZ DB cluster readers', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('maz', { 'maz-1': true, 'maz-2': false }, { Engine: 'postgres' })],
        metrics: [lag('maz-2', [2, 2, 2])],
      },
    });

    const report = check(snapshot);

    expect(report.findings).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ kind: 'multi-az-cluster-reader', lagSeconds: 2, status: 'healthy' });
  });

  it('reads RDSToAuroraPostgreSQLReplicaLag for an Aurora PostgreSQL cluster replicating from RDS PostgreSQL', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('pg-src', { Engine: 'postgres' })],
        dbClusters: [cluster('apg', { 'apg-1': true }, { Engine: 'aurora-postgresql', ReplicationSourceIdentifier: instanceArn('us-east-1', 'pg-src') })],
        metrics: [series('RDSToAuroraPostgreSQLReplicaLag', { DBClusterIdentifier: 'apg' }, [400, 400, 400])],
      },
    });

    expect(codes(snapshot)).toEqual(['REPLICA_LAG_HIGH:critical:apg']);
  });

  it('reports a listed replica in a region that was not read as unknown, with the region to add', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { ReadReplicaDBInstanceIdentifiers: [instanceArn('ap-south-1', 'orders-in')] })] },
    });

    const report = check(snapshot);

    expect(report.replicas).toEqual([expect.objectContaining({ id: 'orders-in', region: 'ap-south-1', status: 'unknown' })]);
    expect(report.findings.map((f) => `${f.code}:${f.resource}`)).toEqual(['CHECK_DEGRADED:orders-in']);
  });
});

describe('degraded reads and suppressions', () => {
  it('reports one CHECK_DEGRADED per region and API, however many calls failed', () => {
    const error = { operation: 'cloudwatch:GetMetricData', message: 'Rate exceeded', code: 'Throttling' };
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('a')], errors: [error, error, error] } });

    const report = check(snapshot);

    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.message).toContain('(3 calls)');
    expect(report.findings[0]!.evidence.failedCalls).toBe(3);
  });

  it('suppresses by region when the suppression names one', () => {
    const denied = { operation: 'rds:DescribeDBInstances', message: 'denied', code: 'AccessDenied' };
    const snapshot = fleet({ 'us-east-1': { errors: [denied] }, 'eu-west-1': { errors: [denied] } });

    const report = check(snapshot, { suppressions: [{ code: 'CHECK_DEGRADED', region: 'eu-west-1', reason: 'region closed by SCP' }] });

    expect(report.findings.map((f) => f.region)).toEqual(['us-east-1']);
  });
});


describe('causes on the source', () => {
  it('points a broken MySQL replica at its source\'s disabled backups (binary logging off)', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('inv', { BackupRetentionPeriod: 0 }), replica('inv-ro', 'inv')],
        metrics: [lag('inv-ro', [-1, -1, -1, -1])],
      },
    });

    const [finding] = check(snapshot).findings;

    expect(finding).toMatchObject({ code: 'REPLICATION_BROKEN', severity: 'critical' });
    expect(finding!.message).toContain('BackupRetentionPeriod 0');
    expect(finding!.hint).toContain('Enable automated backups on inv');
  });
});
