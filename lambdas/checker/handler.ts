/**
 * The checker Lambda: a thin shell. Everything that can be made once is made at init (the
 * environment, the config file shipped in the package, the logger, and the wiring's SDK clients
 * and readers); each invocation resolves its trigger and runs one check (see checker.ts).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { parseBaselineText } from '../core/rules/drift/baseline';
import { createChecker } from './checker';
import { readEnvironment } from './env';
import type { CheckOutcome } from './run-check';
import type { CheckerEvent } from './trigger';

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
// A custom baseline is bundled next to this file at deploy time (validated at synth and again here).
const baseline = env.baselineFile
  ? parseBaselineText(packageFile(env.baselineFile), `deployed baseline ${env.baselineFile}`)
  : undefined;

const check = createChecker({ env, logger, ...(baseline ? { baseline } : {}) });

export async function handler(event: CheckerEvent, context: Context): Promise<CheckOutcome> {
  logger.addContext(context);
  return check(event, context);
}
