// One measurement: boot a workload in a configuration under a cost model, run it to power-off,
// and keep the figures the reports need. Everything comes from the machine's own counters
// (MachineStats) after the guest ran; nothing is estimated.

import { findConfig, findWorkload, type BootResult } from '../configs/index.js';
import type { CostModel } from '../machine/costs.js';
import type { Attribution, Measurement, Row } from './results.js';

/** A measured boot's cycle limit: above any workload's run at 2N (the storage workloads under
 *  vtx-2006 wait 36 million cycles per disk request); reaching it is an error, not a figure. */
export const MEASURE_MAX_CYCLES = 10_000_000_000;

/** A boot did not end the way a benchmark run must (power-off with every process finished). */
export class BenchError extends Error {}

/** A suite was asked for a preset, config or workload that does not exist (a usage error). */
export class UnknownNameError extends Error {}

export interface MeasureSpec {
  config: string;
  workload: string;
  iterations: number;
  costs: CostModel;
}

/** What a process printed and how it ended: the part of a run that must equal native's. */
export type Behaviour = { name: string; exitCode: number | null; output: string }[];

export interface MeasuredBoot {
  measurement: Measurement;
  behaviour: Behaviour;
}

const nonZero = (record: Record<string, number> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(record ?? {}).filter(([, n]) => n !== 0));

const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);

export function measurementOf(result: BootResult, iterations: number): Measurement {
  const s = result.stats;
  const attribution: Attribution = {
    guestUser: s.worlds.guestUser.cycles,
    guestKernel: s.worlds.guestKernel.cycles,
    vmm: s.worlds.vmm.cycles,
    transitions: s.worlds.transition.cycles,
    idle: s.worlds.idle.cycles,
  };
  const trapsByCause = nonZero(s.traps);
  const vmExitsByReason = nonZero(s.vmExits);
  return {
    iterations,
    cycles: s.cycles,
    instructions: s.instructions,
    guestInstructions: s.worlds.guestUser.instructions + s.worlds.guestKernel.instructions,
    traps: sum(trapsByCause),
    vmExits: sum(vmExitsByReason),
    attribution,
    trapsByCause,
    vmExitsByReason,
    tlb: { hits: s.tlb.hits, misses: s.tlb.misses, flushes: s.tlb.flushes },
  };
}

/** Boot once and measure; throws BenchError unless the machine powered off with code 0 and every
 *  process finished (a benchmark of a broken run would be a number about nothing). */
export function measure(spec: MeasureSpec): MeasuredBoot {
  const config = findConfig(spec.config);
  if (!config) throw new BenchError(`unknown config '${spec.config}'`);
  const result = config.boot({ workloads: [spec.workload], iterations: spec.iterations, costs: spec.costs, maxCycles: MEASURE_MAX_CYCLES });
  const where = `${spec.workload} under ${spec.config} (${spec.costs.name}, ${spec.iterations} iterations)`;
  if (!result.halted) throw new BenchError(`${where} did not power off: ${result.stop.kind}`);
  if (result.exitCode !== 0) throw new BenchError(`${where} powered off with code ${result.exitCode}`);
  const unfinished = result.processes.find((p) => p.exitCode === null);
  if (unfinished) throw new BenchError(`${where}: process ${unfinished.pid} (${unfinished.name}) never finished`);
  return {
    measurement: measurementOf(result, spec.iterations),
    behaviour: result.processes.map((p) => ({ name: p.name, exitCode: p.exitCode, output: p.output })),
  };
}

/** a - b, field by field, divided by n: the cost of n more iterations, per iteration. */
function perIteration(a: Measurement, b: Measurement, n: number): Row['perIteration'] {
  const d = (x: number, y: number): number => (x - y) / n;
  return {
    cycles: d(a.cycles, b.cycles),
    instructions: d(a.instructions, b.instructions),
    guestInstructions: d(a.guestInstructions, b.guestInstructions),
    traps: d(a.traps, b.traps),
    vmExits: d(a.vmExits, b.vmExits),
    tlbMisses: d(a.tlb.misses, b.tlb.misses),
    attribution: {
      guestUser: d(a.attribution.guestUser, b.attribution.guestUser),
      guestKernel: d(a.attribution.guestKernel, b.attribution.guestKernel),
      vmm: d(a.attribution.vmm, b.attribution.vmm),
      transitions: d(a.attribution.transitions, b.attribution.transitions),
      idle: d(a.attribution.idle, b.attribution.idle),
    },
  };
}

/** The two boots of a row: at the workload's default N iterations and at 2N. */
export interface RowRuns {
  single: MeasuredBoot;
  double: MeasuredBoot;
}

export function iterationsOf(workload: string): number {
  const w = findWorkload(workload);
  if (!w) throw new BenchError(`unknown workload '${workload}'`);
  return w.defaultIterations;
}

export function runRow(config: string, workload: string, costs: CostModel, iterations = iterationsOf(workload)): RowRuns {
  return {
    single: measure({ config, workload, iterations, costs }),
    double: measure({ config, workload, iterations: 2 * iterations, costs }),
  };
}

function sameBehaviour(a: Behaviour, b: Behaviour): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.exitCode === b[i]!.exitCode && p.output === b[i]!.output);
}

/** Build a Row from its runs and native's runs of the same workload and preset. */
export function rowOf(config: string, workload: string, preset: string, runs: RowRuns, native: RowRuns): Row {
  const run = runs.single.measurement;
  const n = run.iterations;
  const per = perIteration(runs.double.measurement, run, n);
  const nativePer = perIteration(native.double.measurement, native.single.measurement, n);
  const thousand = run.guestInstructions / 1000;
  return {
    workload,
    kind: findWorkload(workload)?.kind ?? 'workload',
    config,
    preset,
    run,
    perIteration: per,
    slowdown: run.cycles / native.single.measurement.cycles,
    slowdownPerIteration: per.cycles / nativePer.cycles,
    trapsPer1k: run.traps / thousand,
    vmExitsPer1k: run.vmExits / thousand,
    matchesNative: sameBehaviour(runs.single.behaviour, native.single.behaviour) && sameBehaviour(runs.double.behaviour, native.double.behaviour),
  };
}

/** One workload in each config under one cost model, as rows against native's. `configs` must
 *  start with native (the baseline); `before` is called before each config's runs. */
export function workloadRows(configs: readonly string[], workload: string, costs: CostModel, before?: (config: string) => void): Row[] {
  if (configs[0] !== 'native') throw new BenchError('native must run first: it is the baseline of every row');
  let native: RowRuns | undefined;
  return configs.map((config) => {
    before?.(config);
    const runs = runRow(config, workload, costs);
    native ??= runs;
    return rowOf(config, workload, costs.name, runs, native);
  });
}
