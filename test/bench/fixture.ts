// A hand-built BenchResults for the renderer tests. Every figure in here is TEST DATA, shaped to
// look like a real overhead run (two presets, four configs, six workloads, a sweep, a speed run)
// so that the renderers meet realistic widths and magnitudes. None of it is a measurement and it
// must never be shown as one.

import type { Attribution, BenchResults, Finding, Measurement, Row, SpeedRow, Sweep } from '../../src/bench/results.js';
import { RESULTS_SCHEMA } from '../../src/bench/results.js';
import { COST_PRESETS } from '../../src/machine/costs.js';

const CONFIGS = ['native', 'te', 'vtx', 'vtx-ept'] as const;
type Config = (typeof CONFIGS)[number];

interface Cell {
  /** Per-iteration cycles. */
  c: number;
  /** Traps and VM exits per iteration. */
  t: number;
  x: number;
}

interface WorkloadSpec {
  iterations: number;
  /** Native per-iteration split: guest user and guest kernel shares (the rest is transitions). */
  user: number;
  kernel: number;
  /** Guest instructions per iteration (the same guest work in every config). */
  insns: number;
  cells: Record<string, Record<Config, Cell>>;
}

// Per preset: native, te, vtx, vtx-ept per-iteration cycles, traps and exits per iteration.
const WORKLOADS: Record<string, WorkloadSpec> = {
  compute: {
    iterations: 20,
    user: 0.97,
    kernel: 0.02,
    insns: 41_000,
    cells: {
      default: { native: { c: 52_000, t: 0.5, x: 0 }, te: { c: 53_950, t: 4, x: 0 }, vtx: { c: 52_610, t: 0.5, x: 1 }, 'vtx-ept': { c: 52_630, t: 0.5, x: 1 } },
      'vtx-2006': { native: { c: 53_100, t: 0.5, x: 0 }, te: { c: 56_200, t: 4, x: 0 }, vtx: { c: 55_400, t: 0.5, x: 1 }, 'vtx-ept': { c: 55_500, t: 0.5, x: 1 } },
    },
  },
  syscall: {
    iterations: 1000,
    user: 0.15,
    kernel: 0.45,
    insns: 160,
    cells: {
      default: { native: { c: 420, t: 3, x: 0 }, te: { c: 3_906, t: 11, x: 0 }, vtx: { c: 462, t: 3, x: 0 }, 'vtx-ept': { c: 462, t: 3, x: 0 } },
      'vtx-2006': { native: { c: 760, t: 3, x: 0 }, te: { c: 7_100, t: 11, x: 0 }, vtx: { c: 800, t: 3, x: 0 }, 'vtx-ept': { c: 800, t: 3, x: 0 } },
    },
  },
  io: {
    iterations: 20,
    user: 0.1,
    kernel: 0.55,
    insns: 1_400,
    cells: {
      default: { native: { c: 2_600, t: 1, x: 0 }, te: { c: 14_800, t: 38, x: 0 }, vtx: { c: 12_900, t: 1, x: 33 }, 'vtx-ept': { c: 12_850, t: 1, x: 33 } },
      'vtx-2006': { native: { c: 3_200, t: 1, x: 0 }, te: { c: 19_000, t: 38, x: 0 }, vtx: { c: 24_000, t: 1, x: 33 }, 'vtx-ept': { c: 23_800, t: 1, x: 33 } },
    },
  },
  pagefault: {
    iterations: 64,
    user: 0.05,
    kernel: 0.75,
    insns: 900,
    cells: {
      default: { native: { c: 1_450, t: 1, x: 0 }, te: { c: 9_800, t: 14, x: 0 }, vtx: { c: 6_100, t: 1, x: 3 }, 'vtx-ept': { c: 2_200, t: 1, x: 0 } },
      'vtx-2006': { native: { c: 2_300, t: 1, x: 0 }, te: { c: 14_500, t: 14, x: 0 }, vtx: { c: 21_800, t: 1, x: 3 }, 'vtx-ept': { c: 3_400, t: 1, x: 0 } },
    },
  },
  ctxswitch: {
    iterations: 200,
    user: 0.2,
    kernel: 0.6,
    insns: 520,
    cells: {
      default: { native: { c: 900, t: 1, x: 0 }, te: { c: 7_600, t: 9, x: 0 }, vtx: { c: 2_100, t: 1, x: 1 }, 'vtx-ept': { c: 1_300, t: 1, x: 0 } },
      'vtx-2006': { native: { c: 1_600, t: 1, x: 0 }, te: { c: 11_800, t: 9, x: 0 }, vtx: { c: 9_800, t: 1, x: 2 }, 'vtx-ept': { c: 2_400, t: 1, x: 0 } },
    },
  },
  ptemod: {
    iterations: 100,
    user: 0.1,
    kernel: 0.7,
    insns: 700,
    cells: {
      default: { native: { c: 1_100, t: 2, x: 0 }, te: { c: 8_900, t: 12, x: 0 }, vtx: { c: 5_400, t: 2, x: 3 }, 'vtx-ept': { c: 1_500, t: 2, x: 0 } },
      'vtx-2006': { native: { c: 1_900, t: 2, x: 0 }, te: { c: 13_200, t: 12, x: 0 }, vtx: { c: 19_600, t: 2, x: 3 }, 'vtx-ept': { c: 2_600, t: 2, x: 0 } },
    },
  },
};

/** Boot cycles and guest instructions per config (test data). */
const BOOT: Record<Config, { cycles: number; insns: number; traps: number; exits: number }> = {
  native: { cycles: 180_000, insns: 150_000, traps: 40, exits: 0 },
  te: { cycles: 1_350_000, insns: 150_000, traps: 2_900, exits: 0 },
  vtx: { cycles: 420_000, insns: 150_000, traps: 40, exits: 310 },
  'vtx-ept': { cycles: 300_000, insns: 150_000, traps: 40, exits: 120 },
};

/** How each config's cycles beyond the guest's own split between the VMM and transitions. */
const VMM_SHARE: Record<Config, number> = { native: 0, te: 0.7, vtx: 0.35, 'vtx-ept': 0.35 };

function split(cycles: number, native: number, spec: WorkloadSpec, config: Config): Attribution {
  const guestUser = Math.round(native * spec.user);
  const guestKernel = Math.round(native * spec.kernel);
  const rest = Math.max(0, cycles - guestUser - guestKernel);
  const vmm = Math.round(rest * VMM_SHARE[config]);
  return { guestUser, guestKernel, vmm, transitions: rest - vmm, idle: 0 };
}

function add(a: Attribution, b: Attribution, times: number): Attribution {
  return {
    guestUser: a.guestUser + b.guestUser * times,
    guestKernel: a.guestKernel + b.guestKernel * times,
    vmm: a.vmm + b.vmm * times,
    transitions: a.transitions + b.transitions * times,
    idle: a.idle + b.idle * times,
  };
}

function measurement(workload: string, spec: WorkloadSpec, preset: string, config: Config): Measurement {
  const cell = spec.cells[preset]![config];
  const native = spec.cells[preset]!['native'];
  const boot = BOOT[config];
  const n = spec.iterations;
  const perIt = split(cell.c, native.c, spec, config);
  const bootSplit = split(boot.cycles, BOOT.native.cycles, { ...spec, user: 0.02, kernel: 0.9 }, config);
  const cycles = boot.cycles + n * cell.c;
  const guestInstructions = boot.insns + n * spec.insns;
  const traps = boot.traps + Math.round(n * cell.t);
  const vmExits = boot.exits + Math.round(n * cell.x);
  const trapsByCause: Record<string, number> = config === 'te' ? { Syscall: Math.round(n * 3), PrivilegedInstruction: traps - Math.round(n * 3) } : { Syscall: traps };
  const vmExitsByReason: Record<string, number> = vmExits > 0 ? { PortIo: vmExits } : {};
  return {
    iterations: n,
    cycles,
    instructions: guestInstructions + Math.round((cycles - guestInstructions) / 3),
    guestInstructions,
    traps,
    vmExits,
    attribution: add(bootSplit, perIt, n),
    trapsByCause,
    vmExitsByReason,
    tlb: { hits: cycles - 1000, misses: 800 + n, flushes: workload === 'ptemod' ? n : 4 },
  };
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const preset of ['default', 'vtx-2006']) {
    for (const [workload, spec] of Object.entries(WORKLOADS)) {
      const nativeRun = measurement(workload, spec, preset, 'native');
      const nativeCell = spec.cells[preset]!['native'];
      for (const config of CONFIGS) {
        const run = measurement(workload, spec, preset, config);
        const cell = spec.cells[preset]![config];
        out.push({
          workload,
          kind: 'workload',
          config,
          preset,
          run,
          perIteration: {
            cycles: cell.c,
            instructions: spec.insns + Math.round((cell.c - spec.insns) / 3),
            guestInstructions: spec.insns,
            traps: cell.t,
            vmExits: cell.x,
            tlbMisses: config === 'vtx' ? 12 : 3,
            attribution: split(cell.c, nativeCell.c, spec, config),
          },
          slowdown: run.cycles / nativeRun.cycles,
          slowdownPerIteration: cell.c / nativeCell.c,
          trapsPer1k: (1000 * run.traps) / run.guestInstructions,
          vmExitsPer1k: (1000 * run.vmExits) / run.guestInstructions,
          matchesNative: true,
        });
      }
    }
  }
  return out;
}

function sweep(): Sweep {
  const values = [100, 250, 500, 1000, 2000, 4000];
  // te has no VM exits, so it stays flat; vtx pays per exit.
  const line = (base: number, perExit: number) => (v: number): number => Math.round((base + perExit * v) * 1000) / 1000;
  const vtxPf = line(2.2, 0.0055);
  const vtxPte = line(1.9, 0.0048);
  return {
    parameter: 'vmExit',
    label: 'VM exit cost in cycles (VM entry moves in proportion)',
    basePreset: 'default',
    points: values.map((v) => ({
      value: v,
      slowdown: {
        syscall: { te: 9.3, vtx: 1.1, 'vtx-ept': 1.1 },
        pagefault: { te: 6.76, vtx: vtxPf(v), 'vtx-ept': 1.52 },
        ptemod: { te: 8.09, vtx: vtxPte(v), 'vtx-ept': 1.36 },
      },
    })),
    crossovers: [
      { workload: 'syscall', config: 'vtx', versus: 'te', value: null, side: 'below', note: 'syscall: vtx is ahead at every point; vtx 1.10x -> 1.10x, te 9.30x -> 9.30x as the VM exit cost goes 100 -> 4000' },
      { workload: 'pagefault', config: 'vtx', versus: 'te', value: 829, side: 'below', note: 'pagefault: vtx and te cross at about 829 cycles (interpolated between two measured points); vtx 2.75x -> 24.20x, te 6.76x -> 6.76x as the VM exit cost goes 100 -> 4000' },
      { workload: 'ptemod', config: 'vtx', versus: 'te', value: 1290, side: 'below', note: 'ptemod: vtx and te cross at about 1290 cycles (interpolated between two measured points); vtx 2.38x -> 21.10x, te 8.09x -> 8.09x as the VM exit cost goes 100 -> 4000' },
    ],
  };
}

function speed(): SpeedRow[] {
  return [
    { config: 'native', workload: 'compute', mips: 41.7, min: 39.9, max: 42.3, samples: 5, instructions: 970_000 },
    { config: 'te', workload: 'compute', mips: 38.2, min: 37.1, max: 39.0, samples: 5, instructions: 1_010_000 },
    { config: 'vtx', workload: 'compute', mips: 40.9, min: 40.1, max: 41.5, samples: 5, instructions: 975_000 },
  ];
}

function findings(): Finding[] {
  return [
    { id: 'compute-near-native', claim: 'Compute-bound work runs close to native under every VMM.', holds: true, text: 'compute: te is 1.04x native, vtx 1.01x, vtx-ept 1.01x' },
    { id: 'syscall-te-slow', claim: 'System-call-heavy work is far slower under trap-and-emulate than under VT-x.', holds: true, text: 'syscall: te is 9.30x native, vtx 1.10x' },
    { id: 'shadow-vtx-2006', claim: 'With first-generation VT-x, page-fault- and PTE-update-heavy work is slower under VT-x with shadow paging than under trap-and-emulate.', holds: true, text: 'vtx-2006: pagefault: vtx 9.48x against te 6.30x; ptemod: vtx 10.3x against te 6.95x' },
    { id: 'nested-paging', claim: 'Nested paging removes most of the shadow-paging cost.', holds: true, text: 'vtx-2006: pagefault: vtx-ept 1.48x (vtx 9.48x); ptemod: vtx-ept 1.37x (vtx 10.3x)' },
    { id: 'io-costly', claim: 'I/O is costly under both VMMs.', holds: true, text: 'io: te is 5.69x native, vtx 4.96x' },
    { id: 'made-up-failure', claim: 'A claim <the numbers> do not support & say so.', holds: false, text: 'ctxswitch: vtx-ept 1.44x, not "near" native' },
  ];
}

/** The realistic fixture: a fresh copy on each call, so tests may mutate it. */
export function fixture(): BenchResults {
  return {
    schema: RESULTS_SCHEMA,
    suite: 'overhead',
    revision: 'v0.1.0-42-g1b82625',
    ringlabVersion: '0.1.0',
    presets: [COST_PRESETS['default']!, COST_PRESETS['vtx-2006']!].map((p) => ({ ...p })),
    machine: { memoryBytes: 16 * 1024 * 1024, timerQuantum: 100_000, tlbEntries: 64, tlbWays: 1 },
    configs: [...CONFIGS],
    workloads: Object.keys(WORKLOADS),
    rows: rows(),
    sweeps: [sweep()],
    speed: speed(),
    findings: findings(),
    deterministic: true,
  };
}

/** No rows, sweeps, speed or findings at all. */
export function emptyResults(): BenchResults {
  return { ...fixture(), suite: 'nano', configs: [], workloads: [], rows: [], sweeps: [], speed: [], findings: [] };
}

/** The fixture without its native rows: every slowdown is NaN (shown as '—'). */
export function withoutNative(): BenchResults {
  const r = fixture();
  r.rows = r.rows.filter((row) => row.config !== 'native').map((row) => ({ ...row, slowdown: NaN, slowdownPerIteration: NaN }));
  return r;
}
