/**
 * Credentials for member accounts: one STS AssumeRole per account and run, reused by every client
 * of that account, assumed again shortly before they expire, and assumed again once when AWS
 * answers that the session expired mid-run (a clock skew or a session revoked early).
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { aroundEachSend } from './sdk-middleware';
import { withThrottlingRetry, type RetryOptions } from './throttling-retry';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A credentials provider the SDK calls on every request: it must not memoize it on top of the session's own cache. */
export type SessionCredentialsProvider = (() => Promise<AwsCredentials>) & { readonly memoized: true };

export interface AssumeRoleSessionsOptions {
  readonly sts: Pick<STSClient, 'send'>;
  /** Shown in the member account's CloudTrail. @default 'replication-guard' */
  readonly sessionName?: string;
  /** 900 up to the role's maximum session duration (1 hour unless raised). @default 3600 */
  readonly durationSeconds?: number;
  /** Assume again when the credentials have less than this left. @default 5 minutes (as the SDK's own providers) */
  readonly refreshBeforeExpiryMs?: number;
  readonly now?: () => number;
  readonly retry?: RetryOptions;
}

/** STS error codes for an expired session token: ExpiredTokenException (API references, Common Errors); ExpiredToken (Query-protocol services). */
const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException']);

export function isExpiredTokenError(error: unknown): boolean {
  const e = (error ?? {}) as { name?: unknown; Code?: unknown };
  return [e.name, e.Code].some((c) => typeof c === 'string' && EXPIRED_CODES.has(c));
}

/** One account's role session. */
export class RoleSession {
  private current?: Promise<AwsCredentials>;
  private generationValue = 0;
  readonly provider: SessionCredentialsProvider;

  constructor(
    private readonly assume: () => Promise<AwsCredentials>,
    private readonly refreshBeforeExpiryMs: number,
    private readonly now: () => number,
  ) {
    this.provider = Object.assign(() => this.get(), { memoized: true as const });
  }

  /** Increments each time the role is assumed again; lets concurrent failures refresh only once. */
  get generation(): number {
    return this.generationValue;
  }

  async get(): Promise<AwsCredentials> {
    if (!this.current) return this.renew();
    const credentials = await this.current;
    const left = credentials.expiration ? credentials.expiration.getTime() - this.now() : Infinity;
    return left < this.refreshBeforeExpiryMs ? this.renew() : credentials;
  }

  /** Drops the credentials of `generation` (if still current) so the next call assumes the role again. */
  expire(generation: number): void {
    if (generation === this.generationValue) this.current = undefined;
  }

  private renew(): Promise<AwsCredentials> {
    this.generationValue++;
    const pending = this.assume();
    this.current = pending;
    // A failed AssumeRole is not kept: the next request of the run tries again.
    pending.catch(() => {
      if (this.current === pending) this.current = undefined;
    });
    return pending;
  }
}

/** The run's role sessions, one per role ARN and external id. */
export class AssumeRoleSessions {
  private readonly sessions = new Map<string, RoleSession>();
  private calls = 0;

  constructor(private readonly options: AssumeRoleSessionsOptions) {}

  /** AssumeRole calls made so far (each account once per run unless its credentials ran out). */
  get assumeRoleCalls(): number {
    return this.calls;
  }

  sessionFor(roleArn: string, externalId?: string): RoleSession {
    const key = `${roleArn}\n${externalId ?? ''}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = new RoleSession(
        () => this.assume(roleArn, externalId),
        this.options.refreshBeforeExpiryMs ?? 5 * 60_000,
        this.options.now ?? Date.now,
      );
      this.sessions.set(key, session);
    }
    return session;
  }

  private async assume(roleArn: string, externalId: string | undefined): Promise<AwsCredentials> {
    const out = await withThrottlingRetry(() => {
      this.calls++;
      return this.options.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.sessionName ?? 'replication-guard',
          DurationSeconds: this.options.durationSeconds ?? 3600,
          ...(externalId ? { ExternalId: externalId } : {}),
        }),
      );
    }, this.options.retry);
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw Object.assign(new Error(`AssumeRole ${roleArn} returned no credentials`), { name: 'EmptyCredentials' });
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  }
}

/** A request refused because the session expired is sent once more with freshly assumed credentials. */
export function retryExpiredSession(client: Parameters<typeof aroundEachSend>[0], session: RoleSession): void {
  aroundEachSend(client, 'replguardExpiredSessionRetry', async (next, args) => {
    const generation = session.generation;
    try {
      return await next(args);
    } catch (error) {
      if (!isExpiredTokenError(error)) throw error;
      session.expire(generation);
      return next(args);
    }
  });
}
