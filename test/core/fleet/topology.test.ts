import { describe, expect, it } from 'vitest';
import { parseRdsRef } from '../../../lambdas/core/fleet/arn';
import { buildTopology } from '../../../lambdas/core/fleet/topology';
import { cluster, clusterArn, fleet, globalCluster, instance, instanceArn, replica } from '../../support/fleet';

const edges = (snapshot: ReturnType<typeof fleet>) =>
  buildTopology(snapshot).replicas.map((r) => `${r.kind} ${r.region}/${r.id} <- ${r.sourceRegion}/${r.sourceId}${r.crossRegion ? ' (cross-region)' : ''}`);

describe('parseRdsRef', () => {
  it('reads region, type and identifier from an ARN', () => {
    expect(parseRdsRef('arn:aws:rds:eu-west-1:123456789012:db:orders-eu')).toEqual({
      id: 'orders-eu', region: 'eu-west-1', type: 'db', account: '123456789012',
    });
  });

  it('knows global cluster ARNs have no region', () => {
    expect(parseRdsRef('arn:aws:rds::123456789012:global-cluster:pay').region).toBeUndefined();
  });

  it('treats anything else as a plain identifier', () => {
    expect(parseRdsRef('orders')).toEqual({ id: 'orders' });
  });

  it('reads ARNs of other partitions', () => {
    expect(parseRdsRef('arn:aws-cn:rds:cn-north-1:123456789012:db:orders')).toMatchObject({ id: 'orders', region: 'cn-north-1' });
  });
});

describe('buildTopology', () => {
  it('finds RDS read replicas in the same region and in other regions', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')] },
      'eu-west-1': { dbInstances: [replica('orders-eu', instanceArn('us-east-1', 'orders'))] },
    });

    expect(edges(snapshot)).toEqual([
      'rds-read-replica eu-west-1/orders-eu <- us-east-1/orders (cross-region)',
      'rds-read-replica us-east-1/orders-ro <- us-east-1/orders',
    ]);
    const topology = buildTopology(snapshot);
    expect(topology.replicasOf('us-east-1', 'orders').map((r) => r.id)).toEqual(['orders-eu', 'orders-ro']);
    expect(topology.replicas[0]!.source?.id).toBe('orders');
  });

  it('finds Aurora readers following their writer, and does not mistake cluster members for RDS replicas', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false, 'shop-3': false })],
        dbInstances: [
          instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
          instance('shop-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
        ],
      },
    });

    expect(edges(snapshot)).toEqual([
      'aurora-reader us-east-1/shop-2 <- us-east-1/shop-1',
      'aurora-reader us-east-1/shop-3 <- us-east-1/shop-1',
    ]);
  });

  it('finds cross-region Aurora replica clusters from ReplicationSourceIdentifier', () => {
    const snapshot = fleet({
      'us-east-1': { dbClusters: [cluster('shop', { 'shop-1': true })] },
      'eu-west-1': {
        dbClusters: [cluster('shop-eu', { 'shop-eu-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') })],
      },
    });

    expect(edges(snapshot)).toEqual(['aurora-replica-cluster eu-west-1/shop-eu <- us-east-1/shop (cross-region)']);
    expect(buildTopology(snapshot).replicas[0]!.source?.type).toBe('cluster');
  });

  it('counts a global cluster seen from several regions once, with one edge per secondary', () => {
    const global = globalCluster('pay-global', clusterArn('us-east-1', 'pay-us'), [
      clusterArn('eu-west-1', 'pay-eu'),
      clusterArn('ap-southeast-2', 'pay-ap'),
    ]);
    const snapshot = fleet({
      'us-east-1': { dbClusters: [cluster('pay-us', { 'pay-us-1': true })], globalClusters: [global] },
      'eu-west-1': { dbClusters: [cluster('pay-eu', { 'pay-eu-1': false })], globalClusters: [global] },
      'ap-southeast-2': { dbClusters: [cluster('pay-ap', {})], globalClusters: [global] },
    });

    const topology = buildTopology(snapshot);

    expect(topology.globalClusters).toHaveLength(1);
    expect(topology.globalClusters[0]!.writer).toEqual({ id: 'pay-us', region: 'us-east-1' });
    expect(edges(snapshot)).toEqual([
      'aurora-global-secondary ap-southeast-2/pay-ap <- us-east-1/pay-us (cross-region)',
      'aurora-global-secondary eu-west-1/pay-eu <- us-east-1/pay-us (cross-region)',
      // A reader in a secondary cluster has no writer of its own: it follows its cluster.
      'aurora-reader eu-west-1/pay-eu-1 <- eu-west-1/pay-eu',
    ]);
  });

  it('returns an empty graph for a region with nothing in it', () => {
    expect(buildTopology(fleet({ 'us-east-1': {} })).replicas).toEqual([]);
  });

  it('types readers of an RDS Multi-AZ DB cluster apart from Aurora readers', () => {
    const snapshot = fleet({
      'us-east-1': { dbClusters: [cluster('maz', { 'maz-1': true, 'maz-2': false }, { Engine: 'mysql' })] },
    });

    expect(edges(snapshot)).toEqual(['multi-az-cluster-reader us-east-1/maz-2 <- us-east-1/maz-1']);
  });

  it('gives Aurora readers their cluster\'s tags, refined by instance tags', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { TagList: [{ Key: 'team', Value: 'shop' }, { Key: 'tier', Value: 'gold' }] })],
        dbInstances: [instance('shop-2', { Engine: 'aurora-mysql', TagList: [{ Key: 'tier', Value: 'silver' }] })],
      },
    });

    expect(buildTopology(snapshot).replicas[0]!.tags).toEqual({ team: 'shop', tier: 'silver' });
  });

  it('keeps replicas a source lists in a region that was not read or could not be described', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', {
            ReadReplicaDBInstanceIdentifiers: [instanceArn('ap-south-1', 'orders-in'), instanceArn('eu-west-1', 'orders-eu'), instanceArn('eu-west-1', 'gone')],
          }),
        ],
      },
      'eu-west-1': {
        dbInstances: [],
        errors: [{ operation: 'rds:DescribeDBInstances', message: 'denied' }],
      },
    });

    expect(edges(snapshot)).toEqual([
      'rds-read-replica ap-south-1/orders-in <- us-east-1/orders (cross-region)',
      'rds-read-replica eu-west-1/gone <- us-east-1/orders (cross-region)',
      'rds-read-replica eu-west-1/orders-eu <- us-east-1/orders (cross-region)',
    ]);
    expect(buildTopology(snapshot).replicas.every((r) => r.node === undefined)).toBe(true);
  });

  it('does not invent replicas a readable region does not have', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'deleted')] })] },
      'eu-west-1': { dbInstances: [] },
    });

    expect(edges(snapshot)).toEqual([]);
  });
});
