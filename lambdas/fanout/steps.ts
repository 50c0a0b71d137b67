/**
 * The fan-out's plan and reader steps as Lambda runs them: the config shipped in the package, the
 * run bucket, and the same account resolution and organization reader the checker uses, so a
 * shard is read exactly as the single checker would read it. Tests build the same steps against
 * local endpoints.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { createLiveOrgReader, type LiveOrgReaderOptions } from '../aws/live-org-reader';
import { S3RunObjects } from '../aws/s3-run-objects';
import { sdkRequestHandler } from '../aws/sdk-client-config';
import type { RetryOptions } from '../aws/throttling-retry';
import { createAccountTargets, deployingIdentityOf } from '../checker/account-targets';
import type { CheckLogger } from '../checker/run-check';
import { BUNDLED_CONFIG_FILE, ENV_NAMES, EnvironmentError, readConfig, type ReadPackageFile } from '../checker/env';
import { lowestLagThresholdSeconds, type Config } from '../core/config';
import type { ShardBudget } from '../core/fleet/shard-plan';
import { FAN_OUT_ENV, planRun, readShard, type PlanEvent, type PlanOutput, type RunObjects, type ShardEvent, type ShardResult } from './fan-out';

/** Kept free at the end of a reader's invocation to write its part. */
export const PART_WRITE_MARGIN_MS = 15_000;

export interface FanOutEnvironment {
  readonly config: Config;
  readonly bucket: string;
  /** The plan step's only. */
  readonly budget?: ShardBudget;
}

type Env = Readonly<Record<string, string | undefined>>;

export function readFanOutEnvironment(env: Env, readFile: ReadPackageFile, step: 'plan' | 'reader'): FanOutEnvironment {
  const bucket = env[FAN_OUT_ENV.bucket]?.trim();
  if (!bucket) throw new EnvironmentError(`Environment variable ${FAN_OUT_ENV.bucket} is not set.`);
  const config = readConfig(env[ENV_NAMES.configFile]?.trim() || BUNDLED_CONFIG_FILE, readFile);
  if (step === 'reader') return { config, bucket };
  const text = env[FAN_OUT_ENV.budget];
  let budget: ShardBudget;
  try {
    budget = JSON.parse(text ?? '') as ShardBudget;
  } catch {
    throw new EnvironmentError(`Environment variable ${FAN_OUT_ENV.budget} must be the shard budget as JSON (got ${JSON.stringify(text)}).`);
  }
  if (!(budget.readBudgetMs > 0 && budget.accountConcurrency > 0 && budget.maxAccountsPerShard > 0)) {
    throw new EnvironmentError(`Environment variable ${FAN_OUT_ENV.budget} has no positive readBudgetMs, accountConcurrency and maxAccountsPerShard.`);
  }
  return { config, bucket, budget };
}

export interface FanOutWiring {
  readonly env: FanOutEnvironment;
  readonly logger: Pick<CheckLogger, 'warn'>;
  /** @default the deployed clients */
  readonly objects?: RunObjects;
  readonly organizations?: () => Pick<OrganizationsClient, 'send'>;
  readonly readerOverrides?: Pick<LiveOrgReaderOptions, 'endpoint' | 'credentials' | 'requestHandler'>;
  readonly retry?: RetryOptions;
  readonly clock?: () => Date;
}

type StepContext = Pick<Context, 'invokedFunctionArn' | 'getRemainingTimeInMillis'>;

export function createFanOutSteps(wiring: FanOutWiring) {
  const { env } = wiring;
  const { config } = env;
  const clock = wiring.clock ?? (() => new Date());
  const region = process.env.AWS_REGION ?? config.regions[0]!;
  const requestHandler = sdkRequestHandler();
  const objects = wiring.objects ?? new S3RunObjects(new S3Client({ region, requestHandler }), env.bucket);
  const targets = createAccountTargets({
    config,
    clock,
    organizations: wiring.organizations ?? (() => new OrganizationsClient({ region, requestHandler })),
    onWarning: (message, details) => wiring.logger.warn(message, details),
  });
  // Every series a full read asks for: a fan-out run reads what an event-triggered check reads.
  const reader = createLiveOrgReader({
    stsRegion: region,
    now: clock,
    assumeRole: { now: () => clock().getTime() },
    read: {
      windowMinutes: config.lag.windowMinutes,
      walAboveSeconds: lowestLagThresholdSeconds(config),
      includeAutomatedBackups: config.dr.requireReplicatedBackups,
      metricLevel: 'full',
      ...(wiring.retry ? { retry: wiring.retry } : {}),
    },
    ...wiring.readerOverrides,
  });

  return {
    async plan(event: PlanEvent, context: StepContext): Promise<PlanOutput> {
      const identity = deployingIdentityOf(context);
      return planRun(event, {
        objects,
        budget: env.budget!,
        resolveTargets: async () => (await targets(identity)) ?? [{ accountId: identity.accountId, regions: config.regions }],
      });
    },
    async read(event: ShardEvent, context: StepContext): Promise<ShardResult> {
      return readShard(event, { reader, objects, remainingMs: () => context.getRemainingTimeInMillis(), marginMs: PART_WRITE_MARGIN_MS });
    },
  };
}
