/**
 * The checker Lambda: a thin shell. Everything that can be made once is made at init (the
 * environment, the config file shipped in the package, the logger, the SDK clients, the
 * readers); each invocation resolves its trigger and runs one check.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { DynamoAlertStateStore } from '../aws/alert-state-store';
import { LiveFleetReader, type RegionClients } from '../aws/live-reader';
import { DynamoRunLease } from '../aws/run-lease-store';
import { sdkRequestHandler } from '../aws/sdk-client-config';
import { CloudWatchMetricsPublisher } from '../aws/metrics-publisher';
import { SnsNotificationPublisher } from '../aws/sns-publisher';
import { parseBaselineText } from '../core/drift/baseline';
import { evaluate } from '../core/evaluate';
import { dashboardConsoleUrl } from '../core/notify';
import { readEnvironment } from './env';
import { runCheck, type CheckOutcome } from './run-check';
import { triggerOf, type CheckerEvent, type CheckScope } from './trigger';

const logger = new Logger({ serviceName: 'replication-guard' });
/** Files the stack ships in the package sit next to this file; tests may name an absolute path. */
const packageFile = (file: string) =>
  readFileSync(isAbsolute(file) ? file : fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
const env = (() => {
  try {
    return readEnvironment(process.env, packageFile);
  } catch (error) {
    // A broken deployment fails the cold start with the variable or file named, in the structured logs too.
    logger.error('Checker environment is invalid', { error: (error as Error).message });
    throw error;
  }
})();
const { config } = env;
// A custom baseline is bundled next to this file at deploy time (validated at synth and again here).
const baseline = env.baselineFile
  ? parseBaselineText(packageFile(env.baselineFile), `deployed baseline ${env.baselineFile}`)
  : undefined;

// One client pair per monitored region, shared by both readers and kept across invocations.
const regionClients = new Map<string, RegionClients>();
const clientsFor = (region: string): RegionClients => {
  let clients = regionClients.get(region);
  if (!clients) {
    // Adaptive mode paces calls under RDS's per-account token bucket; further throttling retries are the reader's.
    const options = { region, retryMode: 'adaptive', maxAttempts: 2, requestHandler: sdkRequestHandler() };
    clients = { rds: new RDSClient(options), cloudwatch: new CloudWatchClient(options) };
    regionClients.set(region, clients);
  }
  return clients;
};

const readers: Record<CheckScope, LiveFleetReader> = {
  health: new LiveFleetReader({
    regions: config.regions,
    windowMinutes: config.lag.windowMinutes,
    includeAutomatedBackups: config.dr.requireReplicatedBackups,
    clients: clientsFor,
  }),
  drift: new LiveFleetReader({
    regions: config.regions,
    windowMinutes: config.lag.windowMinutes,
    includeParameters: true,
    // Drift rules read no lag: skip GetMetricData, which is billed per metric requested.
    includeMetrics: false,
    includeAutomatedBackups: config.dr.requireReplicatedBackups,
    clients: clientsFor,
  }),
};

const metrics = new CloudWatchMetricsPublisher(new CloudWatchClient({ requestHandler: sdkRequestHandler() }));
const dynamodb = new DynamoDBClient({ requestHandler: sdkRequestHandler() });
const store = new DynamoAlertStateStore(dynamodb, env.tableName);
/** Remaining time of the current invocation, set per invocation: the lease must outlive the run. */
let remainingMs = () => 0;
const LEASE_MARGIN_MS = 30_000;
const lease = new DynamoRunLease(dynamodb, env.tableName, () => remainingMs() + LEASE_MARGIN_MS);
const notifier = new SnsNotificationPublisher(new SNSClient({ requestHandler: sdkRequestHandler() }), env.topicArn);
const dashboardUrl = dashboardConsoleUrl(env.dashboardRegion, env.dashboardName);

export async function handler(event: CheckerEvent, context: Context): Promise<CheckOutcome> {
  logger.addContext(context);
  remainingMs = () => context.getRemainingTimeInMillis();
  const trigger = triggerOf(event);
  return runCheck(
    // Lambda keeps the request id across the retries of an asynchronous invocation.
    { scope: trigger.scope, token: context.awsRequestId, reason: trigger.reason },
    { config, dashboardUrl, deploymentName: env.deploymentName },
    {
      readerFor: (scope) => readers[scope],
      evaluate: (snapshot, options) => evaluate(snapshot, { ...options, ...(baseline ? { baseline } : {}) }),
      metrics,
      store,
      notifier,
      logger,
      lease,
    },
  );
}
