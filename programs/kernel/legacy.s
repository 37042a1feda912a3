# legacy.s (LEGACY builds only, `-D LEGACY`): the kernel uses the legacy extension's `rdstatus`
# and `wrstatus` where x86 kernels used PUSHF and POPF (docs/popek-goldberg.md). Both run in
# every ring without trapping, so a trap-and-emulate VMM never sees them. On bare metal and
# under VT-x (the guest keeps a ring 0 of its own) the kernel behaves exactly as without
# LEGACY. Under `te` the kernel runs in ring 1, where `rdstatus` reads the real STATUS (ring 1,
# interrupts on: the VMM's, not the virtual one the kernel believes in) and `wrstatus` does
# nothing at all:
#
# - legacy_check_status, on every entry to the scheduler, checks that interrupts are off, as
#   xv6's sched() does with readeflags() ("sched interruptible"). Under te it warns (once).
# - legacy_idle waits for the timer with interrupts on, the way x86 kernels idle (restore flags
#   with IF set, then hlt). Under te the interrupt flag never comes on: the timer interrupt is
#   never delivered, `wfi` returns at once because the tick is pending, and the kernel spins
#   in its idle loop while the process it waits for sleeps forever.
#
# The hooks: schedule (sched.s) calls legacy_check_status and jumps to legacy_idle instead of
# its own idle code; trap_entry (trap.s) sends a trap from ring 0 to legacy_kernel_trap.

        .ifdef PARAVIRT
        .error "LEGACY and PARAVIRT do not go together: a paravirtualized kernel asks the VMM instead"
        .endif

# legacy_check_status: the scheduler runs with interrupts off; check it with a PUSHF-like read
# of STATUS and warn once if it says otherwise:
#   "kernel: warning: schedule() entered with interrupts on (STATUS 0x00000005)"
# Clobbers a0-a3 and t0-t3 (schedule needs none of them).
legacy_check_status:
        rdstatus t0                 # pushf: the current ring (bits 1:0) and IE (bit 2)
        andi t1, t0, STATUS_IE
        beqz t1, .ok                # interrupts off, as they must be here
        la   t1, legacy_warned
        lw   t2, 0(t1)
        bnez t2, .ok                # warn once
        li   t2, 1
        sw   t2, 0(t1)
        push ra
        push t0
        la   a0, msg_legacy_ie
        call puts
        pop  a0
        call print_hex
        la   a0, msg_legacy_ie2
        call puts
        pop  ra
.ok:    ret

# legacy_idle: nobody is ready but some process sleeps. Idle as x86 kernels do: save the
# flags, turn interrupts on with a POPF-like write, and wait; the timer interrupt comes in
# through trap_entry, which hands it to timer_interrupt (legacy_kernel_trap). The idle loop
# is a context of its own: the trap saves it into boot_pcb, never into a process's PCB, and
# nothing returns to it (the kernel is not preemptible: the tick ends in the scheduler).
legacy_idle:
        la   t0, boot_pcb
        csrw SCRATCH0, t0
        rdstatus t0                 # pushf
        ori  t0, t0, STATUS_IE
        wrstatus t0                 # popf with IE set: interrupts on ("sti")
.wait:  wfi                         # the timer interrupt ends the wait
        j    .wait
legacy_idle_end:

# legacy_kernel_trap: a trap taken in ring 0 (from trap_entry, registers saved, s0 = the save
# area). Only the idle loop runs with interrupts on: a timer interrupt there is the tick it
# waits for, and a disk or console interrupt is what a process asleep in the kernel waits for
# (a program being read from the disk, input). Anything else is a kernel bug, as in a kernel
# without LEGACY. The idle loop is no process, so the tick goes straight to the scheduler.
legacy_kernel_trap:
        csrr t1, EPC
        la   t2, legacy_idle
        bltu t1, t2, kernel_panic
        la   t2, legacy_idle_end
        bgeu t1, t2, kernel_panic
        csrr t1, CAUSE
        li   t2, CAUSE_TIMER_INTERRUPT
        beq  t1, t2, .tick
        li   t2, CAUSE_DISK_INTERRUPT
        beq  t1, t2, .device
        li   t2, CAUSE_CONSOLE_INTERRUPT
        bne  t1, t2, kernel_panic
.device:
        call device_interrupts
        j    schedule
.tick:  vtimer_ack
        call tick
        j    schedule

msg_legacy_ie:  .asciz "kernel: warning: schedule() entered with interrupts on (STATUS "
msg_legacy_ie2: .asciz ")\n"
        .align 4
legacy_warned:  .word 0
