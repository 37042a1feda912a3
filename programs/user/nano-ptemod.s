# nano-ptemod: one system call; the kernel changes a PTE of this process and flushes it from
# the TLB, N times in a loop.
        .include "user.inc"
_start: mv   s0, a0
        li   t0, SYS_NANO_PTEMOD
        syscall
        mv   s1, a0
        li   t0, HEAP_BASE          # the page still works afterwards
        li   t1, 77
        sw   t1, 0(t0)
        lw   t1, 0(t0)
        add  s1, s1, t1
        la   a0, m_n
        mv   a1, s0
        la   a2, m_r
        mv   a3, s1
        call report2_exit           # prints "<a0><a1><a2><a3>\n", exits with 0
m_n:    .asciz "nano-ptemod: n="
m_r:    .asciz " check="
        .include "lib.s"
