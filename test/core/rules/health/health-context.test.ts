/** What a replica's findings say about its source and its global cluster, asserted on evidence. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot, GlobalCluster } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, globalCluster, instance, lag, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot) => evaluate(snapshot, { config: parseConfig({}), scope: 'health' });

describe('a source with automated backups off', () => {
  it.each([
    ['mysql', { sourceBackupRetentionPeriod: 0 }],
    ['mariadb', { sourceBackupRetentionPeriod: 0 }],
    // PostgreSQL keeps its WAL without backups: the cause does not apply.
    ['postgres', undefined],
  ])('is named on a %s replica\'s break only where it stops replication', (engine, evidence) => {
    // Prepare
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('db', { Engine: engine, BackupRetentionPeriod: 0 }), replica('db-ro', 'db', { Engine: engine })],
        metrics: [lag('db-ro', [-1, -1, -1, -1])],
      },
    });

    // Act
    const [finding] = check(snapshot).findings;

    // Assess
    expect(`${finding!.code}:${finding!.severity}`).toBe('REPLICATION_BROKEN:critical');
    if (evidence) expect(finding!.evidence).toMatchObject(evidence);
    else expect(finding!.evidence).not.toHaveProperty('sourceBackupRetentionPeriod');
  });
});

describe('a global cluster under a switchover or failover', () => {
  const primary = (id: string) => clusterArn('us-east-1', id);
  const secondary = (id: string) => clusterArn('eu-west-1', id);

  /** Global databases `a` (pay -> pay-eu) and `b` (shop -> shop-eu); both secondaries lag 100 s. */
  const twoGlobals = (a: Partial<GlobalCluster>, b: Partial<GlobalCluster> = {}) => {
    const globals = [
      globalCluster('a', primary('pay'), [secondary('pay-eu')], a),
      globalCluster('b', primary('shop'), [secondary('shop-eu')], b),
    ];
    const lagMs = (id: string) => series('AuroraGlobalDBReplicationLag', { DBClusterIdentifier: id, SourceRegion: 'us-east-1' }, [100_000, 100_000, 100_000]);
    return fleet({
      'us-east-1': {
        dbClusters: [
          cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: primary('pay'), GlobalClusterIdentifier: 'a' }),
          cluster('shop', { 'shop-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: primary('shop'), GlobalClusterIdentifier: 'b' }),
        ],
        globalClusters: globals,
      },
      'eu-west-1': {
        dbClusters: [
          cluster('pay-eu', { 'pay-eu-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: secondary('pay-eu'), GlobalClusterIdentifier: 'a' }),
          cluster('shop-eu', { 'shop-eu-1': true }, { Engine: 'aurora-postgresql', DBClusterArn: secondary('shop-eu'), GlobalClusterIdentifier: 'b' }),
        ],
        globalClusters: globals,
        metrics: [lagMs('pay-eu'), lagMs('shop-eu')],
      },
    });
  };
  const lagOn = (snapshot: FleetSnapshot, resource: string) => {
    const found = check(snapshot).findings.filter((f) => f.code === 'REPLICA_LAG_HIGH' && f.resource === resource);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('is named only on its own members\' findings', () => {
    // Prepare
    const snapshot = twoGlobals({}, { Status: 'switching-over', FailoverState: { Status: 'switching-over', FromDbClusterArn: primary('shop'), ToDbClusterArn: secondary('shop-eu'), IsDataLossAllowed: false } });

    // Act + Assess
    expect(lagOn(snapshot, 'shop-eu').evidence).toMatchObject({ failoverState: 'switching-over', failoverFrom: 'shop@us-east-1', failoverTo: 'shop-eu@eu-west-1' });
    expect(lagOn(snapshot, 'pay-eu').evidence).not.toHaveProperty('failoverState');
  });

  it('is named from the global cluster\'s status when AWS reports no FailoverState', () => {
    const snapshot = twoGlobals({ Status: 'failing-over' });

    expect(lagOn(snapshot, 'pay-eu').evidence).toMatchObject({ globalClusterStatus: 'failing-over', failoverState: null, failoverFrom: null, failoverTo: null });
  });

  it.each([
    ['a FailoverState without cluster ARNs', { Status: 'failing-over' }, { failoverFrom: null, failoverTo: null }],
    ['a FailoverState with only the source ARN', { Status: 'failing-over', FromDbClusterArn: primary('pay') }, { failoverFrom: 'pay@us-east-1', failoverTo: null }],
  ])('reads %s', (_, failoverState, evidence) => {
    const finding = lagOn(twoGlobals({ Status: 'failing-over', FailoverState: failoverState }), 'pay-eu');

    expect(finding.evidence).toMatchObject({ failoverState: 'failing-over', ...evidence });
  });

  // A failover may lose data, a switchover does not: the responder needs to know which one runs.
  it.each([
    [true, 'has a pending failover'],
    [false, 'has a pending switchover'],
    [undefined, 'has a pending switchover or failover'],
  ])('says which operation is pending when IsDataLossAllowed is %s', (allowed, words) => {
    const failoverState = { Status: 'pending', FromDbClusterArn: primary('pay'), ToDbClusterArn: secondary('pay-eu'), IsDataLossAllowed: allowed };

    const finding = lagOn(twoGlobals({ FailoverState: failoverState }), 'pay-eu');

    expect(finding.evidence.failoverState).toBe('pending');
    expect(finding.message).toContain(`${words} from pay (us-east-1) to pay-eu (eu-west-1)`);
  });
});
