/**
 * One run of a deployed probe function: select its VPC's databases, fetch each one's
 * credentials, probe them all with TLS verified against the bundled RDS CA bundle, and write the
 * observations as the VPC's record for the checker. Every dependency is injected (the handler
 * wires the SDK clients), so this runs under test with in-memory drivers.
 *
 * Secrets never leave this function: passwords and IAM tokens go to the driver only, failures
 * are scrubbed of them, and the log lines carry counts, names and failure kinds.
 */
import type { ProbesConfig } from '../core/config';
import type { DbInstance } from '../core/fleet/model';
import type { ProbeFailure, ProbeObservation } from '../core/fleet/probe-observation';
import type { ProbeResultsRecord } from '../core/rules/probe/probe-results';
import { selectProbeTargets, type ProbeCredentials, type SelectedProbeTarget } from '../core/rules/probe/probe-selection';
import { runProbe, type ProbeRunOptions } from './run-probe';
import type { ProbeTarget } from './targets';

export interface ProbeLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
}

export interface DeployedProbeDependencies {
  /** The region's DB instances with their tags (rds:DescribeDBInstances). */
  listInstances(): Promise<readonly DbInstance[]>;
  /** The SecretString of a Secrets Manager secret. */
  secretString(secretArn: string): Promise<string>;
  /** An IAM database authentication token for this user on this endpoint (@aws-sdk/rds-signer). */
  iamToken(host: string, port: number, user: string): Promise<string>;
  writeResults(record: ProbeResultsRecord): Promise<void>;
  readonly logger: ProbeLogger;
  readonly now?: () => Date;
  readonly drivers?: ProbeRunOptions['drivers'];
}

export interface DeployedProbeSettings {
  readonly probes: ProbesConfig;
  readonly vpc: string;
  readonly region: string;
  /** The RDS CA bundle in the function package: every connection verifies the server against it. */
  readonly caBundleFile: string;
}

export interface DeployedProbeOutcome {
  readonly targets: number;
  readonly failures: number;
  readonly skipped: number;
}

/** The RDS secret shape (`username`, `password`): anything else is a named failure, its content never shown. */
function secretLogin(text: string, arn: string): { user: string; password: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CredentialError(`secret ${arn} is not JSON with "username" and "password"`);
  }
  const { username, password } = (value ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    throw new CredentialError(`secret ${arn} has no string "username" and "password"`);
  }
  return { user: username, password };
}

class CredentialError extends Error {}

async function login(deps: DeployedProbeDependencies, t: SelectedProbeTarget, credentials: ProbeCredentials): Promise<{ user: string; password: string }> {
  if ('secretArn' in credentials) return secretLogin(await deps.secretString(credentials.secretArn), credentials.secretArn);
  return { user: credentials.iamUser, password: await deps.iamToken(t.host, t.port, credentials.iamUser) };
}

export async function runDeployedProbe(settings: DeployedProbeSettings, deps: DeployedProbeDependencies): Promise<DeployedProbeOutcome> {
  const now = deps.now ?? (() => new Date());
  const { vpc, region } = settings;
  const selection = selectProbeTargets(await deps.listInstances(), settings.probes, vpc);
  for (const s of selection.skipped) deps.logger.warn('Database matched but not probed', { vpc, database: s.identifier, why: s.why });
  if (selection.targets.length === 0) deps.logger.warn('No database of this region matches the VPC\'s probes.targets; nothing is probed', { vpc, region });

  const ready: ProbeTarget[] = [];
  const credentialFailures: ProbeObservation[] = [];
  const secrets: string[] = [];
  await Promise.all(
    selection.targets.map(async (t) => {
      try {
        const { user, password } = await login(deps, t, t.credentials);
        secrets.push(password);
        ready.push({
          name: t.identifier,
          region,
          engine: t.engine,
          host: t.host,
          port: t.port,
          user,
          password,
          database: t.database ?? (t.engine === 'postgres' ? 'postgres' : undefined),
          ...(t.role ? { role: t.role } : {}),
          ...(t.source ? { source: t.source } : {}),
          heartbeat: t.heartbeat,
          tls: 'verify',
          tlsCaFile: settings.caBundleFile,
        });
      } catch (error) {
        const failure: ProbeFailure = {
          kind: 'auth',
          stage: 'credentials',
          message: error instanceof CredentialError ? error.message : `fetching the credentials failed: ${(error as Error).name}: ${(error as Error).message}`,
          ...(error instanceof Error && error.name !== 'Error' ? { code: error.name } : {}),
        };
        credentialFailures.push({ target: t.identifier, region, engine: t.engine, observedAt: now().toISOString(), ...(t.role ? { role: t.role } : {}), failure });
      }
    }),
  );

  // Targets in a stable order, so the record reads the same run after run.
  ready.sort((a, b) => a.name.localeCompare(b.name));
  const run = await runProbe(ready, { now, ...(deps.drivers ? { drivers: deps.drivers } : {}) });
  // The drivers scrub their own errors; this is the backstop for every secret of the run.
  // Each secret as written and as JSON escapes it (a password may hold quotes or backslashes).
  const forms = secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]).filter((form) => form.length > 0);
  const clean = (text: string) => forms.reduce((out, form) => out.split(form).join('***'), text);
  const observations = JSON.parse(clean(JSON.stringify([...run.observations, ...credentialFailures]))) as ProbeObservation[];
  observations.sort((a, b) => a.target.localeCompare(b.target));

  await deps.writeResults({ vpc, region, ranAt: now().toISOString(), observations });
  const failed = observations.filter((o) => o.failure);
  deps.logger.info('Probe run written', {
    vpc,
    targets: observations.length,
    failures: failed.map((o) => ({ database: o.target, kind: o.failure!.kind, stage: o.failure!.stage })),
    connectionsOpened: run.connectionsOpened,
  });
  return { targets: observations.length, failures: failed.length, skipped: selection.skipped.length };
}
