# umount TARGET: detach the mount whose root TARGET is (umount2(TARGET, 0)), util-linux's
# umount without its options. Errors: no TARGET or more than one: the usage, exit 2; umount
# fails: "umount: TARGET: message" (EBUSY: "Device or resource busy"), exit 32.
        .include "user.inc"
_start: li   t0, 2
        bne  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        lw   s1, 4(a2)
        mv   a0, s1
        li   a1, 0
        call umount
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s1
        call perror
        li   a0, 32
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "umount"
usage:  .asciz "usage: umount TARGET\n"
        .align 4
        .include "lib.s"
