// The lazy unmount, umount(target, MNT_DETACH) (programs/kernel/vfs.s, umount_lazy; docs/
// containers.md, "Mounts and mount namespaces"): the mount and every mount below it leave the
// namespace at once (new walks do not see them, `mounts` does not list them), and each stays
// alive, with its filesystem, while something uses it: an open file (a tmpfs's frames come back,
// to the page, when it closes), a current directory (a walk goes on inside; `..` stays at its
// root; getcwd says "(unreachable)"; a child and an unshare keep it), a chroot. Nested mounts
// are cut from each other. Then runc's pivot: pivot_root(".", ".") stacks the old root on the
// new one and umount2(".", MNT_DETACH) takes it and the host's mounts away, so the chroot escape
// finds nothing of the host. And the errors. Every config must print what native prints; the
// inode, frame, mount and tmpfs references come back once everything has exited.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { kernelImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { fsck } from '../../src/fs/fsck.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, LIST_MOUNTS, program } from './guests/guest.js';

/** `call fn(args)` then print its result: a string argument is a label (`la`), a number or
 *  `=EXPR` an immediate (`li`). */
function sc(fn: string, ...args: (string | number)[]): string {
  return `${c(fn, ...args)}        call result\n`;
}
/** The same, without printing (the result stays in a0). */
function c(fn: string, ...args: (string | number)[]): string {
  const load = args.map((a, i) => typeof a === 'number' ? `        li   a${i}, ${a}` : a.startsWith('=') ? `        li   a${i}, ${a.slice(1)}` : `        la   a${i}, ${a}`);
  return `${load.join('\n')}\n        call ${fn}\n`;
}
const strings = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}: .asciz "${v}"`).join('\n') + '\n        .align 4\n';

/** Write `n` bytes of the pattern to the descriptor in `fd` and print the result. */
const write = (n: number) => `        la   a0, fd\n        lw   a0, 0(a0)\n        la   a1, pattern\n        li   a2, ${n}\n        call write\n        call result\n`;
/** Open a path into `fd` (printing nothing). */
const open = (path: string, flags: string) => `${c('open', path, `=${flags}`)}        la   t0, fd\n        sw   a0, 0(t0)\n`;
/** Print a stat's result, then the size it found. */
const statSize = (path: string) => `${sc('stat', path, 'st')}        la   a0, st\n        lw   a0, ST_SIZE(a0)\n        call result\n`;

// Every program starts the same way: a mount namespace of its own, a control group /dg holding
// the process (a tmpfs's frames are charged to the writer's group, as user pages: memory.current
// counts them to the page), the pattern written and the heap pages touched, and the baseline.
const START = `
_start:
${sc('unshare', '=CLONE_NEWNS')}
${c('cgroup_mkdir', 'g_dg')}
${c('cgroup_write', 'g_dg', 'g_procs', 'g_zero', 1)}
        li   t0, HEAP_BASE          # the heap pages the helpers use, touched before the baseline
        sw   zero, 0(t0)
        li   t0, HEAP_BASE + 0x2000
        sw   zero, 0(t0)
        li   t0, HEAP_BASE + 0x3000
        sw   zero, 0(t0)
        la   t0, pattern            # word i is i * 3 + 1
        li   t1, 0
.fill:  slli t2, t1, 1
        add  t2, t2, t1
        addi t2, t2, 1
        sw   t2, 0(t0)
        addi t0, t0, 4
        addi t1, t1, 1
        li   t2, 1024
        bltu t1, t2, .fill
        call memcur
        la   t0, base
        sw   a0, 0(t0)
`;

const COMMON = `
# memcur -> a0 = /dg's memory.current (bytes)
memcur: push ra
        la   a0, g_dg
        la   a1, g_cur
        la   a2, numbuf
        li   a3, 32
        call cgroup_read
        la   t0, numbuf
        add  t0, t0, a0
        sb   zero, -1(t0)           # the newline
        la   a0, numbuf
        call atoi
        pop  ra
        ret
# pages: print "pages N": the pages charged to /dg since the start
pages:  push ra
        la   a0, m_pages
        call print
        call memcur
        la   t0, base
        lw   t0, 0(t0)
        sub  a0, a0, t0
        srai a0, a0, 12
        call result
        pop  ra
        ret
# list: the mount list
${LIST_MOUNTS}# ls(a0 = path): "ls:" and the names in it (not . and ..), on one line
ls:     push ra
        push s1
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        la   a0, m_ls
        call print
.more:  mv   a0, s1
        li   a1, HEAP_BASE
        li   a2, 1024
        call getdents
        ble  a0, zero, .end
        li   t0, HEAP_BASE
        add  t1, t0, a0
.ent:   bgeu t0, t1, .more
        push t0
        push t1
        addi a0, t0, DE_NAME
        lbu  t0, 0(a0)
        li   t1, '.'
        bne  t0, t1, .name
        lbu  t0, 1(a0)
        beqz t0, .skip
        bne  t0, t1, .name
        lbu  t0, 2(a0)
        beqz t0, .skip
.name:  push a0
        la   a0, m_sp
        call print
        pop  a0
        call print
.skip:  pop  t1
        pop  t0
        addi t0, t0, DIRENT_SIZE
        j    .ent
.end:   mv   a0, s1
        call close
        call newline
        pop  s1
        pop  ra
        ret
${strings({
  p_t: '/t', p_tf: '/t/f', p_f: '/f', p_nope: '/nope', p_root: '/', p_dot: '.', p_up: '..', p_b: '/b',
  p_td: '/t/d', p_tn: '/t/n', p_tng: '/t/n/g', p_tdh: '/t/d/h', r_h: 'h', r_nng: '../n/g', r_nn: '../n', r_x: 'x', r_n: 'n', r_d: 'd',
  p_box: '/box', p_boxbin: '/box/bin', p_bin: '/bin', p_ht: '/ht', p_foo: '/foo', r_foo: 'foo', p_init: '/sbin/init', p_hosty: '/t/y', p_y: '/y',
  o_64k: 'size=64k', o_16k: 'size=16k', tmpfs: 'tmpfs', overlay: 'overlay', o_ovl: 'lowerdir=d',
  g_dg: '/dg', g_procs: 'cgroup.procs', g_zero: '0', g_cur: 'memory.current', m_pages: 'pages ', m_ls: 'ls:', m_sp: ' ',
})}
        .align 4
base:   .word 0
fd:     .word 0
word:   .word 0
pipes:  .word 0, 0, 0, 0
st:     .space ST_SIZEOF
numbuf: .space 32
pattern: .space 4096
`;

// 1. A tmpfs with a file open in it: a plain umount is EBUSY, a lazy one takes it out of the
// list at once (the file is no longer found by name), while the open file still reads the words
// it wrote and takes a fourth block (a frame more); a second lazy umount finds no mount (EINVAL);
// the last close gives every page back. 2. The errors: the namespace's root (EBUSY), a missing
// path, a bad pointer, a file, flags other than MNT_DETACH (MNT_FORCE 1, MNT_EXPIRE 4,
// UMOUNT_NOFOLLOW 8, with MNT_DETACH, -1), then an unused tmpfs detached: freed at once. 3. A
// child chrooted in a tmpfs that is detached under it: the chroot keeps it alive (its file is
// written after the detach) until the child exits.
const LAZY = program('lazy', `${START}
        la   a0, p_t
        call mkdir
${c('open', 'p_f', '=O_CREAT | O_WRONLY')}
        call close
# 1. an open file
${sc('mount', 'o_64k', 'p_t', 'tmpfs', 0)}
        call pages
${open('p_tf', 'O_CREAT | O_RDWR')}
${write(4096)}${write(4096)}${write(4096)}        call pages
        call list
${sc('umount', 'p_t', 0)}
${sc('umount', 'p_t', '=MNT_DETACH')}
        call list
${sc('stat', 'p_tf', 'st')}
        call pages
        la   a0, fd
        lw   a0, 0(a0)
        li   a1, 2 * 4096 + 4
        li   a2, SEEK_SET
        call lseek
        call result
        la   a0, fd
        lw   a0, 0(a0)
        la   a1, word
        li   a2, 4
        call read
        call result
        la   a0, word
        lw   a0, 0(a0)
        call result
        la   a0, fd
        lw   a0, 0(a0)
        li   a1, 0
        li   a2, SEEK_END
        call lseek
        call result
${write(4096)}        call pages
        la   a0, fd
        lw   a0, 0(a0)
        la   a1, st
        call fstat
        call result
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
${sc('umount', 'p_t', '=MNT_DETACH')}
        la   a0, fd
        lw   a0, 0(a0)
        call close
        call result
        call pages
# 2. errors
${sc('umount', 'p_root', '=MNT_DETACH')}
${sc('umount', 'p_nope', '=MNT_DETACH')}
${sc('umount', 0x10, '=MNT_DETACH')}
${sc('umount', 'p_f', '=MNT_DETACH')}
${sc('mount', 'o_16k', 'p_t', 'tmpfs', 0)}
${sc('umount', 'p_t', 1)}
${sc('umount', 'p_t', 4)}
${sc('umount', 'p_t', 8)}
${sc('umount', 'p_t', '=MNT_DETACH | 1')}
${sc('umount', 'p_t', -1)}
        call pages
${sc('umount', 'p_t', '=MNT_DETACH')}
        call pages
        call list
# 3. a chroot in a detached mount
${sc('mount', 'o_16k', 'p_t', 'tmpfs', 0)}
        la   a0, pipes
        call pipe
        la   a0, pipes + 8
        call pipe
        call fork
        bnez a0, .parent
${c('chroot', 'p_t')}
        la   t0, pipes + 4          # chrooted
        lw   a0, 0(t0)
        la   a1, word
        li   a2, 1
        call write
        la   t0, pipes + 8          # until the parent has detached it
        lw   a0, 0(t0)
        la   a1, word
        li   a2, 1
        call read
${sc('chdir', 'p_root')}
        call cwd
${sc('chdir', 'p_up')}
        call cwd
${open('p_y', 'O_CREAT | O_WRONLY')}
${write(4096)}        la   a0, fd
        lw   a0, 0(a0)
        call close
${statSize('p_y')}        la   a0, p_root
        call ls
        li   a0, 0
        call exit
.parent:
        la   t0, pipes
        lw   a0, 0(t0)
        la   a1, word
        li   a2, 1
        call read
${sc('umount', 'p_t', '=MNT_DETACH')}
        call list
${sc('stat', 'p_hosty', 'st')}
        la   t0, pipes + 12         # the child may go on
        lw   a0, 0(t0)
        la   a1, word
        li   a2, 1
        call write
        call wst
${sc('stat', 'p_hosty', 'st')}
        li   a0, 0
        call exit
${COMMON}`);

// A current directory in a detached mount, with a tmpfs mounted below it (at /t/n): both leave
// the namespace together; the one below, unused, goes at once (its 4 pages), the other stays
// while the directory is there. Inside it: getcwd's "(unreachable)", names found, the mount
// below cut away (n is the upper tmpfs's own empty directory), `..` staying at its root, a file
// made (a page more); mount (on it, a bind from it, an overlay layer in it), umount and
// pivot_root refuse places in it (EINVAL). A child
// inherits the directory and an unshare keeps it; chdir / lets go of it: its 7 pages back.
const CWD = program('detached-cwd', `${START}
        la   a0, p_t
        call mkdir
        la   a0, p_b
        call mkdir
${sc('mount', 'o_64k', 'p_t', 'tmpfs', 0)}
${c('mkdir', 'p_td')}
${c('mkdir', 'p_tn')}
${sc('mount', 'o_16k', 'p_tn', 'tmpfs', 0)}
${open('p_tng', 'O_CREAT | O_WRONLY')}
${write(4096)}        la   a0, fd
        lw   a0, 0(a0)
        call close
${open('p_tdh', 'O_CREAT | O_WRONLY')}
${write(100)}        la   a0, fd
        lw   a0, 0(a0)
        call close
        call pages
        call list
${sc('chdir', 'p_td')}
${sc('umount', 'p_t', 0)}
${sc('umount', 'p_t', '=MNT_DETACH')}
        call list
        call pages
        call cwd
${statSize('r_h')}${sc('stat', 'r_nng', 'st')}
${sc('stat', 'r_nn', 'st')}
${sc('stat', 'p_td', 'st')}
${sc('chdir', 'p_up')}
        call cwd
${sc('chdir', 'p_up')}
        call cwd
        la   a0, p_dot
        call ls
${open('r_x', 'O_CREAT | O_WRONLY')}
${write(4096)}        la   a0, fd
        lw   a0, 0(a0)
        call close
        call pages
${sc('mount', 'p_root', 'r_n', 0, '=MS_BIND')}
${sc('mount', 'o_16k', 'r_n', 'tmpfs', 0)}
${sc('mount', 'r_d', 'p_b', 0, '=MS_BIND')}
${sc('mount', 'o_ovl', 'p_b', 'overlay', 0)}
${sc('umount', 'p_dot', 0)}
${sc('umount', 'p_dot', '=MNT_DETACH')}
${sc('pivot_root', 'p_dot', 'p_dot')}
        call pages
        call fork
        bnez a0, .parent
        call cwd
        li   a0, 0
        call exit
.parent:
        call wst
        call memcur                 # (the fork moved the pages charged to /dg by the pages
        la   t0, base               # its copy-on-write copied, differently in each config:
        sw   a0, 0(t0)              # from here on, pages counts from now)
${sc('unshare', '=CLONE_NEWNS')}
        call cwd
        call list
        call pages
${sc('chdir', 'p_root')}
        call pages
        call cwd
        li   a0, 0
        call exit
${COMMON}`);

// runc's pivot: /box bound onto itself, /bin read-only onto /box/bin, and a host tmpfs at /ht;
// cd /box; pivot_root(".", ".") stacks the old root on the new one (both listed at /); the
// lookups from / start in the new root; umount2(".", MNT_DETACH) takes the old root and the
// host's mounts with it (the tmpfs's 3 pages come back at once); then the chroot escape climbs
// and finds only the box: no /sbin/init, no /ht, no /box.
const PIVOT = program('pivot-dot', `${START}
        la   a0, p_box
        call mkdir
        la   a0, p_boxbin
        call mkdir
        la   a0, p_ht
        call mkdir
${sc('mount', 'p_box', 'p_box', 0, '=MS_BIND')}
${sc('mount', 'p_bin', 'p_boxbin', 0, '=MS_BIND | MS_RDONLY')}
${sc('mount', 'o_16k', 'p_ht', 'tmpfs', 0)}
        call pages
        call list
${sc('chdir', 'p_box')}
${sc('pivot_root', 'p_dot', 'p_dot')}
        call cwd
        call list
${sc('stat', 'p_ht', 'st')}
${sc('stat', 'p_init', 'st')}
${sc('umount', 'p_dot', 0)}
${sc('umount', 'p_dot', '=MNT_DETACH')}
        call list
        call pages
${sc('chdir', 'p_root')}
        call cwd
${sc('mkdir', 'p_foo')}
${sc('chroot', 'r_foo')}
        li   s1, 6
.up:
${sc('chdir', 'p_up')}
        addi s1, s1, -1
        bnez s1, .up
        call cwd
${sc('chroot', 'p_dot')}
        call cwd
${sc('stat', 'p_init', 'st')}
${sc('stat', 'p_ht', 'st')}
${sc('stat', 'p_box', 'st')}
${sc('umount', 'p_root', '=MNT_DETACH')}
        call list
        la   a0, p_root
        call ls
        li   a0, 0
        call exit
${COMMON}`);

const PROGRAMS = [LAZY, CWD, PIVOT];

const EXPECTED: Record<string, string> = {
  lazy: `0
0
pages 3
4096
4096
4096
pages 6
/dev/disk / rlfs rw
tmpfs /t tmpfs rw,size=64k
-16
0
/dev/disk / rlfs rw
-2
pages 6
8196
4
4
12288
4096
pages 7
0
16384
-22
0
pages 0
-16
-2
-14
-22
0
-22
-22
-22
-22
-22
pages 3
0
pages 0
/dev/disk / rlfs rw
0
0
/dev/disk / rlfs rw
-2
0
/
0
/
4096
0
4096
ls: y
0
-2
`,
  'detached-cwd': `0
0
0
4096
100
pages 10
/dev/disk / rlfs rw
tmpfs /t tmpfs rw,size=64k
tmpfs /t/n tmpfs rw,size=16k
0
-16
0
/dev/disk / rlfs rw
pages 6
(unreachable)/d
0
100
-2
0
-2
0
(unreachable)/
0
(unreachable)/
ls: d n
4096
pages 7
-22
-22
-22
-22
-22
-22
-22
pages 7
(unreachable)/
0
0
(unreachable)/
/dev/disk / rlfs rw
pages 0
0
pages -7
/
`,
  'pivot-dot': `0
0
0
0
pages 3
/dev/disk / rlfs rw
/dev/disk /box rlfs rw
/dev/disk /box/bin rlfs ro
tmpfs /ht tmpfs rw,size=16k
0
0
/
/dev/disk / rlfs rw
/dev/disk / rlfs rw
/dev/disk /bin rlfs ro
tmpfs /ht tmpfs rw,size=16k
-2
-2
-16
0
/dev/disk / rlfs rw
/dev/disk /bin rlfs ro
pages 0
0
/
0
0
0
0
0
0
0
0
(unreachable)/
0
/
-2
-2
-2
-16
/dev/disk / rlfs rw
/dev/disk /bin rlfs ro
ls: bin foo
`,
};

/** A kernel symbol's value (a label's address or an .equ's value). */
function sym(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (s === undefined) throw new Error(`kernel symbol ${name} not found`);
  return s.value;
}
const word = (r: BootResult, address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;

/** Each mount namespace's reference count, the mount entries in use (M_NS not 0) and the tmpfs
 *  instances alive (D_USED). */
function mountState(r: BootResult): { ns: number[]; mounts: number; tmpfs: number } {
  const ns = Array.from({ length: sym('NMNTNS') }, (_, i) => word(r, sym('mntns_table') + i * sym('MN_SIZE') + sym('MN_REF')));
  let mounts = 0;
  for (let i = 0; i < sym('NMOUNT'); i++) if (word(r, sym('mount_table') + i * sym('M_SIZE') + sym('M_NS')) !== 0) mounts++;
  let tmpfs = 0;
  for (let d = 1; d <= sym('NTMPFS'); d++) if (word(r, sym('dev_table') + d * sym('D_SIZE') + sym('D_USED')) !== 0) tmpfs++;
  return { ns, mounts, tmpfs };
}

describe.each(CONFIG_NAMES)('lazy unmounts under %s', (config) => {
  it.each(PROGRAMS)('$name', (p) => {
    const r = boot(config, { programs: [p] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
  });
});

describe('references', () => {
  it('inodes, frames, mount namespaces, mounts and tmpfs instances are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    expect(mountState(base)).toEqual({ ns: [1, ...Array(15).fill(0)], mounts: 1, tmpfs: 0 });
    for (const p of PROGRAMS) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, inodes: inodesInUse(r), frames: framesInUse(r), ...mountState(r) })
        .toEqual({ program: p.name, inodes: inodesInUse(base), frames: framesInUse(base), ...mountState(base) });
    }
  });
});
