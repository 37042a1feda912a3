# sleep: naps N times for one timer tick (the processor idles if nobody else is ready).
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0
.loop:  bge  s1, s0, .done
        li   a0, 1
        call sleep
        addi s1, s1, 1
        j    .loop
.done:  la   a0, m_naps
        mv   a1, s1
        call print_kv
        call newline
        li   a0, 0
        call exit
m_naps: .asciz "sleep: naps="
        .include "lib.s"
