import { defineConfig } from 'vitest/config';

// Mutation runs use only the fast in-process tests: the CLI, CDK and handler suites spawn
// processes or synthesize stacks, which would make each mutant take seconds. MUTATE_TESTS
// (comma-separated globs) narrows them further for a one-file run.
//
// A config of its own, not a merge with vitest.config.ts: that file's projects each carry their
// own `include`, which would override the narrowed one here.
const DEFAULT_TESTS = ['test/core/**/*.test.ts', 'test/aws/live-reader*.test.ts', 'test/aws/metric-plan-contract.test.ts', 'test/aws/throttling-retry.test.ts'];

export default defineConfig({
  test: {
    include: process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : DEFAULT_TESTS,
    testTimeout: 10_000,
    hookTimeout: 10_000,
    setupFiles: ['test/support/env-guard.ts'],
    // Stryker reruns the covering test files for every mutant; sharing one module graph per
    // worker instead of re-importing the SDK and the rules for each file is what makes a mutant
    // take a fraction of a second. These files mock no modules, so sharing changes no result.
    pool: 'threads',
    isolate: false,
  },
});
