// The benchmark suites. Each returns a BenchResults; the renderers (render/) turn it into tables,
// charts and reports. See docs/benchmarks.md.
//
//   overhead  the six workloads in every config under every preset: the overhead argument
//   nano      the Adams and Agesen nanobenchmarks: cycles per iteration
//   sweep     slowdowns as one cost-model parameter moves; where vtx overtakes te
//   speed     host speed: emulated MIPS per config (tinybench; the only host-dependent figures)

import { findSymbol } from '../asm/index.js';
import { kernelImage } from '../configs/images.js';
import { INTERFERENCE_WORKLOAD, measureInterference, type HostedInterference } from './hosted.js';
import { ALL_CONFIGS, CONFIGS, WORKLOADS } from '../configs/index.js';
import { NATIVE_MEMORY_BYTES } from '../configs/native.js';
import { isaWith } from '../isa/index.js';
import { COST_PRESETS, type CostModel } from '../machine/costs.js';
import { Machine } from '../machine/machine.js';
import { computeFindings } from './findings.js';
import { measure, UnknownNameError, workloadRows } from './measure.js';
import { RESULTS_SCHEMA, type BenchResults, type SuiteName } from './results.js';
import { speedResults } from './speed.js';
import { sweepResults, SWEEPS } from './sweep.js';

/** The workloads of the overhead suite: one per kind of kernel work (sleep only idles). */
export const OVERHEAD_WORKLOADS = ['compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'ptemod'] as const;
/** The overhead suite's storage workloads (issue 15): files, metadata and random reads from the
 *  disk. They run under the presets of Workload.suitePresets unless named with --workload, and
 *  the sweeps leave them out (they vary exit costs, which a disk-bound run barely feels). */
export const STORAGE_WORKLOADS = ['fileio', 'fsmeta', 'diskread'] as const;
/** The overhead suite's process workloads (issue 16): fork and wait, fork and exec, a pipe between
 *  two processes. Adams and Agesen's forkwait is the first-generation VT-x finding's test. */
export const PROCESS_WORKLOADS = ['forkwait', 'spawn', 'pipe'] as const;
export const NANO_WORKLOADS = WORKLOADS.filter((w) => w.kind === 'nano').map((w) => w.name);
export const SUITES: readonly SuiteName[] = ['overhead', 'nano', 'sweep', 'speed'];

export interface SuiteOptions {
  /** Cost presets (default: every preset). */
  presets?: readonly string[];
  /** Narrow the workloads (default: the suite's own). */
  workloads?: readonly string[];
  /** Narrow the configs (default: every config; native is always run, as the baseline). */
  configs?: readonly string[];
  /** Called before each boot with a short description (for a progress line). */
  progress?: (done: number, total: number, what: string) => void;
  /** Host context (git revision), filled in by the caller so this module stays pure. */
  revision?: string;
  /** speed suite: samples per config. */
  speedSamples?: number;
}

/** The machine settings every run shares, read from the machine and the kernel themselves. */
function machineSettings(): BenchResults['machine'] {
  const tick = findSymbol(kernelImage(isaWith([])), 'DEFAULT_QUANTUM')?.value ?? 0;
  const mmu = new Machine({ memoryBytes: 4096 }).cpu.mmu;
  return { memoryBytes: NATIVE_MEMORY_BYTES, timerQuantum: tick, tlbEntries: mmu.entries, tlbWays: mmu.ways };
}

function presetsOf(options: SuiteOptions): CostModel[] {
  const names = options.presets && options.presets.length ? options.presets : Object.keys(COST_PRESETS);
  return names.map((n) => {
    const preset = COST_PRESETS[n];
    if (!preset) throw new UnknownNameError(`unknown cost preset '${n}' (known: ${Object.keys(COST_PRESETS).join(', ')})`);
    return preset;
  });
}

/** The configs to run: the requested ones in CONFIGS order, native first (the baseline). */
export function configsOf(options: SuiteOptions): string[] {
  const all = ALL_CONFIGS.map((c) => c.name);
  // Without --configs: the suite's configurations (CONFIGS); the others when asked for (hosted).
  const wanted = options.configs && options.configs.length ? options.configs : CONFIGS.map((c) => c.name);
  for (const c of wanted) if (!all.includes(c)) throw new UnknownNameError(`unknown config '${c}' (known: ${all.join(', ')})`);
  return all.filter((c) => c === 'native' || wanted.includes(c));
}

function workloadsOf(options: SuiteOptions, defaults: readonly string[]): string[] {
  const known = WORKLOADS.filter((w) => w.kind !== 'demo').map((w) => w.name);
  const wanted = options.workloads && options.workloads.length ? options.workloads : defaults;
  for (const w of wanted) if (!known.includes(w)) throw new UnknownNameError(`unknown workload '${w}' (benchmarkable: ${known.join(', ')})`);
  return [...wanted];
}

function emptyResults(suite: SuiteName, options: SuiteOptions, presets: CostModel[], configs: string[], workloads: string[]): BenchResults {
  return {
    schema: RESULTS_SCHEMA,
    suite,
    revision: options.revision ?? 'unknown',
    ringlabVersion: '0.1.0',
    presets,
    machine: machineSettings(),
    configs,
    workloads,
    configDescriptions: Object.fromEntries(ALL_CONFIGS.filter((c) => configs.includes(c.name)).map((c) => [c.name, c.description])),
    workloadDescriptions: Object.fromEntries(WORKLOADS.filter((w) => workloads.includes(w.name)).map((w) => [w.name, w.description])),
    rows: [],
    sweeps: [],
    speed: [],
    findings: [],
    deterministic: false,
  };
}

/** overhead and nano: every workload in every config under every preset, at N and 2N. Each
 *  config's run at N is made twice, to check (not assume) that the figures are exact. */
function rowSuite(suite: 'overhead' | 'nano', defaults: readonly string[], options: SuiteOptions): BenchResults {
  const presets = presetsOf(options);
  const configs = configsOf(options);
  const workloads = workloadsOf(options, defaults);
  const results = emptyResults(suite, options, presets, configs, workloads);
  // A workload with suitePresets runs only under those, unless it was named with --workload.
  const named = Boolean(options.workloads && options.workloads.length);
  const runs = (preset: CostModel, workload: string) => named || (WORKLOADS.find((w) => w.name === workload)?.suitePresets ?? [preset.name]).includes(preset.name);
  const total = presets.reduce((n, p) => n + workloads.filter((w) => runs(p, w)).length, 0) * configs.length;
  let done = 0;
  let deterministic = true;
  for (const preset of presets) {
    for (const workload of workloads) {
      if (!runs(preset, workload)) continue;
      const rows = workloadRows(configs, workload, preset, (config) => options.progress?.(done++, total, `${workload} under ${config} (${preset.name})`));
      for (const row of rows) {
        const again = measure({ config: row.config, workload, iterations: row.run.iterations, costs: preset }).measurement;
        if (JSON.stringify(again) !== JSON.stringify(row.run)) deterministic = false;
      }
      results.rows.push(...rows);
    }
  }
  // The hosted VMM beside a host process: two more boots per preset (src/bench/hosted.ts).
  if (suite === 'overhead' && configs.includes('hosted')) {
    const interference: HostedInterference[] = [];
    for (const preset of presets) {
      const row = results.rows.find((r) => r.workload === INTERFERENCE_WORKLOAD && r.config === 'hosted' && r.preset === preset.name);
      if (row) interference.push(measureInterference(preset, row.run.iterations));
    }
    if (interference.length) results.hostedInterference = interference;
  }
  options.progress?.(total, total, 'done');
  results.deterministic = deterministic;
  results.findings = computeFindings(results.rows, [], results.hostedInterference);
  return results;
}

export function runSuite(suite: SuiteName, options: SuiteOptions = {}): BenchResults {
  switch (suite) {
    case 'overhead':
      return rowSuite('overhead', [...OVERHEAD_WORKLOADS, ...PROCESS_WORKLOADS, ...STORAGE_WORKLOADS], options);
    case 'nano':
      return rowSuite('nano', NANO_WORKLOADS, options);
    case 'sweep': {
      const configs = configsOf(options);
      const workloads = workloadsOf(options, OVERHEAD_WORKLOADS);
      const results = emptyResults('sweep', options, SWEEPS.map((s) => COST_PRESETS[s.basePreset]!), configs, workloads);
      const { sweeps, deterministic } = sweepResults(configs, workloads, options.progress);
      results.sweeps = sweeps;
      results.deterministic = deterministic;
      results.findings = computeFindings([], sweeps);
      return results;
    }
    case 'speed': {
      const configs = configsOf(options);
      const workloads = workloadsOf(options, ['compute']);
      const results = emptyResults('speed', options, presetsOf({ presets: ['default'] }), configs, workloads);
      results.speed = speedResults(configs, workloads, options.speedSamples ?? 5, options.progress);
      // Host speed varies run to run; the guest figures behind it do not (checked in speed.ts).
      results.deterministic = true;
      return results;
    }
  }
}
