# bio.s: the buffer cache. NBUF buffers, each one page frame holding one disk block, so the
# kernel reads a block from the disk once and then from memory.
#
# Policy (docs/fs.md, "The buffer cache"):
#   lookup       a linear search of the NBUF headers by device and block number
#   devices      a buffer holds a block of one device (B_DEV): 0 is the disk, 1..NTMPFS a tmpfs,
#                whose blocks live in page frames (tmpfs.s): reading one copies its frame (or
#                zeros, for a block never written), and bwrite copies the buffer to its frame at
#                once (write-through: a tmpfs buffer is never dirty, so bflush is the disk's)
#   replacement  least recently used: brelse stamps a buffer with a use clock, and bget recycles
#                the unheld buffer with the smallest stamp (never-used buffers have stamp 0)
#   writes       write-back to the end of the system call: bwrite marks a buffer dirty and
#                keeps it in the cache; bflush, which the filesystem lock runs when a call ends
#                (fs_unlock), writes every dirty buffer once. So a block a call changes three
#                times (an inode block, the bitmap) goes to the disk once, and between calls the
#                disk is up to date. A cache full of dirty buffers is flushed early. Built with
#                PARAVIRT, bflush queues them all in the pv block ring and kicks the VMM once.
#   locking      none of its own: every filesystem call holds the filesystem lock (fs.s), so
#                one process at a time uses the cache; B_REFCNT only keeps a buffer that is in
#                use from being recycled

# bio_init: give every buffer a frame of its own (its DMA target).
bio_init:
        push ra
        push s1
        call disk_init
        la   s1, bufs
.each:  call alloc_frame
        beqz a0, .oom
        sw   a0, B_DATA(s1)
        addi s1, s1, B_SIZE
        la   t0, bufs + NBUF * B_SIZE
        bltu s1, t0, .each
        pop  s1
        pop  ra
        ret
.oom:   la   a0, msg_nobufs
        j    panic

# bget(a0 = block, a1 = device) -> a0 = a held buffer for that block (B_VALID says whether it
# holds the data yet), or -EIO for a block beyond the device.
bget:
        la   t0, disk_blocks
        lw   t0, 0(t0)
        beqz a1, .size
        dev_entry t0, a1, t1
        lw   t0, D_SB + SB_SIZE(t0)
.size:  bgeu a0, t0, .range
        la   t1, bufs               # 1. cached?
        la   t2, bufs + NBUF * B_SIZE
.find:  lw   t3, B_BLOCKNO(t1)
        bne  t3, a0, .next
        lw   t3, B_DEV(t1)
        bne  t3, a1, .next
        lw   t3, B_VALID(t1)
        bnez t3, .hit
        lw   t3, B_REFCNT(t1)       # held but not valid yet: the same block
        bnez t3, .hit
.next:  addi t1, t1, B_SIZE
        bltu t1, t2, .find
        la   t1, bufs               # 2. recycle the least recently used unheld buffer
        li   t3, 0                  # t3 = best so far
.lru:   lw   t0, B_REFCNT(t1)
        bnez t0, .lrunext
        beqz t3, .take
        lw   t0, B_STAMP(t1)
        push t2
        lw   t2, B_STAMP(t3)
        sltu t0, t0, t2
        pop  t2
        beqz t0, .lrunext
.take:  mv   t3, t1
.lrunext:
        addi t1, t1, B_SIZE
        bltu t1, t2, .lru
        beqz t3, .flush
        sw   a0, B_BLOCKNO(t3)
        sw   a1, B_DEV(t3)
        sw   zero, B_VALID(t3)
        mv   t1, t3
.hit:   lw   t0, B_REFCNT(t1)
        addi t0, t0, 1
        sw   t0, B_REFCNT(t1)
        mv   a0, t1
        ret
.range: li   a0, -EIO
        ret
.flush: la   t0, bget_retry         # every buffer held: write the dirty ones out, try again
        lw   t1, 0(t0)
        bnez t1, .full
        li   t1, 1
        sw   t1, 0(t0)
        push ra
        push a0
        push a1
        call bflush
        pop  a1
        pop  a0
        call bget
        pop  ra
        la   t0, bget_retry
        sw   zero, 0(t0)
        ret
.full:  la   a0, msg_bufsfull       # still all held: a kernel bug (a call holds a few)
        j    panic

# bread(a0 = block, a1 = device) -> a0 = a held buffer with the block's data, or -EIO.
bread:
        push ra
        call bget
        pop  ra
        bge  a0, zero, bread_held
        ret

# bread_held(a0 = held buffer) -> a0 = it, with the block's data read unless it is valid; or
# -EIO (the buffer released).
bread_held:
        push ra
        lw   t0, B_VALID(a0)
        bnez t0, .out
        push a0
        lw   t0, B_DEV(a0)
        bnez t0, .ram
        li   a1, DISK_CMD_READ
        call disk_rw
        j    .got
.ram:   call ram_read               # tmpfs.s: never fails
.got:
        mv   t0, a0
        pop  a0
        bnez t0, .fail
        li   t0, 1
        sw   t0, B_VALID(a0)
.out:   pop  ra
        ret
.fail:  call brelse             # a failed read leaves the buffer invalid
        li   a0, -EIO
        pop  ra
        ret

# bzero_get(a0 = block, a1 = device) -> a0 = a held buffer for a block just allocated, filled
# with zeros without reading the disk (the caller writes it out), or -EIO.
bzero_get:
        push ra
        call bget
        blt  a0, zero, .out
        li   t0, 1
        sw   t0, B_VALID(a0)
        lw   t0, B_DATA(a0)
        li   t1, BSIZE
        add  t1, t0, t1
.zero:  sw   zero, 0(t0)
        sw   zero, 4(t0)
        sw   zero, 8(t0)
        sw   zero, 12(t0)
        addi t0, t0, 16
        bltu t0, t1, .zero
.out:   pop  ra
        ret

# bwrite(a0 = held buffer) -> a0 = 0: it goes to the disk at the next bflush (the end of the
# system call). A dirty buffer holds one reference of its own until then, so it stays cached.
# A tmpfs block goes to its frame now (ram_write, tmpfs.s): -ENOMEM when it has none yet and
# its writer's memory cgroup refuses one (the writer was OOM-killed, as cgroup.s does).
bwrite:
        lw   t0, B_DEV(a0)
        bnez t0, ram_write
        lw   t0, B_DIRTY(a0)
        bnez t0, .done
        li   t0, 1
        sw   t0, B_DIRTY(a0)
        lw   t0, B_REFCNT(a0)
        addi t0, t0, 1
        sw   t0, B_REFCNT(a0)
.done:  li   a0, 0
        ret

# bflush() -> a0 = 0, or -EIO if a write failed: write every dirty buffer to the disk, in
# buffer order, and drop the reference each held.
        .ifdef PARAVIRT
bflush:                             # one batch in the block ring (disk.s), one kick, then wait
        push ra
        push s1
        push s2
        la   s1, bufs
        li   s2, 0                  # s2 = requests queued
.queue: lw   t0, B_DIRTY(s1)
        beqz t0, .qnext
        mv   a0, s1
        li   a1, DISK_CMD_WRITE
        call blk_queue
        addi s2, s2, 1
.qnext: addi s1, s1, B_SIZE
        la   t0, bufs + NBUF * B_SIZE
        bltu s1, t0, .queue
        li   a0, 0
        beqz s2, .out
        li   t0, HC_DISK_KICK
        syscall
        la   s1, bufs
        li   s2, 0                  # s2 = the result
.each:  lw   t0, B_DIRTY(s1)
        beqz t0, .next
        mv   a0, s1
        call blk_wait               # every response comes in one interrupt: one wait
        bge  a0, zero, .clean
        mv   s2, a0
.clean: sw   zero, B_DIRTY(s1)
        mv   a0, s1
        call brelse
.next:  addi s1, s1, B_SIZE
        la   t0, bufs + NBUF * B_SIZE
        bltu s1, t0, .each
        mv   a0, s2
.out:   pop  s2
        pop  s1
        pop  ra
        ret
        .else
bflush:
        push ra
        push s1
        push s2
        la   s1, bufs
        li   s2, 0                  # s2 = the result
.each:  lw   t0, B_DIRTY(s1)
        beqz t0, .next
        mv   a0, s1
        li   a1, DISK_CMD_WRITE
        call disk_rw
        bge  a0, zero, .clean
        mv   s2, a0
.clean: sw   zero, B_DIRTY(s1)
        mv   a0, s1
        call brelse
.next:  addi s1, s1, B_SIZE
        la   t0, bufs + NBUF * B_SIZE
        bltu s1, t0, .each
        mv   a0, s2
        pop  s2
        pop  s1
        pop  ra
        ret
        .endif

# brelse(a0 = held buffer): done with it; it becomes the most recently used. Clobbers t0 and
# t1 only.
brelse:
        lw   t0, B_REFCNT(a0)
        addi t0, t0, -1
        sw   t0, B_REFCNT(a0)
        la   t1, buf_clock
        lw   t0, 0(t1)
        addi t0, t0, 1
        sw   t0, 0(t1)
        sw   t0, B_STAMP(a0)
        ret

# bwrite_release(a0 = held buffer) -> a0 = 0 or -EIO (-ENOMEM): bwrite, then brelse.
bwrite_release:
        push ra
        push a0
        call bwrite
        mv   a1, a0
        pop  a0
        call brelse
        mv   a0, a1
        pop  ra
        ret

msg_nobufs:    .asciz "out of memory for the buffer cache"
msg_bufsfull:  .asciz "every buffer of the cache is in use"
        .align 4
