import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files that take longest (seconds of one core in a clean-clone CI run), started first so
 *  that neither core is left with one of them at the end: a clean clone has no timing cache, and
 *  vitest would order them by size, which put the fixed fuzz run (222 s) last. */
const LONGEST_FIRST = [
  'test/fuzz/fixed-run.test.ts', // 222
  'test/fuzz/equivalence.test.ts', // 160
  'test/machine/engines.test.ts', // 128
  'test/fs/kernel-model.test.ts', // 44
  'test/kernel/cgroup.test.ts', // 36
  'test/vmm/vmm.test.ts', // 27
  'test/kernel/hosted.test.ts', // 26
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.indexOf(relative(process.cwd(), f.moduleId).replaceAll('\\', '/'));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    const base = await super.sort(files);
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

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
    sequence: { sequencer: LongestFirst },
    // The JSON report lets .ci/run print the closing "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
