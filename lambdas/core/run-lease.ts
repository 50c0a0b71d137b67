/**
 * Keeping two runs of one check from overlapping, without reserved concurrency (which cannot be
 * set on accounts whose concurrency quota leaves fewer than 100 unreserved). A run takes a lease
 * on its scope before it reads; a second run of the same scope finds it held and stops. The
 * lease expires on its own, so a run that died holding it blocks the next one only until then.
 *
 * Pure: the store reads the current lease, this decides, and the store writes the decision
 * conditionally on the version it read, so two runs deciding at once cannot both win.
 */
import type { EvaluationScope } from './evaluate';

/** Partition of the lease items in the alert table: no alert scope is named like this. */
export const LEASE_PARTITION = '#lease';

export interface LeaseState {
  /** The invocation holding it (the Lambda request id, the same across its retries). */
  readonly holder: string;
  /** Epoch milliseconds. */
  readonly until: number;
  /** Bumped on every write: the store writes only over the version it read. */
  readonly version: number;
}

export type LeaseDecision =
  | { readonly acquired: true; readonly next: LeaseState; readonly previous?: LeaseState }
  | { readonly acquired: false; readonly heldBy: string; readonly until: number };

export interface LeaseRequest {
  readonly holder: string;
  readonly nowMs: number;
  /** How long the lease lasts: at least the run's remaining time, so it outlives the run. */
  readonly durationMs: number;
}

/**
 * Free, expired, or already ours (a retry of the same invocation): take it until now + duration.
 * Held by another run and not expired: do not run.
 */
export function decideLease(current: LeaseState | undefined, request: LeaseRequest): LeaseDecision {
  if (current && current.holder !== request.holder && current.until > request.nowMs) {
    return { acquired: false, heldBy: current.holder, until: current.until };
  }
  const next: LeaseState = {
    holder: request.holder,
    until: request.nowMs + request.durationMs,
    version: (current?.version ?? 0) + 1,
  };
  return current ? { acquired: true, next, previous: current } : { acquired: true, next };
}

/** A lease per check scope: a health run never waits for a drift run. */
export interface RunLease {
  acquire(scope: EvaluationScope, holder: string): Promise<LeaseDecision>;
  /** Gives the lease back if this holder still has it; a lease taken over since stays. */
  release(scope: EvaluationScope, holder: string): Promise<void>;
}
