/**
 * Lambda bundles: each function's minified bundle size (esbuild with the options the
 * NodejsFunction uses) and its module-init time (importing the bundle in a fresh Node.js process
 * with the function's environment set, which runs every init-time statement: config validation,
 * logger, SDK clients, readers). Targets: ≤ 1 MB, ≤ 300 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLED_CONFIG_FILE, ENV_NAMES } from '../lambdas/checker/env';
import { CHECKER_BUNDLE, CHECKER_ENTRY } from '../lib/checker-bundle';
import type { Benchmark, BenchContext, BenchValue } from './types';

export const MAX_BUNDLE_BYTES = 1_000_000;
export const MAX_INIT_MS = 300;
const INIT_RUNS = 7;

interface LambdaBundle {
  readonly name: string;
  readonly entry: string;
  readonly options: typeof CHECKER_BUNDLE;
  readonly env: Readonly<Record<string, string>>;
  /** Files the stack ships next to the bundle, by name. */
  readonly files: Readonly<Record<string, string>>;
}

const FUNCTIONS: readonly LambdaBundle[] = [
  {
    name: 'checker',
    entry: CHECKER_ENTRY,
    options: CHECKER_BUNDLE,
    files: { [BUNDLED_CONFIG_FILE]: readFileSync(new URL('../examples/replguard.config.json', import.meta.url), 'utf8') },
    env: {
      [ENV_NAMES.tableName]: 'bench-alerts',
      [ENV_NAMES.topicArn]: 'arn:aws:sns:us-east-1:123456789012:bench-alerts',
      [ENV_NAMES.dashboardName]: 'bench-dashboard',
      [ENV_NAMES.dashboardRegion]: 'us-east-1',
      [ENV_NAMES.deploymentName]: 'bench',
      AWS_REGION: 'us-east-1',
    },
  },
];

/** Imports the bundle in a new process and returns how long the import (module init) took. */
function measureInit(bundle: string, env: Readonly<Record<string, string>>): number {
  const script =
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle).href)}); ` +
    `process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // Only what a Lambda has: no credentials are needed (or looked up) at init.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  if (result.status !== 0) throw new Error(`importing ${bundle} failed: ${result.stderr.trim()}`);
  return Number(result.stdout);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureBundles(ctx: BenchContext): Promise<Record<string, BenchValue>> {
  const results: Record<string, BenchValue> = {};
  for (const fn of FUNCTIONS) {
    const dir = mkdtempSync(join(tmpdir(), `replguard-bundle-${fn.name}-`));
    try {
      const outfile = join(dir, 'index.mjs');
      await build({
        entryPoints: [fn.entry],
        outfile,
        bundle: true,
        platform: 'node',
        target: fn.options.target,
        format: fn.options.format,
        minify: fn.options.minify,
        sourcemap: fn.options.sourcemap,
        mainFields: [...fn.options.mainFields],
        banner: { js: fn.options.banner },
        logLevel: 'silent',
      });
      for (const [name, text] of Object.entries(fn.files)) writeFileSync(join(dir, name), text);
      const bytes = statSync(outfile).size;
      const runs = Array.from({ length: INIT_RUNS }, () => measureInit(outfile, fn.env));
      const initMs = Math.round(median(runs));
      ctx.log(
        `${fn.name}: bundle ${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes, target ≤ ${MAX_BUNDLE_BYTES}), ` +
          `module init median ${initMs} ms of ${INIT_RUNS} cold imports on Node.js ${process.versions.node} (target ≤ ${MAX_INIT_MS} ms)`,
      );
      if (bytes > MAX_BUNDLE_BYTES) ctx.fail(`${fn.name} bundle is ${bytes} bytes, above ${MAX_BUNDLE_BYTES}`);
      if (initMs > MAX_INIT_MS) ctx.fail(`${fn.name} module init takes ${initMs} ms, above ${MAX_INIT_MS} ms`);
      results[`${fn.name}BundleBytes`] = bytes;
      results[`${fn.name}InitMs`] = initMs;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

export const bundleBench: Benchmark = {
  name: 'Lambda bundles: minified size and module-init time',
  run: measureBundles,
};
