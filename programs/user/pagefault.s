# pagefault: touches N fresh heap pages (each first touch is a demand-zero page fault), checks
# each reads as zero, stores i + 1 in page i, then sums the pages back: checksum = N(N+1)/2.
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0                  # pages that read as zero on first touch
        li   s2, 0
        li   s3, HEAP_BASE
.touch: bge  s2, s0, .sum
        lw   t0, 0(s3)              # page fault: the kernel maps a zero page, then retries
        bnez t0, .dirty
        addi s1, s1, 1
.dirty: addi t0, s2, 1
        sw   t0, 0(s3)
        li   t0, PAGE_SIZE
        add  s3, s3, t0
        addi s2, s2, 1
        j    .touch
.sum:   li   s2, 0
        li   s3, HEAP_BASE
        li   t1, 0
.again: bge  s2, s0, .done
        lw   t0, 0(s3)
        add  t1, t1, t0
        li   t0, PAGE_SIZE
        add  s3, s3, t0
        addi s2, s2, 1
        j    .again
.done:  mv   s2, t1
        la   a0, m_pages
        mv   a1, s0
        call print_kv
        la   a0, m_zero
        mv   a1, s1
        la   a2, m_sum
        mv   a3, s2
        call report2_exit           # prints "<a0><a1><a2><a3>\n", exits with 0
m_pages: .asciz "pagefault: pages="
m_zero:  .asciz " zeroed="
m_sum:   .asciz " checksum="
        .include "lib.s"
