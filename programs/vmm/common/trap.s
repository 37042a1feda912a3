# trap.s: the trap path of a VMM whose guest runs in rings 1 and 3 of the real machine (te, pv).
# Every trap and interrupt taken while the guest runs enters vmm_entry in ring 0 with interrupts
# off. The VMM saves all of the guest's registers in the vCPU, runs the handler that the
# including VMM's `cause_table` names for the cause, with s0 = vCPU, and leaves through
# vmm_resume, which loads the guest back from the vCPU. The including VMM defines `vcpu` (the
# address of its vCPU), `cause_table` (one handler per cause, NCAUSES of them) and `real_imask`.

vmm_entry:
        csrw SCRATCH0, t0           # free one register (the real SCRATCHes are the VMM's)
        la   t0, vcpu
        sw   ra, 4(t0)
        sw   sp, 8(t0)
        sw   fp, 12(t0)
        sw   a0, 16(t0)
        sw   a1, 20(t0)
        sw   a2, 24(t0)
        sw   a3, 28(t0)
        sw   t1, 36(t0)
        sw   t2, 40(t0)
        sw   t3, 44(t0)
        sw   s0, 48(t0)
        sw   s1, 52(t0)
        sw   s2, 56(t0)
        sw   s3, 60(t0)
        csrr t1, SCRATCH0
        sw   t1, 32(t0)             # the guest's t0
        csrr t1, EPC
        sw   t1, V_PC(t0)           # the trapping instruction, or the next one (interrupt)
        mv   s0, t0                 # s0 = vCPU in every handler
        li   sp, VMM_STACK_TOP
        .ifdef TRANSLATED
        call bt_entry               # bt: V_PC = the guest pc of a trap in translated code
        .endif
        csrr t1, ESTATUS
        andi t1, t1, STATUS_RING_MASK
        beqz t1, vmm_panic          # the VMM itself trapped: a VMM bug
        csrr t1, CAUSE
        sltiu t2, t1, NCAUSES
        beqz t2, vmm_panic
        slli t1, t1, 2
        la   t2, cause_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1

# real_interrupt: a real device interrupt while the guest ran (causes TimerInterrupt and up).
# The VMM serves the lines that are its own (service_lines, devices.s); vmm_resume then delivers
# whatever the guest now has pending.
real_interrupt:
        call service_lines
        j    vmm_resume

# reflect_trap: the trap belongs to the guest: deliver it to the guest kernel's trap vector
# with the same cause, fault address and instruction word the hardware recorded.
reflect_trap:
        csrr a0, CAUSE
        csrr a1, BADADDR
        csrr a2, EINSN
        # fall through

# reflect(a0 = cause, a1 = fault address, a2 = instruction word): a virtual trap entry, as
# the hardware does one: EPC = the trapping pc, ESTATUS = STATUS, then virtual ring 0 with
# interrupts off at the virtual TVEC.
reflect:
        lw   t0, V_PC(s0)
        lw   t1, V_TVEC(s0)
        bne  t0, t1, .deliver
        lw   t2, V_STATUS(s0)       # the guest kernel's own handler faulted on its first
        andi t2, t2, STATUS_RING_MASK   # instruction: on bare metal, a double fault. (User
        beqz t2, .double            # code that jumps there is just killed by the kernel.)
.deliver:
        sw   t0, V_EPC(s0)
        sw   a0, V_CAUSE(s0)
        sw   a1, V_BADADDR(s0)
        sw   a2, V_EINSN(s0)
        lw   t0, V_STATUS(s0)
        sw   t0, V_ESTATUS(s0)
        sw   zero, V_STATUS(s0)
        sw   t1, V_PC(s0)
        slli t0, a0, 2
        count_entry stat_reflected, t0, t1, t2
        j    vmm_resume
.double:
        mv   a0, t0
        j    guest_double_fault

# vmm_resume: back to the guest. If it has interrupts on (virtually) and a line it enables
# is pending, deliver that interrupt first. Then load the guest's registers and `sret` to its
# pc in its real ring (the virtual ring, but ring 1 for virtual ring 0) with real interrupts
# on, whatever the virtual flag says: the VMM's timer and disk must always get through. The
# including VMM defines the macro `sync_ipend`: rebuild V_IPEND (ipend_rebuild, devices.s) if
# its guest can store over that word (pv), or nothing (te).
vmm_resume:
        sync_ipend                  # where the guest writes V_IPEND itself (pv/vmm.s)
        .ifdef TRANSLATED
        la   t0, bt_flag            # bt: interrupted inside the expansion of one guest
        lw   t0, 0(t0)              # instruction (translate.s): no virtual interrupt can be
        li   t1, BT_MID             # delivered there, and the console line stays masked
        bne  t0, t1, .virtual       # until the guest is back at an instruction boundary
        li   t1, IRQ_TIMER | IRQ_DISK
        j    .setmask
.virtual:
        .endif
        lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_IE
        beqz t0, .realmask
        call virtual_pending
        bnez a0, inject_interrupt
.realmask:
        li   t1, IRQ_TIMER | IRQ_DISK   # real IMASK: the VMM's timer and disk always; the
        lw   t0, V_STATUS(s0)       # console line only while the guest could take its interrupt
        andi t0, t0, STATUS_IE      # right away (it is level-triggered: enabled otherwise, it
        beqz t0, .setmask           # would trap here again and again)
        lw   t0, V_IMASK(s0)
        andi t0, t0, IRQ_CONSOLE
        or   t1, t1, t0
.setmask:
        la   t0, real_imask
        lw   t2, 0(t0)
        beq  t1, t2, .ring
        sw   t1, 0(t0)
        csrw IMASK, t1
.ring:  lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_RING_MASK
        bnez t0, .estatus
        li   t0, 1                  # virtual ring 0 runs in ring 1
.estatus:
        ori  t0, t0, STATUS_IE
        csrw ESTATUS, t0
        .ifdef TRANSLATED
        call bt_target              # bt: virtual ring 0 resumes in its translation
        csrw EPC, a0
        .else
        lw   t0, V_PC(s0)
        csrw EPC, t0
        .endif
        mv   t0, s0
        lw   ra, 4(t0)
        lw   sp, 8(t0)
        lw   fp, 12(t0)
        lw   a0, 16(t0)
        lw   a1, 20(t0)
        lw   a2, 24(t0)
        lw   a3, 28(t0)
        lw   t1, 36(t0)
        lw   t2, 40(t0)
        lw   t3, 44(t0)
        lw   s0, 48(t0)
        lw   s1, 52(t0)
        lw   s2, 56(t0)
        lw   s3, 60(t0)
        lw   t0, 32(t0)             # the base register last
        sret

# inject_interrupt(a0 = pending enabled lines): a virtual interrupt entry for the lowest
# line, as the hardware takes one: EPC = the next instruction, BADADDR = EINSN = 0.
inject_interrupt:
        csrr t0, CAUSE              # the guest turns its interrupts on (an instruction trapped:
        li   t1, CAUSE_TIMER_INTERRUPT   # `sret`, HC_IRET), rather than being interrupted (by a
        bgeu t0, t1, .deliver       # real interrupt) while it could take them: then it may
        call vtimer_behind          # have fallen behind (devices.s) and a tick it cannot take
                                    # yet is coalesced
        beqz a0, vmm_resume
.deliver:
        li   t0, CAUSE_TIMER_INTERRUPT      # line 0; line n is cause TIMER + n
.lowest:
        andi t1, a0, 1
        bnez t1, .cause
        srli a0, a0, 1
        addi t0, t0, 1
        j    .lowest
.cause: sw   t0, V_CAUSE(s0)
        sw   zero, V_BADADDR(s0)
        sw   zero, V_EINSN(s0)
        lw   t0, V_PC(s0)
        sw   t0, V_EPC(s0)
        lw   t0, V_STATUS(s0)
        sw   t0, V_ESTATUS(s0)
        sw   zero, V_STATUS(s0)
        lw   t0, V_TVEC(s0)
        sw   t0, V_PC(s0)
        count_injection t0, t1
        j    vmm_resume
