/**
 * Table-driven edges of the DR rules (capacity, primaries, global members, targets, coverage, RPO):
 * member order, partly described clusters, global databases without a writer, ids shared across
 * regions. Asserts codes, severities and evidence, not message wording.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate, type Report } from '../../../../lambdas/core/rules/evaluate';
import type { DbCluster, DbInstance, FleetSnapshot, GlobalCluster, MetricSeries, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, lag, replica, series } from '../../../support/fleet';

const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
const DR_CODES = new Set(['NO_CROSS_REGION_REPLICA', 'RPO_EXCEEDED', 'GLOBAL_SECONDARY_NOT_SYNCED', 'DR_REPLICA_UNDERSIZED', 'BACKUPS_NOT_REPLICATED']);
const HEALTHY = [1, 2, 1, 0, 1, 2, 1, 1, 0, 1];

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) => evaluate(snapshot, { config: parseConfig(config), scope: 'health' });
const drFindings = (report: Report) => report.findings.filter((f) => DR_CODES.has(f.code));
const drCodes = (report: Report) => drFindings(report).map((f) => `${f.code}:${f.severity}:${f.region}:${f.resource}`);
const verdict = (report: Report, primary: string) => report.dr.find((d) => d.primary === primary);
const undersized = (report: Report) => report.findings.filter((f) => f.code === 'DR_REPLICA_UNDERSIZED');

const PG = 'aurora-postgresql';
const rpoLag = (id: string, ms: readonly number[], sourceRegion = 'us-east-1') =>
  series('AuroraGlobalDBRPOLag', { DBClusterIdentifier: id, SourceRegion: sourceRegion }, ms);

/** A cluster member: its id, whether it is the writer, and its class (none: the instance was not described). */
interface Member {
  readonly id: string;
  readonly writer?: boolean;
  readonly cls?: string;
}

function clusterRegion(id: string, members: readonly Member[], fields: Partial<DbCluster> = {}, extra: Partial<RegionSnapshot> = {}): RegionSnapshot {
  return {
    dbClusters: [
      cluster(id, {}, {
        Engine: PG,
        GlobalClusterIdentifier: 'payments',
        DBClusterMembers: members.map((m) => ({ DBInstanceIdentifier: m.id, IsClusterWriter: m.writer ?? false })),
        ...fields,
      }),
    ],
    dbInstances: members
      .filter((m) => m.cls !== undefined)
      .map((m) => instance(m.id, { Engine: PG, DBClusterIdentifier: id, DBInstanceClass: m.cls })),
    ...extra,
  };
}

/**
 * Global database `payments`: writer cluster `payments-use1` in us-east-1 (omitted with `writer: false`),
 * one secondary cluster per entry of `secondaries` (region → members), each with a healthy RPO lag.
 */
function globalDb(options: {
  writerMembers?: readonly Member[];
  writerCluster?: Partial<DbCluster>;
  writer?: boolean;
  secondaries?: Record<string, { id: string; members?: readonly Member[]; cluster?: Partial<DbCluster>; rpoMs?: readonly number[]; sync?: string }>;
  tags?: GlobalCluster['TagList'];
} = {}): FleetSnapshot {
  const secondaries = options.secondaries ?? { 'eu-west-1': { id: 'payments-euw1' } };
  const hasWriter = options.writer ?? true;
  const global: GlobalCluster = {
    GlobalClusterIdentifier: 'payments',
    Engine: PG,
    TagList: options.tags ?? DR_TAG,
    GlobalClusterMembers: [
      ...(hasWriter ? [{ DBClusterArn: clusterArn('us-east-1', 'payments-use1'), IsWriter: true }] : []),
      ...Object.entries(secondaries).map(([region, s]) => ({
        DBClusterArn: clusterArn(region, s.id),
        IsWriter: false,
        SynchronizationStatus: s.sync ?? 'connected',
      })),
    ],
  };
  const regions: Record<string, RegionSnapshot> = {
    'us-east-1': hasWriter
      ? clusterRegion('payments-use1', options.writerMembers ?? [{ id: 'payments-use1-a', writer: true, cls: 'db.r6g.xlarge' }], options.writerCluster, { globalClusters: [global] })
      : { globalClusters: [global] },
  };
  for (const [region, s] of Object.entries(secondaries)) {
    const members = s.members ?? [{ id: `${s.id}-a`, cls: 'db.r6g.xlarge' }];
    regions[region] = clusterRegion(s.id, members, s.cluster, {
      globalClusters: [global],
      metrics: [rpoLag(s.id, s.rpoMs ?? [900, 950, 880, 910, 920])],
    });
  }
  return fleet(regions);
}

describe('DR targets at the edges', () => {
  it('takes a protected global database\'s secondaries by region and identifier, not a namesake of another database', () => {
    // The `payments` namesake `dr` in eu-west-1 is resyncing; the `ledger` copies are fine.
    const snapshot = twoGlobals({ ledgerTags: DR_TAG, paymentsStatus: 'available', sync: { 'dr@eu-west-1': 'pending-resync' } });

    const report = check(snapshot);

    // Assess: both ledger copies are targets (headless here, so flagged as such), the resync is payments'.
    expect(verdict(report, 'ledger')).toMatchObject({ ready: false, regionsCovered: ['eu-west-1', 'us-west-2'] });
    expect(drCodes(report).sort()).toEqual([
      'DR_REPLICA_UNDERSIZED:warning:eu-west-1:ledger-euw1',
      'DR_REPLICA_UNDERSIZED:warning:us-west-2:dr',
      'GLOBAL_SECONDARY_NOT_SYNCED:warning:eu-west-1:dr',
    ]);
    expect(drFindings(report).filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED').map((f) => f.evidence.globalCluster)).toEqual(['payments']);
  });
});

describe('a cluster writer instance as a replication source', () => {
  /** Aurora MySQL cluster `shop` (reader listed first) and a cross-region RDS replica of instance `source`. */
  const binlog = (source: string, primaryFields: Partial<DbCluster> = {}) =>
    fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-2': false, 'shop-1': true }, { TagList: DR_TAG, ReadReplicaIdentifiers: [], ...primaryFields })],
        dbInstances: [instance('shop-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }), instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' })],
      },
      'eu-west-1': { dbInstances: [replica('shop-dr', instanceArn('us-east-1', source))], metrics: [lag('shop-dr', HEALTHY)] },
    });

  it.each([
    { name: 'a replica of the writer covers the cluster', source: 'shop-1', ready: true, covered: ['eu-west-1'], codes: [] },
    { name: 'a replica of a reader does not', source: 'shop-2', ready: false, covered: [], codes: ['NO_CROSS_REGION_REPLICA:critical:us-east-1:shop'] },
  ])('$name', ({ source, ready, covered, codes }) => {
    const report = check(binlog(source));

    expect(verdict(report, 'shop')).toMatchObject({ kind: 'aurora-cluster', ready, regionsCovered: covered });
    expect(drCodes(report)).toEqual(codes);
  });
});

describe('DR capacity edges', () => {
  it.each([
    {
      name: 'a larger reader listed before the writer is not the primary\'s size',
      writerMembers: [{ id: 'p-b', cls: 'db.r6g.4xlarge' }, { id: 'p-a', writer: true, cls: 'db.r6g.large' }],
      target: [{ id: 't-a', cls: 'db.r6g.xlarge' }],
      evidence: undefined,
    },
    {
      name: 'a smaller reader listed before the writer does not hide an undersized target',
      writerMembers: [{ id: 'p-b', cls: 'db.r6g.large' }, { id: 'p-a', writer: true, cls: 'db.r6g.4xlarge' }],
      target: [{ id: 't-a', cls: 'db.r6g.xlarge' }],
      evidence: { primaryClass: 'db.r6g.4xlarge', targetClass: 'db.r6g.xlarge' },
    },
    {
      name: 'a primary whose writer instance was not described is not compared',
      writerMembers: [{ id: 'p-a', writer: true }, { id: 'p-b', cls: 'db.r6g.4xlarge' }],
      target: [{ id: 't-a', cls: 'db.r6g.large' }],
      evidence: undefined,
    },
    {
      name: 'a primary cluster with no writer member is not compared',
      writerMembers: [{ id: 'p-b', cls: 'db.r6g.4xlarge' }],
      target: [{ id: 't-a', cls: 'db.r6g.large' }],
      evidence: undefined,
    },
    {
      name: 'a target none of whose instances was described is not compared',
      writerMembers: [{ id: 'p-a', writer: true, cls: 'db.r6g.4xlarge' }],
      target: [{ id: 't-a' }, { id: 't-b' }],
      evidence: undefined,
    },
    {
      name: 'a target is judged on its described instances',
      writerMembers: [{ id: 'p-a', writer: true, cls: 'db.r6g.4xlarge' }],
      target: [{ id: 't-a' }, { id: 't-b', cls: 'db.r6g.large' }],
      evidence: { primaryClass: 'db.r6g.4xlarge', targetClass: 'db.r6g.large' },
    },
    {
      name: 'a target member without an identifier is skipped',
      writerMembers: [{ id: 'p-a', writer: true, cls: 'db.r6g.4xlarge' }],
      target: [{ id: '' }, { id: 't-b', cls: 'db.r6g.large' }],
      evidence: { primaryClass: 'db.r6g.4xlarge', targetClass: 'db.r6g.large' },
    },
  ])('$name', ({ writerMembers, target, evidence }) => {
    const snapshot = globalDb({ writerMembers, secondaries: { 'eu-west-1': { id: 'payments-euw1', members: target, rpoMs: [10, 10, 10, 10, 10] } } });

    const report = check(snapshot);

    if (evidence === undefined) expect(undersized(report)).toEqual([]);
    else {
      expect(undersized(report).map((f) => [f.severity, f.region, f.resource])).toEqual([['warning', 'eu-west-1', 'payments-euw1']]);
      expect(undersized(report)[0]!.evidence).toMatchObject({ primary: 'payments', primaryRegion: 'us-east-1', ...evidence });
    }
    expect(verdict(report, 'payments')!.ready).toBe(evidence === undefined);
  });

  const scaling = (max?: number): Partial<DbCluster> => (max === undefined ? {} : { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: max } });

  it.each([
    { name: 'serverless primary, smaller serverless target', primary: 'db.serverless', primaryMax: 64, target: ['db.serverless'], targetMax: 8, small: true },
    { name: 'serverless primary, two serverless target instances scaling lower', primary: 'db.serverless', primaryMax: 64, target: ['db.serverless', 'db.serverless'], targetMax: 8, small: true },
    { name: 'serverless primary, target maximum not a number', primary: 'db.serverless', primaryMax: 64, target: ['db.serverless'], targetMax: undefined, targetScaling: { ServerlessV2ScalingConfiguration: { MaxCapacity: '8' } }, small: false },
    { name: 'serverless primary, target scaling configuration not an object', primary: 'db.serverless', primaryMax: 64, target: ['db.serverless'], targetMax: undefined, targetScaling: { ServerlessV2ScalingConfiguration: 'x' }, small: false },
    { name: 'serverless primary, provisioned target', primary: 'db.serverless', primaryMax: 64, target: ['db.r6g.large'], targetMax: 8, small: false },
    { name: 'provisioned primary, target mixing serverless and a smaller provisioned instance', primary: 'db.r6g.4xlarge', primaryMax: undefined, target: ['db.serverless', 'db.r6g.large'], targetMax: 8, small: false },
    { name: 'serverless primary, target scaling configuration null (a hand-written snapshot)', primary: 'db.serverless', primaryMax: 64, target: ['db.serverless'], targetMax: undefined, targetScaling: { ServerlessV2ScalingConfiguration: null }, small: false },
    { name: 'provisioned writer with a scaling configuration, serverless target scaling lower: not compared', primary: 'db.r6g.4xlarge', primaryMax: 64, target: ['db.serverless'], targetMax: 8, small: false },
    { name: 'provisioned primary, smaller provisioned target with a scaling configuration', primary: 'db.r6g.4xlarge', primaryMax: 64, target: ['db.r6g.large'], targetMax: 128, small: true },
  ])('$name', ({ primary, primaryMax, target, targetMax, targetScaling, small }) => {
    const snapshot = globalDb({
      writerMembers: [{ id: 'p-a', writer: true, cls: primary }],
      writerCluster: scaling(primaryMax),
      secondaries: {
        'eu-west-1': {
          id: 'payments-euw1',
          members: target.map((cls, i) => ({ id: `t-${i}`, cls })),
          cluster: (targetScaling as Partial<DbCluster> | undefined) ?? scaling(targetMax),
          rpoMs: [10, 10, 10, 10, 10],
        },
      },
    });

    const found = undersized(check(snapshot));

    expect(found.map((f) => f.resource)).toEqual(small ? ['payments-euw1'] : []);
    if (small && primary === 'db.serverless') expect(found[0]!.evidence).toMatchObject({ primaryMaxAcu: primaryMax, targetMaxAcu: targetMax, targetClass: 'db.serverless' });
    if (small && primary !== 'db.serverless') expect(found[0]!.evidence).toMatchObject({ primaryClass: primary, targetClass: target.join(',') });
  });

  it.each([
    { name: 'a headless primary cluster', writerMembers: [] as Member[] },
    { name: 'a primary cluster whose members were not described', writerMembers: [{ id: 'p-a', writer: true }] },
  ])('$name is not compared, and the verdict still stands on the target', ({ writerMembers }) => {
    const report = check(globalDb({ writerMembers, secondaries: { 'eu-west-1': { id: 'payments-euw1', members: [{ id: 't-a', cls: 'db.t3.medium' }], rpoMs: [10, 10, 10, 10, 10] } } }));

    expect(undersized(report)).toEqual([]);
    expect(verdict(report, 'payments')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'] });
  });

  it('does not compare a listed replica in a region this run did not read, whose class is unknown', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')] })] },
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe('unknown');
  });

  it('compares an RDS instance primary with its cross-region replica, and skips one whose class is unknown', () => {
    const pair = (replicaClass: string | undefined): FleetSnapshot =>
      fleet({
        'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, DBInstanceClass: 'db.r6g.4xlarge', ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')] })] },
        'eu-west-1': {
          dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'), { DBInstanceClass: replicaClass })],
          metrics: [lag('orders-dr', HEALTHY)],
        },
      });

    expect(drCodes(check(pair('db.r6g.large')))).toEqual(['DR_REPLICA_UNDERSIZED:warning:eu-west-1:orders-dr']);
    expect(undersized(check(pair('db.r6g.large')))[0]!.evidence).toMatchObject({ primaryClass: 'db.r6g.4xlarge', targetClass: 'db.r6g.large' });
    expect(drCodes(check(pair(undefined)))).toEqual([]);
  });
});

describe('protected primaries at the edges', () => {
  it('judges a protected global database with no writer member: named by its first secondary\'s region, never ready', () => {
    const report = check(globalDb({ writer: false, secondaries: { 'eu-west-1': { id: 'payments-euw1', rpoMs: [10, 10, 10, 10, 10] } } }));

    expect(verdict(report, 'payments')).toMatchObject({ region: 'eu-west-1', kind: 'aurora-global', ready: false });
  });

  it('is not ready without a writer member even where the rest is unknown: nothing replicates into its secondaries', () => {
    // Named by its first secondary's region (eu-west-1), which failed a describe: coverage is unknown there.
    const snapshot = globalDb({
      writer: false,
      secondaries: {
        'eu-west-1': { id: 'payments-euw1', rpoMs: [10, 10, 10, 10, 10] },
        'us-west-2': { id: 'payments-usw2', rpoMs: [10, 10, 10, 10, 10] },
      },
    });
    const euw1 = snapshot.regions['eu-west-1']!;
    const failed = { ...euw1, errors: [{ operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' }] };

    const report = check(fleet({ ...snapshot.regions, 'eu-west-1': failed }));

    expect(verdict(report, 'payments')).toMatchObject({ region: 'eu-west-1', kind: 'aurora-global', ready: false });
    expect(drCodes(report)).toEqual([]);
  });

  it('judges a protected global database with no member at all in the first region read', () => {
    const report = check(globalDb({ writer: false, secondaries: {} }));

    expect(verdict(report, 'payments')).toMatchObject({ region: 'us-east-1', kind: 'aurora-global', ready: false, regionsCovered: [] });
    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:payments']);
  });

  it('reports a resyncing secondary of an unprotected global database named like a protected DB instance', () => {
    // `payments` names a protected RDS instance and an untagged global database: the global
    // database is not protected, so its resync is reported as outside DR protection.
    const global = globalDb({ tags: [], secondaries: { 'eu-west-1': { id: 'payments-euw1', sync: 'pending-resync', rpoMs: [10, 10, 10, 10, 10] } } });
    const west = global.regions['us-west-2'] ?? {};
    const snapshot = fleet({
      ...global.regions,
      'us-west-2': { ...west, dbInstances: [instance('payments', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [] })] },
    });

    const report = check(snapshot);

    expect(report.dr.map((d) => `${d.kind}:${d.region}:${d.primary}`)).toEqual(['rds-instance:us-west-2:payments']);
    expect(drFindings(report).filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED').map((f) => [f.severity, f.region, f.resource, f.evidence.globalCluster])).toEqual([
      ['warning', 'eu-west-1', 'payments-euw1', 'payments'],
    ]);
  });

  it('does not take a global secondary carrying the DR tag for a primary of its own', () => {
    const snapshot = globalDb({ tags: [], secondaries: { 'eu-west-1': { id: 'payments-euw1', cluster: { TagList: DR_TAG }, rpoMs: [10, 10, 10, 10, 10] } } });

    expect(check(snapshot).dr).toEqual([]);
  });

  /** A tagged cluster in us-east-1 naming `globalId`, next to the untagged global database `payments`. */
  const clusterNaming = (globalId: string) => {
    const snapshot = globalDb({ tags: [] });
    const east = snapshot.regions['us-east-1']!;
    return fleet({
      ...snapshot.regions,
      'us-east-1': {
        ...east,
        dbClusters: [...east.dbClusters!, cluster('shop', { 'shop-1': true }, { TagList: DR_TAG, GlobalClusterIdentifier: globalId, ReadReplicaIdentifiers: [] })],
        dbInstances: [...east.dbInstances!, instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' })],
      },
    });
  };

  it.each([
    { name: 'a global cluster no region described: unknown, not a gap', globalId: 'ghost', ready: 'unknown', codes: [] },
    { name: 'a described global cluster that does not list it: a gap', globalId: 'payments', ready: false, codes: ['NO_CROSS_REGION_REPLICA:critical:us-east-1:shop'] },
  ])('a tagged cluster naming $name', ({ globalId, ready, codes }) => {
    const report = check(clusterNaming(globalId));

    expect(verdict(report, 'shop')).toMatchObject({ kind: 'aurora-cluster', region: 'us-east-1', ready });
    expect(drCodes(report)).toEqual(codes);
  });

  it.each([
    { name: 'a DB instance', snapshot: () => fleet({ 'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [] })] }, 'eu-west-1': {} }), resource: 'orders', names: 'DB instance orders (us-east-1)' },
    { name: 'an Aurora cluster', snapshot: () => fleet({ 'us-east-1': { dbClusters: [cluster('shop', {}, { TagList: DR_TAG, ReadReplicaIdentifiers: [] })] }, 'eu-west-1': {} }), resource: 'shop', names: 'Aurora cluster shop (us-east-1)' },
    { name: 'a global database', snapshot: () => globalDb({ secondaries: {} }), resource: 'payments', names: 'global database payments (writer payments-use1 in us-east-1)' },
    { name: 'a global database without writer', snapshot: () => globalDb({ writer: false, secondaries: {} }), resource: 'payments', names: 'global database payments (writer unknown)' },
  ])('names $name on its finding', ({ snapshot, resource, names }) => {
    const [gap] = drFindings(check(snapshot()));

    expect([gap!.code, gap!.resource]).toEqual(['NO_CROSS_REGION_REPLICA', resource]);
    expect(gap!.message.startsWith(`${names} is marked as needing DR`)).toBe(true);
  });
});

/**
 * Two global databases with a writer each in us-east-1: `payments` (switching over unless told) with
 * secondaries `dr` (eu-west-1) and `payments-usw2` (us-west-2), and `ledger` with `dr` (us-west-2) and
 * `ledger-euw1` (eu-west-1). The `dr` ids repeat across regions; each region holds a cluster of each.
 * Every secondary reports a small RPO lag.
 */
function twoGlobals(options: { ledgerTags?: GlobalCluster['TagList']; paymentsStatus?: string; sync?: Record<string, string> } = {}): FleetSnapshot {
  const sync = (region: string, id: string) => options.sync?.[`${id}@${region}`] ?? 'connected';
  const global = (id: string, secondaries: readonly (readonly [string, string])[], fields: Partial<GlobalCluster>): GlobalCluster => ({
    GlobalClusterIdentifier: id,
    Engine: PG,
    Status: 'available',
    GlobalClusterMembers: [
      { DBClusterArn: clusterArn('us-east-1', `${id}-use1`), IsWriter: true },
      ...secondaries.map(([region, cid]) => ({ DBClusterArn: clusterArn(region, cid), IsWriter: false, SynchronizationStatus: sync(region, cid) })),
    ],
    ...fields,
  });
  const members = { payments: [['eu-west-1', 'dr'], ['us-west-2', 'payments-usw2']], ledger: [['us-west-2', 'dr'], ['eu-west-1', 'ledger-euw1']] } as const;
  const globals = [
    global('payments', members.payments, { Status: options.paymentsStatus ?? 'switching-over' }),
    global('ledger', members.ledger, { TagList: options.ledgerTags ?? [] }),
  ];
  const regions: Record<string, { dbClusters: DbCluster[]; metrics: MetricSeries[]; globalClusters: GlobalCluster[] }> = {};
  const add = (region: string, c: DbCluster, withLag: boolean) => {
    const r = (regions[region] ??= { dbClusters: [], metrics: [], globalClusters: globals });
    r.dbClusters.push(c);
    if (withLag) r.metrics.push(rpoLag(c.DBClusterIdentifier!, [10, 10, 10, 10, 10]));
  };
  for (const [id, secondaries] of Object.entries(members)) {
    add('us-east-1', cluster(`${id}-use1`, {}, { Engine: PG, GlobalClusterIdentifier: id }), false);
    for (const [region, cid] of secondaries) add(region, cluster(cid, {}, { Engine: PG, GlobalClusterIdentifier: id }), true);
  }
  return fleet(regions);
}

describe('global members at the edges', () => {
  it('adds a switchover only to the findings of that global database\'s members, matched by region and identifier', () => {
    // `payments` is switching over; the resyncing `ledger` secondaries share an identifier or a region with its members.
    const snapshot = twoGlobals({ sync: { 'dr@us-west-2': 'pending-resync', 'ledger-euw1@eu-west-1': 'pending-resync' } });

    const report = check(snapshot);

    const resyncs = report.findings.filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED');
    expect(resyncs.map((f) => [f.region, f.resource, f.evidence.globalCluster, f.evidence.globalClusterStatus ?? 'none']).sort()).toEqual([
      ['eu-west-1', 'ledger-euw1', 'ledger', 'none'],
      ['us-west-2', 'dr', 'ledger', 'none'],
    ]);
  });

  it('reports a resyncing secondary whose own region was not read, with a null writer region when the writer is gone', () => {
    const global: GlobalCluster = {
      GlobalClusterIdentifier: 'ledger',
      Engine: PG,
      GlobalClusterMembers: [{ DBClusterArn: clusterArn('eu-west-1', 'ledger-euw1'), IsWriter: false, SynchronizationStatus: 'pending-resync' }],
    };

    const report = check(fleet({ 'us-east-1': { globalClusters: [global] } }));

    expect(report.findings.filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED').map((f) => [f.severity, f.region, f.resource, f.evidence.writerRegion])).toEqual([
      ['warning', 'eu-west-1', 'ledger-euw1', null],
    ]);
  });

  it('adds nothing but DR findings of its own to a healthy protected global database', () => {
    const report = check(globalDb({ secondaries: { 'eu-west-1': { id: 'payments-euw1', rpoMs: [10, 10, 10, 10, 10] } } }));

    expect(report.findings.filter((f) => typeof f !== 'object' || DR_CODES.has(f.code))).toEqual([]);
    expect(verdict(report, 'payments')!.ready).toBe(true);
  });
});

describe('RPO at the edges', () => {
  const pair = (lagValues: readonly number[], replicaFields: Partial<DbInstance> = {}) =>
    fleet({
      'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')] })] },
      'eu-west-1': { dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'), replicaFields)], metrics: [lag('orders-dr', lagValues)] },
    });
  const rpo = (report: Report) => report.findings.filter((f) => f.code === 'RPO_EXCEEDED');

  it.each([
    { name: 'lag equal to the RPO is within it', values: [60, 60, 60, 60, 60], over: undefined },
    { name: 'lag one second over counts', values: [61, 61, 61, 61, 61], over: 5 },
    { name: 'only the datapoints over the RPO are counted', values: [10, 60, 61, 61, 61], over: 3 },
  ])('$name', ({ values, over }) => {
    const found = rpo(check(pair(values)));

    if (over === undefined) expect(found).toEqual([]);
    else expect(found.map((f) => [f.severity, f.resource, f.evidence.datapointsOver, f.evidence.rpoSeconds])).toEqual([['critical', 'orders-dr', over, 60]]);
  });

  it('does not judge a global secondary on an RPOLag series that stopped reporting while its replication lag is fresh', () => {
    const snapshot = globalDb({ secondaries: { 'eu-west-1': { id: 'payments-euw1', rpoMs: [300_000, 300_000, 300_000, 300_000, 300_000] } } });
    const west = snapshot.regions['eu-west-1']!;
    const [stale] = west.metrics!;
    const old = stale!.timestamps.map((t) => new Date(Date.parse(t) - 30 * 60_000).toISOString());
    const fresh = series('AuroraGlobalDBReplicationLag', { DBClusterIdentifier: 'payments-euw1', SourceRegion: 'us-east-1' }, [10, 10, 10, 10, 10]);
    const withStaleRpo = fleet({ ...snapshot.regions, 'eu-west-1': { ...west, metrics: [{ ...stale!, timestamps: old }, fresh] } });

    const report = check(withStaleRpo, { lag: { windowMinutes: 60 } });

    expect(rpo(report)).toEqual([]);
    expect(verdict(report, 'payments')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'] });
  });

  it('judges neither the RPO nor the capacity of a broken copy: it is a broken copy, and another one carries the verdict', () => {
    const broken = { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Error 1236' }] };
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, DBInstanceClass: 'db.r6g.4xlarge', ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr'), instanceArn('us-west-2', 'orders-dr2')] })] },
      'eu-west-1': { dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'), { DBInstanceClass: 'db.r6g.large', ...broken })], metrics: [lag('orders-dr', [900, 900, 900, 900, 900])] },
      'us-west-2': { dbInstances: [replica('orders-dr2', instanceArn('us-east-1', 'orders'), { DBInstanceClass: 'db.r6g.4xlarge' })], metrics: [lag('orders-dr2', HEALTHY)] },
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: true, regionsCovered: ['us-west-2'] });
  });
});

describe('coverage at the edges', () => {
  it('is not ready, rather than unknown, when the only secondary is resyncing and its lag is not reported', () => {
    const snapshot = globalDb({ secondaries: { 'eu-west-1': { id: 'payments-euw1', sync: 'pending-resync' } } });
    const noLag = fleet({ ...snapshot.regions, 'eu-west-1': { ...snapshot.regions['eu-west-1']!, metrics: [] } });

    const report = check(noLag);

    expect(drCodes(report)).toEqual(['GLOBAL_SECONDARY_NOT_SYNCED:warning:eu-west-1:payments-euw1']);
    expect(verdict(report, 'payments')!.ready).toBe(false);
  });

  it.each([
    { kind: 'rds-instance', snapshot: () => fleet({ 'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [] })] }, 'eu-west-1': {} }), advice: 'cross-region read replica' },
    { kind: 'aurora-cluster', snapshot: () => fleet({ 'us-east-1': { dbClusters: [cluster('shop', {}, { TagList: DR_TAG, ReadReplicaIdentifiers: [] })] }, 'eu-west-1': {} }), advice: 'cross-region replica cluster' },
    { kind: 'aurora-global', snapshot: () => globalDb({ secondaries: {} }), advice: 'secondary cluster' },
  ])('advises a copy that fits a primary of kind $kind', ({ kind, snapshot, advice }) => {
    const [gap] = drFindings(check(snapshot()));

    expect([gap!.code, gap!.evidence.primaryKind]).toEqual(['NO_CROSS_REGION_REPLICA', kind]);
    expect(gap!.hint).toContain(advice);
  });

  it.each([
    { name: 'a headless secondary: add an instance', members: [] as Member[], advice: 'Add a DB instance' },
    { name: 'a small secondary: resize it', members: [{ id: 't-a', cls: 'db.t3.medium' }], advice: 'Modify the replica' },
  ])('advises on $name', ({ members, advice }) => {
    const found = undersized(check(globalDb({ secondaries: { 'eu-west-1': { id: 'payments-euw1', members, rpoMs: [10, 10, 10, 10, 10] } } })));

    expect(found).toHaveLength(1);
    expect(found[0]!.hint).toContain(advice);
  });
});
