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
#   pid namespaces      which processes a process can name, and by which numbers. The
#                       namespaces form a tree (pidns_table, PN_PARENT), the root at level 0.
#                       A process lives in one (P_PIDNS) and has one pid per level from there
#                       up to the root: P_PID at level 0 (the kernel's own, as the host and the
#                       kernel's messages report it), P_NSPIDS at levels 1 and below. It sees,
#                       and names by their pid at its level, the processes of its namespace and
#                       of the namespaces below it (pid_in), nobody else: getpid, getppid, kill,
#                       wait and procs all go through pid_in. unshare(CLONE_NEWPID) does not move
#                       the caller: it makes a namespace one level down in which its children
#                       are born (P_NSCHILD, Linux's pid_ns_for_children). The first of them is
#                       pid 1 there and the namespace's init: orphans of the namespace go to it,
#                       and when it exits every process in the namespace (and below) gets
#                       SIGKILL and later forks into it fail with ENOMEM.
#
#   joining and cloning setns(pid, flags) moves the caller into the namespaces another process
#                       is in; clone(flags) is fork with the child in new namespaces.
#
#   0x00020000 (mount), 0x04000000 (UTS), 0x08000000 (IPC), 0x20000000 (PID), 0x40000000 (NET):
# the CLONE_* values are Linux's. Mount namespaces live in vfs.s (mntns_unshare), network
# namespaces in net.s (netns_alloc, netns_enter). ringlab has one user, so nothing here checks a
# permission (Linux wants CAP_SYS_CHROOT and CAP_SYS_ADMIN: EPERM is never returned).
#
# The namespace kinds unshare, setns and clone take (CLONE_NEWIPC: see unshare).
        .equ NS_KINDS, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET

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
        mv   a1, a0                 # vfs.s: P_ROOT and its mount (the namespace's root is 0)
        la   a2, namex_mnt
        lw   a2, 0(a2)
        li   a0, 1
        call set_dir
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

# unshare(flags): every check first, then the changes, so a failure changes nothing.
# CLONE_NEWPID: a pid namespace one level below the caller's, for its children (EINVAL if it
# made one already: its children's namespace is not its own; ENOSPC past PIDNS_MAXLEVEL or when
# pidns_table is full). CLONE_NEWUTS: the caller moves to a free entry of uts_table holding a
# copy of its hostname (ENOSPC when none is free); its old namespace loses a process.
# CLONE_NEWIPC changes nothing: an IPC namespace holds a kernel's named IPC objects (System V
# IPC, POSIX message queues), and ringlab has none (its pipes have no names), so every IPC
# namespace would be the same empty one; the flag is accepted because container runtimes pass
# it. CLONE_NEWNET: a free entry of netns_table is found with the checks (net.s, netns_alloc) and
# entered with the changes. CLONE_NEWNS: a copy of the caller's mount namespace (vfs.s,
# mntns_unshare): it may fail (ENOSPC) and changes nothing then, so it is the first change; it
# never waits, but leaving the old namespace may (its mounts are freed under the filesystem
# lock), so that comes last, once the entries found by the checks are taken. Any other bit is
# EINVAL; 0 does nothing.
sys_unshare:
        li   t0, ~NS_KINDS
        and  t0, a0, t0
        bnez t0, .inval
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s3, a0                 # s3 = flags
        li   s1, 0                  # s1 = the new pid namespace (0: none asked)
        li   s2, 0                  # s2 = the new UTS namespace (0: none asked)
        li   fp, 0                  # fp = the new network namespace (0: none asked)
        li   t0, CLONE_NEWPID
        and  t0, s3, t0
        beqz t0, .uts
        lw   t0, P_PIDNS(s0)
        lw   t1, P_NSCHILD(s0)
        bne  t0, t1, .einval        # once per namespace, as Linux
        lw   t0, PN_LEVEL(t0)
        li   t1, PIDNS_MAXLEVEL
        bgeu t0, t1, .nospc
        la   t0, pidns_table + PN_SIZE  # entry 0 is the root's
        la   t1, pidns_table + PN_SIZE * NPIDNS
.pfind: lw   t2, PN_REF(t0)
        beqz t2, .pfound
        addi t0, t0, PN_SIZE
        bltu t0, t1, .pfind
        j    .nospc
.pfound:
        mv   s1, t0
.uts:   li   t0, CLONE_NEWUTS
        and  t0, s3, t0
        beqz t0, .netchk
        la   t0, uts_table
        la   t1, uts_table + U_SIZE * NUTS
.ufind: lw   t2, U_REF(t0)
        beqz t2, .ufound
        addi t0, t0, U_SIZE
        bltu t0, t1, .ufind
        j    .nospc
.ufound:
        mv   s2, t0
.netchk:
        li   t0, CLONE_NEWNET
        and  t0, s3, t0
        beqz t0, .commit
        call netns_alloc            # net.s: a free entry, or 0
        beqz a0, .nospc
        mv   fp, a0
.commit:
        li   t0, CLONE_NEWNS        # a copy of the mount table (vfs.s); it may fail (ENOSPC),
        and  t0, s3, t0             # so it goes first, before anything has changed
        li   s3, 0                  # s3 = the mount namespace left, put at the end (it may wait)
        beqz t0, .net
        call mntns_unshare
        blt  a0, zero, .out
        mv   s3, a1
.net:   beqz fp, .pidns
        mv   a0, fp                 # net.s: the caller moves to the entry found above
        call netns_enter
.pidns: beqz s1, .utsdo
        lw   t0, P_PIDNS(s0)        # the new pid namespace hangs below the caller's
        sw   t0, PN_PARENT(s1)
        lw   t1, PN_LEVEL(t0)
        addi t1, t1, 1
        sw   t1, PN_LEVEL(s1)
        li   t1, 1
        sw   t1, PN_REF(s1)         # the caller's P_NSCHILD
        sw   t1, PN_NEXTPID(s1)     # its first process is pid 1
        sw   zero, PN_INIT(s1)
        sw   zero, PN_DEAD(s1)
        sw   s1, P_NSCHILD(s0)      # P_NSCHILD was P_PIDNS: its reference now holds the new
                                    # namespace's parent
.utsdo: beqz s2, .done
        li   t2, 1
        sw   t2, U_REF(s2)
        addi a0, s2, U_NAME         # a copy of the current hostname
        lw   a1, P_UTS(s0)
        addi a1, a1, U_NAME
        li   a2, U_NAMELEN
        call copy_bytes
        lw   a0, P_UTS(s0)
        sw   s2, P_UTS(s0)
        call uts_put
.done:  beqz s3, .ok
        mv   a0, s3                 # vfs.s: leave the old mount namespace, last of all
        call mntns_put
.ok:    li   a0, 0
        j    .out
.nospc: li   a0, -ENOSPC
        j    .out
.einval:
        li   a0, -EINVAL
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# setns(pid, flags): join the namespaces of the kinds in `flags` that process `pid` is in (pid as
# the caller sees it), as Linux's setns does with a pidfd and a mask of CLONE_NEW* kinds (5.8+;
# ringlab has no /proc/PID/ns files to open, and a pid is what its pidfd would name). All the
# checks come first, so a failure joins nothing. CLONE_NEWUTS: the caller moves to the target's
# UTS namespace. CLONE_NEWNET: its network namespace (the caller's sockets stay where they were
# made). CLONE_NEWPID: as unshare, the caller itself stays where it is and its later
# children are born in the target's pid namespace (Linux's pid_ns_for_children); that is always
# the caller's own namespace or one below it, since a process outside those is not visible
# (ESRCH). CLONE_NEWIPC: nothing to join (see unshare). CLONE_NEWNS: its mount namespace, and,
# as Linux's mntns_install, the caller's root and current directories become that namespace's
# root (so a chroot is left behind too). flags 0 or an unknown bit: EINVAL.
sys_setns:
        beqz a1, .inval
        li   t0, ~NS_KINDS
        and  t0, a1, t0
        bnez t0, .inval
        push ra
        push s1
        push s2
        mv   s2, a1                 # s2 = flags
        call find_pid
        li   t0, -ESRCH
        beqz a0, .ret
        mv   s1, a0                 # s1 = the target
        li   t0, CLONE_NEWNS        # a process that is exiting has left its mount namespace
        and  t0, s2, t0             # first (proc_exit), and may wait for the disk after
        beqz t0, .pid
        lw   t0, P_MNTNS(s1)
        bnez t0, .pid
        li   t0, -ESRCH
        j    .ret
.pid:   li   t0, CLONE_NEWPID
        and  t0, s2, t0
        beqz t0, .uts
        lw   a0, P_PIDNS(s1)        # the caller's children's namespace := the target's
        lw   t0, PN_REF(a0)
        addi t0, t0, 1
        sw   t0, PN_REF(a0)
        lw   t0, P_NSCHILD(s0)
        sw   a0, P_NSCHILD(s0)
        mv   a0, t0
        call pidns_put
.uts:   li   t0, CLONE_NEWUTS
        and  t0, s2, t0
        beqz t0, .net
        lw   a0, P_UTS(s1)          # the caller's UTS namespace := the target's
        call uts_get
        lw   t0, P_UTS(s0)
        sw   a0, P_UTS(s0)
        mv   a0, t0
        call uts_put
.net:   li   t0, CLONE_NEWNET
        and  t0, s2, t0
        beqz t0, .done
        lw   a0, P_NETNS(s1)        # the caller's network namespace := the target's (net.s)
        call netns_get
        lw   t0, P_NETNS(s0)
        sw   a0, P_NETNS(s0)
        mv   a0, t0
        call netns_put
.done:  li   t0, CLONE_NEWNS        # last: it may wait for the filesystem lock
        and  t0, s2, t0
        beqz t0, .ok
        lw   a0, P_MNTNS(s1)
        call mntns_join             # vfs.s
.ok:    li   t0, 0
.ret:   mv   a0, t0
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# clone(flags) -> fork's results: fork, with the child in new namespaces of the kinds in `flags`
# (the CLONE_NEW* bits, as unshare; 0 is fork). Linux's clone makes the child's namespaces in
# copy_namespaces; here the parent lends its own: it keeps a reference to each namespace it is
# in, unshares (so the new namespaces are made and checked exactly as unshare does), forks (the
# child inherits them), and goes back to the ones it kept, dropping its reference to the new.
# So with CLONE_NEWPID the child itself is pid 1 of the new pid namespace, not a later child,
# and the parent ends as it began. If unshare fails nothing changed; if fork fails, the new
# namespaces lose their only reference and are freed. The other clone flags (CLONE_VM,
# CLONE_THREAD, ...) are not supported: EINVAL.
sys_clone:
        li   t0, ~NS_KINDS
        and  t0, a0, t0
        bnez t0, .inval
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s3, a0                 # s3 = flags, then the result
        lw   s1, P_UTS(s0)          # keep the parent's namespaces alive while it lends its place
        mv   a0, s1
        call uts_get
        lw   fp, P_NETNS(s0)
        mv   a0, fp
        call netns_get
        lw   a0, P_MNTNS(s0)        # its mount namespace (vfs.s), and the mounts its current
        lw   t0, MN_REF(a0)         # and root directories are in (proc_mnts: unshare moves
        addi t0, t0, 1              # them to the copies)
        sw   t0, MN_REF(a0)
        push a0
        mv   a0, s0
        call pmnt
        lw   t0, 0(a0)
        push t0
        lw   t0, 4(a0)
        push t0
        lw   s2, P_NSCHILD(s0)
        lw   t0, PN_REF(s2)
        addi t0, t0, 1
        sw   t0, PN_REF(s2)
        mv   a0, s3
        call sys_unshare
        mv   s3, a0
        blt  a0, zero, .back
        call sys_fork
        mv   s3, a0
.back:  lw   a0, P_UTS(s0)          # the parent goes back to its own namespaces
        sw   s1, P_UTS(s0)
        call uts_put
        lw   a0, P_NSCHILD(s0)
        sw   s2, P_NSCHILD(s0)
        call pidns_put
        lw   a0, P_NETNS(s0)
        sw   fp, P_NETNS(s0)
        call netns_put
        mv   a0, s0
        call pmnt                   # clobbers t0 only
        pop  t0
        sw   t0, 4(a0)
        pop  t0
        sw   t0, 0(a0)
        pop  t0
        lw   a0, P_MNTNS(s0)
        sw   t0, P_MNTNS(s0)
        call mntns_put              # (may wait: the new namespace's mounts if fork failed)
        mv   a0, s3
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# ---- pid namespaces ---------------------------------------------------------------------------

# pid_in(a0 = PCB, a1 = pid namespace) -> a0 = the process's pid in that namespace, or 0 when
# the namespace does not hold it (it is neither the process's namespace nor above it).
# Clobbers a2, a3 only, so the loops over proc_table keep their t registers. The walk up ends:
# every step goes one level up, and the root has level 0.
pid_in:
        lw   a2, P_PIDNS(a0)
.up:    beq  a2, a1, .found
        lw   a3, PN_LEVEL(a2)
        beqz a3, .none              # the root, and not the namespace asked for
        lw   a2, PN_PARENT(a2)
        j    .up
.found: lw   a3, PN_LEVEL(a1)
        beqz a3, .root
        slli a3, a3, 2
        add  a3, a3, a0
        lw   a0, P_NSPIDS - 4(a3)
        ret
.root:  lw   a0, P_PID(a0)
        ret
.none:  li   a0, 0
        ret

# find_pid(a0 = pid; s0 = the caller) -> a0 = the PCB of the live process (neither free nor a
# zombie) with that pid in the caller's pid namespace, or 0 when there is none (a pid of 0 or
# less, or one the caller cannot see). Clobbers t0-t3, a1-a3.
find_pid:
        push ra
        mv   t3, a0                 # t3 = the pid
        li   a0, 0
        bge  zero, t3, .out
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        li   a0, PS_DONE
        beq  t2, a0, .next
        mv   a0, t0                 # (pid_in keeps t0-t3)
        lw   a1, P_PIDNS(s0)
        call pid_in
        beq  a0, t3, .found
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        li   a0, 0
        j    .out
.found: mv   a0, t0
.out:   pop  ra
        ret

# pidns_put(a0 = pid namespace): one reference fewer; a namespace left without any is free,
# and lets go of its parent in turn. Clobbers a0, t0.
pidns_put:
.again: lw   t0, PN_REF(a0)
        addi t0, t0, -1
        sw   t0, PN_REF(a0)
        bnez t0, .out
        lw   a0, PN_PARENT(a0)
        bnez a0, .again
.out:   ret

# pidns_enter(a0 = new PCB, its P_PID set; s0 = its parent): the child is born in the parent's
# P_NSCHILD (which sys_fork checked is alive) and its children will be too; it takes a pid at
# every level below the root (PN_NEXTPID of each namespace on the way up), and the first process
# of a namespace is its init. P_VPID = the pid at its own level. Clobbers t0-t3.
pidns_enter:
        lw   t0, P_NSCHILD(s0)
        sw   t0, P_PIDNS(a0)
        sw   t0, P_NSCHILD(a0)
        lw   t1, PN_REF(t0)         # two references: P_PIDNS and P_NSCHILD
        addi t1, t1, 2
        sw   t1, PN_REF(t0)
        lw   t1, PN_INIT(t0)
        bnez t1, .pids
        sw   a0, PN_INIT(t0)        # the first: its init
.pids:  lw   t1, P_PID(a0)
        sw   t1, P_VPID(a0)
.level: lw   t1, PN_LEVEL(t0)
        beqz t1, .out
        lw   t2, PN_NEXTPID(t0)
        addi t3, t2, 1
        sw   t3, PN_NEXTPID(t0)
        slli t1, t1, 2
        add  t1, t1, a0
        sw   t2, P_NSPIDS - 4(t1)
        lw   t3, P_PIDNS(a0)
        bne  t3, t0, .up
        sw   t2, P_VPID(a0)         # its own level
.up:    lw   t0, PN_PARENT(t0)
        j    .level
.out:   ret

# pidns_exit(s0 = PCB of a process that is exiting): it no longer makes children (P_NSCHILD goes),
# and if it is the init of a namespace below the root, the namespace dies with it: it is marked
# dead (no fork into it any more) and every live process it holds, in it or below, gets SIGKILL,
# as Linux's zap_pid_ns_processes does (without waiting for them: their zombies go to init).
# P_PIDNS stays until the zombie is reaped (wait translates its pid with it). Clobbers a0-a3, t0-t3.
pidns_exit:
        push ra
        lw   a0, P_NSCHILD(s0)
        sw   zero, P_NSCHILD(s0)
        call pidns_put
        lw   a1, P_PIDNS(s0)
        lw   t0, PN_LEVEL(a1)
        beqz t0, .out               # the root's init is init: it never exits
        lw   t0, PN_INIT(a1)
        bne  t0, s0, .out
        lw   t0, PN_DEAD(a1)
        bnez t0, .out
        li   t0, 1
        sw   t0, PN_DEAD(a1)
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  beq  t0, s0, .next
        lw   t2, P_STATE(t0)
        beqz t2, .next
        li   t3, PS_DONE
        beq  t2, t3, .next
        mv   a0, t0
        call pid_in                 # keeps a1 and t0-t3
        beqz a0, .next
        push t0
        push t1
        push a1
        mv   a0, t0
        li   a1, SIGKILL
        call send_signal
        pop  a1
        pop  t1
        pop  t0
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
.out:   pop  ra
        ret

# reaper(s0 = PCB of an exiting process) -> a0 = the PCB that adopts its children: the init of
# its pid namespace while that one lives (and is not the exiting process), else init (slot 0).
# Clobbers t0, t1.
reaper:
        la   a0, proc_table
        lw   t0, P_PIDNS(s0)
        lw   t1, PN_DEAD(t0)
        bnez t1, .out
        lw   t1, PN_INIT(t0)
        beq  t1, s0, .out
        beqz t1, .out
        mv   a0, t1
.out:   ret
