import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const DEMO_ORG = 'examples/demo-org.json';

describe('replguard check on a snapshot of several accounts', () => {
  it('groups the table by account, listing the account with no databases and the one that could not be read', async () => {
    // Act
    const result = await runCli(['check', '--snapshot', DEMO_ORG]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 replicas, 2 healthy in 4 accounts');
    expect(result.stdout).toContain('ACCOUNT 111122223333 (payments-prod): 3 databases, 2 replicas in 2 regions (eu-west-1, us-east-1)');
    expect(result.stdout).toContain('ACCOUNT 777788889999 (sandbox): 0 databases, 0 replicas in 2 regions (eu-west-1, us-east-1)');
    expect(result.stdout).toContain('ACCOUNT 222233334444 (legacy-billing): could not be read in 1 region (us-east-1): see CHECK_DEGRADED');
    expect(result.stdout).toContain('REPLICA_LAG_HIGH  111122223333 (payments-prod) us-east-1/orders-db-ro');
    // Accounts in order, each with its own replicas: the same replica name in two accounts stays two rows.
    const payments = result.stdout.indexOf('ACCOUNT 111122223333');
    const search = result.stdout.indexOf('ACCOUNT 444455556666');
    expect(result.stdout.slice(payments, search).match(/orders-db-ro/g)).toHaveLength(1);
    expect(result.stdout.slice(search).indexOf('orders-db-ro')).toBeGreaterThan(0);
  });

  it('names the account on every finding, replica and DR entry in JSON, and lists every account read', async () => {
    // Act
    const result = await runCli(['check', '--snapshot', DEMO_ORG, '--format', 'json']);

    // Assess
    const report = JSON.parse(result.stdout);
    expect(report.findings.every((f: { accountId?: string }) => /^\d{12}$/.test(f.accountId ?? ''))).toBe(true);
    expect(report.replicas.map((r: { accountId: string; accountName: string; id: string }) => `${r.accountId} ${r.accountName} ${r.id}`)).toEqual([
      '111122223333 payments-prod orders-db-dr',
      '111122223333 payments-prod orders-db-ro',
      '444455556666 search-prod orders-db-ro',
    ]);
    expect(report.dr[0]).toMatchObject({ accountId: '111122223333', primary: 'orders-db' });
    expect(report.accounts.map((a: { accountId: string; read: string; databases: number }) => `${a.accountId} ${a.read} ${a.databases}`)).toEqual([
      '111122223333 full 3',
      '222233334444 unreadable 0',
      '444455556666 full 2',
      '777788889999 full 0',
    ]);
  });

  it('refuses to merge accounts in commands that work on one account, naming them', async () => {
    // Act
    const result = await runCli(['report', '--snapshot', DEMO_ORG, '--out', '/tmp/replguard-org-report.html']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${DEMO_ORG} holds 4 accounts (111122223333, 222233334444, 444455556666, 777788889999) and this command works on one`);
  });
});
