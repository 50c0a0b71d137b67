import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { DbInstance, FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, globalCluster, instance, lag, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health' });

const codes = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  check(snapshot, config).findings.map((f) => `${f.code}:${f.severity}:${f.resource}`);

const pair = (values: readonly number[], replicaFields: Partial<DbInstance> = {}, sourceFields: Partial<DbInstance> = {}) =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('orders-db', sourceFields), replica('orders-ro', 'orders-db', replicaFields)],
      metrics: [lag('orders-ro', values)],
    },
  });

describe('ReplicaLag -1 during a transient state', () => {
  it('is a warning, not critical, while the replica is upgrading', () => {
    // Prepare
    const snapshot = pair([0, 0, 0, 0, 0, 0, -1, -1, -1], { DBInstanceStatus: 'upgrading' });

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:warning']);
    expect(report.findings[0]!.evidence).toMatchObject({ transientState: 'replica:upgrading', minusOneDatapoints: 3, databaseStatus: 'upgrading' });
    expect(report.findings[0]!.message).toContain('paused during instance upgrading');
    expect(report.replicas[0]).toMatchObject({ status: 'degraded', lagSeconds: null });
    expect(report.summary.critical).toBe(0);
  });

  it.each(['rebooting', 'modifying', 'maintenance', 'creating', 'starting', 'configuring-enhanced-monitoring'])(
    'treats %s as a pause',
    (status) => {
      expect(codes(pair([-1, -1, -1], { DBInstanceStatus: status }))).toEqual(['REPLICATION_BROKEN:warning:orders-ro']);
    },
  );

  it('treats a source being rebooted or upgraded as a pause of its replica', () => {
    const report = check(pair([-1, -1, -1, -1], {}, { DBInstanceStatus: 'rebooting' }));

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:warning']);
    expect(report.findings[0]!.evidence.transientState).toBe('source:rebooting');
  });

  it('is critical once the instance is available again and -1 persists', () => {
    const report = check(pair([-1, -1, -1, -1], { PendingModifiedValues: { DBInstanceClass: 'db.r6g.xlarge' } }));

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:critical']);
    expect(report.findings[0]!.evidence).toMatchObject({ transientState: null, databaseStatus: 'available', pendingModifications: ['DBInstanceClass'] });
  });

  it('is critical when -1 outlasts what maintenance takes, whatever the status says', () => {
    const report = check(pair(Array.from({ length: 90 }, () => -1), { DBInstanceStatus: 'upgrading' }), { lag: { windowMinutes: 120 } });

    expect(report.findings.map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_BROKEN:critical']);
    expect(report.findings[0]!.evidence).toMatchObject({ transientState: 'replica:upgrading', transientBoundMinutes: 60 });
    expect(report.findings[0]!.evidence.minusOneMinutes).toBeGreaterThan(60);
  });

  it('is always critical when AWS reports the read-replication status error, even during maintenance', () => {
    const snapshot = pair([-1, -1, -1], {
      DBInstanceStatus: 'maintenance',
      StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Error 1236' }],
    });

    expect(codes(snapshot)).toEqual(['REPLICATION_BROKEN:critical:orders-ro']);
  });

  it('is critical for AuroraBinlogReplicaLag -1 on an available binlog replica cluster', () => {
    const snapshot = fleet({
      'eu-west-1': {
        dbClusters: [cluster('shop-eu', { 'shop-eu-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') })],
        metrics: [series('AuroraBinlogReplicaLag', { DBClusterIdentifier: 'shop-eu' }, [-1, -1, -1, -1])],
      },
    });
    expect(codes(snapshot)).toEqual(['REPLICATION_BROKEN:critical:shop-eu']);
  });
});

describe('a stopped, stopping or starting Aurora cluster', () => {
  const stoppedCluster = (status: string) =>
    fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false, 'shop-3': false }, { Status: status })],
        dbInstances: ['shop-1', 'shop-2', 'shop-3'].map((id) =>
          instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop', DBInstanceStatus: status }),
        ),
      },
    });

  it.each(['stopped', 'stopping', 'starting'])('does not page for its readers when it is %s: one info finding for the cluster', (status) => {
    const report = check(stoppedCluster(status));

    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual([`REPLICATION_BROKEN:info:shop`]);
    expect(report.findings[0]!.evidence).toEqual({ clusterStatus: status, readers: ['shop-2', 'shop-3'] });
    expect(report.replicas.map((r) => r.status)).toEqual(['unknown', 'unknown']);
    expect(report.summary).toMatchObject({ critical: 0, warning: 0 });
  });

  it('still reports readers of an available cluster whose own instance is stopped', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
        dbInstances: [
          instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
          instance('shop-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop', DBInstanceStatus: 'incompatible-parameters' }),
        ],
      },
    });
    expect(codes(snapshot)).toEqual(['REPLICATION_BROKEN:critical:shop-2']);
  });
});

describe('a source that is down', () => {
  it.each(['failed', 'storage-full', 'incompatible-parameters', 'inaccessible-encryption-credentials'])(
    'names a %s source on its replica\'s finding',
    (status) => {
      const report = check(pair([-1, -1, -1], {}, { DBInstanceStatus: status }));

      const [finding] = report.findings.filter((f) => f.resource === 'orders-ro');
      expect(finding).toMatchObject({ code: 'REPLICATION_BROKEN', severity: 'critical' });
      expect(finding!.evidence.sourceStatus).toBe(status);
      expect(finding!.hint).toContain('orders-db');
    },
  );

  it('tells the reader where to start', () => {
    const [finding] = check(pair([-1, -1, -1], {}, { DBInstanceStatus: 'failed' })).findings;
    expect(finding!.message).toContain('Source orders-db (us-east-1) is failed: start there.');
  });

  it('names it on a missing-lag finding too', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders-db', { DBInstanceStatus: 'storage-full' }), replica('orders-ro', 'orders-db')] },
    });

    const [finding] = check(snapshot).findings;

    expect(finding).toMatchObject({ code: 'LAG_METRIC_MISSING', resource: 'orders-ro' });
    expect(finding!.evidence.sourceStatus).toBe('storage-full');
  });

  it('leaves replicas of an available source alone', () => {
    const [finding] = check(pair([-1, -1, -1])).findings;
    expect(finding!.evidence.sourceStatus).toBeUndefined();
  });
});

describe('a global cluster switching over or failing over', () => {
  const primaryArn = clusterArn('us-east-1', 'pay');
  const secondaryArn = clusterArn('eu-west-1', 'pay-eu');
  const globalFleet = (fields: Record<string, unknown>, lagMs: readonly number[] = [90_000, 95_000, 100_000]) =>
    fleet({
      'us-east-1': {
        dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: primaryArn })],
        globalClusters: [globalCluster('pay-global', primaryArn, [secondaryArn], fields)],
      },
      'eu-west-1': {
        dbClusters: [cluster('pay-eu', { 'pay-eu-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: secondaryArn })],
        metrics: [series('AuroraGlobalDBRPOLag', { DBClusterIdentifier: 'pay-eu', SourceRegion: 'us-east-1' }, lagMs)],
      },
    });

  it('says on a member\'s lag finding that a switchover is running, and between which clusters', () => {
    const snapshot = globalFleet({
      Status: 'switching-over',
      FailoverState: { Status: 'switching-over', FromDbClusterArn: primaryArn, ToDbClusterArn: secondaryArn, IsDataLossAllowed: false },
    });

    const [finding] = check(snapshot).findings.filter((f) => f.resource === 'pay-eu');

    expect(finding).toMatchObject({ code: 'REPLICA_LAG_HIGH', resource: 'pay-eu' });
    expect(finding!.evidence).toMatchObject({
      globalClusterStatus: 'switching-over',
      failoverState: 'switching-over',
      failoverFrom: 'pay@us-east-1',
      failoverTo: 'pay-eu@eu-west-1',
    });
    expect(finding!.message).toContain('Global cluster pay-global is switching-over');
  });

  it('says a failover is pending', () => {
    const snapshot = globalFleet({
      Status: 'available',
      FailoverState: { Status: 'pending', FromDbClusterArn: primaryArn, ToDbClusterArn: secondaryArn, IsDataLossAllowed: true },
    });

    const [finding] = check(snapshot).findings.filter((f) => f.resource === 'pay-eu');

    expect(finding!.evidence).toMatchObject({ failoverState: 'pending', globalClusterStatus: 'available' });
    expect(finding!.message).toContain('has a pending failover');
  });

  it('says so on GLOBAL_SECONDARY_NOT_SYNCED for a member of a global database under failover', () => {
    const base = globalFleet({ Status: 'failing-over', FailoverState: { Status: 'failing-over' } }, [100, 100, 100]);
    const raw = base.regions['us-east-1']!.globalClusters![0]!;
    const members = raw.GlobalClusterMembers!.map((m) => (m.IsWriter ? m : { ...m, SynchronizationStatus: 'pending-resync' }));
    const snapshot = fleet({ ...base.regions, 'us-east-1': { ...base.regions['us-east-1'], globalClusters: [{ ...raw, GlobalClusterMembers: members }] } });

    const [finding] = check(snapshot).findings.filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED');

    expect(finding!.evidence).toMatchObject({ failoverState: 'failing-over', globalClusterStatus: 'failing-over' });
  });

  it('adds nothing when no operation is running', () => {
    const [finding] = check(globalFleet({ Status: 'available' })).findings;
    expect(finding!.evidence.failoverState).toBeUndefined();
  });
});
