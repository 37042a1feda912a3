# vmmread: misbehaves: reads the top 4 MiB of its address space, where a VMM lives. The guest
# kernel never maps it, so the read page-faults and the guest kernel kills the process: the
# same natively and under every VMM (which stays intact: its pages are ring 0 only).
        .include "user.inc"
_start: la   a0, m_try
        call print
        li   t0, 0xffc02000         # the VMM's code, under a VMM
        lw   t1, 0(t0)              # PageFaultRead
        la   a0, m_survived
        call print
        li   a0, 1
        call exit
m_try:      .asciz "vmmread: reading the VMM's region\n"
m_survived: .asciz "vmmread: survived?!\n"
        .include "lib.s"
