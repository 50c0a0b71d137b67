import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import type { Config } from '../../lambdas/core/config';
import type { FleetReader } from '../../lambdas/core/reader';
import type { CliIo } from './types';

export interface LiveReaderRequest {
  readonly regions: readonly string[];
  readonly profile?: string;
  readonly config: Config;
  /** @default config.drift.enabled */
  readonly includeParameters?: boolean;
  /** @default config.dr.requireReplicatedBackups */
  readonly includeAutomatedBackups?: boolean;
  /** @default config.lag.windowMinutes */
  readonly windowMinutes?: number;
}

/** No AWS credentials at all: a laptop setup problem, not a finding about the fleet. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'CredentialsError']);

/**
 * A live reader for what the config's checks need, with progress on stderr. When every call in
 * every region failed for want of credentials, that is reported as such (exit 2) rather than as
 * a fleet full of CHECK_DEGRADED findings.
 */
export function createLiveReader(io: CliIo, request: LiveReaderRequest): FleetReader {
  const reader = liveFleetReader(io, request);
  return {
    async read() {
      const snapshot = await reader.read();
      const errors = Object.values(snapshot.regions).flatMap((r) => r.errors ?? []);
      const described = Object.values(snapshot.regions).some((r) => (r.dbInstances?.length ?? 0) + (r.dbClusters?.length ?? 0) > 0);
      if (!described && errors.length > 0 && errors.every((e) => e.code !== undefined && NO_CREDENTIALS.has(e.code))) {
        throw new CredentialsError(
          `No AWS credentials found (${errors[0]!.message}). Pass --profile NAME, set AWS_PROFILE, run "aws sso login", ` +
            'or check a snapshot file offline with --snapshot FILE.',
        );
      }
      return snapshot;
    },
  };
}

function liveFleetReader(io: CliIo, request: LiveReaderRequest): FleetReader {
  return new LiveFleetReader({
    regions: request.regions,
    profile: request.profile,
    windowMinutes: request.windowMinutes ?? request.config.lag.windowMinutes,
    includeParameters: request.includeParameters ?? request.config.drift.enabled,
    includeAutomatedBackups: request.includeAutomatedBackups ?? request.config.dr.requireReplicatedBackups,
    onProgress: (message) => io.stderr(`${message}\n`),
  });
}
