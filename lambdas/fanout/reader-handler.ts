/** The fan-out's reader step: reads one shard of accounts and writes its part (see steps.ts). */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { fileURLToPath } from 'node:url';
import type { ShardEvent, ShardResult } from './fan-out';
import { createFanOutSteps, readFanOutEnvironment } from './steps';

const logger = new Logger({ serviceName: 'replication-guard-fan-out' });
const packageFile = (file: string) => readFileSync(file.startsWith('/') ? file : fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
const steps = createFanOutSteps({ env: readFanOutEnvironment(process.env, packageFile, 'reader'), logger });

export async function handler(event: ShardEvent, context: Context): Promise<ShardResult> {
  logger.addContext(context);
  return steps.read(event, context);
}
