/**
 * The checker as Lambda wires it (createChecker), pointed at a FaultWorld endpoint and dynalite:
 * the real SDK clients, no waiting in retries, one attempt per SDK call.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createChecker, type CheckerWiring } from '../../lambdas/checker/checker';
import type { CheckerEnvironment } from '../../lambdas/checker/env';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { startDynalite, type LocalDynamo } from './dynalite';
import { ACCOUNT, TOPIC_ARN, type FaultWorld } from './fault-world';
import { FAKE_CREDENTIALS, type LocalAwsEndpoint } from './local-aws-endpoint';

export function worldChecker(options: {
  readonly env: CheckerEnvironment;
  /** The FaultWorld's endpoint. */
  readonly endpointUrl: string;
  readonly dynamoUrl: string;
  readonly clock: () => Date;
  readonly extra?: Partial<CheckerWiring>;
}) {
  const { endpointUrl, dynamoUrl } = options;
  return createChecker({
    env: options.env,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    clock: options.clock,
    retry: { sleep: async () => undefined },
    sleep: async () => undefined,
    clientOverrides: (service, region) => ({
      endpoint: service === 'dynamodb' ? dynamoUrl : endpointUrl,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
      retryMode: 'standard',
      region: region ?? 'us-east-1',
    }),
    orgReaderOverrides: { endpoint: endpointUrl, credentials: FAKE_CREDENTIALS },
    ...options.extra,
  });
}

/**
 * The servers a checker suite needs, registered as hooks of the calling test file: one dynalite
 * for the file, and each test's FaultWorld endpoint closed after the test.
 */
export function useWorldServers() {
  let dynamo: LocalDynamo | undefined;
  let endpoint: LocalAwsEndpoint | undefined;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });
  return {
    dynamo: (): LocalDynamo => dynamo!,
    /** Starts the world's endpoint for this test. */
    start: async (world: FaultWorld): Promise<LocalAwsEndpoint> => (endpoint = await world.start()),
  };
}

/**
 * A checker deployed against a started world, as the stack configures it: its environment (the
 * config parsed, a fresh alert table) and an invocation per scope with a new request id each time.
 */
export async function deployInWorld(
  servers: ReturnType<typeof useWorldServers>,
  world: FaultWorld,
  options: { readonly config: ConfigInput; readonly clock: () => Date; readonly name: string },
) {
  const endpoint = await servers.start(world);
  const env: CheckerEnvironment = {
    config: parseConfig(options.config),
    configFile: options.name,
    tableName: await servers.dynamo().createAlertTable(),
    topicArn: TOPIC_ARN,
    dashboardName: 'replication-guard',
    dashboardRegion: 'us-east-1',
    deploymentName: `${options.name}-suite`,
  };
  const check = worldChecker({ env, endpointUrl: endpoint.url, dynamoUrl: servers.dynamo().url, clock: options.clock });
  let n = 0;
  const invoke = (scope: 'health' | 'drift' = 'health') =>
    check(
      { scope },
      {
        awsRequestId: `req-${++n}`,
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:checker`,
        getRemainingTimeInMillis: () => 120_000,
      },
    );
  return { endpoint, env, invoke };
}
