import { estimateMonthlyCost, type CostEstimate } from '../../lambdas/core/outputs/cost';
import {
  DEFAULT_MIX,
  FLEET_MIXES,
  MIX_DESCRIPTIONS,
  planOrgUsage,
  syntheticFleetUsage,
  type FleetMix,
} from '../../lambdas/core/outputs/cost-fleet';
import { OrgSnapshotFileReader } from '../../lambdas/io/snapshot-file-reader';
import { parseFlags, parseFormatFlag } from './args';
import { loadConfigFile } from './config-file';
import { EXIT_OK, UsageError, type CliCommand } from './types';

const OPTIONS = {
  replicas: { type: 'string' },
  mix: { type: 'string' },
  accounts: { type: 'string' },
  snapshot: { type: 'string' },
  config: { type: 'string' },
  format: { type: 'string' },
} as const;

const usage = `Usage: replguard cost --replicas N [--mix MIX] [--accounts N|ID,...] [--config FILE] [--format table|json]
       replguard cost --snapshot FILE [--config FILE] [--format table|json]

Prints the monthly AWS bill of a deployment with this config: CloudWatch (GetMetricData, custom
metrics, PutMetricData, alarms, dashboard), Lambda, SNS, DynamoDB and KMS, per month and per
replica-month, with every assumption the estimate rests on, and how soon the config's schedule
detects broken replication and lag over critical. The metrics each health run requests
are planned by the same planner the checker uses, on a real fleet (--snapshot) or on a synthetic
fleet of N replicas of a mix (--replicas).

  --replicas N      replicas in a synthetic fleet (whole number, 0 or more)
  --mix MIX         what the synthetic fleet is made of (default ${DEFAULT_MIX}):
${FLEET_MIXES.map((m) => `                      ${m.padEnd(9)} ${MIX_DESCRIPTIONS[m]}`).join('\n')}
  --accounts N|IDS  the accounts the replicas are spread over, as a count or the account ids
                    (default: 1, or the accounts in the snapshot); each account past the first
                    adds its per-account metrics
  --snapshot FILE   price this fleet exactly (a replguard-snapshot/v1 or v2 file, e.g. from "replguard snapshot")
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

const minutes = (n: number) => (n % 60 === 0 && n >= 60 ? `${n / 60} h` : `${n} min`);

/** What the price buys: how soon the scheduled runs see each kind of problem. */
function detectionLines(estimate: CostEstimate): string[] {
  const { cadence: c, detection: d } = estimate;
  return [
    `Profile ${c.profile}: status every ${minutes(c.statusEveryMinutes)}, lag every ${minutes(c.lagEveryMinutes)}, ` +
      `slot lag and global RPO every ${minutes(c.detailEveryMinutes)}.`,
    `Detection (worst case, scheduled runs):`,
    `  broken replication          ${minutes(d.brokenMinutes)} (at once on an RDS replication event)`,
    `  lag over critical           ${minutes(d.lagOverCriticalMinutes)} after the rule's datapoints are in ` +
      `(${minutes(d.lagFromFirstDatapointMinutes)} after the first datapoint over critical)`,
    `  RPO over its target         ${minutes(d.rpoMinutes)} (a global secondary's RPO lag: ${minutes(d.detailMinutes)})`,
    `  replication slot lag        ${minutes(d.detailMinutes)}`,
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
  const perReplica =
    estimate.perReplicaMonthUsd === null
      ? []
      : [
          `  ${'PER REPLICA'.padEnd(16)} $${estimate.perReplicaMonthUsd.toFixed(4)} per replica-month` +
            ` (GetMetricData $${estimate.getMetricDataPerReplicaMonthUsd!.toFixed(4)})`,
        ];
  const out = [
    `Monthly cost for ${estimate.replicas} replica${estimate.replicas === 1 ? '' : 's'} in ${estimate.regions} region${estimate.regions === 1 ? '' : 's'}` +
      (estimate.accounts > 1 ? ` across ${estimate.accounts} accounts` : ''),
    `Fleet: ${estimate.fleet.source}`,
    `Metrics requested per health run: ${estimate.fleet.metricsPerHealthRun.toLocaleString('en-US')} on a full read, ` +
      `${estimate.fleet.metricsPerRunByLevel.lag.toLocaleString('en-US')} on a lag read, none on a status read`,
    '',
    ...rows.map(line),
    '',
    ...Object.entries(estimate.byService)
      .filter(([, v]) => v > 0)
      .map(([service, v]) => `  ${service.padEnd(16)} ${usd(v)}`),
    `  ${'TOTAL'.padEnd(16)} ${usd(estimate.totalUsd)} per month`,
    ...perReplica,
    ...(estimate.accounts > 1 ? [`  ${'PER ACCOUNT'.padEnd(16)} $${estimate.perAccountMonthUsd.toFixed(4)} per account-month (${estimate.accounts} accounts)`] : []),
    '',
    ...detectionLines(estimate),
    ...largestItem(estimate),
    '',
    'Assumptions:',
    ...estimate.assumptions.map((a) => `  - ${a}`),
  ];
  return `${out.join('\n')}\n`;
}

function parseReplicas(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--replicas must be a whole number of 0 or more (got "${value}")`);
  return Number(value.trim());
}

/** A count of accounts, or the account ids themselves (12 digits each) as --accounts takes them elsewhere. */
function parseAccounts(value: string): number {
  const text = value.trim();
  if (/^\d{1,6}$/.test(text) && Number(text) >= 1) return Number(text);
  const ids = text.split(',').map((id) => id.trim());
  const bad = ids.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) {
    throw new UsageError(`--accounts must be a number of accounts (1 or more) or 12-digit account ids separated by commas (got "${bad || value}")`);
  }
  return new Set(ids).size;
}

function parseMix(value: string | undefined): FleetMix {
  if (value === undefined) return DEFAULT_MIX;
  if ((FLEET_MIXES as readonly string[]).includes(value)) return value as FleetMix;
  throw new UsageError(`--mix must be one of ${FLEET_MIXES.join(', ')} (got "${value}")`);
}

export const costCommand: CliCommand = {
  name: 'cost',
  summary: 'print the monthly AWS cost of the current config for a fleet size',
  usage,
  flags: Object.keys(OPTIONS),
  async run(args, io) {
    const { values } = parseFlags(args, OPTIONS);
    const format = parseFormatFlag(values.format);
    if (values.snapshot !== undefined && (values.replicas !== undefined || values.mix !== undefined || values.accounts !== undefined)) {
      throw new UsageError('--snapshot prices the fleet in the file: it cannot be combined with --replicas, --mix or --accounts');
    }
    if (values.snapshot === undefined && values.replicas === undefined) {
      throw new UsageError('--replicas N or --snapshot FILE is required, e.g. --replicas 200 or --snapshot fleet.json');
    }
    const replicas = values.replicas === undefined ? undefined : parseReplicas(values.replicas);
    const mix = parseMix(values.mix);
    let accounts = values.accounts === undefined ? 1 : parseAccounts(values.accounts);
    const config = await loadConfigFile(values.config);
    let fleet;
    if (values.snapshot !== undefined) {
      const org = await new OrgSnapshotFileReader(values.snapshot).read();
      accounts = Object.keys(org.accounts).length;
      fleet = planOrgUsage(org, `snapshot ${values.snapshot}`);
    } else {
      fleet = syntheticFleetUsage(mix, replicas!, config.regions);
    }
    const estimate = estimateMonthlyCost({ config, fleet, accounts });
    io.stdout(format === 'json' ? `${JSON.stringify(estimate, null, 2)}\n` : renderCostTable(estimate));
    return EXIT_OK;
  },
};
