import { describe, expect, it } from 'vitest';
import { decideFinish, decideLease, EVENT_COVER_MARGIN_MS, type LeaseState } from '../../../lambdas/core/outputs/run-lease';
import { NOW_MS } from '../../support/fleet';

const held = (holder: string, untilOffsetMs: number, version = 3): LeaseState => ({ holder, until: NOW_MS + untilOffsetMs, version });

describe('decideLease', () => {
  it('takes a free lease for the run\'s duration', () => {
    expect(decideLease(undefined, { holder: 'req-1', nowMs: NOW_MS, durationMs: 150_000 })).toEqual({
      acquired: true,
      next: { holder: 'req-1', until: NOW_MS + 150_000, version: 1, startedAt: NOW_MS },
    });
  });

  it('stands down while another run holds it', () => {
    expect(decideLease(held('req-1', 1), { holder: 'req-2', nowMs: NOW_MS, durationMs: 150_000 })).toEqual({
      acquired: false,
      reason: 'held',
      heldBy: 'req-1',
      until: NOW_MS + 1,
    });
  });

  it('takes over a lease that expired (its run died holding it), on top of the version read', () => {
    const stale = held('req-1', 0);
    expect(decideLease(stale, { holder: 'req-2', nowMs: NOW_MS, durationMs: 150_000 })).toEqual({
      acquired: true,
      next: { holder: 'req-2', until: NOW_MS + 150_000, version: 4, startedAt: NOW_MS },
      previous: stale,
    });
  });

  it('lets a retry of the same invocation back in, extending the lease', () => {
    const decision = decideLease(held('req-1', 60_000), { holder: 'req-1', nowMs: NOW_MS, durationMs: 150_000 });
    expect(decision).toMatchObject({ acquired: true, next: { holder: 'req-1', until: NOW_MS + 150_000, version: 4 } });
  });
});

describe('decideLease for an event-triggered run', () => {
  const SECOND = 1_000;
  const running = (startedAt: number, extra: Partial<LeaseState> = {}): LeaseState => ({ holder: 'req-1', until: NOW_MS + 60_000, version: 3, startedAt, ...extra });
  const event = (eventAt: number) => ({ holder: 'req-2', nowMs: NOW_MS, durationMs: 150_000, eventAt });

  it('drops an event that a run started after it is already checking', () => {
    const eventAt = NOW_MS - 30 * SECOND;
    expect(decideLease(running(eventAt + EVENT_COVER_MARGIN_MS), event(eventAt))).toMatchObject({ acquired: false, reason: 'covered' });
  });

  it('drops an event that a finished run started after it covered', () => {
    const free: LeaseState = { until: 0, version: 4, checkedFrom: NOW_MS - 10 * SECOND };
    expect(decideLease(free, event(NOW_MS - 20 * SECOND))).toMatchObject({ acquired: false, reason: 'covered' });
  });

  it('runs for an event the last finished run started too early to see', () => {
    const free: LeaseState = { until: 0, version: 4, checkedFrom: NOW_MS - 10 * SECOND };
    expect(decideLease(free, event(NOW_MS - 10 * SECOND - EVENT_COVER_MARGIN_MS + 1))).toMatchObject({
      acquired: true,
      next: { holder: 'req-2', startedAt: NOW_MS, checkedFrom: NOW_MS - 10 * SECOND, version: 5 },
    });
  });

  it('asks the run in progress for a follow-up when it started before the event, keeping the latest event time', () => {
    const lease = running(NOW_MS - 20 * SECOND);
    const first = decideLease(lease, event(NOW_MS - 5 * SECOND));
    expect(first).toEqual({
      acquired: false,
      reason: 'queued',
      heldBy: 'req-1',
      until: lease.until,
      next: { ...lease, followUpAfter: NOW_MS - 5 * SECOND, version: 4 },
    });
    // A second, earlier event: already asked for, nothing to write.
    const asked = running(NOW_MS - 20 * SECOND, { followUpAfter: NOW_MS - 5 * SECOND, version: 4 });
    const again = decideLease(asked, event(NOW_MS - 6 * SECOND));
    expect(again).toMatchObject({ acquired: false, reason: 'queued' });
    expect(again).not.toHaveProperty('next');
    // A later one moves the request on.
    expect(decideLease(asked, event(NOW_MS - SECOND))).toMatchObject({ reason: 'queued', next: { followUpAfter: NOW_MS - SECOND, version: 5 } });
  });

  it('runs when a follow-up is still owed, even for an event the last run had covered', () => {
    const owed: LeaseState = { until: 0, version: 4, checkedFrom: NOW_MS - 10 * SECOND, followUpAfter: NOW_MS - 9 * SECOND };
    expect(decideLease(owed, event(NOW_MS - 60 * SECOND))).toMatchObject({ acquired: true, next: { startedAt: NOW_MS } });
    expect((decideLease(owed, event(NOW_MS - 60 * SECOND)) as { next: LeaseState }).next.followUpAfter).toBeUndefined();
  });

  it('never drops an event on an expired lease: its run may have died before reading', () => {
    const dead = running(NOW_MS - 20 * SECOND, { until: NOW_MS - 1 });
    expect(decideLease(dead, event(NOW_MS - 30 * SECOND))).toMatchObject({ acquired: true });
  });
});

describe('decideFinish', () => {
  const finish = { holder: 'req-1', nowMs: NOW_MS, durationMs: 150_000, covered: true, mayRunAgain: true };
  const lease: LeaseState = { holder: 'req-1', until: NOW_MS + 60_000, version: 5, startedAt: NOW_MS - 40_000, checkedFrom: NOW_MS - 600_000 };

  it('gives the lease back recording the run\'s start as covered', () => {
    expect(decideFinish(lease, finish)).toEqual({ again: false, next: { until: 0, version: 6, checkedFrom: NOW_MS - 40_000 } });
  });

  it('runs once more, restarted now, when an event asked for a follow-up during the run', () => {
    expect(decideFinish({ ...lease, followUpAfter: NOW_MS - 1_000 }, finish)).toEqual({
      again: true,
      eventAt: NOW_MS - 1_000,
      next: { holder: 'req-1', until: NOW_MS + 150_000, version: 6, startedAt: NOW_MS, checkedFrom: NOW_MS - 600_000 },
    });
  });

  it('keeps an owed follow-up in the free lease when there is no time left for it', () => {
    expect(decideFinish({ ...lease, followUpAfter: NOW_MS - 1_000 }, { ...finish, mayRunAgain: false })).toEqual({
      again: false,
      next: { until: 0, version: 6, checkedFrom: NOW_MS - 40_000, followUpAfter: NOW_MS - 1_000 },
    });
  });

  it('records nothing as covered after a failed run, and leaves a lease taken over alone', () => {
    expect(decideFinish(lease, { ...finish, covered: false })).toEqual({ again: false, next: { until: 0, version: 6, checkedFrom: NOW_MS - 600_000 } });
    expect(decideFinish({ ...lease, holder: 'req-9' }, finish)).toEqual({ again: false });
  });
});
