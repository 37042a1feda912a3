# jumpvec: misbehaves: jumps to the address it is given (its iteration count; by default the
# kernel's first page, ring 0 only). The fetch faults and the kernel kills it. Tests give it
# the kernel's own trap vector: a VMM must not mistake that fault for the guest kernel's
# handler failing (a double fault), since on bare metal it is an ordinary fault.
        .include "user.inc"
_start: mv   s0, a0
        la   a0, m_try
        call print
        jr   s0                     # PageFaultExecute: a kernel page
m_try:  .asciz "jumpvec: jumping into the kernel\n"
        .include "lib.s"
