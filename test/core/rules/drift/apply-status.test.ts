import { describe, expect, it } from 'vitest';
import type { DbInstance } from '../../../../lambdas/core/fleet/model';
import { cluster, fleet, instance } from '../../../support/fleet';
import { drift, NO_BASELINE, only } from './helpers';

const REGION = 'us-east-1';

function withStatus(id: string, status: string, fields: Partial<DbInstance> = {}): DbInstance {
  return instance(id, { DBParameterGroups: [{ DBParameterGroupName: `${id}-params`, ParameterApplyStatus: status }], ...fields });
}

const run = (instances: DbInstance[], extra = {}) => drift(fleet({ [REGION]: { dbInstances: instances, ...extra } }), NO_BASELINE);

describe('PARAM_PENDING_REBOOT and PARAM_APPLY_FAILED', () => {
  it('raises a warning for a group waiting for a reboot, naming the group and how to apply it', () => {
    // Act
    const findings = run([withStatus('orders', 'pending-reboot')]);

    // Assess
    const pending = only(findings, 'PARAM_PENDING_REBOOT');
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ severity: 'warning', resource: 'orders', region: REGION });
    expect(pending[0]!.message).toContain('parameter group orders-params is pending-reboot');
    expect(pending[0]!.evidence).toMatchObject({ parameterGroups: ['orders-params'], applyStatuses: ['pending-reboot'] });
    expect(pending[0]!.hint).toContain('reboot-db-instance --db-instance-identifier orders');
  });

  it('raises a critical finding for a group that failed to apply, and for incompatible parameters', () => {
    const findings = run([
      withStatus('orders', 'failed-to-apply'),
      withStatus('billing', 'in-sync', { DBInstanceStatus: 'incompatible-parameters' }),
    ]);

    const failed = only(findings, 'PARAM_APPLY_FAILED');
    expect(failed.map((f) => [f.resource, f.severity])).toEqual([
      ['orders', 'critical'],
      ['billing', 'critical'],
    ]);
    expect(failed[1]!.message).toContain('incompatible-parameters');
  });

  it('stays quiet for in-sync and for the transient applying status', () => {
    const findings = run([withStatus('a', 'in-sync'), withStatus('b', 'applying')]);

    expect(findings.filter((f) => f.code.startsWith('PARAM_'))).toEqual([]);
  });

  it('reports a change waiting for an engine upgrade as info', () => {
    const findings = run([withStatus('a', 'pending-database-upgrade')]);

    expect(only(findings, 'PARAM_PENDING_REBOOT').map((f) => f.severity)).toEqual(['info']);
  });

  it('reads Aurora members\' cluster parameter group status', () => {
    // Prepare: the reader has not picked up the cluster group change yet.
    const members = ['shop-1', 'shop-2'].map((id) =>
      withStatus(id, 'in-sync', { Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.07.1', DBClusterIdentifier: 'shop' }),
    );
    const shop = cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'shop-cluster' });
    const withMemberStatus = {
      ...shop,
      DBClusterMembers: shop.DBClusterMembers!.map((m) => ({
        ...m,
        DBClusterParameterGroupStatus: m.DBInstanceIdentifier === 'shop-2' ? 'pending-reboot' : 'in-sync',
      })),
    };

    // Act
    const findings = run(members, { dbClusters: [withMemberStatus] });

    // Assess
    const pending = only(findings, 'PARAM_PENDING_REBOOT');
    expect(pending.map((f) => f.resource)).toEqual(['shop-2']);
    expect(pending[0]!.message).toContain('cluster parameter group shop-cluster is pending-reboot');
    expect(pending[0]!.evidence).toMatchObject({ groupKinds: ['cluster'] });
  });

  it('runs without parameter data: the status comes with the instance description', () => {
    const snapshot = fleet({ [REGION]: { dbInstances: [withStatus('orders', 'pending-reboot')] } });

    expect(only(drift(snapshot), 'PARAM_PENDING_REBOOT')).toHaveLength(1);
  });
});
