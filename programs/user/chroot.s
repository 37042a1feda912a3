# chroot DIR [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) with DIR as its root
# directory, as coreutils' chroot does: chroot(DIR), then chdir("/") so that the current
# directory is inside the new root (chroot alone leaves it where it was: chroot-escape.s), then
# exec. A COMMAND without a `/` is looked up in /bin of the new root, as the shell does, so DIR
# needs its own /bin. Exit status as coreutils': 125 when chroot or chdir fails ("chroot: DIR:
# message"), 127 when COMMAND is not found and 126 when it cannot run ("chroot: COMMAND:
# message"); otherwise COMMAND's own.
        .include "user.inc"
        .equ PATHBUF, HEAP_BASE         # "/bin/" + COMMAND
_start: li   t1, 2
        blt  a1, t1, .usage             # crt0: a1 = argc, a2 = argv
        mv   s0, a1                     # s0 = argc
        mv   s1, a2                     # s1 = argv
        lw   a0, 4(s1)
        call chroot
        blt  a0, zero, .dirfail
        la   a0, slash
        call chdir
        blt  a0, zero, .dirfail
        li   t1, 2
        bne  s0, t1, .command
        la   a0, p_sh                   # no COMMAND: the shell
        la   a1, sh_argv
        call exec
        mv   a2, a0
        la   a1, p_sh
        j    .execfail
.command:
        lw   s2, 8(s1)                  # s2 = COMMAND
        mv   a0, s2
.slash: lbu  t1, 0(a0)                  # a `/` in it: run it as it is
        beqz t1, .inbin
        addi a0, a0, 1
        li   t2, '/'
        bne  t1, t2, .slash
        mv   a0, s2
        j    .run
.inbin: mv   a0, s2                     # a name longer than NAME_MAX is the kernel's error
        call strlen
        li   t1, NAME_MAX
        bgtu a0, t1, .plain
        li   a0, PATHBUF
        la   a1, p_bin
        call strcpy
        mv   a1, s2
        call strcpy
        li   a0, PATHBUF
        j    .run
.plain: mv   a0, s2
.run:   addi a1, s1, 8                  # argv from COMMAND on
        call exec
        mv   a2, a0
        mv   a1, s2
.execfail:
        push a2
        la   a0, name
        call perror
        pop  a2
        li   a0, 127
        li   t1, -ENOENT
        beq  a2, t1, .exit
        li   a0, 126
.exit:  call exit
.dirfail:
        mv   a2, a0
        la   a0, name
        lw   a1, 4(s1)
        call perror
        li   a0, 125
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "chroot"
usage:  .asciz "usage: chroot DIR [COMMAND [ARG...]]\n"
slash:  .asciz "/"
p_sh:   .asciz "/bin/sh"
p_bin:  .asciz "/bin/"
a_sh:   .asciz "sh"
        .align 4
sh_argv: .word a_sh, 0
        .include "lib.s"
