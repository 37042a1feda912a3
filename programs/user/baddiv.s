# baddiv: misbehaves: divides by zero without asking to survive it. Killed.
        .include "user.inc"
_start: la   a0, m_try
        call print
        li   t0, 7
        divu t1, t0, zero           # DivideByZero
        la   a0, m_survived
        call print
        li   a0, 1
        call exit
m_try:      .asciz "baddiv: dividing by zero\n"
m_survived: .asciz "baddiv: survived?!\n"
        .include "lib.s"
