# nano-callret: N calls of a leaf function that adds one.
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0
        li   a0, 0
.loop:  bge  s1, s0, .done
        call leaf
        addi s1, s1, 1
        j    .loop
.done:  mv   s1, a0
        la   a0, m_n
        mv   a1, s0
        la   a2, m_r
        mv   a3, s1
        call report2_exit           # prints "<a0><a1><a2><a3>\n", exits with 0
leaf:   addi a0, a0, 1
        ret
m_n:    .asciz "nano-callret: n="
m_r:    .asciz " result="
        .include "lib.s"
