# vmm.s: the hardware-assisted VMM, on the VT-x-style extension (src/isa/vmx.ts, docs/vmm-vtx.md).
# One image serves two configurations, chosen by a flag in the boot info:
#   vtx      shadow paging, as 2005-era VT-x had to: the VMCS asks for exits on page faults,
#            PTBR accesses and TLB flushes, and the VMM keeps the shadow (../common/shadow.s)
#   vtx-ept  nested paging (EPT, 2008): the hardware walks the guest's tables and the EPT;
#            the guest's page faults, PTBR writes and TLB flushes never leave the guest
# Either way the guest kernel keeps its own ring 0 in non-root mode, its system calls and
# most privileged instructions never exit, and the VMM runs in its own address space (the
# guest's never contains it). Device models and instruction emulation are the te VMM's
# (../common), because the VMCS guest-state area has the vCPU's layout: s0 = the VMCS.

        .include "../../lib/hw.inc"
        .include "../common/layout.inc"
        .include "../common/vcpu.inc"
        .include "../common/macros.inc"

        .equ VMM_PGDIR_PHYS, HOST_PGDIR_PHYS

# How ../common/shadow.s works for vtx: the guest's own PTBR lives in the VMCS software area
# (the VMCS's G_PTBR is the shadow's), guest ring-0 pages stay ring 0 (the guest kernel really
# runs in ring 0, in non-root mode), the whole shadow is the guest's (the VMM is elsewhere),
# and flushing the guest's TLB entries takes invvpid from root mode.
        .equ V_GUEST_PTBR, V_SOFT_PTBR
        .equ SHADOW_KERNEL_RING, PTE_RING0
        .equ SHADOW_KEEPS_VMM_SLOT, 0
        .macro shadow_flush_all
        invvpidall
        .endm
        .macro shadow_flush_page reg
        invvpid \reg
        .endm

        .equ EXITS_ALWAYS, VMX_EXIT_IO | VMX_EXIT_HALT | VMX_EXIT_WFI | VMX_EXIT_EXTINT
        .equ EXITS_SHADOW, EXITS_ALWAYS | VMX_EXIT_PTBR | VMX_EXIT_TLBFLUSH
        .equ PAGE_FAULTS, (1 << CAUSE_PAGE_FAULT_READ) | (1 << CAUSE_PAGE_FAULT_WRITE) | (1 << CAUSE_PAGE_FAULT_EXECUTE)

        .org 0
        .include "../common/boot.s"

        .org VMM_CODE

# vmm_main: in the VMM's own address space, ring 0, root mode. Check the boot info, fill in
# the VMCS (guest state: the kernel's entry, ring 0, paging and interrupts off; host state:
# this VMM; controls: what exits), and launch the guest.
vmm_main:
        li   sp, VMM_STACK_TOP
        li   t0, HOST_PGDIR
        sw   zero, 0(t0)            # remove the boot stub's alias in slot 0
        tlbflushall
        la   t0, vmm_trap           # a trap in root mode is a VMM bug
        csrw TVEC, t0
        call read_boot_info         # a0 = the guest's entry point, a1 = flags
        andi t1, a1, VI_FLAG_EPT
        la   t2, use_ept
        sw   t1, 0(t2)
        mv   s1, a0
        li   s0, VMCS               # clear the VMCS: a launch needs LAUNCHED = 0
        li   t1, VMCS_SIZE
.clear: addi t1, t1, -4
        add  t2, s0, t1
        sw   zero, 0(t2)
        bnez t1, .clear
        sw   s1, VMCS_G_PC(s0)      # guest: ring 0, interrupts off (G_STATUS = 0)
        csrr t1, EXTENSIONS         # guest: the real CPU's extensions but the hidden ones
        li   t2, ~GUEST_EXT_HIDDEN  # (vcpu.inc), what it reads from EXTENSIONS
        and  t1, t1, t2
        sw   t1, VMCS_C_EXTENSIONS(s0)
        la   t1, vmm_exit           # host: where every exit lands
        sw   t1, VMCS_H_PC(s0)
        li   t1, VMM_STACK_TOP
        sw   t1, VMCS_H_SP(s0)
        li   t1, HOST_PGDIR_PHYS | PTBR_ENABLE
        sw   t1, VMCS_H_PTBR(s0)
        la   t1, vmm_trap
        sw   t1, VMCS_H_TVEC(s0)
        li   t1, IRQ_TIMER | IRQ_DISK   # the real timer and disk are the VMM's: their
        sw   t1, VMCS_H_IMASK(s0)       # interrupts exit (vmm_resume adds the console's)
        csrw IMASK, t1
        la   t0, use_ept
        lw   t0, 0(t0)
        beqz t0, .shadow
        call build_ept              # nested paging: guest paging starts off, as on bare metal
        li   t1, EPT_DIR_PHYS | PTBR_ENABLE
        sw   t1, VMCS_C_EPTP(s0)
        li   t1, EXITS_ALWAYS
        sw   t1, VMCS_C_EXIT(s0)
        j    .launch
.shadow:
        li   t1, SHADOW_PGDIR_PHYS | PTBR_ENABLE     # the guest runs on the shadow; its own
        sw   t1, VMCS_G_PTBR(s0)                     # PTBR (paging off) is V_SOFT_PTBR = 0
        li   t1, EXITS_SHADOW
        sw   t1, VMCS_C_EXIT(s0)
        li   t1, PAGE_FAULTS
        sw   t1, VMCS_C_EXCEPTIONS(s0)
        call shadow_reset
.launch:
        call vtimer_program         # the VMM's slice even before the guest has a timer
        li   t0, VMCS_PHYS
        vmptrld t0
        vmlaunch                    # continues at vmm_exit on the first exit
        j    vmm_panic

# build_ept: nested page tables mapping guest-physical [0, guest_size) to host-physical
# GUEST_BASE + the same offset, readable, writable and executable. Anything beyond is not
# mapped: the guest touching it exits with an EPT violation.
build_ept:
        la   t0, guest_size
        lw   t0, 0(t0)
        li   t1, EPT_TABLES_MAX * 1024 * PAGE_SIZE
        bgtu t0, t1, bad_boot
        li   t1, 0                  # t1 = guest-physical address
        li   t2, GUEST_BASE | PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE
        li   a0, VMM_BASE + EPT_TABLES_PHYS        # a0 = next EPT table, seen by the VMM
        li   a1, EPT_TABLES_PHYS | PTE_PRESENT     # a1 = its directory entry
        li   a2, VMM_BASE + EPT_DIR_PHYS           # a2 = next directory slot
        li   t3, PAGE_SIZE
.table: bgeu t1, t0, .done
        sw   a1, 0(a2)              # one directory slot per 4 MiB
        addi a2, a2, 4
        add  a1, a1, t3
        add  a3, a0, t3             # a3 = end of this table
.entry: sw   t2, 0(a0)              # one entry per 4 KiB page
        add  t2, t2, t3
        add  t1, t1, t3
        addi a0, a0, 4
        bgeu t1, t0, .done
        bltu a0, a3, .entry
        j    .table
.done:  ret

# ---- VM exits --------------------------------------------------------------------------------

# vmm_exit: the hardware saved the guest in the VMCS and loaded the host state: ring 0, the
# VMM's stack and address space, interrupts off. Every register is free. Dispatch on the
# reason; every handler ends in vmm_resume.
vmm_exit:
        li   s0, VMCS
        lw   t0, VMCS_X_REASON(s0)
        sltiu t1, t0, VMX_NREASONS      # exit_table has one entry per reason (hw.inc)
        beqz t1, vmm_panic
        slli t0, t0, 2
        la   t1, exit_table
        add  t0, t0, t1
        lw   t0, 0(t0)
        jr   t0

exit_table:
        .word vmm_panic             # 0: no such reason
        .word exit_exception        # Exception: a page fault (shadow paging)
        .word exit_interrupt        # ExternalInterrupt: the real timer
        .word vmm_resume            # InterruptWindow: vmm_resume injects the pending interrupt
        .word exit_io               # PortIo
        .word exit_halt             # Halt
        .word exit_wfi              # Wfi
        .word exit_ptbr             # PtbrAccess (shadow paging)
        .word exit_tlbflush         # TlbFlush (shadow paging)
        .word exit_hypercall        # Hypercall
        .word exit_ept              # EptViolation
        .word exit_triple           # TripleFault
        .word exit_vmx_insn         # VmxInstruction
        .word vmm_panic             # PreemptionTimer: never armed (the VMM owns the real timer)

# ExternalInterrupt: a real line in H_IMASK rose (X_QUAL has the lines): the VMM's timer or disk
# (service_lines reads them itself), or the console's, which vmm_resume passes on.
exit_interrupt:
        call service_lines
        j    vmm_resume

# An instruction exit: count it by opcode (stats.vmm.emulated), leave a0 = the word.
.macro emulated
        lw   a0, VMCS_X_INSN(s0)
        srli t0, a0, INSN_OPCODE_SHIFT
        addi t0, t0, -OP_SRET
        slli t0, t0, 2
        count_entry stat_emulated, t0, t1, t2
.endm

exit_io:
        emulated
        srli t0, a0, INSN_OPCODE_SHIFT
        li   t1, OP_IN
        beq  t0, t1, emu_in
        j    emu_out

exit_halt:
        halt

exit_wfi:
        emulated
        j    emu_wfi

exit_tlbflush:
        emulated
        srli t0, a0, INSN_OPCODE_SHIFT
        li   t1, OP_TLBFLUSH
        beq  t0, t1, emu_tlbflush
        j    emu_tlbflushall

# PTBR: the guest reads its own value; a write switches its address space: the shadow starts over.
exit_ptbr:
        emulated
        srli t0, a0, INSN_OPCODE_SHIFT
        li   t1, OP_CSRR
        bne  t0, t1, .write
        srli s1, a0, INSN_A_SHIFT
        andi s1, s1, 15
        lw   a1, V_SOFT_PTBR(s0)
        j    set_rd_advance
.write: srli t0, a0, INSN_B_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)
        li   t0, ~0xfff | PTBR_ENABLE
        and  a1, a1, t0
        sw   a1, V_SOFT_PTBR(s0)
        call shadow_reset
        j    advance

# Exception: only page faults are intercepted (shadow paging). Hidden: fix the shadow and
# resume; true: inject it into the guest, as the hardware would have delivered it.
exit_exception:
        lw   t0, VMCS_X_QUAL(s0)
        addi a1, t0, -CAUSE_PAGE_FAULT_READ
        sltiu t1, a1, 3
        beqz t1, .other
        lw   a0, VMCS_X_GVA(s0)
        call shadow_fault
        beqz a0, vmm_resume
        lw   a2, VMCS_X_INSN(s0)
        j    inject_exception
.other: mv   a0, t0                 # not asked for, but give it to the guest unchanged
        lw   a1, VMCS_X_GVA(s0)
        lw   a2, VMCS_X_INSN(s0)
        j    inject_exception

# EPT violation: the guest touched guest-physical memory it does not have. On bare metal that
# is a bus error at that physical address.
exit_ept:
        li   a0, CAUSE_BUS_ERROR
        lw   a1, VMCS_X_GPA(s0)
        lw   a2, VMCS_X_INSN(s0)
        j    inject_exception

# A VMX instruction, `vmcall` included, from any guest ring. The guest's virtual machine has no
# vmx extension (it runs the native kernel and programs), so on its hardware each of these is an
# undefined opcode: it gets IllegalInstruction, as natively, and cannot tell that a VMM is there.
exit_hypercall:
exit_vmx_insn:
        li   a0, CAUSE_ILLEGAL_INSTRUCTION
        li   a1, 0
        lw   a2, VMCS_X_INSN(s0)
        j    inject_exception

exit_triple:
        lw   a0, VMCS_G_PC(s0)
        j    guest_double_fault

# inject_exception(a0 = cause, a1 = fault address, a2 = instruction word): deliver a trap to
# the guest on the next entry (the hardware does the trap entry, into the guest's vector).
inject_exception:
        sw   a1, VMCS_E_BADADDR(s0)
        sw   a2, VMCS_E_EINSN(s0)
        li   t0, VMX_INJECT_VALID
        or   t0, t0, a0
        sw   t0, VMCS_E_INJECT(s0)
        slli t0, a0, 2
        count_entry stat_reflected, t0, t1, t2
        # fall through

# vmm_resume: back into the guest. A pending virtual interrupt the guest enables is injected
# now if the guest can take it (IE on), else the VMM asks to exit as soon as it can
# (interrupt-window exiting). An exception already queued for injection goes first.
# G_IPEND, what the guest reads from IPEND, is brought up to date (virtual_pending), and so is
# H_IMASK, the real lines that exit: the timer and the disk always (they are the VMM's), the
# console only while G_IPEND does not show it up: device lines never reach a guest directly
# (EXIT_EXTINT), so its rise must exit, but the level it stays at until the guest reads the
# input would exit again at every entry, so it is masked while the guest has it in G_IPEND.
vmm_resume:
        call virtual_pending
        lw   t1, V_IPEND(s0)
        andi t1, t1, IRQ_CONSOLE
        xori t1, t1, IRQ_TIMER | IRQ_CONSOLE | IRQ_DISK
        sw   t1, VMCS_H_IMASK(s0)
        lw   t0, VMCS_E_INJECT(s0)
        blt  t0, zero, .enter       # bit 31: an exception is queued
        lw   t1, VMCS_C_EXIT(s0)
        andi t1, t1, ~VMX_EXIT_INTWINDOW & 0xffff
        beqz a0, .controls
        lw   t2, V_STATUS(s0)
        andi t2, t2, STATUS_IE
        bnez t2, .inject
        ori  t1, t1, VMX_EXIT_INTWINDOW
        j    .controls
.inject:
        lw   t2, VMCS_X_REASON(s0)  # the guest just turned its interrupts on: it may have
        li   t3, VMX_REASON_INTERRUPT_WINDOW    # fallen behind, and a tick it cannot take
        bne  t2, t3, .deliver       # yet is coalesced (devices.s)
        push t1
        call vtimer_behind
        pop  t1
        beqz a0, .controls
.deliver:
        li   t0, CAUSE_TIMER_INTERRUPT      # line 0; line n is cause TIMER + n
.lowest:
        andi t2, a0, 1
        bnez t2, .cause
        srli a0, a0, 1
        addi t0, t0, 1
        j    .lowest
.cause: li   t2, VMX_INJECT_VALID
        or   t0, t0, t2
        sw   t0, VMCS_E_INJECT(s0)
        sw   zero, VMCS_E_BADADDR(s0)
        sw   zero, VMCS_E_EINSN(s0)
        count_injection t0, t2
.controls:
        sw   t1, VMCS_C_EXIT(s0)
.enter: vmresume
        j    vmm_panic

# vmm_trap: a trap in root mode, i.e. in the VMM itself (../common/report.s).
vmm_trap:
        j    vmm_panic

        .include "../common/emulate.s"
        .include "../common/shadow.s"
        .include "../common/guestmem.s"
        .include "../common/devices.s"
        .include "../common/report.s"
        .include "../../lib/console.s"

# ---- VMM data ------------------------------------------------------------------------------
        .include "../common/data.s"
use_ept:      .word 0           # 1: nested paging (vtx-ept)
        .include "../common/ports.s"   # port dispatch table (generated; devices.s uses it)
        .include "../common/disk.s"    # the guest's disk model, after the data, so that its
                                       # code moves none of the hot code and data before it

# ---- the guest's disk under nested paging (../common/disk.s) ---------------------------------

# dma_run(a0 = guest-physical address of a block in guest memory, a1 = blocks wanted, at least
# 1) -> a0 = its host-physical address, a1 = how many of the blocks from there are contiguous in
# host memory, or a1 = 0 if the first is not the guest's to DMA to (../common/disk.s). Under
# vtx guest memory is one piece from GUEST_BASE; under vtx-ept the EPT says where each block is.
# Clobbers a2, a3, t0-t3.
dma_run:
        la   t0, use_ept
        lw   t0, 0(t0)
        beqz t0, dma_linear
        push ra
        mv   a2, a1                 # a2 = blocks wanted
        mv   a3, a0                 # a3 = guest-physical address of the block looked at
        call ept_frame
        li   t0, -1
        beq  a0, t0, .none
        push a0                     # the run's first host-physical address
        mv   t2, a0                 # t2 = where the next block must be to continue the run
        li   t3, 1                  # t3 = blocks in the run
        li   a1, DISK_BLOCK_SIZE
.next:  bgeu t3, a2, .end
        add  a3, a3, a1
        add  t2, t2, a1
        mv   a0, a3
        call ept_frame
        bne  a0, t2, .end
        addi t3, t3, 1
        j    .next
.end:   pop  a0
        mv   a1, t3
        pop  ra
        ret
.none:  li   a1, 0
        pop  ra
        ret

# ept_frame(a0 = guest-physical address) -> a0 = the host-physical address the EPT maps it to,
# or -1 unless the EPT maps it present and writable, in guest memory. Clobbers t0, t1.
ept_frame:
        srli t0, a0, 22
        slli t0, t0, 2
        li   t1, VMM_BASE + EPT_DIR_PHYS
        add  t0, t0, t1
        lw   t0, 0(t0)              # the EPT directory entry
        andi t1, t0, PTE_PRESENT
        beqz t1, .none
        srli t0, t0, 12
        slli t0, t0, 12
        li   t1, VMM_BASE           # its table, seen in the VMM's region (build_ept made it)
        add  t0, t0, t1
        srli t1, a0, 10
        andi t1, t1, 0xffc          # (page number & 1023) * 4
        add  t0, t0, t1
        lw   t0, 0(t0)              # the EPT entry
        andi t1, t0, PTE_PRESENT | PTE_WRITABLE
        xori t1, t1, PTE_PRESENT | PTE_WRITABLE
        bnez t1, .none
        srli t0, t0, 12
        slli t0, t0, 12
        li   t1, GUEST_BASE
        bltu t0, t1, .none          # never the VMM's own memory, whatever the EPT says
        andi a0, a0, 0xfff
        or   a0, a0, t0
        ret
.none:  li   a0, -1
        ret
