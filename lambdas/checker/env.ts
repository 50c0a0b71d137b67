/**
 * The checker's environment, read and validated in one place at init. The stack sets these;
 * a missing or malformed one fails the cold start with the variable named.
 */
import { ConfigError, parseConfig, type Config } from '../core/config';

export const ENV_NAMES = {
  /** The replguard config as JSON, validated again here with parseConfig. */
  config: 'REPLGUARD_CONFIG',
  tableName: 'ALERT_TABLE_NAME',
  topicArn: 'ALERT_TOPIC_ARN',
  dashboardName: 'DASHBOARD_NAME',
  /** Region of the dashboard (the stack's), for the console link in notifications. */
  dashboardRegion: 'DASHBOARD_REGION',
  /** Named in notification subjects, e.g. the stack name. */
  deploymentName: 'DEPLOYMENT_NAME',
  /** File name of the drift baseline bundled next to the handler; the shipped default when unset. */
  baselineFile: 'REPLGUARD_BASELINE_FILE',
} as const;

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

export interface CheckerEnvironment {
  readonly config: Config;
  readonly tableName: string;
  readonly topicArn: string;
  readonly dashboardName: string;
  readonly dashboardRegion: string;
  readonly deploymentName?: string;
  readonly baselineFile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EnvironmentError(`Environment variable ${name} is not set.`);
  return value;
}

export function readEnvironment(env: Env): CheckerEnvironment {
  const configText = required(env, ENV_NAMES.config);
  let raw: unknown;
  try {
    raw = JSON.parse(configText);
  } catch (error) {
    throw new EnvironmentError(`Environment variable ${ENV_NAMES.config} is not valid JSON: ${(error as Error).message}`);
  }
  let config: Config;
  try {
    config = parseConfig(raw, `environment variable ${ENV_NAMES.config}`);
  } catch (error) {
    if (error instanceof ConfigError) throw new EnvironmentError(error.message);
    throw error;
  }
  const topicArn = required(env, ENV_NAMES.topicArn);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(topicArn)) {
    throw new EnvironmentError(`Environment variable ${ENV_NAMES.topicArn} is not an SNS topic ARN (got "${topicArn}").`);
  }
  const deploymentName = env[ENV_NAMES.deploymentName]?.trim();
  const baselineFile = env[ENV_NAMES.baselineFile]?.trim();
  if (baselineFile && !/^[A-Za-z0-9._-]+$/.test(baselineFile)) {
    throw new EnvironmentError(`Environment variable ${ENV_NAMES.baselineFile} must be a file name next to the handler (got "${baselineFile}").`);
  }
  return {
    config,
    tableName: required(env, ENV_NAMES.tableName),
    topicArn,
    dashboardName: required(env, ENV_NAMES.dashboardName),
    dashboardRegion: required(env, ENV_NAMES.dashboardRegion),
    ...(deploymentName ? { deploymentName } : {}),
    ...(baselineFile ? { baselineFile } : {}),
  };
}
