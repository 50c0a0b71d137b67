/**
 * What the deployed checker (createChecker) reads, with and without member accounts: the real
 * STS, RDS and CloudWatch clients against a FaultWorld endpoint, the alert and probe table on
 * dynalite. A member account must be read exactly as the deploying account is, and the deployed
 * probe's results must join the read either way.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lambdas/core/config';
import { ACCOUNT, FaultWorld } from '../support/fault-world';
import type { RecordedRequest } from '../support/local-aws-endpoint';
import { deployInWorld, useWorldServers } from '../support/world-checker';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MEMBER = '222233334444';
const T0 = Date.parse('2026-11-24T10:00:00Z');
const PROBES: ConfigInput['probes'] = {
  vpcs: [{ name: 'app', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] }],
  targets: [{ match: { identifier: 'orders*' }, vpc: 'app', credentials: { iamUser: 'replguard_probe' } }],
};

const servers = useWorldServers();

async function checkOnce(configInput: ConfigInput) {
  const world = new FaultWorld();
  world.add({ id: 'orders', region: 'us-east-1', account: MEMBER });
  world.add({ id: 'orders-ro', region: 'us-east-1', source: 'orders', account: MEMBER });
  world.now = () => new Date(T0);
  const { endpoint, invoke } = await deployInWorld(servers, world, {
    config: { regions: ['us-east-1', 'us-west-2'], notifications: { emails: ['oncall@example.com'] }, ...configInput },
    clock: () => new Date(T0),
    name: 'reads',
  });
  await invoke();
  return { world, requests: endpoint.requests };
}

const epochMs = (value: unknown) => (typeof value === 'number' ? value * 1000 : Date.parse(String(value)));

/** What one account's read in us-east-1 asked for: RDS operations, and each metric request's window in minutes. */
function readShape(world: FaultWorld, requests: readonly RecordedRequest[], account: string): string[] {
  const shapes = requests
    .filter((r) => r.region === 'us-east-1' && world.accountOf(r) === account)
    .flatMap((r) => {
      if (r.service === 'rds') return [r.operation];
      if (r.operation === 'GetMetricData') return [`GetMetricData ${(epochMs(r.json.EndTime) - epochMs(r.json.StartTime)) / 60_000} min`];
      return [];
    });
  return [...new Set(shapes)].sort();
}

describe('what the deployed checker reads', () => {
  it('reads a member account as it reads its own: the same calls, the configured lag window, the automated backups', async () => {
    // Prepare: settings that change what a read asks for.
    const { world, requests } = await checkOnce({
      accounts: [{ id: MEMBER, regions: ['us-east-1'] }],
      includeDeployingAccount: true,
      lag: { windowMinutes: 20 },
      dr: { requireReplicatedBackups: true },
    });

    // Act
    const own = readShape(world, requests, ACCOUNT);
    const member = readShape(world, requests, MEMBER);

    // Assess
    expect(own).toEqual(expect.arrayContaining(['DescribeDBInstanceAutomatedBackups', 'DescribeDBInstances', 'GetMetricData 20 min']));
    expect(member).toEqual(own);
  });

  it("joins the deployed probe's results to the read in one account: a probe VPC that never reported is CHECK_DEGRADED", async () => {
    // Act
    const { world } = await checkOnce({ probes: PROBES });

    // Assess
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]!.email).toMatch(/CHECK_DEGRADED[\s\S]*has not reported any results/);
  });

  it("joins the deployed probe's results to the deploying account's read when member accounts are read too", async () => {
    // Act
    const { world } = await checkOnce({ probes: PROBES, accounts: [{ id: MEMBER, regions: ['us-east-1'] }] });

    // Assess
    expect(world.sent).toHaveLength(1);
    expect(world.sent[0]!.email).toMatch(/CHECK_DEGRADED[\s\S]*has not reported any results/);
  });
});
