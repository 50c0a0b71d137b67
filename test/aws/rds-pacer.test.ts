import { describe, expect, it } from 'vitest';
import { DEFAULT_RDS_PACE, RDS_API_LIMIT, TokenBucketPacer } from '../../lambdas/aws/rds-pacer';

/** A pacer on a fake clock: sleeping advances the clock, so the send times are exact. */
function fakeClock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), at: () => now, set: (t: number) => void (now = t) };
}

describe('TokenBucketPacer', () => {
  it('lets the burst through at once, then queues simultaneous callers 1/rate seconds apart, in arrival order', async () => {
    // Prepare: five callers arrive at time 0; the pacer's sleep records each wait.
    const waits: number[] = [];
    const pacer = new TokenBucketPacer({ ratePerSecond: 10, burst: 2, now: () => 0, sleep: async (ms) => void waits.push(ms) });

    // Act
    await Promise.all([1, 2, 3, 4, 5].map(() => pacer.take()));

    // Assess: two at once, then 100 ms, 200 ms, 300 ms later.
    expect(waits.map(Math.round)).toEqual([100, 200, 300]);
  });

  it('refills while idle, never above the burst', async () => {
    // Prepare
    const clock = fakeClock();
    const pacer = new TokenBucketPacer({ ratePerSecond: 10, burst: 2, now: clock.now, sleep: clock.sleep });
    await pacer.take();
    await pacer.take();

    // Act: ten idle seconds refill two tokens, not a hundred.
    clock.set(10_000);
    const sent: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pacer.take();
      sent.push(clock.at());
    }

    // Assess
    expect(sent.map((t) => Math.round(t - 10_000))).toEqual([0, 0, 100, 200]);
  });

  it('defaults to at most 12 calls in any second, the documented sustained RDS rate', () => {
    // Assess
    expect(DEFAULT_RDS_PACE.burst + DEFAULT_RDS_PACE.ratePerSecond).toBeLessThanOrEqual(RDS_API_LIMIT.sustainedPerSecond);
    expect(DEFAULT_RDS_PACE.ratePerSecond).toBeLessThan(RDS_API_LIMIT.sustainedPerSecond);
  });

  it('rejects a pace that could never send', () => {
    expect(() => new TokenBucketPacer({ ratePerSecond: 0 })).toThrow('rate must be > 0');
    expect(() => new TokenBucketPacer({ burst: 0.5 })).toThrow('burst >= 1');
  });
});
