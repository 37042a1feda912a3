# umount [-l] TARGET: detach the mount whose root TARGET is (umount2(TARGET, 0)), util-linux's
# umount with the one option ringlab has: -l (--lazy), a lazy unmount (MNT_DETACH): the mount and
# every mount below it leave the namespace at once, and each goes when nothing uses it any more.
# Errors: no TARGET, more than one or an unknown option: the usage, exit 2; umount fails:
# "umount: TARGET: message" (EBUSY: "Device or resource busy"), exit 32.
        .include "user.inc"
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
        lw   a0, 0(s1)
        beqz a0, .usage
        lbu  t0, 0(a0)
        li   t1, '-'
        bne  t0, t1, .target
        la   a1, o_l                    # -l or --lazy
        call strcmp
        beqz a0, .lazy
        lw   a0, 0(s1)
        la   a1, o_lazy
        call strcmp
        bnez a0, .usage
.lazy:  li   s2, MNT_DETACH
        addi s1, s1, 4
.target:
        lw   s3, 0(s1)                  # exactly one TARGET
        beqz s3, .usage
        lw   t0, 4(s1)
        bnez t0, .usage
        mv   a0, s3
        mv   a1, s2
        call umount
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s3
        call perror
        li   a0, 32
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "umount"
o_l:    .asciz "-l"
o_lazy: .asciz "--lazy"
usage:  .asciz "usage: umount [-l] TARGET\n"
        .align 4
        .include "lib.s"
