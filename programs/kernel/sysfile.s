# sysfile.s: the system calls that take paths: open, stat, mkdir, rmdir, unlink, rename,
# chdir, getcwd, and getdents. Each sys_<name> runs do_<name> under the filesystem lock
# (fs_call, fs.s), so the kernel's path and name buffers below serve one call at a time.
#
        .equ RN_SDIR, 0             # rename's held inodes (rn_frame): from's directory,
        .equ RN_DDIR, 4             # to's directory,
        .equ RN_S, 8                # from's inode and the offset of its entry,
        .equ RN_SOFF, 12
        .equ RN_D, 16               # to's inode if it exists, and its entry's offset
        .equ RN_DOFF, 20

# The checks come in the order of src/fs/image.ts (the host tool and the reference model), so
# a call fails with the same error the model predicts.

sys_open:
        la   t0, do_open
        j    fs_call
sys_stat:
        la   t0, do_stat
        j    fs_call
sys_mkdir:
        la   t0, do_mkdir
        j    fs_call
sys_rmdir:
        la   t0, do_rmdir
        j    fs_call
sys_unlink:
        la   t0, do_unlink
        j    fs_call
sys_rename:
        la   t0, do_rename
        j    fs_call
sys_chdir:
        la   t0, do_chdir
        j    fs_call
sys_getcwd:
        la   t0, do_getcwd
        j    fs_call
sys_getdents:
        push ra                     # a directory's descriptor first: the console has none
        call fd_file
        pop  ra
        blt  a0, zero, .out
        lw   t0, F_TYPE(a0)
        li   t1, FT_INODE
        bne  t0, t1, .notdir
        la   t0, do_getdents
        j    fs_call
.notdir:
        li   a0, -ENOTDIR
.out:   ret

# is_dot(a0 = name buffer) -> a0 = 1 for `.` or `..`, else 0. Clobbers t0.
is_dot:
        lbu  t0, 0(a0)
        addi t0, t0, -'.'
        bnez t0, .no
        lbu  t0, 1(a0)
        beqz t0, .yes
        addi t0, t0, -'.'
        bnez t0, .no
        lbu  t0, 2(a0)
        beqz t0, .yes
.no:    li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# lookup_path(a0 = user path, a1 = 1: its parent) -> a0 = held inode or -errno (the last name,
# for a parent, in name_buf).
lookup_path:
        push ra
        push a1
        mv   a1, a0
        la   a0, path_buf
        call fetch_path
        pop  a1
        blt  a0, zero, .out
        la   a0, path_buf
        la   a2, name_buf
        call namex
.out:   pop  ra
        ret

# open(path, flags)
do_open:
        push ra
        push s1
        push s2
        push s3
        mv   s2, a1                 # s2 = flags
        andi t0, s2, O_ACCMODE
        li   t1, O_ACCMODE
        beq  t0, t1, .inval
        li   t0, ~(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECT)
        and  t0, t0, s2
        bnez t0, .inval
        li   t0, 0                  # a free descriptor and open file first (EMFILE, ENFILE)
.fd:    slli t1, t0, 2
        add  t1, t1, s0
        lw   t1, P_OFILE(t1)
        beqz t1, .fdok
        addi t0, t0, 1
        li   t1, NOFILE
        blt  t0, t1, .fd
        li   a0, -EMFILE
        j    .out
.fdok:  call filealloc
        beqz a0, .nfile
        mv   s3, a0                 # s3 = the open file (one reference)
        lw   a0, P_A0(s0)
        andi t0, s2, O_CREAT
        bnez t0, .create
        li   a1, 0
        call lookup_path
        j    .got
.create:
        lw   a1, P_A0(s0)
        la   a0, path_buf
        call fetch_path
        blt  a0, zero, .got
        la   a0, path_buf
        li   a1, T_FILE
        andi t0, s2, O_EXCL
        beqz t0, .make
        li   a1, T_FILE | CREATE_EXCL
.make:  call create
.got:   blt  a0, zero, .drop
        mv   s1, a0                 # s1 = held inode
        andi t0, s2, O_ACCMODE | O_TRUNC   # writing needs a writable filesystem
        beqz t0, .mode
        call fs_writable
        blt  a0, zero, .put
        mv   a0, s1                 # a lower file of an overlay: its copy in upper (ovl.s)
        mv   a1, s2
        call ovl_open
        blt  a0, zero, .drop
        mv   s1, a0
.mode:
        lw   t0, I_TYPE(s1)
        li   t1, T_DIR
        bne  t0, t1, .file
        andi t0, s2, O_ACCMODE      # a directory opens for reading only
        bnez t0, .isdir
        j    .ready
.file:  andi t0, s2, O_TRUNC        # O_TRUNC with a writable mode empties it
        beqz t0, .ready
        andi t0, s2, O_ACCMODE
        beqz t0, .ready
        mv   a0, s1
        call itrunc
        blt  a0, zero, .put
.ready: li   t0, FT_INODE
        sw   t0, F_TYPE(s3)
        sw   s2, F_FLAGS(s3)
        sw   s1, F_IP(s3)
        la   t0, namex_mnt          # the mount it is opened through (vfs.s: umount's EBUSY)
        lw   t0, 0(t0)
        sw   t0, F_MNT(s3)
        mv   a0, s3
        call fd_alloc               # cannot fail: a descriptor was free and nobody ran since
        j    .out
.isdir: li   a0, -EISDIR
.put:   push a0
        mv   a0, s1
        call iput
        pop  a0
.drop:  sw   zero, F_REF(s3)        # give the open file back
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out
.nfile: li   a0, -ENFILE
        j    .out

# create(a0 = path in path_buf, a1 = T_FILE or T_DIR, or T_FILE | CREATE_EXCL) -> a0 = held
# inode, or -errno. A new file or directory. If the name exists: T_DIR and CREATE_EXCL give
# EEXIST; plain T_FILE (open's O_CREAT) returns an existing regular file as it is and gives
# EISDIR for a directory. The order is src/fs/image.ts's create and mkdir: the inode, the
# directory's first block, then the entry.
        .equ CREATE_EXCL, 0x100
create:
        push ra
        push s1
        push s2
        push s3
        push fp
        li   fp, T_DIR              # fp = 1: EEXIST for an existing name
        sub  fp, a1, fp
        sltiu fp, fp, 1
        andi t0, a1, CREATE_EXCL
        beqz t0, .excl
        li   fp, 1
.excl:  andi s3, a1, 0xff           # s3 = type
        li   a1, 1
        la   a2, name_buf
        call namex
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held parent directory
        la   t0, name_buf
        lbu  t0, 0(t0)
        beqz t0, .root              # the path is `/`
        lw   t0, I_NLINK(s1)        # a removed directory (still someone's current or root
        beqz t0, .gone              # directory) takes no new names: ENOENT, as on Linux
        mv   a0, s1
        call ovl_is_node            # an overlay's merged directory: ovl.s creates in upper
        beqz t0, .disk
        mv   a1, s3
        mv   a2, fp
        call ovl_create
        j    .putdir
.disk:  mv   a0, s1
        la   a1, name_buf
        call dir_lookup_inode
        blt  a0, zero, .putdir
        bnez a0, .exists
        call fs_writable            # a new name needs a writable filesystem
        blt  a0, zero, .putdir
        mv   a0, s1                 # space: a new inode's entry, and a directory's block
        call link_cost
        blt  a0, zero, .putdir
        li   t0, T_DIR
        bne  s3, t0, .cost
        addi a0, a0, 1
.cost:  lw   t1, I_DEV(s1)          # the free blocks of the parent's device
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        bgtu a0, t0, .nospc
        mv   a0, s3
        mv   a1, s1                 # on the parent's device
        call ialloc
        blt  a0, zero, .putdir
        mv   s2, a0                 # s2 = the new inode
        li   t0, T_DIR
        bne  s3, t0, .link
        mv   a0, s2                 # a directory: `.` and `..`
        la   a1, dot_name
        lw   a2, I_INUM(s2)
        call dirlink
        blt  a0, zero, .fail
        mv   a0, s2
        la   a1, dotdot_name
        lw   a2, I_INUM(s1)
        call dirlink
        blt  a0, zero, .fail
        lw   t0, I_NLINK(s1)        # the parent gains the `..`
        addi t0, t0, 1
        sw   t0, I_NLINK(s1)
        mv   a0, s1
        call iupdate
        blt  a0, zero, .fail
.link:  li   t0, 1                  # a file: its entry; a directory: its entry and its `.`
        li   t1, T_DIR
        bne  s3, t1, .nlink
        li   t0, 2
.nlink: sw   t0, I_NLINK(s2)
        mv   a0, s2
        call iupdate
        blt  a0, zero, .fail
        mv   a0, s1
        la   a1, name_buf
        lw   a2, I_INUM(s2)
        call dirlink
        blt  a0, zero, .fail
        mv   a0, s1
        call iput
        mv   a0, s2
        j    .out
.exists:
        mv   s2, a0
        mv   a0, s1
        call iput
        mv   a0, s2
        bnez fp, .eexist            # mkdir, O_EXCL: it exists
        lw   t0, I_TYPE(s2)         # open: a file is fine, a directory is not
        li   t1, T_DIR
        bne  t0, t1, .out
        call iput
        li   a0, -EISDIR
        j    .out
.eexist:
        call iput
        li   a0, -EEXIST
        j    .out
.root:  mv   a0, s1
        call iput
        li   a0, -EEXIST
        bnez fp, .out
        li   a0, -EISDIR
        j    .out
.nospc: li   a0, -ENOSPC
        j    .putdir
.gone:  li   a0, -ENOENT
        j    .putdir
.fail:  push a0                     # an I/O error half way: drop the new inode too
        mv   a0, s2
        call iput
        pop  a0
.putdir:
        push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# stat(path, st)
do_stat:
        push ra
        push s1
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        mv   s1, a0
        lw   a1, P_A1(s0)
        call stat_out
        push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  s1
        pop  ra
        ret

# mkdir(path)
do_mkdir:
        push ra
        mv   a1, a0
        la   a0, path_buf
        call fetch_path
        blt  a0, zero, .out
        la   a0, path_buf
        li   a1, T_DIR
        call create
        blt  a0, zero, .out
        call iput
        li   a0, 0
.out:   pop  ra
        ret

# unlink(path)
do_unlink:
        push ra
        push s1
        push s2
        li   a1, 1
        call lookup_path
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held parent
        la   a0, name_buf
        lbu  t0, 0(a0)
        beqz t0, .isdir             # `/`
        call is_dot
        bnez a0, .isdir
        call fs_writable
        blt  a0, zero, .put
        mv   a0, s1
        call ovl_is_node            # an overlay's merged directory: ovl.s (whiteouts)
        beqz t0, .disk
        li   a1, 0
        call ovl_remove
        j    .put
.disk:  mv   a0, s1
        la   a1, name_buf
        call dir_lookup_inode
        blt  a0, zero, .put
        beqz a0, .noent
        mv   s2, a0                 # s2 = held inode, a1 = its entry
        lw   t0, I_TYPE(s2)
        li   t1, T_DIR
        beq  t0, t1, .dir
        mv   a0, s1                 # the entry goes ...
        li   a2, 0
        call dir_set_inum
        blt  a0, zero, .put2
        lw   t0, I_NLINK(s2)        # ... and with the last link the file (at its last iput)
        addi t0, t0, -1
        sw   t0, I_NLINK(s2)
        mv   a0, s2
        call iupdate
.put2:  push a0
        mv   a0, s2
        call iput
        pop  a0
.put:   push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.dir:   li   a0, -EISDIR
        j    .put2
.isdir: li   a0, -EISDIR
        j    .put
.noent: li   a0, -ENOENT
        j    .put

# rmdir(path)
do_rmdir:
        push ra
        push s1
        push s2
        push s3
        li   a1, 1
        call lookup_path
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = held parent
        la   a0, name_buf
        lbu  t0, 0(a0)
        beqz t0, .busy              # `/`
        call is_dot
        bnez a0, .inval
        call fs_writable
        blt  a0, zero, .put
        mv   a0, s1
        call ovl_is_node            # an overlay's merged directory: ovl.s (whiteouts)
        beqz t0, .disk
        li   a1, 1
        call ovl_remove
        j    .put
.disk:  mv   a0, s1
        la   a1, name_buf
        call dir_lookup_inode
        blt  a0, zero, .put
        beqz a0, .noent
        mv   s2, a0
        mv   s3, a1                 # s3 = its entry
        lw   t0, I_TYPE(s2)
        li   t1, T_DIR
        bne  t0, t1, .notdir
        call is_mountpoint          # vfs.s: a mount covers it (in any namespace)
        bnez a0, .busy2
        mv   a0, s2
        call dir_is_empty
        blt  a0, zero, .put2
        beqz a0, .notempty
        mv   a0, s1
        mv   a1, s3
        li   a2, 0
        call dir_set_inum
        blt  a0, zero, .put2
        mv   a0, s2
        mv   a1, s1
        call drop_dir
.put2:  push a0
        mv   a0, s2
        call iput
        pop  a0
.put:   push a0
        mv   a0, s1
        call iput
        pop  a0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.busy:  li   a0, -EBUSY
        j    .put
.inval: li   a0, -EINVAL
        j    .put
.noent: li   a0, -ENOENT
        j    .put
.notdir:
        li   a0, -ENOTDIR
        j    .put2
.notempty:
        li   a0, -ENOTEMPTY
        j    .put2
.busy2: li   a0, -EBUSY
        j    .put2

# drop_dir(a0 = directory, a1 = its parent, whose entry for it is gone) -> a0 = 0 or -EIO: no
# link is left (it goes at its last iput), and the parent loses the directory's `..`.
drop_dir:
        push ra
        push a1
        sw   zero, I_NLINK(a0)
        call iupdate
        pop  a1
        blt  a0, zero, .out
        lw   t0, I_NLINK(a1)
        addi t0, t0, -1
        sw   t0, I_NLINK(a1)
        mv   a0, a1
        call iupdate
.out:   pop  ra
        ret

# rename(from, to): the held inodes live in rn_* (one call at a time holds the lock).
do_rename:
        push ra
        push s1
        push s2
        push s3
        la   s3, rn_frame            # s3 = the rename frame; every slot starts empty
        sw   zero, RN_SDIR(s3)
        sw   zero, RN_DDIR(s3)
        sw   zero, RN_S(s3)
        sw   zero, RN_D(s3)
        mv   a1, a0                 # both paths in (their syntax errors first) ...
        la   a0, path_buf2
        call fetch_path
        blt  a0, zero, .out
        lw   a1, P_A1(s0)
        la   a0, path_buf
        call fetch_path
        blt  a0, zero, .out
        la   a0, path_buf2          # ... then both parents (from's errors first)
        li   a1, 1
        la   a2, name_buf2
        call namex
        blt  a0, zero, .out
        sw   a0, RN_SDIR(s3)
        la   t0, namex_mnt          # vfs.s: from's mount
        lw   s1, 0(t0)
        la   a0, path_buf
        li   a1, 1
        la   a2, name_buf
        call namex
        blt  a0, zero, .out
        sw   a0, RN_DDIR(s3)        # name_buf2 = from's name, name_buf = to's
        la   t0, namex_mnt          # across mounts: EXDEV, as on Linux
        lw   t0, 0(t0)
        bne  t0, s1, .xdev
        lw   t0, I_NLINK(a0)        # into a removed directory: ENOENT (see create)
        beqz t0, .noent
        la   t0, name_buf2
        lbu  t0, 0(t0)
        beqz t0, .busy
        la   t0, name_buf
        lbu  t0, 0(t0)
        beqz t0, .busy
        la   a0, name_buf2
        call is_dot
        bnez a0, .inval
        la   a0, name_buf
        call is_dot
        bnez a0, .inval
        call fs_writable
        blt  a0, zero, .out
        lw   a0, RN_SDIR(s3)
        call ovl_is_node            # in an overlay: ovl.s (copy-up, whiteouts, EXDEV)
        beqz t0, .disk
        lw   a1, RN_DDIR(s3)
        call ovl_rename
        j    .out
.disk:  lw   a0, RN_SDIR(s3)
        la   a1, name_buf2
        call dir_lookup_inode
        blt  a0, zero, .out
        beqz a0, .noent
        sw   a0, RN_S(s3)
        sw   a1, RN_SOFF(s3)
        call is_mountpoint          # vfs.s: a mountpoint does not move (EBUSY)
        bnez a0, .mpbusy
        lw   a0, RN_S(s3)
        lw   t0, I_TYPE(a0)         # s1 = 1 when from is a directory
        addi t0, t0, -T_DIR
        sltiu s1, t0, 1
        beqz s1, .target
        lw   a0, RN_DDIR(s3)        # a directory may not move below itself
        lw   a1, RN_S(s3)
        lw   a1, I_INUM(a1)
        call within
        blt  a0, zero, .out
        bnez a0, .inval
.target:
        lw   a0, RN_DDIR(s3)
        la   a1, name_buf
        call dir_lookup_inode
        blt  a0, zero, .out
        beqz a0, .new
        sw   a0, RN_D(s3)
        sw   a1, RN_DOFF(s3)
        call is_mountpoint          # nor is one replaced
        bnez a0, .mpbusy
        lw   a0, RN_D(s3)
        lw   t0, RN_S(s3)
        beq  a0, t0, .ok            # the same inode (iget shares the copy): nothing to do
        lw   t0, I_TYPE(a0)         # s2 = 1 when to is a directory
        addi t0, t0, -T_DIR
        sltiu s2, t0, 1
        beqz s1, .fromfile
        beqz s2, .notdir
        j    .kinds
.fromfile:
        bnez s2, .isdir
.kinds: beqz s2, .replace
        call dir_is_empty
        blt  a0, zero, .out
        beqz a0, .notempty
.replace:
        lw   a0, RN_DDIR(s3)        # to's entry now names from's inode
        lw   a1, RN_DOFF(s3)
        lw   a2, RN_S(s3)
        lw   a2, I_INUM(a2)
        call dir_set_inum
        blt  a0, zero, .out
        lw   a0, RN_D(s3)
        beqz s2, .dropfile
        lw   a1, RN_DDIR(s3)
        call drop_dir
        blt  a0, zero, .out
        j    .unlink
.dropfile:
        lw   t0, I_NLINK(a0)
        addi t0, t0, -1
        sw   t0, I_NLINK(a0)
        call iupdate
        blt  a0, zero, .out
        j    .unlink
.new:   lw   a0, RN_DDIR(s3)
        call link_cost
        blt  a0, zero, .out
        lw   t1, RN_DDIR(s3)
        lw   t1, I_DEV(t1)
        dev_entry t0, t1, t2
        lw   t0, D_NFREE(t0)
        bgtu a0, t0, .nospc
        lw   a0, RN_DDIR(s3)
        la   a1, name_buf
        lw   a2, RN_S(s3)
        lw   a2, I_INUM(a2)
        call dirlink
        blt  a0, zero, .out
.unlink:
        lw   a0, RN_SDIR(s3)        # from's entry goes
        lw   a1, RN_SOFF(s3)
        li   a2, 0
        call dir_set_inum
        blt  a0, zero, .out
        beqz s1, .ok                # a directory that changed parents: its `..`, the counts
        lw   t0, RN_SDIR(s3)
        lw   t1, RN_DDIR(s3)
        beq  t0, t1, .ok
        lw   a0, RN_S(s3)
        li   a1, DIRENT_SIZE
        lw   a2, I_INUM(t1)
        call dir_set_inum
        blt  a0, zero, .out
        lw   a0, RN_SDIR(s3)
        lw   t0, I_NLINK(a0)
        addi t0, t0, -1
        sw   t0, I_NLINK(a0)
        call iupdate
        blt  a0, zero, .out
        lw   a0, RN_DDIR(s3)
        lw   t0, I_NLINK(a0)
        addi t0, t0, 1
        sw   t0, I_NLINK(a0)
        call iupdate
        blt  a0, zero, .out
.ok:    li   a0, 0
.out:   mv   s1, a0                 # let go of everything held
        lw   a0, RN_D(s3)
        beqz a0, .p1
        call iput
.p1:    lw   a0, RN_S(s3)
        beqz a0, .p2
        call iput
.p2:    lw   a0, RN_DDIR(s3)
        beqz a0, .p3
        call iput
.p3:    lw   a0, RN_SDIR(s3)
        beqz a0, .p4
        call iput
.p4:    mv   a0, s1
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.busy:  li   a0, -EBUSY
        j    .out
.inval: li   a0, -EINVAL
        j    .out
.noent: li   a0, -ENOENT
        j    .out
.notdir:
        li   a0, -ENOTDIR
        j    .out
.isdir: li   a0, -EISDIR
        j    .out
.notempty:
        li   a0, -ENOTEMPTY
        j    .out
.nospc: li   a0, -ENOSPC
        j    .out
.xdev:  li   a0, -EXDEV
        j    .out
.mpbusy:
        li   a0, -EBUSY
        j    .out

# within(a0 = directory, a1 = inum) -> a0 = 1 if the directory is that inode or below it,
# 0 if not, -EIO when its `..` chain is broken or never reaches the root (a cycle).
within:
        push ra
        push s1
        push s2
        push s3
        mv   s2, a1
        call idup
        mv   s1, a0                 # s1 = held directory on the way up
        lw   t1, I_DEV(s1)
        dev_entry s3, t1, t0
        lw   s3, D_SB + SB_NINODES(s3)  # s3 = steps left
.up:    lw   t0, I_INUM(s1)
        beq  t0, s2, .yes
        li   t1, ROOT_INUM
        beq  t0, t1, .no
        addi s3, s3, -1
        beqz s3, .broken
        mv   a0, s1
        la   a1, dotdot_name
        call dir_lookup_inode
        blt  a0, zero, .fail
        beqz a0, .broken
        push a0
        mv   a0, s1
        call iput
        pop  s1
        j    .up
.yes:   li   a0, 1
        j    .fail
.no:    li   a0, 0
        j    .fail
.broken:
        li   a0, -EIO
.fail:  push a0
        mv   a0, s1
        call iput
        pop  a0
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# chdir(path)
do_chdir:
        push ra
        li   a1, 0
        call lookup_path
        blt  a0, zero, .out
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        bne  t0, t1, .notdir
        mv   a1, a0                 # vfs.s: P_CWD keeps the reference namex took, and its mount
        la   a2, namex_mnt
        lw   a2, 0(a2)
        li   a0, 0
        call set_dir
        li   a0, 0
.out:   pop  ra
        ret
.notdir:
        call iput
        li   a0, -ENOTDIR
        pop  ra
        ret

# getcwd(buf, size): climb `..` from the current directory to the root, finding each
# directory's name in its parent, and build the path backwards at the end of path_buf
# (mnt_path, vfs.s: the climb crosses from a mount's root to its mountpoint). It stops at the
# process's root (chroot); a current directory outside it reaches the namespace's root first,
# and its path then starts with "(unreachable)", as Linux's does.
do_getcwd:
        push ra
        push s1
        push s2
        push s3
        push fp
        li   a0, 0
        call proc_dir               # vfs.s: the current directory, held, and its mount
        lw   t0, I_NLINK(a0)        # removed (rmdir) while it was the current directory
        beqz t0, .noent
        call mnt_path               # -> a0 = the path, a1 = 1: outside the root
        blt  a0, zero, .ret
        mv   s2, a0
        beqz a1, .built
.unreach:
        addi t0, s2, -UNREACH_LEN   # "(unreachable)" in front
        la   t1, path_buf
        bltu t0, t1, .toolong
        mv   s2, t0
        mv   a0, s2
        la   a1, msg_unreachable
        li   a2, UNREACH_LEN
        call copy_bytes
.built: la   t0, path_buf + PATH_MAX
        sub  s3, t0, s2             # s3 = length with the zero byte
        lw   t0, P_A1(s0)           # size
        bltu t0, s3, .range
        lw   a1, P_A0(s0)
        mv   a0, s2
        mv   a2, s3
        li   a3, 1
        call copy_user
        bne  a0, s3, .fault
        mv   a0, s3
        j    .ret
.range: li   a0, -ERANGE
        j    .ret
.fault: li   a0, -EFAULT
        j    .ret
.toolong:
        li   a0, -ENAMETOOLONG
        j    .ret
.noent: call iput
        li   a0, -ENOENT
.ret:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

        .equ UNREACH_LEN, 13
msg_unreachable: .ascii "(unreachable)"
        .align 4

# dir_name_of(a0 = directory, a1 = inum) -> a0 = 0 with the name of an entry for that inode
# (other than `.` and `..`) in name_buf, -ENOENT if there is none, or -EIO.
dir_name_of:
        la   t0, ovl_nodes          # an overlay's merged directory: ovl.s knows its children
        bltu a0, t0, .disk
        la   t0, ovl_nodes + ON_SIZE * NOVLNODE
        bgeu a0, t0, .disk
        j    ovl_name_of
.disk:  push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        li   s3, 2 * DIRENT_SIZE
.each:  lw   t0, I_ISIZE(s1)
        addi t1, s3, DIRENT_SIZE
        bgtu t1, t0, .none
        mv   a0, s1
        mv   a1, s3
        call dir_entry
        blt  a0, zero, .out
        lw   t0, DE_INUM(a1)
        beq  t0, s2, .found
        call brelse
        addi s3, s3, DIRENT_SIZE
        j    .each
.found: push a0
        addi a1, a1, DE_NAME
        la   a0, name_buf
        li   a2, NAME_MAX + 1
        call copy_bytes
        la   t0, name_buf + NAME_MAX   # a damaged name still ends here
        sb   zero, 0(t0)
        pop  a0
        call brelse
        li   a0, 0
        j    .out
.none:  li   a0, -ENOENT
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# getdents(fd, buf, len): whole entries in use, from the file offset on.
do_getdents:
        push ra
        push s1
        push s2
        push s3
        push fp
        call fd_file
        mv   s1, a0                 # s1 = the open file
        lw   a0, F_IP(s1)
        call ovl_is_node            # an overlay's merged directory: ovl.s merges its layers
        beqz t0, .disk
        mv   a1, s1
        call ovl_getdents
        j    .out
.disk:  lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        bne  t0, t1, .notdir
        lw   t0, P_A2(s0)
        li   t1, DIRENT_SIZE
        blt  t0, t1, .inval
        li   s2, 0                  # s2 = bytes put in buf
        lw   s3, F_OFF(s1)          # s3 = directory offset: whole entries (lseek may have
        andi t0, s3, DIRENT_SIZE - 1   # put it anywhere)
        bnez t0, .inval
.each:  lw   a0, F_IP(s1)
        lw   t0, I_ISIZE(a0)
        addi t1, s3, DIRENT_SIZE
        bgtu t1, t0, .done
        lw   t0, P_A2(s0)
        addi t1, s2, DIRENT_SIZE
        bgtu t1, t0, .done
        mv   a1, s3
        call dir_entry
        blt  a0, zero, .err
        mv   fp, a0
        lw   t0, DE_INUM(a1)
        beqz t0, .skip
        mv   a0, a1                 # copy the entry out
        lw   a1, P_A1(s0)
        add  a1, a1, s2
        li   a2, DIRENT_SIZE
        li   a3, 1
        call copy_user
        li   t0, DIRENT_SIZE
        bne  a0, t0, .fault
        addi s2, s2, DIRENT_SIZE
.skip:  mv   a0, fp
        call brelse
        addi s3, s3, DIRENT_SIZE
        j    .each
.fault: mv   a0, fp
        call brelse
        bnez s2, .done
        li   a0, -EFAULT
        j    .out
.err:   bnez s2, .done
        j    .out
.done:  sw   s3, F_OFF(s1)
        mv   a0, s2
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.notdir:
        li   a0, -ENOTDIR
        j    .out
.inval: li   a0, -EINVAL
        j    .out
