// `--config hosted`: a hosted (type-2) VMM, as KVM with QEMU (docs/vmm-hosted.md). The machine
// boots the kernel built with -D HOST (its virtualization driver, programs/kernel/kvm.s) on bare
// metal; the host's /sbin/init starts /bin/rlvmm (programs/user/rlvmm.s), the user-space VMM,
// which loads the guest from files on the host's disk and runs it with the driver's system calls:
// the very same guest kernel and programs as `native`, in VMX non-root mode with nested paging
// over the frames of rlvmm's heap.
//
// What this file does is what an administrator does before starting a VM: it puts the guest's
// files on the host's disk, /vm/guest.img (the guest-physical memory a boot loader would have
// set up: the boot arguments and the kernel, placed by placeGuest as for every config) and
// /vm/disk.img (the guest's root disk, made as for every config), and boots the host. Afterwards
// it reads the guest's report (per-process output, exit codes) from the guest kernel's memory
// through the driver's EPT, as the other configs read it from guest memory.

import { findSymbol, type Image } from '../asm/index.js';
import { GUEST_IMAGE, HOSTED } from '../abi/index.js';
import { exitReasonName } from '../isa/vmx.js';
import { EXIT_REASONS } from '../isa/vmx.js';
import { extensionNames, isaWith, type Isa } from '../isa/index.js';
import { DEFAULT_COSTS } from '../machine/costs.js';
import { BoundedBytes } from '../machine/devices/console.js';
import type { Machine, WorldMap, WorldStats } from '../machine/machine.js';
import { MAX_MEMORY_BYTES } from '../machine/memory.js';
import { DISK_BLOCK_SIZE, DISK_MAX_BYTES, type DiskDevice } from '../machine/devices/disk.js';
import { openFs } from '../fs/image.js';
import { kernelImage, userImage } from './images.js';
import { bootDisk, KernelObserver, type JobState, loadNative, machineExtensions, NATIVE_MEMORY_BYTES, placeGuest, processesFor, refuseParavirtKernel, userImages, type GuestMemory } from './native.js';
import { rootDisk } from './rootfs.js';
import { systemPrograms } from './system.js';
import { BootError, DEFAULT_BOOT_CYCLES, type BootOptions, type BootResult, type HostedStats, type PreparedBoot, type ProcessSpec } from './types.js';

/** The host kernel's build option (docs/kernel.md, "Build options"). */
export const HOST_DEFINES = { HOST: 1 } as const;
/** The host's memory beyond the guest's: its kernel, page tables, buffers, rlvmm's own pages. */
const HOST_EXTRA_BYTES = 16 << 20;
/** The host's disk: its programs, the guest image and the guest's whole disk as a file. */
const HOST_DISK_BYTES = 12 << 20;
export const GUEST_IMAGE_PATH = '/vm/guest.img';
export const GUEST_DISK_PATH = '/vm/disk.img';
export const VMM_PROGRAM = 'rlvmm';
/** rlvmm's switch for the in-kernel console (VR_F_VHOST): this file on the host's disk. */
export const VHOST_CONSOLE_PATH = '/vm/vhost-console';

/** Root mode is the host: its kernel (ring 0, the driver included) and its processes (ring 3,
 *  rlvmm) are both the virtualization layer, `vmm`; stats.hosted splits them. Non-root mode is
 *  the guest. */
export const HOSTED_WORLDS: WorldMap = (mode, ring) => (mode === 'root' ? 'vmm' : ring === 3 ? 'guestUser' : 'guestKernel');

/** The guest image rlvmm loads: the GUEST_IMAGE header, then guest-physical memory from 0 to the
 *  last byte the boot loader placed. */
export function guestImage(kernel: Image, specs: readonly ProcessSpec[], guestSize: number, options: BootOptions): { bytes: Uint8Array; entry: number } {
  const memory = new Uint8Array(guestSize);
  let end = 0;
  const guest: GuestMemory = {
    size: guestSize,
    write: (address, bytes) => {
      if (address < 0 || address + bytes.length > guestSize) {
        throw new BootError(`cannot place ${bytes.length} bytes at guest-physical 0x${address.toString(16)}: guest memory is 0x${guestSize.toString(16)} bytes`);
      }
      memory.set(bytes, address);
      end = Math.max(end, address + bytes.length);
    },
  };
  const entry = placeGuest(guest, kernel, specs, options.quantum, options.readOnly, options.tty);
  const length = (end + 3) & ~3;
  const out = new Uint8Array(GUEST_IMAGE.size + length);
  const header = new DataView(out.buffer);
  const f = GUEST_IMAGE.fields;
  header.setUint32(f.MAGIC.offset, HOSTED.GUEST_IMAGE_MAGIC.value, true);
  header.setUint32(f.ENTRY.offset, entry >>> 0, true);
  header.setUint32(f.MEMSIZE.offset, guestSize, true);
  header.setUint32(f.LENGTH.offset, length, true);
  out.set(memory.subarray(0, length), GUEST_IMAGE.size);
  return { bytes: out, entry };
}

/** The host kernel's VM as the harness reads it (the config's report, the isolation suite). */
export function hostKernelView(kernel: Image, machine: Machine): HostKernelView {
  return new HostKernelView(kernel, machine);
}

/** Where the host kernel keeps its VM (kvm.s), read from its symbols. */
export class HostKernelView {
  private readonly at: (name: string) => number;
  constructor(
    private readonly kernel: Image,
    private readonly machine: Machine,
  ) {
    this.at = (name) => {
      const s = findSymbol(kernel, name);
      if (!s) throw new BootError(`the host kernel has no symbol '${name}': is it built with -D HOST?`);
      return s.value >>> 0;
    };
    this.at('vm_owner');
  }

  private word(physical: number): number {
    return this.machine.memory.words[physical >>> 2]! >>> 0;
  }

  /** True while the host kernel has a VM. */
  alive(): boolean {
    return this.word(this.at('vm_owner')) !== 0;
  }

  /** Guest-physical to host-physical through the driver's EPT, or undefined (no VM, or the page
   *  is not backed yet). The host kernel is identity mapped from physical 0, so its symbols are
   *  physical addresses. (An arrow: callers pass it on as a function.) */
  readonly translate = (gpa: number): number | undefined => {
    if (!this.alive()) return undefined;
    const dir = this.word(this.at('vm_ept'));
    const pde = this.word(dir + (gpa >>> 22) * 4);
    if ((pde & 1) === 0) return undefined;
    const pte = this.word((pde & ~0xfff) + ((gpa >>> 12) & 1023) * 4);
    if ((pte & 1) === 0) return undefined;
    return ((pte & ~0xfff) | (gpa & 0xfff)) >>> 0;
  };

  /** Frames the VM holds of its own: its VMCS, its EPT directory and the EPT tables in it. */
  vmFrames(): number {
    if (!this.alive()) return 0;
    const dir = this.word(this.at('vm_ept'));
    let tables = 0;
    for (let slot = 0; slot < 1024; slot++) if (this.word(dir + 4 * slot) & 1) tables++;
    return 2 + tables;
  }

  /** Console bytes the driver wrote itself (VR_F_VHOST). */
  vhostBytes(): number {
    return this.word(this.at('kvm_stat_vhost'));
  }

  stats(): Omit<HostedStats, 'worlds'> {
    const kernel: Record<string, number> = {};
    const user: Record<string, number> = {};
    for (const r of EXIT_REASONS) {
      const k = this.word(this.at('kvm_stat_kernel') + 4 * r.code);
      const u = this.word(this.at('kvm_stat_user') + 4 * r.code);
      if (k > 0) kernel[exitReasonName(r.code)] = k;
      if (u > 0) user[exitReasonName(r.code)] = u;
    }
    return {
      exits: { kernel, user },
      eptPagesBacked: this.word(this.at('kvm_stat_ept_pages')),
      injectedInterrupts: this.word(this.at('kvm_stat_injected')),
      restarts: this.word(this.at('kvm_stat_restarts')),
      intrReturns: this.word(this.at('kvm_stat_intr')),
      coalescedTicks: this.word(this.at('kvm_stat_coalesced')),
    };
  }
}

/** Cycles and instructions by world of the hosted VMM, from the processor's (mode, ring) buckets. */
function hostedWorlds(machine: Machine): HostedStats['worlds'] {
  const cpu = machine.cpu;
  cpu.closeBucket();
  const sum = (buckets: number[]): WorldStats => ({
    cycles: buckets.reduce((n, b) => n + cpu.bucketCycles[b]!, 0),
    instructions: buckets.reduce((n, b) => n + cpu.bucketInstret[b]!, 0),
  });
  // Buckets: root rings 0-3 are 0-3, non-root rings 0-3 are 4-7 (processor.ts).
  return { hostKernel: sum([0, 1, 2]), hostUser: sum([3]), guestKernel: sum([4, 5, 6]), guestUser: sum([7]) };
}

/** The ISA extensions the guest kernel finds in EXTENSIONS under hosted: the machine's (the
 *  host's vmx and BootOptions.extensions) less the ones the driver hides, KVM_EXT_HIDDEN in the
 *  host kernel (programs/kernel/kvm.s), read from there so the two cannot disagree. */
export function hostedGuestExtensions(options: Pick<BootOptions, 'extensions' | 'kernelDefines'>): string[] {
  const isa = hostIsaFor(options);
  const hidden = findSymbol(kernelImage(isa, HOST_DEFINES), 'KVM_EXT_HIDDEN')!.value;
  return extensionNames(isa.extensionMask & ~hidden);
}

/** The host machine's ISA: the driver's vmx and what the boot asks for (--extensions). */
function hostIsaFor(options: Pick<BootOptions, 'extensions' | 'kernelDefines'>): Isa {
  return isaWith([...new Set(['vmx', ...machineExtensions(options)])]);
}

/** Build the host machine with the guest's files on its disk, ready to run. */
export function prepareHosted(options: BootOptions): PreparedBoot {
  const specs = processesFor(options.workloads, options.iterations, options.programs, options.run, options.shell);
  // Kernel build options (-D) are the guest's: the host is always the kernel built with HOST.
  if (options.kernelDefines && 'HOST' in options.kernelDefines) {
    throw new BootError('--config hosted: the guest kernel cannot be built with HOST (a host inside the VM would need nested VMX, which is not built)');
  }
  // The machine has the host's vmx and what the boot asks for (--extensions, and what the guest's
  // build options need); the guest sees the latter, as the driver passes EXTENSIONS through less
  // what it hides (hostedGuestExtensions).
  const guestIsa = isaWith(machineExtensions(options));
  const guestKernel = options.kernel ?? kernelImage(guestIsa, options.kernelDefines);
  refuseParavirtKernel('hosted', guestKernel);
  const guestSize = options.memoryBytes ?? NATIVE_MEMORY_BYTES;
  if (guestSize > HOSTED.VM_MEM_MAX.value) throw new BootError(`the guest's memory under hosted is at most ${HOSTED.VM_MEM_MAX.value >> 20} MiB (the driver's VM_MEM_MAX), not ${guestSize >> 20} MiB`);
  const hostMemory = guestSize + HOST_EXTRA_BYTES + (16 << 20);
  if (hostMemory > MAX_MEMORY_BYTES) throw new BootError(`the host needs ${hostMemory >> 20} MiB for a guest of ${guestSize >> 20} MiB; the machine has at most ${MAX_MEMORY_BYTES >> 20} MiB`);
  const image = guestImage(guestKernel, specs, guestSize, options);
  // The guest's disk (the boot's own with --disk, or one made as for every config) becomes the
  // file /vm/disk.img on the host's disk, which is as big as it must be to hold it.
  const guestDisk = bootDisk(specs, guestIsa, options.disk);
  const hostDiskBytes = Math.max(HOST_DISK_BYTES, roundUp(guestDisk.length + image.bytes.length + HOST_DISK_SPARE_BYTES, 1 << 20));
  if (hostDiskBytes > DISK_MAX_BYTES) throw new BootError(`the host's disk would have to be ${hostDiskBytes >> 20} MiB to hold a guest disk of ${guestDisk.length >> 20} MiB; a disk is at most ${DISK_MAX_BYTES >> 20} MiB`);

  // The host: its kernel with the driver, /sbin/init, the system programs and rlvmm, on a disk
  // that also holds the guest's files. init starts one job: rlvmm.
  const hostIsa = hostIsaFor(options);
  const hostKernel = kernelImage(hostIsa, HOST_DEFINES);
  const beside = (options.hostWorkloads?.length ?? 0) + (options.hostPrograms?.length ?? 0) > 0 ? processesFor(options.hostWorkloads ?? [], options.iterations, options.hostPrograms) : [];
  const hostSpecs: ProcessSpec[] = [{ name: VMM_PROGRAM, iterations: 0, path: `/bin/${VMM_PROGRAM}`, iterationArg: false }, ...beside];
  let hostDisk: Uint8Array;
  try {
    const besidePrograms = beside.map((spec) => ({ name: spec.name, image: spec.image ?? userImage(spec.name, guestIsa) }));
    hostDisk = rootDisk([{ name: VMM_PROGRAM, image: userImage(VMM_PROGRAM, guestIsa) }, ...besidePrograms], undefined, [
      { path: GUEST_IMAGE_PATH, bytes: image.bytes },
      { path: GUEST_DISK_PATH, bytes: guestDisk },
      ...(options.vhostConsole ? [{ path: VHOST_CONSOLE_PATH, bytes: new Uint8Array(0) }] : []),
    ], systemPrograms(guestIsa), hostDiskBytes);
  } catch (e) {
    if (e instanceof BootError) throw new BootError(`the host's disk cannot hold the guest's files (its disk image is ${guestDisk.length} bytes, the guest image ${image.bytes.length}): ${e.message}`);
    throw e;
  }

  const hostObserver = new KernelObserver(hostKernel, hostSpecs);
  const guestConsole = new BoundedBytes();
  let guestObserver: KernelObserver | undefined;
  let guestJobs: JobState[] | undefined;
  let view: HostKernelView | undefined;
  const hostWriterJob = findSymbol(hostKernel, 'writer_job')!.value >>> 0;
  let machine: Machine;
  machine = hostObserver.machine(
    // The host's console is the machine's: --input, or what --shell and --tty type, is the
    // host's input, which rlvmm reads for its guest (the host's console is not a terminal: the
    // guest's kernel does the line editing and the echo, with BOOT_TTY in the guest's boot
    // arguments).
    { isa: hostIsa, memoryBytes: hostMemory, costs: options.costs ?? DEFAULT_COSTS, worlds: HOSTED_WORLDS, ...(options.devices && { devices: options.devices }), disk: hostDisk, ...(options.input && { consoleInput: options.input }) },
    (byte) => {
      // A byte rlvmm (the host's job 1) writes is the guest's console output.
      if (machine.memory.words[hostWriterJob >>> 2] === 1) {
        guestConsole.push(byte);
        guestObserver?.consoleByte(byte);
        // The guest's jobs as they are now: its memory goes with the VM when rlvmm exits, and
        // its last bytes (the shutdown summary) come after every job ended.
        if (guestObserver && view?.alive()) guestJobs = guestObserver.jobStates();
        options.onConsoleOutput?.(byte);
      }
    },
  );
  const host = new HostKernelView(hostKernel, machine);
  view = host;
  guestObserver = new KernelObserver(guestKernel, specs, host.translate);
  guestObserver.observe(machine);
  loadNative(machine, hostSpecs, 0, hostKernel);
  options.onMachine?.(machine);
  const guest = guestObserver;
  return {
    config: 'hosted',
    machine,
    // The debugger's pids are the guest's; the host's processes are not listed.
    images: [{ name: 'host-kernel', kind: 'vmm', image: hostKernel }, { name: 'kernel', kind: 'kernel', image: guestKernel }, ...userImages(specs, guestIsa)],
    report: (stop) => {
      const hostResult = hostObserver.result('hosted', machine, stop);
      const vmm = hostResult.processes[0];
      const stats = { ...machine.stats(), hosted: { worlds: hostedWorlds(machine), ...host.stats() } };
      return {
        config: 'hosted',
        stop,
        // The guest's power-off code is rlvmm's exit code (the host powers off with its own).
        exitCode: stop.kind === 'halt' ? (vmm?.exitCode ?? stop.exitCode) : null,
        halted: stop.kind === 'halt',
        console: guestConsole.text(),
        consoleBytes: guestConsole.total,
        consoleTruncated: guestConsole.truncated,
        stats: options.vhostConsole ? { ...stats, hosted: { ...stats.hosted, vhostBytes: host.vhostBytes() } } : stats,
        processes: host.alive() || !guestJobs ? guest.processes() : guest.processes(guestJobs),
        // The host's machine, seen with the guest's disk: `machine.disk` is the file
        // /vm/disk.img read back from the host's disk (what --disk writes back, what the tests
        // check with fsck), every other part is the host's.
        machine: withGuestDisk(machine, guestDisk),
        host: { console: hostResult.console, processes: hostResult.processes },
      } satisfies BootResult;
    },
  };
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;
/** Room on the host's disk beyond the guest's files: its programs, directories, inodes. */
const HOST_DISK_SPARE_BYTES = 4 << 20;

/** The guest's disk after a run: the file GUEST_DISK_PATH on the host's disk. Only what reports
 *  and --disk read of a DiskDevice: its contents, its size, and whether the guest wrote it. */
class GuestDiskView {
  private bytes: Uint8Array | undefined;
  constructor(
    private readonly hostDisk: DiskDevice,
    private readonly original: Uint8Array,
  ) {}


  contents(): Uint8Array {
    if (!this.bytes) {
      const fs = openFs(this.hostDisk.contents());
      if (!fs.ok) throw new BootError(`the host's disk after the run has no filesystem: ${fs.detail ?? fs.error}`);
      const file = fs.value.read(GUEST_DISK_PATH, 0, this.original.length);
      if (!file.ok || file.value.length !== this.original.length) throw new BootError(`${GUEST_DISK_PATH} on the host's disk after the run: ${file.ok ? `${file.value.length} bytes, not ${this.original.length}` : file.error}`);
      this.bytes = file.value;
    }
    return this.bytes.slice();
  }

  /** The host writes its disk only for rlvmm's writes of the guest's (its own files are read,
   *  never written), so this is the device's "a write request completed". */
  get wasWritten(): boolean {
    return this.hostDisk.wasWritten;
  }

  get blockCount(): number {
    return this.original.length / DISK_BLOCK_SIZE;
  }
}

function withGuestDisk(machine: Machine, guestDisk: Uint8Array): Machine {
  const disk = new GuestDiskView(machine.disk, guestDisk) as unknown as DiskDevice;
  return Object.create(machine, { disk: { value: disk, enumerable: true } }) as Machine;
}

/** The most cycles the host may take to boot and start its guest (its kernel, init and rlvmm
 *  read from its disk, then the guest image): with the slowest disk preset (vtx-2006, 36 million
 *  cycles a request) about 100 requests. */
export const HOST_BOOT_MAX_CYCLES = 8_000_000_000;

/** Run a hosted boot: first the host, until rlvmm has made its vCPU (at most
 *  HOST_BOOT_MAX_CYCLES), then `maxCycles` more. The cycle limit is the guest's, as under every
 *  other config, where the machine starts in the guest's boot; the host's boot is not the guest's
 *  business (it is in the figures: stats.cycles counts from the machine's power-on). */
export function bootHosted(options: BootOptions): BootResult {
  return runHosted(prepareHosted(options), options.maxCycles);
}

/** Run a prepared hosted boot to its end (bootHosted's limits). */
export function runHosted(prepared: PreparedBoot, maxCycles = DEFAULT_BOOT_CYCLES): BootResult {
  const machine = prepared.machine;
  const vcpu = findSymbol(prepared.images[0]!.image, 'vm_vcpu')!.value >>> 2;
  const step = 1_000_000;
  while (machine.memory.words[vcpu] === 0) {
    if (machine.cpu.cycles >= HOST_BOOT_MAX_CYCLES) throw new BootError(`the host did not start its guest within ${HOST_BOOT_MAX_CYCLES.toLocaleString('en-US')} cycles`);
    const stop = machine.run(machine.cpu.cycles + step);
    if (stop.kind !== 'cycle-limit') return prepared.report(stop);
  }
  return prepared.report(machine.run(machine.cpu.cycles + maxCycles));
}
