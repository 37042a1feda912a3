// Random valid guest user programs for the equivalence tester (src/fuzz/equivalence.ts).
//
// A program is a seeded sequence of blocks, each ending by folding what it observed into a
// checksum register, and a checkpoint every few blocks prints that checksum with write(). So
// anything a configuration gets wrong that the process can see (a register, a loaded word, a
// system call's result, a page that should be zero, which instruction a patched word became)
// changes the process's output or exit code, which are what the tester compares with native.
//
// Register use: s0 the checksum, s1, s2 and fp the ALU state, s3 the loop counter; a0-a3 and
// t0-t3 are scratch (the user library's helpers clobber them). The blocks:
//   alu      register and immediate arithmetic, divides by a non-zero divisor
//   memory   stores and loads of every size over a pool of addresses in heap and stack pages,
//            many next to a page boundary, so loads see earlier stores, demand-zero pages,
//            and pages that were unmapped and faulted in again
//   map      map and unmap system calls over a few heap pages, again and again
//   yield, sleep, getpid
//   syscall  system calls with odd arguments: bad buffers, unaligned or foreign addresses,
//            unknown numbers, short nanobenchmark loops
//   divzero  a divide by zero the kernel handles (after divzero(1))
//   selfmod  a store over an instruction that then runs
//   loop     a counted loop around a few blocks
//   files    file system calls on the process's own files and directory (/NAME.f, /NAME.d):
//            create, write, seek, read back, stat, dup, chdir, getcwd, rename, unlink, rmdir,
//            and odd arguments (bad pointers and descriptors, long names, bad flags); only what
//            the process alone decides is mixed in (results, bytes, sizes), never inode numbers
//            or directory sizes that other processes' files change. Drawn from a stream of
//            their own (Random.split), so adding them left every other choice as it was.
//   process  fork a child that runs a few blocks of its own (its stores land on pages shared
//            copy-on-write with the parent), prints a checkpoint and exits, or dies of a fault,
//            or execs /bin/true, /bin/false or a path that cannot run, or spins until the parent
//            kills it; the parent waits at once (so the outputs never interleave) and mixes in
//            the status word. Also wait with WNOHANG or with no child, kill and signal with odd
//            arguments; a pipe from a child to its parent, read to its end, or written with no
//            reader (EPIPE). Never a child's pid: those depend on how processes interleave (the
//            records' own pids do not: the kernel gives init's k-th child pid k + 1). Chosen
//            from a stream of their own, but a child's blocks draw on the main stream, so a
//            program changes after its first process block.
//   ns       containers (programs/kernel/ns.s): gethostname with odd sizes and pointers;
//            unshare(CLONE_NEWUTS), after which (and only after which: the boot namespace is
//            every program's) sethostname with names of 0..64 bytes, read back; unshare with
//            the reserved flags; chroot into the process's own directory (/NAME.r), paths and
//            `..` inside it, getcwd outside and inside it, then the classic escape (mkdir e,
//            chroot e, cd .. twice, chroot .) back to the real root, and the directory removed;
//            chroot with odd arguments; or, in a child of its own (so the program's later forks
//            are not born in it), a pid namespace: unshare(CLONE_NEWPID), its init's getpid,
//            getppid, kill and procs, a grandchild it waits for, and the fork that fails once
//            the init is gone; only pids inside the namespace are mixed in; or clone with
//            namespace flags (and invalid ones), the child's pids in its new pid namespace and
//            setns to itself, and setns's errors. Drawn from a stream of their own.
//   net      sockets (programs/kernel/net.s), in a child of its own that first moves to a network
//            namespace of its own (so the ports and the ephemeral ports it sees are its alone,
//            whatever the other programs do): socket with odd domains, types and protocols, bind
//            to odd addresses and ports (twice), listen with odd backlogs, getsockname, connect
//            to the listener's port or elsewhere (ENETUNREACH, ECONNREFUSED), the wrong calls in
//            the wrong states (ENOTCONN, EISCONN, EINVAL, EBADF, ENOTSOCK, EFAULT), shutdown,
//            then, when connected, accept, a few sends of up to 100 bytes, a read of them in an odd
//            size, fstat, a reply read to the end of the stream; never a recv that could wait
//            forever. The child's exit status goes into the parent's checksum. Drawn from a
//            stream of their own.
//   mount    mounts (programs/kernel/vfs.s): a mount namespace of its own first (so nothing stays
//            mounted in the boot one), then a bind mount of /NAME.m/s at /NAME.m/t (read-only
//            now and then, or with odd flags, a missing source, a file as target, an unknown
//            fstype), files made through one place and read back through the other, rename
//            across the mounts (EXDEV), rmdir of the mountpoint (EBUSY), umount while a file is
//            open (EBUSY), now and then a lazy one (MNT_DETACH: the mount gone from the list
//            at once, the open file still reading what it wrote), umount with odd arguments,
//            the mount list (its length, or ERANGE), then umount (EINVAL after a lazy one) and
//            the directories removed. Drawn from a stream of their own.
//   tmpfs    tmpfs (programs/kernel/tmpfs.s), in the program's own mount namespace (as mount):
//            mounts with bad options (EINVAL), then a tmpfs of 8, 16 or 64 KiB (read-only now
//            and then) at /NAME.t, a file written there 1 KiB at a time (up to 8 KiB) until it is full (ENOSPC)
//            or a few KiB long, read back, stat, a directory and a rename into it, a rename to
//            the disk (EXDEV), the mount list, umount while the file is open (EBUSY), umount,
//            and a second mount that finds the file gone. The bytes written are a pattern the
//            block stores first, never what other blocks left in the buffer. Drawn from a stream
//            of their own.
//   overlay  the overlay filesystem (programs/kernel/ovl.s), in the program's mount namespace
//            (made first if the mount block has not): two lower layers and an upper one under
//            /NAME.oK (files of random sizes, a directory, now and then an opaque one and a
//            whiteout), a bad mount now and then, the overlay mounted (read-only one time in
//            five), then random creates, appends (copy-ups), unlinks, mkdirs, rmdirs, renames,
//            reads, stats (the size only) and readdirs (the byte count: inode numbers depend
//            on how processes interleave) through it, mountstats' length, umount, and every
//            name the block can have made removed. Drawn from a stream of its own.
//   cgroup   control groups (programs/kernel/cgroup.s): the process makes its own group
//            (/NAME), writes its files with good and bad values and reads them back (short and
//            bad buffers too), moves itself in and reads memory.current and pids.current,
//            forks with pids.max 1 (EAGAIN), lets a child in a group with a small memory.max be
//            OOM-killed (its status, memory.events), kills a spinning child with cgroup.kill,
//            then moves back to the root and removes the group. Compared: every result, the
//            text of the files a process alone decides (limits, memory and pids counts,
//            memory.events, pids.events); never cpu.stat, whose microseconds come from timer
//            ticks that a VMM's overhead moves. The cpu.max values it sets are at least 100%
//            of a period, so the block never slows a boot down. Between a fork and its wait the
//            parent stores nothing (a copy-on-write page copied or reused would move a charge
//            depending on whether the child died first: docs/equivalence.md). Drawn from a
//            stream of their own.
//   crun     the container runtime (/bin/crun, programs/user/crun.s): the process writes a bundle
//            of its own (/NAME.c: an empty layer, a config with good and bad lines: a missing or
//            odd layer, a command that does not exist or cannot run, words with escaped spaces
//            and backslashes, a hostname, a working directory (cwd=) that exists or not, limits
//            good, bad and zero, an address of its own, an unknown key, a line without `=`), runs
//            `crun run [--keep] ID /NAME.c` in a child (clone with every namespace, the control
//            group, the veth pair, the read-only bind mount, pivot_root(".", "."), the lazy
//            umount of the old root, the exec that fails: 127 or 126) and waits for that child by its pid; with --keep, `crun kill` (not
//            running) and `crun delete`; now and then a bad id or the usage. crun's exit statuses
//            go into the checksum, its messages into the output. Never `crun list` (it shows the
//            other programs' containers, as they interleave) nor -d (a detached container ends
//            when it ends). Once per program at most (crunOps says why). Drawn from a stream of
//            their own.
//   arch     the architecture check (programs/kernel/exec.s, EX_ISA): the process writes an
//            executable of its own (/NAME.x: a header, one segment, three instructions that
//            exit with 42) whose EX_ISA word names no extension, legacy, vmx, both, a bit no
//            extension has, or a random word, and execs it in a child: the tester's machines
//            have no extension, so every config must refuse all but the first with ENOEXEC (the
//            child exits with the errno) and run the first; the status goes into the checksum,
//            and the file is removed. Drawn from a stream of their own.
// A program ends with exit(checksum) or, now and then, with a deliberate fault: a load or
// store to an address it may not touch, a privileged, illegal or foreign-extension
// instruction, a misaligned access, a jump into data or the kernel, an unhandled divide.

import { SYSCALLS } from '../abi/index.js';
import type { Random } from './random.js';

export interface ProgramOptions {
  /** Number of top-level blocks (default 24..48). */
  blocks?: number;
  /** Instruction words the guest's ISA does not have (the vmx and legacy extensions'
   *  opcodes): executing one must be an IllegalInstruction in every configuration. */
  foreignWords?: readonly number[];
}

const HEAP_BASE = 0x5000_0000;
const HEAP_PAGES = 12; // heap pages the memory blocks touch
const MAP_PAGES = 4; // pages above them that map/unmap churn over
const FILE_BUFFERS = HEAP_BASE + (HEAP_PAGES + MAP_PAGES) * 4096; // the file blocks' own page
const NET_BUFFERS = HEAP_BASE + (HEAP_PAGES + MAP_PAGES + 2) * 4096; // the net blocks' own page
const STACK_TOP = 0x8000_0000;
const STACK_PAGES = 3; // the top stack pages (the top one holds the calls' pushes too)
const ALU_REGS = ['s1', 's2', 'fp'] as const;
const SRC_REGS = ['s0', 's1', 's2', 'fp', 'zero'] as const;
const R_OPS = ['add', 'sub', 'and', 'or', 'xor', 'sll', 'srl', 'sra', 'slt', 'sltu', 'mul'] as const;
const I_OPS = ['addi', 'andi', 'ori', 'xori', 'slti', 'sltiu'] as const;
const SHIFT_OPS = ['slli', 'srli', 'srai'] as const;
const DIV_OPS = ['div', 'divu', 'rem', 'remu'] as const;

type Block = 'alu' | 'memory' | 'map' | 'yield' | 'sleep' | 'getpid' | 'syscall' | 'divzero' | 'selfmod' | 'loop' | 'checkpoint';

/** A number or a constant expression of abi.inc's names (O_*, SEEK_*), not a label. */
function isLiteral(arg: string): boolean {
  return /^-?(0x[0-9a-f]+|[0-9]+)$/.test(arg) || /^(O_|SEEK_|SIG|WNOHANG|CLONE_|AF_|SOCK_|IPPROTO_|SHUT_|INADDR_)/.test(arg);
}

/** Source text of one random program (assemble it in programs/user: it includes user.inc and
 *  lib.s). Deterministic: the same generator state gives the same text. */
export function generateProgram(rng: Random, name: string, options: ProgramOptions = {}): string {
  return new ProgramWriter(rng, name, options.foreignWords ?? []).write(options.blocks ?? rng.int(24, 48));
}

class ProgramWriter {
  private readonly lines: string[] = [];
  private readonly data: string[] = [];
  private label = 0;
  private readonly divzeroHandled: boolean;
  /** Addresses the memory blocks use: word aligned, many next to page boundaries. */
  private readonly pool: number[] = [];
  /** The files blocks' own choices (see the header). */
  private readonly files: Random;
  /** The process blocks' own choices. */
  private readonly procs: Random;
  /** The namespace blocks' own choices. */
  private readonly ns: Random;
  /** The net blocks' own choices. */
  private readonly net: Random;
  /** The control-group blocks' own choices. */
  private readonly cg: Random;
  /** Whether the program has its own UTS namespace yet (sethostname only then). */
  private unshared = false;
  /** The mount blocks' own choices. */
  private readonly mnt: Random;
  /** Whether the program has its own mount namespace yet (mounts only then). */
  private mntUnshared = false;
  /** The tmpfs blocks' own choices. */
  private readonly tmp: Random;
  /** The crun blocks' own choices. */
  private readonly crn: Random;
  /** The overlay blocks' own choices. */
  private readonly ovl: Random;
  /** Overlay blocks so far (each builds its layers under /NAME.oK). */
  private ovlCount = 0;
  /** Whether the program has had its crun block (one at most). */
  private crunDone = false;
  /** The arch blocks' own choices. */
  private readonly arch: Random;

  constructor(
    private readonly rng: Random,
    private readonly name: string,
    private readonly foreignWords: readonly number[],
  ) {
    this.files = rng.split(0x46494c45);
    this.procs = rng.split(0x50524f43);
    this.ns = rng.split(0x4e414d45);
    this.net = rng.split(0x4e455453);
    this.mnt = rng.split(0x4d4e5453);
    this.cg = rng.split(0x43475250);
    this.tmp = rng.split(0x544d5046);
    this.crn = rng.split(0x4352554e);
    this.ovl = rng.split(0x4f564c59);
    this.arch = rng.split(0x41524348);
    this.divzeroHandled = rng.chance(0.6);
    for (let i = 0; i < 24; i++) this.pool.push(this.randomAddress());
  }

  write(blocks: number): string {
    const r = this.rng;
    this.emit(`# ${this.name}: a random program of the equivalence tester (src/fuzz/program.ts)`);
    this.emit('        .include "user.inc"');
    this.emit('_start: li   s0, 0x1234');
    this.emit(`        li   s1, ${this.imm32()}`);
    this.emit(`        li   s2, ${this.imm32()}`);
    this.emit(`        li   fp, ${this.imm32()}`);
    if (this.divzeroHandled) {
      this.emit('        li   a0, 1');
      this.emit('        call divzero');
    }
    for (let i = 0; i < blocks; i++) {
      this.block(this.chooseBlock(true));
      if (r.chance(0.2)) this.checkpoint();
      if (this.files.chance(0.15)) this.fileOps();
      if (this.procs.chance(0.1)) this.processOps();
      if (this.ns.chance(0.05)) this.namespaceOps();
      if (this.net.chance(0.03)) this.netOps();
      if (this.mnt.chance(0.05)) this.mountOps();
      if (this.cg.chance(0.05)) this.cgroupOps();
      if (this.tmp.chance(0.025)) this.tmpfsOps();
      if (!this.crunDone && this.crn.chance(0.003)) this.crunOps(); // at most one: see crunOps
      if (this.ovl.chance(0.01)) this.overlayOps();
      if (this.arch.chance(0.01)) this.archOps();
    }
    this.checkpoint();
    if (r.chance(0.25)) this.fault();
    this.emit('        mv   a0, s0');
    this.emit('        andi a0, a0, 0xff');
    this.emit('        call exit');
    this.emit(`m_check: .asciz "${this.name}: "`);
    this.emit('        .align 4');
    this.lines.push(...this.data);
    this.emit('        .include "lib.s"');
    return this.lines.join('\n') + '\n';
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  private fresh(): string {
    return `L${this.label++}`;
  }

  private imm16(): number {
    return this.rng.int(-0x8000, 0x7fff);
  }

  private imm32(): string {
    return `0x${this.rng.next().toString(16)}`;
  }

  /** A word address in the heap or stack, next to a page boundary half of the time. */
  private randomAddress(): number {
    const r = this.rng;
    const page = r.chance(0.75) ? HEAP_BASE + r.int(0, HEAP_PAGES - 1) * 4096 : STACK_TOP - r.int(1, STACK_PAGES) * 4096;
    const offset = r.chance(0.5) ? r.pick([0, 4, 8, 4088, 4092]) : r.int(0, 1023) * 4;
    return page + offset;
  }

  private chooseBlock(topLevel: boolean): Block {
    return this.rng.weighted<Block>([
      ['alu', 6],
      ['memory', 8],
      ['map', 4],
      ['yield', 2],
      ['sleep', 1],
      ['getpid', 1],
      ['syscall', 3],
      ['divzero', this.divzeroHandled ? 1 : 0],
      ['selfmod', 1],
      ['loop', topLevel ? 3 : 0],
      ['checkpoint', 1],
    ]);
  }

  private block(kind: Block): void {
    switch (kind) {
      case 'alu': return this.alu();
      case 'memory': return this.memory();
      case 'map': return this.mapUnmap();
      case 'yield': return this.call('yield');
      case 'sleep': return this.sleep();
      case 'getpid': return this.call('getpid');
      case 'syscall': return this.oddSyscall();
      case 'divzero': return this.divzero();
      case 'selfmod': return this.selfmod();
      case 'loop': return this.loop();
      case 'checkpoint': return this.checkpoint();
    }
  }

  /** Fold register `reg` (a0..a3) into the checksum: xor, then rotate left 7 and add. */
  private mix(reg: string): void {
    this.emit(`        xor  s0, s0, ${reg}`);
    this.emit('        slli t3, s0, 7');
    this.emit('        srli t2, s0, 25');
    this.emit('        or   s0, t3, t2');
    this.emit('        addi s0, s0, 0x3b');
  }

  private alu(): void {
    const r = this.rng;
    const n = r.int(2, 8);
    for (let i = 0; i < n; i++) {
      const rd = r.pick(ALU_REGS);
      const rs1 = r.pick(SRC_REGS);
      switch (r.int(0, 4)) {
        case 0:
        case 1:
          this.emit(`        ${r.pick(R_OPS)} ${rd}, ${rs1}, ${r.pick(SRC_REGS)}`);
          break;
        case 2: {
          const op = r.pick(I_OPS);
          const signed = op === 'addi' || op === 'slti' || op === 'sltiu';
          this.emit(`        ${op} ${rd}, ${rs1}, ${signed ? this.imm16() : r.int(0, 0xffff)}`);
          break;
        }
        case 3:
          this.emit(`        ${r.pick(SHIFT_OPS)} ${rd}, ${rs1}, ${r.int(0, 31)}`);
          break;
        case 4:
          this.emit(`        ori  t0, ${r.pick(SRC_REGS)}, 1`); // never zero
          this.emit(`        ${r.pick(DIV_OPS)} ${rd}, ${rs1}, t0`);
          break;
      }
    }
    this.emit(`        add  a0, s1, s2`);
    this.emit(`        xor  a0, a0, fp`);
    this.mix('a0');
  }

  /** Stores and loads over the address pool, each access sized and aligned at random. */
  private memory(): void {
    const r = this.rng;
    const n = r.int(1, 4);
    for (let i = 0; i < n; i++) {
      const base = r.pick(this.pool);
      const [store, storeSize] = r.pick([['sw', 4], ['sh', 2], ['sb', 1]] as const);
      const [load, loadSize] = r.pick([['lw', 4], ['lh', 2], ['lhu', 2], ['lb', 1], ['lbu', 1]] as const);
      const offset = (size: number): number => r.int(0, 3) & ~(size - 1); // aligned within the word
      this.emit(`        li   t0, 0x${(base >>> 0).toString(16)}`);
      if (r.chance(0.6)) this.emit(`        ${store}   ${r.pick(ALU_REGS)}, ${offset(storeSize)}(t0)`);
      const other = r.chance(0.5) ? base : r.pick(this.pool);
      this.emit(`        li   t1, 0x${(other >>> 0).toString(16)}`);
      this.emit(`        ${load}  a0, ${offset(loadSize)}(t1)`);
      this.mix('a0');
    }
  }

  /** map() or unmap() on one of a few heap pages, or on one the memory blocks use, so frames
   *  are freed and reused while other processes do the same. */
  private mapUnmap(): void {
    const r = this.rng;
    const page = r.chance(0.7) ? HEAP_BASE + (HEAP_PAGES + r.int(0, MAP_PAGES - 1)) * 4096 : HEAP_BASE + r.int(0, HEAP_PAGES - 1) * 4096;
    const op = r.pick(['map', 'unmap']);
    this.emit(`        li   a0, 0x${page.toString(16)}`);
    this.emit(`        call ${op}`);
    this.mix('a0');
    if (op === 'map' && r.chance(0.7)) {
      // Use the page: its first word must read 0 after a fresh map, then holds what we store.
      this.emit(`        li   t0, 0x${page.toString(16)}`);
      this.emit(`        lw   a1, ${r.int(0, 1023) * 4}(t0)`);
      this.mix('a1');
      this.emit(`        sw   s1, ${r.int(0, 1023) * 4}(t0)`);
    }
  }

  private call(helper: string): void {
    this.emit(`        call ${helper}`);
    this.mix('a0');
  }

  private sleep(): void {
    this.emit(`        li   a0, ${this.rng.int(0, 2)}`);
    this.call('sleep');
  }

  /** A system call with odd arguments; the result goes into the checksum. */
  private oddSyscall(): void {
    const r = this.rng;
    const text = this.fresh();
    const message = `${this.name} says ${r.int(0, 999)}\\n`;
    const args: [number | string, string, string, string] = r.pick([
      // write: good buffer; bad fd; kernel, unmapped and wrapping buffers; negative length
      ['SYS_WRITE', '1', text, `${message.length - 1}`],
      ['SYS_WRITE', `${r.pick([0, 3, -1])}`, text, '4'],
      ['SYS_WRITE', '1', r.pick(['0x10000', '0x0', '0x30000000', '0x60000000', '0xffc00000']), `${r.int(0, 8)}`],
      ['SYS_WRITE', '2', text, '-1'],
      ['SYS_WRITE', '1', `0x${(HEAP_BASE + r.int(0, HEAP_PAGES) * 4096 - r.int(1, 8)).toString(16)}`, `${r.int(0, 16)}`],
      // map/unmap with unaligned, outside-the-heap and VMM-area addresses
      ['SYS_MAP', r.pick(['0x50000004', '0x4fff0000', '0x60000000', '0xffc00000', '0x40000000']), '0', '0'],
      ['SYS_UNMAP', r.pick(['0x50000800', '0x40000000', '0x10000', '0xffc00000', '0x7fffe000']), '0', '0'],
      // numbers past the ABI table's (src/abi), and the nanobenchmarks' kernel loops with small or
      // negative counts. Not uptime(): its result is the time, which no VMM need preserve.
      [r.pick([`${SYSCALLS.length}`, `${SYSCALLS.length + 1}`, '100', '-1', '0x7fffffff']), '1', '2', '3'],
      ['SYS_NANO_IN', `${r.int(-2, 3)}`, '0', '0'],
      ['SYS_NANO_CSRW', `${r.int(-2, 3)}`, '0', '0'],
      ['SYS_NANO_PTEMOD', `${r.int(-2, 3)}`, '0', '0'],
      ['SYS_GETPID', '7', '7', '7'],
      ['SYS_DIVZERO', this.divzeroHandled ? '1' : '0', '0', '0'],
    ] as const);
    const [number, a0, a1, a2] = args;
    if (a1 === text) this.data.push(`${text}: .ascii "${message}"`, '        .align 4');
    this.emit(`        li   a0, ${a0}`);
    this.emit(a1 === text ? `        la   a1, ${a1}` : `        li   a1, ${a1}`);
    this.emit(`        li   a2, ${a2}`);
    this.emit(`        li   t0, ${number}`);
    this.emit('        syscall');
    this.mix('a0');
  }

  /** A string in the data section; its label. */
  private string(text: string): string {
    const label = this.fresh();
    this.data.push(`${label}: .asciz "${text}"`, '        .align 4');
    return label;
  }

  /** A system call through its wrapper; each argument is a number or constant expression (li),
   *  a label (la), or `aN` for a value already in that register. The result is mixed in. */
  private sys(wrapper: string, ...args: string[]): void {
    args.forEach((a, i) => {
      if (a === `a${i}`) return;
      this.emit(isLiteral(a) ? `        li   a${i}, ${a}` : `        la   a${i}, ${a}`);
    });
    this.call(wrapper);
  }

  /** A buffer for the file calls: in a heap page of its own, which the memory and map blocks
   *  never touch, since calls like stat and getdents put inode numbers there, which depend on
   *  how the processes interleave. Only words a call is known to set are mixed in. */
  private heapBuffer(): string {
    return `0x${(FILE_BUFFERS + this.files.pick([0, 64, 1024, 4000])).toString(16)}`;
  }

  /** Zero the word at buf + offset before a call that may or may not set it. */
  private clear(buf: string, offset: number): void {
    this.emit(`        li   t0, ${buf}`);
    this.emit(`        sw   zero, ${offset}(t0)`);
  }

  /** File system calls (see the header); every result goes into the checksum. */
  private fileOps(): void {
    const f = this.files;
    const file = this.string(`/${this.name}.f`);
    const dir = this.string(`/${this.name}.d`);
    const buf = this.heapBuffer();
    switch (f.int(0, 2)) {
      case 0: {
        // create or open, write, seek, read back (the first word read too), fstat's size, close
        const text = this.string(`${this.name} file ${f.int(0, 999)} `.repeat(f.int(1, 4)));
        this.sys('open', file, f.pick(['O_CREAT | O_RDWR', 'O_CREAT | O_TRUNC | O_RDWR', 'O_CREAT | O_APPEND | O_RDWR']));
        this.emit('        push a0');
        this.emit('        lw   a0, 0(sp)');
        this.sys('write', 'a0', text, `${f.int(0, 40)}`);
        this.emit('        lw   a0, 0(sp)');
        this.sys('lseek', 'a0', `${f.int(-4, 40)}`, f.pick(['SEEK_SET', 'SEEK_CUR', 'SEEK_END']));
        this.clear(buf, 0);
        this.emit('        lw   a0, 0(sp)');
        this.sys('read', 'a0', buf, `${f.int(0, 64)}`);
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, 0(t0)');
        this.mix('a0');
        this.clear(buf, 4);
        this.emit('        lw   a0, 0(sp)');
        this.sys('fstat', 'a0', buf);
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, ST_SIZE(t0)');
        this.mix('a0');
        this.emit('        pop  a0');
        this.call('close');
        return;
      }
      case 1: {
        // a directory of its own: make it, work inside it by relative names, climb out, remove
        const rel = this.string('f');
        const rel2 = this.string('g');
        const root = this.string('/');
        this.sys('mkdir', dir);
        this.sys('chdir', dir);
        this.sys('open', rel, 'O_CREAT | O_WRONLY');
        this.call('close');
        this.clear(buf, 4);
        this.sys('getcwd', buf, `${f.int(1, 40)}`);
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, 4(t0)');
        this.mix('a0');
        this.sys('rename', rel, rel2);
        this.clear(buf, 8);
        this.sys('stat', rel2, buf);
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, ST_NLINK(t0)');
        this.mix('a0');
        if (f.chance(0.7)) this.sys('unlink', rel2);
        this.sys('chdir', root);
        this.sys('rmdir', dir);
        return;
      }
      default: {
        // one call with odd arguments
        const long = this.string(`/${'x'.repeat(f.int(28, 40))}`);
        const root = this.string('/');
        const badPointer = f.pick(['0x0', '0x10000', '0x30000000', '0x60000000', '0xffc00000', '0x7ffffffe']);
        const badFd = `${f.pick([-1, 16, 99, 7, 0x7fffffff])}`;
        const calls: [string, ...string[]][] = [
          ['open', badPointer, 'O_RDONLY'],
          ['open', long, 'O_CREAT | O_WRONLY'],
          ['open', file, f.pick(['3', '0x8000', 'O_CREAT | O_EXCL | O_RDWR', 'O_RDONLY', 'O_WRONLY | O_TRUNC'])],
          [f.pick(['read', 'write']), badFd, buf, '4'],
          [f.pick(['close', 'dup']), badFd],
          ['dup2', f.pick(['1', badFd]), f.pick(['1', '5', badFd])],
          ['lseek', f.pick(['0', '1', badFd]), '0', f.pick(['SEEK_SET', '3'])],
          ['fstat', f.pick(['1', badFd]), f.pick([buf, badPointer])],
          ['getdents', f.pick(['0', badFd]), buf, '64'],
          ['getcwd', f.pick([buf, badPointer]), `${f.int(0, 3)}`],
          ['stat', f.pick([file, badPointer, long]), f.pick([buf, badPointer])],
          [f.pick(['mkdir', 'rmdir', 'unlink', 'chdir']), f.pick([root, badPointer, long, file])],
          ['rename', f.pick([file, root]), f.pick([long, badPointer, dir])],
          ['read', '0', buf, '16'],
          ['read', '1', badPointer, `${f.int(-1, 8)}`],
        ];
        const [wrapper, ...args] = f.pick(calls);
        this.sys(wrapper, ...args);
      }
    }
  }

  private divzero(): void {
    const rd = this.rng.pick(ALU_REGS);
    this.emit(`        ${this.rng.pick(DIV_OPS)} ${rd}, s2, zero  # the kernel makes it 0`);
    this.emit(`        mv   a0, ${rd}`);
    this.mix('a0');
  }

  /** Copy an instruction word over the instruction right after, which then runs. */
  private selfmod(): void {
    const r = this.rng;
    const target = this.fresh();
    const source = this.fresh();
    const after = this.fresh();
    this.emit(`        la   t0, ${source}`);
    this.emit('        lw   t1, 0(t0)');
    this.emit(`        la   t0, ${target}`);
    this.emit('        sw   t1, 0(t0)');
    this.emit(`${target}: addi s1, s1, 1      # replaced by the word at ${source} before it runs`);
    this.emit(`        j    ${after}`);
    this.emit(`${source}: ${r.pick(['xori', 'addi', 'ori'])} s1, s1, ${r.int(0, 0x7fff)}`);
    this.emit(`${after}: mv   a0, s1`);
    this.mix('a0');
  }

  private loop(): void {
    const top = this.fresh();
    this.emit(`        li   s3, ${this.rng.int(2, 12)}`);
    this.emit(`${top}:`);
    const n = this.rng.int(1, 4);
    for (let i = 0; i < n; i++) this.block(this.chooseBlock(false));
    this.emit('        addi s3, s3, -1');
    this.emit(`        bnez s3, ${top}`);
  }

  /** Process calls (see the header); the status words go into the checksum. */
  private processOps(): void {
    const p = this.procs;
    const status = `0x${(FILE_BUFFERS + 2048).toString(16)}`; // in the file blocks' page, away from their buffers
    const child = this.fresh();
    const parent = this.fresh();
    const waitChild = (): void => this.reapChild(status, false);
    switch (p.int(0, 5)) {
      case 0:
      case 1: {
        // fork: the child runs blocks of its own, then exits or faults
        this.emit('        call fork');
        this.emit(`        bnez a0, ${parent}`);
        const blocks = p.int(1, 4);
        for (let i = 0; i < blocks; i++) this.block(p.pick(['alu', 'memory', 'memory', 'map', 'selfmod', 'yield'] as const));
        if (p.chance(0.5)) this.sys('getppid');
        this.checkpoint();
        if (p.chance(0.2)) this.fault();
        this.emit('        andi a0, s0, 0xff');
        this.emit('        call exit');
        this.emit(`${parent}:`);
        this.emit('        srli a0, a0, 31');
        this.mix('a0');
        waitChild();
        return;
      }
      case 2: {
        // fork and exec: a program, a failure, odd arguments
        const path = p.pick(['/bin/true', '/bin/false', '/bin/nothing-here', '/bin', '/sbin/init/x', '']);
        const argv = p.pick(['none', 'list', 'bad']);
        this.emit('        call fork');
        this.emit(`        bnez a0, ${parent}`);
        const name = this.string(path);
        if (argv === 'list') {
          const arg0 = this.string('arg0');
          const arg1 = this.string(`x${p.int(0, 99)}`);
          const list = this.fresh();
          this.data.push(`${list}: .word ${arg0}, ${arg1}, 0`);
          this.sys('exec', name, list);
        } else this.sys('exec', name, argv === 'bad' ? p.pick(['0x10000', '0x7ffffffd', '0x60000000']) : '0');
        this.emit('        sub  a0, zero, a0'); // exec returned: exit with its errno
        this.emit('        call exit');
        this.emit(`${parent}:`);
        waitChild();
        return;
      }
      case 3: {
        // a child that would run forever, ended by a signal (or ignoring one first)
        const spin = this.fresh();
        const ignore = p.chance(0.3);
        this.emit('        call fork');
        this.emit(`        bnez a0, ${parent}`);
        if (ignore) this.sys('signal', 'SIGTERM', 'SIG_IGN');
        this.emit(`${spin}:  call yield`);
        this.emit(`        j    ${spin}`);
        this.emit(`${parent}:`);
        this.sys('kill', 'a0', ignore ? 'SIGKILL' : p.pick(['SIGTERM', 'SIGKILL', 'SIGINT']));
        waitChild();
        return;
      }
      case 5: {
        // a pipe: a child writes, the parent reads to the end of it (only the total is mixed:
        // how the bytes split into reads depends on the interleaving); or a write with no reader
        const fds = `0x${(FILE_BUFFERS + 2056).toString(16)}`;
        const total = `0x${(FILE_BUFFERS + 2064).toString(16)}`;
        const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`;
        this.sys('pipe', fds);
        if (p.chance(0.3)) {
          this.sys('signal', 'SIGPIPE', 'SIG_IGN');
          this.emit(`        li   t0, ${fds}`);
          this.emit('        lw   a0, 0(t0)');
          this.call('close');
          this.emit(`        li   t0, ${fds}`);
          this.emit('        lw   a0, 4(t0)');
          this.sys('write', 'a0', buf, `${p.int(0, 16)}`);
          this.emit(`        li   t0, ${fds}`);
          this.emit('        lw   a0, 4(t0)');
          this.call('close');
          this.sys('signal', 'SIGPIPE', 'SIG_DFL');
          return;
        }
        const text = this.string(`${this.name} pipes ${p.int(0, 9999)} `.repeat(p.int(1, 6)));
        const writes = p.int(1, 12);
        const size = p.int(0, 120);
        const again = this.fresh();
        const done = this.fresh();
        this.emit('        call fork');
        this.emit(`        bnez a0, ${parent}`);
        this.emit(`        li   t0, ${fds}`);
        this.emit('        lw   a0, 0(t0)');
        this.emit('        call close');
        for (let i = 0; i < writes; i++) {
          this.emit(`        li   t0, ${fds}`);
          this.emit('        lw   a0, 4(t0)');
          this.emit(`        la   a1, ${text}`);
          this.emit(`        li   a2, ${size}`);
          this.emit('        call write');
        }
        this.emit('        li   a0, 0');
        this.emit('        call exit');
        this.emit(`${parent}:`);
        this.emit(`        li   t0, ${fds}`);
        this.emit('        lw   a0, 4(t0)');
        this.emit('        call close');
        this.clear(total, 0);
        this.emit(`${again}:`);
        this.emit(`        li   t0, ${fds}`);
        this.emit('        lw   a0, 0(t0)');
        this.emit(`        li   a1, ${buf}`);
        this.emit(`        li   a2, ${p.pick([1, 7, 64, 900])}`);
        this.emit('        call read');
        this.emit(`        bge  zero, a0, ${done}`);
        this.emit(`        li   t0, ${total}`);
        this.emit('        lw   t1, 0(t0)');
        this.emit('        add  t1, t1, a0');
        this.emit('        sw   t1, 0(t0)');
        this.emit(`        j    ${again}`);
        this.emit(`${done}:`);
        this.mix('a0'); // 0: the end of the pipe
        this.emit(`        li   t0, ${total}`);
        this.emit('        lw   a0, 0(t0)');
        this.mix('a0');
        this.emit(`        li   t0, ${fds}`);
        this.emit('        lw   a0, 0(t0)');
        this.emit('        call close');
        waitChild();
        return;
      }
      case 4: {
        // calls with nothing to wait for, and odd signals
        this.sys('wait', p.pick(['-1', '0x7fffffff']), '0', p.pick(['0', 'WNOHANG', '0x10']));
        this.sys('kill', p.pick(['1', '0x7fffffff', '-5']), p.pick(['0', 'SIGTERM', '64', '3']));
        this.sys('signal', p.pick(['SIGKILL', 'SIGCHLD', '0', '40', 'SIGPIPE']), p.pick(['SIG_IGN', 'SIG_DFL', '2']));
        return;
      }
    }
  }

  /** wait(-1) for any child, with its status word at `status`: both go into the checksum, the
   *  pid whole when it is one inside a namespace (deterministic), else only its sign (a level-0
   *  pid depends on how the processes interleave). */
  private reapChild(status: string, wholePid: boolean): void {
    this.clear(status, 0);
    this.emit('        li   a0, -1');
    this.emit(`        li   a1, ${status}`);
    this.emit('        li   a2, 0');
    this.emit('        call wait');
    if (!wholePid) this.emit('        srli a0, a0, 31');
    this.mix('a0');
    this.emit(`        li   t0, ${status}`);
    this.emit('        lw   a0, 0(t0)');
    this.mix('a0');
  }

  /** An executable with a random EX_ISA, written and exec'd in a child (see the header). */
  private archOps(): void {
    const a = this.arch;
    const status = `0x${(FILE_BUFFERS + 2048).toString(16)}`; // as processOps: away from the file blocks' buffers
    const isa = a.pick(['0', '1', '2', '3', '0x80000000', `0x${a.next().toString(16)}`]);
    const path = this.string(`/${this.name}.x`);
    const [image, code, end] = [this.fresh(), this.fresh(), this.fresh()];
    // The file: EX_MAGIC, EX_ENTRY, EX_NSEG, EX_ISA, one segment (ES_VADDR, ES_OFFSET, ES_FILESZ,
    // ES_MEMSZ) and its code, assembled here as data: exit(42).
    this.data.push(
      '        .align 4',
      `${image}: .word EXEC_MAGIC, USER_BASE, 1, ${isa}`,
      `        .word USER_BASE, EX_SEGS + ES_SIZEOF, ${end} - ${code}, ${end} - ${code}`,
      `${code}: li   a0, 42`,
      '        li   t0, SYS_EXIT',
      '        syscall',
      `${end}:`,
    );
    const fd = this.fresh();
    this.data.push(`${fd}: .word 0`);
    this.sys('open', path, 'O_CREAT | O_TRUNC | O_WRONLY');
    this.emit(`        la   t0, ${fd}`);
    this.emit('        sw   a0, 0(t0)');
    this.sys('write', 'a0', image, `${end} - ${image}`);
    this.emit(`        la   t0, ${fd}`);
    this.emit('        lw   a0, 0(t0)');
    this.call('close');
    const parent = this.fresh();
    this.emit('        call fork');
    this.emit(`        bnez a0, ${parent}`);
    this.sys('exec', path, '0');
    this.emit('        sub  a0, zero, a0'); // exec returned: exit with its errno (ENOEXEC)
    this.emit('        call exit');
    this.emit(`${parent}:`);
    this.reapChild(status, false);
    this.sys('unlink', path);
  }

  /** Mount calls (see the header); every result goes into the checksum. */
  private mountOps(): void {
    const m = this.mnt;
    const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`; // in the file blocks' page, away from the others
    if (!this.mntUnshared || m.chance(0.2)) {
      this.sys('unshare', 'CLONE_NEWNS');
      this.mntUnshared = true;
    }
    const base = `/${this.name}.m`;
    const dir = this.string(base);
    const src = this.string(`${base}/s`);
    const tgt = this.string(`${base}/t`);
    const srcFile = this.string(`${base}/s/f`);
    const tgtFile = this.string(`${base}/t/f`);
    const other = this.string(`${base}/g`);
    const nope = this.string(`${base}/nope`);
    const unknown = this.string('ext4');
    this.sys('mkdir', dir);
    this.sys('mkdir', src);
    this.sys('mkdir', tgt);
    const bad = m.int(0, 5);
    if (bad === 0) this.sys('mount', src, tgt, '0', m.pick(['0x8000', '0x2', '-1']));
    if (bad === 1) this.sys('mount', nope, tgt, '0', 'MS_BIND');
    if (bad === 2) this.sys('mount', '0', tgt, m.chance(0.5) ? unknown : '0x10', '0');
    if (bad === 3) this.sys('mount', src, m.chance(0.5) ? '0x10' : nope, '0', 'MS_BIND');
    const ro = m.chance(0.3);
    this.sys('mount', src, tgt, '0', ro ? 'MS_BIND | MS_RDONLY' : 'MS_BIND');
    const [writeAt, readAt] = ro || m.chance(0.5) ? [srcFile, tgtFile] : [tgtFile, srcFile];
    this.sys('open', writeAt, 'O_CREAT | O_RDWR');
    this.emit(`        li   t0, ${buf}`); // the descriptor, kept at buf + 256
    this.emit('        sw   a0, 256(t0)');
    // what is written is read back below: zeros, not what other blocks left in the buffer (a
    // getdents there leaves inode numbers, which depend on how processes interleave)
    for (let offset = 0; offset < 64; offset += 4) this.clear(buf, offset);
    this.emit(`        li   a1, ${buf}`);
    this.emit(`        li   a2, ${m.int(1, 64)}`);
    this.call('write');
    if (m.chance(0.5)) {
      this.sys('umount', tgt, '0'); // EBUSY while the file is open (when opened through it)
    }
    if (m.chance(0.3)) {
      // a lazy unmount: gone from the namespace at once (the stat below and the last umount
      // see it so), while the open file still reads what it wrote through the detached mount
      this.sys('umount', tgt, 'MNT_DETACH');
      this.sys('mounts', buf, '256'); // (buf + 256 holds the descriptor)
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, 256(t0)');
      this.emit('        li   a1, 0');
      this.emit('        li   a2, SEEK_SET');
      this.call('lseek');
      this.clear(buf, 0);
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, 256(t0)');
      this.emit(`        li   a1, ${buf}`);
      this.emit('        li   a2, 4');
      this.call('read');
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, 0(t0)');
      this.mix('a0');
    }
    this.emit(`        li   t0, ${buf}`);
    this.emit('        lw   a0, 256(t0)');
    this.call('close');
    for (const offset of [0, 4, 8]) this.clear(buf, offset); // a stat that fails leaves them: other blocks' bytes
    this.sys('stat', readAt, buf);
    this.emit(`        li   t0, ${buf}`);
    this.emit(`        lw   a0, ${m.pick([0, 4, 8])}(t0)`);
    this.mix('a0');
    if (m.chance(0.5)) this.sys('rename', tgtFile, other); // EXDEV
    if (m.chance(0.5)) this.sys('rmdir', tgt); // EBUSY
    if (m.chance(0.3)) this.sys('umount', m.pick([src, dir, nope, '0x10']), m.pick(['0', 'MNT_DETACH']));
    this.sys('mounts', buf, `${m.pick([0, 16, 512])}`);
    this.sys('umount', tgt, '0');
    this.sys('unlink', srcFile);
    this.sys('rmdir', tgt);
    this.sys('rmdir', src);
    this.sys('rmdir', dir);
  }

  /** Overlay calls (see the header); every result goes into the checksum. */
  private overlayOps(): void {
    const o = this.ovl;
    const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`; // in the file blocks' page, away from the others
    if (!this.mntUnshared) {
      this.sys('unshare', 'CLONE_NEWNS');
      this.mntUnshared = true;
    }
    const base = `/${this.name}.o${this.ovlCount++}`;
    const path = (rel: string): string => this.string(`${base}${rel}`);
    const names = ['a', 'b', 'c'];
    const lowerFiles: string[] = [];
    const mkfile = (rel: string, size: number, flags = 'O_CREAT | O_WRONLY | O_TRUNC'): void => {
      if (!rel.startsWith('/m/')) lowerFiles.push(rel);
      this.sys('open', path(rel), flags);
      this.emit(`        li   t0, ${buf}`); // the descriptor, kept at buf + 256
      this.emit('        sw   a0, 256(t0)');
      this.emit(`        li   a1, ${buf}`);
      this.emit(`        li   a2, ${size}`);
      this.call('write');
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, 256(t0)');
      this.call('close');
    };
    for (const d of ['', '/l1', '/l2', '/u', '/w', '/m']) this.sys('mkdir', path(d));
    for (const layer of ['/l1', '/l2']) for (const n of names) if (o.chance(0.35)) mkfile(`${layer}/${n}`, o.int(0, 300));
    if (o.chance(0.5)) {
      this.sys('mkdir', path('/l1/x'));
      mkfile('/l1/x/a', o.int(0, 50));
      if (o.chance(0.5)) {
        this.sys('mkdir', path('/l2/x'));
        if (o.chance(0.5)) mkfile('/l2/x/.wh..wh..opq', 0);
      }
    }
    if (o.chance(0.4)) mkfile(`/l2/.wh.${o.pick(names)}`, 0);
    const m = path('/m');
    const overlay = this.string('overlay');
    if (o.chance(0.3)) {
      const bad = o.pick([`lowerdir=${base}/nope`, `lowerdir=${base}/l1/a`, 'upperdir=/', `lowerdir=${base}/l1,bogus`, '', `lowerdir=${base}/l1:`]);
      this.sys('mount', this.string(bad), m, overlay, '0');
    }
    const upper = o.chance(0.8);
    this.sys('mount', this.string(`lowerdir=${base}/l2:${base}/l1${upper ? `,upperdir=${base}/u,workdir=${base}/w` : ''}`), m, overlay, '0');
    const ops = o.int(2, 6);
    const upperMade = new Set<string>(); // what the calls may leave in upper, for the clean-up
    for (let i = 0; i < ops; i++) {
      const n = o.pick(names);
      const d = o.pick(['x', 'y']);
      switch (o.int(0, 7)) {
        case 0:
          mkfile(`/m/${n}`, o.int(0, 200), o.pick(['O_CREAT | O_WRONLY | O_APPEND', 'O_CREAT | O_WRONLY | O_TRUNC', 'O_WRONLY | O_APPEND', 'O_RDWR']));
          upperMade.add(`/u/${n}`).add(`/u/.wh.${n}`);
          break;
        case 1: {
          const rel = o.chance(0.8) ? n : `x/${n}`;
          this.sys('unlink', path(`/m/${rel}`));
          upperMade.add(`/u/${rel}`).add(`/u/${rel.replace(/[^/]*$/, (b) => `.wh.${b}`)}`);
          if (rel.startsWith('x/')) upperMade.add('/u/x/.wh..wh..opq');
          break;
        }
        case 2:
          this.sys('mkdir', path(`/m/${d}`));
          upperMade.add(`/u/.wh.${d}`).add(`/u/${d}/.wh..wh..opq`);
          break;
        case 3:
          this.sys('rmdir', path(`/m/${d}`));
          upperMade.add(`/u/.wh.${d}`).add('/u/x/.wh..wh..opq');
          for (const m of names) upperMade.add(`/u/x/.wh.${m}`);
          break;
        case 4: { // readdir: the byte count
          this.sys('open', path(o.chance(0.7) ? '/m' : '/m/x'), 'O_RDONLY');
          this.emit(`        li   t0, ${buf}`);
          this.emit('        sw   a0, 256(t0)');
          this.emit(`        li   a1, ${buf}`);
          this.emit(`        li   a2, ${o.pick([32, 96, 255])}`);
          this.call('getdents');
          this.emit(`        li   t0, ${buf}`);
          this.emit('        lw   a0, 256(t0)');
          this.call('close');
          break;
        }
        case 5:
          this.clear(buf, 0);
          this.clear(buf, 4);
          this.clear(buf, 8);
          this.sys('stat', path(`/m/${n}`), buf);
          this.emit(`        li   t0, ${buf}`);
          this.emit('        lw   a0, ST_SIZE(t0)');
          this.mix('a0');
          break;
        case 6: {
          const to = o.pick([...names, 'x', 'y']);
          this.sys('rename', path(`/m/${o.chance(0.8) ? n : d}`), path(`/m/${to}`));
          upperMade.add(`/u/${n}`).add(`/u/.wh.${n}`).add(`/u/${to}`).add(`/u/.wh.${to}`);
          break;
        }
        default: { // read: the count
          this.sys('open', path(`/m/${n}`), 'O_RDONLY');
          this.emit(`        li   t0, ${buf}`);
          this.emit('        sw   a0, 256(t0)');
          this.emit(`        li   a1, ${buf}`);
          this.emit('        li   a2, 256');
          this.call('read');
          this.emit(`        li   t0, ${buf}`);
          this.emit('        lw   a0, 256(t0)');
          this.call('close');
        }
      }
    }
    this.sys('mountstats', m, buf, `${o.pick([16, 512])}`);
    this.sys('umount', m, '0');
    // every name the block can have made (results not mixed): the files it made in the lower
    // layers, and what its calls may have left in upper (files, whiteouts, opaque markers)
    for (const f of [...upperMade].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1)).concat(lowerFiles)) {
      this.emit(`        la   a0, ${path(f)}`);
      this.emit('        call unlink');
    }
    for (const d of ['/u/x', '/u/y', '/l1/x', '/l2/x', '/l1', '/l2', '/u', '/w', '/m', '']) {
      this.emit(`        la   a0, ${path(d)}`);
      this.emit('        call rmdir');
    }
  }

  /** tmpfs calls (see the header); every result goes into the checksum. */
  private tmpfsOps(): void {
    const t = this.tmp;
    const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`; // 1 KiB to the end of the file blocks' page
    const stat = `0x${(FILE_BUFFERS + 2048).toString(16)}`;
    if (!this.mntUnshared) {
      this.sys('unshare', 'CLONE_NEWNS');
      this.mntUnshared = true;
    }
    const dir = this.string(`/${this.name}.t`);
    const file = this.string(`/${this.name}.t/f`);
    const sub = this.string(`/${this.name}.t/d`);
    const moved = this.string(`/${this.name}.t/d/g`);
    const disk = this.string(`/${this.name}.x`);
    const tmpfs = this.string('tmpfs');
    this.sys('mkdir', dir);
    if (t.chance(0.4)) this.sys('mount', this.string(t.pick(['size=0', 'size=9m', 'size=12q', 'nr_inodes=5', 'size=', ',size=4k,mode=1777'])), dir, tmpfs, '0');
    const ro = t.chance(0.15);
    this.sys('mount', this.string(t.pick(['size=8k', 'size=16k', 'size=64k', 'size=16384,', ''])), dir, tmpfs, ro ? 'MS_RDONLY' : '0');
    const loop = this.fresh();
    this.emit(`        li   t0, ${buf}`); // the pattern written: 256 words
    this.emit('        li   t1, 256');
    this.emit(`        li   t2, ${t.int(0, 0xffff)}`);
    this.emit(`${loop}: sw   t2, 0(t0)`);
    this.emit('        addi t0, t0, 4');
    this.emit('        addi t2, t2, 7');
    this.emit('        addi t1, t1, -1');
    this.emit(`        bnez t1, ${loop}`);
    this.sys('open', file, 'O_CREAT | O_RDWR');
    this.emit(`        li   t0, ${buf}`);
    this.emit('        sw   a0, -4(t0)'); // the descriptor, kept just below the pattern
    const fd = (): void => {
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, -4(t0)');
    };
    for (let i = t.int(1, 8); i > 0; i--) {
      fd();
      this.emit(`        li   a1, ${buf}`);
      this.emit(`        li   a2, ${t.pick([1024, 1024, 1000, 17])}`);
      this.call('write');
    }
    fd();
    this.sys('lseek', 'a0', `${t.int(0, 3000)}`, 'SEEK_SET');
    fd();
    this.emit(`        li   a1, ${stat}`);
    this.emit('        li   a2, 16');
    this.call('read');
    for (const offset of [0, 4, 8, 12]) {
      this.emit(`        li   t0, ${stat}`);
      this.emit(`        lw   a0, ${offset}(t0)`);
      this.mix('a0');
    }
    this.clear(stat, 8);
    this.sys('stat', file, stat);
    this.emit(`        li   t0, ${stat}`);
    this.emit('        lw   a0, 8(t0)'); // its size
    this.mix('a0');
    this.sys('mkdir', sub);
    if (t.chance(0.5)) this.sys('rename', file, moved);
    this.sys('rename', t.chance(0.5) ? file : moved, disk); // EXDEV (or ENOENT)
    this.sys('mounts', stat, `${t.pick([0, 16, 1024])}`);
    if (t.chance(0.5)) this.sys('umount', dir, '0'); // EBUSY: the file is open
    fd();
    this.call('close');
    this.sys('umount', dir, '0');
    this.sys('mount', '0', dir, tmpfs, '0');
    this.sys('stat', file, stat); // ENOENT: a new instance
    this.sys('umount', dir, '0');
    this.sys('rmdir', dir);
  }

  /** Control-group calls (see the header): results and the text read back go into the checksum. */
  private cgroupOps(): void {
    const c = this.cg;
    const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`; // in the file blocks' page, away from the others
    const status = `0x${(FILE_BUFFERS + 3064).toString(16)}`;
    const group = this.string(`/${this.name}`);
    const root = this.string('/');
    const procs = this.string('cgroup.procs');
    const zero = this.string('0');
    const write = (file: string, text: string, len?: number): void => {
      this.sys('cgroup_write', group, this.string(file), this.string(text), `${len ?? text.length}`);
    };
    const read = (file: string, len = 64): void => {
      for (const offset of [0, 4, 8, 12]) this.clear(buf, offset);
      this.sys('cgroup_read', group, this.string(file), buf, `${len}`);
      for (const offset of [0, 4, 8, 12]) {
        this.emit(`        li   t0, ${buf}`);
        this.emit(`        lw   a0, ${offset}(t0)`);
        this.mix('a0');
      }
    };
    const moveSelf = (to: string): void => this.sys('cgroup_write', to, procs, zero, '1');
    // A child's status word is cleared before the fork, not between the fork and the wait: a
    // store by the parent while the child still shares its pages copies the page (the copy
    // charged to the parent's group of that moment, the original uncharged from the group that
    // allocated it when the child exits), while the same store after the child's exit reuses
    // the page, which stays charged where it was. Which of the two happens depends on whether
    // the child ran (and died) first, so a later memory.current of the group would depend on
    // the interleaving (boot set 623698108). Between fork and wait the parent stores nothing;
    // wait's own store of the status comes after the child's exit, so it never copies.
    const clearStatus = (): void => this.clear(status, 0);
    const waitMix = (): void => {
      this.emit('        li   a0, -1');
      this.emit(`        li   a1, ${status}`);
      this.emit('        li   a2, 0');
      this.emit('        call wait');
      this.emit('        srli a0, a0, 31'); // the pid: only whether it failed
      this.mix('a0');
      this.emit(`        li   t0, ${status}`);
      this.emit('        lw   a0, 0(t0)');
      this.mix('a0');
    };
    this.sys('cgroup_mkdir', group);
    if (c.chance(0.2)) this.sys('cgroup_mkdir', group); // EEXIST
    const ops = c.int(1, 3);
    for (let i = 0; i < ops; i++) {
      switch (c.int(0, 5)) {
        case 0: {
          // a file written with a good or a bad value, then read back
          const [file, values] = c.pick([
            ['cpu.max', ['max', 'max 100000', '100000 100000', '200000 100000', '0', '999', 'abc', '1000 999', '1000 5000x', '-5', '']],
            ['cpu.weight', ['1', '100', '10000', '0', '10001', 'max', '-1', '300']],
            ['memory.max', ['max', '1M', '5000', '64K', '1G', '-1', '12Q', '99999999999']],
            ['memory.high', ['max', '1M', '32K', 'x']],
            ['pids.max', ['max', '0', '5', '-1', '9x']],
            ['cgroup.kill', ['0', '2', 'x']],
            ['cpu.stat', ['1']],
            ['nosuch', ['1']],
          ] as [string, string[]][]);
          write(file, c.pick(values));
          read(file, file === 'cpu.stat' ? 0 : c.pick([0, 4, 64, -1])); // cpu.stat: ticks (only its result)
          break;
        }
        case 1: {
          // in the group: its own pages and itself are what it holds
          write('memory.max', 'max');
          moveSelf(group);
          this.block('memory');
          read('memory.current');
          read('pids.current');
          read(c.pick(['cgroup.procs', 'pids.events', 'memory.events']));
          this.sys('cgroup_rmdir', group); // EBUSY: it is in it
          moveSelf(root);
          break;
        }
        case 2: {
          // pids.max 1: its fork fails
          write('pids.max', '1');
          moveSelf(group);
          const child = this.fresh();
          this.emit('        call fork');
          this.emit(`        beqz a0, ${child}`);
          this.mix('a0'); // -EAGAIN
          read('pids.events');
          moveSelf(root);
          write('pids.max', 'max');
          const after = this.fresh();
          this.emit(`        j    ${after}`);
          this.emit(`${child}:`);
          this.emit('        li   a0, 0');
          this.emit('        call exit');
          this.emit(`${after}:`);
          break;
        }
        case 3: {
          // a child over memory.max is OOM-killed
          write('memory.max', c.pick(['0', '8K', '16K']));
          const child = this.fresh();
          clearStatus();
          this.emit('        call fork');
          this.emit(`        beqz a0, ${child}`);
          waitMix();
          read('memory.events');
          write('memory.max', 'max');
          const after = this.fresh();
          this.emit(`        j    ${after}`);
          this.emit(`${child}:`);
          moveSelf(group);
          const loop = this.fresh();
          this.emit(`        li   t0, 0x${(FILE_BUFFERS + 0x10000).toString(16)}`);
          this.emit(`        li   t1, ${c.int(4, 24)}`);
          this.emit(`${loop}: sw   t1, 0(t0)`);
          this.emit('        li   t2, 4096');
          this.emit('        add  t0, t0, t2');
          this.emit('        addi t1, t1, -1');
          this.emit(`        bnez t1, ${loop}`);
          this.emit('        andi a0, s0, 0xff');
          this.emit('        call exit');
          this.emit(`${after}:`);
          break;
        }
        case 4: {
          // cgroup.kill: a child born in the group spins until the write kills it
          moveSelf(group);
          const child = this.fresh();
          clearStatus();
          this.emit('        call fork');
          this.emit(`        beqz a0, ${child}`);
          this.emit('        srli a0, a0, 31');
          this.mix('a0');
          moveSelf(root);
          write('cgroup.kill', '1');
          waitMix();
          const after = this.fresh();
          this.emit(`        j    ${after}`);
          this.emit(`${child}:`);
          this.emit('        addi t1, t1, 1');
          this.emit(`        j    ${child}`);
          this.emit(`${after}:`);
          break;
        }
        default: {
          // odd arguments
          const bad = c.pick(['0x10000', '0x0', '0xffc00000']);
          this.sys('cgroup_read', c.chance(0.5) ? bad : group, c.chance(0.5) ? bad : this.string('cpu.max'), buf, '16');
          this.sys('cgroup_write', group, this.string('pids.max'), bad, '3');
          this.sys('cgroup_write', group, this.string('pids.max'), this.string('max'), `${c.pick([-1, 65, 1000])}`);
          this.sys('cgroup_mkdir', this.string(c.pick(['/nope/x', '/..', '/0123456789abcdefg', `/${this.name}/.`])));
          this.sys('cgroup_rmdir', this.string(c.pick(['/', '/nope'])));
        }
      }
    }
    moveSelf(root);
    this.sys('cgroup_rmdir', group);
  }

  /** The container runtime (see the header): exit statuses into the checksum. Rare, and once per
   *  program at most: a crun run makes about 18 synchronous disk writes (its state, the bundle),
   *  which under the vtx-2006 preset (36 million cycles a request) cost some 650 million cycles,
   *  a quarter of a boot set's budget. */
  private crunOps(): void {
    this.crunDone = true;
    const c = this.crn;
    const buf = `0x${(FILE_BUFFERS + 3072).toString(16)}`; // in the file blocks' page, away from the others
    const base = `/${this.name}.c`;
    const index = Number.parseInt(this.name.replace(/\D/g, '') || '0', 10) % 200; // rndN: an address of its own
    const lines: string[] = [];
    const layer = c.weighted<string | undefined>([[`${base}/l`, 12], [`${base}/nope`, 1], [`${base}/config`, 1], [undefined, 1]]);
    if (layer !== undefined) lines.push(`layers=${layer}`);
    // words escaped as the host writes them (a backslash before a space or a backslash)
    const cmd = c.weighted<string | undefined>([['nothere', 6], ['nothere a b', 2], ['/', 2], ['not\\ here a\\\\b c\\', 2], [undefined, 1]]);
    if (cmd !== undefined) lines.push(`cmd=${cmd}`);
    if (c.chance(0.5)) lines.push(`hostname=h${c.int(0, 999)}`);
    if (c.chance(0.2)) lines.push(`cwd=${c.pick(['/', '/nothere', '/.pivot_root'])}`);
    const limits: [string, string[]][] = [
      ['cpu.max', ['max 100000', '100000 100000', '200000 100000', '0 100000', 'abc']],
      ['cpu.weight', ['1', '100', '10000', '0', '10001']],
      ['memory.max', ['max', '1M', '0', '12Q']],
      ['memory.high', ['max', '1M', 'x']],
      ['pids.max', ['max', '1', '5', '0', '-1']],
    ];
    for (const [file, values] of limits) if (c.chance(0.3)) lines.push(`${file}=${c.pick(values)}`);
    if (c.chance(0.3)) lines.push(c.chance(0.8) ? `net=10.77.${index}.2` : 'net=10.77.1');
    if (c.chance(0.2)) lines.push(`upper=${c.pick(['none', 'bogus'])}`);
    if (c.chance(0.1)) lines.push('colour=blue');
    if (c.chance(0.1)) lines.push('junk');
    const config = lines;
    const text = this.string(config.map((l) => l.replace(/\\/g, '\\\\')).join('\\n') + '\\n'); // .asciz escapes
    const status = `0x${(FILE_BUFFERS + 3064).toString(16)}`;
    this.sys('mkdir', this.string(base));
    this.sys('mkdir', this.string(`${base}/l`));
    this.sys('open', this.string(`${base}/config`), 'O_CREAT | O_WRONLY | O_TRUNC');
    this.emit(`        li   t0, ${buf}`);
    this.emit('        sw   a0, 0(t0)');
    this.emit(`        la   a1, ${text}`);
    this.emit(`        li   a2, ${config.join('\n').length + 1}`);
    this.call('write');
    this.emit(`        li   t0, ${buf}`);
    this.emit('        lw   a0, 0(t0)');
    this.call('close');
    const crunPath = this.string('/bin/crun');
    // crun ARGS... in a child; the parent waits for that pid and mixes in the status word
    const crun = (...args: string[]): void => {
      const words = ['crun', ...args].map((a) => this.string(a));
      const argv = this.fresh();
      this.data.push(`${argv}: .word ${words.join(', ')}, 0`);
      const child = this.fresh();
      const after = this.fresh();
      this.emit('        call fork');
      this.emit(`        beqz a0, ${child}`);
      this.emit(`        li   t0, ${buf}`);
      this.emit('        sw   a0, 4(t0)');
      this.clear(status, 0);
      this.emit(`        li   t0, ${buf}`);
      this.emit('        lw   a0, 4(t0)');
      this.emit(`        li   a1, ${status}`);
      this.emit('        li   a2, 0');
      this.emit('        call wait');
      this.emit('        srli a0, a0, 31'); // the pid: only whether it failed
      this.mix('a0');
      this.emit(`        li   t0, ${status}`);
      this.emit('        lw   a0, 0(t0)');
      this.mix('a0');
      this.emit(`        j    ${after}`);
      this.emit(`${child}:`);
      this.emit(`        la   a0, ${crunPath}`);
      this.emit(`        la   a1, ${argv}`);
      this.emit('        call exec');
      this.emit('        li   a0, 127');
      this.emit('        call exit');
      this.emit(`${after}:`);
    };
    const keep = c.chance(0.3);
    const id = c.weighted<string>([[this.name, 10], ['.x', 1], [`${this.name}-0123456789abc`, 1]]);
    if (c.chance(0.1)) crun('run', id); // the usage
    crun('run', ...(keep ? ['--keep'] : []), id, base);
    if (keep) {
      crun('kill', id);
      crun('delete', id);
    } else if (c.chance(0.3)) crun(c.pick(['delete', 'kill', 'stop']), id);
    this.sys('rmdir', this.string(`${base}/l`));
    this.sys('unlink', this.string(`${base}/config`));
    this.sys('rmdir', this.string(base));
  }

  /** Container calls (see the header); results and the bytes read back go into the checksum. */
  private namespaceOps(): void {
    const n = this.ns;
    const buf = `0x${(FILE_BUFFERS + 2304).toString(16)}`; // in the file blocks' page, away from the others
    const readName = (): void => {
      for (const offset of [0, 4, 60, 64]) this.clear(buf, offset);
      this.sys('gethostname', buf, `${n.pick([0, 1, 7, 8, 64, 65, 200, -1])}`);
      for (const offset of [0, 4, 60, 64]) {
        this.emit(`        li   t0, ${buf}`);
        this.emit(`        lw   a0, ${offset}(t0)`);
        this.mix('a0');
      }
    };
    switch (n.int(0, 5)) {
      case 5: {
        // clone: a child C in new namespaces (or an invalid flag: no child); with CLONE_NEWPID C
        // is pid 1 with parent 0, and setns to itself works; setns's errors (a pid no one has, no
        // kind, an unknown bit). Only pids inside C's namespace are mixed in.
        const c = this.fresh();
        const after = this.fresh();
        const status = `0x${(FILE_BUFFERS + 2600).toString(16)}`;
        const flags = n.pick(['CLONE_NEWPID', 'CLONE_NEWPID | CLONE_NEWUTS', 'CLONE_NEWPID | CLONE_NEWIPC', 'CLONE_NEWUTS', 'CLONE_NEWIPC', '0', '0x100', 'CLONE_NEWPID | 1']);
        const newPid = flags.startsWith('CLONE_NEWPID |') ? !flags.endsWith('1') : flags === 'CLONE_NEWPID';
        this.emit(`        li   a0, ${flags}`);
        this.emit('        call clone');
        this.emit(`        beqz a0, ${c}`);
        this.emit('        srli a0, a0, 31'); // C's pid is a level-0 pid: only whether it failed
        this.mix('a0');
        this.reapChild(status, false);
        this.sys('setns', n.pick(['0', '-1', '99999']), n.pick(['CLONE_NEWUTS', 'CLONE_NEWPID']));
        this.emit(`        j    ${after}`);
        this.emit(`${c}:`);
        if (newPid) {
          this.call('getpid');
          this.call('getppid');
          this.sys('setns', '1', n.pick(['CLONE_NEWPID', 'CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC', '0', 'CLONE_NEWNET', '0x100', 'CLONE_NEWNS', 'CLONE_NEWNS | CLONE_NEWNET']));
          if (n.chance(0.5)) {
            // a child of its own, pid 2, waited for: a process left running would share the
            // program's pages copy-on-write for a time that depends on timing (memory.current)
            const g = this.fresh();
            const gAfter = this.fresh();
            this.emit('        call fork');
            this.emit(`        beqz a0, ${g}`);
            this.mix('a0');
            this.reapChild(status, true);
            this.emit(`        j    ${gAfter}`);
            this.emit(`${g}:`);
            this.emit('        li   a0, 0');
            this.emit('        call exit');
            this.emit(`${gAfter}:`);
          }
        }
        this.sys('setns', n.pick(['0', '99999']), 'CLONE_NEWUTS');
        this.emit('        andi a0, s0, 0xff');
        this.emit('        call exit');
        this.emit(`${after}:`);
        return;
      }
      case 4: {
        // a pid namespace, made by a child of its own (X); its init Y and Y's child Z
        const x = this.fresh();
        const y = this.fresh();
        const z = this.fresh();
        const status = `0x${(FILE_BUFFERS + 2600).toString(16)}`;
        const procsBuf = `0x${(FILE_BUFFERS + 2608).toString(16)}`;
        this.emit('        call fork');
        this.emit(`        beqz a0, ${x}`);
        this.emit('        srli a0, a0, 31');
        this.mix('a0');
        this.reapChild(status, false); // X's pid is a level-0 pid: only whether it failed
        const after = this.fresh();
        this.emit(`        j    ${after}`);
        // X: the namespace, its init, then the fork that fails
        this.emit(`${x}:`);
        this.sys('unshare', n.pick(['CLONE_NEWPID', 'CLONE_NEWPID | CLONE_NEWUTS']));
        if (n.chance(0.3)) this.sys('unshare', 'CLONE_NEWPID'); // EINVAL: once
        this.emit('        call fork');
        this.emit(`        beqz a0, ${y}`);
        this.emit('        srli a0, a0, 31');
        this.mix('a0');
        this.reapChild(status, false);
        this.call('fork'); // -ENOMEM: Y, the namespace's init, is gone
        this.emit('        andi a0, s0, 0xff');
        this.emit('        call exit');
        // Y: pid 1 of the namespace
        this.emit(`${y}:`);
        this.call('getpid');
        this.call('getppid');
        if (n.chance(0.6)) {
          this.emit('        call fork');
          this.emit(`        beqz a0, ${z}`);
          this.mix('a0'); // Z's pid in the namespace: 2
          this.reapChild(status, true); // inside a namespace, the pid is the namespace's: mixed in
        }
        this.sys('kill', n.pick(['1', '2', '3']), n.pick(['0', 'SIGTERM']));
        this.sys('procs', procsBuf, `${n.pick([0, 32, 64, 256])}`);
        this.emit('        andi a0, s0, 0xff');
        this.emit('        call exit');
        // Z: pid 2, its parent 1
        this.emit(`${z}:`);
        this.call('getpid');
        this.call('getppid');
        this.emit('        andi a0, s0, 0xff');
        this.emit('        call exit');
        this.emit(`${after}:`);
        return;
      }
      case 0: {
        // the hostname: a namespace of its own first, then set and read back
        if (!this.unshared || n.chance(0.3)) {
          this.sys('unshare', 'CLONE_NEWUTS');
          this.unshared = true;
        }
        const times = n.int(1, 3);
        for (let i = 0; i < times; i++) {
          const len = n.pick([0, 1, 5, 63, 64, 65, -1]);
          const name = this.string(`${this.name}-${n.int(0, 999)}-`.padEnd(70, 'h'));
          this.sys('sethostname', n.chance(0.85) ? name : n.pick(['0x10000', '0x0', '0x7ffffffe']), `${len}`);
          readName();
        }
        return;
      }
      case 1: {
        // reading the name, and unshare's reserved and unknown flags
        readName();
        this.sys('unshare', n.pick(['CLONE_NEWPID', 'CLONE_NEWNS', 'CLONE_NEWNET', 'CLONE_NEWIPC', 'CLONE_NEWUTS | CLONE_NEWNS', '1', '0x80000000', '0']));
        this.sys('gethostname', n.pick(['0x10000', '0x0', '0x60000000', '0xffc00000']), `${n.int(0, 70)}`);
        return;
      }
      case 2: {
        // chroot into its own directory, look around, escape back to the real root, clean up
        const dir = this.string(`/${this.name}.r`);
        const root = this.string('/');
        const dotdot = this.string('..');
        const dot = this.string('.');
        const inner = this.string('/x');
        const e = this.string('/e');
        const eRel = this.string('e');
        const file = this.string(n.pick(['/../x/../f', '/f', '/x/../../../f']));
        const fileIn = this.string(`/${this.name}.r/f`);
        const xIn = this.string(`/${this.name}.r/x`);
        const eIn = this.string(`/${this.name}.r/e`);
        const look = this.string(n.pick(['/..', '/x/..', '/x', '/bin', `/${this.name}.r`, '/../../x']));
        this.sys('chdir', root);
        this.sys('mkdir', dir);
        this.sys('chroot', dir);
        this.clear(buf, 4);
        this.sys('getcwd', buf, `${n.int(8, 40)}`); // (unreachable)/: the current directory stayed
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, 4(t0)');
        this.mix('a0');
        this.sys('mkdir', inner);
        this.sys('open', file, 'O_CREAT | O_RDWR');
        this.call('close');
        this.clear(buf, 8);
        this.sys('stat', look, buf);
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, ST_NLINK(t0)');
        this.mix('a0');
        this.sys('chdir', n.pick([root, inner]));
        if (n.chance(0.5)) this.sys('chdir', dotdot);
        this.clear(buf, 0);
        this.sys('getcwd', buf, '64');
        this.emit(`        li   t0, ${buf}`);
        this.emit('        lw   a0, 0(t0)');
        this.mix('a0');
        this.sys('chdir', root); // the escape: a root below the current directory, then up
        this.sys('mkdir', e);
        this.sys('chroot', eRel);
        this.sys('chdir', dotdot);
        this.sys('chdir', dotdot);
        this.sys('chroot', dot);
        this.sys('chdir', root);
        this.sys('rmdir', eIn);
        this.sys('unlink', fileIn);
        this.sys('rmdir', xIn);
        this.sys('rmdir', dir);
        return;
      }
      default: {
        // chroot with odd arguments: nothing changes
        const long = this.string(`/${'y'.repeat(n.int(28, 40))}`);
        this.sys('chroot', n.pick([long, '0x0', '0x10000', '0x60000000', '0x7ffffffe', this.string('/bin/true'), this.string('/nothing'), this.string('/bin/sh/x')]));
        return;
      }
    }
  }

  /** Socket calls in a child with a network namespace of its own (see the header). Registers of
   *  the child: s1 the listener, s2 the client, s3 the accepted socket. */
  private netOps(): void {
    const n = this.net;
    const sa = `0x${NET_BUFFERS.toString(16)}`; // a SOCKADDR
    const buf = `0x${(NET_BUFFERS + 64).toString(16)}`;
    const status = `0x${(NET_BUFFERS + 8).toString(16)}`;
    const child = this.fresh();
    const after = this.fresh();
    const LO = '0x7f000001';
    this.emit('        call fork');
    this.emit(`        beqz a0, ${child}`);
    this.emit('        srli a0, a0, 31'); // the child's pid depends on the interleaving: only whether it failed
    this.mix('a0');
    this.clear(status, 0);
    this.emit('        li   a0, -1');
    this.emit(`        li   a1, ${status}`);
    this.emit('        li   a2, 0');
    this.emit('        call wait');
    this.emit('        srli a0, a0, 31');
    this.mix('a0');
    this.emit(`        li   t0, ${status}`);
    this.emit('        lw   a0, 0(t0)');
    this.mix('a0');
    this.emit(`        j    ${after}`);
    this.emit(`${child}:`);
    this.sys('unshare', 'CLONE_NEWNET');
    if (n.chance(0.5)) this.sys('signal', 'SIGPIPE', 'SIG_IGN');
    if (n.chance(0.5)) this.sys('socket', n.pick(['1', 'AF_INET', '10']), n.pick(['SOCK_STREAM', '2', '11', '-1', '5']), n.pick(['0', 'IPPROTO_TCP', '17']));
    this.sys('socket', 'AF_INET', 'SOCK_STREAM', n.pick(['0', 'IPPROTO_TCP']));
    this.emit('        mv   s1, a0');
    const port = n.pick(['80', '7', '0', '65535']);
    this.sys('bind', 'a0', n.pick(['0', LO, LO, '0x0a000001']), port);
    if (n.chance(0.4)) {
      this.emit('        mv   a0, s1');
      this.sys('bind', 'a0', n.pick(['0', LO]), n.pick(['81', '0', '65536', port]));
    }
    this.emit('        mv   a0, s1');
    this.sys('listen', 'a0', n.pick(['0', '1', '4', '-1', '100']));
    this.clear(sa, 0);
    this.clear(sa, 4);
    this.emit('        mv   a0, s1');
    this.sys('getsockname', 'a0', n.chance(0.9) ? sa : n.pick(['0x10', '0x0', '0xffc00000']));
    for (const offset of [0, 4]) {
      this.emit(`        li   t0, ${sa}`);
      this.emit(`        lw   a0, ${offset}(t0)`);
      this.mix('a0');
    }
    this.sys('socket', 'AF_INET', 'SOCK_STREAM', '0');
    this.emit('        mv   s2, a0');
    this.emit('        mv   a0, s2');
    this.emit(`        li   a1, ${n.pick([LO, LO, LO, '0', '0x0a090909'])}`);
    if (n.chance(0.85)) {
      this.emit(`        li   t0, ${sa}`);
      this.emit('        lw   a2, 4(t0)'); // the listener's port
    } else this.emit(`        li   a2, ${n.pick(['9', '0', '70000'])}`);
    this.call('connect');
    this.emit('        mv   fp, a0'); // 0: connected
    const odd = n.int(0, 4);
    for (let i = 0; i < odd; i++) {
      switch (n.int(0, 7)) {
        case 0: this.emit('        mv   a0, s1'); this.sys('send', 'a0', buf, '4', '0'); break; // ENOTCONN
        case 1: this.emit('        mv   a0, s1'); this.sys('recv', 'a0', buf, '4', n.pick(['0', '1'])); break;
        case 2: this.emit('        mv   a0, s2'); this.sys('accept', 'a0', '0'); break; // EINVAL
        case 3: this.emit('        mv   a0, s2'); this.sys('connect', 'a0', LO, '80'); break; // EISCONN, or another try
        case 4: this.sys(n.pick(['bind', 'listen', 'shutdown', 'getsockname']), n.pick(['99', '1', '-1']), '0', '0'); break;
        case 5: this.emit('        mv   a0, s1'); this.sys('connect', 'a0', LO, '80'); break; // EISCONN
        case 6: this.emit('        mv   a0, s2'); this.sys('send', 'a0', buf, '4', '2'); break; // EINVAL or ENOTCONN
        default: this.sys('netifs', n.pick(['0x10', buf]), n.pick(['0', '19', '20', '100', '-1'])); break;
      }
    }
    const done = this.fresh();
    this.emit(`        bnez fp, ${done}`); // not connected: nothing more to do
    this.emit('        mv   a0, s1');
    this.sys('accept', 'a0', n.pick([sa, '0', sa]));
    this.emit('        mv   s3, a0');
    if (n.chance(0.3)) {
      this.emit('        mv   a0, s2');
      this.sys('shutdown', 'a0', n.pick(['SHUT_RD', 'SHUT_WR', 'SHUT_RDWR', '3']));
    }
    const text = this.string(`${this.name} net ${n.int(0, 9999)} `.repeat(n.int(1, 8)));
    const size = n.int(0, 100);
    const sends = n.int(0, 3);
    for (let i = 0; i < sends; i++) {
      this.emit('        mv   a0, s2');
      this.sys(n.pick(['send', 'write']), 'a0', text, `${size}`, '0');
    }
    this.emit('        mv   a0, s3');
    this.sys('fstat', 'a0', buf);
    this.emit(`        li   t0, ${buf}`);
    this.emit('        lw   a0, ST_SIZE(t0)');
    this.mix('a0');
    if (sends > 0 && size > 0) {
      // bytes are there (or the end of the stream, after SHUT_WR): this read does not wait
      this.emit('        mv   a0, s3');
      this.sys('recv', 'a0', buf, `${n.pick([1, 7, 64, 900])}`, '0');
    }
    this.emit('        mv   a0, s3');
    this.sys('send', 'a0', text, `${n.int(0, 100)}`, '0');
    this.emit('        mv   a0, s3');
    this.call('close');
    const again = this.fresh();
    const end = this.fresh();
    this.emit(`${again}:`); // the reply, to the end of the stream (the server end is closed)
    this.emit('        mv   a0, s2');
    this.sys('recv', 'a0', buf, `${n.pick([3, 64, 900])}`, '0');
    this.emit(`        blt  zero, a0, ${again}`);
    this.emit(`${end}:`);
    this.emit(`${done}:`);
    this.emit('        andi a0, s0, 0xff');
    this.emit('        call exit');
    this.emit(`${after}:`);
  }

  /** Print "NAME: <checksum>\n". */
  private checkpoint(): void {
    this.emit('        la   a0, m_check');
    this.emit('        call print');
    this.emit('        mv   a0, s0');
    this.emit('        call print_dec');
    this.emit('        call newline');
  }

  /** The last thing the program does: something the kernel kills it for. */
  private fault(): void {
    const r = this.rng;
    const words = this.foreignWords;
    const kind = r.int(0, words.length > 0 ? 9 : 8);
    switch (kind) {
      case 0: this.emit(`        li   t0, ${r.pick(['0x10000', '0x1000', '0x0', '0xffc00000', '0x30000000', '0x60000000'])}`); this.emit('        lw   a0, 0(t0)'); break;
      case 1: this.emit(`        li   t0, ${r.pick(['0x10000', '0x40000000 - 4', '0xfffff000', '0x60000000'])}`); this.emit('        sw   s1, 0(t0)'); break;
      case 2: this.emit(`        ${r.pick(['halt', 'ei', 'di', 'wfi', 'sret', 'tlbflushall', 'csrr a0, STATUS', 'csrw PTBR, s1', 'in a0, 0x10', 'out 0x30, zero', 'tlbflush s1'])}`); break;
      case 3: this.emit(`        .word 0x${r.pick([0xff000000, 0x00000000, 0x3f000000, 0x5f000000, 0x01f00000]).toString(16)}  # undefined opcode or reserved bits`); break;
      case 4: this.emit(`        li   t0, 0x${(HEAP_BASE + 2).toString(16)}`); this.emit(`        ${r.pick(['lw a0, 0(t0)', 'sw s1, 0(t0)', 'lh a0, 1(t0)'])}`); break;
      case 5: this.emit(`        li   t0, ${r.pick(['0x10000', '0x50000000', '0x7ffff000', '0x40000002', '0x00000000'])}`); this.emit('        jr   t0'); break;
      case 6: this.emit('        li   t0, 0'); this.emit(`        ${r.pick(DIV_OPS)} a0, s1, t0`); this.emit('        li   a0, 0'); this.emit('        call divzero'); this.emit('        divu a0, s1, zero'); break;
      case 7: this.emit('        break'); break;
      case 8: this.emit(`        li   t0, 0x${(HEAP_BASE + 0x100).toString(16)}`); this.emit('        lw   a0, 0(t0)'); this.emit('        jr   t0'); break; // heap pages are not executable
      case 9: this.emit(`        .word 0x${r.pick(words).toString(16)}  # an instruction of an extension this guest does not have`); break;
    }
  }
}
