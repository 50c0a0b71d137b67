import { readFile } from 'node:fs/promises';
import type { FleetSnapshot } from '../core/model';
import type { FleetReader } from '../core/reader';
import { parseSnapshotText, SnapshotError } from '../core/snapshot';

/** Reads and validates a `replguard-snapshot/v1` file. */
export class SnapshotFileReader implements FleetReader {
  constructor(private readonly path: string) {}

  async read(): Promise<FleetSnapshot> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SnapshotError(
        code === 'ENOENT' ? `Snapshot file ${this.path} does not exist.` : `Cannot read snapshot file ${this.path}: ${(error as Error).message}`,
      );
    }
    return parseSnapshotText(text, this.path);
  }
}
