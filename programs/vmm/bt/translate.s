# translate.s: the binary translator. The guest kernel's code (virtual ring 0) runs only as
# translations: blocks of ringlab code that the VMM writes into its translation cache (TC) and
# the processor executes in ring 1, like te's deprivileged kernel. docs/vmm-bt.md explains the
# design; in short:
#
# Block: from a guest pc to the first unconditional control transfer (jal, jalr, sret, halt),
#   at most BT_BLOCK_MAX instructions, never across a guest page; a conditional branch inside it
#   becomes the opposite branch over an exit to its target (so the fall-through path stays in
#   line, as in a trace). Translated once per entry pc; a jump
#   into the middle of a block's source just makes another block that starts there.
# Innocuous instructions are copied unchanged (loads and stores run on the shadow page tables,
#   exactly as under te). Sensitive ones become:
#     inline  `csrr` of STATUS..IMASK, `csrw` of EPC, CAUSE, BADADDR, EINSN, TVEC, SCRATCH0/1,
#             `di`, `rdstatus`: one load or store on the vCPU, which sits in a ring-1 page at
#             the top of the address space (BT_VP), reachable with base register zero, so the
#             sequence needs no free register;
#     callout the other privileged instructions stay in place: in ring 1 each traps to the VMM,
#             which runs te's emulation routine (../te/emulate.s) and resumes after it; `wrstatus`
#             (unprivileged, so it would silently do nothing in ring 1) becomes `break` + callout,
#             and so does a store at a pc retranslated adaptively (adaptive.s);
#     nop     `tlbflush`: the shadow follows the traced page tables (../common/trace.s).
#   Branches and `jal` leave the block through exits: a `j` to the next word, then a `break` that asks
#   the VMM for the target; the VMM translates it and rewrites that `j` to jump straight to the
#   translation (chaining), so the exit is taken once. `jalr` (indirect jumps, returns) goes
#   through an inline lookup (BT_LOOKUP_*: a hash of the guest pc into BT_HKEY/BT_HVAL) without
#   leaving ring 1; a miss traps to the VMM, which translates and fills the hash.
# Protection: the VMM's pages are ring 0, except the vCPU page (ring-1 writable: everything in
#   it is the guest's own state, checked where the VMM uses it, as pv's shared page), the lookup
#   table and the TC (ring-1 read and execute, written by the VMM through a ring-0 alias). So
#   translated code cannot write VMM memory: the MMU refuses, as under te.
# Precise state: every TC word has a PCMAP word: the guest pc it belongs to, and a flag:
#   BT_START (the guest is exactly at that pc there), BT_MID (inside the expansion of one guest
#   instruction: only interrupts arrive there, and the VMM resumes without delivering one),
#   BT_EXIT (a `break` exit; the pc is the target), BT_CALLOUT (`break` + the guest word).
# Coherence: each guest frame that holds translated code is marked (BT_FRAMES: a slot, with a
#   bitmap of the words translated, BT_BITS); the shadow maps marked frames read-only
#   (bt_shadow_pte). A store to one faults. To a word that was translated: the VMM flushes the
#   whole cache (slice 1: no finer invalidation), unmarks the frames and lets the store through.
#   To any other word (data that shares a page with code): the VMM does the store itself
#   (bt_store) and the translations stay. A full cache is flushed the same way.

        .equ BT_TC_PHYS,    0x00300000  # the translation cache: 256 KiB of code
        .equ BT_TC_SIZE,    0x00040000
        .equ BT_TC,         VMM_BASE + BT_TC_PHYS       # ring 1, read and execute
        .equ BT_TCW,        VMM_BASE + 0x001a0000       # the same frames, ring 0 writable
        .equ BT_PCMAP,      VMM_BASE + 0x00340000       # one word per TC word (ring 0)
        .equ BT_FRAMES,     VMM_BASE + 0x00190000       # one byte per guest frame: its slot + 1
        .equ BT_BITS,       VMM_BASE + 0x001e0000       # per slot: 1024 bits, translated words
        .equ BT_VP_PHYS,    0x003a0000  # the vCPU page, then the lookup keys and values (2+2 pages)
        .equ BT_VP,         0xffff8000  # where translated code sees the vCPU page
        .equ BT_VPZ,        -0x8000     # ... as an offset from register zero
        .equ BT_HKEYZ,      -0x7000     # the lookup keys (guest pcs; 1 = empty), from zero
        .equ BT_HVALZ,      -0x5000     # the lookup values (a block's indirect entry)
        .equ BT_HKEY_W,     VMM_BASE + BT_VP_PHYS + 0x1000   # the VMM writes them here
        .equ BT_HVAL_W,     VMM_BASE + BT_VP_PHYS + 0x3000
        .equ BT_HASH_MASK,  0x1ffc      # 2048 entries, indexed by pc & mask
        .equ BT_SPILL0,     V_SIZE      # vCPU page words where the lookup parks t0 and t1
        .equ BT_SPILL1,     V_SIZE + 4
        .equ BT_BLOCK_MAX,  48          # guest instructions per block
        .equ BT_ROOM,       (BT_BLOCK_MAX * 9 + 8) * 4  # TC bytes a block may need, at most (tpl_imask: 9 words)
        .equ BT_MARKED_MAX, 255         # frames with translated code at once (more: flush)
        .equ BT_START,      0           # PCMAP flags (low two bits of the word)
        .equ BT_MID,        1
        .equ BT_EXIT,       2
        .equ BT_CALLOUT,    3
        .equ vcpu,          BT_VP

        .if BT_VP != VMM_BASE + (WINDOW_FIRST + WINDOW_SLOTS) * PAGE_SIZE
        .error "the vCPU page must be the first page above the windows"
        .endif

# j_word: t3 = the word of `j` over a byte offset of t3 (a J-format word offset, the opcode from
# tpl_j), for a jump the VMM writes into the cache. Clobbers t0, t1.
# translated_bit va: t1 = 1 if the word at guest-virtual address `va` is translated (its bit in
# its slot's map), else 0. On entry t1 = the page's slot number + 1. Clobbers t0, t2.
.macro translated_bit va
        addi t1, t1, -1
        slli t1, t1, 7
        li   t0, BT_BITS
        add  t1, t1, t0
        srli t2, \va, 2
        andi t2, t2, 1023
        srli t0, t2, 5
        slli t0, t0, 2
        add  t1, t1, t0
        lw   t1, 0(t1)
        andi t2, t2, 31
        srl  t1, t1, t2
        andi t1, t1, 1
.endm

.macro j_word
        srai t3, t3, 2
        li   t1, 0xfffff
        and  t3, t3, t1
        la   t1, tpl_j
        lw   t1, 0(t1)
        li   t0, 0xfff00000
        and  t1, t1, t0
        or   t3, t3, t1
.endm

# bt_init: map the translator's pages (see the header), clear the vCPU page, copy the lookup
# routines to the start of the cache and empty it. Clobbers t0-t3, a0-a2.
bt_init:
        push ra
        li   t0, VMM_PT + (WINDOW_FIRST + WINDOW_SLOTS) * 4
        li   t1, (BT_VP_PHYS) | PTE_PRESENT | PTE_WRITABLE | PTE_RING1
        sw   t1, 0(t0)
        li   t1, (BT_VP_PHYS + 0x1000) | PTE_PRESENT | PTE_RING1
        li   t2, 4
        li   t3, PAGE_SIZE
.lk:    addi t0, t0, 4
        sw   t1, 0(t0)
        add  t1, t1, t3
        addi t2, t2, -1
        bnez t2, .lk
        li   t0, VMM_PT + (BT_TC_PHYS >> 10)            # execute alias: ring 1, no W
        li   a0, VMM_PT + ((BT_TCW - VMM_BASE) >> 10)   # write alias: ring 0
        li   t1, BT_TC_PHYS
        li   t2, BT_TC_SIZE >> 12
.tc:    ori  a1, t1, PTE_PRESENT | PTE_EXECUTABLE | PTE_RING1
        sw   a1, 0(t0)
        ori  a1, t1, PTE_PRESENT | PTE_WRITABLE | PTE_RING0
        sw   a1, 0(a0)
        add  t1, t1, t3
        addi t0, t0, 4
        addi a0, a0, 4
        addi t2, t2, -1
        bnez t2, .tc
        tlbflushall
        li   t0, BT_VP              # an all-zero vCPU
        li   t1, BT_VP + PAGE_SIZE
.zero:  sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .zero
        csrr t0, EXTENSIONS         # rdstatus/wrstatus exist only with the legacy extension
        andi t0, t0, ISA_EXT_LEGACY
        la   t1, bt_legacy
        sw   t0, 0(t1)
        la   t0, bt_tc_next         # the fixed part of the cache: the lookup routines and the
        li   t1, BT_TC              # empty entry's trampoline, PCMAP'd as BT_MID
        sw   t1, 0(t0)
        la   a2, bt_fixed
.copy:  la   t0, bt_fixed_end
        bgeu a2, t0, .copied
        lw   a0, 0(a2)
        li   a1, BT_MID
        call bt_emit
        addi a2, a2, 4
        j    .copy
.copied:
        la   t0, bt_tc_next
        lw   t1, 0(t0)
        addi t2, t1, -4             # the trampoline's break is an exit to pc 1 (misaligned)
        li   t3, BT_PCMAP - BT_TC
        add  t2, t2, t3
        li   t3, 1 | BT_EXIT
        sw   t3, 0(t2)
        la   t0, bt_tc_fixed
        sw   t1, 0(t0)
        call bt_flush
        la   t0, stat_bt_flushes    # the first emptying is not a flush
        sw   zero, 0(t0)
        pop  ra
        ret

# The fixed code at the start of the cache, copied there by bt_init (position independent).
# A translated `jalr` parks one register in the vCPU page, puts the target in it and jumps to
# one of these: A when the target is in t0, B when it is in t1 (the jalr writes t0). Either
# looks the target up; a hit jumps to the block's indirect entry, which restores t1.
bt_fixed:
bt_lookup_a:                        # t0 = target; the guest's t0 is in SPILL0
        sw   t1, BT_VPZ + BT_SPILL1(zero)
        andi t1, t0, BT_HASH_MASK
        lw   t1, BT_HKEYZ(t1)
        bne  t1, t0, .miss_a
        andi t1, t0, BT_HASH_MASK
        lw   t1, BT_HVALZ(t1)
        lw   t0, BT_VPZ + BT_SPILL0(zero)
        jr   t1
.miss_a:
        lw   t1, BT_VPZ + BT_SPILL1(zero)
bt_miss_a:
        break                       # to the VMM: target in t0, the guest's t0 in SPILL0
bt_lookup_b:                        # t1 = target; the guest's t1 is in SPILL1
        sw   t0, BT_VPZ + BT_SPILL0(zero)
        andi t0, t1, BT_HASH_MASK
        lw   t0, BT_HKEYZ(t0)
        bne  t0, t1, .miss_b
        andi t0, t1, BT_HASH_MASK
        lw   t1, BT_HVALZ(t0)
        lw   t0, BT_VPZ + BT_SPILL0(zero)
        jr   t1
.miss_b:
        lw   t0, BT_VPZ + BT_SPILL0(zero)
bt_miss_b:
        break                       # to the VMM: target in t1, the guest's t1 in SPILL1
bt_tramp:                           # an empty hash entry's value: its key (1) matches only a
        lw   t1, BT_VPZ + BT_SPILL1(zero)   # jump to address 1, which this exit sends to the
        break                               # translator, which reflects a Misaligned fault
bt_fixed_end:
        .equ BT_MISS_A, BT_TC + (bt_miss_a - bt_fixed)
        .equ BT_MISS_B, BT_TC + (bt_miss_b - bt_fixed)
        .equ BT_LOOKUP_A, BT_TC + (bt_lookup_a - bt_fixed)
        .equ BT_LOOKUP_B, BT_TC + (bt_lookup_b - bt_fixed)
        .equ BT_TRAMP, BT_TC + (bt_tramp - bt_fixed)

# Instruction templates: the translator takes encodings from here (opcode and fields it fills in).
tpl_entry:  lw   t1, BT_VPZ + BT_SPILL1(zero)   # a block's indirect entry
tpl_jnext:  j    tpl_jnext + 4                  # an exit's jump (to the break after it)
tpl_break:  break
tpl_di:     sw   zero, BT_VPZ + V_STATUS(zero)
tpl_lw:     lw   zero, 0(zero)
tpl_sw:     sw   zero, 0(zero)
tpl_sb:     sb   zero, 0(zero)
tpl_sh:     sh   zero, 0(zero)
tpl_lui:    lui  zero, 0
tpl_ori:    ori  zero, zero, 0
tpl_addi:   addi zero, zero, 0
tpl_j:      j    tpl_j

# Inline sequences, copied by bt_emit_seq: a word 0 becomes the guest's instruction word (data
# for the callout after a `break`); the first word gets the guest's register in the field given.
# csrw IMASK, rs: store it; if the guest has interrupts on, a callout that delivers one that
# the new mask lets through (vmm_resume does), else straight on.
tpl_imask:
        sw   zero, BT_VPZ + V_IMASK(zero)       # rs in field A (the stored register)
        sw   t0, BT_VPZ + BT_SPILL0(zero)
        lw   t0, BT_VPZ + V_STATUS(zero)
        bnez t0, .ie
        lw   t0, BT_VPZ + BT_SPILL0(zero)
        j    .after
.ie:    lw   t0, BT_VPZ + BT_SPILL0(zero)
        break
        .word 0
.after:
# csrw ESTATUS, rs: ESTATUS keeps only the ring and IE bits.
tpl_estatus:
        sw   t0, BT_VPZ + BT_SPILL0(zero)
        andi t0, zero, STATUS_RING_MASK | STATUS_IE   # rs in field B
        sw   t0, BT_VPZ + V_ESTATUS(zero)
        lw   t0, BT_VPZ + BT_SPILL0(zero)
tpl_estatus_end:

# bt_emit_seq(a0 = template, a1 = its end, a2 = the register field to OR into it, a3 = the
# template word that takes it; s1 = guest pc, s2 = the guest word's address): copy an inline
# sequence. A word 0 becomes the guest word. PCMAP: the first word BT_START, a `break`
# BT_CALLOUT, the rest BT_MID. Clobbers t0-t3, a0-a3.
bt_emit_seq:
        push ra
        push s3
        push a0                     # 0(sp) = the template's first word
        mv   s3, a1                 # s3 = its end
        mv   t3, a0                 # t3 = the template word
.next:  bgeu t3, s3, .end
        lw   a0, 0(t3)
        bnez a0, .notdata
        lw   a0, 0(s2)              # the guest word, as data for the callout
.notdata:
        bne  t3, a3, .patched
        or   a0, a0, a2
.patched:
        ori  a1, s1, BT_MID
        lw   t0, 0(sp)
        bne  t3, t0, .notfirst
        mv   a1, s1                 # BT_START
.notfirst:
        la   t0, tpl_break
        lw   t0, 0(t0)
        bne  a0, t0, .emit
        ori  a1, s1, BT_CALLOUT
.emit:  call bt_emit
        addi t3, t3, 4
        j    .next
.end:   pop  a0
        pop  s3
        pop  ra
        ret

# bt_emit(a0 = word, a1 = PCMAP word): append one word to the cache. Clobbers t0-t2.
bt_emit:
        la   t0, bt_tc_next
        lw   t1, 0(t0)
        li   t2, BT_TCW - BT_TC
        add  t2, t1, t2
        sw   a0, 0(t2)
        li   t2, BT_PCMAP - BT_TC
        add  t2, t1, t2
        sw   a1, 0(t2)
        addi t1, t1, 4
        sw   t1, 0(t0)
        ret

# bt_flush: empty the cache: every translation, the lookup table, the marks on guest frames.
# Translated code resumes from its guest pc afterwards (bt_resume_tc = 0). Clobbers t0-t3.
bt_flush:
        la   t0, bt_tc_fixed
        lw   t1, 0(t0)
        la   t0, bt_tc_next
        sw   t1, 0(t0)
        la   t0, bt_resume_tc
        sw   zero, 0(t0)
        la   t0, bt_chain_from
        sw   zero, 0(t0)
        li   t0, BT_HKEY_W
        li   t1, BT_HKEY_W + BT_HASH_MASK + 4
        li   t2, 1
        li   t3, BT_TRAMP
.hash:  sw   t2, 0(t0)
        sw   t3, BT_HVAL_W - BT_HKEY_W(t0)
        addi t0, t0, 4
        bltu t0, t1, .hash
        la   t0, bt_marked_len
        lw   t1, 0(t0)
        sw   zero, 0(t0)
        la   t2, bt_marked
        slli t1, t1, 2
        add  t1, t1, t2             # end of the list
        li   t0, BT_BITS
.unmark:
        bgeu t2, t1, .done
        lw   t3, 0(t2)              # a frame: no slot, and its slot's bitmap all zero
        push t0
        li   t0, BT_FRAMES
        add  t3, t3, t0
        sb   zero, 0(t3)
        pop  t0
        addi t3, t0, 128
.bits:  sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t3, .bits
        addi t2, t2, 4
        j    .unmark
.done:  count stat_bt_flushes, t0, t1
        ret

# bt_entry: called by vmm_entry (s0 = vCPU, guest registers saved). If the guest was in virtual
# ring 0, the trap came from translated code: V_PC = the guest pc of that TC word, and remember
# the word and its flag for bt_target and bt_break. Clobbers t1-t3.
bt_entry:
        la   t2, bt_resume_tc
        sw   zero, 0(t2)
        la   t2, bt_flag
        sw   zero, 0(t2)
        lw   t1, V_STATUS(s0)
        andi t1, t1, STATUS_RING_MASK
        bnez t1, .out               # user code (or virtual rings 1, 2) runs untranslated
        csrr t1, EPC
        li   t2, BT_TC
        sub  t3, t1, t2
        li   t2, BT_TC_SIZE
        bgeu t3, t2, .out           # not the cache: the VMM itself trapped (vmm_entry panics)
        la   t2, bt_resume_tc
        sw   t1, 0(t2)
        li   t2, BT_PCMAP
        add  t3, t3, t2
        lw   t3, 0(t3)
        andi t1, t3, 3
        la   t2, bt_flag
        sw   t1, 0(t2)
        srli t3, t3, 2
        slli t3, t3, 2
        sw   t3, V_PC(s0)
.out:   ret

# bt_target -> a0 = the pc to resume the guest at: V_PC itself outside virtual ring 0; else a
# translation of V_PC: the very TC word the trap came from when the guest is still there (a
# hidden page fault, an interrupt, or inside an expansion), the word after a callout, or the
# block found (or made) for V_PC. Chains the exit that asked for it. A guest pc that cannot be
# fetched ends in a reflected fault (bt_translate), not here. Clobbers t0-t3, a1-a3.
bt_target:
        lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_RING_MASK
        beqz t0, .kernel
        lw   a0, V_PC(s0)
        ret
.kernel:
        push ra
        la   t3, bt_flag
        lw   t1, 0(t3)
        sw   zero, 0(t3)
        la   t3, bt_resume_tc
        lw   a0, 0(t3)
        sw   zero, 0(t3)
        beqz a0, .lookup
        li   t2, BT_MID
        beq  t1, t2, .out           # inside an expansion: resume exactly there
        lw   t0, V_PC(s0)
        li   t2, BT_PCMAP - BT_TC
        add  t2, a0, t2
        lw   t3, 0(t2)
        beq  t3, t0, .out           # still at that instruction (a hidden fault)
        addi a0, a0, 4
        la   t3, bt_tc_next
        lw   t3, 0(t3)
        bgeu a0, t3, .lookup
        lw   t3, 4(t2)
        beq  t3, t0, .out           # the instruction after a callout
        li   t2, BT_CALLOUT         # ... or, after an adaptive store's callout, the BT_MID
        bne  t1, t2, .lookup        # jump back to it (adaptive.s). Only there: elsewhere a
        ori  t0, t0, BT_MID         # BT_MID word of V_PC can be a block's indirect entry
        beq  t3, t0, .out
.lookup:
        lw   a0, V_PC(s0)
        call bt_find
        la   t1, bt_chain_from      # an exit asked for this block: jump straight to it (unless
        lw   t2, 0(t1)              # the guest went elsewhere meanwhile: an interrupt was
        beqz t2, .out               # delivered at the exit, and V_PC is the trap vector)
        sw   zero, 0(t1)
        li   t3, BT_PCMAP - BT_TC + 4
        add  t3, t2, t3
        lw   t3, 0(t3)              # the exit's break: its target | BT_EXIT
        xori t3, t3, BT_EXIT
        lw   t0, V_PC(s0)
        bne  t3, t0, .out
        sub  t3, a0, t2
        j_word
        li   t1, BT_TCW - BT_TC
        add  t2, t2, t1
        sw   t3, 0(t2)
        count stat_bt_chained, t0, t1
.out:   pop  ra
        ret

# bt_find(a0 = guest pc) -> a0 = its block's body (after the indirect entry word).
bt_find:
        andi t0, a0, BT_HASH_MASK
        li   t1, BT_HKEY_W
        add  t1, t1, t0
        lw   t2, 0(t1)
        bne  t2, a0, bt_translate
        lw   a0, BT_HVAL_W - BT_HKEY_W(t1)
        addi a0, a0, 4
        count stat_bt_hits, t0, t1
        ret

# bt_break: a Breakpoint. From translated code it is a lookup miss (BT_MISS_*), an exit or a
# callout; anything else is the guest's own `break`, reflected.
bt_break:
        lw   t0, V_STATUS(s0)
        andi t0, t0, STATUS_RING_MASK
        bnez t0, reflect_trap
        csrr t1, EPC
        li   t2, BT_MISS_A
        beq  t1, t2, .miss_a
        li   t2, BT_MISS_B
        beq  t1, t2, .miss_b
        la   t2, bt_flag
        lw   t2, 0(t2)
        li   t3, BT_EXIT
        beq  t2, t3, .exit
        li   t3, BT_CALLOUT
        beq  t2, t3, .callout
        j    reflect_trap
.exit:  count stat_bt_exits, t2, t3
        la   t2, bt_resume_tc
        sw   zero, 0(t2)
        lw   t2, -4(t1)             # chain only an exit's own jump (not the trampoline's entry)
        srli t2, t2, INSN_OPCODE_SHIFT
        la   t3, tpl_j
        lw   t3, 0(t3)
        srli t3, t3, INSN_OPCODE_SHIFT
        bne  t2, t3, vmm_resume
        addi t1, t1, -4
        la   t2, bt_chain_from
        sw   t1, 0(t2)
        j    vmm_resume
.miss_a:
        lw   t0, 32(s0)             # the target was in t0 (r8); the guest's t0 in SPILL0
        sw   t0, V_PC(s0)
        lw   t0, BT_SPILL0(s0)
        sw   t0, 32(s0)
        j    .missed
.miss_b:
        lw   t0, 36(s0)             # the target was in t1 (r9); the guest's t1 in SPILL1
        sw   t0, V_PC(s0)
        lw   t0, BT_SPILL1(s0)
        sw   t0, 36(s0)
.missed:
        la   t2, bt_resume_tc
        sw   zero, 0(t2)
        count stat_bt_misses, t2, t3
        j    vmm_resume
.callout:                           # the guest word is kept after the break
        lw   a0, 4(t1)
        la   t2, bt_resume_tc
        addi t1, t1, 4              # resume after that word (bt_target: "after a callout")
        sw   t1, 0(t2)
        srli t0, a0, INSN_OPCODE_SHIFT
        la   t2, tpl_sb
        lbu  t2, 3(t2)
        sub  t2, t0, t2
        sltiu t2, t2, 3
        bnez t2, bt_store_callout   # an adaptive store (adaptive.s)
        li   t2, OP_CSRW
        bne  t0, t2, .wrstatus
        count stat_bt_imask, t2, t3 # csrw IMASK with interrupts on: deliver what it unmasks
        j    advance
.wrstatus:                          # wrstatus rs1: STATUS.IE = rs1's IE bit (ring 0)
        count stat_bt_wrstatus, t2, t3
        srli t0, a0, INSN_B_SHIFT
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s0
        lw   t0, V_REGS(t0)
        andi t0, t0, STATUS_IE
        lw   t1, V_STATUS(s0)
        andi t1, t1, STATUS_RING_MASK
        or   t1, t1, t0
        sw   t1, V_STATUS(s0)
        j    advance

# bt_shadow_pte(a1 = a shadow PTE being installed, s2 = access: 0 read, 1 write, 2 execute),
# called by shadow_fault: a frame that holds translated code is mapped read-only; a write to it
# (the guest's PTE allows it, or shadow_fault would not get here) flushes the cache first, which
# unmarks the frame, so the write goes through. Clobbers t0-t3.
bt_shadow_pte:
        srli t0, a1, 12
        li   t1, GUEST_BASE >> 12
        sub  t0, t0, t1
        li   t1, BT_FRAMES
        add  t0, t0, t1
        lbu  t1, 0(t0)
        beqz t1, .ret
        li   t0, 1
        bne  s2, t0, .readonly
        translated_bit s1           # a store: to a translated word? (s1: shadow_fault's guest-virtual address)
        bnez t1, .write
        la   t0, bt_store_emulate   # data beside code: stays read-only; page_fault does the
        li   t1, 1                  # store (bt_store)
        sw   t1, 0(t0)
.readonly:
        li   t1, ~PTE_WRITABLE
        and  a1, a1, t1
.ret:   ret
.write: push ra
        push a1
        call bt_flush
        count stat_bt_invalidations, t0, t1
        lw   t0, V_STATUS(s0)       # a store by translated code: its own block may come from
        andi t0, t0, STATUS_RING_MASK   # this very frame, so the next translation is of that
        bnez t0, .popped            # one instruction and marks nothing (bt_translate)
        la   t0, bt_single
        li   t1, 1
        sw   t1, 0(t0)
.popped:
        pop  a1
        pop  ra
        ret

# bt_translate(a0 = guest pc, virtual ring 0) -> a0 = the new block's body. A pc the guest
# could not fetch from on bare metal (misaligned, not mapped or not executable, beyond its
# memory) does not return: the fault is reflected to the guest kernel, as the hardware would
# raise it. Preserves s0-s3.
bt_translate:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0                 # s1 = guest pc
        andi t0, s1, 3
        bnez t0, .misaligned
        la   t0, bt_tc_next         # room for a whole block, or flush
        lw   t0, 0(t0)
        li   t1, BT_TC + BT_TC_SIZE - BT_ROOM
        bltu t0, t1, .room
        call bt_flush
.room:  mv   a0, s1                 # may the guest fetch here? (also fills the shadow)
        li   a1, 2
        call shadow_fault
        bnez a0, .fault
        mv   a0, s1
        li   s2, 2
        call guest_translate
        srli s3, a0, 12             # s3 = guest frame
        la   t0, bt_single
        lw   t1, 0(t0)
        la   t0, bt_block_bits
        sw   zero, 0(t0)
        bnez t1, .mapped            # a single instruction after an invalidation: no mark
        li   t0, BT_FRAMES
        add  t0, t0, s3
        lbu  t1, 0(t0)
        bnez t1, .bitmap            # t1 = its slot + 1
        la   t2, bt_marked_len      # a frame newly holding translated code: give it a slot
        lw   t1, 0(t2)              # (none left: flush, which frees them all), and drop the
        li   t3, BT_MARKED_MAX      # shadow so that its writable mappings go
        bltu t1, t3, .slot
        call bt_flush
        li   t0, BT_FRAMES
        add  t0, t0, s3
        la   t2, bt_marked_len
        li   t1, 0
.slot:  addi t3, t1, 1
        sw   t3, 0(t2)
        sb   t3, 0(t0)
        slli t1, t1, 2
        la   t2, bt_marked
        add  t2, t2, t1
        sw   s3, 0(t2)
        push t3
        call shadow_reset
        pop  t1
.bitmap:
        addi t1, t1, -1
        slli t1, t1, 7
        li   t0, BT_BITS
        add  t1, t1, t0
        la   t0, bt_block_bits
        sw   t1, 0(t0)
.mapped:
        slli a0, s3, 12
        andi t0, s1, 0xfff
        or   a0, a0, t0
        call map_guest
        mv   s2, a0                 # s2 = the guest's code, in a window
        la   t0, tpl_entry          # the indirect entry
        lw   a0, 0(t0)
        ori  a1, s1, BT_MID
        call bt_emit
        la   t0, bt_tc_next
        lw   t0, 0(t0)
        la   t1, bt_block
        sw   t0, 0(t1)              # the body
        la   t0, bt_block_pc
        sw   s1, 0(t0)
        la   t0, bt_single
        lw   t1, 0(t0)
        sw   zero, 0(t0)
        la   t0, bt_block_single
        sw   t1, 0(t0)
        li   s3, BT_BLOCK_MAX       # s3 = instructions left in this block
        beqz t1, .next
        li   s3, 1
.next:  la   t0, bt_block_bits      # this word is translated now: its bit in the map
        lw   t0, 0(t0)
        beqz t0, .fetch
        srli t1, s1, 2
        andi t1, t1, 1023
        srli t2, t1, 5
        slli t2, t2, 2
        add  t0, t0, t2
        lw   t2, 0(t0)
        andi t1, t1, 31
        li   t3, 1
        sll  t3, t3, t1
        or   t2, t2, t3
        sw   t2, 0(t0)
.fetch: lw   a0, 0(s2)              # a0 = the guest instruction
        srli t0, a0, INSN_OPCODE_SHIFT
        li   t1, 0x30               # beq..bgeu
        bltu t0, t1, .low
        li   t1, 0x36
        bltu t0, t1, .branch
        li   t1, 0x38
        beq  t0, t1, .jal
        li   t1, 0x39
        beq  t0, t1, .jalr
        li   t1, OP_SRET
        beq  t0, t1, .last
        li   t1, OP_HALT
        beq  t0, t1, .last
        li   t1, OP_DI
        beq  t0, t1, .di
        li   t1, OP_CSRR
        beq  t0, t1, .csrr
        li   t1, OP_CSRW
        beq  t0, t1, .csrw
        li   t1, OP_TLBFLUSH
        beq  t0, t1, .tlbflush
        la   t1, bt_legacy
        lw   t1, 0(t1)
        beqz t1, .copy              # without the extension its opcodes are illegal: copied
        li   t1, 0x70
        beq  t0, t1, .rdstatus
        li   t1, 0x71
        beq  t0, t1, .wrstatus
.copy:  mv   a1, s1
        call bt_emit
.advance:
        addi s1, s1, 4
        addi s2, s2, 4
        addi s3, s3, -1
        beqz s3, .tail
        andi t0, s1, 0xfff
        bnez t0, .next
.tail:  mv   a0, s1                 # the block ends at its limit or the page's end
        call bt_exit
        j    .done
.last:  mv   a1, s1                 # sret, halt: callouts after which nothing follows in line
        call bt_emit
        j    .done
.di:    la   t0, tpl_di
        lw   a0, 0(t0)
        j    .copy
.tlbflush:                          # nothing to do: the shadow follows the traced tables, so
        la   t0, tpl_addi           # it never waits for a flush (../common/trace.s); a nop
        lw   a0, 0(t0)              # keeps the guest pc's place
        j    .copy
.low:   addi t1, t0, -BT_OP_SB       # sb, sh, sw: a callout where the store was adaptively
        sltiu t1, t1, 3             # retranslated (its pc in bt_sites, adaptive.s)
        beqz t1, .copy
        srli t0, s1, 2
        andi t0, t0, BT_SITES - 1
        slli t0, t0, 3
        la   t1, bt_sites
        add  t0, t0, t1
        lw   t1, 0(t0)
        bne  t1, s1, .copy
        lw   t1, 4(t0)
        sltiu t1, t1, BT_ADAPT_FAULTS
        bnez t1, .copy
        j    .callout
.csrr:  andi t0, a0, 0xffff         # csr; inline for STATUS..IMASK (plain vCPU words)
        sltiu t1, t0, CSR_IMASK + 1
        beqz t1, .copy              # IPEND, the counters, EXTENSIONS: a callout
        srli t1, a0, INSN_A_SHIFT
        andi t1, t1, 15             # rd
        slli t0, t0, 2
        addi t0, t0, BT_VPZ + V_CSRS
        j    .load
.rdstatus:
        srli t1, a0, INSN_A_SHIFT
        andi t1, t1, 15
        li   t0, BT_VPZ + V_STATUS
.load:  li   t2, 0xffff             # lw rd, off(zero)
        and  t0, t0, t2
        slli t1, t1, INSN_A_SHIFT
        or   t0, t0, t1
        la   t1, tpl_lw
        lw   a0, 0(t1)
        or   a0, a0, t0
        j    .copy
.csrw:  andi t0, a0, 0xffff         # inline for EPC, CAUSE, BADADDR, EINSN, TVEC, SCRATCH0/1:
        sltiu t1, t0, 32            # the VMM's emulation would store the word unchanged
        beqz t1, .copy
        li   t1, 1
        sll  t1, t1, t0
        li   t2, (1 << CSR_EPC) | (1 << CSR_CAUSE) | (1 << CSR_BADADDR) | (1 << CSR_EINSN) | (1 << CSR_TVEC) | (1 << CSR_SCRATCH0) | (1 << CSR_SCRATCH1)
        and  t1, t1, t2
        beqz t1, .seq               # STATUS, PTBR, read-only: a callout; IMASK, ESTATUS: below
        srli t1, a0, INSN_B_SHIFT
        andi t1, t1, 15             # rs1: sw rs1, off(zero)
        slli t0, t0, 2
        addi t0, t0, BT_VPZ + V_CSRS
        li   t2, 0xffff
        and  t0, t0, t2
        slli t1, t1, INSN_A_SHIFT
        or   t0, t0, t1
        la   t1, tpl_sw
        lw   a0, 0(t1)
        or   a0, a0, t0
        j    .copy
.seq:   srli a2, a0, INSN_B_SHIFT
        andi a2, a2, 15             # rs1
        li   t1, CSR_IMASK
        beq  t0, t1, .imask
        li   t1, CSR_ESTATUS
        bne  t0, t1, .copy
        slli a2, a2, INSN_B_SHIFT   # andi t0, rs1, ...: rs1 in field B of the second word
        la   a0, tpl_estatus
        la   a1, tpl_estatus_end
        addi a3, a0, 4
        call bt_emit_seq
        j    .advance
.imask: slli a2, a2, INSN_A_SHIFT   # sw rs1, V_IMASK: rs1 in field A of the first word
        la   a0, tpl_imask
        la   a1, tpl_estatus
        mv   a3, a0
        call bt_emit_seq
        j    .advance
.wrstatus:                          # a callout: break, then the guest word as its data
.callout:
        push a0
        la   t0, tpl_break
        lw   a0, 0(t0)
        ori  a1, s1, BT_CALLOUT
        call bt_emit
        pop  a0                     # the guest word, as data the callout reads
        ori  a1, s1, BT_MID
        call bt_emit
        j    .advance
.branch:                            # the opposite branch over an exit to the taken target;
        li   t0, 0xffff0000         # the block goes on with the fall-through path
        and  a0, a0, t0
        li   t0, 1 << INSN_OPCODE_SHIFT  # beq<->bne, blt<->bge, bltu<->bgeu: opcode ^ 1
        xor  a0, a0, t0
        ori  a0, a0, 3              # to the word after the exit
        mv   a1, s1
        call bt_emit
        lw   a0, 0(s2)
        slli t0, a0, 16
        srai t0, t0, 14
        add  a0, t0, s1             # the taken target
        call bt_exit
        j    .advance
.jal:   srli t0, a0, INSN_A_SHIFT
        andi a1, t0, 15             # rd = pc + 4
        addi a2, s1, 4
        ori  a3, s1, BT_START
        call bt_li
        lw   a0, 0(s2)
        slli t0, a0, 12
        srai t0, t0, 10
        add  a0, t0, s1
        call bt_exit
        j    .done
.jalr:  srli t0, a0, INSN_A_SHIFT
        andi t0, t0, 15
        push t0                     # rd
        li   t1, 8                  # x: t0 (lookup A), or t1 (lookup B) when rd is t0
        bne  t0, t1, .x
        li   t1, 9
.x:     push t1
        la   t0, tpl_sw             # sw x, SPILLx(zero)
        lw   a0, 0(t0)
        slli t0, t1, INSN_A_SHIFT
        or   a0, a0, t0
        slli t0, t1, 2
        addi t0, t0, BT_VPZ + BT_SPILL0 - 32
        li   t2, 0xffff
        and  t0, t0, t2
        or   a0, a0, t0
        mv   a1, s1
        call bt_emit
        lw   t0, 0(s2)              # addi x, rs1, imm
        li   t1, 0x000fffff
        and  t0, t0, t1
        lw   t1, 0(sp)
        slli t1, t1, INSN_A_SHIFT
        or   t0, t0, t1
        la   t1, tpl_addi
        lw   a0, 0(t1)
        or   a0, a0, t0
        ori  a1, s1, BT_MID
        call bt_emit
        lw   a1, 4(sp)              # rd = pc + 4
        addi a2, s1, 4
        ori  a3, s1, BT_MID
        call bt_li
        pop  t1                     # j BT_LOOKUP_x
        li   a0, BT_LOOKUP_A
        li   t0, 8
        beq  t1, t0, .a
        li   a0, BT_LOOKUP_B
.a:     pop  t0
        ori  a1, s1, BT_MID
        call bt_jump
.done:  la   t0, bt_block           # the block is ready: enter it in the lookup table
        lw   a0, 0(t0)              # (a single-instruction block is not: it is used once)
        count stat_bt_blocks, t2, t3
        la   t0, bt_block_single
        lw   t0, 0(t0)
        bnez t0, .out
        la   t0, bt_block_pc
        lw   t2, 0(t0)
        andi t0, t2, BT_HASH_MASK
        li   t1, BT_HKEY_W
        add  t1, t1, t0
        sw   t2, 0(t1)
        addi t3, a0, -4             # its indirect entry
        sw   t3, BT_HVAL_W - BT_HKEY_W(t1)
.out:
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.misaligned:
        li   a0, CAUSE_MISALIGNED
        mv   a1, s1
        j    .reflect
.fault:                             # a0 = cause, a1 = address (shadow_fault)
.reflect:
        li   a2, 0                  # a fetch fault: no instruction word
        li   sp, VMM_STACK_TOP
        j    reflect

# bt_li(a1 = register, a2 = value, a3 = PCMAP word of the first word): emit lui + ori of a
# 32-bit constant into the register (nothing for r0). Clobbers t0-t2, a0.
bt_li:
        beqz a1, .none
        push ra
        push a1
        push a2
        la   t0, tpl_lui
        lw   a0, 0(t0)
        slli t0, a1, INSN_A_SHIFT
        or   a0, a0, t0
        srli t0, a2, 16
        or   a0, a0, t0
        mv   a1, a3
        call bt_emit
        lw   a2, 0(sp)
        lw   a1, 4(sp)
        la   t0, tpl_ori
        lw   a0, 0(t0)
        slli t0, a1, INSN_A_SHIFT
        or   a0, a0, t0
        slli t0, a1, INSN_B_SHIFT
        or   a0, a0, t0
        li   t0, 0xffff
        and  t0, a2, t0
        or   a0, a0, t0
        li   t0, ~3
        and  a1, a3, t0
        ori  a1, a1, BT_MID
        call bt_emit
        pop  a2
        pop  a1
        pop  ra
.none:  ret

# bt_jump(a0 = TC address, a1 = PCMAP word): emit `j` to it. Clobbers t0-t2, a0.
bt_jump:
        la   t0, bt_tc_next
        lw   t0, 0(t0)
        sub  a0, a0, t0
        srai a0, a0, 2
        li   t0, 0xfffff
        and  a0, a0, t0
        la   t0, tpl_j
        lw   t0, 0(t0)
        li   t1, 0xfff00000
        and  t0, t0, t1
        or   a0, a0, t0
        j    bt_emit

# bt_exit(a0 = target guest pc): emit an exit: `j` to the next word (rewritten to the target's
# translation once the exit is taken: chaining), then `break` for the VMM. Clobbers t0-t2, a0-a1.
bt_exit:
        push ra
        push a0
        la   t0, tpl_jnext
        lw   a0, 0(t0)
        lw   a1, 0(sp)
        call bt_emit
        la   t0, tpl_break
        lw   a0, 0(t0)
        pop  a1
        ori  a1, a1, BT_EXIT
        call bt_emit
        pop  ra
        ret
