# mem-user.s: the 8-instruction load/store loop of mem.s, in ring 3 with paging on (bench case d).
        .include "user.inc"

user_main:
        li    a3, ITERS
        la    s0, counter
loop:   lw    t0, 0(s0)
        addi  t0, t0, 1
        sw    t0, 0(s0)
        addi  a0, a0, 1
        add   a1, a1, t0
        xor   a2, a2, a1
        addi  a3, a3, -1
        bnez  a3, loop
        syscall

        .org  0x3000
counter: .word 0
