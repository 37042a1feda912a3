# shadow.s (te): page faults while the guest runs on the shadow page tables. The shadow itself
# is ../common/shadow.s; here a real page fault is either fixed there (hidden) or reflected to
# the guest kernel (true), with the instruction word the hardware saved.

page_fault:
        csrr a0, BADADDR
        csrr a1, CAUSE
        addi a1, a1, -CAUSE_PAGE_FAULT_READ     # access: 0 read, 1 write, 2 execute
        call shadow_fault
        beqz a0, vmm_resume         # hidden: retry the instruction on the filled shadow
        csrr a2, EINSN
        j    reflect                # true: a0 = cause, a1 = fault address
