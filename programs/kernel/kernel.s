# kernel.s: the ringlab guest kernel. Assemble this file; it includes the others:
#   kernel.inc   constants, memory maps, boot-argument and PCB layouts, syscall numbers
#   boot.s       entry point: paging off -> page tables -> paging on -> processes -> timer
#   trap.s       the trap vector: save the process, dispatch on CAUSE, kill on fatal traps
#   syscall.s    the system calls
#   sched.s      round-robin scheduler, timer ticks, sleeping, exit and shutdown
#   mm.s         physical frame allocator and page tables
#   console.s    console driver (kernel messages)
#
# The kernel uses only the architecture (docs/ISA.md): it would run the same in ring 0 of bare
# metal or pushed to ring 1 under a VMM. It never touches the top 4 MiB of any address space.
#
# Following one system call end to end (write): user code calls sys_write in programs/user/lib.s,
# which puts SYS_WRITE in t0 and executes `syscall` -> the CPU enters ring 0 at trap_entry
# (trap.s), which saves every register into the current PCB and branches to syscall_dispatch
# (syscall.s) -> sys_write copies the bytes to the console -> syscall_return stores the result
# in the saved a0 and resume_process (sched.s) reloads the registers and executes `sret`.

        .include "../lib/hw.inc"
        .include "kernel.inc"
        .include "arch.inc"         # privileged operations: native, or paravirtual (-D PARAVIRT)

        .org KERNEL_BASE
        .include "boot.s"
        .include "trap.s"
        .include "syscall.s"
        .include "sched.s"
        .include "mm.s"
        .include "console.s"
        .ifdef LEGACY
        .include "legacy.s"         # PUSHF/POPF-style STATUS access (docs/popek-goldberg.md)
        .endif
        .ifdef PARAVIRT
        .include "pv.s"             # the page-table queue of a paravirtualized kernel
        .endif

# ---- kernel data -------------------------------------------------------------------------
        .align 4
current:     .word 0            # PCB of the running process (0 while idle or booting)
current_pid: .word 0            # its pid (0: none)
writer_pid:  .word 0            # pid whose write() is on the console now, 0 for kernel text
cur_ptbr:    .word 0            # value last written to PTBR (saves re-reading it)
kernel_pgdir: .word 0           # page directory of the kernel alone (used while idle/exiting)
ticks:       .word 0            # timer interrupts so far
nprocs:      .word 0            # processes created
alive:       .word 0            # processes not yet finished
killed_any:  .word 0            # 1 once a process has been killed
mem_end:     .word 0            # end of identity-mapped physical memory
free_next:   .word 0            # next never-used frame
free_list:   .word 0            # frames returned by free_frame, linked through their first word
boot_pcb:    .space P_SIZE      # scratch save area for traps before the first process runs
proc_table:  .space P_SIZE * MAX_PROCS
