import { existsSync, realpathSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { ConfigError, parseConfigJson, type Config, type ConfigInput } from '../lambdas/core/config';
import { readInputFileSync } from '../lambdas/io/text-file';

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
  const text = readInputFileSync('config', path, (message) => new ConfigError(message), ' (pass another with -c config=PATH)');
  const { raw, config } = parseConfigJson(text, path);
  if (config.drift.baseline) checkBaselineInsideConfigFolder(path, config.drift.baseline);
  return { path, input: raw, config };
}

/**
 * The schema already refuses absolute and ".." paths; a symbolic link could still lead out of the
 * config's folder, and synth would read (and bundle) whatever it points at.
 */
function checkBaselineInsideConfigFolder(configPath: string, baseline: string): void {
  const folder = realpathSync(dirname(configPath));
  const target = resolve(folder, baseline);
  if (!existsSync(target)) return; // the construct reports a missing file with its path
  const real = realpathSync(target);
  const inside = relative(folder, real);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new ConfigError(`Invalid config in ${configPath}:\n  drift.baseline: must stay inside the config file's folder (${baseline} leads outside it)`);
  }
}
