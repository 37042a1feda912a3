# hypercall.s (pv): what the VMM does with each real trap cause, and the hypercalls.

# What the VMM does with each real trap cause (vmm_entry jumps through this table).
cause_table:
        .word vmm_panic             # 0: no such cause
        .word pv_syscall            # Syscall: from ring 1 a hypercall; from ring 3 the guest's
        .word reflect_trap          # Breakpoint
        .word reflect_trap          # IllegalInstruction
        .word reflect_trap          # PrivilegedInstruction: never emulated, always the guest's
        .word pv_page_fault         # PageFaultRead: always the guest's own (no hidden faults)
        .word pv_page_fault         # PageFaultWrite
        .word pv_page_fault         # PageFaultExecute
        .word reflect_trap          # Misaligned
        .word reflect_trap          # DivideByZero
        .word reflect_trap          # BusError
        .word vmm_panic, vmm_panic, vmm_panic, vmm_panic, vmm_panic   # 11..15: no such causes
        .word real_interrupt        # TimerInterrupt: the real timer (the VMM's)
        .word real_interrupt        # ConsoleInterrupt: the guest's (vmm_resume delivers it)
        .word real_interrupt        # DiskInterrupt: the real disk (the VMM's)
        .if . - cause_table != NCAUSES * 4
        .error "cause_table needs one handler per trap cause (NCAUSES, hw.inc)"
        .endif

# pv_syscall: `syscall` from a process (real ring 3) goes to the guest kernel like any of its
# traps; from the guest kernel (real ring 1) it is a hypercall. The queued page-table requests
# come first, then the hypercall named by the guest's t0 (hypercall.inc), which gets a0 and a1
# in the vCPU and ends in vmm_resume (most through advance: resume after the `syscall`).
pv_syscall:
        csrr t1, ESTATUS
        andi t1, t1, STATUS_RING_MASK
        li   t2, 3
        beq  t1, t2, reflect_trap
        lw   t0, SH_MMU_COUNT(s0)
        beqz t0, .call
        call mmu_apply
.call:  lw   t1, V_REGS + 4 * 8(s0) # the guest's t0 (r8): the hypercall number
        sltiu t2, t1, NHYPERCALLS
        beqz t2, hc_unknown
        slli t1, t1, 2
        count_entry stat_hypercalls, t1, t2, t3
        la   t2, hypercall_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1

hypercall_table:
        .word hc_iret, advance, hc_console_write, hc_block, hc_io_in, hc_io_out, hc_halt, hc_probe
        .word hc_disk_kick          # blkback.s
        .if NHYPERCALLS != 9
        .error "hypercall_table needs one handler per hypercall of hypercall.inc"
        .endif

# An unknown number: a0 = -1, as an unknown system call gets.
hc_unknown:
        li   a1, -1
        li   s1, 4                  # a0 (r4)
        j    set_rd_advance

# HC_IRET: what `sret` does, from the trap words of the shared page: STATUS = ESTATUS (its ring
# and IE bits), pc = EPC; the guest's t0 comes back from PV_IRET_T0. Returning to virtual ring 3
# needs nothing more: vmm_resume drops to the real ring 3, delivering a pending interrupt first
# if the restored IE allows.
hc_iret:
        lw   t0, V_ESTATUS(s0)
        andi t0, t0, STATUS_RING_MASK | STATUS_IE
        sw   t0, V_STATUS(s0)
        lw   t0, V_EPC(s0)
        sw   t0, V_PC(s0)
        lw   t0, SH_IRET_T0(s0)
        sw   t0, V_REGS + 4 * 8(s0)
        j    vmm_resume

# HC_BLOCK: wfi (emu_wfi). The guest may have stored over V_IPEND since the VMM last wrote it (its
# timer's acknowledgement, a store of 0, clears the disk's and the console's bits too): rebuild
# the word first, so that a line still pending ends the wait at once, as it would on the device.
hc_block:
        call ipend_rebuild
        j    emu_wfi

# HC_CONSOLE_WRITE(a0 = guest-physical address, a1 = length): the bytes, to the real console,
# read through the windows; a0 = the length, or -1 if the bytes are not all guest memory.
hc_console_write:
        lw   s1, V_REGS + 4 * 4(s0) # s1 = next byte (guest-physical)
        lw   s2, V_REGS + 4 * 5(s0) # s2 = length
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu s1, t0, .bad
        sub  t0, t0, s1             # bytes of guest memory from s1 on
        bgtu s2, t0, .bad           # (a negative length is a huge one: refused too)
        add  s2, s2, s1             # s2 = end
        li   s3, -1                 # s3 = VMM address of s1, or -1 at a new page
.byte:  bgeu s1, s2, .done
        li   t0, -1                 # (VMM addresses are negative as signed words: compare
        bne  s3, t0, .put           # with -1 itself)
        mv   a0, s1
        call map_guest
        mv   s3, a0
.put:   lbu  t0, 0(s3)
        out  CONSOLE_DATA, t0
        addi s1, s1, 1
        addi s3, s3, 1
        andi t0, s1, 0xfff
        bnez t0, .byte
        li   s3, -1                 # the next byte is on another guest page
        j    .byte
.done:  lw   a1, V_REGS + 4 * 5(s0)
        li   s1, 4
        j    set_rd_advance
.bad:   li   a1, -1
        li   s1, 4
        j    set_rd_advance

# HC_IO_IN(a0 = port) -> a0 and HC_IO_OUT(a0 = port, a1 = value): the device models that te and
# vtx use for `in` and `out` (../common/devices.s).
hc_io_in:
        lw   a0, V_REGS + 4 * 4(s0)
        call dev_in
        mv   a1, a0
        li   s1, 4
        j    set_rd_advance

hc_io_out:
        lw   a0, V_REGS + 4 * 4(s0)
        lw   a1, V_REGS + 4 * 5(s0)
        call dev_out
        j    advance

hc_halt:
        halt

hc_probe:
        li   a1, PV_MAGIC
        li   s1, 4
        j    set_rd_advance

# A real page fault. The shadow is always complete, so the fault is the guest's own: deliver it
# to the guest kernel. With the guest's paging off (the shadow maps all of guest memory) it can
# only be an address beyond guest memory, which bare metal reports as a bus error.
pv_page_fault:
        la   t0, guest_ptbr
        lw   t0, 0(t0)
        andi t0, t0, PTBR_ENABLE
        beqz t0, .off
        count stat_true_faults, t0, t1
        j    reflect_trap
.off:   li   a0, CAUSE_BUS_ERROR
        csrr a1, BADADDR
        csrr a2, EINSN
        j    reflect
