// Addresses and structures that the guest kernel shares with someone else: with its user
// programs (where a program is linked, where its heap and stack are) and with the boot loader
// (the boot arguments that src/configs/native.ts writes and programs/kernel/boot.s reads).
// `npm run gen` writes them into programs/lib/abi.inc, so the loader, the kernel and the user
// programs read one definition.

export interface AbiConstant {
  readonly value: number;
  readonly doc: string;
}

/** Every process's address space, as user programs see it (docs/kernel.md, "Memory map"). */
export const USER_SPACE = {
  USER_BASE: { value: 0x4000_0000, doc: 'user programs are linked and loaded here' },
  HEAP_BASE: { value: 0x5000_0000, doc: 'the heap: demand-zero pages; map/unmap' },
  HEAP_END: { value: 0x6000_0000, doc: 'first address above the heap' },
  STACK_BASE: { value: 0x7fff_0000, doc: 'lowest address of the stack region (demand-zero)' },
  STACK_TOP: { value: 0x8000_0000, doc: 'sp starts here; the stack grows down' },
  USER_TOP: { value: 0x8000_0000, doc: 'first address above user space' },
} as const satisfies Record<string, AbiConstant>;

/** The boot protocol: where the loader leaves the boot arguments and how they are marked. */
export const BOOT = {
  BOOTARGS: { value: 0x1000, doc: 'physical address of the boot arguments' },
  BOOT_MAGIC: { value: 0x4142_4c52, doc: '"RLBA", the first word of the boot arguments' },
  MAX_PROCS: { value: 16, doc: 'boot records the kernel accepts, one process each' },
  BOOT_RDONLY: { value: 1, doc: 'BA_FLAGS bit: the root filesystem is read-only (changes give EROFS)' },
  BOOT_TTY: { value: 2, doc: 'BA_FLAGS bit: the console is a terminal (`boot --shell`): the kernel echoes input, edits lines (backspace, Ctrl-U) and turns Ctrl-C into SIGINT, Ctrl-D into end of input' },
} as const satisfies Record<string, AbiConstant>;

export interface StructField {
  /** Byte offset in the structure. */
  readonly offset: number;
  /** Size in bytes (4 for a word). */
  readonly size: number;
  readonly doc: string;
}

/** A structure in memory: each field becomes `.equ <PREFIX>_<FIELD>, offset`, and its size
 *  `.equ <PREFIX>_SIZEOF, size`. Little-endian words. */
export interface Struct<F extends string = string> {
  readonly name: string;
  readonly prefix: string;
  readonly size: number;
  readonly doc: string;
  readonly fields: Readonly<Record<F, StructField>>;
}

/** The boot arguments at BOOTARGS: a header, then one record per process from `PROCS` on. */
export const BOOT_ARGS = {
  name: 'boot arguments',
  prefix: 'BA',
  size: 32,
  doc: 'at BOOTARGS, written by the boot loader and read by the kernel at boot',
  fields: {
    MAGIC: { offset: 0, size: 4, doc: 'BOOT_MAGIC' },
    NPROC: { offset: 4, size: 4, doc: 'number of processes (1..MAX_PROCS)' },
    MEMSIZE: { offset: 8, size: 4, doc: 'physical memory size in bytes' },
    FREE: { offset: 12, size: 4, doc: 'first free physical address (page aligned): the frame pool starts here' },
    QUANTUM: { offset: 16, size: 4, doc: 'timer quantum in cycles (0: the kernel\'s default, 100,000)' },
    FLAGS: { offset: 20, size: 4, doc: 'BOOT_RDONLY: mount the root filesystem read-only; BOOT_TTY: the console is a terminal' },
    PROCS: { offset: 32, size: 0, doc: 'the first of NPROC boot records (BR_SIZEOF bytes each)' },
  },
} as const satisfies Struct;

/** One process's boot record, BOOT_ARGS.PROCS + i * BR_SIZEOF. */
export const BOOT_RECORD = {
  name: 'boot record',
  prefix: 'BR',
  size: 64,
  doc: 'one per process that /sbin/init starts, in order (they become pids 2, 3, ...)',
  fields: {
    NAME: { offset: 0, size: 16, doc: 'name, zero padded (at most 15 bytes and a zero)' },
    PATH: { offset: 16, size: 40, doc: 'the executable to run, an absolute path on the root filesystem (at most 39 bytes and a zero)' },
    ARGS: { offset: 56, size: 4, doc: '1: init runs it with argv = [NAME, ITER in decimal] (lib.s passes ITER in a0); 0: argv = [NAME] (a shell)' },
    ITER: { offset: 60, size: 4, doc: 'iteration count' },
  },
} as const satisfies Struct;

/** The file interface of the system calls (open flags, lseek's whence, limits); Linux's values
 *  where Linux has the name. */
export const FILES = {
  NOFILE: { value: 16, doc: 'file descriptors per process (0..NOFILE-1)' },
  PATH_MAX: { value: 4096, doc: 'a path, with its zero byte, is shorter than this (else ENAMETOOLONG)' },
  O_RDONLY: { value: 0, doc: 'open for reading' },
  O_WRONLY: { value: 1, doc: 'open for writing' },
  O_RDWR: { value: 2, doc: 'open for reading and writing' },
  O_ACCMODE: { value: 3, doc: 'the access-mode bits of the flags' },
  O_CREAT: { value: 0x40, doc: 'create the file if it does not exist' },
  O_EXCL: { value: 0x80, doc: 'with O_CREAT: fail with EEXIST if the name exists' },
  O_TRUNC: { value: 0x200, doc: 'cut a regular file opened for writing to size 0' },
  O_APPEND: { value: 0x400, doc: 'every write goes to the end of the file' },
  O_DIRECT: { value: 0x4000, doc: 'reads go to the disk for every block, even one the buffer cache holds (measuring the device)' },
  SEEK_SET: { value: 0, doc: 'lseek: offset from the start' },
  SEEK_CUR: { value: 1, doc: 'lseek: offset from the current position' },
  SEEK_END: { value: 2, doc: 'lseek: offset from the end' },
  T_DEV: { value: 3, doc: 'stat type of the console (the filesystem\'s types are T_DIR 1 and T_FILE 2)' },
  T_FIFO: { value: 4, doc: 'stat type of a pipe (Linux\'s S_IFIFO): its size is the bytes it holds' },
} as const satisfies Record<string, AbiConstant>;

/** What stat and fstat write. */
export const STAT = {
  name: 'struct stat',
  prefix: 'ST',
  size: 16,
  doc: 'written by stat and fstat',
  fields: {
    TYPE: { offset: 0, size: 4, doc: 'T_DIR, T_FILE, T_DEV or T_FIFO' },
    SIZE: { offset: 4, size: 4, doc: 'size in bytes (0 for the console; for a pipe, the bytes it holds)' },
    NLINK: { offset: 8, size: 4, doc: 'directory entries naming it' },
    INUM: { offset: 12, size: 4, doc: 'inode number (0 for the console)' },
  },
} as const satisfies Struct;

/** Executables: the files in /bin that the kernel loads (src/fs/exec.ts writes and reads them;
 *  programs/kernel/exec.s loads them). A header, a table of segments, then the segments' bytes. */
export const EXEC = {
  EXEC_MAGIC: { value: 0x3158_4c52, doc: '"RLX1", the first word of an executable' },
  EXEC_MAX_SEGS: { value: 8, doc: 'segments an executable may have' },
} as const satisfies Record<string, AbiConstant>;

export const EXEC_HEADER = {
  name: 'executable header',
  prefix: 'EX',
  size: 16,
  doc: 'at the start of an executable file',
  fields: {
    MAGIC: { offset: 0, size: 4, doc: 'EXEC_MAGIC' },
    ENTRY: { offset: 4, size: 4, doc: 'where the program starts (a user address)' },
    NSEG: { offset: 8, size: 4, doc: 'segments (1..EXEC_MAX_SEGS); their table follows the header' },
    ISA: { offset: 12, size: 4, doc: "the ISA extensions its instructions use, one bit each (ISA_EXT_* in hw.inc), as the assembler found them; exec refuses it (ENOEXEC) unless the CPU's EXTENSIONS has them all. 0 (base only) in files written before the field existed" },
    SEGS: { offset: 16, size: 0, doc: 'the first of NSEG segment entries (ES_SIZEOF bytes each)' },
  },
} as const satisfies Struct;

export const EXEC_SEGMENT = {
  name: 'executable segment',
  prefix: 'ES',
  size: 16,
  doc: 'one per segment, after the header: memory from VADDR to VADDR + MEMSZ, the first FILESZ bytes from the file',
  fields: {
    VADDR: { offset: 0, size: 4, doc: 'user address of its first byte (in USER_BASE..HEAP_BASE)' },
    OFFSET: { offset: 4, size: 4, doc: 'where its bytes are in the file' },
    FILESZ: { offset: 8, size: 4, doc: 'bytes in the file' },
    MEMSZ: { offset: 12, size: 4, doc: 'bytes in memory (at least FILESZ: the rest is zeros)' },
  },
} as const satisfies Struct;

/** Processes, signals and pipes: limits, wait's option and status word, signal numbers (Linux's). */
export const PROCESSES = {
  NPROC: { value: 64, doc: 'processes the kernel holds at once, zombies included (fork past it: EAGAIN)' },
  INIT_PID: { value: 1, doc: 'the pid of /sbin/init, the first process, which adopts orphans' },
  INIT_PATH_MAX: { value: 32, doc: 'room for init\'s path in the kernel' },
  MAXARG: { value: 32, doc: 'exec: at most this many arguments (else E2BIG)' },
  ARG_MAX: { value: 4096, doc: 'exec: the argument strings with their zero bytes take at most this many bytes (else E2BIG)' },
  WNOHANG: { value: 1, doc: 'wait option: do not sleep, return 0 when no child has ended' },
  W_EXITCODE_SHIFT: { value: 8, doc: 'wait status: exit(code) gives code << 8' },
  W_SIGMASK: { value: 0x7f, doc: 'wait status: the low 7 bits hold the signal that ended the child (0: it called exit)' },
  SIG_DFL: { value: 0, doc: 'signal action: the default (terminate; nothing for SIGCHLD)' },
  SIG_IGN: { value: 1, doc: 'signal action: ignore it (kept across exec, as on Unix)' },
  SIGINT: { value: 2, doc: 'interrupt: Ctrl-C on a terminal console; terminates' },
  SIGILL: { value: 4, doc: 'illegal or privileged instruction (sent by the kernel on the trap); terminates' },
  SIGTRAP: { value: 5, doc: 'a breakpoint instruction in a process that no debugger holds (sent by the kernel); terminates' },
  SIGBUS: { value: 7, doc: 'misaligned access or bus error (sent by the kernel); terminates' },
  SIGFPE: { value: 8, doc: 'divide by zero (sent by the kernel); terminates' },
  SIGKILL: { value: 9, doc: 'kill: cannot be ignored; terminates' },
  SIGSEGV: { value: 11, doc: 'a page fault outside what the process may touch (sent by the kernel); terminates' },
  SIGPIPE: { value: 13, doc: 'a write to a pipe with no reader; terminates' },
  SIGTERM: { value: 15, doc: 'polite termination request; terminates' },
  SIGCHLD: { value: 17, doc: 'a child ended; ignored by default' },
  NSIG: { value: 32, doc: 'signal numbers are 1..NSIG-1 (those above are EINVAL)' },
  PIPE_SIZE: { value: 4096, doc: 'bytes a pipe holds before write sleeps' },
  PROC_RUNNABLE: { value: 1, doc: 'procs state: ready or running' },
  PROC_WAITING: { value: 2, doc: 'procs state: asleep (timer, disk, pipe, wait, console)' },
  PROC_ZOMBIE: { value: 3, doc: 'procs state: ended, not yet reaped by its parent' },
} as const satisfies Record<string, AbiConstant>;

/** Containers: namespaces (Linux's flag values) and the hostname. */
export const NAMESPACES = {
  HOST_NAME_MAX: { value: 64, doc: 'the longest hostname, in bytes (Linux\'s HOST_NAME_MAX)' },
  NUTS: { value: 16, doc: 'UTS namespaces the kernel holds at once, the boot one included (unshare past it: ENOSPC)' },
  NPIDNS: { value: 16, doc: 'pid namespaces the kernel holds at once, the root one included (unshare past it: ENOSPC)' },
  PIDNS_MAXLEVEL: { value: 7, doc: 'the deepest pid namespace: the root is level 0, each unshare(CLONE_NEWPID) one level below its own (deeper: ENOSPC)' },
  CLONE_NEWNS: { value: 0x0002_0000, doc: 'unshare, clone: a new mount namespace, holding a copy of the caller\'s mounts (setns: not yet, EINVAL)' },
  NMNTNS: { value: 16, doc: 'mount namespaces the kernel holds at once, the boot one included (unshare past it: ENOSPC)' },
  NMOUNT: { value: 32, doc: 'mounts the kernel holds at once, every namespace together (mount or unshare past it: ENOSPC)' },
  MS_RDONLY: { value: 0x1, doc: 'mount: read-only (Linux\'s value); changes through the mount give EROFS' },
  MS_BIND: { value: 0x1000, doc: 'mount: a bind mount, an existing directory shown at another place (Linux\'s value)' },
  NTMPFS: { value: 24, doc: 'tmpfs instances the kernel holds at once, every namespace together (device numbers 1..NTMPFS; a tmpfs mount past it: ENOSPC, where Linux has no such limit)' },
  TMPFS_DEFAULT_SIZE: { value: 0x10_0000, doc: 'a tmpfs mounted without size=: 1 MiB of data blocks (Linux: half of RAM; ringlab: a constant, the same in every configuration)' },
  TMPFS_MAX_SIZE: { value: 0x80_0000, doc: 'the largest tmpfs: size= above 8 MiB is EINVAL (its frame table is TMPFS_FTPAGES pages)' },
  TMPFS_FTPAGES: { value: 4, doc: 'pages of a tmpfs instance\'s frame table (one word per block: its page frame, 0 for none yet), allocated as its blocks are first written' },
  OVL_MAX_LOWER: { value: 8, doc: 'overlay: the most lower layers a mount may list in lowerdir (more: EINVAL; Linux allows 500)' },
  OVL_OPTS_MAX: { value: 256, doc: 'overlay: the options string (lowerdir=..,upperdir=..,workdir=..), with its zero byte, is shorter than this (else ENAMETOOLONG)' },
  NOVL: { value: 24, doc: 'overlay mounts the kernel holds at once, every namespace together (mount past it: ENOSPC; a copy made by unshare shares its original\'s)' },
  NOVLNODE: { value: 32, doc: 'merged directories of overlays in use at once (current directories, open directories, a walk in progress; past it: ENFILE)' },
  MNT_DETACH: { value: 0x2, doc: 'umount: a lazy unmount (Linux\'s value): the mount and every mount below it leave the namespace at once; each stays alive while a file opened through it or a directory in it is in use' },
  CLONE_NEWUTS: { value: 0x0400_0000, doc: 'unshare, clone: a new UTS namespace (hostname), a copy of the current one; setns: the target\'s' },
  CLONE_NEWIPC: { value: 0x0800_0000, doc: 'unshare, clone, setns: an IPC namespace; accepted and changes nothing, since ringlab has no named IPC objects (no System V IPC, no message queues, no named pipes) for one to hold' },
  CLONE_NEWPID: { value: 0x2000_0000, doc: 'unshare: a new pid namespace, one level below the caller\'s, for its children: the first is pid 1 there and its init; clone: the child is that pid 1; setns: the caller\'s children are born in the target\'s' },
  CLONE_NEWNET: { value: 0x4000_0000, doc: 'unshare, clone: a new network namespace: only a loopback interface (127.0.0.1), no sockets (programs/kernel/net.s); setns: the target\'s' },
} as const satisfies Record<string, AbiConstant>;

/** Networking (programs/kernel/net.s; docs/containers.md, "Network namespaces and sockets"): Linux's values
 *  where Linux has the name. Addresses are IPv4 addresses in one word (127.0.0.1 is 0x7f000001),
 *  ports are words 0..65535: bind and connect take them as two arguments instead of a sockaddr. */
export const NETWORK = {
  AF_INET: { value: 2, doc: 'socket domain: IPv4, the only one' },
  SOCK_STREAM: { value: 1, doc: 'socket type: a byte stream (TCP\'s semantics), the only one' },
  SOCK_TYPE_MAX: { value: 10, doc: 'socket types are 0..SOCK_TYPE_MAX (above: EINVAL, as Linux\'s SOCK_MAX); the others are ESOCKTNOSUPPORT' },
  IPPROTO_TCP: { value: 6, doc: 'socket protocol: TCP (0 picks it too)' },
  INADDR_ANY: { value: 0, doc: 'bind: every address of the namespace' },
  INADDR_LOOPBACK: { value: 0x7f00_0001, doc: '127.0.0.1, the loopback interface\'s address in every network namespace' },
  PORT_MAX: { value: 65535, doc: 'ports are 1..PORT_MAX (bind port 0: an ephemeral one; above: EINVAL)' },
  EPHEMERAL_FIRST: { value: 32768, doc: 'the ephemeral ports (bind port 0, connect of an unbound socket) are EPHEMERAL_FIRST..EPHEMERAL_LAST, Linux\'s default range' },
  EPHEMERAL_LAST: { value: 60999, doc: 'the last ephemeral port' },
  SOMAXCONN: { value: 16, doc: 'listen: the largest backlog (a larger or negative one is this); a listener queues at most backlog + 1 connections not yet accepted, as Linux' },
  SHUT_RD: { value: 0, doc: 'shutdown: no more receiving' },
  SHUT_WR: { value: 1, doc: 'shutdown: no more sending (the peer reads the end of the stream)' },
  SHUT_RDWR: { value: 2, doc: 'shutdown: both' },
  SOCK_BUF: { value: 4096, doc: 'bytes a connected socket\'s receive buffer holds before its peer\'s send sleeps' },
  NSOCK: { value: 64, doc: 'sockets the kernel holds at once, connections not yet accepted included (socket past it: ENFILE; connect: ENOBUFS)' },
  NNETNS: { value: 16, doc: 'network namespaces the kernel holds at once, the root one included (unshare past it: ENOSPC)' },
  NVETH: { value: 8, doc: 'veth pairs the kernel holds at once (veth past it: ENOSPC)' },
  T_SOCK: { value: 5, doc: 'stat type of a socket (Linux\'s S_IFSOCK): its size is the bytes waiting to be received' },
} as const satisfies Record<string, AbiConstant>;

/** A socket address as accept and getsockname write it (struct sockaddr_in, in words). */
export const SOCKADDR = {
  name: 'socket address',
  prefix: 'SA',
  size: 8,
  doc: 'written by accept (the peer) and getsockname (the socket itself)',
  fields: {
    ADDR: { offset: 0, size: 4, doc: 'the IPv4 address, one word (127.0.0.1 is 0x7f000001)' },
    PORT: { offset: 4, size: 4, doc: 'the port, 0..65535 (0: not bound)' },
  },
} as const satisfies Struct;

/** One interface of a network namespace as netifs writes it (for ip addr). */
export const NETIF = {
  name: 'network interface',
  prefix: 'IF',
  size: 20,
  doc: 'written by netifs, one per interface of the caller\'s network namespace: the loopback first, then each veth end',
  fields: {
    INDEX: { offset: 0, size: 4, doc: '1 for the loopback (lo); 2 + k for an end of veth pair k (its name is vethK in both namespaces)' },
    ADDR: { offset: 4, size: 4, doc: 'its address' },
    PEER: { offset: 8, size: 4, doc: 'a veth end: the other end\'s address (a point-to-point link); the loopback: 0' },
    TX: { offset: 12, size: 4, doc: 'bytes sent through it (stream bytes; the loopback\'s are also its received bytes)' },
    RX: { offset: 16, size: 4, doc: 'bytes received through it' },
  },
} as const satisfies Struct;

/** Control groups (cgroup v2, programs/kernel/cgroup.s; docs/containers.md, "Control groups"). */
export const CGROUPS = {
  NCGROUP: { value: 16, doc: 'control groups the kernel holds at once, the root included (cgroup_mkdir past it: ENOSPC)' },
  CGROUP_NAME_MAX: { value: 15, doc: 'the longest name of a group (one path component), in bytes (longer: ENAMETOOLONG)' },
  CGROUP_PATH_MAX: { value: 256, doc: 'a group\'s path, with its zero byte, is shorter than this (else ENAMETOOLONG)' },
  CGROUP_FILE_MAX: { value: 32, doc: 'a file name, with its zero byte, is shorter than this (else ENAMETOOLONG)' },
  CGROUP_WRITE_MAX: { value: 64, doc: 'cgroup_write takes at most this many bytes (more: EINVAL)' },
  CGROUP_CYCLES_PER_USEC: { value: 3000, doc: 'the clock cpu.max and cpu.stat count microseconds of: 3 GHz, the clock the cost presets assume (src/machine/costs.ts)' },
  CPU_PERIOD_DEFAULT: { value: 100000, doc: 'cpu.max period at creation, microseconds (Linux: 100 ms)' },
  CPU_PERIOD_MIN: { value: 1000, doc: 'the shortest cpu.max period and the smallest quota, microseconds (Linux: 1 ms)' },
  CPU_PERIOD_MAX: { value: 1000000, doc: 'the longest cpu.max period, and the largest quota, microseconds (Linux: 1 s for the period)' },
  CPU_WEIGHT_DEFAULT: { value: 100, doc: 'cpu.weight at creation (range 1..10000, else ERANGE)' },
  CPU_WEIGHT_MAX: { value: 10000, doc: 'the largest cpu.weight' },
} as const satisfies Record<string, AbiConstant>;

/** One entry of the process snapshot that `procs` writes (for ps). */
export const PROC_INFO = {
  name: 'process info',
  prefix: 'PI',
  size: 32,
  doc: 'written by procs, one per process',
  fields: {
    PID: { offset: 0, size: 4, doc: 'its pid' },
    PPID: { offset: 4, size: 4, doc: 'its parent\'s pid (0 for init)' },
    STATE: { offset: 8, size: 4, doc: 'PROC_RUNNABLE, PROC_WAITING or PROC_ZOMBIE' },
    NAME: { offset: 12, size: 16, doc: 'the name of its program (the last component of the path it exec\'d), zero padded' },
    JOB: { offset: 28, size: 4, doc: 'the boot record it descends from (1..), 0 for init' },
  },
} as const satisfies Struct;

/** The hosted VMM (`--config hosted`, docs/vmm-hosted.md): the virtualization driver of a kernel
 *  built with -D HOST (programs/kernel/kvm.s) and its user-space VMM, /bin/rlvmm. */
export const HOSTED = {
  VM_MEM_MAX: { value: 0x400_0000, doc: 'vm_memory: the most guest-physical memory a VM may have, 64 MiB (16 EPT tables)' },
  VCPU_REGS_SIZE: { value: 116, doc: 'vcpu_set_regs, vcpu_get_regs: bytes of registers, the VMCS guest-state area (r0..r15, pc, STATUS..IPEND)' },
  VM_EXIT_IO: { value: 1, doc: 'vcpu_run: the guest executed `in` or `out` on a port the kernel does not emulate (VR_PORT, VR_OUT, VR_DATA)' },
  VM_EXIT_HALT: { value: 2, doc: 'vcpu_run: the guest executed `halt`' },
  VM_EXIT_FAIL: { value: 3, doc: 'vcpu_run: the guest cannot go on: its trap handler faulted (VR_QUAL = the cause)' },
  VM_EXIT_INTR: { value: 4, doc: 'vcpu_run: the run was cut short so the VMM can do its own work (KVM_EXIT_INTR); VR_QUAL says why: VR_F_INPUT, VR_F_WATCH' },
  VM_EXIT_DEADLOCK: { value: 5, doc: 'vcpu_run: the guest waits in wfi for an interrupt that can never come (no line it enables can rise: its timer is off, the VMM expects no input); on bare metal the machine would stop' },
  VR_F_INPUT: { value: 1, doc: 'VR_FLAGS bit: return VM_EXIT_INTR as soon as the host\'s console has input for a read() (what QEMU\'s I/O thread learns from poll())' },
  VR_F_VHOST: { value: 8, doc: 'VR_FLAGS bit: the driver writes the guest\'s console output (`out CONSOLE_DATA`) to the host\'s console itself, as the VMM process\'s output, without returning from vcpu_run (the vhost idea: a device\'s data path in the host kernel)' },
  VR_Q_IDLE: { value: 4, doc: 'VR_QUAL bit of a VM_EXIT_INTR for VR_F_WATCH: the guest idles in wfi while VR_WATCH has nothing to read yet (the VMM may wait for it)' },
  VR_F_WATCH: { value: 2, doc: 'VR_FLAGS bit: the VMM waits for work done elsewhere (its I/O process\'s answer to a disk request): return VM_EXIT_INTR as soon as the pipe VR_WATCH has something to read, or when the guest idles in wfi (what QEMU\'s main loop learns from poll() on its I/O threads\' event)' },
  GUEST_IMAGE_MAGIC: { value: 0x4d564c52, doc: 'the first word of a guest image, "RLVM" (rlvmm refuses any other file)' },
} as const satisfies Record<string, AbiConstant>;

/** The exit of vcpu_run, KVM's struct kvm_run in words: the VMM reads the exit, answers an `in`
 *  in DATA and says which of its devices' interrupt lines are up in LINES, for the next run. */
export const VM_RUN = {
  name: 'vm_run structure',
  prefix: 'VR',
  size: 36,
  doc: 'shared by vcpu_run and the user-space VMM (KVM\'s struct kvm_run)',
  fields: {
    REASON: { offset: 0, size: 4, doc: 'written by the kernel: VM_EXIT_IO, VM_EXIT_HALT, VM_EXIT_FAIL, VM_EXIT_INTR or VM_EXIT_DEADLOCK' },
    PORT: { offset: 4, size: 4, doc: 'written by the kernel: the port of a VM_EXIT_IO' },
    OUT: { offset: 8, size: 4, doc: 'written by the kernel: 1 for `out`, 0 for `in`' },
    DATA: { offset: 12, size: 4, doc: '`out`: the value the guest wrote (kernel); `in`: the value the guest reads, stored by the VMM before the next vcpu_run' },
    LINES: { offset: 16, size: 4, doc: 'written by the VMM: the interrupt lines of the devices it emulates that are up (IRQ_DISK, IRQ_CONSOLE); the kernel delivers them to the guest' },
    QUAL: { offset: 20, size: 4, doc: 'written by the kernel: the exit qualification (VM_EXIT_FAIL: the trap cause; VM_EXIT_INTR: which VR_F_* bits cut the run short)' },
    PC: { offset: 24, size: 4, doc: 'written by the kernel: the guest pc of the exit' },
    FLAGS: { offset: 28, size: 4, doc: 'written by the VMM: when vcpu_run is to come back early (VR_F_INPUT, VR_F_WATCH), and what the kernel does itself (VR_F_VHOST)' },
    WATCH: { offset: 32, size: 4, doc: 'written by the VMM: with VR_F_WATCH, the descriptor of the read end of a pipe whose data ends the run' },
  },
} as const satisfies Struct;

/** The guest image rlvmm loads: this header, then LENGTH bytes of guest-physical memory from
 *  address 0 (the boot arguments at BOOTARGS, the kernel at its addresses): what a boot loader
 *  would have placed, written by the host side of `--config hosted` to a file on the host's disk. */
export const GUEST_IMAGE = {
  name: 'guest image header',
  prefix: 'GI',
  size: 16,
  doc: 'at the start of /vm/guest.img, read by rlvmm',
  fields: {
    MAGIC: { offset: 0, size: 4, doc: 'GUEST_IMAGE_MAGIC' },
    ENTRY: { offset: 4, size: 4, doc: 'the guest kernel\'s entry point (its pc at reset)' },
    MEMSIZE: { offset: 8, size: 4, doc: 'bytes of guest-physical memory the VM gets (a multiple of PAGE_SIZE)' },
    LENGTH: { offset: 12, size: 4, doc: 'bytes of guest-physical memory that follow the header, from address 0' },
  },
} as const satisfies Struct;

export const STRUCTS: readonly Struct[] = [BOOT_ARGS, BOOT_RECORD, STAT, EXEC_HEADER, EXEC_SEGMENT, PROC_INFO, SOCKADDR, NETIF, VM_RUN, GUEST_IMAGE];
