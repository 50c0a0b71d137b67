/**
 * Boundaries of the apply-status and unchecked-group findings: statuses table by table, fields
 * left out of a description, and the evidence that names what was not checked.
 */
import { describe, expect, it } from 'vitest';
import type { DbCluster, DbInstance, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import { cluster, fleet, instance } from '../../../support/fleet';
import { drift, NO_BASELINE, only } from './helpers';

const REGION = 'us-east-1';

const run = (region: RegionSnapshot, more: Record<string, RegionSnapshot> = {}) => drift(fleet({ [REGION]: region, ...more }), NO_BASELINE);

const withStatuses = (id: string, statuses: readonly string[], fields: Partial<DbInstance> = {}): DbInstance =>
  instance(id, {
    DBParameterGroups: statuses.map((status, i) => ({ DBParameterGroupName: `${id}-params-${i}`, ParameterApplyStatus: status })),
    ...fields,
  });

describe('apply status, status by status', () => {
  it.each<[string[], string | undefined, string | undefined]>([
    [['in-sync'], undefined, undefined],
    [['applying'], undefined, undefined],
    [['IN-SYNC'], undefined, undefined],
    [['pending-reboot'], 'warning', undefined],
    [['pending-database-upgrade'], 'info', undefined],
    [['failed-to-apply'], undefined, 'critical'],
    // A reboot pending on any group is a reboot to plan, whatever else waits for an upgrade.
    [['pending-database-upgrade', 'pending-reboot'], 'warning', undefined],
    [['pending-reboot', 'pending-database-upgrade'], 'warning', undefined],
    [['failed-to-apply', 'pending-reboot'], 'warning', 'critical'],
    // A status this release does not know is not assumed to be the harmless upgrade wait.
    [['resetting'], 'warning', undefined],
    [['pending-database-upgrade', 'resetting'], 'warning', undefined],
  ])('%j: pending %s, failed %s', (statuses, pending, failed) => {
    // Act
    const findings = run({ dbInstances: [withStatuses('db', statuses)] });

    // Assess
    expect(only(findings, 'PARAM_PENDING_REBOOT').map((f) => f.severity)).toEqual(pending ? [pending] : []);
    expect(only(findings, 'PARAM_APPLY_FAILED').map((f) => f.severity)).toEqual(failed ? [failed] : []);
  });

  it('does not take a status it does not know for in sync', () => {
    const findings = run({ dbInstances: [withStatuses('db', ['resetting'])] });

    expect(only(findings, 'PARAM_PENDING_REBOOT').map((f) => f.evidence.applyStatuses)).toEqual([['resetting']]);
    expect(only(findings, 'PARAM_PENDING_REBOOT')[0]!.hint).toContain('does not know');
    expect(only(findings, 'PARAM_APPLY_FAILED')).toEqual([]);
  });

  it('names only the groups in question, with their kind and the instance status, in the evidence', () => {
    const findings = run({ dbInstances: [withStatuses('db', ['in-sync', 'pending-reboot'])] });

    expect(only(findings, 'PARAM_PENDING_REBOOT')[0]!.evidence).toEqual({
      parameterGroups: ['db-params-1'],
      groupKinds: ['db'],
      applyStatuses: ['pending-reboot'],
      instanceStatus: 'available',
    });
  });

  it('takes an instance in incompatible-parameters as failed even with its groups in sync', () => {
    const findings = run({ dbInstances: [withStatuses('db', ['in-sync'], { DBInstanceStatus: 'Incompatible-Parameters' })] });

    expect(only(findings, 'PARAM_APPLY_FAILED')[0]).toMatchObject({
      severity: 'critical',
      evidence: { parameterGroups: [], instanceStatus: 'Incompatible-Parameters' },
    });
  });

  it('reads descriptions that leave out the apply status, the instance status or the cluster members', () => {
    // Prepare: a group without a status, an instance without a status, a cluster without a member list.
    const bare = instance('bare', { DBParameterGroups: [{ DBParameterGroupName: 'bare-params' }], DBInstanceStatus: undefined });
    const member = instance('m-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'c' });
    const noMembers: DbCluster = { ...cluster('c', {}), DBClusterMembers: undefined };

    // Act
    const findings = run({ dbInstances: [bare, member], dbClusters: [noMembers] });

    // Assess
    expect(findings.filter((f) => f.code.startsWith('PARAM_'))).toEqual([]);
  });
});

describe('parameter groups left unchecked', () => {
  const withGroup = (id: string, name: string, fields: Partial<DbInstance> = {}) =>
    instance(id, { DBParameterGroups: [{ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' }], ...fields });

  it('names a missing cluster group by its operation and the members that use it, not the cluster twice', () => {
    const members = ['shop-2', 'shop-1'].map((id) => withGroup(id, 'aurora-db', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }));
    const shop = cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'shop-cluster' });

    const findings = run({ dbInstances: members, dbClusters: [shop], dbParameters: { 'aurora-db': [] }, dbClusterParameters: {} });

    const degraded = only(findings, 'CHECK_DEGRADED');
    expect(degraded.map((f) => [f.resource, f.severity, f.evidence])).toEqual([
      ['shop-cluster', 'warning', { operation: 'rds:DescribeDBClusterParameters', parameterGroup: 'shop-cluster', databases: ['shop-1', 'shop-2'] }],
    ]);
  });

  it('checks a cluster with no member described on its own, and lists the databases by name', () => {
    // Prepare: an Aurora member and a headless secondary (members listed, none described) share a missing group.
    const member = withGroup('z-1', 'aurora-db', { Engine: 'aurora-mysql', DBClusterIdentifier: 'z' });
    const snapshot = {
      dbInstances: [member],
      dbClusters: [
        cluster('z', { 'z-1': true }, { DBClusterParameterGroup: 'shared-cluster' }),
        cluster('a', { 'a-1': true }, { DBClusterParameterGroup: 'shared-cluster' }),
      ],
      dbParameters: { 'aurora-db': [] },
      dbClusterParameters: {},
    };

    const degraded = only(run(snapshot), 'CHECK_DEGRADED');

    expect(degraded.map((f) => f.evidence.databases)).toEqual([['a', 'z-1']]);
  });

  it('names a missing DB parameter group by its operation', () => {
    const findings = run({ dbInstances: [withGroup('db', 'gone')], dbParameters: {} });

    expect(only(findings, 'CHECK_DEGRADED').map((f) => f.evidence)).toEqual([
      { operation: 'rds:DescribeDBParameters', parameterGroup: 'gone', databases: ['db'] },
    ]);
  });

  it('counts instances and clusters of a region read without parameter groups, and skips a region without databases', () => {
    const findings = run(
      { dbInstances: [instance('a'), instance('b')], dbClusters: [cluster('c', {})] },
      { 'eu-west-1': {}, 'eu-central-1': { dbInstances: [], dbClusters: [] } },
    );

    expect(only(findings, 'CHECK_DEGRADED').map((f) => [f.region, f.resource, f.severity, f.evidence])).toEqual([
      [REGION, 'rds:DescribeDBParameters', 'info', { operation: 'rds:DescribeDBParameters', databases: 3 }],
    ]);
  });
});
