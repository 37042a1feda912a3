# proc.s: processes. fork, exec, wait, exit, and the process table.
#
# A process is a slot of proc_table (NPROC of them) and lives through these states:
#
#   FREE --fork--> READY <--schedule--> running --sleep/wait/pipe--> BLOCKED or SLEEPING
#                                         |                               |
#                                         +---- exit, or a signal --------+--> DONE (a zombie)
#   DONE --the parent's wait--> FREE
#
# A zombie keeps its pid and its status word (P_EXIT) until its parent collects them with
# wait; its memory and files were released at exit. When a process ends, its children are
# given to init (pid 1), which waits for them, so no zombie is left behind by a dead parent; in
# a pid namespace, to the namespace's own init while it lives (ns.s). Every pid a process gives
# or takes (fork, wait, getppid, procs; kill in signal.s) is one of the caller's namespace:
# ns.s's pid_in translates, and P_PID is the level-0 pid the kernel and the host use.
#
# The first process is /sbin/init (boot.s). init forks one child per boot record; each child
# and everything it forks form one *job*, numbered like the records (1, 2, ...). The job is
# only bookkeeping for the host, which reports each record's output and exit code: a console
# write names its job in writer_job, and the jobs table keeps each record's pid and exit code.

# proc_alloc() -> a0 = a PCB in no state yet and no pid (the caller fills it in and makes it
# READY before it can sleep), with a kernel stack (one page, freed when the process is
# reaped); or -EAGAIN (the table is full) or -ENOMEM.
proc_alloc:
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .found             # PS_FREE
        addi t0, t0, P_SIZE
        bltu t0, t1, .each
        li   a0, -EAGAIN
        ret
.found: push ra
        push t0
        call alloc_frame
        pop  t0
        pop  ra
        beqz a0, .oom
        li   t2, PAGE_SIZE
        add  t2, a0, t2
        sw   t2, P_KSTACK(t0)
.stack: sw   zero, P_PID(t0)        # the caller gives it one (job_of_child, init_create)
        sw   zero, P_KSP(t0)
        sw   zero, P_CHAN(t0)
        sw   zero, P_WAKE(t0)
        sw   zero, P_EXIT(t0)
        sw   zero, P_SIGPEND(t0)
        sw   zero, P_TICKPC(t0)
        sw   zero, P_PGDIR(t0)
        mv   a0, t0
        ret
.oom:   li   a0, -ENOMEM
        ret

# make_ready(a0 = PCB): a new process joins the run queue. Clobbers t0, t1.
make_ready:
        li   t0, PS_READY
        sw   t0, P_STATE(a0)
        la   t0, alive
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        ret

# fork() -> the child's pid (the child sees 0). The child is a copy of the caller: registers,
# address space (shared copy-on-write: mm.s, cow_share), open files (each one more reference,
# sharing its offset, as after dup), current and root directories, UTS and network namespaces,
# ignored signals, name.
sys_fork:
        lw   t0, P_NSCHILD(s0)      # its children's pid namespace lost its init: no more
        lw   t0, PN_DEAD(t0)        # processes in it (Linux: ENOMEM)
        bnez t0, .dead
        push ra
        push s1
        call cg_fork_check          # cgroup.s: -EAGAIN at a pids.max
        blt  a0, zero, .out
        call proc_alloc
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = the child
        call new_pgdir              # 1. the address space: the only step that can fail
        beqz a0, .oom
        sw   a0, P_PGDIR(s1)
        mv   a1, a0
        lw   a0, P_PGDIR(s0)
        call cow_share
        la   t0, cur_ptbr           # the parent's pages became read-only: drop what its TLB
        lw   t0, 0(t0)              # still holds (rewriting PTBR flushes the TLB)
        vset_ptbr t0
        bnez a0, .undo
        li   t0, 0                  # 2. the registers (a0 = 0 in the child) and the pc (after
.regs:  add  t1, s0, t0             #    the syscall: the dispatcher moved it already)
        lw   t2, 0(t1)
        add  t1, s1, t0
        sw   t2, 0(t1)
        addi t0, t0, 4
        li   t1, P_PC + 4
        blt  t0, t1, .regs
        sw   zero, P_A0(s1)
        sw   s0, P_PARENT(s1)       # 3. family, signals, name, directory, files
        lw   t0, P_SIGIGN(s0)
        sw   t0, P_SIGIGN(s1)
        lw   t0, P_DIVZ(s0)
        sw   t0, P_DIVZ(s1)
        addi a0, s1, P_NAME
        addi a1, s0, P_NAME
        li   a2, 16
        call copy_bytes
        mv   a0, s1
        call job_of_child
        mv   a0, s1                 # its pid namespace and its pid at each level (ns.s)
        call pidns_enter
        lw   t0, P_CWD(s0)
        sw   t0, P_CWD(s1)
        beqz t0, .files
        lw   t1, I_REF(t0)          # the directory: one more reference
        addi t1, t1, 1
        sw   t1, I_REF(t0)
.files: mv   a0, s1                 # the root directory and the UTS namespace (ns.s)
        call root_dup
        mv   a0, s1                 # the mount namespace and the directories' mounts (vfs.s)
        call mnt_fork
        lw   a0, P_UTS(s0)
        sw   a0, P_UTS(s1)
        call uts_get
        lw   a0, P_NETNS(s0)        # its network namespace (net.s)
        sw   a0, P_NETNS(s1)
        call netns_get
        li   t0, 0
.fd:    add  t1, s0, t0
        lw   t2, P_OFILE(t1)
        add  t1, s1, t0
        sw   t2, P_OFILE(t1)
        beqz t2, .nextfd
        lw   t3, F_REF(t2)
        addi t3, t3, 1
        sw   t3, F_REF(t2)
.nextfd:
        addi t0, t0, 4
        li   t1, NOFILE * 4
        blt  t0, t1, .fd
        mv   a0, s1                 # 4. its control group (cgroup.s), and runnable
        call cg_fork
        call make_ready
        mv   a0, s1                 # its pid as the parent sees it
        lw   a1, P_PIDNS(s0)
        call pid_in
        j    .out
.undo:  lw   a0, P_PGDIR(s1)        # out of memory half way: give back what the child got
        call free_pgdir
        sw   zero, P_PGDIR(s1)
.oom:   li   a0, -ENOMEM
.out:   pop  s1
        pop  ra
        ret
.dead:  li   a0, -ENOMEM
        ret

# job_of_child(a0 = new PCB; s0 = its parent): its pid and the job it belongs to. A child of
# init starts the next job (init forks the boot records in order, so job k is record k) and
# gets pid k + 1, whatever else has forked meanwhile: the records' pids do not depend on how
# the first processes interleave (under a VMM a fork can take longer than a quantum, and a
# record already running may fork before init has forked the next). Every other process gets
# the next pid after those (next_pid) and stays in its parent's job. Clobbers t0-t3.
job_of_child:
        lw   t0, P_JOB(s0)
        lw   t1, P_PID(s0)
        li   t2, INIT_PID
        bne  t1, t2, .same
        la   t1, njobs
        lw   t0, 0(t1)
        li   t2, BOOTARGS
        lw   t2, BA_NPROC(t2)
        bgeu t0, t2, .none          # more children of init than records: no job
        addi t0, t0, 1
        sw   t0, 0(t1)
        addi t2, t0, INIT_PID       # pid = job + 1
        sw   t2, P_PID(a0)
        li   t1, J_SIZE             # jobs[k - 1].pid = the child's pid
        mul  t1, t1, t0
        la   t3, jobs - J_SIZE
        add  t3, t3, t1
        sw   t2, J_PID(t3)
        sw   t0, P_JOB(a0)
        ret
.none:  li   t0, 0
.same:  sw   t0, P_JOB(a0)
        la   t1, next_pid
        lw   t2, 0(t1)
        sw   t2, P_PID(a0)
        addi t2, t2, 1
        sw   t2, 0(t1)
        ret

# getppid() -> the parent's pid in the caller's pid namespace: 0 for init, which has none, and
# for a namespace's init, whose parent is outside the namespace.
sys_getppid:
        lw   a0, P_PARENT(s0)
        beqz a0, .out
        lw   a1, P_PIDNS(s0)
        j    pid_in                 # ns.s: 0 when the parent is not in the caller's namespace
.out:   ret

# exit(code): the status word is (code & 0xff) << 8, as on Unix.
sys_exit:
        andi a0, a0, 0xff
        slli a0, a0, W_EXITCODE_SHIFT
        j    proc_exit

# proc_exit(a0 = status word; s0 = PCB): record the status, close its files, free the address
# space, give its children to init, become a zombie and wake the parent, run the next. Closing
# a file may wait for the disk, so this runs on the process's own kernel stack until then.
proc_exit:
        sw   a0, P_EXIT(s0)
        lw   t0, P_PID(s0)
        li   t1, INIT_PID
        beq  t0, t1, .init
        call close_all_files        # file.s (and the current and root directories)
        call mntns_exit             # vfs.s: leave its mount namespace (the last one out frees it)
        lw   a0, P_UTS(s0)          # leave its UTS namespace (ns.s)
        sw   zero, P_UTS(s0)
        call uts_put
        lw   a0, P_NETNS(s0)        # leave its network namespace: the last one out closes its
        sw   zero, P_NETNS(s0)      # sockets and removes its veth pairs (net.s)
        call netns_put
        call pidns_exit             # ns.s: a namespace's init takes its namespace with it
        call cg_exit                # cgroup.s: out of its group's pids.current and cgroup.procs
        .ifdef HOST
        call vm_release             # kvm.s: a VM the process made goes with it
        .endif
        la   t0, kernel_pgdir       # leave the dying address space before freeing it
        lw   t1, 0(t0)
        ori  t1, t1, PTBR_ENABLE
        la   t0, cur_ptbr
        sw   t1, 0(t0)
        vset_ptbr t1
        lw   a0, P_PGDIR(s0)
        call free_pgdir
        sw   zero, P_PGDIR(s0)
        call reaper                 # ns.s: a0 = who adopts its children: its namespace's init,
        mv   t2, a0                 # or init (slot 0) once that one is gone
        la   t0, proc_table         # orphans go to the reaper
        la   t1, proc_table + P_SIZE * NPROC
        li   a1, 0                  # a1 = 1 when one of them is a zombie already
.child: lw   t3, P_PARENT(t0)
        bne  t3, s0, .nextchild
        lw   t3, P_STATE(t0)
        beqz t3, .nextchild         # a free slot keeps a stale parent: ignore it
        sw   t2, P_PARENT(t0)
        addi t3, t3, -PS_DONE
        bnez t3, .nextchild
        li   a1, 1
.nextchild:
        addi t0, t0, P_SIZE
        bltu t0, t1, .child
        beqz a1, .job
        mv   a0, t2                 # the reaper has zombies to collect
        call wakeup
.job:   call job_exit
        li   t0, PS_DONE
        sw   t0, P_STATE(s0)
        lw   a0, P_PARENT(s0)       # the parent may be waiting (sys_wait sleeps on its PCB)
        call wakeup
        la   t0, alive
        lw   t1, 0(t0)
        addi t1, t1, -1
        sw   t1, 0(t0)
        j    schedule               # the search starts after this (finished) process
.init:  la   a0, msg_init_exit
        j    panic

msg_init_exit: .asciz "init exited"
        .align 4

# job_exit(s0 = PCB, its P_EXIT set): if it started a job, keep the job's exit code as the host
# reports it: the code it passed to exit, or 128 + the signal that ended it. Clobbers t0-t3.
job_exit:
        lw   t0, P_JOB(s0)
        beqz t0, .out
        li   t1, J_SIZE
        mul  t1, t1, t0
        la   t2, jobs - J_SIZE
        add  t2, t2, t1             # t2 = jobs[job - 1]
        lw   t1, J_PID(t2)
        lw   t3, P_PID(s0)
        bne  t1, t3, .out           # not its first process
        lw   t0, P_EXIT(s0)
        andi t1, t0, W_SIGMASK
        srli t0, t0, W_EXITCODE_SHIFT
        beqz t1, .code
        addi t0, t1, 128
.code:  sw   t0, J_CODE(t2)
        li   t0, 1
        sw   t0, J_DONE(t2)
.out:   ret

# wait(pid, status, options) -> the pid of a child that ended, 0 (WNOHANG, none yet), or
# -ECHILD, -EFAULT, -EINVAL, -EINTR. A zombie child found is reaped: its slot becomes free.
sys_wait:
        li   t0, ~WNOHANG
        and  t0, a2, t0
        bnez t0, .inval
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = pid wanted (-1: any)
        mv   s2, a1                 # s2 = where the status goes (0: nowhere)
        mv   s3, a2                 # s3 = options
.scan:  li   fp, 0                  # fp = a matching child exists
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        lw   t3, P_PARENT(t0)
        bne  t3, s0, .next
        li   t3, -1
        beq  s1, t3, .match
        mv   a0, t0                 # its pid in our namespace (pid_in keeps t0-t3)
        lw   a1, P_PIDNS(s0)
        call pid_in
        bne  a0, s1, .next
.match: li   fp, 1
        li   t3, PS_DONE
        beq  t2, t3, .reap
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        li   a0, -ECHILD
        beqz fp, .out
        li   a0, 0
        andi t0, s3, WNOHANG
        bnez t0, .out
        li   a0, -EINTR             # a signal is on its way: give up waiting
        lw   t0, P_SIGPEND(s0)
        bnez t0, .out
        mv   a0, s0                 # sleep until a child ends (proc_exit wakes our PCB)
        call sleep
        j    .scan
.reap:  mv   fp, t0                 # fp = the zombie
        beqz s2, .free
        addi a0, fp, P_EXIT
        mv   a1, s2
        li   a2, 4
        li   a3, 1
        call copy_user
        li   t0, 4
        beq  a0, t0, .free
        li   a0, -EFAULT            # the child stays a zombie
        j    .out
.free:  lw   a0, P_KSTACK(fp)       # its kernel stack (not in use since it exited)
        li   t0, PAGE_SIZE
        sub  a0, a0, t0
        call free_frame
        sw   zero, P_KSTACK(fp)
        mv   a0, fp                 # its pid as we see it, then its namespace lets go of it
        lw   a1, P_PIDNS(s0)
        call pid_in
        mv   s1, a0
        lw   a0, P_PIDNS(fp)
        sw   zero, P_PIDNS(fp)
        call pidns_put
        mv   a0, s1
        sw   zero, P_STATE(fp)      # PS_FREE
        sw   zero, P_PARENT(fp)
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# poweroff(): init's last act, once wait says it has no children left.
sys_poweroff:
        lw   t0, P_PID(s0)
        li   t1, INIT_PID
        bne  t0, t1, .perm
        j    shutdown
.perm:  li   a0, -EPERM
        ret

# procs(buf, len) -> bytes written: a PROC_INFO entry per process in use that the caller's pid
# namespace holds (its own and those below it), in pid order, with the pids as it sees them.
sys_procs:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s1, a0                 # s1 = next user address
        add  s2, a0, a1             # s2 = its end
        li   s3, 0                  # s3 = the last pid written
.pick:  li   fp, 0                  # fp = the in-use slot with the smallest pid above s3
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
        li   t3, 0                  # t3 = fp's pid
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        mv   a0, t0                 # its pid as the caller sees it (0: not in its namespace)
        lw   a1, P_PIDNS(s0)
        call pid_in
        beqz a0, .next
        bgeu s3, a0, .next
        beqz fp, .take
        bgeu a0, t3, .next
.take:  mv   fp, t0
        mv   t3, a0
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        beqz fp, .done
        sub  t0, s2, s1
        li   t1, PI_SIZEOF
        bltu t0, t1, .done          # no room for another
        mv   s3, t3
        la   t0, proc_info          # the entry, in the kernel first
        sw   s3, PI_PID(t0)
        lw   a0, P_PARENT(fp)
        beqz a0, .ppid
        lw   a1, P_PIDNS(s0)
        call pid_in                 # 0 when the parent is outside the caller's namespace
.ppid:  la   t0, proc_info
        sw   a0, PI_PPID(t0)
        mv   a0, t0
        lw   t0, P_STATE(fp)
        li   t1, PROC_WAITING       # SLEEPING and BLOCKED
        li   t2, PS_READY
        bne  t0, t2, .zombie
        li   t1, PROC_RUNNABLE
.zombie:
        li   t2, PS_DONE
        bne  t0, t2, .state
        li   t1, PROC_ZOMBIE
.state: sw   t1, PI_STATE(a0)
        lw   t0, P_JOB(fp)
        sw   t0, PI_JOB(a0)
        addi a0, a0, PI_NAME
        addi a1, fp, P_NAME
        li   a2, 16
        call copy_bytes
        la   a0, proc_info
        mv   a1, s1
        li   a2, PI_SIZEOF
        li   a3, 1
        call copy_user
        li   t0, PI_SIZEOF
        bne  a0, t0, .fault
        addi s1, s1, PI_SIZEOF
        j    .pick
.done:  lw   t0, P_A0(s0)           # bytes written: from buf (the saved argument) to s1
        sub  a0, s1, t0
        j    .out
.fault: li   a0, -EFAULT
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
