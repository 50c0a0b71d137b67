import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot, ReadError } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, globalCluster, instance, replica } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot) => evaluate(snapshot, { config: parseConfig({}), scope: 'health' });
const codes = (snapshot: FleetSnapshot) => check(snapshot).findings.map((f) => `${f.code}:${f.severity}:${f.resource}`);

/** A replica with no lag datapoints in a region whose reads failed as given. */
const silentReplica = (errors: ReadError[]) =>
  fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], errors } });

describe('a replica without lag datapoints, by what failed in its region', () => {
  it.each([
    // Only a failed metrics read explains missing lag; other failures leave the silence a finding.
    ['rds:DescribeDBParameterGroups', ['CHECK_DEGRADED:warning:rds:DescribeDBParameterGroups', 'LAG_METRIC_MISSING:warning:orders-ro']],
    ['rds:DescribeDBSnapshots', ['CHECK_DEGRADED:warning:rds:DescribeDBSnapshots', 'LAG_METRIC_MISSING:warning:orders-ro']],
    ['cloudwatch:GetMetricData', ['CHECK_DEGRADED:warning:cloudwatch:GetMetricData']],
  ])('after %s failed', (operation, expected) => {
    // Prepare
    const snapshot = silentReplica([{ operation, message: 'not authorized', code: 'AccessDenied' }]);

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`).sort()).toEqual(expected);
    expect(report.replicas.map((r) => `${r.id}:${r.status}`)).toEqual(['orders-ro:unknown']);
  });
});

describe('a replica in a region this run does not read', () => {
  it('carries the replica\'s region and why on its CHECK_DEGRADED', () => {
    // Prepare
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' })],
        globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('ap-south-1', 'pay-in')])],
      },
    });

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.region}:${f.resource}`)).toEqual(['CHECK_DEGRADED:warning:ap-south-1:pay-in']);
    expect(report.findings[0]!.evidence).toEqual({ operation: 'region-not-read', replicaRegion: 'ap-south-1' });
  });
});

describe('readers of a cluster', () => {
  it.each(['stopped', 'stopping'])('are held when the cluster is %s, even when its instances still read available', (status) => {
    // Prepare: the cluster's status is the user's stop; the instances' statuses lag behind it.
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { Status: status })],
        dbInstances: ['shop-1', 'shop-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' })),
      },
    });

    // Act
    const report = check(snapshot);

    // Assess
    expect(report.findings.map((f) => `${f.code}:${f.severity}:${f.resource}`)).toEqual(['REPLICATION_BROKEN:info:shop']);
    expect(report.findings[0]!.evidence).toEqual({ clusterStatus: status, readers: ['shop-2'] });
    expect(report.replicas.map((r) => `${r.id}:${r.status}`)).toEqual(['shop-2:unknown']);
  });

  it('are checked as usual when the cluster is available', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
        dbInstances: ['shop-1', 'shop-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' })),
      },
    });

    expect(codes(snapshot)).toEqual(['LAG_METRIC_MISSING:warning:shop-2']);
  });
});
