# shadow.s (pv): shadow page tables that the guest's own reports keep complete.
#
# The real MMU walks shadow tables, never the guest's: a guest PTE holds a guest-physical frame
# and gives its kernel ring 0, and the shadow must say host-physical and ring 1. Unlike te's
# shadow (../common/shadow.s), which starts empty and is filled one hidden fault at a time and
# emptied at every PTBR write, this one is built whole and kept:
#
#   - one shadow table per guest page table, and one shadow directory per guest directory,
#     found through the shadow table map (PV_P2S: one word per guest frame, the host-physical
#     frame of its shadow | P2S_TABLE or P2S_DIRECTORY, or 0). The guest kernel's own tables
#     appear in every directory and have one shadow, shared by all of them; switching address
#     spaces is loading another shadow directory, and nothing is thrown away;
#   - a shadow is built when the guest first uses a table: a directory when it becomes the
#     address space (MMU_NEW_BASEPTR), a table when a directory the VMM shadows points at it.
#     Building reads all 1024 guest entries and checks each (the frame must be guest memory);
#   - afterwards the guest reports every entry it stores into a table (MMU_PT_WRITE), and the
#     VMM re-reads that entry and rewrites the shadow's; MMU_RELEASE hands a table's shadow
#     back before the guest frees the frame. A guest that stores without reporting, or frees
#     without releasing, only confuses its own translations: every shadow entry the VMM writes
#     maps guest memory, and nothing else, whatever the guest does.
#
# Shadow tables come from a pool (PV_POOL_PHYS..PV_POOL_END). When it runs dry, everything is
# dropped and only what the guest uses right now is built again (shadow_reset); if even that
# does not fit, the VMM powers off with VMM_EXIT_NOMEM.

        .equ P2S_TABLE, 1
        .equ P2S_DIRECTORY, 2

# shadow_init: an empty pool and map, and the shadow of paging off in the real PTBR.
shadow_init:
        li   t0, PV_POOL_PHYS
        la   t1, pool_next
        sw   t0, 0(t1)
        j    shadow_activate

# shadow_activate: point the real PTBR at the shadow of what the guest uses now: its directory
# (built if needed) or, with its paging off, the identity map of guest memory. Clobbers a0-a3,
# t0-t3.
shadow_activate:
        push ra
        la   t0, guest_ptbr
        lw   a0, 0(t0)
        andi t1, a0, PTBR_ENABLE
        beqz t1, .off
        srli a0, a0, 12
        slli a0, a0, 12
        call shadow_directory
        j    .check
.off:   call shadow_identity
.check: la   t0, pool_failed        # a table of it did not fit (this follows a reset:
        lw   t0, 0(t0)              # one address space needs more than the whole pool)
        bnez t0, vmm_nomem
.load:  la   t0, cur_shadow
        sw   a0, 0(t0)
        ori  a0, a0, PTBR_ENABLE
        csrw PTBR, a0               # also flushes the real TLB
        pop  ra
        ret

# shadow_identity -> a0 = SHADOW_PGDIR_PHYS, whose tables map guest-virtual = guest-physical for
# every ring, as bare metal does with paging off; built on first use. Clobbers a0-a3, t0-t3.
shadow_identity:
        push ra
        la   t0, ident_tables
        lw   t0, 0(t0)
        bnez t0, .done
        li   a2, 0                  # a2 = guest-physical address
        li   a3, SHADOW_PGDIR       # a3 = next directory slot
.table: la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a2, t0, .done
        call shadow_alloc
        beqz a0, vmm_nomem
        ori  t0, a0, PTE_PRESENT
        sw   t0, 0(a3)
        addi a3, a3, 4
        la   t0, ident_tables
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        li   t0, VMM_BASE
        add  a0, a0, t0             # the table, seen in the VMM's region
        li   t0, PAGE_SIZE
        add  a1, a0, t0             # its end
        la   t0, guest_size
        lw   t1, 0(t0)              # t1 = guest size
        li   t2, GUEST_BASE | PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE | PTE_RING3
        add  t2, t2, a2             # t2 = next entry
        li   t3, PAGE_SIZE
.entry: bltu a2, t1, .map
        li   t2, 0                  # beyond guest memory: not mapped
.map:   sw   t2, 0(a0)
        add  t2, t2, t3
        add  a2, a2, t3
        addi a0, a0, 4
        bltu a0, a1, .entry
        j    .table
.done:  li   a0, SHADOW_PGDIR_PHYS
        pop  ra
        ret

# shadow_alloc -> a0 = host-physical address of a pool frame, or 0 (and pool_failed = 1) when
# the pool is empty. Its contents are whatever it held: building writes every entry.
# Clobbers t0, t1.
shadow_alloc:
        la   t0, pool_free
        lw   a0, 0(t0)
        beqz a0, .fresh
        li   t1, VMM_BASE
        add  t1, t1, a0
        lw   t1, 0(t1)              # unlink it from the frames handed back
        sw   t1, 0(t0)
        ret
.fresh: la   t0, pool_next
        lw   a0, 0(t0)
        li   t1, PV_POOL_END
        bgeu a0, t1, .none
        li   t1, PAGE_SIZE
        add  t1, a0, t1
        sw   t1, 0(t0)
        ret
.none:  la   t0, pool_failed
        li   t1, 1
        sw   t1, 0(t0)
        li   a0, 0
        ret

# p2s_entry(a0 = guest-physical address) -> t0 = the address of its frame's word in the shadow
# table map, t1 = that word. Expects a0 < guest_size.
.macro p2s_entry
        srli t0, a0, 12
        slli t0, t0, 2
        li   t1, PV_P2S
        add  t0, t0, t1
        lw   t1, 0(t0)
.endm

# shadow_table(a0 = guest-physical page table, in guest memory) -> a0 = host-physical shadow
# table, or 0 (the pool is empty, or the frame is shadowed as a directory). Builds it on first
# use by translating every entry. Clobbers a0-a3, t0-t3.
shadow_table:
        p2s_entry
        beqz t1, .build
        andi t2, t1, P2S_TABLE
        beqz t2, .refuse            # the guest uses one frame as both: refused
        srli a0, t1, 12
        slli a0, a0, 12
        ret
.refuse:
        count stat_mmu_rejected, t0, t1
        li   a0, 0
        ret
.build: push ra
        push s1
        mv   s1, t0                 # s1 = its word in the map
        push a0
        call shadow_alloc
        pop  a1                     # a1 = the guest table
        beqz a0, .out
        ori  t0, a0, P2S_TABLE
        sw   t0, 0(s1)
        mv   s1, a0                 # s1 = the shadow table
        mv   a0, a1
        call map_guest              # a0 = the guest table, through a window
        li   t0, VMM_BASE
        add  a1, s1, t0             # a1 = the shadow table, in the VMM's region
        call translate_table
        count stat_tables_built, t0, t1
        mv   a0, s1
.out:   pop  s1
        pop  ra
        ret

# translate_table(a0 = guest table, a1 = shadow table, both VMM addresses): every entry. The
# loop body is pte_shadow below, inline. Clobbers a0-a3, t0-t3.
translate_table:
        la   t0, guest_size
        lw   a3, 0(t0)              # a3 = guest size
        li   t3, GUEST_BASE
        li   a2, PAGE_SIZE
        add  a2, a0, a2             # a2 = end of the guest table: 0 for the last window slot
.entry: lw   t0, 0(a0)
        andi t1, t0, PTE_PRESENT
        bnez t1, .present
        sw   zero, 0(a1)
.next:  addi a0, a0, 4
        addi a1, a1, 4
        bne  a0, a2, .entry         # not bltu: the end of the last window wraps to 0
        ret
.present:
        bgeu t0, a3, .refused       # its frame lies beyond guest memory
        andi t1, t0, PTE_RING3
        bnez t1, .ring
        ori  t0, t0, PTE_RING1      # guest ring 0 (its kernel) runs in ring 1
.ring:  add  t0, t0, t3             # guest-physical frame -> host-physical
        sw   t0, 0(a1)
        j    .next
.refused:
        sw   zero, 0(a1)
        count stat_mmu_rejected, t0, t1
        j    .next

# pte_shadow(a0 = a guest page-table entry) -> a0 = its shadow entry: the frame moved to host
# memory, ring 0 made ring 1, not present if it was not or its frame is not guest memory.
# Clobbers t0, t1.
pte_shadow:
        andi t0, a0, PTE_PRESENT
        beqz t0, .none
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .refused       # (the frame is beyond guest memory iff the entry is)
        andi t0, a0, PTE_RING3
        bnez t0, .ring
        ori  a0, a0, PTE_RING1
.ring:  li   t0, GUEST_BASE
        add  a0, a0, t0
        ret
.refused:
        count stat_mmu_rejected, t0, t1
.none:  li   a0, 0
        ret

# pde_shadow(a0 = a guest directory entry) -> a0 = its shadow entry: the shadow of the table
# it points at (built if needed), or 0. Clobbers a0-a3, t0-t3.
pde_shadow:
        andi t0, a0, PTE_PRESENT
        beqz t0, .none
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .refused
        srli a0, a0, 12
        slli a0, a0, 12
        push ra
        call shadow_table
        pop  ra
        beqz a0, .none
        ori  a0, a0, PTE_PRESENT
        ret
.refused:
        count stat_mmu_rejected, t0, t1
.none:  li   a0, 0
        ret

# shadow_directory(a0 = guest-physical page directory, in guest memory) -> a0 = host-physical
# shadow directory, or 0 (pool empty, or the frame is shadowed as a table). Built on first use,
# with the shadows of the tables it points at; slot 1023 is always the VMM's.
# Clobbers a0-a3, t0-t3.
shadow_directory:
        p2s_entry
        beqz t1, .build
        andi t2, t1, P2S_DIRECTORY
        beqz t2, .refuse
        srli a0, t1, 12
        slli a0, a0, 12
        ret
.refuse:
        count stat_mmu_rejected, t0, t1
        li   a0, 0
        ret
.build: push ra
        push s1
        push s2
        push s3
        mv   s1, t0                 # its word in the map, for now
        push a0
        call shadow_alloc
        pop  a1
        beqz a0, .out
        ori  t0, a0, P2S_DIRECTORY
        sw   t0, 0(s1)
        li   t0, VMM_BASE
        add  s2, a0, t0             # s2 = the shadow directory, in the VMM's region
        mv   s1, a1                 # s1 = the guest directory (guest-physical)
        li   s3, 0                  # s3 = offset of the slot
        mv   a0, s1
        call map_guest
        mv   a2, a0                 # a2 = the guest directory, through a window
.slot:  add  t0, a2, s3
        lw   a0, 0(t0)
        andi t1, a0, PTE_PRESENT
        bnez t1, .present
        add  t0, s2, s3
        sw   zero, 0(t0)
.next:  addi s3, s3, 4
        li   t0, VMM_PDE_SLOT * 4
        bltu s3, t0, .slot
        li   t0, VMM_PT_PHYS | PTE_PRESENT  # the VMM's slot, whatever the guest has there
        add  t1, s2, s3
        sw   t0, 0(t1)
        count stat_tables_built, t0, t1
        li   t0, VMM_BASE
        sub  a0, s2, t0
        j    .out
.present:
        call pde_shadow             # may build a table, through other windows
        add  t0, s2, s3
        sw   a0, 0(t0)
        mv   a0, s1
        call map_guest              # the directory's window again
        mv   a2, a0
        j    .next
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# mmu_apply: carry out the requests queued in the shared page, in order, and empty the queue.
# Expects s0 = the vCPU; preserves s0-s3.
mmu_apply:
        push ra
        push s1
        push s2
        lw   t0, SH_MMU_COUNT(s0)
        sw   zero, SH_MMU_COUNT(s0)
        li   t1, PV_MMU_MAX         # the count is the guest's word: never beyond the queue
        bleu t0, t1, .count
        mv   t0, t1
.count: addi s1, s0, SH_MMU_QUEUE   # s1 = next request
        slli t0, t0, 2
        add  s2, s1, t0             # s2 = end
.req:   bgeu s1, s2, .done
        lw   a0, 0(s1)
        addi s1, s1, 4
        andi t0, a0, MMU_CMD_MASK
        sub  a0, a0, t0             # the address
        slli t0, t0, 2
        count_entry stat_mmu, t0, t1, t2
        la   t1, request_table
        add  t0, t0, t1
        lw   t0, 0(t0)
        jalr ra, t0, 0
        j    .req
.done:  la   t0, pool_failed        # the pool ran dry on the way: start over from what the
        lw   t0, 0(t0)              # guest uses now (its tables are all in its memory)
        beqz t0, .out
        call shadow_reset
.out:   pop  s2
        pop  s1
        pop  ra
        ret

request_table:
        .word req_pt_write, req_invlpg, req_new_baseptr, req_release
        .if MMU_PT_WRITE != 0 || MMU_INVLPG != 1 || MMU_NEW_BASEPTR != 2 || MMU_RELEASE != 3
        .error "request_table expects the MMU_* commands 0..3 in this order"
        .endif

# req_pt_write(a0 = guest-physical address of an entry): if its frame is a table or directory
# the VMM shadows, read the entry again and rewrite the shadow's. Clobbers a0-a3, t0-t3.
req_pt_write:
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .reject
        p2s_entry                   # t1 = the shadow of the entry's frame, if it has one
        beqz t1, .ret               # not a table the VMM knows: read when first used
        push ra
        push s1
        push s2
        andi s2, t1, P2S_DIRECTORY  # s2 = 0 for a table, else a directory
        srli t1, t1, 12
        slli t1, t1, 12
        li   t0, VMM_BASE
        add  t1, t1, t0
        andi t0, a0, 0xffc
        add  s1, t1, t0             # s1 = the shadow's entry, in the VMM's region
        call read_guest_word        # a0 = the guest's entry (a0 < guest_size, so a1 = 0)
        bnez s2, .dir
        call pte_shadow
        j    .store
.dir:   andi t0, s1, 0xfff
        li   t1, VMM_PDE_SLOT * 4
        beq  t0, t1, .skip          # the VMM's slot stays the VMM's
        call pde_shadow
.store: sw   a0, 0(s1)
.skip:  pop  s2
        pop  s1
        pop  ra
.ret:   ret
.reject:
        count stat_mmu_rejected, t0, t1
        ret

# req_invlpg(a0 = guest-virtual address): the shadow already says what the guest's tables say;
# the real TLB may still hold the old translation, as it would on bare metal.
req_invlpg:
        tlbflush a0
        ret

# req_new_baseptr(a0 = guest-physical page directory): the guest's address space from now on.
req_new_baseptr:
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .reject
        push ra
        push a0
        call shadow_directory
        pop  a1
        beqz a0, .failed
        ori  t0, a1, PTBR_ENABLE
        la   t1, guest_ptbr
        sw   t0, 0(t1)
        sw   t0, V_PTBR(s0)         # the guest's copy (informational)
        la   t1, cur_shadow
        sw   a0, 0(t1)
        ori  a0, a0, PTBR_ENABLE
        csrw PTBR, a0               # flushes the real TLB, as the guest's PTBR write would
        pop  ra
        ret
.failed:
        la   t0, pool_failed        # the pool ran dry: the reset after this batch builds it
        lw   t0, 0(t0)
        beqz t0, .refused
        ori  t0, a1, PTBR_ENABLE
        la   t1, guest_ptbr
        sw   t0, 0(t1)
        sw   t0, V_PTBR(s0)
        pop  ra
        ret
.refused:
        pop  ra
.reject:
        count stat_mmu_rejected, t0, t1
        ret

# req_release(a0 = guest-physical frame): the guest is about to free a table or directory; its
# shadow goes back to the pool. The directory in the real PTBR is never released.
req_release:
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .reject
        p2s_entry
        beqz t1, .ret
        srli t1, t1, 12
        slli t1, t1, 12             # t1 = the shadow
        la   t2, cur_shadow
        lw   t2, 0(t2)
        beq  t1, t2, .reject
        sw   zero, 0(t0)
        li   t0, VMM_BASE
        add  t0, t0, t1
        la   t2, pool_free          # push it on the frames handed back
        lw   t3, 0(t2)
        sw   t3, 0(t0)
        sw   t1, 0(t2)
.ret:   ret
.reject:
        count stat_mmu_rejected, t0, t1
        ret

# shadow_reset: drop every shadow (the pool ran dry), then build again what the guest uses now.
# Meanwhile the real PTBR holds the boot directory, which has the VMM's slot and nothing else.
# Clobbers a0-a3, t0-t3.
shadow_reset:
        push ra
        li   t0, SHADOW_PGDIR
        li   t1, VMM_PDE_SLOT * 4
        add  t1, t1, t0
.pde:   sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .pde
        li   t0, SHADOW_PGDIR_PHYS | PTBR_ENABLE
        csrw PTBR, t0
        la   t0, ident_tables
        sw   zero, 0(t0)
        la   t0, guest_size
        lw   t1, 0(t0)
        srli t1, t1, 10             # 4 bytes per guest frame
        li   t0, PV_P2S
        add  t1, t1, t0
.p2s:   bgeu t0, t1, .pool
        sw   zero, 0(t0)
        addi t0, t0, 4
        j    .p2s
.pool:  li   t0, PV_POOL_PHYS
        la   t1, pool_next
        sw   t0, 0(t1)
        la   t1, pool_free
        sw   zero, 0(t1)
        la   t1, pool_failed
        sw   zero, 0(t1)
        count stat_shadow_resets, t0, t1
        call shadow_activate
        pop  ra
        ret

# shadow_invalidate(a0 = guest-virtual address): what a guest `tlbflush` needs here: the shadow
# is never stale, only the real TLB can be. (../common/emulate.s names it; pv never emulates.)
shadow_invalidate:
        tlbflush a0
        ret

# vmm_nomem: one address space of the guest needs more shadow tables than the pool has.
vmm_nomem:
        la   a0, msg_nomem
        call puts
        li   t0, VMM_EXIT_NOMEM
        out  POWER_OFF, t0
        halt

msg_nomem: .asciz "vmm: out of shadow page tables (one guest address space needs more than the pool holds)\n"
        .align 4
