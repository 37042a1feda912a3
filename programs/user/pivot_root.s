# pivot_root NEW_ROOT PUT_OLD: util-linux's pivot_root: the mount at NEW_ROOT becomes the root
# of the mount namespace, and the old root is attached at PUT_OLD (docs/containers.md). Errors:
# a wrong count of arguments: the usage, exit 2; the call fails: "pivot_root: message", exit 1.
        .include "user.inc"
_start: li   t0, 3
        bne  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        lw   a0, 4(a2)
        lw   a1, 8(a2)
        call pivot_root
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "pivot_root"
usage:  .asciz "usage: pivot_root NEW_ROOT PUT_OLD\n"
        .align 4
        .include "lib.s"
