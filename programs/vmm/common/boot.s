# boot.s: the VMM's first instructions, at host-physical 0 with paging off and in ring 0.
# Build the page table of the VMM's region (VMM_BASE + n * 4 KiB -> host-physical n * 4 KiB,
# ring 0 only; the window pages stay empty), hang it in slot 1023 of the VMM's page directory
# (VMM_PGDIR_PHYS, which the including VMM defines) and, for the next few instructions only,
# in slot 0 as well, so that this code is still mapped where it runs when paging comes on.
# Then jump to vmm_main, which removes the slot-0 alias. Assemble with `.org 0` before
# including this file.

_start:
        li   t0, VMM_PT_PHYS
        li   t1, VMM_PTE            # entry n maps host-physical n * 4 KiB
        li   t2, VMM_PT_PHYS + WINDOW_FIRST * 4
        li   t3, PAGE_SIZE
.fill:  sw   t1, 0(t0)
        add  t1, t1, t3
        addi t0, t0, 4
        bltu t0, t2, .fill
        li   t0, VMM_PGDIR_PHYS
        li   t1, VMM_PT_PHYS | PTE_PRESENT
        sw   t1, VMM_PDE_SLOT * 4(t0)
        sw   t1, 0(t0)              # the temporary alias of this code
        ori  t0, t0, PTBR_ENABLE
        csrw PTBR, t0
        la   t0, vmm_main
        jr   t0
