/**
 * The series the live reader asks CloudWatch for. A series left out of the plan can never reach
 * a rule in production, though every snapshot test (which carries the series itself) still passes.
 */
import { describe, expect, it } from 'vitest';
import {
  lagMetricsFor,
  MetricIndex,
  planFollowUps,
  planMetricQueries,
  samplesOf,
  seriesName,
  type LagPurpose,
  type MetricQuery,
} from '../../../lambdas/core/fleet/metric-plan';
import { buildTopology } from '../../../lambdas/core/fleet/topology';
import { lowestLagThresholdSeconds, parseConfig } from '../../../lambdas/core/config';
import { cluster, clusterArn, fleet, globalCluster, instance, instanceArn, replica, series } from '../../support/fleet';

const named = (queries: readonly MetricQuery[]) =>
  queries.map((q) => `${q.region} ${q.metricName}{${Object.entries(q.dimensions).map(([k, v]) => `${k}=${v}`).join(',')}}`).sort();

/** PostgreSQL `pg-main` in us-east-1 with a same-region replica and a cross-region one in eu-west-1. */
const postgresFleet = (regions: readonly string[] = ['us-east-1', 'eu-west-1']) => {
  const all = {
    'us-east-1': {
      dbInstances: [
        instance('pg-main', { Engine: 'postgres', EngineVersion: '16.4' }),
        replica('pg-ro', 'pg-main', { Engine: 'postgres', EngineVersion: '16.4' }),
      ],
    },
    'eu-west-1': {
      dbInstances: [replica('pg-dr', instanceArn('us-east-1', 'pg-main'), { Engine: 'postgres', EngineVersion: '16.4' })],
    },
  };
  return fleet(Object.fromEntries(regions.map((r) => [r, all[r as keyof typeof all]])));
};

describe('planMetricQueries', () => {
  it('asks for the slot lag of every PostgreSQL instance on a full read, in its own region', () => {
    // Act
    const plan = planMetricQueries(buildTopology(postgresFleet()));

    // Assess: the WAL rate is not in the first request (see planFollowUps).
    expect(named(plan)).toEqual(
      [
        'eu-west-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-dr}',
        'eu-west-1 ReplicaLag{DBInstanceIdentifier=pg-dr}',
        'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-main}',
        'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-ro}',
        'us-east-1 ReplicaLag{DBInstanceIdentifier=pg-ro}',
      ].sort(),
    );
    expect(new Set(plan.map((q) => `${q.namespace} ${q.stat} ${q.period}`))).toEqual(new Set(['AWS/RDS Maximum 60']));
  });

  it('asks nothing of a region that is not read: the source activity of a cross-region replica is left out', () => {
    // Act
    const plan = planMetricQueries(buildTopology(postgresFleet(['eu-west-1'])));

    // Assess
    expect(named(plan)).toEqual([
      'eu-west-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-dr}',
      'eu-west-1 ReplicaLag{DBInstanceIdentifier=pg-dr}',
    ]);
  });

  it('asks for no slot lag or source activity on MySQL, whose replicas report lag only', () => {
    // Prepare
    const mysql = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')] } });

    // Act
    const plan = planMetricQueries(buildTopology(mysql));

    // Assess
    expect(named(plan)).toEqual(['us-east-1 ReplicaLag{DBInstanceIdentifier=orders-ro}']);
  });
});

describe('planMetricQueries and regions not read', () => {
  it('plans nothing for a global secondary in a region this check does not read, so the cost estimate does not count it', () => {
    // Prepare: us-east-1 is read; the secondary's region eu-west-1 is not.
    const topology = buildTopology(
      fleet({
        'us-east-1': {
          dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' })],
          globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('eu-west-1', 'pay-eu')])],
        },
      }),
    );

    // Act
    const queries = planMetricQueries(topology);

    // Assess: the secondary is in the topology, its series are not planned.
    expect(topology.replicas.map((r) => `${r.region}/${r.id}`)).toEqual(['eu-west-1/pay-eu']);
    expect(queries.filter((q) => q.region === 'eu-west-1')).toEqual([]);
  });
});

describe('planFollowUps', () => {
  const topology = buildTopology(postgresFleet());
  const answered = (pgRo: number, pgDr: number) =>
    new MetricIndex(
      fleet({
        'us-east-1': { metrics: [series('ReplicaLag', { DBInstanceIdentifier: 'pg-ro' }, [1, pgRo])] },
        'eu-west-1': { metrics: [series('ReplicaLag', { DBInstanceIdentifier: 'pg-dr' }, [1, pgDr])] },
      }),
    );

  it('asks for the source WAL rate on a full read once a PostgreSQL replica lags over the lowest threshold, once per source', () => {
    // Act
    const calm = planFollowUps(topology, answered(30, 30), { walAboveSeconds: 30 });
    const lagging = planFollowUps(topology, answered(31, 500), { walAboveSeconds: 30 });

    // Assess: nothing for a calm fleet; the source's WAL in the source region, though two replicas lag;
    // never on a lag read, which a replica lagging for hours would otherwise make dearer every 5 minutes.
    expect(calm).toEqual([]);
    expect(named(lagging)).toEqual(['us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=pg-main}']);
    expect(planFollowUps(topology, answered(31, 500), { walAboveSeconds: 30, level: 'lag' })).toEqual([]);
  });

  it('asks for nothing on a status read, though no series came back for a replica with fallbacks', () => {
    // Prepare: a global secondary (lag and RPO fallbacks) and a PostgreSQL replica, no metrics read.
    const topology = buildTopology(
      fleet({
        'us-east-1': {
          dbInstances: [instance('pg-main', { Engine: 'postgres' }), replica('pg-ro', 'pg-main', { Engine: 'postgres' })],
          dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' })],
          globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('eu-west-1', 'pay-eu')])],
        },
        'eu-west-1': { dbClusters: [cluster('pay-eu', {}, { Engine: 'aurora-postgresql' })] },
      }),
    );
    const nothing = new MetricIndex(fleet({}));

    // Act + Assess: a status read is the one that must cost no GetMetricData call.
    expect(planMetricQueries(topology, 'status')).toEqual([]);
    expect(planFollowUps(topology, nothing, { level: 'status' })).toEqual([]);
    expect(planFollowUps(topology, nothing, { level: 'lag' }).length).toBeGreaterThan(0);
  });

  it('asks for the rest of the lag and RPO series of a global secondary whose preferred ones were empty, and only on a full read for RPO', () => {
    // Prepare
    const global = buildTopology(
      fleet({
        'us-east-1': {
          dbClusters: [cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' })],
          globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('eu-west-1', 'pay-eu')])],
        },
        'eu-west-1': { dbClusters: [cluster('pay-eu', {}, { Engine: 'aurora-postgresql' })] },
      }),
    );
    const progress = series('AuroraGlobalDBProgressLag', { DBClusterIdentifier: 'pay-eu', SourceRegion: 'us-east-1' }, [5]);
    const lagOnly = new MetricIndex(fleet({ 'eu-west-1': { metrics: [progress] } }));

    // Act
    const full = named(planFollowUps(global, lagOnly, { level: 'full' }));
    const lag = planFollowUps(global, lagOnly, { level: 'lag' });

    // Assess: ProgressLag answered, RPOLag did not: the cluster-only RPOLag and the other lag series, never asked twice.
    expect(full).toEqual(
      [
        'eu-west-1 AuroraGlobalDBRPOLag{DBClusterIdentifier=pay-eu}',
        'eu-west-1 AuroraGlobalDBProgressLag{DBClusterIdentifier=pay-eu}',
        'eu-west-1 AuroraGlobalDBReplicationLag{DBClusterIdentifier=pay-eu,SourceRegion=us-east-1}',
        'eu-west-1 AuroraGlobalDBReplicationLag{DBClusterIdentifier=pay-eu}',
      ].sort(),
    );
    expect(lag).toEqual([]);
  });
});

describe('lowestLagThresholdSeconds', () => {
  it('is the lowest lag any rule judges: warning, overrides and RPO targets', () => {
    expect(lowestLagThresholdSeconds(parseConfig({}))).toBe(30);
    expect(lowestLagThresholdSeconds(parseConfig({ dr: { rpoSeconds: 20 } }))).toBe(20);
    expect(lowestLagThresholdSeconds(parseConfig({ lagOverrides: [{ match: { identifier: 'x*' }, warningSeconds: 5 }] }))).toBe(5);
  });
});

describe('lag metrics per replica kind', () => {
  /** One replica of each kind whose metric the rules read differently. */
  const topology = buildTopology(
    fleet({
      'us-east-1': {
        dbInstances: [
          instance('orders'),
          replica('orders-ro', 'orders'),
          instance('shop-1', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
          instance('shop-2', { Engine: 'aurora-mysql', DBClusterIdentifier: 'shop' }),
        ],
        dbClusters: [
          cluster('shop', { 'shop-1': true, 'shop-2': false }),
          cluster('pay', { 'pay-1': true }, { Engine: 'aurora-postgresql' }),
        ],
        globalClusters: [globalCluster('pay-global', clusterArn('us-east-1', 'pay'), [clusterArn('eu-west-1', 'pay-eu')])],
      },
      'eu-west-1': {
        dbClusters: [
          cluster('pay-eu', { 'pay-eu-1': false }, { Engine: 'aurora-postgresql' }),
          cluster('shop-eu', { 'shop-eu-1': true }, { ReplicationSourceIdentifier: clusterArn('us-east-1', 'shop') }),
          cluster('pg-eu', { 'pg-eu-1': true }, { Engine: 'aurora-postgresql', ReplicationSourceIdentifier: instanceArn('us-east-1', 'orders') }),
        ],
      },
    }),
  );
  const metricsOf = (id: string, purpose: LagPurpose = 'lag') =>
    lagMetricsFor(topology.replicas.find((r) => r.id === id)!, purpose).map(
      (m) => `${seriesName(m)} x${m.toSeconds}${m.minusOneMeansBroken ? ' -1=broken' : ''}`,
    );

  it.each([
    ['orders-ro', ['ReplicaLag{DBInstanceIdentifier=orders-ro} x1 -1=broken']],
    ['shop-2', ['AuroraReplicaLag{DBInstanceIdentifier=shop-2} x0.001']],
    [
      'shop-eu',
      [
        'AuroraBinlogReplicaLag{DBClusterIdentifier=shop-eu,Role=WRITER} x1 -1=broken',
        'AuroraBinlogReplicaLag{DBClusterIdentifier=shop-eu} x1 -1=broken',
      ],
    ],
    ['pg-eu', ['RDSToAuroraPostgreSQLReplicaLag{DBClusterIdentifier=pg-eu} x1']],
  ])('reads %s from its own series, in seconds, with -1 meaning broken only where AWS says so', (id, expected) => {
    expect(metricsOf(id)).toEqual(expected);
  });

  it('reads a global secondary lag from ProgressLag first, and its RPO from RPOLag first, never -1 as broken', () => {
    const names = (purpose: LagPurpose) => metricsOf('pay-eu', purpose);
    const lagOrder = [
      'AuroraGlobalDBProgressLag{DBClusterIdentifier=pay-eu,SourceRegion=us-east-1} x0.001',
      'AuroraGlobalDBProgressLag{DBClusterIdentifier=pay-eu} x0.001',
      'AuroraGlobalDBReplicationLag{DBClusterIdentifier=pay-eu,SourceRegion=us-east-1} x0.001',
      'AuroraGlobalDBReplicationLag{DBClusterIdentifier=pay-eu} x0.001',
    ];
    const rpo = [
      'AuroraGlobalDBRPOLag{DBClusterIdentifier=pay-eu,SourceRegion=us-east-1} x0.001',
      'AuroraGlobalDBRPOLag{DBClusterIdentifier=pay-eu} x0.001',
    ];

    expect(names('lag')).toEqual([...lagOrder, ...rpo]);
    expect(names('rpo')).toEqual([...rpo, ...lagOrder]);
  });
});

describe('MetricIndex and samplesOf', () => {
  it('finds a series whatever order its dimensions are listed in, and keeps the first of two alike', () => {
    // Prepare
    const first = series('AuroraBinlogReplicaLag', { Role: 'WRITER', DBClusterIdentifier: 'shop-eu' }, [1]);
    const second = series('AuroraBinlogReplicaLag', { DBClusterIdentifier: 'shop-eu', Role: 'WRITER' }, [2]);
    const index = new MetricIndex(fleet({ 'eu-west-1': { metrics: [first, second] } }));

    // Act
    const found = index.find('eu-west-1', 'AuroraBinlogReplicaLag', { DBClusterIdentifier: 'shop-eu', Role: 'WRITER' });

    // Assess
    expect(found?.values).toEqual([1]);
  });

  it('pairs timestamps with values up to the shorter list, drops non-finite values and sorts oldest first', () => {
    // Prepare
    const s = {
      ...series('ReplicaLag', { DBInstanceIdentifier: 'orders-ro' }, []),
      timestamps: ['2026-11-24T09:59:00Z', '2026-11-24T09:57:00Z', '2026-11-24T09:58:00Z'],
      values: [3, 1, Number.NaN, 4],
    };

    // Act + Assess
    expect(samplesOf(s)).toEqual([
      { timestamp: '2026-11-24T09:57:00Z', value: 1 },
      { timestamp: '2026-11-24T09:59:00Z', value: 3 },
    ]);
    expect(samplesOf(undefined)).toEqual([]);
  });
});
