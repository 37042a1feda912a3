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
# getdents -> ovl_getdents, dir_name_of (getcwd) -> ovl_name_of, stat -> the real directory.
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
        li   s3, 0
.rel:   slli t0, s3, 2
        la   t1, ovl_found
        add  t1, t1, t0
        lw   a0, 0(t1)
        sw   zero, 0(t1)
        beqz a0, .rnext
        call iput
.rnext: addi s3, s3, 1
        li   t0, OVL_SLOTS
        blt  s3, t0, .rel
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

# ovl_getdents(a0 = node, a1 = the open file) -> a0 = bytes put in the buffer (P_A1, P_A2 as
# getdents), or -errno: the MERGED entries, each once: every layer's entries from the top,
# leaving out `.wh.` names and a name some layer above holds or whites out (an opaque
# directory's lower layers are not among the node's). The file offset counts merged entries
# (DIRENT_SIZE bytes each), so a listing continues where the last call stopped. An entry
# carries the inode number of its own layer (st_ino is not unique across layers: Linux's, too,
# without its xino option).
ovl_getdents:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = node
        la   t0, ovl_file
        sw   a1, 0(t0)
        lw   t0, P_A2(s0)
        li   t1, DIRENT_SIZE
        blt  t0, t1, .inval
        lw   t0, F_OFF(a1)
        andi t1, t0, DIRENT_SIZE - 1
        bnez t1, .inval
        srli t0, t0, 5              # / DIRENT_SIZE: merged entries to pass over
        la   t1, ovl_skip
        sw   t0, 0(t1)
        la   t1, ovl_k
        sw   zero, 0(t1)
        li   s2, 0                  # s2 = bytes put in buf
        li   s3, 0                  # s3 = slot
.slot:  li   t0, OVL_SLOTS
        bge  s3, t0, .end
        li   fp, 0                  # fp = offset in the slot's directory
.ent:   slli t0, s3, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .nslot
        lw   t0, I_ISIZE(a0)
        addi t1, fp, DIRENT_SIZE
        bgtu t1, t0, .nslot
        mv   a1, fp
        addi fp, fp, DIRENT_SIZE
        call dir_entry
        blt  a0, zero, .err
        push a0
        mv   a1, a1
        la   a0, ovl_ent
        li   a2, DIRENT_SIZE
        call copy_bytes
        pop  a0
        call brelse
        la   t0, ovl_ent
        lw   t1, DE_INUM(t0)
        beqz t1, .ent
        addi a0, t0, DE_NAME
        call ovl_is_wh
        bnez a0, .ent
        la   t0, ovl_j              # hidden by a layer above?
        sw   zero, 0(t0)
.above: la   t0, ovl_j
        lw   t0, 0(t0)
        bge  t0, s3, .shown
        slli t0, t0, 2
        add  t0, t0, s1
        lw   a0, ON_DIRS(t0)
        beqz a0, .anext
        la   t0, ovl_cur
        sw   a0, 0(t0)
        la   a1, ovl_ent + DE_NAME
        call dirlookup
        blt  a0, zero, .err
        bnez a0, .ent
        la   a0, ovl_cur
        lw   a0, 0(a0)
        la   a1, ovl_ent + DE_NAME
        call ovl_has_wh
        blt  a0, zero, .err
        bnez a0, .ent
.anext: la   t0, ovl_j
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        j    .above
.shown: la   t0, ovl_k              # merged entry number k
        lw   t1, 0(t0)
        la   t2, ovl_skip
        lw   t2, 0(t2)
        bltu t1, t2, .pass
        lw   t2, P_A2(s0)           # room for it?
        addi t3, s2, DIRENT_SIZE
        bgtu t3, t2, .full
        la   a0, ovl_ent
        lw   a1, P_A1(s0)
        add  a1, a1, s2
        li   a2, DIRENT_SIZE
        li   a3, 1
        call copy_user
        li   t0, DIRENT_SIZE
        bne  a0, t0, .fault
        addi s2, s2, DIRENT_SIZE
.pass:  la   t0, ovl_k
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        j    .ent
.nslot: addi s3, s3, 1
        j    .slot
.fault: bnez s2, .full
        li   a0, -EFAULT
        j    .out
.err:   bnez s2, .full
        j    .out
.full:
.end:   la   t0, ovl_k              # the offset: the first merged entry not given
        lw   t0, 0(t0)
        slli t0, t0, 5
        la   t1, ovl_file
        lw   t1, 0(t1)
        sw   t0, F_OFF(t1)
        mv   a0, s2
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out

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
        li   s3, 0
.rel:   slli t0, s3, 2
        la   t1, ovl_found
        add  t1, t1, t0
        lw   a0, 0(t1)
        sw   zero, 0(t1)
        beqz a0, .rnext
        call iput
.rnext: addi s3, s3, 1
        li   t0, OVL_SLOTS
        blt  s3, t0, .rel
        pop  a0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# ovl_layer(a0 = kernel path) -> a0 = the held directory, or -errno: EINVAL for an empty path
# or a directory of an overlay (layers are not stacked), namex's errors, ENOTDIR.
ovl_layer:
        push ra
        lbu  t0, 0(a0)
        beqz t0, .inval
        li   a1, 0
        la   a2, name_buf
        call namex
        blt  a0, zero, .out
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
        j    .ro                    # (changes through an overlay come with copy-up: next)
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
