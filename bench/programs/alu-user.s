# alu-user.s: the 5-instruction ALU loop of alu.s, in ring 3 with paging on (bench case b).
        .include "user.inc"

user_main:
        li    a3, ITERS
loop:   addi  a0, a0, 1
        add   a1, a1, a0
        xor   a2, a2, a1
        addi  a3, a3, -1
        bnez  a3, loop
        syscall
