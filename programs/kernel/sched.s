# sched.s: the scheduler. Processes live in proc_table; the kernel picks the next READY one
# in round-robin order after the current one.
#
# How a timer interrupt becomes a context switch: the timer raises line 0 every quantum cycles;
# when a process runs with interrupts on, the CPU takes the interrupt as a trap: trap_entry saves
# all of the process's registers and its pc (EPC) into its PCB, and timer_interrupt below
# acknowledges the timer, counts the tick, wakes sleepers and calls schedule, which picks the
# next ready process and resume_process loads *that* PCB: its page directory into PTBR, its pc
# into EPC, its registers, and `sret` drops to ring 3 in the other process.

#
# A process the tick finds exactly where the previous tick left it, with no trap in between,
# has not run an instruction since (or spins on one): it keeps the processor for one more
# quantum instead of being preempted again. Natively a switch takes far less than a quantum, so
# this never matters; under a VMM a switch can cost more than a quantum, and without it two
# processes could hand the processor back and forth while one of them never ran (one yields at
# once; the other is resumed each time just as the next tick falls due). A real scheduler gives
# a task a minimum slice for the same reason.
timer_interrupt:
        vtimer_ack
        call tick
        mv   a0, s0                 # charge the tick to its control group (cgroup.s)
        call cg_tick
        lw   t0, P_PC(s0)
        beq  t0, s1, .again         # s1 = P_TICKPC as trap_entry found it
        sw   t0, P_TICKPC(s0)
        j    schedule
.again: mv   a0, s0                 # its second tick here: let it run (P_TICKPC stays 0),
        call cg_runnable            # unless its control group is throttled now (cgroup.s)
        beqz a0, schedule
        mv   a0, s0
        j    resume_process

# tick: count a timer tick and make every sleeper whose time has come ready.
tick:
        la   t0, ticks
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        la   t0, proc_table
        li   t2, NPROC
.each:  lw   t3, P_STATE(t0)
        addi t3, t3, -PS_SLEEPING
        bnez t3, .skip
        lw   t3, P_WAKE(t0)
        blt  t1, t3, .skip
        li   t3, PS_READY
        sw   t3, P_STATE(t0)
.skip:  addi t0, t0, P_SIZE
        addi t2, t2, -1
        bnez t2, .each
        ret

# schedule: run the next READY process after the current one (the current one last). If none
# is ready but some sleep, idle with wfi until the timer wakes one; if none is left, shut down.
schedule:
        li   sp, KSTACK_TOP         # the scheduler's own stack: whatever called it is done with
        .ifdef LEGACY               # its stack, or saved what it needs (sleep)
        call legacy_check_status    # legacy.s: interrupts must be off here
        .endif
        la   t0, current
        lw   s0, 0(t0)              # s0 = where the search starts (0: before slot 0)
        bnez s0, .search
        la   s0, proc_table
        addi s0, s0, -P_SIZE
.search:
        la   t0, cg_count           # control groups in use: pick by group (below)
        lw   t0, 0(t0)
        li   t1, 1
        bne  t0, t1, .groups
        li   t2, NPROC
        mv   t0, s0
.next:  addi t0, t0, P_SIZE
        la   t1, proc_table + P_SIZE * NPROC
        bltu t0, t1, .inrange
        la   t0, proc_table         # wrap around
.inrange:
        lw   t1, P_STATE(t0)
        li   t3, PS_READY
        beq  t1, t3, .found
        addi t2, t2, -1
        bnez t2, .next
.none:  la   t0, alive              # nobody is ready
        lw   t0, 0(t0)
        beqz t0, shutdown
        .ifdef LEGACY
        j    legacy_idle            # legacy.s: idle with interrupts on, the x86 way
        .endif
        vwfi                        # interrupts are off: wfi returns when a line is pending,
        vcsrr t0, IPEND             # and the kernel handles the interrupt itself
        andi t0, t0, IRQ_TIMER
        beqz t0, .devices
        vtimer_ack
        call tick
        li   a0, 0                  # an idle tick: periods go on (cgroup.s)
        call cg_tick
.devices:
        call device_interrupts
        j    .search

# With control groups (cg_count > 1): the same round-robin walk from the current process, but
# a process whose group (or one above) is throttled (cpu.max) is passed over, and a later one
# wins over the best so far only if its entity has less virtual time where their paths part
# (cpu.weight, cgroup.s: cg_before). Processes of one group tie, and the first ready one wins:
# while every process is in one group, this is plain round robin.
.groups:
        li   s1, 0                  # s1 = the best so far
        li   t2, NPROC
        mv   t0, s0
.gnext: addi t0, t0, P_SIZE
        la   t1, proc_table + P_SIZE * NPROC
        bltu t0, t1, .ginrange
        la   t0, proc_table
.ginrange:
        lw   t1, P_STATE(t0)
        li   t3, PS_READY
        bne  t1, t3, .gskip
        mv   a0, t0
        call cg_runnable            # keeps t0-t3
        beqz a0, .gskip
        beqz s1, .gtake
        lw   a0, P_CGROUP(t0)
        lw   a1, P_CGROUP(s1)
        call cg_before              # keeps t0-t3
        beqz a0, .gskip
.gtake: mv   s1, t0
.gskip: addi t2, t2, -1
        bnez t2, .gnext
        beqz s1, .none
        mv   a0, s1                 # the groups' clocks move on to what was picked
        call cg_picked
        mv   a0, s1
        j    .run

.found: mv   a0, t0
.run:   lw   t1, P_KSP(a0)          # asleep in the kernel: go on there
        bnez t1, kernel_resume
        # fall through

# resume_process(a0 = PCB): make it current and return to it in ring 3 with interrupts on;
# a process with a signal pending ends instead (signal.s).
resume_process:
        lw   t0, P_SIGPEND(a0)
        bnez t0, signal_deliver
        vcsrw SCRATCH0, a0          # the next trap saves into this PCB
        make_current a0
        lw   t1, P_PGDIR(a0)        # switch address space (a PTBR write flushes the TLB,
        ori  t1, t1, PTBR_ENABLE    # so skip it when the process stays the same)
        la   t0, cur_ptbr
        lw   t2, 0(t0)
        beq  t1, t2, .same
        sw   t1, 0(t0)
        vset_ptbr t1
.same:  lw   t1, P_PC(a0)
        vcsrw EPC, t1
        li   t1, 3 | STATUS_IE      # sret returns to ring 3 with interrupts enabled
        vcsrw ESTATUS, t1
        mv   t0, a0
        lw   ra, 4(t0)
        lw   sp, 8(t0)
        lw   fp, 12(t0)
        lw   a0, 16(t0)
        lw   a1, 20(t0)
        lw   a2, 24(t0)
        lw   a3, 28(t0)
        lw   t1, 36(t0)
        lw   t2, 40(t0)
        lw   t3, 44(t0)
        lw   s0, 48(t0)
        lw   s1, 52(t0)
        lw   s2, 56(t0)
        lw   s3, 60(t0)
        lw   t0, 32(t0)             # the base register last
        vsret

# ---- Sleeping in the kernel -----------------------------------------------------------------
# A process that must wait inside a system call (for the disk, the filesystem lock, console
# input) calls sleep(channel) on its own kernel stack: sleep saves the callee-saved registers
# there and the stack pointer in the PCB, and the scheduler runs someone else. wakeup(channel)
# makes every process sleeping on that channel ready; when the scheduler picks one,
# kernel_resume reloads its stack and registers and sleep returns to its caller. A channel is
# any address that names what is waited for (a buffer, a lock word). As in xv6, a woken process
# checks its condition again: the wakeup only says something changed.

# sleep(a0 = channel; s0 = PCB): preserves s0-s3, fp and sp; clobbers a0-a3, t0-t3.
sleep:
        push ra
        push fp
        push s0
        push s1
        push s2
        push s3
        sw   sp, P_KSP(s0)
        sw   a0, P_CHAN(s0)
        li   t0, PS_BLOCKED
        sw   t0, P_STATE(s0)
        j    schedule

# kernel_resume(a0 = PCB of a ready process asleep in the kernel): back into sleep's caller.
kernel_resume:
        make_current a0
        lw   sp, P_KSP(a0)
        sw   zero, P_KSP(a0)
        pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  fp
        pop  ra
        ret

# wakeup(a0 = channel): every process blocked on it becomes ready. Clobbers t0-t3.
wakeup:
        la   t0, proc_table
        li   t2, NPROC
        li   t3, PS_BLOCKED
.each:  lw   t1, P_STATE(t0)
        bne  t1, t3, .skip
        lw   t1, P_CHAN(t0)
        bne  t1, a0, .skip
        li   t1, PS_READY
        sw   t1, P_STATE(t0)
.skip:  addi t0, t0, P_SIZE
        addi t2, t2, -1
        bnez t2, .each
        ret

# device_interrupts: handle the disk's and the console's lines if they are pending (from the
# trap of a device interrupt, or the idle loop). Clobbers a0-a3, t0-t3.
device_interrupts:
        push ra
        vcsrr t0, IPEND
        andi t0, t0, IRQ_DISK
        beqz t0, .console
        call disk_intr
.console:
        vcsrr t0, IPEND
        andi t0, t0, IRQ_CONSOLE
        beqz t0, .out
        call console_intr
.out:   pop  ra
        ret

# shutdown: "kernel: 3 processes finished, exit codes: 2=0 3=0 4=132; power off code 4": one
# pid=code pair per job (proc.s), in boot-record order. init's poweroff comes here; so does the
# scheduler if every process has ended (which only a kernel without init would see).
shutdown:
        la   a0, msg_summary1
        call puts
        la   t0, njobs
        lw   a0, 0(t0)
        call print_dec
        la   a0, msg_summary2
        call puts
        la   s0, jobs
        la   s1, njobs
        lw   s1, 0(s1)
        beqz s1, .last
.each:  lw   a0, J_PID(s0)
        call print_dec
        li   a0, '='
        call putc
        lw   a0, J_CODE(s0)
        call print_dec
        addi s0, s0, J_SIZE
        addi s1, s1, -1
        beqz s1, .last
        li   a0, ' '
        call putc
        j    .each
.last:  li   s2, EXIT_OK
        la   t0, killed_any
        lw   t0, 0(t0)
        beqz t0, .code
        li   s2, EXIT_KILLED
.code:  la   a0, msg_summary3
        call puts
        mv   a0, s2
        call print_dec
        li   a0, '\n'
        call putc
        vout TIMER_INTERVAL, zero
        vout POWER_OFF, s2
        vhalt

msg_summary1: .asciz "kernel: "
msg_summary2: .asciz " processes finished, exit codes: "
msg_summary3: .asciz "; power off code "
        .align 4
