/**
 * The live organization reader: each target account read by the single-account live reader, with
 * the account's assumed-role credentials (or the checker's own for the deploying account), a
 * pacer per account-region under the RDS API rate, and a bound on the accounts read at once.
 * An account whose role cannot be assumed is that account's `errors`; the others are unaffected.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AccountTarget } from '../core/fleet/accounts';
import { SNAPSHOT_FORMAT_V2, type AccountSnapshot } from '../core/fleet/model';
import type { OrgReader } from '../core/fleet/reader';
import { AssumeRoleSessions, retryExpiredSession, type AssumeRoleSessionsOptions, type AwsCredentials, type RoleSession } from './assume-role';
import { LiveFleetReader, type LiveReaderOptions, type RequestHandlerOption } from './live-reader';
import { mapLimit, readError } from './live-reader-calls';
import { paceRequests, TokenBucketPacer, type PaceOptions } from './rds-pacer';
import { sdkRequestHandler, type SdkTimeouts } from './sdk-client-config';

/** Accounts read at once: each has its regions in parallel, so this bounds sockets and memory. @default */
export const DEFAULT_ACCOUNT_CONCURRENCY = 32;

type AccountReadOptions = Omit<
  LiveReaderOptions,
  'regions' | 'profile' | 'credentials' | 'clients' | 'customizeClients' | 'onProgress' | 'endpoint' | 'timeouts' | 'now' | 'requestHandler'
>;

export interface LiveOrgReaderOptions {
  /** What each account's read includes (window, parameters, backups, metric level, retry). */
  readonly read?: AccountReadOptions;
  /** The checker's own credentials, for the deploying account and for STS: a shared-config profile; default chain otherwise. */
  readonly profile?: string;
  /** The checker's own credentials as given (tests, benchmarks); wins over `profile`. */
  readonly credentials?: AwsCredentials;
  /** Region of the STS endpoint used for AssumeRole. @default the first target's first region */
  readonly stsRegion?: string;
  /** Role session settings (session name, duration, refresh margin). */
  readonly assumeRole?: Omit<AssumeRoleSessionsOptions, 'sts'>;
  /** @default DEFAULT_ACCOUNT_CONCURRENCY */
  readonly accountConcurrency?: number;
  /** RDS pace per account-region. @default DEFAULT_RDS_PACE (10 per second, burst 2) */
  readonly rdsPace?: PaceOptions;
  /** One endpoint URL for every client (an AWS-compatible endpoint). @default the AWS endpoints */
  readonly endpoint?: string;
  readonly timeouts?: SdkTimeouts;
  /** Every client's HTTP handler (benchmarks answer in-process). @default a NodeHttpHandler with `timeouts` */
  readonly requestHandler?: RequestHandlerOption;
  /** The snapshot's capturedAt, shared by every account. @default () => new Date() */
  readonly now?: () => Date;
  readonly onProgress?: (message: string) => void;
}

export interface LiveOrgReader extends OrgReader {
  /** AssumeRole calls made by this reader so far. */
  readonly assumeRoleCalls: number;
}

const label = (t: AccountTarget) => (t.name ? `${t.accountId} (${t.name})` : t.accountId);

export function createLiveOrgReader(options: LiveOrgReaderOptions = {}): LiveOrgReader {
  const pacers = new Map<string, TokenBucketPacer>();
  const pacerFor = (accountId: string, region: string) => {
    const key = `${accountId}/${region}`;
    let pacer = pacers.get(key);
    if (!pacer) pacers.set(key, (pacer = new TokenBucketPacer(options.rdsPace)));
    return pacer;
  };
  const baseCredentials = options.credentials ?? (options.profile ? fromIni({ profile: options.profile }) : undefined);
  let sessions: AssumeRoleSessions | undefined;
  let sts: STSClient | undefined;
  const sessionsFor = (targets: readonly AccountTarget[]) => {
    if (!sessions) {
      sts = new STSClient({
        region: options.stsRegion ?? targets[0]?.regions[0] ?? 'us-east-1',
        requestHandler: options.requestHandler ?? sdkRequestHandler(options.timeouts),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(baseCredentials ? { credentials: baseCredentials } : {}),
      });
      sessions = new AssumeRoleSessions({ ...options.assumeRole, sts });
    }
    return sessions;
  };
  const progress = (message: string) => options.onProgress?.(message);

  async function readAccount(target: AccountTarget, now: Date, all: readonly AccountTarget[]): Promise<AccountSnapshot> {
    const named = target.name ? { name: target.name } : {};
    let session: RoleSession | undefined;
    if (target.roleArn) {
      session = sessionsFor(all).sessionFor(target.roleArn, target.externalId);
      try {
        await session.get();
      } catch (error) {
        const failure = readError('sts:AssumeRole', error, `cannot assume ${target.roleArn}`);
        progress(`${label(target)}: ${failure.operation} failed${failure.code ? ` (${failure.code})` : ''}: ${failure.message}`);
        return { ...named, regions: {}, errors: [failure] };
      }
    }
    const reader = new LiveFleetReader({
      ...options.read,
      regions: target.regions,
      now: () => now,
      ...(session ? { credentials: session.provider } : baseCredentials ? { credentials: baseCredentials } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
      customizeClients: (clients, region) => {
        paceRequests(clients.rds, pacerFor(target.accountId, region));
        if (session) {
          retryExpiredSession(clients.rds, session);
          retryExpiredSession(clients.cloudwatch, session);
        }
      },
      onProgress: (message) => progress(`${label(target)}: ${message}`),
    });
    try {
      const fleet = await reader.read();
      return { ...named, regions: fleet.regions };
    } catch (error) {
      // The single-account reader records its failures; anything it throws still stays in this account.
      return { ...named, regions: {}, errors: [readError('replguard:ReadAccount', error)] };
    } finally {
      reader.destroy();
    }
  }

  return {
    get assumeRoleCalls() {
      return sessions?.assumeRoleCalls ?? 0;
    },
    async read(targets) {
      const now = options.now?.() ?? new Date();
      const reads = await mapLimit(targets, options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, (target) =>
        readAccount(target, now, targets),
      );
      const accounts: Record<string, AccountSnapshot> = {};
      targets.forEach((target, i) => {
        accounts[target.accountId] = reads[i]!;
      });
      return { format: SNAPSHOT_FORMAT_V2, capturedAt: now.toISOString(), accounts };
    },
  };
}
