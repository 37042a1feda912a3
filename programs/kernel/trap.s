# trap.s: the trap vector. Every trap (system call, fault, timer interrupt) from a process
# arrives here in ring 0 with interrupts off. SCRATCH0 always holds the running process's PCB,
# so the handler can save the process's registers without a free register of its own.
#
# The kernel is not preemptible: it runs with interrupts off on one kernel stack, and every
# path out of it ends in resume_process (sched.s), which reloads a whole process from its PCB.

trap_entry:
        vcsrw SCRATCH1, t0          # free one register ...
        vcsrr t0, SCRATCH0          # ... to hold the PCB address
        sw   ra, 4(t0)              # save r1..r15 (r8 = t0 comes from SCRATCH1)
        sw   sp, 8(t0)
        sw   fp, 12(t0)
        sw   a0, 16(t0)
        sw   a1, 20(t0)
        sw   a2, 24(t0)
        sw   a3, 28(t0)
        sw   t1, 36(t0)
        sw   t2, 40(t0)
        sw   t3, 44(t0)
        sw   s0, 48(t0)
        sw   s1, 52(t0)
        sw   s2, 56(t0)
        sw   s3, 60(t0)
        vcsrr t1, SCRATCH1
        sw   t1, P_T0(t0)
        vcsrr t1, EPC               # where the process was: the trapping instruction, or the
        sw   t1, P_PC(t0)           # next one for an interrupt
        lw   sp, P_KSTACK(t0)       # the process's own kernel stack (empty: nothing of this
                                    # process is in the kernel while it runs in ring 3)
        mv   s0, t0                 # s0 = current PCB in every handler below
        lw   s1, P_TICKPC(s0)       # s1 = where the last tick preempted it (timer_interrupt);
        sw   zero, P_TICKPC(s0)     # any trap since means it ran
        vcsrr t1, ESTATUS
        andi t1, t1, STATUS_RING_MASK
        .ifdef LEGACY
        beqz t1, legacy_kernel_trap # legacy.s: the idle loop's tick, or a kernel bug
        .else
        beqz t1, kernel_panic       # trapped in the kernel itself: a kernel bug
        .endif
        vcsrr t1, CAUSE             # dispatch on the cause
        li   t2, CAUSE_SYSCALL
        beq  t1, t2, syscall_dispatch
        li   t2, CAUSE_TIMER_INTERRUPT
        beq  t1, t2, timer_interrupt
        li   t2, CAUSE_PAGE_FAULT_READ
        beq  t1, t2, page_fault
        li   t2, CAUSE_PAGE_FAULT_WRITE
        beq  t1, t2, page_fault
        li   t2, CAUSE_DIVIDE_BY_ZERO
        beq  t1, t2, divide_fault
        li   t2, CAUSE_DISK_INTERRUPT
        beq  t1, t2, device_interrupt
        li   t2, CAUSE_CONSOLE_INTERRUPT
        beq  t1, t2, device_interrupt
        j    kill_current           # anything else is fatal for the process

# A device interrupt while a process ran: wake whoever waits for the device, and let the
# interrupted process go on (only the timer preempts).
device_interrupt:
        call device_interrupts
        mv   a0, s0
        j    resume_process

# Page fault from a process: a write to a page it shares copy-on-write since a fork gets its
# own copy (mm.s, cow_break); inside the heap or stack region and not yet mapped, it gets a
# fresh zeroed page (demand-zero paging); either way the instruction runs again. Otherwise the
# process dies of SIGSEGV.
page_fault:
        li   t2, CAUSE_PAGE_FAULT_WRITE
        bne  t1, t2, .demand
        vcsrr a0, BADADDR
        li   t0, USER_TOP           # only user addresses can be copy-on-write
        bgeu a0, t0, .demand
        call cow_break
        beqz a0, .retry
.demand:
        la   t0, cg_throttle
        sw   zero, 0(t0)
        vcsrr a0, BADADDR
        call demand_map             # 0: mapped; -1: not an address the process may touch
        bnez a0, .failed
        la   t0, cg_throttle        # over its control group's memory.high (cgroup.s): the
        lw   t0, 0(t0)              # process sleeps a tick, then retries (the page is there)
        bne  t0, s0, .retry
        la   t0, ticks
        lw   t0, 0(t0)
        addi t0, t0, 1
        sw   t0, P_WAKE(s0)
        li   t0, PS_SLEEPING
        sw   t0, P_STATE(s0)
        j    schedule
.failed:
        lw   t0, P_SIGPEND(s0)      # killed by its control group's OOM killer: SIGKILL, on
        andi t0, t0, 1 << SIGKILL   # the way back (resume_process)
        beqz t0, kill_current
.retry:
        mv   a0, s0
        j    resume_process         # P_PC still points at the faulting instruction: retry it

# Divide by zero: fatal unless the process asked (SYS_DIVZERO) to survive it; then the
# destination register (bits 23:20 of the instruction word in EINSN) gets 0 and the process
# goes on at the next instruction.
divide_fault:
        lw   t0, P_DIVZ(s0)
        beqz t0, kill_current
        vcsrr t0, EINSN
        srli t0, t0, 20
        andi t0, t0, 15             # rd
        beqz t0, .skip              # r0 stays zero
        slli t0, t0, 2
        add  t0, t0, s0
        sw   zero, P_REGS(t0)
.skip:  lw   t0, P_PC(s0)
        addi t0, t0, 4
        sw   t0, P_PC(s0)
        mv   a0, s0
        j    resume_process

# kill_current: print "kernel: killed pid N (name): Cause at pc 0x... addr 0x...", and end the
# process with the signal Unix sends for that trap (cause_signals): its wait status is the
# signal, and the host reports exit code 128 + signal (a page fault: 139, as a shell shows).
kill_current:
        la   a0, msg_killed
        call puts
        lw   a0, P_PID(s0)
        call print_dec
        la   a0, msg_open
        call puts
        addi a0, s0, P_NAME
        call puts
        la   a0, msg_close
        call puts
        lw   a0, P_PC(s0)
        call print_trap             # "<cause> at pc <pc> addr <badaddr>\n"
        la   t0, killed_any
        li   t1, 1
        sw   t1, 0(t0)
        vcsrr t0, CAUSE
        li   a0, SIGILL             # a cause without an entry: an illegal act
        sltiu t1, t0, 11
        beqz t1, .exit
        la   t1, cause_signals
        add  t1, t1, t0
        lbu  a0, 0(t1)
.exit:  j    proc_exit              # proc.s: a0 = the wait status

# The signal for each trap cause a process can die of (causes 0..10; hw.inc numbers them).
cause_signals:
        .byte SIGILL, SIGILL, SIGTRAP, SIGILL, SIGILL, SIGSEGV, SIGSEGV, SIGSEGV, SIGBUS, SIGFPE, SIGBUS
        .align 4

# print_trap(a0 = pc): print "<cause name> at pc <pc> addr <BADADDR>\n" for the current trap.
print_trap:
        push ra
        push a0
        vcsrr a0, CAUSE
        call print_cause
        la   a0, msg_atpc
        call puts
        pop  a0
        call print_hex
        la   a0, msg_addr
        call puts
        vcsrr a0, BADADDR
        call print_hex
        li   a0, '\n'
        call putc
        pop  ra
        ret

# A trap taken in the kernel itself: print what and where, and power off.
kernel_panic:
        la   a0, msg_panic
        call puts
        vcsrr a0, EPC
        call print_trap
        li   t0, EXIT_PANIC
        vout POWER_OFF, t0
        vhalt

# panic(a0 = message): the kernel found itself in a state it cannot go on from:
# "kernel: panic: <message>", and power off.
panic:
        push a0
        la   a0, msg_panic
        call puts
        pop  a0
        call puts
        li   a0, '\n'
        call putc
        li   t0, EXIT_PANIC
        vout POWER_OFF, t0
        vhalt

# print_cause(a0 = code): print the cause's name.
print_cause:
        sltiu t0, a0, 19
        beqz t0, .number
        slli t0, a0, 2
        la   t1, cause_names
        add  t0, t0, t1
        lw   t0, 0(t0)
        beqz t0, .number
        mv   a0, t0
        j    puts
.number:
        j    print_dec

cause_names:
        .word 0, cn_syscall, cn_break, cn_illegal, cn_priv, cn_pfr, cn_pfw, cn_pfx
        .word cn_misaligned, cn_div0, cn_bus, 0, 0, 0, 0, 0, cn_timer, cn_console, cn_disk
cn_syscall:   .asciz "Syscall"
cn_break:     .asciz "Breakpoint"
cn_illegal:   .asciz "IllegalInstruction"
cn_priv:      .asciz "PrivilegedInstruction"
cn_pfr:       .asciz "PageFaultRead"
cn_pfw:       .asciz "PageFaultWrite"
cn_pfx:       .asciz "PageFaultExecute"
cn_misaligned: .asciz "Misaligned"
cn_div0:      .asciz "DivideByZero"
cn_bus:       .asciz "BusError"
cn_timer:     .asciz "TimerInterrupt"
cn_console:   .asciz "ConsoleInterrupt"
cn_disk:      .asciz "DiskInterrupt"
msg_killed:   .asciz "kernel: killed pid "
msg_open:     .asciz " ("
msg_close:    .asciz "): "
msg_atpc:     .asciz " at pc "
msg_addr:     .asciz " addr "
msg_panic:    .asciz "kernel: panic: "
        .align 4
