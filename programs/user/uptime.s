# uptime: uses the uptime() system call, the worked example of docs/extending.md ("Adding a
# system call"): uptime() must grow by at least N across sleep(N).
        .include "user.inc"
_start: mv   s0, a0                 # N
        call uptime
        mv   s1, a0                 # timer ticks since boot, before
        mv   a0, s0
        call sleep
        call uptime
        sub  s2, a0, s1             # ticks that passed
        la   a0, m_slept
        mv   a1, s0
        call print_kv
        la   a0, m_grew
        bge  s2, s0, .print
        la   a0, m_short
.print: call print
        li   a0, 0
        call exit
m_slept: .asciz "uptime: slept "
m_grew:  .asciz " ticks; uptime() grew by at least that\n"
m_short: .asciz " ticks; uptime() grew by less?!\n"
        .include "lib.s"
