/**
 * Keeps one account-region's RDS calls under the RDS API rate limit.
 *
 * RDS throttles per account and region with a token bucket: bursts of up to 300 requests and a
 * sustained 12 requests per second, shared by every caller in the account (console, IaC, other
 * monitoring). A client-side token bucket of `burst` tokens refilled at `ratePerSecond` sends at
 * most `burst + ratePerSecond` requests in any one second; the defaults (2 + 10) stay within 12
 * and leave the sustained rate some room for the account's other callers.
 */
import { aroundEachAttempt } from './sdk-middleware';

/** The documented RDS API limits per account and region (Amazon RDS User Guide, "Request throttling for the Amazon RDS API"). */
export const RDS_API_LIMIT = { burst: 300, sustainedPerSecond: 12 } as const;

export interface PaceOptions {
  /** Tokens added per second. @default 10 */
  readonly ratePerSecond?: number;
  /** Tokens the bucket holds. @default 2 */
  readonly burst?: number;
  /** Injected by tests. @default performance.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RDS_PACE = { ratePerSecond: 10, burst: 2 } as const;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A token bucket that queues callers in arrival order: each waits until its token has been refilled. */
export class TokenBucketPacer {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tokens: number;
  private last: number;

  constructor(options: PaceOptions = {}) {
    this.rate = options.ratePerSecond ?? DEFAULT_RDS_PACE.ratePerSecond;
    this.burst = options.burst ?? DEFAULT_RDS_PACE.burst;
    if (!(this.rate > 0) || !(this.burst >= 1)) throw new Error(`TokenBucketPacer: rate must be > 0 and burst >= 1 (got ${this.rate}, ${this.burst})`);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? defaultSleep;
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    // Tokens below zero are callers already waiting: this one queues behind them.
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    await this.sleep((-this.tokens / this.rate) * 1000);
  }
}

/** Every HTTP attempt of `client` (retries included) waits for a token, before signing so a long wait never sends a stale signature. */
export function paceRequests(client: Parameters<typeof aroundEachAttempt>[0], pacer: TokenBucketPacer): void {
  aroundEachAttempt(client, 'replguardRdsPace', async (next, args) => {
    await pacer.take();
    return next(args);
  });
}
