# ovl.s: the overlay filesystem (docs/containers.md, "Overlay"), Linux's overlayfs
# (Documentation/filesystems/overlayfs.rst) with the OCI image layers' whiteouts.
#
#   mount("lowerdir=/l2:/l1,upperdir=/u,workdir=/w", "/merged", "overlay", 0)
#
# shows at /merged the UNION of the directories /u (the upper layer: where changes go) and /l2,
# /l1 (lower layers, read-only; the first listed is the top one). Layers are ordinary
# directories of the caller's tree. A name in the merged tree is the name in the topmost layer
# that holds it; below a layer that
#
#   holds `.wh.NAME`            NAME is whited out: the layers below do not show it
#   holds a directory NAME      with `.wh..wh..opq` inside, that directory is OPAQUE: the
#                               directories NAME of the layers below do not merge into it
#   holds a non-directory NAME  the layers below do not show NAME (nothing merges into a file)
#
# These are the OCI image-spec's names (Linux's overlayfs uses a character device 0/0 as the
# whiteout and an xattr trusted.overlay.opaque; its image tools translate): ringlab keeps the
# .wh. files in the layers themselves, upper included, and the merged view hides every name
# that starts with `.wh.` (so such names cannot be created through an overlay: EINVAL).
#
# Data structures. An overlay mount is an entry of vfs.s's mount_table whose root (M_ROOT) is
# the root NODE of an overlay INSTANCE (ovl_table, OV_*: its options, its counters). A node
# (ovl_nodes, ON_*) is a MERGED DIRECTORY: it begins with the fields of an in-memory inode
# (I_REF, I_TYPE T_DIR, I_NLINK, I_INUM = OVL_INUM + its index), so the path walk (namex), the
# current directory, a mount's root or mountpoint and an open directory hold it and let it go
# (idup, iput) as they do a disk inode; after them come its directory in each layer (ON_DIRS:
# slot 0 the upper, slot i lower layer i; held, or 0 where that layer has none), its parent
# node (held; 0 for the root) and its name. A few hooks, each one commented, send the
# directory operations on a node here: dir_lookup_inode (fs.s) -> ovl_lookup, iput -> ovl_iput,
# getdents -> ovl_getdents (from a snapshot the open file holds), dir_name_of (getcwd) -> ovl_name_of, stat -> the real directory.
# One merged directory has one node while anything holds it (a lookup finds the node its
# parent already has), so the comparisons the walk makes (is this the process's root? a
# mountpoint?) hold for it as for inodes.
#
# A NON-DIRECTORY is not merged: a lookup gives the REAL inode of the topmost layer holding the
# name (as Linux's overlayfs did before 4.19: opening a file gives the file of its layer, and
# fstat shows that layer's inode number).
#
# Lookup of a name in a merged directory searches slot 0, 1, 2, ... and stops at a whiteout, an
# opaque directory or a file: its cost grows with the layers searched, counted in the
# instance's OV_LOOKUPS (one per layer directory searched), which mountstats prints.
#
# CHANGES go to the upper layer (ovl_open, ovl_create, ovl_remove, ovl_rename below): the
# directory chain is copied up first where upper lacks it; a lower file opened for writing is
# COPIED UP whole (counted: OV_COPYUPS, OV_COPIED); a new name goes in upper (a directory made
# over a whiteout is opaque); removing a name a lower layer shows leaves a whiteout; a
# directory's rename is EXDEV (Linux's answer without redirect_dir).
#
# Without upperdir the mount is read-only (MS_RDONLY: EROFS for every change, as Linux).
# workdir is accepted (a directory) and unused: Linux stages a copy-up there so that a crash
# never leaves half a file in upper; ringlab's copy-up runs under the filesystem lock.

        .equ ON_INST, I_SIZE                # the instance (0: the node is free)
        .equ ON_PARENT, I_SIZE + 4          # the parent node (held), 0 for the root
        .equ OVL_SLOTS, OVL_MAX_LOWER + 1   # slot 0: upper, slot i: lower layer i
        .equ ON_DIRS, I_SIZE + 8            # the directory in each layer (held, or 0)
        .equ ON_NAME, ON_DIRS + 4 * OVL_SLOTS   # its name in the parent, zero padded
        .equ ON_SIZE, 160
        .equ OVL_INUM, 0x40000000           # a node's I_INUM: OVL_INUM + its index (no disk
                                            # inode has it: iget never finds a node)

        .equ OV_ROOT, 0                     # the root node (0: the instance is free)
        .equ OV_NLOWER, 4                   # lower layers
        .equ OV_COPYUPS, 8                  # files copied up
        .equ OV_COPIED, 12                  # bytes they held
        .equ OV_LOOKUPS, 16                 # OVL_SLOTS words: names searched for in each layer
        .equ OV_OPTS, OV_LOOKUPS + 4 * OVL_SLOTS    # the options as given (mounts lists them)
        .equ OV_SIZE, OV_OPTS + OVL_OPTS_MAX

# ---- nodes ----------------------------------------------------------------------------------

# ovl_is_node(a0 = inode or node) -> t0 = 1 when it is an overlay node, else 0. Clobbers t0 only.
ovl_is_node:
        la   t0, ovl_nodes
        bltu a0, t0, .no
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .no
        li   t0, 1
        ret
.no:    li   t0, 0
        ret

# ovl_real(a0 = inode or node) -> a0 = the inode stat describes: a node's topmost real directory
# (Linux's overlayfs, too, shows the upper or top lower directory's attributes). Clobbers t0, t1.
ovl_real:
        la   t0, ovl_nodes
        bltu a0, t0, .out
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .out
        addi t0, a0, ON_DIRS
.each:  lw   t1, 0(t0)
        addi t0, t0, 4
        beqz t1, .each              # a node has a directory in at least one layer
        mv   a0, t1
.out:   ret

# ovl_iput(a0 = node): iput of a node (fs.s sends it here). The last reference frees it: its
# layers' directories and its parent are let go; the root's instance goes with it (umount).
ovl_iput:
        lw   t0, I_REF(a0)
        addi t0, t0, -1
        sw   t0, I_REF(a0)
        beqz t0, .last
        ret
.last:  push ra
        push s1
        push s2
        mv   s1, a0
        li   s2, 0
.slot:  slli t0, s2, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .next
        sw   zero, ON_DIRS(t0)
        call iput
.next:  addi s2, s2, 1
        li   t0, OVL_SLOTS
        blt  s2, t0, .slot
        lw   s2, ON_PARENT(s1)
        sw   zero, ON_PARENT(s1)
        bnez s2, .free
        lw   t0, ON_INST(s1)        # the root: the instance is free again
        sw   zero, OV_ROOT(t0)
.free:  sw   zero, ON_INST(s1)
        sw   zero, I_NLINK(s1)
        beqz s2, .out
        mv   a0, s2
        call iput
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# ovl_node_alloc(a0 = instance, a1 = parent node or 0) -> a0 = a free node, now one reference,
# a merged directory of that instance (no layer yet, an empty name), holding its parent; or
# -ENFILE when NOVLNODE are in use. Clobbers t0-t3.
ovl_node_alloc:
        la   t0, ovl_nodes
        la   t1, ovl_nodes + ON_SIZE * NOVLNODE
.find:  lw   t2, ON_INST(t0)
        beqz t2, .found
        addi t0, t0, ON_SIZE
        bltu t0, t1, .find
        li   a0, -ENFILE
        ret
.found: addi t2, t0, 4              # zero all but I_INUM
        addi t3, t0, ON_SIZE
.zero:  sw   zero, 0(t2)
        addi t2, t2, 4
        bltu t2, t3, .zero
        la   t2, ovl_nodes
        sub  t2, t0, t2
        li   t3, ON_SIZE
        divu t2, t2, t3
        li   t3, OVL_INUM
        add  t2, t2, t3
        sw   t2, I_INUM(t0)
        li   t2, 1
        sw   t2, I_REF(t0)
        sw   t2, I_VALID(t0)
        li   t2, T_DIR
        sw   t2, I_TYPE(t0)
        li   t2, 2
        sw   t2, I_NLINK(t0)
        sw   a0, ON_INST(t0)
        sw   a1, ON_PARENT(t0)
        beqz a1, .done
        lw   t2, I_REF(a1)
        addi t2, t2, 1
        sw   t2, I_REF(a1)
.done:  mv   a0, t0
        ret

# ---- names ------------------------------------------------------------------------------------

# ovl_is_wh(a0 = name) -> a0 = 1 when it starts with `.wh.` (a whiteout or the opaque marker:
# never shown, never created through an overlay), else 0. Clobbers t0, t1.
ovl_is_wh:
        lbu  t0, 0(a0)
        li   t1, '.'
        bne  t0, t1, .no
        lbu  t0, 1(a0)
        li   t1, 'w'
        bne  t0, t1, .no
        lbu  t0, 2(a0)
        li   t1, 'h'
        bne  t0, t1, .no
        lbu  t0, 3(a0)
        li   t1, '.'
        bne  t0, t1, .no
        li   a0, 1
        ret
.no:    li   a0, 0
        ret

# ovl_wh_of(a0 = name) -> a0 = ovl_whname holding `.wh.NAME` zero padded, or 0 when NAME is
# longer than NAME_MAX - 4 (it can have no whiteout: such a name of a lower layer cannot be
# removed through the overlay, ENAMETOOLONG). Clobbers t0-t2.
ovl_wh_of:
        la   t0, ovl_whname
        li   t1, '.'
        sb   t1, 0(t0)
        sb   t1, 3(t0)
        li   t1, 'w'
        sb   t1, 1(t0)
        li   t1, 'h'
        sb   t1, 2(t0)
        addi t0, t0, 4              # t0 = where NAME goes
        la   t2, ovl_whname + NAME_MAX
.copy:  lbu  t1, 0(a0)
        beqz t1, .pad
        bgeu t0, t2, .long
        sb   t1, 0(t0)
        addi t0, t0, 1
        addi a0, a0, 1
        j    .copy
.pad:   la   t2, ovl_whname + NAME_MAX + 1
.zero:  bgeu t0, t2, .done
        sb   zero, 0(t0)
        addi t0, t0, 1
        j    .zero
.done:  la   a0, ovl_whname
        ret
.long:  li   a0, 0
        ret

# ovl_has_wh(a0 = a layer's directory, a1 = name) -> a0 = 1 when the directory holds `.wh.NAME`,
# 0 when not, or -EIO.
ovl_has_wh:
        push ra
        push a0
        mv   a0, a1
        call ovl_wh_of
        mv   a1, a0
        pop  a0
        beqz a1, .none
        call dirlookup
        blt  a0, zero, .out
        sltu a0, zero, a0
.out:   pop  ra
        ret
.none:  li   a0, 0
        pop  ra
        ret

# ovl_is_opaque(a0 = a layer's directory) -> a0 = 1 when it holds `.wh..wh..opq`, 0, -EIO.
ovl_is_opaque:
        push ra
        la   a1, ovl_opq_name
        call dirlookup
        blt  a0, zero, .out
        sltu a0, zero, a0
.out:   pop  ra
        ret

# ---- lookup -----------------------------------------------------------------------------------

# ovl_found_put(): let go of the directories ovl_found holds (a lookup or a mount that failed
# half way), each slot 0 again. Clobbers a0-a3, t0-t3 (as iput does).
ovl_found_put:
        push ra
        push s1
        li   s1, 0
.slot:  slli t0, s1, 2
        la   t1, ovl_found
        add  t1, t1, t0
        lw   a0, 0(t1)
        sw   zero, 0(t1)
        beqz a0, .next
        call iput
.next:  addi s1, s1, 1
        li   t0, OVL_SLOTS
        blt  s1, t0, .slot
        pop  s1
        pop  ra
        ret

# ovl_lookup(a0 = node, a1 = name) -> a0 = held inode or node, 0 when the merged directory has
# no such name, or -errno: dir_lookup_inode for a merged directory (fs.s sends it here). `.` is
# the node, `..` its parent (the root's `..` is itself: the walk climbs out of a mount before
# asking, vfs.s). A name is searched for in each layer from the top (slot 0, the upper) down:
#   found, not a directory   the answer if nothing was found above (the real inode), and in
#                            any case the end of the search
#   found, a directory       one layer of the merged directory; an opaque one ends the search
#   absent, `.wh.NAME` there the end of the search (whited out)
# A directory's answer is its node: the one its parent already has (given the layers just
# found), or a new one.
ovl_lookup:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = node
        mv   s2, a1                 # s2 = name
        mv   a0, s2
        call is_dot
        bnez a0, .dots
        mv   a0, s2
        call ovl_is_wh              # whiteouts are not names of the merged tree
        bnez a0, .none
        la   t0, ovl_found
        addi t1, t0, 4 * OVL_SLOTS
.clr:   sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .clr
        li   s3, 0                  # s3 = slot
        li   fp, 0                  # fp = the topmost entry found (held)
.layer: slli t0, s3, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .next
        la   t0, ovl_cur
        sw   a0, 0(t0)
        lw   t0, ON_INST(s1)        # one more search in this layer
        slli t1, s3, 2
        add  t0, t0, t1
        lw   t1, OV_LOOKUPS(t0)
        addi t1, t1, 1
        sw   t1, OV_LOOKUPS(t0)
        mv   a1, s2
        call dir_lookup_inode
        blt  a0, zero, .fail
        bnez a0, .entry
        la   a0, ovl_cur            # absent: whited out here?
        lw   a0, 0(a0)
        mv   a1, s2
        call ovl_has_wh
        blt  a0, zero, .fail
        bnez a0, .done
        j    .next
.entry: lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        beq  t0, t1, .isdir
        bnez fp, .below             # a file: the answer, unless a directory is above it
        mv   fp, a0
        mv   a0, s1                 # remembered for open's copy-up (ovl_open)
        mv   a1, s2
        mv   a2, s3
        mv   a3, fp
        call ovl_remember
        j    .ret
.below: call iput
        j    .done
.isdir: slli t0, s3, 2
        la   t1, ovl_found
        add  t0, t0, t1
        sw   a0, 0(t0)
        bnez fp, .opq
        mv   fp, a0
.opq:   call ovl_is_opaque
        blt  a0, zero, .fail
        bnez a0, .done
.next:  addi s3, s3, 1
        li   t0, OVL_SLOTS
        blt  s3, t0, .layer
.done:  beqz fp, .none
        la   t0, ovl_nodes          # a directory: its node, if its parent has it already
        la   t1, ovl_nodes + ON_SIZE * NOVLNODE
.find:  lw   t2, ON_INST(t0)
        beqz t2, .fnext
        lw   t2, ON_PARENT(t0)
        bne  t2, s1, .fnext
        lw   t2, I_NLINK(t0)        # (a removed one keeps its holders, not its name)
        beqz t2, .fnext
        li   t3, 0
.cmp:   add  t2, t0, t3
        lw   t2, ON_NAME(t2)
        add  a0, s2, t3
        lw   a0, 0(a0)
        bne  t2, a0, .fnext
        addi t3, t3, 4
        li   a0, NAME_MAX + 1
        blt  t3, a0, .cmp
        mv   fp, t0                 # found: it takes the layers just looked up
        lw   t0, I_REF(fp)
        addi t0, t0, 1
        sw   t0, I_REF(fp)
        li   s3, 0
.swap:  slli t0, s3, 2
        add  t1, t0, fp
        la   t2, ovl_found
        add  t2, t2, t0
        lw   a0, ON_DIRS(t1)
        lw   t2, 0(t2)
        sw   t2, ON_DIRS(t1)
        beqz a0, .snext
        call iput
.snext: addi s3, s3, 1
        li   t0, OVL_SLOTS
        blt  s3, t0, .swap
        j    .ret
.fnext: addi t0, t0, ON_SIZE
        bltu t0, t1, .find
        lw   a0, ON_INST(s1)        # a new node
        mv   a1, s1
        call ovl_node_alloc
        blt  a0, zero, .fail
        mv   fp, a0
        li   t0, 0
.take:  la   t1, ovl_found
        add  t1, t1, t0
        lw   t1, 0(t1)
        add  t2, fp, t0
        sw   t1, ON_DIRS(t2)
        addi t0, t0, 4
        li   t1, 4 * OVL_SLOTS
        blt  t0, t1, .take
        li   t0, 0
.name:  add  t1, s2, t0
        lw   t1, 0(t1)
        add  t2, fp, t0
        sw   t1, ON_NAME(t2)
        addi t0, t0, 4
        li   t1, NAME_MAX + 1
        blt  t0, t1, .name
.ret:   mv   a0, fp
        li   a1, 0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.dots:  mv   a0, s1                 # `.`, or `..` (the parent; the root's is itself)
        lbu  t0, 1(s2)
        beqz t0, .self
        lw   t0, ON_PARENT(s1)
        beqz t0, .self
        mv   a0, t0
.self:  call idup
        li   a1, 0
        j    .out
.none:  li   a0, 0
        j    .out
.fail:  push a0                     # let go of the directories found so far
        call ovl_found_put
        pop  a0
        j    .out

# ovl_name_of(a0 = node, a1 = inum) -> a0 = 0 with the name of its child node of that I_INUM
# in name_buf, or -ENOENT: dir_name_of for a merged directory (getcwd's climb).
ovl_name_of:
        la   t0, ovl_nodes
        la   t1, ovl_nodes + ON_SIZE * NOVLNODE
.find:  lw   t2, ON_INST(t0)
        beqz t2, .next
        lw   t2, ON_PARENT(t0)
        bne  t2, a0, .next
        lw   t2, I_INUM(t0)
        beq  t2, a1, .found
.next:  addi t0, t0, ON_SIZE
        bltu t0, t1, .find
        li   a0, -ENOENT
        ret
.found: li   t1, 0
.copy:  add  t2, t0, t1
        lw   t2, ON_NAME(t2)
        la   a0, name_buf
        add  a0, a0, t1
        sw   t2, 0(a0)
        addi t1, t1, 4
        li   t2, NAME_MAX + 1
        blt  t1, t2, .copy
        li   a0, 0
        ret

# ---- readdir ----------------------------------------------------------------------------------

# ovl_read_ent(a0 = a real directory, a1 = byte offset of an entry) -> a0 = 0 with a copy of
# the entry in ovl_ent, or -EIO.
ovl_read_ent:
        push ra
        call dir_entry
        blt  a0, zero, .out
        push a0
        la   a0, ovl_ent
        li   a2, DIRENT_SIZE
        call copy_bytes
        pop  a0
        call brelse
        li   a0, 0
.out:   pop  ra
        ret

# ovl_readdir_next(a0 = node, a1 = slot, a2 = byte offset in that slot's directory: where the
# walk is) -> a0 = 1 with the next MERGED entry in ovl_ent and a1, a2 the position after it;
# 0 when there is none left; -EIO. Every layer's entries from the top, leaving out `.wh.` names
# and a name some layer above holds or whites out (an opaque directory's lower layers are not
# among the node's). Start at 0, 0. An entry carries the inode number of its own layer
# (st_ino is not unique across layers: Linux's, too, without its xino option).
ovl_readdir_next:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0                 # s1 = node
        mv   s2, a1                 # s2 = slot
        mv   s3, a2                 # s3 = offset in its directory
.slot:  li   t0, OVL_SLOTS
        bge  s2, t0, .end
        slli t0, s2, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .nslot
        lw   t0, I_ISIZE(a0)
        addi t1, s3, DIRENT_SIZE
        bgtu t1, t0, .nslot
        mv   a1, s3
        addi s3, s3, DIRENT_SIZE
        call ovl_read_ent
        blt  a0, zero, .out
        la   t0, ovl_ent
        lw   t1, DE_INUM(t0)
        beqz t1, .slot              # a free entry
        addi a0, t0, DE_NAME
        call ovl_is_wh
        bnez a0, .slot
        mv   a0, s1                 # hidden by a layer above?
        mv   a1, s2
        la   a2, ovl_ent + DE_NAME
        call ovl_visible
        blt  a0, zero, .out
        beqz a0, .slot
        li   a0, 1
        mv   a1, s2
        mv   a2, s3
        j    .out
.nslot: addi s2, s2, 1
        li   s3, 0
        j    .slot
.end:   li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# A merged directory is listed from a SNAPSHOT, as Linux's overlayfs does (ovl_dir_read_merged
# caches the merged entries in the open file): the first getdents at offset 0 walks the layers
# once and keeps every merged entry in kernel pages held by the open file (F_LISTING), and the
# calls that follow read on from there; the file offset counts entries of the snapshot. Without
# it the offset would count merged entries as they are NOW, and removing entries while reading
# (rm -r, which reads an entry, removes it, reads the next) would shift the rest down under the
# offset: every other entry skipped. Names created or removed after the snapshot show (or not)
# at the next read from offset 0 (a rewind, as on Linux); the last close frees it.
#
# A listing page: word 0 the next page (0: the last), word 1 its entries, then the entries from
# byte DIRENT_SIZE on.
        .equ OVL_PER_PAGE, PAGE_SIZE / DIRENT_SIZE - 1

# ovl_listing(a0 = node, a1 = the open file) -> a0 = 0 or -ENOMEM, -EIO: the file's snapshot of
# the merged directory, made anew (the old one freed).
ovl_listing:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = node
        mv   fp, a1                 # fp = the file
        mv   a0, fp
        call ovl_listing_drop
        li   s2, 0                  # s2, s3 = where the walk is
        li   s3, 0
        push zero                   # 0(sp) = the last page
.each:  mv   a0, s1
        mv   a1, s2
        mv   a2, s3
        call ovl_readdir_next
        blt  a0, zero, .fail
        beqz a0, .done
        mv   s2, a1
        mv   s3, a2
        lw   a0, 0(sp)              # room in the last page?
        beqz a0, .page
        lw   t0, 4(a0)
        li   t1, OVL_PER_PAGE
        blt  t0, t1, .add
.page:  call alloc_frame            # a zeroed page: no next, no entries
        beqz a0, .nomem
        lw   t0, 0(sp)
        sw   a0, 0(sp)
        beqz t0, .first
        sw   a0, 0(t0)              # the previous page's next
        j    .add
.first: sw   a0, F_LISTING(fp)
.add:   lw   t0, 4(a0)              # entry number t0 of the page, at (t0 + 1) * DIRENT_SIZE
        addi t1, t0, 1
        sw   t1, 4(a0)
        slli t1, t1, 5
        add  a0, a0, t1
        la   a1, ovl_ent
        li   a2, DIRENT_SIZE
        call copy_bytes
        j    .each
.done:  li   a0, 0
        j    .out
.nomem: li   a0, -ENOMEM
.fail:  mv   s2, a0                 # nothing half made stays
        mv   a0, fp
        call ovl_listing_drop
        mv   a0, s2
.out:   addi sp, sp, 4
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_listing_drop(a0 = an open file): its snapshot, if it has one, goes: the pages back to the
# pool (fileclose, file.s, at the last close; a new snapshot). Clobbers a0, t0-t2.
ovl_listing_drop:
        push ra
        lw   t0, F_LISTING(a0)
        sw   zero, F_LISTING(a0)
        mv   a0, t0
.page:  beqz a0, .out
        lw   t2, 0(a0)              # the next (free_frame clobbers t0, t1 only)
        call free_frame
        mv   a0, t2
        j    .page
.out:   pop  ra
        ret

# ovl_getdents(a0 = node, a1 = the open file) -> a0 = bytes put in the buffer (P_A1, P_A2 as
# getdents), or -errno: the merged entries of the file's snapshot from the file offset on,
# the snapshot made first when the offset is 0 (or the file has none yet).
ovl_getdents:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a1                 # s1 = the open file
        lw   t0, P_A2(s0)
        li   t1, DIRENT_SIZE
        blt  t0, t1, .inval
        lw   t0, F_OFF(s1)
        andi t1, t0, DIRENT_SIZE - 1
        bnez t1, .inval
        lw   t1, F_LISTING(s1)
        beqz t1, .snap
        bnez t0, .have
.snap:  call ovl_listing            # a0 = node, a1 = the file
        blt  a0, zero, .out
.have:  lw   s2, F_OFF(s1)          # s2 = the entry of the snapshot to give next
        srli s2, s2, 5
        li   s3, 0                  # s3 = bytes put in buf
.each:  lw   t0, P_A2(s0)           # room for it?
        addi t1, s3, DIRENT_SIZE
        bgtu t1, t0, .done
        lw   a0, F_LISTING(s1)      # where is it? (the pages hold OVL_PER_PAGE each)
        mv   a1, s2
.find:  beqz a0, .done              # past the end
        lw   t0, 4(a0)
        bltu a1, t0, .here
        sub  a1, a1, t0
        lw   a0, 0(a0)
        j    .find
.here:  addi a1, a1, 1
        slli a1, a1, 5
        add  a0, a0, a1
        lw   a1, P_A1(s0)
        add  a1, a1, s3
        li   a2, DIRENT_SIZE
        li   a3, 1
        call copy_user
        li   t0, DIRENT_SIZE
        bne  a0, t0, .fault
        addi s3, s3, DIRENT_SIZE
        addi s2, s2, 1
        j    .each
.fault: bnez s3, .done
        li   a0, -EFAULT
        j    .out
.done:  slli t0, s2, 5              # the offset: the first entry not given
        sw   t0, F_OFF(s1)
        mv   a0, s3
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out

# ---- visibility (readdir, rmdir's emptiness) --------------------------------------------------

# ovl_visible(a0 = node, a1 = slot, a2 = name) -> a0 = 1 when the name, an entry of the slot's
# directory, shows in the merged directory: no layer above holds it or whites it out; 0 when
# one does; -EIO.
ovl_visible:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
.above: addi s2, s2, -1
        blt  s2, zero, .yes
        slli t0, s2, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .above
        push a0
        mv   a1, s3
        call dirlookup
        pop  t1
        blt  a0, zero, .out
        bnez a0, .no
        mv   a0, t1
        mv   a1, s3
        call ovl_has_wh
        blt  a0, zero, .out
        bnez a0, .no
        j    .above
.yes:   li   a0, 1
        j    .out
.no:    li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_dir_empty(a0 = node) -> a0 = 1 when the merged directory shows nothing but `.` and `..`
# (rmdir's check: whiteouts and what they hide do not count), 0 when it shows an entry, -EIO.
ovl_dir_empty:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        li   s2, 0                  # s2, s3 = where the walk is
        li   s3, 0
.each:  mv   a0, s1
        mv   a1, s2
        mv   a2, s3
        call ovl_readdir_next
        blt  a0, zero, .out
        beqz a0, .yes
        mv   s2, a1
        mv   s3, a2
        la   a0, ovl_ent + DE_NAME
        call is_dot
        bnez a0, .each
        li   a0, 0
        j    .out
.yes:   li   a0, 1
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_lower_has(a0 = node, a1 = name) -> a0 = 1 when a lower layer of the merged directory
# shows the name (so that removing it needs a whiteout in upper), 0, -EIO.
ovl_lower_has:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        li   s3, 1
.slot:  li   t0, OVL_SLOTS
        bge  s3, t0, .no
        slli t0, s3, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        addi s3, s3, 1
        beqz a0, .slot
        push a0
        mv   a1, s2
        call dirlookup
        pop  t1
        blt  a0, zero, .out
        bnez a0, .yes
        mv   a0, t1
        mv   a1, s2
        call ovl_has_wh
        blt  a0, zero, .out
        bnez a0, .no
        j    .slot
.yes:   li   a0, 1
        j    .out
.no:    li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ---- changes: the upper layer -----------------------------------------------------------------

# ovl_mkentry(a0 = a real directory, a1 = name (zero padded), a2 = T_FILE or T_DIR) -> a0 = the
# new held inode, linked under that name; or -ENOSPC, -EIO. create's steps (sysfile.s), on the
# directory's own filesystem (ialloc is told the directory: the device to allocate on).
ovl_mkentry:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = directory
        mv   s2, a1                 # s2 = name
        mv   s3, a2                 # s3 = type
        call link_cost
        blt  a0, zero, .out
        li   t0, T_DIR
        bne  s3, t0, .cost
        addi a0, a0, 1
.cost:  lw   t1, I_DEV(s1)          # the free blocks of the directory's device
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        bgtu a0, t0, .nospc
        mv   a0, s3
        mv   a1, s1
        call ialloc
        blt  a0, zero, .out
        mv   fp, a0                 # fp = the new inode
        li   t0, T_DIR
        bne  s3, t0, .link
        mv   a0, fp                 # a directory: `.` and `..`, the parent's link
        la   a1, dot_name
        lw   a2, I_INUM(fp)
        call dirlink
        blt  a0, zero, .fail
        mv   a0, fp
        la   a1, dotdot_name
        lw   a2, I_INUM(s1)
        call dirlink
        blt  a0, zero, .fail
        lw   t0, I_NLINK(s1)
        addi t0, t0, 1
        sw   t0, I_NLINK(s1)
        mv   a0, s1
        call iupdate
        blt  a0, zero, .fail
.link:  li   t0, 1
        li   t1, T_DIR
        bne  s3, t1, .nlink
        li   t0, 2
.nlink: sw   t0, I_NLINK(fp)
        mv   a0, fp
        call iupdate
        blt  a0, zero, .fail
        mv   a0, s1
        mv   a1, s2
        lw   a2, I_INUM(fp)
        call dirlink
        blt  a0, zero, .fail
        mv   a0, fp
        j    .out
.nospc: li   a0, -ENOSPC
        j    .out
.fail:  push a0
        mv   a0, fp
        call iput
        pop  a0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_unlink_real(a0 = a real directory, a1 = name) -> a0 = 0 (also when there is no such
# entry), or -EIO: the entry goes, and the inode loses a link (a file; whiteouts and opaque
# markers are files). Clobbers what the calls do.
ovl_unlink_real:
        push ra
        push s1
        push s2
        mv   s1, a0
        call dirlookup
        blt  a0, zero, .out
        beqz a0, .out
        mv   s2, a1                 # s2 = the entry's offset
        lw   a1, I_DEV(s1)          # (an entry names an inode of its directory's device)
        call iget
        blt  a0, zero, .out
        push a0
        mv   a0, s1
        mv   a1, s2
        li   a2, 0
        call dir_set_inum
        pop  a1
        push a1
        blt  a0, zero, .put
        lw   t0, I_NLINK(a1)
        addi t0, t0, -1
        sw   t0, I_NLINK(a1)
        mv   a0, a1
        call iupdate
.put:   pop  a1
        push a0
        mv   a0, a1
        call iput
        pop  a0
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# ovl_copyup_dir(a0 = node) -> a0 = its directory in the upper layer (held by the node), made
# with its parents first where upper lacks them (the copy-up of the directory chain, as Linux's
# ovl_copy_up walks down from the root); or -errno. A copied-up directory is not opaque: the
# lower layers still merge into it.
ovl_copyup_dir:
        lw   t0, ON_DIRS(a0)
        beqz t0, .make
        mv   a0, t0
        ret
.make:  push ra
        push s1
        mv   s1, a0
        lw   a0, ON_PARENT(s1)
        li   t0, -EROFS             # the root has no upper: a read-only overlay
        beqz a0, .out0
        call ovl_copyup_dir
        blt  a0, zero, .out
        addi a1, s1, ON_NAME
        li   a2, T_DIR
        call ovl_mkentry
        blt  a0, zero, .out
        sw   a0, ON_DIRS(s1)
        j    .out
.out0:  mv   a0, t0
.out:   pop  s1
        pop  ra
        ret

# ovl_remember(a0 = node, a1 = name, a2 = slot, a3 = the file found): ovl_lookup found a file
# in that slot; open, if it writes, copies it up (ovl_open), for which it needs the parent:
# held here until the filesystem call ends (ovl_forget, fs_unlock).
ovl_remember:
        push ra
        push a0
        push a1
        push a2
        push a3
        call ovl_forget
        pop  a3
        pop  a2
        pop  a1
        pop  a0
        la   t0, ovl_last
        sw   a0, 0(t0)
        sw   a2, 4(t0)
        sw   a3, 8(t0)
        call idup
        la   a0, ovl_lastname
        li   a2, NAME_MAX + 1
        call copy_bytes
        pop  ra
        ret

# ovl_forget: let go of what ovl_remember holds (fs_unlock calls it at the end of every
# filesystem call). Clobbers a0 and what iput does.
ovl_forget:
        la   t0, ovl_last
        lw   a0, 0(t0)
        beqz a0, .out
        sw   zero, 0(t0)
        sw   zero, 8(t0)
        j    iput
.out:   ret

# ovl_open(a0 = held inode open found, a1 = open's flags) -> a0 = the held inode to open: when
# the flags write (O_WRONLY, O_RDWR; O_TRUNC) and the inode is a file of a LOWER
# layer that the lookup just found, its COPY in upper (the old reference is let go): the
# parent directories are copied up first, then the whole file, block by block (its cost grows
# with its size; none with O_TRUNC, whose data would go at once); or -errno (ENOSPC: upper is
# full). Counted: OV_COPYUPS, OV_COPIED. Any other inode comes back as it is.
ovl_open:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = held inode
        mv   s2, a1                 # s2 = flags
        andi t0, s2, O_ACCMODE | O_TRUNC
        beqz t0, .same
        la   t0, ovl_last
        lw   t1, 8(t0)
        bne  t1, s1, .same          # not a file an overlay lookup found just now
        lw   t1, 4(t0)
        beqz t1, .same              # found in upper already
        lw   a0, 0(t0)              # the parent's upper directory
        call ovl_copyup_dir
        blt  a0, zero, .out
        mv   s3, a0                 # s3 = upper directory
        li   fp, 0                  # fp = bytes to copy
        andi t0, s2, O_TRUNC
        beqz t0, .size
        andi t0, s2, O_ACCMODE
        bnez t0, .space
.size:  lw   fp, I_ISIZE(s1)
.space: mv   a0, fp                 # its blocks, and the entry's, must fit
        call blocks_for
        push a0
        mv   a0, s3
        call link_cost
        pop  t0
        blt  a0, zero, .out
        add  a0, a0, t0
        lw   t1, I_DEV(s3)          # the free blocks of upper's device
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        li   t1, -ENOSPC
        bgtu a0, t0, .err
        mv   a0, s3
        la   a1, ovl_lastname
        li   a2, T_FILE
        call ovl_mkentry
        blt  a0, zero, .out
        mv   s3, a0                 # s3 = the copy (held)
        la   t0, ovl_cnt
        sw   zero, 0(t0)            # offset copied so far
.block: la   t0, ovl_cnt
        lw   a1, 0(t0)
        bgeu a1, fp, .sized
        mv   a0, s1
        li   a2, 0
        call data_buffer
        blt  a0, zero, .cfail
        la   t0, ovl_buf
        sw   a0, 0(t0)
        mv   a0, s3
        la   t0, ovl_cnt
        lw   a1, 0(t0)
        li   a2, 1
        call data_buffer
        blt  a0, zero, .bfail
        push a0
        lw   a0, B_DATA(a0)
        la   t0, ovl_buf
        lw   a1, 0(t0)
        lw   a1, B_DATA(a1)
        li   a2, BSIZE
        call copy_bytes
        pop  a0
        call bwrite_release
        push a0
        la   t0, ovl_buf
        lw   a0, 0(t0)
        call brelse
        pop  a0
        blt  a0, zero, .cfail
        la   t0, ovl_cnt
        lw   t1, 0(t0)
        li   t2, BSIZE
        add  t1, t1, t2
        sw   t1, 0(t0)
        j    .block
.sized: sw   fp, I_ISIZE(s3)
        mv   a0, s3
        call iupdate
        blt  a0, zero, .cfail
        la   t0, ovl_last           # counted in the overlay's statistics
        lw   t0, 0(t0)
        lw   t0, ON_INST(t0)
        lw   t1, OV_COPYUPS(t0)
        addi t1, t1, 1
        sw   t1, OV_COPYUPS(t0)
        lw   t1, OV_COPIED(t0)
        add  t1, t1, fp
        sw   t1, OV_COPIED(t0)
        la   t0, ovl_last           # the lower file is not open's any more
        sw   zero, 8(t0)
        mv   a0, s1
        call iput
        mv   a0, s3
        j    .out
.bfail: push a0
        la   t0, ovl_buf
        lw   a0, 0(t0)
        call brelse
        pop  a0
.cfail: push a0                     # (the half copy stays in upper, named: as a crash
        mv   a0, s3                 # without workdir would leave it on Linux)
        call iput
        pop  a0
        j    .fail
.err:   mv   a0, t1
.fail:
.out:   blt  a0, zero, .drop
        j    .ret
.drop:  push a0
        mv   a0, s1
        call iput
        pop  a0
        j    .ret
.same:  mv   a0, s1
.ret:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_create(a0 = node, a1 = T_FILE or T_DIR, a2 = 1: EEXIST for an existing name) -> a0 = held
# inode, or -errno: create (sysfile.s) in a merged directory. An existing merged name is
# create's answer (EEXIST, EISDIR, or the file). A new one goes in upper (its directory copied
# up first), after removing a whiteout of that name; a directory made over a whiteout is
# OPAQUE (`.wh..wh..opq` in it): what the lower layers had under that name stays hidden, as
# Linux does. `.wh.` names cannot be created (EINVAL).
ovl_create:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = node
        mv   s2, a1                 # s2 = type
        mv   s3, a2                 # s3 = exclusive
        la   a0, name_buf
        call ovl_is_wh
        bnez a0, .inval
        mv   a0, s1
        la   a1, name_buf
        call ovl_lookup
        blt  a0, zero, .out
        bnez a0, .exists
        call fs_writable
        blt  a0, zero, .out
        mv   a0, s1
        call ovl_copyup_dir
        blt  a0, zero, .out
        mv   fp, a0                 # fp = upper directory
        la   a1, name_buf           # a whiteout of the name goes first
        call ovl_has_wh
        blt  a0, zero, .out
        beqz a0, .make
        la   a0, name_buf
        call ovl_wh_of
        mv   a1, a0
        mv   a0, fp
        call ovl_unlink_real
        blt  a0, zero, .out
        ori  s3, s3, 2              # (2: it was whited out)
.make:  mv   a0, fp
        la   a1, name_buf
        mv   a2, s2
        call ovl_mkentry
        blt  a0, zero, .out
        andi t0, s3, 2
        beqz t0, .out
        li   t0, T_DIR
        bne  s2, t0, .out
        mv   fp, a0                 # a directory over a whiteout: opaque
        la   a1, ovl_opq_name
        li   a2, T_FILE
        call ovl_mkentry
        blt  a0, zero, .opqerr
        call iput
        mv   a0, fp
        j    .out
.opqerr:
        push a0
        mv   a0, fp
        call iput
        pop  a0
        j    .out
.exists:
        andi t0, s3, 1
        bnez t0, .eexist
        lw   t0, I_TYPE(a0)         # open: a file is fine, a directory is not
        li   t1, T_DIR
        bne  t0, t1, .out
        call iput
        li   a0, -EISDIR
        j    .out
.eexist:
        call iput
        li   a0, -EEXIST
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_remove(a0 = node, a1 = 0: unlink, 1: rmdir; name_buf = the name) -> a0 = 0 or -errno:
# unlink and rmdir in a merged directory (the caller checked `.`, `..` and EROFS). The name's
# upper entry goes (an upper directory with the whiteouts it held); when a lower layer shows
# the name, a whiteout `.wh.NAME` in upper hides it (ENAMETOOLONG when NAME is too long to
# have one). rmdir asks the MERGED directory to be empty (ENOTEMPTY) and not a mountpoint
# (EBUSY); unlink of a directory is EISDIR, rmdir of a file ENOTDIR.
ovl_remove:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = node
        mv   s2, a1                 # s2 = rmdir
        la   a1, name_buf
        call ovl_lookup
        blt  a0, zero, .out
        beqz a0, .noent
        mv   s3, a0                 # s3 = held merged entry
        lw   t0, I_TYPE(s3)
        addi t0, t0, -T_DIR
        sltiu t0, t0, 1             # t0 = 1: a directory
        bne  t0, s2, .kind
        beqz s2, .check
        mv   a0, s3
        call is_mountpoint
        bnez a0, .busy
        mv   a0, s3
        call ovl_dir_empty
        blt  a0, zero, .put
        beqz a0, .notempty
.check: mv   a0, s1                 # a whiteout will be needed?
        la   a1, name_buf
        call ovl_lower_has
        blt  a0, zero, .put
        mv   fp, a0
        beqz fp, .up
        la   a0, name_buf
        call ovl_wh_of
        beqz a0, .long
.up:    mv   a0, s1
        call ovl_copyup_dir
        blt  a0, zero, .put
        push a0                     # 0(sp) = upper directory
        beqz s2, .file
        lw   a0, ON_DIRS(s3)        # a directory with an upper part: empty it (only
        beqz a0, .wh                # whiteouts are left) and unlink it
        call ovl_clear
        blt  a0, zero, .pop
        lw   a0, 0(sp)
        la   a1, name_buf
        call dirlookup
        blt  a0, zero, .pop
        beqz a0, .wh
        mv   a2, zero
        lw   a0, 0(sp)
        call dir_set_inum
        blt  a0, zero, .pop
        lw   a0, ON_DIRS(s3)
        lw   a1, 0(sp)
        call drop_dir
        blt  a0, zero, .pop
        j    .wh
.file:  lw   a0, 0(sp)              # a file: its upper entry, if it has one
        la   a1, name_buf
        call ovl_unlink_real
        blt  a0, zero, .pop
.wh:    beqz fp, .gone
        la   a0, name_buf
        call ovl_wh_of
        mv   a1, a0
        lw   a0, 0(sp)
        li   a2, T_FILE
        call ovl_mkentry
        blt  a0, zero, .pop
        call iput
.gone:  beqz s2, .done
        sw   zero, I_NLINK(s3)      # a removed merged directory: no new names, no lookups
.done:  li   a0, 0
.pop:   addi sp, sp, 4
        j    .put
.noent: li   a0, -ENOENT
        j    .out
.kind:  li   a0, -EISDIR
        beqz s2, .put
        li   a0, -ENOTDIR
        j    .put
.busy:  li   a0, -EBUSY
        j    .put
.notempty:
        li   a0, -ENOTEMPTY
        j    .put
.long:  li   a0, -ENAMETOOLONG
.put:   push a0
        mv   a0, s3
        call iput
        pop  a0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_clear(a0 = a real directory) -> a0 = 0 or -EIO: every entry but `.` and `..` goes (rmdir
# of a merged directory whose upper part holds only whiteouts).
ovl_clear:
        push ra
        push s1
        push s2
        mv   s1, a0
        li   s2, 2 * DIRENT_SIZE
.each:  lw   t0, I_ISIZE(s1)
        addi t1, s2, DIRENT_SIZE
        bgtu t1, t0, .done
        mv   a0, s1
        mv   a1, s2
        addi s2, s2, DIRENT_SIZE
        call ovl_read_ent
        blt  a0, zero, .out
        la   a1, ovl_ent
        lw   t0, DE_INUM(a1)
        beqz t0, .each
        mv   a0, s1
        addi a1, a1, DE_NAME
        call ovl_unlink_real
        blt  a0, zero, .out
        j    .each
.done:  li   a0, 0
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# ovl_rename(a0 = from's node, a1 = to's node; name_buf2 = from's name, name_buf = to's) ->
# a0 = 0 or -errno: rename in an overlay. A directory gives EXDEV (Linux's answer without
# redirect_dir, for a directory of a lower layer; ringlab gives it for every directory, which
# tools such as mv answer by copying). A file is copied up first (when it is a lower one), then
# linked under the new name in to's upper directory (replacing a file there; a whiteout of that
# name goes), and from's name goes as unlink's does (a whiteout when a lower layer shows it).
ovl_rename:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = from's node
        mv   s2, a1                 # s2 = to's node
        la   a0, name_buf2
        call ovl_is_wh
        bnez a0, .noent
        la   a0, name_buf
        call ovl_is_wh
        bnez a0, .inval
        mv   a0, s1                 # from: a file, copied up (as open for writing does)
        la   a1, name_buf2
        call ovl_lookup
        blt  a0, zero, .out
        beqz a0, .noent
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        beq  t0, t1, .xdev
        li   a1, O_RDWR
        call ovl_open
        blt  a0, zero, .out
        mv   s3, a0                 # s3 = held upper file
        mv   a0, s2                 # to: not a directory
        la   a1, name_buf
        call ovl_lookup
        blt  a0, zero, .put
        beqz a0, .dest
        lw   t0, I_TYPE(a0)
        push t0
        push a0
        call iput
        pop  a0
        pop  t0
        beq  a0, s3, .same          # the same file: nothing to do
        li   t1, T_DIR
        li   a0, -EISDIR
        beq  t0, t1, .put
.dest:  mv   a0, s2                 # to's upper directory: no whiteout, no old entry
        call ovl_copyup_dir
        blt  a0, zero, .put
        mv   fp, a0
        la   a1, name_buf
        call ovl_has_wh
        blt  a0, zero, .put
        beqz a0, .old
        la   a0, name_buf
        call ovl_wh_of
        mv   a1, a0
        mv   a0, fp
        call ovl_unlink_real
        blt  a0, zero, .put
.old:   mv   a0, fp
        la   a1, name_buf
        call ovl_unlink_real
        blt  a0, zero, .put
        mv   a0, fp                 # the new name
        call link_cost
        blt  a0, zero, .put
        lw   t1, I_DEV(fp)          # the free blocks of upper's device
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        bgtu a0, t0, .nospc
        mv   a0, fp
        la   a1, name_buf
        lw   a2, I_INUM(s3)
        call dirlink
        blt  a0, zero, .put
        lw   t0, I_NLINK(s3)        # (the old name's unlink takes this back)
        addi t0, t0, 1
        sw   t0, I_NLINK(s3)
        la   t0, name_buf           # from's name goes, as unlink
        la   t1, name_buf2
        li   t2, 0
.swap:  add  a0, t0, t2
        add  a1, t1, t2
        lw   a2, 0(a0)
        lw   a3, 0(a1)
        sw   a3, 0(a0)
        sw   a2, 0(a1)
        addi t2, t2, 4
        li   a2, 32
        blt  t2, a2, .swap
        mv   a0, s1
        li   a1, 0
        call ovl_remove
        j    .put
.same:  li   a0, 0
        j    .put
.nospc: li   a0, -ENOSPC
.put:   push a0
        mv   a0, s3
        call iput
        pop  a0
        j    .out
.xdev:  call iput
        li   a0, -EXDEV
        j    .out
.noent: li   a0, -ENOENT
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ---- mount ------------------------------------------------------------------------------------

# ovl_mount(path_buf = the fstype, P_A0 = the options) -> a0 = the held root node of a new
# overlay instance, a1 = the mount's flags (MS_RDONLY without upperdir); or -ENODEV for a type
# that is not "overlay", -EFAULT / -ENAMETOOLONG for the options string, -EINVAL for options
# that are not lowerdir=DIR[:DIR...] (at most OVL_MAX_LOWER), upperdir=DIR, workdir=DIR (each
# at most once, comma separated; lowerdir required; no layer that is itself in an overlay),
# the lookups' errors (ENOENT, ENOTDIR: each layer must be a directory), -ENOSPC when NOVL
# overlays are mounted, -ENFILE when no node is free. do_mount (vfs.s) attaches it.
ovl_mount:
        push ra
        push s1
        push s2
        push s3
        push fp
        la   a0, path_buf
        la   a1, ovl_type
        call ovl_streq
        beqz a0, .nodev
        la   s1, ovl_table          # s1 = a free instance
        la   t1, ovl_table + OV_SIZE * NOVL
.inst:  lw   t0, OV_ROOT(s1)
        beqz t0, .ifree
        addi s1, s1, OV_SIZE
        bltu s1, t1, .inst
        li   a0, -ENOSPC
        j    .out
.ifree: addi a0, s1, OV_OPTS        # the options, kept for the mount list
        lw   a1, P_A0(s0)
        li   a2, OVL_OPTS_MAX
        call copy_string_max
        blt  a0, zero, .out
        addi a2, a0, 1
        la   a0, path_buf2          # parsed in a copy, cut into pieces
        addi a1, s1, OV_OPTS
        call copy_bytes
        la   t0, ovl_found          # the layers found (held)
        addi t1, t0, 4 * OVL_SLOTS
.clr:   sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .clr
        li   s3, 0                  # s3 = lower layers so far
        li   fp, 0                  # fp = options seen: 1 lowerdir, 2 upperdir, 4 workdir
        la   s2, path_buf2          # s2 = the option being read
.opt:   mv   t0, s2                 # its end: the next `,` or the end
.oend:  lbu  t1, 0(t0)
        beqz t1, .ocut
        li   t2, ','
        beq  t1, t2, .ocut
        addi t0, t0, 1
        j    .oend
.ocut:  sb   zero, 0(t0)
        la   t2, ovl_next
        addi t3, t0, 1
        bnez t1, .more
        li   t3, 0                  # the last one
.more:  sw   t3, 0(t2)
        mv   a0, s2
        la   a1, ovl_o_lower
        call ovl_prefix
        bnez a0, .lower
        mv   a0, s2
        la   a1, ovl_o_upper
        call ovl_prefix
        bnez a0, .upper
        mv   a0, s2
        la   a1, ovl_o_work
        call ovl_prefix
        bnez a0, .work
        j    .inval
.lower: andi t0, fp, 1
        bnez t0, .inval
        ori  fp, fp, 1
        mv   s2, a0                 # s2 = the next layer's path
.layer: mv   t0, s2
.lend:  lbu  t1, 0(t0)
        beqz t1, .lcut
        li   t2, ':'
        beq  t1, t2, .lcut
        addi t0, t0, 1
        j    .lend
.lcut:  sb   zero, 0(t0)
        push t1
        push t0
        li   t2, OVL_MAX_LOWER
        bge  s3, t2, .toomany
        mv   a0, s2
        call ovl_layer
        pop  t0
        pop  t1
        blt  a0, zero, .fail
        addi s3, s3, 1
        slli t2, s3, 2
        la   t3, ovl_found
        add  t2, t2, t3
        sw   a0, 0(t2)
        addi s2, t0, 1
        bnez t1, .layer
        j    .onext
.toomany:
        pop  t0
        pop  t1
        j    .inval
.upper: andi t0, fp, 2
        bnez t0, .inval
        ori  fp, fp, 2
        call ovl_layer
        blt  a0, zero, .fail
        la   t0, ovl_found
        sw   a0, 0(t0)
        j    .onext
.work:  andi t0, fp, 4
        bnez t0, .inval
        ori  fp, fp, 4
        call ovl_layer              # a directory; not used (see the top of this file)
        blt  a0, zero, .fail
        call iput
.onext: la   t0, ovl_next
        lw   s2, 0(t0)
        bnez s2, .opt
        andi t0, fp, 1              # lowerdir is required
        beqz t0, .inval
        mv   a0, s1                 # the root node, holding the layers' directories
        li   a1, 0
        call ovl_node_alloc
        blt  a0, zero, .fail
        mv   fp, a0
        li   t0, 0
.take:  la   t1, ovl_found
        add  t1, t1, t0
        lw   t2, 0(t1)
        sw   zero, 0(t1)
        add  t1, fp, t0
        sw   t2, ON_DIRS(t1)
        addi t0, t0, 4
        li   t1, 4 * OVL_SLOTS
        blt  t0, t1, .take
        sw   fp, OV_ROOT(s1)
        sw   s3, OV_NLOWER(s1)
        sw   zero, OV_COPYUPS(s1)
        sw   zero, OV_COPIED(s1)
        addi t0, s1, OV_LOOKUPS
        addi t1, t0, 4 * OVL_SLOTS
.zc:    sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .zc
        mv   a0, fp
        call ovl_rdonly
        mv   a1, a0
        mv   a0, fp
        j    .out
.nodev: li   a0, -ENODEV
        j    .out
.inval: li   a0, -EINVAL
.fail:  push a0                     # let go of the layers found
        call ovl_found_put
        pop  a0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_layer(a0 = kernel path) -> a0 = the held directory, or -errno: EINVAL for an empty path,
# a directory of an overlay (layers are not stacked) or one in a detached mount (vfs.s: Linux's
# clone_private_mount refuses a mount outside the caller's namespace), namex's errors, ENOTDIR.
ovl_layer:
        push ra
        lbu  t0, 0(a0)
        beqz t0, .inval
        li   a1, 0
        la   a2, name_buf
        call namex
        blt  a0, zero, .out
        la   t0, namex_mnt
        lw   t0, 0(t0)
        lw   t0, M_NS(t0)
        lw   t1, P_MNTNS(s0)
        bne  t0, t1, .put
        call ovl_is_node
        bnez t0, .put
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        beq  t0, t1, .out
        call iput
        li   a0, -ENOTDIR
        j    .out
.put:   call iput
.inval: li   a0, -EINVAL
.out:   pop  ra
        ret

# ovl_rdonly(a0 = a mount's root) -> a0 = MS_RDONLY when it is an overlay's directory and the
# overlay has no upper layer (changes through it: EROFS), else 0. Clobbers t0, t1.
ovl_rdonly:
        la   t0, ovl_nodes
        bltu a0, t0, .rw
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .rw
        lw   t0, ON_INST(a0)
        lw   t0, OV_ROOT(t0)
        lw   t0, ON_DIRS(t0)
        beqz t0, .ro
.rw:    li   a0, 0
        ret
.ro:    li   a0, MS_RDONLY
        ret

# ovl_prefix(a0 = string, a1 = prefix) -> a0 = the string after the prefix, or 0 when it does
# not start with it. Clobbers t0, t1.
ovl_prefix:
.each:  lbu  t1, 0(a1)
        beqz t1, .yes
        lbu  t0, 0(a0)
        bne  t0, t1, .no
        addi a0, a0, 1
        addi a1, a1, 1
        j    .each
.yes:   ret
.no:    li   a0, 0
        ret

# ovl_streq(a0, a1 = strings) -> a0 = 1 when equal, else 0. Clobbers t0, t1.
ovl_streq:
.each:  lbu  t0, 0(a0)
        lbu  t1, 0(a1)
        bne  t0, t1, .no
        beqz t0, .yes
        addi a0, a0, 1
        addi a1, a1, 1
        j    .each
.yes:   li   a0, 1
        ret
.no:    li   a0, 0
        ret

# ovl_mount_line(a0 = a mount's root) -> a0 = the options of its overlay (for the mount list:
# `overlay TARGET overlay rw,OPTIONS`), or 0 when it is not an overlay's directory. Clobbers t0.
ovl_mount_line:
        la   t0, ovl_nodes
        bltu a0, t0, .no
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .no
        lw   a0, ON_INST(a0)
        addi a0, a0, OV_OPTS
        ret
.no:    li   a0, 0
        ret

# ---- mountstats -------------------------------------------------------------------------------

sys_mountstats:
        la   t0, do_mountstats
        j    fs_call

# mountstats(target, buf, len): the counters of the overlay whose root `target` is, as text:
#   device overlay mounted on /merged with fstype overlay
#   	opts: lowerdir=/l2:/l1,upperdir=/u
#   	lookups: upper=3 lower1=2 lower2=1
#   	copyups: 1 bytes=4096
# (`upper=` only with an upper layer). EINVAL when target is not an overlay's root, ERANGE when
# the text does not fit.
do_mountstats:
        push ra
        push s1
        push s2
        push s3
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held root
        la   t0, namex_mnt
        lw   s2, 0(t0)              # s2 = its mount
        lw   t0, M_ROOT(s2)
        bne  t0, s1, .inval
        call ovl_is_node
        beqz t0, .inval
        lw   t0, ON_PARENT(s1)
        bnez t0, .inval
        lw   s3, ON_INST(s1)        # s3 = the instance
        la   t0, ovl_pos
        la   t1, path_buf2
        sw   t1, 0(t0)
        la   a0, ovl_s_dev
        call ovl_puts
        mv   a0, s1                 # the mount's place (mnt_path consumes a reference)
        call idup
        mv   a1, s2
        call mnt_path
        blt  a0, zero, .put
        call ovl_puts
        la   a0, ovl_s_with
        call ovl_puts
        addi a0, s3, OV_OPTS
        call ovl_puts
        la   a0, ovl_s_lookups
        call ovl_puts
        lw   t0, OV_ROOT(s3)
        lw   t0, ON_DIRS(t0)
        beqz t0, .lowers
        la   a0, ovl_s_upper
        call ovl_puts
        lw   a0, OV_LOOKUPS(s3)
        call ovl_putdec
.lowers:
        li   s2, 1
.low:   lw   t0, OV_NLOWER(s3)
        bgt  s2, t0, .copies
        la   a0, ovl_s_lower
        call ovl_puts
        mv   a0, s2
        call ovl_putdec
        li   a0, '='
        call ovl_putc
        slli t0, s2, 2
        add  t0, t0, s3
        lw   a0, OV_LOOKUPS(t0)
        call ovl_putdec
        addi s2, s2, 1
        j    .low
.copies:
        la   a0, ovl_s_copyups
        call ovl_puts
        lw   a0, OV_COPYUPS(s3)
        call ovl_putdec
        la   a0, ovl_s_bytes
        call ovl_puts
        lw   a0, OV_COPIED(s3)
        call ovl_putdec
        li   a0, '\n'
        call ovl_putc
        la   t0, ovl_pos            # out to the caller
        lw   a2, 0(t0)
        la   a0, path_buf2
        sub  a2, a2, a0
        lw   t0, P_A2(s0)
        bgtu a2, t0, .range
        mv   s2, a2
        lw   a1, P_A1(s0)
        li   a3, 1
        call copy_user
        bne  a0, s2, .fault
        mv   a0, s2
        j    .put
.range: li   a0, -ERANGE
        j    .put
.fault: li   a0, -EFAULT
        j    .put
.inval: li   a0, -EINVAL
.put:   push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_puts(a0 = string), ovl_putc(a0 = byte), ovl_putdec(a0 = unsigned): append to path_buf2
# (path_buf2: rename's, free during mountstats) at ovl_pos. Clobber t0-t3.
ovl_puts:
        la   t2, ovl_pos
        lw   t0, 0(t2)
        la   t3, path_buf2 + PATH_MAX     # (a longer text is cut: ERANGE cannot tell)
.each:  lbu  t1, 0(a0)
        beqz t1, .end
        bgeu t0, t3, .end
        sb   t1, 0(t0)
        addi t0, t0, 1
        addi a0, a0, 1
        j    .each
.end:   sw   t0, 0(t2)
        ret
ovl_putc:
        la   t2, ovl_pos
        lw   t0, 0(t2)
        la   t1, path_buf2 + PATH_MAX
        bgeu t0, t1, .end
        sb   a0, 0(t0)
        addi t0, t0, 1
        sw   t0, 0(t2)
.end:   ret
ovl_putdec:
        la   t3, ovl_digits + 12
        sb   zero, 0(t3)
.digit: addi t3, t3, -1
        li   t0, 10
        remu t1, a0, t0
        addi t1, t1, '0'
        sb   t1, 0(t3)
        divu a0, a0, t0
        bnez a0, .digit
        mv   a0, t3
        j    ovl_puts

ovl_type:      .asciz "overlay"
ovl_o_lower:   .asciz "lowerdir="
ovl_o_upper:   .asciz "upperdir="
ovl_o_work:    .asciz "workdir="
ovl_s_dev:     .asciz "device overlay mounted on "
ovl_s_with:    .asciz " with fstype overlay\n\topts: "
ovl_s_lookups: .asciz "\n\tlookups:"
ovl_s_upper:   .asciz " upper="
ovl_s_lower:   .asciz " lower"
ovl_s_copyups: .asciz "\n\tcopyups: "
ovl_s_bytes:   .asciz " bytes="
        .align 4
ovl_opq_name:  .asciz ".wh..wh..opq"    # zero padded to NAME_MAX + 1, as dirlookup compares
        .space NAME_MAX + 1 - 13
        .align 4
