import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CostInputError, PRICES, alarmCount, customMetricsUsd, estimateMonthlyCost, type CostEstimate } from '../../../lambdas/core/outputs/cost';
import { FLEET_MIXES, planFleetUsage, syntheticFleet, syntheticFleetUsage, type FleetMix } from '../../../lambdas/core/outputs/cost-fleet';
import type { Config } from '../../../lambdas/core/config';
import { planMetricQueries } from '../../../lambdas/core/fleet/metric-plan';
import { parseSnapshotText } from '../../../lambdas/core/fleet/snapshot';
import { buildTopology } from '../../../lambdas/core/fleet/topology';
import { config } from '../../support/findings';
import { fleet, instance, lag, replica } from '../../support/fleet';
import { evaluate } from '../../../lambdas/core/rules/evaluate';
import { buildMetrics } from '../../../lambdas/core/outputs/metrics';

/** A fleet of one MySQL read replica per source: one lag series each. */
const mysql = (replicas: number, c: Config = config()) => syntheticFleetUsage('mysql', replicas, c.regions);
const estimate = (c: Config, replicas: number, mix: FleetMix = 'mysql') =>
  estimateMonthlyCost({ config: c, fleet: syntheticFleetUsage(mix, replicas, c.regions) });
/** What the reader's planner asks for in one run over a fleet. */
const plannedQueries = (mix: FleetMix, replicas: number, regions: readonly string[]) =>
  planMetricQueries(buildTopology(syntheticFleet(mix, replicas, regions))).length;

const line = (result: CostEstimate, item: string) => {
  const found = result.lines.find((l) => l.item.startsWith(item));
  expect(found, item).toBeDefined();
  return found!;
};

describe('estimateMonthlyCost', () => {
  it('matches the design card: 1,000 MySQL replicas read every minute (fast profile) is 43.2 M metrics, about $432', () => {
    const result = estimateMonthlyCost({ config: config({ drift: { enabled: false }, schedule: { profile: 'fast' } }), fleet: mysql(1000) });

    const reads = line(result, 'GetMetricData');
    expect(reads.quantity).toBe(43_200_000);
    expect(reads.monthlyUsd).toBeCloseTo(432, 6);
  });

  it('counts the drift check\'s metric reads too, on a line of their own', () => {
    const result = estimate(config({ schedule: { profile: 'fast' } }), 1000);

    // 43,200 health runs and 2,880 drift runs (every 15 min), × 1,000 series each.
    expect(line(result, 'GetMetricData metrics requested, health checks').quantity).toBe(43_200_000);
    // The drift check reads parameter groups, not metrics.
    expect(result.lines.some((l) => l.item.includes('drift checks') && l.item.startsWith('GetMetricData'))).toBe(false);
    expect(estimate(config({ drift: { enabled: false } }), 1000).lines.filter((l) => l.item.includes('drift'))).toEqual([]);
  });

  it('scales the metric bill with the check rate', () => {
    const everyMinute = estimate(config({ drift: { enabled: false }, schedule: { profile: 'fast' } }), 500, 'mixed');
    const everyFive = estimate(config({ drift: { enabled: false }, schedule: { profile: 'fast', checkRateMinutes: 5 } }), 500, 'mixed');

    expect(line(everyFive, 'GetMetricData').monthlyUsd).toBeCloseTo(line(everyMinute, 'GetMetricData').monthlyUsd / 5, 6);
  });

  it('prices exactly the custom metrics the checks publish: a full health run and a drift run', () => {
    // Prepare: every distinct name + dimension set is one custom metric billed a month.
    const c = config();
    const snapshot = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [1, 2, 1])] } });
    const published = new Set<string>();
    for (const scope of ['health', 'drift'] as const) {
      const report = evaluate(snapshot, { config: c, scope });
      for (const d of buildMetrics({ report, scope, config: c, durationMs: 5, degraded: false, reads: 'full' })) {
        published.add(`${d.MetricName}|${JSON.stringify(d.Dimensions ?? [])}`);
      }
    }

    // Act
    const result = estimate(c, 20, 'mixed');

    // Assess: 12 at $0.30; the drift check's own liveness and severity counts are not among them.
    expect(line(result, 'custom metrics').quantity).toBe(published.size);
    expect(published.size).toBe(12);
    expect([...published].filter((k) => k.includes('"drift"'))).toEqual([]);
  });

  it('publishes a fixed number of custom metrics unless per-replica detail is on', () => {
    const small = estimate(config(), 10);
    const large = estimate(config(), 1000);
    const detailed = estimate(config({ metrics: { perReplica: true } }), 1000);

    expect(line(small, 'custom metrics').quantity).toBe(line(large, 'custom metrics').quantity);
    expect(line(detailed, 'custom metrics').quantity).toBe(line(large, 'custom metrics').quantity + 2000);
    // Two metrics per replica at $0.30 each: $600 a month for 1,000 replicas.
    expect(line(detailed, 'custom metrics').monthlyUsd - line(large, 'custom metrics').monthlyUsd).toBeCloseTo(600, 6);
    expect(line(detailed, 'PutMetricData').quantity).toBeGreaterThan(line(large, 'PutMetricData').quantity);
  });

  it('prices SMS and email per subscriber', () => {
    const none = estimate(config(), 10);
    const two = estimate(
      config({ notifications: { emails: ['a@example.com', 'b@example.com'], smsNumbers: ['+14155550100', '+14155550101'] } }),
      10,
    );

    expect(line(none, 'SMS').monthlyUsd).toBe(0);
    expect(line(two, 'SMS').quantity).toBeCloseTo(2 * (30 * 0.3 + 10), 6);
    expect(line(two, 'SMS').monthlyUsd).toBeCloseTo(line(two, 'SMS').quantity * PRICES.snsSmsUs, 9);
    expect(line(two, 'email').quantity).toBe(2 * 40);
  });

  it('adds up its lines, lists its assumptions, has one alarm fewer without drift and one more with SMS', () => {
    const result = estimate(config(), 200);

    const sum = result.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(result.totalUsd).toBeCloseTo(sum, 2);
    expect(result.perReplicaMonthUsd).toBeCloseTo(sum / 200, 4);
    expect(result.assumptions.join('\n')).toMatch(/30-day month/);
    expect(result.assumptions.join('\n')).toMatch(/per metric requested, not per datapoint/);
    expect(alarmCount(config())).toBe(9);
    expect(alarmCount(config({ drift: { enabled: false } }))).toBe(8);
    expect(alarmCount(config({ notifications: { smsNumbers: ['+14155550100'] } }))).toBe(10);
  });

  it('rejects a fleet size that is not a whole number', () => {
    expect(() => estimateMonthlyCost({ config: config(), fleet: { ...mysql(1), replicas: -1 } })).toThrow(CostInputError);
    expect(() => estimateMonthlyCost({ config: config(), fleet: { ...mysql(1), replicas: 2.5 } })).toThrow(/replicas must be a whole number/);
  });
});

describe('the metric bill comes from the reader\'s planner', () => {
  it('prices a PostgreSQL fleet above the same-size MySQL fleet by exactly the planner\'s extra series', () => {
    // Prepare
    const c = config({ drift: { enabled: false }, schedule: { profile: 'fast' } });
    const healthRuns = 30 * 24 * 60;

    // Act
    const pg = estimate(c, 200, 'postgres');
    const my = estimate(c, 200, 'mysql');

    // Assess: slot lag on source and replica; the source's WAL rate only for a replica that lags (none here).
    const extraSeries = plannedQueries('postgres', 200, c.regions) - plannedQueries('mysql', 200, c.regions);
    expect(extraSeries).toBe(2 * 200);
    expect(line(pg, 'GetMetricData').quantity - line(my, 'GetMetricData').quantity).toBe(extraSeries * healthRuns);
    expect(pg.totalUsd - my.totalUsd).toBeCloseTo(extraSeries * healthRuns * PRICES.getMetricDataPerMetric, 1);
    expect(pg.fleet.metricsByName).toEqual({ ReplicaLag: 200, OldestReplicationSlotLag: 400 });
  });

  it.each(FLEET_MIXES)('bills every metric the planner requests for a %s fleet', (mix) => {
    const c = config({ regions: ['us-east-1', 'eu-west-1'], schedule: { profile: 'fast' } });

    const result = estimate(c, 101, mix);

    expect(result.replicas).toBe(101);
    expect(result.fleet.metricsPerHealthRun).toBe(plannedQueries(mix, 101, c.regions));
    expect(line(result, 'GetMetricData').quantity).toBe(result.fleet.metricsPerHealthRun * 30 * 24 * 60);
  });

  it('prices a global database above one series per replica: a lag and an RPO series per secondary', () => {
    const global = estimate(config(), 100, 'global');

    // 50 secondaries with 2 series each + 50 readers × 1, in two regions even for a one-region config.
    expect(global.fleet.replicasByKind).toEqual({ 'aurora-global-secondary': 50, 'aurora-reader': 50 });
    expect(global.fleet.metricsPerHealthRun).toBe(plannedQueries('global', 100, config().regions));
    expect(global.fleet.metricsByName).toEqual({ AuroraGlobalDBProgressLag: 50, AuroraGlobalDBRPOLag: 50, AuroraReplicaLag: 50 });
    expect(global.regions).toBe(2);
    expect(global.assumptions.join('\n')).toContain('The config does not read us-west-2: priced as if it did');
  });

  it('prices a snapshot exactly: the demo fleet costs what the planner emits for it', () => {
    // Prepare
    const snapshot = parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'demo-fleet.json');
    const planned = planMetricQueries(buildTopology(snapshot)).length;

    // Act
    const result = estimateMonthlyCost({
      config: config({ drift: { enabled: false }, schedule: { profile: 'fast' } }),
      fleet: planFleetUsage(snapshot, 'demo'),
    });

    // Assess
    expect(planned).toBeGreaterThan(result.replicas);
    expect(result.fleet.metricsPerHealthRun).toBe(planned);
    expect(line(result, 'GetMetricData').quantity).toBe(planned * 30 * 24 * 60);
  });

  it('takes a measured daily count instead of the per-run plan when one is given', () => {
    const fleet = { ...mysql(100), measuredMetricsPerDay: 28_800 };

    const result = estimateMonthlyCost({ config: config(), fleet });

    expect(line(result, 'GetMetricData').quantity).toBe(28_800 * 30);
    expect(result.getMetricDataPerReplicaMonthUsd).toBeCloseTo((28_800 * 30 * PRICES.getMetricDataPerMetric) / 100, 4);
  });
});

describe('customMetricsUsd', () => {
  it('prices through the tiers', () => {
    expect(customMetricsUsd(10)).toBeCloseTo(3, 9);
    expect(customMetricsUsd(10_000)).toBeCloseTo(3000, 6);
    expect(customMetricsUsd(20_000)).toBeCloseTo(3000 + 10_000 * 0.1, 6);
  });
});
