// The `native` boot configuration: the guest kernel runs in ring 0 on bare metal, its user
// programs in ring 3. The loader below is what a boot loader does: it places the kernel image,
// one image per process, and the boot arguments in physical memory, then starts the kernel at
// its entry point with paging off. The layout is documented in docs/kernel.md and in
// programs/kernel/kernel.inc; the constants here must agree with that file (a test checks).

import { findSymbol, type Image } from '../asm/index.js';
import { isaWith } from '../isa/index.js';
import { DEFAULT_COSTS, type CostModel } from '../machine/costs.js';
import { Machine, type MachineStats, type StopReason } from '../machine/machine.js';
import { kernelImage, userImage } from './images.js';
import { findWorkload, workloadNames, type Workload } from './workloads.js';

export const BOOTARGS = 0x1000;
export const BOOT_MAGIC = 0x41424c52;
export const USER_IMAGES = 0x100000;
export const USER_BASE = 0x40000000;
export const USER_IMAGE_LIMIT = 0x50000000; // the heap starts here
export const MAX_PROCS = 16;
export const BOOT_RECORD = 32;
export const NAME_BYTES = 16;
export const PAGE = 4096;
export const NATIVE_MEMORY_BYTES = 16 << 20;

/** A bad workload or config name, or a program that cannot be loaded: one-line message. */
export class BootError extends Error {}

export interface ProcessSpec {
  name: string;
  iterations: number;
}

export interface BootOptions {
  /** Workload names (see workloads.ts); each becomes one or more processes. */
  workloads: readonly string[];
  /** Iteration count for every process (default: each workload's own). */
  iterations?: number;
  maxCycles?: number;
  costs?: CostModel;
  memoryBytes?: number;
  /** Timer quantum in cycles (0 or undefined: the kernel's default). */
  quantum?: number;
  /** Each console byte as it is written (e.g. to stream it to stdout). */
  onConsoleOutput?: (byte: number) => void;
  /** Called with the loaded machine just before it runs (tests attach trap hooks here). */
  onMachine?: (machine: Machine) => void;
}

export interface ProcessReport {
  pid: number;
  name: string;
  /** The code it passed to exit, 128 + cause if the kernel killed it, null if it never ended. */
  exitCode: number | null;
  /** Its own console text: the bytes of its write() calls. */
  output: string;
}

export interface BootResult {
  config: string;
  stop: StopReason;
  exitCode: number | null;
  halted: boolean;
  console: string;
  stats: MachineStats;
  processes: ProcessReport[];
  machine: Machine;
}

/** Expand workload names into the process list, or throw BootError naming the valid ones. */
export function processesFor(workloads: readonly string[], iterations?: number): ProcessSpec[] {
  if (workloads.length === 0) throw new BootError(`no workload given (valid: ${workloadNames().join(', ')})`);
  const out: ProcessSpec[] = [];
  for (const name of workloads) {
    const wl: Workload | undefined = findWorkload(name);
    if (!wl) throw new BootError(`unknown workload '${name}' (valid: ${workloadNames().join(', ')})`);
    for (const program of wl.programs) out.push({ name: program, iterations: iterations ?? wl.defaultIterations });
  }
  if (out.length > MAX_PROCS) throw new BootError(`${out.length} processes requested; the kernel runs at most ${MAX_PROCS}`);
  return out;
}

/** A user image as one flat block from USER_BASE, with its entry point. */
function flatten(name: string, image: Image): { bytes: Uint8Array; entry: number } {
  let end = USER_BASE;
  for (const s of image.segments) {
    if (s.address < USER_BASE || s.address + s.data.length > USER_IMAGE_LIMIT) {
      throw new BootError(`user program ${name} must be linked between 0x40000000 and 0x50000000 (include user.inc first)`);
    }
    end = Math.max(end, s.address + s.data.length);
  }
  const size = Math.ceil((end - USER_BASE) / PAGE) * PAGE;
  const bytes = new Uint8Array(Math.max(size, PAGE));
  for (const s of image.segments) bytes.set(s.data, s.address - USER_BASE);
  return { bytes, entry: image.entry };
}

function symbol(image: Image, name: string): number {
  const s = findSymbol(image, name);
  if (!s) throw new BootError(`the kernel image has no symbol '${name}'`);
  return s.value;
}

/** Lay out kernel, user images and boot arguments in the machine's physical memory. */
export function loadNative(machine: Machine, specs: readonly ProcessSpec[], quantum = 0): void {
  const kernel = kernelImage(machine.isa);
  machine.load(kernel);
  const args = new DataView(new ArrayBuffer(32 + BOOT_RECORD * specs.length));
  let next = USER_IMAGES;
  specs.forEach((spec, i) => {
    const { bytes, entry } = flatten(spec.name, userImage(spec.name, machine.isa));
    machine.writePhysical(next, bytes);
    const rec = 32 + i * BOOT_RECORD;
    const name = new TextEncoder().encode(spec.name).slice(0, NAME_BYTES - 1);
    name.forEach((b, k) => args.setUint8(rec + k, b));
    args.setUint32(rec + 16, next, true);
    args.setUint32(rec + 20, bytes.length, true);
    args.setUint32(rec + 24, entry >>> 0, true);
    args.setUint32(rec + 28, spec.iterations >>> 0, true);
    next += bytes.length;
  });
  args.setUint32(0, BOOT_MAGIC, true);
  args.setUint32(4, specs.length, true);
  args.setUint32(8, machine.memory.size, true);
  args.setUint32(12, next, true);
  args.setUint32(16, quantum >>> 0, true);
  machine.writePhysical(BOOTARGS, new Uint8Array(args.buffer));
}

/** Boot the kernel natively with the given workloads and run it to power-off (or the limit). */
export function bootNative(options: BootOptions): BootResult {
  const specs = processesFor(options.workloads, options.iterations);
  const isa = isaWith([]);
  const kernel = kernelImage(isa);
  const writerPid = symbol(kernel, 'writer_pid');
  const procTable = symbol(kernel, 'proc_table');
  const pcbSize = symbol(kernel, 'P_SIZE');
  const exitOffset = symbol(kernel, 'P_EXIT');
  const stateOffset = symbol(kernel, 'P_STATE');
  const doneState = symbol(kernel, 'PS_DONE');
  const outputs: number[][] = specs.map(() => []);
  // Host-side reporting only: at each console byte, read which process's write() is running
  // (the kernel keeps that in writer_pid); the guest never sees this.
  let words: Int32Array | undefined;
  const machine: Machine = new Machine({
    memoryBytes: options.memoryBytes ?? NATIVE_MEMORY_BYTES,
    costs: options.costs ?? DEFAULT_COSTS,
    onConsoleOutput: (byte) => {
      const pid = words![writerPid >>> 2]!;
      if (pid >= 1 && pid <= outputs.length) outputs[pid - 1]!.push(byte);
      options.onConsoleOutput?.(byte);
    },
  });
  words = machine.memory.words;
  loadNative(machine, specs, options.quantum);
  options.onMachine?.(machine);
  const stop = machine.run(options.maxCycles ?? 2_000_000_000);
  const decoder = new TextDecoder();
  const processes = specs.map((spec, i): ProcessReport => {
    const pcb = procTable + i * pcbSize;
    const done = words![(pcb + stateOffset) >>> 2] === doneState;
    return { pid: i + 1, name: spec.name, exitCode: done ? words![(pcb + exitOffset) >>> 2]! : null, output: decoder.decode(Uint8Array.from(outputs[i]!)) };
  });
  return {
    config: 'native',
    stop,
    exitCode: stop.kind === 'halt' ? stop.exitCode : null,
    halted: stop.kind === 'halt',
    console: machine.console.output(),
    stats: machine.stats(),
    processes,
    machine,
  };
}
