/**
 * The series the live reader asks CloudWatch for. A series left out of the plan can never reach
 * a rule in production, though every snapshot test (which carries the series itself) still passes.
 */
import { describe, expect, it } from 'vitest';
import {
  lagMetricsFor,
  MetricIndex,
  planMetricQueries,
  samplesOf,
  seriesName,
  type LagPurpose,
  type MetricQuery,
} from '../../../lambdas/core/fleet/metric-plan';
import { buildTopology } from '../../../lambdas/core/fleet/topology';
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
  it('asks for the slot lag of every PostgreSQL instance and the WAL rate of a replicated source, in the source region', () => {
    // Act
    const plan = planMetricQueries(buildTopology(postgresFleet()));

    // Assess
    expect(named(plan)).toEqual(
      [
        'eu-west-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-dr}',
        'eu-west-1 ReplicaLag{DBInstanceIdentifier=pg-dr}',
        'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-main}',
        'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=pg-ro}',
        'us-east-1 ReplicaLag{DBInstanceIdentifier=pg-ro}',
        // Once, though two replicas read from pg-main.
        'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=pg-main}',
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
