import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { DbInstance, FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, lag, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot) => evaluate(snapshot, { config: parseConfig({}), scope: 'health' });

/** A Multi-AZ DB cluster `maz` (writer maz-1, reader maz-2); its instances described only when asked. */
const multiAz = (fields: { status?: string; readerLag?: readonly number[]; describeInstances?: boolean; reader?: Partial<DbInstance> } = {}) =>
  fleet({
    'us-east-1': {
      dbClusters: [cluster('maz', { 'maz-1': true, 'maz-2': false }, { Engine: 'postgres', Status: fields.status ?? 'available' })],
      dbInstances: fields.describeInstances
        ? [
            instance('maz-1', { Engine: 'postgres', DBClusterIdentifier: 'maz' }),
            instance('maz-2', { Engine: 'postgres', DBClusterIdentifier: 'maz', ...fields.reader }),
          ]
        : [],
      metrics: fields.readerLag ? [lag('maz-2', fields.readerLag)] : [],
    },
  });

describe('pending modifications on a -1 finding', () => {
  it.each([
    ['a reader whose instance was not described', multiAz({ readerLag: [-1, -1, -1, -1] })],
    ['a reader whose instance reports none', multiAz({ readerLag: [-1, -1, -1, -1], describeInstances: true })],
    // A snapshot is JSON: a null there must read as "none", not stop the run.
    ['a reader whose snapshot has PendingModifiedValues null', multiAz({ readerLag: [-1, -1, -1, -1], describeInstances: true, reader: { PendingModifiedValues: null as never } })],
  ])('are an empty list for %s', (_, snapshot) => {
    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual(['REPLICATION_BROKEN:critical:maz-2']);
    expect(report.findings[0]!.evidence).toMatchObject({ pendingModifications: [], minusOneDatapoints: 4 });
  });
});

describe('a stopped Multi-AZ DB cluster', () => {
  it.each(['stopped', 'starting'])('does not page for its reader when it is %s: one info finding for the cluster', (status) => {
    // Prepare
    const snapshot = multiAz({ status, readerLag: [-1, -1, -1, -1] });

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual(['REPLICATION_BROKEN:info:maz']);
    expect(report.findings[0]!.evidence).toEqual({ clusterStatus: status, readers: ['maz-2'] });
    expect(report.replicas.map((r) => `${r.id}:${r.status}`)).toEqual(['maz-2:unknown']);
  });
});

describe('a stopped Aurora cluster with the same name as one in another region', () => {
  it('holds only its own region\'s readers; the other region\'s reader is still checked', () => {
    // Prepare: `shop` is stopped in eu-west-1 and available in us-east-1, with the same member names.
    const shop = (region: string, status: string) => ({
      dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { Status: status, DBClusterArn: clusterArn(region, 'shop') })],
      dbInstances: ['shop-1', 'shop-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop', DBInstanceStatus: status })),
    });
    const snapshot = fleet({
      'eu-west-1': shop('eu-west-1', 'stopped'),
      'us-east-1': { ...shop('us-east-1', 'available'), metrics: [series('AuroraReplicaLag', { DBInstanceIdentifier: 'shop-2' }, [20, 20, 20])] },
    });

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.region}:${f.resource}`)).toEqual(['REPLICATION_BROKEN:info:eu-west-1:shop']);
    expect(report.findings[0]!.evidence).toEqual({ clusterStatus: 'stopped', readers: ['shop-2'] });
    expect(report.replicas.map((r) => `${r.region}:${r.id}:${r.status}:${r.lagSeconds}`).sort()).toEqual([
      'eu-west-1:shop-2:unknown:null',
      'us-east-1:shop-2:healthy:0.02',
    ]);
  });
});

describe('the describe command a missing-lag finding points to', () => {
  it.each([
    [
      'a binlog replica cluster',
      fleet({
        'us-east-1': { dbInstances: [instance('shop-src', { DBInstanceArn: instanceArn('us-east-1', 'shop-src') })] },
        'eu-west-1': { dbClusters: [cluster('shop-eu', { 'shop-eu-1': true }, { ReplicationSourceIdentifier: instanceArn('us-east-1', 'shop-src') })] },
      }),
      'shop-eu',
      'describe-db-clusters',
    ],
    ['a read replica instance', fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')] } }), 'orders-ro', 'describe-db-instances'],
    ['a cluster reader whose instance was not described', multiAz(), 'maz-2', 'describe-db-instances'],
  ])('names the right one for %s', (_, snapshot, resource, command) => {
    // Act
    const report = check(snapshot);

    // Assess
    const missing = report.findings.filter((f) => f.code === 'LAG_METRIC_MISSING');
    expect(missing.map((f) => `${f.severity}:${f.resource}`)).toEqual([`warning:${resource}`]);
    expect(missing[0]!.hint).toContain(command);
  });
});
