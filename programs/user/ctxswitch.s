# ctxswitch: run as two processes that yield to each other N times each.
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0
.loop:  bge  s1, s0, .done
        call yield
        addi s1, s1, 1
        j    .loop
.done:  la   a0, m_yields
        mv   a1, s1
        call print_kv
        call newline
        li   a0, 0
        call exit
m_yields: .asciz "ctxswitch: yields="
        .include "lib.s"
