import { describe, expect, it } from 'vitest';
import { CostInputError, PRICES, alarmCount, customMetricsUsd, estimateMonthlyCost, type CostEstimate } from '../../lambdas/core/cost';
import { config } from '../support/findings';

const line = (estimate: CostEstimate, item: string) => {
  const found = estimate.lines.find((l) => l.item.startsWith(item));
  expect(found, item).toBeDefined();
  return found!;
};

describe('estimateMonthlyCost', () => {
  it('matches the design card: 1,000 replicas read every minute is 43.2 M metrics, about $432', () => {
    const estimate = estimateMonthlyCost({ config: config({ drift: { enabled: false } }), replicas: 1000 });

    const reads = line(estimate, 'GetMetricData');
    expect(reads.quantity).toBe(43_200_000);
    expect(reads.monthlyUsd).toBeCloseTo(432, 6);
  });

  it('counts the drift check\'s metric reads too, on a line of their own', () => {
    const estimate = estimateMonthlyCost({ config: config(), replicas: 1000 });

    // 43,200 health runs and 2,880 drift runs (every 15 min), × 1,000 series each.
    expect(line(estimate, 'GetMetricData metrics requested, health checks').quantity).toBe(43_200_000);
    // The drift check reads parameter groups, not metrics.
    expect(estimate.lines.some((l) => l.item.includes('drift checks') && l.item.startsWith('GetMetricData'))).toBe(false);
    expect(estimateMonthlyCost({ config: config({ drift: { enabled: false } }), replicas: 1000 }).lines.filter((l) => l.item.includes('drift'))).toEqual([]);
  });

  it('scales the metric bill with the check rate', () => {
    const everyMinute = estimateMonthlyCost({ config: config({ drift: { enabled: false } }), replicas: 500 });
    const everyFive = estimateMonthlyCost({ config: config({ drift: { enabled: false }, schedule: { checkRateMinutes: 5 } }), replicas: 500 });

    expect(line(everyFive, 'GetMetricData').monthlyUsd).toBeCloseTo(line(everyMinute, 'GetMetricData').monthlyUsd / 5, 6);
  });

  it('publishes a fixed number of custom metrics unless per-replica detail is on', () => {
    const small = estimateMonthlyCost({ config: config(), replicas: 10 });
    const large = estimateMonthlyCost({ config: config(), replicas: 1000 });
    const detailed = estimateMonthlyCost({ config: config({ metrics: { perReplica: true } }), replicas: 1000 });

    expect(line(small, 'custom metrics').quantity).toBe(line(large, 'custom metrics').quantity);
    expect(line(detailed, 'custom metrics').quantity).toBe(line(large, 'custom metrics').quantity + 2000);
    // Two metrics per replica at $0.30 each: $600 a month for 1,000 replicas.
    expect(line(detailed, 'custom metrics').monthlyUsd - line(large, 'custom metrics').monthlyUsd).toBeCloseTo(600, 6);
    expect(line(detailed, 'PutMetricData').quantity).toBeGreaterThan(line(large, 'PutMetricData').quantity);
  });

  it('prices SMS and email per subscriber', () => {
    const none = estimateMonthlyCost({ config: config(), replicas: 10 });
    const two = estimateMonthlyCost({
      config: config({ notifications: { emails: ['a@example.com', 'b@example.com'], smsNumbers: ['+14155550100', '+14155550101'] } }),
      replicas: 10,
    });

    expect(line(none, 'SMS').monthlyUsd).toBe(0);
    expect(line(two, 'SMS').quantity).toBeCloseTo(2 * (30 * 0.3 + 10), 6);
    expect(line(two, 'SMS').monthlyUsd).toBeCloseTo(line(two, 'SMS').quantity * PRICES.snsSmsUs, 9);
    expect(line(two, 'email').quantity).toBe(2 * 40);
  });

  it('adds up its lines, lists its assumptions and has one alarm fewer without drift', () => {
    const estimate = estimateMonthlyCost({ config: config(), replicas: 200 });

    const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.totalUsd).toBeCloseTo(sum, 2);
    expect(estimate.assumptions.join('\n')).toMatch(/30-day month/);
    expect(estimate.assumptions.join('\n')).toMatch(/per metric requested, not per datapoint/);
    expect(alarmCount(config())).toBe(7);
    expect(alarmCount(config({ drift: { enabled: false } }))).toBe(6);
  });

  it('rejects a fleet size that is not a whole number', () => {
    expect(() => estimateMonthlyCost({ config: config(), replicas: -1 })).toThrow(CostInputError);
    expect(() => estimateMonthlyCost({ config: config(), replicas: 2.5 })).toThrow(/replicas must be a whole number/);
  });
});

describe('customMetricsUsd', () => {
  it('prices through the tiers', () => {
    expect(customMetricsUsd(10)).toBeCloseTo(3, 9);
    expect(customMetricsUsd(10_000)).toBeCloseTo(3000, 6);
    expect(customMetricsUsd(20_000)).toBeCloseTo(3000 + 10_000 * 0.1, 6);
  });
});
