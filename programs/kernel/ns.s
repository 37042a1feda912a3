# ns.s: containers, the first mechanisms. A container is not a machine: it is an ordinary
# process of this one kernel that sees less of it. Two of the things it may see differently
# live here (docs/containers.md):
#
#   the root directory  chroot(path): every process has one (P_ROOT, an in-memory inode it
#                       holds; 0 is the filesystem's root). namex (fs.s) starts an absolute
#                       path there, and a `..` that would climb above it stays put. Nothing
#                       else changes: the current directory (P_CWD) stays where it was, even
#                       outside the new root, and open files stay open. So, exactly as on
#                       Linux, chroot alone is not a jail: a process whose current directory
#                       is outside its root climbs `..` freely (programs/user/chroot-escape.s).
#
#   UTS namespaces      the hostname. Each process points to one entry of uts_table (P_UTS);
#                       fork shares it (one more reference), unshare(CLONE_NEWUTS) moves the
#                       caller to a fresh entry that starts as a copy, and the last process to
#                       leave an entry (exit, or its own unshare) frees it. Entry 0 is the boot
#                       namespace, whose hostname is "ringlab"; init holds it all along.
#
# The other kinds of namespace (pid, mount, net, ipc) are the next slices: unshare refuses
# their flags with EINVAL until then. ringlab has one user, so nothing here checks a
# permission (Linux wants CAP_SYS_CHROOT and CAP_SYS_ADMIN: EPERM is never returned).
#
# Register conventions, as for every handler: s0 = PCB, a0..a3 the arguments, result in a0;
# t0-t3 and a0-a3 are clobbered, s1-s3 and fp are saved where used.

# ---- the root directory -----------------------------------------------------------------------

sys_chroot:
        la   t0, do_chroot
        j    fs_call

# chroot(path), under the filesystem lock: the directory becomes P_ROOT, which keeps the
# reference namex took; the old root's reference goes. The filesystem's own root is kept as
# 0, so "chroot /" from the real root, or the escape's final "chroot .", undoes a chroot.
do_chroot:
        push ra
        li   a1, 0
        call lookup_path            # sysfile.s: a0 = held inode or -errno
        blt  a0, zero, .out
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        bne  t0, t1, .notdir
        lw   t0, I_INUM(a0)
        li   t1, ROOT_INUM
        bne  t0, t1, .set
        call iput                   # the filesystem's root: 0 says so
        li   a0, 0
.set:   lw   t0, P_ROOT(s0)
        sw   a0, P_ROOT(s0)
        li   a0, 0
        beqz t0, .out
        mv   a0, t0                 # let go of the old root
        call iput
        li   a0, 0
.out:   pop  ra
        ret
.notdir:
        call iput
        li   a0, -ENOTDIR
        pop  ra
        ret

# root_dup(a0 = PCB of a new process, s0 = its parent): it starts with the parent's root (one
# more reference on the inode). Clobbers t0, t1.
root_dup:
        lw   t0, P_ROOT(s0)
        sw   t0, P_ROOT(a0)
        beqz t0, .out
        lw   t1, I_REF(t0)
        addi t1, t1, 1
        sw   t1, I_REF(t0)
.out:   ret

# ---- UTS namespaces -------------------------------------------------------------------------

# uts_get(a0 = entry): one more process in it. Clobbers t0.
uts_get:
        lw   t0, U_REF(a0)
        addi t0, t0, 1
        sw   t0, U_REF(a0)
        ret

# uts_put(a0 = entry, or 0): one process fewer; at 0 the entry is free (U_REF 0 is what
# unshare looks for, so nothing else needs clearing). Clobbers t0.
uts_put:
        beqz a0, .out
        lw   t0, U_REF(a0)
        addi t0, t0, -1
        sw   t0, U_REF(a0)
.out:   ret

# sethostname(name, len): Linux's checks in Linux's order: len first (EINVAL), then the copy
# (EFAULT, the name unchanged); the new name is zero padded, so it need not end in a zero byte.
sys_sethostname:
        blt  a1, zero, .inval
        li   t0, HOST_NAME_MAX
        bgt  a1, t0, .inval
        push ra
        push s1
        mv   s1, a1                 # s1 = len
        mv   a2, a1
        mv   a1, a0
        la   a0, uts_buf
        li   a3, 0
        call copy_user              # into uts_buf first: a fault halfway changes nothing
        bne  a0, s1, .fault
        la   t0, uts_buf            # zero the rest of the field
        add  t1, t0, s1
        addi t0, t0, U_NAMELEN
.pad:   bgeu t1, t0, .store
        sb   zero, 0(t1)
        addi t1, t1, 1
        j    .pad
.store: lw   a0, P_UTS(s0)
        addi a0, a0, U_NAME
        la   a1, uts_buf
        li   a2, U_NAMELEN
        call copy_bytes
        li   a0, 0
        j    .out
.fault: li   a0, -EFAULT
.out:   pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# gethostname(buf, len): the name and its zero byte, or as much of it as fits: then
# ENAMETOOLONG, as glibc's gethostname reports it (Linux's system call truncates silently).
sys_gethostname:
        blt  a1, zero, .inval
        push ra
        push s1
        push s2
        mv   s2, a1                 # s2 = len
        lw   t0, P_UTS(s0)
        addi t0, t0, U_NAME
        mv   t1, t0
.len:   lbu  t2, 0(t1)              # the field always ends in a zero byte (HOST_NAME_MAX < U_NAMELEN)
        addi t1, t1, 1
        bnez t2, .len
        sub  s1, t1, t0             # s1 = the name's bytes with the zero byte
        mv   a2, s1
        bleu a2, s2, .copy
        mv   a2, s2
.copy:  push a2
        mv   a1, a0                 # buf
        mv   a0, t0
        li   a3, 1
        call copy_user
        pop  t0
        bne  a0, t0, .fault
        li   a0, 0
        bleu s1, s2, .out
        li   a0, -ENAMETOOLONG
        j    .out
.fault: li   a0, -EFAULT
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# unshare(flags): CLONE_NEWUTS moves the caller to a free entry of uts_table holding a copy
# of its hostname (ENOSPC when none is free); its old namespace loses a process. Any other bit
# is EINVAL (the other namespaces are the next slices); 0 does nothing.
sys_unshare:
        li   t0, ~CLONE_NEWUTS
        and  t0, a0, t0
        bnez t0, .inval
        li   t0, CLONE_NEWUTS
        and  t0, a0, t0
        beqz t0, .none
        la   t0, uts_table
        la   t1, uts_table + U_SIZE * NUTS
.find:  lw   t2, U_REF(t0)
        beqz t2, .found
        addi t0, t0, U_SIZE
        bltu t0, t1, .find
        li   a0, -ENOSPC
        ret
.found: push ra
        push s1
        mv   s1, t0                 # s1 = the new namespace
        li   t2, 1
        sw   t2, U_REF(s1)
        addi a0, s1, U_NAME         # a copy of the current hostname
        lw   a1, P_UTS(s0)
        addi a1, a1, U_NAME
        li   a2, U_NAMELEN
        call copy_bytes
        lw   a0, P_UTS(s0)
        sw   s1, P_UTS(s0)
        call uts_put
        li   a0, 0
        pop  s1
        pop  ra
        ret
.none:  li   a0, 0
        ret
.inval: li   a0, -EINVAL
        ret
