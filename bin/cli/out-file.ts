import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './types';

/** `--out FILE` must be writable before minutes of AWS reads are spent on it. */
export async function checkOutPath(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  const info = await stat(folder).catch(() => undefined);
  if (!info) throw new UsageError(`--out ${path}: the folder ${folder} does not exist`);
  if (!info.isDirectory()) throw new UsageError(`--out ${path}: ${folder} is not a folder`);
  if (await access(folder, constants.W_OK).then(() => false, () => true)) throw new UsageError(`--out ${path}: the folder ${folder} is not writable`);
  if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new UsageError(`--out ${path} is a folder: name a file`);
}
