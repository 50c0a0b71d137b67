import { describe, expect, it, vi } from 'vitest';
import { AssumeRoleSessions } from '../../lambdas/aws/assume-role';
import { createLiveOrgReader, type LiveOrgReaderOptions } from '../../lambdas/aws/live-org-reader';
import type { AccountTarget } from '../../lambdas/core/fleet/accounts';
import { FAKE_CREDENTIALS, rdsError, stsError, type RecordedRequest, type Reply, type Route } from '../support/local-aws-endpoint';
import { fleetRoute, localAwsEndpoints } from '../support/live-aws-fleet';
import { accountOfRole, assumeRoleReply, sessionKeyOf, stsClientAt } from '../support/live-aws-org';
import { NOW_DATE } from '../support/fleet';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const endpoints = localAwsEndpoints();
const HUB = '111111111111';
const PROD = '222222222222';
const DEV = '333333333333';
const role = (account: string) => `arn:aws:iam::${account}:role/ReplicationGuardReader`;
const inAnHour = () => new Date(Date.now() + 3_600_000);

/** AssumeRole for any account, then the documented example fleet for every account and region. */
const orgRoute =
  (overrides: (r: RecordedRequest) => Reply | undefined = () => undefined): Route =>
  (r) =>
    overrides(r) ?? (r.operation === 'AssumeRole' ? assumeRoleReply(accountOfRole(r.form.get('RoleArn')), inAnHour()) : fleetRoute(r));

async function readOrg(route: Route, targets: AccountTarget[], options: LiveOrgReaderOptions = {}) {
  const endpoint = await endpoints.start(route);
  const reader = createLiveOrgReader({
    endpoint: endpoint.url,
    now: () => NOW_DATE,
    read: { includeParameters: true, includeAutomatedBackups: true, retry: { sleep: async () => {} } },
    ...options,
  });
  const snapshot = await reader.read(targets);
  return { snapshot, requests: endpoint.requests, reader };
}

const rdsBy = (requests: RecordedRequest[], key: string) => requests.filter((r) => r.service === 'rds' && r.accessKeyId === key);

describe('createLiveOrgReader through the real STS, RDS and CloudWatch clients', () => {
  it('reads the deploying account with its own credentials and each member account with its assumed role, AssumeRole once per account', async () => {
    // Prepare
    const targets: AccountTarget[] = [
      { accountId: HUB, name: 'monitoring', regions: ['us-east-1'] },
      { accountId: PROD, name: 'prod', regions: ['us-east-1', 'eu-west-1'], roleArn: role(PROD), externalId: 'sre:42' },
      { accountId: DEV, regions: ['eu-west-1'], roleArn: role(DEV) },
    ];

    // Act
    const { snapshot, requests, reader } = await readOrg(orgRoute(), targets);

    // Assess
    expect(snapshot.format).toBe('replguard-snapshot/v2');
    expect(snapshot.capturedAt).toBe(NOW_DATE.toISOString());
    expect(Object.keys(snapshot.accounts)).toEqual([HUB, PROD, DEV]);
    expect(snapshot.accounts[HUB]!.name).toBe('monitoring');
    expect(Object.keys(snapshot.accounts[PROD]!.regions)).toEqual(['us-east-1', 'eu-west-1']);
    for (const account of Object.values(snapshot.accounts)) {
      expect(account.errors).toBeUndefined();
      for (const region of Object.values(account.regions)) {
        expect(region.errors).toBeUndefined();
        expect(region.dbInstances).toHaveLength(4);
      }
    }
    const assumes = requests.filter((r) => r.operation === 'AssumeRole');
    expect(assumes.map((r) => [r.form.get('RoleArn'), r.form.get('ExternalId'), r.form.get('RoleSessionName'), r.form.get('DurationSeconds')])).toEqual(
      expect.arrayContaining([
        [role(PROD), 'sre:42', 'replication-guard', '3600'],
        [role(DEV), null, 'replication-guard', '3600'],
      ]),
    );
    expect(assumes).toHaveLength(2);
    expect(reader.assumeRoleCalls).toBe(2);
    // Each account's calls are signed with that account's credentials, and only its own regions are read.
    expect(new Set(rdsBy(requests, FAKE_CREDENTIALS.accessKeyId).map((r) => r.region))).toEqual(new Set(['us-east-1']));
    expect(new Set(rdsBy(requests, sessionKeyOf(PROD)).map((r) => r.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    expect(new Set(rdsBy(requests, sessionKeyOf(DEV)).map((r) => r.region))).toEqual(new Set(['eu-west-1']));
    expect(requests.filter((r) => r.service === 'cloudwatch' && r.accessKeyId === sessionKeyOf(DEV)).length).toBeGreaterThan(0);
  });

  it('records an account whose role cannot be assumed as that account\'s error and reads the others', async () => {
    // Prepare
    const denied = `User: arn:aws:sts::${HUB}:assumed-role/ReplicationGuardChecker/checker is not authorized to perform: sts:AssumeRole on resource: ${role(DEV)}`;
    const route = orgRoute((r) => (r.operation === 'AssumeRole' && r.form.get('RoleArn') === role(DEV) ? stsError(403, 'AccessDenied', denied) : undefined));
    const targets: AccountTarget[] = [
      { accountId: PROD, regions: ['us-east-1'], roleArn: role(PROD) },
      { accountId: DEV, name: 'dev', regions: ['us-east-1', 'eu-west-1'], roleArn: role(DEV) },
    ];

    // Act
    const { snapshot, requests } = await readOrg(route, targets);

    // Assess
    expect(snapshot.accounts[DEV]).toEqual({
      name: 'dev',
      regions: {},
      errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: `cannot assume ${role(DEV)}: ${denied}` }],
    });
    expect(snapshot.accounts[PROD]!.errors).toBeUndefined();
    expect(snapshot.accounts[PROD]!.regions['us-east-1']!.dbInstances).toHaveLength(4);
    expect(requests.filter((r) => r.service === 'rds' && r.accessKeyId.includes(DEV))).toEqual([]);
  });

  it('assumes the role again once when a session expires mid-run, and the read completes', async () => {
    // Prepare: every request signed with the first session is refused as expired.
    let sessions = 0;
    const route = orgRoute((r) => {
      if (r.operation === 'AssumeRole') return assumeRoleReply(PROD, inAnHour(), ++sessions);
      if (r.accessKeyId === sessionKeyOf(PROD, 1)) {
        return r.service === 'rds'
          ? rdsError(403, 'ExpiredToken', 'The security token included in the request is expired')
          : { status: 403, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'ExpiredToken;Sender' }, body: JSON.stringify({ __type: 'com.amazon.coral.service#ExpiredTokenException', message: 'The security token included in the request is expired' }) };
      }
      return undefined;
    });

    // Act
    const { snapshot, requests, reader } = await readOrg(route, [{ accountId: PROD, regions: ['us-east-1', 'eu-west-1'], roleArn: role(PROD) }]);

    // Assess
    const account = snapshot.accounts[PROD]!;
    expect(account.errors).toBeUndefined();
    for (const region of Object.values(account.regions)) {
      expect(region.errors).toBeUndefined();
      expect(region.dbInstances).toHaveLength(4);
    }
    // Concurrent refusals share one new session.
    expect(reader.assumeRoleCalls).toBe(2);
    expect(rdsBy(requests, sessionKeyOf(PROD, 1)).length).toBeGreaterThan(0);
    expect(rdsBy(requests, sessionKeyOf(PROD, 2)).length).toBeGreaterThan(0);
  });

  it('keeps an account whose new session is refused too as region errors, not a crash', async () => {
    // Prepare
    const route = orgRoute((r) =>
      r.service === 'rds' && r.accessKeyId.startsWith('ASIA') ? rdsError(403, 'ExpiredToken', 'The security token included in the request is expired') : undefined,
    );

    // Act
    const { snapshot } = await readOrg(route, [{ accountId: PROD, regions: ['us-east-1'], roleArn: role(PROD) }]);

    // Assess
    const errors = snapshot.accounts[PROD]!.regions['us-east-1']!.errors ?? [];
    expect(errors.map((e) => `${e.operation} ${e.code}`)).toEqual(expect.arrayContaining(['rds:DescribeDBInstances ExpiredToken', 'rds:DescribeDBClusters ExpiredToken']));
  });

  it('paces each account-region separately: never more than burst + rate RDS calls in any second', async () => {
    // Prepare: a slow pace so the read of one region takes more than a second.
    const pace = { ratePerSecond: 4, burst: 1 };
    const targets: AccountTarget[] = [{ accountId: PROD, regions: ['us-east-1', 'eu-west-1'], roleArn: role(PROD) }];

    // Act
    const started = performance.now();
    const { requests } = await readOrg(orgRoute(), targets, { rdsPace: pace });
    const wallMs = performance.now() - started;

    // Assess
    for (const region of ['us-east-1', 'eu-west-1']) {
      const times = rdsBy(requests, sessionKeyOf(PROD)).filter((r) => r.region === region).map((r) => r.receivedAt).sort((a, b) => a - b);
      expect(times.length).toBeGreaterThanOrEqual(7);
      const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
      expect(busiest).toBeLessThanOrEqual(pace.burst + pace.ratePerSecond);
      // (n - burst) tokens at 4 per second: the pacer did hold the calls back (unpaced, they arrive
      // within milliseconds). One token's interval of slack: arrival times carry the machine's
      // scheduling delay, which on a busy machine exceeds a few milliseconds.
      const tokenMs = 1000 / pace.ratePerSecond;
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((times.length - pace.burst) * tokenMs - tokenMs);
    }
    // The two regions were paced side by side, not one after the other.
    const perRegion = rdsBy(requests, sessionKeyOf(PROD)).filter((r) => r.region === 'us-east-1').length;
    expect(wallMs).toBeLessThan(((2 * perRegion - pace.burst) / pace.ratePerSecond) * 1000);
  });

  it('reads at most accountConcurrency accounts at once', async () => {
    // Prepare
    const accounts = ['222222222222', '333333333333', '444444444444', '555555555555', '666666666666'];
    const inFlight = new Map<string, number>();
    let most = 0;
    const route: Route = async (r) => {
      const account = r.operation === 'AssumeRole' ? accountOfRole(r.form.get('RoleArn')) : r.accessKeyId;
      inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
      most = Math.max(most, [...inFlight.values()].filter((n) => n > 0).length);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight.set(account, inFlight.get(account)! - 1);
      return orgRoute()(r);
    };

    // Act
    const { snapshot } = await readOrg(route, accounts.map((id) => ({ accountId: id, regions: ['us-east-1'], roleArn: role(id) })), { accountConcurrency: 2 });

    // Assess
    expect(Object.keys(snapshot.accounts)).toEqual(accounts);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  });
});

describe('AssumeRoleSessions through the real STS client', () => {
  it('reuses an account\'s credentials until they are within the refresh margin of expiring, then assumes again', async () => {
    // Prepare
    let clock = Date.parse('2026-11-30T10:00:00Z');
    let issued = 0;
    const endpoint = await endpoints.start((r) => assumeRoleReply(accountOfRole(r.form.get('RoleArn')), new Date(Date.parse('2026-11-30T10:10:00Z')), ++issued));
    const sessions = new AssumeRoleSessions({ sts: stsClientAt(endpoint.url), refreshBeforeExpiryMs: 5 * 60_000, now: () => clock });
    const session = sessions.sessionFor(role(PROD));

    // Act
    const first = await session.get();
    clock += 4 * 60_000; // 6 minutes left
    const cached = await session.get();
    clock += 2 * 60_000; // 4 minutes left: inside the margin
    const renewed = await session.get();

    // Assess
    expect(first.accessKeyId).toBe(sessionKeyOf(PROD, 1));
    expect(first.sessionToken).toMatch(/^AQoXdzELDDY/);
    expect(first.expiration?.toISOString()).toBe('2026-11-30T10:10:00.000Z');
    expect(cached.accessKeyId).toBe(sessionKeyOf(PROD, 1));
    expect(renewed.accessKeyId).toBe(sessionKeyOf(PROD, 2));
    expect(sessions.assumeRoleCalls).toBe(2);
  });

  it('shares one AssumeRole among concurrent first requests of an account', async () => {
    // Prepare
    const endpoint = await endpoints.start((r) => assumeRoleReply(accountOfRole(r.form.get('RoleArn')), inAnHour()));
    const sessions = new AssumeRoleSessions({ sts: stsClientAt(endpoint.url) });

    // Act
    const all = await Promise.all([1, 2, 3].map(() => sessions.sessionFor(role(PROD)).provider()));

    // Assess
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set([sessionKeyOf(PROD)]));
    expect(endpoint.requests).toHaveLength(1);
  });
});
