# paging.s: turning paging on, and a page-fault handler that maps pages on demand.
#
# Page tables are two levels: a page directory of 1024 entries, each pointing to a page table
# of 1024 entries, each mapping one 4 KiB page (see docs/ISA.md, "Paging"). This program
#  1. builds a page table that maps the first 4 MiB to themselves (identity), ring 0 only;
#  2. maps the virtual window at 0x40000000 to a different physical page (an alias);
#  3. writes PTBR with the enable bit: from the next instruction on, every address is virtual;
#  4. writes through the alias and reads the same bytes back through the identity mapping;
#  5. touches pages in the window that are not mapped: each access page-faults, the handler
#     maps a fresh zeroed frame and returns with `sret` to the same instruction, which now
#     succeeds (demand paging, as a real kernel does for heaps and stacks).
#
#   npx ringlab run programs/examples/paging.s --stats   # note the TLB misses and walk refs

        .include "../lib/hw.inc"
        .equ STACK_TOP, 0x8000
        .equ PAGE_DIR, 0x10000              # physical addresses of the tables
        .equ IDENTITY_TABLE, 0x11000
        .equ WINDOW_TABLE, 0x12000
        .equ WINDOW, 0x40000000             # virtual window, directory slot 0x100
        .equ ALIAS_FRAME, 0x20000           # physical frame the window's first page maps to
        .equ FREE_FRAMES, 0x30000           # next frame the fault handler hands out
        .equ DEMAND_PAGES, 5
        .equ KERNEL_PAGE, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE | PTE_RING0

_start: li   sp, STACK_TOP
        la   t0, page_fault
        csrw TVEC, t0

        # 1. identity-map 0..4 MiB: entry i maps virtual page i to physical page i
        li   t0, IDENTITY_TABLE
        li   t1, KERNEL_PAGE                # entry for page 0
        li   t2, 1024
.fill:  sw   t1, 0(t0)
        addi t0, t0, 4
        li   t3, PAGE_SIZE
        add  t1, t1, t3                     # next frame, same permission bits
        addi t2, t2, -1
        bnez t2, .fill
        li   t0, PAGE_DIR
        li   t1, IDENTITY_TABLE | PTE_PRESENT
        sw   t1, 0(t0)                      # directory slot 0 -> identity table

        # 2. the window: directory slot WINDOW >> 22, first page -> ALIAS_FRAME
        li   t1, WINDOW_TABLE | PTE_PRESENT
        sw   t1, (WINDOW >> 22) * 4(t0)
        li   t0, WINDOW_TABLE
        li   t1, ALIAS_FRAME | KERNEL_PAGE
        sw   t1, 0(t0)

        # 3. paging on
        li   t0, PAGE_DIR | PTBR_ENABLE
        csrw PTBR, t0

        # 4. write through the alias, read through the identity mapping
        li   t0, WINDOW
        la   t1, greeting
.copy:  lbu  t2, 0(t1)
        sb   t2, 0(t0)
        addi t0, t0, 1
        addi t1, t1, 1
        bnez t2, .copy
        li   a0, ALIAS_FRAME                # same bytes, seen at their physical address
        call puts

        # 5. demand paging: touch DEMAND_PAGES unmapped pages after the alias page
        li   s0, 1
.touch: slli t0, s0, 12
        li   t1, WINDOW
        add  t0, t0, t1
        lw   t1, 0(t0)                      # faults the first time; fresh pages read as 0
        addi t1, t1, 7
        sw   t1, 0(t0)
        addi s0, s0, 1
        li   t2, DEMAND_PAGES + 1
        blt  s0, t2, .touch
        la   a0, mapped
        call puts
        la   t0, faults
        lw   a0, 0(t0)
        call print_dec
        la   a0, newline
        call puts
        out  POWER_OFF, zero

# Page-fault handler: map the faulting page of the window to the next free frame and retry.
# Any other trap is fatal. (A real kernel would also check that the address belongs to the
# process and save the registers it uses; this one only uses t0-t3, which the main program
# does not keep live across the faulting load.)
page_fault:
        csrr t0, CAUSE
        li   t1, CAUSE_PAGE_FAULT_READ
        bne  t0, t1, .fatal
        csrr t0, BADADDR
        srli t0, t0, 12
        andi t0, t0, 0x3ff                  # index in the window's page table
        slli t0, t0, 2
        li   t1, WINDOW_TABLE
        add  t0, t0, t1                     # address of the PTE (identity-mapped)
        la   t2, next_frame
        lw   t1, 0(t2)
        li   t3, PAGE_SIZE
        add  t3, t1, t3
        sw   t3, 0(t2)                      # next_frame += PAGE_SIZE
        ori  t1, t1, KERNEL_PAGE
        sw   t1, 0(t0)                      # install the mapping
        la   t2, faults
        lw   t1, 0(t2)
        addi t1, t1, 1
        sw   t1, 0(t2)
        sret                                # retry the faulting load
.fatal: la   a0, fatal
        call puts
        li   t0, 1
        out  POWER_OFF, t0

next_frame: .word FREE_FRAMES
faults:     .word 0
greeting:   .asciz "written through virtual 0x40000000, read at physical 0x20000\n"
mapped:     .asciz "demand-paged window pages: "
newline:    .asciz "\n"
fatal:      .asciz "unexpected trap\n"

        .include "../lib/console.s"
