# emulate.s: the guest kernel executed a privileged instruction in ring 1 and it trapped.
# The VMM decodes the instruction word the hardware saved in EINSN and does on the vCPU what
# the instruction would have done on the real CPU in ring 0, then resumes after it. A
# privileged instruction from any other virtual ring is the guest's own business: reflected.

        .if OP_TLBFLUSHALL - OP_SRET != 10
        .error "emulate_table expects the privileged opcodes OP_SRET..OP_TLBFLUSHALL in a row"
        .endif

privileged:
        lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_RING_MASK
        bnez t0, reflect_trap       # guest user code: the guest kernel decides (it kills)
        csrr a0, EINSN
        srli t1, a0, INSN_OPCODE_SHIFT
        addi t1, t1, -OP_SRET
        sltiu t2, t1, OP_TLBFLUSHALL - OP_SRET + 1
        beqz t2, vmm_panic          # no other opcode raises PrivilegedInstruction
        slli t1, t1, 2
        count_entry stat_emulated, t1, t2, t3
        la   t2, emulate_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1                     # each handler gets a0 = the instruction word

emulate_table:
        .word emu_sret, emu_halt, emu_wfi, emu_ei, emu_di, emu_csrr, emu_csrw
        .word emu_in, emu_out, emu_tlbflush, emu_tlbflushall

# illegal: the instruction is illegal in ring 0 too (an unknown or read-only register).
illegal:
        li   a0, CAUSE_ILLEGAL_INSTRUCTION
        li   a1, 0
        csrr a2, EINSN
        j    reflect

# sret: return from the guest's trap: STATUS = ESTATUS, pc = EPC (virtually). Returning to
# virtual ring 3 needs nothing more: vmm_resume drops to the real ring 3 with it.
emu_sret:
        lw   t0, V_ESTATUS(s0)
        sw   t0, V_STATUS(s0)
        lw   t0, V_EPC(s0)
        sw   t0, V_PC(s0)
        j    vmm_resume

# halt: the guest stops the machine; so does the VMM.
emu_halt:
        halt

emu_ei:
        lw   t0, V_STATUS(s0)
        ori  t0, t0, STATUS_IE
        sw   t0, V_STATUS(s0)
        j    advance                # vmm_resume delivers a pending interrupt

emu_di:
        lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_RING_MASK
        sw   t0, V_STATUS(s0)
        j    advance

# csrr rd, csr: read the virtual control register. The cycle and instruction counters are
# the real ones: time passes for the guest while the VMM runs, as on any VMM.
emu_csrr:
        srli s1, a0, INSN_A_SHIFT
        andi s1, s1, 15             # s1 = rd
        andi t0, a0, 0xffff         # t0 = csr
        sltiu t1, t0, CSR_EXTENSIONS + 1
        beqz t1, illegal
        slli t1, t0, 2
        la   t2, csrr_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1
csrr_table:
        .word .plain, .plain, .plain, .plain, .plain, .plain, .plain, .plain   # STATUS..PTBR
        .word .plain, .plain, .plain                                           # SCRATCH0/1, IMASK
        .word .ipend, .cycle, .cycleh, .instret, .extensions
.plain: slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_CSRS(t0)
        j    set_rd_advance
.ipend: call virtual_ipend
        mv   a1, a0
        j    set_rd_advance
.cycle: csrr a1, CYCLE
        j    set_rd_advance
.cycleh:
        csrr a1, CYCLEH
        j    set_rd_advance
.instret:
        csrr a1, INSTRET
        j    set_rd_advance
.extensions:                        # the real CPU's, but the ones no VMM offers (vcpu.inc)
        csrr a1, EXTENSIONS
        li   t0, ~GUEST_EXT_HIDDEN
        and  a1, a1, t0
        j    set_rd_advance

# csrw csr, rs1: write the virtual control register. A PTBR write switches the guest's
# address space: the shadow starts over (as the real TLB would).
emu_csrw:
        srli t0, a0, INSN_B_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)         # a1 = value
        andi t0, a0, 0xffff         # t0 = csr
        sltiu t1, t0, CSR_INSTRET + 1
        beqz t1, illegal
        slli t1, t0, 2
        la   t2, csrw_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jr   t1
csrw_table:
        .word .status, .plain, .status, .plain, .plain, .plain, .plain, .ptbr  # STATUS..PTBR
        .word .plain, .plain, .plain                                           # SCRATCH0/1, IMASK
        .word illegal, illegal, illegal, illegal                               # read-only
.status:
        andi a1, a1, STATUS_RING_MASK | STATUS_IE   # STATUS and ESTATUS hold only these bits
.plain: slli t0, t0, 2
        add  t0, t0, s0
        sw   a1, V_CSRS(t0)
        j    advance
.ptbr:  li   t0, ~0xfff | PTBR_ENABLE
        and  a1, a1, t0
        sw   a1, V_PTBR(s0)
        call shadow_reset
        j    advance

