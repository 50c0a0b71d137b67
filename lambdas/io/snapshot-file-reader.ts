import type { FleetSnapshot } from '../core/model';
import type { FleetReader } from '../core/reader';
import { parseSnapshotText, SnapshotError } from '../core/snapshot';
import { readInputFile } from './text-file';

/** Reads and validates a `replguard-snapshot/v1` file. */
export class SnapshotFileReader implements FleetReader {
  constructor(private readonly path: string) {}

  async read(): Promise<FleetSnapshot> {
    const text = await readInputFile('snapshot', this.path, (message) => new SnapshotError(message));
    return parseSnapshotText(text, this.path);
  }
}
