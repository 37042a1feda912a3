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
  /** What a0 holds when the call succeeds, or `null` for a call that does not return when it
   *  succeeds (exit; exec and poweroff return only with an error). */
  readonly returns: string | null;
  /** How it reports an error: 'minus-one' returns -1 whatever the error (every call of today's
   *  kernel); 'errno' returns -errno, as Linux does. The `errors` say which errors there are. */
  readonly onError: 'minus-one' | 'errno';
  readonly errors: readonly SyscallError[];
  /** One line: what the call does. */
  readonly doc: string;
  /** A call only a kernel built with this option has (`.ifdef` in abi.inc's dispatch table and
   *  NSYSCALLS, so the default kernel's bytes do not change); it has no wrapper in usys.s (the
   *  programs that use it define their own), and the other kernels answer it with ENOSYS. Such
   *  calls come last in the table, one option after another in BUILD_OPTIONS order (a kernel
   *  with a later option but not an earlier one has ENOSYS in the earlier one's numbers). */
  readonly build?: BuildOption;
}

/** The kernel build options that add system calls, in the order their calls are numbered. */
export const BUILD_OPTIONS = ['HOST', 'VULN'] as const;
export type BuildOption = (typeof BUILD_OPTIONS)[number];

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
    args: [arg('fd', 'file descriptor open for writing (0, 1 and 2 are the console)'), arg('buf', 'user address of the bytes'), arg('len', 'how many bytes')],
    returns: 'the number of bytes written: `len`, or fewer when the buffer runs into memory the process may not read after its first byte (those before it are written)',
    onError: 'errno',
    errors: [
      { errno: 'EBADF', when: '`fd` is not an open file descriptor, or not open for writing' },
      { errno: 'EISDIR', when: '`fd` is a directory' },
      { errno: 'EINVAL', when: '`len` is negative' },
      { errno: 'EFAULT', when: 'the first byte is not memory the process may read, or the buffer wraps past 2^32 (nothing is written)' },
      { errno: 'EFBIG', when: 'the write would take the file past the largest file (MAXFILE bytes)' },
      { errno: 'ENOSPC', when: 'the disk has too few free blocks for all of it (nothing is written)' },
      { errno: 'EIO', when: 'the disk failed or the file\'s blocks are damaged' },
      { errno: 'EPIPE', when: '`fd` is a pipe whose read ends are all closed (the writer also gets SIGPIPE); bytes written before that are counted instead' },
      { errno: 'EINTR', when: 'a signal came while it waited for room in a pipe, before any byte (bytes written before are counted instead)' },
    ],
    doc: 'write `len` bytes from `buf` to a file, a pipe (sleeping while it is full) or the console, at the file offset (at the end with O_APPEND)',
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
    returns: 'the pid in the caller\'s pid namespace (1 is init; the boot\'s processes follow in boot-argument order, then every fork takes the next; in a namespace made by unshare(CLONE_NEWPID) its first process is 1, then every fork into it takes the next)',
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
  ...fileCalls(12),
  ...processCalls(27),
  ...namespaceCalls(36),
  ...networkCalls(42),
  ...mountCalls(53),
  ...cgroupCalls(58),
  ...hostedCalls(62),
  ...vulnCalls(68),
];

// ---- Files (programs/kernel/sysfile.s; docs/fs.md) -------------------------------------------

/** The file system calls, numbered from `first` in this order. */
function fileCalls(first: number): Syscall[] {
  const EFAULT_PATH: SyscallError = { errno: 'EFAULT', when: 'a path is not readable user memory' };
  const ENAMETOOLONG: SyscallError = { errno: 'ENAMETOOLONG', when: 'a path is PATH_MAX bytes or longer, or a component is longer than NAME_MAX' };
  const ENOENT: SyscallError = { errno: 'ENOENT', when: 'a component of the path does not exist, or a new name would go in a directory that was removed (still some process\'s current or root directory)' };
  const ENOTDIR_PATH: SyscallError = { errno: 'ENOTDIR', when: 'a component used as a directory is not one' };
  const ENODEV: SyscallError = { errno: 'ENODEV', when: 'no filesystem is mounted (no disk, or its superblock is bad)' };
  const EIO: SyscallError = { errno: 'EIO', when: 'the disk failed, or the filesystem is damaged where the call looked' };
  const EBADF: SyscallError = { errno: 'EBADF', when: '`fd` is not an open file descriptor' };
  const pathErrors = [EFAULT_PATH, ENAMETOOLONG, ENOENT, ENOTDIR_PATH, ENODEV, EIO];
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'open',
      args: [arg('path', 'zero-terminated path, absolute or relative to the current directory'), arg('flags', 'O_RDONLY, O_WRONLY or O_RDWR, or-ed with O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECT')],
      returns: 'the lowest free file descriptor',
      errors: [
        ...pathErrors,
        { errno: 'EINVAL', when: 'the access mode is 3, or `flags` has a bit ringlab does not define' },
        { errno: 'EEXIST', when: 'O_CREAT and O_EXCL, and the name exists' },
        { errno: 'EISDIR', when: 'the path is a directory and `flags` asks to write (or to create it)' },
        { errno: 'EMFILE', when: 'the process has NOFILE descriptors open' },
        { errno: 'ENFILE', when: 'the kernel\'s file table is full' },
        { errno: 'ENOSPC', when: 'O_CREAT needs a new inode or directory block and none is free' },
        { errno: 'EROFS', when: 'the filesystem is read-only and `flags` asks to write, truncate or create' },
      ],
      doc: 'open (with O_CREAT: create if missing) a file or directory',
    },
    { name: 'close', args: [arg('fd', 'file descriptor')], returns: '0', errors: [EBADF], doc: 'close a file descriptor' },
    {
      name: 'read',
      args: [arg('fd', 'file descriptor open for reading'), arg('buf', 'user address to read into'), arg('len', 'most bytes to read')],
      returns: 'bytes read: 0 at the end of the file (or of the console input, or of a pipe whose write ends are all closed); from the console, at most one line; from a pipe, what it holds (at most `len`)',
      errors: [
        { errno: 'EBADF', when: '`fd` is not open for reading' },
        { errno: 'EISDIR', when: '`fd` is a directory (use getdents)' },
        { errno: 'EINVAL', when: '`len` is negative' },
        { errno: 'EFAULT', when: 'the buffer is not memory the process may write (nothing was read into it)' },
        { errno: 'EINTR', when: 'a signal came while it waited for the console or a pipe, before any byte' },
        EIO,
      ],
      doc: 'read up to `len` bytes from a file at its offset, from a pipe, or from the console (waiting for input)',
    },
    {
      name: 'lseek',
      args: [arg('fd', 'file descriptor'), arg('offset', 'signed byte offset'), arg('whence', 'SEEK_SET, SEEK_CUR or SEEK_END')],
      returns: 'the new offset',
      errors: [EBADF, { errno: 'ESPIPE', when: '`fd` is the console or a pipe' }, { errno: 'EINVAL', when: '`whence` is unknown or the offset would be negative' }],
      doc: 'move a file\'s offset (past the end is allowed: a later write fills the gap with zeros)',
    },
    {
      name: 'stat',
      args: [arg('path', 'path'), arg('st', 'user address of a ST_SIZEOF-byte struct stat')],
      returns: '0',
      errors: [{ errno: 'EFAULT', when: '`path` is not readable or `st` not writable user memory' }, ...pathErrors.filter((e) => e !== EFAULT_PATH)],
      doc: 'type, size, link count and inode number of the file at `path`',
    },
    { name: 'fstat', args: [arg('fd', 'file descriptor'), arg('st', 'user address of a struct stat')], returns: '0', errors: [EBADF, { errno: 'EFAULT', when: '`st` is not writable user memory' }], doc: 'stat of an open file (the console: type T_DEV; a pipe: T_FIFO)' },
    {
      name: 'mkdir',
      args: [arg('path', 'path of the new directory')],
      returns: '0',
      errors: [...pathErrors, { errno: 'EEXIST', when: 'the name exists' }, { errno: 'ENOSPC', when: 'no free inode, or too few free blocks' }, { errno: 'EROFS', when: 'the filesystem is read-only' }],
      doc: 'make a directory (with `.` and `..`)',
    },
    {
      name: 'rmdir',
      args: [arg('path', 'path of an empty directory')],
      returns: '0',
      errors: [...pathErrors.filter((e) => e !== ENOTDIR_PATH), { errno: 'ENOTDIR', when: 'a component, or the path itself, is not a directory' }, { errno: 'ENOTEMPTY', when: 'the directory has entries other than `.` and `..`' }, { errno: 'EINVAL', when: 'the last component is `.` or `..`' }, { errno: 'EBUSY', when: 'the path is the root' }, { errno: 'EROFS', when: 'the filesystem is read-only' }],
      doc: 'remove an empty directory',
    },
    {
      name: 'unlink',
      args: [arg('path', 'path of a file')],
      returns: '0',
      errors: [...pathErrors, { errno: 'EISDIR', when: 'the path is a directory' }, { errno: 'EROFS', when: 'the filesystem is read-only' }],
      doc: 'remove a directory entry; the file goes when no entry and no open descriptor is left',
    },
    {
      name: 'rename',
      args: [arg('from', 'existing path'), arg('to', 'new path')],
      returns: '0',
      errors: [
        ...pathErrors,
        { errno: 'EINVAL', when: 'a directory would move into itself, or a last component is `.` or `..`' },
        { errno: 'EISDIR', when: '`to` is a directory and `from` is not' },
        { errno: 'ENOTEMPTY', when: '`to` is a directory that is not empty' },
        { errno: 'EBUSY', when: 'either path is the root' },
        { errno: 'ENOSPC', when: 'the target directory cannot grow' },
        { errno: 'EROFS', when: 'the filesystem is read-only' },
      ],
      doc: 'move or rename; an existing `to` of the same kind is replaced (a directory only if empty)',
    },
    {
      name: 'getdents',
      args: [arg('fd', 'a directory open for reading'), arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes of whole directory entries (DE_SIZEOF each, the on-disk format) put in `buf`; 0 at the end',
      errors: [EBADF, { errno: 'ENOTDIR', when: '`fd` is not a directory' }, { errno: 'EINVAL', when: '`len` is smaller than one entry, or lseek left the offset inside an entry' }, { errno: 'EFAULT', when: '`buf` is not writable user memory' }, EIO],
      doc: 'read the next entries of a directory, `.` and `..` included',
    },
    { name: 'chdir', args: [arg('path', 'path of a directory')], returns: '0', errors: [...pathErrors.filter((e) => e !== ENOTDIR_PATH), { errno: 'ENOTDIR', when: 'a component, or the path itself, is not a directory' }], doc: 'change the current directory' },
    {
      name: 'getcwd',
      args: [arg('buf', 'user buffer'), arg('size', 'its size in bytes')],
      returns: 'the length of the path put in `buf`, with its zero byte',
      errors: [{ errno: 'ERANGE', when: '`size` is too small for the path and its zero byte' }, { errno: 'EFAULT', when: '`buf` is not writable user memory' }, ENODEV, EIO],
      doc: 'the absolute path of the current directory',
    },
    { name: 'dup', args: [arg('fd', 'file descriptor')], returns: 'the lowest free descriptor, now naming the same open file', errors: [EBADF, { errno: 'EMFILE', when: 'no descriptor is free' }], doc: 'duplicate a file descriptor' },
    {
      name: 'dup2',
      args: [arg('fd', 'file descriptor'), arg('newfd', 'descriptor to use (closed first if open)')],
      returns: '`newfd`',
      errors: [{ errno: 'EBADF', when: '`fd` is not open, or `newfd` is not 0..NOFILE-1' }],
      doc: 'make `newfd` name the same open file as `fd`',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// ---- Processes, signals and pipes (programs/kernel/proc.s, signal.s, pipe.s; docs/kernel.md) ----

/** The process calls, numbered from `first` in this order. */
function processCalls(first: number): Syscall[] {
  const EFAULT_PATH: SyscallError = { errno: 'EFAULT', when: 'the path, `argv` or one of its strings is not readable user memory' };
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'fork',
      args: [],
      returns: 'the child\'s pid in the parent (in the parent\'s pid namespace), 0 in the child',
      errors: [
        { errno: 'EAGAIN', when: 'the process table is full (NPROC processes, zombies included)' },
        { errno: 'ENOMEM', when: 'no frame is left for the child\'s page tables or kernel stack, or the pid namespace the child would be born in has lost its init (unshare(CLONE_NEWPID))' },
      ],
      doc: 'a new process, a copy of the caller: the same memory (shared copy-on-write), registers, open files, current and root directories and namespaces (after unshare(CLONE_NEWPID), it is born in the new pid namespace)',
    },
    {
      name: 'exec',
      args: [arg('path', 'zero-terminated path of an executable'), arg('argv', 'user address of a zero-terminated array of string pointers (0: no arguments)')],
      returns: null,
      errors: [
        EFAULT_PATH,
        { errno: 'ENAMETOOLONG', when: 'the path is PATH_MAX bytes or longer, or a component is longer than NAME_MAX' },
        { errno: 'ENOENT', when: 'the file does not exist' },
        { errno: 'ENOTDIR', when: 'a component used as a directory is not one' },
        { errno: 'EACCES', when: 'the path is not a regular file (a directory, the console)' },
        { errno: 'ENOEXEC', when: 'the file is not a valid executable (docs/fs.md, "Executables")' },
        { errno: 'E2BIG', when: 'more than MAXARG arguments, or their strings take more than ARG_MAX bytes' },
        { errno: 'ENOMEM', when: 'no frame is left for the new image' },
        { errno: 'EIO', when: 'the disk failed while reading the executable' },
        { errno: 'ENODEV', when: 'no filesystem is mounted' },
      ],
      doc: 'replace the caller\'s program with the executable at `path`; it starts at its entry with a0 = argc, a1 = argv on the new stack; open files, current directory, pid and ignored signals are kept',
    },
    {
      name: 'wait',
      args: [arg('pid', 'the child to wait for, or -1 for any child'), arg('status', 'user address for the status word (0: not wanted)'), arg('options', '0, or WNOHANG: return 0 at once when no child has ended')],
      returns: 'the pid of a child that ended (now reaped), or 0 with WNOHANG when none has yet; pids are those of the caller\'s pid namespace',
      errors: [
        { errno: 'ECHILD', when: 'the caller has no child (or none with that pid)' },
        { errno: 'EFAULT', when: '`status` is not writable user memory (the child stays a zombie)' },
        { errno: 'EINVAL', when: '`options` has a bit other than WNOHANG' },
      ],
      doc: 'waitpid: sleep until a child ends; its status word is (code << 8) after exit(code), or the signal number when a signal ended it',
    },
    { name: 'getppid', args: [], returns: 'the parent\'s pid in the caller\'s pid namespace (1, the namespace\'s init, once the parent has ended; 0 for init and for the init of a pid namespace, whose parent is outside it)', errors: [], doc: 'the calling process\'s parent' },
    {
      name: 'kill',
      args: [arg('pid', 'the process to signal'), arg('sig', 'SIGINT, SIGKILL, SIGTERM, SIGPIPE, SIGCHLD, or 0: only check that the process exists')],
      returns: '0',
      errors: [
        { errno: 'ESRCH', when: 'no process (or only a zombie) has that pid in the caller\'s pid namespace' },
        { errno: 'EINVAL', when: '`sig` is not a signal ringlab has' },
        { errno: 'EPERM', when: '`pid` is 1: init, or the init of the caller\'s pid namespace, takes no signals from inside it (from a namespace above, it has another pid and can be killed, and its namespace dies with it)' },
      ],
      doc: 'send a signal; its default action (terminate, or nothing for SIGCHLD) happens unless the process ignores it',
    },
    {
      name: 'signal',
      args: [arg('sig', 'a signal other than SIGKILL'), arg('action', 'SIG_DFL or SIG_IGN')],
      returns: 'the previous action',
      errors: [{ errno: 'EINVAL', when: '`sig` is not a signal ringlab has, is SIGKILL, or `action` is neither SIG_DFL nor SIG_IGN' }],
      doc: 'choose what a signal does to the caller: its default action or nothing (ringlab has no handlers)',
    },
    {
      name: 'pipe',
      args: [arg('fds', 'user address of two words')],
      returns: '0, with fds[0] the read end and fds[1] the write end',
      errors: [
        { errno: 'EFAULT', when: '`fds` is not writable user memory' },
        { errno: 'EMFILE', when: 'the process has fewer than two free descriptors' },
        { errno: 'ENFILE', when: 'the kernel\'s file table is full' },
        { errno: 'ENOMEM', when: 'no frame is left for the pipe\'s buffer' },
      ],
      doc: 'a pipe: PIPE_SIZE bytes in the kernel; read sleeps while it is empty (0 once every write end is closed), write sleeps while it is full (EPIPE and SIGPIPE once every read end is closed)',
    },
    {
      name: 'poweroff',
      args: [],
      returns: null,
      errors: [{ errno: 'EPERM', when: 'the caller is not init (pid 1)' }],
      doc: 'init only: print the kernel\'s summary and power the machine off (code 0, or 4 when the kernel killed a process)',
    },
    {
      name: 'procs',
      args: [arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes put in `buf`: one PROC_INFO entry (PI_SIZEOF bytes) per process in use in the caller\'s pid namespace or below it, in pid order, with the pids (and parents\' pids, 0 when outside) as the caller sees them, as many as fit',
      errors: [{ errno: 'EFAULT', when: '`buf` is not writable user memory' }],
      doc: 'a snapshot of the process table (for ps): pid, parent, state, name',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// ---- Containers: the root directory and namespaces (programs/kernel/ns.s; docs/containers.md) ----

/** The container calls, numbered from `first` in this order. */
function namespaceCalls(first: number): Syscall[] {
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'chroot',
      args: [arg('path', 'path of a directory, resolved as any path (so relative to the current directory, or to the current root)')],
      returns: '0',
      errors: [
        { errno: 'EFAULT', when: 'the path is not readable user memory' },
        { errno: 'ENAMETOOLONG', when: 'the path is PATH_MAX bytes or longer, or a component is longer than NAME_MAX' },
        { errno: 'ENOENT', when: 'a component of the path does not exist' },
        { errno: 'ENOTDIR', when: 'a component, or the path itself, is not a directory' },
        { errno: 'ENODEV', when: 'no filesystem is mounted' },
        { errno: 'EIO', when: 'the disk failed, or the filesystem is damaged where the call looked' },
      ],
      doc: 'chroot(2): make the directory the root of the caller\'s absolute paths and the place where `..` stops; the current directory does not change (so the process may be outside its root), and children inherit the root; no EPERM (ringlab has no users)',
    },
    {
      name: 'sethostname',
      args: [arg('name', 'user address of the bytes (no zero byte needed)'), arg('len', 'how many bytes, 0..HOST_NAME_MAX')],
      returns: '0',
      errors: [
        { errno: 'EINVAL', when: '`len` is negative or more than HOST_NAME_MAX' },
        { errno: 'EFAULT', when: '`name` .. `name + len` is not readable user memory (the name does not change)' },
      ],
      doc: 'set the hostname of the caller\'s UTS namespace (every process in it sees the change)',
    },
    {
      name: 'gethostname',
      args: [arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: '0, with the hostname and its zero byte in `buf`',
      errors: [
        { errno: 'EINVAL', when: '`len` is negative' },
        { errno: 'EFAULT', when: '`buf` is not writable user memory' },
        { errno: 'ENAMETOOLONG', when: 'the hostname and its zero byte do not fit in `len` bytes (the first `len` bytes are written, as glibc does)' },
      ],
      doc: 'the hostname of the caller\'s UTS namespace (`ringlab` at boot)',
    },
    {
      name: 'unshare',
      args: [arg('flags', 'CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, any of them together, or 0')],
      returns: '0',
      errors: [
        { errno: 'EINVAL', when: '`flags` has a bit other than CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET and CLONE_NEWNS; or CLONE_NEWPID a second time before the caller has left its namespace (its children\'s is new already)' },
        { errno: 'ENOSPC', when: 'the kernel\'s table of UTS namespaces (NUTS), of pid namespaces (NPIDNS), of network namespaces (NNETNS) or of mount namespaces (NMNTNS) is full, the mount table (NMOUNT) has no room for the copies, or the new pid namespace would be deeper than PIDNS_MAXLEVEL' },
      ],
      doc: 'give the caller new namespaces of the kinds in `flags` (nothing changes when it fails); CLONE_NEWUTS: a UTS namespace that starts as a copy of its current one (its children inherit it); CLONE_NEWPID: a pid namespace one level below the caller\'s, in which its later children are born (the first is pid 1 there and init of it; the caller stays where it is); CLONE_NEWIPC: nothing (ringlab has no named IPC objects); CLONE_NEWNET: a network namespace with only a loopback interface (127.0.0.1) and no sockets (the caller\'s sockets stay in the old one); CLONE_NEWNS: a mount namespace holding a copy of each of the caller\'s mounts (later mounts and umounts in either are not seen in the other: no propagation)',
    },
    {
      name: 'setns',
      args: [arg('pid', 'a process, by its pid in the caller\'s pid namespace (Linux passes a pidfd)'), arg('flags', 'the kinds to join: CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, any of them together')],
      returns: '0',
      errors: [
        { errno: 'EINVAL', when: '`flags` is 0 or has a bit other than those kinds' },
        { errno: 'ESRCH', when: 'no live process has that pid in the caller\'s pid namespace (it never existed, is outside, or has exited; with CLONE_NEWNS also while it is exiting, once it has left its mount namespace)' },
      ],
      doc: 'setns(2) with a pidfd: join the namespaces of the kinds in `flags` that process `pid` is in (all or nothing); CLONE_NEWUTS: its UTS namespace; CLONE_NEWPID: the caller\'s later children are born in its pid namespace (the caller stays in its own, as Linux); CLONE_NEWNET: its network namespace (the caller\'s sockets stay where they were made); CLONE_NEWIPC: nothing to join; CLONE_NEWNS: its mount namespace, and the caller\'s root and current directories become that namespace\'s root (a chroot is left behind, as Linux)',
    },
    {
      name: 'clone',
      args: [arg('flags', 'the kinds of namespace the child gets new: CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, any of them together, or 0')],
      returns: 'as fork: the child\'s pid (as the caller sees it) in the parent, 0 in the child',
      errors: [
        { errno: 'EINVAL', when: '`flags` has another bit (ringlab\'s clone makes processes, not threads: no CLONE_VM, CLONE_THREAD, ...); or CLONE_NEWPID after the caller\'s unshare(CLONE_NEWPID)' },
        { errno: 'ENOSPC', when: 'a table of namespaces is full, or the pid namespace would be deeper than PIDNS_MAXLEVEL' },
        { errno: 'EAGAIN', when: 'the process table is full' },
        { errno: 'ENOMEM', when: 'memory for the child ran out, or its pid namespace lost its init' },
      ],
      doc: 'clone(2) for processes: fork, with the child in new namespaces of the kinds in `flags` (with CLONE_NEWPID the child is pid 1 of the new pid namespace and its init); the parent\'s namespaces do not change',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// ---- Networking: sockets over kernel buffers, network namespaces (programs/kernel/net.s) ----

/** The network calls, numbered from `first` in this order. */
function networkCalls(first: number): Syscall[] {
  const EBADF: SyscallError = { errno: 'EBADF', when: '`fd` is not an open file descriptor' };
  const ENOTSOCK: SyscallError = { errno: 'ENOTSOCK', when: '`fd` is not a socket' };
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'socket',
      args: [arg('domain', 'AF_INET'), arg('type', 'SOCK_STREAM'), arg('protocol', '0 or IPPROTO_TCP')],
      returns: 'a descriptor (the lowest free) for a new socket, in the caller\'s network namespace for its whole life',
      errors: [
        { errno: 'EAFNOSUPPORT', when: '`domain` is not AF_INET' },
        { errno: 'EINVAL', when: '`type` is not 0..SOCK_TYPE_MAX (Linux\'s SOCK_MAX)' },
        { errno: 'ESOCKTNOSUPPORT', when: '`type` is another type than SOCK_STREAM (ringlab has no datagrams)' },
        { errno: 'EPROTONOSUPPORT', when: '`protocol` is neither 0 nor IPPROTO_TCP' },
        { errno: 'EMFILE', when: 'the process has no free descriptor' },
        { errno: 'ENFILE', when: 'the kernel\'s file table or socket table (NSOCK) is full' },
      ],
      doc: 'socket(2): a stream socket, not bound and not connected',
    },
    {
      name: 'bind',
      args: [arg('fd', 'a socket'), arg('addr', 'an IPv4 address of the namespace, or INADDR_ANY'), arg('port', '1..PORT_MAX, or 0 for an ephemeral one')],
      returns: '0',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EINVAL', when: 'the socket is bound already (or listening, or connected), or `port` is not 0..PORT_MAX' },
        { errno: 'EADDRNOTAVAIL', when: 'no interface of the socket\'s namespace has `addr` (or the namespace is gone)' },
        { errno: 'EADDRINUSE', when: 'a socket of the namespace has the port on the same address, or either is INADDR_ANY; port 0: every ephemeral port is taken' },
      ],
      doc: 'bind(2), with the address and port as two words instead of a struct sockaddr_in',
    },
    {
      name: 'listen',
      args: [arg('fd', 'a socket'), arg('backlog', 'connections it may queue before accept, less one (negative or above SOMAXCONN: SOMAXCONN)')],
      returns: '0',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EINVAL', when: 'the socket is connected' },
        { errno: 'EADDRINUSE', when: 'it was not bound and every ephemeral port is taken' },
      ],
      doc: 'listen(2): accept connections from now on (an unbound socket gets an ephemeral port); again on a listener: a new backlog',
    },
    {
      name: 'connect',
      args: [arg('fd', 'a socket'), arg('addr', 'the IPv4 address to reach (INADDR_ANY: the loopback)'), arg('port', '0..PORT_MAX')],
      returns: '0, connected: the connection waits in the listener\'s queue until accept, and data may be sent at once',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EISCONN', when: 'the socket is connected already (also after its peer went away) or listening' },
        { errno: 'EINVAL', when: '`port` is not 0..PORT_MAX' },
        { errno: 'ENETUNREACH', when: 'no interface of the socket\'s namespace reaches `addr`: it is neither one of its addresses nor the other end of one of its veth links' },
        { errno: 'ECONNREFUSED', when: 'nobody listens on `addr` and `port` in the namespace that has `addr`, or the listener\'s queue is full' },
        { errno: 'EADDRINUSE', when: 'the socket was not bound and every ephemeral port is taken' },
        { errno: 'ENOBUFS', when: 'no socket entry or frame is left for the connection\'s other end' },
      ],
      doc: 'connect(2), with the address and port as two words: the connection is made at once (no handshake to wait for), its other end queued on the listener',
    },
    {
      name: 'accept',
      args: [arg('fd', 'a listening socket'), arg('addr', 'user address for the peer\'s socket address (SA_SIZEOF bytes), or 0')],
      returns: 'a descriptor for the oldest queued connection; sleeps while there is none',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EINVAL', when: 'the socket is not listening' },
        { errno: 'EFAULT', when: '`addr` is not writable user memory (the connection stays queued)' },
        { errno: 'EMFILE', when: 'the process has no free descriptor (the connection stays queued)' },
        { errno: 'ENFILE', when: 'the kernel\'s file table is full (the connection stays queued)' },
        { errno: 'EINTR', when: 'a signal came while it waited' },
      ],
      doc: 'accept(2): the next connection, a new connected socket; its peer\'s address and port in `addr`',
    },
    {
      name: 'send',
      args: [arg('fd', 'a connected socket'), arg('buf', 'user address of the bytes'), arg('len', 'how many'), arg('flags', '0')],
      returns: 'bytes sent: all of them, sleeping while the peer\'s receive buffer (SOCK_BUF bytes) is full; what was sent before an error or signal',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EINVAL', when: '`flags` is not 0, or `len` is negative' },
        { errno: 'ENOTCONN', when: 'the socket is not connected' },
        { errno: 'EPIPE', when: 'the peer has closed (or the socket was shut down for sending): SIGPIPE too, as a pipe' },
        { errno: 'EFAULT', when: 'the first byte is not readable user memory' },
        { errno: 'EINTR', when: 'a signal came while it waited for room, before any byte' },
      ],
      doc: 'send(2) with flags 0: write(2) on a socket is the same',
    },
    {
      name: 'recv',
      args: [arg('fd', 'a connected socket'), arg('buf', 'user buffer'), arg('len', 'its size'), arg('flags', '0')],
      returns: 'bytes received: what is there, at most `len` (a stream: no message boundaries), sleeping while there is nothing; 0 at the end of the stream (the peer closed or shut down sending)',
      errors: [
        EBADF,
        ENOTSOCK,
        { errno: 'EINVAL', when: '`flags` is not 0, or `len` is negative' },
        { errno: 'ENOTCONN', when: 'the socket is not connected (a listener included)' },
        { errno: 'EFAULT', when: '`buf` is not writable user memory (the bytes stay)' },
        { errno: 'EINTR', when: 'a signal came while it waited' },
      ],
      doc: 'recv(2) with flags 0: read(2) on a socket is the same',
    },
    {
      name: 'shutdown',
      args: [arg('fd', 'a connected socket'), arg('how', 'SHUT_RD, SHUT_WR or SHUT_RDWR')],
      returns: '0',
      errors: [EBADF, ENOTSOCK, { errno: 'EINVAL', when: '`how` is none of the three' }, { errno: 'ENOTCONN', when: 'the socket is not connected' }],
      doc: 'shutdown(2): SHUT_WR: the peer reads the end of the stream once it has the bytes sent, and send gives EPIPE; SHUT_RD: recv returns 0 from now on',
    },
    {
      name: 'getsockname',
      args: [arg('fd', 'a socket'), arg('addr', 'user address for its socket address (SA_SIZEOF bytes)')],
      returns: '0, with the socket\'s own address and port (0 and 0 while unbound; after connect, the address of the interface it goes out of)',
      errors: [EBADF, ENOTSOCK, { errno: 'EFAULT', when: '`addr` is not writable user memory' }],
      doc: 'getsockname(2)',
    },
    {
      name: 'veth',
      args: [arg('pid', 'a process (in the caller\'s pid namespace) whose network namespace gets the other end'), arg('addr', 'the address of the caller\'s end'), arg('peer', 'the address of the other end')],
      returns: 'the pair\'s number k: both ends are named vethK',
      errors: [
        { errno: 'ESRCH', when: 'no live process has `pid` in the caller\'s pid namespace' },
        { errno: 'EINVAL', when: 'the process is in the caller\'s network namespace, or an address is 0, 127.x.x.x, or the two are equal' },
        { errno: 'EEXIST', when: '`addr` is an address of the caller\'s namespace already, or `peer` of the other one' },
        { errno: 'ENOSPC', when: 'the kernel\'s table of veth pairs (NVETH) is full' },
      ],
      doc: 'a veth pair between the caller\'s network namespace and another, both ends up and addressed: `ip link add vethK type veth peer name vethK netns PID` plus `ip addr add ADDR peer PEER dev vethK` on each side, as one call; removed when either namespace goes',
    },
    {
      name: 'netifs',
      args: [arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes put in `buf`: one NETIF entry (IF_SIZEOF bytes) per interface of the caller\'s network namespace, the loopback first, as many as fit',
      errors: [{ errno: 'EFAULT', when: '`buf` is not writable user memory' }],
      doc: 'the interfaces of the caller\'s network namespace, their addresses and byte counters (for ip addr)',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// ---- Mounts (programs/kernel/vfs.s; docs/containers.md) ---------------------------------------

/** mount, umount, pivot_root and the mount list, numbered from `first`. */
function mountCalls(first: number): Syscall[] {
  const path = (what: string): SyscallError[] => [
    { errno: 'EFAULT', when: `${what} is not readable user memory` },
    { errno: 'ENAMETOOLONG', when: `${what} is PATH_MAX bytes or longer, or a component is longer than NAME_MAX` },
    { errno: 'ENOENT', when: `a component of ${what} does not exist` },
  ];
  const ENODEV_FS: SyscallError = { errno: 'ENODEV', when: 'no filesystem is mounted' };
  const EIO: SyscallError = { errno: 'EIO', when: 'the disk failed, or the filesystem is damaged where the call looked' };
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'mount',
      args: [arg('source', 'MS_BIND: path of the directory to show; tmpfs and overlay: their options (Linux\'s `data`): tmpfs `size=64k` (or 0 / "" for none), overlay `lowerdir=DIR[:DIR...][,upperdir=DIR][,workdir=DIR]`'), arg('target', 'path of the directory to cover'), arg('fstype', 'without MS_BIND: the filesystem type, "tmpfs" or "overlay"'), arg('flags', 'MS_BIND, or-ed with MS_RDONLY')],
      returns: '0',
      errors: [
        { errno: 'EINVAL', when: '`flags` has a bit other than MS_BIND and MS_RDONLY; `target`, or a bind mount\'s `source`, is in a detached mount (MNT_DETACH); tmpfs: an option other than size=, a size of 0 or above TMPFS_MAX_SIZE, a size that is not digits with an optional k or m; overlay: an option other than lowerdir, upperdir and workdir, one given twice, no lowerdir, an empty layer path, more than OVL_MAX_LOWER lower layers, or a layer inside an overlay or in a detached mount' },
        ...path('`target` (then `source`, or each layer in the order given)').map((e) => e.errno === 'ENAMETOOLONG' ? { ...e, when: `${e.when}, or an overlay's options string is OVL_OPTS_MAX bytes or longer` } : e),
        { errno: 'ENOTDIR', when: 'a component, or `target`, `source` or a layer itself, is not a directory' },
        { errno: 'ENODEV', when: 'without MS_BIND: `fstype` is not a filesystem type the kernel knows ("tmpfs" and "overlay" are), or no filesystem is mounted' },
        { errno: 'ENOSPC', when: 'the mount table (NMOUNT entries, every namespace together) is full, NTMPFS tmpfs instances exist already, or NOVL overlays are mounted' },
        { errno: 'ENOMEM', when: 'tmpfs: no frame for the new root directory\'s blocks (or the caller\'s memory cgroup refused one: it was OOM-killed)' },
        { errno: 'ENFILE', when: 'an overlay\'s root needs a merged directory and NOVLNODE are in use' },
        EIO,
      ],
      doc: 'mount(2) without the fifth argument (`data`: ringlab passes four, so a filesystem\'s `data` comes in `source`): MS_BIND makes the directory `source` appear at `target` in the caller\'s mount namespace, covering what `target` held, on top of any mount there; MS_RDONLY makes it read-only (EROFS through it; Linux needs a remount for that). fstype "tmpfs" creates a tmpfs instance (programs/kernel/tmpfs.s) of `size=` bytes (k, m suffixes; TMPFS_DEFAULT_SIZE without) and mounts its root at `target`; its frames are charged to the writer\'s memory cgroup and freed when the last mount of the instance goes. "overlay" mounts the union of the layers (docs/containers.md, "Overlay"): the first lowerdir listed is the top lower layer; without upperdir the overlay is read-only (EROFS); workdir must be a directory and is unused',
    },
    {
      name: 'umount',
      args: [arg('target', 'path of the root of a mount (a mount stacked on where the path ends is taken: after pivot_root(".", "."), `.` is the old root)'), arg('flags', '0, or MNT_DETACH (a lazy unmount)')],
      returns: '0',
      errors: [
        ...path('`target`'),
        { errno: 'EINVAL', when: '`flags` is not 0 or MNT_DETACH (MNT_FORCE, MNT_EXPIRE and UMOUNT_NOFOLLOW are not implemented), `target` is not the root of a mount, or its mount is not in the caller\'s namespace (it was detached)' },
        { errno: 'EBUSY', when: 'it is the root mount of the namespace; without MNT_DETACH also while it is in use: a mount below it, a file opened through it, a process\'s current or root directory in it' },
        ENODEV_FS,
        EIO,
      ],
      doc: 'umount2(2): detach the mount whose root `target` is (what it covered shows again) and let go of its directories. With MNT_DETACH (Linux\'s lazy unmount) the mount and every mount below it leave the namespace at once, however busy: new lookups no longer see them and `mounts` no longer lists them, while each stays alive, with its filesystem, until the last file opened through it is closed and the last process whose current or root directory is in it has left (a tmpfs\'s frames come back then)',
    },
    {
      name: 'pivot_root',
      args: [arg('new_root', 'path of the root of a mount'), arg('put_old', 'path of a directory at or below `new_root`')],
      returns: '0',
      errors: [
        ...path('a path'),
        { errno: 'ENOTDIR', when: 'a component, or `new_root` or `put_old` itself, is not a directory' },
        { errno: 'EBUSY', when: '`new_root` or `put_old` is on the current root mount (for example `new_root` is `/`)' },
        { errno: 'EINVAL', when: 'the caller\'s root is not its namespace\'s root (a chroot), `new_root` is in a detached mount (MNT_DETACH), `new_root` is not the root of a mount, or `put_old` is not at or below `new_root`' },
        ENODEV_FS,
        EIO,
      ],
      doc: 'pivot_root(2): the mount at `new_root` becomes the root of the caller\'s mount namespace and the old root mount is attached at `put_old`; every process of the namespace whose root or current directory was the old root gets the new one. `new_root` and `put_old` may be the same directory (runc\'s pivot_root(".", ".")): the old root is then mounted on top of the new one, and umount2(".", MNT_DETACH) takes it away',
    },
    {
      name: 'mounts',
      args: [arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes written: one line per mount of the caller\'s namespace below its root, in the order they were mounted, as /proc/mounts: `/dev/disk TARGET rlfs rw` (or `ro`)',
      errors: [{ errno: 'ERANGE', when: 'the lines do not fit in `len` bytes' }, { errno: 'EFAULT', when: '`buf` is not writable user memory' }, ENODEV_FS, EIO],
      doc: 'the caller\'s mount table as text (ringlab has no /proc: this is its /proc/self/mounts)',
    },
    {
      name: 'mountstats',
      args: [arg('target', 'path of the root of an overlay mount'), arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes written: the overlay\'s counters as text, as /proc/self/mountstats: `device overlay mounted on TARGET with fstype overlay`, then its options, the lookups in each layer (`upper=N lower1=N ...`: each time a path walk searched that layer\'s directory for a name), the copy-ups and the bytes they copied',
      errors: [
        ...path('`target`').map((e) => e.errno === 'EFAULT' ? { ...e, when: '`target` is not readable or `buf` not writable user memory' } : e),
        { errno: 'ENOTDIR', when: 'a component of `target` is not a directory' },
        { errno: 'EINVAL', when: '`target` is not the root of an overlay mount' },
        { errno: 'ERANGE', when: 'the text does not fit in `len` bytes' },
        ENODEV_FS,
        EIO,
      ],
      doc: 'an overlay mount\'s statistics as text (ringlab has no /proc: this is its /proc/self/mountstats, for overlays)',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// Control groups (programs/kernel/cgroup.s): the calls mirror cgroupfs, so that a later
// cgroupfs maps mkdir, rmdir, and open+read/write of a group's files onto the same handlers.
// Paths are the groups' paths from the hierarchy's root ("/", "/box", "/box/a"), whatever the
// caller's root directory or pid namespace (there are no cgroup namespaces).
function cgroupCalls(first: number): Syscall[] {
  const path = arg('path', 'user address of the group\'s path: "/", "/box", "/box/a" (components separated by `/`; a leading `/` may be left out)');
  const pathErrors: SyscallError[] = [
    { errno: 'EFAULT', when: 'a string argument is not readable user memory' },
    { errno: 'ENAMETOOLONG', when: 'the path is CGROUP_PATH_MAX bytes or longer, a file name CGROUP_FILE_MAX or longer, or a component longer than CGROUP_NAME_MAX' },
  ];
  const dots = 'a component is `.` or `..`';
  const calls: Omit<Syscall, 'number' | 'onError'>[] = [
    {
      name: 'cgroup_mkdir',
      args: [path],
      returns: '0',
      errors: [
        ...pathErrors,
        { errno: 'EINVAL', when: dots },
        { errno: 'ENOENT', when: 'the parent group does not exist' },
        { errno: 'EEXIST', when: 'the group exists (`/` always does)' },
        { errno: 'ENOSPC', when: 'the kernel\'s table of groups (NCGROUP) is full' },
      ],
      doc: 'mkdir in cgroupfs: a new group below its parent, with no process and every limit at `max` (cpu.weight 100, cpu.max "max 100000")',
    },
    {
      name: 'cgroup_rmdir',
      args: [path],
      returns: '0',
      errors: [
        ...pathErrors,
        { errno: 'EINVAL', when: dots },
        { errno: 'ENOENT', when: 'the group does not exist' },
        { errno: 'EBUSY', when: 'it holds a live process or a group, or it is the root' },
      ],
      doc: 'rmdir in cgroupfs: remove an empty group; the memory still charged to it (pages shared with processes elsewhere) goes to its parent',
    },
    {
      name: 'cgroup_read',
      args: [path, arg('file', 'user address of the file\'s name: cgroup.procs, cpu.max, memory.events, ...'), arg('buf', 'user buffer'), arg('len', 'its size in bytes')],
      returns: 'bytes written to `buf`: the file\'s text (Linux\'s format, lines ending in a newline), cut at `len`',
      errors: [
        ...pathErrors,
        { errno: 'ENOENT', when: 'the group does not exist, or has no such file (the limits are not files of the root, as on Linux)' },
        { errno: 'EACCES', when: 'the file cannot be read (cgroup.kill)' },
        { errno: 'EINVAL', when: `\`len\` is negative, or ${dots}` },
      ],
      doc: 'read one of a group\'s files, as read(2) of the whole file from offset 0 would',
    },
    {
      name: 'cgroup_write',
      args: [path, arg('file', 'user address of the file\'s name'), arg('buf', 'user address of the text to write, e.g. "20000 100000\\n"'), arg('len', 'its length, at most CGROUP_WRITE_MAX')],
      returns: '`len`',
      errors: [
        ...pathErrors,
        { errno: 'ENOENT', when: 'the group does not exist, or has no such file' },
        { errno: 'EACCES', when: 'the file cannot be written (cgroup.procs is the only one of the root\'s that can; cpu.stat, memory.current, ... never)' },
        { errno: 'EINVAL', when: `\`len\` is negative or over CGROUP_WRITE_MAX, or the text is not what the file takes (garbage, a negative number, a quota or period out of range), or ${dots}` },
        { errno: 'ERANGE', when: 'cpu.weight outside 1..10000, or cgroup.kill with a number other than 1 (as Linux)' },
        { errno: 'ESRCH', when: 'cgroup.procs: no live process has that pid in the caller\'s pid namespace' },
      ],
      doc: 'write one of a group\'s files: cgroup.procs (a pid, 0 for the caller: move it), cgroup.kill (1: SIGKILL to every process in the group and below), cpu.max ("QUOTA PERIOD", "max", microseconds), cpu.weight, memory.max, memory.high (bytes, K/M/G suffixes, or "max"), pids.max (a number or "max")',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno' }));
}

// ---- The hosted VMM's driver (programs/kernel/kvm.s, only with -D HOST; docs/vmm-hosted.md) ----

/** The virtualization driver of a kernel built with -D HOST, in KVM's manner: one VM at a time,
 *  owned by the process that made it; its guest-physical memory is a range of that process's
 *  heap; one vCPU, run until an exit the kernel does not handle itself. Last in the table. */
function hostedCalls(first: number): Syscall[] {
  const noVm = { errno: 'EBADF', when: 'the caller has no VM (vm_create first)' } as const;
  const calls: Omit<Syscall, 'number' | 'onError' | 'build'>[] = [
    {
      name: 'vm_create',
      args: [],
      returns: '0: the caller owns the VM (freed when it exits)',
      errors: [
        { errno: 'EBUSY', when: 'a VM exists already (one at a time: the machine has one guest TLB context)' },
        { errno: 'ENOMEM', when: 'no free frame for its VMCS and EPT directory' },
      ],
      doc: 'KVM_CREATE_VM: a virtual machine with no memory and no vCPU, owned by the caller',
    },
    {
      name: 'vm_memory',
      args: [arg('addr', 'user address of the guest\'s memory: page aligned, in the heap'), arg('size', 'bytes of guest-physical memory, from guest-physical 0: a multiple of PAGE_SIZE, at most VM_MEM_MAX')],
      returns: '0: guest-physical [0, size) is the caller\'s [addr, addr + size); each page is backed (mapped in the EPT, and pinned) when the guest first touches it',
      errors: [
        noVm,
        { errno: 'EEXIST', when: 'the VM has its memory already' },
        { errno: 'EINVAL', when: '`addr` or `size` is not page aligned, `size` is 0 or above VM_MEM_MAX, or the range is not inside the heap (HEAP_BASE..HEAP_END)' },
      ],
      doc: 'KVM_SET_USER_MEMORY_REGION: give the VM its guest-physical memory, a range of the caller\'s heap',
    },
    {
      name: 'vcpu_create',
      args: [],
      returns: '0: the vCPU, in the state of a reset (pc 0, ring 0, paging and interrupts off)',
      errors: [noVm, { errno: 'EEXIST', when: 'the VM has its vCPU already (one per VM)' }, { errno: 'EINVAL', when: 'the VM has no memory yet (vm_memory first)' }],
      doc: 'KVM_CREATE_VCPU: the VM\'s virtual CPU (its VMCS: guest state, host state, controls)',
    },
    {
      name: 'vcpu_set_regs',
      args: [arg('buf', 'user address of VCPU_REGS_SIZE bytes: r0..r15, pc, then STATUS..IPEND in control-register order (the VMCS guest-state area)')],
      returns: '0',
      errors: [{ errno: 'EBADF', when: 'the caller has no vCPU' }, { errno: 'EFAULT', when: '`buf` is not readable user memory' }],
      doc: 'KVM_SET_REGS and KVM_SET_SREGS: load the vCPU\'s registers',
    },
    {
      name: 'vcpu_get_regs',
      args: [arg('buf', 'user address of VCPU_REGS_SIZE bytes')],
      returns: '0',
      errors: [{ errno: 'EBADF', when: 'the caller has no vCPU' }, { errno: 'EFAULT', when: '`buf` is not writable user memory' }],
      doc: 'KVM_GET_REGS and KVM_GET_SREGS: read the vCPU\'s registers',
    },
    {
      name: 'vcpu_run',
      args: [arg('run', 'user address of a struct vm_run (VR_SIZEOF bytes): VR_DATA and VR_LINES are read, the exit is written')],
      returns: 'the exit the kernel could not handle, also in VR_REASON: VM_EXIT_IO (an `in` or `out` of a port the kernel does not emulate; an `in` completes at the next vcpu_run with VR_DATA), VM_EXIT_HALT, VM_EXIT_FAIL (the guest\'s trap handler faulted)',
      errors: [
        { errno: 'EBADF', when: 'the caller has no vCPU' },
        { errno: 'EFAULT', when: '`run` is not readable and writable user memory' },
        { errno: 'ENOMEM', when: 'a guest page could not be backed: no free frame' },
      ],
      doc: 'KVM_RUN: run the vCPU in non-root mode until an exit the kernel cannot handle; the host\'s own interrupts (its timer: other processes run) interrupt it and it goes on',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno', build: 'HOST' }));
}

// ---- The planted bug of the isolation benchmark (programs/kernel/vuln.s, only with -D VULN) ----

/** A kernel built with -D VULN has one deliberate, documented bug for `ringlab bench isolation`
 *  (docs/isolation.md, "Isolation strength"): a copy that trusts both of its pointers. Last in
 *  the table, after HOST's calls. */
function vulnCalls(first: number): Syscall[] {
  const calls: Omit<Syscall, 'number' | 'onError' | 'build'>[] = [
    {
      name: 'vuln_copy',
      args: [arg('dst', 'where to copy to: meant to be a user address, never checked'), arg('src', 'where to copy from: meant to be a user address, never checked'), arg('len', 'how many bytes, 0..PAGE_SIZE')],
      returns: '`len`',
      errors: [{ errno: 'EINVAL', when: '`len` is negative or more than PAGE_SIZE' }],
      doc: 'THE PLANTED BUG (-D VULN only): copy `len` bytes from `src` to `dst` in the caller\'s address space without checking that either is user memory (no user_to_phys, Linux\'s missing access_ok, as CVE-2017-5123): a kernel address reads or writes the kernel\'s identity map, that is any physical address; an unmapped one is a kernel page fault (a panic)',
    },
  ];
  return calls.map((c, i) => ({ ...c, number: first + i, onError: 'errno', build: 'VULN' }));
}

/** What the kernel returns for a number with no entry: -1 (ENOSYS). */
export const UNKNOWN_SYSCALL_ERROR: ErrnoName = 'ENOSYS';
