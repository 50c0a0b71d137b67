/**
 * Where live commands get their regions and profile, the way the aws CLI does: flags first, then
 * the replguard config's own `regions`, then AWS_REGION / AWS_DEFAULT_REGION, then the profile's
 * `region` in the shared config file (AWS_CONFIG_FILE, default ~/.aws/config).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isKnownRegion } from '../../lambdas/core/shared/regions';
import { stripBom } from '../../lambdas/core/shared/text';
import { parseRegionsFlag } from './args';
import { UsageError, type CliIo } from './types';

/** A live read cannot start: a wrong profile, or nothing at all could be read. Exit 2 with the cause. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

type Env = CliIo['env'];
type Ini = Map<string, Map<string, string>>;

const home = (env: Env) => env.HOME || homedir();
export const sharedConfigFile = (env: Env): string => env.AWS_CONFIG_FILE || join(home(env), '.aws', 'config');
export const sharedCredentialsFile = (env: Env): string => env.AWS_SHARED_CREDENTIALS_FILE || join(home(env), '.aws', 'credentials');

/** The sections of an AWS shared config or credentials file; a missing or unreadable file has none. */
function readIni(path: string): Ini {
  let text: string;
  try {
    text = stripBom(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
  const sections: Ini = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current && !/^\s/.test(raw)) current.set(pair[1]!.trim(), pair[2]!.trim());
  }
  return sections;
}

/** The config file names a profile `[profile NAME]` (or `[default]`); the credentials file `[NAME]`. */
const configSection = (config: Ini, profile: string) => config.get(`profile ${profile}`) ?? (profile === 'default' ? config.get('default') : undefined);

export interface LiveSetupRequest {
  /** `--regions` and `--region`, as given. */
  readonly regionFlags: readonly (string | undefined)[];
  readonly profileFlag?: string;
  /** `regions` of the replguard config, when the file sets it. */
  readonly configRegions?: readonly string[];
}

export interface LiveSetup {
  readonly regions: readonly string[];
  readonly profile?: string;
  /** Where the regions came from, for the progress line. */
  readonly regionSource: string;
}

/** Resolves regions and profile before any AWS call; a wrong profile or region is named with its source. */
export function resolveLiveSetup(env: Env, request: LiveSetupRequest): LiveSetup {
  const profile = request.profileFlag ?? (env.AWS_PROFILE || undefined);
  const profileSource = request.profileFlag !== undefined ? '--profile' : 'AWS_PROFILE';
  const configFile = sharedConfigFile(env);
  const config = readIni(configFile);
  if (profile !== undefined) {
    const credentialsFile = sharedCredentialsFile(env);
    const credentials = readIni(credentialsFile);
    if (!configSection(config, profile) && !credentials.has(profile)) {
      const known = [
        ...[...config.keys()].map((s) => (s === 'default' ? s : s.replace(/^profile\s+/, ''))),
        ...credentials.keys(),
      ].filter((name, i, all) => all.indexOf(name) === i && !name.startsWith('sso-session') && !name.startsWith('services'));
      throw new SetupError(
        `AWS profile "${profile}" (from ${profileSource}) is not in ${configFile} or ${credentialsFile}. ` +
          (known.length ? `Profiles there: ${known.sort().join(', ')}.` : 'Neither file names any profile: run "aws configure" or "aws configure sso".'),
      );
    }
  }

  const fromFlags = request.regionFlags.flatMap((flag) => parseRegionsFlag(flag) ?? []);
  if (fromFlags.length) return { regions: [...new Set(fromFlags)], profile, regionSource: '--regions' };
  if (request.configRegions?.length) return { regions: request.configRegions, profile, regionSource: 'the config' };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!isKnownRegion(value)) throw new UsageError(`${name}: unknown region "${value}"`);
    return { regions: [value], profile, regionSource: name };
  }
  const profileRegion = configSection(config, profile ?? 'default')?.get('region');
  if (profileRegion) {
    if (!isKnownRegion(profileRegion)) throw new UsageError(`region "${profileRegion}" of profile "${profile ?? 'default'}" in ${configFile} is not a known AWS region`);
    return { regions: [profileRegion], profile, regionSource: `profile "${profile ?? 'default'}"` };
  }
  return { regions: ['us-east-1'], profile, regionSource: 'the default' };
}
