import { parseArgs, type ParseArgsConfig } from 'node:util';
import { unknownRegionReason } from '../../lambdas/core/shared/regions';
import { UsageError } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with its errors turned into UsageError (exit 2 with usage). */
export function parseFlags<T extends Options>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'));
  }
}

/** `--regions us-east-1,eu-west-1` → validated list. */
export function parseRegionsFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const regions = value.split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length === 0) throw new UsageError('--regions needs at least one region, e.g. --regions us-east-1,eu-west-1');
  const problems = regions.flatMap((r) => {
    const reason = unknownRegionReason(r);
    return reason ? [`unknown region "${r}" (${reason})`] : [];
  });
  if (problems.length) throw new UsageError(`--regions: ${problems.join('; ')}`);
  return regions;
}

export function parseFormatFlag(value: string | undefined): 'table' | 'json' {
  if (value === undefined || value === 'table' || value === 'json') return value ?? 'table';
  throw new UsageError(`--format must be "table" or "json" (got "${value}")`);
}
