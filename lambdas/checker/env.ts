/**
 * The checker's environment, read and validated in one place at init. The stack sets these;
 * a missing or malformed one fails the cold start with the variable (or file) named.
 *
 * The config itself is not in the environment (Lambda allows 4 KB of variables in total, and a
 * fleet's overrides and suppressions outgrow that): the stack ships it as a JSON file inside the
 * function package, and the environment only names the file.
 */
import { FAN_OUT_ENV } from '../fanout/fan-out';
import { ConfigError, parseConfigJson, type Config } from '../core/config';

export const ENV_NAMES = {
  /** The config file: a file name next to the handler, or an absolute path. `BUNDLED_CONFIG_FILE` when unset. */
  configFile: 'REPLGUARD_CONFIG_FILE',
  tableName: 'ALERT_TABLE_NAME',
  topicArn: 'ALERT_TOPIC_ARN',
  dashboardName: 'DASHBOARD_NAME',
  /** Region of the dashboard (the stack's), for the console link in notifications. */
  dashboardRegion: 'DASHBOARD_REGION',
  /** Named in notification subjects, e.g. the stack name. */
  deploymentName: 'DEPLOYMENT_NAME',
  /** File name of the drift baseline bundled next to the handler; the shipped default when unset. */
  baselineFile: 'REPLGUARD_BASELINE_FILE',
  /** The fan-out's run bucket, where the checker reads a run's parts; set only when the fan-out is deployed. */
  runBucket: FAN_OUT_ENV.bucket,
} as const;

/** Name of the validated config inside the function package, next to the handler. */
export const BUNDLED_CONFIG_FILE = 'replguard.config.json';

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

export interface CheckerEnvironment {
  readonly config: Config;
  /** The config file it was read from, as named in the environment (for the logs). */
  readonly configFile: string;
  readonly tableName: string;
  readonly topicArn: string;
  readonly dashboardName: string;
  readonly dashboardRegion: string;
  readonly deploymentName?: string;
  readonly baselineFile?: string;
  readonly runBucket?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a file named in the environment: a name next to the handler, or an absolute path. */
export type ReadPackageFile = (file: string) => string;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EnvironmentError(`Environment variable ${name} is not set.`);
  return value;
}

const PLAIN_FILE_NAME = /^[A-Za-z0-9._-]+$/;

export function readConfig(file: string, readFile: ReadPackageFile): Config {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    throw new EnvironmentError(`Config file ${file} (${ENV_NAMES.configFile}) cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseConfigJson(text, `deployed config file ${file} (${ENV_NAMES.configFile})`).config;
  } catch (error) {
    if (error instanceof ConfigError) throw new EnvironmentError(error.message);
    throw error;
  }
}

export function readEnvironment(env: Env, readFile: ReadPackageFile): CheckerEnvironment {
  const configFile = env[ENV_NAMES.configFile]?.trim() || BUNDLED_CONFIG_FILE;
  if (!PLAIN_FILE_NAME.test(configFile) && !configFile.startsWith('/')) {
    throw new EnvironmentError(
      `Environment variable ${ENV_NAMES.configFile} must be a file name next to the handler or an absolute path (got "${configFile}").`,
    );
  }
  const config = readConfig(configFile, readFile);
  const topicArn = required(env, ENV_NAMES.topicArn);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(topicArn)) {
    throw new EnvironmentError(`Environment variable ${ENV_NAMES.topicArn} is not an SNS topic ARN (got "${topicArn}").`);
  }
  const deploymentName = env[ENV_NAMES.deploymentName]?.trim();
  const baselineFile = env[ENV_NAMES.baselineFile]?.trim();
  const runBucket = env[ENV_NAMES.runBucket]?.trim();
  if (baselineFile && !PLAIN_FILE_NAME.test(baselineFile)) {
    throw new EnvironmentError(`Environment variable ${ENV_NAMES.baselineFile} must be a file name next to the handler (got "${baselineFile}").`);
  }
  return {
    config,
    configFile,
    tableName: required(env, ENV_NAMES.tableName),
    topicArn,
    dashboardName: required(env, ENV_NAMES.dashboardName),
    dashboardRegion: required(env, ENV_NAMES.dashboardRegion),
    ...(deploymentName ? { deploymentName } : {}),
    ...(baselineFile ? { baselineFile } : {}),
    ...(runBucket ? { runBucket } : {}),
  };
}
