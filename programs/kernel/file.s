# file.s: open files and file descriptors.
#
# Each process has NOFILE descriptors (P_OFILE in its PCB), each pointing at an open file in
# ftable or 0. An open file is the console (console.s), an inode with an offset, one end of
# a pipe (pipe.s) or a socket (net.s); dup and dup2 make two descriptors share one (and its offset), as on Unix. A
# process starts with descriptors 0, 1 and 2 on one console file, opened for reading and
# writing (console_files).
#
# The calls on descriptors are here: read, write, close, lseek, fstat, dup, dup2; each sends
# the work to the file's type. Those on an inode run under the filesystem lock (fs_call, fs.s);
# those on the console, pipes and sockets do not.

# console_files(s0 = PCB) -> a0 = 0, or -ENFILE: descriptors 0, 1, 2 on a new console file.
console_files:
        li   t0, 0                  # no descriptor open yet
.clear: slli t1, t0, 2
        add  t1, t1, s0
        sw   zero, P_OFILE(t1)
        addi t0, t0, 1
        li   t1, NOFILE
        blt  t0, t1, .clear
        push ra
        call filealloc
        pop  ra
        beqz a0, .full
        li   t0, FT_CONSOLE
        sw   t0, F_TYPE(a0)
        li   t0, O_RDWR
        sw   t0, F_FLAGS(a0)
        li   t0, 3
        sw   t0, F_REF(a0)
        sw   a0, P_OFILE + 0(s0)
        sw   a0, P_OFILE + 4(s0)
        sw   a0, P_OFILE + 8(s0)
        li   a0, 0
        ret
.full:  li   a0, -ENFILE
        ret

# filealloc() -> a0 = a free open file with one reference, or 0 when the table is full.
filealloc:
        la   a0, ftable
        la   t1, ftable + NFILE * F_SIZE
.each:  lw   t0, F_REF(a0)
        beqz t0, .found
        addi a0, a0, F_SIZE
        bltu a0, t1, .each
        li   a0, 0
        ret
.found: li   t0, 1
        sw   t0, F_REF(a0)
        sw   zero, F_OFF(a0)
        sw   zero, F_IP(a0)
        sw   zero, F_LISTING(a0)
        ret

# fd_file(a0 = fd; s0 = PCB) -> a0 = its open file, or -EBADF. Clobbers t0 only.
fd_file:
        sltiu t0, a0, NOFILE
        beqz t0, .bad
        slli a0, a0, 2
        add  a0, a0, s0
        lw   a0, P_OFILE(a0)
        beqz a0, .bad
        ret
.bad:   li   a0, -EBADF
        ret

# fd_alloc(a0 = open file; s0 = PCB) -> a0 = the lowest free descriptor, now naming it, or
# -EMFILE. Clobbers t0, t1.
fd_alloc:
        li   t0, 0
.each:  slli t1, t0, 2
        add  t1, t1, s0
        lw   t1, P_OFILE(t1)
        beqz t1, .found
        addi t0, t0, 1
        li   t1, NOFILE
        blt  t0, t1, .each
        li   a0, -EMFILE
        ret
.found: slli t1, t0, 2
        add  t1, t1, s0
        sw   a0, P_OFILE(t1)
        mv   a0, t0
        ret

# fileclose(a0 = open file): drop a reference; the last one releases its inode (which may free
# an unlinked file: that takes the filesystem lock and may wait for the disk) and its use of
# the mount it was opened through (a detached mount may end with it: mnt_release, vfs.s), or its
# end of a pipe.
fileclose:
        lw   t0, F_REF(a0)
        addi t0, t0, -1
        sw   t0, F_REF(a0)
        bnez t0, .out
        lw   t0, F_TYPE(a0)
        sw   zero, F_TYPE(a0)
        li   t1, FT_PIPE
        beq  t0, t1, pipe_close     # pipe.s (returns to our caller)
        li   t1, FT_SOCKET
        beq  t0, t1, sock_close     # net.s (returns to our caller)
        li   t1, FT_INODE
        bne  t0, t1, .out
        push ra
        push s1
        push s2
        lw   s1, F_IP(a0)
        lw   s2, F_MNT(a0)
        call ovl_listing_drop       # an overlay directory's snapshot of its entries (ovl.s)
        call fs_lock
        mv   a0, s1
        call iput
        mv   a0, s2
        call mnt_release
        call fs_unlock
        pop  s2
        pop  s1
        pop  ra
.out:   ret

# close_all_files(s0 = PCB): at exit, close every descriptor and let go of the current and
# root directories.
close_all_files:
        push ra
        push s1
        li   s1, 0
.each:  slli t0, s1, 2
        add  t0, t0, s0
        lw   a0, P_OFILE(t0)
        beqz a0, .next
        sw   zero, P_OFILE(t0)
        call fileclose
.next:  addi s1, s1, 1
        li   t0, NOFILE
        blt  s1, t0, .each
        lw   t0, P_CWD(s0)          # the directories (the root: chroot's, ns.s), each with
        lw   t1, P_ROOT(s0)         # its use of its mount (vfs.s)
        or   t0, t0, t1
        beqz t0, .out
        call fs_lock
        li   a0, 0
        call dir_put
        li   a0, 1
        call dir_put
        call fs_unlock
.out:   pop  s1
        pop  ra
        ret

# ---- the calls ------------------------------------------------------------------------------

# read(fd, buf, len)
sys_read:
        push ra
        call fd_file
        blt  a0, zero, .out
        lw   t0, F_FLAGS(a0)        # readable: O_RDONLY or O_RDWR
        andi t0, t0, O_ACCMODE
        li   t1, O_WRONLY
        beq  t0, t1, .badf
        blt  a2, zero, .inval
        lw   t0, F_TYPE(a0)
        li   t1, FT_PIPE
        beq  t0, t1, .pipe
        li   t1, FT_SOCKET
        beq  t0, t1, .sock
        li   t1, FT_CONSOLE
        bne  t0, t1, .inode
        call console_read
        j    .out
.pipe:  call pipe_read
        j    .out
.sock:  lw   a0, F_SOCK(a0)         # net.s: as recv
        call sock_recv
        j    .out
.inode: la   t0, file_read
        call fs_call
.out:   pop  ra
        ret
.badf:  li   a0, -EBADF
        j    .out
.inval: li   a0, -EINVAL
        j    .out

# file_read(fd, buf, len), holding the filesystem lock.
file_read:
        push ra
        push s1
        call fd_file
        mv   s1, a0
        lw   a0, F_IP(s1)
        lw   t0, I_TYPE(a0)
        li   t1, T_DIR
        beq  t0, t1, .isdir
        lw   t0, F_FLAGS(s1)        # O_DIRECT: every block from the disk (data_buffer)
        andi t0, t0, O_DIRECT
        sltu t0, zero, t0
        la   t1, io_direct
        sw   t0, 0(t1)
        lw   a2, F_OFF(s1)
        lw   a3, P_A2(s0)           # len
        lw   a1, P_A1(s0)           # buf
        call readi
        la   t1, io_direct
        sw   zero, 0(t1)
        ble  a0, zero, .out
        lw   t0, F_OFF(s1)
        add  t0, t0, a0
        sw   t0, F_OFF(s1)
.out:   pop  s1
        pop  ra
        ret
.isdir: li   a0, -EISDIR
        j    .out

# write(fd, buf, len)
sys_write:
        push ra
        call fd_file
        blt  a0, zero, .out
        lw   t0, F_FLAGS(a0)        # writable: O_WRONLY or O_RDWR
        andi t0, t0, O_ACCMODE
        beqz t0, .badf
        blt  a2, zero, .inval
        add  t0, a1, a2
        bltu t0, a1, .fault         # buf + len wraps past 2^32: a bad buffer
        lw   t0, F_TYPE(a0)
        li   t1, FT_PIPE
        beq  t0, t1, .pipe
        li   t1, FT_SOCKET
        beq  t0, t1, .sock
        li   t1, FT_CONSOLE
        bne  t0, t1, .inode
        call console_write
        j    .out
.pipe:  call pipe_write
        j    .out
.sock:  lw   a0, F_SOCK(a0)         # net.s: as send
        call sock_send
        j    .out
.inode: la   t0, file_write
        call fs_call
.out:   pop  ra
        ret
.badf:  li   a0, -EBADF
        j    .out
.inval: li   a0, -EINVAL
        j    .out
.fault: li   a0, -EFAULT
        j    .out

# file_write(fd, buf, len), holding the filesystem lock: at the offset, or with O_APPEND at
# the end.
file_write:
        push ra
        push s1
        call fd_file
        mv   s1, a0
        lw   a0, F_IP(s1)
        lw   a2, F_OFF(s1)
        lw   t0, F_FLAGS(s1)
        andi t0, t0, O_APPEND
        beqz t0, .at
        lw   a2, I_ISIZE(a0)
.at:    sw   a2, F_OFF(s1)
        lw   a3, P_A2(s0)
        lw   a1, P_A1(s0)
        call writei
        ble  a0, zero, .out
        lw   t0, F_OFF(s1)
        add  t0, t0, a0
        sw   t0, F_OFF(s1)
.out:   pop  s1
        pop  ra
        ret

# close(fd)
sys_close:
        mv   t2, a0
        push ra
        call fd_file
        blt  a0, zero, .out
        slli t2, t2, 2
        add  t2, t2, s0
        sw   zero, P_OFILE(t2)
        call fileclose
        li   a0, 0
.out:   pop  ra
        ret

# dup(fd)
sys_dup:
        push ra
        call fd_file
        blt  a0, zero, .out
        push a0
        call fd_alloc
        pop  t2
        blt  a0, zero, .out
        lw   t0, F_REF(t2)
        addi t0, t0, 1
        sw   t0, F_REF(t2)
.out:   pop  ra
        ret

# dup2(fd, newfd)
sys_dup2:
        push ra
        push s1
        push s2
        mv   s2, a1
        call fd_file
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = the open file
        sltiu t0, s2, NOFILE
        beqz t0, .badf
        mv   a0, s2
        call fd_file
        beq  a0, s1, .same          # dup2(fd, fd), or newfd names it already
        slli t0, s2, 2              # newfd names s1 from now on ...
        add  t0, t0, s0
        sw   s1, P_OFILE(t0)
        lw   t0, F_REF(s1)
        addi t0, t0, 1
        sw   t0, F_REF(s1)
        blt  a0, zero, .same
        call fileclose              # ... and what it named before is closed
.same:  mv   a0, s2
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.badf:  li   a0, -EBADF
        j    .out

# lseek(fd, offset, whence)
sys_lseek:
        push ra
        call fd_file
        pop  ra
        blt  a0, zero, .out
        lw   t0, F_TYPE(a0)
        li   t1, FT_INODE           # the console, pipes and sockets are streams
        bne  t0, t1, .pipe
        li   t0, SEEK_SET
        li   t1, 0
        beq  a2, t0, .base
        li   t0, SEEK_CUR
        lw   t1, F_OFF(a0)
        beq  a2, t0, .base
        li   t0, SEEK_END
        bne  a2, t0, .inval
        lw   t1, F_IP(a0)
        lw   t1, I_ISIZE(t1)
.base:  add  t1, t1, a1
        blt  t1, zero, .inval       # before the start (or past 2^31)
        sw   t1, F_OFF(a0)
        mv   a0, t1
.out:   ret
.pipe:  li   a0, -ESPIPE
        ret
.inval: li   a0, -EINVAL
        ret

# fstat(fd, st)
sys_fstat:
        push ra
        call fd_file
        blt  a0, zero, .out
        lw   t0, F_TYPE(a0)
        li   t1, FT_CONSOLE
        beq  t0, t1, .console
        li   t1, FT_PIPE
        beq  t0, t1, .pipe
        li   t1, FT_SOCKET
        beq  t0, t1, .sock
        lw   a0, F_IP(a0)
        call stat_out
        j    .out
.console:
        addi sp, sp, -ST_SIZEOF     # type T_DEV, size 0, one link, inode 0
        li   t0, T_DEV
        sw   t0, ST_TYPE(sp)
        sw   zero, ST_SIZE(sp)
        li   t0, 1
        sw   t0, ST_NLINK(sp)
        sw   zero, ST_INUM(sp)
        mv   a0, sp
        li   a2, ST_SIZEOF
        call stat_copy
        addi sp, sp, ST_SIZEOF
.out:   pop  ra
        ret
.pipe:  call pipe_stat
        j    .out
.sock:  call sock_stat              # net.s
        j    .out

# stat_out(a0 = inode, a1 = user address) -> a0 = 0 or -EFAULT: write its struct stat.
stat_out:
        push ra
        call ovl_real               # an overlay's merged directory: its top real directory
        addi sp, sp, -ST_SIZEOF
        lw   t0, I_TYPE(a0)
        sw   t0, ST_TYPE(sp)
        lw   t0, I_ISIZE(a0)
        sw   t0, ST_SIZE(sp)
        lw   t0, I_NLINK(a0)
        sw   t0, ST_NLINK(sp)
        lw   t0, I_INUM(a0)
        sw   t0, ST_INUM(sp)
        mv   a0, sp
        li   a2, ST_SIZEOF
        call stat_copy
        addi sp, sp, ST_SIZEOF
        pop  ra
        ret

# stat_copy(a0 = kernel struct, a1 = user address, a2 = its size) -> a0 = 0 or -EFAULT.
stat_copy:
        push ra
        push a2
        li   a3, 1
        call copy_user
        pop  t0
        pop  ra
        bne  a0, t0, .fault
        li   a0, 0
        ret
.fault: li   a0, -EFAULT
        ret
