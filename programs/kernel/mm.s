# mm.s: physical frames and page tables. The kernel reaches every physical address through
# its identity map, so a page table's physical address is also the address it writes to.
#
# Every frame of the pool has a reference count (one byte in frame_refs): alloc_frame gives a
# frame with count 1 and free_frame drops one reference, returning the frame to the pool at 0.
# fork shares a parent's user pages with the child instead of copying them (copy-on-write):
# both page tables map the same frame read-only with PTE_COW set and the frame's count goes up;
# the first write to it by either process faults, and cow_break gives the writer its own copy
# (or, when it holds the last reference, just makes the page writable again).

# mm_init: frame pool from the boot arguments; the kernel page directory maps physical memory
# 0x1000 .. mem_end to itself, ring 0 only (page 0 stays unmapped to catch null pointers).
mm_init:
        push ra
        push s0
        push s1
        li   t0, BOOTARGS
        lw   t1, BA_FREE(t0)
        la   t2, free_next
        sw   t1, 0(t2)
        lw   t1, BA_MEMSIZE(t0)
        li   t3, KERNEL_MAP_MAX
        bleu t1, t3, .size
        mv   t1, t3
.size:  la   t2, mem_end
        sw   t1, 0(t2)
        la   t2, free_next          # the reference counts, one byte per frame of the pool, take
        lw   t0, 0(t2)              # the pool's first frames (these are never freed)
        la   t3, frame_base
        sw   t0, 0(t3)
        la   t3, frame_refs
        sw   t0, 0(t3)
        sub  t1, t1, t0
        srli t1, t1, 12             # frames in the pool = bytes of counts
        add  t3, t0, t1             # then as many bytes naming the control group each frame is
        la   s0, frame_owner        # charged to (cgroup.s: 0 for none)
        sw   t3, 0(s0)
        add  t3, t3, t1
        la   s0, frame_owner_end
        sw   t3, 0(s0)
        add  t1, t1, t1
        li   t3, PAGE_SIZE - 1
        add  t1, t1, t3
        li   t3, ~0xfff
        and  t1, t1, t3
        add  t0, t0, t1
        sw   t0, 0(t2)              # the counts' frames are zero: memory starts zeroed
        call alloc_frame
        la   t0, kernel_pgdir
        sw   a0, 0(t0)
        li   s0, 0                  # s0 = physical address the next page table starts at
.table: la   t0, mem_end            # one page table per 4 MiB, filled in a tight loop
        lw   t0, 0(t0)
        bgeu s0, t0, .done
        call alloc_frame
        beqz a0, .done
        la   t0, kernel_pgdir       # directory entry for this 4 MiB
        lw   t0, 0(t0)
        srli t1, s0, 20             # (s0 >> 22) * 4
        add  t0, t0, t1
        ori  t1, a0, PTE_PRESENT
        sw   t1, 0(t0)
        la   t2, mem_end
        lw   t2, 0(t2)
        li   t3, PAGE_SIZE
        add  s1, a0, t3             # s1 = end of the table
        ori  t1, s0, KERNEL_PTE     # t1 = next entry
.entry: bgeu s0, t2, .skip          # beyond memory: leave the entry empty
        beqz s0, .skip              # page 0 stays unmapped
        sw   t1, 0(a0)
.skip:  add  t1, t1, t3
        add  s0, s0, t3
        addi a0, a0, 4
        bltu a0, s1, .entry
        j    .table
.done:  pop  s1
        pop  s0
        pop  ra
        ret

# frame_ref_address(a0 = frame) -> t0 = address of its reference count. Clobbers t1.
.macro frame_ref_address
        la   t0, frame_base
        lw   t0, 0(t0)
        sub  t0, a0, t0
        srli t0, t0, 12
        la   t1, frame_refs
        lw   t1, 0(t1)
        add  t0, t0, t1
.endm

# frame_owner_address(a0 = frame) -> t0 = address of the byte naming the group it is charged to.
# Clobbers t1.
.macro frame_owner_address
        la   t0, frame_base
        lw   t0, 0(t0)
        sub  t0, a0, t0
        srli t0, t0, 12
        la   t1, frame_owner
        lw   t1, 0(t1)
        add  t0, t0, t1
.endm

# alloc_frame() -> a0 = physical address of a zeroed frame with one reference, or 0 when memory
# is exhausted.
alloc_frame:
        push ra
        call alloc_frame_raw
        beqz a0, .out
        frame_ref_address
        li   t1, 1
        sb   t1, 0(t0)
.out:   pop  ra
        ret

# frame_dup(a0 = frame): one more reference (a page shared by fork). Clobbers t0, t1.
frame_dup:
        frame_ref_address
        lbu  t1, 0(t0)
        addi t1, t1, 1
        sb   t1, 0(t0)
        ret

# frame_refcount(a0 = frame) -> a0 = its references. Clobbers t0, t1.
frame_refcount:
        frame_ref_address
        lbu  a0, 0(t0)
        ret

alloc_frame_raw:
        la   t0, free_list
        lw   a0, 0(t0)
        beqz a0, .fresh
        lw   t1, 0(a0)              # pop the free list
        sw   t1, 0(t0)
        j    .zero
.fresh: la   t0, free_next
        lw   a0, 0(t0)
        la   t1, mem_end
        lw   t1, 0(t1)
        bgeu a0, t1, .none
        li   t1, PAGE_SIZE
        add  t1, a0, t1
        sw   t1, 0(t0)
.zero:  mv   t0, a0
        li   t1, PAGE_SIZE
        add  t1, t0, t1
.loop:  sw   zero, 0(t0)
        sw   zero, 4(t0)
        sw   zero, 8(t0)
        sw   zero, 12(t0)
        sw   zero, 16(t0)
        sw   zero, 20(t0)
        sw   zero, 24(t0)
        sw   zero, 28(t0)
        addi t0, t0, 32
        bltu t0, t1, .loop
        ret
.none:  li   a0, 0
        ret

# free_frame(a0 = physical address): drop one reference; at the last, uncharge the control group
# that allocated it, if one did (cgroup.s), and push it on the free list. Clobbers t0, t1.
free_frame:
        frame_ref_address
        lbu  t1, 0(t0)
        addi t1, t1, -1
        sb   t1, 0(t0)
        bnez t1, .shared            # another page table still maps it
        push ra
        call cg_uncharge
        pop  ra
        la   t0, free_list
        lw   t1, 0(t0)
        sw   t1, 0(a0)
        sw   a0, 0(t0)
.shared:
        ret

# copy_page(a0 = destination, a1 = source): copy 4 KiB.
copy_page:
        li   t2, PAGE_SIZE
        add  t2, a0, t2
.loop:  lw   t0, 0(a1)
        lw   t1, 4(a1)
        sw   t0, 0(a0)
        sw   t1, 4(a0)
        lw   t0, 8(a1)
        lw   t1, 12(a1)
        sw   t0, 8(a0)
        sw   t1, 12(a0)
        addi a0, a0, 16
        addi a1, a1, 16
        bltu a0, t2, .loop
        ret

# new_pgdir() -> a0 = a page directory that shares the kernel's page tables (slots below
# USER_SLOT_LO), or 0 when out of memory.
new_pgdir:
        push ra
        call alloc_frame
        beqz a0, .out
        la   t0, kernel_pgdir
        lw   t0, 0(t0)
        li   t1, 0
.copy:  lw   t2, 0(t0)
        add  t3, a0, t1
        sw   t2, 0(t3)
        addi t0, t0, 4
        addi t1, t1, 4
        li   t2, USER_SLOT_LO * 4
        blt  t1, t2, .copy
.out:   pop  ra
        ret

# pte_address(a0 = page directory, a1 = virtual address) -> a0 = address of its PTE, or 0 when
# the page table for that 4 MiB slot does not exist.
pte_address:
        srli t0, a1, 22
        slli t0, t0, 2
        add  t0, t0, a0
        lw   t0, 0(t0)              # directory entry
        andi t1, t0, PTE_PRESENT
        beqz t1, .none
        li   t1, ~0xfff
        and  t0, t0, t1             # page table
        srli t1, a1, 12
        andi t1, t1, 0x3ff
        slli t1, t1, 2
        add  a0, t0, t1
        ret
.none:  li   a0, 0
        ret

# map_page(a0 = page directory, a1 = virtual address, a2 = PTE value) -> a0 = 0, or -1 when
# out of memory. Allocates the page table if needed. The caller flushes the TLB if it replaces
# a present mapping (ours never do: they only fill empty slots, which the TLB never caches).
map_page:
        push ra
        push a0
        push a1
        push a2
        call pte_address
        bnez a0, .set
        call alloc_frame            # a new page table
        beqz a0, .oom
        lw   a1, 4(sp)              # va
        srli t0, a1, 22
        slli t0, t0, 2
        lw   t1, 8(sp)              # directory
        add  t0, t0, t1
        ori  t1, a0, PTE_PRESENT
        sw   t1, 0(t0)
        vpt_written t0
        lw   a0, 8(sp)
        call pte_address
.set:   lw   a2, 0(sp)
        sw   a2, 0(a0)
        vpt_written a0
        li   a0, 0
        j    .out
.oom:   li   a0, -1
.out:   addi sp, sp, 12
        pop  ra
        ret

# in_demand_region(a0 = va) -> a0 = 1 if va is in the heap or the stack region, else 0.
in_demand_region:
        li   t0, HEAP_BASE
        bltu a0, t0, .no
        li   t0, HEAP_END
        bltu a0, t0, .yes
        li   t0, STACK_BASE
        bltu a0, t0, .no
        li   t0, STACK_TOP
        bltu a0, t0, .yes
.no:    li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# demand_map(a0 = va; s0 = PCB) -> a0 = 0 after mapping a fresh zero page there, or -1 when va
# is outside the heap and stack, already mapped (a protection fault), or memory is exhausted.
demand_map:
        push ra
        push s1
        mv   s1, a0
        call in_demand_region
        beqz a0, .fail
        lw   a0, P_PGDIR(s0)
        mv   a1, s1
        call pte_address
        beqz a0, .new
        lw   t0, 0(a0)
        andi t0, t0, PTE_PRESENT
        bnez t0, .fail              # present: the access itself was not allowed
.new:   call cg_alloc_frame         # a user page: charged to the process's control group
        beqz a0, .fail
        ori  a2, a0, USER_DATA_PTE
        lw   a0, P_PGDIR(s0)
        li   t0, ~0xfff
        and  a1, s1, t0
        call map_page
        j    .out
.fail:  li   a0, -1
.out:   pop  s1
        pop  ra
        ret

# user_to_phys(a0 = va; s0 = PCB) -> a0 = physical address, or -1 if the process may not
# touch va. A missing heap or stack page is mapped on demand, as if the process touched it.
user_to_phys:
        push ra
        push s1
        mv   s1, a0
        li   t0, USER_BASE
        bltu a0, t0, .fail
        li   t0, USER_TOP
        bgeu a0, t0, .fail
.again: lw   a0, P_PGDIR(s0)
        mv   a1, s1
        call pte_address
        beqz a0, .demand
        lw   t0, 0(a0)
        andi t1, t0, PTE_PRESENT
        beqz t1, .demand
        li   t1, ~0xfff
        and  t0, t0, t1
        andi t1, s1, 0xfff
        or   a0, t0, t1
        j    .out
.demand:
        mv   a0, s1
        call demand_map
        beqz a0, .again
.fail:  li   a0, -1
.out:   pop  s1
        pop  ra
        ret

# free_pgdir(a0 = page directory): free every user page, the user page tables, the directory.
free_pgdir:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        li   s2, USER_SLOT_LO * 4
.slot:  add  t0, s1, s2
        lw   t0, 0(t0)
        andi t1, t0, PTE_PRESENT
        beqz t1, .nextslot
        li   t1, ~0xfff
        and  s3, t0, t1             # s3 = page table
        li   t2, 0
.pte:   add  t0, s3, t2
        lw   t0, 0(t0)
        andi t1, t0, PTE_PRESENT
        beqz t1, .nextpte
        li   t1, ~0xfff
        and  a0, t0, t1
        push t2
        call free_frame
        pop  t2
.nextpte:
        addi t2, t2, 4
        li   t1, PAGE_SIZE
        blt  t2, t1, .pte
        vpt_free s3
        mv   a0, s3
        call free_frame
.nextslot:
        addi s2, s2, 4
        li   t1, USER_SLOT_HI * 4
        blt  s2, t1, .slot
        vpt_free s1
        mv   a0, s1
        call free_frame
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ---- copy-on-write (fork) ----------------------------------------------------------------------

# cow_share(a0 = parent's page directory, a1 = child's page directory) -> a0 = 0, or -1 when
# out of memory (the child's tables made so far stay in its directory, for free_pgdir). Every
# present user page becomes shared: in both tables read-only with PTE_COW (a page that was
# writable) and one more reference on its frame. The child gets its own page tables; only the
# pages are shared. The caller flushes the parent's TLB (its entries may still say writable).
cow_share:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = parent directory
        mv   s2, a1                 # s2 = child directory
        li   fp, USER_SLOT_LO * 4   # fp = offset of the directory slot
.slot:  add  t0, s1, fp
        lw   t0, 0(t0)
        andi t1, t0, PTE_PRESENT
        beqz t1, .nextslot
        li   t1, ~0xfff
        and  s3, t0, t1             # s3 = parent's page table
        call alloc_frame            # the child's
        beqz a0, .oom
        ori  t0, a0, PTE_PRESENT
        add  t1, s2, fp
        sw   t0, 0(t1)
        li   t2, 0                  # t2 = offset of the entry
.pte:   add  t3, s3, t2
        lw   t0, 0(t3)              # t0 = parent's entry
        andi t1, t0, PTE_PRESENT
        beqz t1, .nextpte
        andi t1, t0, PTE_WRITABLE
        beqz t1, .share             # read-only or already copy-on-write: as it is
        xori t0, t0, PTE_WRITABLE   # writable: read-only and copy-on-write in the parent
        ori  t0, t0, PTE_COW
        sw   t0, 0(t3)
        vpt_written t3              # (a VMM follows the parent's tables: here is the cost of fork)
.share: add  t1, a0, t2
        sw   t0, 0(t1)              # the child's entry: the same
        push a0
        push t2
        li   t1, ~0xfff
        and  a0, t0, t1
        call frame_dup
        pop  t2
        pop  a0
.nextpte:
        addi t2, t2, 4
        li   t1, PAGE_SIZE
        blt  t2, t1, .pte
.nextslot:
        addi fp, fp, 4
        li   t1, USER_SLOT_HI * 4
        blt  fp, t1, .slot
        li   a0, 0
        j    .out
.oom:   li   a0, -1
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# cow_break(a0 = va; s0 = PCB) -> a0 = 0 when the page at va is now writable by the process, or
# -1 when it is not a copy-on-write page or memory is exhausted. Clobbers a0-a3, t0-t3.
cow_break:
        push ra
        push s1
        push s2
        li   t0, ~0xfff
        and  s1, a0, t0             # s1 = the page
        lw   a0, P_PGDIR(s0)
        mv   a1, s1
        call pte_address
        beqz a0, .fail
        mv   s2, a0                 # s2 = address of its PTE
        lw   t0, 0(s2)
        andi t1, t0, PTE_PRESENT
        beqz t1, .fail
        andi t1, t0, PTE_COW
        beqz t1, .fail
        li   t1, ~0xfff
        and  a0, t0, t1             # the shared frame
        call frame_refcount
        li   t0, 1
        beq  a0, t0, .mine          # the last holder: no copy needed
        call cg_alloc_frame         # the copy is the writer's (the shared frame stays charged
                                    # to the group that allocated it, cgroup.s)
        beqz a0, .fail
        lw   a1, 0(s2)
        li   t0, ~0xfff
        and  a1, a1, t0
        push a0
        push a1
        call copy_page              # the writer's own copy
        pop  a0
        call free_frame             # one reference fewer on the shared frame
        pop  a0
        lw   t0, 0(s2)
        andi t0, t0, 0xfff
        or   t0, t0, a0             # the same rights, the new frame
        sw   t0, 0(s2)
.mine:  lw   t0, 0(s2)
        li   t1, ~PTE_COW
        and  t0, t0, t1
        ori  t0, t0, PTE_WRITABLE
        sw   t0, 0(s2)
        vpt_written s2
        vtlbflush s1                # the TLB may hold the read-only entry
        li   a0, 0
        j    .out
.fail:  li   a0, -1
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# user_to_phys_write(a0 = va; s0 = PCB) -> a0 = physical address the kernel may store to on the
# process's behalf, or -1: user_to_phys, and a copy-on-write page is first made the process's
# own (as the process's own store would).
user_to_phys_write:
        push ra
        push a0
        call user_to_phys
        blt  a0, zero, .out
        lw   a0, P_PGDIR(s0)
        lw   a1, 0(sp)
        call pte_address
        lw   t0, 0(a0)
        andi t0, t0, PTE_COW
        beqz t0, .again
        lw   a0, 0(sp)
        call cow_break
        blt  a0, zero, .out
.again: lw   a0, 0(sp)
        call user_to_phys
.out:   addi sp, sp, 4
        pop  ra
        ret

# ---- copying between the kernel and a process -------------------------------------------------
# The kernel reaches a process's memory by walking its page table in software (user_to_phys),
# a page at a time, so a bad pointer is an error code, never a kernel fault.

# copy_user(a0 = kernel address, a1 = user address, a2 = length, a3 = 0: user to kernel,
# 1: kernel to user; s0 = PCB) -> a0 = bytes copied: the length, or fewer when the user range
# runs into memory the process may not touch (0 for a range that wraps past 2^32).
copy_user:
        push ra
        push s1
        push s2
        push s3
        push fp
        push a1                     # 0(sp) = the start, for the count
        mv   s1, a0                 # s1 = kernel address
        mv   s2, a1                 # s2 = user address
        add  s3, a1, a2             # s3 = user end
        mv   fp, a3
        bltu s3, s2, .done          # wraps: nothing
.page:  bgeu s2, s3, .done
        mv   a0, s2
        beqz fp, .read
        call user_to_phys_write     # to user: a copy-on-write page becomes the process's own
        j    .phys
.read:  call user_to_phys
.phys:  blt  a0, zero, .done
        li   t0, PAGE_SIZE          # n = min(end - s2, rest of the page)
        andi t1, s2, 0xfff
        sub  a2, t0, t1
        sub  t0, s3, s2
        bgeu t0, a2, .n
        mv   a2, t0
.n:     mv   a1, s1                 # to user: from s1 to the frame
        bnez fp, .copy
        mv   a1, a0                 # to kernel: from the frame to s1
        mv   a0, s1
.copy:  add  s1, s1, a2
        add  s2, s2, a2
        call copy_bytes
        j    .page
.done:  pop  t0
        sub  a0, s2, t0
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# copy_bytes(a0 = destination, a1 = source, a2 = count): a word at a time when all three are
# multiples of 4 (a block of a file), else a byte at a time. Clobbers a0-a2, t0-t1.
copy_bytes:
        add  t1, a0, a2             # t1 = end of the destination
        or   t0, a0, a1
        or   t0, t0, a2
        andi t0, t0, 3
        bnez t0, .bytes
.words: bgeu a0, t1, .out
        lw   t0, 0(a1)
        sw   t0, 0(a0)
        addi a0, a0, 4
        addi a1, a1, 4
        j    .words
.bytes: bgeu a0, t1, .out
        lbu  t0, 0(a1)
        sb   t0, 0(a0)
        addi a0, a0, 1
        addi a1, a1, 1
        j    .bytes
.out:   ret

# copy_string(a0 = kernel buffer of PATH_MAX bytes, a1 = user address of a zero-terminated
# string) -> a0 = its length, or -EFAULT (it runs into memory the process may not read) or
# -ENAMETOOLONG (no zero byte in the first PATH_MAX).
copy_string:
        li   a2, PATH_MAX
# copy_string_max(a0 = kernel buffer, a1 = user string, a2 = the buffer's size, at least 1):
# the same with another limit (exec's arguments).
copy_string_max:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = buffer
        mv   s2, a1                 # s2 = user address
        li   s3, 0                  # s3 = length so far
        mv   fp, a2                 # fp = limit
        beqz fp, .long
.page:  mv   a0, s2
        call user_to_phys
        blt  a0, zero, .fault
.byte:  lbu  t0, 0(a0)
        add  t1, s1, s3
        sb   t0, 0(t1)
        beqz t0, .end
        addi s3, s3, 1
        bgeu s3, fp, .long
        addi s2, s2, 1
        addi a0, a0, 1
        andi t0, s2, 0xfff          # a new page: translate again
        bnez t0, .byte
        j    .page
.end:   mv   a0, s3
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.fault: li   a0, -EFAULT
        j    .out
.long:  li   a0, -ENAMETOOLONG
        j    .out
