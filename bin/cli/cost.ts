import { estimateMonthlyCost, type CostEstimate } from '../../lambdas/core/cost';
import { parseFlags, parseFormatFlag } from './args';
import { loadConfigFile } from './config-file';
import { EXIT_OK, UsageError, type CliCommand } from './types';

const OPTIONS = { replicas: { type: 'string' }, config: { type: 'string' }, format: { type: 'string' } } as const;

const usage = `Usage: replguard cost --replicas N [--config FILE] [--format table|json]

Prints the monthly AWS bill of a deployment with this config watching N replicas:
CloudWatch (GetMetricData, custom metrics, PutMetricData, alarms, dashboard), Lambda, SNS,
DynamoDB and KMS, with every assumption the estimate rests on.

  --replicas N      replicas in the fleet (whole number, 0 or more)
  --config FILE     replguard config (JSON); defaults apply when omitted
  --format FORMAT   table (default) or json`;

const usd = (value: number) => (value < 0.01 && value > 0 ? '<$0.01' : `$${value.toFixed(2)}`);

function quantity(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** The line that dominates the bill and the setting that moves it: what a reader wants to know first. */
function largestItem(estimate: CostEstimate): string[] {
  const top = [...estimate.lines].sort((a, b) => b.monthlyUsd - a.monthlyUsd)[0];
  if (!top || estimate.totalUsd <= 0) return [];
  const share = Math.round((top.monthlyUsd / estimate.totalUsd) * 100);
  return [
    '',
    `Largest item: ${top.service} ${top.item}, ${usd(top.monthlyUsd)} (${share}% of the total)` +
      (top.lever ? `; set by ${top.lever}.` : '.'),
  ];
}

export function renderCostTable(estimate: CostEstimate): string {
  const rows = [
    ['SERVICE', 'ITEM', 'QUANTITY', 'MONTHLY'],
    ...estimate.lines.map((l) => [l.service, l.item, `${quantity(l.quantity)} ${l.quantity === 1 ? l.unit.replace(/s$/, '') : l.unit}`, usd(l.monthlyUsd)]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: readonly string[]) =>
    r.map((cell, col) => (col === 3 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!))).join('  ').trimEnd();
  const out = [
    `Monthly cost for ${estimate.replicas} replica${estimate.replicas === 1 ? '' : 's'} in ${estimate.regions} region${estimate.regions === 1 ? '' : 's'}`,
    '',
    ...rows.map(line),
    '',
    ...Object.entries(estimate.byService)
      .filter(([, v]) => v > 0)
      .map(([service, v]) => `  ${service.padEnd(16)} ${usd(v)}`),
    `  ${'TOTAL'.padEnd(16)} ${usd(estimate.totalUsd)} per month`,
    ...largestItem(estimate),
    '',
    'Assumptions:',
    ...estimate.assumptions.map((a) => `  - ${a}`),
  ];
  return `${out.join('\n')}\n`;
}

function parseReplicas(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--replicas is required, e.g. --replicas 200');
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--replicas must be a whole number of 0 or more (got "${value}")`);
  return Number(value.trim());
}

export const costCommand: CliCommand = {
  name: 'cost',
  summary: 'print the monthly AWS cost of the current config for a fleet size',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseFormatFlag(values.format);
    const replicas = parseReplicas(values.replicas);
    const config = await loadConfigFile(values.config);
    const estimate = estimateMonthlyCost({ config, replicas });
    io.stdout(format === 'json' ? `${JSON.stringify(estimate, null, 2)}\n` : renderCostTable(estimate));
    return EXIT_OK;
  },
};
