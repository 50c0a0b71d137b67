import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The budget of a pure-logic test. Files that synthesize stacks, start local servers or spawn
    // processes raise their own with vi.setConfig at the top of the file, so a hang elsewhere fails fast.
    testTimeout: 10_000,
    hookTimeout: 10_000,
    setupFiles: ['test/support/env-guard.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/lib/**'] },
      },
      {
        extends: true,
        // The stack tests share one module graph per worker: most of a first synthesis is loading
        // aws-cdk-lib, which isolation would repeat for every file. These files mock nothing.
        test: { name: 'stack', include: ['test/lib/**/*.test.ts'], isolate: false },
      },
    ],
  },
});
