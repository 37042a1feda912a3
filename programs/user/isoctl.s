# isoctl: the resource-control probes of the isolation benchmark (`ringlab bench isolation`,
# src/bench/isolation-control.ts, docs/isolation.md "Resource control"). One program installed
# under several names; the name it runs as (argv[0]) chooses what it does:
#
#   ctl-spin K    a processor hog: spins forever in user mode (K only tells the harness which
#                 container it is: its start marker carries K)
#   ctl-work N    the neighbour's steady work: N iterations, each touching a new heap page (a
#                 demand-zero page charged to its memory cgroup) and spinning WORK_SPIN times;
#                 markers before the first iteration and after the last
#   ctl-oom       the offender: the same iterations without end, so its memory grows until its
#                 group's memory.max stops it (the kernel's OOM killer kills it)
#   ctl-cpu       the cpu.max driver (a process of the host): starts two containers of ctl-spin,
#                 `free` (/var/lib/crun/free, cpu.weight 1: a best-effort neighbour) and `lim`
#                 (/var/lib/crun/lim), then writes each line of `segments` to /crun/lim's
#                 cpu.max and lets the two compete for SEG_PERIODS periods, a marker at each
#                 write; at the end it kills both through cgroup.kill
#   ctl-mem M     the memory.max driver: starts the neighbour `nb` (/var/lib/crun/work, ctl-work)
#                 detached; with M = 1 it then runs the offender `oom` (/var/lib/crun/oom,
#                 memory.max in its bundle) in the foreground, which must end killed (crun's
#                 status 137 = 128 + SIGKILL); then it waits for the neighbour to finish
#
# Markers, as isoprobe's: a getpid system call with a0 = ISO_MARK and a1 = what happened, a2 and
# a3 its figures; the kernel answers it as any getpid, the harness sees the trap's registers.
        .include "user.inc"
        .equ ISO_MARK,     0x49534f4d   # "ISOM" (isoprobe.s's)
        .equ MARK_START,   1            # the probe began (a2 = its N)
        .equ MARK_SEG,     5            # ctl-cpu: cpu.max written (a2 = quota us, 0: max; a3 = period us)
        .equ MARK_SEGEND,  6            # ctl-cpu: the last segment ended
        .equ MARK_BEGIN,   7            # ctl-work: before the first iteration (a2 = N)
        .equ MARK_END,     8            # ctl-work: after the last iteration
        .equ MARK_SPIN,    9            # ctl-spin: about to spin (a2 = its K)
        .equ MARK_OOM,     10           # ctl-oom: about to allocate
        .equ WORK_SPIN,    8000         # spins per iteration of ctl-work and ctl-oom
        .equ SETTLE_TICKS, 60           # ctl-cpu: ticks both containers get to start
        .equ SEG_PERIODS,  3            # ctl-cpu: periods per segment (the first one settles)
        .equ TICKS_PER_MS, 30           # the kernel's tick: 100,000 cycles at 3,000 cycles per us
        .equ KILLED_STATUS, 137 << 8    # wait's status word of crun exiting 137 (128 + SIGKILL:
                                        # its container was killed)

.macro marker what, quota, period
        li   a0, ISO_MARK
        li   a1, \what
        mv   a2, \quota
        mv   a3, \period
        call getpid
.endm

_start: mv   s0, a0                     # s0 = N
        mv   s3, a2                     # s3 = argv
        marker MARK_START, s0, zero
        lw   t0, 0(s3)                  # argv[0]: "ctl-X", X chooses
        lbu  t0, 4(t0)
        li   t1, 's'
        beq  t0, t1, spin
        li   t1, 'w'
        beq  t0, t1, work
        li   t1, 'o'
        beq  t0, t1, oom
        li   t1, 'c'
        beq  t0, t1, cpu
        li   t1, 'm'
        beq  t0, t1, mem
        li   a0, -EINVAL
        j    fail

# ---- ctl-spin: forever --------------------------------------------------------------------------
spin:   marker MARK_SPIN, s0, zero
.spin:  addi s1, s1, 1
        j    .spin

# ---- ctl-work N and ctl-oom: a new page and WORK_SPIN spins per iteration -------------------------
work:   marker MARK_BEGIN, s0, zero
        li   s1, 0
.wl:    bge  s1, s0, .wend
        call iteration
        addi s1, s1, 1
        j    .wl
.wend:  marker MARK_END, s0, zero
        j    done

oom:    marker MARK_OOM, zero, zero
        li   s1, 0
.ol:    call iteration
        addi s1, s1, 1
        j    .ol

# iteration(s1 = its number): touch heap page s1 (the kernel gives a zeroed page, charged to the
# group), then spin.
iteration:
        slli t0, s1, 12
        li   t1, HEAP_BASE
        add  t0, t0, t1
        sw   s1, 0(t0)
        li   t0, WORK_SPIN
.sp:    addi t0, t0, -1
        bnez t0, .sp
        ret

# ---- ctl-cpu: the cpu.max segments ---------------------------------------------------------------
cpu:    la   a0, argv_free              # the best-effort one first: lim's start then competes
        call crun_ok                    # with a neighbour of weight 1 only
        la   a0, argv_lim
        call crun_ok
        li   a0, SETTLE_TICKS
        call sleep
        la   s1, segments
.seg:   lw   s2, 0(s1)                  # the text to write, 0 at the end
        beqz s2, .segend
        mv   a0, s2
        call strlen
        mv   a3, a0
        la   a0, cg_lim
        la   a1, f_cpumax
        mv   a2, s2
        call cgroup_write
        blt  a0, zero, fail
        lw   s2, 4(s1)                  # quota (0: max)
        lw   s3, 8(s1)                  # period, us
        marker MARK_SEG, s2, s3
        li   t0, SEG_PERIODS * TICKS_PER_MS
        mul  a0, s3, t0                 # ticks = periods x period(us) x ticks per ms / 1000
        li   t0, 1000
        divu a0, a0, t0
        call sleep
        addi s1, s1, 12
        j    .seg
.segend:
        marker MARK_SEGEND, zero, zero
        la   a0, cg_lim
        call kill_group
        la   a0, cg_free
        call kill_group
        j    done

# kill_group(a0 = group path): write 1 to its cgroup.kill.
kill_group:
        push ra
        la   a1, f_kill
        la   a2, w_one
        li   a3, 1
        call cgroup_write
        blt  a0, zero, fail
        pop  ra
        ret

# ---- ctl-mem M: the neighbour, with (M = 1) or without the offender -------------------------------
mem:    la   a0, argv_nb
        call crun_ok
        beqz s0, .poll
        la   a0, argv_oom               # the offender, in the foreground: it must be OOM-killed
        call crun
        li   t0, KILLED_STATUS
        beq  a0, t0, .poll
        li   a0, -ECHILD
        j    fail
.poll:  la   a0, cg_nb                  # until the neighbour has finished: pids.current "0"
        la   a1, f_pids
        la   a2, buf
        li   a3, 16
        call cgroup_read
        blt  a0, zero, fail
        la   t0, buf
        lbu  t0, 0(t0)
        li   t1, '0'
        beq  t0, t1, done
        li   a0, 1
        call sleep
        j    .poll

# crun(a0 = argv) -> a0 = crun's exit status; crun_ok: the same, and a status other than 0 fails.
crun:   push ra
        push s1
        mv   s1, a0
        call fork
        blt  a0, zero, fail
        bnez a0, .cw
        la   a0, p_crun
        mv   a1, s1
        call exec
        li   a0, 127
        call exit
.cw:    la   a1, status
        li   a2, 0
        call wait
        blt  a0, zero, fail
        lwg  a0, status
        pop  s1
        pop  ra
        ret
crun_ok:
        push ra
        call crun
        bnez a0, .bad
        pop  ra
        ret
.bad:   li   a0, -ECHILD
        j    fail

done:   li   a0, 0
        call exit
fail:   mv   a2, a0
        la   a0, m_name
        li   a1, 0
        call perror
        li   a0, 1
        call exit

# The cpu.max segments: the text written, its quota and period in us (the markers carry them).
# The same 50% share at four periods, after a segment without a limit.
        .align 4
segments:
        .word s_max, 0, 2000
        .word s_2, 1000, 2000
        .word s_4, 2000, 4000
        .word s_6, 3000, 6000
        .word s_8, 4000, 8000
        .word 0
s_max:  .asciz "max 2000"
s_2:    .asciz "1000 2000"
s_4:    .asciz "2000 4000"
s_6:    .asciz "3000 6000"
s_8:    .asciz "4000 8000"

m_name:   .asciz "isoctl"
p_crun:   .asciz "/bin/crun"
w_crun:   .asciz "crun"
w_run:    .asciz "run"
w_d:      .asciz "-d"
w_lim:    .asciz "lim"
w_free:   .asciz "free"
w_nb:     .asciz "nb"
w_oom:    .asciz "oom"
b_lim:    .asciz "/var/lib/crun/lim"
b_free:   .asciz "/var/lib/crun/free"
b_work:   .asciz "/var/lib/crun/work"
b_oom:    .asciz "/var/lib/crun/oom"
cg_lim:   .asciz "/crun/lim"
cg_free:  .asciz "/crun/free"
cg_nb:    .asciz "/crun/nb"
f_cpumax: .asciz "cpu.max"
f_kill:   .asciz "cgroup.kill"
f_pids:   .asciz "pids.current"
w_one:    .asciz "1"
          .align 4
argv_lim:  .word w_crun, w_run, w_d, w_lim, b_lim, 0
argv_free: .word w_crun, w_run, w_d, w_free, b_free, 0
argv_nb:   .word w_crun, w_run, w_d, w_nb, b_work, 0
argv_oom:  .word w_crun, w_run, w_oom, b_oom, 0
status:    .word 0
buf:       .space 16
        .include "lib.s"
