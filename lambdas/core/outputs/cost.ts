/**
 * The monthly bill of a deployment, from the config and a fleet's planned reads. Pure: one price
 * table, one function. The metric reads come from `FleetUsage` (the reader's own planner run on a
 * real or synthetic fleet), never from a per-replica guess. Prices are us-east-1 list prices
 * without free tier (sources in docs/aws-behaviour.md); every quantity that is an assumption (how
 * long a run takes, how often something is news) is listed with the estimate.
 */
import { detectionTimes, resolveCadence, runsPerDay, type Cadence, type DetectionTimes } from '../fleet/cadence';
import type { Config } from '../config';
import type { FleetUsage } from './cost-fleet';
import { PER_ACCOUNT_METRICS, PER_REPLICA_METRICS, fleetMetricCount } from './metrics';

/** us-east-1 list prices in USD. */
export const PRICES = {
  /** CloudWatch GetMetricData, per metric requested. */
  getMetricDataPerMetric: 0.01 / 1000,
  /** CloudWatch custom metrics per metric-month, tiered by the account's total. */
  customMetricTiers: [
    { upTo: 10_000, usd: 0.3 },
    { upTo: 250_000, usd: 0.1 },
    { upTo: 1_000_000, usd: 0.05 },
    { upTo: Number.POSITIVE_INFINITY, usd: 0.02 },
  ],
  /** CloudWatch API requests such as PutMetricData. */
  cloudWatchRequest: 0.01 / 1000,
  /** Standard-resolution alarm on one metric, per month. */
  alarm: 0.1,
  dashboard: 3.0,
  logsIngestionPerGb: 0.5,
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda on arm64 (Graviton), per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  snsPublish: 0.5 / 1_000_000,
  snsEmail: 2.0 / 100_000,
  /** One SMS part to a US number: base price plus an average carrier fee; other countries differ. */
  snsSmsUs: 0.0088,
  dynamoWriteRequestUnit: 0.625 / 1_000_000,
  dynamoReadRequestUnit: 0.125 / 1_000_000,
  kmsKeyMonth: 1.0,
  kmsRequest: 0.03 / 10_000,
} as const;

export interface CostAssumptions {
  readonly daysPerMonth: number;
  /** Average health run: fixed part plus a little per replica. */
  readonly healthRunSeconds: { readonly base: number; readonly perReplica: number };
  /** Average drift run: parameter reads make it longer. */
  readonly driftRunSeconds: { readonly base: number; readonly perReplica: number };
  readonly memoryMb: number;
  readonly logBytesPerRun: number;
  /** Runs with news (one message each) per month. */
  readonly notificationsPerMonth: number;
  /** Share of those reaching `smsMinSeverity`. */
  readonly smsShare: number;
  /** Alarm state changes a month (each one notifies every subscriber). */
  readonly alarmNotificationsPerMonth: number;
  /** Alert state writes per notification: a claim and a confirmation per alert in it. */
  readonly alertWritesPerNotification: number;
  /** Dashboards the stack creates. */
  readonly dashboards: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  daysPerMonth: 30,
  healthRunSeconds: { base: 1.5, perReplica: 0.002 },
  driftRunSeconds: { base: 3, perReplica: 0.01 },
  memoryMb: 512,
  logBytesPerRun: 2048,
  notificationsPerMonth: 30,
  smsShare: 0.3,
  alarmNotificationsPerMonth: 10,
  alertWritesPerNotification: 4,
  dashboards: 1,
};

export type CostService = 'CloudWatch' | 'CloudWatch Logs' | 'Lambda' | 'SNS' | 'DynamoDB' | 'KMS';

export interface CostLine {
  readonly service: CostService;
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly monthlyUsd: number;
  /** The config setting that moves this line, when one does. */
  readonly lever?: string;
}

export interface CostEstimate {
  readonly replicas: number;
  /** Accounts read (the deploying account included). */
  readonly accounts: number;
  readonly regions: number;
  /** The fleet priced and what one health run requests of it. */
  readonly fleet: {
    readonly source: string;
    readonly replicasByKind: FleetUsage['replicasByKind'];
    readonly metricsPerHealthRun: number;
    readonly metricsPerRunByLevel: FleetUsage['metricsPerRunByLevel'];
    readonly metricsByName: FleetUsage['metricsByName'];
  };
  readonly lines: readonly CostLine[];
  readonly byService: Readonly<Record<CostService, number>>;
  readonly totalUsd: number;
  /** The total divided by the replicas, in USD with four decimals; null for an empty fleet. */
  readonly perReplicaMonthUsd: number | null;
  /** The total divided by the accounts, in USD with four decimals. */
  readonly perAccountMonthUsd: number;
  /** GetMetricData alone per replica-month; null for an empty fleet. */
  readonly getMetricDataPerReplicaMonthUsd: number | null;
  readonly assumptions: readonly string[];
  /** What the schedule reads how often, and the worst-case detection times that follow. */
  readonly cadence: Cadence & { readonly runsPerDay: Readonly<Record<'status' | 'lag' | 'full', number>> };
  readonly detection: DetectionTimes;
}

/** Minutes from a datapoint's timestamp to its being readable, allowed by the lag rules (assumed). */
export const LAG_INGESTION_MINUTES = 1;

export interface CostInput {
  readonly config: Config;
  /** The fleet's planned reads: `planFleetUsage` on a snapshot or `syntheticFleetUsage` for a size and mix. */
  readonly fleet: FleetUsage;
  /** Accounts the fleet is spread over, the deploying account included. @default 1 */
  readonly accounts?: number;
  readonly assumptions?: Partial<CostAssumptions>;
}

export class CostInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostInputError';
  }
}

/** Custom metric-months priced through the tiers. */
export function customMetricsUsd(count: number): number {
  let remaining = count;
  let floor = 0;
  let usd = 0;
  for (const tier of PRICES.customMetricTiers) {
    const inTier = Math.min(remaining, tier.upTo - floor);
    usd += inTier * tier.usd;
    remaining -= inTier;
    floor = tier.upTo;
    if (remaining <= 0) break;
  }
  return usd;
}

/**
 * The stack's alarms: unhealthy replicas, replica lag critical, heartbeat, checker errors, dead
 * letters, DR not ready, failed deliveries of each of the two topics, drift findings when drift
 * is on, and SMS spend when SMS numbers are configured.
 */
export function alarmCount(config: Config): number {
  return 8 + (config.drift.enabled ? 1 : 0) + (config.notifications.smsNumbers.length > 0 ? 1 : 0);
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const { config, fleet } = input;
  const replicas = fleet.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new CostInputError(`replicas must be a whole number of 0 or more (got ${replicas})`);
  }
  if (!Number.isInteger(fleet.metricsPerHealthRun) || fleet.metricsPerHealthRun < 0) {
    throw new CostInputError(`metrics per health run must be a whole number of 0 or more (got ${fleet.metricsPerHealthRun})`);
  }
  if (fleet.measuredMetricsPerDay !== undefined && !(fleet.measuredMetricsPerDay >= 0)) {
    throw new CostInputError(`measured metrics per day must be 0 or more (got ${fleet.measuredMetricsPerDay})`);
  }
  const accounts = input.accounts ?? 1;
  if (!Number.isInteger(accounts) || accounts < 1) {
    throw new CostInputError(`accounts must be a whole number of 1 or more (got ${accounts})`);
  }
  const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...input.assumptions };
  const alarms = alarmCount(config);
  const minutes = a.daysPerMonth * 24 * 60;
  const healthRuns = minutes / config.schedule.checkRateMinutes;
  const driftRuns = config.drift.enabled ? minutes / config.schedule.driftRateMinutes : 0;
  const runs = healthRuns + driftRuns;

  // Only the health check reads metrics, and only on the runs the cadence says; drift reads parameter groups.
  const cadence = resolveCadence(config.schedule);
  const perDay = runsPerDay(cadence);
  const byLevel = fleet.metricsPerRunByLevel;
  const plannedPerDay = perDay.status * byLevel.status + perDay.lag * byLevel.lag + perDay.full * byLevel.full;
  const healthMetricsRequested = (fleet.measuredMetricsPerDay ?? plannedPerDay) * a.daysPerMonth;
  const perReplicaMetrics = config.metrics.perReplica ? PER_REPLICA_METRICS * replicas : 0;
  // One account: the fleet series are its series. Two or more: the alarmed counts per account too.
  const perAccountMetrics = accounts > 1 ? PER_ACCOUNT_METRICS * accounts : 0;
  const customMetrics =
    fleetMetricCount('health', config.drift.enabled) + fleetMetricCount('drift', config.drift.enabled) + perReplicaMetrics + perAccountMetrics;
  const putsPerHealthRun = Math.ceil((fleetMetricCount('health', config.drift.enabled) + perReplicaMetrics + perAccountMetrics) / 1000);
  const putRequests = healthRuns * putsPerHealthRun + driftRuns;

  const gb = a.memoryMb / 1024;
  const gbSeconds =
    healthRuns * (a.healthRunSeconds.base + a.healthRunSeconds.perReplica * replicas) * gb +
    driftRuns * (a.driftRunSeconds.base + a.driftRunSeconds.perReplica * replicas) * gb;
  const logGb = (runs * a.logBytesPerRun) / 1024 ** 3;

  const emails = config.notifications.emails.length;
  const phones = config.notifications.smsNumbers.length;
  const messages = a.notificationsPerMonth + a.alarmNotificationsPerMonth;
  const emailDeliveries = messages * emails;
  const smsDeliveries = (a.notificationsPerMonth * a.smsShare + a.alarmNotificationsPerMonth) * phones;

  // One strongly consistent Query per run (open alerts fit in 4 KB: 1 read unit) and a few writes per notification.
  const readUnits = runs;
  const writeUnits = a.notificationsPerMonth * a.alertWritesPerNotification;

  const lines: CostLine[] = [
    {
      service: 'CloudWatch',
      item: 'GetMetricData metrics requested, health checks',
      quantity: healthMetricsRequested,
      unit: 'metrics',
      monthlyUsd: healthMetricsRequested * PRICES.getMetricDataPerMetric,
      lever: 'schedule.profile or schedule.lagEveryMinutes (lag read every 5 minutes costs a fifth of every minute; the window does not change it)',
    },
    {
      service: 'CloudWatch',
      item: `custom metrics (${[config.metrics.perReplica ? 'fleet + per replica' : 'fleet aggregates', ...(perAccountMetrics > 0 ? [`+ per account (${accounts})`] : [])].join(' ')})`,
      quantity: customMetrics,
      unit: 'metric-months',
      monthlyUsd: customMetricsUsd(customMetrics),
      ...(config.metrics.perReplica ? { lever: 'metrics.perReplica (off: fleet aggregates only)' } : {}),
    },
    {
      service: 'CloudWatch',
      item: 'PutMetricData requests',
      quantity: putRequests,
      unit: 'requests',
      monthlyUsd: putRequests * PRICES.cloudWatchRequest,
    },
    { service: 'CloudWatch', item: 'alarms', quantity: alarms, unit: 'alarms', monthlyUsd: alarms * PRICES.alarm },
    { service: 'CloudWatch', item: 'dashboard', quantity: a.dashboards, unit: 'dashboards', monthlyUsd: a.dashboards * PRICES.dashboard },
    { service: 'CloudWatch Logs', item: 'log ingestion', quantity: logGb, unit: 'GB', monthlyUsd: logGb * PRICES.logsIngestionPerGb },
    { service: 'Lambda', item: 'invocations', quantity: runs, unit: 'requests', monthlyUsd: runs * PRICES.lambdaRequest },
    { service: 'Lambda', item: 'compute (arm64)', quantity: gbSeconds, unit: 'GB-seconds', monthlyUsd: gbSeconds * PRICES.lambdaArmGbSecond },
    { service: 'SNS', item: 'publishes', quantity: messages, unit: 'requests', monthlyUsd: messages * PRICES.snsPublish },
    { service: 'SNS', item: 'email deliveries', quantity: emailDeliveries, unit: 'emails', monthlyUsd: emailDeliveries * PRICES.snsEmail },
    { service: 'SNS', item: 'SMS deliveries (US rate)', quantity: smsDeliveries, unit: 'messages', monthlyUsd: smsDeliveries * PRICES.snsSmsUs },
    { service: 'DynamoDB', item: 'alert state reads (on demand)', quantity: readUnits, unit: 'read units', monthlyUsd: readUnits * PRICES.dynamoReadRequestUnit },
    { service: 'DynamoDB', item: 'alert state writes (on demand)', quantity: writeUnits, unit: 'write units', monthlyUsd: writeUnits * PRICES.dynamoWriteRequestUnit },
    // One key per topic: the alert topic and the paging topic (kept apart so one disabled key cannot silence both).
    { service: 'KMS', item: 'customer managed keys (alert and paging topics)', quantity: 2, unit: 'keys', monthlyUsd: 2 * PRICES.kmsKeyMonth },
    { service: 'KMS', item: 'key requests (encrypted publishes)', quantity: messages * 2, unit: 'requests', monthlyUsd: messages * 2 * PRICES.kmsRequest },
  ];

  const byService = { CloudWatch: 0, 'CloudWatch Logs': 0, Lambda: 0, SNS: 0, DynamoDB: 0, KMS: 0 } as Record<CostService, number>;
  for (const line of lines) byService[line.service] += line.monthlyUsd;
  for (const key of Object.keys(byService) as CostService[]) byService[key] = cents(byService[key]);
  const totalUsd = cents(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));

  const unread = fleet.regions.filter((r) => !config.regions.includes(r));
  const assumptions = [
    `${a.daysPerMonth}-day month; us-east-1 list prices; no free tier (CloudWatch's free 10 metrics, 10 alarms and 3 dashboards would lower this).`,
    `Health check every ${config.schedule.checkRateMinutes} min (${Math.round(healthRuns).toLocaleString('en-US')} runs)` +
      (config.drift.enabled
        ? `, drift check every ${config.schedule.driftRateMinutes} min (${Math.round(driftRuns).toLocaleString('en-US')} runs)`
        : ', drift check off') +
      '; event-triggered checks are rare and not counted.',
    `Fleet: ${fleet.source}; ${replicas} replica${replicas === 1 ? '' : 's'} in ${fleet.regions.length} region${fleet.regions.length === 1 ? '' : 's'} (${fleet.regions.join(', ')}).` +
      (unread.length > 0
        ? ` The config does not read ${unread.join(', ')}: priced as if it did (a deployment with this config would not read ${unread.length === 1 ? 'it' : 'them'}).`
        : ''),
    fleet.measuredMetricsPerDay !== undefined
      ? `GetMetricData: ${Math.round(fleet.measuredMetricsPerDay).toLocaleString('en-US')} metrics requested a day, as measured.`
      : `Profile ${cadence.profile}: a day has ${perDay.status} status runs (no metrics), ${perDay.lag} lag runs ` +
        `(${byLevel.lag.toLocaleString('en-US')} metrics each, one lag series per replica) and ${perDay.full} full runs ` +
        `(${fleet.metricsPerHealthRun.toLocaleString('en-US')} metrics each: ` +
        `${Object.entries(fleet.metricsByName).map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}), ` +
        `planned by the reader's own metric planner for this fleet; ${Math.round(plannedPerDay).toLocaleString('en-US')} metrics a day. ` +
        'A second request for a series that came back empty, or for the WAL rate of a lagging PostgreSQL source on a full read, is not counted: a healthy fleet needs none.',
    `GetMetricData is billed per metric requested, not per datapoint: the ${config.lag.windowMinutes}-minute window costs the same as 1 minute.`,
    config.metrics.perReplica
      ? `Per-replica metrics on: ${PER_REPLICA_METRICS} custom metrics per replica (${perReplicaMetrics}); turn metrics.perReplica off to publish fleet aggregates only.`
      : `Per-replica metrics off: fleet aggregates only (${customMetrics - perAccountMetrics} custom metrics whatever the fleet size).`,
    accounts > 1
      ? `${accounts} accounts: ${PER_ACCOUNT_METRICS} custom metrics per account (UnhealthyReplicas and ReplicasOverCriticalLag by AccountId, ${perAccountMetrics} in all, ` +
        `$${(PER_ACCOUNT_METRICS * PRICES.customMetricTiers[0].usd).toFixed(2)} per account-month at the first tier); reading more accounts requests no more metrics per replica. ` +
        'AssumeRole calls are not charged; the Step Functions fan-out of a large organization is not priced here.'
      : 'One account: no per-account metrics (the fleet series are that account\'s).',
    `Lambda arm64 at ${a.memoryMb} MB: a health run takes ~${a.healthRunSeconds.base} s + ${a.healthRunSeconds.perReplica * 1000} ms per replica, a drift run ~${a.driftRunSeconds.base} s + ${a.driftRunSeconds.perReplica * 1000} ms per replica; ${a.logBytesPerRun} bytes of logs per run.`,
    `${a.notificationsPerMonth} notifications a month (runs with news) plus ${a.alarmNotificationsPerMonth} alarm state changes, to ${emails} email address${emails === 1 ? '' : 'es'} and ${phones} phone number${phones === 1 ? '' : 's'}; ${Math.round(a.smsShare * 100)}% of notifications reach smsMinSeverity (${config.notifications.smsMinSeverity}).`,
    `SMS at the US rate ($${PRICES.snsSmsUs} per message including carrier fees); international SMS costs more.`,
    `Alert state: one strongly consistent read per run, ${a.alertWritesPerNotification} writes per notification (a claim and a confirmation per alert in it); storage and point-in-time recovery of a few KB round to $0.`,
  ];
  const perReplica = (usd: number) => (replicas > 0 ? Math.round((usd / replicas) * 10_000) / 10_000 : null);
  return {
    replicas,
    accounts,
    regions: fleet.regions.length,
    fleet: {
      source: fleet.source,
      replicasByKind: fleet.replicasByKind,
      metricsPerHealthRun: fleet.metricsPerHealthRun,
      metricsPerRunByLevel: fleet.metricsPerRunByLevel,
      metricsByName: fleet.metricsByName,
    },
    lines,
    byService,
    totalUsd,
    perReplicaMonthUsd: perReplica(lines.reduce((sum, l) => sum + l.monthlyUsd, 0)),
    perAccountMonthUsd: Math.round((lines.reduce((sum, l) => sum + l.monthlyUsd, 0) / accounts) * 10_000) / 10_000,
    getMetricDataPerReplicaMonthUsd: perReplica(healthMetricsRequested * PRICES.getMetricDataPerMetric),
    assumptions,
    cadence: { ...cadence, runsPerDay: perDay },
    detection: detectionTimes(cadence, config.lag.datapointsToAlarm, LAG_INGESTION_MINUTES),
  };
}
