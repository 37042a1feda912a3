# nano-csrw: one system call; the kernel writes a control register (IMASK) N times in a loop.
        .include "user.inc"
_start: mv   s0, a0
        li   t0, SYS_NANO_CSRW
        syscall
        mv   s1, a0
        la   a0, m_n
        mv   a1, s0
        la   a2, m_r
        mv   a3, s1
        call report2_exit           # prints "<a0><a1><a2><a3>\n", exits with 0
m_n:    .asciz "nano-csrw: n="
m_r:    .asciz " result="
        .include "lib.s"
