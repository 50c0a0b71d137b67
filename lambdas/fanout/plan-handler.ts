/** The fan-out's plan step: resolves the accounts and writes the shard plan (see steps.ts). */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { fileURLToPath } from 'node:url';
import type { PlanEvent, PlanOutput } from './fan-out';
import { createFanOutSteps, readFanOutEnvironment } from './steps';

const logger = new Logger({ serviceName: 'replication-guard-fan-out' });
const packageFile = (file: string) => readFileSync(file.startsWith('/') ? file : fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8');
const steps = createFanOutSteps({ env: readFanOutEnvironment(process.env, packageFile, 'plan'), logger });

export async function handler(event: PlanEvent, context: Context): Promise<PlanOutput> {
  logger.addContext(context);
  return steps.plan(event, context);
}
