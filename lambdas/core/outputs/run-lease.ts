/**
 * Keeping two runs of one check from overlapping, without reserved concurrency (which cannot be
 * set on accounts whose concurrency quota leaves fewer than 100 unreserved). A run takes a lease
 * on its scope before it reads; a second run of the same scope finds it held and stops. The
 * lease expires on its own, so a run that died holding it blocks the next one only until then.
 *
 * The lease also coalesces event-triggered runs: a burst of RDS events must not start a full
 * check each. An event that a run starting after it has seen (finished or in progress) is
 * dropped as covered; an event that arrives while a run that started before it is in progress
 * asks that run's holder for one more run, made before the lease is let go. So a burst yields
 * one or two checks, and no event goes unchecked (the schedule still runs besides).
 *
 * Pure: the store reads the current lease, this decides, and the store writes the decision
 * conditionally on the version it read, so two runs deciding at once cannot both win.
 */
import type { EvaluationScope } from '../rules/evaluate';

/** Partition of the lease items in the alert table: no alert scope is named like this. */
export const LEASE_PARTITION = '#lease';

export interface LeaseState {
  /** The invocation holding it (the Lambda request id, the same across its retries); absent when free. */
  readonly holder?: string;
  /** Epoch milliseconds; 0 when free. */
  readonly until: number;
  /** Bumped on every write: the store writes only over the version it read. */
  readonly version: number;
  /** When the holder's current run started (epoch ms): its read sees every event before then. */
  readonly startedAt?: number;
  /** Start of the latest run that finished reading: every event before then was covered. */
  readonly checkedFrom?: number;
  /**
   * Time of the latest event that arrived while a run that started before it held the lease: the
   * holder checks once more before it lets go, so the event is never dropped.
   */
  readonly followUpAfter?: number;
}

export type LeaseDecision =
  | { readonly acquired: true; readonly next: LeaseState; readonly previous?: LeaseState }
  | {
      readonly acquired: false;
      readonly heldBy: string;
      readonly until: number;
      /**
       * Why this run need not happen: `held` another run is in progress (scheduled runs stop);
       * `covered` a run that started after the event ran or is running; `queued` the run in
       * progress started before the event and checks again when it ends (`next` is that request,
       * absent when an equal or later one is already queued).
       */
      readonly reason?: 'held' | 'covered' | 'queued';
      readonly next?: LeaseState;
    };

export interface LeaseRequest {
  readonly holder: string;
  readonly nowMs: number;
  /** How long the lease lasts: at least the run's remaining time, so it outlives the run. */
  readonly durationMs: number;
  /**
   * Time of the event that triggered the run (epoch ms); absent for scheduled runs, which always
   * run unless another run holds the lease.
   */
  readonly eventAt?: number;
}

/**
 * How much later than an event a run must start to count as having seen it. EventBridge's
 * `time` is cut to whole seconds, and the describe APIs may show a change a moment after its
 * event; a run that started within this margin after the event does not cover it.
 */
export const EVENT_COVER_MARGIN_MS = 5_000;

const isHeld = (current: LeaseState | undefined, holder: string, nowMs: number): current is LeaseState & { holder: string } =>
  current?.holder !== undefined && current.holder !== holder && current.until > nowMs;

/**
 * Free, expired, or already ours (a retry of the same invocation): take it until now + duration.
 * Held by another run and not expired: do not run. An event-triggered run also stands down when
 * a run that started after the event already finished or is in progress (`covered`), and asks
 * the holder for one more run when the run in progress started before the event (`queued`).
 */
export function decideLease(current: LeaseState | undefined, request: LeaseRequest): LeaseDecision {
  const { eventAt, nowMs } = request;
  const held = isHeld(current, request.holder, nowMs);
  if (eventAt !== undefined && current) {
    const seenFrom = Math.max(current.checkedFrom ?? -Infinity, held ? (current.startedAt ?? -Infinity) : -Infinity);
    // A follow-up still owed (its run ran out of time) means the last run did not cover everything.
    const owed = !held && current.followUpAfter !== undefined;
    if (!owed && seenFrom >= eventAt + EVENT_COVER_MARGIN_MS) {
      return { acquired: false, reason: 'covered', heldBy: current.holder ?? '', until: current.until };
    }
    if (held) {
      const queued = current.followUpAfter !== undefined && current.followUpAfter >= eventAt;
      return {
        acquired: false,
        reason: 'queued',
        heldBy: current.holder,
        until: current.until,
        ...(queued ? {} : { next: { ...current, followUpAfter: eventAt, version: current.version + 1 } }),
      };
    }
  }
  if (held) return { acquired: false, reason: 'held', heldBy: current.holder, until: current.until };
  const next: LeaseState = {
    holder: request.holder,
    until: nowMs + request.durationMs,
    version: (current?.version ?? 0) + 1,
    startedAt: nowMs,
    // A run starting now covers every follow-up asked before it.
    ...(current?.checkedFrom !== undefined ? { checkedFrom: current.checkedFrom } : {}),
  };
  return current ? { acquired: true, next, previous: current } : { acquired: true, next };
}

export interface FinishRequest {
  readonly holder: string;
  readonly nowMs: number;
  readonly durationMs: number;
  /** The run read the fleet to the end (its outputs may still have failed): it covers events before its start. */
  readonly covered: boolean;
  /** Whether there is time (and budget) left for one more run. */
  readonly mayRunAgain: boolean;
}

export type FinishDecision =
  /** An event arrived during the run: the holder keeps the lease (restarted now) and checks again. */
  | { readonly again: true; readonly next: LeaseState; readonly eventAt: number }
  /** The lease is given back (`next` is the free lease to write; absent when it is no longer ours). */
  | { readonly again: false; readonly next?: LeaseState };

/**
 * The end of a run. The lease stays in the table when free, carrying `checkedFrom` (so later
 * events the run saw are dropped as covered) and any follow-up the run could not make.
 */
export function decideFinish(current: LeaseState | undefined, request: FinishRequest): FinishDecision {
  if (!current || current.holder !== request.holder) return { again: false };
  const version = current.version + 1;
  if (request.covered && request.mayRunAgain && current.followUpAfter !== undefined) {
    const { followUpAfter, ...rest } = current;
    return {
      again: true,
      eventAt: followUpAfter,
      next: { ...rest, until: request.nowMs + request.durationMs, startedAt: request.nowMs, version },
    };
  }
  const checkedFrom =
    request.covered && current.startedAt !== undefined ? Math.max(current.startedAt, current.checkedFrom ?? -Infinity) : current.checkedFrom;
  return {
    again: false,
    next: {
      until: 0,
      version,
      ...(checkedFrom !== undefined ? { checkedFrom } : {}),
      ...(current.followUpAfter !== undefined ? { followUpAfter: current.followUpAfter } : {}),
    },
  };
}

/** A lease per check scope: a health run never waits for a drift run. */
export interface RunLease {
  /** `eventAt`: the triggering event's time, for event-triggered runs (see decideLease). */
  acquire(scope: EvaluationScope, holder: string, eventAt?: number): Promise<LeaseDecision>;
  /**
   * After a run: either keeps the lease for one more run (an event arrived during this one) or
   * gives it back, recording what the run covered. A lease taken over since stays.
   */
  finish(scope: EvaluationScope, holder: string, outcome: { readonly covered: boolean; readonly mayRunAgain: boolean }): Promise<FinishDecision>;
  /** Gives the lease back if this holder still has it, recording nothing as covered. */
  release(scope: EvaluationScope, holder: string): Promise<void>;
}
