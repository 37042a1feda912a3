// The types every boot configuration shares: what a boot is asked for (BootOptions), what it
// gives back (BootResult, per-process reports, statistics), a prepared boot for the debugger,
// and a configuration itself (BootConfig). The configurations are in index.ts (the registry),
// native.ts (the loader and the native boot) and vmm.ts (the VMM boots).

import type { Image } from '../asm/index.js';
import type { CostModel } from '../machine/costs.js';
import type { Device } from '../machine/devices/device.js';
import type { Machine, MachineStats, StopReason, WorldStats } from '../machine/machine.js';
import type { Defines } from './images.js';
import type { DiskFile } from './workloads.js';

/** A bad workload or config name, or a program that cannot be loaded: one-line message. */
export class BootError extends Error {}

export interface ProcessSpec {
  name: string;
  iterations: number;
  /** The program's image; without one, programs/user/NAME.s is assembled. */
  image?: Image;
  /** An executable already on the disk (`boot --run PATH`): nothing is installed for it. */
  path?: string;
  /** False: started without arguments (argv = [name]), as `boot --shell` starts /bin/sh.
   *  Default true: argv = [name, iterations]. */
  iterationArg?: boolean;
  /** Files its workload needs on the root disk. */
  files?: readonly DiskFile[];
}

/** A user program of one's own (`boot --program FILE`, the equivalence tester): its image must
 *  be linked at USER_BASE (include user.inc first) and assembled for the guest's ISA. */
export interface UserProgram {
  name: string;
  image: Image;
  /** Its a0 at start (default: the boot's --iterations, else 1). */
  iterations?: number;
}

export interface BootOptions {
  /** Workload names (see workloads.ts); each becomes one or more processes. */
  workloads: readonly string[];
  /** Programs of one's own, started as processes after the workloads' (pids in this order). */
  programs?: readonly UserProgram[];
  /** Mount the root filesystem read-only (`boot --read-only`): calls that would change it give
   *  EROFS. The boot still installs the programs in /bin first (the host writes them). */
  readOnly?: boolean;
  /** The console is a terminal (BOOT_TTY; `boot --shell`): the kernel echoes input, edits lines
   *  (backspace, Ctrl-U), turns CR into NL, Ctrl-C into SIGINT and Ctrl-D into the end of input
   *  (docs/kernel.md, "The console"). Without it input bytes pass as they are, as from a file. */
  tty?: boolean;
  /** Executables already on the disk (`--run /bin/prog`), started after the programs. */
  run?: readonly string[];
  /** `boot --shell`: one more process, /bin/sh on the root disk, started without arguments
   *  (argv = [sh]). */
  shell?: boolean;
  /** Iteration count for every process (default: each workload's own). */
  iterations?: number;
  maxCycles?: number;
  costs?: CostModel;
  memoryBytes?: number;
  /** The root disk (a ringlab filesystem): the boot installs each process's program in its
   *  /bin (in a copy: this array is not changed) and the kernel runs them from there. Without
   *  it the boot makes a fresh root disk (rootfs.ts). */
  disk?: Uint8Array;
  /** `--config hosted` only: the host kernel's driver writes the guest's console output itself
   *  instead of returning to rlvmm for each byte (the vhost idea; docs/vmm-hosted.md). */
  vhostConsole?: boolean;
  /** Console input (`boot --input`): what the guest's read(0) returns, given up front so a run
   *  is deterministic. Without it the input has ended from the start (read(0) gives 0). */
  input?: Uint8Array;
  /** Timer quantum in cycles (0 or undefined: the kernel's default). */
  quantum?: number;
  /** Each console byte as it is written (e.g. to stream it to stdout). */
  onConsoleOutput?: (byte: number) => void;
  /** Build options of programs/kernel (`-D NAME[=VALUE]`, docs/kernel.md), e.g. { LEGACY: 1 }. An
   *  option that needs an ISA extension (kernelExtensions) switches it on for the guest. */
  kernelDefines?: Defines;
  /** ISA extensions the machine has besides the base ISA (`boot --extensions legacy`; see
   *  src/isa/index.ts EXTENSIONS), on top of those the kernel's options and the VMM need. A
   *  machine has none unless asked: then exec refuses programs that use one (ENOEXEC). The
   *  guest's programs and kernel are assembled for them. */
  extensions?: readonly string[];
  /** A guest kernel to boot instead of programs/kernel (tests, coursework). Per-process output
   *  and exit codes are reported only if it has the kernel's `writer_pid` and `proc_table`. */
  kernel?: Image;
  /** Devices to plug into the machine next to the built-in ones (coursework, tests). Under a VMM
   *  each is treated as it declares (Device.vmm): the VMM is built with a port table for it. */
  devices?: readonly Device[];
  /** `--config hosted` only: workloads and programs the host runs beside the VMM process
   *  (`boot --host-workload`), started by the host's init after rlvmm (host pids 3, 4, ...). */
  hostWorkloads?: readonly string[];
  hostPrograms?: readonly UserProgram[];
  /** Called with the loaded machine just before it runs (tests attach trap hooks here). */
  onMachine?: (machine: Machine) => void;
}

export interface ProcessReport {
  pid: number;
  name: string;
  /** The code it passed to exit, 128 + cause if the kernel killed it, null if it never ended. */
  exitCode: number | null;
  /** Its own console text: the bytes of its write() calls (the first CONSOLE_KEEP_BYTES of them). */
  output: string;
  /** Bytes of its write() calls in all. */
  outputBytes: number;
  /** True when `output` holds only the first CONSOLE_KEEP_BYTES of outputBytes. */
  outputTruncated: boolean;
}

export interface BootResult {
  config: string;
  stop: StopReason;
  exitCode: number | null;
  halted: boolean;
  /** The console output: its first CONSOLE_KEEP_BYTES bytes. */
  console: string;
  consoleBytes: number;
  consoleTruncated: boolean;
  stats: BootStats;
  processes: ProcessReport[];
  machine: Machine;
  /** `--config hosted`: the host's side. `console` and `processes` above are the guest's (what
   *  its kernel and processes wrote, through the VMM process); this is the whole console of the
   *  machine and the host's own processes (the VMM process first). */
  host?: { console: string; processes: ProcessReport[] };
}

/** What a VMM counted in its own memory (configs with a VMM only). */
export interface VmmStats {
  /** Privileged instructions of the guest kernel the VMM emulated, by mnemonic. */
  emulated: Record<string, number>;
  /** Traps the VMM passed on to the guest kernel, by cause name. */
  reflected: Record<string, number>;
  /** Virtual interrupts delivered to the guest. */
  injectedInterrupts: number;
  /** Timer ticks that fell due while the guest was still handling the previous one, coalesced
   *  into the next (programs/vmm/common/devices.s, vtimer_behind); 0 unless the quantum is tiny. */
  coalescedTicks: number;
  /** Real page faults caused by the shadow page tables lagging the guest's (fixed by the VMM). */
  hiddenPageFaults: number;
  /** Page faults the guest's own page tables explain (reflected to the guest kernel). */
  truePageFaults: number;
  /** Times the VMM dropped every shadow translation (guest PTBR writes, full flushes). */
  shadowResets: number;
  /** pv: hypercalls, by name (programs/vmm/common/hypercall.inc, HC_IRET is `iret`). */
  hypercalls?: Record<string, number>;
  /** pv: page-table requests the guest batched and the VMM applied, by kind (`ptWrite`,
   *  `invlpg`, `newBaseptr`, `release`), plus `rejected` (refused requests and entries). */
  pageTableRequests?: Record<string, number>;
  /** pv: shadow tables and directories built by reading a whole guest table. */
  shadowTablesBuilt?: number;
  /** pv: the block ring (docs/vmm-pv.md, "The block ring"): `requests` taken from it, of which
   *  `errors` were answered with an error status; `batches` answered (one virtual disk
   *  interrupt each); `refusedKicks`, HC_DISK_KICKs whose producer index claimed more requests
   *  than the ring holds. */
  blockRing?: { requests: number; errors: number; batches: number; refusedKicks: number };
  /** bt: the translator's counters (programs/vmm/bt/translate-data.s, docs/vmm-bt.md):
   *  `blocks` translated, lookup-table `hits` by the VMM, inline lookup `misses` of indirect
   *  jumps, `exits` taken, exits `chained`, `invalidations` (stores to translated code),
   *  cache `flushes`, and the callouts of inline sequences: `wrstatus`, and `imask` (a csrw
   *  IMASK while the guest has interrupts on); the privileged callouts are `emulated`;
   *  `dataStores`, stores to data on a page with translated code, done by the VMM;
   *  `adaptations`, translated stores retranslated into callouts after faulting on a traced page
   *  table, and those `storeCallouts` by where they stored: to a traced `pageTable` or `other`
   *  memory (programs/vmm/bt/adaptive.s). */
  translation?: {
    blocks: number; hits: number; misses: number; exits: number; chained: number; invalidations: number; flushes: number; wrstatus: number; imask: number; dataStores: number;
    adaptations: number; storeCallouts: { pageTable: number; other: number };
  };
  /** bt: tracing of the guest's page tables (programs/vmm/common/trace.s, docs/vmm-bt.md):
   *  `traces`, frames that started to be traced (the directory and the tables shadow fills walk
   *  through, again after each shadow reset); `faults`, stores that faulted on a traced frame
   *  and were done by the VMM; `shadowUpdates`, shadow entries recomputed from a page-table entry
   *  just written (by a fault or a callout). */
  tracing?: { traces: number; faults: number; shadowUpdates: number };
}

/** `--config hosted` (docs/vmm-hosted.md): time by world of the hosted VMM, and what the host
 *  kernel's driver counted (programs/kernel/kvm.s). */
export interface HostedStats {
  /** Root ring 0: the host kernel (its driver included); root ring 3: the host's processes (the
   *  VMM process, rlvmm, and any beside it); non-root rings 0-2 and 3: the guest kernel and the
   *  guest's processes. */
  worlds: { hostKernel: WorldStats; hostUser: WorldStats; guestKernel: WorldStats; guestUser: WorldStats };
  /** VM exits by reason name, by where they were handled: in the host kernel's driver, or by
   *  the VMM process (vcpu_run returned). */
  exits: { kernel: Record<string, number>; user: Record<string, number> };
  /** Guest pages the driver backed on EPT violations (each pinned while the VM lives). */
  eptPagesBacked: number;
  /** Virtual interrupts the driver injected (the guest's timer, the VMM's disk). */
  injectedInterrupts: number;
  /** Times vcpu_run was restarted: a host interrupt exited the guest, or the guest idled in wfi. */
  restarts: number;
  /** Times vcpu_run returned VM_EXIT_INTR: the VMM process had work of its own (host console
   *  input for its guest, a disk request in flight). */
  intrReturns: number;
  /** Guest ticks the driver coalesced into the next because the guest fell behind (as
   *  VmmStats.coalescedTicks). */
  coalescedTicks: number;
  /** With vhostConsole: console bytes the driver wrote without returning to rlvmm. */
  vhostBytes?: number;
}

/** The machine's statistics, plus the VMM's own counters where a VMM runs. */
export type BootStats = MachineStats & { vmm?: VmmStats; hosted?: HostedStats };

/** One image loaded by a boot, for debuggers and reports. */
export interface BootImage {
  /** 'vmm', 'kernel', or the program name of a user process. */
  name: string;
  kind: 'vmm' | 'kernel' | 'user';
  image: Image;
  /** For user images: the pid of the process running it. */
  pid?: number;
}

/** A machine built and loaded for a configuration but not yet run. */
export interface PreparedBoot {
  readonly config: string;
  readonly machine: Machine;
  /** Every image in the machine, with its symbols and source lines. */
  readonly images: readonly BootImage[];
  /** The result once the machine has stopped (for whatever reason). */
  report(stop: StopReason): BootResult;
}

export const DEFAULT_BOOT_CYCLES = 2_000_000_000;

/** A boot configuration: `prepare` builds and loads a machine (the debugger steps through it),
 *  `boot` runs it to power-off (boot = prepare + run + report). */
export interface BootConfig {
  readonly name: string;
  readonly description: string;
  /** For a configuration with a VMM: which one and how it is set up. */
  readonly vmm?: VmmConfig;
  /** The ISA extensions its guest kernel finds in EXTENSIONS when it boots with these options
   *  (natively the machine's; under a VMM, less what the VMM hides). */
  guestExtensions(options: Pick<BootOptions, 'kernelDefines' | 'extensions'>): string[];
  prepare(options: BootOptions): PreparedBoot;
  /** Run a prepared boot to its end and report it: `maxCycles` is the guest's limit (hosted
   *  first runs its host up to the guest's start, which the limit does not count). */
  run(prepared: PreparedBoot, maxCycles?: number): BootResult;
  boot(options: BootOptions): BootResult;
}

/** What distinguishes one VMM configuration from another. */
export interface VmmConfig {
  /** Directory under programs/vmm/. */
  readonly vmm: string;
  /** ISA extensions the machine (and the VMM's assembly) needs. */
  readonly extensions: readonly string[];
  /** Boot-info flags for the VMM (VI_FLAGS in layout.inc). */
  readonly flags: number;
  /** Build options of the guest kernel: { PARAVIRT: 1 } for a paravirtualizing VMM, which
   *  boots only such a kernel; the others boot the native one and refuse a PARAVIRT one. */
  readonly kernelDefines?: Defines;
}
