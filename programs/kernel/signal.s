# signal.s: signals, the small set. A signal is a number (SIGINT, SIGKILL, ...: abi.inc, Linux's
# numbers); sending one sets its bit in the target's P_SIGPEND, and the target acts on it the
# next time the kernel returns to it in user mode (resume_process checks P_SIGPEND), as Unix
# does. ringlab has only the default actions: every signal it has terminates the process except
# SIGCHLD, which is ignored; a process may ignore any signal but SIGKILL (signal(sig, SIG_IGN)),
# and an ignored signal is never made pending. There are no handlers and no masks: both need
# a user-mode frame to run code on and a sigreturn, and nothing here needs them yet.
#
# A signal also cuts a wait short: a process asleep in wait, in a pipe or on console input is
# made ready at once, sees the pending signal and returns -EINTR, and dies on its way out. One
# waiting for the disk or the filesystem lock simply finishes that first (every sleep re-checks
# its condition, so an early wakeup is harmless).
#
# The kernel sends signals itself for traps (a process that faults gets SIGSEGV, SIGILL, SIGFPE,
# SIGBUS or SIGTRAP: trap.s), for a write to a pipe with no reader (SIGPIPE: pipe.s), and for
# Ctrl-C on a terminal console (SIGINT to the processes on it: signal_console).

        .equ SIG_VALID, (1 << SIGINT) | (1 << SIGILL) | (1 << SIGTRAP) | (1 << SIGBUS) | (1 << SIGFPE) | (1 << SIGKILL) | (1 << SIGSEGV) | (1 << SIGPIPE) | (1 << SIGTERM) | (1 << SIGCHLD)

# signal_valid(t2 = signal) -> t0 = 1 if ringlab has it. Clobbers t1.
signal_valid:
        li   t0, 0
        sltiu t1, t2, NSIG
        beqz t1, .out
        li   t1, SIG_VALID
        srl  t1, t1, t2
        andi t0, t1, 1
.out:   ret

# send_signal(a0 = PCB, a1 = signal): make it pending unless the process ignores it (SIGKILL
# cannot be ignored; SIGCHLD is ignored by default), and wake the process if it sleeps so that
# it acts on it soon. Nothing happens to a free slot or a zombie. Clobbers t0-t3.
send_signal:
        lw   t0, P_STATE(a0)
        beqz t0, .out               # PS_FREE
        li   t1, PS_DONE
        beq  t0, t1, .out
        li   t1, SIGCHLD
        beq  a1, t1, .out
        li   t1, 1
        sll  t1, t1, a1             # t1 = its bit
        li   t2, SIGKILL
        beq  a1, t2, .pend
        lw   t2, P_SIGIGN(a0)
        and  t2, t2, t1
        bnez t2, .out
.pend:  lw   t2, P_SIGPEND(a0)
        or   t2, t2, t1
        sw   t2, P_SIGPEND(a0)
        li   t1, PS_SLEEPING        # asleep: ready now (it re-checks why it slept)
        beq  t0, t1, .wake
        li   t1, PS_BLOCKED
        bne  t0, t1, .out
.wake:  li   t1, PS_READY
        sw   t1, P_STATE(a0)
.out:   ret

# signal_console(a0 = signal): send it to every process but init (Ctrl-C on the console: the
# shell ignores SIGINT, so the program it waits for dies and the shell goes on). ringlab has no
# process groups, so "the processes on the console" are all of them. Clobbers a0-a3, t0-t3.
signal_console:
        mv   a1, a0
        la   a0, proc_table + P_SIZE    # slot 0 is init's
        la   a2, proc_table + P_SIZE * NPROC
.each:  push ra
        call send_signal
        pop  ra
        addi a0, a0, P_SIZE
        bltu a0, a2, .each
        ret

# signal_deliver(a0 = PCB with a signal pending): on the way back to the process (from
# resume_process), act on the lowest pending signal: every one it can have terminates it, and
# its wait status is the signal's number.
signal_deliver:
        mv   s0, a0
        make_current s0
        lw   sp, P_KSTACK(s0)       # its own kernel stack: proc_exit may wait for the disk
        lw   t0, P_SIGPEND(s0)
        li   a0, 1
.find:  srl  t1, t0, a0
        andi t1, t1, 1
        bnez t1, .found
        addi a0, a0, 1
        j    .find
.found: j    proc_exit              # proc.s: status word = the signal

# kill(pid, sig) -> 0, or -EINVAL, -EPERM (init), -ESRCH. Signal 0 only checks the pid. The
# pid is read in the caller's pid namespace (ns.s): pid 1 is the init of the caller's namespace,
# which takes no signals from inside it; from a namespace above it, the same process has another
# pid and can be killed (and its namespace with it).
sys_kill:
        push ra
        push s1
        mv   t2, a1
        call signal_valid
        bnez t0, .sig
        li   t0, -EINVAL
        bnez a1, .ret               # 0 is allowed: an existence check
.sig:   li   t0, INIT_PID
        beq  a0, t0, .perm
        mv   s1, a1                 # s1 = the signal
        call find_pid               # ns.s: the live process with that pid in our namespace
        li   t0, -ESRCH
        beqz a0, .ret
        beqz s1, .ok
        mv   a1, s1
        call send_signal
.ok:    li   t0, 0
        j    .ret
.perm:  li   t0, -EPERM
.ret:   mv   a0, t0
        pop  s1
        pop  ra
        ret

# signal(sig, action) -> the previous action (SIG_DFL or SIG_IGN), or -EINVAL.
sys_signal:
        push ra
        mv   t2, a0
        call signal_valid
        pop  ra
        beqz t0, .inval
        li   t0, SIGKILL
        beq  a0, t0, .inval
        sltiu t0, a1, 2             # SIG_DFL 0, SIG_IGN 1
        beqz t0, .inval
        li   t0, 1
        sll  t0, t0, a0             # t0 = its bit
        lw   t1, P_SIGIGN(s0)
        and  t2, t1, t0
        sltu t2, zero, t2           # t2 = the previous action
        or   t1, t1, t0
        bnez a1, .set
        xor  t1, t1, t0             # SIG_DFL: clear the bit
.set:   sw   t1, P_SIGIGN(s0)
        beqz a1, .done
        lw   t1, P_SIGPEND(s0)      # ignoring it drops one already pending
        or   t1, t1, t0
        xor  t1, t1, t0
        sw   t1, P_SIGPEND(s0)
.done:  mv   a0, t2
        ret
.inval: li   a0, -EINVAL
        ret
