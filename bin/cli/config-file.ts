import { ConfigError, DEFAULT_CONFIG, parseConfigJson, type Config } from '../../lambdas/core/config';
import { readInputFile } from '../../lambdas/io/text-file';

export interface CliConfig {
  readonly config: Config;
  /** `regions` when the file sets it: otherwise live commands fall back to AWS_REGION and the profile. */
  readonly configRegions?: readonly string[];
}

/** Loads and validates a config file; no path means all defaults. */
export async function loadCliConfig(path: string | undefined): Promise<CliConfig> {
  if (!path) return { config: DEFAULT_CONFIG };
  const text = await readInputFile('config', path, (message) => new ConfigError(message));
  const { raw, config } = parseConfigJson(text, path);
  return { config, ...(raw.regions !== undefined ? { configRegions: config.regions } : {}) };
}

export async function loadConfigFile(path: string | undefined): Promise<Config> {
  return (await loadCliConfig(path)).config;
}
