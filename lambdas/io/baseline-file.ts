import { BaselineError, parseBaselineText, type Baseline } from '../core/rules/drift/baseline';
import { readInputFile } from './text-file';

/** Reads and validates a `replguard-baseline/v1` file. */
export async function loadBaselineFile(path: string): Promise<Baseline> {
  const text = await readInputFile('baseline', path, (message) => new BaselineError(message));
  return parseBaselineText(text, path);
}
