// The differential equivalence tester's fixed run (src/fuzz/): 12 boot sets of seed 2024 under
// every configuration and both cost presets, compared per process with native. A file of its
// own, so that vitest can run it beside the pinned boot sets of test/fuzz/equivalence.test.ts
// on the other core (together they were one file of nearly six minutes).

import { describe, expect, it } from 'vitest';
import { bootSeeds, runEquivalence } from '../../src/fuzz/equivalence.js';

describe('every configuration equals native on random programs: the fixed run', () => {
  // The fixed run, 12 boot sets of seed 2024, in six tests of two (each well inside the
  // timeout on a busy 2-core machine, and free to run in parallel; a crun block's disk writes
  // cost a vtx-2006 boot hundreds of millions of cycles, so four per test came too close).
  // With hosted among the configs a slice takes about 30 s on an idle machine; the timeout leaves
  // room for a loaded one.
  it.each([0, 2, 4, 6, 8, 10])('the fixed run: boot sets %i.. (2 of 12) of seed 2024 under every config and preset', (first) => {
    const report = runEquivalence({ seeds: bootSeeds(2024, 12).slice(first, first + 2) });
    expect(report.programs).toBeGreaterThanOrEqual(8);
    expect(report.divergences).toEqual([]);
  }, 180_000);
});
