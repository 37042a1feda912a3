# kvm.s: the hosted VMM's driver, only in a kernel built with -D HOST (docs/vmm-hosted.md).
#
# This kernel is then the host of a hosted (type-2) VMM, in the manner of Linux's KVM: a user
# process, the VMM (/bin/rlvmm, QEMU's part), makes a virtual machine with system calls, gives it
# memory from its own heap, and runs its virtual CPU with vcpu_run. The driver runs the guest in
# VMX non-root mode (src/isa/vmx.ts) with nested paging, and handles in the kernel what needs no
# device model: EPT violations (it backs the page), the guest's timer (its two ports, and the
# tick injected as an interrupt), interrupt windows, `wfi`. Everything else, the `in` and `out`
# of the console, the power port and the disk, and `halt`, ends vcpu_run: the VMM process gets
# the exit in its struct vm_run (KVM's struct kvm_run), emulates the device and calls vcpu_run
# again.
#
#   vm_create                a VM: its VMCS and EPT directory, owned by the caller
#   vm_memory(addr, size)    guest-physical [0, size) is the caller's heap [addr, addr + size)
#   vcpu_create              the vCPU (one per VM)
#   vcpu_set_regs(buf)       the guest-state area of the VMCS, from the caller
#   vcpu_get_regs(buf)       ... to the caller
#   vcpu_run(run)            run until an exit for the VMM process
#
# Guest memory is ordinary memory of the VMM process. Nothing is mapped in advance: the EPT
# starts empty, and the guest's first touch of a page is an EPT violation, which kvm_ept_map
# handles as get_user_pages does for KVM: it finds the frame behind the process's page (mapping a
# demand-zero page, or breaking copy-on-write, as the process's own store would), maps it in the
# EPT and pins it (one more reference on the frame), so the frame stays the guest's even if the
# process unmaps the page; vm_release drops those references when the VM goes.
#
# The host stays in charge of the processor. Its interrupt lines exit the guest (EXIT_EXTINT
# with H_IMASK = the host's IMASK): on such an exit vcpu_run does not return; it is *restarted*,
# as Linux restarts an interrupted system call: the process's pc goes back to its `syscall`, the
# process is resumed, the pending interrupt is taken at once in ring 3 by the host's own trap
# path (a timer tick may switch to another host process), and when the VMM process runs again it
# executes vcpu_run again, which enters the guest where it left off. A guest in `wfi` with no
# interrupt to take puts the VMM process to sleep until the next host tick, the same way.
#
# One VM at a time: the machine has one guest TLB context (a VMM with several would flush it with
# invvpidall at every switch). Only the process that made the VM may use it.

        .ifdef PARAVIRT
        .error "HOST and PARAVIRT: a paravirtualized kernel cannot be a host of VMs"
        .endif

        .equ KVM_EXITS, VMX_EXIT_IO | VMX_EXIT_HALT | VMX_EXIT_WFI | VMX_EXIT_EXTINT
        .equ KV_TIMER_INTERVAL, VMCS_SOFTWARE      # the guest's virtual timer, in the VMCS's
        .equ KV_TIMER_NEXT, VMCS_SOFTWARE + 4      # software words (as the vtx VMM keeps it)
        .equ KV_INJECTED_AT, VMCS_SOFTWARE + 8     # cycle of the last interrupt injected (kvm_behind)
        .equ KV_TICK_GRACE, 10000                  # kvm_behind: the vtx VMM's VMM_TICK_GRACE
        .equ KVM_EXT_HIDDEN, ISA_EXT_VMX           # what the guest does not see in EXTENSIONS:
                                                   # no nested VMX (KVM hides it from CPUID too)

# vm_owned: unless the caller (s0) owns the VM, return -EBADF (to the caller of the routine
# that expands it, which must not have pushed anything). Clobbers t0 only.
.macro vm_owned
        la   t0, vm_owner
        lw   t0, 0(t0)
        bne  t0, s0, kvm_ebadf
.endm

# kvm_count TABLE, REASON_REG: one more exit of that reason in TABLE. Clobbers t2, t3.
.macro kvm_count table, reason
        slli t2, \reason, 2
        la   t3, \table
        add  t2, t2, t3
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
.endm

# ---- system calls ---------------------------------------------------------------------------

# vm_create() -> 0, or -EBUSY (a VM exists), -ENOMEM.
sys_vm_create:
        push ra
        la   t0, vm_owner
        lw   t0, 0(t0)
        li   a0, -EBUSY
        bnez t0, .out
        call alloc_frame            # the VMCS: a zeroed frame (LAUNCHED = 0, as vmlaunch needs)
        beqz a0, .nomem
        push a0
        call alloc_frame            # the EPT directory: nothing mapped yet
        pop  t1
        beqz a0, .nomem2
        la   t0, vm_vmcs
        sw   t1, 0(t0)
        la   t0, vm_ept
        sw   a0, 0(t0)
        la   t0, vm_owner
        sw   s0, 0(t0)
        la   t0, vm_mem
        sw   zero, 0(t0)
        la   t0, vm_size
        sw   zero, 0(t0)
        la   t0, vm_vcpu
        sw   zero, 0(t0)
        la   t0, vm_in_rd
        sw   zero, 0(t0)
        la   t0, vm_wfi
        sw   zero, 0(t0)
        li   a0, 0
.out:   pop  ra
        ret
.nomem2:
        mv   a0, t1
        call free_frame
.nomem: li   a0, -ENOMEM
        j    .out

# vm_memory(a0 = addr, a1 = size) -> 0, or -EBADF, -EEXIST, -EINVAL. Only checks and records:
# pages are backed when the guest first touches them (kvm_ept_map).
sys_vm_memory:
        vm_owned
        la   t0, vm_mem
        lw   t0, 0(t0)
        li   a2, -EEXIST
        bnez t0, .fail
        li   a2, -EINVAL
        or   t0, a0, a1
        andi t0, t0, PAGE_SIZE - 1
        bnez t0, .fail              # not page aligned
        beqz a1, .fail
        li   t0, VM_MEM_MAX
        bgtu a1, t0, .fail
        li   t0, HEAP_BASE
        bltu a0, t0, .fail
        add  t1, a0, a1             # the end
        bltu t1, a0, .fail          # wraps past 2^32
        li   t0, HEAP_END
        bgtu t1, t0, .fail
        la   t0, vm_mem
        sw   a0, 0(t0)
        la   t0, vm_size
        sw   a1, 0(t0)
        li   a0, 0
.ret:   ret
.fail:  mv   a0, a2
        ret

# vcpu_create() -> 0, or -EBADF, -EEXIST, -EINVAL (no memory yet).
sys_vcpu_create:
        vm_owned
        la   t0, vm_vcpu
        lw   t1, 0(t0)
        li   a0, -EEXIST
        bnez t1, .ret
        la   t1, vm_mem
        lw   t1, 0(t1)
        li   a0, -EINVAL
        beqz t1, .ret
        li   t1, 1
        sw   t1, 0(t0)
        la   t0, vm_vmcs            # what the guest reads from EXTENSIONS: the machine's, less
        lw   t0, 0(t0)              # what the driver hides
        csrr t1, EXTENSIONS
        li   t2, ~KVM_EXT_HIDDEN
        and  t1, t1, t2
        sw   t1, VMCS_C_EXTENSIONS(t0)
        invvpidall                  # the guest TLB context may hold an earlier VM's translations
        li   a0, 0
.ret:   ret

# vcpu_set_regs(a0 = buf) -> 0, or -EBADF, -EFAULT. Copied through a kernel buffer, so a bad
# buffer changes nothing. G_IPEND stays the driver's (it is the guest's lines, not a register).
sys_vcpu_set_regs:
        push ra
        call kvm_vcpu_owned
        bnez a0, .out
        lw   a1, P_A0(s0)
        la   a0, vm_regs
        li   a2, VCPU_REGS_SIZE
        li   a3, 0                  # user to kernel
        call copy_user
        li   t0, VCPU_REGS_SIZE
        bne  a0, t0, .fault
        la   a1, vm_regs
        la   a0, vm_vmcs
        lw   a0, 0(a0)
        li   a2, VMCS_G_IPEND       # everything before G_IPEND
        call copy_bytes
        la   t0, vm_in_rd           # new registers: no `in` is waiting for its value any more,
        sw   zero, 0(t0)            # and the guest is not in wfi
        la   t0, vm_wfi
        sw   zero, 0(t0)
        li   a0, 0
.out:   pop  ra
        ret
.fault: li   a0, -EFAULT
        j    .out

# vcpu_get_regs(a0 = buf) -> 0, or -EBADF, -EFAULT.
sys_vcpu_get_regs:
        push ra
        call kvm_vcpu_owned
        bnez a0, .out
        lw   a1, P_A0(s0)
        la   a0, vm_vmcs
        lw   a0, 0(a0)
        li   a2, VCPU_REGS_SIZE
        li   a3, 1                  # kernel to user
        call copy_user
        li   t0, VCPU_REGS_SIZE
        li   t1, -EFAULT
        bne  a0, t0, .fault
        li   a0, 0
.out:   pop  ra
        ret
.fault: mv   a0, t1
        j    .out

# kvm_vcpu_owned -> a0 = 0 if the caller (s0) owns the VM and it has its vCPU, else -EBADF.
kvm_vcpu_owned:
        vm_owned
        la   t0, vm_vcpu
        lw   t0, 0(t0)
        beqz t0, kvm_ebadf
        li   a0, 0
        ret
kvm_ebadf:
        li   a0, -EBADF
        ret

# vcpu_run(a0 = run) -> VM_EXIT_*, or -EBADF, -EFAULT, -ENOMEM. The run pointer stays in the
# PCB's a0 (P_A0) all along: a restarted vcpu_run finds it there.
sys_vcpu_run:
        call kvm_vcpu_owned
        bnez a0, syscall_return
        la   a0, vm_run
        lw   a1, P_A0(s0)
        li   a2, VR_SIZEOF
        li   a3, 0
        call copy_user              # the VMM's answer (DATA) and its devices' lines (LINES)
        li   t0, VR_SIZEOF
        bne  a0, t0, kvm_efault
        la   s1, vm_vmcs
        lw   s1, 0(s1)              # s1 = the VMCS from here to the exit
        la   t0, vm_in_rd           # an `in` the VMM answered: its value to rd, and on
        lw   t1, 0(t0)
        beqz t1, .lines
        sw   zero, 0(t0)
        addi t1, t1, -1
        beqz t1, .advance           # rd = r0 stays 0
        slli t1, t1, 2
        add  t1, t1, s1
        la   t2, vm_run
        lw   t2, VR_DATA(t2)
        sw   t2, VMCS_G_REGS(t1)
.advance:
        lw   t0, VMCS_G_PC(s1)
        addi t0, t0, 4
        sw   t0, VMCS_G_PC(s1)
.lines: la   t2, vm_run             # the lines of the VMM's devices, as it says they are; the
        lw   t2, VR_LINES(t2)       # timer's is the driver's own
        andi t2, t2, IRQ_DISK | IRQ_CONSOLE
        lw   t0, VMCS_G_IPEND(s1)
        andi t0, t0, IRQ_TIMER
        or   t0, t0, t2
        sw   t0, VMCS_G_IPEND(s1)
        # fall through

# kvm_enter (s0 = PCB, s1 = VMCS): deliver what is due, then enter the guest; or come back to
# the VMM process first if it asked to (VR_FLAGS): when the host's console has input for it
# (VR_F_INPUT), when the pipe it watches has data (VR_F_WATCH: its I/O process answered), and,
# while it watches, when the guest idles (it may as well wait for the answer).
kvm_enter:
        call kvm_vtimer             # the guest's tick, if it is due
        la   t0, vm_run
        lw   t0, VR_FLAGS(t0)
        andi t0, t0, VR_F_INPUT
        beqz t0, .watch
        call kvm_host_input
        li   a0, VR_F_INPUT
        bnez t0, kvm_intr
.watch: la   t0, vm_run
        lw   t1, VR_FLAGS(t0)
        andi t1, t1, VR_F_WATCH
        beqz t1, .wfi
        lw   a0, VR_WATCH(t0)
        call kvm_pipe_ready
        li   a0, VR_F_WATCH
        bnez t0, kvm_intr
.wfi:   la   t0, vm_wfi             # a guest waiting in wfi goes on once a line it enables is
        lw   t1, 0(t0)              # up; until then its VMM process sleeps (kvm_idle), or
        beqz t1, .inject            # hears of it if it waits for work of its own (VR_F_WATCH)
        lw   t2, VMCS_G_IPEND(s1)
        lw   t3, VMCS_G_IMASK(s1)
        and  t2, t2, t3
        bnez t2, .awake
        la   t0, vm_run
        lw   t0, VR_FLAGS(t0)
        andi t1, t0, VR_F_WATCH
        li   a0, VR_F_WATCH | VR_Q_IDLE
        bnez t1, kvm_intr
        li   t2, 0                  # which lines can still come: the guest's timer if it
        lw   t1, KV_TIMER_INTERVAL(s1)  # runs, the console's while the VMM waits for input
        beqz t1, .console
        ori  t2, t2, IRQ_TIMER
.console:
        andi t1, t0, VR_F_INPUT
        beqz t1, .any
        ori  t2, t2, IRQ_CONSOLE
.any:   and  t2, t2, t3
        bnez t2, kvm_idle
        li   s2, -1                 # none the guest enables: it would wait forever, which on
        li   a0, VM_EXIT_DEADLOCK   # bare metal stops the machine; here the VMM hears of it
        j    kvm_to_user
.awake: la   t0, vm_wfi
        sw   zero, 0(t0)
        lw   t0, VMCS_G_PC(s1)
        addi t0, t0, 4
        sw   t0, VMCS_G_PC(s1)
# A pending line the guest enables is injected if the guest can take it (IE on), else the
# driver asks to exit as soon as it can (interrupt-window exiting). An exception already queued
# for injection goes first.
.inject:
        li   t1, KVM_EXITS
        lw   t0, VMCS_E_INJECT(s1)
        blt  t0, zero, .controls    # bit 31: an exception is queued
        lw   a0, VMCS_G_IPEND(s1)
        lw   t2, VMCS_G_IMASK(s1)
        and  a0, a0, t2
        beqz a0, .controls
        lw   t2, VMCS_G_STATUS(s1)
        andi t2, t2, STATUS_IE
        bnez t2, .behind
        ori  t1, t1, VMX_EXIT_INTWINDOW
        j    .controls
.behind:
        lw   t2, VMCS_X_REASON(s1)  # the guest just turned its interrupts on (an interrupt-
        li   t3, VMX_REASON_INTERRUPT_WINDOW    # window exit): it may have fallen behind
        bne  t2, t3, .deliver       # (kvm_behind). Not after any other exit: a guest looping
        call kvm_behind             # at the pc its last tick interrupted is not behind
        li   t1, KVM_EXITS
        beqz a0, .controls
.deliver:
        li   t0, CAUSE_TIMER_INTERRUPT      # line 0; line n is cause TIMER + n
.lowest:
        andi t2, a0, 1
        bnez t2, .cause
        srli a0, a0, 1
        addi t0, t0, 1
        j    .lowest
.cause: li   t2, VMX_INJECT_VALID
        or   t0, t0, t2
        sw   t0, VMCS_E_INJECT(s1)
        sw   zero, VMCS_E_BADADDR(s1)
        sw   zero, VMCS_E_EINSN(s1)
        la   t2, kvm_stat_injected
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
        csrr t3, CYCLE
        sw   t3, KV_INJECTED_AT(s1)
.controls:
        lw   t0, KV_TIMER_INTERVAL(s1)  # the guest's timer runs: come back at its next tick
        beqz t0, .exits                 # (the preemption timer), not at the host's next one;
        lw   t0, VMCS_G_IPEND(s1)       # unless its line is still up: a tick that falls due
        andi t0, t0, IRQ_TIMER          # before the guest takes it is the same tick, as on the
        bnez t0, .exits                 # device
        lw   t0, KV_TIMER_NEXT(s1)
        csrr t2, CYCLE
        sub  t0, t0, t2
        bge  t0, zero, .arm
        li   t0, 0
.arm:   sw   t0, VMCS_C_PREEMPT(s1)
        ori  t1, t1, VMX_EXIT_PREEMPT
.exits: sw   t1, VMCS_C_EXIT(s1)
        sw   zero, VMCS_C_EXCEPTIONS(s1)    # with nested paging no guest exception is the host's
        la   t0, vm_ept
        lw   t0, 0(t0)
        ori  t0, t0, PTBR_ENABLE
        sw   t0, VMCS_C_EPTP(s1)
        # The host state an exit loads: this kernel, on this process's kernel stack and in its
        # address space, interrupts off; every host line exits the guest and comes back on.
        la   t0, kvm_exit
        sw   t0, VMCS_H_PC(s1)
        sw   zero, VMCS_H_STATUS(s1)
        la   t0, cur_ptbr
        lw   t0, 0(t0)
        sw   t0, VMCS_H_PTBR(s1)
        la   t0, trap_entry         # a trap in the kernel is a kernel bug, as always
        sw   t0, VMCS_H_TVEC(s1)
        csrr t0, IMASK
        sw   t0, VMCS_H_IMASK(s1)
        push s0                     # an exit leaves only sp: everything else is the guest's
        push s1
        sw   sp, VMCS_H_SP(s1)
        vmptrld s1
        lw   t0, VMCS_LAUNCHED(s1)
        bnez t0, .resume
        vmlaunch                    # both continue at kvm_exit on the next exit
.resume:
        vmresume

# kvm_exit: the hardware saved the guest in the VMCS and loaded the host state. The guest's
# SCRATCH0 is in the register now: the PCB goes back, for the next trap. Dispatch on the reason.
kvm_exit:
        pop  s1
        pop  s0
        csrw SCRATCH0, s0
        lw   s2, VMCS_X_REASON(s1)  # s2 = the reason in every handler
        sltiu t0, s2, VMX_NREASONS
        beqz t0, kvm_fail
        slli t0, s2, 2
        la   t1, kvm_exit_table
        add  t0, t0, t1
        lw   t0, 0(t0)
        jr   t0

kvm_exit_table:
        .word kvm_fail              # 0: no such reason
        .word kvm_fail              # Exception: none is intercepted
        .word kvm_x_extint          # ExternalInterrupt: a host line
        .word kvm_x_window          # InterruptWindow
        .word kvm_x_io              # PortIo
        .word kvm_x_halt            # Halt
        .word kvm_x_wfi             # Wfi
        .word kvm_fail              # PtbrAccess: not asked for (nested paging)
        .word kvm_fail              # TlbFlush: not asked for
        .word kvm_x_vmx             # Hypercall
        .word kvm_x_ept             # EptViolation
        .word kvm_fail              # TripleFault
        .word kvm_x_vmx             # VmxInstruction
        .word kvm_x_preempt         # PreemptionTimer: the guest's tick

# ExternalInterrupt: one of the host's lines (its timer, disk or console). The host takes it
# in its own trap path: restart vcpu_run.
kvm_x_extint:
        kvm_count kvm_stat_kernel, s2
# kvm_restart: back to the process at its `syscall` (the pending interrupt, if any, is taken
# as soon as it is in ring 3); it calls vcpu_run again, which goes on where the guest left off.
kvm_restart:
        la   t2, kvm_stat_restarts
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
        lw   t0, P_PC(s0)
        addi t0, t0, -4
        sw   t0, P_PC(s0)
        mv   a0, s0
        j    resume_process

# kvm_idle: the guest waits in wfi for an interrupt that is not there: its VMM process sleeps
# until the next host tick (other host processes run, or the host idles), then vcpu_run restarts
# and kvm_enter looks again.
kvm_idle:
        la   t0, ticks
        lw   t0, 0(t0)
        addi t0, t0, 1
        sw   t0, P_WAKE(s0)
        li   t0, PS_SLEEPING
        sw   t0, P_STATE(s0)
        lw   t0, P_PC(s0)
        addi t0, t0, -4
        sw   t0, P_PC(s0)
        j    schedule

kvm_x_window:
        kvm_count kvm_stat_kernel, s2
        j    kvm_enter

# PreemptionTimer: the guest's tick is due (kvm_enter armed the timer for it); kvm_enter raises
# its line and injects it, as a bare-metal VMM's timer interrupt would.
kvm_x_preempt:
        kvm_count kvm_stat_kernel, s2
        j    kvm_enter

# Wfi: go on at once if a line the guest enables is up, else wait (kvm_enter, kvm_idle).
kvm_x_wfi:
        kvm_count kvm_stat_kernel, s2
        la   t0, vm_wfi
        li   t1, 1
        sw   t1, 0(t0)
        j    kvm_enter

# A VMX instruction, vmcall included: the guest's machine has no vmx extension (it runs the
# native kernel), so it gets IllegalInstruction, as natively (the vtx VMM does the same).
kvm_x_vmx:
        kvm_count kvm_stat_kernel, s2
        li   a0, CAUSE_ILLEGAL_INSTRUCTION
        li   a1, 0
        j    kvm_inject

# EPT violation: inside guest memory, back the page and go on; beyond it, a bus error at that
# physical address, as on bare metal.
kvm_x_ept:
        kvm_count kvm_stat_kernel, s2
        lw   a0, VMCS_X_GPA(s1)
        la   t0, vm_size
        lw   t0, 0(t0)
        bgeu a0, t0, .beyond
        call kvm_ept_map
        bnez a0, syscall_return     # -ENOMEM: the VMM process hears of it
        j    kvm_enter
.beyond:
        mv   a1, a0
        li   a0, CAUSE_BUS_ERROR
        # fall through

# kvm_inject(a0 = cause, a1 = BADADDR): the guest takes that trap at the next entry, with the
# exiting instruction's word in EINSN.
kvm_inject:
        sw   a1, VMCS_E_BADADDR(s1)
        lw   t0, VMCS_X_INSN(s1)
        sw   t0, VMCS_E_EINSN(s1)
        li   t0, VMX_INJECT_VALID
        or   t0, t0, a0
        sw   t0, VMCS_E_INJECT(s1)
        j    kvm_enter

# PortIo: the guest's timer and the null port are the driver's; every other port is the VMM
# process's (the console, the power port, the disk): vcpu_run returns VM_EXIT_IO. An `out` is
# done when it returns (the guest's pc moves on now); an `in` waits for the VMM's value, which
# the next vcpu_run puts in rd.
kvm_x_io:
        lw   a0, VMCS_X_INSN(s1)
        li   t0, 0xffff
        and  a1, a0, t0             # a1 = the port
        srli t0, a0, INSN_OPCODE_SHIFT
        li   t1, OP_IN
        beq  t0, t1, .in
        srli t0, a0, INSN_B_SHIFT   # out: a2 = the value of rs
        andi t0, t0, 15
        slli t0, t0, 2
        add  t0, t0, s1
        lw   a2, VMCS_G_REGS(t0)
        li   t0, TIMER_INTERVAL
        beq  a1, t0, .interval
        li   t0, TIMER_ACK
        beq  a1, t0, .ack
        li   t0, NULL_PORT
        beq  a1, t0, .done
        li   t0, CONSOLE_DATA       # the console's output in the kernel, if the VMM asked
        bne  a1, t0, .user          # (VR_F_VHOST): the vhost idea, no way out to user space
        la   t0, vm_run
        lw   t0, VR_FLAGS(t0)
        andi t0, t0, VR_F_VHOST
        bnez t0, .vhost
.user:  li   a3, 1                  # the VMM's
        lw   t0, VMCS_G_PC(s1)
        addi t0, t0, 4
        sw   t0, VMCS_G_PC(s1)
        j    kvm_io_user
.interval:                          # every a2 cycles from now (0 stops it)
        sw   a2, KV_TIMER_INTERVAL(s1)
        csrr t0, CYCLE
        add  t0, t0, a2
        sw   t0, KV_TIMER_NEXT(s1)
        j    .done
.vhost: lw   t0, P_JOB(s0)          # the byte is the VMM process's, as its write() of it
        la   t1, writer_job         # would be (the host attributes output by job)
        sw   t0, 0(t1)
        out  CONSOLE_DATA, a2
        sw   zero, 0(t1)
        la   t2, kvm_stat_vhost
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
        j    .done
.ack:   lw   t0, VMCS_G_IPEND(s1)   # lower the guest's timer line; periods that passed
        andi t0, t0, ~IRQ_TIMER & 0xffff    # while it was pending coalesced into it, as on
        sw   t0, VMCS_G_IPEND(s1)       # the device: the next tick is at the next period
        call kvm_vtimer_due             # boundary (as the vtx VMM's vdev_out_TIMER_ACK)
.done:  kvm_count kvm_stat_kernel, s2
        lw   t0, VMCS_G_PC(s1)
        addi t0, t0, 4
        sw   t0, VMCS_G_PC(s1)
        j    kvm_enter
.in:    srli a3, a0, INSN_A_SHIFT   # a3 = rd
        andi a3, a3, 15
        li   a2, 0
        li   t0, NULL_PORT
        beq  a1, t0, .value
        li   t0, TIMER_INTERVAL
        bne  a1, t0, .userin
        lw   a2, KV_TIMER_INTERVAL(s1)
.value: beqz a3, .done              # rd = r0 stays 0
        slli t0, a3, 2
        add  t0, t0, s1
        sw   a2, VMCS_G_REGS(t0)
        j    .done
.userin:
        addi t0, a3, 1              # the VMM's: rd waits for its value
        la   t1, vm_in_rd
        sw   t0, 0(t1)
        li   a3, 0
        # fall through

# kvm_io_user(a1 = port, a2 = value, a3 = 1 out / 0 in): vcpu_run returns VM_EXIT_IO.
kvm_io_user:
        la   t0, vm_run
        sw   a1, VR_PORT(t0)
        sw   a3, VR_OUT(t0)
        sw   a2, VR_DATA(t0)
        sw   zero, VR_QUAL(t0)
        li   a0, VM_EXIT_IO
        j    kvm_to_user

# kvm_intr(a0 = the VR_F_* bit): vcpu_run returns VM_EXIT_INTR, as KVM_RUN returns KVM_EXIT_INTR
# (-EINTR) when QEMU's I/O thread kicks a vCPU thread with a signal: the VMM process does its own
# work (reads the host's console, finishes a disk request) and runs the vCPU again. Not an exit
# of the guest (a guest exit, if there was one, is counted where it was handled).
kvm_intr:
        la   t0, vm_run
        sw   a0, VR_QUAL(t0)
        la   t2, kvm_stat_intr
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
        li   s2, -1                 # no exit reason to count in kvm_stat_user
        li   a0, VM_EXIT_INTR
        j    kvm_to_user

# kvm_pipe_ready(a0 = a descriptor of the VMM process; s0 = PCB) -> t0 = nonzero if it is the
# read end of a pipe and a read() of it would not wait: the pipe holds bytes, or no write end is
# left (what poll() says of it). Any other descriptor: 0. Clobbers t0, t1, a0.
kvm_pipe_ready:
        push ra
        call fd_file
        pop  ra
        li   t0, 0
        blt  a0, zero, .out
        lw   t1, F_TYPE(a0)
        li   t0, FT_PIPE
        bne  t1, t0, .no
        lw   a0, F_PIPE(a0)
        lw   t0, PP_NREAD(a0)
        lw   t1, PP_NWRITE(a0)
        xor  t0, t0, t1
        bnez t0, .out
        lw   t0, PP_WRITERS(a0)
        sltiu t0, t0, 1
        ret
.no:    li   t0, 0
.out:   ret

# kvm_host_input -> t0 = nonzero if a read() of the host's console would not wait: its ring holds
# readable bytes, or the device has a byte or says the input has ended (console.s). What poll()
# on the console's descriptor would say. Clobbers t0, t1.
kvm_host_input:
        la   t0, cons_r
        lw   t0, 0(t0)
        la   t1, cons_w
        lw   t1, 0(t1)
        xor  t0, t0, t1
        bnez t0, .out
        in   t0, CONSOLE_STATUS
        andi t0, t0, 3
.out:   ret

kvm_x_halt:
        la   t0, vm_run
        sw   zero, VR_QUAL(t0)
        li   a0, VM_EXIT_HALT
        j    kvm_to_user

# kvm_fail: an exit the driver did not ask for, or the guest's trap handler faulted (TripleFault):
# the guest cannot go on; the VMM process gets VM_EXIT_FAIL with the exit's qualification.
kvm_fail:
        la   t0, vm_run
        lw   t1, VMCS_X_QUAL(s1)
        sw   t1, VR_QUAL(t0)
        li   a0, VM_EXIT_FAIL
        # fall through

# kvm_to_user(a0 = VM_EXIT_*): the exit goes to the VMM process: the struct vm_run to its
# buffer, and vcpu_run returns.
kvm_to_user:
        sltiu t0, s2, VMX_NREASONS
        beqz t0, .count
        kvm_count kvm_stat_user, s2
.count: la   t0, vm_run
        sw   a0, VR_REASON(t0)
        lw   t1, VMCS_G_PC(s1)
        sw   t1, VR_PC(t0)
        mv   s2, a0
        la   a0, vm_run
        lw   a1, P_A0(s0)
        li   a2, VR_SIZEOF
        li   a3, 1
        call copy_user
        li   t0, VR_SIZEOF
        bne  a0, t0, kvm_efault
        mv   a0, s2
        j    syscall_return
kvm_efault:
        li   a0, -EFAULT
        j    syscall_return

# kvm_vtimer (s1 = VMCS): if the guest's timer is on and its tick is due, raise its line and
# move its next tick to the first period boundary after now (missed periods coalesce into one
# tick, as on the device). Every entry arms the VMX-preemption timer for the next tick, so a
# guest running when it falls due exits then (kvm_x_preempt) and gets it; a guest waiting in wfi
# with its VMM process asleep (kvm_idle) gets it when the host's next tick wakes the process,
# up to a host quantum late, as KVM's hrtimer would not be. Clobbers t0-t3.
kvm_vtimer:
        push ra
        call kvm_vtimer_due
        pop  ra
        beqz t0, .no
        lw   t1, VMCS_G_IPEND(s1)
        ori  t1, t1, IRQ_TIMER
        sw   t1, VMCS_G_IPEND(s1)
.no:    ret

# kvm_vtimer_due (s1 = VMCS) -> t0 = nonzero if the guest's timer is on and its tick is due; then
# KV_TIMER_NEXT moves to the first period boundary after now. Clobbers t0-t3.
kvm_vtimer_due:
        lw   t0, KV_TIMER_INTERVAL(s1)
        beqz t0, .no
        lw   t1, KV_TIMER_NEXT(s1)
        csrr t2, CYCLE
        sub  t3, t2, t1
        blt  t3, zero, .not
        divu t3, t3, t0
        addi t3, t3, 1
        mul  t3, t3, t0
        add  t1, t1, t3
        sw   t1, KV_TIMER_NEXT(s1)
        ret
.not:   li   t0, 0
.no:    ret

# kvm_behind(a0 = the pending lines the guest enables, about to be injected as the guest turns
# its interrupts on: an interrupt-window exit) -> a0 = the lines to inject now. A tick that fell
# due while the guest was still handling the previous one would interrupt it again before it
# runs one instruction: with a guest quantum shorter than what a virtual tick costs, the guest
# would handle ticks forever. The sign: its last trap was a timer
# interrupt, it is exactly where that handler's return put it (pc = EPC), and a whole interval
# has passed since that tick was injected (KV_INJECTED_AT). Such a tick is coalesced into the
# next, a full interval (at least KV_TICK_GRACE cycles) from now, as the vtx VMM's vtimer_behind
# does. Clobbers t0-t3.
kvm_behind:
        andi t0, a0, IRQ_TIMER
        beqz t0, .now
        lw   t0, VMCS_G_CAUSE(s1)
        li   t1, CAUSE_TIMER_INTERRUPT
        bne  t0, t1, .now
        lw   t0, VMCS_G_PC(s1)
        lw   t1, VMCS_G_EPC(s1)
        bne  t0, t1, .now
        csrr t0, CYCLE              # a whole interval in the handler and the switch back
        lw   t1, KV_INJECTED_AT(s1) # (KV_TICK_GRACE at most): not a tick delivered late and
        sub  t0, t0, t1             # the next one soon after
        li   t1, KV_TICK_GRACE
        add  t0, t0, t1
        lw   t1, KV_TIMER_INTERVAL(s1)
        bltu t0, t1, .now
        lw   t0, VMCS_G_IPEND(s1)
        andi t0, t0, ~IRQ_TIMER & 0xffff
        sw   t0, VMCS_G_IPEND(s1)
        andi a0, a0, ~IRQ_TIMER & 0xffff
        lw   t0, KV_TIMER_INTERVAL(s1)
        li   t1, KV_TICK_GRACE
        bgeu t0, t1, .period
        mv   t0, t1
.period:
        csrr t1, CYCLE
        add  t1, t1, t0
        sw   t1, KV_TIMER_NEXT(s1)
        la   t2, kvm_stat_coalesced
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
.now:   ret

# kvm_ept_map(a0 = guest-physical address inside guest memory; s0 = PCB) -> a0 = 0 once its page
# is mapped in the EPT, or -ENOMEM. The frame is the one behind the VMM process's page at
# vm_mem + the address (user_to_phys_write maps a demand-zero page, or breaks copy-on-write, as
# the process's own store would), pinned with one more reference while the EPT maps it.
kvm_ept_map:
        push ra
        push s2
        push s3
        srli s2, a0, 12
        slli s2, s2, 12             # s2 = guest-physical page
        la   t0, vm_mem
        lw   t0, 0(t0)
        add  a0, t0, s2
        call user_to_phys_write
        blt  a0, zero, .nomem
        srli s3, a0, 12
        slli s3, s3, 12             # s3 = the frame
        la   t0, vm_ept
        lw   t0, 0(t0)
        srli t1, s2, 22
        slli t1, t1, 2
        add  t1, t1, t0             # t1 = its EPT directory slot
        lw   t2, 0(t1)
        andi t3, t2, PTE_PRESENT
        bnez t3, .table
        push t1
        call alloc_frame            # a new EPT table, empty
        pop  t1
        beqz a0, .nomem
        ori  t2, a0, PTE_PRESENT
        sw   t2, 0(t1)
.table: srli t2, t2, 12
        slli t2, t2, 12
        srli t1, s2, 10
        andi t1, t1, 0xffc
        add  t1, t1, t2             # t1 = its EPT entry
        lw   t0, 0(t1)
        andi t0, t0, PTE_PRESENT
        bnez t0, .done
        push t1
        mv   a0, s3
        call frame_dup              # pinned
        pop  t1
        ori  t0, s3, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE
        sw   t0, 0(t1)
        la   t2, kvm_stat_ept_pages
        lw   t3, 0(t2)
        addi t3, t3, 1
        sw   t3, 0(t2)
.done:  li   a0, 0
.out:   pop  s3
        pop  s2
        pop  ra
        ret
.nomem: li   a0, -ENOMEM
        j    .out

# vm_release(s0 = PCB): called by proc_exit. If the process owns the VM, free it: every guest
# frame loses the EPT's reference (the frames the process still maps stay its own until
# free_pgdir), then the EPT tables, the directory and the VMCS go, and the guest TLB context is
# dropped. Preserves s0-s3 and fp; clobbers a0-a3, t0-t3.
vm_release:
        la   t0, vm_owner
        lw   t0, 0(t0)
        bne  t0, s0, .none
        push ra
        push s1
        push s2
        push s3
        push fp
        la   s1, vm_ept
        lw   s1, 0(s1)              # s1 = the EPT directory
        li   s2, 0                  # s2 = byte offset of the slot
.slot:  add  t0, s1, s2
        lw   s3, 0(t0)
        andi t1, s3, PTE_PRESENT
        beqz t1, .nextslot
        srli s3, s3, 12
        slli s3, s3, 12             # s3 = the table
        li   fp, 0
.entry: add  t0, s3, fp
        lw   a0, 0(t0)
        andi t1, a0, PTE_PRESENT
        beqz t1, .nextentry
        srli a0, a0, 12
        slli a0, a0, 12
        call free_frame             # unpin
.nextentry:
        addi fp, fp, 4
        li   t0, PAGE_SIZE
        bltu fp, t0, .entry
        mv   a0, s3
        call free_frame
.nextslot:
        addi s2, s2, 4
        li   t0, PAGE_SIZE
        bltu s2, t0, .slot
        mv   a0, s1
        call free_frame
        la   a0, vm_vmcs
        lw   a0, 0(a0)
        call free_frame
        la   t0, vm_owner
        sw   zero, 0(t0)
        la   t0, vm_vcpu
        sw   zero, 0(t0)
        invvpidall                  # its frames may be anyone's now
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
.none:  ret

# ---- the VM (one at a time) ----------------------------------------------------------------
vm_owner:   .word 0             # PCB of the process that made it; 0: there is no VM
vm_vmcs:    .word 0             # its VMCS, a frame of its own
vm_ept:     .word 0             # its EPT directory, a frame (tables: a frame per 4 MiB used)
vm_mem:     .word 0             # the user address of guest-physical 0 (0: no memory yet)
vm_size:    .word 0             # bytes of guest-physical memory
vm_vcpu:    .word 0             # 1 once its vCPU exists
vm_in_rd:   .word 0             # an `in` waiting for the VMM's value: its rd + 1 (0: none)
vm_wfi:     .word 0             # 1 while the guest waits in wfi
vm_run:     .space VR_SIZEOF    # the kernel's copy of the caller's struct vm_run
vm_regs:    .space VCPU_REGS_SIZE   # the kernel's copy of vcpu_set_regs' buffer

# Statistics, read by the host side (src/configs/hosted.ts): exits by reason and by where they
# were handled, guest pages backed, interrupts injected, restarts of vcpu_run, VM_EXIT_INTR returns.
kvm_stat_kernel:    .space 4 * VMX_NREASONS
kvm_stat_user:      .space 4 * VMX_NREASONS
kvm_stat_ept_pages: .word 0
kvm_stat_injected:  .word 0
kvm_stat_restarts:  .word 0
kvm_stat_intr:      .word 0     # VM_EXIT_INTR returns (the VMM process's own work)
kvm_stat_coalesced: .word 0     # guest ticks coalesced by kvm_behind
kvm_stat_vhost:     .word 0     # console bytes the driver wrote itself (VR_F_VHOST)
