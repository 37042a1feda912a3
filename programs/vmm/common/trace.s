# trace.s: tracing the guest's page tables, for a VMM that keeps its shadow coherent with the
# guest's tables itself instead of waiting for the guest's flushes (bt: docs/vmm-bt.md,
# section 2, "Tracing"). Included by a VMM that defines SHADOW_TRACING; shadow.s calls the hooks.
#
# Traced frames are the ones the shadow is built from: the guest's page directory and every
# page table a shadow fill walked through (trace_walk, after each fill). Every shadow entry that
# maps a traced frame is read-only (trace_shadow_pte for new entries, trace_revoke for the ones
# made before the frame was traced), so every store to a guest page table that the shadow
# depends on reaches the VMM: as a page fault (the VMM emulates the store) or, once the store
# has been retranslated, as a callout. Either way the VMM calls trace_written after the store,
# which brings the shadow up to date at once:
#   - a page-table entry: its shadow entry (if the shadow has one) is recomputed from it and the
#     real TLB entry flushed; the table's directory slot (recorded when it was traced) gives the
#     virtual address;
#   - the directory, or a table reached through several slots: the whole shadow is dropped.
# A shadow reset (the guest wrote PTBR or flushed everything, the pool ran out) drops every
# entry, so nothing is built from any frame any more: every frame is untraced (trace_clear), and
# a frame the guest freed and reuses as data stops faulting at the next reset at the latest.
#
# The including VMM defines TRACE_MAP (one byte per guest frame, zero at boot: 0 untraced, else
# its index + 1 in trace_list) and includes the data at the end of this file.

        .equ TRACE_MAX,    64          # traced frames at once (more: the shadow starts over)
        .equ TRACE_DIR,    0x400       # trace_list info: the page directory (else slot + 1)
        .equ TRACE_MULTI,  0x800       # ... a table reached through several slots, or both

# trace_walk: shadow_fault just installed the translation of s1 (guest-virtual address), read
# from the directory at trace_walk_dir and the table at trace_walk_table (guest_translate
# recorded both): trace them. Most fills go through the same directory, table and slot as the
# last one (trace_last_*), which are traced already. Clobbers t0-t3, a0-a3.
trace_walk:
        lw   t0, V_GUEST_PTBR(s0)
        andi t0, t0, PTBR_ENABLE
        beqz t0, .ret               # paging off: the entry comes from no table
        la   t0, trace_walk_dir
        lw   t1, 0(t0)
        lw   t2, trace_last_dir - trace_walk_dir(t0)
        bne  t1, t2, .trace
        lw   t1, trace_walk_table - trace_walk_dir(t0)
        lw   t2, trace_last_table - trace_walk_dir(t0)
        bne  t1, t2, .trace
        srli t1, s1, 22
        lw   t2, trace_last_slot - trace_walk_dir(t0)
        beq  t1, t2, .ret
.trace: push ra
        la   t0, trace_walk_dir
        lw   a0, 0(t0)
        li   a1, TRACE_DIR
        call trace_frame
        la   t0, trace_walk_table
        lw   a0, 0(t0)
        srli a1, s1, 22
        addi a1, a1, 1              # slot + 1
        call trace_frame
        la   t0, trace_walk_dir     # both traced now, unless the table's tracing started over
        lw   t1, 0(t0)              # (a full list) and untraced the directory
        srli t2, t1, 12
        li   t3, TRACE_MAP
        add  t2, t2, t3
        lbu  t2, 0(t2)
        beqz t2, .out
        sw   t1, trace_last_dir - trace_walk_dir(t0)
        lw   t1, trace_walk_table - trace_walk_dir(t0)
        sw   t1, trace_last_table - trace_walk_dir(t0)
        srli t1, s1, 22
        sw   t1, trace_last_slot - trace_walk_dir(t0)
.out:   pop  ra
.ret:   ret

# trace_frame(a0 = guest-physical frame, a1 = its role: TRACE_DIR or slot + 1): trace it. A
# frame newly traced has its writable shadow entries revoked; one already traced in another
# role becomes TRACE_MULTI. A full list first drops the whole shadow (which untraces every
# frame). Clobbers t0-t3, a0-a3.
trace_frame:
        srli t0, a0, 12
        li   t1, TRACE_MAP
        add  t1, t1, t0             # t1 = its byte in the map
        lbu  t2, 0(t1)
        beqz t2, .new
        slli t2, t2, 3              # already traced: in the same role, nothing to do
        la   t3, trace_list - 4
        add  t2, t2, t3             # its info word
        lw   t3, 0(t2)
        beq  t3, a1, .ret
        li   t3, TRACE_MULTI
        sw   t3, 0(t2)
.ret:   ret
.new:   la   t2, trace_len
        lw   t3, 0(t2)
        li   a2, TRACE_MAX
        bltu t3, a2, .room
        shadow_reset_keeping_args   # full: start over, then trace it in the empty list
        j    trace_frame
.room:  addi t3, t3, 1
        sw   t3, 0(t2)
        sb   t3, 0(t1)
        slli t3, t3, 3
        la   t2, trace_list - 8
        add  t2, t2, t3
        sw   t0, 0(t2)              # the frame number
        sw   a1, 4(t2)              # its role
        count stat_traces, t2, t3
        # fall through

# trace_revoke(a0 = guest-physical frame): make every shadow entry that maps it read-only. The
# shadow's entries are all in its fill log (shadow.s), so the log is the list to scan.
# Clobbers t0-t3, a0-a3.
trace_revoke:
        li   a3, ~0xfff
        and  a0, a0, a3
        li   t0, GUEST_BASE
        add  a0, a0, t0             # a0 = the frame, host-physical
        la   t0, shadow_log_len
        lw   t1, 0(t0)
        slli t1, t1, 2
        li   t0, SHADOW_LOG
        add  t1, t1, t0             # t1 = the log's end
        li   a1, 0                  # a1 = entries revoked
.scan:  bgeu t0, t1, .done
        lw   t2, 0(t0)              # the address of a shadow word
        lw   t3, 0(t2)
        andi a2, t3, PTE_PRESENT | PTE_WRITABLE
        xori a2, a2, PTE_PRESENT | PTE_WRITABLE
        bnez a2, .next              # not a writable entry (directory entries never are)
        and  a2, t3, a3
        bne  a2, a0, .next
        xori t3, t3, PTE_WRITABLE
        sw   t3, 0(t2)
        addi a1, a1, 1
.next:  addi t0, t0, 4
        j    .scan
.done:  beqz a1, .out
        shadow_flush_all            # the real TLB may hold the writable entries
.out:   ret

# trace_clear: the shadow is empty (shadow_reset): untrace every frame. Clobbers t0-t3.
trace_clear:
        la   t0, trace_last_dir     # 1: no frame address (the fast path of trace_walk)
        li   t1, 1
        sw   t1, 0(t0)
        la   t0, trace_len
        lw   t1, 0(t0)
        sw   zero, 0(t0)
        la   t2, trace_list
        slli t1, t1, 3
        add  t1, t1, t2             # t1 = the list's end
.loop:  bgeu t2, t1, .out
        lw   t3, 0(t2)
        li   t0, TRACE_MAP
        add  t3, t3, t0
        sb   zero, 0(t3)
        addi t2, t2, 8
        j    .loop
.out:   ret

# trace_shadow_pte(a1 = a shadow PTE being installed, s2 = access: 0 read, 1 write, 2 execute),
# called by shadow_fault: a traced frame is mapped read-only; a store to it (the guest's PTE
# allows it, or shadow_fault would not get here) is one the VMM must do itself, and it says so
# in trace_store (the VMM's page_fault does it, then calls trace_written). Clobbers t0, t1.
trace_shadow_pte:
        srli t0, a1, 12
        li   t1, (GUEST_BASE >> 12) - TRACE_MAP
        sub  t0, t0, t1
        lbu  t0, 0(t0)
        beqz t0, .ret
        li   t0, ~PTE_WRITABLE
        and  a1, a1, t0
        li   t0, 1
        bne  s2, t0, .ret
        la   t1, trace_store
        sw   t0, 0(t1)
.ret:   ret

# trace_written(a0 = guest-physical address the VMM just stored to) -> a0 = 1 if its frame is
# traced (and the shadow now agrees with it), else 0. Clobbers t0-t3, a1-a3.
trace_written:
        srli t0, a0, 12
        li   t1, TRACE_MAP
        add  t1, t1, t0
        lbu  t1, 0(t1)
        bnez t1, .traced
        li   a0, 0
        ret
.traced:
        push ra
        slli t1, t1, 3
        la   t2, trace_list - 4
        add  t1, t1, t2
        lw   t1, 0(t1)              # its role
        li   t2, TRACE_DIR
        bltu t1, t2, .table
        call shadow_reset           # the directory, or several roles: start over
        j    .yes
.table: addi t1, t1, -1
        slli a2, t1, 22             # a2 = the virtual address the written entry maps:
        srli t2, a0, 2              # the table's slot, the entry's index
        andi t2, t2, 1023
        slli t2, t2, 12
        or   a2, a2, t2
        srli t0, a2, 22             # the shadow's entry for it, if it has one
        slli t0, t0, 2
        li   t1, SHADOW_PGDIR
        add  t0, t0, t1
        lw   t1, 0(t0)
        andi t2, t1, PTE_PRESENT
        beqz t2, .yes
        li   t2, ~0xfff
        and  t1, t1, t2
        li   t2, VMM_BASE
        add  t1, t1, t2
        srli t2, a2, 10
        andi t2, t2, 0xffc
        add  a3, t1, t2             # a3 = the shadow entry
        lw   t1, 0(a3)
        andi t1, t1, PTE_PRESENT
        beqz t1, .yes               # none: the next access fills it, from the new entry
        push s1
        push s2
        push a3
        mv   s1, a2
        li   t0, ~3
        and  a0, a0, t0
        call read_guest_word        # the guest's new entry
        li   a1, 0
        andi t0, a0, PTE_PRESENT
        beqz t0, .put               # not present: neither is the shadow's
        shadow_pte_of .none         # (a frame beyond memory: none either; the access faults)
        li   s2, 0                  # as a fill for a read would make it: rights as the guest's,
        .ifdef TRANSLATED           # but read-only where the VMM needs it so
        call bt_shadow_pte
        .endif
        call trace_shadow_pte
        j    .put
.none:  li   a1, 0
.put:   pop  a3
        sw   a1, 0(a3)              # (the word is in the fill log already)
        shadow_flush_page s1
        count stat_trace_updates, t0, t1
        pop  s2
        pop  s1
.yes:   li   a0, 1
        pop  ra
        ret

# trace_dma_linear(a0 = guest-physical address, a1 = blocks): dma_run for a VMM whose guest
# memory is one piece (dma_linear, disk.s) and whose shadow is traced. The disk writes guest
# memory behind the MMU, so a transfer over a traced frame would change a page table without a
# fault: drop the shadow first, which untraces everything. (A guest that walks a frame as a page
# table while a read into it is in flight races with the disk on bare metal too.) Clobbers t0-t3.
trace_dma_linear:
        la   t0, trace_len
        lw   t0, 0(t0)
        beqz t0, dma_linear         # nothing traced
        srli t0, a0, 12
        li   t1, TRACE_MAP
        add  t0, t0, t1             # the first block's byte in the map (a block is a frame)
        add  t1, t0, a1             # the end
.scan:  bgeu t0, t1, dma_linear
        lbu  t2, 0(t0)
        bnez t2, .reset
        addi t0, t0, 1
        j    .scan
.reset: shadow_reset_keeping_args
        j    dma_linear
