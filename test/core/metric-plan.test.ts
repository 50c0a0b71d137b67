/**
 * The series the live reader asks CloudWatch for. A series left out of the plan can never reach
 * a rule in production, though every snapshot test (which carries the series itself) still passes.
 */
import { describe, expect, it } from 'vitest';
import { planMetricQueries, type MetricQuery } from '../../lambdas/core/metric-plan';
import { buildTopology } from '../../lambdas/core/topology';
import { fleet, instance, instanceArn, replica } from '../support/fleet';

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
  it('asks for the slot lag of every PostgreSQL instance and the write activity of a replicated source, in the source region', () => {
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
        'us-east-1 WriteIOPS{DBInstanceIdentifier=pg-main}',
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
