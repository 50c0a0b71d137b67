import { describe, expect, it } from 'vitest';
import { closedPort, silentPort } from '../probe/support/probe';
import { runCli } from '../support/cli';

describe('replguard probe', () => {
  it('rejects a bad URL with exit 2, naming the target and hiding the password', async () => {
    const result = await runCli(['probe', '--target', 'postgres://mon:topsecret@db:5432/app?role=leader']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--target #1 "postgres://mon:***@db:5432/app?role=leader": role must be "source" or "replica" (got "leader")');
    expect(result.stderr).not.toContain('topsecret');
  });

  it('needs at least one target and sane timeouts', async () => {
    expect((await runCli(['probe'])).stderr).toMatch(/--target is required/);
    const bad = await runCli(['probe', '--target', 'mysql://m:p@127.0.0.1:1', '--connect-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--connect-timeout must be a number of seconds/);
  });

  it('reports a closed port and a hanging server by name within the timeout, never hanging', async () => {
    // Prepare
    const refused = await closedPort();
    const hang = await silentPort();
    try {
      // Act
      const started = Date.now();
      const result = await runCli([
        'probe',
        '--target', `mysql://mon:pw-123@127.0.0.1:${refused}/?name=closed-db`,
        '--target', `postgres://mon:pw-123@127.0.0.1:${hang.port}/app?name=hung-db`,
        '--connect-timeout', '1',
        '--format', 'json',
      ]);
      // Assess
      expect(Date.now() - started).toBeLessThan(4000);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.findings.map((f: { resource: string; evidence: { failureKind: string } }) => [f.resource, f.evidence.failureKind]).sort()).toEqual([
        ['closed-db', 'refused'],
        ['hung-db', 'timeout'],
      ]);
      expect(result.stdout).not.toContain('pw-123');
    } finally {
      await hang.close();
    }
  });
});
