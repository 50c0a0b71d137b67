import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../lambdas/core/config';
import { evaluate, type EvaluationScope } from '../../../lambdas/core/rules/evaluate';
import { fleet, instance, lag, replica } from '../../support/fleet';

// A lagging replica whose source has backups off: one health finding, one drift finding,
// and a region whose metrics failed.
const snapshot = fleet({
  'us-east-1': {
    dbInstances: [instance('orders', { BackupRetentionPeriod: 0 }), replica('orders-ro', 'orders')],
    metrics: [lag('orders-ro', [400, 400, 400])],
  },
  'eu-west-1': { errors: [{ operation: 'rds:DescribeDBInstances', message: 'denied', code: 'AccessDenied' }] },
});

const codesFor = (scope: EvaluationScope) =>
  evaluate(snapshot, { config: DEFAULT_CONFIG, scope })
    .findings.filter((f) => f.severity !== 'info')
    .map((f) => f.code)
    .sort();

describe('evaluate scopes', () => {
  it('reports every rule family in scope all', () => {
    expect(codesFor('all')).toEqual(['CHECK_DEGRADED', 'REPLICA_LAG_HIGH', 'SOURCE_BACKUPS_DISABLED']);
  });

  it('keeps drift findings out of the scheduled health check', () => {
    expect(codesFor('health')).toEqual(['CHECK_DEGRADED', 'REPLICA_LAG_HIGH']);
  });

  it('keeps lag findings out of the drift check, but still says what it could not read', () => {
    expect(codesFor('drift')).toEqual(['CHECK_DEGRADED', 'SOURCE_BACKUPS_DISABLED']);
  });

  it('skips drift rules entirely when drift is disabled', () => {
    const config = { ...DEFAULT_CONFIG, drift: { ...DEFAULT_CONFIG.drift, enabled: false } };
    expect(evaluate(snapshot, { config }).findings.map((f) => f.code)).not.toContain('SOURCE_BACKUPS_DISABLED');
  });

  it('counts findings by severity in the summary', () => {
    const report = evaluate(snapshot, { config: DEFAULT_CONFIG });
    expect(report.summary).toEqual({
      replicas: 1,
      healthy: 0,
      critical: report.findings.filter((f) => f.severity === 'critical').length,
      warning: report.findings.filter((f) => f.severity === 'warning').length,
      info: report.findings.filter((f) => f.severity === 'info').length,
    });
    expect(report.summary.critical).toBeGreaterThanOrEqual(2);
  });
});
