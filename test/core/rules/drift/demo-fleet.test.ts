import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import { DRIFT_CODES } from '../../../../lambdas/core/findings';
import { parseSnapshotText } from '../../../../lambdas/core/fleet/snapshot';

const demo = parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'examples/demo-fleet.json');

describe('the demo fleet\'s drift cases', () => {
  it('shows each drift code on the database built to show it', () => {
    // Act
    const report = evaluate(demo, { config: DEFAULT_CONFIG, scope: 'drift' });

    // Assess
    const found = new Set(report.findings.map((f) => `${f.code} ${f.region} ${f.resource} ${f.severity}`));
    for (const expected of [
      'PARAM_DRIFT eu-west-1 catalog-pg-dr warning',
      'PARAM_DRIFT us-east-1 inventory-mysql warning',
      'PARAM_DRIFT us-east-1 billing-mariadb warning',
      'PARAM_PENDING_REBOOT us-east-1 users-pg warning',
      'PARAM_APPLY_FAILED us-east-1 catalog-pg critical',
      'REPLICA_PARAM_BELOW_SOURCE eu-west-1 catalog-pg-dr critical',
      'REPLICA_PARAM_MISMATCH us-east-1 orders-mysql-ro-2 warning',
      'REPLICA_WRITABLE us-east-1 billing-mariadb-ro-1 critical',
      'REPLICA_UNDERSIZED eu-west-1 search-mysql-dr warning',
      'ENGINE_VERSION_MISMATCH us-east-1 inventory-mysql-ro-1 warning',
      'SOURCE_BACKUPS_DISABLED us-east-1 inventory-mysql critical',
    ]) {
      expect(found).toContain(expected);
    }
  });

  it('leaves the healthy replicas and their sources without drift findings', () => {
    const report = evaluate(demo, { config: DEFAULT_CONFIG, scope: 'all' });
    const healthy = ['orders-mysql', 'orders-mysql-ro-1', 'orders-mysql-dr', 'users-pg-ro-1', 'shop-aurora-2', 'shop-aurora-euw1', 'payments-use1-b', 'payments-euw1', 'ledger-euw1-a'];

    const noisy = report.findings.filter((f) => healthy.includes(f.resource) && DRIFT_CODES.includes(f.code));

    expect(noisy).toEqual([]);
    const status = Object.fromEntries(report.replicas.map((r) => [r.id, r.status]));
    for (const id of healthy.filter((id) => id in status)) expect(status[id]).toBe('healthy');
  });
});
