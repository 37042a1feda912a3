// The isolation suite's resource-control measurements (issue 19; docs/isolation.md,
// "Resource control"): what a control group's limits do to two containers of crun that share one kernel.
//
//   cpu.max     a hog in container `lim` and a best-effort hog in container `free` (cpu.weight 1)
//               compete for the processor; /crun/lim's cpu.max is set to the same 50% share at
//               periods of 2, 4, 6 and 8 ms (after a segment without a limit). Per segment:
//               the share of the processor each container's process got, and the longest stall
//               of `lim` (the longest stretch of cycles in which it did not run) against the
//               period (CFS bandwidth control: share = quota / period, stalls up to period - quota)
//   memory.max  the neighbour `nb` does steady work (an iteration: a new heap page and a fixed
//               spin), alone, and while the offender `oom` (memory.max in its bundle) allocates
//               past its limit and is OOM-killed: the neighbour's cycles per iteration of its own
//               processor time, and of the wall clock, both times
//
// The probes are programs/user/isoctl.s. Which process runs when is read from the run itself:
// the processor's onModeChange hook gives every change of ring or mode, and at each the harness
// reads the guest kernel's `current_pid` (kernel.s), so every cycle of the run is charged to the
// process the kernel was running (kernel time included: a trap's handling is its process's),
// except the cycles the processor idled (wfi), which are nobody's.

import { findSymbol } from '../asm/index.js';
import { SYSCALLS } from '../abi/index.js';
import { LAYER_DIR, bundleConfig } from '../configs/container.js';
import { findConfig, runBoot, userImage, type BootOptions, type BootResult } from '../configs/index.js';
import { NATIVE_MEMORY_BYTES } from '../configs/native.js';
import { rootDisk } from '../configs/rootfs.js';
import { systemPrograms } from '../configs/system.js';
import type { DiskFile } from '../configs/workloads.js';
import { toExecutable } from '../fs/exec.js';
import { INTERRUPT_BASE, isaWith } from '../isa/index.js';
import type { CostModel } from '../machine/costs.js';
import { BenchError, MEASURE_MAX_CYCLES } from './measure.js';

/** Cycles per microsecond of cpu.max's times (the kernel's CGROUP_CYCLES_PER_USEC: a 3 GHz clock). */
export const CYCLES_PER_USEC = 3000;
/** The probe's markers (programs/user/isoctl.s): getpid with a0 = ISO_MARK, a1 = what. */
const ISO_MARK = 0x49534f4d;
export const CTL_MARK = { start: 1, segment: 5, segmentsEnd: 6, begin: 7, end: 8, spin: 9, oom: 10 } as const;
/** ctl-work's iterations (one new page each). */
export const WORK_ITERATIONS = 400;
/** The offender's memory.max (its bundle's). */
export const OFFENDER_MEMORY_MAX = '256K';

export interface CpuSegment {
  /** cpu.max's quota in microseconds (null: max) and period. */
  quotaUs: number | null;
  periodUs: number;
  /** The configured share: quota / period (1 without a quota). */
  configured: number;
  /** The measured window (cycles): the segment's periods after its first, which settles. */
  window: [number, number];
  periods: number;
  /** Cycles charged to each container's process in the window, and their shares of it. */
  limCycles: number;
  freeCycles: number;
  limShare: number;
  freeShare: number;
  /** The longest stretch of the window in which `lim`'s process did not run, in cycles. */
  longestStall: number;
  /** period - quota in cycles (the stall CFS bandwidth control predicts), 0 without a quota. */
  expectedStall: number;
}

export interface MemoryRun {
  /** 'alone': the neighbour alone; 'offender': with the offender OOM-killed during its work. */
  run: 'alone' | 'offender';
  iterations: number;
  /** Cycles from the neighbour's first iteration to its last (wall). */
  wall: number;
  /** Of those, the cycles charged to the neighbour's process (its own processor time), and of
   *  these the ones in user mode (its spins and stores; the rest is the kernel on its behalf:
   *  page faults, ticks, switches). */
  own: number;
  user: number;
  /** Charged to other processes in that window (the offender, crun, the driver), and idle. */
  others: number;
  idle: number;
  wallPerIteration: number;
  ownPerIteration: number;
  /** The offender: killed inside the neighbour's window, at this cycle (offender run only). */
  offenderKilledAt?: number;
  /** The kernel's message, as it printed it (offender run only). */
  oomMessage?: string;
}

export interface ControlResults {
  config: string;
  cpu: CpuSegment[];
  memory: MemoryRun[];
  /** Offender's memory.max, as its bundle says. */
  offenderMemoryMax: string;
}

// ---------------------------------------------------------------------------------------------
// Tracing: who runs when

const CAUSE_SYSCALL = 1;
const CAUSE_TIMER = INTERRUPT_BASE + 0;
const SYS_GETPID = SYSCALLS.find((s) => s.name === 'getpid')!.number;
const T0 = 8;
const A0 = 4;
const A1 = 5;
const A2 = 6;
const A3 = 7;

interface CtlMarker {
  cycle: number;
  what: number;
  a2: number;
  a3: number;
  pid: number;
}

/** Every mode change of a run, with the pid the kernel was running from then on, and the idle
 *  counter; plus the probe's markers. */
export interface RunTrace {
  cycles: number[];
  idle: number[];
  pids: number[];
  user: boolean[];
  markers: CtlMarker[];
  /** The cycle of every timer interrupt (the kernel's ticks). */
  ticks: number[];
  /** The kernel's tick in cycles (its quantum). */
  quantum: number;
}

export function tracedRun(config: string, options: BootOptions): { result: BootResult; trace: RunTrace } {
  const c = findConfig(config);
  if (!c) throw new BenchError(`unknown config '${config}'`);
  const trace: RunTrace = { cycles: [], idle: [], pids: [], user: [], markers: [], ticks: [], quantum: 0 };
  let pidAt = 0; // host-physical address of the kernel's current_pid
  const prepared = c.prepare({
    ...options,
    onMachine: (machine) => {
      const cpu = machine.cpu;
      const words = machine.memory.words;
      cpu.onModeChange = (ring, nonRoot, cycle) => {
        trace.cycles.push(cycle);
        trace.idle.push(cpu.idleCycles);
        trace.pids.push(pidAt ? words[pidAt >>> 2]! : 0);
        trace.user.push(machine.worldOf(nonRoot ? 'nonRoot' : 'root', ring) === 'guestUser');
      };
      cpu.onTrap = (e) => {
        if (e.cause === CAUSE_TIMER) trace.ticks.push(e.cycle);
        if (e.cause !== CAUSE_SYSCALL || e.fromRing !== 3) return;
        const x = cpu.x;
        if (x[T0]! >>> 0 !== SYS_GETPID || x[A0]! >>> 0 !== ISO_MARK) return;
        trace.markers.push({ cycle: e.cycle, what: x[A1]! >>> 0, a2: x[A2]! >>> 0, a3: x[A3]! >>> 0, pid: pidAt ? words[pidAt >>> 2]! : 0 });
      };
    },
  });
  const kernel = prepared.images.find((i) => i.name === 'kernel')?.image;
  const sym = kernel && findSymbol(kernel, 'current_pid');
  if (!sym) throw new BenchError('the kernel has no symbol current_pid');
  trace.quantum = options.quantum || (findSymbol(kernel, 'DEFAULT_QUANTUM')?.value ?? 0);
  const guestBase = config === 'native' ? 0 : prepared.machine.memory.size - (options.memoryBytes ?? NATIVE_MEMORY_BYTES);
  pidAt = guestBase + sym.value;
  const result = runBoot(prepared, options.maxCycles ?? MEASURE_MAX_CYCLES);
  return { result, trace };
}

/** Cycles charged to `pid` in [from, to): every stretch between two mode changes goes to the pid
 *  the kernel was running at its start, less the cycles idled in it; `user`: those of its
 *  stretches in user mode; `idle`: every idle cycle of the window. */
export function cyclesOf(t: RunTrace, pid: number, from: number, to: number): { own: number; user: number; idle: number } {
  let own = 0;
  let user = 0;
  let idle = 0;
  for (let i = 0; i + 1 < t.cycles.length; i++) {
    const a = t.cycles[i]!;
    const b = t.cycles[i + 1]!;
    if (b <= from || a >= to) continue;
    const span = Math.min(b, to) - Math.max(a, from);
    // idle cycles of a stretch: spread over it only when clipped (a wfi lies inside one stretch)
    const wfi = t.idle[i + 1]! - t.idle[i]!;
    const part = b > a ? Math.round((wfi * span) / (b - a)) : 0;
    idle += part;
    if (t.pids[i] === pid) {
      own += span - part;
      if (t.user[i]) user += span - part;
    }
  }
  return { own, user, idle };
}

/** The longest stretch of [from, to) in which `pid` was not in user mode. */
export function longestStall(t: RunTrace, pid: number, from: number, to: number): number {
  let lastRun = from; // end of its last stretch in user mode (or the window's start)
  let longest = 0;
  for (let i = 0; i + 1 < t.cycles.length; i++) {
    const a = t.cycles[i]!;
    const b = t.cycles[i + 1]!;
    if (b <= from) continue;
    if (a >= to) break;
    if (!(t.user[i] && t.pids[i] === pid)) continue;
    const start = Math.max(a, from);
    longest = Math.max(longest, start - lastRun);
    lastRun = Math.min(b, to);
  }
  return Math.max(longest, to - lastRun);
}

// ---------------------------------------------------------------------------------------------
// The disk: the probe in one layer, four bundles

const isa = isaWith([]);
export const CTL_BUNDLES = { lim: '/var/lib/crun/lim', free: '/var/lib/crun/free', work: '/var/lib/crun/work', oom: '/var/lib/crun/oom' } as const;
const NAMES = ['ctl-spin', 'ctl-work', 'ctl-oom'] as const;
let disk: Uint8Array | undefined;

function bundle(dir: string, command: string[], extra: string[] = [], limits?: Record<string, string>): DiskFile {
  const config = bundleConfig({ command, layerCount: 1, limits }) + extra.map((line) => `${line}\n`).join('');
  return { path: `${dir}/config`, bytes: new TextEncoder().encode(config) };
}

function controlDisk(): Uint8Array {
  if (disk) return disk;
  const exe = toExecutable(userImage('isoctl', isa), 'isoctl');
  const files: DiskFile[] = [
    ...NAMES.map((n) => ({ path: `${LAYER_DIR}/0/bin/${n}`, bytes: exe })),
    bundle(CTL_BUNDLES.lim, ['ctl-spin', '1']),
    bundle(CTL_BUNDLES.free, ['ctl-spin', '2'], ['cpu.weight=1']),
    bundle(CTL_BUNDLES.work, ['ctl-work', String(WORK_ITERATIONS)]),
    bundle(CTL_BUNDLES.oom, ['ctl-oom'], [], { 'memory.max': OFFENDER_MEMORY_MAX }),
  ];
  disk = rootDisk([], undefined, files, systemPrograms(isa));
  return disk;
}

export function driver(name: 'ctl-cpu' | 'ctl-mem', n: number, costs: CostModel): BootOptions {
  return { workloads: [], programs: [{ name, image: userImage('isoctl', isa), iterations: n }], disk: controlDisk(), costs, maxCycles: MEASURE_MAX_CYCLES };
}

function fail(where: string, r: BootResult, why: string): never {
  throw new BenchError(`${where}: ${why} (${r.stop.kind}, code ${r.exitCode}): ${r.console.slice(-400)}`);
}

// ---------------------------------------------------------------------------------------------
// cpu.max

function startOf(t: RunTrace, k: number, where: string): number {
  const m = t.markers.find((x) => x.what === CTL_MARK.spin && x.a2 === k && x.pid !== 0);
  if (!m) throw new BenchError(`${where}: the hog of container ${k === 1 ? 'lim' : 'free'} never started`);
  return m.pid;
}

/** The cpu.max segments of one run of ctl-cpu (exported for the tests' hand-built traces). */
export function cpuSegments(t: RunTrace, where = 'ctl-cpu'): CpuSegment[] {
  const lim = startOf(t, 1, where);
  const free = startOf(t, 2, where);
  const bounds = t.markers.filter((m) => m.what === CTL_MARK.segment || m.what === CTL_MARK.segmentsEnd);
  const spinning = Math.max(...t.markers.filter((m) => m.what === CTL_MARK.spin).map((m) => m.cycle));
  if (bounds.length && spinning > bounds[0]!.cycle) throw new BenchError(`${where}: a hog started after the first cpu.max segment began (at cycle ${spinning})`);
  const out: CpuSegment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const m = bounds[i]!;
    if (m.what !== CTL_MARK.segment) continue;
    // The kernel's periods: the write of cpu.max starts one, and each lasts `k` ticks (cg_tick
    // ends it at the k-th timer interrupt after the write). The window is the segment's whole
    // periods after its first, from tick to tick.
    const k = (m.a3 * CYCLES_PER_USEC) / t.quantum;
    if (!Number.isInteger(k) || k < 1) throw new BenchError(`${where}: a period of ${m.a3} us is not a whole number of ticks of ${t.quantum} cycles`);
    const after = t.ticks.filter((c) => c > m.cycle && c < bounds[i + 1]!.cycle);
    const periods = Math.floor(after.length / k) - 1;
    if (periods < 1) throw new BenchError(`${where}: the segment at cycle ${m.cycle} is shorter than two periods`);
    const window: [number, number] = [after[k - 1]!, after[(periods + 1) * k - 1]!];
    const span = window[1] - window[0];
    const limCycles = cyclesOf(t, lim, window[0], window[1]).own;
    const freeCycles = cyclesOf(t, free, window[0], window[1]).own;
    const quotaUs = m.a2 === 0 ? null : m.a2;
    out.push({
      quotaUs,
      periodUs: m.a3,
      configured: quotaUs === null ? 1 : quotaUs / m.a3,
      window,
      periods,
      limCycles,
      freeCycles,
      limShare: limCycles / span,
      freeShare: freeCycles / span,
      longestStall: longestStall(t, lim, window[0], window[1]),
      expectedStall: quotaUs === null ? 0 : (m.a3 - quotaUs) * CYCLES_PER_USEC,
    });
  }
  if (!out.length) throw new BenchError(`${where}: no cpu.max segment in the trace`);
  return out;
}

function cpuRun(config: string, costs: CostModel): CpuSegment[] {
  const where = `ctl-cpu under ${config}`;
  const { result, trace } = tracedRun(config, driver('ctl-cpu', 1, costs));
  if (!result.halted || result.exitCode !== 0) fail(where, result, 'did not power off cleanly');
  const p = result.processes[0]!;
  if (p.exitCode !== 0 || p.output !== '') fail(where, result, `the driver exited with ${p.exitCode}: ${p.output.trim()}`);
  return cpuSegments(trace, where);
}

// ---------------------------------------------------------------------------------------------
// memory.max

/** The neighbour's figures from one run of ctl-mem (exported for the tests' hand-built traces). */
export function memoryRun(t: RunTrace, run: MemoryRun['run'], where = 'ctl-mem'): MemoryRun {
  const begin = t.markers.find((m) => m.what === CTL_MARK.begin);
  const end = t.markers.find((m) => m.what === CTL_MARK.end);
  if (!begin || !end || end.pid !== begin.pid) throw new BenchError(`${where}: the neighbour did not finish its work`);
  const wall = end.cycle - begin.cycle;
  const { own, user, idle } = cyclesOf(t, begin.pid, begin.cycle, end.cycle);
  const iterations = begin.a2;
  const out: MemoryRun = { run, iterations, wall, own, user, others: wall - own - idle, idle, wallPerIteration: wall / iterations, ownPerIteration: own / iterations };
  if (run === 'offender') {
    const offender = t.markers.find((m) => m.what === CTL_MARK.oom && m.cycle > begin.cycle);
    if (!offender) throw new BenchError(`${where}: the offender never started inside the neighbour's window`);
    // the offender's last stretch in user mode: where the OOM killer stopped it
    let last = -1;
    for (let i = 0; i < t.cycles.length; i++) if (t.user[i] && t.pids[i] === offender.pid) last = i;
    const killed = last >= 0 && last + 1 < t.cycles.length ? t.cycles[last + 1]! : -1;
    if (killed < 0 || killed > end.cycle) throw new BenchError(`${where}: the offender was not stopped inside the neighbour's window`);
    out.offenderKilledAt = killed;
  }
  return out;
}

function memRun(config: string, offender: boolean, costs: CostModel): MemoryRun {
  const where = `ctl-mem ${offender ? 1 : 0} under ${config}`;
  const { result, trace } = tracedRun(config, driver('ctl-mem', offender ? 1 : 0, costs));
  // the OOM killer is the kernel killing a process: power-off code 4 (EXIT_KILLED)
  if (!result.halted || result.exitCode !== (offender ? 4 : 0)) fail(where, result, 'did not power off as it must');
  const p = result.processes[0]!;
  if (p.exitCode !== 0) fail(where, result, `the driver exited with ${p.exitCode}: ${p.output.trim()}`);
  const out = memoryRun(trace, offender ? 'offender' : 'alone', where);
  if (offender) {
    const line = result.console.split('\n').find((l) => l.includes('memory cgroup out of memory'));
    if (!line || !line.includes('(ctl-oom)')) fail(where, result, 'the kernel did not OOM-kill the offender');
    out.oomMessage = line.trim();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Both experiments under one config; `same` is the suite's determinism check (each runs twice). */
export function runControl(config: string, costs: CostModel, same: (a: unknown, b: unknown) => void = () => {}): ControlResults {
  const cpu = cpuRun(config, costs);
  same(cpuRun(config, costs), cpu);
  const memory: MemoryRun[] = [];
  for (const offender of [false, true]) {
    const m = memRun(config, offender, costs);
    same(memRun(config, offender, costs), m);
    memory.push(m);
  }
  return { config, cpu, memory, offenderMemoryMax: OFFENDER_MEMORY_MAX };
}
