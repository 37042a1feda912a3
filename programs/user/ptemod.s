# ptemod: page-table churn. N times: map a heap page, check it reads zero, store i, read it
# back, unmap it. checksum = sum of the values read back = N(N-1)/2.
        .include "user.inc"
        .equ SCRATCH, HEAP_BASE + 0x100000
_start: mv   s0, a0
        li   s1, 0                  # checksum
        li   s2, 0                  # i
        li   s3, 0                  # maps that came back zeroed
.loop:  bge  s2, s0, .done
        li   a0, SCRATCH
        call map
        bnez a0, .failed
        li   t1, SCRATCH
        lw   t0, 0(t1)
        bnez t0, .dirty
        addi s3, s3, 1
.dirty: sw   s2, 0(t1)
        lw   t0, 0(t1)
        add  s1, s1, t0
        li   a0, SCRATCH
        call unmap
        bnez a0, .failed
        addi s2, s2, 1
        j    .loop
.done:  la   a0, m_maps
        mv   a1, s0
        call print_kv
        la   a0, m_zero
        mv   a1, s3
        la   a2, m_sum
        mv   a3, s1
        call report2_exit           # prints "<a0><a1><a2><a3>\n", exits with 0
.failed:
        la   a0, m_failed
        call print
        li   a0, 1
        call exit
m_maps:   .asciz "ptemod: maps="
m_zero:   .asciz " zeroed="
m_sum:    .asciz " checksum="
m_failed: .asciz "ptemod: map or unmap failed\n"
        .include "lib.s"
