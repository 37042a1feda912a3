# shadow.s (bt): page faults while the guest runs on the shadow page tables, as te's
# (../te/shadow.s), with one more case: a store to data on a page that holds translated code
# (translate.s, bt_shadow_pte), which the VMM does itself (bt_store).

page_fault:
        la   t0, bt_store_emulate
        sw   zero, 0(t0)
        la   t0, trace_store
        sw   zero, 0(t0)
        csrr a0, BADADDR
        csrr a1, CAUSE
        addi a1, a1, -CAUSE_PAGE_FAULT_READ     # access: 0 read, 1 write, 2 execute
        call shadow_fault
        bnez a0, .true
        la   t0, bt_store_emulate
        lw   t0, 0(t0)
        bnez t0, bt_store
        la   t0, trace_store        # a store to a traced page table (../common/trace.s)
        lw   t0, 0(t0)
        bnez t0, bt_store           # (adaptive.s)
        j    vmm_resume             # hidden: retry the instruction on the filled shadow
.true:  csrr a2, EINSN
        j    reflect                # true: a0 = cause, a1 = fault address
