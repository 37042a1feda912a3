# nano-pgfault: N stores to N fresh heap pages: N demand-zero page faults.
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0
        li   s2, HEAP_BASE
        li   t1, PAGE_SIZE
.loop:  bge  s1, s0, .done
        sw   s1, 0(s2)              # faults: the page is mapped, zeroed, and the store retried
        add  s2, s2, t1
        addi s1, s1, 1
        j    .loop
.done:  la   a0, m_n
        mv   a1, s1
        call print_kv
        call newline
        li   a0, 0
        call exit
m_n:    .asciz "nano-pgfault: n="
        .include "lib.s"
