// The isolation suite (`ringlab bench isolation`, issue 19): containers against virtual machines,
// on the same guest kernel and the same program (programs/user/isoprobe.s), measured from
// executed instructions. See docs/isolation.md.
//
//   system calls  a null call, a small file read, a loopback round trip, per iteration (runs at N
//                 and 2N, as the overhead suite): as a process, in a container (crun: namespaces,
//                 a control group, an overlay root on a tmpfs, a network namespace), in a VM
//                 under each VMM, and in a container inside each VM
//   start-up      cycles from the request to the workload's first user instruction, in phases
//                 found from the trace of the run (trap and mode-change hooks of the processor)
//   memory        physical pages per instance of a small server, and how many instances fit
//   storage       layer lookups, copy-up against size, overlay against a volume (isolation-storage.ts)
//   resource      cpu.max share and longest stall against the period, memory.max isolation of
//   control       a neighbour (isolation-control.ts, with its own probe programs/user/isoctl.s)
//   isolation     a -D VULN kernel bug exploited from a container, natively and in a VM under te
//   strength      and vtx-ept (isolation-vuln.ts, with its own exploit programs/user/isovuln.s)
//
// Every boot is traced by two hooks of the processor (src/machine/processor.ts): `onTrap`, which
// gives each ring-3 `syscall` with its registers (the number in t0: which call; the probe's
// markers, getpid with a0 = ISO_MARK), and `onModeChange`, which gives the cycle of every entry
// into a ring or mode (the first guest instruction under a VMM, each entry into user mode).

import { findSymbol, type Image } from '../asm/index.js';
import { SYSCALLS } from '../abi/index.js';
import { LAYER_DIR, BUNDLE_DIR, bundleConfig, launcher } from '../configs/container.js';
import { CONFIGS, findConfig, runBoot, userImage, type BootOptions, type BootResult, type UserProgram } from '../configs/index.js';
import { hostKernelView } from '../configs/hosted.js';
import { NATIVE_MEMORY_BYTES } from '../configs/native.js';
import { rootDisk } from '../configs/rootfs.js';
import { systemPrograms } from '../configs/system.js';
import type { DiskFile } from '../configs/workloads.js';
import { toExecutable } from '../fs/exec.js';
import { isaWith } from '../isa/index.js';
import { DEFAULT_COSTS, type CostModel } from '../machine/costs.js';
import type { Machine } from '../machine/machine.js';
import { BenchError, MEASURE_MAX_CYCLES } from './measure.js';
import { isolationFindings } from './isolation-findings.js';
import { runStorage, STORAGE_STEPS, type StorageResults } from './isolation-storage.js';
import { runControl, type ControlResults } from './isolation-control.js';
import { runVuln, type VulnRow } from './isolation-vuln.js';
import type { Attribution, Finding } from './results.js';

export const ISOLATION_SCHEMA = 'ringlab-bench-isolation/1';

/** The probe's marker: getpid with a0 = ISO_MARK, a1 = what (programs/user/isoprobe.s). */
export const ISO_MARK = 0x49534f4d;
export const MARK = { start: 1, ready: 2, up: 3, dense: 4 } as const;

/** The system-call operations, each a name the probe runs as. */
export const SYSCALL_OPS = [
  { op: 'null', program: 'iso-null', iterations: 200, description: 'a null system call (getpid)' },
  { op: 'read', program: 'iso-read', iterations: 40, description: 'a small file read: open /data/small, read 64 bytes, close' },
  { op: 'socket', program: 'iso-sock', iterations: 40, description: 'a loopback TCP round trip: one byte there and back (write, read, write, read)' },
  { op: 'disk', program: 'iso-disk', iterations: 8, description: 'a random 4 KiB read with O_DIRECT from a 256 KiB file: one disk request (an IOPS test)' },
] as const;
export type SyscallOp = (typeof SYSCALL_OPS)[number]['op'];

/** The VM configurations: every one of the registry but native, so a new one joins this suite by
 *  joining CONFIGS (src/configs/index.ts). The bare-metal VMMs (`vmm` set) are read from their
 *  image and layout; the hosted VMM's VM is a process of its host kernel, read from that kernel
 *  (its frame pool and its driver's EPT). */
export const VMM_CONFIGS: readonly string[] = CONFIGS.filter((c) => c.name !== 'native').map((c) => c.name);
/** The hosted configuration, whose VM is a host process (hostedVmPages, the host's phases). */
export const HOSTED = 'hosted';
export const ALL_CONFIGS: readonly string[] = ['native', ...VMM_CONFIGS];

/** Where the container's bundle for the density search is (iso-dense starts `crun run -d cK` of it). */
export const DENSE_BUNDLE = '/var/lib/crun/dense';
/** The network address the one-container runs give their container (crun adds a netns and a veth pair). */
export const CONTAINER_ADDRESS = '10.0.0.2';
/** Every container's upper layer: a tmpfs (crun's upper=tmpfs), so the root is an overlay. */
export const CONTAINER_UPPER = ['upper=tmpfs', 'upper.size=64k'] as const;
/** The step of the search for a VM's smallest guest memory: 256 KiB. */
export const GUEST_STEP = 256 << 10;
/** A boot of the search that has not finished by then is one that does not run (a guest short of
 *  memory may thrash); the server's boot takes about 3 million cycles. */
export const SEARCH_MAX_CYCLES = 100_000_000;
export const PAGE = 4096;

/** How a workload runs: a process of the kernel, or a container of crun in that kernel. */
export type Where = 'process' | 'container';

export interface SyscallRow {
  op: SyscallOp;
  /** 'native' or a VMM config: the kernel the probe runs on, on bare metal or in that VM. */
  config: string;
  where: Where;
  iterations: number;
  /** Cycles of the runs at N and 2N. */
  cycles: [number, number];
  /** (cycles at 2N - cycles at N) / N. */
  perIteration: number;
  /** Per iteration, by who spent the cycles (as the overhead suite's attribution). */
  attribution: Attribution;
  /** perIteration over the native process's. */
  ratio: number;
}

export interface Phase {
  name: string;
  cycles: number;
  /** Of those, cycles the processor idled waiting for a device (the disk): start-up phases only. */
  idle?: number;
}

export interface StartupRow {
  /** process: init's fork and exec; container: crun in a running kernel; vm: power-on (hosted:
   *  the host's exec of its VMM process, in a running host). */
  kind: 'process' | 'container' | 'vm';
  config: string;
  phases: Phase[];
  total: number;
  /** Hosted: the host's own boot before its init asked for the VM, which a VM started on a
   *  running host does not pay (not in `total`). */
  host?: Phase[];
}

/** Pages of one instance of the small server. */
export interface MemoryRow {
  kind: 'container' | 'vm';
  config: string;
  /** Pages per additional instance, split by what holds them (names in the order shown). */
  parts: Phase[];
  /** Their sum, in pages. */
  pages: number;
  /** VMs: pages the guest kernel has in use when the server is ready (kernel, init, the server). */
  guestInUse?: number;
}

export interface DensityRow {
  kind: 'container' | 'vm';
  config: string;
  /** Instances that fit in the machine memory. */
  instances: number;
  /** found: by starting instances until the next failed; computed: machine pages / pages per instance. */
  how: 'found' | 'computed';
  /** What stopped it: the failing start's message, or the arithmetic. */
  limit: string;
  /** By memory alone: free pages / pages per instance (containers), or the same as `instances` (VMs). */
  byMemory: number;
}

export interface IsolationResults {
  schema: typeof ISOLATION_SCHEMA;
  suite: 'isolation';
  revision: string;
  preset: CostModel;
  /** Machine memory the density figures are for (the native machine's). */
  machineBytes: number;
  configs: string[];
  syscalls: SyscallRow[];
  startup: StartupRow[];
  memory: MemoryRow[];
  density: DensityRow[];
  /** The container density run, instance by instance: pages in use after each started. */
  densityCurve: { instance: number; pagesInUse: number; charged: number }[];
  /** Smallest guest memory (bytes, a multiple of GUEST_STEP) with which each VMM's VM runs the server. */
  minGuestBytes: Record<string, number>;
  findings: Finding[];
  deterministic: boolean;
  /** Storage (isolation-storage.ts): layer lookups, copy-up, overlay against a volume (native kernel). */
  storage?: StorageResults;
  /** Resource control (isolation-control.ts): cpu.max and memory.max on containers, natively. */
  control?: ControlResults;
  /** Isolation strength (isolation-vuln.ts): the -D VULN kernel bug exploited from a container,
   *  natively (and against the default kernel) and in a VM under te and vtx-ept. */
  vuln?: VulnRow[];
}

// ---------------------------------------------------------------------------------------------
// Tracing a boot

const SYS = Object.fromEntries(SYSCALLS.map((s) => [s.name, s.number])) as Record<string, number>;
const CAUSE_SYSCALL = 1;
const T0 = 8;
const A0 = 4;
const A1 = 5;
const A2 = 6;

/** A point of the run: its cycle, and the cycles the processor had idled (wfi) by then. */
export interface Point {
  cycle: number;
  idle: number;
}

export interface SyscallEvent extends Point {
  nr: number;
}

export interface Marker {
  cycle: number;
  what: number;
  count: number;
}

/** What the hooks saw of one boot. */
export interface Trace {
  /** The first instruction outside the VMM (cycle 0 without one). */
  guestEntry: Point | undefined;
  /** Every entry into the guest's user mode. */
  userEntries: Point[];
  /** The guest's processes' system calls. */
  syscalls: SyscallEvent[];
  markers: Marker[];
  /** Hosted: the host's processes' entries into user mode and their system calls (init's, rlvmm's). */
  host: { userEntries: Point[]; syscalls: SyscallEvent[] };
}

export interface TracedBoot {
  result: BootResult;
  trace: Trace;
  /** What a marker's callback reads, here after the run (the machine as the run left it). */
  context: MarkerContext;
}

/** Guest-physical memory as the harness reads it: words and bytes at guest-physical addresses
 *  (0 where nothing backs the address: under hosted, a page the guest never touched). */
export interface GuestPhysical {
  word(gpa: number): number;
  byte(gpa: number): number;
}

/** What a marker's callback may read: the machine stopped at the marker, the guest kernel's
 *  image (its symbols), the VMM's (under hosted, the host kernel's), and the guest's memory. */
export interface MarkerContext {
  machine: Machine;
  kernel: Image;
  vmm: Image | undefined;
  guest: GuestPhysical;
}

/** Guest-physical memory at `translate(gpa)` in host-physical memory (undefined: not backed). */
export function guestPhysical(machine: Machine, translate: (gpa: number) => number | undefined): GuestPhysical {
  const words = machine.memory.words;
  const bytes = machine.memory.bytes;
  return {
    word: (gpa) => {
      const at = translate(gpa);
      return at === undefined ? 0 : words[at >>> 2]! >>> 0;
    },
    byte: (gpa) => {
      const at = translate(gpa);
      return at === undefined ? 0 : bytes[at]!;
    },
  };
}

/** Boot with the probe's hooks on; `onMarker` runs inside the marker's trap (the machine is
 *  stopped at that instruction: what it reads is the state at that point). */
export function tracedBoot(config: string, options: BootOptions, onMarker?: (m: Marker, at: MarkerContext) => void): TracedBoot {
  const c = findConfig(config);
  if (!c) throw new BenchError(`unknown config '${config}'`);
  const trace: Trace = { guestEntry: undefined, userEntries: [], syscalls: [], markers: [], host: { userEntries: [], syscalls: [] } };
  let context: MarkerContext | undefined;
  const prepared = c.prepare({
    ...options,
    onMachine: (machine) => {
      const cpu = machine.cpu;
      if (machine.currentWorld() !== 'vmm') trace.guestEntry = { cycle: 0, idle: 0 };
      cpu.onModeChange = (ring, nonRoot, cycle) => {
        const world = machine.worldOf(nonRoot ? 'nonRoot' : 'root', ring);
        if (world !== 'vmm' && trace.guestEntry === undefined) trace.guestEntry = { cycle, idle: cpu.idleCycles };
        if (world === 'guestUser') trace.userEntries.push({ cycle, idle: cpu.idleCycles });
        else if (world === 'vmm' && ring === 3) trace.host.userEntries.push({ cycle, idle: cpu.idleCycles });
      };
      cpu.onTrap = (e) => {
        if (e.cause !== CAUSE_SYSCALL || e.fromRing !== 3) return;
        const x = cpu.x;
        const nr = x[T0]! >>> 0;
        // A system call from ring 3 is the guest's, or (hosted) the host's processes'. The trap
        // leaves the mode as it was: a guest's system call goes to its own kernel, without an exit.
        if (machine.worldOf(cpu.nonRoot ? 'nonRoot' : 'root', 3) === 'vmm') {
          trace.host.syscalls.push({ cycle: e.cycle, idle: cpu.idleCycles, nr });
          return;
        }
        trace.syscalls.push({ cycle: e.cycle, idle: cpu.idleCycles, nr });
        if (nr === SYS['getpid'] && x[A0]! >>> 0 === ISO_MARK) {
          const m = { cycle: e.cycle, what: x[A1]! >>> 0, count: x[A2]! >>> 0 };
          trace.markers.push(m);
          if (onMarker && context) onMarker(m, context);
        }
      };
    },
  });
  const image = (name: string): Image | undefined => prepared.images.find((i) => i.name === name)?.image;
  const machine = prepared.machine;
  if (config === HOSTED) {
    const host = image('host-kernel')!;
    context = { machine, kernel: image('kernel')!, vmm: host, guest: guestPhysical(machine, hostKernelView(host, machine).translate) };
  } else {
    const guestBase = config === 'native' ? 0 : machine.memory.size - (options.memoryBytes ?? NATIVE_MEMORY_BYTES);
    context = { machine, kernel: image('kernel')!, vmm: image('vmm'), guest: guestPhysical(machine, (gpa) => guestBase + gpa) };
  }
  const result = c.run(prepared, options.maxCycles ?? MEASURE_MAX_CYCLES);
  return { result, trace, context };
}

/** A run that did not end as it must (power-off, code 0, every job exited 0 printing nothing
 *  unexpected) measures nothing: an error, as in the overhead suite. */
export function checked(result: BootResult, where: string, output: (text: string) => boolean = (text) => text === ''): BootResult {
  if (!result.halted) throw new BenchError(`${where} did not power off: ${result.stop.kind}`);
  if (result.exitCode !== 0) throw new BenchError(`${where} powered off with code ${result.exitCode}`);
  for (const p of result.processes) {
    if (p.exitCode !== 0) throw new BenchError(`${where}: ${p.name} exited with ${p.exitCode}: ${p.output.trim()}`);
    if (!output(p.output)) throw new BenchError(`${where}: ${p.name} printed ${JSON.stringify(p.output)}`);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The probe, its disk and its bundles

const isa = isaWith([]);
const PROBE_NAMES = ['iso-null', 'iso-read', 'iso-sock', 'iso-disk', 'iso-start', 'iso-serve'] as const;
/** iso-disk's file: 64 blocks, every word of block b holding b (as diskread's). */
const DISK = (() => {
  const bytes = new Uint8Array(64 * PAGE);
  const view = new DataView(bytes.buffer);
  for (let at = 0; at < bytes.length; at += 4) view.setUint32(at, at >>> 12, true);
  return bytes;
})();
/** The 64 bytes (and a few more) iso-read reads. */
const SMALL = new TextEncoder().encode('ringlab isolation benchmark: the small file iso-read reads 64 bytes of.\n');

function probe(name: string, iterations: number): UserProgram {
  return { name, image: userImage('isoprobe', isa), iterations };
}

let disks: { plain: Uint8Array; containers: Map<string, Uint8Array> } | undefined;

/** The container's two layers: 0 has the probe in /bin under each name, 1 the data file. */
function layerFiles(): DiskFile[] {
  const exe = toExecutable(userImage('isoprobe', isa), 'isoprobe');
  return [...PROBE_NAMES.map((n) => ({ path: `${LAYER_DIR}/0/bin/${n}`, bytes: exe })), { path: `${LAYER_DIR}/1/data/small`, bytes: SMALL }, { path: `${LAYER_DIR}/1/data/disk.dat`, bytes: DISK }];
}

function bundle(dir: string, command: string[], extra: readonly string[]): DiskFile {
  // crun's bundle for the command, then the keys ContainerSpec has no field for (upper.size, net)
  const config = bundleConfig({ command, layerCount: 2 }) + extra.map((line) => `${line}\n`).join('');
  return { path: `${dir}/config`, bytes: new TextEncoder().encode(config) };
}

/** The root disk of every run: /data/small for the process, the layers, the density bundle, and
 *  (for a container run) the bundle of its command. Made once per command. */
function diskFor(command?: string[]): Uint8Array {
  disks ??= { plain: new Uint8Array(), containers: new Map() };
  const key = command ? command.join(' ') : '';
  const cached = command ? disks.containers.get(key) : disks.plain.length ? disks.plain : undefined;
  if (cached) return cached;
  const files: DiskFile[] = [{ path: '/data/small', bytes: SMALL }, { path: '/data/disk.dat', bytes: DISK }, ...layerFiles(), bundle(DENSE_BUNDLE, ['iso-serve', '0'], CONTAINER_UPPER)];
  if (command) files.push(bundle(BUNDLE_DIR, command, [...CONTAINER_UPPER, `net=${CONTAINER_ADDRESS}`]));
  const disk = rootDisk([], undefined, files, systemPrograms(isa));
  if (command) disks.containers.set(key, disk);
  else disks.plain = disk;
  return disk;
}

/** The boot options of the probe as `name N`, as a process or in a container. */
export function probeBoot(where: Where, name: string, iterations: number, costs: CostModel): BootOptions {
  if (where === 'process') return { workloads: [], programs: [probe(name, iterations)], disk: diskFor(), costs, maxCycles: MEASURE_MAX_CYCLES };
  return { workloads: [], programs: [launcher(isa)], disk: diskFor([name, String(iterations)]), costs, maxCycles: MEASURE_MAX_CYCLES };
}

// ---------------------------------------------------------------------------------------------
// System calls

function attributionOf(r: BootResult): Attribution {
  const w = r.stats.worlds;
  return { guestUser: w.guestUser.cycles, guestKernel: w.guestKernel.cycles, vmm: w.vmm.cycles, transitions: w.transition.cycles, idle: w.idle.cycles };
}

function syscallRow(op: (typeof SYSCALL_OPS)[number], config: string, where: Where, costs: CostModel, check: (again: number, first: number) => void): Omit<SyscallRow, 'ratio'> {
  const c = findConfig(config)!;
  const n = op.iterations;
  const what = `${op.program} as a ${where} under ${config}`;
  const single = checked(c.boot(probeBoot(where, op.program, n, costs)), `${what} (${n} iterations)`);
  const double = checked(c.boot(probeBoot(where, op.program, 2 * n, costs)), `${what} (${2 * n} iterations)`);
  check(checked(c.boot(probeBoot(where, op.program, n, costs)), what).stats.cycles, single.stats.cycles);
  const a = attributionOf(single);
  const b = attributionOf(double);
  const per = (k: keyof Attribution): number => (b[k] - a[k]) / n;
  return {
    op: op.op,
    config,
    where,
    iterations: n,
    cycles: [single.stats.cycles, double.stats.cycles],
    perIteration: (double.stats.cycles - single.stats.cycles) / n,
    attribution: { guestUser: per('guestUser'), guestKernel: per('guestKernel'), vmm: per('vmm'), transitions: per('transitions'), idle: per('idle') },
  };
}

// ---------------------------------------------------------------------------------------------
// Start-up

function first<T>(list: readonly T[], test: (x: T) => boolean, what: string): T {
  const x = list.find(test);
  if (x === undefined) throw new BenchError(`start-up: ${what} not found in the trace`);
  return x;
}

function last<T>(list: readonly T[], test: (x: T) => boolean, what: string): T {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return list[i]!;
  throw new BenchError(`start-up: ${what} not found in the trace`);
}

/** The probe's first user instruction: the first entry into user mode after the exec that
 *  started it (the last exec before its start marker). */
function probeStart(t: Trace): { exec: Point; first: Point } {
  const marker = first(t.markers, (m) => m.what === MARK.start, 'the probe\'s start marker').cycle;
  const exec = last(t.syscalls, (s) => s.nr === SYS['exec'] && s.cycle < marker, 'the exec of the probe');
  const entry = first(t.userEntries, (p) => p.cycle > exec.cycle, 'the probe\'s first instruction');
  if (entry.cycle > marker) throw new BenchError('start-up: the probe\'s start marker came before its first instruction');
  return { exec, first: entry };
}

function phases(kind: StartupRow['kind'], config: string, bounds: [string, Point][], end: Point): StartupRow {
  const out: Phase[] = [];
  for (let i = 0; i < bounds.length; i++) {
    const [name, at] = bounds[i]!;
    const next = i + 1 < bounds.length ? bounds[i + 1]![1] : end;
    if (next.cycle < at.cycle) throw new BenchError(`start-up of a ${kind} under ${config}: phase ${name} ends before it starts`);
    out.push({ name, cycles: next.cycle - at.cycle, idle: next.idle - at.idle });
  }
  return { kind, config, phases: out, total: end.cycle - bounds[0]![1].cycle };
}

/** A VM's start (power-on to the probe's first instruction) and a process's start (init's
 *  fork to the same instruction), from one boot of iso-start. Under hosted the VM starts when the
 *  running host's init execs rlvmm; the host's boot before it is the row's `host`. */
export function startupOfBoot(config: string, t: Trace): StartupRow[] {
  const p = probeStart(t);
  const guest = t.guestEntry;
  if (!guest) throw new BenchError('start-up: the guest never ran');
  const init = first(t.userEntries, (c) => c.cycle >= guest.cycle, 'init\'s first instruction');
  const fork = last(t.syscalls, (s) => s.nr === SYS['fork'] && s.cycle < p.exec.cycle, 'init\'s fork');
  const process = phases('process', config, [['fork', fork], ['exec', p.exec]], p.first);
  if (config === HOSTED) return [process, hostedStart(t, guest, init, p.first)];
  const vm: [string, Point][] = config === 'native' ? [] : [['VMM set-up', { cycle: 0, idle: 0 }]];
  vm.push(['guest kernel boot', guest], ['init', init]);
  return [process, phases('vm', config, vm, p.first)];
}

/** A hosted VM's start: the host's init execs rlvmm, which forks its I/O process and reads the
 *  guest image from the host's disk into its heap, then makes the VM and enters the guest. */
function hostedStart(t: Trace, guest: Point, init: Point, end: Point): StartupRow {
  const h = t.host;
  const hostInit = first(h.userEntries, () => true, 'the host\'s init');
  const request = first(h.syscalls, (s) => s.nr === SYS['exec'], 'the host\'s exec of rlvmm');
  const rlvmm = first(h.userEntries, (e) => e.cycle > request.cycle, 'rlvmm\'s first instruction');
  const create = first(h.syscalls, (s) => s.nr === SYS['vm_create'], 'rlvmm\'s vm_create');
  const row = phases(
    'vm',
    HOSTED,
    [
      ['exec rlvmm', request],
      ['rlvmm: I/O process, guest image', rlvmm],
      ['VM set-up', create],
      ['guest kernel boot', guest],
      ['init', init],
    ],
    end,
  );
  const host = phases('vm', HOSTED, [['host kernel boot', { cycle: 0, idle: 0 }], ['host init', hostInit]], request);
  return { ...row, host: host.phases };
}

/** A container's start, from `crun run` being exec'd to the probe's first instruction. */
export function startupOfContainer(config: string, t: Trace): StartupRow {
  const p = probeStart(t);
  const request = first(t.syscalls, (s) => s.nr === SYS['exec'], 'the exec of crun');
  const crun = first(t.userEntries, (c) => c.cycle > request.cycle, 'crun\'s first instruction');
  const after = (nr: string, what: string): Point => first(t.syscalls, (s) => s.nr === SYS[nr] && s.cycle > request.cycle, what);
  return phases(
    'container',
    config,
    [
      ['exec crun', request],
      ['bundle and state', crun],
      ['cgroup', after('cgroup_mkdir', 'crun\'s cgroup_mkdir')],
      ['namespaces', after('clone', 'crun\'s clone')],
      ['root filesystem', after('mount', 'crun\'s first mount')],
      ['exec', p.exec],
    ],
    p.first,
  );
}

// ---------------------------------------------------------------------------------------------
// Memory

/** The guest kernel's frame pool as the host reads it (programs/kernel/mm.s): pages in use
 *  (below the pool's high-water mark and not on the free list) and those charged to a control
 *  group (their owner byte is not 0). */
export function guestPages(machine: Machine, kernel: Image, guest: GuestPhysical): { inUse: number; charged: number } {
  const sym = (n: string): number => {
    const s = findSymbol(kernel, n);
    if (!s) throw new BenchError(`the kernel has no symbol ${n}`);
    return s.value;
  };
  const word = guest.word;
  const next = word(sym('free_next'));
  const base = word(sym('frame_base'));
  const owner = word(sym('frame_owner'));
  const free = new Set<number>();
  for (let f = word(sym('free_list')); f !== 0; f = word(f)) {
    if (free.has(f) || free.size > machine.memory.size / PAGE) throw new BenchError('the guest\'s free list loops');
    free.add(f);
  }
  let charged = 0;
  for (let f = base; f < next; f += PAGE) if (!free.has(f) && guest.byte(owner + (f - base) / PAGE) !== 0) charged++;
  return { inUse: next / PAGE - free.size, charged };
}

/** Pages of the VMM's region (host-physical 0 up to the guest) that hold anything, by area of
 *  programs/vmm/common/layout.inc (symbols read from the VMM image). */
export function vmmPages(machine: Machine, vmm: Image, pv: boolean): Phase[] {
  const sym = (n: string): number => findSymbol(vmm, n)?.value ?? 0;
  const base = sym('VMM_BASE') >>> 0;
  const guest = sym('GUEST_BASE');
  const words = machine.memory.words;
  const used = (from: number, to: number): number => {
    let n = 0;
    for (let page = from; page < to; page += PAGE) {
      for (let w = page >>> 2; w < (page + PAGE) >>> 2; w++) {
        if (words[w] !== 0) {
          n++;
          break;
        }
      }
    }
    return n;
  };
  const pt = sym('VMM_PT_PHYS');
  const log = (sym('SHADOW_LOG') >>> 0) - base;
  const stackTop = (sym('VMM_STACK_TOP') >>> 0) - base;
  // The stack grows down from VMM_STACK_TOP to 0x2f0000, where pv's pool ends (layout.inc).
  const stack = sym('PV_POOL_END');
  const parts: Phase[] = [{ name: 'VMM code and data', cycles: used(0, pt) }];
  if (pv) {
    parts.push({ name: 'page tables (VMM, shadow)', cycles: used(pt, stack) }, { name: 'VMM stack', cycles: used(stack, stackTop) }, { name: 'guest-frame map', cycles: used(sym('PV_P2S_PHYS'), guest) });
  } else {
    parts.push({ name: 'page tables (VMM, shadow or EPT)', cycles: used(pt, log) }, { name: 'shadow fill log', cycles: used(log, stack) }, { name: 'VMM stack', cycles: used(stack, stackTop) });
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// The suite

export interface IsolationOptions {
  configs?: readonly string[];
  costs?: CostModel;
  revision?: string;
  progress?: (done: number, total: number, what: string) => void;
}

function pagesOf(parts: Phase[]): number {
  return parts.reduce((s, p) => s + p.cycles, 0);
}

export function runIsolation(options: IsolationOptions = {}): IsolationResults {
  const costs = options.costs ?? DEFAULT_COSTS;
  const wanted = options.configs && options.configs.length ? options.configs : ALL_CONFIGS;
  for (const c of wanted) if (!(ALL_CONFIGS as readonly string[]).includes(c)) throw new BenchError(`unknown config '${c}' (known: ${ALL_CONFIGS.join(', ')})`);
  const configs = ALL_CONFIGS.filter((c) => c === 'native' || wanted.includes(c));
  const vmms = configs.filter((c) => c !== 'native');
  let deterministic = true;
  const same = (a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) deterministic = false;
  };
  const total = configs.length * (SYSCALL_OPS.length * 2 + 1) + vmms.length * 2 + 1 + STORAGE_STEPS + 1 + 1; // the last two: resource control, isolation strength
  let done = 0;
  const step = (what: string): void => options.progress?.(done++, total, what);

  // System calls.
  const rows: Omit<SyscallRow, 'ratio'>[] = [];
  for (const config of configs) {
    for (const where of ['process', 'container'] as const) {
      for (const op of SYSCALL_OPS) {
        step(`${op.program} as a ${where} under ${config}`);
        rows.push(syscallRow(op, config, where, costs, same));
      }
    }
  }
  const base = (op: SyscallOp): number => rows.find((r) => r.op === op && r.config === 'native' && r.where === 'process')!.perIteration;
  const syscalls: SyscallRow[] = rows.map((r) => ({ ...r, ratio: r.perIteration / base(r.op) }));

  // Start-up.
  const startup: StartupRow[] = [];
  for (const config of configs) {
    step(`start-up under ${config}`);
    const plain = (): StartupRow[] => startupOfBoot(config, tracedTrace(config, probeBoot('process', 'iso-start', 1, costs), 'iso-start as a process'));
    const container = (): StartupRow => startupOfContainer(config, tracedTrace(config, probeBoot('container', 'iso-start', 1, costs), 'iso-start in a container'));
    const a = plain();
    const b = container();
    same(plain(), a);
    same(container(), b);
    startup.push(...a, b);
  }

  // Memory: the server as a process and as a VM (one guest each), then the container density run.
  const memory: MemoryRow[] = [];
  const minGuestBytes: Record<string, number> = {};
  const vmPerInstance: Record<string, { pages: number; fixed: number; fixedName: string }> = {};
  for (const config of vmms) {
    step(`the server in a VM under ${config}`);
    if (config === HOSTED) {
      // A hosted VM's pages are the host's: the guest's as it touched them, not a reservation.
      const h = hostedServerMemory(costs);
      same(hostedServerMemory(costs), h);
      step(`the smallest guest for the server under ${config}`);
      minGuestBytes[config] = minGuest(config, costs);
      memory.push({ kind: 'vm', config, parts: h.parts, pages: pagesOf(h.parts), guestInUse: h.guest });
      vmPerInstance[config] = { pages: pagesOf(h.parts), fixed: h.fixed, fixedName: 'the host kernel and init' };
      continue;
    }
    const m = serverMemory(config, costs);
    same(serverMemory(config, costs), m);
    step(`the smallest guest for the server under ${config}`);
    const min = minGuest(config, costs);
    minGuestBytes[config] = min;
    const fixed = m.vmm.find((p) => p.name === 'VMM code and data')!.cycles;
    const parts: Phase[] = [
      { name: 'guest memory reservation (smallest that runs the server)', cycles: min / PAGE },
      ...m.vmm.filter((p) => p.name !== 'VMM code and data'),
    ];
    memory.push({ kind: 'vm', config, parts, pages: pagesOf(parts), guestInUse: m.guest });
    vmPerInstance[config] = { pages: pagesOf(parts), fixed, fixedName: 'VMM code and data' };
  }
  step('the container density search');
  const dense = containerDensity(costs);
  same(containerDensity(costs), dense);

  // Storage (isolation-storage.ts).
  const storage = runStorage(costs, same, step);
  // Resource control (isolation-control.ts): cpu.max and memory.max, in the native kernel.
  step('resource control: cpu.max and memory.max');
  const control = runControl('native', costs, same);
  step('isolation strength: the -D VULN kernel bug exploited from a container');
  const vuln = runVuln(vmms, costs, same);
  options.progress?.(total, total, 'done');

  const curve = dense.curve;
  const firstUp = curve[0];
  const lastUp = curve[curve.length - 1];
  const perContainer = firstUp && lastUp && curve.length > 1 ? (lastUp.pagesInUse - firstUp.pagesInUse) / (curve.length - 1) : firstUp ? firstUp.pagesInUse - dense.idle : 0;
  const perCharged = firstUp && lastUp && curve.length > 1 ? (lastUp.charged - firstUp.charged) / (curve.length - 1) : firstUp ? firstUp.charged : 0;
  memory.unshift({
    kind: 'container',
    config: 'native',
    parts: [
      { name: 'charged to its memory cgroup (user pages, upper layer)', cycles: perCharged },
      { name: 'kernel (kernel stack, page tables, socket and mount state)', cycles: perContainer - perCharged },
    ],
    pages: perContainer,
  });
  const machinePages = NATIVE_MEMORY_BYTES / PAGE;
  const freeAtLast = lastUp ? machinePages - lastUp.pagesInUse : machinePages - dense.idle;
  const density: DensityRow[] = [
    {
      kind: 'container',
      config: 'native',
      instances: dense.count,
      how: 'found',
      limit: dense.reason,
      byMemory: dense.count + (perContainer > 0 ? Math.floor(freeAtLast / perContainer) : 0),
    },
  ];
  for (const config of vmms) {
    const v = vmPerInstance[config]!;
    const fit = Math.max(0, Math.floor((machinePages - v.fixed) / v.pages));
    density.push({
      kind: 'vm',
      config,
      instances: fit,
      how: 'computed',
      limit: `(${machinePages} pages - ${v.fixed} of ${v.fixedName}) / ${v.pages} pages per VM`,
      byMemory: fit,
    });
  }

  const results: IsolationResults = {
    schema: ISOLATION_SCHEMA,
    suite: 'isolation',
    revision: options.revision ?? 'unknown',
    preset: costs,
    machineBytes: NATIVE_MEMORY_BYTES,
    configs: [...configs],
    syscalls,
    startup,
    memory,
    density,
    densityCurve: curve,
    minGuestBytes,
    findings: [],
    deterministic,
    storage,
    control,
    vuln,
  };
  results.findings = isolationFindings(results);
  return results;
}

function tracedTrace(config: string, options: BootOptions, what: string): Trace {
  const t = tracedBoot(config, options);
  checked(t.result, `${what} under ${config}`);
  return t.trace;
}

/** The server (iso-serve 1) as the VM's one process: the guest's pages in use when it is
 *  ready, and the VMM's own pages at that point. */
function serverMemory(config: string, costs: CostModel): { guest: number; vmm: Phase[] } {
  let guest = 0;
  let vmm: Phase[] = [];
  const t = tracedBoot(config, probeBoot('process', 'iso-serve', 1, costs), (m, at) => {
    if (m.what !== MARK.ready) return;
    guest = guestPages(at.machine, at.kernel, at.guest).inUse;
    if (at.vmm) vmm = vmmPages(at.machine, at.vmm, config === 'pv');
  });
  checked(t.result, `iso-serve under ${config}`);
  return { guest, vmm };
}

/** The server (iso-serve 1) in a hosted VM: the host's pages in use when it is ready, less those
 *  it has in use once the VM is gone (at power-off: its kernel and init), split into the guest's
 *  pages (backed as the guest touched them, pinned), the VM's own frames (VMCS, EPT) and the
 *  rest: rlvmm and its I/O process (code, stacks, page tables, kernel stacks, pipes, and pages
 *  of the guest image in rlvmm's heap that the guest has not touched). */
function hostedServerMemory(costs: CostModel): { guest: number; parts: Phase[]; fixed: number } {
  let guest = 0;
  let ready: { inUse: number; backed: number; vmFrames: number } | undefined;
  const t = tracedBoot(HOSTED, probeBoot('process', 'iso-serve', 1, costs), (m, at) => {
    if (m.what !== MARK.ready) return;
    guest = guestPages(at.machine, at.kernel, at.guest).inUse;
    const view = hostKernelView(at.vmm!, at.machine);
    ready = { inUse: hostPages(at.machine, at.vmm!).inUse, backed: view.stats().eptPagesBacked, vmFrames: view.vmFrames() };
  });
  checked(t.result, `iso-serve under ${HOSTED}`);
  if (!ready) throw new BenchError('the server under hosted never said it was ready');
  const fixed = hostPages(t.context.machine, t.context.vmm!).inUse;
  const vm = ready.inUse - fixed;
  const parts: Phase[] = [
    { name: 'guest memory backed (pages the guest touched, pinned)', cycles: ready.backed },
    { name: 'VMCS and EPT tables', cycles: ready.vmFrames },
    { name: 'rlvmm and its I/O process', cycles: vm - ready.backed - ready.vmFrames },
  ];
  if (parts[2]!.cycles < 0) throw new BenchError(`hosted: the VM holds ${vm} host pages, fewer than its guest's ${ready.backed} and its own ${ready.vmFrames}`);
  return { guest, parts, fixed };
}

/** The host kernel's frame pool (identity mapped: its physical addresses are its own). */
function hostPages(machine: Machine, hostKernel: Image): { inUse: number; charged: number } {
  return guestPages(machine, hostKernel, guestPhysical(machine, (a) => a));
}

/** The smallest guest memory, a multiple of GUEST_STEP, with which the VM runs the server to
 *  its ready marker and powers off cleanly: a binary search up to the suite's 16 MiB (which runs
 *  it). Returns bytes. */
function minGuest(config: string, costs: CostModel): number {
  const runs = (bytes: number): boolean => {
    try {
      let ready = false;
      const t = tracedBoot(config, { ...probeBoot('process', 'iso-serve', 1, costs), memoryBytes: bytes, maxCycles: SEARCH_MAX_CYCLES }, (m) => {
        if (m.what === MARK.ready) ready = true;
      });
      return ready && t.result.halted && t.result.exitCode === 0 && t.result.processes.every((p) => p.exitCode === 0);
    } catch {
      return false;
    }
  };
  let lo = 0; // in steps: fails
  let hi = NATIVE_MEMORY_BYTES / GUEST_STEP; // runs
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (runs(mid * GUEST_STEP)) hi = mid;
    else lo = mid;
  }
  return hi * GUEST_STEP;
}

/** iso-dense in the native kernel: containers of the server until the next fails. */
function containerDensity(costs: CostModel): { count: number; reason: string; idle: number; curve: IsolationResults['densityCurve'] } {
  const curve: IsolationResults['densityCurve'] = [];
  let ready = 0;
  let count = -1;
  let idle = 0;
  const t = tracedBoot('native', probeBoot('process', 'iso-dense', 1, costs), (m, at) => {
    if (m.what === MARK.start) idle = guestPages(at.machine, at.kernel, at.guest).inUse;
    if (m.what === MARK.ready) ready++;
    if (m.what === MARK.up) {
      if (ready !== m.count) throw new BenchError(`density: container ${m.count} started but ${ready} servers are ready`);
      const p = guestPages(at.machine, at.kernel, at.guest);
      curve.push({ instance: m.count, pagesInUse: p.inUse, charged: p.charged });
    }
    if (m.what === MARK.dense) count = m.count;
  });
  checked(t.result, 'iso-dense under native', (text) => /iso-dense: started=\d+\n$/.test(text));
  if (count < 0) throw new BenchError('density: iso-dense never said how many containers started');
  const out = t.result.processes[0]!.output;
  const reason = out.split('\n').find((l) => l.startsWith('crun: '))?.trim() ?? 'the next container failed to start';
  return { count, reason, idle, curve };
}
