// The system calls of the guest kernel (programs/kernel/): one entry per call. Everything else is
// derived from this table by `npm run gen`:
//   programs/lib/abi.inc   SYS_<NAME> numbers, NSYSCALLS and the kernel's dispatch table
//                          (`syscall_handlers`: .word sys_<name>, ... in number order)
//   programs/lib/usys.s    the user library's wrappers: `<name>: li t0, SYS_<NAME>; syscall; ret`
//   docs/kernel.md         the table of system calls and error numbers
// So adding a system call is one entry here plus its handler `sys_<name>` in
// programs/kernel/syscall.s (docs/extending.md, "Adding a system call").
//
// The calling convention: the number in t0, arguments in a0..a3, `syscall`; the result comes
// back in a0 and every other register is preserved.

import type { ErrnoName } from './errno.js';

export interface SyscallArg {
  readonly name: string;
  readonly doc: string;
}

export interface SyscallError {
  readonly errno: ErrnoName;
  /** When the call fails with this error. */
  readonly when: string;
}

export interface Syscall {
  /** Its number in t0: the calls are numbered 0, 1, 2, ... in table order (a test checks). */
  readonly number: number;
  /** Lower case; the handler is `sys_<name>`, the number `SYS_<NAME>`, the wrapper `<name>`. */
  readonly name: string;
  /** In a0, a1, a2, a3 (at most four). */
  readonly args: readonly SyscallArg[];
  /** What a0 holds when the call succeeds, or `null` for a call that does not return. */
  readonly returns: string | null;
  /** How it reports an error: 'minus-one' returns -1 whatever the error (every call of today's
   *  kernel); 'errno' returns -errno, as Linux does. The `errors` say which errors there are. */
  readonly onError: 'minus-one' | 'errno';
  readonly errors: readonly SyscallError[];
  /** One line: what the call does. */
  readonly doc: string;
}

const arg = (name: string, doc: string): SyscallArg => ({ name, doc });

export const SYSCALLS: readonly Syscall[] = [
  {
    number: 0,
    name: 'exit',
    args: [arg('code', 'exit code, reported to the host with the process')],
    returns: null,
    onError: 'minus-one',
    errors: [],
    doc: 'end the calling process, keeping its exit code',
  },
  {
    number: 1,
    name: 'write',
    args: [arg('fd', 'file descriptor: 1 or 2, both the console'), arg('buf', 'user address of the bytes'), arg('len', 'how many bytes')],
    returns: 'the number of bytes written: `len`, or fewer when the buffer runs into memory the process may not read after its first byte (those before it are written)',
    onError: 'minus-one',
    errors: [
      { errno: 'EBADF', when: '`fd` is not 1 or 2' },
      { errno: 'EINVAL', when: '`len` is negative' },
      { errno: 'EFAULT', when: 'the first byte is not memory the process may read, or the buffer wraps past 2^32 (nothing is written)' },
    ],
    doc: 'copy `len` bytes from `buf` to the console',
  },
  {
    number: 2,
    name: 'yield',
    args: [],
    returns: '0, after the other ready processes had their turn',
    onError: 'minus-one',
    errors: [],
    doc: 'give up the processor',
  },
  {
    number: 3,
    name: 'getpid',
    args: [],
    returns: 'the pid (1, 2, ... in boot-argument order)',
    onError: 'minus-one',
    errors: [],
    doc: 'the calling process\'s pid',
  },
  {
    number: 4,
    name: 'map',
    args: [arg('va', 'page-aligned heap address')],
    returns: '0',
    onError: 'minus-one',
    errors: [
      { errno: 'EINVAL', when: '`va` is not page aligned or not in the heap' },
      { errno: 'EEXIST', when: 'a page is mapped at `va` already' },
      { errno: 'ENOMEM', when: 'no free frame is left' },
    ],
    doc: 'map a fresh zero page at `va`',
  },
  {
    number: 5,
    name: 'unmap',
    args: [arg('va', 'page-aligned heap or stack address')],
    returns: '0',
    onError: 'minus-one',
    errors: [{ errno: 'EINVAL', when: '`va` is not page aligned, not in the heap or stack, or not mapped' }],
    doc: 'unmap the page at `va`, flush its TLB entry and free its frame',
  },
  {
    number: 6,
    name: 'sleep',
    args: [arg('ticks', 'timer ticks')],
    returns: '0, after at least `ticks` timer ticks',
    onError: 'minus-one',
    errors: [],
    doc: 'sleep for `ticks` timer ticks',
  },
  {
    number: 7,
    name: 'divzero',
    args: [arg('flag', '1: survive a divide by zero; 0: be killed by it (the default)')],
    returns: '0',
    onError: 'minus-one',
    errors: [],
    doc: 'what a divide by zero does to the caller: flag 1, its result is 0 and the process goes on; 0 (the default), the process is killed',
  },
  {
    number: 8,
    name: 'nano_in',
    args: [arg('n', 'iterations')],
    returns: 'the sum of the values read (0)',
    onError: 'minus-one',
    errors: [],
    doc: 'nanobenchmark: `n` x `in` from the null port (0x40) in a kernel loop',
  },
  {
    number: 9,
    name: 'nano_csrw',
    args: [arg('n', 'iterations')],
    returns: '0',
    onError: 'minus-one',
    errors: [],
    doc: 'nanobenchmark: `n` x `csrw IMASK` with the value it already holds, in a kernel loop',
  },
  {
    number: 10,
    name: 'nano_ptemod',
    args: [arg('n', 'iterations')],
    returns: '0',
    onError: 'minus-one',
    errors: [{ errno: 'ENOMEM', when: 'heap page `0x50000000` is not mapped and no free frame is left' }],
    doc: 'nanobenchmark: `n` x (flip the writable bit of heap page `0x50000000`\'s PTE, `tlbflush`) in a kernel loop',
  },
  {
    number: 11,
    name: 'uptime',
    args: [],
    returns: 'timer ticks since boot',
    onError: 'minus-one',
    errors: [],
    doc: 'how long the system has been up, in timer ticks',
  },
];

/** What the kernel returns for a number with no entry: -1 (ENOSYS). */
export const UNKNOWN_SYSCALL_ERROR: ErrnoName = 'ENOSYS';
