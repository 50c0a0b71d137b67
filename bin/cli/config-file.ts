import { ConfigError, DEFAULT_CONFIG, parseConfigJson, type Config } from '../../lambdas/core/config';
import { readInputFile } from '../../lambdas/io/text-file';

/** Loads and validates a config file; no path means all defaults. */
export async function loadConfigFile(path: string | undefined): Promise<Config> {
  if (!path) return DEFAULT_CONFIG;
  const text = await readInputFile('config', path, (message) => new ConfigError(message));
  return parseConfigJson(text, path).config;
}
