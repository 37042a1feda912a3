# mount [-r] [-t TYPE] [-o OPTIONS] [--bind] [SOURCE TARGET]: util-linux's mount, the part
# ringlab has. Without arguments it prints the mount table of its mount namespace (the `mounts`
# call: what Linux's /proc/mounts holds). `mount --bind SOURCE TARGET` makes the directory SOURCE
# appear at TARGET (MS_BIND), read-only with -r (MS_RDONLY); `mount -t TYPE SOURCE TARGET` asks
# for a new filesystem of that type: `mount -t tmpfs tmpfs -o size=64k /tmp` (SOURCE is only a
# name, as for Linux's tmpfs). -o takes comma-separated options, as mount(8): ro, rw and bind
# are the flags (-o ro is -r, -o bind is --bind), every other one goes to the filesystem, in the
# string mount(2)'s `source` carries for it (Linux's `data`); -o may be repeated. Errors: an
# unknown option, a wrong count of arguments, neither or both of --bind and -t: the usage, exit
# 2; mount fails: "mount: TARGET: message", exit 32 (util-linux's "mount failure").
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ DATA_MAX, 240              # bytes of filesystem options
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
        li   s3, 0                      # s3 = fstype (0: none given)
        lw   t0, 0(s1)
        beqz t0, .list
.opt:   lw   a0, 0(s1)                  # options and the two operands, in any order
        beqz a0, .args
        lbu  t1, 0(a0)
        li   t2, '-'
        beq  t1, t2, .dash
        la   t0, npos                   # an operand: SOURCE, then TARGET
        lw   t1, 0(t0)
        li   t2, 2
        bgeu t1, t2, .usage
        addi t2, t1, 1
        sw   t2, 0(t0)
        slli t1, t1, 2
        la   t2, pos
        add  t1, t1, t2
        sw   a0, 0(t1)
        j    .nextopt
.dash:
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
        lw   a0, 0(s1)
        beqz a0, .usage
        call options
        bnez a0, .usage
.nextopt:
        addi s1, s1, 4
        j    .opt
.args:  la   s1, pos                    # exactly SOURCE and TARGET
        la   t0, npos
        lw   t0, 0(t0)
        li   t1, 2
        bne  t0, t1, .usage
        li   t0, MS_BIND                # --bind or -t, one of them
        and  t0, s2, t0
        sltu t1, zero, s3
        sltu t0, zero, t0
        add  t0, t0, t1
        li   t1, 1
        bne  t0, t1, .usage
        lw   a0, 0(s1)                  # a bind mount: the source directory
        bnez s3, .opts
        la   t0, fsdata                 # (options other than flags mean nothing to a bind)
        lbu  t0, 0(t0)
        bnez t0, .usage
        j    .call
.opts:  la   a0, fsdata                 # a new filesystem: its options
.call:  lw   a1, 4(s1)
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

# options(a0 = an -o argument) -> a0 = 0, or 1 when the options no longer fit: each of its
# comma-separated items is a flag (ro, rw, bind: s2) or goes to `data`, after a comma if
# something is there already. Empty items are skipped.
options:
        push ra
        push s1
        mv   s1, a0                     # s1 = the next item
.item:  lbu  t0, 0(s1)
        beqz t0, .done
        li   t1, ','
        bne  t0, t1, .take
        addi s1, s1, 1
        j    .item
.take:  la   a0, item                   # the item, alone, in `item`
        li   t2, 0
.copy:  lbu  t0, 0(s1)
        beqz t0, .ended
        li   t1, ','
        beq  t0, t1, .ended
        li   t1, DATA_MAX - 1
        bgeu t2, t1, .long
        add  t1, a0, t2
        sb   t0, 0(t1)
        addi t2, t2, 1
        addi s1, s1, 1
        j    .copy
.ended: add  t1, a0, t2
        sb   zero, 0(t1)
        la   a1, o_ro
        call strcmp
        bnez a0, .rw
        ori  s2, s2, MS_RDONLY
        j    .item
.rw:    la   a0, item
        la   a1, o_rw
        call strcmp
        bnez a0, .bind
        andi s2, s2, 0xffff & ~MS_RDONLY  # (the flags are below 0x10000)
        j    .item
.bind:  la   a0, item
        la   a1, o_bindo
        call strcmp
        bnez a0, .fs
        li   t0, MS_BIND
        or   s2, s2, t0
        j    .item
.fs:    la   a0, fsdata                 # for the filesystem: append ",item" (or "item")
        call strlen
        la   t0, fsdata
        add  t0, t0, a0
        push t0
        la   a0, item
        call strlen
        pop  t0
        la   t1, fsdata + DATA_MAX - 2
        add  t2, t0, a0
        bgeu t2, t1, .long
        la   t1, fsdata
        beq  t0, t1, .first
        li   t1, ','
        sb   t1, 0(t0)
        addi t0, t0, 1
.first: mv   a0, t0
        la   a1, item
        call strcpy
        j    .item
.done:  li   a0, 0
.out:   pop  s1
        pop  ra
        ret
.long:  li   a0, 1
        j    .out

name:   .asciz "mount"
usage:  .asciz "usage: mount [-r] [-t TYPE] [-o OPTIONS] [--bind] [SOURCE TARGET]\n"
o_bind: .asciz "--bind"
o_r:    .asciz "-r"
o_t:    .asciz "-t"
o_o:    .asciz "-o"
o_ro:   .asciz "ro"
o_rw:   .asciz "rw"
o_bindo: .asciz "bind"
        .align 4
npos:   .word 0                         # operands seen
pos:    .word 0, 0                      # SOURCE, TARGET
fsdata: .space DATA_MAX
item:   .space DATA_MAX
        .include "lib.s"
