import { readFile } from 'node:fs/promises';
import { ConfigError, DEFAULT_CONFIG, parseConfigJson, type Config } from '../../lambdas/core/config';

/** Loads and validates a config file; no path means all defaults. */
export async function loadConfigFile(path: string | undefined): Promise<Config> {
  if (!path) return DEFAULT_CONFIG;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `Config file ${path} does not exist.` : `Cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigJson(text, path).config;
}
