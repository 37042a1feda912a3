# mount [-r] [-t TYPE | --bind] [SOURCE TARGET]: util-linux's mount, the part ringlab has.
# Without arguments it prints the mount table of its mount namespace (the `mounts` call: what
# Linux's /proc/mounts holds). `mount --bind SOURCE TARGET` makes the directory SOURCE appear at
# TARGET (MS_BIND), read-only with -r (MS_RDONLY); `mount -t TYPE SOURCE TARGET` asks for a new
# filesystem of that type (none is known yet: "No such device"). Errors: an unknown option or a
# wrong count of arguments: the usage, exit 2; mount fails: "mount: TARGET: message", exit 32
# (util-linux's "mount failure").
        .include "user.inc"
        .equ BUF, HEAP_BASE
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
        li   s3, 0                      # s3 = fstype (0: none given)
        lw   t0, 0(s1)
        beqz t0, .list
.opt:   lw   a0, 0(s1)
        beqz a0, .usage
        lbu  t1, 0(a0)
        li   t2, '-'
        bne  t1, t2, .args
        la   a1, o_bind
        call strcmp
        bnez a0, .r
        li   t0, MS_BIND
        or   s2, s2, t0
        j    .nextopt
.r:     lw   a0, 0(s1)
        la   a1, o_r
        call strcmp
        bnez a0, .t
        ori  s2, s2, MS_RDONLY
        j    .nextopt
.t:     lw   a0, 0(s1)
        la   a1, o_t
        call strcmp
        bnez a0, .usage
        addi s1, s1, 4
        lw   s3, 0(s1)
        beqz s3, .usage
.nextopt:
        addi s1, s1, 4
        j    .opt
.args:  lw   t0, 4(s1)                  # exactly SOURCE and TARGET
        beqz t0, .usage
        lw   t0, 8(s1)
        bnez t0, .usage
        li   t0, MS_BIND                # --bind or -t, one of them
        and  t0, s2, t0
        sltu t1, zero, s3
        sltu t0, zero, t0
        add  t0, t0, t1
        li   t1, 1
        bne  t0, t1, .usage
        lw   a0, 0(s1)
        lw   a1, 4(s1)
        mv   a2, s3
        mv   a3, s2
        call mount
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        lw   a1, 4(s1)
        call perror
        li   a0, 32
        call exit
.list:  li   a0, BUF
        li   a1, 0x4000
        call mounts
        blt  a0, zero, .lfail
        mv   a2, a0
        li   a0, 1
        li   a1, BUF
        call write_all
        li   a0, 0
        call exit
.lfail: mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 32
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "mount"
usage:  .asciz "usage: mount [-r] [-t TYPE | --bind] [SOURCE TARGET]\n"
o_bind: .asciz "--bind"
o_r:    .asciz "-r"
o_t:    .asciz "-t"
        .align 4
        .include "lib.s"
