import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costCommand } from '../../bin/cli/cost';
import { UsageError, type CliIo } from '../../bin/cli/types';
import { syntheticFleet } from '../../lambdas/core/outputs/cost-fleet';
import { planMetricQueries } from '../../lambdas/core/fleet/metric-plan';
import { parseSnapshotText } from '../../lambdas/core/fleet/snapshot';
import { buildTopology } from '../../lambdas/core/fleet/topology';
import { runCli } from '../support/cli';

function capture(): CliIo & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {} };
}

describe('replguard cost', () => {
  it('prints the monthly bill per service with its assumptions', async () => {
    const io = capture();

    const code = await costCommand.run(['--replicas', '1000', '--mix', 'mysql'], io);

    const text = io.out.join('');
    expect(code).toBe(0);
    expect(text).toContain('Monthly cost for 1000 replicas in 1 region');
    expect(text).toContain('Fleet: synthetic mysql fleet');
    // The default profile: one lag series per replica every 5 minutes, everything twice a day.
    expect(text).toMatch(/PER REPLICA\s+\$0\.0977 per replica-month \(GetMetricData \$0\.0864\)/);
    expect(text).toMatch(/GetMetricData metrics requested, health checks\s+8,640,000 metrics\s+\$86\.40/);
    expect(text).toMatch(/broken replication\s+1 min \(at once on an RDS replication event\)/);
    expect(text).toMatch(/lag over critical\s+5 min after the rule's datapoints are in \(9 min after the first datapoint over critical\)/);
    expect(text).toMatch(/RPO over its target\s+5 min \(a global secondary's RPO lag: 12 h\)/);
    expect(text).toMatch(/replication slot lag\s+12 h/);
    expect(text).not.toContain('GetMetricData metrics requested, drift checks');
    expect(text).toMatch(/TOTAL\s+\$\d+\.\d\d per month/);
    expect(text).toMatch(/Largest item: CloudWatch GetMetricData metrics requested, health checks, \$86\.40 \(8\d% of the total\); set by schedule\.profile/);
    expect(text).toContain('Assumptions:');
    for (const service of ['CloudWatch', 'Lambda', 'SNS', 'DynamoDB']) expect(text).toContain(service);
  });

  it('reads the config file and prints JSON on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replguard-cost-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ regions: ['us-east-1', 'eu-west-1'], metrics: { perReplica: true } }));
    const io = capture();

    await costCommand.run(['--replicas', '100', '--config', file, '--format', 'json'], io);

    const json = JSON.parse(io.out.join('')) as {
      regions: number;
      totalUsd: number;
      perReplicaMonthUsd: number;
      fleet: { metricsPerHealthRun: number };
      lines: { item: string; quantity: number }[];
    };
    expect(json.regions).toBe(2);
    // The default mixed fleet: 40 MySQL, 30 PostgreSQL (lag + 2 slot series), 20 Aurora readers, 10 global (3 series per pair).
    const planned = planMetricQueries(buildTopology(syntheticFleet('mixed', 100, ['us-east-1', 'eu-west-1']))).length;
    expect(json.fleet.metricsPerHealthRun).toBe(planned);
    expect(planned).toBe(40 + 30 * 3 + 20 + 5 * 3);
    expect(json.perReplicaMonthUsd).toBeCloseTo(json.totalUsd / 100, 2);
    expect(json.lines.find((l) => l.item.startsWith('custom metrics'))!.quantity).toBe(12 + 200);
    expect(json.totalUsd).toBeGreaterThan(0);
  });

  it('needs --replicas as a whole number', async () => {
    await expect(costCommand.run([], capture())).rejects.toThrow(UsageError);
    await expect(costCommand.run(['--replicas', 'many'], capture())).rejects.toThrow(/--replicas must be a whole number/);
  });

  it('prices a snapshot by the queries the planner emits for it', async () => {
    // Prepare
    const topology = buildTopology(parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'demo-fleet.json'));
    const planned = planMetricQueries(topology).length;
    const lagOnly = planMetricQueries(topology, 'lag').length;

    // Act
    const result = await runCli(['cost', '--snapshot', 'examples/demo-fleet.json', '--format', 'json']);

    // Assess
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { fleet: { metricsPerHealthRun: number }; lines: { item: string; quantity: number }[] };
    expect(json.fleet.metricsPerHealthRun).toBe(planned);
    // A day of the default profile: 286 lag reads and 2 full reads, for 30 days.
    expect(json.lines.find((l) => l.item.startsWith('GetMetricData'))!.quantity).toBe((lagOnly * 286 + planned * 2) * 30);
  });

  it.each([
    [['--replicas', 'many'], '--replicas'],
    [['--replicas', '10', '--mix', 'oracle'], '--mix must be one of mysql, postgres, aurora, global, mixed (got "oracle")'],
    [['--snapshot', 'examples/demo-fleet.json', '--replicas', '10'], '--snapshot'],
    [['--snapshot', 'no-such-fleet.json'], 'no-such-fleet.json does not exist'],
    [['--replica', '10'], '--replica'],
    [['--mix', 'mysql'], '--replicas N or --snapshot FILE is required'],
  ])('exits 2 on %j, naming %s', async (args, named) => {
    const result = await runCli(['cost', ...args]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(named);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('replguard cost for an organization', () => {
  it.each([
    [['--accounts', '3'], 3],
    [['--accounts', '111122223333,444455556666'], 2],
  ])('prices %j as that many accounts', async (flags, accounts) => {
    const io = capture();

    const code = await costCommand.run(['--replicas', '100', ...flags], io);

    const text = io.out.join('');
    expect(code).toBe(0);
    expect(text).toContain(`across ${accounts} accounts`);
    expect(text).toMatch(new RegExp(`PER ACCOUNT\\s+\\$\\d+\\.\\d{4} per account-month \\(${accounts} accounts\\)`));
  });

  it.each([['0'], ['1234567'], ['1111222233,444455556666'], ['abc']])('rejects --accounts %s, naming the flag', async (value) => {
    await expect(costCommand.run(['--replicas', '10', '--accounts', value], capture())).rejects.toThrow(/--accounts must be a number of accounts/);
  });
});
