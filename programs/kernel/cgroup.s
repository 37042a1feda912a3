# cgroup.s: control groups, with the semantics of Linux's cgroup v2 (docs/containers.md,
# "Control groups"). A namespace decides what a process *sees*; a control group decides how
# much it may *use*. The groups form one tree (cgroup_table, CG_PARENT), the root (entry 0)
# holding every process at boot. Each process is in exactly one group (P_CGROUP); a child is
# born in its parent's group, and writing a pid to a group's cgroup.procs moves that process.
#
# The controllers, each charged to the group and all its ancestors (a limit anywhere above a
# process applies to it):
#
#   pids     pids.current counts live processes; at pids.max, fork fails with EAGAIN.
#   memory   memory.current counts the user pages (frames) a group's processes allocated:
#            cg_alloc_frame charges and records the owner (one byte per frame, mm.s), the last
#            free_frame uncharges. A page shared copy-on-write stays charged to the group that
#            allocated it, as Linux's memcg does. At memory.max the allocation fails and the
#            OOM killer kills the allocating process (SIGKILL); over memory.high the process
#            sleeps a tick per page (it is throttled, never killed).
#   cpu      each timer tick charges a quantum of cycles to the group of the process it
#            interrupted (cg_tick). cpu.max "QUOTA PERIOD": once a group's charge in its
#            current period reaches QUOTA its processes are not scheduled until the period
#            ends (cpu.stat: nr_periods, nr_throttled, throttled_usec). cpu.weight: at every
#            level of the tree, the scheduler picks the entity (a child group, or the group's
#            own processes) with the least virtual time, which grows by CG_WSCALE / weight per
#            tick charged, so siblings share the processor in proportion to their weights, and
#            a group alone gets all of it.
#
# Time in cpu.max and cpu.stat is in microseconds of a CGROUP_CYCLES_PER_USEC clock (3 GHz),
# kept in cycles inside (CG_*_CYC, CG_*_REM).
#
# There is no cgroupfs yet: the four system calls mirror its operations (mkdir, rmdir, and a
# read or write of a whole file) and take a group's path and a file's name, so a filesystem
# can later map open/read/write onto the same show and store handlers (cg_files).
#
# Register conventions, as for every handler: s0 = PCB, a0..a3 the arguments, result in a0;
# t0-t3 and a0-a3 are clobbered, s1-s3 and fp are saved where used.

        .equ CGF_NOTROOT, 1            # a file the root group does not have (the limits)

# ---- the tree -----------------------------------------------------------------------------------

# cg_reset(a0 = entry): a fresh group: no process, no group below, every limit at max.
# Clobbers t0, t1.
cg_reset:
        mv   t0, a0
        addi t1, a0, CG_SIZE
.zero:  sw   zero, 0(t0)
        addi t0, t0, 4
        bltu t0, t1, .zero
        li   t0, -1
        sw   t0, CG_PIDS_MAX(a0)
        sw   t0, CG_MEM_MAX(a0)
        sw   t0, CG_MEM_HIGH(a0)
        sw   t0, CG_QUOTA(a0)
        li   t0, CPU_WEIGHT_DEFAULT
        sw   t0, CG_WEIGHT(a0)
        li   t0, CPU_PERIOD_DEFAULT
        sw   t0, CG_PERIOD(a0)
        li   t0, CPU_PERIOD_DEFAULT * CGROUP_CYCLES_PER_USEC
        sw   t0, CG_PERIOD_CYC(a0)
        sw   t0, CG_PLEFT(a0)
        li   t0, 1
        sw   t0, CG_USED(a0)
        ret

# cg_init(s0 = init's PCB): the root group, holding init (boot.s, init_create).
cg_init:
        push ra
        la   a0, cgroup_table
        call cg_reset
        la   a0, cgroup_table
        sw   a0, P_CGROUP(s0)
        li   t0, 1
        sw   t0, CG_NPROCS(a0)
        sw   t0, CG_PIDS(a0)
        la   t0, cg_count
        li   t1, 1
        sw   t1, 0(t0)
        pop  ra
        ret

# cg_index(a0 = entry) -> a0 = its owner byte for frames: 1 for the root, 2, ... Clobbers t0.
cg_index:
        la   t0, cgroup_table
        sub  a0, a0, t0
        li   t0, CG_SIZE
        divu a0, a0, t0
        addi a0, a0, 1
        ret

# cg_walk(a0 = kernel string: a path; a1 = 1: stop before the last component) -> a0 = the
# group (with a1 = 1: its parent, the last component left in cg_name, empty for "/"), or
# -ENOENT, -EINVAL (a component "." or ".."), -ENAMETOOLONG.
cg_walk:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0                 # s1 = where the rest of the path starts
        la   s2, cgroup_table       # s2 = the group reached so far
        mv   s3, a1
        la   t0, cg_name            # cg_name empty: the path named no component
        sw   zero, 0(t0)
.comp:  lbu  t0, 0(s1)
        li   t1, '/'
        bne  t0, t1, .name
        addi s1, s1, 1
        j    .comp
.name:  beqz t0, .found             # the end
        la   t0, cg_name            # copy the component, zero padded to 16 bytes
        sw   zero, 0(t0)
        sw   zero, 4(t0)
        sw   zero, 8(t0)
        sw   zero, 12(t0)
        li   t2, 0                  # t2 = its length
.char:  add  t1, s1, t2
        lbu  t1, 0(t1)
        beqz t1, .endname
        li   t3, '/'
        beq  t1, t3, .endname
        li   t3, CGROUP_NAME_MAX
        bgeu t2, t3, .long
        add  t3, t0, t2
        sb   t1, 0(t3)
        addi t2, t2, 1
        j    .char
.endname:
        add  s1, s1, t2
        lbu  t1, 0(t0)              # "." and ".." are not names of groups
        li   t3, '.'
        bne  t1, t3, .last
        lbu  t1, 1(t0)
        beqz t1, .inval
        bne  t1, t3, .last
        lbu  t1, 2(t0)
        beqz t1, .inval
.last:  beqz s3, .child             # is it the last component?
        mv   t1, s1
.skip:  lbu  t2, 0(t1)
        addi t1, t1, 1
        li   t3, '/'
        beq  t2, t3, .skip
        beqz t2, .found             # yes: s2 is its parent
.child: mv   a0, s2
        call cg_child
        beqz a0, .noent
        mv   s2, a0
        j    .comp
.found: mv   a0, s2
        j    .out
.noent: li   a0, -ENOENT
        j    .out
.long:  li   a0, -ENAMETOOLONG
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# cg_child(a0 = group) -> a0 = its child named cg_name, or 0. Clobbers t0-t3.
cg_child:
        la   t0, cgroup_table + CG_SIZE     # the root is nobody's child
        la   t1, cgroup_table + CG_SIZE * NCGROUP
.each:  lw   t2, CG_USED(t0)
        beqz t2, .next
        lw   t2, CG_PARENT(t0)
        bne  t2, a0, .next
        la   t3, cg_name
        lw   t2, CG_NAME(t0)
        lw   t3, 0(t3)
        bne  t2, t3, .next
        la   t3, cg_name
        lw   t2, CG_NAME + 4(t0)
        lw   t3, 4(t3)
        bne  t2, t3, .next
        la   t3, cg_name
        lw   t2, CG_NAME + 8(t0)
        lw   t3, 8(t3)
        bne  t2, t3, .next
        la   t3, cg_name
        lw   t2, CG_NAME + 12(t0)
        lw   t3, 12(t3)
        beq  t2, t3, .found
.next:  addi t0, t0, CG_SIZE
        bltu t0, t1, .each
        li   a0, 0
        ret
.found: mv   a0, t0
        ret

# cg_path_in(a0 = user address of a path, a1 = 1: stop before the last component) -> a0 = the
# group, as cg_walk, or -EFAULT, -ENAMETOOLONG.
cg_path_in:
        push ra
        push a1
        mv   a1, a0
        la   a0, cg_path
        li   a2, CGROUP_PATH_MAX
        call copy_string_max
        pop  a1
        blt  a0, zero, .out
        la   a0, cg_path
        call cg_walk
.out:   pop  ra
        ret

# cgroup_mkdir(path): a group below an existing one, with a name its siblings do not have.
sys_cgroup_mkdir:
        push ra
        push s1
        li   a1, 1
        call cg_path_in
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = the parent
        la   t0, cg_name
        lw   t0, 0(t0)
        beqz t0, .exist             # "/": the root exists
        call cg_child
        bnez a0, .exist
        la   a0, cgroup_table + CG_SIZE
        la   t1, cgroup_table + CG_SIZE * NCGROUP
.find:  lw   t0, CG_USED(a0)
        beqz t0, .free
        addi a0, a0, CG_SIZE
        bltu a0, t1, .find
        li   a0, -ENOSPC
        j    .out
.free:  call cg_reset
        sw   s1, CG_PARENT(a0)
        la   t0, cg_name
        lw   t1, 0(t0)
        sw   t1, CG_NAME(a0)
        lw   t1, 4(t0)
        sw   t1, CG_NAME + 4(a0)
        lw   t1, 8(t0)
        sw   t1, CG_NAME + 8(a0)
        lw   t1, 12(t0)
        sw   t1, CG_NAME + 12(a0)
        lw   t0, CG_VCLOCK(s1)      # it starts level with its siblings running now
        sw   t0, CG_VTIME(a0)
        lw   t0, CG_NCHILD(s1)
        addi t0, t0, 1
        sw   t0, CG_NCHILD(s1)
        la   t0, cg_count
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        li   a0, 0
        j    .out
.exist: li   a0, -EEXIST
.out:   pop  s1
        pop  ra
        ret

# cgroup_rmdir(path): only a group with no live process and no group below it (EBUSY, as
# Linux; the root is never removed). Zombies of the group do not count: they are out of every
# group once they exited. Pages still charged to it (shared with processes that moved away)
# are handed to the parent, whose counts included them already.
sys_cgroup_rmdir:
        push ra
        push s1
        li   a1, 0
        call cg_path_in
        blt  a0, zero, .out
        mv   s1, a0
        la   t0, cgroup_table
        beq  s1, t0, .busy
        lw   t0, CG_NPROCS(s1)
        bnez t0, .busy
        lw   t0, CG_NCHILD(s1)
        bnez t0, .busy
        mv   a0, s1                 # the frames' owner bytes: this group's become the parent's
        call cg_index
        mv   t2, a0                 # t2 = this group's byte
        lw   a0, CG_PARENT(s1)
        call cg_index
        mv   t3, a0                 # t3 = the parent's
        la   t0, frame_owner
        lw   t0, 0(t0)
        la   t1, frame_owner_end
        lw   t1, 0(t1)
.frame: bgeu t0, t1, .gone
        lbu  a0, 0(t0)
        bne  a0, t2, .nextf
        sb   t3, 0(t0)
.nextf: addi t0, t0, 1
        j    .frame
.gone:  lw   t0, CG_PARENT(s1)
        lw   t1, CG_NCHILD(t0)
        addi t1, t1, -1
        sw   t1, CG_NCHILD(t0)
        sw   zero, CG_USED(s1)
        la   t0, cg_count
        lw   t1, 0(t0)
        addi t1, t1, -1
        sw   t1, 0(t0)
        li   a0, 0
        j    .out
.busy:  li   a0, -EBUSY
.out:   pop  s1
        pop  ra
        ret

# ---- processes: fork, exit, moving ----------------------------------------------------------------

# cg_fork_check(s0 = PCB of a process about to fork) -> a0 = 0, or -EAGAIN when its group or one
# above is at its pids.max (that group's pids.events max counts it). Clobbers t0-t2.
cg_fork_check:
        lw   t0, P_CGROUP(s0)
.up:    beqz t0, .ok
        lw   t1, CG_PIDS_MAX(t0)
        blt  t1, zero, .next        # max
        lw   t2, CG_PIDS(t0)
        bge  t2, t1, .full
.next:  lw   t0, CG_PARENT(t0)
        j    .up
.ok:    li   a0, 0
        ret
.full:  lw   t1, CG_PIDS_EVMAX(t0)
        addi t1, t1, 1
        sw   t1, CG_PIDS_EVMAX(t0)
        li   a0, -EAGAIN
        ret

# cg_pids_add(a0 = group, a1 = +1 or -1): its CG_NPROCS and the CG_PIDS of it and every group
# above. Clobbers t0, t1.
cg_pids_add:
        lw   t1, CG_NPROCS(a0)
        add  t1, t1, a1
        sw   t1, CG_NPROCS(a0)
        mv   t0, a0
.up:    lw   t1, CG_PIDS(t0)
        add  t1, t1, a1
        sw   t1, CG_PIDS(t0)
        lw   t0, CG_PARENT(t0)
        bnez t0, .up
        ret

# cg_fork(a0 = the new PCB; s0 = its parent): born in the parent's group. Keeps a0; clobbers
# a1, t0, t1.
cg_fork:
        push ra
        push a0
        lw   t0, P_CGROUP(s0)
        sw   t0, P_CGROUP(a0)
        mv   a0, t0
        li   a1, 1
        call cg_pids_add
        pop  a0
        pop  ra
        ret

# cg_exit(s0 = PCB of an exiting process): it leaves its group's counts (a zombie is in no
# group's cgroup.procs or pids.current). Clobbers a0, a1, t0, t1.
cg_exit:
        lw   a0, P_CGROUP(s0)
        li   a1, -1
        j    cg_pids_add

# cg_move(a0 = PCB of a live process, a1 = group): cgroup.procs. Its memory stays charged where
# it is (as on Linux v2); from now on its forks, pages and ticks count in the new group.
# Clobbers a0-a2, t0, t1.
cg_move:
        lw   t0, P_CGROUP(a0)
        beq  t0, a1, .same
        push ra
        push a0
        push a1
        mv   a0, t0
        li   a1, -1
        call cg_pids_add
        lw   a0, 0(sp)
        li   a1, 1
        call cg_pids_add
        pop  a1
        pop  a0
        sw   a1, P_CGROUP(a0)
        pop  ra
.same:  ret

# cg_below(a0 = group, a1 = another) -> a0 = 1 when the first is the other or below it.
# Clobbers a0 only.
cg_below:
.up:    beq  a0, a1, .yes
        lw   a0, CG_PARENT(a0)
        bnez a0, .up
        ret
.yes:   li   a0, 1
        ret

# ---- memory -----------------------------------------------------------------------------------------

# cg_alloc_frame(s0 = PCB) -> a0 = a zeroed frame charged to the process's group (a user page),
# or 0: no frame left, or the group (or one above) is at its memory.max, in which case the
# process was killed (SIGKILL pending, delivered on its way back to user mode). Over
# memory.high, cg_throttle is set to the PCB: the page fault handler makes it sleep a tick.
# Clobbers a0-a3, t0-t3.
cg_alloc_frame:
        push ra
        push s1
        lw   s1, P_CGROUP(s0)       # s1 = the group charged
        beqz s1, .alloc
        lw   t0, P_PID(s0)          # init is never OOM-killed (nor by Linux): its pages are
        li   t1, INIT_PID           # charged past a limit
        beq  t0, t1, .alloc
        mv   t0, s1                 # 1. room under every memory.max on the way up?
.check: lw   t1, CG_MEM_MAX(t0)
        blt  t1, zero, .nextc
        lw   t2, CG_MEM(t0)
        bge  t2, t1, .oom
.nextc: lw   t0, CG_PARENT(t0)
        bnez t0, .check
.alloc: call alloc_frame            # 2. the frame
        beqz a0, .out
        beqz s1, .out
        push a0                     # 3. its owner, and the charge
        mv   a0, s1
        call cg_index
        mv   t2, a0
        lw   a0, 0(sp)
        frame_owner_address
        sb   t2, 0(t0)
        mv   t0, s1
.charge:
        lw   t1, CG_MEM(t0)
        addi t1, t1, 1
        sw   t1, CG_MEM(t0)
        lw   t2, CG_MEM_HIGH(t0)
        blt  t2, zero, .nexth
        bge  t2, t1, .nexth
        lw   t1, CG_EV_HIGH(t0)     # over memory.high
        addi t1, t1, 1
        sw   t1, CG_EV_HIGH(t0)
        la   t1, cg_throttle
        sw   s0, 0(t1)
.nexth: lw   t0, CG_PARENT(t0)
        bnez t0, .charge
        pop  a0
        j    .out
.oom:   call cg_oom                 # t0 = the group at its limit
        li   a0, 0
.out:   pop  s1
        pop  ra
        ret

# cg_oom(t0 = the group whose memory.max refused a page; s0 = the allocating process): the
# group's OOM killer. Linux picks the process of the group with the most memory; ringlab kills
# the one allocating (docs/containers.md). memory.events max, oom and oom_kill count it in the
# group and every group above (the events are hierarchical, as Linux's). A process already
# dying is not killed twice. Clobbers a0-a3, t0-t3.
cg_oom:
        push ra
        lw   t1, P_SIGPEND(s0)
        andi t1, t1, 1 << SIGKILL
        bnez t1, .out
.up:    lw   t1, CG_EV_MAX(t0)
        addi t1, t1, 1
        sw   t1, CG_EV_MAX(t0)
        lw   t1, CG_EV_OOM(t0)
        addi t1, t1, 1
        sw   t1, CG_EV_OOM(t0)
        lw   t1, CG_EV_OOMKILL(t0)
        addi t1, t1, 1
        sw   t1, CG_EV_OOMKILL(t0)
        lw   t0, CG_PARENT(t0)
        bnez t0, .up
        la   a0, msg_cg_oom            # "kernel: memory cgroup out of memory: killed pid 5 (hog)"
        call puts
        lw   a0, P_PID(s0)
        call print_dec
        la   a0, msg_open
        call puts
        addi a0, s0, P_NAME
        call puts
        la   a0, msg_cg_close
        call puts
        la   t0, killed_any
        li   t1, 1
        sw   t1, 0(t0)
        mv   a0, s0
        li   a1, SIGKILL
        call send_signal
.out:   pop  ra
        ret

msg_cg_oom: .asciz "kernel: memory cgroup out of memory: killed pid "
msg_cg_close: .asciz ")\n"
        .align 4

# cg_uncharge(a0 = frame; its reference count just fell to 0): the group that allocated it and
# every group above lose a page. Called by free_frame; clobbers t0, t1 only.
cg_uncharge:
        frame_owner_address
        lbu  t1, 0(t0)
        beqz t1, .out               # not a charged page
        sb   zero, 0(t0)
        li   t0, CG_SIZE
        addi t1, t1, -1
        mul  t1, t1, t0
        la   t0, cgroup_table
        add  t0, t0, t1
.up:    lw   t1, CG_MEM(t0)
        addi t1, t1, -1
        sw   t1, CG_MEM(t0)
        lw   t0, CG_PARENT(t0)
        bnez t0, .up
.out:   ret

# ---- cpu ------------------------------------------------------------------------------------------

# cg_add_time(a0 = address of a {microseconds, cycles below a microsecond} pair, a1 = cycles).
# Clobbers t0, t1.
cg_add_time:
        lw   t0, 4(a0)
        add  t0, t0, a1
        li   t1, CGROUP_CYCLES_PER_USEC
        remu t1, t0, t1
        sw   t1, 4(a0)
        li   t1, CGROUP_CYCLES_PER_USEC
        divu t0, t0, t1
        lw   t1, 0(a0)
        add  t1, t1, t0
        sw   t1, 0(a0)
        ret

# cg_tick(a0 = PCB the tick interrupted, or one with no group: the idle loop's boot_pcb, or 0):
# after tick (sched.s). The tick's quantum of cycles is charged to the process's group and the
# groups above it (usage, and the runtime of their periods); its own group's virtual time moves
# on by CG_WSCALE / weight. Then every group with a quota: throttled once its runtime reaches
# the quota; at the end of a period the quota is given again (an overrun is carried over) and a
# throttled group runs again. Preserves s0-s3.
cg_tick:
        push ra
        push s1
        push s2
        push s3
        li   t0, BOOTARGS           # s2 = the quantum in cycles
        lw   s2, BA_QUANTUM(t0)
        bnez s2, .q
        li   s2, DEFAULT_QUANTUM
.q:     li   s1, 0
        beqz a0, .periods
        lw   s1, P_CGROUP(a0)       # s1 = the group charged
        beqz s1, .periods
        lw   t0, CG_VCLOCK(s1)      # virtual time: its own processes' entity, from where the
        lw   t1, CG_OWNVT(s1)       # group's entities are at least (one that was idle does not
        sub  t2, t1, t0             # bank its idle time) ...
        bge  t2, zero, .own
        mv   t1, t0
.own:   li   t2, CG_WSCALE / CPU_WEIGHT_DEFAULT
        add  t1, t1, t2
        sw   t1, CG_OWNVT(s1)
        mv   t3, s1                 # ... then the group and each one above, as entities among
.vt:    lw   t0, CG_PARENT(t3)      # their siblings, by their own weights
        beqz t0, .charge            # (the root has no siblings)
        lw   t0, CG_VCLOCK(t0)
        lw   t1, CG_VTIME(t3)
        sub  t2, t1, t0
        bge  t2, zero, .ahead
        mv   t1, t0
.ahead: li   t2, CG_WSCALE
        lw   a1, CG_WEIGHT(t3)
        divu t2, t2, a1
        add  t1, t1, t2
        sw   t1, CG_VTIME(t3)
        lw   t3, CG_PARENT(t3)
        j    .vt
.charge:
        lw   t0, CG_RUNTIME(s1)
        add  t0, t0, s2
        sw   t0, CG_RUNTIME(s1)
        addi a0, s1, CG_USAGE_US
        mv   a1, s2
        call cg_add_time
        lw   s1, CG_PARENT(s1)
        bnez s1, .charge
.periods:
        la   s1, cgroup_table + CG_SIZE     # the root has no cpu.max
        la   s3, ticks
        lw   s3, 0(s3)              # s3 = now, in ticks
.each:  lw   t0, CG_USED(s1)
        beqz t0, .next
        lw   t0, CG_QUOTA(s1)
        blt  t0, zero, .next        # max
        lw   t0, CG_THROTTLED(s1)
        bnez t0, .period
        lw   t0, CG_RUNTIME(s1)
        lw   t1, CG_QUOTA_CYC(s1)
        bltu t0, t1, .period
        li   t0, 1                  # its quota is used up
        sw   t0, CG_THROTTLED(s1)
        sw   s3, CG_TSTART(s1)
        lw   t0, CG_NR_THROTTLED(s1)
        addi t0, t0, 1
        sw   t0, CG_NR_THROTTLED(s1)
.period:
        lw   t0, CG_PLEFT(s1)
        sub  t0, t0, s2
        sw   t0, CG_PLEFT(s1)
        bgt  t0, zero, .next
        lw   t1, CG_PERIOD_CYC(s1)  # a new period
        add  t0, t0, t1
        sw   t0, CG_PLEFT(s1)
        lw   t0, CG_PIDS(s1)        # (periods count while the group has processes)
        beqz t0, .refill
        lw   t0, CG_NR_PERIODS(s1)
        addi t0, t0, 1
        sw   t0, CG_NR_PERIODS(s1)
.refill:
        lw   t0, CG_RUNTIME(s1)
        lw   t1, CG_QUOTA_CYC(s1)
        sub  t0, t0, t1
        bge  t0, zero, .carry
        li   t0, 0
.carry: sw   t0, CG_RUNTIME(s1)
        lw   t2, CG_THROTTLED(s1)
        beqz t2, .next
        bgeu t0, t1, .still
        sw   zero, CG_THROTTLED(s1)  # runs again: count the time it waited
        lw   a1, CG_TSTART(s1)
        sub  a1, s3, a1
        mul  a1, a1, s2
        addi a0, s1, CG_THR_US
        call cg_add_time
        j    .next
.still: lw   t0, CG_NR_THROTTLED(s1)  # its overrun covers this period too
        addi t0, t0, 1
        sw   t0, CG_NR_THROTTLED(s1)
.next:  addi s1, s1, CG_SIZE
        la   t0, cgroup_table + CG_SIZE * NCGROUP
        bltu s1, t0, .each
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# cpu.weight, hierarchically as Linux's CFS group scheduling: at each level of the tree the
# entities below one group (each child group, and the group's own processes as one entity of the
# default weight) share in proportion to their weights. The scheduler (sched.s) compares two ready
# processes at the group where their paths from the root part (cg_before), and tells the groups
# on the winner's path what was picked (cg_picked).

# cg_before(a0 = group of a process X, a1 = group of a process B) -> a0 = 1 when X's entity comes
# strictly before B's where their paths part: the least virtual time first (a difference, so the
# times may wrap around); 0 for the same group (round robin decides). Keeps t0-t3.
cg_before:
        beq  a0, a1, .no
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0                 # s1 = X's group, s2 = B's
        mv   s2, a1
        mv   s3, a0                 # s3 = the lowest group above (or at) both: from X's up
.lca:   mv   a2, s2
.up:    beq  a2, s3, .found
        lw   a2, CG_PARENT(a2)
        bnez a2, .up
        lw   s3, CG_PARENT(s3)      # the root is above everyone: this ends
        j    .lca
.found: mv   a0, s1
        mv   a1, s3
        call cg_entity_key
        mv   a3, a0
        mv   a0, s2
        call cg_entity_key          # (keeps a1, a3)
        sub  a0, a3, a0
        slt  a0, a0, zero
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.no:    li   a0, 0
        ret

# cg_entity_key(a0 = group, a1 = a group at or above it) -> a0 = the virtual time of its entity
# among a1's: a1's own processes' if it is a1, else that of its ancestor just below a1.
# Clobbers a2.
cg_entity_key:
        beq  a0, a1, .own
.up:    lw   a2, CG_PARENT(a0)
        beq  a2, a1, .child
        mv   a0, a2
        j    .up
.child: lw   a0, CG_VTIME(a0)
        ret
.own:   lw   a0, CG_OWNVT(a0)
        ret

# cg_picked(a0 = PCB the scheduler picked): each group on its path moves its clock on to the key
# of the entity picked below it (never back). Clobbers a0-a3.
cg_picked:
        lw   a0, P_CGROUP(a0)
        lw   a1, CG_OWNVT(a0)       # its own processes' entity
        lw   a2, CG_VCLOCK(a0)
        sub  a3, a1, a2
        blt  a3, zero, .up
        sw   a1, CG_VCLOCK(a0)
.up:    lw   a2, CG_PARENT(a0)      # then each group as its parent's entity
        beqz a2, .out
        lw   a1, CG_VTIME(a0)
        lw   a3, CG_VCLOCK(a2)
        sub  a3, a1, a3
        blt  a3, zero, .next
        sw   a1, CG_VCLOCK(a2)
.next:  mv   a0, a2
        j    .up
.out:   ret

# cg_runnable(a0 = PCB) -> a0 = 1 unless its group or one above is throttled. A process asleep
# in the kernel (P_KSP) finishes its system call first: it may hold a lock others wait for.
# Clobbers a0, a1.
cg_runnable:
        lw   a1, P_KSP(a0)
        bnez a1, .yes
        lw   a0, P_CGROUP(a0)
.up:    beqz a0, .yes
        lw   a1, CG_THROTTLED(a0)
        bnez a1, .no
        lw   a0, CG_PARENT(a0)
        j    .up
.yes:   li   a0, 1
        ret
.no:    li   a0, 0
        ret

# ---- the files --------------------------------------------------------------------------------------
# cg_files: one entry per file: its name (zero padded to 20 bytes), its show handler (0: it cannot
# be read), its store handler (0: it cannot be written), flags. A show handler appends the file's
# text at cg_pos; a store handler parses the zero-terminated text at cg_in (a trailing newline
# and spaces removed) and returns 0 or -errno. Both get s1 = the group, s0 = the caller.
        .equ CGF_NAME, 0
        .equ CGF_SHOW, 20
        .equ CGF_STORE, 24
        .equ CGF_FLAGS, 28
        .equ CGF_SIZE, 32
.macro cgfile name, show, store, flags
        .align 4
cgf\@:  .asciz \name
        .space 20 - (. - cgf\@)
        .word \show, \store, \flags
.endm
cg_files:
        cgfile "cgroup.procs", show_procs, store_procs, 0
        cgfile "cgroup.controllers", show_controllers, 0, 0
        cgfile "cgroup.kill", 0, store_kill, CGF_NOTROOT
        cgfile "cpu.max", show_cpu_max, store_cpu_max, CGF_NOTROOT
        cgfile "cpu.weight", show_cpu_weight, store_cpu_weight, CGF_NOTROOT
        cgfile "cpu.stat", show_cpu_stat, 0, 0
        cgfile "memory.current", show_mem_current, 0, 0
        cgfile "memory.max", show_mem_max, store_mem_max, CGF_NOTROOT
        cgfile "memory.high", show_mem_high, store_mem_high, CGF_NOTROOT
        cgfile "memory.events", show_mem_events, 0, CGF_NOTROOT
        cgfile "pids.max", show_pids_max, store_pids_max, CGF_NOTROOT
        cgfile "pids.current", show_pids_current, 0, 0
        cgfile "pids.events", show_pids_events, 0, CGF_NOTROOT
cg_files_end:

# cg_open(a0 = user path, a1 = user file name) -> a0 = the file's entry in cg_files, with s1 =
# the group; or -errno. Clobbers a0-a3, t0-t3.
cg_open:
        push ra
        push a1
        li   a1, 0
        call cg_path_in
        pop  a1
        blt  a0, zero, .out
        mv   s1, a0
        la   a0, cg_file            # the name, zero padded
        li   t0, 0
.zero:  add  t1, a0, t0
        sw   zero, 0(t1)
        addi t0, t0, 4
        li   t1, CGROUP_FILE_MAX
        blt  t0, t1, .zero
        li   a2, CGROUP_FILE_MAX
        call copy_string_max
        blt  a0, zero, .out
        la   a0, cg_files
.each:  la   t0, cg_file
        li   t1, 0
.word:  add  t2, a0, t1
        lw   t2, 0(t2)
        add  t3, t0, t1
        lw   t3, 0(t3)
        bne  t2, t3, .next
        addi t1, t1, 4
        li   t2, CGF_SHOW
        blt  t1, t2, .word
        lw   t0, CGF_FLAGS(a0)      # found: the root lacks the limits
        andi t0, t0, CGF_NOTROOT
        beqz t0, .out
        la   t0, cgroup_table
        bne  s1, t0, .out
        j    .noent
.next:  addi a0, a0, CGF_SIZE
        la   t0, cg_files_end
        bltu a0, t0, .each
.noent: li   a0, -ENOENT
.out:   pop  ra
        ret

# cgroup_read(path, file, buf, len): the file's text into cg_out, then as much as fits to buf.
sys_cgroup_read:
        blt  a3, zero, .inval
        push ra
        push s1
        push s2
        push s3
        mv   s2, a2                 # s2 = buf
        mv   s3, a3                 # s3 = len
        call cg_open
        blt  a0, zero, .out
        lw   t0, CGF_SHOW(a0)
        beqz t0, .acces
        la   t1, cg_out
        la   t2, cg_pos
        sw   t1, 0(t2)
        jalr ra, t0, 0              # append the text at cg_pos
        la   t0, cg_pos
        lw   a2, 0(t0)
        la   a0, cg_out
        sub  a2, a2, a0             # a2 = its length
        bleu a2, s3, .copy
        mv   a2, s3
.copy:  mv   s3, a2
        mv   a1, s2
        li   a3, 1
        call copy_user
        bne  a0, s3, .fault
        j    .out
.fault: li   a0, -EFAULT
        j    .out
.acces: li   a0, -EACCES
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# cgroup_write(path, file, buf, len): the text into cg_in, then the file's store handler.
sys_cgroup_write:
        blt  a3, zero, .inval
        li   t0, CGROUP_WRITE_MAX
        bgt  a3, t0, .inval
        push ra
        push s1
        push s2
        push s3
        mv   s2, a2                 # s2 = buf
        mv   s3, a3                 # s3 = len
        call cg_open
        blt  a0, zero, .out
        lw   t0, CGF_STORE(a0)
        beqz t0, .acces
        push t0
        la   a0, cg_in
        mv   a1, s2
        mv   a2, s3
        li   a3, 0
        call copy_user
        pop  t0
        bne  a0, s3, .fault
        la   t1, cg_in              # end it, without trailing newlines and spaces
        add  t1, t1, s3
.trim:  sb   zero, 0(t1)
        la   t2, cg_in
        beq  t1, t2, .store
        lbu  t2, -1(t1)
        li   t3, '\n'
        beq  t2, t3, .cut
        li   t3, ' '
        bne  t2, t3, .store
.cut:   addi t1, t1, -1
        j    .trim
.store: la   a0, cg_in
        jalr ra, t0, 0
        bnez a0, .out
        mv   a0, s3
        j    .out
.fault: li   a0, -EFAULT
        j    .out
.acces: li   a0, -EACCES
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        ret

# ---- text: out and in --------------------------------------------------------------------------------

# cg_puts(a0 = kernel string): append it at cg_pos. Clobbers t0-t2.
cg_puts:
        la   t2, cg_pos
        lw   t0, 0(t2)
.each:  lbu  t1, 0(a0)
        beqz t1, .end
        sb   t1, 0(t0)
        addi t0, t0, 1
        addi a0, a0, 1
        j    .each
.end:   sw   t0, 0(t2)
        ret

# cg_putdec(a0 = unsigned value): append it in decimal. Clobbers a0, t0-t3.
cg_putdec:
        la   t3, cg_digits + 12     # the digits backwards from here
        sb   zero, 0(t3)
.digit: addi t3, t3, -1
        li   t0, 10
        remu t1, a0, t0
        addi t1, t1, '0'
        sb   t1, 0(t3)
        divu a0, a0, t0
        bnez a0, .digit
        mv   a0, t3
        j    cg_puts

# cg_putline(a0 = kernel string: a key, a1 = value): "key value\n". Clobbers a0, t0-t3.
cg_putline:
        push ra
        push a1
        call cg_puts
        pop  a0
        call cg_putdec
        la   a0, cg_nl
        call cg_puts
        pop  ra
        ret

# cg_putmax(a0 = value, -1 for max; a1 = multiplier): "max" or a0 * a1, and a newline.
cg_putmax:
        push ra
        blt  a0, zero, .max
        mul  a0, a0, a1
        call cg_putdec
        j    .nl
.max:   la   a0, cg_max
        call cg_puts
.nl:    la   a0, cg_nl
        call cg_puts
        pop  ra
        ret

# cg_parse(a0 = text) -> a0 = the decimal number at its start, a1 = where it ends; a1 = 0 when
# there is no digit or the number is over 999,999,999. Clobbers t0-t2.
cg_parse:
        mv   a1, a0
        li   a0, 0
        li   t2, 0                  # digits seen
.each:  lbu  t0, 0(a1)
        addi t0, t0, -'0'
        li   t1, 9
        bgtu t0, t1, .end
        li   t1, 100000000
        bgeu a0, t1, .bad
        li   t1, 10
        mul  a0, a0, t1
        add  a0, a0, t0
        addi a1, a1, 1
        addi t2, t2, 1
        j    .each
.end:   bnez t2, .out
.bad:   li   a1, 0
.out:   ret

# cg_parse_max(a0 = text) -> a0 = -1 for "max", else the number, a1 = where it ends (0: neither).
# Clobbers t0-t2.
cg_parse_max:
        lbu  t0, 0(a0)
        li   t1, 'm'
        bne  t0, t1, cg_parse
        lbu  t0, 1(a0)
        li   t1, 'a'
        bne  t0, t1, .bad
        lbu  t0, 2(a0)
        li   t1, 'x'
        bne  t0, t1, .bad
        addi a1, a0, 3
        li   a0, -1
        ret
.bad:   li   a1, 0
        ret

# cg_parse_all(a0 = text) -> a0 = its number ("max": -1) when it is nothing else, or -2.
cg_parse_all:
        push ra
        call cg_parse_max
        beqz a1, .bad
        lbu  t0, 0(a1)
        beqz t0, .out
.bad:   li   a0, -2
.out:   pop  ra
        ret

# ---- the files' handlers (s1 = the group, s0 = the caller) --------------------------------------------

# cgroup.procs: the pids of its live processes as the reader's pid namespace names them (0 for
# one outside it, as Linux prints), in the order of their pids, one a line.
show_procs:
        push ra
        push s2
        push s3
        li   s2, 0                  # s2 = the last (level-0) pid written
.pick:  li   s3, 0                  # s3 = the process with the smallest pid above s2
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        li   t3, PS_DONE
        beq  t2, t3, .next
        lw   t2, P_CGROUP(t0)
        bne  t2, s1, .next
        lw   t2, P_PID(t0)
        bgeu s2, t2, .next
        beqz s3, .take
        lw   t3, P_PID(s3)
        bgeu t2, t3, .next
.take:  mv   s3, t0
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        beqz s3, .done
        lw   s2, P_PID(s3)
        mv   a0, s3
        lw   a1, P_PIDNS(s0)
        call pid_in
        call cg_putdec
        la   a0, cg_nl
        call cg_puts
        j    .pick
.done:  pop  s3
        pop  s2
        pop  ra
        ret

# cgroup.procs: "PID" moves that process here ("0": the writer). No pids.max check: as on Linux,
# moving may leave pids.current above pids.max; only fork is refused.
store_procs:
        push ra
        call cg_parse_all
        blt  a0, zero, .inval
        mv   a1, s0
        beqz a0, .move              # 0: the writer itself
        mv   t3, a0                 # t3 = the pid
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        li   a0, PS_DONE
        beq  t2, a0, .next
        mv   a0, t0
        lw   a1, P_PIDNS(s0)
        call pid_in                 # keeps t0-t3
        beq  a0, t3, .found
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        li   a0, -ESRCH
        j    .out
.found: mv   a1, t0
.move:  mv   a0, a1
        mv   a1, s1
        call cg_move
        li   a0, 0
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  ra
        ret

show_controllers:
        la   a0, cg_controllers
        j    cg_puts

# cgroup.kill: "1" sends SIGKILL to every live process in the group and below it, init excepted.
store_kill:
        push ra
        call cg_parse_all
        blt  a0, zero, .inval       # garbage, or "max"
        li   t0, 1
        bne  a0, t0, .range
        la   t0, proc_table
.each:  lw   t1, P_STATE(t0)
        beqz t1, .next
        li   t2, PS_DONE
        beq  t1, t2, .next
        lw   a0, P_PID(t0)          # init is passed over (kill(1) is EPERM, and Linux's
        li   a1, INIT_PID           # init ignores SIGKILL)
        beq  a0, a1, .next
        lw   a0, P_CGROUP(t0)
        mv   a1, s1
        call cg_below
        beqz a0, .next
        push t0
        mv   a0, t0
        li   a1, SIGKILL
        call send_signal
        pop  t0
.next:  addi t0, t0, P_SIZE
        la   t1, proc_table + P_SIZE * NPROC
        bltu t0, t1, .each
        li   a0, 0
        j    .out
.range: li   a0, -ERANGE
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  ra
        ret

show_cpu_max:
        push ra
        lw   a0, CG_QUOTA(s1)
        blt  a0, zero, .max
        call cg_putdec
        j    .period
.max:   la   a0, cg_max
        call cg_puts
.period:
        la   a0, cg_space
        call cg_puts
        lw   a0, CG_PERIOD(s1)
        call cg_putdec
        la   a0, cg_nl
        call cg_puts
        pop  ra
        ret

# cpu.max: "QUOTA [PERIOD]" or "max [PERIOD]", microseconds; both CPU_PERIOD_MIN..CPU_PERIOD_MAX
# (Linux's 1 ms and 1 s; a quota over a second is EINVAL here, Linux allows it for many CPUs).
# The group starts a new period with its new quota.
store_cpu_max:
        push ra
        push s2
        call cg_parse_max
        beqz a1, .inval
        mv   s2, a0                 # s2 = the quota (-1: max)
        lw   a0, CG_PERIOD(s1)      # the period: as it is, unless given
        lbu  t0, 0(a1)
        beqz t0, .check
        li   t1, ' '
        bne  t0, t1, .inval
.sp:    addi a1, a1, 1
        lbu  t0, 0(a1)
        beq  t0, t1, .sp
        mv   a0, a1
        call cg_parse_all
        blt  a0, zero, .inval
.check: li   t0, CPU_PERIOD_MIN
        blt  a0, t0, .inval
        li   t0, CPU_PERIOD_MAX
        bgt  a0, t0, .inval
        blt  s2, zero, .set
        li   t0, CPU_PERIOD_MIN
        blt  s2, t0, .inval
        li   t0, CPU_PERIOD_MAX
        bgt  s2, t0, .inval
.set:   sw   a0, CG_PERIOD(s1)
        li   t0, CGROUP_CYCLES_PER_USEC
        mul  a0, a0, t0
        sw   a0, CG_PERIOD_CYC(s1)
        sw   a0, CG_PLEFT(s1)
        sw   s2, CG_QUOTA(s1)
        mul  t1, s2, t0
        sw   t1, CG_QUOTA_CYC(s1)
        sw   zero, CG_RUNTIME(s1)
        lw   t0, CG_THROTTLED(s1)
        beqz t0, .ok
        sw   zero, CG_THROTTLED(s1) # it waited until now
        li   t0, BOOTARGS
        lw   a1, BA_QUANTUM(t0)
        bnez a1, .q
        li   a1, DEFAULT_QUANTUM
.q:     la   t0, ticks
        lw   t0, 0(t0)
        lw   t1, CG_TSTART(s1)
        sub  t0, t0, t1
        mul  a1, a1, t0
        addi a0, s1, CG_THR_US
        call cg_add_time
.ok:    li   a0, 0
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  s2
        pop  ra
        ret

show_cpu_weight:
        lw   a0, CG_WEIGHT(s1)
        li   a1, 1
        j    cg_putmax

store_cpu_weight:
        push ra
        call cg_parse_all
        blt  a0, zero, .inval       # garbage, or "max"
        beqz a0, .range
        li   t0, CPU_WEIGHT_MAX
        bgt  a0, t0, .range
        sw   a0, CG_WEIGHT(s1)
        li   a0, 0
        j    .out
.range: li   a0, -ERANGE
        j    .out
.inval: li   a0, -EINVAL
.out:   pop  ra
        ret

# cpu.stat: every tick is charged as user time (the tick only interrupts user mode).
show_cpu_stat:
        push ra
        la   a0, cg_usage
        lw   a1, CG_USAGE_US(s1)
        call cg_putline
        la   a0, cg_user
        lw   a1, CG_USAGE_US(s1)
        call cg_putline
        la   a0, cg_system
        li   a1, 0
        call cg_putline
        la   a0, cg_periods
        lw   a1, CG_NR_PERIODS(s1)
        call cg_putline
        la   a0, cg_nthrottled
        lw   a1, CG_NR_THROTTLED(s1)
        call cg_putline
        la   a0, cg_thrusec
        lw   a1, CG_THR_US(s1)
        call cg_putline
        pop  ra
        ret

show_mem_current:
        lw   a0, CG_MEM(s1)
        li   a1, PAGE_SIZE
        j    cg_putmax

show_mem_max:
        lw   a0, CG_MEM_MAX(s1)
        li   a1, PAGE_SIZE
        j    cg_putmax

show_mem_high:
        lw   a0, CG_MEM_HIGH(s1)
        li   a1, PAGE_SIZE
        j    cg_putmax

# cg_parse_bytes(a0 = text) -> a0 = pages (-1: "max"), or -2: bytes with an optional K, M or G
# suffix (powers of 1024, as Linux's memparse), rounded down to whole pages; -2 also for 4 GiB or
# more (the files show bytes in a word; a guest has at most 1 GiB).
cg_parse_bytes:
        push ra
        call cg_parse_max
        beqz a1, .bad
        blt  a0, zero, .end         # max
        lbu  t0, 0(a1)
        beqz t0, .bytes
        addi a1, a1, 1
        li   t1, 'K'
        beq  t0, t1, .kilo
        li   t1, 'M'
        beq  t0, t1, .mega
        li   t1, 'G'
        bne  t0, t1, .bad
        li   t1, 1 << 14            # G: pages = n << 18 (no carry out of the word)
        bgeu a0, t1, .bad
        slli a0, a0, 18
        j    .end
.mega:  li   t1, 1 << 24            # M: pages = n << 8
        bgeu a0, t1, .bad
        slli a0, a0, 8
        j    .end
.kilo:  srli a0, a0, 2
        j    .end
.bytes: srli a0, a0, 12
        j    .out
.end:   lbu  t0, 0(a1)
        bnez t0, .bad
        blt  a0, zero, .out         # max
        li   t1, 1 << 20            # below 4 GiB, so that the bytes fit in a word
        bltu a0, t1, .out
.bad:   li   a0, -2
.out:   pop  ra
        ret

# memory.max: a limit below memory.current is kept; the group's next page fails (Linux reclaims
# and OOM-kills at once; ringlab has nothing to reclaim).
store_mem_max:
        push ra
        call cg_parse_bytes
        li   t0, -2
        beq  a0, t0, .inval
        sw   a0, CG_MEM_MAX(s1)
        li   a0, 0
        pop  ra
        ret
.inval: li   a0, -EINVAL
        pop  ra
        ret

store_mem_high:
        push ra
        call cg_parse_bytes
        li   t0, -2
        beq  a0, t0, .inval
        sw   a0, CG_MEM_HIGH(s1)
        li   a0, 0
        pop  ra
        ret
.inval: li   a0, -EINVAL
        pop  ra
        ret

show_mem_events:
        push ra
        la   a0, cg_low
        li   a1, 0
        call cg_putline
        la   a0, cg_high
        lw   a1, CG_EV_HIGH(s1)
        call cg_putline
        la   a0, cg_maxsp
        lw   a1, CG_EV_MAX(s1)
        call cg_putline
        la   a0, cg_oomsp
        lw   a1, CG_EV_OOM(s1)
        call cg_putline
        la   a0, cg_oomkill
        lw   a1, CG_EV_OOMKILL(s1)
        call cg_putline
        pop  ra
        ret

show_pids_max:
        lw   a0, CG_PIDS_MAX(s1)
        li   a1, 1
        j    cg_putmax

store_pids_max:
        push ra
        call cg_parse_all
        li   t0, -2
        beq  a0, t0, .inval
        sw   a0, CG_PIDS_MAX(s1)
        li   a0, 0
        pop  ra
        ret
.inval: li   a0, -EINVAL
        pop  ra
        ret

show_pids_current:
        lw   a0, CG_PIDS(s1)
        li   a1, 1
        j    cg_putmax

show_pids_events:
        la   a0, cg_maxsp
        lw   a1, CG_PIDS_EVMAX(s1)
        j    cg_putline

cg_controllers: .asciz "cpu memory pids\n"
cg_max:      .asciz "max"
cg_nl:       .asciz "\n"
cg_space:    .asciz " "
cg_usage:    .asciz "usage_usec "
cg_user:     .asciz "user_usec "
cg_system:   .asciz "system_usec "
cg_periods:  .asciz "nr_periods "
cg_nthrottled: .asciz "nr_throttled "
cg_thrusec:  .asciz "throttled_usec "
cg_low:      .asciz "low "
cg_high:     .asciz "high "
cg_maxsp:    .asciz "max "
cg_oomsp:    .asciz "oom "
cg_oomkill:  .asciz "oom_kill "
        .align 4
