import { describe, expect, it } from 'vitest';
import { MAX_METRICS_PER_PUT, batchMetrics, buildMetrics, type MetricDatumLike } from '../../../lambdas/core/outputs/metrics';
import { config, drEntry, finding, replicaRow, report } from '../../support/findings';

const named = (datums: readonly MetricDatumLike[], name: string, dims: Record<string, string> = {}) =>
  datums.filter(
    (d) =>
      d.MetricName === name &&
      Object.entries(dims).every(([k, v]) => d.Dimensions?.some((x) => x.Name === k && x.Value === v)),
  );
const value = (datums: readonly MetricDatumLike[], name: string, dims: Record<string, string> = {}) => {
  const found = named(datums, name, dims);
  expect(found).toHaveLength(1);
  return found[0]!.Value;
};

describe('buildMetrics', () => {
  it('publishes the fleet aggregates of a health check', () => {
    // Prepare
    const r = report({
      replicas: [
        replicaRow('a', { lagSeconds: 2 }),
        replicaRow('b', { lagSeconds: 420, status: 'lagging' }),
        replicaRow('c', { lagSeconds: null, status: 'unknown' }),
      ],
      findings: [
        finding({ code: 'REPLICA_LAG_HIGH', resource: 'b' }),
        finding({ code: 'LAG_METRIC_MISSING', resource: 'c', severity: 'warning' }),
      ],
      dr: [drEntry('orders', true), drEntry('billing', false), drEntry('ledger', 'unknown')],
    });

    // Act
    const datums = buildMetrics({ report: r, scope: 'health', config: config(), durationMs: 1234, degraded: false });

    // Assess
    expect(value(datums, 'ReplicasMonitored')).toBe(3);
    expect(value(datums, 'UnhealthyReplicas')).toBe(2);
    expect(value(datums, 'MaxReplicaLagSeconds')).toBe(420);
    expect(value(datums, 'ReplicasOverCriticalLag')).toBe(1);
    expect(value(datums, 'Findings', { Scope: 'health', Severity: 'critical' })).toBe(1);
    expect(value(datums, 'Findings', { Scope: 'health', Severity: 'warning' })).toBe(1);
    expect(value(datums, 'Findings', { Scope: 'health', Severity: 'info' })).toBe(0);
    expect(value(datums, 'CheckDurationMs', { Scope: 'health' })).toBe(1234);
    expect(value(datums, 'Heartbeat', { Scope: 'health' })).toBe(1);
    expect(value(datums, 'DrReadyPrimaries')).toBe(1);
    // 'unknown' counts as not ready.
    expect(value(datums, 'DrNotReadyPrimaries')).toBe(2);
    expect(named(datums, 'DriftFindings')).toHaveLength(0);
    expect(datums.every((d) => d.Timestamp === r.checkedAt)).toBe(true);
  });

  it('counts for the alarms what the checker pages for: each replica\'s own threshold, suppressions applied', () => {
    // Prepare: one replica over its critical threshold, one only warning, one lagging but suppressed.
    const r = report({
      replicas: [
        replicaRow('orders-ro-1', { lagSeconds: 900, status: 'lagging' }),
        replicaRow('orders-ro-2', { lagSeconds: 60, status: 'lagging' }),
        replicaRow('analytics-ro-1', { lagSeconds: 5000, status: 'lagging' }),
        replicaRow('orders-ro-3', { region: 'us-west-2', lagSeconds: null, status: 'unknown' }),
      ],
      findings: [
        finding({ code: 'REPLICA_LAG_HIGH', resource: 'orders-ro-1' }),
        // The same replica twice (lag and RPO) is still one replica.
        finding({ code: 'RPO_EXCEEDED', resource: 'orders-ro-1' }),
        finding({ code: 'REPLICA_LAG_HIGH', resource: 'orders-ro-2', severity: 'warning' }),
      ],
    });
    const cfg = config({
      suppressions: [
        { code: 'REPLICA_LAG_HIGH', resource: 'analytics-*', reason: 'Nightly batch replica; lag is expected.' },
        // Suppresses nothing here: the unknown replica is in us-west-2.
        { code: 'LAG_METRIC_MISSING', region: 'eu-west-1', reason: 'Replicas there are being rebuilt this week.' },
      ],
    });

    // Act
    const datums = buildMetrics({ report: r, scope: 'health', config: cfg, durationMs: 1, degraded: false });

    // Assess: the suppressed replica is left out; the unknown one counts even without a finding.
    expect(value(datums, 'UnhealthyReplicas')).toBe(3);
    expect(value(datums, 'ReplicasOverCriticalLag')).toBe(1);
    // The graph still shows the raw worst lag.
    expect(value(datums, 'MaxReplicaLagSeconds')).toBe(5000);
  });

  it('leaves the max lag out when no replica lag is known: unknown is not 0', () => {
    const r = report({ replicas: [replicaRow('a', { lagSeconds: null, status: 'unknown' })] });

    const datums = buildMetrics({ report: r, scope: 'health', config: config(), durationMs: 10, degraded: false });

    expect(named(datums, 'MaxReplicaLagSeconds')).toHaveLength(0);
    expect(value(datums, 'UnhealthyReplicas')).toBe(1);
  });

  it('does not report zero problems when part of the read failed', () => {
    const r = report({
      replicas: [replicaRow('a')],
      findings: [finding({ code: 'CHECK_DEGRADED', resource: 'rds:DescribeDBInstances', region: 'us-west-2' })],
    });

    const datums = buildMetrics({ report: r, scope: 'health', config: config(), durationMs: 10, degraded: true });

    expect(named(datums, 'UnhealthyReplicas')).toHaveLength(0);
    expect(named(datums, 'ReplicasOverCriticalLag')).toHaveLength(0);
    expect(named(datums, 'DrNotReadyPrimaries')).toHaveLength(0);
    expect(value(datums, 'Findings', { Scope: 'health', Severity: 'critical' })).toBe(1);
    expect(value(datums, 'Heartbeat', { Scope: 'health' })).toBe(1);
  });

  it('publishes drift counts from a drift check, excluding degraded reads', () => {
    const r = report({
      findings: [
        finding({ code: 'PARAM_DRIFT', severity: 'warning', evidence: { parameter: 'binlog_format' } }),
        finding({ code: 'REPLICA_WRITABLE' }),
        finding({ code: 'CHECK_DEGRADED', resource: 'rds:DescribeDBParameters', severity: 'warning' }),
        finding({ code: 'REPLICA_LAG_HIGH' }),
      ],
    });

    const datums = buildMetrics({ report: r, scope: 'drift', config: config(), durationMs: 10, degraded: false });

    expect(value(datums, 'DriftFindings')).toBe(2);
    // Nothing alarms on or graphs the drift check's own liveness or severity counts: each would be
    // a custom metric billed every month, so only DriftFindings is published.
    expect(datums.map((d) => d.MetricName)).toEqual(['DriftFindings']);
  });

  it('adds per-replica lag and health only when the config asks for it', () => {
    const r = report({ replicas: [replicaRow('a', { lagSeconds: 3 }), replicaRow('b', { region: 'us-west-2', lagSeconds: null, status: 'unknown' })] });

    const off = buildMetrics({ report: r, scope: 'health', config: config(), durationMs: 1, degraded: false });
    const on = buildMetrics({ report: r, scope: 'health', config: config({ metrics: { perReplica: true } }), durationMs: 1, degraded: false });

    expect(named(off, 'ReplicaLagSeconds')).toHaveLength(0);
    expect(named(off, 'ReplicaHealthy')).toHaveLength(0);
    expect(value(on, 'ReplicaLagSeconds', { Region: 'us-east-1', ReplicaId: 'a' })).toBe(3);
    expect(named(on, 'ReplicaLagSeconds', { ReplicaId: 'b' })).toHaveLength(0);
    expect(value(on, 'ReplicaHealthy', { Region: 'us-west-2', ReplicaId: 'b' })).toBe(0);
    expect(value(on, 'ReplicaHealthy', { Region: 'us-east-1', ReplicaId: 'a' })).toBe(1);
  });
});

describe('batchMetrics', () => {
  it('splits into PutMetricData calls of at most 1,000 metrics', () => {
    const items = Array.from({ length: 2_345 }, (_, i) => i);

    const batches = batchMetrics(items);

    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 345]);
    expect(batches.flat()).toEqual(items);
    expect(MAX_METRICS_PER_PUT).toBe(1000);
  });

  it('makes no call for nothing', () => {
    expect(batchMetrics([])).toEqual([]);
  });
});
