# guestmem.s: how the VMM reads guest-physical memory. The guest's memory is not mapped in
# the VMM's 4 MiB region; instead WINDOW_SLOTS pages at WINDOW_BASE are pointed at guest
# frames on demand (like Xen's map_domain_page). A frame always uses the window slot
# frame % WINDOW_SLOTS, so a repeated access to a frame finds it already mapped.
#
# Needs: `guest_size` (bytes of guest memory) and `window_frame` (WINDOW_SLOTS words, -1 when
# empty) in the including VMM's data.

# map_guest(a0 = guest-physical address, below guest_size) -> a0 = a VMM virtual address of
# the same byte, valid until the next map_guest of another frame in the same slot.
# Clobbers t0-t3.
map_guest:
        srli t0, a0, 12             # t0 = guest frame number
        andi t1, t0, WINDOW_SLOTS - 1
        slli t1, t1, 2              # t1 = window slot * 4
        la   t2, window_frame
        add  t2, t2, t1
        lw   t3, 0(t2)
        beq  t3, t0, .mapped
        sw   t0, 0(t2)              # remap this slot: its PTE in the VMM page table
        slli t3, t0, 12
        li   t2, GUEST_BASE | WINDOW_PTE
        add  t3, t3, t2
        li   t2, VMM_PT + WINDOW_FIRST * 4
        add  t2, t2, t1
        sw   t3, 0(t2)
        slli t2, t1, 10             # slot * 4 KiB
        li   t3, WINDOW_BASE
        add  t2, t2, t3
        tlbflush t2                 # the TLB may still hold the slot's previous frame
        j    .offset
.mapped:
        slli t2, t1, 10
        li   t3, WINDOW_BASE
        add  t2, t2, t3
.offset:
        andi t0, a0, 0xfff
        add  a0, t2, t0
        ret

# read_guest_word(a0 = guest-physical address, word aligned) -> a0 = the word and a1 = 0, or
# a1 = -1 (a0 unchanged) when the address lies beyond guest memory. Clobbers t0-t3.
read_guest_word:
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu a0, t0, .beyond
        push ra
        call map_guest
        pop  ra
        lw   a0, 0(a0)
        li   a1, 0
        ret
.beyond:
        li   a1, -1
        ret
