import { readFile } from 'node:fs/promises';
import { BaselineError, parseBaselineText, type Baseline } from '../core/drift/baseline';

/** Reads and validates a `replguard-baseline/v1` file. */
export async function loadBaselineFile(path: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(
      code === 'ENOENT' ? `Baseline file ${path} does not exist.` : `Cannot read baseline file ${path}: ${(error as Error).message}`,
    );
  }
  return parseBaselineText(text, path);
}
