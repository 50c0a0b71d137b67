import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli, runReplguard } from '../support/cli';

// Spawns the replguard launcher in a child process.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const DEMO = 'examples/demo-fleet.json';

const tempFile = (name: string, content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'replguard-')), name);
  writeFileSync(path, content);
  return path;
};

describe('replguard check on the demo fleet (end to end)', () => {
  it('prints the JSON document and exits 1 because the demo has critical findings', async () => {
    // Act
    const result = await runReplguard(['check', '--snapshot', DEMO, '--format', 'json']);

    // Assess
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['checkedAt', 'summary', 'replicas', 'findings', 'dr']));
    expect(Object.keys(report.summary).sort()).toEqual(['critical', 'healthy', 'info', 'replicas', 'warning']);
    for (const replica of report.replicas) {
      expect(Object.keys(replica).sort()).toEqual(['accountId', 'id', 'kind', 'lagSeconds', 'region', 'sourceId', 'sourceRegion', 'status']);
      expect(replica.accountId).toBe('123456789012');
    }
    for (const finding of report.findings) {
      expect(finding).toEqual(
        expect.objectContaining({
          code: expect.any(String),
          severity: expect.stringMatching(/^(critical|warning|info)$/),
          region: expect.any(String),
          resource: expect.not.stringMatching(/^arn:/),
          message: expect.any(String),
          evidence: expect.any(Object),
          runbook: expect.stringContaining('runbook.md#'),
        }),
      );
    }
    expect(report.summary.critical).toBe(report.findings.filter((f: { severity: string }) => f.severity === 'critical').length);
  });

  it('shows each health finding the demo is built to contain', async () => {
    const { stdout } = await runCli(['check', '--snapshot', DEMO, '--format', 'json']);
    const report = JSON.parse(stdout);
    const found = new Set(report.findings.map((f: { code: string; resource: string }) => `${f.code} ${f.resource}`));

    expect(found).toContain('REPLICA_LAG_HIGH orders-mysql-ro-2');
    expect(found).toContain('REPLICA_LAG_HIGH shop-aurora-3');
    expect(found).toContain('REPLICATION_BROKEN billing-mariadb-ro-1');
    expect(found).toContain('REPLICATION_BROKEN inventory-mysql-ro-1');
    expect(found).toContain('LAG_METRIC_MISSING reports-pg-ro-1');
    expect(found).toContain('REPLICATION_SLOT_LAG_HIGH reports-pg');
    expect(found).toContain('CHECK_DEGRADED rds:DescribeDBInstances');
    // The false-positive cases stay quiet: idle PostgreSQL source, single -1 blip, Aurora milliseconds.
    const byId = Object.fromEntries(report.replicas.map((r: { id: string; status: string }) => [r.id, r.status]));
    expect(byId['users-pg-ro-1']).toBe('healthy');
    expect(byId['orders-mysql-ro-1']).toBe('healthy');
    expect(byId['shop-aurora-2']).toBe('healthy');
    expect(byId['payments-euw1']).toBe('healthy');
  });

  it('shows the drift and DR cases the demo is built to contain', async () => {
    const { stdout } = await runCli(['check', '--snapshot', DEMO, '--format', 'json']);
    const report = JSON.parse(stdout);
    const found = new Set(report.findings.map((f: { code: string; resource: string }) => `${f.code} ${f.resource}`));

    for (const expected of [
      'PARAM_DRIFT inventory-mysql',
      'PARAM_PENDING_REBOOT users-pg',
      'PARAM_APPLY_FAILED catalog-pg',
      'REPLICA_PARAM_BELOW_SOURCE catalog-pg-dr',
      'REPLICA_PARAM_MISMATCH orders-mysql-ro-2',
      'REPLICA_WRITABLE billing-mariadb-ro-1',
      'REPLICA_UNDERSIZED search-mysql-dr',
      'ENGINE_VERSION_MISMATCH inventory-mysql-ro-1',
      'SOURCE_BACKUPS_DISABLED inventory-mysql',
      'NO_CROSS_REGION_REPLICA billing-mariadb',
      'RPO_EXCEEDED catalog-pg-dr',
      'GLOBAL_SECONDARY_NOT_SYNCED ledger-euw1',
      'DR_REPLICA_UNDERSIZED search-mysql-dr',
    ]) {
      expect(found).toContain(expected);
    }
    const verdicts = Object.fromEntries(report.dr.map((d: { primary: string; ready: unknown }) => [d.primary, d.ready]));
    expect(verdicts).toMatchObject({ 'orders-mysql': true, 'billing-mariadb': false, 'profiles-mysql': 'unknown' });
  });

  it('prints a table with a row per replica and findings by severity, without colour when not a TTY', async () => {
    const { code, stdout } = await runCli(['check', '--snapshot', DEMO]);

    expect(code).toBe(1);
    expect(stdout).toMatch(/REGION\s+REPLICA\s+KIND\s+SOURCE\s+LAG\s+STATUS/);
    expect(stdout).toMatch(/eu-west-1\s+orders-mysql-dr\s+rds-read-replica\s+orders-mysql \(us-east-1\)/);
    expect(stdout.indexOf('CRITICAL (')).toBeLessThan(stdout.indexOf('WARNING ('));
    expect(stdout).toContain('fix: ');
    expect(stdout).not.toContain('\u001b[');
  });

  it('exits 0 with --exit-zero, as npm start does', async () => {
    expect((await runCli(['check', '--snapshot', DEMO, '--exit-zero'])).code).toBe(0);
  });

  it('exits 0 for a fleet without critical findings', async () => {
    const path = tempFile('healthy.json', JSON.stringify({
      format: 'replguard-snapshot/v1',
      capturedAt: '2026-11-24T10:00:00Z',
      regions: { 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: 'solo', Engine: 'mysql' }] } },
    }));
    const result = await runCli(['check', '--snapshot', path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No replicas found');
  });
});

describe('replguard check with bad input', () => {
  it('exits 2 naming the missing snapshot file', async () => {
    const result = await runCli(['check', '--snapshot', 'nope.json']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('Snapshot file nope.json does not exist');
  });

  it('exits 2 naming the bad field of a snapshot', async () => {
    const path = tempFile('bad.json', JSON.stringify({ format: 'replguard-snapshot/v1', capturedAt: 'soon', regions: {} }));
    const result = await runCli(['check', '--snapshot', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('capturedAt: must be an ISO-8601 date');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 naming the bad config key and value', async () => {
    const config = tempFile('config.json', JSON.stringify({ lag: { warningSeconds: -1 } }));
    const result = await runCli(['check', '--snapshot', DEMO, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lag.warningSeconds: must be between 0 and 604,800 seconds (got -1)');
  });

  it('exits 2 for an unknown flag, an unknown format and an unknown region', async () => {
    const flag = await runCli(['check', '--snapshots', DEMO]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--snapshots'");
    expect(flag.stderr).toContain('Usage: replguard check');

    const format = await runCli(['check', '--snapshot', DEMO, '--format', 'yaml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be "table" or "json" (got "yaml")');

    const region = await runCli(['check', '--regions', 'us-east-1,eu-west9']);
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--regions: unknown region "eu-west9"');
  });

  it('exits 2 for an unknown command and lists the commands', async () => {
    const result = await runCli(['chek']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "chek"');
    expect(result.stderr).toContain('check');
  });
});

describe('replguard check with a parameter baseline', () => {
  const baselineFile = (expect: unknown) =>
    tempFile('baseline.json', JSON.stringify({
      format: 'replguard-baseline/v1',
      entries: [{ parameter: 'max_allowed_packet', expect, severity: 'critical', reason: 'Order documents reach 40 MiB.', engine: 'mysql', identifier: 'orders-mysql' }],
    }));

  it('reports drift against the baseline given with --baseline', async () => {
    const path = baselineFile(67_108_864);

    const { stdout } = await runCli(['check', '--snapshot', DEMO, '--format', 'json', '--baseline', path]);

    const drift = JSON.parse(stdout).findings.filter((f: { code: string }) => f.code === 'PARAM_DRIFT');
    expect(drift).toContainEqual(expect.objectContaining({ resource: 'orders-mysql', severity: 'critical' }));
  });

  it('reads the baseline named by drift.baseline, relative to the config file', async () => {
    const baseline = baselineFile(67_108_864);
    const config = join(dirname(baseline), 'config.json');
    writeFileSync(config, JSON.stringify({ drift: { baseline: basename(baseline) } }));

    const { stdout } = await runCli(['check', '--snapshot', DEMO, '--format', 'json', '--config', config]);

    expect(JSON.parse(stdout).findings.map((f: { code: string; resource: string }) => `${f.code} ${f.resource}`)).toContain(
      'PARAM_DRIFT orders-mysql',
    );
  });

  it('exits 2 naming the baseline file and the bad key', async () => {
    const path = tempFile('baseline.json', JSON.stringify({ format: 'replguard-baseline/v1', entries: [{ parameter: 'x', expect: 1, severity: 'high', reason: 'r', engine: 'mysql' }] }));

    const result = await runCli(['check', '--snapshot', DEMO, '--baseline', path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('severity');
  });
});

