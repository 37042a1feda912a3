# boot.s: the kernel starts here in ring 0, paging off, interrupts off.

_start:
        li   sp, KSTACK_TOP
        la   t0, boot_pcb           # until a process runs, traps save into a scratch PCB
        vcsrw SCRATCH0, t0
        li   t1, KSTACK_TOP
        sw   t1, P_KSTACK(t0)
        la   t0, trap_entry         # 1. install the trap vector
        vcsrw TVEC, t0

        li   s0, BOOTARGS           # 2. check the boot arguments
        lw   t0, BA_MAGIC(s0)
        li   t1, BOOT_MAGIC
        bne  t0, t1, .badboot
        lw   t0, BA_NPROC(s0)
        beqz t0, .badboot
        li   t1, MAX_PROCS
        bgt  t0, t1, .badboot
        la   a0, msg_boot
        call puts
        lw   a0, BA_NPROC(s0)
        call print_dec
        la   a0, msg_boot2
        call puts

        call mm_init                # 3. frame pool and the kernel's identity map
        la   t0, kernel_pgdir
        lw   t0, 0(t0)
        ori  t0, t0, PTBR_ENABLE
        la   t1, cur_ptbr
        sw   t0, 0(t1)
        vset_ptbr t0                # 4. paging on (identity map: the next fetch still works)

        li   t0, KERNEL_IMASK       # 5. interrupt lines: the timer (not running yet), the
        vcsrw IMASK, t0             # console and the disk
        call console_init           # console.s: a terminal or not; its input interrupt on
        call bio_init               # 6. the buffer cache, and the root filesystem, which holds
        call fs_mount               # the programs
        la   t0, fs_mounted
        lw   t0, 0(t0)
        beqz t0, .noroot

        li   s1, 0                  # 7. one process per boot record
.create:
        mv   a0, s1
        call proc_create
        addi s1, s1, 1
        lw   t0, BA_NPROC(s0)
        blt  s1, t0, .create

        lw   t0, BA_QUANTUM(s0)     # 8. timer: preemption every quantum cycles
        bnez t0, .quantum
        li   t0, DEFAULT_QUANTUM
.quantum:
        vout TIMER_INTERVAL, t0
        j    schedule               # 9. run the first process (never returns)

.noroot:
        la   a0, msg_noroot
        j    .fail
.badboot:
        la   a0, msg_badboot
.fail:  call puts
        li   t0, EXIT_BADBOOT
        vout POWER_OFF, t0
        vhalt

# proc_create(a0 = boot record index): build the address space and PCB of one process.
proc_create:
        push ra
        push s0
        push s1
        push s2
        push s3
        li   t0, P_SIZE
        mul  t0, t0, a0
        la   s0, proc_table
        add  s0, s0, t0             # s0 = PCB
        li   t0, BR_SIZEOF
        mul  t0, t0, a0
        li   s1, BOOTARGS + BA_PROCS
        add  s1, s1, t0             # s1 = boot record
        addi t0, a0, 1
        sw   t0, P_PID(s0)          # pid = slot + 1
        addi a0, s0, P_NAME         # the name is the record's first field
        mv   a1, s1
        li   a2, BR_PATH
        call copy_bytes
        sw   zero, P_DIVZ(s0)
        sw   zero, P_EXIT(s0)
        lw   t0, P_KSTACK(s0)       # a kernel stack: one page, kept by the slot
        bnez t0, .kstack
        call alloc_frame
        beqz a0, .oom
        li   t0, PAGE_SIZE
        add  t0, a0, t0
        sw   t0, P_KSTACK(s0)
.kstack:
        sw   zero, P_KSP(s0)
        sw   zero, P_CWD(s0)        # the root
        call console_files          # file.s: descriptors 0, 1 and 2 name the console
        bnez a0, .oom
        call new_pgdir              # page directory with the kernel's identity map
        beqz a0, .oom
        sw   a0, P_PGDIR(s0)
        la   a0, path_buf           # the program: the record's path, from the disk
        addi a1, s1, BR_PATH
        li   a2, BR_ITER - BR_PATH
        call copy_bytes
        la   a0, path_buf + BR_ITER - BR_PATH - 1
        sb   zero, 0(a0)            # a record's path always ends
        la   a0, path_buf
        call exec_load
        blt  a0, zero, .noexec
        mv   s2, a0                 # s2 = entry point
        li   t0, 1                  # registers: all zero but sp, a0 (iterations), a1 (pid)
.zero:  slli t1, t0, 2
        add  t1, t1, s0
        sw   zero, 0(t1)
        addi t0, t0, 1
        li   t1, 16
        blt  t0, t1, .zero
        li   t0, STACK_TOP
        sw   t0, P_SP(s0)
        lw   t0, BR_ITER(s1)
        sw   t0, P_A0(s0)
        lw   t0, P_PID(s0)
        sw   t0, P_A1(s0)
        sw   s2, P_PC(s0)
        li   t0, PS_READY
        sw   t0, P_STATE(s0)
        la   t0, nprocs
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        la   t0, alive
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
.return:
        pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret
.noexec:                            # "kernel: cannot run /bin/x: error 2": the process
        neg  s2, a0                 # ends at once with 127 (no such file) or 126 (anything
        la   a0, msg_noexec         # else), as a shell's would
        call puts
        la   a0, path_buf
        call puts
        la   a0, msg_noexec2
        call puts
        mv   a0, s2
        call print_dec
        li   a0, '\n'
        call putc
        lw   a0, P_PGDIR(s0)        # no address space after all, no descriptors
        call free_pgdir
        sw   zero, P_PGDIR(s0)
        call close_all_files
        li   t0, 126
        li   t1, ENOENT
        bne  s2, t1, .code
        li   t0, 127
.code:  sw   t0, P_EXIT(s0)
        li   t0, PS_DONE
        sw   t0, P_STATE(s0)
        la   t0, nprocs
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        la   t0, killed_any         # not every process ran
        li   t1, 1
        sw   t1, 0(t0)
        j    .return
.oom:   la   a0, msg_oom
        call puts
        li   t0, EXIT_BADBOOT
        vout POWER_OFF, t0
        vhalt

msg_boot:    .asciz "kernel: booting "
msg_boot2:   .asciz " processes\n"
msg_badboot: .asciz "kernel: bad boot arguments\n"
msg_oom:     .asciz "kernel: out of memory while creating a process\n"
msg_noroot:  .asciz "kernel: no root filesystem: the programs are on the disk\n"
msg_noexec:  .asciz "kernel: cannot run "
msg_noexec2: .asciz ": error "
        .align 4
