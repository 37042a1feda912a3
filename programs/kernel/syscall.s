# syscall.s: system calls. ABI: number in t0, arguments in a0..a3, result in a0 (-1 on error);
# every other register is preserved (the kernel restores all of them from the PCB).
#
# The calls are listed, numbered and documented in one place, src/abi/syscalls.ts. `npm run gen`
# turns that table into ../lib/abi.inc: SYS_<NAME>, NSYSCALLS and `syscall_handlers`, the list
# of handlers below in number order. So a new call is an entry in that table plus its handler
# here, named sys_<name> (docs/extending.md, "Adding a system call").
#
# On entry (from trap_entry): s0 = PCB, sp = kernel stack, a0..a3 still hold the arguments.

syscall_dispatch:
        lw   t0, P_PC(s0)           # a system call returns to the instruction after `syscall`
        addi t0, t0, 4
        sw   t0, P_PC(s0)
        lw   t1, P_T0(s0)           # the call number the process put in t0
        sltiu t2, t1, NSYSCALLS
        beqz t2, .unknown
        slli t1, t1, 2              # jump through the table
        la   t2, syscall_table
        add  t1, t1, t2
        lw   t1, 0(t1)
        jalr ra, t1, 0              # handler(a0..a3) -> a0
        j    syscall_return
.unknown:
        li   a0, -1                 # no such call (ENOSYS)
# syscall_return: store the result where the process will find it in a0, and resume it.
syscall_return:
        sw   a0, P_A0(s0)
        mv   a0, s0
        j    resume_process         # sched.s

# The dispatch table: syscall_table[n] is the handler of call n (abi.inc generates the list).
syscall_table:
        syscall_handlers

sys_yield:
        sw   zero, P_A0(s0)
        j    schedule               # round robin: the next ready process (maybe this one)

# getpid(): the pid in the caller's own pid namespace (fork computed it: ns.s, pidns_enter).
sys_getpid:
        lw   a0, P_VPID(s0)
        ret

# map(va): va must be page aligned, in the heap, and not mapped yet.
sys_map:
        andi t0, a0, 0xfff
        bnez t0, .bad
        li   t0, HEAP_BASE
        bltu a0, t0, .bad
        li   t0, HEAP_END
        bgeu a0, t0, .bad
        push ra
        push a0
        lw   a0, P_PGDIR(s0)
        lw   a1, 0(sp)
        call pte_address            # 0 if the page table is missing: then it is not mapped
        beqz a0, .fresh
        lw   t0, 0(a0)
        andi t0, t0, PTE_PRESENT
        bnez t0, .fail
.fresh: lw   a0, 0(sp)
        call demand_map
        j    .ret
.fail:  li   a0, -1
.ret:   addi sp, sp, 4
        pop  ra
        ret
.bad:   li   a0, -1
        ret

# unmap(va): clear the PTE, flush that TLB entry, free the frame.
sys_unmap:
        andi t0, a0, 0xfff
        bnez t0, .bad
        push ra
        push a0
        call in_demand_region
        beqz a0, .fail
        lw   a0, P_PGDIR(s0)
        lw   a1, 0(sp)
        call pte_address
        beqz a0, .fail
        lw   t0, 0(a0)
        andi t1, t0, PTE_PRESENT
        beqz t1, .fail
        sw   zero, 0(a0)            # 1. remove the mapping
        vpt_written a0
        lw   t1, 0(sp)
        vtlbflush t1                # 2. and the TLB's copy of it
        li   t1, ~0xfff
        and  a0, t0, t1
        call free_frame             # 3. the frame goes back to the pool
        li   a0, 0
        j    .ret
.fail:  li   a0, -1
.ret:   addi sp, sp, 4
        pop  ra
        ret
.bad:   li   a0, -1
        ret

# sleep(ticks): ready again at tick (now + ticks); the timer handler wakes it.
sys_sleep:
        la   t0, ticks
        lw   t0, 0(t0)
        add  t0, t0, a0
        sw   t0, P_WAKE(s0)
        li   t0, PS_SLEEPING
        sw   t0, P_STATE(s0)
        sw   zero, P_A0(s0)
        j    schedule

sys_divzero:
        sltu t0, zero, a0           # any non-zero flag means 1
        sw   t0, P_DIVZ(s0)
        li   a0, 0
        ret

# The nanobenchmark loops: one system call, then n privileged operations inside the kernel, so
# n and 2n runs differ by exactly n operations (Adams and Agesen, ASPLOS 2006).
sys_nano_in:
        .ifdef PARAVIRT             # vin is then a hypercall, which uses t0 and a0
        mv   t2, a0
        li   a1, 0
        bge  zero, t2, .done
.loop:  vin  t1, NULL_PORT
        add  a1, a1, t1
        addi t2, t2, -1
        bnez t2, .loop
.done:  mv   a0, a1
        ret
        .else
        mv   t0, a0
        li   a0, 0
        bge  zero, t0, .done
.loop:  in   t1, NULL_PORT
        add  a0, a0, t1
        addi t0, t0, -1
        bnez t0, .loop
.done:  ret
        .endif

sys_nano_csrw:
        mv   t0, a0
        li   t1, KERNEL_IMASK       # the value IMASK already holds
        bge  zero, t0, .done
.loop:  vcsrw IMASK, t1
        addi t0, t0, -1
        bnez t0, .loop
.done:  li   a0, 0
        ret

# nano_ptemod(n): map the first heap page if needed, then n times flip its writable bit and
# flush it from the TLB; the PTE ends as it started.
sys_nano_ptemod:
        push ra
        push a0
        li   a0, HEAP_BASE
        call user_to_phys_write     # maps it on demand (and unshares it: the loop writes its PTE)
        blt  a0, zero, .fail
        lw   a0, P_PGDIR(s0)
        li   a1, HEAP_BASE
        call pte_address
        pop  t0                     # n
        li   t3, HEAP_BASE
        lw   t1, 0(a0)              # the original PTE
        mv   t2, t1
        bge  zero, t0, .restore
.loop:  xori t2, t2, PTE_WRITABLE
        sw   t2, 0(a0)
        vpt_written a0
        vtlbflush t3
        addi t0, t0, -1
        bnez t0, .loop
.restore:
        sw   t1, 0(a0)
        vpt_written a0
        vtlbflush t3
        li   a0, 0
        pop  ra
        ret
.fail:  addi sp, sp, 4
        li   a0, -1
        pop  ra
        ret

# uptime(): how long the system has been up, in timer ticks (timer_interrupt counts them).
sys_uptime:
        la   t0, ticks
        lw   a0, 0(t0)
        ret
