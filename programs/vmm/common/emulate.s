# emulate.s: emulating the guest instructions both VMMs must handle in software, whether they
# got there by a trap (te) or a VM exit (vtx). Each handler gets a0 = the instruction word and
# s0 = the vCPU, or the VMCS, whose guest-state area has the same layout (vcpu.inc). Each ends
# by jumping to the VMM's vmm_resume, directly or through advance.

# advance: the emulated instruction retired: resume the guest at the next one.
advance:
        lw   t0, V_PC(s0)
        addi t0, t0, 4
        sw   t0, V_PC(s0)
        j    vmm_resume

# set_rd_advance(a1 = value, s1 = register number): write a guest register, then advance.
set_rd_advance:
        beqz s1, advance            # r0 stays zero
        slli t0, s1, 2
        add  t0, t0, s0
        sw   a1, V_REGS(t0)
        j    advance

# wfi: the guest idles until a line its IMASK enables is pending. The VMM waits on the real
# timer and disk in its place; a guest waiting for a line that can never rise stops the machine
# the same way bare metal would (wfi with nothing able to wake it: a deadlock). The disk's line
# can rise while its registers have a request in flight, or (pv) its block ring has.
emu_wfi:
.check: call virtual_pending
        bnez a0, advance
        lw   t0, V_IMASK(s0)        # can a line it enables still rise? its timer's, if running;
        andi t1, t0, IRQ_TIMER      # its disk's, with a request in flight
        beqz t1, .disk
        lw   t1, V_TIMER_INTERVAL(s0)
        bnez t1, .wait
.disk:  andi t1, t0, IRQ_DISK
        beqz t1, .never
        .ifdef BLOCK_RING
        la   t1, blk_busy           # pv: a request of its block ring (../pv/blkback.s)
        lw   t1, 0(t1)
        bnez t1, .wait
        .endif
        la   t1, vdisk
        lw   t1, VD_STATUS(t1)
        andi t1, t1, DISK_ST_BUSY
        beqz t1, .never
.wait:  wfi                         # until a real line fires (interrupts are off here): the
        call service_lines          # timer, at least every VMM_SLICE cycles, or the disk
        j    .check
.never: out  TIMER_INTERVAL, zero   # only the console line could wake it, and its input is
        csrw IMASK, zero            # all there already (or an idle disk's): nothing will come
        wfi
        halt

# in rd, port / out port, rs1: the device models (../common/devices.s).
emu_in:
        srli s1, a0, INSN_A_SHIFT
        andi s1, s1, 15
        andi a0, a0, 0xffff
        call dev_in
        mv   a1, a0
        j    set_rd_advance

emu_out:
        srli t0, a0, INSN_B_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)
        andi a0, a0, 0xffff
        call dev_out
        j    advance

# tlbflush rs1: the guest changed the PTE of one page: drop its shadow entry too.
emu_tlbflush:
        srli t0, a0, INSN_B_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a0, V_REGS(t0)
        call shadow_invalidate
        j    advance

emu_tlbflushall:
        call shadow_reset
        j    advance
