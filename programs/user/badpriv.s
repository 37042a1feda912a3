# badpriv: misbehaves: tries to power the machine off with a privileged `out`. Killed.
        .include "user.inc"
_start: la   a0, m_try
        call print
        out  0x30, zero             # PrivilegedInstruction
        la   a0, m_survived
        call print
        li   a0, 1
        call exit
m_try:      .asciz "badpriv: trying a privileged instruction\n"
m_survived: .asciz "badpriv: survived?!\n"
        .include "lib.s"
