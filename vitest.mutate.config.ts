import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

// Mutation runs use only the fast in-process tests: the CLI, CDK and handler suites spawn
// processes or synthesize stacks, which would make each mutant take seconds. MUTATE_TESTS
// (comma-separated globs) narrows them further for a one-file run.
const DEFAULT_TESTS = ['test/core/**/*.test.ts', 'test/aws/live-reader*.test.ts', 'test/aws/throttling-retry.test.ts'];

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: process.env.MUTATE_TESTS ? process.env.MUTATE_TESTS.split(',') : DEFAULT_TESTS,
    },
  }),
);
