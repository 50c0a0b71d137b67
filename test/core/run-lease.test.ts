import { describe, expect, it } from 'vitest';
import { decideLease, type LeaseState } from '../../lambdas/core/run-lease';

const NOW = Date.parse('2026-11-24T10:00:00Z');
const held = (holder: string, untilOffsetMs: number, version = 3): LeaseState => ({ holder, until: NOW + untilOffsetMs, version });

describe('decideLease', () => {
  it('takes a free lease for the run\'s duration', () => {
    expect(decideLease(undefined, { holder: 'req-1', nowMs: NOW, durationMs: 150_000 })).toEqual({
      acquired: true,
      next: { holder: 'req-1', until: NOW + 150_000, version: 1 },
    });
  });

  it('stands down while another run holds it', () => {
    expect(decideLease(held('req-1', 1), { holder: 'req-2', nowMs: NOW, durationMs: 150_000 })).toEqual({
      acquired: false,
      heldBy: 'req-1',
      until: NOW + 1,
    });
  });

  it('takes over a lease that expired (its run died holding it), on top of the version read', () => {
    const stale = held('req-1', 0);
    expect(decideLease(stale, { holder: 'req-2', nowMs: NOW, durationMs: 150_000 })).toEqual({
      acquired: true,
      next: { holder: 'req-2', until: NOW + 150_000, version: 4 },
      previous: stale,
    });
  });

  it('lets a retry of the same invocation back in, extending the lease', () => {
    const decision = decideLease(held('req-1', 60_000), { holder: 'req-1', nowMs: NOW, durationMs: 150_000 });
    expect(decision).toMatchObject({ acquired: true, next: { holder: 'req-1', until: NOW + 150_000, version: 4 } });
  });
});
