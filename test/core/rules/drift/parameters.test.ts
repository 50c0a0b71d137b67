/**
 * The parameters a database runs with: which group a value comes from, how a database is
 * placed (replica or not, port), and which lookups cannot be made.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import type { DbCluster, DbInstance, Parameter, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import { ParameterIndex, type DatabaseParameters } from '../../../../lambdas/core/rules/drift/parameters';
import { createContext } from '../../../../lambdas/core/rules/evaluate';
import { cluster, clusterArn, fleet, instance, replica } from '../../../support/fleet';
import { param } from './helpers';

const REGION = 'us-east-1';

function lookup(region: RegionSnapshot, id: string, type: 'instance' | 'cluster' = 'instance') {
  const ctx = createContext(fleet({ [REGION]: region }), DEFAULT_CONFIG);
  const node = type === 'instance' ? ctx.topology.instance(REGION, id) : ctx.topology.cluster(REGION, id);
  return new ParameterIndex(ctx).lookup(node!);
}

function paramsOf(region: RegionSnapshot, id: string, type: 'instance' | 'cluster' = 'instance'): DatabaseParameters {
  const result = lookup(region, id, type);
  if (result.status !== 'ok') throw new Error(`lookup of ${id}: ${result.status}`);
  return result.params;
}

const withGroup = (id: string, name = `${id}-params`, fields: Partial<DbInstance> = {}) =>
  instance(id, { DBParameterGroups: [{ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' }], ...fields });

const auroraMember = (id: string, fields: Partial<DbInstance> = {}) =>
  withGroup(id, 'aurora-db', { Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.07.1', DBClusterIdentifier: 'shop', ...fields });

/** One database with one group. */
const single = (listing: Parameter[], fields: Partial<DbInstance> = {}): RegionSnapshot => ({
  dbInstances: [withGroup('db', 'db-params', fields)],
  dbParameters: { 'db-params': listing },
});

describe('a group listing', () => {
  it.each<[string, Parameter[], string | undefined]>([
    ['the spelling with a value, listed second', [param('gtid-mode', undefined), param('gtid_mode', 'ON')], 'ON'],
    ['the spelling with a value, listed first', [param('gtid_mode', 'ON'), param('gtid-mode', undefined)], 'ON'],
    ['the first of two spellings with values', [param('gtid_mode', 'ON'), param('gtid-mode', 'OFF')], 'ON'],
    ['a value next to an entry without a name', [{ ParameterValue: 'OFF', Source: 'user' }, param('gtid_mode', 'ON')], 'ON'],
  ])('reads %s', (_, listing, value) => {
    // Act
    const p = paramsOf(single(listing), 'db').get('gtid_mode');

    // Assess
    expect(p).toMatchObject({ raw: value, origin: 'instance-group', group: 'db-params' });
  });

  it('keeps the name and type a listing without a value gives, under the engine default', () => {
    const p = paramsOf(single([param('slave_parallel_workers', undefined, { DataType: 'integer', ApplyType: 'dynamic' })]), 'db').get(
      'replica_parallel_workers',
    );

    expect(p).toMatchObject({ name: 'slave_parallel_workers', raw: undefined, origin: 'engine-default', type: 'number', applyType: 'dynamic' });
    expect(p.group).toBeUndefined();
  });

  it('names the database\'s own group only', () => {
    expect(paramsOf(single([]), 'db').groups).toEqual(['db-params']);
  });
});

describe('which group a value comes from (Aurora)', () => {
  const shop = (dbListing: Parameter[], clusterListing: Parameter[]): RegionSnapshot => ({
    dbInstances: [auroraMember('shop-1'), auroraMember('shop-2')],
    dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'shop-cluster' })],
    dbParameters: { 'aurora-db': dbListing },
    dbClusterParameters: { 'shop-cluster': clusterListing },
  });

  it.each<[string, Parameter[], Parameter[], string | undefined, string, string | undefined]>([
    ['a user value in the instance group over the cluster group', [param('x', '1')], [param('x', '2')], '1', 'instance-group', 'aurora-db'],
    ['the cluster group over an instance default', [param('x', '1', { Source: 'engine-default' })], [param('x', '2')], '2', 'cluster-group', 'shop-cluster'],
    ['an instance default when the cluster group does not set it', [param('x', '1', { Source: 'system' })], [], '1', 'instance-group', 'aurora-db'],
    ['the engine default when neither group sets it', [], [], undefined, 'engine-default', undefined],
  ])('takes %s', (_, dbListing, clusterListing, raw, origin, groupName) => {
    const p = paramsOf(shop(dbListing, clusterListing), 'shop-2').get('x');

    expect(p).toMatchObject({ raw, origin });
    expect(p.group).toBe(groupName);
  });

  it('names the instance group first, then the cluster group', () => {
    expect(paramsOf(shop([], []), 'shop-1').groups).toEqual(['aurora-db', 'shop-cluster']);
  });

  it('reads a cluster through its writer, wherever the writer is listed', () => {
    // Prepare: the reader is listed first and is a different class.
    const region: RegionSnapshot = {
      ...shop([], []),
      dbInstances: [auroraMember('shop-1', { DBInstanceClass: 'db.r6g.4xlarge' }), auroraMember('shop-2')],
      dbClusters: [cluster('shop', { 'shop-2': false, 'shop-1': true }, { DBClusterParameterGroup: 'shop-cluster' })],
    };

    const params = paramsOf(region, 'shop', 'cluster');

    expect(params).toMatchObject({ id: 'shop', env: { instanceClass: 'db.r6g.4xlarge', isReplica: false } });
  });
});

describe('where a database stands', () => {
  const placed = (region: RegionSnapshot, id: string) => paramsOf(region, id).env;
  const aurora = (members: Record<string, boolean>, fields: Partial<DbCluster> = {}) =>
    cluster('shop', members, { DBClusterParameterGroup: 'shop-cluster', ...fields });
  const clusterGroups = { dbParameters: { 'aurora-db': [] }, dbClusterParameters: { 'shop-cluster': [] } };

  it.each<[string, RegionSnapshot, string, boolean]>([
    ['a standalone instance', single([]), 'db', false],
    ['a read replica', { dbInstances: [withGroup('src', 'p'), replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: 'p' }] })], dbParameters: { p: [] } }, 'ro', true],
    [
      'a read replica of a cluster',
      {
        dbInstances: [withGroup('ro', 'p', { ReadReplicaSourceDBClusterIdentifier: clusterArn(REGION, 'shop') })],
        dbClusters: [aurora({})],
        dbParameters: { p: [] },
      },
      'ro',
      true,
    ],
    ['an Aurora writer', { dbInstances: [auroraMember('shop-1'), auroraMember('shop-2')], dbClusters: [aurora({ 'shop-1': true, 'shop-2': false })], ...clusterGroups }, 'shop-1', false],
    ['an Aurora reader', { dbInstances: [auroraMember('shop-1'), auroraMember('shop-2')], dbClusters: [aurora({ 'shop-1': true, 'shop-2': false })], ...clusterGroups }, 'shop-2', true],
    [
      'the writer of a replica cluster',
      {
        dbInstances: [auroraMember('shop-1')],
        dbClusters: [aurora({ 'shop-1': true }, { ReplicationSourceIdentifier: clusterArn('eu-west-1', 'main') })],
        ...clusterGroups,
      },
      'shop-1',
      true,
    ],
    [
      'an instance of a cluster that does not list it',
      { dbInstances: [auroraMember('shop-9')], dbClusters: [aurora({}, { DBClusterMembers: undefined })], ...clusterGroups },
      'shop-9',
      false,
    ],
  ])('%s is a replica: %s', (_, region, id, isReplica) => {
    expect(placed(region, id).isReplica).toBe(isReplica);
  });

  it('reads a headless cluster on its own, as a replica only when it follows another', () => {
    // Prepare: two clusters without described members, one of them a replica cluster, next to a read replica.
    const region: RegionSnapshot = {
      dbInstances: [withGroup('src', 'p'), replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: 'p' }] })],
      dbClusters: [
        cluster('lone', { 'lone-1': true }, { DBClusterParameterGroup: 'c' }),
        cluster('follower', {}, { DBClusterParameterGroup: 'c', DBClusterMembers: undefined, ReplicationSourceIdentifier: clusterArn(REGION, 'lone') }),
        cluster('ro', {}, { DBClusterParameterGroup: 'c' }),
      ],
      dbParameters: { p: [] },
      dbClusterParameters: { c: [param('x', '1')] },
    };

    // Act
    const lone = paramsOf(region, 'lone', 'cluster');
    const follower = paramsOf(region, 'follower', 'cluster');

    // Assess: a replica with the same name in the same region is another database.
    expect(lone).toMatchObject({ id: 'lone', groups: ['c'], env: { engine: 'aurora-mysql', isReplica: false } });
    expect(lone.get('x')).toMatchObject({ raw: '1', origin: 'cluster-group', group: 'c' });
    expect(follower.env.isReplica).toBe(true);
    expect(paramsOf({ ...region, dbInstances: [] }, 'ro', 'cluster').env.isReplica).toBe(false);
  });

  it('places a cluster by its own region: a cross-region replica cluster of the same name does not make it a replica', () => {
    // Prepare: "shop" in eu-west-1 replicates "shop" in us-east-1; both clusters' groups set read_only = {TrueIfReplica}.
    const clusterGroup = { 'shop-cluster': [param('read_only', '{TrueIfReplica}')] };
    const ctx = createContext(
      fleet({
        [REGION]: {
          dbInstances: [auroraMember('shop-1')],
          dbClusters: [aurora({ 'shop-1': true })],
          dbParameters: { 'aurora-db': [] },
          dbClusterParameters: clusterGroup,
        },
        'eu-west-1': {
          dbClusters: [aurora({}, { ReplicationSourceIdentifier: clusterArn(REGION, 'shop') })],
          dbClusterParameters: clusterGroup,
        },
      }),
      DEFAULT_CONFIG,
    );
    const index = new ParameterIndex(ctx);
    const readOnly = (node: Parameters<ParameterIndex['lookup']>[0]) => {
      const result = index.lookup(node);
      if (result.status !== 'ok') throw new Error(result.status);
      return result.params.resolve(result.params.get('read_only'), 'boolean');
    };

    // Act / Assess
    expect(readOnly(ctx.topology.instance(REGION, 'shop-1')!)).toMatchObject({ kind: 'boolean', value: false });
    expect(readOnly(ctx.topology.cluster('eu-west-1', 'shop')!)).toMatchObject({ kind: 'boolean', value: true });
  });

  it.each<[string, Partial<DbInstance>, number | undefined]>([
    ['the endpoint', { Endpoint: { Port: 5432 } } as Partial<DbInstance>, 5432],
    ['the instance port', { DbInstancePort: 3307 } as Partial<DbInstance>, 3307],
    ['no port reported', {}, undefined],
    ['an instance port of 0', { DbInstancePort: 0 } as Partial<DbInstance>, undefined],
  ])('takes the port from %s', (_, fields, port) => {
    expect(placed(single([], fields), 'db').port).toBe(port);
  });
});

describe('lookups that cannot be made', () => {
  it.each<[string, RegionSnapshot, string, 'instance' | 'cluster', string]>([
    ['an instance naming no group', { dbInstances: [instance('db')], dbParameters: {} }, 'db', 'instance', 'no-group'],
    ['an instance with an empty group list', { dbInstances: [instance('db', { DBParameterGroups: [] })], dbParameters: {} }, 'db', 'instance', 'no-group'],
    ['a headless cluster naming no group', { dbClusters: [cluster('c', {})], dbParameters: {} }, 'c', 'cluster', 'no-group'],
    ['a headless cluster whose group is not held', { dbClusters: [cluster('c', {}, { DBClusterParameterGroup: 'gone' })], dbClusterParameters: {} }, 'c', 'cluster', 'missing'],
    ['a region read without groups', { dbInstances: [withGroup('db')] }, 'db', 'instance', 'not-read'],
  ])('%s', (_, region, id, type, status) => {
    expect(lookup(region, id, type).status).toBe(status);
  });

  it('finds the groups of a region that holds only cluster parameter groups', () => {
    const region: RegionSnapshot = {
      dbInstances: [auroraMember('shop-1', { DBParameterGroups: undefined })],
      dbClusters: [cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'shop-cluster' })],
      dbClusterParameters: { 'shop-cluster': [param('x', '2')] },
    };

    const params = paramsOf(region, 'shop-1');

    expect(params.get('x')).toMatchObject({ raw: '2', origin: 'cluster-group' });
    expect(params.explicit().map((p) => [p.name, p.raw])).toEqual([['x', '2']]);
  });
});

describe('the parameters a database sets', () => {
  it('lists each parameter set with a value in either group once, by name, with the value in effect', () => {
    // Prepare: an Aurora member whose own group overrides x, lists y and gtid-mode without a value,
    // and keeps w at a system value; the cluster group sets v, x and gtid_mode.
    const region: RegionSnapshot = {
      dbInstances: [auroraMember('shop-1')],
      dbClusters: [cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'shop-cluster' })],
      dbParameters: { 'aurora-db': [param('x', '1'), param('y', undefined), param('gtid-mode', undefined), param('w', '5', { Source: 'system' })] },
      dbClusterParameters: { 'shop-cluster': [param('v', '3'), param('x', '2'), param('gtid_mode', 'ON')] },
    };

    // Act
    const explicit = paramsOf(region, 'shop-1').explicit();

    // Assess
    expect(explicit.map((p) => [p.name, p.raw, p.origin, p.group])).toEqual([
      ['gtid_mode', 'ON', 'cluster-group', 'shop-cluster'],
      ['v', '3', 'cluster-group', 'shop-cluster'],
      ['w', '5', 'instance-group', 'aurora-db'],
      ['x', '1', 'instance-group', 'aurora-db'],
    ]);
  });

  it('lists nothing for groups that set no value', () => {
    expect(paramsOf(single([param('y', undefined)]), 'db').explicit()).toEqual([]);
  });
});
