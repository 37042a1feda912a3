# alu.s: the 5-instruction ALU loop, ring 0, paging off (bench/speed.ts case a).
# The bench prepends `.equ ITERS, n`. Result: a0 = n, a1 = sum 1..n (wrapping), a2 = xor of
# the partial sums, a3 = 0.

_start: li    a3, ITERS
loop:   addi  a0, a0, 1
        add   a1, a1, a0
        xor   a2, a2, a1
        addi  a3, a3, -1
        bnez  a3, loop
        halt
