# vmmwrite: misbehaves: writes into the top 4 MiB of its address space (the VMM's data, under
# a VMM). The write page-faults and the guest kernel kills the process.
        .include "user.inc"
_start: la   a0, m_try
        call print
        li   t0, 0xffc03000
        li   t1, 0x0badc0de
        sw   t1, 0(t0)              # PageFaultWrite
        la   a0, m_survived
        call print
        li   a0, 1
        call exit
m_try:      .asciz "vmmwrite: writing the VMM's region\n"
m_survived: .asciz "vmmwrite: survived?!\n"
        .include "lib.s"
