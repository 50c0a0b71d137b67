import type { FleetSnapshot, OrgSnapshot } from '../core/fleet/model';
import type { FleetReader } from '../core/fleet/reader';
import { parseOrgSnapshotText, parseSnapshotText, SnapshotError } from '../core/fleet/snapshot';
import { readInputFile } from './text-file';

/** Reads and validates a `replguard-snapshot/v1` file (one account's regions). */
export class SnapshotFileReader implements FleetReader {
  constructor(private readonly path: string) {}

  async read(): Promise<FleetSnapshot> {
    const text = await readInputFile('snapshot', this.path, (message) => new SnapshotError(message));
    return parseSnapshotText(text, this.path);
  }
}

/** Reads and validates a snapshot file of either format as an organization (a v1 file is one account). */
export class OrgSnapshotFileReader {
  constructor(private readonly path: string) {}

  async read(): Promise<OrgSnapshot> {
    const text = await readInputFile('snapshot', this.path, (message) => new SnapshotError(message));
    return parseOrgSnapshotText(text, this.path);
  }
}
