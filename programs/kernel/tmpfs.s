# tmpfs.s: tmpfs, a filesystem in memory (Linux's tmpfs(5); docs/containers.md, "tmpfs").
#
# A tmpfs instance is a DEVICE (fs.s, "devices"): entry 1..NTMPFS of dev_table, whose blocks are
# page frames instead of disk blocks. Its mount formats it with the disk's own layout,
#
#   [ boot | super | inodes ... | bitmap | data ... ]     one inode per data block, rounded up
#                                                         to a whole inode block (at least IPB)
#
# so that fs.s's code (inodes, directories, bmap, readi, writei) serves it unchanged: only the
# buffer cache (bio.s) asks which device a block is on. The superblock lives in dev_table only
# (nothing reads block SUPER_BLOCK of a tmpfs), and the bitmap's bits below the data blocks stay
# clear (balloc never looks there), so "mkfs" is three writes: the root's inode, the bitmap bit
# of its directory block, and that block with `.` and `..` (both the root itself, as on the disk).
#
# The RAM block device: each instance has a FRAME TABLE (D_FT: TMPFS_FTPAGES pages of words, one
# per block, allocated as needed) naming the frame that holds the block, 0 for a block never
# written. Reading a block copies its frame into the buffer, or zeros without allocating anything;
# the first write of a block takes a frame with cg_alloc_frame, charged to the memory cgroup of
# the writing process (and its ancestors) exactly as a user page is: at memory.max the writer is
# OOM-killed (cgroup.s) and the write fails with ENOMEM. A block freed (bfree: a file truncated
# or deleted) gives its frame back at once. The frame-table pages are the kernel's (uncharged, as
# page tables are). Every frame goes back when the instance dies.
#
# Lifetime: D_USED while the entry is an instance; D_REF counts the mount entries that hold one of
# its inodes (a mount's root, and a mountpoint on it), in every namespace: a tmpfs mount, a bind
# mount of a directory inside it, unshare's copies. When the count falls to 0 (umount, the exit of
# a namespace's last process) and no inode of the instance is held any more (an open file or a
# current directory reached through a mount that went away keeps it, until iput lets go), the
# instance dies: its cached buffers and inodes are forgotten and its frames freed.
#
# Locking: everything here runs under the filesystem lock, except dev_hold (unshare), which only
# counts.

# ---- the RAM block device (bio.s) --------------------------------------------------------------

# tmpfs_slot(a0 = device, a1 = block, a2 = 1: make the frame-table page if missing) -> a0 = the
# address of the block's word in the frame table, or 0 (no page and a2 = 0, or no memory for
# one). Clobbers t0-t3, a1-a3.
tmpfs_slot:
        push ra
        push s1
        dev_entry t0, a0, t1
        srli t1, a1, 10             # the page: block / (BSIZE / 4)
        slli t1, t1, 2
        add  s1, t0, t1
        addi s1, s1, D_FT           # s1 = the page's pointer in the entry
        andi t2, a1, 1023
        slli t2, t2, 2
        push t2                     # the word's offset in the page
        lw   a0, 0(s1)
        bnez a0, .have
        beqz a2, .none
        call alloc_frame            # zeroed: every block "never written"
        beqz a0, .none
        sw   a0, 0(s1)
.have:  pop  t2
        add  a0, a0, t2
        j    .out
.none:  pop  t2
        li   a0, 0
.out:   pop  s1
        pop  ra
        ret

# ram_read(a0 = buffer of a tmpfs block) -> a0 = 0: the block's bytes into the buffer; zeros for
# a block never written (no frame is allocated).
ram_read:
        push ra
        push s1
        mv   s1, a0
        lw   a0, B_DEV(s1)
        lw   a1, B_BLOCKNO(s1)
        li   a2, 0
        call tmpfs_slot
        beqz a0, .zero
        lw   a1, 0(a0)
        beqz a1, .zero
        lw   a0, B_DATA(s1)
        call copy_page
        j    .done
.zero:  lw   t0, B_DATA(s1)
        li   t1, BSIZE
        add  t1, t0, t1
.clear: sw   zero, 0(t0)
        sw   zero, 4(t0)
        sw   zero, 8(t0)
        sw   zero, 12(t0)
        addi t0, t0, 16
        bltu t0, t1, .clear
.done:  li   a0, 0
        pop  s1
        pop  ra
        ret

# ram_write(a0 = held buffer of a tmpfs block) -> a0 = 0: the buffer's bytes are the block's now
# (bwrite, write-through); or -ENOMEM when the block had no frame yet and none could be had (no
# memory, or the writer's memory cgroup is at memory.max: cg_alloc_frame OOM-killed it). Then
# the buffer is marked invalid, so that the next read sees what the block really holds.
ram_write:
        push ra
        push s1
        push s2
        mv   s1, a0
        lw   a0, B_DEV(s1)
        lw   a1, B_BLOCKNO(s1)
        li   a2, 1
        call tmpfs_slot
        beqz a0, .nomem
        mv   s2, a0                 # s2 = the block's word in the frame table
        lw   a0, 0(s2)
        bnez a0, .copy
        call cg_alloc_frame         # the first write: a frame, charged to the writer (s0)
        beqz a0, .nomem
        sw   a0, 0(s2)
.copy:  lw   a1, B_DATA(s1)
        call copy_page
        li   a0, 0
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.nomem: sw   zero, B_VALID(s1)
        li   a0, -ENOMEM
        j    .out

# ram_free(a0 = block, a1 = device): the block is free (bfree): its frame, if it has one, goes
# back to the pool and its cgroup is uncharged; it reads as zeros again. A buffer that still
# caches it is harmless: a block is always zeroed (bzero_get) when it is allocated again.
# Clobbers t0-t3, a0-a3.
ram_free:
        push ra
        mv   t0, a0
        mv   a0, a1
        mv   a1, t0
        li   a2, 0
        call tmpfs_slot
        beqz a0, .out
        lw   t0, 0(a0)
        beqz t0, .out
        sw   zero, 0(a0)
        mv   a0, t0
        call free_frame
.out:   pop  ra
        ret

# ---- instances ---------------------------------------------------------------------------------

# tmpfs_options(a0 = kernel string: mount's source, which carries the options Linux passes in
# mount(2)'s data) -> a0 = the size in bytes, rounded up to whole blocks; or -EINVAL. The options
# are separated by commas (empty ones are skipped); the only one is size=N with N in bytes, or in
# KiB or MiB with a k or m suffix (K, M too). No size: TMPFS_DEFAULT_SIZE. EINVAL for any other
# option, a size of 0 (Linux reads it as "no limit"), or above TMPFS_MAX_SIZE.
tmpfs_options:
        li   t3, TMPFS_DEFAULT_SIZE     # t3 = the size
.item:  lbu  t0, 0(a0)
        beqz t0, .end
        li   t1, ','
        bne  t0, t1, .name
        addi a0, a0, 1
        j    .item
.name:  la   t1, tmpfs_size_opt     # "size="
.cmp:   lbu  t2, 0(t1)
        beqz t2, .num
        lbu  t0, 0(a0)
        bne  t0, t2, .inval
        addi a0, a0, 1
        addi t1, t1, 1
        j    .cmp
.num:   li   t3, 0
        li   t2, 0                  # t2 = digits seen
.digit: lbu  t0, 0(a0)
        addi t0, t0, -'0'
        sltiu t1, t0, 10
        beqz t1, .unit
        li   t1, TMPFS_MAX_SIZE     # no overflow: stop growing past the largest size
        bgtu t3, t1, .skip
        li   t1, 10
        mul  t3, t3, t1
        add  t3, t3, t0
.skip:  addi t2, t2, 1
        addi a0, a0, 1
        j    .digit
.unit:  beqz t2, .inval
        lbu  t0, 0(a0)
        ori  t1, t0, 0x20           # lower case
        li   t2, 'k'
        bne  t1, t2, .mega
        slli t1, t3, 10
        srli t2, t1, 10
        bne  t2, t3, .toobig
        mv   t3, t1
        addi a0, a0, 1
        j    .sep
.mega:  li   t2, 'm'
        bne  t1, t2, .sep
        slli t1, t3, 20
        srli t2, t1, 20
        bne  t2, t3, .toobig
        mv   t3, t1
        addi a0, a0, 1
.sep:   lbu  t0, 0(a0)              # then the end, or a comma
        beqz t0, .item
        li   t1, ','
        bne  t0, t1, .inval
        j    .item
.end:   beqz t3, .inval
        li   t0, TMPFS_MAX_SIZE
        bgtu t3, t0, .inval
        li   t0, BSIZE - 1          # whole blocks
        add  t3, t3, t0
        li   t0, ~(BSIZE - 1)
        and  a0, t3, t0
        ret
.toobig:
.inval: li   a0, -EINVAL
        ret

# tmpfs_new(s0 = PCB; P_A0 = the options, or 0 for none) -> a0 = the root directory of a new
# instance, held; or -errno: the options' (EFAULT, ENAMETOOLONG, EINVAL), ENOSPC when NTMPFS
# instances exist, ENOMEM (no memory for the root's blocks). The instance has no mount yet
# (D_REF 0): the caller's mount takes it (dev_hold), or its iput of the root ends it.
tmpfs_new:
        push ra
        push s1
        push s2
        la   t0, path_buf2
        sb   zero, 0(t0)
        lw   a1, P_A0(s0)
        beqz a1, .parse             # NULL: no options, as Linux's data
        la   a0, path_buf2
        call copy_string
        blt  a0, zero, .out
.parse: la   a0, path_buf2
        call tmpfs_options
        blt  a0, zero, .out
        mv   s2, a0                 # s2 = bytes
        li   s1, 1                  # a free entry: device s1
.find:  dev_entry t0, s1, t1
        lw   t1, D_USED(t0)
        beqz t1, .found
        addi s1, s1, 1
        li   t1, NTMPFS
        bleu s1, t1, .find
        li   a0, -ENOSPC
        j    .out
.found: li   t1, 1
        sw   t1, D_USED(t0)
        sw   zero, D_REF(t0)
        sw   s2, D_BYTES(t0)
        srli t1, s2, 12             # t1 = data blocks
        sw   t1, D_SB + SB_NDATA(t0)
        sw   t1, D_NFREE(t0)
        addi t2, t1, IPB - 1        # inodes: one per data block, whole inode blocks
        srli t2, t2, 6
        addi t3, t2, SUPER_BLOCK + 1 + 1    # datastart = inodestart + inode blocks + 1 bitmap block
        slli t2, t2, 6
        sw   t2, D_SB + SB_NINODES(t0)
        li   t2, FS_MAGIC
        sw   t2, D_SB + SB_MAGIC(t0)
        li   t2, SUPER_BLOCK + 1
        sw   t2, D_SB + SB_INODESTART(t0)
        sw   t3, D_SB + SB_DATASTART(t0)
        addi t2, t3, -1
        sw   t2, D_SB + SB_BMAPSTART(t0)
        add  t2, t3, t1
        sw   t2, D_SB + SB_SIZE(t0)
        li   a0, ROOT_INUM          # mkfs: the root directory
        mv   a1, s1
        call iget
        blt  a0, zero, .drop
        mv   s2, a0                 # s2 = held root
        li   t0, T_DIR
        sw   t0, I_TYPE(s2)
        li   t0, 2                  # its `.` and its `..`
        sw   t0, I_NLINK(s2)
        mv   a0, s2
        la   a1, dot_name
        li   a2, ROOT_INUM
        call dirlink
        blt  a0, zero, .fail
        mv   a0, s2
        la   a1, dotdot_name
        li   a2, ROOT_INUM
        call dirlink
        blt  a0, zero, .fail
        mv   a0, s2
        call iupdate
        blt  a0, zero, .fail
        mv   a0, s2
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.fail:  push a0                     # the root's iput ends the instance (no mount holds it)
        mv   a0, s2
        call iput
        pop  a0
        j    .out
.drop:  push a0
        mv   a0, s1
        call tmpfs_check
        pop  a0
        j    .out

# dev_hold(a0 = inode, or 0): a mount entry now holds it; on a tmpfs, the instance counts the
# mount. Clobbers t0, t1.
dev_hold:
        beqz a0, .out
        lw   t0, I_DEV(a0)
        beqz t0, .out
        dev_entry t0, t0, t1
        lw   t1, D_REF(t0)
        addi t1, t1, 1
        sw   t1, D_REF(t0)
.out:   ret

# dev_release(a0 = device): a mount entry let go of an inode of it (after its iput). The last
# mount of a tmpfs ends the instance, unless an inode of it is still held (tmpfs_check).
# Clobbers t0-t3, a0-a3.
dev_release:
        beqz a0, .out
        dev_entry t0, a0, t1
        lw   t1, D_REF(t0)
        addi t1, t1, -1
        sw   t1, D_REF(t0)
        beqz t1, tmpfs_check
.out:   ret

# tmpfs_iput(a0 = an inode of a tmpfs whose last reference just went; iput): if no mount holds
# its instance any more, the instance may end. Clobbers t0-t3, a0-a3 then; t0, t1 otherwise.
tmpfs_iput:
        lw   t0, I_DEV(a0)
        dev_entry t0, t0, t1
        lw   t1, D_REF(t0)
        bnez t1, .out
        lw   t1, D_USED(t0)
        beqz t1, .out
        lw   a0, I_DEV(a0)
        j    tmpfs_check
.out:   ret

# tmpfs_check(a0 = device, D_REF 0): end the instance unless one of its inodes is still held:
# its cached buffers and inodes are forgotten (a later instance may get the same number), every
# frame of its blocks is freed (uncharging the cgroups that paid for it), then its frame table.
# Clobbers t0-t3, a0-a3.
tmpfs_check:
        la   t0, itable             # an inode still held: not yet
        la   t1, itable + NINODE * I_SIZE
.held:  lw   t2, I_DEV(t0)
        bne  t2, a0, .hnext
        lw   t2, I_REF(t0)
        bnez t2, .keep
.hnext: addi t0, t0, I_SIZE
        bltu t0, t1, .held
        la   t0, itable             # the cached inodes: forgotten
.inode: lw   t2, I_DEV(t0)
        bne  t2, a0, .inext
        sw   zero, I_VALID(t0)
        sw   zero, I_INUM(t0)
        sw   zero, I_DEV(t0)
.inext: addi t0, t0, I_SIZE
        bltu t0, t1, .inode
        la   t0, bufs               # the cached blocks: forgotten (none is dirty or held)
        la   t1, bufs + NBUF * B_SIZE
.buf:   lw   t2, B_DEV(t0)
        bne  t2, a0, .bnext
        sw   zero, B_VALID(t0)
        sw   zero, B_DEV(t0)
        sw   zero, B_BLOCKNO(t0)
.bnext: addi t0, t0, B_SIZE
        bltu t0, t1, .buf
        push ra
        push s1
        push s2
        push s3
        dev_entry s1, a0, t0        # s1 = the entry
        li   s2, 0                  # s2 = the frame-table page
.page:  slli t0, s2, 2
        add  t0, t0, s1
        lw   s3, D_FT(t0)           # s3 = the page (0: none)
        beqz s3, .pnext
        li   a1, 0
.word:  slli t0, a1, 2
        add  t0, t0, s3
        lw   a0, 0(t0)
        beqz a0, .wnext
        push a1
        call free_frame             # clobbers t0, t1
        pop  a1
.wnext: addi a1, a1, 1
        li   t0, BSIZE / 4
        bltu a1, t0, .word
        mv   a0, s3
        call free_frame
.pnext: addi s2, s2, 1
        li   t0, TMPFS_FTPAGES
        bltu s2, t0, .page
        mv   t0, s1                 # the entry is free
        addi t1, s1, D_SIZE
.zero:  sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .zero
        pop  s3
        pop  s2
        pop  s1
        pop  ra
.keep:  ret

# all_inodes -> a0 = the inodes of every device together (path_of's bound on a walk up).
# Clobbers t0-t2.
all_inodes:
        li   a0, 0
        la   t0, dev_table
        la   t1, dev_table + D_SIZE * NDEV
.each:  lw   t2, D_SB + SB_NINODES(t0)
        add  a0, a0, t2
        addi t0, t0, D_SIZE
        bltu t0, t1, .each
        ret

# ---- the mount list ----------------------------------------------------------------------------

# tmpfs_sizestr(a0 = device) -> a0 = ",size=Nk\n" for it, in tmpfs_sizebuf (Linux's
# /proc/mounts writes the size in KiB). Clobbers t0-t3.
tmpfs_sizestr:
        dev_entry t0, a0, t1
        lw   t0, D_BYTES(t0)
        srli t0, t0, 10             # KiB
        la   t1, tmpfs_sizebuf + 15 # the digits, backwards, then "k\n"
        li   t2, 'k'
        sb   t2, 0(t1)
        li   t2, 10             # newline
        sb   t2, 1(t1)
        sb   zero, 2(t1)
.digit: addi t1, t1, -1
        li   t2, 10
        remu t3, t0, t2
        divu t0, t0, t2
        addi t3, t3, '0'
        sb   t3, 0(t1)
        bnez t0, .digit
        la   t2, tmpfs_size_opt     # "size=" before them, and a comma
        li   t3, 5
        sub  t1, t1, t3
.pre:   addi t3, t3, -1
        add  t0, t2, t3
        lbu  t0, 0(t0)
        add  a0, t1, t3
        sb   t0, 0(a0)
        bnez t3, .pre
        addi t1, t1, -1
        li   t0, ','
        sb   t0, 0(t1)
        mv   a0, t1
        ret

tmpfs_name:     .asciz "tmpfs"
tmpfs_size_opt: .asciz "size="
        .align 4
tmpfs_sizebuf:  .space 32
