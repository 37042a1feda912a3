# compute: integer work. Each round runs a sieve of Eratosthenes over 0..SIEVE-1 (a byte array
# on the demand-zero heap) and sums the primes; checksum = checksum * 31 + sum, per round.
        .include "user.inc"
        .equ SIEVE, 1000
_start: mv   s0, a0                 # rounds (iteration count)
        li   s1, 0                  # checksum
        li   s2, 0                  # round
.round: bge  s2, s0, .done
        li   t0, HEAP_BASE          # clear the flags
        li   t1, HEAP_BASE + SIEVE
.clear: sw   zero, 0(t0)
        addi t0, t0, 4
        blt  t0, t1, .clear
        li   t0, 2                  # i
.outer: mul  t1, t0, t0             # j = i * i
        li   t2, SIEVE
        bge  t1, t2, .sum
        li   t3, HEAP_BASE
        add  t3, t3, t0
        lbu  t3, 0(t3)
        bnez t3, .nexti             # i is composite
        li   t3, 1
.inner: li   a0, HEAP_BASE
        add  a0, a0, t1
        sb   t3, 0(a0)              # flag j composite
        add  t1, t1, t0
        blt  t1, t2, .inner
.nexti: addi t0, t0, 1
        j    .outer
.sum:   li   t0, 2
        li   t1, 0                  # sum of primes
        li   t2, SIEVE
.add:   li   t3, HEAP_BASE
        add  t3, t3, t0
        lbu  t3, 0(t3)
        bnez t3, .skip
        add  t1, t1, t0
.skip:  addi t0, t0, 1
        blt  t0, t2, .add
        li   t0, 31
        mul  s1, s1, t0
        add  s1, s1, t1
        addi s2, s2, 1
        j    .round
.done:  la   a0, m_rounds
        mv   a1, s0
        call print_kv
        la   a0, m_sum
        mv   a1, s1
        call print_kv
        call newline
        li   a0, 0
        call exit
m_rounds: .asciz "compute: rounds="
m_sum:    .asciz " checksum="
        .include "lib.s"
