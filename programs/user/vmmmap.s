# vmmmap: asks the guest kernel to map a page in the top 4 MiB (where a VMM lives) and to
# unmap one there. The kernel refuses both (-1): only the heap can be mapped. Then it tries
# the address anyway and is killed.
        .include "user.inc"
_start: li   a0, 0xffc00000
        call map
        la   s0, m_map
        call report
        li   a0, 0xfff00000
        call unmap
        la   s0, m_unmap
        call report
        li   t0, 0xffc00000
        lw   t1, 0(t0)              # PageFaultRead: still not mapped
        la   a0, m_survived
        call print
        li   a0, 1
        call exit

# report(a0 = system call result, s0 = what was asked): "vmmmap: <what>: refused" or "done?!"
report: push ra
        la   s1, m_refused
        addi a0, a0, 1
        beqz a0, .print             # -1: refused
        la   s1, m_done
.print: mv   a0, s0
        call print
        mv   a0, s1
        call print
        pop  ra
        ret

m_map:      .asciz "vmmmap: map(0xffc00000): "
m_unmap:    .asciz "vmmmap: unmap(0xfff00000): "
m_refused:  .asciz "refused\n"
m_done:     .asciz "done?!\n"
m_survived: .asciz "vmmmap: survived?!\n"
        .include "lib.s"
