// Error numbers of the system-call ABI, numbered as Linux numbers them (asm-generic/errno-base.h
// and errno.h), so that a student's knowledge of errno carries over and a later call can report
// exactly what Linux would. `npm run gen` writes them into programs/lib/abi.inc (`.equ EFAULT, 14`)
// and docs/kernel.md.
//
// How a call reports an error is said per call in syscalls.ts (`onError`): the calls of today's
// kernel return -1 whatever went wrong; a call marked 'errno' returns -errno, as the Linux system
// call interface does (the C library's wrapper then sets errno and returns -1).

export interface Errno {
  readonly name: string;
  readonly value: number;
  /** One line, as strerror() would put it, plus what it means for this kernel where that helps. */
  readonly doc: string;
}

export const ERRNO = [
  { name: 'EPERM', value: 1, doc: 'operation not permitted' },
  { name: 'ENOENT', value: 2, doc: 'no such file or directory' },
  { name: 'ESRCH', value: 3, doc: 'no such process' },
  { name: 'EINTR', value: 4, doc: 'interrupted system call' },
  { name: 'EIO', value: 5, doc: 'input/output error' },
  { name: 'ENXIO', value: 6, doc: 'no such device or address' },
  { name: 'E2BIG', value: 7, doc: 'argument list too long' },
  { name: 'ENOEXEC', value: 8, doc: 'exec format error' },
  { name: 'EBADF', value: 9, doc: 'bad file descriptor' },
  { name: 'ECHILD', value: 10, doc: 'no child processes' },
  { name: 'EAGAIN', value: 11, doc: 'resource temporarily unavailable' },
  { name: 'ENOMEM', value: 12, doc: 'out of memory' },
  { name: 'EACCES', value: 13, doc: 'permission denied' },
  { name: 'EFAULT', value: 14, doc: 'bad address: a pointer argument is not user memory the process may use' },
  { name: 'EBUSY', value: 16, doc: 'device or resource busy' },
  { name: 'EEXIST', value: 17, doc: 'file exists' },
  { name: 'EXDEV', value: 18, doc: 'invalid cross-device link' },
  { name: 'ENODEV', value: 19, doc: 'no such device' },
  { name: 'ENOTDIR', value: 20, doc: 'not a directory' },
  { name: 'EISDIR', value: 21, doc: 'is a directory' },
  { name: 'EINVAL', value: 22, doc: 'invalid argument' },
  { name: 'ENFILE', value: 23, doc: 'too many open files in the system' },
  { name: 'EMFILE', value: 24, doc: 'too many open files in the process' },
  { name: 'ENOTTY', value: 25, doc: 'inappropriate ioctl for device' },
  { name: 'EFBIG', value: 27, doc: 'file too large' },
  { name: 'ENOSPC', value: 28, doc: 'no space left on device' },
  { name: 'ESPIPE', value: 29, doc: 'illegal seek' },
  { name: 'EROFS', value: 30, doc: 'read-only file system' },
  { name: 'EMLINK', value: 31, doc: 'too many links' },
  { name: 'EPIPE', value: 32, doc: 'broken pipe' },
  { name: 'ERANGE', value: 34, doc: 'result too large' },
  { name: 'ENAMETOOLONG', value: 36, doc: 'file name too long' },
  { name: 'ENOSYS', value: 38, doc: 'function not implemented: no system call has this number' },
  { name: 'ENOTEMPTY', value: 39, doc: 'directory not empty' },
  { name: 'ELOOP', value: 40, doc: 'too many levels of symbolic links' },
  { name: 'ENOTSOCK', value: 88, doc: 'socket operation on non-socket: the descriptor is not a socket' },
  { name: 'EPROTONOSUPPORT', value: 93, doc: 'protocol not supported (socket: a protocol other than 0 or IPPROTO_TCP)' },
  { name: 'ESOCKTNOSUPPORT', value: 94, doc: 'socket type not supported (socket: a type other than SOCK_STREAM)' },
  { name: 'EAFNOSUPPORT', value: 97, doc: 'address family not supported by protocol (socket: a domain other than AF_INET)' },
  { name: 'EADDRINUSE', value: 98, doc: 'address already in use: a socket of the network namespace has that port' },
  { name: 'EADDRNOTAVAIL', value: 99, doc: 'cannot assign requested address: no interface of the namespace has it' },
  { name: 'ENETUNREACH', value: 101, doc: 'network is unreachable: no interface of the namespace reaches the address' },
  { name: 'ENOBUFS', value: 105, doc: 'no buffer space available: the kernel\'s socket table or frames ran out' },
  { name: 'EISCONN', value: 106, doc: 'transport endpoint is already connected' },
  { name: 'ENOTCONN', value: 107, doc: 'transport endpoint is not connected' },
  { name: 'ECONNREFUSED', value: 111, doc: 'connection refused: nobody listens on that address and port' },
] as const satisfies readonly Errno[];

export type ErrnoName = (typeof ERRNO)[number]['name'];

/** The value of an error number by name. */
export function errno(name: ErrnoName): number {
  return ERRNO.find((e) => e.name === name)!.value;
}
