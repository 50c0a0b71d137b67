import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost } from '../../../lambdas/core/outputs/cost';
import { syntheticFleetUsage } from '../../../lambdas/core/outputs/cost-fleet';
import { buildMetrics, PER_ACCOUNT_METRICS, type MetricDatumLike } from '../../../lambdas/core/outputs/metrics';
import type { AccountSummary } from '../../../lambdas/core/rules/evaluate';
import { config, finding, replicaRow, report } from '../../support/findings';

const PAYMENTS = '111122223333';
const SEARCH = '444455556666';
const LOCKED = '222233334444';

const account = (accountId: string, read: AccountSummary['read'] = 'full'): AccountSummary => ({
  accountId,
  regions: ['us-east-1'],
  databases: 2,
  replicas: 1,
  read,
});

const byAccount = (datums: readonly MetricDatumLike[], name: string) =>
  Object.fromEntries(
    datums
      .filter((d) => d.MetricName === name && d.Dimensions?.some((x) => x.Name === 'AccountId'))
      .map((d) => [d.Dimensions!.find((x) => x.Name === 'AccountId')!.Value, d.Value]),
  );
const fleetValue = (datums: readonly MetricDatumLike[], name: string) =>
  datums.filter((d) => d.MetricName === name && !d.Dimensions).map((d) => d.Value);

describe('metrics per account', () => {
  // orders-ro has the same name in both accounts; only the payments one is over critical.
  const twoAccounts = report({
    replicas: [
      replicaRow('orders-ro', { accountId: PAYMENTS, status: 'lagging', lagSeconds: 900 }),
      replicaRow('orders-ro', { accountId: SEARCH }),
    ],
    findings: [finding({ code: 'REPLICA_LAG_HIGH', resource: 'orders-ro', accountId: PAYMENTS })],
    accounts: [account(PAYMENTS), account(SEARCH)],
  });

  it('keeps the fleet totals and adds the alarmed counts per account, telling same-named replicas apart', () => {
    // Act
    const datums = buildMetrics({ report: twoAccounts, scope: 'health', config: config(), durationMs: 10, degraded: false });

    // Assess
    expect(fleetValue(datums, 'UnhealthyReplicas')).toEqual([1]);
    expect(fleetValue(datums, 'ReplicasOverCriticalLag')).toEqual([1]);
    expect(byAccount(datums, 'UnhealthyReplicas')).toEqual({ [PAYMENTS]: 1, [SEARCH]: 0 });
    expect(byAccount(datums, 'ReplicasOverCriticalLag')).toEqual({ [PAYMENTS]: 1, [SEARCH]: 0 });
    expect(new Set(datums.filter((d) => d.Dimensions?.some((x) => x.Name === 'AccountId')).map((d) => d.MetricName)).size).toBe(PER_ACCOUNT_METRICS);
  });

  it('adds nothing for a single account: the fleet series are its own', () => {
    // Act
    const datums = buildMetrics({ report: { ...twoAccounts, accounts: [account(PAYMENTS)] }, scope: 'health', config: config(), durationMs: 10, degraded: false });

    // Assess
    expect(byAccount(datums, 'UnhealthyReplicas')).toEqual({});
  });

  it('sends no 0 for an account that could not be read', () => {
    // Act
    const datums = buildMetrics({
      report: { ...twoAccounts, accounts: [account(PAYMENTS), account(LOCKED, 'unreadable')] },
      scope: 'health',
      config: config(),
      durationMs: 10,
      degraded: true,
    });

    // Assess
    expect(byAccount(datums, 'UnhealthyReplicas')).toEqual({ [PAYMENTS]: 1 });
  });
});

describe('cost of an organization', () => {
  it.each([
    [1, 0],
    [2, 2 * PER_ACCOUNT_METRICS],
    [200, 200 * PER_ACCOUNT_METRICS],
  ])('prices %i account(s) with %i per-account custom metrics on top of the same fleet', (accounts, extra) => {
    // Prepare
    const c = config();
    const fleet = syntheticFleetUsage('mixed', 1000, c.regions);

    // Act
    const single = estimateMonthlyCost({ config: c, fleet });
    const org = estimateMonthlyCost({ config: c, fleet, accounts });
    const metricLine = (e: typeof org) => e.lines.find((l) => l.item.startsWith('custom metrics'))!;

    // Assess
    expect(metricLine(org).quantity - metricLine(single).quantity).toBe(extra);
    expect(Math.round((org.totalUsd - single.totalUsd) * 100) / 100).toBe(Math.round(extra * 0.3 * 100) / 100);
    expect(org.perAccountMonthUsd).toBeCloseTo(org.totalUsd / accounts, 2);
  });
});

describe('per-replica series with accounts', () => {
  const perReplica = config({ metrics: { perReplica: true } });
  const dimsOf = (datums: readonly MetricDatumLike[]) =>
    datums.filter((d) => d.MetricName === 'ReplicaHealthy').map((d) => d.Dimensions!.map((x) => `${x.Name}=${x.Value}`).join(','));

  it('names the account when two accounts may share a replica name, and keeps the dimensions of one account', () => {
    // Prepare
    const rows = [replicaRow('orders-ro', { accountId: PAYMENTS }), replicaRow('orders-ro', { accountId: SEARCH })];

    // Act
    const two = buildMetrics({ report: report({ replicas: rows, accounts: [account(PAYMENTS), account(SEARCH)] }), scope: 'health', config: perReplica, durationMs: 1, degraded: false });
    const one = buildMetrics({ report: report({ replicas: rows.slice(0, 1), accounts: [account(PAYMENTS)] }), scope: 'health', config: perReplica, durationMs: 1, degraded: false });

    // Assess
    expect(dimsOf(two)).toEqual([
      `AccountId=${PAYMENTS},Region=us-east-1,ReplicaId=orders-ro`,
      `AccountId=${SEARCH},Region=us-east-1,ReplicaId=orders-ro`,
    ]);
    expect(dimsOf(one)).toEqual(['Region=us-east-1,ReplicaId=orders-ro']);
  });
});
