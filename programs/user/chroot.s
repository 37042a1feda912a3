# chroot DIR [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) with DIR as its root
# directory, as coreutils' chroot does: chroot(DIR), then chdir("/") so that the current
# directory is inside the new root (chroot alone leaves it where it was: chroot-escape.s), then
# exec. A COMMAND without a `/` is looked up in /bin of the new root, as the shell does, so DIR
# needs its own /bin. Exit status as coreutils': 125 when chroot or chdir fails ("chroot: DIR:
# message"), 127 when COMMAND is not found and 126 when it cannot run ("chroot: COMMAND:
# message"); otherwise COMMAND's own.
        .include "user.inc"
_start: li   t1, 2
        blt  a1, t1, .usage             # crt0: a1 = argc, a2 = argv
        mv   s1, a2                     # s1 = argv
        lw   a0, 4(s1)
        call chroot
        blt  a0, zero, .dirfail
        la   a0, slash
        call chdir
        blt  a0, zero, .dirfail
        addi a0, s1, 8                  # argv from COMMAND on (none: 0, the shell)
        la   a1, name
        call exec_command
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
        .include "lib.s"
