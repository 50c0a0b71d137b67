/**
 * Setup file: fails a test file that leaves process.env other than it found it, naming the
 * variables. Tests stub variables with vi.stubEnv and undo them with vi.unstubAllEnvs (or save and
 * restore them); a leaked variable would change what later files in the same worker see.
 */
import { afterAll, beforeAll } from 'vitest';

let before: Record<string, string | undefined> = {};

beforeAll(() => {
  before = { ...process.env };
});

afterAll(() => {
  const names = new Set([...Object.keys(before), ...Object.keys(process.env)]);
  const changed = [...names].filter((name) => before[name] !== process.env[name]).sort();
  if (changed.length > 0) {
    throw new Error(`This test file changed environment variables without restoring them: ${changed.join(', ')}`);
  }
});
