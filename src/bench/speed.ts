// The speed suite: how fast the host runs each configuration, in guest MIPS: millions of emulated
// instructions (every instruction the machine retired: the guest's and, under a VMM, the VMM's)
// per second of host time, for a whole boot, measured with tinybench. These are the only figures
// of the harness that depend on the host; the instruction count behind each is exact and checked
// to be the same in every sample.

import { Bench } from 'tinybench';
import { DEFAULT_COSTS } from '../machine/costs.js';
import { BenchError, iterationsOf, measure } from './measure.js';
import type { SpeedRow } from './results.js';

/** Runs SPEED_SCALE times the workload's default iterations, so that executing instructions, not
 *  building the machine and booting, dominates the time measured. */
export const SPEED_SCALE = 10;

export function speedResults(
  configs: readonly string[],
  workloads: readonly string[],
  samples: number,
  progress?: (done: number, total: number, what: string) => void,
): SpeedRow[] {
  const rows: SpeedRow[] = [];
  const total = configs.length * workloads.length;
  let done = 0;
  for (const workload of workloads) {
    for (const config of configs) {
      progress?.(done++, total, `speed: ${workload} under ${config}`);
      const spec = { config, workload, iterations: SPEED_SCALE * iterationsOf(workload), costs: DEFAULT_COSTS };
      const expected = measure(spec).measurement; // also the warm-up: assembles and caches images
      const bench = new Bench({ iterations: samples, time: 0, warmup: true, warmupIterations: 1, retainSamples: true, throws: true });
      bench.add(`${workload} ${config}`, () => {
        const got = measure(spec).measurement;
        if (got.instructions !== expected.instructions) throw new BenchError(`${workload} under ${config}: instruction count changed between runs`);
      });
      bench.runSync();
      const result = bench.tasks[0]!.result;
      if (result.state !== 'completed') throw new BenchError(`speed: ${workload} under ${config} did not complete (${result.state})`);
      // Latencies are milliseconds per boot; MIPS = instructions / (ms * 1000).
      const mips = (ms: number): number => expected.instructions / (ms * 1000);
      rows.push({
        config,
        workload,
        mips: mips(result.latency.p50),
        min: mips(result.latency.max),
        max: mips(result.latency.min),
        samples: result.latency.samplesCount,
        instructions: expected.instructions,
      });
    }
  }
  progress?.(total, total, 'done');
  return rows;
}
