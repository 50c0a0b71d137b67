import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config';
import { SNAPSHOT_FORMAT_V2, type OrgSnapshot } from '../../../lambdas/core/fleet/model';
import { degradedAccountRegions, evaluateOrg } from '../../../lambdas/core/rules/evaluate-org';
import { evaluate } from '../../../lambdas/core/rules/evaluate';
import { fleet, instance, lag, NOW, replica } from '../../support/fleet';

const PAYMENTS = '111122223333';
const SEARCH = '444455556666';
const SANDBOX = '777788889999';
const LOCKED = '222233334444';
const config = parseConfig({ regions: ['us-east-1', 'eu-west-1'] });

// orders-ro lags in payments; search has a healthy replica of the same name; sandbox has no database.
const lagging = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [900, 900, 900, 900, 900])] } });
const healthy = fleet({ 'us-east-1': { dbInstances: [instance('orders'), replica('orders-ro', 'orders')], metrics: [lag('orders-ro', [1, 1, 1, 1, 1])] } });

const org: OrgSnapshot = {
  format: SNAPSHOT_FORMAT_V2,
  capturedAt: NOW,
  accounts: {
    [PAYMENTS]: { name: 'payments', regions: lagging.regions },
    [SEARCH]: { regions: healthy.regions },
    [SANDBOX]: { name: 'sandbox', regions: { 'us-east-1': {}, 'eu-west-1': {} } },
    [LOCKED]: { name: 'locked', regions: {}, errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized to perform sts:AssumeRole' }] },
  },
};

describe('evaluateOrg', () => {
  it('runs the rules per account and stamps the account on findings, replicas and DR entries', () => {
    // Act
    const report = evaluateOrg(org, { config });

    // Assess
    const lagFindings = report.findings.filter((f) => f.code === 'REPLICA_LAG_HIGH');
    expect(lagFindings.map((f) => [f.accountId, f.accountName, f.resource])).toEqual([[PAYMENTS, 'payments', 'orders-ro']]);
    expect(report.replicas.map((r) => [r.accountId, r.id, r.status])).toEqual([
      [PAYMENTS, 'orders-ro', 'lagging'],
      [SEARCH, 'orders-ro', 'healthy'],
    ]);
    expect(report.summary.replicas).toBe(2);
    expect(report.dr.every((d) => d.accountId !== undefined)).toBe(true);
  });

  it('judges one account exactly as the one-account evaluation does', () => {
    // Act
    const alone = evaluate(lagging, { config });
    const inOrg = evaluateOrg(org, { config }).findings.filter((f) => f.accountId === PAYMENTS);

    // Assess
    expect(inOrg.map(({ accountId: _a, accountName: _n, ...f }) => f)).toEqual(alone.findings);
  });

  it('makes an account that could not be read CHECK_DEGRADED in every configured region of it, naming the account', () => {
    // Act
    const report = evaluateOrg(org, { config });
    const locked = report.findings.filter((f) => f.accountId === LOCKED);

    // Assess
    expect(locked.map((f) => [f.code, f.severity, f.region])).toEqual([
      ['CHECK_DEGRADED', 'critical', 'eu-west-1'],
      ['CHECK_DEGRADED', 'critical', 'us-east-1'],
    ]);
    expect(locked[0]!.message).toContain(`sts:AssumeRole failed for account ${LOCKED} (locked) (AccessDenied)`);
    expect(degradedAccountRegions(org, report)).toEqual([`${LOCKED}/eu-west-1`, `${LOCKED}/us-east-1`]);
  });

  it('takes an unreadable account\'s regions from its target when given', () => {
    // Act
    const report = evaluateOrg(org, { config, targets: [{ accountId: LOCKED, regions: ['ap-southeast-2'], roleArn: `arn:aws:iam::${LOCKED}:role/R` }] });

    // Assess
    expect(report.findings.filter((f) => f.accountId === LOCKED).map((f) => f.region)).toEqual(['ap-southeast-2']);
  });

  it('lists an account with no databases as read, not as an error and not skipped', () => {
    // Act
    const report = evaluateOrg(org, { config });

    // Assess
    expect(report.accounts).toContainEqual({ accountId: SANDBOX, accountName: 'sandbox', regions: ['eu-west-1', 'us-east-1'], databases: 0, replicas: 0, read: 'full' });
    expect(report.findings.filter((f) => f.accountId === SANDBOX)).toEqual([]);
    expect(report.accounts!.map((a) => [a.accountId, a.read])).toEqual([
      [PAYMENTS, 'full'],
      [LOCKED, 'unreadable'],
      [SEARCH, 'full'],
      [SANDBOX, 'full'],
    ]);
  });

  it('names an account the read left unnamed from its config entry', () => {
    // Act
    const named = parseConfig({ regions: ['us-east-1', 'eu-west-1'], accounts: [{ id: SEARCH, name: 'search-prod' }] });
    const report = evaluateOrg(org, { config: named });

    // Assess
    expect(report.replicas.find((r) => r.accountId === SEARCH)!.accountName).toBe('search-prod');
  });
});
