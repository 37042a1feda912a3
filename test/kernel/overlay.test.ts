// The overlay filesystem (programs/kernel/ovl.s; docs/containers.md, "Overlay"): one guest
// program, booted once in each configuration, builds layers on the disk, mounts overlays and
// prints what it sees: the moby#17022 case (an opaque directory hides what the layer below had),
// whiteouts hiding lower names, readdir merging the layers, the read-only overlay (EROFS), every
// error of a bad mount, copy-up (its bytes exact for three sizes), a second write costing no
// copy-up, lookups counted per layer for a name at the bottom of 1, 2, 4 and 8 layers, EXDEV for
// a lower directory's rename, getcwd and `..` inside the overlay, umount's EBUSY; then `rm -r`
// of a lower directory (readdir from a snapshot). Every config must print what native prints;
// the figures are the ones docs/containers.md quotes.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { kernelImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { fsck } from '../../src/fs/fsck.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, LIST_MOUNTS, program } from './guests/guest.js';

const strs: string[] = [];
/** A string's label (one per text). */
function S(text: string): string {
  const l = `str${strs.length}`;
  strs.push(`${l}: .asciz "${text.replace(/"/g, '\\"')}"`);
  return l;
}
const arg = (a: string | number, i: number) => typeof a === 'number' ? `        li   a${i}, ${a}` : a.startsWith('=') ? `        li   a${i}, ${a.slice(1)}` : `        la   a${i}, ${S(a)}`;
/** `fn(args)`, its result printed after `label = ` (a string argument is a path or text). */
const show = (label: string, fn: string, ...args: (string | number)[]) =>
  `        la   a0, ${S(`${label} = `)}\n        call print\n${args.map(arg).join('\n')}\n        call ${fn}\n        call result\n`;
/** `fn(args)`, its result not printed (building the layers). */
const run = (fn: string, ...args: (string | number)[]) => `${args.map(arg).join('\n')}\n        call ${fn}\n`;
const say = (text: string) => `        la   a0, ${S(text)}\n        call print\n        call newline\n`;
const file = (path: string, text: string) => `${arg(path, 0)}\n${arg(text, 1)}\n        li   a2, ${text.replace(/\\n/g, '\n').length}\n        call mkfile\n`;
const sized = (path: string, n: number) => `${arg(path, 0)}\n        la   a1, zeros\n        li   a2, ${n}\n        call mkfile\n`;
const ls = (path: string) => `${arg(path, 0)}\n        call ls\n`;
const stats = (path: string) => `${arg(path, 0)}\n        call stats\n`;
const mkdirs = (...paths: string[]) => paths.map((p) => run('mkdir', p)).join('');
const ovl = (opts: string, target = '/m') => run('mount', opts, target, 'overlay', 0);

const BODY = `
_start:
${say('1. moby#17022: layer 1 has /foo/bar, layer 2 removed /foo and made it again (opaque)')}
${mkdirs('/L1', '/L2', '/L1/foo', '/L2/foo', '/m', '/w')}
${file('/L1/foo/bar', 'bar\\n')}
${file('/L2/foo/.wh..wh..opq', '')}
${file('/L1/top', 'top\\n')}
${show('mount lowerdir=/L2:/L1', 'mount', 'lowerdir=/L2:/L1', '/m', 'overlay', 0)}
        call list
${ls('/m/foo')}
${show('stat /m/foo/bar', 'stat', '/m/foo/bar', '=st')}
${show('mkdir /m/x (no upperdir)', 'mkdir', '/m/x')}
${show('open /m/top for writing', 'open', '/m/top', '=O_WRONLY')}
${show('stat /m/foo', 'stat', '/m/foo', '=st')}
        la   a0, st                     # the top layer's directory: /L2/foo
        lw   a0, ST_INUM(a0)
        push a0
${run('stat', '/L2/foo', '=st')}
        pop  a0
        la   t0, st
        lw   t0, ST_INUM(t0)
        sub  a0, a0, t0
        call result
${show('umount', 'umount', '/m', 0)}
${say('2. whiteouts hide, readdir merges (top wins)')}
${mkdirs('/A', '/B', '/U', '/A/d', '/B/d', '/U/d')}
${file('/A/a', 'A-a\\n')}
${file('/A/shared', 'from A\\n')}
${file('/B/shared', 'from B\\n')}
${file('/B/b', 'B-b\\n')}
${file('/A/gone', 'x\\n')}
${file('/B/.wh.gone', '')}
${file('/A/d/x', 'x\\n')}
${file('/B/d/y', 'y\\n')}
${file('/U/d/z', 'z\\n')}
${file('/U/.wh.b', '')}
${show('mount lowerdir=/B:/A,upperdir=/U,workdir=/w', 'mount', 'lowerdir=/B:/A,upperdir=/U,workdir=/w', '/m', 'overlay', 0)}
        call list
${ls('/m')}
${ls('/m/d')}
        la   a0, ${S('/m/shared')}
        call cat
${show('stat /m/gone', 'stat', '/m/gone', '=st')}
${show('stat /m/b', 'stat', '/m/b', '=st')}
${show('stat /m/.wh.b', 'stat', '/m/.wh.b', '=st')}
${say('3. changes go to upper: copy-up, whiteouts, opaque directories')}
${show('rm /m/a (lower)', 'unlink', '/m/a')}
${show('stat /U/.wh.a', 'stat', '/U/.wh.a', '=st')}
${show('stat /m/a', 'stat', '/m/a', '=st')}
${show('rmdir /m/d (not empty)', 'rmdir', '/m/d')}
${show('rm /m/d/x', 'unlink', '/m/d/x')}
${show('rm /m/d/y', 'unlink', '/m/d/y')}
${show('rm /m/d/z (upper)', 'unlink', '/m/d/z')}
${ls('/m/d')}
${ls('/U/d')}
${show('rmdir /m/d', 'rmdir', '/m/d')}
${show('mkdir /m/d (over its whiteout)', 'mkdir', '/m/d')}
${ls('/m/d')}
${show('stat /U/d/.wh..wh..opq', 'stat', '/U/d/.wh..wh..opq', '=st')}
${show('create /m/.wh.x', 'open', '/m/.wh.x', '=O_CREAT | O_WRONLY')}
${show('rename /m/d /m/e (a directory)', 'rename', '/m/d', '/m/e')}
${show('rename /m/shared /m/s2 (a lower file)', 'rename', '/m/shared', '/m/s2')}
        la   a0, ${S('/m/s2')}
        call cat
${show('stat /m/shared', 'stat', '/m/shared', '=st')}
${ls('/m')}
${ls('/U')}
        la   a0, ${S('/B/shared')}
        call cat
${show('mkdir /m/new/deep', 'mkdir', '/m/new/deep')}
${show('chdir /m/d', 'chdir', '/m/d')}
        call cwd
${show('chdir ..', 'chdir', '..')}
        call cwd
${show('umount /m (busy: the current directory)', 'umount', '/m', 0)}
${show('chdir /', 'chdir', '/')}
${show('umount /m', 'umount', '/m', 0)}
${say('4. copy-up cost: the whole file, once')}
${mkdirs('/C', '/CU')}
${sized('/C/s', 100)}
${sized('/C/m', 5000)}
${sized('/C/l', 20000)}
${ovl('lowerdir=/C,upperdir=/CU')}
${stats('/m')}
        la   a0, ${S('/m/s')}
        call append
${stats('/m')}
        la   a0, ${S('/m/m')}
        call append
${stats('/m')}
        la   a0, ${S('/m/l')}
        call append
${stats('/m')}
${say('a second write: no copy-up, one lookup in upper (as a plain filesystem)')}
        la   a0, ${S('/m/l')}
        call append
${stats('/m')}
${show('size of /m/l', 'stat', '/m/l', '=st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
${show('size of /C/l', 'stat', '/C/l', '=st')}
        la   a0, st
        lw   a0, ST_SIZE(a0)
        call result
${show('umount /m', 'umount', '/m', 0)}
${say('5. lookup cost: a name at the bottom of N layers, one stat')}
${mkdirs('/y1', '/y2', '/y3', '/y4', '/y5', '/y6', '/y7', '/bot')}
${file('/bot/f', 'f\\n')}
${[['/bot'], ['/y1', '/bot'], ['/y1', '/y2', '/y3', '/bot'], ['/y1', '/y2', '/y3', '/y4', '/y5', '/y6', '/y7', '/bot']].map((l) => `${ovl(`lowerdir=${l.join(':')}`)}
${run('stat', '/m/f', '=st')}
${stats('/m')}
${run('umount', '/m', 0)}`).join('\n')}
${say('6. bad mounts')}
${show('missing layer', 'mount', 'lowerdir=/nope', '/m', 'overlay', 0)}
${show('a file as a layer', 'mount', 'lowerdir=/bot/f', '/m', 'overlay', 0)}
${show('missing upper', 'mount', 'lowerdir=/bot,upperdir=/nope', '/m', 'overlay', 0)}
${show('no lowerdir', 'mount', 'upperdir=/U', '/m', 'overlay', 0)}
${show('unknown option', 'mount', 'lowerdir=/bot,colour=red', '/m', 'overlay', 0)}
${show('empty layer', 'mount', 'lowerdir=/bot:', '/m', 'overlay', 0)}
${show('lowerdir twice', 'mount', 'lowerdir=/bot,lowerdir=/bot', '/m', 'overlay', 0)}
${show('9 lower layers', 'mount', 'lowerdir=/y1:/y2:/y3:/y4:/y5:/y6:/y7:/bot:/L1', '/m', 'overlay', 0)}
${show('no options', 'mount', '', '/m', 'overlay', 0)}
${show('options too long', 'mount', `lowerdir=/${'x'.repeat(260)}`, '/m', 'overlay', 0)}
${show('unknown type', 'mount', 'lowerdir=/bot', '/m', 'ovl', 0)}
${show('target missing', 'mount', 'lowerdir=/bot', '/nope', 'overlay', 0)}
${ovl('lowerdir=/bot')}
${show('a layer inside an overlay', 'mount', 'lowerdir=/m', '/w', 'overlay', 0)}
${show('mountstats /', 'mountstats', '/', '=HEAP_BASE', 4096)}
${show('mountstats /m, 10 bytes', 'mountstats', '/m', '=HEAP_BASE', 10)}
${show('umount /m', 'umount', '/m', 0)}
        li   a0, 0
        call exit
`;

/** The routines the overlay programs call (besides guest.ts's). */
const HELPERS_OVL = `
# mkfile(a0 = path, a1 = bytes, a2 = count): a new file holding them.
mkfile: push ra
        push s1
        push a1
        push a2
        li   a1, O_CREAT | O_WRONLY | O_TRUNC
        call open
        mv   s1, a0
        pop  a2
        pop  a1
        mv   a0, s1
        call write
        mv   a0, s1
        call close
        pop  s1
        pop  ra
        ret
# append(a0 = path): open for writing (O_APPEND) and write 4 bytes.
append: push ra
        push s1
        li   a1, O_WRONLY | O_APPEND
        call open
        mv   s1, a0
        blt  a0, zero, .err
        la   a1, four
        li   a2, 4
        call write
        mv   a0, s1
        call close
        pop  s1
        pop  ra
        ret
.err:   call result
        pop  s1
        pop  ra
        ret
# cat(a0 = path): print the file.
cat:    push ra
        push s1
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        blt  a0, zero, .err
        mv   a0, s1
        li   a1, HEAP_BASE + 0x4000
        li   a2, 256
        call read
        mv   a1, a0
        li   a0, HEAP_BASE + 0x4000
        call putbuf
        mv   a0, s1
        call close
        pop  s1
        pop  ra
        ret
.err:   call result
        pop  s1
        pop  ra
        ret
# ls(a0 = path): its path, then its entries (every one, dot names included) in getdents' order.
ls:     push ra
        push s1
        push s2
        push s3
        push a0
        call print
        li   a0, ':'
        call putch
        pop  a0
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        blt  a0, zero, .err
.more:  mv   a0, s1
        li   a1, HEAP_BASE + 0x4000
        li   a2, 96                     # three entries at a time: the offset goes on
        call getdents
        ble  a0, zero, .done
        li   s2, HEAP_BASE + 0x4000
        add  s3, s2, a0
.ent:   bgeu s2, s3, .more
        li   a0, ' '
        call putch
        addi a0, s2, 4
        call print
        addi s2, s2, 32
        j    .ent
.done:  call newline
        mv   a0, s1
        call close
        j    .out
.err:   call result
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
# stats(a0 = path): print mountstats' text.
stats:  push ra
        li   a1, HEAP_BASE + 0x5000
        li   a2, 0x1000
        call mountstats
        blt  a0, zero, .err
        mv   a1, a0
        li   a0, HEAP_BASE + 0x5000
        call putbuf
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
${LIST_MOUNTS}
four:   .ascii "more"
        .align 4
`;

const OVERLAY = program('overlay', `${BODY}
${HELPERS_OVL}
${strs.join('\n')}
        .align 4
st:     .space ST_SIZEOF
zeros:  .space 20480
`);

const EXPECTED = `1. moby#17022: layer 1 has /foo/bar, layer 2 removed /foo and made it again (opaque)
mount lowerdir=/L2:/L1 = 0
/dev/disk / rlfs rw
overlay /m overlay ro,lowerdir=/L2:/L1
/m/foo: . ..
stat /m/foo/bar = -2
mkdir /m/x (no upperdir) = -30
open /m/top for writing = -30
stat /m/foo = 0
0
umount = 0
2. whiteouts hide, readdir merges (top wins)
mount lowerdir=/B:/A,upperdir=/U,workdir=/w = 0
/dev/disk / rlfs rw
overlay /m overlay rw,lowerdir=/B:/A,upperdir=/U,workdir=/w
/m: . .. d shared a
/m/d: . .. z y x
from B
stat /m/gone = -2
stat /m/b = -2
stat /m/.wh.b = -2
3. changes go to upper: copy-up, whiteouts, opaque directories
rm /m/a (lower) = 0
stat /U/.wh.a = 0
stat /m/a = -2
rmdir /m/d (not empty) = -39
rm /m/d/x = 0
rm /m/d/y = 0
rm /m/d/z (upper) = 0
/m/d: . ..
/U/d: . .. .wh.x .wh.y
rmdir /m/d = 0
mkdir /m/d (over its whiteout) = 0
/m/d: . ..
stat /U/d/.wh..wh..opq = 0
create /m/.wh.x = -22
rename /m/d /m/e (a directory) = -18
rename /m/shared /m/s2 (a lower file) = 0
from B
stat /m/shared = -2
/m: . .. d s2
/U: . .. d .wh.b .wh.a .wh.shared s2
from B
mkdir /m/new/deep = -2
chdir /m/d = 0
/m/d
chdir .. = 0
/m
umount /m (busy: the current directory) = -16
chdir / = 0
umount /m = 0
4. copy-up cost: the whole file, once
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/C,upperdir=/CU
\tlookups: upper=0 lower1=0
\tcopyups: 0 bytes=0
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/C,upperdir=/CU
\tlookups: upper=1 lower1=1
\tcopyups: 1 bytes=100
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/C,upperdir=/CU
\tlookups: upper=2 lower1=2
\tcopyups: 2 bytes=5100
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/C,upperdir=/CU
\tlookups: upper=3 lower1=3
\tcopyups: 3 bytes=25100
a second write: no copy-up, one lookup in upper (as a plain filesystem)
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/C,upperdir=/CU
\tlookups: upper=4 lower1=3
\tcopyups: 3 bytes=25100
size of /m/l = 0
20008
size of /C/l = 0
20000
umount /m = 0
5. lookup cost: a name at the bottom of N layers, one stat
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/bot
\tlookups: lower1=1
\tcopyups: 0 bytes=0
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/y1:/bot
\tlookups: lower1=1 lower2=1
\tcopyups: 0 bytes=0
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/y1:/y2:/y3:/bot
\tlookups: lower1=1 lower2=1 lower3=1 lower4=1
\tcopyups: 0 bytes=0
device overlay mounted on /m with fstype overlay
\topts: lowerdir=/y1:/y2:/y3:/y4:/y5:/y6:/y7:/bot
\tlookups: lower1=1 lower2=1 lower3=1 lower4=1 lower5=1 lower6=1 lower7=1 lower8=1
\tcopyups: 0 bytes=0
6. bad mounts
missing layer = -2
a file as a layer = -20
missing upper = -2
no lowerdir = -22
unknown option = -22
empty layer = -22
lowerdir twice = -22
9 lower layers = -22
no options = -22
options too long = -36
unknown type = -19
target missing = -2
a layer inside an overlay = -22
mountstats / = -22
mountstats /m, 10 bytes = -34
umount /m = 0
`;

describe.each(CONFIG_NAMES)('overlay under %s', (config) => {
  it('prints what native prints, and the disk stays sound', () => {
    const r = boot(config, { programs: [OVERLAY] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
  });
});

/** A kernel symbol's value (a label's address or an .equ's value). */
function sym(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (s === undefined) throw new Error(`kernel symbol ${name} not found`);
  return s.value;
}
const word = (r: BootResult, address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;

/** Overlay nodes and instances in use (ON_INST, OV_ROOT not 0). */
function overlayState(r: BootResult): { nodes: number; instances: number } {
  let nodes = 0;
  let instances = 0;
  for (let i = 0; i < sym('NOVLNODE'); i++) if (word(r, sym('ovl_nodes') + i * sym('ON_SIZE') + sym('ON_INST')) !== 0) nodes++;
  for (let i = 0; i < sym('NOVL'); i++) if (word(r, sym('ovl_table') + i * sym('OV_SIZE') + sym('OV_ROOT')) !== 0) instances++;
  return { nodes, instances };
}

describe('references', () => {
  it('every inode, node and overlay instance is let go once the overlays are unmounted', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    const r = boot('native', { programs: [OVERLAY] });
    expect(inodesInUse(r)).toBe(inodesInUse(base));
    expect(overlayState(r)).toEqual({ nodes: 0, instances: 0 });
  });
});


// rm -r of a directory the overlay shows from a lower layer: rm reads one entry, removes it
// (a whiteout in upper), reads the next. getdents reads a merged directory from a snapshot the
// open file keeps (made at offset 0, as Linux's ovl_dir_read_merged caches it), so the removals
// do not shift the entries still to come: before the snapshot, the offset counted merged entries
// as they were at each call, every other one was skipped and rm's rmdir met ENOTEMPTY. Then the
// snapshot itself: a directory read one entry at a time, each removed after it is read, gives
// every entry once; a rewind (offset 0) reads the directory as it is now; and a listing of 132
// entries, more than one page of the snapshot holds, read 8 at a time. The layers are on a tmpfs:
// each whiteout is an inode, and the disk has few left.
const RM_FILES = 40;
const BIG = 130; // a listing of more entries than one page of the snapshot holds (127)
const RM_BODY = `
_start:
${mkdirs('/T', '/m')}
${show('mount a tmpfs of 2 MiB at /T (the layers: room for 500 inodes)', 'mount', 'size=2m', '/T', 'tmpfs', 0)}
${mkdirs('/T/R', '/T/R/d', '/T/R/d/sub', '/T/R/e', '/T/R/big', '/T/RU', '/T/RW')}
        la   a0, dname
        li   a1, ${RM_FILES}
        call mkmany
        la   a0, bigname
        li   a1, ${BIG}
        call mkmany
${['/T/R/d/sub/x', '/T/R/d/sub/y', '/T/R/e/a', '/T/R/e/b', '/T/R/e/c', '/T/R/e/d'].map((f) => `${arg(f, 0)}\n        li   a1, O_CREAT | O_WRONLY\n        call open\n        call close`).join('\n')}
${show('mount lowerdir=/T/R,upperdir=/T/RU,workdir=/T/RW', 'mount', 'lowerdir=/T/R,upperdir=/T/RU,workdir=/T/RW', '/m', 'overlay', 0)}
${show('entries of /m/big, 8 at a time', 'count', '/m/big')}
        la   a0, ${S('the last: ')}
        call print
        la   a0, lastent
        lw   a0, 0(a0)
        addi a0, a0, DE_NAME
        call print
        call newline
${show('entries of /m/d', 'count', '/m/d')}
${say('rm -r /m/d')}
        call fork
        bnez a0, .parent
        la   a0, rmpath
        la   a1, rmargv
        call exec
        li   a0, 127
        call exit
.parent:
        call wst
${show('stat /m/d', 'stat', '/m/d', '=st')}
${show('entries of /T/R/d (the lower layer is untouched)', 'count', '/T/R/d')}
${ls('/T/RU')}
${say('read /m/e an entry at a time, removing each')}
${arg('/m/e', 0)}
        li   a1, O_RDONLY
        call open
        mv   s1, a0
.next:  mv   a0, s1
        li   a1, HEAP_BASE + 0x4000
        li   a2, 32
        call getdents
        ble  a0, zero, .rewind
        li   a0, HEAP_BASE + 0x4004
        call print
        call newline
        li   a0, HEAP_BASE + 0x4004
        call is_dot_name
        bnez a0, .next
        la   a0, epath                  # /m/e/NAME
        li   a1, HEAP_BASE + 0x4004
        call strcpy_after
        la   a0, epath
        call unlink
        call result
        j    .next
.rewind:
${say('rewound')}
        mv   a0, s1
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        mv   a0, s1
        li   a1, HEAP_BASE + 0x4000
        li   a2, 256
        call getdents
        srli a0, a0, 5
        call result
        mv   a0, s1
        call close
${show('umount /m', 'umount', '/m', 0)}
${show('umount /T', 'umount', '/T', 0)}
        li   a0, 0
        call exit

# count(a0 = path) -> a0 = its entries (getdents, 8 at a time), or the error.
count:  push ra
        push s1
        push s2
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        blt  a0, zero, .out
        li   s2, 0
.more:  mv   a0, s1
        li   a1, HEAP_BASE + 0x4000
        li   a2, 256
        call getdents
        ble  a0, zero, .done
        li   t0, HEAP_BASE + 0x4000 - DIRENT_SIZE
        add  t0, t0, a0
        la   t1, lastent
        sw   t0, 0(t1)
        srli a0, a0, 5
        add  s2, s2, a0
        j    .more
.done:  mv   a0, s1
        call close
        mv   a0, s2
.out:   pop  s2
        pop  s1
        pop  ra
        ret
# mkmany(a0 = a path ending in three digits, a1 = N): files of those names, 000 .. N - 1.
mkmany: push ra
        push s1
        push s2
        push s3
        push fp
        mv   s2, a0                     # s2 = the path
        mv   s3, a1                     # s3 = N
        call strlen
        add  fp, s2, a0                 # fp = its end
        li   s1, 0
.mk:    li   t0, 100
        divu t1, s1, t0
        addi t1, t1, '0'
        sb   t1, -3(fp)
        remu t1, s1, t0
        li   t0, 10
        divu t2, t1, t0
        remu t1, t1, t0
        addi t2, t2, '0'
        addi t1, t1, '0'
        sb   t2, -2(fp)
        sb   t1, -1(fp)
        mv   a0, s2
        li   a1, O_CREAT | O_WRONLY
        call open
        call close
        addi s1, s1, 1
        blt  s1, s3, .mk
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
# is_dot_name(a0 = name) -> a0 = 1 for . and .., else 0.
is_dot_name:
        lbu  t0, 0(a0)
        li   t1, '.'
        bne  t0, t1, .no
        lbu  t0, 1(a0)
        beqz t0, .yes
        bne  t0, t1, .no
        lbu  t0, 2(a0)
        beqz t0, .yes
.no:    li   a0, 0
        ret
.yes:   li   a0, 1
        ret
# strcpy_after(a0 = a path ending in '/' at byte 5, a1 = a name): the name put after it.
strcpy_after:
        addi a0, a0, 5
.c:     lbu  t0, 0(a1)
        sb   t0, 0(a0)
        addi a0, a0, 1
        addi a1, a1, 1
        bnez t0, .c
        ret
`;

const RM = program('ovlrm', `${RM_BODY}
${HELPERS_OVL}
${strs.join('\n')}
dname:  .asciz "/T/R/d/f000"
bigname: .asciz "/T/R/big/f000"
        .align 4
lastent: .word 0
rmpath: .asciz "/bin/rm"
rmarg0: .asciz "rm"
rmarg1: .asciz "-r"
rmarg2: .asciz "/m/d"
        .align 4
rmargv: .word rmarg0, rmarg1, rmarg2, 0
epath:  .asciz "/m/e/"
        .space 32
        .align 4
st:     .space ST_SIZEOF
`);

const RM_EXPECTED = `mount a tmpfs of 2 MiB at /T (the layers: room for 500 inodes) = 0
mount lowerdir=/T/R,upperdir=/T/RU,workdir=/T/RW = 0
entries of /m/big, 8 at a time = ${BIG + 2}
the last: f${BIG - 1}
entries of /m/d = ${RM_FILES + 3}
rm -r /m/d
0
stat /m/d = -2
entries of /T/R/d (the lower layer is untouched) = ${RM_FILES + 3}
/T/RU: . .. .wh.d
read /m/e an entry at a time, removing each
.
..
a
0
b
0
c
0
d
0
rewound
2
umount /m = 0
umount /T = 0
`;

describe.each(CONFIG_NAMES)('rm -r in an overlay under %s', (config) => {
  it(`removes all ${RM_FILES + 1} entries of a lower directory; a listing read while its entries go gives each once`, () => {
    const r = boot(config, { programs: [RM] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(RM_EXPECTED);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
    if (config === 'native') {
      // the snapshots' pages went back at the last close (and the tmpfs's at its umount)
      const idle = boot('native', { programs: [program('idle', '_start: li   a0, 0\n        call exit')] });
      expect(framesInUse(r)).toBe(framesInUse(idle));
    }
  });
});

// The utilities as a user types them (`boot --shell --input`): mount -t overlay -o, the mount
// list's overlay line, mountstats, a copy-up seen from the layers, umount.
const SESSION = [
  'mkdir /l1 /l2 /u /w /m',
  'echo base > /l1/a',
  'echo top > /l2/b',
  'mount -t overlay overlay -o lowerdir=/l2:/l1,upperdir=/u,workdir=/w /m',
  'mount',
  'ls /m',
  'echo more >> /m/a',
  'cat /m/a /l1/a',
  'ls /u',
  'mountstats /m',
  'mountstats /',
  'echo "@@ $?"',
  'mount -t overlay overlay -o lowerdir=/nope /w',
  'echo "@@ $?"',
  'mount -t overlay -o',
  'echo "@@ $?"',
  'umount /m',
  'ls /m',
].join('\n') + '\n';

const TRANSCRIPT = `$ $ $ $ $ /dev/disk / rlfs rw
overlay /m overlay rw,lowerdir=/l2:/l1,upperdir=/u,workdir=/w
$ b
a
$ $ base
more
base
$ a
$ device overlay mounted on /m with fstype overlay
\topts: lowerdir=/l2:/l1,upperdir=/u,workdir=/w
\tlookups: upper=2 lower1=1 lower2=1
\tcopyups: 1 bytes=5
$ mountstats: /: Invalid argument
$ @@ 1
$ mount: /w: No such file or directory
$ @@ 32
$ usage: mount [-r] [-t TYPE] [-o OPTIONS] [--bind] [SOURCE TARGET]
$ @@ 2
$ $ $ `;

describe('a shell session with mount -t overlay and mountstats', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
    expect(r.exitCode).toBe(0);
    const text = r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');
    expect(text).toBe(TRANSCRIPT);
  });
});
