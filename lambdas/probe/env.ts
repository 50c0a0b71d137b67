/** The deployed probe's environment, read and validated once at init; a problem names the variable. */
import { ConfigError, parseConfigJson, type ProbesConfig } from '../core/config';

export const PROBE_ENV_NAMES = {
  configFile: 'REPLGUARD_CONFIG_FILE',
  tableName: 'ALERT_TABLE_NAME',
  /** `probes.vpcs[].name` of this function's VPC. */
  vpc: 'PROBE_VPC',
  /** File name of the RDS CA bundle next to the handler. */
  caBundleFile: 'PROBE_CA_BUNDLE_FILE',
} as const;

/** The CA bundle's name inside the package, when the stack ships one. */
export const BUNDLED_CA_FILE = 'rds-ca-bundle.pem';

/**
 * Every Amazon CA, RDS's included, as the Lambda Node.js runtimes (20 and later) ship it; they no
 * longer load it by default (docs/aws-behaviour.md).
 */
export const RUNTIME_CA_FILE = '/var/runtime/ca-cert.pem';

export interface ProbeEnvironment {
  readonly probes: ProbesConfig;
  readonly vpc: string;
  readonly tableName: string;
  readonly region: string;
  readonly caBundleFile: string;
}

const PLAIN_FILE_NAME = /^[A-Za-z0-9._-]+$/;

export function readProbeEnvironment(env: Readonly<Record<string, string | undefined>>, readFile: (file: string) => string): ProbeEnvironment {
  const required = (name: string) => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`Environment variable ${name} is not set.`);
    return value;
  };
  const file = (name: string) => {
    const value = required(name);
    if (!PLAIN_FILE_NAME.test(value)) throw new Error(`Environment variable ${name} must be a file name next to the handler (got "${value}").`);
    return value;
  };
  const configFile = file(PROBE_ENV_NAMES.configFile);
  let probes: ProbesConfig | undefined;
  try {
    probes = parseConfigJson(readFile(configFile), `deployed config file ${configFile}`).config.probes;
  } catch (error) {
    throw new Error(error instanceof ConfigError ? error.message : `Config file ${configFile} cannot be read: ${(error as Error).message}`);
  }
  const vpc = required(PROBE_ENV_NAMES.vpc);
  if (!probes?.vpcs.some((v) => v.name === vpc)) throw new Error(`${PROBE_ENV_NAMES.vpc} "${vpc}" is not a VPC in the config's probes.vpcs.`);
  // The bundled file, or an absolute path such as the runtime's own Amazon CA file.
  const caBundleFile = required(PROBE_ENV_NAMES.caBundleFile);
  if (!PLAIN_FILE_NAME.test(caBundleFile) && !caBundleFile.startsWith('/')) {
    throw new Error(`Environment variable ${PROBE_ENV_NAMES.caBundleFile} must be a file name next to the handler or an absolute path (got "${caBundleFile}").`);
  }
  return { probes, vpc, tableName: required(PROBE_ENV_NAMES.tableName), region: required('AWS_REGION'), caBundleFile };
}
