import type { AccountTarget } from './accounts';
import type { FleetSnapshot, OrgSnapshot } from './model';

/**
 * Where a check's data comes from: the live AWS APIs or a snapshot file. Both produce the same
 * `FleetSnapshot`, so nothing downstream knows which one it got. A reader never throws for a
 * failing region or API: it records a `ReadError` in that region and returns the rest.
 */
export interface FleetReader {
  read(): Promise<FleetSnapshot>;
}

/** Reads several accounts. An account that cannot be assumed or read is recorded in its `errors`, never thrown. */
export interface OrgReader {
  read(targets: readonly AccountTarget[]): Promise<OrgSnapshot>;
}
