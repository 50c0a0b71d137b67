import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import { DRIFT_CODES } from '../../../../lambdas/core/findings';
import { fleet, instance, replica } from '../../../support/fleet';
import { baselineOf, group } from './helpers';

const REGION = 'us-east-1';

/** A MySQL source with MIXED binlogs and a writable replica that is a class smaller. */
const snapshot = fleet({
  [REGION]: {
    dbInstances: [
      instance('src', { DBInstanceClass: 'db.r6g.xlarge', DBParameterGroups: [{ DBParameterGroupName: 'src-params', ParameterApplyStatus: 'in-sync' }] }),
      replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: 'ro-params', ParameterApplyStatus: 'in-sync' }] }),
    ],
    dbParameters: { 'src-params': group({ binlog_format: 'MIXED' }), 'ro-params': group({ binlog_format: 'MIXED', read_only: '0' }) },
  },
});

const codes = (scope: 'all' | 'health' | 'drift', config = DEFAULT_CONFIG) =>
  new Set(evaluate(snapshot, { config, scope }).findings.map((f) => f.code));

describe('evaluate runs the drift rules', () => {
  it('in the all and drift scopes, with the default baseline', () => {
    for (const scope of ['all', 'drift'] as const) {
      const found = codes(scope);

      expect(found).toContain('PARAM_DRIFT');
      expect(found).toContain('REPLICA_WRITABLE');
      expect(found).toContain('REPLICA_UNDERSIZED');
    }
  });

  it('not in the health scope', () => {
    const found = [...codes('health')];

    expect(found.filter((c) => DRIFT_CODES.includes(c) && c !== 'CHECK_DEGRADED')).toEqual([]);
  });

  it('not when drift is disabled in the config', () => {
    const found = [...codes('all', parseConfig({ drift: { enabled: false } }))];

    expect(found.filter((c) => c.startsWith('PARAM_') || c.startsWith('REPLICA_PARAM') || c === 'REPLICA_WRITABLE')).toEqual([]);
  });

  it('with the baseline it is given instead of the default', () => {
    const baseline = baselineOf([{ parameter: 'binlog_format', expect: 'MIXED', severity: 'info', reason: 'We run mixed.', engine: 'mysql' }]);

    const report = evaluate(snapshot, { config: DEFAULT_CONFIG, scope: 'drift', baseline });

    expect(report.findings.filter((f) => f.code === 'PARAM_DRIFT')).toEqual([]);
  });

  it('counts drift findings in the summary and applies suppressions to them', () => {
    const config = parseConfig({ suppressions: [{ code: 'REPLICA_UNDERSIZED', resource: 'ro', reason: 'Reporting replica, sized down on purpose.' }] });

    const report = evaluate(snapshot, { config, scope: 'all' });

    expect(report.findings.some((f) => f.code === 'REPLICA_UNDERSIZED')).toBe(false);
    expect(report.summary.critical).toBe(report.findings.filter((f) => f.severity === 'critical').length);
    expect(report.findings.some((f) => f.code === 'REPLICA_WRITABLE' && f.severity === 'critical')).toBe(true);
  });
});
