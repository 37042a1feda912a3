// Containers, the first slice (programs/kernel/ns.s; docs/containers.md): chroot and the root
// directory (absolute paths start there, `..` stops there, the current directory stays where it
// was, fork and exec keep it), the classic chroot escape, the UTS namespace (sethostname,
// gethostname, unshare(CLONE_NEWUTS), inheritance, the table of namespaces running out), pid
// namespaces (pid 1 and its orphans, getpid/getppid/kill/wait/procs through the caller's
// namespace, the namespace dying with its init, nesting to PIDNS_MAXLEVEL), and the
// `hostname` and `chroot` utilities in a shell session. Each program prints what it saw; every
// config must print what native prints, and the inode, namespace and frame references are back
// where they started once everything has exited.

import { describe, expect, it } from 'vitest';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { userImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { fsck } from '../../src/fs/fsck.js';
import { boot, CONFIG_NAMES, framesInUse, inodesInUse, pidNamespaceRefs, program, utsNamespaces, type GuestProgram } from './guests/guest.js';

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');

/** st: a struct stat (wst and cwd are guest.ts's helpers). */
const COMMON = `
        .align 4
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
// CLONE_NEWUTS and CLONE_NEWPID; the other kinds are reserved), a new namespace starts as a copy, a child
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
bad_flags: .word 0x10000, CLONE_NEWNET | 0x10000, CLONE_NEWIPC | 0x10000, CLONE_NEWUTS | 0x10000, 1, 0x80000000, 0
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

// procs into a buffer; print the pids it lists (in the caller's namespace), then "." and the
// ppid of each.
const PROCS = `
plist:  push ra
        push s1
        push s2
        li   a0, HEAP_BASE + 0x4000
        li   a1, 0x1000
        call procs
        li   s1, HEAP_BASE + 0x4000
        add  s2, s1, a0
.each:  bgeu s1, s2, .done
        lw   a0, PI_PID(s1)
        call print_dec
        li   a0, '/'
        call putch
        lw   a0, PI_PPID(s1)
        call print_dec
        li   a0, ' '
        call putch
        addi s1, s1, PI_SIZEOF
        j    .each
.done:  call newline
        pop  s2
        pop  s1
        pop  ra
        ret
`;

// pid namespaces: unshare(CLONE_NEWPID) leaves the caller where it is and puts its children in
// a new namespace: the first is pid 1 there with parent 0, its children count from 2, procs
// inside lists the namespace alone, kill and wait take its pids, pid 1 takes no signal from
// inside, an orphan goes to the namespace's init, a nested namespace, and a fork into a
// namespace whose init has exited fails with ENOMEM. The outside sees the same processes by
// their level-0 pids.
const PIDNS = program('pidns', `
_start: call getpid
        call result                 # 2: the first record
        li   a0, CLONE_NEWPID
        call unshare
        call result                 # 0
        li   a0, CLONE_NEWPID
        call unshare
        call result                 # -EINVAL: its children's namespace is new already
        call getpid
        call result                 # 2: the caller did not move
        call fork
        beqz a0, .a
        mv   s1, a0
        call wst                    # 7 << 8
        mv   a0, s1
        call result                 # 3: A's pid out here (printed once A is done)
        call fork
        call result                 # -ENOMEM: A, the namespace's init, is gone
        li   a0, 0
        call exit
.a:     call getpid
        call result                 # 1
        call getppid
        call result                 # 0: the parent is outside
        call fork
        beqz a0, .b
        mv   s1, a0                 # 2: B
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        call result                 # 2
        mv   a0, s1
        call result                 # 2: what fork said
        la   a0, status
        lw   a0, 0(a0)
        call result                 # 3 << 8
        li   a0, 1
        li   a1, SIGTERM
        call kill
        call result                 # -EPERM: pid 1 is the namespace's init
        li   a0, 2
        li   a1, 0
        call kill
        call result                 # -ESRCH: B is gone, and the outside is not here
        call fork
        beqz a0, .c
        li   a0, -1                 # C, then D, C's orphan, who came to us: the statuses are
        la   a1, status             # printed after both (D prints meanwhile)
        li   a2, 0
        call wait
        la   t0, status
        lw   s1, 0(t0)
        call wst                    # 4 << 8: D
        mv   a0, s1
        call result                 # 0: C
        li   a0, CLONE_NEWPID       # nested, one level down
        call unshare
        call result                 # 0
        call fork
        beqz a0, .e
        mv   s1, a0
        call wst                    # 5 << 8
        mv   a0, s1
        call result                 # 5: E in our namespace
        call plist                  # 1/0: only us (E is reaped)
        call fork
        call result                 # -ENOMEM: E was the nested namespace's init
        li   a0, 7
        call exit
.b:     call getpid
        call result                 # 2
        call getppid
        call result                 # 1
        call plist                  # 1/0 2/1
        li   a0, 3
        call exit
.c:     call fork
        beqz a0, .d
        li   a0, 0
        call exit
.d:     call getppid                # C's pid (3) until C exits, then 1
        li   t0, 1
        beq  a0, t0, .adopted
        call yield
        j    .d
.adopted:
        call result                 # 1
        call getpid
        call result                 # 4
        li   a0, 4
        call exit
.e:     call getpid
        call result                 # 1
        call getppid
        call result                 # 0
        call plist                  # 1/0: the nested namespace holds E alone
        li   a0, 5
        call exit
${COMMON}${PROCS}`);

// The namespace dies with its init: A (pid 1 inside) forks two sleepers and says so through a
// pipe; the outside kills A, which it may (SIGKILL from above); the sleepers are killed with it
// and their zombies go to init; a fork into the dead namespace fails.
const PIDKILL = program('pidkill', `
_start: la   a0, fds
        call pipe
        li   a0, CLONE_NEWPID
        call unshare
        call fork
        beqz a0, .a
        mv   s1, a0                 # s1 = A's pid out here
        call fd0
        li   a1, HEAP_BASE
        li   a2, 1
        call read
        call result                 # 1: both sleepers exist
        call plist                  # everything: init, us, A and its two
        mv   a0, s1
        li   a1, SIGKILL
        call kill
        call result                 # 0
        call wst                    # SIGKILL
        call fork
        call result                 # -ENOMEM
.poll:  call yield                  # until the sleepers are gone (init reaps them)
        li   a0, HEAP_BASE + 0x4000
        li   a1, 0x1000
        call procs
        li   t0, PI_SIZEOF * 2      # init and us
        bne  a0, t0, .poll
        call plist
        li   a0, 0
        call exit
.a:     li   s1, 2
.more:  call fork
        beqz a0, .sleep
        addi s1, s1, -1
        bnez s1, .more
        call fd1
        la   a1, fds
        li   a2, 1
        call write
.sleep: li   a0, 1000000
        call sleep
        li   a0, 99
        call exit
${COMMON}${PROCS}`);

// Nesting: each level unshares and forks the next, down to PIDNS_MAXLEVEL; one more is ENOSPC.
// Every process is pid 1 of its namespace with parent 0, and sees only itself.
const NEST = program('nest', `
_start: li   s1, 0                  # s1 = level
.down:  li   a0, CLONE_NEWPID
        call unshare
        mv   s2, a0
        call result                 # 0, ... then -ENOSPC at the deepest
        bnez s2, .bottom
        call fork
        beqz a0, .child
        call wst
        li   a0, 0
        call exit
.child: addi s1, s1, 1
        mv   a0, s1
        call print_dec
        li   a0, ':'
        call putch
        call getpid
        call print_dec
        li   a0, '/'
        call putch
        call getppid
        call result                 # LEVEL:1/0
        j    .down
.bottom:
        call plist                  # 1/0
        li   a0, 0
        call exit
${COMMON}${PROCS}`);

// A removed directory as the root or the current directory: rmdir works (it is empty), it then
// takes no new names (ENOENT, as on Linux: before, a create there left inodes no directory
// named), `..` at the removed root stays, and the disk is clean afterwards.
const GONE = program('gone', `
_start: la   a0, p_g
        call mkdir
        la   a0, p_g
        call chroot
        call result                 # 0
        la   a0, p_grel
        call rmdir                  # from the current directory (the real root) outside it
        call result                 # 0
        la   a0, p_f
        li   a1, O_CREAT | O_WRONLY
        call open
        call result                 # -ENOENT: the root is removed
        la   a0, p_d
        call mkdir
        call result                 # -ENOENT
        la   a0, p_up
        la   a1, st
        call stat
        call result                 # 0: /.. is the (removed) root itself
        la   a0, p_h
        call mkdir
        la   a0, p_h
        call chdir
        la   a0, p_uph
        call rmdir                  # ../h: the current directory is not the root, so .. climbs
        call result                 # 0
        la   a0, p_frel
        li   a1, O_CREAT | O_WRONLY
        call open
        call result                 # -ENOENT: the current directory is removed
        la   a0, p_frel
        la   a1, p_dot
        call rename
        call result                 # -ENOENT
        call cwd                    # -ENOENT
        li   a0, 0
        call exit
p_g:    .asciz "/g"
p_grel: .asciz "g"
p_f:    .asciz "/f"
p_d:    .asciz "/d"
p_up:   .asciz "/.."
p_h:    .asciz "h"
p_uph:  .asciz "../h"
p_frel: .asciz "f"
p_dot:  .asciz "x"
        .align 4
${COMMON}`);

// setns and clone. setns's errors; clone(CLONE_NEWUTS | CLONE_NEWPID) makes a child C that is
// pid 1 of its own namespace with its own hostname, while the parent keeps its own (its pid, its
// hostname, its children's namespace: a plain fork after the clone is a level-0 process). The
// parent then joins C's UTS namespace (it sees C's hostname) and C's pid namespace (its own pid
// does not change; its next child G is pid 2 in there, with parent 0). Once C (the namespace's
// init) is gone, a fork into its namespace fails, and setns back to itself repairs that.
// clone after unshare(CLONE_NEWPID) is EINVAL; CLONE_NEWIPC is accepted and changes nothing.
// Pipes order the output: C prints once \`go\` has a byte, then writes to \`ready\`, and exits at
// the second byte.
const JOIN = program('join', `
_start: li   a0, 2
        li   a1, 0
        call setns
        call result                 # -EINVAL: no kind
        li   a0, 2
        li   a1, CLONE_NEWUTS | 1
        call setns
        call result                 # -EINVAL: an unknown bit
        li   a0, 99
        li   a1, CLONE_NEWUTS
        call setns
        call result                 # -ESRCH
        li   a0, 0
        li   a1, CLONE_NEWPID
        call setns
        call result                 # -ESRCH
        li   a0, 0x100              # CLONE_VM: processes only
        call clone
        call result                 # -EINVAL
        la   a0, ready
        call pipe
        la   a0, go
        call pipe
        li   a0, CLONE_NEWUTS | CLONE_NEWPID
        call clone
        beqz a0, .c
        mv   s1, a0                 # s1 = C's pid out here: 3
        mv   a0, s1
        call result                 # 3
        call getpid
        call result                 # 2: the parent did not move
        call show                   # ringlab: nor did its hostname
        call fork                   # a plain fork: a level-0 process, pid 4
        beqz a0, .plain
        mv   s2, a0
        call wst                    # 0
        mv   a0, s2
        call result                 # 4
        call letgo                  # C may print
        la   t0, ready
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call read                   # C has printed and set its hostname
        mv   a0, s1
        li   a1, CLONE_NEWUTS
        call setns
        call result                 # 0
        call show                   # inner: C's
        mv   a0, s1
        li   a1, CLONE_NEWPID | CLONE_NEWIPC
        call setns
        call result                 # 0
        call getpid
        call result                 # 2: still
        call fork
        beqz a0, .g
        mv   s2, a0
        call wst                    # 6 << 8
        mv   a0, s2
        call result                 # 5: G's pid out here
        call letgo                  # C may exit
        call wst                    # 5 << 8
        call fork
        call result                 # -ENOMEM: C, the namespace's init, is gone
        li   a0, 2
        li   a1, CLONE_NEWPID
        call setns
        call result                 # 0: back to its own
        li   a0, CLONE_NEWIPC
        call clone
        beqz a0, .i
        call wst                    # 7 << 8
        li   a0, CLONE_NEWIPC
        call unshare
        call result                 # 0
        li   a0, CLONE_NEWPID
        call unshare
        li   a0, CLONE_NEWPID
        call clone
        call result                 # -EINVAL: its children's namespace is new already
        li   a0, 0
        call exit
.c:     call waitgo
        call getpid
        call result                 # 1
        call getppid
        call result                 # 0
        la   a0, n_inner
        li   a1, 5
        call sethostname
        call show                   # inner
        la   t0, ready
        lw   a0, 4(t0)
        la   a1, byte
        li   a2, 1
        call write
        call waitgo
        li   a0, 5
        call exit
.g:     call getpid
        call result                 # 2: in C's namespace
        call getppid
        call result                 # 0: its parent is outside
        call show                   # inner: fork keeps the joined UTS namespace
        li   a0, 6
        call exit
.plain: li   a0, 0
        call exit
.i:     li   a0, 7
        call exit
letgo:  push ra                      # one byte into \`go\`
        la   t0, go
        lw   a0, 4(t0)
        la   a1, byte
        li   a2, 1
        call write
        pop  ra
        ret
waitgo: push ra                      # one byte out of \`go\`
        la   t0, go
        lw   a0, 0(t0)
        la   a1, byte
        li   a2, 1
        call read
        pop  ra
        ret
show:   push ra
        li   a0, HEAP_BASE
        li   a1, HOST_NAME_MAX + 1
        call gethostname
        li   a0, HEAP_BASE
        call print
        call newline
        pop  ra
        ret
n_inner: .ascii "inner"
        .align 4
ready:  .word 0, 0
go:     .word 0, 0
byte:   .word 0
${COMMON}`);

const ESCAPE: GuestProgram = { name: 'chroot-escape', image: userImage('chroot-escape', isaWith([])) };

const EXPECTED: Record<string, string> = {
  jail: rows(-14, -2, -20, -20, -36,
    0, '(unreachable)/', 0, 0, 0, -2, 0, '/', 0, '/', '/d', 0, '/', 0, '(unreachable)/r', 0, '/', -2,
    '/', -2, 0, 1280, 1792,
    0, '/sh') + 'ls: /bin: No such file or directory\n' + rows(256, '/', 0, 0),
  uts: rows(0, 'ringlab', -36, 'ringlab', -36, -22, -14, -22, -22, -14,
    -22, -22, -22, -22, -22, -22, 0, 0, 'ringlab', 0, 'box', -14, 'box',
    'box', 0, 'kid', 0, 'own', 0, 'kid', 0, 'x'.repeat(64), -36, 0, '', 0, 'a'),
  utsfull: rows(-28, 15, 0),
  pidns: rows(2, 0, -22, 2,
    1, 0, 2, 1, '1/0 2/1 ', 2, 2, 768, -1, -3,
    1, 4, 1024, 0,
    0, 1, 0, '1/0 ', 1280, 5, '1/0 ', -12,
    1792, 3, -12),
  gone: rows(0, 0, -2, -2, 0, 0, -2, -2, -2),
  join: rows(-22, -22, -3, -3, -22, 3, 2, 'ringlab', 0, 4, 1, 0, 'inner', 0, 'inner', 0, 2, 2, 0, 'inner', 1536, 5, 1280, -12, 0, 1792, 0, -22),
  pidkill: rows(1, '1/0 2/1 3/2 4/3 5/3 ', 0, 9, -12, '1/0 2/1 '),
  nest: rows(0, ...[1, 2, 3, 4, 5, 6, 7].flatMap((level) => [`${level}:1/0`, level < 7 ? 0 : -28]), '1/0 ', 0, 0, 0, 0, 0, 0, 0),
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
  it.each([JAIL, UTS, FULL, ESCAPE, GONE, PIDNS, PIDKILL, NEST, JOIN])('$name', (p) => {
    const r = boot(config, { programs: [p] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(fsck(r.machine.disk.contents()).problems).toEqual([]);
  });
});

describe('references', () => {
  it('inodes, UTS and pid namespaces and frames are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    const baseline = { inodes: inodesInUse(base), frames: framesInUse(base), uts: utsNamespaces(base), pids: pidNamespaceRefs(base) };
    expect(baseline.pids).toEqual([2, ...Array(15).fill(0)]); // init's P_PIDNS and P_NSCHILD
    expect(baseline.uts[0]).toEqual({ refs: 1, name: 'ringlab' }); // init's, the boot namespace
    expect(baseline.uts.slice(1).every((u) => u.refs === 0)).toBe(true);
    for (const p of [JAIL, UTS, FULL, ESCAPE, GONE, PIDNS, PIDKILL, NEST, JOIN]) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, inodes: inodesInUse(r), frames: framesInUse(r), uts: utsNamespaces(r).map((u) => u.refs), boot: utsNamespaces(r)[0]!.name, pids: pidNamespaceRefs(r) })
        .toEqual({ program: p.name, inodes: baseline.inodes, frames: baseline.frames, uts: baseline.uts.map((u) => u.refs), boot: 'ringlab', pids: baseline.pids });
    }
  });
});

// `hostname`, `chroot` and `unshare` as a user types them: `boot --shell --input`. The last
// session runs a shell as pid 1 of a pid namespace with its own hostname (no ps there: which of
// a pipeline's processes exist yet, and their states, depend on timing); when it exits, its
// namespace dies and the sleeper it left in the background is killed with it.
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
  'unshare -p ps',
  'unshare -u hostname inner',
  'hostname',
  "echo 'hostname in-a-box; hostname; sleep 1000 & kill 1' > /s2",
  'unshare -u -p sh /s2',
  'echo "@@ $?"',
  'hostname',
  'unshare -x',
  'echo "@@ $?"',
  'unshare -p nosuch',
  'echo "@@ $?"',
  'echo "hostname c1; sleep 1000" > /s3',
  'unshare -u -i sh /s3 &',
  'sleep 2',
  'nsenter -t 39 -u hostname',
  "echo 'hostname; hostname c2' > /s4",
  'nsenter -t 39 -u -i sh /s4',
  'hostname',
  'nsenter -t 39 -u hostname',
  'nsenter -t 999 -u',
  'echo "@@ $?"',
  'nsenter -u',
  'echo "@@ $?"',
  'nsenter -t 39 -u nosuch',
  'echo "@@ $?"',
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
$    PID  PPID STATE NAME
     1     0 R     ps
$ $ box1
$ $ in-a-box
kill: 1: Operation not permitted
$ @@ 1
$ box1
$ usage: unshare [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]
$ @@ 2
$ unshare: nosuch: No such file or directory
$ @@ 127
$ $ $ $ c1
$ $ c1
$ box1
$ c2
$ nsenter: 999: No such process
$ @@ 1
$ usage: nsenter -t PID [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]
$ @@ 2
$ nsenter: nosuch: No such file or directory
$ @@ 127
$ `;

function shell(config: string): BootResult {
  return findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
}

describe('a shell session with hostname, chroot, unshare and nsenter', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = shell(config);
    expect(r.exitCode).toBe(0);
    const text = r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '');
    expect(text).toBe(TRANSCRIPT);
  });
});
