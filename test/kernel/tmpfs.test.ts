// tmpfs (programs/kernel/tmpfs.s; docs/containers.md, "tmpfs"): devices in the filesystem (a
// tmpfs is device 1..NTMPFS of fs.s, formatted with the disk's layout), the RAM block device
// whose frames are charged to the writer's memory cgroup and all returned at umount, mount's
// options and their errors, ENOSPC with exact figures (blocks and inodes), EXDEV between the
// disk and a tmpfs, bind mounts keeping an instance alive, NTMPFS, memory.max (the writer is
// OOM-killed, as for any page), a tmpfs in a mount namespace of its own that goes with the
// namespace's last process, and the mount utility's -t and -o. Every config prints what native
// prints; the host then checks that every frame, inode and tmpfs instance is back.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { kernelImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { fsck } from '../../src/fs/fsck.js';
import { NAMESPACES } from '../../src/abi/layout.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, LIST_MOUNTS, program } from './guests/guest.js';

const NTMPFS = NAMESPACES.NTMPFS.value; // section 7 mounts them all (3 pages each: a frame-table page, the root's inode and directory blocks)

/** `call fn(args)` then print its result: a string argument is a label (`la`), a number or
 *  `=EXPR` an immediate (`li`). */
function sc(fn: string, ...args: (string | number)[]): string {
  const load = args.map((a, i) => typeof a === 'number' ? `        li   a${i}, ${a}` : a.startsWith('=') ? `        li   a${i}, ${a.slice(1)}` : `        la   a${i}, ${a}`);
  return `${load.join('\n')}\n        call ${fn}\n        call result\n`;
}
/** The same, without printing (the result stays in a0). */
function c(fn: string, ...args: (string | number)[]): string {
  const load = args.map((a, i) => typeof a === 'number' ? `        li   a${i}, ${a}` : a.startsWith('=') ? `        li   a${i}, ${a.slice(1)}` : `        la   a${i}, ${a}`);
  return `${load.join('\n')}\n        call ${fn}\n`;
}
const strings = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}: .asciz "${v}"`).join('\n') + '\n        .align 4\n';

const TMPFS = program('tmpfs', `
_start:
${sc('unshare', '=CLONE_NEWNS')}
${sc('cgroup_mkdir', 'g_tg')}
${sc('cgroup_write', 'g_tg', 'g_procs', 'g_zero', 1)}
        li   t0, HEAP_BASE          # the heap pages the helpers use, touched before the baseline
        sw   zero, 0(t0)
        li   t0, HEAP_BASE + 0x3000
        sw   zero, 0(t0)
        call memcur                 # the baseline: pages charged to /tg before any tmpfs
        la   t0, base
        sw   a0, 0(t0)
        la   a0, p_t
        call mkdir
        la   a0, p_d
        call mkdir
        la   t0, pattern            # the bytes written: word i is i * 3 + 1
        li   t1, 0
.fill:  slli t2, t1, 1
        add  t2, t2, t1
        addi t2, t2, 1
        sw   t2, 0(t0)
        addi t0, t0, 4
        addi t1, t1, 1
        li   t2, 1024
        bltu t1, t2, .fill
# 1. bad options and types
${sc('mount', 'o_zero', 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_big', 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_unit', 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_nrino', 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_empty', 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_trail', 'p_t', 'tmpfs', 0)}
${sc('mount', 0x10, 'p_t', 'tmpfs', 0)}
${sc('mount', 'o_64k', 'p_nope', 'tmpfs', 0)}
${sc('mount', 'o_64k', 'p_t', 'ext4', 0)}
${sc('mount', 'o_64k', 'p_t', 'tmpfs', 0x8000)}
        call pages
# 2. a 64 KiB tmpfs: 16 data blocks, the root directory's one in use
${sc('mount', 'o_64k', 'p_t', 'tmpfs', 0)}
        call list
        call pages                  # mkfs: the root's inode block, the bitmap, its directory block
${c('open', 'p_tf', '=O_CREAT | O_RDWR')}
        la   t0, fd
        sw   a0, 0(t0)
        li   s1, 13                 # 13 blocks: the 12 direct ones and one through the indirect
.w13:   la   a0, fd
        lw   a0, 0(a0)
        la   a1, pattern
        li   a2, 4096
        call write
        call result
        addi s1, s1, -1
        bnez s1, .w13
        call pages                  # + 13 data blocks + the indirect block
        la   a0, fd                 # 1 block left: 8 KiB do not fit (all or nothing) ...
        lw   a0, 0(a0)
        la   a1, pattern
        li   a2, 8192
        call write
        call result
        la   a0, fd                 # ... 4 KiB do, and then not one byte more
        lw   a0, 0(a0)
        la   a1, pattern
        li   a2, 4096
        call write
        call result
        la   a0, fd
        lw   a0, 0(a0)
        la   a1, pattern
        li   a2, 1
        call write
        call result
        call pages
        la   a0, fd                 # read back through the indirect block: word 1 of block 12
        lw   a0, 0(a0)
        li   a1, 12 * 4096 + 4
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
        la   a0, fd                 # and a hole never written reads as zeros: truncate is not
        lw   a0, 0(a0)              # there, so a fresh file with a gap
        call close
${sc('unlink', 'p_tf')}
        call pages                  # the file's 15 blocks are free again (the frames stay, as
                                    # Linux keeps a deleted file's pages only while it is open)
${sc('stat', 'p_tf', 'st')}
# 3. directories, rename, EXDEV both ways
${sc('mkdir', 'p_tdir')}
${c('open', 'p_tx', '=O_CREAT | O_WRONLY')}
        la   a1, pattern
        li   a2, 100
        push a0
        call write
        call result
        pop  a0
        call close
${sc('rename', 'p_tx', 'p_tdx')}
${sc('stat', 'p_tdx', 'st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
${sc('rename', 'p_tdx', 'p_dx')}
${c('open', 'p_dy', '=O_CREAT | O_WRONLY')}
        call close
${sc('rename', 'p_dy', 'p_ty')}
${sc('unlink', 'p_dy')}
${sc('rmdir', 'p_tdir')}
        li   a0, HEAP_BASE          # ls /t/d
        call ls_td
${sc('unlink', 'p_tdx')}
${sc('rmdir', 'p_tdir')}
# 4. inodes: 64 in the table, 0 unused and 1 the root: 62 files, then ENOSPC
        li   s1, 0
.files: la   t0, p_tn
        li   t1, 10
        divu t2, s1, t1
        addi t2, t2, '0'
        sb   t2, 4(t0)
        remu t2, s1, t1
        addi t2, t2, '0'
        sb   t2, 5(t0)
        la   a0, p_tn
        li   a1, O_CREAT | O_WRONLY | O_EXCL
        call open
        blt  a0, zero, .full
        call close
        addi s1, s1, 1
        j    .files
.full:  call result
        mv   a0, s1
        call result
.unl:   beqz s1, .gone
        addi s1, s1, -1
        la   t0, p_tn
        li   t1, 10
        divu t2, s1, t1
        addi t2, t2, '0'
        sb   t2, 4(t0)
        remu t2, s1, t1
        addi t2, t2, '0'
        sb   t2, 5(t0)
        la   a0, p_tn
        call unlink
        bnez a0, .gone
        j    .unl
.gone:  call result
# 5. umount: EBUSY while a file is open in it, then every frame back; a new mount is empty
${c('open', 'p_tf', '=O_CREAT | O_RDWR')}
        la   t0, fd
        sw   a0, 0(t0)
${sc('umount', 'p_t', 0)}
        la   a0, fd
        lw   a0, 0(a0)
        call close
${sc('umount', 'p_t', 0)}
        call pages
${sc('stat', 'p_tf', 'st')}
${sc('mount', 0, 'p_t', 'tmpfs', '=MS_RDONLY')}
        call list
${sc('stat', 'p_tf', 'st')}
${sc('mkdir', 'p_tdir')}
${sc('umount', 'p_t', 0)}
        call pages
# 6. a bind mount of a directory inside a tmpfs keeps the instance alive
${sc('mount', 'o_16k', 'p_t', 'tmpfs', 0)}
${sc('mkdir', 'p_tdir')}
${c('open', 'p_tdx', '=O_CREAT | O_WRONLY')}
        la   a1, pattern
        li   a2, 10
        push a0
        call write
        pop  a0
        call close
${sc('mount', 'p_tdir', 'p_d', 0, '=MS_BIND')}
${sc('umount', 'p_t', 0)}
        call list
${sc('stat', 'p_dxx', 'st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
        call pages
${sc('umount', 'p_d', 0)}
        call pages
# 7. NTMPFS instances, stacked at /t; the next is ENOSPC
        li   s1, 0
.many:  ${c('mount', 'o_8k', 'p_t', 'tmpfs', 0)}
        bnez a0, .most
        addi s1, s1, 1
        j    .many
.most:  call result
        mv   a0, s1
        call result
        call pages
.unm:   beqz s1, .none
        la   a0, p_t
        li   a1, 0
        call umount
        addi s1, s1, -1
        j    .unm
.none:  call pages
# 8. memory.max: a child in /tg2 (memory.max 8 pages) writing a tmpfs file is OOM-killed when
# its group refuses the next frame; the frames its file holds stay charged to /tg2 until umount
${sc('cgroup_mkdir', 'g_tg2')}
${sc('cgroup_write', 'g_tg2', 'g_max', 'g_32k', 5)}
${sc('mount', 'o_64k', 'p_t', 'tmpfs', 0)}
        call fork
        bnez a0, .parent
${c('cgroup_write', 'g_tg2', 'g_procs', 'g_zero', 1)}
${c('open', 'p_tf', '=O_CREAT | O_WRONLY')}
        mv   s1, a0
.hog:   mv   a0, s1
        la   a1, pattern
        li   a2, 4096
        call write
        bgt  a0, zero, .hog
        call result                 # not reached: killed in the write
        li   a0, 0
        call exit
.parent:
        call wst
${sc('stat', 'p_tf', 'st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
        la   a0, g_tg2
        la   a1, g_events
        call show
        la   a0, g_tg2
        la   a1, g_cur
        call show
${sc('umount', 'p_t', 0)}
        la   a0, g_tg2
        la   a1, g_cur
        call show
${sc('cgroup_rmdir', 'g_tg2')}
# 9. a mount namespace of its own: a child's tmpfs is not the parent's, and goes with the
# namespace's last process (the grandchild, after the child): /tg3's memory.current comes back
# to 0 only once the instance's frames are freed
${sc('cgroup_mkdir', 'g_tg3')}
        call fork
        bnez a0, .p9
${c('cgroup_write', 'g_tg3', 'g_procs', 'g_zero', 1)}
${sc('unshare', '=CLONE_NEWNS')}
${sc('mount', 'o_16k', 'p_t', 'tmpfs', 0)}
${c('open', 'p_tf', '=O_CREAT | O_WRONLY')}
        la   a1, pattern
        li   a2, 4096
        call write
        call result
        call list
        call fork
        bnez a0, .c9
        li   a0, 3                  # the grandchild outlives the child
        call sleep
${sc('stat', 'p_tf', 'st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
        li   a0, 0
        call exit
.c9:    li   a0, 0
        call exit
.p9:    call wst
        call list
${sc('stat', 'p_tf', 'st')}
        li   s1, 200
.wait9: li   a0, 1                  # until the grandchild (reparented to init) is gone
        call sleep
        la   a0, g_tg3
        la   a1, g_cur
        la   a2, numbuf
        li   a3, 32
        call cgroup_read
        la   t0, numbuf
        lbu  t0, 0(t0)
        addi t0, t0, -'0'
        beqz t0, .done9
        addi s1, s1, -1
        bnez s1, .wait9
.done9: la   a0, g_tg3
        la   a1, g_cur
        call show
${sc('cgroup_rmdir', 'g_tg3')}
${sc('cgroup_write', 'g_root', 'g_procs', 'g_zero', 1)}
${sc('cgroup_rmdir', 'g_tg')}
${sc('rmdir', 'p_t')}
${sc('rmdir', 'p_d')}
        li   a0, 0
        call exit

# show(a0 = group, a1 = file): print the file's text
show:   push ra
        li   a2, HEAP_BASE
        li   a3, 256
        call cgroup_read
        blt  a0, zero, .err
        mv   a1, a0
        li   a0, HEAP_BASE
        call putbuf
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
# memcur -> a0 = memory.current of /tg, in bytes
memcur: push ra
        la   a0, g_tg
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
# pages: print "pages N": the pages charged to /tg since the start
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
# ls_td: the names in /t/d, one a line
ls_td:  push ra
        push s1
        la   a0, p_tdir
        li   a1, O_RDONLY
        call open
        mv   s1, a0
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
        call print
        call newline
        pop  t1
        pop  t0
        addi t0, t0, DIRENT_SIZE
        j    .ent
.end:   mv   a0, s1
        call close
        pop  s1
        pop  ra
        ret
${LIST_MOUNTS}${strings({
  p_t: '/t', p_d: '/d', p_nope: '/nope', p_tf: '/t/f', p_tx: '/t/x', p_tdir: '/t/d', p_tdx: '/t/d/x', p_dx: '/d/x', p_dy: '/d/y',
  p_ty: '/t/y', p_dxx: '/d/x', p_tn: '/t/n00',
  tmpfs: 'tmpfs', ext4: 'ext4', o_zero: 'size=0', o_big: 'size=9m', o_unit: 'size=12q', o_nrino: 'nr_inodes=5', o_empty: 'size=',
  o_trail: 'size=64k,x', o_64k: 'size=64k', o_16k: 'size=16k,', o_8k: ',size=8192',
  g_tg: '/tg', g_root: '/', g_procs: 'cgroup.procs', g_zero: '0', g_cur: 'memory.current', g_max: 'memory.max', g_maxv: 'max',
  g_events: 'memory.events', m_pages: 'pages ', g_tg2: '/tg2', g_tg3: '/tg3', g_32k: '32768',
})}
        .align 4
base:   .word 0
fd:     .word 0
word:   .word 0
st:     .space ST_SIZEOF
numbuf: .space 32
pattern: .space 4096
`);

/** A kernel symbol's value (a label's address or an .equ's value). */
function sym(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (s === undefined) throw new Error(`kernel symbol ${name} not found`);
  return s.value;
}
const word = (r: BootResult, address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;
/** The tmpfs instances still alive (dev_table entries 1..NTMPFS with D_USED). */
function liveTmpfs(r: BootResult): number {
  let n = 0;
  for (let d = 1; d <= sym('NTMPFS'); d++) if (word(r, sym('dev_table') + d * sym('D_SIZE') + sym('D_USED')) !== 0) n++;
  return n;
}

// Native's output, checked line by line against the program: the errors of section 1 in order
// (EINVAL for size=0, 9m, 12q, nr_inodes, an empty size, an unknown option after a good one;
// EFAULT, ENOENT, ENODEV, EINVAL for bad flags); mkfs charges 3 pages; 13 blocks of a file cost
// 14 (one indirect); 8 KiB with one block left: ENOSPC, 4 KiB fit, then ENOSPC for 1 byte; word 1
// of block 12 reads back as 4; unlink gives the 15 frames back (3 left); EXDEV both ways,
// ENOTEMPTY; 62 files then ENOSPC (64 inodes); EBUSY with an open file, then every frame back and
// the file gone; a default-size read-only tmpfs (EROFS); the bind mount keeps 5 pages alive until
// its own umount; 8 instances then ENOSPC, 24 pages; the child killed by SIGKILL (9) after 8
// blocks (memory.max 8 pages, oom_kill 1), its 8 pages charged until umount; the child's
// namespace's tmpfs unseen by the parent, alive for the grandchild (4096), then /tg3 at 0.
const EXPECTED = `0
0
1
-22
-22
-22
-22
-22
-22
-14
-2
-19
-22
pages 0
0
/dev/disk / rlfs rw
tmpfs /t tmpfs rw,size=64k
pages 3
4096
4096
4096
4096
4096
4096
4096
4096
4096
4096
4096
4096
4096
pages 17
-28
4096
-28
pages 18
49156
4
4
0
pages 3
-2
0
100
0
0
100
-18
-18
0
-39
.
..
x
0
0
-28
62
0
-16
0
pages 0
-2
0
/dev/disk / rlfs rw
tmpfs /t tmpfs ro,size=1024k
-2
-30
0
pages 0
0
0
0
0
/dev/disk / rlfs rw
tmpfs /d tmpfs rw,size=16k
0
10
pages 5
0
pages 0
-28
${NTMPFS}
pages ${3 * NTMPFS}
pages 0
0
5
0
9
0
32768
low 0
high 0
max 1
oom 1
oom_kill 1
32768
0
0
0
0
0
0
4096
/dev/disk / rlfs rw
tmpfs /t tmpfs rw,size=16k
0
/dev/disk / rlfs rw
-2
0
4096
0
0
1
0
0
0
`;

describe.each(CONFIG_NAMES)('tmpfs under %s', (config) => {
  it('prints what native prints', () => {
    const r = boot(config, { programs: [TMPFS] });
    expect(r.exitCode).toBe(4); // a process was killed: section 8's child, by its cgroup's OOM killer
    expect(r.processes[0]!.output).toBe(EXPECTED);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
    expect(liveTmpfs(r)).toBe(0);
  });
});

describe('references', () => {
  it('frames, inodes and tmpfs instances are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    const r = boot('native', { programs: [TMPFS] });
    expect({ frames: framesInUse(r), inodes: inodesInUse(r), tmpfs: liveTmpfs(r) })
      .toEqual({ frames: framesInUse(base), inodes: inodesInUse(base), tmpfs: 0 });
  });
});

// The utilities as a user types them: `boot --shell --input`.
const SESSION = [
  'mkdir /tmp',
  'mount -t tmpfs tmpfs -o size=64k /tmp',
  'mount',
  'echo hello > /tmp/a',
  'mkdir /tmp/d',
  'mv /tmp/a /tmp/d/b',
  'cat /tmp/d/b',
  'ls /tmp',
  'mv /tmp/d/b /b',
  'echo "@@ $?"',
  'mount -t tmpfs -o size=0 tmpfs /tmp',
  'echo "@@ $?"',
  'mount -t tmpfs -o mode=1777 tmpfs /tmp',
  'echo "@@ $?"',
  'mount -o size=1m /tmp',
  'echo "@@ $?"',
  'umount /tmp',
  'ls /tmp',
  'mount -t tmpfs none -o ro -o size=1m /tmp',
  'mount',
  'echo x > /tmp/x',
  'umount /tmp',
  'mount -o bind,ro /bin /tmp',
  'mount',
  'umount /tmp',
].join('\n') + '\n';

const TRANSCRIPT = `$ $ $ /dev/disk / rlfs rw
tmpfs /tmp tmpfs rw,size=64k
$ $ $ $ hello
$ d
$ mv: /tmp/d/b: Invalid cross-device link
$ @@ 1
$ mount: /tmp: Invalid argument
$ @@ 32
$ mount: /tmp: Invalid argument
$ @@ 32
$ usage: mount [-r] [-t TYPE] [-o OPTIONS] [--bind] [SOURCE TARGET]
$ @@ 2
$ $ $ $ /dev/disk / rlfs rw
tmpfs /tmp tmpfs ro,size=1024k
$ sh: /tmp/x: Read-only file system
$ $ $ /dev/disk / rlfs rw
/dev/disk /tmp rlfs ro
$ $ `;

describe('a shell session with mount -t tmpfs and -o', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
    expect(r.exitCode).toBe(0);
    const text = r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');
    expect(text).toBe(TRANSCRIPT);
  });
});
