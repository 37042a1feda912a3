// The shape of a benchmark run's results: what results.json holds, what every renderer
// (terminal table, report.md, report.html, SVG charts, results.csv) reads. Everything in it
// comes from executed instructions and the cost model; nothing depends on the host's speed
// except the `speed` suite's MIPS figures, which say so.
//
// Deterministic by construction: no timestamps, no host names. Two runs of the same suite at the
// same revision produce the same file, byte for byte (the `speed` suite excepted).

import type { CostModel } from '../machine/costs.js';
import type { HostedInterference } from './hosted.js';

export const RESULTS_SCHEMA = 'ringlab-bench/1';

export type SuiteName = 'overhead' | 'nano' | 'sweep' | 'speed';

/** Cycles split by who spent them (sums to the run's cycles). */
export interface Attribution {
  /** Guest processes (ring 3). */
  guestUser: number;
  /** The guest kernel (ring 0 native; ring 1 under te; non-root ring 0 under vtx). */
  guestKernel: number;
  /** The VMM's own instructions (root ring 0 under a VMM; 0 native). */
  vmm: number;
  /** Hardware transitions: trap entry and return, VM exit and entry (the cost model's charges). */
  transitions: number;
  /** Cycles the processor waited in `wfi`. */
  idle: number;
}

/** One boot measured to power-off: one workload, one config, one cost preset, one iteration count. */
export interface Measurement {
  iterations: number;
  cycles: number;
  /** Every instruction retired, the VMM's included. */
  instructions: number;
  /** Instructions retired by the guest (kernel and processes): the denominator of the rates. */
  guestInstructions: number;
  /** Traps the processor took (exceptions and interrupts, into whatever handles them). */
  traps: number;
  /** VM exits (0 without the virtualization extension). */
  vmExits: number;
  attribution: Attribution;
  /** Traps by cause, VM exits by reason (only non-zero entries). */
  trapsByCause: Record<string, number>;
  vmExitsByReason: Record<string, number>;
  tlb: { hits: number; misses: number; flushes: number };
}

/** A workload in a config under one preset: runs at N and 2N iterations. */
export interface Row {
  workload: string;
  /** 'workload' or 'nano' (see src/configs/workloads.ts). */
  kind: string;
  config: string;
  preset: string;
  /** The whole run at the workload's default iteration count N (boot included). */
  run: Measurement;
  /** Per iteration, boot excluded: (cycles at 2N - cycles at N) / N, and likewise for the rest. */
  perIteration: { cycles: number; instructions: number; guestInstructions: number; traps: number; vmExits: number; tlbMisses: number; attribution: Attribution };
  /** run.cycles / native run.cycles (same workload and preset); 1 for native. */
  slowdown: number;
  /** perIteration.cycles / native perIteration.cycles: the steady-state slowdown. */
  slowdownPerIteration: number;
  /** Per 1000 guest instructions of the whole run. */
  trapsPer1k: number;
  vmExitsPer1k: number;
  /** Every process printed what it prints natively and exited with the same code. */
  matchesNative: boolean;
}

/** A sentence computed from the numbers, with the figures it rests on. */
export interface Finding {
  /** Stable id (e.g. 'compute-near-native'), for tests and links. */
  id: string;
  /** The claim from the literature this finding checks. */
  claim: string;
  /** Whether the numbers support the claim. */
  holds: boolean;
  /** The sentence, numbers included: "syscall: te is 11.5x native, vtx 1.2x". */
  text: string;
}

/** One point of a sweep: the parameter's value and each config's slowdown for each workload. */
export interface SweepPoint {
  value: number;
  /** slowdown[workload][config], per iteration (boot excluded). */
  slowdown: Record<string, Record<string, number>>;
}

export interface Sweep {
  /** The cost-model field that moves ('vmExit' moves vmEntry in proportion; see sweep.ts). */
  parameter: string;
  /** What the x axis means, for charts. */
  label: string;
  /** The preset the other parameters come from. */
  basePreset: string;
  points: SweepPoint[];
  /** For each workload: the parameter value below which vtx beats te (null: never / always). */
  crossovers: {
    workload: string;
    config: string;
    versus: string;
    /** The interpolated parameter value where the two slowdowns are equal, or null. */
    value: number | null;
    /** On which side of `value` `config` is the faster one ('below': smaller parameter values). */
    side: 'below' | 'above';
    /** The crossover in words, with the slowdowns at both ends of the sweep. */
    note: string;
  }[];
}

export interface SpeedRow {
  config: string;
  workload: string;
  /** Emulated instructions (guest and VMM) per second of host time, in millions: the median over
   *  samples, and the slowest and fastest sample. */
  mips: number;
  min: number;
  max: number;
  samples: number;
  instructions: number;
}

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  suite: SuiteName;
  /** `git describe --always --dirty` of the tree that ran, or 'unknown'. */
  revision: string;
  ringlabVersion: string;
  /** The cost presets used, every field (so a reader can recompute the transitions column). */
  presets: CostModel[];
  /** Machine settings common to every run. */
  machine: { memoryBytes: number; timerQuantum: number; tlbEntries: number; tlbWays: number };
  configs: string[];
  workloads: string[];
  /** Optional: one line per config name, for legends and the report's "how it was run". */
  configDescriptions?: Record<string, string>;
  /** Optional: one line per workload name (src/configs/workloads.ts descriptions). */
  workloadDescriptions?: Record<string, string>;
  /** overhead and nano suites. */
  rows: Row[];
  sweeps: Sweep[];
  speed: SpeedRow[];
  findings: Finding[];
  /** Optional (overhead suite with hosted): a host process beside the VM (src/bench/hosted.ts). */
  hostedInterference?: HostedInterference[];
  /** True when the harness ran every measurement twice and got the same cycles. */
  deterministic: boolean;
}
