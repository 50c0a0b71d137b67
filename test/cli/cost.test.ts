import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costCommand } from '../../bin/cli/cost';
import { UsageError, type CliIo } from '../../bin/cli/types';

function capture(): CliIo & { out: string[] } {
  const out: string[] = [];
  return { out, stdout: (t) => out.push(t), stderr: () => undefined, stdoutIsTTY: false, stderrIsTTY: false, env: {} };
}

describe('replguard cost', () => {
  it('prints the monthly bill per service with its assumptions', async () => {
    const io = capture();

    const code = await costCommand.run(['--replicas', '1000'], io);

    const text = io.out.join('');
    expect(code).toBe(0);
    expect(text).toContain('Monthly cost for 1000 replicas in 1 region');
    expect(text).toMatch(/GetMetricData metrics requested, health checks\s+43,200,000 metrics\s+\$432\.00/);
    expect(text).not.toContain('GetMetricData metrics requested, drift checks');
    expect(text).toMatch(/TOTAL\s+\$\d+\.\d\d per month/);
    expect(text).toMatch(/Largest item: CloudWatch GetMetricData metrics requested, health checks, \$432\.00 \(9\d% of the total\); set by schedule\.checkRateMinutes/);
    expect(text).toContain('Assumptions:');
    for (const service of ['CloudWatch', 'Lambda', 'SNS', 'DynamoDB']) expect(text).toContain(service);
  });

  it('reads the config file and prints JSON on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replguard-cost-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ regions: ['us-east-1', 'eu-west-1'], metrics: { perReplica: true } }));
    const io = capture();

    await costCommand.run(['--replicas', '100', '--config', file, '--format', 'json'], io);

    const json = JSON.parse(io.out.join('')) as { regions: number; totalUsd: number; lines: { item: string; quantity: number }[] };
    expect(json.regions).toBe(2);
    expect(json.lines.find((l) => l.item.startsWith('custom metrics'))!.quantity).toBe(17 + 200);
    expect(json.totalUsd).toBeGreaterThan(0);
  });

  it('needs --replicas as a whole number', async () => {
    await expect(costCommand.run([], capture())).rejects.toThrow(UsageError);
    await expect(costCommand.run(['--replicas', 'many'], capture())).rejects.toThrow(/--replicas must be a whole number/);
  });
});
