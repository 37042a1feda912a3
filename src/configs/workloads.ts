// The workload registry: what `ringlab boot --workload NAME` runs. A workload is one or more
// user programs (programs/user/NAME.s), each started as its own process, plus the iteration
// count used when --iterations is not given. To add one: write programs/user/NAME.s (see
// docs/kernel.md, "Adding a workload") and add an entry here.

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
}

const w = (name: string, kind: Workload['kind'], defaultIterations: number, description: string, programs: readonly string[] = [name]): Workload => ({
  name,
  kind,
  defaultIterations,
  description,
  programs,
});

export const WORKLOADS: readonly Workload[] = [
  w('compute', 'workload', 20, 'integer work: N rounds of a sieve of Eratosthenes over 1000 numbers'),
  w('syscall', 'workload', 1000, 'system-call bound: N x (getpid, zero-length write, divzero(0))'),
  w('io', 'workload', 20, 'console bound: N writes of a 32-byte line'),
  w('pagefault', 'workload', 64, 'page-fault bound: touches N fresh demand-zero heap pages'),
  w('ctxswitch', 'workload', 200, 'context-switch bound: two processes yield to each other N times', ['ctxswitch', 'ctxswitch']),
  w('ptemod', 'workload', 100, 'page-table bound: N x (map a heap page, use it, unmap it)'),
  w('sleep', 'workload', 5, 'sleeps N times for one timer tick (the kernel idles with wfi)'),
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
