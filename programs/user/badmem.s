# badmem: misbehaves: reads kernel memory (physical 0x10000, mapped ring 0 only). The kernel
# kills it; nothing after the load runs.
        .include "user.inc"
_start: la   a0, m_try
        call print
        li   t0, 0x00010000
        lw   t1, 0(t0)              # PageFaultRead: kernel page
        la   a0, m_survived
        call print
        li   a0, 1
        call exit
m_try:      .asciz "badmem: reading kernel memory\n"
m_survived: .asciz "badmem: survived?!\n"
        .include "lib.s"
