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

/** A live reader for what the config's checks need, with progress on stderr. */
export function createLiveReader(io: CliIo, request: LiveReaderRequest): FleetReader {
  return new LiveFleetReader({
    regions: request.regions,
    profile: request.profile,
    windowMinutes: request.windowMinutes ?? request.config.lag.windowMinutes,
    includeParameters: request.includeParameters ?? request.config.drift.enabled,
    includeAutomatedBackups: request.includeAutomatedBackups ?? request.config.dr.requireReplicatedBackups,
    onProgress: (message) => io.stderr(`${message}\n`),
  });
}
