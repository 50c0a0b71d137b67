/**
 * How the checker Lambda is bundled: shared by the CDK construct and `bench/bundle.bench.ts`
 * (no CDK import here, so the bench stays light).
 */
import { fileURLToPath } from 'node:url';

/** The handler's source. */
export const CHECKER_ENTRY = fileURLToPath(new URL('../lambdas/checker/handler.ts', import.meta.url));

/**
 * esbuild options of the checker bundle. ESM so esbuild can tree-shake the SDK's ES modules; the
 * SDK is bundled (not taken from the runtime) so the deployed code runs the SDK version the tests
 * ran; `require` is shimmed for the CommonJS dependencies that still call it.
 */
export const CHECKER_BUNDLE = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;
