# fs.s: the filesystem (docs/fs.md has the format, generated into ../lib/fs.inc from
# src/fs/layout.ts, so this file and `ringlab fs` read one definition). Five layers, as in xv6:
#
#   blocks       balloc / bfree: the free-block bitmap
#   inodes       iget / iput / iupdate / itrunc: in-memory copies of on-disk inodes
#   file data    bmap / readi / writei: an inode's bytes through its direct and indirect blocks
#   directories  dirlookup / dirlink: 32-byte entries (inum, name)
#   paths        namex: `/a/b/c` from the process's root (chroot, ns.s), `a/b` from its
#                current directory; mounts crossed down and up (vfs.s); `..` never climbs
#                above the root
#
# One process at a time: every filesystem call runs holding fs_lock (fs_call below), and may
# sleep while it holds it (the disk); other processes run, and one that wants the filesystem
# waits for the lock. The algorithms are those of src/fs/image.ts (the host's `ringlab fs`):
# the lowest free inode, the lowest free block, the first free directory slot after `.` and
# `..`, and the same checks in the same order, so both leave the same bytes on the disk.
#
# A damaged disk never hangs the kernel: block pointers outside the data blocks, inode numbers
# outside the table, a file larger than its blocks, an entry naming a free inode all give EIO,
# and every loop is bounded by a size the superblock fixed.

# ---- the filesystem lock ----------------------------------------------------------------------

# fs_call(t0 = handler): run handler(a0..a3 = the system call's arguments) -> a0, holding the
# filesystem lock; -ENODEV when no filesystem is mounted.
fs_call:
        la   t1, fs_mounted
        lw   t1, 0(t1)
        beqz t1, .nofs
        push ra
        push t0
        call fs_lock
        lw   a0, P_A0(s0)           # the arguments again (waiting for the lock clobbers them)
        lw   a1, P_A1(s0)
        lw   a2, P_A2(s0)
        lw   a3, P_A3(s0)
        pop  t0
        jalr ra, t0, 0
        push a0
        call fs_unlock              # writes what the call changed
        mv   t0, a0
        pop  a0
        bge  t0, zero, .out
        blt  a0, zero, .out
        mv   a0, t0                 # the call went well but its writes did not: EIO
.out:   pop  ra
        ret
.nofs:  li   a0, -ENODEV
        ret

# fs_lock: take the filesystem lock, waiting while another process holds it.
fs_lock:
        push ra
.again: la   t0, fs_owner
        lw   t1, 0(t0)
        beqz t1, .take
        la   a0, fs_owner
        call sleep
        j    .again
.take:  sw   s0, 0(t0)
        pop  ra
        ret

# fs_unlock -> a0 = 0, or -EIO: write the blocks the call changed (bflush), give the lock back
# and wake the processes waiting for it.
fs_unlock:
        push ra
        call ovl_forget             # ovl.s: the file its last lookup remembered for open
        call bflush
        push a0
        la   t0, fs_owner
        sw   zero, 0(t0)
        la   a0, fs_owner
        call wakeup
        pop  a0
        pop  ra
        ret

# fs_writable -> a0 = 0, or -EROFS when the disk is mounted read-only (BOOT_RDONLY) and the
# path's lookup ended on it, or the mount the lookup ended in is read-only (vfs.s): the check
# every call that would change it makes once its path has been looked up. Clobbers t0.
fs_writable:
        la   t0, fs_readonly
        lw   t0, 0(t0)
        beqz t0, mnt_writable       # vfs.s: and the mount the lookup ended in (MS_RDONLY)
        la   t0, namex_mnt          # a read-only disk: a tmpfs on it stays writable
        lw   t0, 0(t0)
        beqz t0, .ro
        lw   t0, M_ROOT(t0)
        lw   t0, I_DEV(t0)
        bnez t0, mnt_writable
.ro:    li   a0, -EROFS
        ret

# ---- mounting -------------------------------------------------------------------------------

# fs_mount: at boot, if the disk holds a sound filesystem, mount it as `/`: keep its superblock,
# count its free blocks and check that the root is a directory. Otherwise say why ("kernel:
# disk: no filesystem mounted (bad magic)") and go on without one (file calls give ENODEV).
fs_mount:
        push ra
        push s1
        push s2
        la   t0, disk_blocks
        lw   t0, 0(t0)
        beqz t0, .out               # no disk: nothing to say
        li   a0, SUPER_BLOCK
        li   a1, 0
        call bread
        blt  a0, zero, .ioerr
        lw   t0, B_DATA(a0)
        la   t1, dev_table          # keep the superblock's words (device 0's D_SB)
        li   t2, 0
.copy:  add  t3, t0, t2
        lw   t3, 0(t3)
        add  s1, t1, t2
        sw   t3, 0(s1)
        addi t2, t2, 4
        li   t3, SB_SIZEOF
        blt  t2, t3, .copy
        call brelse
        la   s1, dev_table
        la   a0, msg_badmagic       # the checks of superblockProblems (src/fs/image.ts)
        lw   t0, SB_MAGIC(s1)
        li   t1, FS_MAGIC
        bne  t0, t1, .bad
        la   a0, msg_badsb
        lw   t0, SB_NINODES(s1)
        li   t1, 2
        bltu t0, t1, .bad
        li   t1, MAX_INODES
        bgtu t0, t1, .bad
        lw   t0, SB_SIZE(s1)
        li   t1, MAX_BLOCKS
        bgtu t0, t1, .bad
        la   t1, disk_blocks
        lw   t1, 0(t1)
        bgtu t0, t1, .bad
        lw   t0, SB_INODESTART(s1)
        li   t1, SUPER_BLOCK + 1
        bne  t0, t1, .bad
        lw   t1, SB_NINODES(s1)     # bmapstart = inodestart + ceil(ninodes / IPB)
        addi t1, t1, IPB - 1
        srli t1, t1, 6
        add  t0, t0, t1
        lw   t1, SB_BMAPSTART(s1)
        bne  t0, t1, .bad
        lw   t1, SB_SIZE(s1)        # datastart = bmapstart + ceil(size / BPB)
        li   t2, BPB - 1
        add  t1, t1, t2
        srli t1, t1, 15
        add  t0, t0, t1
        lw   t1, SB_DATASTART(s1)
        bne  t0, t1, .bad
        lw   t1, SB_SIZE(s1)
        bgeu t0, t1, .bad           # no data blocks
        li   a0, 0
        call count_free
        blt  a0, zero, .ioerr
        la   t0, dev_table
        sw   a0, D_NFREE(t0)
        li   a0, ROOT_INUM
        li   a1, 0
        call iget
        blt  a0, zero, .ioerr
        lw   s2, I_TYPE(a0)
        call iput
        la   a0, msg_badroot
        li   t0, T_DIR
        bne  s2, t0, .bad
        la   t0, fs_mounted         # mounted, silently (as xv6; the failures say why)
        li   t1, 1
        sw   t1, 0(t0)
        la   t0, dev_table          # device 0 is in use
        sw   t1, D_REF(t0)
        li   t0, BOOTARGS           # read-only if the boot arguments say so
        lw   t0, BA_FLAGS(t0)
        andi t0, t0, BOOT_RDONLY
        la   t1, fs_readonly
        sw   t0, 0(t1)
        j    .out
.ioerr: la   a0, msg_ioerr
.bad:   mv   s2, a0                 # "kernel: disk: no filesystem mounted (<why>)"
        la   a0, msg_nofs
        call puts
        mv   a0, s2
        call puts
        la   a0, msg_close_paren
        call puts
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# count_free(a0 = device) -> a0 = its data blocks whose bitmap bit is clear, or -EIO.
count_free:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   a1, a0
        dev_entry fp, a1, t0        # fp = the device's entry
        lw   s1, D_SB + SB_DATASTART(fp)    # s1 = block
        li   s2, 0                  # s2 = free so far
        li   s3, 0                  # s3 = the bitmap buffer held (0: none)
.each:  lw   t0, D_SB + SB_SIZE(fp)
        bgeu s1, t0, .done
        beqz s3, .load
        li   t0, BPB - 1
        and  t0, s1, t0
        bnez t0, .test
        mv   a0, s3                 # the next bitmap block
        call brelse
.load:  lw   a0, D_SB + SB_BMAPSTART(fp)
        srli t1, s1, 15
        add  a0, a0, t1
        la   a1, dev_table          # the device's number again
        sub  a1, fp, a1
        srli a1, a1, D_SHIFT
        call bread
        blt  a0, zero, .fail
        mv   s3, a0
.test:  srli t0, s1, 5              # word (b >> 5) & 1023 of the block, bit b & 31
        andi t0, t0, 1023
        slli t0, t0, 2
        lw   t1, B_DATA(s3)
        add  t0, t0, t1
        lw   t0, 0(t0)
        andi t1, s1, 31
        srl  t0, t0, t1
        andi t0, t0, 1
        bnez t0, .used
        addi s2, s2, 1
.used:  addi s1, s1, 1
        j    .each
.done:  beqz s3, .ret
        mv   a0, s3
        call brelse
.ret:   mv   a0, s2
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.fail:  li   a0, -EIO
        j    .out

# ---- devices ---------------------------------------------------------------------------------
#
# Every block and inode the layers below name is on a DEVICE (a number: B_DEV in a buffer, I_DEV
# in an in-memory inode), as in xv6: 0 is the disk, 1..NTMPFS the tmpfs instances (tmpfs.s). Each
# has an entry in dev_table (D_*, kernel.inc) holding its superblock and its free-block count, so
# the code below serves both: a function that takes a block or an inode number takes its device
# too, and one that takes an inode uses the inode's. The disk's entry is filled by fs_mount at
# boot; a tmpfs's by its mount (tmpfs_create). Blocks and inodes never mix devices: a directory
# entry names an inode of its directory's device, and a new inode goes on its parent's (ialloc).

# ---- blocks ---------------------------------------------------------------------------------

# bitmap_word(a0 = block, a1 = device) -> a0 = held bitmap buffer, a1 = address of the word
# with its bit, a2 = the bit's mask; or a0 = -EIO.
bitmap_word:
        push ra
        push a0
        dev_entry t0, a1, t1
        lw   t0, D_SB + SB_BMAPSTART(t0)
        srli a0, a0, 15
        add  a0, a0, t0
        call bread
        pop  t1                     # the block
        blt  a0, zero, .out
        srli t0, t1, 5
        andi t0, t0, 1023
        slli t0, t0, 2
        lw   a1, B_DATA(a0)
        add  a1, a1, t0
        andi t1, t1, 31
        li   a2, 1
        sll  a2, a2, t1
.out:   pop  ra
        ret

# balloc(a0 = device) -> a0 = its lowest free data block, now marked in use, or -ENOSPC / -EIO
# (-ENOMEM: a tmpfs's bitmap block got no frame). The block's old contents stay on the device:
# the caller zeroes it with bzero_get and writes it.
balloc:
        push ra
        push s1
        push s2
        mv   s2, a0                 # s2 = the device
        dev_entry t0, s2, t1
        lw   t1, D_NFREE(t0)
        beqz t1, .full
        lw   s1, D_SB + SB_DATASTART(t0)
.each:  dev_entry t0, s2, t1
        lw   t0, D_SB + SB_SIZE(t0)
        bgeu s1, t0, .corrupt       # D_NFREE said there was one
        mv   a0, s1
        mv   a1, s2
        call bitmap_word
        blt  a0, zero, .out
        lw   t0, 0(a1)
        and  t1, t0, a2
        beqz t1, .found
        call brelse                 # (a word at a time would be faster; this is plainer)
        addi s1, s1, 1
        j    .each
.found: or   t2, t0, a2
        sw   t2, 0(a1)
        push a1
        push t0
        call bwrite_release
        pop  t0
        pop  a1
        blt  a0, zero, .undo
        dev_entry t0, s2, t1
        lw   t1, D_NFREE(t0)
        addi t1, t1, -1
        sw   t1, D_NFREE(t0)
        mv   a0, s1
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.undo:  sw   t0, 0(a1)              # not written (a tmpfs without memory): the bit stays clear
        j    .out
.full:  li   a0, -ENOSPC
        j    .out
.corrupt:
        li   a0, -EIO
        j    .out

# bfree(a0 = block, a1 = device) -> a0 = 0, or -EIO if its bit was clear already (a damaged
# disk). A tmpfs block's frame goes back at once (ram_free), as Linux frees a deleted file's
# pages.
bfree:
        push ra
        push a0
        push a1
        call bitmap_word
        blt  a0, zero, .out
        lw   t0, 0(a1)
        and  t1, t0, a2
        beqz t1, .twice
        xor  t0, t0, a2
        sw   t0, 0(a1)
        call bwrite_release
        blt  a0, zero, .out
        lw   t2, 0(sp)
        dev_entry t0, t2, t1
        lw   t1, D_NFREE(t0)
        addi t1, t1, 1
        sw   t1, D_NFREE(t0)
        lw   a1, 0(sp)
        beqz a1, .ok
        lw   a0, 4(sp)
        call ram_free               # tmpfs.s
.ok:    li   a0, 0
.out:   addi sp, sp, 8
        pop  ra
        ret
.twice: call brelse
        li   a0, -EIO
        j    .out

# check_block(a0 = block pointer, a1 = device) -> a0 = it, 0 for none, or -EIO outside the
# data blocks. Clobbers t0, t1.
check_block:
        beqz a0, .ok
        dev_entry t0, a1, t1
        lw   t1, D_SB + SB_DATASTART(t0)
        bltu a0, t1, .bad
        lw   t1, D_SB + SB_SIZE(t0)
        bgeu a0, t1, .bad
.ok:    ret
.bad:   li   a0, -EIO
        ret

# blocks_for(a0 = size in bytes) -> a0 = blocks a file of that size holds (data + indirect).
blocks_for:
        li   t0, BSIZE - 1
        add  a0, a0, t0
        srli a0, a0, 12
        sltiu t0, a0, NDIRECT + 1
        bnez t0, .out
        addi a0, a0, 1
.out:   ret

# ---- inodes ---------------------------------------------------------------------------------

# iget(a0 = inum, a1 = device) -> a0 = its in-memory inode, held (iput it), read from the
# device if it was not cached; -EIO for an inode number outside the table, -ENFILE when the
# table is full.
iget:
        push ra
        push s1
        beqz a0, .range
        dev_entry t0, a1, t1
        lw   t0, D_SB + SB_NINODES(t0)
        bgeu a0, t0, .range
        la   t1, itable             # cached (held, or unheld but still valid)?
        la   t2, itable + NINODE * I_SIZE
        li   s1, 0                  # s1 = first free entry
.find:  lw   t0, I_REF(t1)
        bnez t0, .inuse
        bnez s1, .valid
        mv   s1, t1
.valid: lw   t0, I_VALID(t1)
        beqz t0, .next
.inuse: lw   t0, I_INUM(t1)
        bne  t0, a0, .next
        lw   t0, I_DEV(t1)
        beq  t0, a1, .hit
.next:  addi t1, t1, I_SIZE
        bltu t1, t2, .find
        beqz s1, .full
        mv   t1, s1
        sw   a0, I_INUM(t1)
        sw   a1, I_DEV(t1)
        sw   zero, I_VALID(t1)
.hit:   lw   t0, I_REF(t1)
        addi t0, t0, 1
        sw   t0, I_REF(t1)
        mv   s1, t1
        lw   t0, I_VALID(s1)
        bnez t0, .done
        lw   a0, I_INUM(s1)         # read the on-disk inode into the copy
        lw   a1, I_DEV(s1)
        call inode_block
        blt  a0, zero, .ioerr
        li   t2, 0
.copy:  add  t3, a1, t2
        lw   t3, 0(t3)
        add  t0, s1, t2
        sw   t3, I_DINODE(t0)
        addi t2, t2, 4
        li   t3, DI_SIZEOF
        blt  t2, t3, .copy
        call brelse
        li   t0, 1
        sw   t0, I_VALID(s1)
.done:  mv   a0, s1
.out:   pop  s1
        pop  ra
        ret
.range: li   a0, -EIO
        j    .out
.full:  li   a0, -ENFILE
        j    .out
.ioerr: lw   t0, I_REF(s1)          # give the entry back
        addi t0, t0, -1
        sw   t0, I_REF(s1)
        li   a0, -EIO
        j    .out

# inode_block(a0 = inum, a1 = device) -> a0 = held buffer of its inode-table block, a1 =
# address of the on-disk inode in it; or a0 = -EIO.
inode_block:
        push ra
        push a0
        srli a0, a0, 6              # inum / IPB
        dev_entry t0, a1, t1
        lw   t0, D_SB + SB_INODESTART(t0)
        add  a0, a0, t0
        call bread
        pop  t1
        blt  a0, zero, .out
        andi t1, t1, IPB - 1
        slli t1, t1, 6              # * INODE_SIZE
        lw   a1, B_DATA(a0)
        add  a1, a1, t1
.out:   pop  ra
        ret

# iupdate(a0 = inode) -> a0 = 0 or -EIO: write the copy through to the disk.
iupdate:
        push ra
        push s1
        mv   s1, a0
        lw   a0, I_INUM(s1)
        lw   a1, I_DEV(s1)
        call inode_block
        blt  a0, zero, .out
        li   t2, 0
.copy:  add  t0, s1, t2
        lw   t3, I_DINODE(t0)
        add  t0, a1, t2
        sw   t3, 0(t0)
        addi t2, t2, 4
        li   t3, DI_SIZEOF
        blt  t2, t3, .copy
        call bwrite_release
.out:   pop  s1
        pop  ra
        ret

# idup(a0 = inode) -> a0: one more reference.
idup:
        lw   t0, I_REF(a0)
        addi t0, t0, 1
        sw   t0, I_REF(a0)
        ret

# iput(a0 = inode): drop a reference. The last one to an inode that no directory entry names
# any more frees it: its blocks, then the inode itself (so an unlinked file lives on while it
# is open, as on Linux). Preserves a1-a3 only if it does no I/O (and ends no tmpfs instance);
# callers assume it clobbers.
iput:
        la   t0, ovl_nodes          # an overlay's merged directory: ovl.s lets it go
        bltu a0, t0, .disk
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .disk
        j    ovl_iput
.disk:  lw   t0, I_REF(a0)
        addi t0, t0, -1
        sw   t0, I_REF(a0)
        bnez t0, .out
        lw   t0, I_VALID(a0)
        beqz t0, .last
        lw   t0, I_TYPE(a0)
        beqz t0, .last
        lw   t0, I_NLINK(a0)
        bnez t0, .last
        push ra                     # free it
        push a0
        call itrunc
        lw   a0, 0(sp)
        li   t0, DI_SIZEOF          # the on-disk inode becomes all zeros: T_FREE
        add  t0, t0, a0
        addi t1, a0, 0
.zero:  sw   zero, I_DINODE(t1)
        addi t1, t1, 4
        bltu t1, t0, .zero
        call iupdate
        pop  a0
        pop  ra
.last:  lw   t0, I_DEV(a0)          # the last reference to an inode of a tmpfs: its instance
        bnez t0, tmpfs_iput         # may end now (tmpfs.s)
.out:   ret

# ialloc(a0 = type, a1 = an inode of the device to allocate on, normally the new inode's
# parent directory) -> a0 = a held inode: the lowest free inode of that device, now of that
# type with no links and no blocks; or -ENOSPC when none is free, -EIO.
ialloc:
        push ra
        push s1
        push s2
        push s3
        mv   s2, a0
        lw   s3, I_DEV(a1)          # s3 = the device
        li   s1, 1
.each:  dev_entry t0, s3, t1
        lw   t0, D_SB + SB_NINODES(t0)
        bgeu s1, t0, .full
        mv   a0, s1
        mv   a1, s3
        call inode_block
        blt  a0, zero, .out
        lw   t2, DI_TYPE(a1)        # (brelse keeps t2 and t3)
        call brelse
        beqz t2, .found
        addi s1, s1, 1
        j    .each
.found: mv   a0, s1
        mv   a1, s3
        call iget
        blt  a0, zero, .out
        mv   s1, a0
        addi t1, s1, 0              # zero the copy, set the type, write it
        li   t0, DI_SIZEOF
        add  t0, t0, s1
.zero:  sw   zero, I_DINODE(t1)
        addi t1, t1, 4
        bltu t1, t0, .zero
        sw   s2, I_TYPE(s1)
        mv   a0, s1
        call iupdate
        blt  a0, zero, .fail
        mv   a0, s1
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.full:  li   a0, -ENOSPC
        j    .out
.fail:  push a0
        mv   a0, s1
        call iput
        pop  a0
        j    .out

# itrunc(a0 = inode) -> a0 = 0 or -EIO: free every block, size 0, written through.
itrunc:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0
        li   s2, 0                  # direct blocks
.direct:
        slli t0, s2, 2
        add  t0, t0, s1
        lw   a0, I_ADDRS(t0)
        sw   zero, I_ADDRS(t0)
        lw   a1, I_DEV(s1)
        call check_block
        blt  a0, zero, .fail
        beqz a0, .dnext
        lw   a1, I_DEV(s1)
        call bfree
        blt  a0, zero, .fail
.dnext: addi s2, s2, 1
        li   t0, NDIRECT
        blt  s2, t0, .direct
        lw   a0, I_INDIRECT(s1)     # the indirect block and the blocks it lists
        lw   a1, I_DEV(s1)
        call check_block
        blt  a0, zero, .fail
        beqz a0, .done
        mv   s3, a0
        lw   a1, I_DEV(s1)
        call bread
        blt  a0, zero, .fail
        mv   s2, a0                 # s2 = held indirect buffer
        li   fp, 0
.ind:   lw   t0, B_DATA(s2)
        slli t1, fp, 2
        add  t0, t0, t1
        lw   a0, 0(t0)
        lw   a1, I_DEV(s1)
        call check_block
        blt  a0, zero, .indfail
        beqz a0, .inext
        lw   a1, I_DEV(s1)
        call bfree
        blt  a0, zero, .indfail
.inext: addi fp, fp, 1
        li   t0, NINDIRECT
        blt  fp, t0, .ind
        mv   a0, s2
        call brelse
        mv   a0, s3
        lw   a1, I_DEV(s1)
        call bfree
        blt  a0, zero, .fail
        sw   zero, I_INDIRECT(s1)
.done:  sw   zero, I_ISIZE(s1)
        mv   a0, s1
        call iupdate
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.indfail:
        push a0
        mv   a0, s2
        call brelse
        pop  a0
.fail:  push a0                     # write what was freed so far; report the error
        mv   a0, s1
        call iupdate
        pop  a0
        j    .out

# ---- file data ------------------------------------------------------------------------------

# bmap(a0 = inode, a1 = block index in the file, a2 = 1: allocate if missing) -> a0 = the
# block on the inode's device (0: none and not allocating), a1 = 1 if it was just allocated
# (its old contents are garbage); or a0 = -EIO / -ENOSPC / -EFBIG (-ENOMEM: a tmpfs block got
# no frame).
bmap:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
        lw   fp, I_DEV(s1)          # fp = the device
        li   t0, NDIRECT
        bgeu s2, t0, .indirect
        slli t0, s2, 2              # a direct block
        add  t0, t0, s1
        lw   a0, I_ADDRS(t0)
        mv   a1, fp
        call check_block
        bnez a0, .old
        beqz s3, .old
        mv   a0, fp
        call balloc
        blt  a0, zero, .out
        slli t0, s2, 2
        add  t0, t0, s1
        sw   a0, I_ADDRS(t0)
        push a0
        mv   a0, s1
        call iupdate
        mv   t0, a0
        pop  a0
        blt  t0, zero, .err
.new:   li   a1, 1
        j    .out
.old:   li   a1, 0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.err:   mv   a0, t0
        j    .out
.big:   li   a0, -EFBIG
        j    .out
.indirect:
        addi s2, s2, -NDIRECT
        li   t0, NINDIRECT
        bgeu s2, t0, .big
        lw   a0, I_INDIRECT(s1)
        mv   a1, fp
        call check_block
        blt  a0, zero, .out
        bnez a0, .haveind
        beqz s3, .old               # no indirect block: no block
        mv   a0, fp
        call balloc                 # a new indirect block, all zeros
        blt  a0, zero, .out
        sw   a0, I_INDIRECT(s1)
        mv   a1, fp
        call bzero_get
        blt  a0, zero, .out
        call bwrite_release
        blt  a0, zero, .out
        mv   a0, s1
        call iupdate
        blt  a0, zero, .out
        lw   a0, I_INDIRECT(s1)
.haveind:
        mv   a1, fp
        call bread
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held indirect buffer (the inode is not needed now)
        lw   t0, B_DATA(s1)
        slli t1, s2, 2
        add  s2, t0, t1             # s2 = address of the entry
        lw   a0, 0(s2)
        mv   a1, fp
        call check_block
        bnez a0, .indold
        beqz s3, .indold
        mv   a0, fp
        call balloc
        blt  a0, zero, .indold
        sw   a0, 0(s2)
        push a0
        mv   a0, s1
        call bwrite_release
        mv   t0, a0
        pop  a0
        blt  t0, zero, .err
        j    .new
.indold:
        push a0
        mv   a0, s1
        call brelse
        pop  a0
        j    .old

# data_buffer(a0 = inode, a1 = byte offset, a2 = 1: allocate) -> a0 = held buffer of the block
# holding that byte; -EIO if the file has no block there (a file larger than its blocks) and
# a2 = 0, or bmap's error. While io_direct is set (a read with O_DIRECT) the block is read from
# the disk even if the cache holds it.
data_buffer:
        push ra
        lw   t0, I_DEV(a0)
        push t0                     # the inode's device
        srli a1, a1, 12
        call bmap
        blt  a0, zero, .out
        beqz a0, .hole
        mv   t1, a1
        lw   a1, 0(sp)
        beqz t1, .read
        call bzero_get
        j    .out
.read:  la   t0, io_direct
        lw   t0, 0(t0)
        bnez t0, .direct
        call bread
        j    .out
.direct:
        call bget                   # forget what the buffer holds, then read it
        blt  a0, zero, .out
        sw   zero, B_VALID(a0)
        call bread_held
        j    .out
.hole:  li   a0, -EIO
.out:   addi sp, sp, 4
        pop  ra
        ret

# readi(a0 = inode, a1 = user address, a2 = byte offset, a3 = count) -> a0 = bytes copied to
# the user (fewer at the end of the file, or where the user buffer runs into memory the process
# may not write), or -EFAULT (not one byte could be) / -EIO.
readi:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0
        mv   s2, a1                 # s2 = user address
        mv   s3, a2                 # s3 = offset
        lw   t0, I_ISIZE(s1)        # count = min(count, size - offset), or 0 past the end
        li   t1, MAXFILE
        bgtu t0, t1, .corrupt
        li   fp, 0                  # fp = bytes done
        li   a0, 0
        bgeu s3, t0, .out
        sub  t0, t0, s3
        bleu a3, t0, .count
        mv   a3, t0
.count: push a3                     # 0(sp) = count
.block: lw   t0, 0(sp)
        bgeu fp, t0, .end
        mv   a0, s1
        mv   a1, s3
        li   a2, 0
        call data_buffer
        blt  a0, zero, .fail
        push a0                     # 0(sp) = buffer, 4(sp) = count
        andi t1, s3, BSIZE - 1      # n = min(count - done, BSIZE - offset % BSIZE)
        li   t0, BSIZE
        sub  a2, t0, t1
        lw   t0, 4(sp)
        sub  t0, t0, fp
        bleu a2, t0, .n
        mv   a2, t0
.n:     lw   a0, B_DATA(a0)
        add  a0, a0, t1
        mv   a1, s2
        push a2
        call copy_out               # to the user (or, for exec, to the kernel)
        pop  a2
        mv   t2, a0                 # bytes copied
        pop  a0
        push t2
        push a2
        call brelse
        pop  a2
        pop  t2
        add  fp, fp, t2
        add  s2, s2, t2
        add  s3, s3, t2
        beq  t2, a2, .block         # fewer: the user buffer faulted, stop short
.end:   pop  t0                     # the count
        mv   a0, fp
        bnez fp, .out
        beqz t0, .out
        li   a0, -EFAULT            # a count, yet not one byte: the buffer is bad
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.fail:  addi sp, sp, 4              # the count
        beqz fp, .out               # an error before any byte: report it
        mv   a0, fp                 # after some bytes: report those
        j    .out
.corrupt:
        li   a0, -EIO
        j    .out

# copy_out(a0 = kernel source, a1 = destination, a2 = count) -> a0 = bytes copied: to the
# process's memory, or while io_to_kernel is set (readi_kernel, exec.s) to kernel memory.
copy_out:
        la   t0, io_to_kernel
        lw   t0, 0(t0)
        bnez t0, .kernel
        li   a3, 1
        j    copy_user
.kernel:
        push ra
        push a2
        mv   t1, a0
        mv   a0, a1
        mv   a1, t1
        call copy_bytes
        pop  a0
        pop  ra
        ret

# writei(a0 = inode, a1 = user address, a2 = byte offset, a3 = count) -> a0 = bytes written
# (fewer if the user buffer runs into memory the process may not read), or -errno. All or
# nothing for space: -ENOSPC before anything changes when the disk has too few free blocks for
# the whole write (and -EFBIG past MAXFILE). An offset past the end fills the gap with zeros.
writei:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
        li   t0, MAXFILE            # offset + count <= MAXFILE
        bgtu a3, t0, .big
        sub  t0, t0, a3
        bgtu s3, t0, .big
        push a3                     # 0(sp) = count
        lw   a0, I_ISIZE(s1)        # blocks needed: blocks_for(max(size, end)) - blocks_for(size)
        li   t0, MAXFILE
        bgtu a0, t0, .corrupt
        call blocks_for
        mv   fp, a0
        add  a0, s3, a3
        lw   t0, I_ISIZE(s1)
        bgeu a0, t0, .grow
        mv   a0, t0
.grow:  call blocks_for
        sub  a0, a0, fp
        lw   t1, I_DEV(s1)          # the free blocks of the file's device
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        bgtu a0, t0, .nospc
        lw   t0, I_ISIZE(s1)        # a gap between the end and the offset: zeros first
        bgeu t0, s3, .data
        mv   a0, s1
        mv   a1, t0
        sub  a2, s3, t0
        call zero_fill
        blt  a0, zero, .fail
.data:  li   fp, 0                  # fp = bytes done
.block: lw   t0, 0(sp)
        bgeu fp, t0, .end
        mv   a0, s1
        mv   a1, s3
        li   a2, 1
        call data_buffer
        blt  a0, zero, .fail
        push a0
        andi t1, s3, BSIZE - 1
        li   t0, BSIZE
        sub  a2, t0, t1
        lw   t0, 4(sp)
        sub  t0, t0, fp
        bleu a2, t0, .n
        mv   a2, t0
.n:     lw   a0, B_DATA(a0)
        add  a0, a0, t1
        mv   a1, s2
        push a2
        li   a3, 0                  # user to kernel
        call copy_user
        pop  a2
        mv   t2, a0
        lw   a0, 0(sp)
        push t2
        push a2
        call bwrite                 # dirty, even if only part came in
        mv   t3, a0
        lw   a0, 8(sp)
        call brelse
        pop  a2
        pop  t2
        addi sp, sp, 4              # the buffer
        blt  t3, zero, .fail
        add  fp, fp, t2
        add  s2, s2, t2
        add  s3, s3, t2
        lw   t0, I_ISIZE(s1)        # the file grows as the bytes land
        bleu s3, t0, .sized
        sw   s3, I_ISIZE(s1)
.sized: bne  t2, a2, .end           # a fault in the user buffer: stop short
        j    .block
.end:   mv   a0, s1
        call iupdate
        blt  a0, zero, .fail
        mv   a0, fp
        bnez fp, .ret
        lw   t0, 0(sp)              # nothing written of a non-zero count: the first byte faulted
        beqz t0, .ret
        li   a0, -EFAULT
.ret:   addi sp, sp, 4
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.big:   li   a0, -EFBIG
        j    .out
.nospc: li   a0, -ENOSPC
        j    .ret
.corrupt:
        li   a0, -EIO
        j    .ret
.fail:  push a0                     # keep the size the bytes reached, report the error
        mv   a0, s1
        call iupdate
        pop  a0
        j    .ret

# zero_fill(a0 = inode, a1 = offset = its size, a2 = count) -> a0 = 0 or -errno: append count
# zero bytes (the gap a write past the end leaves). Space was counted by the caller.
zero_fill:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        add  s3, a1, a2             # s3 = end
.block: bgeu s2, s3, .done
        mv   a0, s1
        mv   a1, s2
        li   a2, 1
        call data_buffer
        blt  a0, zero, .out
        andi t1, s2, BSIZE - 1      # n = min(end - pos, BSIZE - pos % BSIZE)
        li   t0, BSIZE
        sub  t2, t0, t1
        sub  t0, s3, s2
        bleu t2, t0, .n
        mv   t2, t0
.n:     lw   t0, B_DATA(a0)
        add  t0, t0, t1
        add  t3, t0, t2
.zero:  bgeu t0, t3, .zeroed
        sb   zero, 0(t0)
        addi t0, t0, 1
        j    .zero
.zeroed:
        add  s2, s2, t2
        call bwrite_release
        blt  a0, zero, .out
        sw   s2, I_ISIZE(s1)
        j    .block
.done:  mv   a0, s1
        call iupdate
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ---- directories ----------------------------------------------------------------------------

# dir_entry(a0 = directory, a1 = byte offset of an entry) -> a0 = held buffer, a1 = address of
# the entry in it; or a0 = -EIO, also for an offset that is not a whole entry's (a directory
# whose size is not a multiple of DIRENT_SIZE: a damaged disk).
dir_entry:
        andi t0, a1, DIRENT_SIZE - 1
        beqz t0, .aligned
        li   a0, -EIO
        ret
.aligned:
        push ra
        push a1
        li   a2, 0
        call data_buffer
        pop  t1
        blt  a0, zero, .out
        andi t1, t1, BSIZE - 1
        lw   a1, B_DATA(a0)
        add  a1, a1, t1
.out:   pop  ra
        ret

# dirlookup(a0 = directory, a1 = name: NAME_MAX + 1 bytes, zero padded) -> a0 = inum of the
# entry with that name (0: none), a1 = its byte offset; or a0 = -EIO.
dirlookup:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        li   s3, 0                  # s3 = offset
        lw   t0, I_ISIZE(s1)
        li   t1, MAXFILE
        bgtu t0, t1, .corrupt
.each:  lw   t0, I_ISIZE(s1)
        addi t1, s3, DIRENT_SIZE
        bgtu t1, t0, .none
        mv   a0, s1
        mv   a1, s3
        call dir_entry
        blt  a0, zero, .out
        lw   t0, DE_INUM(a1)
        beqz t0, .skip
        li   t2, 0                  # compare the 28 name bytes, a word at a time
.cmp:   add  t0, a1, t2
        lw   t0, DE_NAME(t0)
        add  t3, s2, t2
        lw   t3, 0(t3)
        bne  t0, t3, .skip
        addi t2, t2, 4
        li   t3, DE_SIZEOF - DE_NAME
        blt  t2, t3, .cmp
        lw   s2, DE_INUM(a1)        # found
        call brelse
        mv   a0, s2
        mv   a1, s3
        j    .out
.skip:  call brelse
        addi s3, s3, DIRENT_SIZE
        j    .each
.none:  li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.corrupt:
        li   a0, -EIO
        j    .out

# dir_lookup_inode(a0 = directory, a1 = name) -> a0 = held inode of the entry, 0 if there is
# none, or -errno; a1 = the entry's offset. EIO if the entry names a free inode.
dir_lookup_inode:
        push ra
        call ovl_is_node            # an overlay's merged directory: ovl.s searches its layers
        beqz t0, .disk
        call ovl_lookup
        j    .out
.disk:  lw   t0, I_DEV(a0)          # (an entry names an inode of its directory's device)
        push t0
        call dirlookup
        pop  t0
        ble  a0, zero, .out
        push a1
        mv   a1, t0
        call iget
        pop  a1
        blt  a0, zero, .out
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        beq  t0, t1, .out
        li   t1, T_FILE
        beq  t0, t1, .out
        call iput                   # a free (or unknown) inode: the disk is damaged
        li   a0, -EIO
.out:   pop  ra
        ret

# dir_free_slot(a0 = directory) -> a0 = the offset of the first free entry after `.` and `..`,
# or its size (the entry goes at the end); or -EIO.
dir_free_slot:
        push ra
        push s1
        push s2
        mv   s1, a0
        li   s2, 2 * DIRENT_SIZE
.each:  lw   t0, I_ISIZE(s1)
        addi t1, s2, DIRENT_SIZE
        bgtu t1, t0, .end
        mv   a0, s1
        mv   a1, s2
        call dir_entry
        blt  a0, zero, .out
        lw   t2, DE_INUM(a1)
        call brelse
        beqz t2, .found
        addi s2, s2, DIRENT_SIZE
        j    .each
.end:   lw   s2, I_ISIZE(s1)
.found: mv   a0, s2
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# link_cost(a0 = directory) -> a0 = blocks a new entry needs (0 if a slot is free), or
# -ENOSPC when the directory cannot grow, -EIO.
link_cost:
        push ra
        push s1
        mv   s1, a0
        call dir_free_slot
        blt  a0, zero, .out
        lw   t0, I_ISIZE(s1)
        bltu a0, t0, .free
        addi a0, t0, DIRENT_SIZE
        li   t1, MAXFILE
        bgtu a0, t1, .full
        call blocks_for
        push a0
        lw   a0, I_ISIZE(s1)
        call blocks_for
        pop  t0
        sub  a0, t0, a0
        j    .out
.free:  li   a0, 0
.out:   pop  s1
        pop  ra
        ret
.full:  li   a0, -ENOSPC
        j    .out

# dirlink(a0 = directory, a1 = name (zero padded), a2 = inum) -> a0 = 0 or -errno: a new entry
# in the first free slot, or at the end. The caller checked the space (link_cost).
dirlink:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
        call dir_free_slot
        blt  a0, zero, .out
        mv   fp, a0                 # fp = offset
        andi t0, fp, DIRENT_SIZE - 1
        li   a0, -EIO               # a size that is not whole entries: a damaged disk
        bnez t0, .out
        mv   a0, s1
        mv   a1, fp
        li   a2, 1
        call data_buffer
        blt  a0, zero, .out
        andi t1, fp, BSIZE - 1
        lw   t0, B_DATA(a0)
        add  t0, t0, t1             # t0 = the entry
        sw   s3, DE_INUM(t0)
        li   t2, 0
.name:  add  t3, s2, t2
        lw   t3, 0(t3)
        add  t1, t0, t2
        sw   t3, DE_NAME(t1)
        addi t2, t2, 4
        li   t3, DE_SIZEOF - DE_NAME
        blt  t2, t3, .name
        call bwrite_release
        blt  a0, zero, .out
        lw   t0, I_ISIZE(s1)        # a new entry at the end grows the directory
        bltu fp, t0, .done
        addi t0, fp, DIRENT_SIZE
        sw   t0, I_ISIZE(s1)
        mv   a0, s1
        call iupdate
        blt  a0, zero, .out
.done:  li   a0, 0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# dir_set_inum(a0 = directory, a1 = entry offset, a2 = inum) -> a0 = 0 or -EIO: point an
# existing entry at another inode (0 frees the entry).
dir_set_inum:
        push ra
        push a2
        call dir_entry
        pop  a2
        blt  a0, zero, .out
        sw   a2, DE_INUM(a1)
        call bwrite_release
.out:   pop  ra
        ret

# dir_is_empty(a0 = directory) -> a0 = 1 if only `.` and `..` are left, 0 if not, or -EIO.
dir_is_empty:
        push ra
        push s1
        push s2
        mv   s1, a0
        li   s2, 2 * DIRENT_SIZE
.each:  lw   t0, I_ISIZE(s1)
        addi t1, s2, DIRENT_SIZE
        bgtu t1, t0, .empty
        mv   a0, s1
        mv   a1, s2
        call dir_entry
        blt  a0, zero, .out
        lw   t2, DE_INUM(a1)
        call brelse
        bnez t2, .full
        addi s2, s2, DIRENT_SIZE
        j    .each
.empty: li   a0, 1
        j    .out
.full:  li   a0, 0
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# ---- paths ----------------------------------------------------------------------------------

# fetch_path(a0 = kernel buffer of PATH_MAX bytes, a1 = user address of a path) -> a0 = its
# length, or -EFAULT / -ENAMETOOLONG / -ENOENT (an empty path). The whole path is checked
# before anything is looked up: a component longer than NAME_MAX is ENAMETOOLONG wherever it
# is (as in src/fs/image.ts's parsePath).
fetch_path:
        push ra
        push a0
        call copy_string
        pop  t0
        blt  a0, zero, .out
        beqz a0, .empty
        li   t1, 0                  # t1 = length of the component so far
.scan:  lbu  t2, 0(t0)
        beqz t2, .out
        addi t0, t0, 1
        addi t2, t2, -'/'
        bnez t2, .char
        li   t1, 0
        j    .scan
.char:  addi t1, t1, 1
        li   t2, NAME_MAX
        bleu t1, t2, .scan
        li   a0, -ENAMETOOLONG
.out:   pop  ra
        ret
.empty: li   a0, -ENOENT
        pop  ra
        ret

# next_name(a0 = path position, a1 = name buffer) -> a0 = position after the next component
# and its slashes, with the component copied into the name buffer zero padded; a0 = 0 when no
# component is left; -ENAMETOOLONG for a component longer than NAME_MAX.
next_name:
.slash: lbu  t0, 0(a0)              # skip slashes
        li   t1, '/'
        bne  t0, t1, .start
        addi a0, a0, 1
        j    .slash
.start: beqz t0, .none
        li   t2, 0                  # t2 = length
.copy:  lbu  t0, 0(a0)
        beqz t0, .pad
        li   t1, '/'
        beq  t0, t1, .pad
        li   t1, NAME_MAX
        bgeu t2, t1, .long
        add  t1, a1, t2
        sb   t0, 0(t1)
        addi t2, t2, 1
        addi a0, a0, 1
        j    .copy
.pad:   li   t1, NAME_MAX + 1       # zero padding to 28 bytes
        bgeu t2, t1, .skip
        add  t3, a1, t2
        sb   zero, 0(t3)
        addi t2, t2, 1
        j    .pad
.skip:  lbu  t0, 0(a0)              # and the slashes after it
        li   t1, '/'
        bne  t0, t1, .out
        addi a0, a0, 1
        j    .skip
.out:   ret
.none:  li   a0, 0
        ret
.long:  li   a0, -ENAMETOOLONG
        ret

# namex(a0 = path in kernel memory, a1 = 1: stop at the parent, a2 = name buffer) -> a0 = held
# inode: the path's, or with a1 = 1 the directory holding its last component, whose name is
# left in the name buffer (an empty name for `/`); or -errno. namex_mnt is left holding the
# mount the result is in (vfs.s). An absolute path starts at the process's root (P_ROOT), a
# relative one at its current directory (P_CWD), each in its mount; `.` or `..` met at the
# process's root leaves the walk there (Linux's chroot: a walk that never passes through the
# root, from a current directory outside it, is not stopped). Mounts are crossed as Linux does
# (vfs.s): down into a mount that covers a directory the walk reaches by name, and up from the
# root of a mount to its mountpoint before a `..`; the namespace's root is its own parent.
namex:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s2, a0                 # s2 = position in the path
        mv   s3, a1
        mv   fp, a2
        sb   zero, 0(fp)            # no last component yet
        lbu  t0, 0(s2)
        addi t0, t0, -'/'
        sltiu a0, t0, 1             # absolute: from the root (1), else the current directory
        call proc_dir               # vfs.s: a0 = held inode, a1 = its mount
        mv   s1, a0                 # s1 = held inode so far
        la   t0, namex_mnt
        sw   a1, 0(t0)
.walk:  mv   a0, s2
        mv   a1, fp
        call next_name
        blt  a0, zero, .fail
        beqz a0, .end
        mv   s2, a0
        lw   t0, I_TYPE(s1)         # only a directory has components
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .fail
        beqz s3, .down
        lbu  t0, 0(s2)              # the last component, for the parent: stop here
        beqz t0, .parent
.down:  mv   a0, fp
        call is_dot
        beqz a0, .look
        li   a0, 1                  # `..` (and `.`) at the process's root stays there
        call proc_dir_raw
        bne  a0, s1, .dots
        la   t0, namex_mnt
        lw   t0, 0(t0)
        beq  t0, a1, .walk
.dots:  lbu  t0, 1(fp)              # `..` at the root of a mount: first up to its mountpoint
        beqz t0, .look
        mv   a0, s1
        la   a1, namex_mnt
        lw   a1, 0(a1)
        call mnt_up
        mv   s1, a0
        la   t0, namex_mnt
        sw   a1, 0(t0)
        lw   t0, M_ROOT(a1)         # still a mount's root: the namespace's, its own parent
        beq  t0, s1, .walk
.look:  mv   a0, s1
        mv   a1, fp
        call dir_lookup_inode
        blt  a0, zero, .fail
        beqz a0, .missing
        push a0
        mv   a0, s1
        call iput
        pop  s1
        mv   a0, fp                 # a name (not `.` or `..`): into a mount that covers it
        call is_dot
        bnez a0, .walk
        mv   a0, s1
        call mnt_cross
        mv   s1, a0
        j    .walk
.end:   beqz s3, .found             # a path without components (`/`) has no parent entry
.parent:
.found: mv   a0, s1
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.missing:
        li   a0, -ENOENT
.fail:  push a0
        mv   a0, s1
        call iput
        pop  a0
        j    .out

msg_nofs:    .asciz "kernel: disk: no filesystem mounted ("
msg_badmagic: .asciz "bad magic"
msg_badsb:   .asciz "bad superblock"
msg_badroot: .asciz "the root is not a directory"
msg_ioerr:   .asciz "read error"
msg_close_paren: .asciz ")\n"
        .align 4
