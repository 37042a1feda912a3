import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine.
    // The files are CPU-bound, so use both cores; threads start faster than forks.
    pool: 'threads',
    maxWorkers: 2,
    // The files of a worker share its modules instead of loading src/ again for each file (that
    // halves the suite's CPU time, and the assembled images are shared too). A test that
    // changes a module's state undoes it (test/docs/extending.test.ts).
    isolate: false,
    // The JSON report lets .ci/run print the closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
