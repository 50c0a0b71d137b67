/**
 * Joins the partial reads of a fan-out run into one OrgSnapshot. A shard that failed, timed out
 * or left an account out never loses that account: it gets an `errors` entry, so evaluation
 * reports it CHECK_DEGRADED and holds its alerts instead of resolving them.
 */
import { SNAPSHOT_FORMAT_V2, type AccountSnapshot, type OrgSnapshot, type ReadError } from './model';

/** The operation named in the error of an account whose shard gave no data. */
export const SHARD_READ_OPERATION = 'replguard:ReadShard';

export interface PlannedShard {
  readonly index: number;
  readonly accounts: readonly { readonly accountId: string; readonly name?: string }[];
}

/** What one shard produced: its partial snapshot, or why there is none. */
export interface ShardOutcome {
  readonly index: number;
  readonly snapshot?: OrgSnapshot;
  /** Why the shard has no snapshot (the Map's caught error, a missing or unreadable part). */
  readonly failure?: string;
}

function unread(name: string | undefined, error: ReadError): AccountSnapshot {
  return { ...(name !== undefined ? { name } : {}), regions: {}, errors: [error] };
}

/**
 * One snapshot with every planned account in it, in plan order. `capturedAt` is the run's time
 * (the planner's), so the merged snapshot is judged at one instant whatever order shards ended in.
 */
export function mergeOrgSnapshots(shards: readonly PlannedShard[], outcomes: readonly ShardOutcome[], capturedAt: string): OrgSnapshot {
  const byIndex = new Map(outcomes.map((o) => [o.index, o]));
  const accounts: Record<string, AccountSnapshot> = {};
  for (const shard of shards) {
    const outcome = byIndex.get(shard.index);
    const snapshot = outcome?.snapshot;
    for (const { accountId, name } of shard.accounts) {
      const read = snapshot ? Object.hasOwn(snapshot.accounts, accountId) ? snapshot.accounts[accountId] : undefined : undefined;
      if (read) {
        accounts[accountId] = name !== undefined && read.name === undefined ? { ...read, name } : read;
        continue;
      }
      const message = snapshot
        ? `shard ${shard.index} returned no data for this account`
        : `shard ${shard.index} failed: ${outcome?.failure ?? 'no result (the reader did not finish)'}`;
      accounts[accountId] = unread(name, { operation: SHARD_READ_OPERATION, code: snapshot ? 'AccountMissingFromShard' : 'ShardFailed', message });
    }
  }
  return { format: SNAPSHOT_FORMAT_V2, capturedAt, accounts };
}
