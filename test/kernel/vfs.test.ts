// Mounts and mount namespaces (programs/kernel/vfs.s; docs/containers.md, "Mounts and mount
// namespaces"): bind mounts crossed down by a walk and up by `..` and getcwd, read-only mounts,
// stacked mounts, every error of mount/umount/pivot_root (and EXDEV, EBUSY, EROFS where a mount
// changes what rename, rmdir and open may do), unshare(CLONE_NEWNS) isolating the mounts of
// two namespaces, pivot_root, and the experiment: the chroot escape that works on a plain root
// (chroot-escape) fails inside a pivot_root container (pivot-escape). Every config must print
// what native prints; the inode, frame and namespace references come back once everything
// has exited.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { kernelImage, userImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { fsck } from '../../src/fs/fsck.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, LIST_MOUNTS, program, type GuestProgram } from './guests/guest.js';

/** `call fn(args)` then print its result: a string argument is a label (`la`), a number or
 *  `=EXPR` an immediate (`li`). */
function sc(fn: string, ...args: (string | number)[]): string {
  const load = args.map((a, i) => typeof a === 'number' ? `        li   a${i}, ${a}` : a.startsWith('=') ? `        li   a${i}, ${a.slice(1)}` : `        la   a${i}, ${a}`);
  return `${load.join('\n')}\n        call ${fn}\n        call result\n`;
}
const strings = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}: .asciz "${v}"`).join('\n') + '\n        .align 4\n';

const COMMON = `
${LIST_MOUNTS}        .align 4
st:     .space ST_SIZEOF
`;

const PATHS = strings({ p_a: '/a', p_ax: '/a/x', p_ay: '/a/y', p_b: '/b', p_bx: '/b/x', p_by: '/b/y', p_bf: '/b/f', p_c: '/c', p_cx: '/c/x', p_cb: '/c/b',
  p_f: '/f', p_nope: '/nope', p_root: '/', p_up: '..', p_ext4: 'ext4', p_bxx: '/b/x/x', p_x: '/x' });

// One namespace of its own (so nothing stays mounted in the boot one), then: the errors of
// mount; a bind mount of /a at /b crossed down (stat /b/x) and up (`..`, getcwd); EBUSY for
// rmdir and rename of the mountpoint and for umount while the current directory, an open file
// or a mount below uses it; EXDEV across mounts; umount's EINVAL and EBUSY; a read-only bind
// (EROFS through it, writable at its source); two mounts stacked at /b; the table running out
// (ENOSPC after the 31 entries the boot namespace's root and this namespace's leave free ... of
// NMOUNT 32: 30 here), the list's ERANGE.
const MNT = program('mnt', `
_start:
${sc('unshare', '=CLONE_NEWNS')}
        la   a0, p_a
        call mkdir
        la   a0, p_ax
        call mkdir
        la   a0, p_b
        call mkdir
        la   a0, p_c
        call mkdir
        la   a0, p_f
        li   a1, O_CREAT | O_WRONLY
        call open
        call close
${sc('mount', 'p_a', 'p_b', 0, 0x8000)}
${sc('mount', 'p_a', 'p_nope', 0, '=MS_BIND')}
${sc('mount', 'p_a', 'p_f', 0, '=MS_BIND')}
${sc('mount', 'p_f', 'p_b', 0, '=MS_BIND')}
${sc('mount', 'p_nope', 'p_b', 0, '=MS_BIND')}
${sc('mount', 0, 'p_b', 'p_ext4', 0)}
${sc('mount', 0, 'p_b', 0x10, 0)}
${sc('mount', 0x10, 'p_b', 0, '=MS_BIND')}
${sc('mount', 'p_a', 'p_b', 0, '=MS_BIND')}
        call list
${sc('stat', 'p_bx', 'st')}
${sc('chdir', 'p_bx')}
        call cwd
${sc('chdir', 'p_up')}
        call cwd
${sc('chdir', 'p_up')}
        call cwd
${sc('chdir', 'p_bx')}
${sc('rmdir', 'p_b')}
${sc('rename', 'p_bx', 'p_cx')}
${sc('rename', 'p_b', 'p_cb')}
${sc('umount', 'p_b', 0)}
${sc('chdir', 'p_root')}
        la   a0, p_bx
        li   a1, O_RDONLY
        call open
        mv   s1, a0
${sc('umount', 'p_b', 0)}
        mv   a0, s1
        call close
${sc('mount', 'p_c', 'p_bx', 0, '=MS_BIND')}
${sc('umount', 'p_b', 0)}
${sc('umount', 'p_bx', 0)}
${sc('umount', 'p_b', 0)}
${sc('stat', 'p_bx', 'st')}
${sc('umount', 'p_b', 0)}
${sc('umount', 'p_root', 0)}
${sc('umount', 'p_a', '=MNT_DETACH')}
${sc('umount', 'p_nope', 0)}
${sc('mount', 'p_a', 'p_b', 0, '=MS_BIND | MS_RDONLY')}
        call list
${sc('mkdir', 'p_by')}
${sc('open', 'p_bf', '=O_CREAT | O_WRONLY')}
        la   a0, p_bx
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        call result
        mv   a0, s1
        call close
${sc('mkdir', 'p_ay')}
${sc('stat', 'p_by', 'st')}
${sc('rmdir', 'p_by')}
${sc('umount', 'p_b', 0)}
${sc('rmdir', 'p_ay')}
${sc('mount', 'p_a', 'p_b', 0, '=MS_BIND')}
${sc('mount', 'p_c', 'p_b', 0, '=MS_BIND')}
${sc('stat', 'p_bx', 'st')}
${sc('umount', 'p_b', 0)}
${sc('stat', 'p_bx', 'st')}
${sc('umount', 'p_b', 0)}
        li   s1, 0                  # mount /a at /b until the table is full
.fill:  la   a0, p_a
        la   a1, p_b
        li   a2, 0
        li   a3, MS_BIND
        call mount
        bnez a0, .full
        addi s1, s1, 1
        j    .fill
.full:  call result
        mv   a0, s1
        call result
${sc('mounts', 'HEAP_BASE', 5)}
.empty: la   a0, p_b
        li   a1, 0
        call umount
        bnez a0, .done
        addi s1, s1, -1
        j    .empty
.done:  call result
        mv   a0, s1
        call result
        call list
        li   a0, 0
        call exit
${PATHS}${COMMON}`);

// Namespaces: a mount made before unshare is copied; a child's mount in its own namespace is
// not seen by its parent (nor one made after by the parent in the child's: no propagation); a
// child that shares the namespace shares its mounts. Then pivot_root's errors, unshare's
// ENOSPC when the mount table has no room for the copies, and a pivot in a child's namespace
// that leaves the parent's root alone.
const NS = program('mntns', `
_start:
${sc('unshare', '=CLONE_NEWNS')}
        la   a0, p_a
        call mkdir
        la   a0, p_ax
        call mkdir
        la   a0, p_b
        call mkdir
        la   a0, p_c
        call mkdir
        la   a0, p_f
        li   a1, O_CREAT | O_WRONLY
        call open
        call close
${sc('mount', 'p_a', 'p_b', 0, '=MS_BIND')}
        call fork
        bnez a0, .p1
${sc('unshare', '=CLONE_NEWNS')}
${sc('stat', 'p_bx', 'st')}
${sc('mount', 'p_c', 'p_b', 0, '=MS_BIND')}
${sc('stat', 'p_bx', 'st')}
        call list
        li   a0, 0
        call exit
.p1:    call wst
${sc('stat', 'p_bx', 'st')}
        call list
        call fork
        bnez a0, .p2
${sc('mount', 'p_c', 'p_b', 0, '=MS_BIND')}
        li   a0, 0
        call exit
.p2:    call wst
${sc('stat', 'p_bx', 'st')}
${sc('umount', 'p_b', 0)}
${sc('stat', 'p_bx', 'st')}
${sc('pivot_root', 'p_root', 'p_root')}
${sc('pivot_root', 'p_a', 'p_ax')}
${sc('pivot_root', 'p_b', 'p_c')}
${sc('pivot_root', 'p_f', 'p_b')}
${sc('pivot_root', 'p_b', 'p_f')}
${sc('pivot_root', 'p_bx', 'p_bx')}
${sc('pivot_root', 'p_nope', 'p_bx')}
        call fork
        bnez a0, .p3
${sc('chroot', 'p_b')}
${sc('pivot_root', 'p_root', 'p_x')}
        li   a0, 0
        call exit
.p3:    call wst
        li   s1, 16                 # 17 mounts here + the boot root: no room for 17 copies
.m:     la   a0, p_a
        la   a1, p_b
        li   a2, 0
        li   a3, MS_BIND
        call mount
        addi s1, s1, -1
        bnez s1, .m
${sc('unshare', '=CLONE_NEWNS')}
        li   s1, 16
.u:     la   a0, p_b
        li   a1, 0
        call umount
        addi s1, s1, -1
        bnez s1, .u
        call fork
        bnez a0, .p4
${sc('unshare', '=CLONE_NEWNS')}
${sc('chdir', 'p_b')}
${sc('pivot_root', 'p_b', 'p_bx')}
        call cwd
        call list
${sc('umount', 'p_x', 0)}
        call list
${sc('stat', 'p_f', 'st')}
${sc('chdir', 'p_up')}
        call cwd
        li   a0, 0
        call exit
.p4:    call wst
        call cwd
        call list
${sc('stat', 'p_f', 'st')}
        li   a0, 0
        call exit
${PATHS}${COMMON}`);

// setns(pid, CLONE_NEWNS): a child C makes a namespace of its own with /a bound at /b and
// waits; its parent, chrooted in /c, cannot see the mount, then joins C's namespace: it sees
// /b/x, its current directory and root are the namespace's root (the chroot is left behind,
// as Linux's mntns_install), and the namespace outlives C while the parent is in it.
const JOINNS = program('joinns', `
_start:
${sc('setns', 2, '=CLONE_NEWNS | 0x10')}
${sc('setns', 99, '=CLONE_NEWNS')}
        la   a0, p_a
        call mkdir
        la   a0, p_ax
        call mkdir
        la   a0, p_b
        call mkdir
        la   a0, p_c
        call mkdir
        la   a0, ready
        call pipe
        la   a0, go
        call pipe
        call fork
        bnez a0, .parent
${sc('unshare', '=CLONE_NEWNS')}
${sc('mount', 'p_a', 'p_b', 0, '=MS_BIND')}
${sc('chdir', 'p_a')}
        la   t0, ready + 4          # mounted
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call write
        la   t0, go                 # until the parent has looked
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call read
        li   a0, 0
        call exit
.parent:
        mv   s1, a0                 # s1 = C
        la   t0, ready
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call read
${sc('stat', 'p_bx', 'st')}
${sc('chroot', 'p_c')}
${sc('stat', 'p_a', 'st')}
        mv   a0, s1
        li   a1, CLONE_NEWNS | CLONE_NEWUTS
        call setns
        call result
        call cwd
${sc('stat', 'p_bx', 'st')}
${sc('stat', 'p_a', 'st')}
        call list
        la   t0, go + 4             # C may exit
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call write
        call wst
        call list
        li   a0, 0
        call exit
        .align 4
ready:  .word 0, 0
go:     .word 0, 0
byte:   .word 0
${PATHS}${COMMON}`);

const ESCAPE: GuestProgram = { name: 'pivot-escape', image: userImage('pivot-escape', isaWith([])) };

const PROGRAMS = [MNT, NS, JOINNS, ESCAPE];

// Native's output, checked line by line against the comments above (and docs/containers.md for
// pivot-escape); every other config must print the same.
const EXPECTED: Record<string, string> = {
  'mnt': `0
-22
-2
-20
-20
-2
-19
-14
-14
0
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
0
0
/b/x
0
/b
0
/
0
-16
-18
-16
-16
0
-16
0
-16
0
0
-2
-22
-16
-22
-2
0
/dev/disk / rlfs rw
/dev/disk /b rlfs ro
-30
-30
3
0
0
-30
0
0
0
0
-2
0
0
0
-28
30
-34
-22
0
/dev/disk / rlfs rw
`,
  'mntns': `0
0
0
0
0
-2
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
/dev/disk /b rlfs rw
0
0
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
0
0
-2
0
0
-16
-16
-16
-20
-20
-22
-2
0
-22
0
-28
0
0
0
/
/dev/disk / rlfs rw
/dev/disk /x rlfs rw
0
/dev/disk / rlfs rw
-2
0
/
0
/
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
0
`,
  joinns: `-22
-3
0
0
0
-2
0
-2
0
/
0
0
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
0
/dev/disk / rlfs rw
/dev/disk /b rlfs rw
`,
  'pivot-escape': `1. the container
  unshare(CLONE_NEWNS) = 0
  mount --bind /box /box = 0
  mount --bind -o ro /bin /box/bin = 0
  mounts:
    /dev/disk / rlfs rw
    /dev/disk /box rlfs rw
    /dev/disk /box/bin rlfs ro
  cd /box = 0
  pivot_root . old = 0
  getcwd = /
  mounts:
    /dev/disk / rlfs rw
    /dev/disk /old rlfs rw
    /dev/disk /bin rlfs ro
  umount /old = 0
  mounts:
    /dev/disk / rlfs rw
    /dev/disk /bin rlfs ro
2. the escape
  mkdir foo = 0
  chroot foo = 0
  getcwd = (unreachable)/
  cd .. = 0
  cd .. = 0
  cd .. = 0
  cd .. = 0
  cd .. = 0
  cd .. = 0
  cd .. = 0
  cd .. = 0
  getcwd = (unreachable)/
  chroot . = 0
  getcwd = /
3. still inside
  stat /sbin/init = -2
  open /bin/x for writing = -30
  ls /:
bin
old
foo
`,
};

/** A kernel symbol's value (a label's address or an .equ's value). */
function sym(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (s === undefined) throw new Error(`kernel symbol ${name} not found`);
  return s.value;
}
const word = (r: BootResult, address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;

/** Each mount namespace's reference count, and the mount entries in use (M_NS not 0). */
function mountState(r: BootResult): { ns: number[]; mounts: number } {
  const ns = Array.from({ length: sym('NMNTNS') }, (_, i) => word(r, sym('mntns_table') + i * sym('MN_SIZE') + sym('MN_REF')));
  let mounts = 0;
  for (let i = 0; i < sym('NMOUNT'); i++) if (word(r, sym('mount_table') + i * sym('M_SIZE') + sym('M_NS')) !== 0) mounts++;
  return { ns, mounts };
}

describe.each(CONFIG_NAMES)('mounts under %s', (config) => {
  it.each(PROGRAMS)('$name', (p) => {
    const r = boot(config, { programs: [p] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
  });
});

describe('references', () => {
  it('inodes, frames, mount namespaces and mounts are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    expect(mountState(base)).toEqual({ ns: [1, ...Array(15).fill(0)], mounts: 1 }); // init's namespace, the disk's root
    for (const p of PROGRAMS) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, inodes: inodesInUse(r), frames: framesInUse(r), ...mountState(r) })
        .toEqual({ program: p.name, inodes: inodesInUse(base), frames: framesInUse(base), ...mountState(base) });
    }
  });
});

// The utilities as a user types them: `boot --shell --input`. A namespace made by `unshare -m`
// takes its mounts with it when its shell exits.
const SESSION = [
  'mount',
  'mkdir /a /a/x /b /newroot /newroot/old',
  'mount --bind /a /b',
  'ls /b',
  'mount',
  'umount /b',
  'ls /b',
  'mount -t ext4 none /b',
  'echo "@@ $?"',
  'mount --bind /nope /b',
  'umount /a',
  'echo "@@ $?"',
  'mount -x',
  'echo "@@ $?"',
  'mount --bind /a /b',
  'umount -l /b',
  'mount',
  'umount --lazy /b',
  'echo "@@ $?"',
  'umount -x /b',
  'echo "@@ $?"',
  "echo 'mount --bind /a /b; mount -r --bind /bin /newroot/old; mount; mkdir /b/y' > /s1",
  'unshare -m sh /s1',
  'echo "@@ $?"',
  'mount',
  'ls /a',
  'pivot_root /newroot /newroot/old',
  'echo "@@ $?"',
].join('\n') + '\n';

const TRANSCRIPT = `$ /dev/disk / rlfs rw
$ $ $ x
$ /dev/disk / rlfs rw
/dev/disk /b rlfs rw
$ $ $ mount: /b: No such device
$ @@ 32
$ mount: /b: No such file or directory
$ umount: /a: Invalid argument
$ @@ 32
$ usage: mount [-r] [-t TYPE] [-o OPTIONS] [--bind] [SOURCE TARGET]
$ @@ 2
$ $ $ /dev/disk / rlfs rw
$ umount: /b: Invalid argument
$ @@ 32
$ usage: umount [-l] TARGET
$ @@ 2
$ $ /dev/disk / rlfs rw
/dev/disk /b rlfs rw
/dev/disk /newroot/old rlfs ro
$ @@ 0
$ /dev/disk / rlfs rw
$ x
y
$ pivot_root: Device or resource busy
$ @@ 1
$ `;

describe('a shell session with mount, umount (-l), unshare -m and pivot_root', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
    expect(r.exitCode).toBe(0);
    const text = r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');
    expect(text).toBe(TRANSCRIPT);
  });
});
