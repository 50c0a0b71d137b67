/**
 * The checker's wiring: the SDK clients, readers, store, run lease and notifier a check needs,
 * made once and kept across invocations, and the function that runs one check per event. The
 * handler builds it from the deployed environment; tests build the same wiring against local
 * endpoints, with their own clock, so what runs under test is what runs in Lambda.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { DynamoAlertStateStore } from '../aws/alert-state-store';
import { LiveFleetReader, type RegionClients } from '../aws/live-reader';
import { createLiveOrgReader, type LiveOrgReaderOptions } from '../aws/live-org-reader';
import { ProbeResultsStore } from '../aws/probe-results-store';
import { CloudWatchMetricsPublisher } from '../aws/metrics-publisher';
import { DynamoRunLease } from '../aws/run-lease-store';
import { sdkRequestHandler } from '../aws/sdk-client-config';
import { SnsNotificationPublisher } from '../aws/sns-publisher';
import type { RetryOptions } from '../aws/throttling-retry';
import { READ_LEVELS, readLevelAt, resolveCadence, type ReadLevel } from '../core/fleet/cadence';
import { lowestLagThresholdSeconds } from '../core/config';

import type { Baseline } from '../core/rules/drift/baseline';
import { evaluateOrg } from '../core/rules/evaluate-org';
import { singleAccountOrgReader } from '../core/fleet/org-reader';
import { accountFleet } from '../core/fleet/org-snapshot';
import { createAccountTargets, deployingIdentityOf } from './account-targets';
import { dashboardConsoleUrl } from '../core/outputs/notify';
import { ProbeResultsReader } from '../core/rules/probe/probe-results';
import type { FleetReader, OrgReader } from '../core/fleet/reader';
import { ENV_NAMES, EnvironmentError, type CheckerEnvironment } from './env';
import { PartsOrgReader, type RunObjects } from '../fanout/fan-out';
import { S3RunObjects } from '../aws/s3-run-objects';
import { S3Client } from '@aws-sdk/client-s3';
import { runCheck, type CheckLogger, type CheckOutcome } from './run-check';
import { triggerOf, type CheckerEvent, type CheckScope } from './trigger';

/** Client settings a test overrides (endpoint, credentials, attempts); merged over the deployed ones. */
export type ClientOverrides = Readonly<Record<string, unknown>>;

export interface CheckerWiring {
  readonly env: CheckerEnvironment;
  readonly logger: CheckLogger;
  readonly baseline?: Baseline;
  /** @default none: the deployed settings */
  readonly clientOverrides?: (service: 'rds' | 'cloudwatch' | 'dynamodb' | 'sns' | 'organizations', region?: string) => ClientOverrides;
  /** The time of a run, the lease and the events. @default () => new Date() */
  readonly clock?: () => Date;
  /** The readers' throttling retry (tests pass a sleep that does not wait). */
  readonly retry?: RetryOptions;
  /** Waits between confirmation attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Member-account reads (STS, RDS, CloudWatch): an endpoint and credentials under test. @default the deployed settings */
  readonly orgReaderOverrides?: Pick<LiveOrgReaderOptions, 'endpoint' | 'credentials' | 'requestHandler'>;
  /** Where a fan-out run's parts are read from. @default S3, the run bucket */
  readonly runObjects?: RunObjects;
}

/** Kept past the invocation's end, so a run that dies holding the lease blocks the next only briefly. */
const LEASE_MARGIN_MS = 30_000;

/**
 * `invokedFunctionArn` names the account the function runs in: the deploying account, read with
 * the function's own credentials (no call needed to learn it).
 */
export type Checker = (
  event: CheckerEvent,
  context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis' | 'invokedFunctionArn'>,
) => Promise<CheckOutcome>;

export function createChecker(wiring: CheckerWiring): Checker {
  const { env, logger } = wiring;
  const { config } = env;
  const overrides = wiring.clientOverrides ?? (() => ({}));
  const clock = wiring.clock ?? (() => new Date());

  // One client pair per monitored region, shared by both readers and kept across invocations.
  const regionClients = new Map<string, RegionClients>();
  const clientsFor = (region: string): RegionClients => {
    let clients = regionClients.get(region);
    if (!clients) {
      // Adaptive mode paces calls under RDS's per-account token bucket; further throttling retries are the reader's.
      const options = { region, retryMode: 'adaptive', maxAttempts: 2, requestHandler: sdkRequestHandler() };
      clients = {
        rds: new RDSClient({ ...options, ...overrides('rds', region) }),
        cloudwatch: new CloudWatchClient({ ...options, ...overrides('cloudwatch', region) }),
      };
      regionClients.set(region, clients);
    }
    return clients;
  };

  const common = {
    regions: config.regions,
    windowMinutes: config.lag.windowMinutes,
    walAboveSeconds: lowestLagThresholdSeconds(config),
    includeAutomatedBackups: config.dr.requireReplicatedBackups,
    clients: clientsFor,
    now: clock,
    ...(wiring.retry ? { retry: wiring.retry } : {}),
  };
  const requestHandler = sdkRequestHandler();
  const dynamodb = new DynamoDBClient({ requestHandler, ...overrides('dynamodb') });
  const probeResults = new ProbeResultsStore(dynamodb, env.tableName);
  // The deployed probe's results join every health read (the probe functions run in the dashboard's region).
  const healthReader = (level: ReadLevel): FleetReader =>
    new ProbeResultsReader(new LiveFleetReader({ ...common, metricLevel: level }), () => probeResults.readAll(), {
      config,
      homeRegion: env.dashboardRegion,
    });
  const health = Object.fromEntries(READ_LEVELS.map((level) => [level, healthReader(level)])) as Record<string, FleetReader>;
  // Drift rules read no lag: skip GetMetricData, which is billed per metric requested.
  const drift = new LiveFleetReader({ ...common, includeParameters: true, includeMetrics: false });
  // Without member accounts: the deploying account, with the function's own credentials.
  const ownAccountReaderFor = (deployingAccountId: string) => (scope: CheckScope, reads: ReadLevel): OrgReader =>
    singleAccountOrgReader(scope === 'drift' ? drift : health[reads]!, { accountId: deployingAccountId });

  // With member accounts: one organization reader per read level, kept across invocations so
  // assumed-role sessions and the RDS pacers outlive a run.
  const accountTargets = createAccountTargets({
    config,
    clock,
    organizations: () => new OrganizationsClient({ region: env.dashboardRegion, requestHandler, ...overrides('organizations') }),
    onWarning: (message, details) => logger.warn(message, details),
  });
  const orgReaders = new Map<string, OrgReader>();
  const memberReader = (scope: CheckScope, reads: ReadLevel): OrgReader => {
    const key = scope === 'drift' ? 'drift' : reads;
    let reader = orgReaders.get(key);
    if (!reader) {
      reader = createLiveOrgReader({
        stsRegion: env.dashboardRegion,
        now: clock,
        // Session expiry is judged on the checker's clock, the one the run and the lease use.
        assumeRole: { now: () => clock().getTime() },
        read: {
          windowMinutes: common.windowMinutes,
          walAboveSeconds: common.walAboveSeconds,
          includeAutomatedBackups: common.includeAutomatedBackups,
          ...(scope === 'drift' ? { includeParameters: true, includeMetrics: false } : { metricLevel: reads }),
          ...(wiring.retry ? { retry: wiring.retry } : {}),
        },
        ...wiring.orgReaderOverrides,
      });
      orgReaders.set(key, reader);
    }
    return reader;
  };
  // The deployed probe runs in the deploying account: its results join that account's read.
  const withProbeResults = (inner: OrgReader, deployingAccountId: string): OrgReader => ({
    async read(targets) {
      const org = await inner.read(targets);
      const own = org.accounts[deployingAccountId];
      if (!own || !config.probes) return org;
      const fleet = accountFleet(org, deployingAccountId);
      const merged = await new ProbeResultsReader({ read: async () => fleet }, () => probeResults.readAll(), { config, homeRegion: env.dashboardRegion }).read();
      return { ...org, accounts: { ...org.accounts, [deployingAccountId]: { ...own, regions: merged.regions } } };
    },
  });
  const cadence = resolveCadence(config.schedule);
  let s3: RunObjects | undefined;
  const runObjects = (): RunObjects => {
    if (wiring.runObjects) return wiring.runObjects;
    if (!env.runBucket) throw new EnvironmentError(`A fan-out run reached a checker without ${ENV_NAMES.runBucket}: the fan-out's parts cannot be read.`);
    return (s3 ??= new S3RunObjects(new S3Client({ region: env.dashboardRegion, requestHandler }), env.runBucket));
  };

  const metrics = new CloudWatchMetricsPublisher(new CloudWatchClient({ requestHandler, ...overrides('cloudwatch') }));
  const store = new DynamoAlertStateStore(dynamodb, env.tableName);
  /** Remaining time of the current invocation, set per invocation: the lease must outlive the run. */
  let remainingMs = () => 0;
  const lease = new DynamoRunLease(dynamodb, env.tableName, () => remainingMs() + LEASE_MARGIN_MS, () => clock().getTime());
  const notifier = new SnsNotificationPublisher(new SNSClient({ requestHandler, ...overrides('sns') }), env.topicArn);
  const dashboardUrl = dashboardConsoleUrl(env.dashboardRegion, env.dashboardName);
  const { baseline } = wiring;

  return async (event, context) => {
    remainingMs = () => context.getRemainingTimeInMillis();
    const identity = deployingIdentityOf(context);
    const deployingAccountId = identity.accountId;
    const trigger = triggerOf(event, clock().getTime());
    const targets = await accountTargets(identity);
    const fanOutRun = trigger.fanOutRun;
    const readerFor = fanOutRun
      ? () => withProbeResults(new PartsOrgReader(runObjects(), fanOutRun), deployingAccountId)
      : targets
        ? (scope: CheckScope, reads: ReadLevel) => withProbeResults(memberReader(scope, reads), deployingAccountId)
        : ownAccountReaderFor(deployingAccountId);
    // The schedule's runs read what the cadence says for their minute; event-triggered and manual runs
    // (an input without the schedule's time) read everything.
    const reads: ReadLevel = trigger.scheduledAt !== undefined ? readLevelAt(cadence, trigger.scheduledAt) : 'full';
    return runCheck(
      // Lambda keeps the request id across the retries of an asynchronous invocation.
      { scope: trigger.scope, token: context.awsRequestId, reason: trigger.reason, reads, ...(trigger.eventAt !== undefined ? { eventAt: trigger.eventAt } : {}) },
      { config, dashboardUrl, deploymentName: env.deploymentName, deployingAccountId, ...(targets ? { targets } : {}) },
      {
        readerFor,
        evaluate: (org, options) => evaluateOrg(org, { ...options, ...(baseline ? { baseline } : {}) }),
        metrics,
        store,
        notifier,
        logger,
        lease,
        clock,
        remainingMs: () => context.getRemainingTimeInMillis(),
        ...(wiring.sleep ? { sleep: wiring.sleep } : {}),
      },
    );
  };
}
