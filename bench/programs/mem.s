# mem.s: an 8-instruction loop, 2 of them memory accesses (25% loads and stores), ring 0,
# paging off (bench/speed.ts case c). The counter lives on its own page, so with paging the
# data accesses use a different TLB entry than the fetches.
# The bench prepends `.equ ITERS, n`. Result: counter = n, a0 = n, a1 = sum 1..n (wrapping),
# a2 = xor of the partial sums, a3 = 0.

_start: li    a3, ITERS
        la    s0, counter
loop:   lw    t0, 0(s0)
        addi  t0, t0, 1
        sw    t0, 0(s0)
        addi  a0, a0, 1
        add   a1, a1, t0
        xor   a2, a2, a1
        addi  a3, a3, -1
        bnez  a3, loop
        halt

        .org  0x3000
counter: .word 0
