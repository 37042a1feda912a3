# pipe.s: pipes. A pipe is a PIPE_SIZE-byte ring in the kernel with two ends, each an open
# file (FT_PIPE, file.s): the read end (O_RDONLY) and the write end (O_WRONLY).
#
#   pipe_table entry (PP_*, kernel.inc)       the buffer: one frame from alloc_frame
#     PP_BUF      the frame (0: entry free)     +------------------------------------+
#     PP_NREAD    bytes read so far             |     |##### unread bytes ####|        |
#     PP_NWRITE   bytes written so far          +------------------------------------+
#     PP_READERS  open files of the read end          ^ NREAD % PIPE_SIZE     ^ NWRITE % PIPE_SIZE
#     PP_WRITERS  open files of the write end
#
# NREAD and NWRITE only grow (wrapping at 2^32, harmlessly: PIPE_SIZE divides 2^32), so the
# pipe holds NWRITE - NREAD bytes: 0 is empty, PIPE_SIZE is full, and no byte is ever lost to
# "full or empty?" ambiguity (xv6's pipe.c does the same).
#
# Sleeping and waking: a reader finding the pipe empty sleeps on the channel PP_NREAD (the
# counter it waits to see move), a writer finding it full sleeps on PP_NWRITE; each side wakes
# the other's channel after it has moved bytes, and a close wakes both, so a reader sees the
# end of the file and a writer sees that nobody reads. A woken process looks at the counters
# again (sched.s: a wakeup only says that something changed). Both sleeps are interruptible:
# a process with a signal pending (P_SIGPEND, only fatal ones are ever pending) does not
# sleep, it returns what it moved so far, or -EINTR if nothing, and dies on its way out.
#
# An open file may be shared by several descriptors (dup) and processes (fork): PP_READERS and
# PP_WRITERS count open files, and fall at the *last* fileclose of each. When both are 0 the
# frame goes back to the pool and the entry is free. Pipes never take the filesystem lock.

# pipe(fds): a new pipe, its read end at the lowest free descriptor, its write end at the next
# one, stored in fds[0] and fds[1]. Everything taken is given back on failure.
sys_pipe:
        push ra
        push s1
        push s2
        push s3
        push fp
        addi sp, sp, -8             # 0(sp), 4(sp): the two descriptors, copied out at the end
        mv   s3, a0                 # s3 = fds (a user address)
        la   s1, pipe_table         # 1. a free entry (there are as many as open files, so
        la   t1, pipe_table + PP_SIZE * NPIPE   # none free means the file table is full)
.find:  lw   t0, PP_BUF(s1)
        beqz t0, .found
        addi s1, s1, PP_SIZE
        bltu s1, t1, .find
        li   a0, -ENFILE
        j    .out
.found: call alloc_frame            # 2. its buffer
        li   t0, -ENOMEM
        beqz a0, .fail
        sw   a0, PP_BUF(s1)
        sw   zero, PP_NREAD(s1)
        sw   zero, PP_NWRITE(s1)
        li   t0, 1
        sw   t0, PP_READERS(s1)
        sw   t0, PP_WRITERS(s1)
        call filealloc              # 3. an open file per end
        mv   s2, a0                 # s2 = the read end
        li   t0, -ENFILE
        beqz s2, .nofiles
        call filealloc
        mv   fp, a0                 # fp = the write end
        li   t0, -ENFILE
        beqz fp, .onefile
        li   t0, FT_PIPE
        sw   t0, F_TYPE(s2)
        sw   t0, F_TYPE(fp)
        li   t0, O_RDONLY
        sw   t0, F_FLAGS(s2)
        li   t0, O_WRONLY
        sw   t0, F_FLAGS(fp)
        sw   s1, F_PIPE(s2)
        sw   s1, F_PIPE(fp)
        mv   a0, s2                 # 4. two descriptors
        call fd_alloc
        mv   t0, a0
        blt  a0, zero, .files
        sw   a0, 0(sp)
        mv   a0, fp
        call fd_alloc
        mv   t0, a0
        blt  a0, zero, .onefd
        sw   a0, 4(sp)
        mv   a0, sp                 # 5. tell the process which
        mv   a1, s3
        li   a2, 8
        li   a3, 1
        call copy_user
        li   t1, 8
        li   t0, -EFAULT
        bne  a0, t1, .twofds
        li   a0, 0
.out:   addi sp, sp, 8
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
# Undoing, in reverse order; t0 = the error throughout.
.twofds:
        lw   t1, 4(sp)
        slli t1, t1, 2
        add  t1, t1, s0
        sw   zero, P_OFILE(t1)
.onefd: lw   t1, 0(sp)
        slli t1, t1, 2
        add  t1, t1, s0
        sw   zero, P_OFILE(t1)
.files: sw   zero, F_REF(fp)        # nobody else saw them: free them as they are
        sw   zero, F_TYPE(fp)
.onefile:
        sw   zero, F_REF(s2)
        sw   zero, F_TYPE(s2)
.nofiles:
        mv   s3, t0
        lw   a0, PP_BUF(s1)
        sw   zero, PP_BUF(s1)
        call free_frame
        mv   t0, s3
.fail:  mv   a0, t0
        j    .out

# pipe_read(a0 = read end, a1 = user buffer, a2 = length >= 0; s0 = PCB) -> a0 = bytes read:
# what the pipe holds, at most the length (without waiting for more); 0 when it is empty and no
# write end is open; -EINTR (a signal is pending while it is empty), -EFAULT (the buffer's first
# byte is not writable; the bytes stay in the pipe).
pipe_read:
        push ra
        push s1
        push s2
        push s3
        push a1                     # 0(sp) = the buffer, for the count
        lw   s1, F_PIPE(a0)         # s1 = the pipe
        mv   s2, a1                 # s2 = next user address
        mv   s3, a2                 # s3 = bytes still wanted
        beqz s3, .done              # reading nothing: 0 at once, even from an empty pipe
.wait:  lw   t0, PP_NREAD(s1)
        lw   t1, PP_NWRITE(s1)
        bne  t0, t1, .copy
        lw   t0, PP_WRITERS(s1)     # empty, and no writer left: the end of the file
        beqz t0, .done
        lw   t0, P_SIGPEND(s0)      # empty, and a signal pending: no sleep
        bnez t0, .intr
        addi a0, s1, PP_NREAD
        call sleep
        j    .wait
# Copy min(held, wanted, to the end of the ring) bytes at a time: at most two pieces.
.copy:  lw   t0, PP_NREAD(s1)
        lw   t1, PP_NWRITE(s1)
        sub  a2, t1, t0             # a2 = bytes held
        beqz a2, .moved
        beqz s3, .moved
        bgeu s3, a2, .held
        mv   a2, s3
.held:  andi t0, t0, PIPE_SIZE - 1
        li   t1, PIPE_SIZE
        sub  t1, t1, t0             # bytes up to the end of the ring
        bgeu t1, a2, .piece
        mv   a2, t1
.piece: lw   a0, PP_BUF(s1)
        add  a0, a0, t0
        mv   a1, s2
        li   a3, 1                  # kernel to user
        push a2
        call copy_user              # a0 = bytes copied (fewer: a bad user page)
        pop  t2
        lw   t0, PP_NREAD(s1)
        add  t0, t0, a0
        sw   t0, PP_NREAD(s1)
        add  s2, s2, a0
        sub  s3, s3, a0
        beq  a0, t2, .copy
.moved: addi a0, s1, PP_NWRITE      # room for a waiting writer
        call wakeup
        lw   t0, 0(sp)
        sub  a0, s2, t0
        bnez a0, .out
        li   a0, -EFAULT            # bytes were there, none could be stored
        j    .out
.done:  li   a0, 0
.out:   addi sp, sp, 4
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.intr:  li   a0, -EINTR
        j    .out

# pipe_write(a0 = write end, a1 = user buffer, a2 = length >= 0, the range not wrapping; s0 =
# PCB) -> a0 = bytes written: all of them, sleeping while the pipe is full; what was written
# before a signal (-EINTR if nothing), before a bad user page (-EFAULT if nothing) or before
# the last read end closed (-EPIPE if nothing, and SIGPIPE to the writer in every case).
pipe_write:
        push ra
        push s1
        push s2
        push s3
        push a1                     # 0(sp) = the buffer, for the count
        lw   s1, F_PIPE(a0)         # s1 = the pipe
        mv   s2, a1                 # s2 = next user address
        mv   s3, a2                 # s3 = bytes still to write
.next:  beqz s3, .done
        lw   t0, PP_READERS(s1)
        beqz t0, .broken
        lw   t0, PP_NREAD(s1)
        lw   t1, PP_NWRITE(s1)
        sub  a2, t1, t0
        li   t2, PIPE_SIZE
        sub  a2, t2, a2             # a2 = room
        bnez a2, .room
        addi a0, s1, PP_NREAD       # full: let the readers at it, and wait for room
        call wakeup
        lw   t0, P_SIGPEND(s0)
        bnez t0, .intr
        addi a0, s1, PP_NWRITE
        call sleep
        j    .next
.room:  bgeu s3, a2, .want          # a2 = min(room, to write, to the end of the ring)
        mv   a2, s3
.want:  andi t1, t1, PIPE_SIZE - 1
        sub  t2, t2, t1
        bgeu t2, a2, .piece
        mv   a2, t2
.piece: lw   a0, PP_BUF(s1)
        add  a0, a0, t1
        mv   a1, s2
        li   a3, 0                  # user to kernel
        push a2
        call copy_user
        pop  t2
        lw   t0, PP_NWRITE(s1)
        add  t0, t0, a0
        sw   t0, PP_NWRITE(s1)
        add  s2, s2, a0
        sub  s3, s3, a0
        beq  a0, t2, .next
        li   s3, -EFAULT            # a bad user page: stop here
        j    .end
.broken:
        mv   a0, s0                 # nobody will ever read it: SIGPIPE, and EPIPE
        li   a1, SIGPIPE
        call send_signal
        li   s3, -EPIPE
        j    .end
.intr:  li   s3, -EINTR
        j    .end
.done:  li   s3, 0
.end:   addi a0, s1, PP_NREAD       # what was written is there to read
        call wakeup
        lw   t0, 0(sp)
        sub  a0, s2, t0             # bytes written, or the error if none were
        bnez a0, .out
        mv   a0, s3
.out:   addi sp, sp, 4
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# pipe_close(a0 = an end's open file, at its last close): one open end fewer; wake the other
# side (a reader may now see the end of the file, a writer EPIPE); free the pipe when both
# ends are gone. Clobbers a0-a3, t0-t3.
pipe_close:
        push ra
        push s1
        lw   s1, F_PIPE(a0)
        lw   t0, F_FLAGS(a0)
        andi t0, t0, O_ACCMODE
        li   t1, O_WRONLY
        beq  t0, t1, .writer
        lw   t0, PP_READERS(s1)
        addi t0, t0, -1
        sw   t0, PP_READERS(s1)
        addi a0, s1, PP_NWRITE
        j    .wake
.writer:
        lw   t0, PP_WRITERS(s1)
        addi t0, t0, -1
        sw   t0, PP_WRITERS(s1)
        addi a0, s1, PP_NREAD
.wake:  call wakeup
        lw   t0, PP_READERS(s1)
        lw   t1, PP_WRITERS(s1)
        or   t0, t0, t1
        bnez t0, .out
        lw   a0, PP_BUF(s1)         # both ends gone: the buffer back to the pool
        sw   zero, PP_BUF(s1)
        call free_frame
.out:   pop  s1
        pop  ra
        ret

# pipe_stat(a0 = open file, a1 = user address) -> a0 = 0 or -EFAULT: type T_FIFO, size = the
# bytes it holds, one link, inode 0.
pipe_stat:
        push ra
        addi sp, sp, -ST_SIZEOF
        lw   t0, F_PIPE(a0)
        lw   t1, PP_NWRITE(t0)
        lw   t0, PP_NREAD(t0)
        sub  t0, t1, t0
        sw   t0, ST_SIZE(sp)
        li   t0, T_FIFO
        sw   t0, ST_TYPE(sp)
        li   t0, 1
        sw   t0, ST_NLINK(sp)
        sw   zero, ST_INUM(sp)
        mv   a0, sp
        li   a2, ST_SIZEOF
        call stat_copy
        addi sp, sp, ST_SIZEOF
        pop  ra
        ret
