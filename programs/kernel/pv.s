# pv.s (PARAVIRT builds only): the kernel's side of the page-table queue in the shared page
# (docs/vmm-pv.md, "Page tables"). The macros vset_ptbr, vtlbflush, vpt_written and vpt_free
# (arch.inc) push their argument and call one of these; each appends one request word,
# (argument & ~3) | command, removes the argument from the stack and preserves every register
# but ra. A full queue is handed to the VMM first (HC_MMU); otherwise the requests wait for the
# next hypercall, which applies them before anything else (at the latest the HC_IRET back to a
# process), so a whole system call's page-table work costs no hypercall of its own.

pv_pt_written:                      # 0(sp) = address of the page-table entry just stored
        push t0
        li   t0, MMU_PT_WRITE
        j    pv_queue
pv_invlpg:                          # 0(sp) = a virtual address whose TLB entry must go
        push t0
        li   t0, MMU_INVLPG
        j    pv_queue
pv_new_baseptr:                     # 0(sp) = the new PTBR value (directory | PTBR_ENABLE)
        push t0
        li   t0, MMU_NEW_BASEPTR
        j    pv_queue
pv_pt_release:                      # 0(sp) = a page-table frame about to be freed
        push t0
        li   t0, MMU_RELEASE
        # fall through

# pv_queue(t0 = command; 0(sp) = the caller's t0, 4(sp) = the argument)
pv_queue:
        push t1
        lw   t1, 8(sp)              # the argument without its low two bits ...
        srli t1, t1, 2
        slli t1, t1, 2
        or   t1, t1, t0             # ... and the command in them
        sw   t1, 8(sp)
        lw   t0, PV_MMU_COUNT(zero)
        sltiu t1, t0, PV_MMU_MAX
        bnez t1, .room
        li   t0, HC_MMU             # the queue is full: the VMM applies and empties it
        syscall
        li   t0, 0
.room:  slli t1, t0, 2
        addi t0, t0, 1
        sw   t0, PV_MMU_COUNT(zero)
        lw   t0, 8(sp)
        sw   t0, PV_MMU_QUEUE(t1)
        pop  t1
        pop  t0
        addi sp, sp, 4              # the argument
        ret
