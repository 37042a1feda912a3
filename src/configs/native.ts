// The `native` boot configuration: the guest kernel runs in ring 0 on bare metal, its user
// programs in ring 3. The loader below is what a boot loader does: it places the kernel image,
// one image per process, and the boot arguments in physical memory, then starts the kernel at
// its entry point with paging off. The boot-argument layout is one table, src/abi/layout.ts,
// from which the kernel's programs/lib/abi.inc is generated; docs/kernel.md describes it.

import { BOOT, BOOT_ARGS, BOOT_RECORD } from '../abi/index.js';
import { findSymbol, type Image } from '../asm/index.js';
import { isaWith, type Isa } from '../isa/index.js';
import { DEFAULT_COSTS } from '../machine/costs.js';
import { BoundedBytes } from '../machine/devices/console.js';
import { Machine, type MachineOptions, type StopReason } from '../machine/machine.js';
import { kernelExtensions, kernelImage, userImage } from './images.js';
import { binPath, rootDisk } from './rootfs.js';
import { systemPrograms } from './system.js';
import {
  BootError,
  DEFAULT_BOOT_CYCLES,
  type BootImage,
  type BootOptions,
  type BootResult,
  type BootStats,
  type PreparedBoot,
  type ProcessReport,
  type ProcessSpec,
  type UserProgram,
} from './types.js';
import { findWorkload, workloadNames, type Workload } from './workloads.js';

/** The first frame the kernel may allocate (above its own image and stack). */
export const FRAME_POOL = 0x100000;
const MAX_PROCS = BOOT.MAX_PROCS.value;
export const PAGE = 4096;
export const NATIVE_MEMORY_BYTES = 16 << 20;


/** The executable `boot --shell` runs (it must be on the root disk). */
export const SHELL_PATH = '/bin/sh';

/** Expand workload names (then one's own programs, the --run paths and the shell) into the
 *  process list, or throw BootError naming the valid workloads. */
export function processesFor(workloads: readonly string[], iterations?: number, programs: readonly UserProgram[] = [], run: readonly string[] = [], shell = false): ProcessSpec[] {
  if (workloads.length === 0 && programs.length === 0 && run.length === 0 && !shell) throw new BootError(`no workload given (valid: ${workloadNames().join(', ')})`);
  const out: ProcessSpec[] = [];
  for (const name of workloads) {
    const wl: Workload | undefined = findWorkload(name);
    if (!wl) throw new BootError(`unknown workload '${name}' (valid: ${workloadNames().join(', ')})`);
    for (const program of wl.programs) out.push({ name: program, iterations: iterations ?? wl.defaultIterations, ...(wl.files && { files: wl.files() }) });
  }
  for (const program of programs) out.push({ name: program.name, iterations: program.iterations ?? iterations ?? 1, image: program.image });
  for (const path of run) {
    if (!path.startsWith('/') || new TextEncoder().encode(path).length >= BOOT_RECORD.fields.PATH.size) {
      throw new BootError(`--run ${path}: an absolute path on the disk of at most ${BOOT_RECORD.fields.PATH.size - 1} bytes`);
    }
    // A program from the disk gets an argument only when --iterations gives one (without it,
    // crt0 hands it 1 anyway): so `--run /bin/sh` starts a shell, not `sh 1`.
    out.push({ name: path.slice(path.lastIndexOf('/') + 1).slice(0, 15) || path, iterations: iterations ?? 1, path, iterationArg: iterations !== undefined });
  }
  if (shell) out.push({ name: 'sh', iterations: 0, path: SHELL_PATH, iterationArg: false });
  if (out.length > MAX_PROCS) throw new BootError(`${out.length} processes requested; the kernel runs at most ${MAX_PROCS}`);
  return out;
}

/** Guest-physical memory as a boot loader sees it: its size, and a way to write into it. */
export interface GuestMemory {
  readonly size: number;
  write(guestPhysical: number, bytes: Uint8Array): void;
}

/** Lay out the kernel and the boot arguments in guest-physical memory, exactly as a boot loader
 *  does on bare metal; return the kernel's entry point. Each boot record names the process and
 *  the executable it runs, /bin/NAME on the root disk (rootfs.ts); the kernel loads it from
 *  there. Every config uses this, so the guest finds the same memory natively and under a VMM. */
export function placeGuest(memory: GuestMemory, kernel: Image, specs: readonly ProcessSpec[], quantum = 0, readOnlyRoot = false, tty = false): number {
  for (const seg of kernel.segments) memory.write(seg.address, seg.data);
  const ba = BOOT_ARGS.fields;
  const br = BOOT_RECORD.fields;
  const args = new DataView(new ArrayBuffer(ba.PROCS.offset + BOOT_RECORD.size * specs.length));
  const text = (at: number, value: string, size: number) => new TextEncoder().encode(value).slice(0, size - 1).forEach((b, k) => args.setUint8(at + k, b));
  specs.forEach((spec, i) => {
    const rec = ba.PROCS.offset + i * BOOT_RECORD.size;
    text(rec + br.NAME.offset, spec.name, br.NAME.size);
    text(rec + br.PATH.offset, spec.path ?? binPath(spec.name), br.PATH.size);
    args.setUint32(rec + br.ARGS.offset, spec.iterationArg === false ? 0 : 1, true);
    args.setUint32(rec + br.ITER.offset, spec.iterations >>> 0, true);
  });
  args.setUint32(ba.MAGIC.offset, BOOT.BOOT_MAGIC.value, true);
  args.setUint32(ba.NPROC.offset, specs.length, true);
  args.setUint32(ba.MEMSIZE.offset, memory.size, true);
  args.setUint32(ba.FREE.offset, FRAME_POOL, true);
  args.setUint32(ba.QUANTUM.offset, quantum >>> 0, true);
  args.setUint32(ba.FLAGS.offset, (readOnlyRoot ? BOOT.BOOT_RDONLY.value : 0) | (tty ? BOOT.BOOT_TTY.value : 0), true);
  memory.write(BOOT.BOOTARGS.value, new Uint8Array(args.buffer));
  return kernel.entry;
}

/** The disk a boot runs from: the given image (`--disk`) or a fresh root disk, with each
 *  process's program installed as /bin/NAME. */
export function bootDisk(specs: readonly ProcessSpec[], isa: Isa, disk?: Uint8Array): Uint8Array {
  const programs = specs.filter((spec) => spec.path === undefined).map((spec) => ({ name: spec.name, image: processImage(spec, isa) }));
  // A boot's own program wins over a system program at its path: `--workload sleep` runs the
  // sleep workload as /bin/sleep, where the sleep utility would be.
  const taken = new Set(programs.map((p) => binPath(p.name)));
  const system = systemPrograms(isa).filter((p) => !taken.has(p.path ?? binPath(p.name)));
  return rootDisk(programs, disk, [...new Set(specs.flatMap((spec) => spec.files ?? []))], system);
}

/** Load the kernel and its processes into the machine's physical memory and reset the CPU to
 *  the kernel's entry point: a native boot. */
export function loadNative(machine: Machine, specs: readonly ProcessSpec[], quantum = 0, kernel = kernelImage(machine.isa), readOnlyRoot = false, tty = false): void {
  const memory: GuestMemory = { size: machine.memory.size, write: (address, bytes) => machine.writePhysical(address, bytes) };
  machine.cpu.reset(placeGuest(memory, kernel, specs, quantum, readOnlyRoot, tty));
}

/** A job as the kernel's `jobs` table has it. */
export interface JobState {
  pid: number;
  done: boolean;
  code: number;
}

/** Host-side reporting of a kernel run: per-record output and exit codes. /sbin/init starts
 *  one job per boot record (programs/kernel/proc.s); the kernel keeps the job whose write() is
 *  on the console in `writer_job`, and each job's pid and exit code in its `jobs` table. The
 *  guest never sees any of this. `guestBase` is where guest-physical address 0 lies in
 *  host-physical memory (0 natively; a VMM puts its guest elsewhere). */
export class KernelObserver {
  /** False for a guest kernel without the symbols below: then nothing is attributed. */
  private readonly known: boolean;
  private readonly writerJob: number;
  private readonly jobs: number;
  private readonly jobSize: number;
  private readonly pidOffset: number;
  private readonly codeOffset: number;
  private readonly doneOffset: number;
  private readonly outputs: BoundedBytes[];
  private words: Int32Array | undefined;

  /** `guestBase` is where guest-physical 0 lies in host-physical memory (0 natively; a VMM puts
   *  its guest elsewhere), or, for a guest whose memory is not in one piece (`--config hosted`:
   *  the frames behind a process's pages), a function from a guest-physical address to the
   *  host-physical one, undefined where nothing is mapped (then nothing is attributed). */
  constructor(
    kernel: Image,
    private readonly specs: readonly ProcessSpec[],
    private readonly guestBase: number | ((guestPhysical: number) => number | undefined) = 0,
  ) {
    const value = (name: string): number | undefined => findSymbol(kernel, name)?.value;
    const names = ['writer_job', 'jobs', 'J_SIZE', 'J_PID', 'J_CODE', 'J_DONE'];
    this.known = names.every((n) => value(n) !== undefined);
    [this.writerJob, this.jobs, this.jobSize, this.pidOffset, this.codeOffset, this.doneOffset] = names.map((n) => value(n) ?? 0) as [number, number, number, number, number, number];
    this.outputs = specs.map(() => new BoundedBytes());
  }

  /** A machine whose console output this observer attributes (and then passes to `onByte`). */
  machine(options: MachineOptions, onByte?: (byte: number) => void): Machine {
    const machine = new Machine({
      ...options,
      onConsoleOutput: (byte) => {
        this.consoleByte(byte);
        onByte?.(byte);
      },
    });
    this.words = machine.memory.words;
    return machine;
  }

  /** Read the kernel's words in this machine's memory (for an observer whose machine another
   *  made: the guest of `--config hosted`). */
  observe(machine: Machine): void {
    this.words = machine.memory.words;
  }

  /** The result of the boot once its machine stopped; `stats` adds to the machine's own. */
  result(config: string, machine: Machine, stop: StopReason, stats: BootStats = machine.stats()): BootResult {
    return {
      config,
      stop,
      exitCode: stop.kind === 'halt' ? stop.exitCode : null,
      halted: stop.kind === 'halt',
      console: machine.console.output(),
      consoleBytes: machine.console.outputLength,
      consoleTruncated: machine.console.outputTruncated,
      stats,
      processes: this.processes(),
      machine,
    };
  }

  private word(guestPhysical: number): number {
    if (!this.words) return 0;
    const at = typeof this.guestBase === 'number' ? this.guestBase + guestPhysical : this.guestBase(guestPhysical);
    return at === undefined ? 0 : this.words[at >>> 2]!;
  }

  /** One console byte: credit it to the job whose write() is running, if any. */
  consoleByte(byte: number): void {
    if (!this.known) return;
    const job = this.word(this.writerJob);
    if (job >= 1 && job <= this.outputs.length) this.outputs[job - 1]!.push(byte);
  }

  /** Each job's pid, whether it is done and its exit code, as the kernel's `jobs` has them now. */
  jobStates(): JobState[] {
    return this.specs.map((_, i) => {
      const entry = this.jobs + i * this.jobSize;
      return { pid: this.word(entry + this.pidOffset), done: this.word(entry + this.doneOffset) === 1, code: this.word(entry + this.codeOffset) };
    });
  }

  /** The report of each job: from the kernel's memory now, or from `states` saved earlier (the
   *  hosted config's guest memory is gone once its VM is). */
  processes(states: readonly JobState[] = this.known ? this.jobStates() : []): ProcessReport[] {
    if (!this.known) return [];
    return this.specs.map((spec, i): ProcessReport => {
      const { pid, done, code } = states[i] ?? { pid: 0, done: false, code: 0 };
      const output = this.outputs[i]!;
      // init forks the records in order after itself (pid 1): record i is pid i + 2.
      return { pid: pid || i + 2, name: spec.name, exitCode: done ? code : null, output: output.text(), outputBytes: output.total, outputTruncated: output.truncated };
    });
  }
}

/** Run a prepared boot to power-off (or the limit) and report. */
export function runBoot(prepared: PreparedBoot, maxCycles = DEFAULT_BOOT_CYCLES): BootResult {
  return prepared.report(prepared.machine.run(maxCycles));
}

/** True for a guest kernel built with PARAVIRT (programs/kernel/arch.inc marks the image). */
export function isParavirtKernel(kernel: Image): boolean {
  return findSymbol(kernel, 'KERNEL_PARAVIRT') !== undefined;
}

/** A PARAVIRT kernel executes no privileged instruction: it cannot run without the pv VMM
 *  (its first hypercall, a `syscall` in ring 0, would trap to a vector it never set). */
export function refuseParavirtKernel(config: string, kernel: Image): void {
  if (isParavirtKernel(kernel)) {
    throw new BootError(`this kernel was built with PARAVIRT: it makes hypercalls instead of privileged instructions and runs only under --config pv, not ${config}`);
  }
}

/** The ISA extensions of a boot's guest: what its kernel options need and what it asked for
 *  (BootOptions.extensions), sorted, each once. */
export function machineExtensions(options: Pick<BootOptions, 'kernelDefines' | 'extensions'>, kernelDefines = options.kernelDefines): string[] {
  return [...new Set([...kernelExtensions(kernelDefines), ...(options.extensions ?? [])])].sort();
}

/** Build the machine for a native boot and load it, ready to run (or to debug). */
export function prepareNative(options: BootOptions): PreparedBoot {
  const specs = processesFor(options.workloads, options.iterations, options.programs, options.run, options.shell);
  const isa = isaWith(machineExtensions(options));
  const kernel = options.kernel ?? kernelImage(isa, options.kernelDefines);
  refuseParavirtKernel('native', kernel);
  const observer = new KernelObserver(kernel, specs);
  const machine = observer.machine(
    { isa, memoryBytes: options.memoryBytes ?? NATIVE_MEMORY_BYTES, costs: options.costs ?? DEFAULT_COSTS, ...(options.devices && { devices: options.devices }), disk: bootDisk(specs, isa, options.disk), ...(options.input && { consoleInput: options.input }) },
    options.onConsoleOutput,
  );
  loadNative(machine, specs, options.quantum, kernel, options.readOnly, options.tty);
  options.onMachine?.(machine);
  return {
    config: 'native',
    machine,
    images: [{ name: 'kernel', kind: 'kernel', image: kernel }, ...userImages(specs, isa)],
    report: (stop) => observer.result('native', machine, stop),
  };
}

/** The image a process runs: its own, or programs/user/NAME.s. */
export function processImage(spec: ProcessSpec, isa: Isa): Image {
  return spec.image ?? userImage(spec.name, isa);
}

/** The user images of a boot (each runs at USER_BASE in its own space): /sbin/init, pid 1,
 *  then one per boot record, pid i + 2 (init forks them in order). */
export function userImages(specs: readonly ProcessSpec[], isa: Isa): BootImage[] {
  // A program run from the disk as it is (--run) has no image on the host, so no symbols.
  const init: BootImage = { name: 'init', kind: 'user', pid: 1, image: userImage('init', isa) };
  return [init, ...specs.flatMap((spec, i): BootImage[] => (spec.path === undefined ? [{ name: spec.name, kind: 'user', pid: i + 2, image: processImage(spec, isa) }] : []))];
}

/** Boot the kernel natively with the given workloads and run it to power-off (or the limit). */
export function bootNative(options: BootOptions): BootResult {
  return runBoot(prepareNative(options), options.maxCycles);
}
