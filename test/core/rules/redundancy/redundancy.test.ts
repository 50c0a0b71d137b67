import { describe, expect, it } from 'vitest';
import { buildMetrics } from '../../../../lambdas/core/outputs/metrics';
import { readFileSync } from 'node:fs';
import { parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { evaluate, type Report } from '../../../../lambdas/core/rules/evaluate';
import { findingKey } from '../../../../lambdas/core/findings';
import type { AutomatedBackup, DbCluster, DbInstance, FleetSnapshot, RegionSnapshot } from '../../../../lambdas/core/fleet/model';
import { compareInstanceClasses } from '../../../../lambdas/core/fleet/instance-capacity';
import { renderTable } from '../../../../lambdas/core/outputs/report';
import { parseSnapshotText } from '../../../../lambdas/core/fleet/snapshot';
import {
  ACCOUNT,
  cluster,
  clusterArn,
  fleet,
  globalCluster,
  instance,
  instanceArn,
  lag,
  replica,
  series,
} from '../../../support/fleet';

const DR_CODES = new Set([
  'NO_CROSS_REGION_REPLICA',
  'RPO_EXCEEDED',
  'GLOBAL_SECONDARY_NOT_SYNCED',
  'DR_REPLICA_UNDERSIZED',
  'BACKUPS_NOT_REPLICATED',
]);

const DR_TAG = [{ Key: 'replguard:dr', Value: 'required' }];
const HEALTHY = [1, 2, 1, 0, 1, 2, 1, 1, 0, 1];

const check = (snapshot: FleetSnapshot, config: ConfigInput = {}) =>
  evaluate(snapshot, { config: parseConfig(config), scope: 'health' });

const drFindings = (report: Report) => report.findings.filter((f) => DR_CODES.has(f.code));
const drCodes = (report: Report) => drFindings(report).map((f) => `${f.code}:${f.severity}:${f.region}:${f.resource}`);
const verdict = (report: Report, primary: string) => report.dr.find((d) => d.primary === primary);

/** A MySQL primary in us-east-1 and a cross-region replica in eu-west-1 whose source is an ARN. */
function crossRegionPair(options: {
  primary?: Partial<DbInstance>;
  replica?: Partial<DbInstance>;
  lag?: readonly number[];
  east?: Partial<RegionSnapshot>;
  west?: Partial<RegionSnapshot>;
} = {}): FleetSnapshot {
  return fleet({
    'us-east-1': {
      dbInstances: [
        instance('orders', {
          DBInstanceArn: instanceArn('us-east-1', 'orders'),
          DBInstanceClass: 'db.r6g.xlarge',
          TagList: DR_TAG,
          ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')],
          ...options.primary,
        }),
      ],
      ...options.east,
    },
    'eu-west-1': {
      dbInstances: [
        replica('orders-dr', instanceArn('us-east-1', 'orders'), { DBInstanceClass: 'db.r6g.xlarge', ...options.replica }),
      ],
      metrics: [lag('orders-dr', options.lag ?? HEALTHY)],
      ...options.west,
    },
  });
}

const globalLag = (id: string, sourceRegion: string, ms: readonly number[], metric = 'AuroraGlobalDBRPOLag') =>
  series(metric, { DBClusterIdentifier: id, SourceRegion: sourceRegion }, ms);
const readerLag = (id: string) => series('AuroraReplicaLag', { DBInstanceIdentifier: id }, [10, 12, 11, 10, 12]);

/** A region holding one secondary cluster of global database `payments`, with one reader instance. */
function secondaryRegion(
  id: string,
  options: { instanceClass?: string; rpoLagMs?: readonly number[]; headless?: boolean; cluster?: Partial<DbCluster> } = {},
): RegionSnapshot {
  const member = `${id}-a`;
  return {
    dbClusters: [
      cluster(id, options.headless ? {} : { [member]: false }, {
        Engine: 'aurora-postgresql',
        GlobalClusterIdentifier: 'payments',
        ...options.cluster,
      }),
    ],
    dbInstances: options.headless
      ? []
      : [instance(member, { Engine: 'aurora-postgresql', DBClusterIdentifier: id, DBInstanceClass: options.instanceClass ?? 'db.r6g.xlarge' })],
    metrics: [globalLag(id, 'us-east-1', options.rpoLagMs ?? [900, 950, 880, 910, 920]), ...(options.headless ? [] : [readerLag(member)])],
  };
}

/** Global database `payments`: writer in us-east-1, secondaries in the given regions. */
function globalDatabase(
  secondaries: Record<string, RegionSnapshot>,
  options: { globalTags?: DbCluster['TagList']; writerTags?: DbCluster['TagList']; sync?: Record<string, string> } = {},
): FleetSnapshot {
  const secondaryArns = Object.entries(secondaries).map(([region, data]) =>
    clusterArn(region, data.dbClusters?.[0]?.DBClusterIdentifier ?? `payments-${region}`),
  );
  const global = globalCluster('payments', clusterArn('us-east-1', 'payments-use1'), secondaryArns, {
    TagList: options.globalTags ?? DR_TAG,
  });
  const members = global.GlobalClusterMembers!.map((m) => ({
    ...m,
    SynchronizationStatus: m.IsWriter ? undefined : (options.sync?.[m.DBClusterArn!] ?? 'connected'),
  }));
  const withMembers = { ...global, GlobalClusterMembers: members };
  const regions: Record<string, RegionSnapshot> = {
    'us-east-1': {
      dbClusters: [
        cluster('payments-use1', { 'payments-use1-a': true }, {
          Engine: 'aurora-postgresql',
          GlobalClusterIdentifier: 'payments',
          TagList: options.writerTags,
        }),
      ],
      dbInstances: [
        instance('payments-use1-a', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-use1', DBInstanceClass: 'db.r6g.xlarge' }),
      ],
      globalClusters: [withMembers],
    },
  };
  for (const [region, data] of Object.entries(secondaries)) {
    regions[region] = data.errors ? data : { ...data, globalClusters: [withMembers] };
  }
  return fleet(regions);
}

describe('which primaries need DR', () => {
  it('reports a primary tagged replguard:dr=required and ignores untagged ones', () => {
    // Prepare: same fleet twice, once without the tag.
    const tagged = crossRegionPair();
    const untagged = crossRegionPair({ primary: { TagList: [{ Key: 'team', Value: 'orders' }] } });

    // Act
    const withTag = check(tagged);
    const withoutTag = check(untagged);

    // Assess
    expect(withTag.dr.map((d) => d.primary)).toEqual(['orders']);
    expect(withoutTag.dr).toEqual([]);
    expect(drFindings(withoutTag)).toEqual([]);
  });

  it('uses the configured tag key and value', () => {
    const snapshot = crossRegionPair({ primary: { TagList: [{ Key: 'tier', Value: 'gold' }] } });

    expect(check(snapshot).dr).toEqual([]);
    expect(check(snapshot, { dr: { tagKey: 'tier', tagValue: 'gold' } }).dr.map((d) => d.primary)).toEqual(['orders']);
  });

  it('selects primaries by identifier glob or regular expression', () => {
    const snapshot = crossRegionPair({ primary: { TagList: [] } });

    expect(check(snapshot, { dr: { identifiers: ['ord*'] } }).dr.map((d) => d.primary)).toEqual(['orders']);
    expect(check(snapshot, { dr: { identifiers: ['/^orders$/'] } }).dr.map((d) => d.primary)).toEqual(['orders']);
    expect(check(snapshot, { dr: { identifiers: ['billing-*'] } }).dr).toEqual([]);
  });

  it('skips a replica that carries the DR tag itself: it is covered through its source', () => {
    // A replica created with the source's tags must not be reported as a primary without DR.
    const snapshot = crossRegionPair({ replica: { TagList: DR_TAG } });

    const report = check(snapshot);

    expect(report.dr.map((d) => d.primary)).toEqual(['orders']);
    expect(drFindings(report)).toEqual([]);
  });

  it('reads the tag from the global cluster or from its writer cluster, and reports the global database once', () => {
    const west = { 'eu-west-1': secondaryRegion('payments-euw1') };

    const onGlobal = check(globalDatabase(west));
    const onWriter = check(globalDatabase(west, { globalTags: [], writerTags: DR_TAG }));
    const onNeither = check(globalDatabase(west, { globalTags: [] }));

    expect(onGlobal.dr).toEqual([expect.objectContaining({ primary: 'payments', kind: 'aurora-global', region: 'us-east-1' })]);
    expect(onWriter.dr).toEqual([expect.objectContaining({ primary: 'payments', kind: 'aurora-global' })]);
    expect(onNeither.dr).toEqual([]);
  });
});

describe('RPO target', () => {
  it('defaults to 60 s and takes the last matching override', () => {
    const snapshot = crossRegionPair({ primary: { TagList: [...DR_TAG, { Key: 'tier', Value: 'gold' }] } });

    const byDefault = check(snapshot);
    const overridden = check(snapshot, {
      dr: {
        rpoOverrides: [
          { match: { identifier: 'orders' }, rpoSeconds: 300 },
          { match: { tags: { tier: 'gold' } }, rpoSeconds: 15 },
          { match: { identifier: 'billing' }, rpoSeconds: 900 },
        ],
      },
    });

    expect(verdict(byDefault, 'orders')!.rpoSeconds).toBe(60);
    expect(verdict(overridden, 'orders')!.rpoSeconds).toBe(15);
  });
});

describe('cross-region RDS read replica (ARN source)', () => {
  it('is READY when a healthy replica of the same class is in another region', () => {
    const report = check(crossRegionPair());

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')).toEqual({
      primary: 'orders',
      region: 'us-east-1',
      kind: 'rds-instance',
      regionsCovered: ['eu-west-1'],
      worstLagSeconds: 1,
      rpoSeconds: 60,
      ready: true,
      reasons: [],
    });
  });

  it('is ready with a replica listed only by its own region (no ReadReplicaDBInstanceIdentifiers on the source)', () => {
    const report = check(crossRegionPair({ primary: { ReadReplicaDBInstanceIdentifiers: undefined } }));

    expect(verdict(report, 'orders')!.ready).toBe(true);
  });
});

describe('NO_CROSS_REGION_REPLICA', () => {
  it('is critical when every replica is in the primary\'s region', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: ['orders-ro'] }),
          replica('orders-ro', 'orders'),
        ],
        metrics: [lag('orders-ro', HEALTHY)],
      },
      'eu-west-1': {},
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:orders']);
    const [finding] = drFindings(report);
    expect(finding!.message).toContain('its only replica is in us-east-1 too');
    expect(finding!.runbook).toBe('docs/runbook.md#no_cross_region_replica');
    expect(verdict(report, 'orders')).toMatchObject({ ready: false, regionsCovered: [] });
    expect(verdict(report, 'orders')!.reasons[0]).toContain('no usable replica in another region');
  });

  it('is critical when the only cross-region replica is broken', () => {
    const report = check(
      crossRegionPair({
        replica: { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error', Message: 'Error 1236' }] },
      }),
    );

    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:orders']);
    expect(drFindings(report)[0]!.message).toContain('orders-dr (eu-west-1) is broken');
    expect(verdict(report, 'orders')!.ready).toBe(false);
  });

  it('stays quiet while one of two cross-region replicas still works', () => {
    const snapshot = crossRegionPair({
      primary: { ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr'), instanceArn('eu-west-1', 'orders-dr2')] },
      west: {
        dbInstances: [
          replica('orders-dr', instanceArn('us-east-1', 'orders'), { DBInstanceClass: 'db.r6g.xlarge' }),
          replica('orders-dr2', instanceArn('us-east-1', 'orders'), { DBInstanceClass: 'db.r6g.xlarge' }),
        ],
        metrics: [lag('orders-dr', HEALTHY), lag('orders-dr2', [-1, -1, -1, -1, -1])],
      },
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'] });
  });

  it('names a replica the source lists but whose region no longer has it', () => {
    const snapshot = crossRegionPair({ west: { dbInstances: [], metrics: [] } });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:orders']);
    expect(drFindings(report)[0]!.message).toContain('orders-dr is listed as a replica of orders but eu-west-1 has no such database');
  });
});

describe('regions that cannot be read', () => {
  it('makes the verdict unknown, never ready, when the replica\'s region is not read at all', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr')] }),
        ],
      },
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe('unknown');
    expect(verdict(report, 'orders')!.reasons.join()).toContain('region eu-west-1 is not read by this check');
  });

  it('makes the verdict unknown when a global secondary\'s region fails to answer, without a second CHECK_DEGRADED', () => {
    const snapshot = globalDatabase({
      'eu-west-1': secondaryRegion('payments-euw1'),
      'ap-southeast-2': {
        errors: [{ operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' }],
      },
    });
    // The global cluster still names the unreachable secondary.
    const withApac = {
      ...snapshot,
      regions: {
        ...snapshot.regions,
        'us-east-1': {
          ...snapshot.regions['us-east-1'],
          globalClusters: [
            {
              ...snapshot.regions['us-east-1']!.globalClusters![0]!,
              GlobalClusterMembers: [
                ...snapshot.regions['us-east-1']!.globalClusters![0]!.GlobalClusterMembers!,
                { DBClusterArn: clusterArn('ap-southeast-2', 'payments-apse2'), IsWriter: false, SynchronizationStatus: 'connected' },
              ],
            },
          ],
        },
      },
    };

    const report = check(withApac);

    const dr = verdict(report, 'payments')!;
    expect(dr.ready).toBe('unknown');
    expect(dr.reasons.join()).toContain('region ap-southeast-2 could not be read (rds:DescribeDBClusters ThrottlingException)');
    expect(drFindings(report)).toEqual([]);
    expect(report.findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.resource === 'rds:DescribeDBClusters')).toHaveLength(1);
  });

  it('is unknown when the primary does not list its replicas and another region could not be read', () => {
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { TagList: DR_TAG })] },
      'eu-west-1': { errors: [{ operation: 'rds:DescribeDBInstances', code: 'AccessDenied', message: 'denied' }] },
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: 'unknown' });
    expect(verdict(report, 'orders')!.reasons.join()).toContain('eu-west-1 could not be read');
  });

  it('still reports NO_CROSS_REGION_REPLICA when the primary\'s own description says it has no replicas', () => {
    // DescribeDBInstances lists cross-region replicas as ARNs: an empty list is the whole truth for
    // RDS for PostgreSQL (an RDS for MySQL source can also have unlisted cross-Region Aurora replicas).
    const snapshot = fleet({
      'us-east-1': { dbInstances: [instance('orders', { Engine: 'postgres', TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [] })] },
      'eu-west-1': { errors: [{ operation: 'rds:DescribeDBInstances', code: 'AccessDenied', message: 'denied' }] },
    });

    expect(drCodes(check(snapshot))).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:orders']);
  });

  it('is unknown when a cluster names a global cluster that no region described', () => {
    // DescribeGlobalClusters failed or lagged: its secondaries exist but cannot be seen.
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('ledger', { 'ledger-1': true }, { TagList: DR_TAG, GlobalClusterIdentifier: 'ledger-global', ReadReplicaIdentifiers: [] })],
        dbInstances: [instance('ledger-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'ledger' })],
      },
      'eu-west-1': {},
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'ledger')).toMatchObject({ ready: 'unknown', kind: 'aurora-cluster' });
    expect(verdict(report, 'ledger')!.reasons.join()).toContain('global cluster ledger-global');
  });

  it('is unknown when the cross-region replica reports no lag', () => {
    const report = check(crossRegionPair({ west: { metrics: [] } }));

    expect(verdict(report, 'orders')!.ready).toBe('unknown');
    expect(verdict(report, 'orders')!.worstLagSeconds).toBeNull();
    expect(report.findings.map((f) => f.code)).toContain('LAG_METRIC_MISSING');
  });
});

describe('RPO_EXCEEDED', () => {
  it('is critical when cross-region lag stays over the RPO for M of the last N minutes', () => {
    const report = check(crossRegionPair({ lag: [5, 5, 5, 5, 5, 40, 75, 90, 120, 150] }));

    expect(drCodes(report)).toEqual(['RPO_EXCEEDED:critical:eu-west-1:orders-dr']);
    const [finding] = drFindings(report);
    expect(finding!.message).toContain('is 2.5 min behind, over the RPO of 60 s');
    expect(finding!.message).toContain('RPO of 60 s in 4 of the last 5 datapoints');
    expect(finding!.message).toContain('since 2026-11-24T09:57:00.000Z');
    expect(finding!.evidence).toMatchObject({ primary: 'orders', metric: 'ReplicaLag', rpoSeconds: 60, lagSeconds: 150 });
    expect(verdict(report, 'orders')).toMatchObject({ ready: false, worstLagSeconds: 150 });
  });

  it('is judged on a lag read too when the RPO series is the lag series, as on a full read', () => {
    // Prepare: the ReplicaLag a lag read asks for is what RPO is judged on.
    const snapshot = crossRegionPair({ lag: [5, 5, 5, 5, 5, 40, 75, 90, 120, 150] });

    // Act
    const lagRead = evaluate(snapshot, { config: parseConfig({}), scope: 'health', reads: 'lag' });
    const status = evaluate(snapshot, { config: parseConfig({}), scope: 'health', reads: 'status' });

    // Assess: the same finding as the full read, nothing left unjudged; a status read judges no lag.
    expect(drCodes(lagRead)).toEqual(['RPO_EXCEEDED:critical:eu-west-1:orders-dr']);
    expect(drFindings(lagRead)).toEqual(drFindings(check(snapshot)));
    expect(lagRead.notEvaluated).toBeUndefined();
    expect(drCodes(status)).toEqual([]);
  });

  it('is left unjudged on a lag read of a global secondary, whose RPOLag only a full read asks for', () => {
    // Prepare: RPOLag over the RPO, which a full read reports.
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [90_000, 95_000, 99_000, 97_000, 98_000] }) });

    // Act
    const full = check(snapshot);
    const lagRead = evaluate(snapshot, { config: parseConfig({}), scope: 'health', reads: 'lag' });

    // Assess: the lag read neither raises nor clears it: it names the alert it could not judge.
    expect(drCodes(full)).toEqual(['RPO_EXCEEDED:critical:eu-west-1:payments-euw1']);
    expect(drCodes(lagRead)).toEqual([]);
    expect(lagRead.notEvaluated).toEqual([findingKey(drFindings(full)[0]!)]);
  });

  it('ignores a spike shorter than M datapoints', () => {
    const report = check(crossRegionPair({ lag: [1, 1, 1, 1, 1, 1, 1, 400, 400, 1] }));

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe(true);
  });

  it('follows the per-primary RPO override', () => {
    const snapshot = crossRegionPair({ lag: [90, 95, 100, 90, 95] });

    expect(drCodes(check(snapshot, { dr: { rpoOverrides: [{ match: { identifier: 'orders' }, rpoSeconds: 300 }] } }))).toEqual([]);
  });

  it('reads AuroraGlobalDBRPOLag in milliseconds', () => {
    // 900 ms is well inside a 60 s RPO; read as seconds it would not be.
    const report = check(globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1') }));

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'payments')).toMatchObject({ ready: true, worstLagSeconds: 0.92 });
  });

  it('falls back to AuroraGlobalDBReplicationLag when RPO lag is not published', () => {
    const region = secondaryRegion('payments-euw1');
    const west = {
      ...region,
      metrics: [
        globalLag('payments-euw1', 'us-east-1', [70_000, 80_000, 95_000, 120_000, 130_000], 'AuroraGlobalDBReplicationLag'),
        readerLag('payments-euw1-a'),
      ],
    };

    const report = check(globalDatabase({ 'eu-west-1': west }));

    expect(drCodes(report)).toEqual(['RPO_EXCEEDED:critical:eu-west-1:payments-euw1']);
    expect(drFindings(report)[0]!.evidence).toMatchObject({ metric: 'AuroraGlobalDBReplicationLag', lagSeconds: 130 });
  });

  it('reads AuroraBinlogReplicaLag for a cross-region binlog replica cluster', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true }, { TagList: DR_TAG, DBClusterArn: clusterArn('us-east-1', 'shop') })],
        dbInstances: [instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop', DBInstanceClass: 'db.r6g.2xlarge' })],
      },
      'eu-west-1': {
        dbClusters: [cluster('shop-dr', { 'shop-dr-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') })],
        dbInstances: [instance('shop-dr-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop-dr', DBInstanceClass: 'db.r6g.2xlarge' })],
        metrics: [series('AuroraBinlogReplicaLag', { DBClusterIdentifier: 'shop-dr' }, [50, 70, 80, 90, 100])],
      },
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['RPO_EXCEEDED:critical:eu-west-1:shop-dr']);
    expect(verdict(report, 'shop')).toMatchObject({ kind: 'aurora-cluster', regionsCovered: ['eu-west-1'], ready: false });
  });

  it('does not count the lag an idle PostgreSQL source reports', () => {
    const snapshot = crossRegionPair({
      primary: { Engine: 'postgres' },
      replica: { Engine: 'postgres' },
      // Climbs with the clock and starts over at the 5-minute WAL segment switch.
      lag: [200, 260, 20, 80, 140],
      east: { metrics: [series('TransactionLogsGeneration', { DBInstanceIdentifier: 'orders' }, [0, 0, 0, 0, 0])] },
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe(true);
  });
});

describe('a global database with members in three regions', () => {
  it('covers both secondary regions and reports the worst lag', () => {
    const snapshot = globalDatabase({
      'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [800, 900, 1000, 1100, 1200] }),
      'ap-southeast-2': secondaryRegion('payments-apse2', { rpoLagMs: [2000, 2100, 2500, 2400, 2300] }),
    });

    const report = check(snapshot);

    expect(drFindings(report)).toEqual([]);
    expect(verdict(report, 'payments')).toEqual({
      primary: 'payments',
      region: 'us-east-1',
      kind: 'aurora-global',
      regionsCovered: ['ap-southeast-2', 'eu-west-1'],
      worstLagSeconds: 2.3,
      rpoSeconds: 60,
      ready: true,
      reasons: [],
    });
  });

  it('flags only the lagging secondary, and stays ready on the other one', () => {
    const snapshot = globalDatabase({
      'eu-west-1': secondaryRegion('payments-euw1'),
      'ap-southeast-2': secondaryRegion('payments-apse2', { rpoLagMs: [90_000, 95_000, 99_000, 91_000, 97_000] }),
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['RPO_EXCEEDED:critical:ap-southeast-2:payments-apse2']);
    expect(verdict(report, 'payments')!.ready).toBe(true);
  });
});

describe('GLOBAL_SECONDARY_NOT_SYNCED', () => {
  it('warns on a pending-resync secondary and is not ready when it is the only one', () => {
    const snapshot = globalDatabase(
      { 'eu-west-1': secondaryRegion('payments-euw1') },
      { sync: { [clusterArn('eu-west-1', 'payments-euw1')]: 'pending-resync' } },
    );

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['GLOBAL_SECONDARY_NOT_SYNCED:warning:eu-west-1:payments-euw1']);
    expect(drFindings(report)[0]!.message).toContain('pending-resync');
    expect(verdict(report, 'payments')).toMatchObject({ ready: false, reasons: ['payments-euw1 (eu-west-1): global member pending-resync'] });
  });

  it('stays quiet for connected secondaries', () => {
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1') });

    expect(drFindings(check(snapshot))).toEqual([]);
  });
});

describe('DR_REPLICA_UNDERSIZED', () => {
  it('warns when the cross-region replica is a smaller size of the same family', () => {
    const report = check(crossRegionPair({ replica: { DBInstanceClass: 'db.r6g.large' } }));

    expect(drCodes(report)).toEqual(['DR_REPLICA_UNDERSIZED:warning:eu-west-1:orders-dr']);
    expect(drFindings(report)[0]!.message).toContain("runs db.r6g.large, smaller than the primary's db.r6g.xlarge");
    expect(drFindings(report)[0]!.evidence).toMatchObject({ primaryClass: 'db.r6g.xlarge', targetClass: 'db.r6g.large' });
    expect(verdict(report, 'orders')!.ready).toBe(false);
  });

  it('compares different families by vCPU and memory', () => {
    const smaller = check(crossRegionPair({ replica: { DBInstanceClass: 'db.m6g.xlarge' } }));
    const equal = check(crossRegionPair({ replica: { DBInstanceClass: 'db.r6i.xlarge' } }));
    const larger = check(crossRegionPair({ replica: { DBInstanceClass: 'db.m6g.2xlarge' } }));

    expect(drCodes(smaller)).toEqual(['DR_REPLICA_UNDERSIZED:warning:eu-west-1:orders-dr']);
    expect(drFindings(smaller)[0]!.message).toContain('4 vCPU, 16 GiB');
    expect(drCodes(equal)).toEqual([]);
    expect(drCodes(larger)).toEqual([]);
  });

  it('says nothing about classes it cannot compare', () => {
    expect(compareInstanceClasses('db.r5.2xlarge.tpc2.mem4x', 'db.r5.2xlarge').verdict).toBe('not-comparable');
    expect(drCodes(check(crossRegionPair({ replica: { DBInstanceClass: 'db.serverless' } })))).toEqual([]);
  });

  it('treats a burstable replica of a non-burstable primary as undersized', () => {
    expect(compareInstanceClasses('db.m6g.large', 'db.t4g.xlarge').verdict).toBe('smaller');
    expect(compareInstanceClasses('db.t3.medium', 'db.m6g.large').verdict).toBe('ok');
  });

  it('flags a headless secondary cluster: nothing to promote', () => {
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1', { headless: true }) });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['DR_REPLICA_UNDERSIZED:warning:eu-west-1:payments-euw1']);
    expect(drFindings(report)[0]!.message).toContain('has no DB instance: there is nothing to promote');
    expect(verdict(report, 'payments')!.ready).toBe(false);
  });

  it('accepts a secondary cluster as long as one instance matches the writer', () => {
    const region = secondaryRegion('payments-euw1', { instanceClass: 'db.r6g.large' });
    const west = {
      ...region,
      dbClusters: [cluster('payments-euw1', { 'payments-euw1-a': false, 'payments-euw1-b': false }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'payments' })],
      dbInstances: [
        ...region.dbInstances!,
        instance('payments-euw1-b', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-euw1', DBInstanceClass: 'db.r6g.xlarge' }),
      ],
      metrics: [...region.metrics!, readerLag('payments-euw1-b')],
    };

    expect(drCodes(check(globalDatabase({ 'eu-west-1': west })))).toEqual([]);
  });
});

// orders' automated backups in us-east-1, with the replication given.
const required = { dr: { requireReplicatedBackups: true } };
const backup = (fields: Partial<AutomatedBackup>): AutomatedBackup => ({
  DBInstanceArn: instanceArn('us-east-1', 'orders'),
  DBInstanceIdentifier: 'orders',
  DbiResourceId: 'db-ORDERS',
  Region: 'us-east-1',
  Status: 'active',
  ...fields,
});

describe('BACKUPS_NOT_REPLICATED', () => {

  it('is not checked unless the config asks for it', () => {
    expect(drCodes(check(crossRegionPair()))).toEqual([]);
  });

  it('warns when the config requires it and the backups stay in the primary\'s region', () => {
    const snapshot = crossRegionPair({ east: { automatedBackups: [backup({})] } });

    const report = check(snapshot, required);

    expect(drCodes(report)).toEqual(['BACKUPS_NOT_REPLICATED:warning:us-east-1:orders']);
    expect(drFindings(report)[0]!.message).toContain('not replicated to any other region');
    expect(verdict(report, 'orders')).toMatchObject({ ready: false, reasons: ['automated backups are not replicated to another region'] });
  });

  it('is unknown, not a finding, when no automated backups were read at all', () => {
    const report = check(crossRegionPair(), required);

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: 'unknown' });
    expect(verdict(report, 'orders')!.reasons.join()).toContain('were not read');
  });

  it('accepts a replication listed on the source region\'s automated backup', () => {
    const snapshot = crossRegionPair({
      east: {
        automatedBackups: [
          backup({ DBInstanceAutomatedBackupsReplications: [{ DBInstanceAutomatedBackupsArn: `arn:aws:rds:us-west-2:${ACCOUNT}:auto-backup:ab-1` }] }),
        ],
      },
    });

    expect(drCodes(check(snapshot, required))).toEqual([]);
    expect(verdict(check(snapshot, required), 'orders')!.ready).toBe(true);
  });

  it('accepts a replicated backup found in another region that refers to the primary', () => {
    const byArn = crossRegionPair({ west: { automatedBackups: [backup({ Status: 'replicating' })] } });
    const byResourceId = crossRegionPair({
      primary: { DbiResourceId: 'db-ORDERS' },
      west: { automatedBackups: [backup({ DBInstanceArn: undefined, Status: 'replicating' })] },
    });

    expect(drCodes(check(byArn, required))).toEqual([]);
    expect(drCodes(check(byResourceId, required))).toEqual([]);
  });

  it('accepts the replication listed on the DB instance itself', () => {
    const snapshot = crossRegionPair({
      primary: { DBInstanceAutomatedBackupsReplications: [{ DBInstanceAutomatedBackupsArn: `arn:aws:rds:eu-west-1:${ACCOUNT}:auto-backup:ab-2` }] },
    });

    expect(drCodes(check(snapshot, required))).toEqual([]);
  });

  it('does not count a retained copy: replication was stopped', () => {
    const snapshot = crossRegionPair({ west: { automatedBackups: [backup({ Status: 'retained' })] } });

    expect(drCodes(check(snapshot, required))).toEqual(['BACKUPS_NOT_REPLICATED:warning:us-east-1:orders']);
  });

  it('says backups are disabled when the retention period is 0', () => {
    const report = check(crossRegionPair({ primary: { BackupRetentionPeriod: 0 } }), required);

    expect(drFindings(report)[0]!.message).toContain('automated backups are disabled (BackupRetentionPeriod 0)');
  });

  it('is unknown, not a finding, when the backups could not be read', () => {
    const snapshot = crossRegionPair({
      east: { errors: [{ operation: 'rds:DescribeDBInstanceAutomatedBackups', code: 'AccessDenied', message: 'denied' }] },
    });

    const report = check(snapshot, required);

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe('unknown');
  });
});

describe('DR readiness in the report', () => {
  it('prints a DR readiness row per protected primary in the table', () => {
    const snapshot = crossRegionPair({ replica: { DBInstanceClass: 'db.r6g.large' } });

    const table = renderTable(check(snapshot), { color: false });

    expect(table).toContain('DR readiness');
    expect(table).toMatch(/REGION\s+PRIMARY\s+COVERED\s+WORST LAG \/ RPO\s+VERDICT\s+REASONS/);
    expect(table).toMatch(/us-east-1\s+orders\s+eu-west-1\s+1 s \/ 60 s\s+NOT READY\s+orders-dr \(eu-west-1\) runs db\.r6g\.large/);
  });

  it('leaves the section out when no primary needs DR', () => {
    const table = renderTable(check(crossRegionPair({ primary: { TagList: [] } })), { color: false });

    expect(table).not.toContain('DR readiness');
  });

  it('does not run in the drift scope, which would repeat the health check\'s alerts', () => {
    const report = evaluate(crossRegionPair({ replica: { DBInstanceClass: 'db.r6g.large' } }), {
      config: parseConfig({}),
      scope: 'drift',
    });

    expect(report.dr).toEqual([]);
    expect(drFindings(report)).toEqual([]);
  });
});

describe('the demo fleet', () => {
  it('shows a ready primary and each DR finding', () => {
    const demo = parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'examples/demo-fleet.json');

    const report = check(demo, { dr: { requireReplicatedBackups: true } });

    const codes = new Set(drFindings(report).map((f) => f.code));
    expect([...codes].sort()).toEqual([...DR_CODES].sort());
    expect(report.dr.filter((d) => d.ready === true).map((d) => d.primary)).toContain('orders-mysql');
    const byDefault = check(demo);
    expect(drFindings(byDefault).map((f) => f.code)).not.toContain('BACKUPS_NOT_REPLICATED');
    expect(byDefault.dr.map((d) => d.ready)).toEqual(expect.arrayContaining([true, false, 'unknown']));
  });
});

describe('findings outside DR protection', () => {
  it('reports a resyncing secondary of a global database that is not marked for DR', () => {
    const arn = clusterArn('eu-west-1', 'payments-euw1');
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1') }, { globalTags: [], sync: { [arn]: 'pending-resync' } });

    const report = check(snapshot);

    expect(report.dr).toEqual([]);
    expect(drCodes(report)).toEqual(['GLOBAL_SECONDARY_NOT_SYNCED:warning:eu-west-1:payments-euw1']);
    expect(report.replicas.find((r) => r.id === 'payments-euw1')!.status).toBe('degraded');
  });
});

describe('one alert per fact', () => {
  it('keeps the lag verdict of a DR replica far past its critical lag, so the lag alarm still counts it', () => {
    const report = check(crossRegionPair({ lag: [900, 900, 900, 900, 900] }));

    const datums = buildMetrics({ report, scope: 'health', config: parseConfig({}), durationMs: 1, degraded: false });

    expect(report.findings.map((f) => f.code)).toEqual(['RPO_EXCEEDED']);
    expect(report.findings[0]!.evidence.overCriticalLag).toBe(true);
    expect(datums.find((d) => d.MetricName === 'ReplicasOverCriticalLag')!.Value).toBe(1);
  });

  it('reports a DR replica over its RPO once, as RPO_EXCEEDED, not also as REPLICA_LAG_HIGH', () => {
    const report = check(crossRegionPair({ lag: [150, 150, 150, 150, 150] }));

    expect(report.findings.map((f) => f.code)).toEqual(['RPO_EXCEEDED']);
    expect(report.replicas[0]!.status).toBe('lagging');
  });
});

describe('DR capacity of a cluster target', () => {
  /** The secondary's members: one instance per class given. */
  const secondary = (classes: readonly string[], cluster: Partial<DbCluster> = {}): RegionSnapshot => {
    const ids = classes.map((_, i) => `payments-euw1-${i}`);
    return {
      dbClusters: [
        globalMember('payments-euw1', Object.fromEntries(ids.map((id) => [id, false])), { ...cluster }),
      ],
      dbInstances: ids.map((id, i) => instance(id, { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-euw1', DBInstanceClass: classes[i] })),
      metrics: [globalLag('payments-euw1', 'us-east-1', [10, 12, 11, 10, 12]), ...ids.map((id) => readerLag(id))],
    };
  };
  const globalMember = (id: string, members: Record<string, boolean>, fields: Partial<DbCluster>) =>
    cluster(id, members, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'payments', ...fields });
  /** The global database with the writer cluster's members replaced: writer first. */
  const withWriter = (snapshot: FleetSnapshot, writerClass: string, readerClass?: string, writerCluster: Partial<DbCluster> = {}): FleetSnapshot => {
    const east = snapshot.regions['us-east-1']!;
    const members: Record<string, boolean> = { 'payments-use1-a': true, ...(readerClass ? { 'payments-use1-b': false } : {}) };
    return fleet({
      ...snapshot.regions,
      'us-east-1': {
        ...east,
        dbClusters: [globalMember('payments-use1', members, writerCluster)],
        dbInstances: [
          instance('payments-use1-a', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-use1', DBInstanceClass: writerClass }),
          ...(readerClass ? [instance('payments-use1-b', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-use1', DBInstanceClass: readerClass })] : []),
        ],
      },
    });
  };
  const undersized = (report: Report) => drFindings(report).filter((f) => f.code === 'DR_REPLICA_UNDERSIZED');
  const serverless = (max?: number): Partial<DbCluster> => (max === undefined ? {} : { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: max } });

  it.each([
    { name: 'every instance smaller than the writer', writer: 'db.r6g.2xlarge', reader: undefined, target: ['db.r6g.large', 'db.r6g.xlarge'], evidence: { primaryClass: 'db.r6g.2xlarge', targetClass: 'db.r6g.large,db.r6g.xlarge' } },
    { name: 'one instance as large as the writer', writer: 'db.r6g.2xlarge', reader: undefined, target: ['db.r6g.large', 'db.r6g.2xlarge'], evidence: undefined },
    { name: 'compared with the writer, not with a larger reader of the primary', writer: 'db.r6g.large', reader: 'db.r6g.4xlarge', target: ['db.r6g.large'], evidence: undefined },
    { name: 'a writer larger than its reader: the writer counts', writer: 'db.r6g.4xlarge', reader: 'db.r6g.large', target: ['db.r6g.xlarge'], evidence: { primaryClass: 'db.r6g.4xlarge', targetClass: 'db.r6g.xlarge' } },
  ])('$name', ({ writer, reader, target, evidence }) => {
    const report = check(withWriter(globalDatabase({ 'eu-west-1': secondary(target) }), writer, reader));

    if (evidence === undefined) expect(undersized(report)).toEqual([]);
    else {
      expect(undersized(report).map((f) => [f.region, f.resource])).toEqual([['eu-west-1', 'payments-euw1']]);
      expect(undersized(report)[0]!.evidence).toMatchObject({ primary: 'payments', primaryRegion: 'us-east-1', ...evidence });
      expect(verdict(report, 'payments')!.ready).toBe(false);
    }
  });

  it.each([
    { name: 'a serverless secondary that scales to fewer ACUs', primaryMax: 64, target: ['db.serverless'], targetMax: 16, evidence: { primaryMaxAcu: 64, targetMaxAcu: 16, targetClass: 'db.serverless' } },
    { name: 'a serverless secondary that scales as far', primaryMax: 64, target: ['db.serverless'], targetMax: 64, evidence: undefined },
    { name: 'a serverless secondary that scales further', primaryMax: 16, target: ['db.serverless'], targetMax: 64, evidence: undefined },
    { name: 'a serverless secondary whose maximum is not known', primaryMax: 64, target: ['db.serverless'], targetMax: undefined, evidence: undefined },
    { name: 'a secondary mixing serverless and provisioned instances', primaryMax: 64, target: ['db.serverless', 'db.r6g.large'], targetMax: 16, evidence: undefined },
  ])('$name', ({ primaryMax, target, targetMax, evidence }) => {
    const snapshot = withWriter(globalDatabase({ 'eu-west-1': secondary(target, serverless(targetMax)) }), 'db.serverless', undefined, serverless(primaryMax));

    const report = check(snapshot);

    if (evidence === undefined) expect(undersized(report)).toEqual([]);
    else expect(undersized(report).map((f) => f.evidence)).toEqual([expect.objectContaining({ primaryClass: 'db.serverless', ...evidence })]);
  });

  it('a provisioned writer and a serverless secondary are not compared', () => {
    const report = check(withWriter(globalDatabase({ 'eu-west-1': secondary(['db.serverless'], serverless(1)) }), 'db.r6g.4xlarge'));

    expect(undersized(report)).toEqual([]);
  });

  it('names a headless secondary on evidence: no instance, no class', () => {
    const report = check(globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1', { headless: true }) }));

    expect(undersized(report)[0]!.evidence).toMatchObject({ targetInstances: 0, targetClass: null, primaryClass: null });
  });
});

describe('DR rules at the edges', () => {
  it("judges a cross-region replica's RPO on a lag-only read too: its RPO series is the lag series already read", () => {
    const snapshot = crossRegionPair({ lag: [900, 900, 900, 900, 900] });

    const full = evaluate(snapshot, { config: parseConfig({}), scope: 'health' });
    const lagOnly = evaluate(snapshot, { config: parseConfig({}), scope: 'health', reads: 'lag' });

    expect(full.findings.filter((f) => f.code === 'RPO_EXCEEDED').map((f) => f.resource)).toEqual(['orders-dr']);
    expect(lagOnly.findings.filter((f) => f.code === 'RPO_EXCEEDED').map((f) => f.resource)).toEqual(['orders-dr']);
    expect(lagOnly.notEvaluated ?? []).toEqual([]);
  });

  it('dates an RPO breach from the first datapoint over the RPO, not one equal to it', () => {
    const report = check(crossRegionPair({ lag: [10, 60, 61, 61, 61] }));

    const rpo = drFindings(report).find((f) => f.code === 'RPO_EXCEEDED')!;
    expect(rpo.evidence.since).toBe(`since ${new Date(Date.parse('2026-11-24T10:00:00Z') - 2 * 60_000).toISOString()}`);
  });

  it('names a stopped source on an RPO breach of its replica', () => {
    const report = check(crossRegionPair({ lag: [900, 900, 900, 900, 900], primary: { DBInstanceStatus: 'stopped' } }));

    expect(drFindings(report).find((f) => f.code === 'RPO_EXCEEDED')?.evidence).toMatchObject({ sourceStatus: 'stopped' });
  });

  it('reports a resyncing secondary of an unprotected global database once, naming the writer region', () => {
    const snapshot = globalDatabase(
      { 'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] }) },
      { globalTags: [], sync: { [clusterArn('eu-west-1', 'payments-euw1')]: 'pending-resync' } },
    );

    const report = check(snapshot);

    expect(drFindings(report).map((f) => [f.code, f.region, f.resource, f.evidence.writerRegion, f.evidence.globalCluster])).toEqual([
      ['GLOBAL_SECONDARY_NOT_SYNCED', 'eu-west-1', 'payments-euw1', 'us-east-1', 'payments'],
    ]);
  });

  it('reports a resyncing secondary of a protected global database once, as a DR problem', () => {
    const snapshot = globalDatabase(
      { 'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] }) },
      { sync: { [clusterArn('eu-west-1', 'payments-euw1')]: 'pending-resync' } },
    );

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['GLOBAL_SECONDARY_NOT_SYNCED:warning:eu-west-1:payments-euw1']);
    expect(verdict(report, 'payments')!.ready).toBe(false);
  });

  it('makes the verdict unknown, with no finding, when the primary\'s own region failed a describe', () => {
    const snapshot = crossRegionPair({
      east: { errors: [{ operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' }] },
      replica: {},
      primary: { ReadReplicaDBInstanceIdentifiers: [] },
    });

    const report = check(snapshot, { dr: { requireReplicatedBackups: true } });

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: 'unknown' });
    expect(verdict(report, 'orders')!.reasons.some((r) => r.startsWith('primary: region us-east-1 could not be read'))).toBe(true);
  });

  it.each([
    {
      name: 'no copy is visible: no NO_CROSS_REGION_REPLICA, the copy could be among what was not read',
      west: { dbInstances: [] },
      east: {},
    },
    {
      name: 'its backups stay in its region: no BACKUPS_NOT_REPLICATED either while its region is not seen whole',
      west: {},
      east: { automatedBackups: [{ DBInstanceArn: instanceArn('us-east-1', 'orders'), DBInstanceIdentifier: 'orders', Region: 'us-east-1', Status: 'active' }] },
    },
  ])('judges nothing but "unknown" of a primary whose own region failed a describe when $name', ({ west, east }) => {
    const failed = [{ operation: 'rds:DescribeDBClusters', code: 'ThrottlingException', message: 'Rate exceeded' }];
    const snapshot = crossRegionPair({ primary: { ReadReplicaDBInstanceIdentifiers: [] }, east: { errors: failed, ...east }, west });

    const report = check(snapshot, { dr: { requireReplicatedBackups: true } });

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')).toMatchObject({ ready: 'unknown' });
  });

  it('leaves a broken replica out of the regions covered and the worst lag, and says why it is not ready', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', {
            TagList: DR_TAG,
            ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'orders-dr'), instanceArn('us-west-2', 'orders-dr2')],
          }),
        ],
      },
      'eu-west-1': { dbInstances: [replica('orders-dr', instanceArn('us-east-1', 'orders'))], metrics: [lag('orders-dr', [5, 5, 5, 5, 5])] },
      'us-west-2': {
        dbInstances: [replica('orders-dr2', instanceArn('us-east-1', 'orders'), { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error' }] })],
        metrics: [lag('orders-dr2', [40, 40, 40, 40, 40])],
      },
    });

    const report = check(snapshot);

    expect(verdict(report, 'orders')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'], worstLagSeconds: 5, reasons: [] });
  });

  it('lists the regions covered in order and every cross-region copy on NO_CROSS_REGION_REPLICA in order', () => {
    const broken = { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error' }] };
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', {
            TagList: DR_TAG,
            ReadReplicaDBInstanceIdentifiers: [instanceArn('us-west-2', 'orders-b'), instanceArn('eu-west-1', 'orders-a')],
          }),
        ],
      },
      'us-west-2': { dbInstances: [replica('orders-b', instanceArn('us-east-1', 'orders'), broken)], metrics: [lag('orders-b', HEALTHY)] },
      'eu-west-1': { dbInstances: [replica('orders-a', instanceArn('us-east-1', 'orders'), broken)], metrics: [lag('orders-a', HEALTHY)] },
    });

    const report = check(snapshot);

    const gap = drFindings(report).find((f) => f.code === 'NO_CROSS_REGION_REPLICA')!;
    expect(gap.evidence).toMatchObject({
      crossRegionReplicas: ['orders-a@eu-west-1', 'orders-b@us-west-2'],
      brokenReplicas: ['orders-a@eu-west-1', 'orders-b@us-west-2'],
      sameRegionReplicas: 0,
    });
    expect(verdict(report, 'orders')!.ready).toBe(false);
  });

  it('orders the DR verdicts by region, then primary', () => {
    const primary = (id: string) => instance(id, { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [] });
    const snapshot = fleet({
      'us-west-2': { dbInstances: [primary('b-west'), primary('a-west')] },
      'eu-west-1': { dbInstances: [primary('z-eu')] },
    });

    expect(check(snapshot).dr.map((d) => `${d.region}/${d.primary}`)).toEqual(['eu-west-1/z-eu', 'us-west-2/a-west', 'us-west-2/b-west']);
  });

  it('takes an RPO override that matches the writer cluster of a global database', () => {
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] }) });

    const report = check(snapshot, { dr: { rpoOverrides: [{ match: { identifier: 'payments-use1' }, rpoSeconds: 5 }] } });

    expect(verdict(report, 'payments')!.rpoSeconds).toBe(5);
  });

  it('does not treat an instance of a cluster as a primary of its own', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('shop', { 'shop-1': true })],
        dbInstances: [instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop', TagList: DR_TAG })],
      },
    });

    expect(check(snapshot).dr).toEqual([]);
  });
});

describe('DR targets at the edges', () => {
  const broken = { StatusInfos: [{ StatusType: 'read replication', Normal: false, Status: 'error' }] };

  it('does not count a same-region replica as a DR copy, however it is listed', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: ['orders-ro'] }), replica('orders-ro', 'orders')],
        metrics: [lag('orders-ro', HEALTHY)],
      },
      'eu-west-1': {},
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:orders']);
    expect(drFindings(report)[0]!.evidence).toMatchObject({ crossRegionReplicas: [], sameRegionReplicas: 1 });
    expect(verdict(report, 'orders')).toMatchObject({ ready: false, regionsCovered: [] });
  });

  it('is not made blind by a failed read that is not a describe', () => {
    const report = check(crossRegionPair({ west: { errors: [{ operation: 'rds:DescribeDBParameters', code: 'Throttling', message: 'Rate exceeded' }] } }));

    expect(verdict(report, 'orders')).toMatchObject({ ready: true, regionsCovered: ['eu-west-1'] });
  });

  it('orders the cross-region copies by region, listed-but-missing ones included', () => {
    const snapshot = fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders', { TagList: DR_TAG, ReadReplicaDBInstanceIdentifiers: [instanceArn('us-west-2', 'orders-b'), instanceArn('eu-west-1', 'orders-z')] }),
        ],
      },
      'us-west-2': { dbInstances: [replica('orders-b', instanceArn('us-east-1', 'orders'), broken)], metrics: [lag('orders-b', HEALTHY)] },
      'eu-west-1': {},
    });

    const gap = drFindings(check(snapshot)).find((f) => f.code === 'NO_CROSS_REGION_REPLICA')!;

    expect(gap.evidence.crossRegionReplicas).toEqual(['orders-z@eu-west-1', 'orders-b@us-west-2']);
  });

  it('reads an Aurora cluster\'s own replica list: a listed replica cluster missing from its region is named', () => {
    const snapshot = fleet({
      'us-east-1': { dbClusters: [cluster('shop', { 'shop-1': true }, { TagList: DR_TAG, ReadReplicaIdentifiers: [clusterArn('eu-west-1', 'shop-eu')] })] },
      'eu-west-1': {},
    });

    const gap = drFindings(check(snapshot)).find((f) => f.code === 'NO_CROSS_REGION_REPLICA')!;

    expect(gap.evidence.crossRegionReplicas).toEqual(['shop-eu@eu-west-1']);
  });

  it('says a protected global database with no secondary has no copy, not that one could be unseen', () => {
    const global = globalCluster('payments', clusterArn('us-east-1', 'payments-use1'), [], { TagList: DR_TAG });
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('payments-use1', { 'payments-use1-a': true }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'payments' })],
        dbInstances: [instance('payments-use1-a', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-use1' })],
        globalClusters: [global],
      },
    });

    const report = check(snapshot);

    expect(drCodes(report)).toEqual(['NO_CROSS_REGION_REPLICA:critical:us-east-1:payments']);
    expect(verdict(report, 'payments')!.ready).toBe(false);
  });

  it('judges a protected global database whose writer region is not read without failing', () => {
    const global = globalCluster('payments', clusterArn('us-east-1', 'payments-use1'), [clusterArn('eu-west-1', 'payments-euw1')], { TagList: DR_TAG });
    const west = secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] });
    const snapshot = fleet({ 'eu-west-1': { ...west, globalClusters: [global] } });

    const report = check(snapshot);

    expect(verdict(report, 'payments')).toMatchObject({ region: 'us-east-1', regionsCovered: ['eu-west-1'] });
    expect(verdict(report, 'payments')!.ready).not.toBe(true);
  });

  it('flags the resyncing one of two secondaries', () => {
    const snapshot = globalDatabase(
      {
        'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] }),
        'us-west-2': secondaryRegion('payments-usw2', { rpoLagMs: [10, 10, 10, 10, 10] }),
      },
      { sync: { [clusterArn('us-west-2', 'payments-usw2')]: 'pending-resync' } },
    );

    expect(drCodes(check(snapshot))).toEqual(['GLOBAL_SECONDARY_NOT_SYNCED:warning:us-west-2:payments-usw2']);
  });

  it('does not call a serverless secondary small when the primary\'s maximum is not known', () => {
    const snapshot = globalDatabase({ 'eu-west-1': secondaryRegion('payments-euw1', { instanceClass: 'db.serverless', rpoLagMs: [10, 10, 10, 10, 10], cluster: { ServerlessV2ScalingConfiguration: { MaxCapacity: 2 } } }) });
    const serverlessWriter = {
      ...snapshot,
      regions: {
        ...snapshot.regions,
        'us-east-1': {
          ...snapshot.regions['us-east-1']!,
          dbInstances: [instance('payments-use1-a', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'payments-use1', DBInstanceClass: 'db.serverless' })],
        },
      },
    };

    expect(drCodes(check(serverlessWriter))).toEqual([]);
  });

  it('does not judge the RPO on a lag series that stopped reporting', () => {
    const stale = { ...lag('orders-dr', [900, 900, 900, 900, 900]) };
    const old = stale.timestamps.map((t) => new Date(Date.parse(t) - 30 * 60_000).toISOString());
    const report = check(crossRegionPair({ west: { metrics: [{ ...stale, timestamps: old }] } }), { lag: { windowMinutes: 60 } });

    expect(drFindings(report).filter((f) => f.code === 'RPO_EXCEEDED')).toEqual([]);
  });
});

describe('BACKUPS_NOT_REPLICATED at the edges', () => {
  const replicatedTo = (region: string) => ({ DBInstanceAutomatedBackupsReplications: [{ DBInstanceAutomatedBackupsArn: `arn:aws:rds:${region}:${ACCOUNT}:auto-backup:ab-1` }] });
  const codesOf = (snapshot: FleetSnapshot) => drCodes(check(snapshot, required));
  const NOT_REPLICATED = ['BACKUPS_NOT_REPLICATED:warning:us-east-1:orders'];

  it('names where backups were read and what was found on the finding', () => {
    const report = check(crossRegionPair({ east: { automatedBackups: [backup({})] }, west: { automatedBackups: [] } }), required);

    expect(drFindings(report)[0]!.evidence).toEqual({ backupRetentionPeriod: 7, automatedBackupsReadIn: ['eu-west-1', 'us-east-1'], replicatedTo: [] });
  });

  it.each([
    { name: 'a replication into the primary\'s own region', east: [backup(replicatedTo('us-east-1'))], west: [], primary: {}, codes: NOT_REPLICATED },
    { name: 'a replication list with items that carry no ARN', east: [backup({ DBInstanceAutomatedBackupsReplications: [null, {}, { DBInstanceAutomatedBackupsArn: 7 }] as never })], west: [], primary: {}, codes: NOT_REPLICATED },
    { name: 'a replication whose ARN is not a string (a hand-written snapshot)', east: [backup({ DBInstanceAutomatedBackupsReplications: [{ DBInstanceAutomatedBackupsArn: [`arn:aws:rds:eu-west-1:${ACCOUNT}:auto-backup:ab-1`] }] as never })], west: [], primary: {}, codes: NOT_REPLICATED },
    { name: 'a replication on the DB instance whose ARN is not a string', east: [backup({})], west: [], primary: { DBInstanceAutomatedBackupsReplications: [{ DBInstanceAutomatedBackupsArn: [`arn:aws:rds:eu-west-1:${ACCOUNT}:auto-backup:ab-2`] }] as never }, codes: NOT_REPLICATED },
    { name: 'a backup of another database in the primary\'s region', east: [backup({ DBInstanceArn: undefined, DBInstanceIdentifier: 'billing', DbiResourceId: 'db-BILLING', ...replicatedTo('eu-west-1') })], west: [], primary: {}, codes: NOT_REPLICATED },
    { name: 'a backup without ARN named like the primary, replicated', east: [backup({ DBInstanceArn: undefined, DbiResourceId: undefined, ...replicatedTo('eu-west-1') })], west: [], primary: {}, codes: [] },
    { name: 'a copy in another region of a same-named database elsewhere', east: [], west: [backup({ DBInstanceArn: instanceArn('us-west-2', 'orders'), DbiResourceId: 'db-OTHER', Region: 'us-west-2', Status: 'replicating' })], primary: {}, codes: NOT_REPLICATED },
    { name: 'a copy matched by resource id whose source region is another', east: [], west: [backup({ DBInstanceArn: undefined, Region: 'us-west-2', Status: 'replicating' })], primary: { DbiResourceId: 'db-ORDERS' }, codes: NOT_REPLICATED },
    { name: 'a copy named by the primary\'s ARN under a stale resource id', east: [], west: [backup({ DbiResourceId: 'db-OLD', Status: 'replicating' })], primary: { DbiResourceId: 'db-ORDERS', DBInstanceArn: undefined }, codes: [] },
  ])('$name', ({ east, west, primary, codes }) => {
    expect(codesOf(crossRegionPair({ primary, east: { automatedBackups: east }, west: { automatedBackups: west } }))).toEqual(codes);
  });

  it('is unknown when the primary\'s region failed to list backups, even though another region listed some', () => {
    const failed = [{ operation: 'rds:DescribeDBInstanceAutomatedBackups', code: 'AccessDenied', message: 'denied' }];
    const report = check(crossRegionPair({ east: { errors: failed }, west: { automatedBackups: [] } }), required);

    expect(drCodes(report)).toEqual([]);
    expect(verdict(report, 'orders')!.ready).toBe('unknown');
  });

  it('still judges the backups when another read failed in the primary\'s region', () => {
    const failed = [{ operation: 'cloudwatch:GetMetricData', code: 'Throttling', message: 'Rate exceeded' }];
    const report = check(crossRegionPair({ east: { errors: failed, automatedBackups: [backup({})] }, west: { automatedBackups: [] } }), required);

    expect(drCodes(report)).toEqual(NOT_REPLICATED);
    expect(verdict(report, 'orders')!.ready).toBe(false);
  });

  it('reports disabled backups even when the backup list could not be read', () => {
    const failed = [{ operation: 'rds:DescribeDBInstanceAutomatedBackups', code: 'AccessDenied', message: 'denied' }];

    expect(codesOf(crossRegionPair({ primary: { BackupRetentionPeriod: 0 }, east: { errors: failed } }))).toEqual(NOT_REPLICATED);
  });

  it('does not apply to Aurora clusters', () => {
    const snapshot = fleet({
      'us-east-1': { dbClusters: [cluster('shop', { 'shop-1': true }, { TagList: DR_TAG, ReadReplicaIdentifiers: [] })], automatedBackups: [] },
    });

    expect(codesOf(snapshot).filter((c) => c.startsWith('BACKUPS'))).toEqual([]);
  });
});

describe('DR findings name a running switchover', () => {
  it('adds the global cluster\'s switchover state to a resyncing secondary\'s finding, and only to that secondary', () => {
    const global = globalDatabase(
      {
        'eu-west-1': secondaryRegion('payments-euw1', { rpoLagMs: [10, 10, 10, 10, 10] }),
        'us-west-2': secondaryRegion('payments-usw2', { rpoLagMs: [10, 10, 10, 10, 10] }),
      },
      { sync: { [clusterArn('us-west-2', 'payments-usw2')]: 'pending-resync' } },
    );
    // An unrelated replica pair read first: the finding must be matched to its own secondary.
    const east = global.regions['us-east-1']!;
    const snapshot = fleet({
      ...global.regions,
      'us-east-1': { ...east, dbInstances: [instance('billing'), replica('billing-ro', 'billing'), ...east.dbInstances!], metrics: [lag('billing-ro', HEALTHY)] },
    });
    for (const region of Object.values(snapshot.regions)) {
      for (const g of region.globalClusters ?? []) (g as { Status?: string }).Status = 'switching-over';
    }

    const report = check(snapshot);

    const resync = drFindings(report).filter((f) => f.code === 'GLOBAL_SECONDARY_NOT_SYNCED');
    expect(resync.map((f) => [f.region, f.resource, f.evidence.globalClusterStatus])).toEqual([['us-west-2', 'payments-usw2', 'switching-over']]);
  });

  it('leaves a finding of another code on a replica as the rules wrote it', () => {
    const snapshot = withStoppedSource(crossRegionPair({ replica: { DBInstanceClass: 'db.r6g.large' } }));

    const report = check(snapshot);

    expect(drFindings(report).find((f) => f.code === 'DR_REPLICA_UNDERSIZED')!.evidence).not.toHaveProperty('sourceStatus');
  });
});

/** The fixture with its primary stopped. */
function withStoppedSource(snapshot: FleetSnapshot): FleetSnapshot {
  const east = snapshot.regions['us-east-1']!;
  return fleet({ ...snapshot.regions, 'us-east-1': { ...east, dbInstances: east.dbInstances!.map((i) => ({ ...i, DBInstanceStatus: 'stopped' })) } });
}
