/**
 * The deployed checker reading member accounts: createChecker with `accounts` in its config, the
 * real STS, RDS, CloudWatch and SNS clients against a local endpoint whose RDS answers depend on
 * which account's credentials signed the call, and the alert table on dynalite.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lambdas/core/config';
import { ACCOUNT, FaultWorld } from '../support/fault-world';
import { deployInWorld, useWorldServers } from '../support/world-checker';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MEMBER = '222233334444';
const T0 = Date.parse('2026-11-24T10:00:00Z');
const MINUTE = 60_000;

const servers = useWorldServers();

async function organization(configInput: ConfigInput) {
  const world = new FaultWorld();
  // The member account has its own orders database and replica, with the same names as the hub's.
  world.add({ id: 'orders', region: 'us-east-1', account: MEMBER });
  world.add({ id: 'orders-ro', region: 'us-east-1', source: 'orders', account: MEMBER });
  let now = T0;
  world.now = () => new Date(now);
  const { endpoint, invoke } = await deployInWorld(servers, world, {
    config: { regions: ['us-east-1', 'us-west-2'], notifications: { emails: ['oncall@example.com'] }, ...configInput },
    clock: () => new Date(now),
    name: 'accounts',
  });
  const assumeRoleCalls = () => endpoint.requests.filter((r) => r.operation === 'AssumeRole');
  return { world, endpoint, invoke, assumeRoleCalls, later: (minutes: number) => (now += minutes * MINUTE) };
}

describe('the checker over member accounts', () => {
  it("pages a member account's broken replica as its own alert, named with the account, beside the hub's healthy namesake", async () => {
    // Prepare
    const org = await organization({ accounts: [{ id: MEMBER, name: 'payments-prod', regions: ['us-east-1'] }] });
    org.world.get(`${MEMBER}:orders-ro`).status = 'error';

    // Act
    const outcome = await org.invoke();
    org.later(1);
    await org.invoke();

    // Assess: one alert, the member's; its message names the account; one AssumeRole for both runs.
    expect(outcome.transitions).toMatchObject({ opened: 1 });
    expect(org.world.sent).toHaveLength(1);
    expect(org.world.sent[0]!.news).toEqual(expect.arrayContaining(['NEW REPLICATION_BROKEN orders-ro']));
    expect(org.world.sent[0]!.email).toContain(`account ${MEMBER} payments-prod`);
    expect(org.world.sent[0]!.email).not.toMatch(new RegExp(`REPLICATION_BROKEN on orders-ro \\(us-east-1, account ${ACCOUNT}`));
    expect(org.assumeRoleCalls()).toHaveLength(1);
    expect(org.assumeRoleCalls()[0]!.form.get('RoleArn')).toBe(`arn:aws:iam::${MEMBER}:role/ReplicationGuardReader`);
  });

  it("holds a member account's open alert while its role cannot be assumed, and still resolves the hub's", async () => {
    // Prepare: both accounts' replicas broken and paged.
    const org = await organization({ accounts: [{ id: MEMBER, regions: ['us-east-1'] }] });
    org.world.get(`${MEMBER}:orders-ro`).status = 'error';
    org.world.get('orders-ro').status = 'error';
    await org.invoke();

    // Act: the member's role is refused; meanwhile both replicas recover.
    org.world.deniedAccounts.add(MEMBER);
    org.world.get(`${MEMBER}:orders-ro`).status = 'replicating';
    org.world.get('orders-ro').status = 'replicating';
    org.later(61);
    await org.invoke();

    // Assess: the hub's alert resolves; the member's is not resolved blind; the refusal is a finding of that account.
    const second = org.world.sent[1]!;
    expect(second.news).toContain('RESOLVED REPLICATION_BROKEN orders-ro');
    expect(second.news.filter((n) => n === 'RESOLVED REPLICATION_BROKEN orders-ro')).toHaveLength(1);
    expect(second.news).toContain('NEW CHECK_DEGRADED sts:AssumeRole');
    expect(second.email).toContain(`account ${MEMBER}`);
    expect(second.email).toMatch(/RESOLVED[\s\S]*orders-ro \(us-east-1, account 123456789012/);
  });

  it('reads only its own account, without STS, when no member account is configured', async () => {
    // Prepare
    const org = await organization({});
    org.world.get(`${MEMBER}:orders-ro`).status = 'error';

    // Act
    await org.invoke();

    // Assess
    expect(org.assumeRoleCalls()).toHaveLength(0);
    expect(org.world.sent).toHaveLength(0);
  });

  it("a drift run reads a member account's parameter groups and no metric, and reports the member's replica that would stop on a large row", async () => {
    // Prepare: the member's replica allows smaller packets than its source (a row event the source
    // writes could stop replication).
    const org = await organization({ accounts: [{ id: MEMBER, name: 'payments-prod', regions: ['us-east-1'] }] });
    org.world.instances.set(`${MEMBER}:orders`, { ...org.world.get(`${MEMBER}:orders`), parameterGroup: 'orders-source' });
    org.world.instances.set(`${MEMBER}:orders-ro`, { ...org.world.get(`${MEMBER}:orders-ro`), parameterGroup: 'orders-replica' });
    org.world.parameterGroups.set(`${MEMBER}:orders-source`, { max_allowed_packet: '1073741824' });
    org.world.parameterGroups.set(`${MEMBER}:orders-replica`, { max_allowed_packet: '16777216' });

    // Act
    const outcome = await org.invoke('drift');

    // Assess
    const requests = org.endpoint.requests;
    const memberGroupsRead = requests.filter((r) => r.operation === 'DescribeDBParameters').map((r) => r.form.get('DBParameterGroupName'));
    expect(memberGroupsRead).toEqual(expect.arrayContaining(['orders-source', 'orders-replica']));
    expect(requests.filter((r) => r.operation === 'GetMetricData')).toHaveLength(0);
    expect(outcome).toMatchObject({ scope: 'drift' });
    expect(org.world.sent).toHaveLength(1);
    expect(org.world.sent[0]!.news).toContain('NEW REPLICA_PARAM_MISMATCH orders-ro');
    expect(org.world.sent[0]!.email).toContain(`account ${MEMBER} payments-prod`);
    expect(org.world.sent[0]!.news.filter((n) => n.includes('CHECK_DEGRADED'))).toEqual([]);
  });
});
