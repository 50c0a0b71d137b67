import { LiveFleetReader } from '../../lambdas/aws/live-reader';
import { lowestLagThresholdSeconds, type Config } from '../../lambdas/core/config';
import type { RegionSnapshot } from '../../lambdas/core/fleet/model';

import type { FleetReader } from '../../lambdas/core/fleet/reader';
import { printable } from '../../lambdas/core/shared/text';
import { SetupError } from './aws-setup';
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

/** A region is blind when neither of its describe calls returned: nothing about its fleet is known. */
const blind = (region: RegionSnapshot): boolean => {
  const failed = (region.errors ?? []).map((e) => e.operation);
  return failed.some((o) => o.endsWith('DescribeDBInstances')) && failed.some((o) => o.endsWith('DescribeDBClusters'));
};

/**
 * A live reader for what the config's checks need, with progress on stderr. When nothing could be
 * read in any region (no credentials, bad keys, no network), that is a setup problem reported with
 * its cause (exit 2), for check and snapshot alike, rather than a fleet full of CHECK_DEGRADED
 * findings or a snapshot file of errors. One blind region among readable ones stays CHECK_DEGRADED.
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
          `No AWS credentials found (${printable(errors[0]!.message)}). Pass --profile NAME, set AWS_PROFILE, run "aws sso login", ` +
            'or check a snapshot file offline with --snapshot FILE.',
        );
      }
      const regions = Object.entries(snapshot.regions);
      if (regions.length > 0 && regions.every(([, data]) => blind(data))) {
        const [region, data] = regions[0]!;
        const first = data.errors![0]!;
        throw new SetupError(
          `Nothing could be read from AWS in ${regions.map(([r]) => r).join(', ')}: in ${region}, ${first.operation} failed` +
            `${first.code ? ` (${first.code})` : ''}: ${printable(first.message)}. ` +
            'Check network access to AWS and the credentials in use ("aws sts get-caller-identity"), or check a snapshot file offline with --snapshot FILE.',
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
    walAboveSeconds: lowestLagThresholdSeconds(request.config),
    includeParameters: request.includeParameters ?? request.config.drift.enabled,
    includeAutomatedBackups: request.includeAutomatedBackups ?? request.config.dr.requireReplicatedBackups,
    onProgress: (message) => io.stderr(`${message}\n`),
  });
}
