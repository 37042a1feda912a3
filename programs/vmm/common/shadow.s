# shadow.s: shadow page tables, shared by the te VMM and the vtx VMM with shadow paging. The
# real MMU walks the shadow page directory, never the guest's. The shadow starts empty and is
# filled lazily: a real page fault that the guest's own tables would not have raised is a
# "hidden" fault, fixed here by copying the guest's translation into the shadow, with the
# guest-physical frame moved to its host-physical place (and, under te, guest ring-0 pages made
# ring 1, where the guest kernel runs; user code in ring 3 still cannot reach them). The guest
# must flush after changing a present PTE, as on the real machine (tlbflush, tlbflushall, or a
# PTBR write), and the VMM relies on exactly that: a flush drops the matching shadow entries.
#
# While the guest runs with paging off, the shadow maps guest-virtual = guest-physical for
# every ring (bare metal has no protection then either).
#
# Every entry written is recorded in a log, so a reset clears just those entries instead of
# whole tables: a reset (on each guest PTBR write) costs what the guest touched since.
#
# A VMM that defines SHADOW_TRACING (bt) follows the guest's page tables instead of its flushes:
# the hooks below trace the frames each fill walks and keep traced frames read-only (trace.s).
#
# The including VMM defines, before including this file:
#   V_GUEST_PTBR             offset (from s0) of the guest's own PTBR value
#   SHADOW_KERNEL_RING       the PTE ring bits that guest ring-0 pages get in the shadow
#   SHADOW_KEEPS_VMM_SLOT    1 if slot 1023 of the shadow is the VMM's (te), else 0
#   macros shadow_flush_all and shadow_flush_page REG: drop real TLB entries of the shadow
# and in its data: stat_hidden_faults, stat_true_faults, stat_shadow_resets, shadow_pool_next,
# shadow_log_len, guest_size.

# shadow_reset_keeping_args: shadow_reset, for a caller that goes on with its ra, a0 and a1.
.macro shadow_reset_keeping_args
        push ra
        push a0
        push a1
        call shadow_reset
        pop  a1
        pop  a0
        pop  ra
.endm

# shadow_pte_of BUS: a1 = the shadow PTE for the guest's PTE a0 (present): its frame moved to
# its host-physical place, its P, W and X kept, guest ring 0 made SHADOW_KERNEL_RING. A frame
# beyond guest memory jumps to BUS instead, with t3 = that guest-physical frame. Clobbers t0,
# t1, t3.
.macro shadow_pte_of bus
        li   t0, ~0xfff
        and  t3, a0, t0             # t3 = guest-physical frame
        la   t1, guest_size
        lw   t1, 0(t1)
        bgeu t3, t1, \bus           # beyond guest memory: a bus error on bare metal too
        li   t0, GUEST_BASE
        add  t3, t3, t0             # host-physical frame
        andi t1, a0, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE
        or   t3, t3, t1
        andi t1, a0, PTE_RING3      # (both ring bits)
        bnez t1, .ring\@
        li   t1, SHADOW_KERNEL_RING # guest ring 0
.ring\@: or   a1, t3, t1
.endm

# shadow_fault(a0 = guest-virtual address, a1 = access: 0 read, 1 write, 2 execute) -> a0 = 0
# when it was a hidden fault, now fixed (retry the instruction); or a0 = the trap cause and
# a1 = the fault address the guest must see (a true fault: deliver it to the guest kernel).
# Expects s0 = the vCPU (or VMCS); preserves s0-s3.
shadow_fault:
        push ra
        push s1
        push s2
        mv   s1, a0                 # s1 = guest-virtual address
        mv   s2, a1                 # s2 = access
        call guest_translate
        beqz a0, .guest_fault
        lw   t0, V_STATUS(s0)       # does the guest's PTE allow this access from the
        andi t0, t0, STATUS_RING_MASK   # guest's (virtual) ring?
        srli t1, a0, PTE_RING_SHIFT
        andi t1, t1, 3
        bgtu t0, t1, .true
        li   t2, 1
        bne  s2, t2, .notwrite
        andi t2, a0, PTE_WRITABLE
        beqz t2, .true
.notwrite:
        li   t2, 2
        bne  s2, t2, .allowed
        andi t2, a0, PTE_EXECUTABLE
        beqz t2, .true
.allowed:
        shadow_pte_of .bus
        .ifdef TRANSLATED
        call bt_shadow_pte          # bt: translated kernel code stays read-only (translate.s)
        .endif
        .ifdef SHADOW_TRACING
        call trace_shadow_pte       # a traced page table stays read-only (trace.s)
        .endif
        mv   a0, s1
        call shadow_set
        .ifdef SHADOW_TRACING
        call trace_walk             # trace the directory and table it came from (trace.s)
        .endif
        count stat_hidden_faults, t0, t1
        li   a0, 0
        j    .out
.true:  addi a0, s2, CAUSE_PAGE_FAULT_READ
        mv   a1, s1
        j    .count
.bus:   andi t0, s1, 0xfff
        or   a1, t3, t0             # the guest-physical address, as bare metal reports it
        li   a0, CAUSE_BUS_ERROR
        j    .out
.guest_fault:
        mv   a0, a1
        mv   a1, a2
        li   t0, CAUSE_BUS_ERROR
        beq  a0, t0, .out
.count: count stat_true_faults, t0, t1
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# guest_translate(a0 = guest-virtual address; s2 = access) -> a0 = the guest's PTE for it
# (frame and flags), or a0 = 0 with a1 = the trap cause and a2 = the fault address bare metal
# would report: a page fault when an entry is not present, a bus error when a page table
# lies beyond guest memory. The VMM's region is never the guest's, whatever its tables say.
guest_translate:
        lw   t0, V_GUEST_PTBR(s0)
        andi t1, t0, PTBR_ENABLE
        bnez t1, .paged
        li   t1, ~0xfff             # paging off: an identity translation, open to every ring
        and  a0, a0, t1
        ori  a0, a0, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE | PTE_RING3
        ret
.paged: push ra
        push s3
        mv   s3, a0                 # s3 = guest-virtual address
        .if SHADOW_KEEPS_VMM_SLOT
        li   t1, VMM_BASE           # the VMM's slot is never the guest's (te)
        bgeu a0, t1, .notpresent
        .endif
        li   t1, ~0xfff
        and  t0, t0, t1             # the guest's page directory (guest-physical)
        .ifdef SHADOW_TRACING
        la   t1, trace_walk_dir     # what the walk went through, for trace_walk
        sw   t0, 0(t1)
        .endif
        srli t1, s3, 22
        slli t1, t1, 2
        add  a0, t0, t1
        call read_guest_word        # its directory entry
        bnez a1, .bus
        andi t1, a0, PTE_PRESENT
        beqz t1, .notpresent
        li   t1, ~0xfff
        and  t0, a0, t1             # the page table
        .ifdef SHADOW_TRACING
        la   t1, trace_walk_table
        sw   t0, 0(t1)
        .endif
        srli t1, s3, 10
        andi t1, t1, 0xffc
        add  a0, t0, t1
        call read_guest_word        # the page-table entry
        bnez a1, .bus
        andi t1, a0, PTE_PRESENT
        beqz t1, .notpresent
        j    .out
.bus:   mv   a2, a0                 # the table address beyond memory
        li   a1, CAUSE_BUS_ERROR
        li   a0, 0
        j    .out
.notpresent:
        addi a1, s2, CAUSE_PAGE_FAULT_READ
        mv   a2, s3
        li   a0, 0
.out:   pop  s3
        pop  ra
        ret

# log_entry reg: remember that the shadow word at address reg was written. Clobbers t2, t3.
.macro log_entry reg
        la   t2, shadow_log_len
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
        slli t3, t3, 2
        li   t2, SHADOW_LOG - 4
        add  t2, t2, t3
        sw   \reg, 0(t2)
.endm

# shadow_set(a0 = guest-virtual address, a1 = shadow PTE): install one shadow translation,
# taking a page table from the pool when the slot has none. When the pool or the log is
# full, everything is reset first (the guest refaults what it still uses).
shadow_set:
        .if SHADOW_KEEPS_VMM_SLOT
        li   t0, VMM_BASE
        bgeu a0, t0, vmm_panic      # never the VMM's own slot
        .endif
        la   t0, shadow_pool_next
        lw   t1, 0(t0)
        li   t2, SHADOW_POOL_PAGES
        bgeu t1, t2, .full
        la   t0, shadow_log_len
        lw   t1, 0(t0)
        li   t2, SHADOW_LOG_MAX - 2
        bltu t1, t2, .room
.full:  shadow_reset_keeping_args
.room:  srli t0, a0, 22
        slli t0, t0, 2
        li   t1, SHADOW_PGDIR
        add  t0, t0, t1             # t0 = the shadow directory entry
        lw   t1, 0(t0)
        andi t2, t1, PTE_PRESENT
        bnez t2, .table
        la   t2, shadow_pool_next   # a fresh table (pool tables are all zero)
        lw   t1, 0(t2)
        addi t3, t1, 1
        sw   t3, 0(t2)
        slli t1, t1, 12
        li   t2, SHADOW_POOL_PHYS | PTE_PRESENT
        add  t1, t1, t2
        sw   t1, 0(t0)
        log_entry t0
.table: li   t2, ~0xfff
        and  t1, t1, t2
        li   t2, VMM_BASE           # the table's host-physical address, seen in the VMM region
        add  t1, t1, t2
        srli t2, a0, 10
        andi t2, t2, 0xffc          # ((va >> 12) & 0x3ff) * 4
        add  t1, t1, t2
        sw   a1, 0(t1)
        log_entry t1
        ret

# shadow_reset: drop every shadow translation (the guest wrote PTBR, flushed its whole TLB,
# or the pool ran out): clear each logged word, return the tables to the pool, and flush the
# real TLB of the shadow's translations.
shadow_reset:
        la   t0, shadow_log_len
        lw   t1, 0(t0)
        sw   zero, 0(t0)
        slli t1, t1, 2
        li   t2, SHADOW_LOG
        add  t1, t1, t2             # end of the log
.clear: bgeu t2, t1, .done
        lw   t3, 0(t2)
        sw   zero, 0(t3)
        addi t2, t2, 4
        j    .clear
.done:  la   t0, shadow_pool_next
        sw   zero, 0(t0)
        shadow_flush_all
        count stat_shadow_resets, t0, t1
        .ifdef SHADOW_TRACING
        j    trace_clear            # nothing is built from the guest's tables any more (trace.s)
        .else
        ret
        .endif

# shadow_invalidate(a0 = guest-virtual address): the guest flushed one page: forget its
# shadow entry, and flush it from the real TLB.
shadow_invalidate:
        .if SHADOW_KEEPS_VMM_SLOT
        li   t0, VMM_BASE
        bgeu a0, t0, .flush
        .endif
        srli t0, a0, 22
        slli t0, t0, 2
        li   t1, SHADOW_PGDIR
        add  t0, t0, t1
        lw   t1, 0(t0)
        andi t2, t1, PTE_PRESENT
        beqz t2, .flush
        li   t2, ~0xfff
        and  t1, t1, t2
        li   t2, VMM_BASE
        add  t1, t1, t2
        srli t2, a0, 10
        andi t2, t2, 0xffc
        add  t1, t1, t2
        sw   zero, 0(t1)
.flush: shadow_flush_page a0
        ret
