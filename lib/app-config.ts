import { readFileSync } from 'node:fs';
import { ConfigError, parseConfigJson, type Config, type ConfigInput } from '../lambdas/core/config';

/** Used when `npx cdk synth` is run without `-c config=PATH`. */
export const DEFAULT_CONFIG_PATH = 'examples/replguard.config.json';

export interface AppConfig {
  readonly path: string;
  /** As written in the file (what the checker receives). */
  readonly input: ConfigInput;
  readonly config: Config;
}

/** Reads and validates the config file of the CDK app; every failure is a ConfigError naming the file. */
export function loadAppConfig(path: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `Config file ${path} does not exist (pass another with -c config=PATH).`
        : `Cannot read config file ${path}: ${(error as Error).message}`,
    );
  }
  const { raw, config } = parseConfigJson(text, path);
  return { path, input: raw, config };
}
