/**
 * The checker as Lambda wires it (createChecker), pointed at a FaultWorld endpoint and dynalite:
 * the real SDK clients, no waiting in retries, one attempt per SDK call.
 */
import { createChecker, type CheckerWiring } from '../../lambdas/checker/checker';
import type { CheckerEnvironment } from '../../lambdas/checker/env';
import { FAKE_CREDENTIALS } from './local-aws-endpoint';

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
