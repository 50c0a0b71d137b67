import { describe, expect, it } from 'vitest';
import { isThrottlingError, withThrottlingRetry, type RetryOptions } from '../../lambdas/aws/throttling-retry';

const throttling = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

/** A call that is throttled `times` times, then answers. */
function throttledCall(times: number) {
  let calls = 0;
  const call = async () => {
    calls++;
    if (calls <= times) throw throttling();
    return 'answer';
  };
  return { call, calls: () => calls };
}

function recorder(extra: Partial<RetryOptions> = {}) {
  const sleeps: number[] = [];
  const options: RetryOptions = { sleep: async (ms) => void sleeps.push(ms), ...extra };
  return { sleeps, options };
}

describe('withThrottlingRetry', () => {
  it('doubles the delay ceiling per attempt from the base (full jitter at the top of the range)', async () => {
    // Prepare: random just below 1 shows each attempt's ceiling.
    const { sleeps, options } = recorder({ baseDelayMs: 200, maxDelayMs: 100_000, maxAttempts: 6, random: () => 0.999999 });
    const { call, calls } = throttledCall(5);

    // Act
    const result = await withThrottlingRetry(call, options);

    // Assess
    expect(result).toBe('answer');
    expect(calls()).toBe(6);
    expect(sleeps).toEqual([199, 399, 799, 1599, 3199]);
  });

  it('never waits longer than maxDelayMs however many attempts', async () => {
    // Prepare
    const { sleeps, options } = recorder({ baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 8, random: () => 0.999999 });

    // Act
    await withThrottlingRetry(throttledCall(7).call, options);

    // Assess
    expect(sleeps).toEqual([199, 399, 799, 999, 999, 999, 999]);
  });

  it('draws each delay uniformly from zero up to the ceiling (full jitter)', async () => {
    // Prepare: a scripted random source.
    const draws = [0, 0.25, 0.5, 0.75];
    const { sleeps, options } = recorder({ baseDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 5, random: () => draws.shift()! });

    // Act
    await withThrottlingRetry(throttledCall(4).call, options);

    // Assess: ceilings 100, 200, 400, 800.
    expect(sleeps).toEqual([0, 50, 200, 600]);
  });

  it('uses the documented defaults: six attempts, 200 ms base, 10 s cap', async () => {
    // Prepare
    const { sleeps, options } = recorder({ random: () => 0.999999 });
    const { call, calls } = throttledCall(99);

    // Act
    const error = await withThrottlingRetry(call, options).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toMatchObject({ name: 'Throttling' });
    expect(calls()).toBe(6);
    expect(sleeps).toEqual([199, 399, 799, 1599, 3199]);
  });

  it('rethrows anything that is not throttling at once, without waiting', async () => {
    // Prepare
    const { sleeps, options } = recorder();
    let calls = 0;
    const denied = async () => {
      calls++;
      throw Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    };

    // Act
    const error = await withThrottlingRetry(denied, options).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('reports each retry before waiting', async () => {
    // Prepare
    const events: { attempt: number; delayMs: number }[] = [];
    const { options } = recorder({ random: () => 0.5, onRetry: ({ attempt, delayMs }) => events.push({ attempt, delayMs }) });

    // Act
    await withThrottlingRetry(throttledCall(2).call, options);

    // Assess
    expect(events).toEqual([
      { attempt: 1, delayMs: 100 },
      { attempt: 2, delayMs: 200 },
    ]);
  });
});

describe('isThrottlingError', () => {
  it.each([
    ['RDS Query error code', { name: 'Throttling' }],
    ['JSON error type', { name: 'ThrottlingException' }],
    ['EC2-style code', { code: 'RequestLimitExceeded' }],
    ['HTTP 429', { name: 'Error', $metadata: { httpStatusCode: 429 } }],
    ['SDK retry classification', { name: 'Whatever', $retryable: { throttling: true } }],
  ])('recognises %s', (_label, error) => {
    expect(isThrottlingError(error)).toBe(true);
  });

  it.each([
    ['AccessDenied', { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }],
    ['a timeout', { name: 'TimeoutError' }],
    ['a non-object', 'Throttling'],
  ])('does not treat %s as throttling', (_label, error) => {
    expect(isThrottlingError(error)).toBe(false);
  });
});
