/**
 * Baseline drift, table by table: which role each database plays, which entries apply to it,
 * how each kind of expectation is decided, and what a cluster-level row stands for.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import type { DbInstance, FleetSnapshot, Parameter, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import type { BaselineInput } from '../../../../lambdas/core/rules/drift/baseline';
import { diffBaseline } from '../../../../lambdas/core/rules/drift/rules';
import { createContext } from '../../../../lambdas/core/rules/evaluate';
import { cluster, clusterArn, fleet, globalCluster, instance, instanceArn, replica } from '../../../support/fleet';
import { baselineOf, drift, group, only, param } from './helpers';

const REGION = 'us-east-1';

type Entry = BaselineInput['entries'][number];

const packet = (fields: Partial<Entry> = {}): Entry => ({
  parameter: 'max_allowed_packet',
  expect: { min: 67108864 },
  severity: 'warning',
  reason: 'Big rows.',
  engine: ['mysql', 'aurora-mysql'],
  ...fields,
});

const withGroup = (id: string, fields: Partial<DbInstance> = {}) =>
  instance(id, { DBParameterGroups: [{ DBParameterGroupName: 'g', ParameterApplyStatus: 'in-sync' }], ...fields });

/** Every database uses group "g" (or the Aurora groups), all with a packet size below the entry's minimum. */
function region(dbInstances: DbInstance[], more: Partial<RegionSnapshot> = {}): RegionSnapshot {
  return {
    dbInstances,
    dbParameters: { g: group({ max_allowed_packet: '4194304' }), 'aurora-db': [] },
    dbClusterParameters: { c: group({ max_allowed_packet: '4194304' }) },
    ...more,
  };
}

const flagged = (snapshot: FleetSnapshot, entries: Entry[]) =>
  only(drift(snapshot, baselineOf(entries)), 'PARAM_DRIFT')
    .map((f) => f.resource)
    .sort();

const auroraMember = (id: string, clusterId: string) =>
  instance(id, {
    Engine: 'aurora-mysql',
    EngineVersion: '8.0.mysql_aurora.3.07.1',
    DBClusterIdentifier: clusterId,
    DBParameterGroups: [{ DBParameterGroupName: 'aurora-db', ParameterApplyStatus: 'in-sync' }],
  });

/** Sources that list a replica in eu-west-1, which was read and does not hold it. */
function listedOnly(): Record<string, FleetSnapshot> {
  const dr = clusterArn('eu-west-1', 'dr');
  const withDr = (own: RegionSnapshot) => fleet({ [REGION]: own, 'eu-west-1': region([], { dbClusters: [] }) });
  return {
    'an instance listing a read replica its region does not hold': withDr(region([withGroup('src', { ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'dr')] })])),
    'an instance listing a replica cluster its region does not hold': withDr(region([withGroup('src', { ReadReplicaDBClusterIdentifiers: [dr] })])),
    'an Aurora cluster listing a replica cluster its region does not hold': withDr(
      region([auroraMember('shop-1', 'shop')], { dbClusters: [cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'c', ReadReplicaIdentifiers: [dr] })] }),
    ),
    'a headless cluster listing a replica cluster its region does not hold': withDr(
      region([], { dbClusters: [cluster('lone', {}, { DBClusterParameterGroup: 'c', ReadReplicaIdentifiers: [dr] })] }),
    ),
  };
}

describe('roles', () => {
  const fleets: Record<string, FleetSnapshot> = {
    'a read replica and its source': fleet({ [REGION]: region([withGroup('src'), replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: 'g' }] })]) }),
    'a source whose replica is only listed': fleet({ [REGION]: region([withGroup('src', { ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'dr')] })]) }),
    'a source feeding an Aurora replica cluster it lists': fleet({
      [REGION]: region([withGroup('src', { ReadReplicaDBClusterIdentifiers: [clusterArn('eu-west-1', 'dr')] })]),
    }),
    'an Aurora writer and reader': fleet({
      [REGION]: region([auroraMember('shop-1', 'shop'), auroraMember('shop-2', 'shop')], {
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'c' })],
      }),
    }),
    'an Aurora cluster feeding a binlog replica cluster': fleet({
      [REGION]: region([auroraMember('shop-1', 'shop'), auroraMember('bi-1', 'bi')], {
        dbClusters: [
          cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'c' }),
          cluster('bi', { 'bi-1': true }, { DBClusterParameterGroup: 'c', ReplicationSourceIdentifier: clusterArn(REGION, 'shop') }),
        ],
      }),
    }),
    'an Aurora cluster listing a replica cluster not read': fleet({
      [REGION]: region([auroraMember('shop-1', 'shop')], {
        dbClusters: [cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'c', ReadReplicaIdentifiers: [clusterArn('eu-west-1', 'bi')] })],
      }),
    }),
    'a global database primary and secondary': fleet({
      [REGION]: region([auroraMember('main-1', 'main')], {
        dbClusters: [cluster('main', { 'main-1': true }, { DBClusterParameterGroup: 'c' })],
        globalClusters: [globalCluster('g1', clusterArn(REGION, 'main'), [clusterArn('us-west-2', 'sec')], { Engine: 'aurora-mysql' })],
      }),
      'us-west-2': region([auroraMember('sec-1', 'sec')], {
        dbClusters: [cluster('sec', { 'sec-1': true }, { DBClusterParameterGroup: 'c', GlobalClusterIdentifier: 'g1' })],
      }),
    }),
    'headless clusters, one a replica of the other': fleet({
      [REGION]: region([], {
        dbClusters: [
          cluster('lone', {}, { DBClusterParameterGroup: 'c' }),
          cluster('follow', {}, { DBClusterParameterGroup: 'c', ReplicationSourceIdentifier: clusterArn(REGION, 'lone') }),
        ],
      }),
    }),
    'a headless cluster listing a replica not read': fleet({
      [REGION]: region([], { dbClusters: [cluster('lone', {}, { DBClusterParameterGroup: 'c', ReadReplicaIdentifiers: [clusterArn('eu-west-1', 'x')] })] }),
    }),
    'a headless cluster on its own': fleet({ [REGION]: region([], { dbClusters: [cluster('lone', {}, { DBClusterParameterGroup: 'c' })] }) }),
    // Members listed but not described (a secondary whose instances were not read): the cluster is checked itself.
    'a cluster whose listed members are not described': fleet({
      [REGION]: region([], { dbClusters: [cluster('lone', { 'lone-1': true, 'lone-2': false }, { DBClusterParameterGroup: 'c' })] }),
    }),
    'a source feeding a Multi-AZ DB cluster replica': fleet({
      [REGION]: region([withGroup('src')], {
        dbClusters: [cluster('maz', {}, { Engine: 'mysql', EngineVersion: '8.0.39', DBClusterParameterGroup: 'c', ReplicationSourceIdentifier: instanceArn(REGION, 'src') })],
      }),
    }),
    // The replica's region was read and does not hold it (deleted or created between the calls):
    // RDS still lists it on the source, which is a source.
    ...listedOnly(),
  };

  it.each<[string, string[], string[], string[]]>([
    ['a read replica and its source', ['src'], ['ro'], []],
    ['a source whose replica is only listed', ['src'], [], []],
    ['a source feeding an Aurora replica cluster it lists', ['src'], [], []],
    // Aurora readers replicate at the storage layer: their writer is no source. A cluster-level row
    // stands for a cluster whose every member is flagged, so one writer reads as its cluster.
    ['an Aurora writer and reader', [], ['shop-2'], ['shop-1']],
    ['an Aurora cluster feeding a binlog replica cluster', ['shop'], ['bi'], []],
    ['an Aurora cluster listing a replica cluster not read', ['shop'], [], []],
    // A global database secondary replicates at the storage layer: the primary feeds no binlog replica.
    ['a global database primary and secondary', [], ['sec'], ['main']],
    ['headless clusters, one a replica of the other', ['lone'], ['follow'], []],
    ['a headless cluster listing a replica not read', ['lone'], [], []],
    ['a headless cluster on its own', [], [], ['lone']],
    ['a cluster whose listed members are not described', [], [], ['lone']],
    ['a source feeding a Multi-AZ DB cluster replica', ['src'], ['maz'], []],
    ['an instance listing a read replica its region does not hold', ['src'], [], []],
    ['an instance listing a replica cluster its region does not hold', ['src'], [], []],
    ['an Aurora cluster listing a replica cluster its region does not hold', ['shop'], [], []],
    ['a headless cluster listing a replica cluster its region does not hold', ['lone'], [], []],
  ])('%s: sources %j, replicas %j, standalone %j', (name, sources, replicas, standalone) => {
    // Prepare
    const snapshot = fleets[name]!;

    // Act / Assess
    expect(flagged(snapshot, [packet({ role: 'source' })])).toEqual(sources);
    expect(flagged(snapshot, [packet({ role: 'replica' })])).toEqual(replicas);
    expect(flagged(snapshot, [packet({ role: 'standalone' })])).toEqual(standalone);
  });
});

describe('which entries apply', () => {
  const snapshot = fleet({
    [REGION]: region([
      withGroup('orders-a', { TagList: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'shop' }] }),
      withGroup('orders-b', { EngineVersion: undefined }),
      withGroup('billing', { Engine: 'oracle-ee', EngineVersion: '19.0.0.0' }),
      withGroup('neptune', { Engine: 'neptune' }),
    ]),
  });

  it.each<[string, Partial<Entry>, string[]]>([
    ['any version', {}, ['orders-a', 'orders-b']],
    ['a version selector, which a database without a version does not match', { engineVersion: '8.0' }, ['orders-a']],
    ['an identifier pattern', { identifier: 'orders-*' }, ['orders-a', 'orders-b']],
    ['every tag named', { tags: { env: 'prod', team: 'shop' } }, ['orders-a']],
    ['a tag value that does not match', { tags: { env: 'dev' } }, []],
    ['an engine the databases do not run', { engine: 'postgres' }, []],
    ['Oracle', { engine: 'oracle', parameter: 'x', expect: 1 }, ['billing']],
  ])('%s', (_, fields, resources) => {
    expect(flagged(snapshot, [packet(fields)])).toEqual(resources);
  });

  it('matches an Aurora member by its cluster\'s identifier, and reads tags of the cluster', () => {
    const aurora = fleet({
      [REGION]: region([auroraMember('shop-1', 'shop'), auroraMember('shop-2', 'shop')], {
        dbClusters: [
          cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'c', TagList: [{ Key: 'env', Value: 'prod' }] }),
        ],
      }),
    });

    expect(flagged(aurora, [packet({ identifier: 'shop' })])).toEqual(['shop']);
    expect(flagged(aurora, [packet({ tags: { env: 'prod' } })])).toEqual(['shop']);
  });
});

describe('expectations decided', () => {
  const one = (values: Record<string, string>, entry: Partial<Entry>) =>
    only(drift(fleet({ [REGION]: { dbInstances: [withGroup('db')], dbParameters: { g: group(values) } } }), baselineOf([packet(entry)])), 'PARAM_DRIFT');

  it.each<[string, Record<string, string>, Partial<Entry>, string | undefined, boolean | undefined]>([
    ['equal to the one value', { binlog_format: 'ROW' }, { parameter: 'binlog_format', expect: 'ROW' }, undefined, undefined],
    ['not the one value', { binlog_format: 'MIXED' }, { parameter: 'binlog_format', expect: 'ROW' }, 'warning', true],
    ['one of the values', { binlog_format: 'MIXED' }, { parameter: 'binlog_format', expect: { oneOf: ['ROW', 'MIXED'] } }, undefined, undefined],
    ['none of the values', { binlog_format: 'STATEMENT' }, { parameter: 'binlog_format', expect: { oneOf: ['ROW', 'MIXED'] } }, 'warning', true],
    ['a boolean expectation met by ON', { read_only: 'ON' }, { parameter: 'read_only', expect: true }, undefined, undefined],
    ['a boolean expectation missed by 0', { read_only: '0' }, { parameter: 'read_only', expect: true }, 'warning', true],
    ['a value equal to the minimum', { x: '100' }, { parameter: 'x', expect: { min: 100 } }, undefined, undefined],
    ['a value below the minimum', { x: '99' }, { parameter: 'x', expect: { min: 100 } }, 'warning', true],
    ['a value equal to the maximum', { x: '100' }, { parameter: 'x', expect: { max: 100 } }, undefined, undefined],
    ['a value above the maximum', { x: '101' }, { parameter: 'x', expect: { max: 100 } }, 'warning', true],
    ['a value inside both bounds', { x: '50' }, { parameter: 'x', expect: { min: 10, max: 100 } }, undefined, undefined],
    ['a value above both bounds', { x: '500' }, { parameter: 'x', expect: { min: 10, max: 100 } }, 'warning', true],
    ['a value that is not a number against bounds', { x: 'lots' }, { parameter: 'x', expect: { min: 10 } }, 'info', false],
    ['a formula the bounds cannot settle', { x: '{DBInstanceClassMemory/1048576}' }, { parameter: 'x', expect: { min: 10000 } }, 'info', false],
    ['a formula below the minimum for every memory figure', { x: '{DBInstanceClassMemory/1048576}' }, { parameter: 'x', expect: { min: 100000 } }, 'warning', true],
    ['a value not a boolean against a boolean', { read_only: 'maybe' }, { parameter: 'read_only', expect: true }, 'warning', true],
  ])('%s: %s', (_, values, entry, severity, comparable) => {
    // Act
    const findings = one(values, entry);

    // Assess
    expect(findings.map((f) => f.severity)).toEqual(severity ? [severity] : []);
    if (severity) expect(findings[0]!.evidence.comparable).toBe(comparable);
    if (comparable === false) expect(findings[0]!.evidence.why).toMatch(/\S/);
  });

  it.each<[string, Parameter[], Partial<Entry>, string | undefined, boolean | undefined]>([
    [
      'a list in another order, as the listing types it',
      [param('sql_mode', 'NO_ENGINE_SUBSTITUTION,STRICT_TRANS_TABLES', { DataType: 'list' })],
      { parameter: 'sql_mode', expect: 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION' },
      undefined,
      undefined,
    ],
    // Without a DataType the expectation tells the type: a boolean reads any non-zero number as on...
    ['a non-zero number against a boolean, untyped', [param('x', '2')], { parameter: 'x', expect: true }, undefined, undefined],
    // ...and bounds read the value as a number, so a word is not comparable with them.
    ['an on/off word against a minimum, untyped', [param('x', 'ON')], { parameter: 'x', expect: { min: 1 } }, 'info', false],
    // 16 GiB gives between 819 and 1,365 connections: never 100, maybe 1000.
    [
      'a formula none of the values is certain to match',
      [param('max_connections', '{DBInstanceClassMemory/12582880}')],
      { parameter: 'max_connections', expect: { oneOf: [100, 1000] } },
      'info',
      false,
    ],
  ])('%s', (_, listing, entry, severity, comparable) => {
    // Prepare
    const snapshot = fleet({ [REGION]: { dbInstances: [withGroup('db')], dbParameters: { g: listing } } });

    // Act
    const findings = only(drift(snapshot, baselineOf([packet(entry)])), 'PARAM_DRIFT');

    // Assess
    expect(findings.map((f) => [f.severity, f.evidence.comparable])).toEqual(severity ? [[severity, comparable]] : []);
  });

  it.each<[string, Entry['expect'], string]>([
    ['the one value', 'ROW', 'ROW'],
    ['a boolean', true, 'true'],
    ['the first of several values', { oneOf: ['ROW', 'MIXED'] }, 'ROW'],
    ['the minimum', { min: 100 }, '100'],
    ['the maximum', { max: 100 }, '100'],
    ['the minimum of two bounds', { min: 10, max: 100 }, '10'],
  ])('suggests %s as the value to set', (_, expectation, suggested) => {
    const snapshot = fleet({ [REGION]: { dbInstances: [withGroup('db')], dbParameters: { g: group({ x: 'lots' }) } } });

    const [check] = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet({ parameter: 'x', expect: expectation })])).checks;

    expect(check!.suggested).toBe(suggested);
  });

  it('carries what was expected and found, where it was set, and the engine, in the evidence', () => {
    const [finding] = one({ max_allowed_packet: '4194304' }, { expect: { min: 67108864, max: 1073741824 } });

    expect(finding!.evidence).toEqual({
      parameter: 'max_allowed_packet',
      parameterName: 'max_allowed_packet',
      expected: 'between 67108864 and 1073741824',
      actual: '4194304',
      actualEvaluated: 4194304,
      origin: 'instance-group',
      parameterGroup: 'g',
      comparable: true,
      reason: 'Big rows.',
      engine: 'mysql',
      engineVersion: '8.0.39',
    });
  });

  it('names the database\'s own group for a value left at an unknown engine default', () => {
    const [finding] = one({}, { parameter: 'gtid-mode', expect: 'ON' });

    expect(finding!.evidence).toMatchObject({
      parameterName: 'gtid-mode',
      actual: null,
      actualEvaluated: null,
      origin: 'engine-default',
      parameterGroup: 'g',
      comparable: false,
    });
  });
});

describe('cluster-level rows', () => {
  const aurora = (listings: Record<string, Record<string, string>>, membersDescribed = ['shop-1', 'shop-2']) =>
    fleet({
      [REGION]: {
        dbInstances: membersDescribed.map((id) =>
          instance(id, {
            Engine: 'aurora-mysql',
            EngineVersion: '8.0.mysql_aurora.3.07.1',
            DBClusterIdentifier: 'shop',
            DBParameterGroups: [{ DBParameterGroupName: `${id}-db`, ParameterApplyStatus: 'in-sync' }],
          }),
        ),
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'c' })],
        dbParameters: Object.fromEntries(membersDescribed.map((id) => [`${id}-db`, group(listings[id] ?? {})])),
        dbClusterParameters: { c: group(listings.c ?? {}) },
      },
    });
  const rows = (snapshot: FleetSnapshot) =>
    diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet()])).checks.map((c) => [c.resource, c.resourceType, c.status, c.members ?? null]);

  it.each<[string, Record<string, Record<string, string>>, unknown[]]>([
    ['one row for the cluster when every member has the cluster value', { c: { max_allowed_packet: '4194304' } }, [['shop', 'cluster', 'drift', ['shop-1', 'shop-2']]]],
    [
      'a row per member when one overrides the cluster value',
      { c: { max_allowed_packet: '4194304' }, 'shop-2': { max_allowed_packet: '67108864' } },
      [
        ['shop-1', 'instance', 'drift', null],
        ['shop-2', 'instance', 'ok', null],
      ],
    ],
  ])('%s', (_, listings, expected) => {
    expect(rows(aurora(listings))).toEqual(expected);
  });

  it('keeps a row per member for values the members set in their own groups', () => {
    const snapshot = aurora({ 'shop-1': { max_allowed_packet: '4194304' }, 'shop-2': { max_allowed_packet: '4194304' } });

    expect(rows(snapshot)).toEqual([
      ['shop-1', 'instance', 'drift', null],
      ['shop-2', 'instance', 'drift', null],
    ]);
  });

  it('keeps a row per member when the same value meets one member\'s entry and not the other\'s', () => {
    // Prepare: the reader (a replica) has an entry of its own that 4 MiB meets; the writer does not.
    const snapshot = aurora({ c: { max_allowed_packet: '4194304' } });
    const baseline = baselineOf([packet(), packet({ role: 'replica', expect: { min: 1048576 } })]);

    // Act
    const checks = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baseline).checks;

    // Assess
    expect(checks.map((c) => [c.resource, c.resourceType, c.status])).toEqual([
      ['shop-1', 'instance', 'drift'],
      ['shop-2', 'instance', 'ok'],
    ]);
  });

  it('stands for the members described, in name order, when the cluster lists one not read', () => {
    // Prepare: shop-3 is listed by the cluster but not described; the members are described in reverse order.
    const snapshot = aurora({ c: { max_allowed_packet: '4194304' } }, ['shop-2', 'shop-1']);
    const shop = snapshot.regions[REGION]!.dbClusters![0]!;
    (shop as { DBClusterMembers?: unknown[] }).DBClusterMembers = [...shop.DBClusterMembers!, { DBInstanceIdentifier: 'shop-3', IsClusterWriter: false }];

    // Act
    const findings = only(drift(snapshot, baselineOf([packet()])), 'PARAM_DRIFT');

    // Assess
    expect(findings.map((f) => [f.resource, f.evidence.members])).toEqual([['shop', ['shop-1', 'shop-2']]]);
  });

  it('keeps a row per member when the cluster value is the same but evaluates differently per class', () => {
    const snapshot = aurora({ c: { max_allowed_packet: '{DBInstanceClassMemory/64}' } });
    (snapshot.regions[REGION]!.dbInstances![1] as { DBInstanceClass?: string }).DBInstanceClass = 'db.r6g.4xlarge';

    const checks = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet()])).checks;

    expect(checks.map((c) => c.resource)).toEqual(['shop-1', 'shop-2']);
  });

  it('sorts the rows by region, resource and parameter', () => {
    const snapshot = fleet({
      'us-west-2': region([withGroup('a')]),
      [REGION]: region([withGroup('b'), withGroup('a')]),
    });
    const baseline = baselineOf([packet(), packet({ parameter: 'binlog_format', expect: 'ROW' })]);

    const checks = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baseline).checks;

    expect(checks.map((c) => `${c.region}/${c.resource}/${c.parameter}`)).toEqual([
      `${REGION}/a/binlog_format`,
      `${REGION}/a/max_allowed_packet`,
      `${REGION}/b/binlog_format`,
      `${REGION}/b/max_allowed_packet`,
      'us-west-2/a/binlog_format',
      'us-west-2/a/max_allowed_packet',
    ]);
  });

  it('names only the databases an entry applies to as not checked, with the group it could not find', () => {
    // Prepare: the PostgreSQL database has no group in the data either, but no MySQL entry applies to it.
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [withGroup('db', { DBParameterGroups: [{ DBParameterGroupName: 'lost-group' }] }), instance('pg', { Engine: 'postgres', EngineVersion: '16.3' })],
        dbParameters: {},
      },
      'eu-west-1': { dbInstances: [withGroup('far')] },
    });

    // Act
    const diff = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet()]));

    // Assess: eu-west-1 was read without parameter groups.
    expect(diff.databases).toBe(3);
    expect(diff.unchecked.map((u) => `${u.region}/${u.resource}`)).toEqual(['eu-west-1/far', `${REGION}/db`]);
    expect(diff.unchecked[1]!.why).toContain('lost-group');
  });

  it('counts the databases and names those it could not check, and why', () => {
    const snapshot = fleet({ [REGION]: { dbInstances: [withGroup('db'), instance('bare')], dbParameters: {} } });

    const diff = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet()]));

    expect(diff.databases).toBe(2);
    expect(diff.unchecked.map((u) => u.resource)).toEqual(['db', 'bare']);
    expect(diff.unchecked.every((u) => u.why.length > 0)).toBe(true);
  });
});


describe('what a row tells the user to do', () => {
  const hintFor = (groupName: string) => {
    const snapshot = fleet({ [REGION]: { dbInstances: [withGroup('db', { DBParameterGroups: [{ DBParameterGroupName: groupName }] })], dbParameters: { [groupName]: group({ max_allowed_packet: '4194304' }) } } });
    return only(drift(snapshot, baselineOf([packet()])), 'PARAM_DRIFT')[0]!.hint!;
  };

  it('gives the command that changes the instance\'s own group', () => {
    expect(hintFor('orders-params')).toContain('aws rds modify-db-parameter-group --db-parameter-group-name orders-params');
  });

  it('gives no modify command for a default group, which cannot be changed', () => {
    expect(hintFor('default.mysql8.0')).not.toMatch(/modify-db(-cluster)?-parameter-group/);
  });
});

describe('a value left at the engine default', () => {
  const checkOf = (listing: Parameter[], entry: Partial<Entry>) =>
    diffBaseline(createContext(fleet({ [REGION]: { dbInstances: [withGroup('db')], dbParameters: { g: listing } } }), DEFAULT_CONFIG), baselineOf([packet(entry)])).checks[0]!;

  it('shows a default that is not known as unknown', () => {
    const check = checkOf([], { parameter: 'x', expect: 'ON' });

    expect(check).toMatchObject({ origin: 'engine-default', actual: null, status: 'not-comparable' });
    expect(check.actualDisplay).toMatch(/unknown/);
  });

  it('names the parameter as the group lists it, so the hint\'s command names one the group has', () => {
    // Prepare: the group lists the pre-8.0.26 name without a value; the baseline uses the new one.
    const listing = [param('slave_parallel_workers', undefined, { Source: 'engine-default', DataType: 'integer' })];

    // Act
    const check = checkOf(listing, { parameter: 'replica_parallel_workers', expect: { min: 4 } });

    // Assess
    expect(check).toMatchObject({ parameter: 'replica_parallel_workers', parameterName: 'slave_parallel_workers', origin: 'engine-default' });
  });

  it('shows a known default as its value', () => {
    // RDS for MySQL 8.0 defaults binlog_format to MIXED.
    const check = checkOf([], { parameter: 'binlog_format', expect: 'ROW' });

    expect(check).toMatchObject({ origin: 'engine-default', actual: 'MIXED', actualDisplay: 'MIXED', status: 'drift' });
  });
});
