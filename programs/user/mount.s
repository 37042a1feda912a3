# mount [-r] [--bind] [-t TYPE] [-o OPTIONS] [SOURCE TARGET]: util-linux's mount, the part
# ringlab has. Without arguments it prints the mount table of its mount namespace (the `mounts`
# call: what Linux's /proc/mounts holds). `mount --bind SOURCE TARGET` makes the directory
# SOURCE appear at TARGET (MS_BIND), read-only with -r (MS_RDONLY); `mount -t TYPE SOURCE TARGET`
# mounts a new filesystem of that type, `-o OPTIONS` its options, given to the kernel verbatim
# as mount(2)'s `data` (ringlab's mount call carries it in `source`, which tmpfs and overlay
# ignore, as Linux does): `mount -t overlay overlay -o lowerdir=/l2:/l1,upperdir=/u /merged`.
# Options and arguments may come in any order. Errors: an unknown option, --bind together with
# -t, or a wrong count of arguments: the usage, exit 2; mount fails: "mount: TARGET: message",
# exit 32 (util-linux's "mount failure").
        .include "user.inc"
        .equ BUF, HEAP_BASE
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
        li   s3, 0                      # s3 = fstype (0: none given)
        lw   t0, 0(s1)
        beqz t0, .list
.opt:   lw   a0, 0(s1)
        beqz a0, .args
        lbu  t1, 0(a0)
        li   t2, '-'
        bne  t1, t2, .pos
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
        bnez a0, .o
        addi s1, s1, 4
        lw   s3, 0(s1)
        beqz s3, .usage
        j    .nextopt
.o:     lw   a0, 0(s1)
        la   a1, o_o
        call strcmp
        bnez a0, .usage
        addi s1, s1, 4
        lw   t0, 0(s1)
        beqz t0, .usage
        la   t1, opts
        sw   t0, 0(t1)
        j    .nextopt
.pos:   la   t0, args                   # SOURCE, then TARGET, and no more
        lw   t1, 0(t0)
        beqz t1, .put
        addi t0, t0, 4
        lw   t1, 0(t0)
        bnez t1, .usage
.put:   sw   a0, 0(t0)
.nextopt:
        addi s1, s1, 4
        j    .opt
.args:  la   t0, args                   # exactly SOURCE and TARGET
        lw   t1, 4(t0)
        beqz t1, .usage
        li   t0, MS_BIND                # --bind or -t, one of them
        and  t0, s2, t0
        sltu t1, zero, s3
        sltu t0, zero, t0
        add  t0, t0, t1
        li   t1, 1
        bne  t0, t1, .usage
        la   t0, args
        lw   a0, 0(t0)                  # a bind mount's source is the directory SOURCE;
        beqz s3, .call                  # a new filesystem's is its options (mount(2)'s data),
        la   a0, opts                   # empty without -o
        lw   a0, 0(a0)
        bnez a0, .call
        la   a0, empty
.call:  la   t0, args
        lw   a1, 4(t0)
        mv   a2, s3
        mv   a3, s2
        call mount
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        la   t0, args
        lw   a1, 4(t0)
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
usage:  .asciz "usage: mount [-r] [--bind] [-t TYPE] [-o OPTIONS] [SOURCE TARGET]\n"
o_bind: .asciz "--bind"
o_r:    .asciz "-r"
o_t:    .asciz "-t"
o_o:    .asciz "-o"
empty:  .asciz ""
        .align 4
args:   .word 0, 0                 # SOURCE, TARGET
opts:   .word 0                    # -o's OPTIONS (0: none given)
        .include "lib.s"
