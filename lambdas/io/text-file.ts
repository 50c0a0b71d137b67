import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { formatBytes } from '../core/shared/format';

/** How big each kind of input may be: generous for real fleets, small enough to refuse a wrong file fast. */
export const MAX_FILE_BYTES = {
  config: 1024 ** 2,
  baseline: 16 * 1024 ** 2,
  snapshot: 256 * 1024 ** 2,
} as const;

export type InputKind = keyof typeof MAX_FILE_BYTES;

const LABEL: Record<InputKind, string> = { config: 'Config', baseline: 'Baseline', snapshot: 'Snapshot' };

/** Each kind's own error class (ConfigError, BaselineError, SnapshotError): exit 2 with the message. */
export type ErrorFactory = (message: string) => Error;

function failure(kind: InputKind, path: string, error: unknown, hint = ''): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${LABEL[kind]} file ${path} does not exist${hint}.`;
  if (code === 'EISDIR') return `${LABEL[kind]} file ${path} is a directory.`;
  return `Cannot read ${kind} file ${path}: ${(error as Error).message}`;
}

function checkSize(kind: InputKind, path: string, size: number, isFile: boolean): string | undefined {
  if (!isFile) return `${LABEL[kind]} file ${path} is not a regular file.`;
  const limit = MAX_FILE_BYTES[kind];
  if (size > limit) return `${LABEL[kind]} file ${path} is ${formatBytes(size)}, above the ${formatBytes(limit)} limit for a ${kind} file.`;
  return undefined;
}

/** Reads an input file as UTF-8 after checking it is a file within its kind's size limit. */
export async function readInputFile(kind: InputKind, path: string, error: ErrorFactory, hint = ''): Promise<string> {
  try {
    const info = await stat(path);
    const problem = checkSize(kind, path, info.size, info.isFile());
    if (problem) throw error(problem);
    return await readFile(path, 'utf8');
  } catch (caught) {
    if (caught instanceof Error && (caught as NodeJS.ErrnoException).code === undefined) throw caught;
    throw error(failure(kind, path, caught, hint));
  }
}

/** The same, synchronously, for the CDK app. */
export function readInputFileSync(kind: InputKind, path: string, error: ErrorFactory, hint = ''): string {
  try {
    const info = statSync(path);
    const problem = checkSize(kind, path, info.size, info.isFile());
    if (problem) throw error(problem);
    return readFileSync(path, 'utf8');
  } catch (caught) {
    if (caught instanceof Error && (caught as NodeJS.ErrnoException).code === undefined) throw caught;
    throw error(failure(kind, path, caught, hint));
  }
}
