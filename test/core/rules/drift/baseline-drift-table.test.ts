/**
 * Baseline drift, table by table: which role each database plays, which entries apply to it,
 * how each kind of expectation is decided, and what a cluster-level row stands for.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import type { DbInstance, FleetSnapshot, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import type { BaselineInput } from '../../../../lambdas/core/rules/drift/baseline';
import { diffBaseline } from '../../../../lambdas/core/rules/drift/rules';
import { createContext } from '../../../../lambdas/core/rules/evaluate';
import { cluster, clusterArn, fleet, globalCluster, instance, instanceArn, replica } from '../../../support/fleet';
import { baselineOf, drift, group, only } from './helpers';

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
  ])('%s: sources %j, replicas %j, standalone %j', (name, sources, replicas, standalone) => {
    // Prepare
    const snapshot = fleets[name]!;

    // Act / Assess
    expect(flagged(snapshot, [packet({ role: 'source' })])).toEqual(sources);
    expect(flagged(snapshot, [packet({ role: 'replica' })])).toEqual(replicas);
    if (standalone.length) expect(flagged(snapshot, [packet({ role: 'standalone' })])).toEqual(standalone);
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

  it('counts the databases and names those it could not check, and why', () => {
    const snapshot = fleet({ [REGION]: { dbInstances: [withGroup('db'), instance('bare')], dbParameters: {} } });

    const diff = diffBaseline(createContext(snapshot, DEFAULT_CONFIG), baselineOf([packet()]));

    expect(diff.databases).toBe(2);
    expect(diff.unchecked.map((u) => u.resource)).toEqual(['db', 'bare']);
    expect(diff.unchecked.every((u) => u.why.length > 0)).toBe(true);
  });
});

