/**
 * Retries AWS calls that were throttled, with exponential backoff and full jitter.
 *
 * The SDK's adaptive retry mode already slows a client down, but it gives up after three attempts
 * and a fleet-wide read makes hundreds of calls against one per-region token bucket (RDS: burst
 * 300, about 12 requests/s sustained). This wrapper keeps a throttled page from turning into a
 * CHECK_DEGRADED finding. Anything that is not throttling is rethrown at once.
 */

export interface RetryOptions {
  /** Total attempts including the first. @default 6 */
  readonly maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). @default 200 */
  readonly baseDelayMs?: number;
  /** @default 10000 */
  readonly maxDelayMs?: number;
  /** Injected by tests so they do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected by tests for a deterministic jitter. @default Math.random */
  readonly random?: () => number;
  /** Called before each wait, e.g. to report progress. */
  readonly onRetry?: (event: { readonly error: unknown; readonly attempt: number; readonly delayMs: number }) => void;
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface ErrorFields {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: unknown };
}

export function isThrottlingError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as ErrorFields;
  return (
    [e.name, e.code, e.Code].some((c) => typeof c === 'string' && THROTTLING_CODES.has(c)) ||
    e.$metadata?.httpStatusCode === 429 ||
    e.$retryable?.throttling === true
  );
}

export async function withThrottlingRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 6);
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 10_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= maxAttempts || !isThrottlingError(error)) throw error;
      const delayMs = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}
