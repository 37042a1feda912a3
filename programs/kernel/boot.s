# boot.s: the kernel starts here in ring 0, paging off, interrupts off.

_start:
        li   sp, KSTACK_TOP
        la   t0, boot_pcb           # until a process runs, traps save into a scratch PCB
        vcsrw SCRATCH0, t0
        li   t1, KSTACK_TOP
        sw   t1, P_KSTACK(t0)
        la   t0, trap_entry         # 1. install the trap vector
        vcsrw TVEC, t0
        vextensions t0              # the CPU's ISA extensions, which exec checks each
        la   t1, cpu_extensions     # executable's EX_ISA against (exec.s)
        sw   t0, 0(t1)

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
        call mnt_init               # vfs.s: the disk's root is the first mount
        la   t0, fs_mounted
        lw   t0, 0(t0)
        beqz t0, .noroot

        call init_create            # 7. the first process, /sbin/init, which starts the rest

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

# init_create: process 1 runs /sbin/init with the boot records as its arguments, three per
# record: NAME, PATH and ITER in decimal (or "-" when the record has ARGS 0):
#   argv = ["/sbin/init", "compute", "/bin/compute", "1000", "sh", "/bin/sh", "-", ...]
# init forks one child per record and execs it (programs/user/init.s). Without a runnable
# /sbin/init the kernel cannot go on: "kernel: cannot run /sbin/init: error 2", power off 6.
init_create:
        push ra
        push s0
        push s1
        push s2
        push s3
        call proc_alloc             # slot 0
        blt  a0, zero, .oom
        mv   s0, a0
        li   t0, INIT_PID
        sw   t0, P_PID(s0)
        li   t0, BOOTARGS           # the records' processes will be pids 2 .. NPROC + 1
        lw   t0, BA_NPROC(t0)       # (proc.s, job_of_child); everything else comes after
        addi t0, t0, INIT_PID + 1
        la   t1, next_pid
        sw   t0, 0(t1)
        sw   zero, P_CWD(s0)        # the root
        sw   zero, P_ROOT(s0)       # the root is the filesystem's (ns.s)
        la   a0, mntns_table        # the boot mount namespace (vfs.s)
        sw   a0, P_MNTNS(s0)
        li   t0, 1
        sw   t0, MN_REF(a0)
        la   a0, uts_table          # the boot UTS namespace, hostname "ringlab"
        sw   a0, P_UTS(s0)
        call uts_get
        la   a0, netns_table        # the root network namespace (net.s)
        sw   a0, P_NETNS(s0)
        call netns_get
        la   a0, pidns_table        # the root pid namespace: init is its init, pid 1
        sw   a0, P_PIDNS(s0)
        sw   a0, P_NSCHILD(s0)
        sw   s0, PN_INIT(a0)
        li   t0, 2                  # P_PIDNS and P_NSCHILD
        sw   t0, PN_REF(a0)
        li   t0, INIT_PID
        sw   t0, P_VPID(s0)
        call cg_init                # the root control group, holding init (cgroup.s)
        sw   zero, P_PARENT(s0)
        sw   zero, P_JOB(s0)
        sw   zero, P_SIGIGN(s0)
        sw   zero, P_DIVZ(s0)
        call console_files          # file.s: descriptors 0, 1 and 2 name the console
        bnez a0, .oom
        la   a0, path_buf           # the program
        la   a1, init_path
        li   a2, INIT_PATH_MAX
        call copy_bytes
        la   s1, exec_args          # its arguments: s1 = where the next string goes
        mv   a0, s1
        la   a1, init_path
        call append_string
        mv   s1, a0
        li   s2, 0                  # s2 = record index
.record:
        li   t0, BOOTARGS
        lw   t0, BA_NPROC(t0)
        bgeu s2, t0, .args
        li   t0, BR_SIZEOF
        mul  t0, t0, s2
        li   s3, BOOTARGS + BA_PROCS
        add  s3, s3, t0             # s3 = the record
        sb   zero, BR_PATH - 1(s3)  # its strings always end (the loader writes them so too)
        sb   zero, BR_ARGS - 1(s3)
        mv   a0, s1
        mv   a1, s3                 # BR_NAME
        call append_string
        addi a1, s3, BR_PATH
        call append_string
        lw   t0, BR_ARGS(s3)
        bnez t0, .iter
        la   a1, init_noarg
        call append_string
        j    .nextrec
.iter:  lw   a1, BR_ITER(s3)
        call append_dec
.nextrec:
        mv   s1, a0
        addi s2, s2, 1
        j    .record
.args:  la   t0, exec_args
        sub  t0, s1, t0
        la   t1, exec_argbytes
        sw   t0, 0(t1)
        li   t0, BOOTARGS
        lw   a0, BA_NPROC(t0)
        li   t0, 3
        mul  a0, a0, t0
        addi a0, a0, 1              # argc
        call exec_image             # exec.s: load it, build its stack
        blt  a0, zero, .noinit
        mv   a0, s0
        call make_ready             # proc.s
        pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret
.noinit:
        neg  s1, a0
        la   a0, msg_noexec
        call puts
        la   a0, init_path
        call puts
        la   a0, msg_noexec2
        call puts
        mv   a0, s1
        call print_dec
        li   a0, '\n'
        call putc
        j    .bad
.oom:   la   a0, msg_oom
        call puts
.bad:   li   t0, EXIT_BADBOOT
        vout POWER_OFF, t0
        vhalt

# append_string(a0 = destination, a1 = zero-terminated string) -> a0 = just past the copy's zero.
# Clobbers t0.
append_string:
        lbu  t0, 0(a1)
        sb   t0, 0(a0)
        addi a0, a0, 1
        addi a1, a1, 1
        bnez t0, append_string
        ret

# append_dec(a0 = destination, a1 = unsigned value) -> a0 = just past the decimal digits and
# their zero. Clobbers t0-t3.
append_dec:
        mv   t2, a1                 # count the digits first
        li   t1, 10
        li   t3, 1
.count: divu t2, t2, t1
        beqz t2, .write
        addi t3, t3, 1
        j    .count
.write: add  a0, a0, t3
        sb   zero, 0(a0)
        mv   t2, a0
.digit: remu t0, a1, t1             # then write them backwards
        addi t0, t0, '0'
        addi t2, t2, -1
        sb   t0, 0(t2)
        divu a1, a1, t1
        bnez a1, .digit
        addi a0, a0, 1
        ret

init_path:   .asciz "/sbin/init"
init_noarg:  .asciz "-"
        .align 4
msg_boot:    .asciz "kernel: booting "
msg_boot2:   .asciz " processes\n"
msg_badboot: .asciz "kernel: bad boot arguments\n"
msg_oom:     .asciz "kernel: out of memory while creating init\n"
msg_noroot:  .asciz "kernel: no root filesystem: init and the programs are on the disk\n"
msg_noexec:  .asciz "kernel: cannot run "
msg_noexec2: .asciz ": error "
        .align 4
