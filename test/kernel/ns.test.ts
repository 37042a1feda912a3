// Containers, the first slice (programs/kernel/ns.s; docs/containers.md): chroot and the root
// directory (absolute paths start there, `..` stops there, the current directory stays where it
// was, fork and exec keep it), the classic chroot escape, the UTS namespace (sethostname,
// gethostname, unshare(CLONE_NEWUTS), inheritance, the table of namespaces running out), and the
// `hostname` and `chroot` utilities in a shell session. Each program prints what it saw; every
// config must print what native prints, and the inode, namespace and frame references are back
// where they started once everything has exited.

import { describe, expect, it } from 'vitest';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { userImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, program, utsNamespaces, type GuestProgram } from './guests/guest.js';

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');

/** cwd: print getcwd's answer (or its error); st: a struct stat; wst: wait for any child and
 *  print its status word. */
const COMMON = `
cwd:    push ra
        li   a0, HEAP_BASE + 0x2000
        li   a1, 256
        call getcwd
        blt  a0, zero, .err
        li   a0, HEAP_BASE + 0x2000
        call print
        call newline
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
wst:    push ra
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        la   a0, status
        lw   a0, 0(a0)
        call result
        pop  ra
        ret
        .align 4
status: .word 0
st:     .space ST_SIZEOF
`;

// chroot: its errors; then a child jails itself in /r: absolute paths start at /r, `..` at the
// root stays there (alone, in the middle of a path, repeated), the current directory is not
// moved (getcwd says "(unreachable)/" until chdir("/")), a second chroot relative to the first,
// a grandchild inherits the root. Another child chroots to /bin and execs /ls from there: exec
// keeps the root (ls finds /sh, not /bin). The parent's own root never changed.
const JAIL = program('jail', `
_start: li   a0, 0x10000
        call chroot
        call result                 # -EFAULT
        la   a0, p_nope
        call chroot
        call result                 # -ENOENT
        la   a0, p_sh
        call chroot
        call result                 # -ENOTDIR: a file
        la   a0, p_shx
        call chroot
        call result                 # -ENOTDIR: a component
        la   a0, p_long
        call chroot
        call result                 # -ENAMETOOLONG
        la   a0, p_r
        call mkdir
        la   a0, p_rd
        call mkdir
        la   a0, p_rf
        li   a1, O_CREAT | O_WRONLY
        call open
        call close
        call fork
        beqz a0, .child
        call wst                    # 7 << 8
        call fork
        beqz a0, .exec
        call wst                    # 1 << 8: ls found /sh and not /bin
        call cwd                    # /: the parent was never jailed
        la   a0, p_rd
        la   a1, st
        call stat
        call result                 # 0
        la   a0, p_sh
        la   a1, st
        call stat
        call result                 # 0
        li   a0, 0
        call exit
.exec:  la   a0, p_bin
        call chroot
        call result                 # 0
        la   a0, p_ls
        la   a1, ls_argv
        call exec
        call result
        li   a0, 99
        call exit
.child: la   a0, p_r
        call chroot
        call result                 # 0
        call cwd                    # (unreachable)/: the current directory stayed at the real root
        la   a0, p_d
        la   a1, st
        call stat
        call result                 # 0: /d is /r/d
        la   a0, p_upf
        la   a1, st
        call stat
        call result                 # 0: /../../f is /r/f
        la   a0, p_dupd
        la   a1, st
        call stat
        call result                 # 0: /d/../../../d is /r/d
        la   a0, p_bin
        la   a1, st
        call stat
        call result                 # -ENOENT: /bin is outside
        la   a0, p_slash
        call chdir
        call result                 # 0
        call cwd                    # /
        la   a0, p_dotdot
        call chdir
        call result                 # 0
        call cwd                    # /: '..' at the root stays
        la   a0, p_drel
        call chdir
        call cwd                    # /d
        la   a0, p_up3
        call chdir
        call result                 # 0
        call cwd                    # /
        la   a0, p_drel
        call chroot                 # relative to the current directory: /r/d
        call result                 # 0
        call cwd                    # (unreachable)/r: /r is outside the new root
        la   a0, p_slash
        call chroot                 # "/" is the root already: nothing changes
        call result                 # 0
        la   a0, p_slash
        call chdir
        call cwd                    # /
        la   a0, p_d
        la   a1, st
        call stat
        call result                 # -ENOENT: /r/d/d
        call fork
        beqz a0, .grand
        call wst                    # 5 << 8
        li   a0, 7
        call exit
.grand: call cwd                    # /: inherited
        la   a0, p_f
        la   a1, st
        call stat
        call result                 # -ENOENT
        la   a0, p_dotdot
        la   a1, st
        call stat
        call result                 # 0
        li   a0, 5
        call exit
p_nope: .asciz "/nope"
p_sh:   .asciz "/bin/sh"
p_shx:  .asciz "/bin/sh/x"
p_long: .asciz "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
p_r:    .asciz "/r"
p_rd:   .asciz "/r/d"
p_rf:   .asciz "/r/f"
p_d:    .asciz "/d"
p_f:    .asciz "/f"
p_upf:  .asciz "/../../f"
p_dupd: .asciz "/d/../../../d"
p_bin:  .asciz "/bin"
p_slash: .asciz "/"
p_dotdot: .asciz ".."
p_drel: .asciz "d"
p_up3:  .asciz "../../.."
p_ls:   .asciz "/ls"
a_ls:   .asciz "ls"
a_sh:   .asciz "/sh"
        .align 4
ls_argv: .word a_ls, a_sh, p_bin, 0
${COMMON}`);

// The UTS namespace: gethostname's and sethostname's errors, unshare's flags (only
// CLONE_NEWUTS; the other kinds are reserved), a new namespace starts as a copy, a child
// shares its parent's (its sethostname is the parent's too), a child's own unshare leaves the
// parent's name alone, names of 64 and 0 bytes, a name with a zero byte inside.
const UTS = program('uts', `
_start: li   a0, BUF
        li   a1, HOST_NAME_MAX + 1
        call gethostname
        call result                 # 0
        call show                   # ringlab
        li   a0, BUF + 256
        li   a1, 7
        call gethostname
        call result                 # -ENAMETOOLONG
        li   a0, BUF + 256
        li   a1, 7
        call putbuf                 # ringlab: the first 7 bytes
        call newline
        li   a0, BUF
        li   a1, 0
        call gethostname
        call result                 # -ENAMETOOLONG
        li   a0, BUF
        li   a1, -1
        call gethostname
        call result                 # -EINVAL
        li   a0, 0x10000
        li   a1, 65
        call gethostname
        call result                 # -EFAULT
        la   a0, n64
        li   a1, 65
        call sethostname
        call result                 # -EINVAL
        la   a0, n64
        li   a1, -1
        call sethostname
        call result                 # -EINVAL
        li   a0, 0x10000
        li   a1, 3
        call sethostname
        call result                 # -EFAULT
        li   s1, 0
.flags: la   t0, bad_flags
        slli t1, s1, 2
        add  t0, t0, t1
        lw   a0, 0(t0)
        beqz a0, .ok
        call unshare
        call result                 # -EINVAL each
        addi s1, s1, 1
        j    .flags
.ok:    li   a0, 0
        call unshare
        call result                 # 0
        li   a0, CLONE_NEWUTS
        call unshare
        call result                 # 0
        call show                   # ringlab: a copy
        la   a0, n_box
        li   a1, 3
        call sethostname
        call result                 # 0
        call show                   # box
        li   a0, 0x10000
        li   a1, 3
        call sethostname
        call result                 # -EFAULT
        call show                   # box: unchanged
        call fork
        beqz a0, .kid
        call wst
        call show                   # kid: the child's sethostname was in our namespace
        call fork
        beqz a0, .own
        call wst
        call show                   # kid: the child's own namespace did not touch ours
        la   a0, n64
        li   a1, 64
        call sethostname
        call result                 # 0
        call show                   # 64 x
        li   a0, BUF
        li   a1, 64
        call gethostname
        call result                 # -ENAMETOOLONG: no room for the zero byte
        la   a0, n64
        li   a1, 0
        call sethostname
        call result                 # 0
        call show                   # (empty)
        la   a0, n_zero
        li   a1, 3
        call sethostname
        call result                 # 0
        call show                   # a
        li   a0, 0
        call exit
.kid:   call show                   # box: inherited
        la   a0, n_kid
        li   a1, 3
        call sethostname
        li   a0, 0
        call exit
.own:   li   a0, CLONE_NEWUTS
        call unshare
        call result                 # 0
        la   a0, n_own
        li   a1, 3
        call sethostname
        call show                   # own
        li   a0, 0
        call exit
# show: the hostname on a line of its own (or gethostname's error).
show:   push ra
        li   a0, BUF
        li   a1, HOST_NAME_MAX + 1
        call gethostname
        blt  a0, zero, .err
        li   a0, BUF
        call print
        call newline
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
        .equ BUF, HEAP_BASE
n_box:  .ascii "boxes"              # only 3 bytes are taken
n_kid:  .ascii "kid"
n_own:  .ascii "own"
n_zero: .byte 'a', 0, 'b'
n64:    .ascii "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz"
        .align 4
bad_flags: .word CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS | CLONE_NEWPID, 1, 0x80000000, 0
${COMMON}`);

// The table of UTS namespaces runs out: unshare, fork a child that keeps the namespace (it
// waits on a pipe), again, until ENOSPC (NUTS - 1 = 15 namespaces besides the boot one); once
// the children are gone their namespaces are free and unshare works again.
const FULL = program('utsfull', `
_start: la   a0, fds
        call pipe
        li   s1, 0                  # s1 = namespaces made
.more:  li   a0, CLONE_NEWUTS
        call unshare
        blt  a0, zero, .full
        addi s1, s1, 1
        call fork
        beqz a0, .child
        j    .more
.full:  call result                 # -ENOSPC
        mv   a0, s1
        call result                 # 15
        call fd1
        call close
.reap:  li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
        bge  a0, zero, .reap
        li   a0, CLONE_NEWUTS
        call unshare
        call result                 # 0
        li   a0, 0
        call exit
.child: call fd1
        call close
        call fd0
        li   a1, HEAP_BASE
        li   a2, 1
        call read                   # 0 once the parent closed its end
        call exit
${COMMON}`);

const ESCAPE: GuestProgram = { name: 'chroot-escape', image: userImage('chroot-escape', isaWith([])) };

const EXPECTED: Record<string, string> = {
  jail: rows(-14, -2, -20, -20, -36,
    0, '(unreachable)/', 0, 0, 0, -2, 0, '/', 0, '/', '/d', 0, '/', 0, '(unreachable)/r', 0, '/', -2,
    '/', -2, 0, 1280, 1792,
    0, '/sh') + 'ls: /bin: No such file or directory\n' + rows(256, '/', 0, 0),
  uts: rows(0, 'ringlab', -36, 'ringlab', -36, -22, -14, -22, -22, -14,
    -22, -22, -22, -22, -22, -22, -22, 0, 0, 'ringlab', 0, 'box', -14, 'box',
    'box', 0, 'kid', 0, 'own', 0, 'kid', 0, 'x'.repeat(64), -36, 0, '', 0, 'a'),
  utsfull: rows(-28, 15, 0),
  'chroot-escape': `1. inside the jail
  chroot /jail = 0
  cd / = 0
  getcwd = /
  cd .. = 0
  cd .. = 0
  cd .. = 0
  getcwd = /
  stat /bin/sh = -2
  exec /bin/ls = -2
2. the escape
  mkdir foo = 0
  chroot foo = 0
  getcwd = (unreachable)/jail
${'  cd .. = 0\n'.repeat(8)}  getcwd = (unreachable)/
  chroot . = 0
  getcwd = /
3. out
  stat /bin/sh = 0
  ls /:
sbin
bin
jail
`,
};

describe.each(CONFIG_NAMES)('containers under %s', (config) => {
  it.each([JAIL, UTS, FULL, ESCAPE])('$name', (p) => {
    const r = boot(config, { programs: [p] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
  });
});

describe('references', () => {
  it('inodes, UTS namespaces and frames are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    const baseline = { inodes: inodesInUse(base), frames: framesInUse(base), uts: utsNamespaces(base) };
    expect(baseline.uts[0]).toEqual({ refs: 1, name: 'ringlab' }); // init's, the boot namespace
    expect(baseline.uts.slice(1).every((u) => u.refs === 0)).toBe(true);
    for (const p of [JAIL, UTS, FULL, ESCAPE]) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, inodes: inodesInUse(r), frames: framesInUse(r), uts: utsNamespaces(r).map((u) => u.refs), boot: utsNamespaces(r)[0]!.name })
        .toEqual({ program: p.name, inodes: baseline.inodes, frames: baseline.frames, uts: baseline.uts.map((u) => u.refs), boot: 'ringlab' });
    }
  });
});

// `hostname` and `chroot` as a user types them: `boot --shell --input`.
const SESSION = [
  'hostname',
  'hostname box1',
  'hostname',
  `hostname ${'a'.repeat(65)}`,
  'echo "@@ $?"',
  'hostname a b',
  'echo "@@ $?"',
  'mkdir /j /j/bin',
  'cp /bin/sh /j/bin; cp /bin/ls /j/bin; cp /bin/hostname /j/bin',
  'chroot /j ls /',
  'chroot /j /bin/ls /bin',
  'chroot /j hostname',
  'chroot /j cat',
  'echo "@@ $?"',
  'chroot /nope',
  'echo "@@ $?"',
  "echo 'echo inside; cd ..; cd ..; ls /' > /j/script",
  'chroot /j sh /script',
  'chroot',
  'echo "@@ $?"',
  'chroot-escape > /dev-null-is-a-file',
  'ls /jail',
].join('\n') + '\n';

const TRANSCRIPT = `$ ringlab
$ $ box1
$ hostname: ${'a'.repeat(65)}: Invalid argument
$ @@ 1
$ usage: hostname [NAME]
$ @@ 2
$ $ $ bin
$ sh
ls
hostname
$ box1
$ chroot: cat: No such file or directory
$ @@ 127
$ chroot: /nope: No such file or directory
$ @@ 125
$ $ inside
bin
script
$ usage: chroot DIR [COMMAND [ARG...]]
$ @@ 2
$ $ foo
$ `;

function shell(config: string): BootResult {
  return findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
}

describe('a shell session with hostname and chroot', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = shell(config);
    expect(r.exitCode).toBe(0);
    const text = r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');
    expect(text).toBe(TRANSCRIPT);
  });
});
