/**
 * One replica's verdict, row by row: the status the report shows and the findings with
 * their evidence, for a down database, read-replication statuses, -1 streaks, lag thresholds,
 * reads that skipped lag, and failed metric reads.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { ReadLevel } from '../../../../lambdas/core/fleet/cadence';
import type { DbInstance, FleetSnapshot, MetricSeries, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import { sawtooth } from '../../../support/curves';
import { cluster, fleet, instance, lag, NOW_MS, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}, reads?: ReadLevel) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health', ...(reads ? { reads } : {}) });

const pair = (values: readonly number[], fields: Partial<DbInstance> = {}, region: Partial<RegionSnapshot> = {}, source: Partial<DbInstance> = {}) =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders', source), replica('orders-ro', 'orders', fields)], metrics: [lag('orders-ro', values)], ...region } });

const verdict = (snapshot: FleetSnapshot, config: ConfigInput = {}, reads?: ReadLevel) => {
  const report = check(snapshot, config, reads);
  return {
    row: report.replicas.find((r) => r.id === 'orders-ro'),
    findings: report.findings.filter((f) => f.resource === 'orders-ro').map((f) => `${f.code}:${f.severity}`),
    evidence: (code: string) => report.findings.find((f) => f.resource === 'orders-ro' && f.code === code)?.evidence,
  };
};

const status = (s: string, normal = false) => ({ StatusInfos: [{ StatusType: 'read replication', Normal: normal, Status: s }] });
const LAGGING = [400, 400, 400, 400, 400];
const HEALTHY = [1, 1, 1, 1, 1];

describe('a replica whose database is down', () => {
  it.each(['stopped', 'storage-full', 'incompatible-parameters', 'failed'])('%s: broken, on its status, whatever the lag says', (db) => {
    const v = verdict(pair(LAGGING, { DBInstanceStatus: db }));

    expect(v.findings).toEqual(['REPLICATION_BROKEN:critical']);
    expect(v.evidence('REPLICATION_BROKEN')).toEqual({ databaseStatus: db, source: 'orders', sourceRegion: 'us-east-1' });
    expect(v.row).toMatchObject({ status: 'broken', lagSeconds: null });
  });
});

describe('read-replication statuses with lag', () => {
  it.each([
    { name: 'stop point reached: broken, no lag alert on top', fields: status('replication stop point reached'), values: LAGGING, findings: ['REPLICATION_BROKEN:warning'], row: { status: 'broken' } },
    { name: 'replication degraded with healthy lag: degraded', fields: status('replication degraded'), values: HEALTHY, findings: ['REPLICATION_BROKEN:warning'], row: { status: 'degraded', lagSeconds: 1 } },
    { name: 'replication degraded with high lag: both findings, lagging', fields: status('replication degraded'), values: LAGGING, findings: ['REPLICATION_BROKEN:warning', 'REPLICA_LAG_HIGH:critical'], row: { status: 'lagging' } },
    { name: 'stopped replication with no lag series: broken, not missing', fields: status('stopped'), values: [], findings: ['REPLICATION_BROKEN:critical'], row: { status: 'broken' } },
    { name: 'stop point reached with no lag series: broken, not missing', fields: status('replication stop point reached'), values: [], findings: ['REPLICATION_BROKEN:warning'], row: { status: 'broken' } },
  ])('$name', ({ fields, values, findings, row }) => {
    const v = verdict(pair(values, fields));

    expect(v.findings.sort()).toEqual([...findings].sort());
    expect(v.row).toMatchObject(row);
  });
});

describe('reads that did not read lag, or could not', () => {
  it.each([
    { name: 'a status-only read: unknown, no finding', fields: {}, findings: [], row: { status: 'unknown' } },
    { name: 'a status-only read of stopped replication: broken', fields: status('error'), findings: ['REPLICATION_BROKEN:critical'], row: { status: 'broken' } },
    { name: 'a status-only read of a stop point: broken', fields: status('replication stop point reached'), findings: ['REPLICATION_BROKEN:warning'], row: { status: 'broken' } },
  ])('$name', ({ fields, findings, row }) => {
    const v = verdict(pair(LAGGING, fields), {}, 'status');

    expect(v.findings).toEqual(findings);
    expect(v.row).toMatchObject(row);
  });

  it('a failed metric read leaves the lag unknown, never missing', () => {
    const v = verdict(pair([], {}, { errors: [{ operation: 'cloudwatch:GetMetricData', code: 'InternalServiceFault', message: 'x' }] }));

    expect(v.findings).toEqual([]);
    expect(v.row).toMatchObject({ status: 'unknown', lagSeconds: null });
  });
});

describe('a -1 streak during maintenance: the 60-minute bound', () => {
  const minusOnes = (n: number) => Array.from({ length: n }, () => -1);

  it.each([
    { minutes: 60, severity: 'warning', row: { status: 'degraded' } },
    { minutes: 61, severity: 'critical', row: { status: 'broken' } },
  ])('-1 for $minutes min while upgrading: $severity', ({ minutes, severity, row }) => {
    const v = verdict(pair(minusOnes(minutes + 1), { DBInstanceStatus: 'upgrading' }), { lag: { windowMinutes: 120 } });

    expect(v.findings).toEqual([`REPLICATION_BROKEN:${severity}`]);
    expect(v.evidence('REPLICATION_BROKEN')).toMatchObject({ minusOneMinutes: minutes, transientBoundMinutes: 60, minusOneDatapoints: 5, evaluatedDatapoints: 5 });
    expect(v.row).toMatchObject(row);
  });
});

describe('lag over a threshold', () => {
  it('dates the streak from the first datapoint over the threshold, not one equal to it', () => {
    const v = verdict(pair([31, 30, 31, 31, 31]));

    expect(v.findings).toEqual(['REPLICA_LAG_HIGH:warning']);
    expect(v.evidence('REPLICA_LAG_HIGH')).toMatchObject({ since: new Date(NOW_MS - 2 * 60_000).toISOString(), datapointsOver: 4 });
  });

  it('an idle PostgreSQL source: the lag is shown, pages nobody, and the replica counts as healthy', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('users', { Engine: 'postgres' }), replica('users-ro', 'users', { Engine: 'postgres' })],
        metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 })), series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, Array.from({ length: 15 }, () => 0))] as MetricSeries[],
      },
    });

    const report = check(snapshot);

    expect(report.findings.filter((f) => f.resource === 'users-ro').map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICA_LAG_HIGH:info']);
    expect(report.replicas.find((r) => r.id === 'users-ro')).toMatchObject({ status: 'healthy' });
  });

  it('an idle PostgreSQL source with a degraded replication status: degraded, not healthy', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('users', { Engine: 'postgres' }), replica('users-ro', 'users', { Engine: 'postgres', ...status('replication degraded') })],
        metrics: [lag('users-ro', sawtooth({ phaseSeconds: 130 })), series('TransactionLogsGeneration', { DBInstanceIdentifier: 'users' }, Array.from({ length: 15 }, () => 0))],
      },
    });

    expect(check(snapshot).replicas.find((r) => r.id === 'users-ro')).toMatchObject({ status: 'degraded' });
  });
});

describe('read-replication statuses AWS reports', () => {
  it.each([
    { status: 'replicating', normal: true, severity: undefined },
    { status: 'replication stop point set', normal: true, severity: undefined },
    { status: 'some new status', normal: true, severity: undefined },
    { status: 'some new status', normal: false, severity: 'warning' },
    { status: 'replication degraded', normal: true, severity: 'warning' },
    { status: 'terminated', normal: false, severity: 'critical' },
    { status: 'Error', normal: false, severity: 'critical' },
  ])('$status (Normal $normal): $severity', ({ status: s, normal, severity }) => {
    const v = verdict(pair(HEALTHY, status(s, normal)));

    expect(v.findings).toEqual(severity ? [`REPLICATION_BROKEN:${severity}`] : []);
    if (severity) {
      expect(v.evidence('REPLICATION_BROKEN')).toEqual({ statusType: 'read replication', status: s, awsMessage: null, normal, source: 'orders', sourceRegion: 'us-east-1' });
    }
  });
});

describe('a replica that reports no lag', () => {
  it.each([
    { db: 'available', severity: 'warning' },
    { db: 'rebooting', severity: 'info' },
  ])('while $db: LAG_METRIC_MISSING $severity, with what was expected', ({ db, severity }) => {
    const v = verdict(pair([], { DBInstanceStatus: db }));

    expect(v.findings).toEqual([`LAG_METRIC_MISSING:${severity}`]);
    expect(v.evidence('LAG_METRIC_MISSING')).toEqual({ expectedMetric: 'ReplicaLag', windowMinutes: 15, lastDatapoint: null, databaseStatus: db });
    expect(v.row).toMatchObject({ status: 'unknown', lagSeconds: null });
  });

  it('lists only the modifications really pending on a -1 break', () => {
    const v = verdict(pair([-1, -1, -1, -1], { PendingModifiedValues: { DBInstanceClass: 'db.r6g.xlarge', AllocatedStorage: undefined, ProcessorFeatures: [], Port: null } as never }));

    expect(v.evidence('REPLICATION_BROKEN')).toMatchObject({ pendingModifications: ['DBInstanceClass'] });
  });
});

describe('CHECK_DEGRADED per region and API', () => {
  it.each([
    { operation: 'rds:DescribeDBInstances', severity: 'critical' },
    { operation: 'rds:DescribeDBParameters', severity: 'warning' },
    { operation: 'cloudwatch:GetMetricData', severity: 'warning' },
  ])('$operation failing twice: one $severity finding counting both calls', ({ operation, severity }) => {
    const errors = [
      { operation, code: 'Throttling', message: 'Rate exceeded' },
      { operation, message: 'socket hang up' },
    ];

    const report = check(pair(HEALTHY, {}, { errors }));

    const degraded = report.findings.filter((f) => f.code === 'CHECK_DEGRADED');
    expect(degraded.map((f) => [f.resource, f.severity])).toEqual([[operation, severity]]);
    expect(degraded[0]!.evidence).toEqual({ operation, errorCode: 'Throttling', error: 'Rate exceeded', failedCalls: 2 });
  });
});

describe('what a verdict adds and leaves out', () => {
  it('raises no lag alert on a replica paused by maintenance, even when the datapoints before the pause were high', () => {
    const v = verdict(pair([400, 400, -1, -1, -1], { DBInstanceStatus: 'upgrading' }));

    expect(v.findings).toEqual(['REPLICATION_BROKEN:warning']);
    expect(v.row).toMatchObject({ status: 'degraded' });
  });

  it.each([
    { case: 'a critical break names a MySQL source without backups', values: [-1, -1, -1, -1], fields: {}, evidence: { sourceBackupRetentionPeriod: 0 } },
    { case: 'a paused replica does not', values: [-1, -1, -1, -1], fields: { DBInstanceStatus: 'upgrading' }, evidence: undefined },
    { case: 'a lag alert does not', values: LAGGING, fields: {}, evidence: undefined },
  ])('$case', ({ values, fields, evidence }) => {
    const report = check(pair(values, fields, {}, { BackupRetentionPeriod: 0 }));

    const found = report.findings.find((f) => f.resource === 'orders-ro')!;
    if (evidence) expect(found.evidence).toMatchObject(evidence);
    else expect(found.evidence).not.toHaveProperty('sourceBackupRetentionPeriod');
  });
});

describe('pending modifications and stopped clusters', () => {
  it('lists a pending list-valued modification, not an empty one', () => {
    const pending = { ProcessorFeatures: [{ Name: 'coreCount', Value: '4' }], OptionGroupName: '', Iops: undefined } as never;

    const v = verdict(pair([-1, -1, -1, -1], { PendingModifiedValues: pending }));

    expect(v.evidence('REPLICATION_BROKEN')).toMatchObject({ pendingModifications: ['OptionGroupName', 'ProcessorFeatures'] });
  });

  it('judges the readers of a running cluster on their lag while another cluster of the region is stopped', () => {
    const auroraLag = (id: string, values: readonly number[]) => series('AuroraReplicaLag', { DBInstanceIdentifier: id }, values);
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [
          cluster('archive', { 'archive-1': true, 'archive-2': false }, { Status: 'stopped' }),
          cluster('shop', { 'shop-1': true, 'shop-2': false }),
        ],
        dbInstances: [
          instance('archive-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'archive', DBInstanceStatus: 'stopped' }),
          instance('archive-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'archive', DBInstanceStatus: 'stopped' }),
          instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
          instance('shop-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
        ],
        metrics: [auroraLag('shop-2', [400_000, 400_000, 400_000, 400_000, 400_000])],
      },
    });

    const report = check(snapshot);

    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`).sort()).toEqual([
      'REPLICATION_BROKEN:info:archive',
      'REPLICA_LAG_HIGH:critical:shop-2',
    ]);
    expect(report.findings.find((f) => f.resource === 'archive')!.evidence).toEqual({ clusterStatus: 'stopped', readers: ['archive-2'] });
  });
});
