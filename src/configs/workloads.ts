// The workload registry: what `ringlab boot --workload NAME` runs. A workload is one or more
// user programs (programs/user/NAME.s), each started as its own process, plus the iteration
// count used when --iterations is not given. To add one: write programs/user/NAME.s (see
// docs/kernel.md, "Adding a workload") and add an entry here.

/** A file a workload needs on the root disk, installed by the boot next to its programs. */
export interface DiskFile {
  /** Absolute path; its directories are made as needed. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface Workload {
  readonly name: string;
  /** One line for `ringlab boot --list`. */
  readonly description: string;
  /** User programs (file names in programs/user without .s), one process each. */
  readonly programs: readonly string[];
  readonly defaultIterations: number;
  /** 'demo' workloads show one behaviour of the kernel, most by misbehaving on purpose (the
   *  kernel kills them); the benchmarks leave them out. */
  readonly kind: 'workload' | 'nano' | 'demo';
  /** Files it reads, installed on the root disk (made once, then shared). */
  readonly files?: () => readonly DiskFile[];
  /** The cost presets a suite runs it under when it is not named with --workload (default:
   *  all). The storage workloads run under `default` only: under `vtx-2006` a disk request
   *  takes 36 million cycles, so a run is nearly all waiting and takes seconds of host time. */
  readonly suitePresets?: readonly string[];
}

const w = (name: string, kind: Workload['kind'], defaultIterations: number, description: string, programs: readonly string[] = [name], files?: () => readonly DiskFile[]): Workload => ({
  name,
  kind,
  defaultIterations,
  description,
  programs,
  ...(files && { files }),
});

/** A storage workload: suites run it under the `default` preset unless asked for (see suitePresets). */
const storage = (workload: Workload): Workload => ({ ...workload, suitePresets: ['default'] });

/** diskread's data: 256 blocks (1 MiB), every word of block b holding b. */
let diskreadData: readonly DiskFile[] | undefined;
function diskreadFiles(): readonly DiskFile[] {
  if (!diskreadData) {
    const bytes = new Uint8Array(256 * 4096);
    const view = new DataView(bytes.buffer);
    for (let at = 0; at < bytes.length; at += 4) view.setUint32(at, at >>> 12, true);
    diskreadData = [{ path: '/var/diskread.dat', bytes }];
  }
  return diskreadData;
}

export const WORKLOADS: readonly Workload[] = [
  w('compute', 'workload', 20, 'integer work: N rounds of a sieve of Eratosthenes over 1000 numbers'),
  w('syscall', 'workload', 1000, 'system-call bound: N x (getpid, zero-length write, divzero(0))'),
  w('io', 'workload', 20, 'console bound: N writes of a 32-byte line'),
  w('pagefault', 'workload', 64, 'page-fault bound: touches N fresh demand-zero heap pages'),
  w('ctxswitch', 'workload', 200, 'context-switch bound: two processes yield to each other N times', ['ctxswitch', 'ctxswitch']),
  w('ptemod', 'workload', 100, 'page-table bound: N x (map a heap page, use it, unmap it)'),
  w('sleep', 'workload', 5, 'sleeps N times for one timer tick (the kernel idles with wfi)'),
  storage(w('fileio', 'workload', 2, 'file bound: N x (create, write 8 KiB, read it back, delete) through the buffer cache and the disk')),
  storage(w('fsmeta', 'workload', 2, 'metadata bound: N x (mkdir, create, stat, rename, unlink, rmdir)')),
  storage(w('diskread', 'workload', 8, 'disk bound: N random 4 KiB reads with O_DIRECT from a 1 MiB file (every read a disk request)', ['diskread'], diskreadFiles)),
  w('forkwait', 'workload', 40, 'process creation: N x (fork, the child exits, wait) (Adams and Agesen\'s forkwait)'),
  w('pipe', 'workload', 16, 'pipe bound: a producer writes N KiB into a pipe in 256-byte writes, a consumer reads it'),
  w('spawn', 'workload', 10, 'program start: N x (fork, the child execs /bin/true, wait)'),
  w('nano-syscall', 'nano', 1000, 'nanobenchmark: N null system calls (getpid)'),
  w('nano-in', 'nano', 1000, 'nanobenchmark: one syscall, then N `in` from the null port in a kernel loop'),
  w('nano-csrw', 'nano', 1000, 'nanobenchmark: one syscall, then N control-register writes (IMASK) in a kernel loop'),
  w('nano-callret', 'nano', 1000, 'nanobenchmark: N call/ret pairs in user code'),
  w('nano-pgfault', 'nano', 100, 'nanobenchmark: N demand-zero page faults on fresh heap pages'),
  w('nano-divzero', 'nano', 1000, 'nanobenchmark: N divides by zero that the kernel handles and resumes after'),
  w('nano-ptemod', 'nano', 1000, 'nanobenchmark: one syscall, then N PTE changes + tlbflush in a kernel loop'),
  w('badmem', 'demo', 1, 'misbehaves: reads kernel memory from ring 3 (the kernel kills it)'),
  w('badpriv', 'demo', 1, 'misbehaves: executes a privileged instruction (the kernel kills it)'),
  w('baddiv', 'demo', 1, 'misbehaves: divides by zero without asking to survive it (killed)'),
  w('vmmread', 'demo', 1, 'misbehaves: reads the top 4 MiB, where a VMM lives (killed; the VMM is untouched)'),
  w('vmmwrite', 'demo', 1, 'misbehaves: writes the top 4 MiB, where a VMM lives (killed; the VMM is untouched)'),
  w('jumpvec', 'demo', 0x10000, 'misbehaves: jumps to the address given as its iteration count, by default into the kernel (killed)'),
  w('vmmmap', 'demo', 1, 'asks the kernel to map and unmap pages in the top 4 MiB (refused), then reads there (killed)'),
  w('badwrite', 'demo', 1, 'write() with bad buffers: refused (-1) or a short write, as Linux does'),
  w('uptime', 'demo', 2, 'the uptime() system call (docs/extending.md): it grows by at least N across sleep(N)'),
];

export function findWorkload(name: string): Workload | undefined {
  return WORKLOADS.find((x) => x.name === name);
}

export function workloadNames(): string[] {
  return WORKLOADS.map((x) => x.name);
}
