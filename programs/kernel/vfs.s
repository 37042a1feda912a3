# vfs.s: mounts and mount namespaces (docs/containers.md, "Mounts and mount namespaces").
#
# The disk's filesystem (fs.s) is one tree of inodes. A MOUNT makes a directory of that tree
# appear at another place: mount_table holds NMOUNT entries (M_* in kernel.inc), each
#
#   M_ROOT    the directory that appears (held): the root of the mount
#   M_PARENT  the mount it is attached to (0: it is the root of its namespace)
#   M_MP      the directory of the parent mount it covers, its MOUNTPOINT (held)
#
# so the mounts of a namespace form a tree, as Linux's struct mount does. A position in the
# file tree is then a pair (mount, inode), Linux's struct path: the same directory reached
# through two mounts is two different places (its `..` leads to different parents). The
# walk of a path (namex, fs.s) carries the mount with the inode, in namex_mnt:
#
#   down   after each lookup of a name, a mount whose (M_PARENT, M_MP) is where the walk
#          stands covers it: the walk goes on at (that mount, its M_ROOT), again and again
#          for mounts stacked on mounts (mnt_cross)
#   up     `..` at the root of a mount first climbs to its mountpoint in the parent mount,
#          then takes the directory's `..` there; at the root of the namespace's root mount
#          it stays (the root is its own parent), and at the process's root too (chroot)
#
# Every process has a MOUNT NAMESPACE (P_MNTNS, an entry of mntns_table, refcounted like the
# UTS ones): its root mount (MN_ROOT), and so the mounts it can reach. A mount entry belongs to
# one namespace (M_NS). unshare(CLONE_NEWNS) copies the caller's mounts into a new namespace;
# from then on a mount or umount in one is not seen in the other (no propagation).
#
# The current and root directories (P_CWD, P_ROOT) stay inodes, 0 meaning the root of the
# namespace's root mount; the mount each one is in lives here, in proc_mnts (two words per
# process slot), so that `..` and getcwd know where they are. pivot_root changes which mount is
# the namespace's root, and so what 0 means for every process in it, as Linux moves the root and
# current directory of every process that had the old root.
#
# A LAZY UNMOUNT (umount(target, MNT_DETACH), umount2(2)) takes the mount and every mount below
# it out of the namespace at once: they are DETACHED (M_NS -1, no parent, no mountpoint: new
# walks never reach them, `mounts` does not list them, and each is cut from the others as Linux's
# umount_tree disconnects them). A detached entry stays taken while anything still uses it, and
# so does its filesystem (the root it holds, a tmpfs's D_REF): a file opened through it (F_MNT),
# a process's current or root directory in it (proc_mnts). Nothing counts these uses: as the
# EBUSY of a plain umount does, mnt_busy looks for them, and each place that lets go of one (the
# last close of the file, chdir, chroot, setns, exit) asks mnt_release whether it was the last,
# which frees the entry. Inside a detached mount a walk goes on as before; `..` at its root stays
# there (it has no parent) and getcwd says "(unreachable)", as Linux's does; mount, umount and
# pivot_root refuse a place in it (EINVAL, Linux's check_mnt).
#
# Locking: mount, umount and pivot_root run under the filesystem lock (fs_call), and so does a
# namespace's last exit, and every release of a detached mount. unshare's copy runs without it
# and never waits: it only takes free entries (an entry being freed, or detached, is marked
# M_NS -1 until it is free) and namespace entries whose count is 0 (a dying namespace keeps 1
# until its mounts are gone).

# ---- boot -------------------------------------------------------------------------------------

# mnt_init: after fs_mount, the disk's root is the root mount of the boot namespace (entry 0 of
# mntns_table, which init_create gives init). Without a filesystem the table stays empty.
mnt_init:
        la   t0, fs_mounted
        lw   t0, 0(t0)
        beqz t0, .out
        push ra
        li   a0, ROOT_INUM
        li   a1, 0                  # the disk
        call iget                   # held by the mount for ever (fs_mount checked it)
        pop  ra
        blt  a0, zero, .out
        la   t0, mount_table
        sw   a0, M_ROOT(t0)
        la   t1, mntns_table
        sw   t1, M_NS(t0)
        sw   t0, MN_ROOT(t1)
        li   t1, 1
        sw   t1, M_SEQ(t0)
        la   t2, mnt_seq
        sw   t1, 0(t2)
.out:   ret

# ---- per process ----------------------------------------------------------------------------

# pmnt(a0 = PCB) -> a0 = its two words of proc_mnts: +0 the mount of P_CWD, +4 that of P_ROOT
# (meaningful while the field is not 0). Clobbers t0.
pmnt:
        la   t0, proc_table
        sub  a0, a0, t0
        li   t0, P_SIZE
        divu a0, a0, t0
        slli a0, a0, 3
        la   t0, proc_mnts
        add  a0, a0, t0
        ret

# proc_dir_raw(a0 = 0: the current directory, 1: the root directory; s0 = PCB) -> a0 = the
# inode (not held), a1 = its mount; 0 in the PCB is the namespace's root. Clobbers t0-t2.
proc_dir_raw:
        push ra
        push a0
        mv   a0, s0
        call pmnt
        pop  t1
        li   t2, P_CWD
        beqz t1, .which
        li   t2, P_ROOT
        addi a0, a0, 4
.which: lw   a1, 0(a0)
        add  t2, t2, s0
        lw   a0, 0(t2)
        bnez a0, .out
        lw   a1, P_MNTNS(s0)        # 0: the root of the namespace's root mount
        lw   a1, MN_ROOT(a1)
        lw   a0, M_ROOT(a1)
.out:   pop  ra
        ret

# proc_dir(a0 = 0 / 1 as above) -> a0 = the inode, held, a1 = its mount.
proc_dir:
        push ra
        call proc_dir_raw
        call idup                   # clobbers t0 only
        pop  ra
        ret

# set_dir(a0 = 0: current directory, 1: root; a1 = held directory, a2 = its mount): chdir and
# chroot. The field keeps the reference; the old one's goes, and with it the old directory's
# use of its mount (a detached mount may end: mnt_release). The namespace's root is stored as
# 0, so that it follows pivot_root.
set_dir:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a1
        mv   s2, a2
        li   s3, P_CWD
        beqz a0, .mnt
        li   s3, P_ROOT
.mnt:   mv   a0, s0
        call pmnt
        li   t1, P_CWD
        beq  s3, t1, .store
        addi a0, a0, 4
.store: lw   fp, 0(a0)              # fp = the old directory's mount (if the field was not 0)
        sw   s2, 0(a0)
        add  s3, s3, s0             # s3 = the PCB's field
        lw   t0, P_MNTNS(s0)        # the namespace's root: 0
        lw   t0, MN_ROOT(t0)
        bne  t0, s2, .set
        lw   t0, M_ROOT(t0)
        bne  t0, s1, .set
        mv   a0, s1
        call iput
        li   s1, 0
.set:   lw   a0, 0(s3)
        sw   s1, 0(s3)
        beqz a0, .out
        call iput
        mv   a0, fp
        call mnt_release
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# mnt_fork(a0 = new PCB; s0 = its parent): the child shares the parent's mount namespace and
# its directories' mounts (proc.s, fork). Clobbers t0-t2.
mnt_fork:
        push ra
        lw   t1, P_MNTNS(s0)
        sw   t1, P_MNTNS(a0)
        lw   t2, MN_REF(t1)
        addi t2, t2, 1
        sw   t2, MN_REF(t1)
        call pmnt
        mv   t2, a0
        mv   a0, s0
        call pmnt
        lw   t1, 0(a0)
        sw   t1, 0(t2)
        lw   t1, 4(a0)
        sw   t1, 4(t2)
        pop  ra
        ret

# mntns_exit(s0 = PCB): at exit, after close_all_files: leave the mount namespace.
mntns_exit:
        lw   a0, P_MNTNS(s0)
        sw   zero, P_MNTNS(s0)
        beqz a0, .out
        j    mntns_put
.out:   ret

# mntns_join(a0 = namespace; s0 = PCB): setns(CLONE_NEWNS). The caller moves to the namespace,
# and its root and current directories become the namespace's root (0 in the PCB), as Linux's
# mntns_install does: nothing of its old view, a chroot included, comes along. Letting go of
# the old directories may wait for the disk, so it runs under the filesystem lock; the old
# namespace goes last (its last process takes its mounts with it, taking the lock itself).
mntns_join:
        push ra
        push s1
        lw   t0, MN_REF(a0)         # the new one first: it may be the one the caller is in
        addi t0, t0, 1
        sw   t0, MN_REF(a0)
        lw   s1, P_MNTNS(s0)        # s1 = the old namespace
        sw   a0, P_MNTNS(s0)
        la   t0, fs_mounted
        lw   t0, 0(t0)
        beqz t0, .old               # no filesystem: the directories are 0 already
        call fs_lock
        li   a0, 0
        call dir_put
        li   a0, 1
        call dir_put
        call fs_unlock              # (a directory that is still linked writes nothing)
.old:   mv   a0, s1
        call mntns_put
        pop  s1
        pop  ra
        ret

# dir_put(a0 = 0: current directory, 1: root; s0 = PCB), under the filesystem lock: the field
# becomes 0, the root of the namespace's root mount, and its old inode is let go, and its use
# of its mount (mnt_release). setns, and exit (close_all_files, file.s).
dir_put:
        push ra
        push s1
        mv   s1, a0
        mv   a0, s0
        call pmnt
        slli t1, s1, 2              # the mount's word: +0 or +4
        add  t1, a0, t1
        li   t0, P_CWD
        beqz s1, .field
        li   t0, P_ROOT
.field: add  t0, t0, s0
        lw   a0, 0(t0)
        sw   zero, 0(t0)
        beqz a0, .out
        lw   s1, 0(t1)              # s1 = its mount
        call iput
        mv   a0, s1
        call mnt_release
.out:   pop  s1
        pop  ra
        ret

# mntns_put(a0 = namespace): one process fewer. The last one takes its mounts with it, under
# the filesystem lock (letting go of an inode may wait for the disk). The entry stays taken
# (MN_REF 1) until its mounts are gone, so unshare cannot hand it out half freed.
mntns_put:
        lw   t0, MN_REF(a0)
        addi t0, t0, -1
        beqz t0, .last
        sw   t0, MN_REF(a0)
        ret
.last:  push ra
        push s1
        push s2
        mv   s1, a0
        call fs_lock
        la   s2, mount_table
.each:  lw   t0, M_NS(s2)
        bne  t0, s1, .next
        mv   a0, s2
        call mnt_free
.next:  addi s2, s2, M_SIZE
        la   t0, mount_table + M_SIZE * NMOUNT
        bltu s2, t0, .each
        call fs_unlock
        sw   zero, MN_ROOT(s1)
        sw   zero, MN_REF(s1)
        pop  s2
        pop  s1
        pop  ra
        ret

# mnt_busy(a0 = mount entry) -> a0 = 1 when something uses it: an open file opened through it
# (F_MNT), a process's current or root directory in it; else 0. Mounts below it are not asked
# (umount asks them itself; a detached mount has none). Clobbers t0-t3.
mnt_busy:
        la   t0, ftable             # files opened through it
        la   t1, ftable + F_SIZE * NFILE
.files: lw   t2, F_TYPE(t0)
        addi t2, t2, -FT_INODE      # (a pipe's F_MNT is what an earlier file left there)
        bnez t2, .fnext
        lw   t2, F_MNT(t0)
        beq  t2, a0, .yes
.fnext: addi t0, t0, F_SIZE
        bltu t0, t1, .files
        la   t0, proc_table         # directories in it
        la   t3, proc_mnts
.procs: lw   t1, P_STATE(t0)
        beqz t1, .pnext
        lw   t1, P_CWD(t0)
        beqz t1, .root
        lw   t1, 0(t3)
        beq  t1, a0, .yes
.root:  lw   t1, P_ROOT(t0)
        beqz t1, .pnext
        lw   t1, 4(t3)
        beq  t1, a0, .yes
.pnext: addi t0, t0, P_SIZE
        addi t3, t3, 8
        la   t1, proc_table + P_SIZE * NPROC
        bltu t0, t1, .procs
        li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# mnt_release(a0 = mount entry, or 0), under the filesystem lock: one use of it went (a file's
# last close, a directory left). A detached mount (M_NS -1) that nothing uses any more is freed,
# and its filesystem with it when that was its last mount (a tmpfs's frames come back). Clobbers
# t0-t3, a0-a3.
mnt_release:
        beqz a0, .out
        lw   t0, M_NS(a0)
        li   t1, -1
        bne  t0, t1, .out
        push ra
        push a0
        call mnt_busy
        mv   t0, a0
        pop  a0
        pop  ra
        bnez t0, .out
        j    mnt_free               # (returns to our caller)
.out:   ret

# mnt_free(a0 = mount entry): the entry becomes free; its inodes are let go, and open files
# that were opened through it forget it (F_MNT). Clobbers t0-t3, a0-a3.
mnt_free:
        push ra
        push s1
        mv   s1, a0
        la   t0, ftable
        la   t1, ftable + F_SIZE * NFILE
.files: lw   t2, F_MNT(t0)
        bne  t2, s1, .fnext
        sw   zero, F_MNT(t0)
.fnext: addi t0, t0, F_SIZE
        bltu t0, t1, .files
        li   t0, -1                 # being freed: in no namespace, and not free yet (unshare
        sw   t0, M_NS(s1)           # may run while an iput below waits for the disk)
        lw   a0, M_MP(s1)
        sw   zero, M_MP(s1)
        beqz a0, .root
        call mnt_iput
.root:  lw   a0, M_ROOT(s1)
        sw   zero, M_ROOT(s1)
        beqz a0, .clear
        call mnt_iput
.clear: sw   zero, M_PARENT(s1)
        sw   zero, M_FLAGS(s1)
        sw   zero, M_SEQ(s1)
        sw   zero, M_NS(s1)         # free
        pop  s1
        pop  ra
        ret

# mnt_iput(a0 = an inode a mount entry held): iput, then the device it is on counts one mount
# fewer (a tmpfs instance ends with its last mount, tmpfs.s). Clobbers t0-t3, a0-a3.
mnt_iput:
        push ra
        lw   t0, I_DEV(a0)
        push t0
        call iput
        pop  a0
        call dev_release
        pop  ra
        ret

# ---- crossing mounts (namex, getcwd) --------------------------------------------------------

# mnt_cross(a0 = held inode where the walk stands, in mount namex_mnt) -> a0 = held inode: the
# root of the mount that covers it (the topmost of a stack), or the inode itself. namex_mnt
# follows. The old inode is a mountpoint, held by its mount too: iput does no I/O.
mnt_cross:
        push ra
        push s1
        mv   s1, a0
.scan:  la   t1, namex_mnt
        lw   t1, 0(t1)
        la   t0, mount_table
.each:  lw   t2, M_NS(t0)
        beqz t2, .next
        lw   t2, M_PARENT(t0)
        bne  t2, t1, .next
        lw   t2, M_MP(t0)
        beq  t2, s1, .down
.next:  addi t0, t0, M_SIZE
        la   t2, mount_table + M_SIZE * NMOUNT
        bltu t0, t2, .each
        mv   a0, s1
        pop  s1
        pop  ra
        ret
.down:  la   t1, namex_mnt          # covered: on to the mount's root, and look again
        sw   t0, 0(t1)
        mv   a0, s1
        lw   s1, M_ROOT(t0)
        call iput
        mv   a0, s1
        call idup
        j    .scan

# mnt_up(a0 = held inode, a1 = its mount) -> a0 = held inode, a1 = mount: while the inode is
# the root of a mount that has a parent, its mountpoint in the parent instead (the first half
# of `..`). At the root of the namespace's root mount it stays.
mnt_up:
        push ra
        push s1
        push s2
        mv   s1, a0
        mv   s2, a1
.up:    lw   t0, M_ROOT(s2)
        bne  t0, s1, .out
        lw   t0, M_PARENT(s2)
        beqz t0, .out
        lw   a0, M_MP(s2)
        mv   s2, t0
        call idup
        push a0
        mv   a0, s1
        call iput
        pop  s1
        j    .up
.out:   mv   a0, s1
        mv   a1, s2
        pop  s2
        pop  s1
        pop  ra
        ret

# path_of(a0 = held directory, a1 = its mount, a2 = stop inode, a3 = stop mount) -> a0 = its
# path, built backwards in path_buf (ending at path_buf + PATH_MAX - 1), from the stop place
# (usually the process's root); a1 = 1 when the climb reached the root of the namespace
# without meeting the stop place (the directory is not below it), else 0; or a0 = -errno. The
# directory's reference is consumed. Names come from each parent's entries (dir_name_of).
        .equ PO_STOPI, 0
        .equ PO_STOPM, 4
        .equ PO_MNT, 8
path_of:
        push ra
        push s1
        push s2
        push s3
        push fp
        addi sp, sp, -12
        sw   a2, PO_STOPI(sp)
        sw   a3, PO_STOPM(sp)
        sw   a1, PO_MNT(sp)
        mv   s1, a0                 # s1 = held directory
        la   s2, path_buf + PATH_MAX - 1    # s2 = start of the path so far
        sb   zero, 0(s2)
        call all_inodes
        addi s3, a0, NMOUNT         # s3 = steps left (a `..` cycle ends)
.up:    lw   t0, PO_STOPI(sp)
        bne  s1, t0, .mnt
        lw   t0, PO_STOPM(sp)
        lw   t1, PO_MNT(sp)
        beq  t0, t1, .top
.mnt:   lw   t0, PO_MNT(sp)         # the root of a mount: to its mountpoint, no name
        lw   t1, M_ROOT(t0)
        bne  t1, s1, .parent
        lw   t1, M_PARENT(t0)
        beqz t1, .outside
        sw   t1, PO_MNT(sp)
        lw   a0, M_MP(t0)
        call idup
        push a0
        mv   a0, s1
        call iput
        pop  s1
        j    .up
.parent:
        addi s3, s3, -1
        beqz s3, .broken
        mv   a0, s1
        la   a1, dotdot_name
        call dir_lookup_inode
        blt  a0, zero, .fail
        beqz a0, .broken
        mv   fp, a0                 # fp = held parent
        lw   a1, I_INUM(s1)
        call dir_name_of            # name_buf = our name in it (sysfile.s)
        blt  a0, zero, .failp
        la   a0, name_buf           # prepend "/name"
        mv   t0, a0
.len:   lbu  t1, 0(t0)
        beqz t1, .prepend
        addi t0, t0, 1
        j    .len
.prepend:
        sub  a2, t0, a0
        sub  t0, s2, a2
        addi t0, t0, -1
        la   t1, path_buf
        bltu t0, t1, .long
        mv   s2, t0
        li   t1, '/'
        sb   t1, 0(s2)
        mv   a1, a0
        addi a0, s2, 1
        call copy_bytes
        mv   a0, s1
        call iput
        mv   s1, fp
        j    .up
.outside:
        li   s3, 1
        j    .done
.top:   li   s3, 0
.done:  lbu  t0, 0(s2)              # the root alone is "/"
        bnez t0, .built
        addi s2, s2, -1
        li   t0, '/'
        sb   t0, 0(s2)
.built: mv   a0, s1
        call iput
        mv   a0, s2
        mv   a1, s3
        j    .ret
.broken:
        li   a0, -EIO
        j    .fail
.long:  li   a0, -ENAMETOOLONG
.failp: push a0
        mv   a0, fp
        call iput
        pop  a0
.fail:  push a0
        mv   a0, s1
        call iput
        pop  a0
.ret:   addi sp, sp, 12
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# mnt_path(a0 = held directory, a1 = its mount) -> path_of from the process's root.
mnt_path:
        push ra
        push a0
        push a1
        li   a0, 1
        call proc_dir_raw
        mv   a2, a0
        mv   a3, a1
        pop  a1
        pop  a0
        call path_of
        pop  ra
        ret

# ---- checks for sysfile.s ------------------------------------------------------------------

# mnt_writable -> a0 = 0, or -EROFS when the mount the last lookup ended in (namex_mnt) is
# read-only (mount -o ro, MS_RDONLY). fs_writable asks it. Clobbers t0.
mnt_writable:
        li   a0, 0
        la   t0, namex_mnt
        lw   t0, 0(t0)
        beqz t0, .ok
        lw   t0, M_FLAGS(t0)
        andi t0, t0, MS_RDONLY
        beqz t0, .ok
        li   a0, -EROFS
.ok:    ret

# is_mountpoint(a0 = inode) -> a0 = 1 when a mount of any namespace covers it (rmdir and
# rename of it: EBUSY, as on Linux), else 0. Clobbers t0-t2.
is_mountpoint:
        la   t0, mount_table
        la   t1, mount_table + M_SIZE * NMOUNT
.each:  lw   t2, M_NS(t0)
        beqz t2, .next
        lw   t2, M_MP(t0)
        beq  t2, a0, .yes
.next:  addi t0, t0, M_SIZE
        bltu t0, t1, .each
        li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# ---- the calls ------------------------------------------------------------------------------

sys_mount:
        la   t0, do_mount
        j    fs_call
sys_umount:
        la   t0, do_umount
        j    fs_call
sys_pivot_root:
        la   t0, do_pivot_root
        j    fs_call
sys_mounts:
        la   t0, do_mounts
        j    fs_call

# mount(source, target, fstype, flags): MS_BIND makes the directory `source` appear at the
# directory `target` (fstype ignored), read-only with MS_RDONLY. Without MS_BIND, fstype names
# a filesystem to create: "tmpfs" (tmpfs.s) or "overlay" (ovl.s), whose options ("size=64k",
# "lowerdir=...,upperdir=...") come in `source`, as Linux's come in mount(2)'s data; any other
# type is ENODEV once the target is found. The new mount covers the target where the walk to it
# ended (on top of any mount there already). A target, or a bind's source, in a detached mount
# (umount_lazy) is EINVAL, as Linux's check_mnt.
do_mount:
        push ra
        push s1
        push s2
        push s3
        li   t0, ~(MS_BIND | MS_RDONLY)
        and  t0, a3, t0
        bnez t0, .inval
        mv   a0, a1                 # the target first (Linux's order)
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held target
        la   t0, namex_mnt
        lw   s2, 0(t0)              # s2 = its mount
        lw   t0, I_TYPE(s1)
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .put1
        lw   t0, M_NS(s2)           # in a detached mount: EINVAL (Linux's check_mnt)
        lw   t1, P_MNTNS(s0)
        li   a0, -EINVAL
        bne  t0, t1, .put1
        lw   t0, P_A3(s0)
        andi t0, t0, MS_BIND
        bnez t0, .bind
        la   a0, path_buf           # a new filesystem: its type must be readable ...
        lw   a1, P_A2(s0)
        call copy_string
        blt  a0, zero, .put1
        la   a0, path_buf           # ... and known: tmpfs ...
        la   a1, tmpfs_name
.type:  lbu  t0, 0(a0)
        lbu  t1, 0(a1)
        bne  t0, t1, .other
        addi a0, a0, 1
        addi a1, a1, 1
        bnez t0, .type
        la   t0, mount_table        # a free entry first (nothing to undo)
        la   t1, mount_table + M_SIZE * NMOUNT
.tfind: lw   t2, M_NS(t0)
        beqz t2, .tnew
        addi t0, t0, M_SIZE
        bltu t0, t1, .tfind
        li   a0, -ENOSPC
        j    .put1
.tnew:  call tmpfs_new              # tmpfs.s: a new instance, and its root
        blt  a0, zero, .put1
        mv   s3, a0                 # s3 = held root of the tmpfs
        j    .entry
.other: call ovl_mount              # ... or overlay (ovl.s: ENODEV for any other type) -> a0 =
        blt  a0, zero, .put1        # its held root
        mv   s3, a0
        j    .entry
.bind:  lw   a0, P_A0(s0)
        li   a1, 0
        call lookup_path
        blt  a0, zero, .put1
        mv   s3, a0                 # s3 = held source
        lw   t0, I_TYPE(s3)
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .put2
        la   t0, namex_mnt          # a source in a detached mount: EINVAL, as the target
        lw   t0, 0(t0)
        lw   t0, M_NS(t0)
        lw   t1, P_MNTNS(s0)
        li   a0, -EINVAL
        bne  t0, t1, .put2
.entry: la   t0, mount_table        # a free entry
        la   t1, mount_table + M_SIZE * NMOUNT
.find:  lw   t2, M_NS(t0)
        beqz t2, .found
        addi t0, t0, M_SIZE
        bltu t0, t1, .find
        li   a0, -ENOSPC
        j    .put2
.found: lw   t1, P_MNTNS(s0)
        sw   t1, M_NS(t0)
        sw   s3, M_ROOT(t0)         # the mount keeps both references
        sw   s2, M_PARENT(t0)
        sw   s1, M_MP(t0)
        push t0
        mv   a0, s3
        call ovl_rdonly             # an overlay without upperdir is read-only (ovl.s)
        pop  t0
        lw   t1, P_A3(s0)
        andi t1, t1, MS_RDONLY
        or   t1, t1, a0
        sw   t1, M_FLAGS(t0)
        la   t1, mnt_seq
        lw   t2, 0(t1)
        addi t2, t2, 1
        sw   t2, 0(t1)
        sw   t2, M_SEQ(t0)
        mv   a0, s3                 # the devices of its root and mountpoint count it
        call dev_hold
        mv   a0, s1
        call dev_hold
        li   a0, 0
        j    .out
.put2:  push a0
        mv   a0, s3
        call iput
        pop  a0
.put1:  push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out

# umount(target, flags): detach the mount whose root `target` is. As Linux's umount (with
# LOOKUP_MOUNTPOINT), the walk's end goes on into a mount that covers it: `umount .` in a
# directory something was mounted on since takes that mount (after pivot_root(".", "."), the old
# root stacked on the new). EINVAL for flags other than MNT_DETACH, a target that is not the
# root of a mount, or a mount that is not in the caller's namespace (a detached one); EBUSY for
# the namespace's root mount. Without MNT_DETACH, EBUSY too while anything uses the mount: a
# mount below it, a file opened through it, a process's current or root directory in it; else it
# is freed. With MNT_DETACH it and every mount below it leave the namespace at once (umount_lazy).
do_umount:
        push ra
        push s1
        push s2
        li   t0, ~MNT_DETACH
        and  t0, a1, t0
        bnez t0, .inval
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        call mnt_cross              # on into a mount that covers the walk's end
        la   t0, namex_mnt
        lw   s2, 0(t0)              # s2 = the mount
        mv   s1, a0
        call iput                   # (a mount's root is held by the mount too)
        li   a0, -EINVAL
        lw   t0, M_ROOT(s2)
        bne  s1, t0, .out           # not the root of a mount
        lw   t0, M_NS(s2)
        lw   t1, P_MNTNS(s0)
        bne  t0, t1, .out           # not in the caller's namespace (detached)
        li   a0, -EBUSY
        lw   t0, M_PARENT(s2)
        beqz t0, .out               # the namespace's root
        lw   t0, P_A1(s0)
        bnez t0, .lazy
        la   t0, mount_table        # mounts below it
        la   t1, mount_table + M_SIZE * NMOUNT
.mnts:  lw   t2, M_NS(t0)
        beqz t2, .mnext
        lw   t2, M_PARENT(t0)
        beq  t2, s2, .out
.mnext: addi t0, t0, M_SIZE
        bltu t0, t1, .mnts
        mv   a0, s2                 # files and directories in it
        call mnt_busy
        bnez a0, .busy
        mv   a0, s2
        call mnt_free
        li   a0, 0
        j    .out
.lazy:  mv   a0, s2
        call umount_lazy
        li   a0, 0
        j    .out
.busy:  li   a0, -EBUSY
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  s2
        pop  s1
        pop  ra
        ret

# umount_lazy(a0 = a mount of the caller's namespace, not its root): MNT_DETACH, as Linux's
# umount_tree. 1. The mount and every mount below it leave the namespace (M_NS -1), in one pass
# that never waits, so that unshare (which copies without the lock) sees the tree before or
# after, never half of it; no new walk reaches them from here on. 2. Each is cut from its parent:
# no parent, and its mountpoint let go (the directory it covered shows again; a mount below
# covered a directory of the mount above it, which goes on without it). 3. Those that nothing
# uses are freed now (mnt_release); the others stay, detached, until their last use goes.
umount_lazy:
        push ra
        push s1
        push s2
        lw   s1, P_MNTNS(s0)        # s1 = the namespace
        li   t2, -1
        sw   t2, M_NS(a0)
.mark:  li   t3, 0                  # 1. until a pass marks nothing more: an entry of the
        la   t0, mount_table        #    namespace whose parent is marked is marked
        la   a1, mount_table + M_SIZE * NMOUNT
.meach: lw   t1, M_NS(t0)
        bne  t1, s1, .mnext
        lw   t1, M_PARENT(t0)
        beqz t1, .mnext
        lw   t1, M_NS(t1)
        bne  t1, t2, .mnext
        sw   t2, M_NS(t0)
        li   t3, 1
.mnext: addi t0, t0, M_SIZE
        bltu t0, a1, .meach
        bnez t3, .mark
        la   s2, mount_table        # 2. cut (the entries detached before have no parent)
.cut:   lw   t0, M_NS(s2)
        li   t1, -1
        bne  t0, t1, .cnext
        lw   t0, M_PARENT(s2)
        beqz t0, .cnext
        sw   zero, M_PARENT(s2)
        lw   a0, M_MP(s2)
        sw   zero, M_MP(s2)
        call mnt_iput               # (a mountpoint is a linked directory: no I/O)
.cnext: addi s2, s2, M_SIZE
        la   t0, mount_table + M_SIZE * NMOUNT
        bltu s2, t0, .cut
        la   s2, mount_table        # 3. free what nothing uses
.free:  mv   a0, s2
        call mnt_release
        addi s2, s2, M_SIZE
        la   t0, mount_table + M_SIZE * NMOUNT
        bltu s2, t0, .free
        pop  s2
        pop  s1
        pop  ra
        ret

# pivot_root(new_root, put_old), pivot_root(2): the mount whose root is new_root becomes the
# root of the caller's namespace, and the old root mount is attached at put_old (which must be
# at or below new_root), where `umount put_old` can then take it away. Every process of the
# namespace whose root or current directory was the old root has the new one (0 in its PCB
# follows by itself; an explicit old root is set to 0). new_root and put_old may be the same
# directory, runc's pivot_root(".", "."): the old root is then mounted on top of the new one,
# where `umount2(".", MNT_DETACH)` takes it (and every mount below it) away. Errors in Linux's
# order: the lookups (ENOTDIR when either is not a directory); EINVAL when the caller's root is
# not the namespace's root (a chroot), or new_root is not in the namespace (a detached mount);
# EBUSY when new_root or put_old is on the current root mount; EINVAL when new_root is not the
# root of a mount, or put_old is not at or below it.
        .equ PV_NEWI, 0
        .equ PV_NEWM, 4
        .equ PV_OLDI, 8
        .equ PV_OLDM, 12
do_pivot_root:
        push ra
        push s1
        push s2
        push s3
        addi sp, sp, -16
        sw   zero, PV_NEWI(sp)
        sw   zero, PV_OLDI(sp)
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        sw   a0, PV_NEWI(sp)
        la   t0, namex_mnt
        lw   t0, 0(t0)
        sw   t0, PV_NEWM(sp)
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .out
        lw   a0, P_A1(s0)
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        sw   a0, PV_OLDI(sp)
        la   t0, namex_mnt
        lw   t0, 0(t0)
        sw   t0, PV_OLDM(sp)
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .out
        li   a0, -EINVAL
        lw   t0, P_ROOT(s0)         # the caller's root must be the namespace's
        bnez t0, .out
        lw   s1, P_MNTNS(s0)
        lw   s2, MN_ROOT(s1)        # s2 = the old root mount
        lw   s3, PV_NEWM(sp)        # s3 = the new one
        lw   t0, M_NS(s3)
        bne  t0, s1, .out           # detached (put_old then is not below new_root either)
        li   a0, -EBUSY
        beq  s3, s2, .out
        lw   t0, PV_OLDM(sp)
        beq  t0, s2, .out
        li   a0, -EINVAL
        lw   t0, M_ROOT(s3)
        lw   t1, PV_NEWI(sp)
        bne  t0, t1, .out           # new_root is not the root of a mount
        lw   a0, PV_OLDI(sp)        # put_old at or below new_root?
        call idup
        lw   a1, PV_OLDM(sp)
        lw   a2, PV_NEWI(sp)
        mv   a3, s3
        call path_of
        blt  a0, zero, .out
        li   a0, -EINVAL
        bnez a1, .out
        lw   t0, M_SEQ(s3)          # the new root is listed first (mounts), the old one after
        lw   t1, M_SEQ(s2)
        sw   t1, M_SEQ(s3)
        sw   t0, M_SEQ(s2)
        lw   a0, M_MP(s3)           # new_root leaves its mountpoint: the new root ...
        sw   zero, M_MP(s3)
        sw   zero, M_PARENT(s3)
        sw   s3, MN_ROOT(s1)
        call mnt_iput
        lw   t0, PV_OLDM(sp)        # ... and the old root goes to put_old (keeping the
        sw   t0, M_PARENT(s2)       # reference the lookup took)
        lw   a0, PV_OLDI(sp)
        sw   a0, M_MP(s2)
        sw   zero, PV_OLDI(sp)
        call dev_hold
        la   s3, proc_table         # an explicit old root (or current directory): the new
.procs: lw   t0, P_STATE(s3)        # one, 0
        beqz t0, .pnext
        lw   t0, P_MNTNS(s3)
        bne  t0, s1, .pnext
        mv   a0, s3
        call pmnt
        mv   a1, a0
        lw   a0, P_CWD(s3)
        beqz a0, .root
        lw   t0, 0(a1)
        bne  t0, s2, .root
        lw   t0, M_ROOT(s2)
        bne  t0, a0, .root
        sw   zero, P_CWD(s3)
        push a1
        call iput
        pop  a1
.root:  lw   a0, P_ROOT(s3)
        beqz a0, .pnext
        lw   t0, 4(a1)
        bne  t0, s2, .pnext
        lw   t0, M_ROOT(s2)
        bne  t0, a0, .pnext
        sw   zero, P_ROOT(s3)
        call iput
.pnext: addi s3, s3, P_SIZE
        la   t0, proc_table + P_SIZE * NPROC
        bltu s3, t0, .procs
        li   a0, 0
.out:   mv   s1, a0
        lw   a0, PV_NEWI(sp)
        beqz a0, .p1
        call iput
.p1:    lw   a0, PV_OLDI(sp)
        beqz a0, .p2
        call iput
.p2:    mv   a0, s1
        addi sp, sp, 16
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# mounts(buf, len) -> bytes written: one line per mount of the caller's namespace that its
# root reaches, in the order they were mounted, as Linux's /proc/mounts writes them:
# "/dev/disk TARGET rlfs rw" (ro for a read-only mount), "tmpfs TARGET tmpfs rw,size=Nk" for a
# tmpfs (N in KiB, as Linux writes it). ERANGE when they do not fit.
do_mounts:
        push ra
        push s1
        push s2
        push s3
        push fp
        li   s2, 0                  # s2 = bytes written
        li   s3, 0                  # s3 = the sequence number listed last
.next:  la   t0, mount_table        # the next mount in order: the smallest M_SEQ > s3
        la   t1, mount_table + M_SIZE * NMOUNT
        li   s1, 0
        lw   t3, P_MNTNS(s0)
.each:  lw   t2, M_NS(t0)
        bne  t2, t3, .skip
        lw   t2, M_SEQ(t0)
        bleu t2, s3, .skip
        beqz s1, .take
        lw   a0, M_SEQ(s1)
        bgeu t2, a0, .skip
.take:  mv   s1, t0
.skip:  addi t0, t0, M_SIZE
        bltu t0, t1, .each
        beqz s1, .done
        lw   s3, M_SEQ(s1)
        lw   a0, M_ROOT(s1)         # its place: the path of its root, from the caller's
        call idup
        mv   a1, s1
        call mnt_path
        blt  a0, zero, .out
        bnez a1, .next              # not below the caller's root: not listed
        mv   fp, a0
        lw   a0, M_ROOT(s1)         # an overlay's: "overlay TARGET overlay rw,OPTIONS" (ovl.s)
        call ovl_mount_line
        bnez a0, .ovl
        lw   t0, M_ROOT(s1)         # a tmpfs: "tmpfs TARGET tmpfs rw,size=Nk"
        lw   t0, I_DEV(t0)
        bnez t0, .tmpfs
        la   a0, m_dev
        call mounts_put
        blt  a0, zero, .out
        mv   a0, fp
        call mounts_put
        blt  a0, zero, .out
        la   a0, m_rw
        lw   t0, M_FLAGS(s1)
        andi t0, t0, MS_RDONLY
        beqz t0, .rw
        la   a0, m_ro
.rw:    call mounts_put
        blt  a0, zero, .out
        j    .next
.tmpfs: la   a0, m_tmpfs
        call mounts_put
        blt  a0, zero, .out
        mv   a0, fp
        call mounts_put
        blt  a0, zero, .out
        la   a0, m_tmpfs_rw
        lw   t0, M_FLAGS(s1)
        andi t0, t0, MS_RDONLY
        beqz t0, .trw
        la   a0, m_tmpfs_ro
.trw:   call mounts_put
        blt  a0, zero, .out
        lw   a0, M_ROOT(s1)
        lw   a0, I_DEV(a0)
        call tmpfs_sizestr
        call mounts_put
        blt  a0, zero, .out
        j    .next
.ovl:   push a0
        la   a0, m_ovl
        call mounts_put
        blt  a0, zero, .ovlerr
        mv   a0, fp
        call mounts_put
        blt  a0, zero, .ovlerr
        la   a0, m_ovl_rw
        lw   t0, M_FLAGS(s1)
        andi t0, t0, MS_RDONLY
        beqz t0, .orw
        la   a0, m_ovl_ro
.orw:   call mounts_put
        blt  a0, zero, .ovlerr
        pop  a0
        call mounts_put
        blt  a0, zero, .out
        la   a0, m_nl
        call mounts_put
        blt  a0, zero, .out
        j    .next
.ovlerr:
        addi sp, sp, 4
        j    .out
.done:  mv   a0, s2
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# mounts_put(a0 = kernel string; s2 = bytes written so far) -> a0 = 0, s2 advanced; or -ERANGE,
# -EFAULT. (do_mounts's helper: it shares s2.)
mounts_put:
        push ra
        mv   a1, a0
        li   a2, 0
.len:   add  t0, a1, a2
        lbu  t0, 0(t0)
        beqz t0, .have
        addi a2, a2, 1
        j    .len
.have:  add  t0, s2, a2
        lw   t1, P_A1(s0)
        bgtu t0, t1, .range
        mv   a0, a1
        lw   a1, P_A0(s0)
        add  a1, a1, s2
        push a2
        li   a3, 1
        call copy_user
        pop  a2
        bne  a0, a2, .fault
        add  s2, s2, a2
        li   a0, 0
        pop  ra
        ret
.range: li   a0, -ERANGE
        pop  ra
        ret
.fault: li   a0, -EFAULT
        pop  ra
        ret

# ---- mount namespaces: unshare(CLONE_NEWNS) -------------------------------------------------

# mntns_unshare(s0 = PCB) -> a0 = 0, or -ENOSPC (nothing changed) when mntns_table, or
# mount_table for the copies, is full: the caller moves to a new namespace holding a copy of
# each of its namespace's mounts (the same directories, held once more), linked as the
# originals are; its current and root directories move to the copies of their mounts. Open
# files keep the mounts they were opened through (as on Linux). Called by sys_unshare (ns.s),
# which must not wait before its own changes are done: so this never waits (no lock: it only
# takes free entries, and copies none that an umount is freeing, M_NS -1), and returns the old
# namespace in a1 for sys_unshare to leave (mntns_put) at its very end.
mntns_unshare:
        push ra
        push s1
        push s2
        push s3
        la   s1, mntns_table + MN_SIZE  # entry 0 is the boot namespace
        la   t1, mntns_table + MN_SIZE * NMNTNS
.nfind: lw   t0, MN_REF(s1)
        beqz t0, .nfound
        addi s1, s1, MN_SIZE
        bltu s1, t1, .nfind
        j    .nospc
.nfound:
        lw   s2, P_MNTNS(s0)        # s2 = the old namespace
        li   t3, 0                  # room: mounts to copy <= free entries
        la   t0, mount_table
        la   t1, mount_table + M_SIZE * NMOUNT
.count: lw   t2, M_NS(t0)
        bne  t2, s2, .free
        addi t3, t3, 1
.free:  bnez t2, .cnext
        addi t3, t3, -1
.cnext: addi t0, t0, M_SIZE
        bltu t0, t1, .count
        bgt  t3, zero, .nospc
        la   s3, mount_table        # 1. copy each, remembering where (mnt_map)
.copy:  lw   t0, M_NS(s3)
        bne  t0, s2, .copynext
        la   t0, mount_table
.slot:  lw   t1, M_NS(t0)
        beqz t1, .slotok
        addi t0, t0, M_SIZE
        j    .slot                  # (there is room: counted above)
.slotok:
        sw   s1, M_NS(t0)
        lw   t1, M_PARENT(s3)
        sw   t1, M_PARENT(t0)       # the original's parent: mapped below
        lw   t1, M_FLAGS(s3)
        sw   t1, M_FLAGS(t0)
        lw   t1, M_SEQ(s3)
        sw   t1, M_SEQ(t0)
        lw   a0, M_ROOT(s3)
        sw   a0, M_ROOT(t0)
        lw   t1, M_MP(s3)
        sw   t1, M_MP(t0)
        la   t1, mount_table        # mnt_map[index of the original] = the copy
        sub  t1, s3, t1
        srli t1, t1, M_SHIFT - 2
        la   t2, mnt_map
        add  t1, t1, t2
        sw   t0, 0(t1)
        push t0
        call idup
        lw   t0, 0(sp)
        lw   a0, M_ROOT(t0)         # the copy counts as a mount of the devices it holds
        call dev_hold
        lw   t0, 0(sp)
        lw   a0, M_MP(t0)
        call dev_hold
        pop  t0
        lw   a0, M_MP(t0)
        beqz a0, .copynext
        call idup
.copynext:
        addi s3, s3, M_SIZE
        la   t0, mount_table + M_SIZE * NMOUNT
        bltu s3, t0, .copy
        la   s3, mount_table        # 2. the copies' parents are the copies of the parents
.link:  lw   t0, M_NS(s3)
        bne  t0, s1, .linknext
        lw   a0, M_PARENT(s3)
        call mnt_mapped
        sw   a0, M_PARENT(s3)
.linknext:
        addi s3, s3, M_SIZE
        la   t0, mount_table + M_SIZE * NMOUNT
        bltu s3, t0, .link
        lw   a0, MN_ROOT(s2)        # 3. the namespace, and the caller's directories
        call mnt_mapped
        sw   a0, MN_ROOT(s1)
        li   t0, 1
        sw   t0, MN_REF(s1)
        mv   a0, s0
        call pmnt
        mv   s3, a0
        lw   a0, 0(s3)
        call mnt_mapped
        sw   a0, 0(s3)
        lw   a0, 4(s3)
        call mnt_mapped
        sw   a0, 4(s3)
        sw   s1, P_MNTNS(s0)
        mv   a1, s2
        li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.nospc: li   a0, -ENOSPC
        j    .out

# mnt_mapped(a0 = a mount of the old namespace, or 0) -> a0 = its copy (mnt_map), or 0; a
# detached mount (a directory in one) stays itself, as Linux's copy_mnt_ns moves only what is
# in the tree. (A process's directory mount is read only while its P_CWD or P_ROOT is not 0, so
# a stale word mapped to garbage is never used.) Clobbers t0, t1.
mnt_mapped:
        beqz a0, .out
        lw   t0, M_NS(a0)
        li   t1, -1
        beq  t0, t1, .out
        la   t0, mount_table
        sub  t0, a0, t0
        srli t0, t0, M_SHIFT - 2
        la   t1, mnt_map
        add  t0, t0, t1
        lw   a0, 0(t0)
.out:   ret

m_dev:  .asciz "/dev/disk "
m_rw:   .asciz " rlfs rw\n"
m_ro:   .asciz " rlfs ro\n"
m_tmpfs: .asciz "tmpfs "
m_tmpfs_rw: .asciz " tmpfs rw"
m_tmpfs_ro: .asciz " tmpfs ro"
m_ovl:  .asciz "overlay "
m_ovl_rw: .asciz " overlay rw,"
m_ovl_ro: .asciz " overlay ro,"
m_nl:   .asciz "\n"
        .align 4
