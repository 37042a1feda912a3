# adaptive.s: stores the VMM does for the guest, and adaptive binary translation (Adams and
# Agesen, ASPLOS 2006). docs/vmm-bt.md, section 2 ("Adaptive translation") and section 5.
#
# Some guest stores cannot run as they are: those to data beside translated code (the page is
# read-only for coherence, translate.s) and those to a traced page table (read-only so that the
# shadow follows it, ../common/trace.s). Each faults, and the VMM does the store (bt_store). A
# translated store that faults on a page table again and again is a page-table write site of
# the kernel (a PTE update in its memory manager): after BT_ADAPT_FAULTS such faults at the same
# guest pc, the VMM retranslates it into a callout, `break` with the guest word after it, which
# does the store and updates the shadow in one go (bt_store_callout): no page fault, no decoding
# of a fault. The translation in the cache is patched at once (its store word becomes a jump to
# the callout), and the pc is remembered (bt_sites), so every later translation of it makes the
# callout from the start. The callout checks the target: a store by the same instruction to a
# page that is not traced is done as it is, so a site that also writes ordinary memory stays
# correct, only slower.

        .equ BT_SITES,        256  # store sites remembered (direct-mapped by pc)
        .equ BT_ADAPT_FAULTS, 3    # trace faults at one site before it becomes a callout
        .equ BT_OP_SB,        0x28 # sb, then sh and sw: their opcodes (src/isa/base.ts)

# bt_store: page_fault's second half for a store the VMM must do: to data on a page with
# translated code (bt_store_emulate) or to a traced page table (trace_store). The fault proves
# the store aligned and allowed. Do it on the guest's memory, count it, and go on after it.
bt_store:
        csrr s1, EINSN
        csrr s3, BADADDR
        mv   a0, s3
        li   s2, 1
        call guest_translate        # (present and writable: shadow_fault just checked)
        li   t0, ~0xfff
        and  a0, a0, t0
        andi t1, s3, 0xfff
        or   a0, a0, t1             # a0 = the guest-physical address
        srli t0, s1, INSN_A_SHIFT   # the stored register (field A of a store)
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)         # (V_REGS of r0 is always 0)
        mv   a2, s1
        call bt_guest_store
        la   t0, bt_store_emulate
        lw   t0, 0(t0)
        beqz t0, .traced
        count stat_bt_data_stores, t0, t1
.traced:
        beqz a0, advance
        count stat_trace_faults, t0, t1
        lw   t0, V_STATUS(s0)       # a store of translated kernel code: count its site
        andi t0, t0, STATUS_RING_MASK
        bnez t0, advance            # (user code runs as it is: nothing to retranslate)
        la   t0, bt_resume_tc
        lw   a0, 0(t0)
        beqz a0, advance
        call bt_site_fault
        j    advance

# bt_store_callout(a0 = the guest's store word; V_PC = its pc): an adaptive store's callout
# (translate.s makes it for a pc in bt_sites). Do what the store would do in ring 1 on the
# shadow: fault as it would fault, else store and keep the shadow coherent.
bt_store_callout:
        mv   s1, a0                 # s1 = the store
        srli t0, s1, INSN_B_SHIFT   # s3 = its address: base (field B) + imm
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   s3, V_REGS(t0)
        slli t0, s1, 16
        srai t0, t0, 16
        add  s3, s3, t0
        srli t0, s1, INSN_OPCODE_SHIFT
        la   t1, tpl_sb             # sb, sh, sw: three opcodes in a row (src/isa/base.ts)
        lbu  t1, 3(t1)
        sub  t0, t0, t1
        li   t1, 1
        sll  t1, t1, t0
        addi t1, t1, -1             # size - 1
        and  t1, s3, t1
        bnez t1, .misaligned
        srli t0, s1, INSN_A_SHIFT   # a1 = the value
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)
        li   t0, BT_VP              # the vCPU page, which ring 1 may write (translate.s): what
        sub  t0, s3, t0             # a store there changes is the guest's own virtual CPU, but
        li   t1, V_CSRS             # not the registers and pc, which the VMM saved on entry
        bltu t0, t1, advance        # and the translation's store would not have reached
        li   t1, PAGE_SIZE
        bltu t0, t1, .vcpu
        mv   a0, s3
        li   s2, 1
        call guest_translate        # the guest's PTE, or its fault
        beqz a0, .fault
        andi t0, a0, PTE_WRITABLE   # (any ring may: the guest is in virtual ring 0)
        beqz t0, .denied
        li   t0, ~0xfff
        and  a0, a0, t0
        la   t1, guest_size
        lw   t1, 0(t1)
        bgeu a0, t1, .bus
        andi t1, s3, 0xfff
        or   a0, a0, t1             # the guest-physical address
        srli t0, s1, INSN_A_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   a1, V_REGS(t0)
        mv   a2, s1
        call bt_guest_store
        beqz a0, .plain
        count stat_bt_pt_callouts, t0, t1
        j    advance
.plain: count stat_bt_plain_callouts, t0, t1
        j    advance
.vcpu:  mv   a0, s3
        mv   a2, s1
        call bt_store_at
        j    advance
.misaligned:
        li   a0, CAUSE_MISALIGNED
        mv   a1, s3
        j    .reflect
.fault: mv   a0, a1                 # guest_translate: a1 = cause, a2 = address
        mv   a1, a2
        j    .reflect
.denied:
        li   a0, CAUSE_PAGE_FAULT_WRITE
        mv   a1, s3
        j    .reflect
.bus:   andi t1, s3, 0xfff
        or   a1, a0, t1             # the guest-physical address, as bare metal reports it
        li   a0, CAUSE_BUS_ERROR
.reflect:
        mv   a2, s1
        j    reflect

# bt_guest_store(a0 = guest-physical address, a1 = value, a2 = the store instruction) -> a0 = 1
# if the store went to a traced page table (the shadow now follows it), else 0. A store over a
# translated word flushes the cache first (a callout's store, as bt_shadow_pte does for a
# fault's). Clobbers t0-t3, a1-a3.
bt_guest_store:
        push ra
        push a0
        push a1
        push a2
        srli t0, a0, 12             # a frame with translated code?
        li   t1, BT_FRAMES
        add  t0, t0, t1
        lbu  t1, 0(t0)
        beqz t1, .store
        translated_bit a0           # ... and this word translated?
        beqz t1, .store
        call bt_flush
        count stat_bt_invalidations, t0, t1
.store: lw   a0, 8(sp)
        call map_guest              # a0 = the byte, in a window
        lw   a1, 4(sp)
        lw   a2, 0(sp)
        call bt_store_at
        lw   a0, 8(sp)
        call trace_written
        addi sp, sp, 12
        pop  ra
        ret

# bt_store_at(a0 = VMM address, a1 = value, a2 = the store instruction): store as it would, a
# byte, a half or a word. Clobbers t0, t1.
bt_store_at:
        srli t0, a2, INSN_OPCODE_SHIFT
        la   t1, tpl_sb
        lbu  t1, 3(t1)
        beq  t0, t1, .byte
        la   t1, tpl_sh
        lbu  t1, 3(t1)
        beq  t0, t1, .half
        sw   a1, 0(a0)
        ret
.byte:  sb   a1, 0(a0)
        ret
.half:  sh   a1, 0(a0)
        ret

# bt_site_fault(a0 = the TC word of a translated store that just faulted on a traced page
# table; V_PC = its guest pc): count the fault at its site; from the BT_ADAPT_FAULTS-th on,
# retranslate that translation into a callout. Clobbers t0-t3, a0-a3.
bt_site_fault:
        lw   a1, V_PC(s0)
        srli t1, a1, 2
        andi t1, t1, BT_SITES - 1
        slli t1, t1, 3
        la   t2, bt_sites
        add  t1, t1, t2
        lw   t2, 0(t1)
        beq  t2, a1, .same
        sw   a1, 0(t1)              # a new site (one that had this entry is forgotten)
        sw   zero, 4(t1)
.same:  lw   t2, 4(t1)
        addi t2, t2, 1
        sw   t2, 4(t1)
        li   t3, BT_ADAPT_FAULTS
        bgeu t2, t3, bt_adapt
        ret

# bt_adapt(a0 = the TC word of a translated store, a1 = its guest pc): retranslate it: append
# a callout (`break`, the guest's store word, a jump back to the word after the store) and make
# the store word a jump to it. Without room, flush instead (the site is remembered, so its next
# translation is the callout). Clobbers t0-t3, a0-a3.
bt_adapt:
        push ra
        push a0
        push a1
        li   t0, BT_PCMAP - BT_TC   # only a store word copied as it was (pc, BT_START)
        add  t0, a0, t0
        lw   t0, 0(t0)
        bne  t0, a1, .out
        la   t0, bt_tc_next
        lw   t0, 0(t0)
        li   t1, BT_TC + BT_TC_SIZE - 12
        bltu t0, t1, .room
        call bt_flush
        j    .out
.room:  push t0                     # 0(sp) = the callout's address
        la   t0, tpl_break
        lw   a0, 0(t0)
        lw   a1, 4(sp)
        ori  a1, a1, BT_CALLOUT
        call bt_emit
        lw   t0, 8(sp)              # the store word, as the callout's data
        li   t1, BT_TCW - BT_TC
        add  t0, t0, t1
        lw   a0, 0(t0)
        lw   a1, 4(sp)
        ori  a1, a1, BT_MID
        call bt_emit
        lw   a0, 8(sp)              # back: the word after the store goes on at pc + 4 (where
        addi a0, a0, 4              # the callout resumes, bt_target); BT_MID, as the store
        lw   a1, 4(sp)              # word becomes: a breakpoint (src/debug/translation.ts)
        addi a1, a1, 4 + BT_MID     # stops once per guest instruction, at the `break` for the
        call bt_jump                # store, at the word after the store for pc + 4
        pop  t0                     # the store word: j callout
        lw   t2, 4(sp)
        sub  t3, t0, t2
        j_word
        li   t1, BT_TCW - BT_TC
        add  t1, t2, t1
        sw   t3, 0(t1)
        li   t1, BT_PCMAP - BT_TC
        add  t1, t2, t1
        lw   t3, 0(sp)              # its PCMAP: the guest pc, BT_MID
        ori  t3, t3, BT_MID
        sw   t3, 0(t1)
        count stat_bt_adaptations, t0, t1
.out:   pop  a1
        pop  a0
        pop  ra
        ret
