// Control groups (programs/kernel/cgroup.s; docs/containers.md, "Control groups"): the tree
// (mkdir, rmdir, their errors), every file's format and errors, cgroup.procs, the pids
// controller (a fork bomb), the memory controller (memory.max kills inside the group only,
// memory.high throttles), cgroup.kill, and the cpu controller's experiments (cpu.max at 20%,
// weights 100:300, the stall of a throttled process against its period). The figures quoted in
// docs/containers.md come from here.

import { describe, expect, it } from 'vitest';
import { boot, cgroupsInUse, CONFIG_NAMES, framesInUse, program, type GuestProgram } from './guests/guest.js';

/** Macros and routines for the programs below:
 *   MK path / RM path             cgroup_mkdir / cgroup_rmdir, print the result
 *   RD path, file                 cgroup_read: the text, or the error as a number
 *   WR path, file, text           cgroup_write of the text (strlen), print the result
 *   HOG                           spin forever (a loop of a few instructions)
 *   TOUCH n                       touch n fresh heap pages, one word each */
const MACROS = `
.macro MK path
        j    .mk_s\\@
.mk_p\\@: .asciz \\path
        .align 4
.mk_s\\@: la   a0, .mk_p\\@
        call cgroup_mkdir
        call result
.endm
.macro RM path
        j    .rm_s\\@
.rm_p\\@: .asciz \\path
        .align 4
.rm_s\\@: la   a0, .rm_p\\@
        call cgroup_rmdir
        call result
.endm
.macro RD path, file
        j    .rd_s\\@
.rd_p\\@: .asciz \\path
.rd_f\\@: .asciz \\file
        .align 4
.rd_s\\@: la   a0, .rd_p\\@
        la   a1, .rd_f\\@
        call do_rd
.endm
.macro WR path, file, text
        j    .wr_s\\@
.wr_p\\@: .asciz \\path
.wr_f\\@: .asciz \\file
.wr_t\\@: .asciz \\text
        .align 4
.wr_s\\@: la   a0, .wr_p\\@
        la   a1, .wr_f\\@
        la   a2, .wr_t\\@
        call do_wr
.endm
.macro WRQ path, file, text
        j    .wq_s\\@
.wq_p\\@: .asciz \\path
.wq_f\\@: .asciz \\file
.wq_t\\@: .asciz \\text
        .align 4
.wq_s\\@: la   a0, .wq_p\\@
        la   a1, .wq_f\\@
        la   a2, .wq_t\\@
        call do_wrq
.endm
# WAITFOR path, file, text: poll (a tick at a time) until the file reads exactly text
.macro WAITFOR path, file, text
        j    .wf_s\\@
.wf_p\\@: .asciz \\path
.wf_f\\@: .asciz \\file
.wf_t\\@: .asciz \\text
        .align 4
.wf_s\\@: la   a0, .wf_p\\@
        la   a1, .wf_f\\@
        la   a2, .wf_t\\@
        call do_waitfor
.endm
`;
const COMMON = `
do_wrq: push ra
        push s1
        push a0
        push a1
        mv   s1, a2
        mv   a0, a2
        call strlen
        mv   a3, a0
        mv   a2, s1
        pop  a1
        pop  a0
        call cgroup_write
        pop  s1
        pop  ra
        ret
do_waitfor:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
.poll:  mv   a0, s1
        mv   a1, s2
        li   a2, HEAP_BASE + 0x30000
        li   a3, 0x100
        call cgroup_read
        blt  a0, zero, .again
        li   t0, HEAP_BASE + 0x30000
        add  t0, t0, a0
        sb   zero, 0(t0)
        li   a0, HEAP_BASE + 0x30000
        mv   a1, s3
        call strcmp
        beqz a0, .ok
.again: li   a0, 1
        call sleep
        j    .poll
.ok:    pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
# wpid(a0 = pid): wait for that child, print its status word.
wpid:   push ra
        la   a1, status
        li   a2, 0
        call wait
        la   a0, status
        lw   a0, 0(a0)
        call result
        pop  ra
        ret
# now: print the uptime in ticks.
now:    push ra
        call uptime
        call result
        pop  ra
        ret
do_rd:  push ra
        li   a2, HEAP_BASE + 0x30000
        li   a3, 0x2000
        call cgroup_read
        blt  a0, zero, .err
        mv   a1, a0
        li   a0, HEAP_BASE + 0x30000
        call putbuf
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
do_wr:  push ra
        push s1
        push a0
        push a1
        mv   s1, a2
        mv   a0, a2
        call strlen
        mv   a3, a0
        mv   a2, s1
        pop  a1
        pop  a0
        call cgroup_write
        call result
        pop  s1
        pop  ra
        ret
hog:    li   t1, 0
.spin:  addi t1, t1, 1
        andi t2, t1, 7
        add  t3, t3, t2
        j    .spin
# touch(a0 = pages): one store in each of a0 fresh heap pages from HEAP_BASE + 0x100000.
touch:  li   t0, HEAP_BASE + 0x100000
        li   t1, PAGE_SIZE
.page:  beqz a0, .done
        sw   a0, 0(t0)
        add  t0, t0, t1
        addi a0, a0, -1
        j    .page
.done:  ret
        .align 4
`;

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');

// The tree and every file's format and errors.
const FILES = program('files', `${MACROS}
_start: MK "/"
        MK "/box"
        MK "/box"
        MK "box/a"
        MK "/nope/a"
        MK "/0123456789abcdef"
        MK "/box/.."
        li   a0, 0x10000
        call cgroup_mkdir
        call result
        RD "/box", "cgroup.controllers"
        RD "/box", "cpu.max"
        RD "/box", "cpu.weight"
        RD "/box", "cpu.stat"
        RD "/box", "memory.current"
        RD "/box", "memory.max"
        RD "/box", "memory.high"
        RD "/box", "memory.events"
        RD "/box", "pids.max"
        RD "/box", "pids.current"
        RD "/box", "pids.events"
        RD "/box", "cgroup.procs"
        RD "/", "cpu.max"
        RD "/", "pids.current"
        RD "/box", "nosuch"
        RD "/nope", "cpu.max"
        RD "/box", "cgroup.kill"
        WR "/box", "cpu.stat", "1"
        WR "/box", "memory.current", "1"
        WR "/", "cpu.weight", "1"
        WR "/box", "cpu.max", "20000 100000\\n"
        RD "/box", "cpu.max"
        WR "/box", "cpu.max", "max"
        RD "/box", "cpu.max"
        WR "/box", "cpu.max", "5000"
        RD "/box", "cpu.max"
        WR "/box", "cpu.max", "max 1000000"
        RD "/box", "cpu.max"
        WR "/box", "cpu.max", "999"
        WR "/box", "cpu.max", "0"
        WR "/box", "cpu.max", "-1"
        WR "/box", "cpu.max", "abc"
        WR "/box", "cpu.max", "1000 999"
        WR "/box", "cpu.max", "1000 1000001"
        WR "/box", "cpu.max", "1000 5000x"
        WR "/box", "cpu.max", ""
        WR "/box", "cpu.weight", "0"
        WR "/box", "cpu.weight", "10001"
        WR "/box", "cpu.weight", "-5"
        WR "/box", "cpu.weight", "max"
        WR "/box", "cpu.weight", "300\\n"
        RD "/box", "cpu.weight"
        WR "/box", "memory.max", "1M"
        RD "/box", "memory.max"
        WR "/box", "memory.max", "5000"
        RD "/box", "memory.max"
        WR "/box", "memory.max", "-1"
        WR "/box", "memory.max", "12Q"
        WR "/box", "memory.max", "4G"
        WR "/box", "memory.max", "3G"
        RD "/box", "memory.max"
        WR "/box", "memory.max", "4096M"
        WR "/box", "memory.max", "4194304K"
        WR "/box", "memory.max", "16777216M"
        WR "/box", "memory.max", "max"
        RD "/box", "memory.max"
        WR "/box", "memory.high", "64K"
        RD "/box", "memory.high"
        WR "/box", "pids.max", "-1"
        WR "/box", "pids.max", "20"
        RD "/box", "pids.max"
        WR "/box", "pids.max", "max"
        WR "/box", "cgroup.kill", "0"
        WR "/box", "cgroup.kill", "x"
        WR "/box", "cgroup.procs", "99999"
        WR "/box", "cgroup.procs", "abc"
        la   a0, p_box              # len -1, len 65: EINVAL
        la   a1, f_max
        la   a2, p_box
        li   a3, -1
        call cgroup_write
        call result
        la   a0, p_box
        la   a1, f_max
        la   a2, p_box
        li   a3, CGROUP_WRITE_MAX + 1
        call cgroup_write
        call result
        la   a0, p_box              # bad buffer: EFAULT
        la   a1, f_max
        li   a2, 0x10000
        li   a3, 4
        call cgroup_write
        call result
        la   a0, p_box
        la   a1, f_max
        li   a2, HEAP_BASE
        li   a3, -1
        call cgroup_read
        call result
        la   a0, p_box              # a short buffer: the file's first bytes
        la   a1, f_max
        li   a2, HEAP_BASE
        li   a3, 4
        call cgroup_read
        call result
        li   a0, HEAP_BASE
        li   a1, 4
        call putbuf
        call newline
        RM "/box"
        RM "/box/a"
        RM "/"
        RM "/nope"
        call fork                   # a process in /box: cgroup.procs, pids.current, rmdir's EBUSY
        bnez a0, .parent
        li   a0, 5
        call sleep
        li   a0, 3
        call exit
.parent:
        mv   s1, a0
        la   a0, pidtext
        mv   a1, s1
        call itoa
        la   a0, p_box
        la   a1, f_procs
        la   a2, pidtext
        call do_wr
        RD "/box", "cgroup.procs"
        RD "/box", "pids.current"
        RD "/", "pids.current"
        RM "/box"
        call wst
        RD "/box", "pids.current"
        RD "/box", "cgroup.procs"
        RM "/box"
        RD "/box", "cpu.max"
        li   s1, 0                  # the table: 15 groups fit beside the root
.fill:  la   t0, many
        addi t1, s1, 'a'
        sb   t1, 1(t0)
        la   a0, many
        call cgroup_mkdir
        bnez a0, .full
        addi s1, s1, 1
        j    .fill
.full:  call result
        mv   a0, s1
        call result
.empty: beqz s1, .done
        addi s1, s1, -1
        la   t0, many
        addi t1, s1, 'a'
        sb   t1, 1(t0)
        la   a0, many
        call cgroup_rmdir
        bnez a0, .bad
        j    .empty
.bad:   call result
.done:  li   a0, 0
        call exit
# itoa(a0 = buffer, a1 = value): decimal, zero-terminated.
itoa:   li   t0, 10
        mv   t2, a1
        li   t3, 1
.len:   divu t2, t2, t0
        beqz t2, .put
        addi t3, t3, 1
        j    .len
.put:   add  a0, a0, t3
        sb   zero, 0(a0)
.dig:   addi a0, a0, -1
        remu t2, a1, t0
        addi t2, t2, '0'
        sb   t2, 0(a0)
        divu a1, a1, t0
        addi t3, t3, -1
        bnez t3, .dig
        ret
p_box:  .asciz "/box"
f_max:  .asciz "cpu.max"
f_procs: .asciz "cgroup.procs"
many:   .asciz "/x"
pidtext: .space 16
        .align 4
${COMMON}`);


// cpu.max: a hog limited to 1 ms every 5 ms (20%) next to an unlimited one. The parent (in the
// root group) samples both groups' cpu.stat after 300 ticks and again 1,500 ticks later (ten
// periods of 150 ticks), then kills both with cgroup.kill.
const CPUMAX = program('cpumax', `${MACROS}
_start: MK "/a"
        MK "/b"
        WR "/a", "cpu.max", "1000 5000"
        call fork
        bnez a0, .p1
        WRQ "/a", "cgroup.procs", "0"
        j    hog
.p1:    call fork
        bnez a0, .p2
        WRQ "/b", "cgroup.procs", "0"
        j    hog
.p2:    li   a0, 300
        call sleep
        call now
        RD "/a", "cpu.stat"
        RD "/b", "cpu.stat"
        li   a0, 1500
        call sleep
        call now
        RD "/a", "cpu.stat"
        RD "/b", "cpu.stat"
        WR "/a", "cgroup.kill", "1"
        WR "/b", "cgroup.kill", "1"
        call wst
        call wst
        RM "/a"
        RM "/b"
        li   a0, 0
        call exit
${COMMON}`);

// cpu.weight: hogs in /a (weight 100) and /b (300) for 400 ticks; then /b's is killed and /a's
// runs alone for 200 ticks.
const WEIGHTS = program('weights', `${MACROS}
_start: MK "/a"
        MK "/b"
        WR "/b", "cpu.weight", "300"
        call fork
        bnez a0, .p1
        WRQ "/a", "cgroup.procs", "0"
        j    hog
.p1:    call fork
        bnez a0, .p2
        WRQ "/b", "cgroup.procs", "0"
        j    hog
.p2:    li   a0, 100
        call sleep
        call now
        RD "/a", "cpu.stat"
        RD "/b", "cpu.stat"
        li   a0, 400
        call sleep
        call now
        RD "/a", "cpu.stat"
        RD "/b", "cpu.stat"
        WR "/b", "cgroup.kill", "1"
        call wst
        call now
        RD "/a", "cpu.stat"
        li   a0, 200
        call sleep
        call now
        RD "/a", "cpu.stat"
        WR "/a", "cgroup.kill", "1"
        call wst
        RM "/a"
        RM "/b"
        li   a0, 0
        call exit
${COMMON}`);

// Nested weights: /p (weight 100) holds /p/x and /p/y with a hog each, /q (100) one hog: /p
// and /q share half and half, and /p's half is split between x and y.
const NESTED = program('nested', `${MACROS}
_start: MK "/p"
        MK "/p/x"
        MK "/p/y"
        MK "/q"
        call fork
        bnez a0, .p1
        WRQ "/p/x", "cgroup.procs", "0"
        j    hog
.p1:    call fork
        bnez a0, .p2
        WRQ "/p/y", "cgroup.procs", "0"
        j    hog
.p2:    call fork
        bnez a0, .p3
        WRQ "/q", "cgroup.procs", "0"
        j    hog
.p3:    li   a0, 100
        call sleep
        RD "/p/x", "cpu.stat"
        RD "/p/y", "cpu.stat"
        RD "/q", "cpu.stat"
        li   a0, 400
        call sleep
        RD "/p/x", "cpu.stat"
        RD "/p/y", "cpu.stat"
        RD "/q", "cpu.stat"
        WR "/p", "cgroup.kill", "1"
        WR "/q", "cgroup.kill", "1"
        call wst
        call wst
        call wst
        RM "/p/x"
        RM "/p/y"
        RM "/p"
        RM "/q"
        li   a0, 0
        call exit
${COMMON}`);

// The stall: a process alone in a group with 20% of each period, periods of 5, 10 and 20 ms. It
// calls uptime in a loop for two periods and prints the longest time between two answers
// (ticks), then its group's nr_periods and nr_throttled.
const STALL = program('stall', `${MACROS}
_start: MK "/s"
        WR "/s", "cpu.max", "1000 5000"
        li   a0, 300
        call run
        WR "/s", "cpu.max", "2000 10000"
        li   a0, 600
        call run
        WR "/s", "cpu.max", "4000 20000"
        li   a0, 1200
        call run
        RM "/s"
        li   a0, 0
        call exit
run:    push ra
        push s1
        mv   s1, a0
        call fork
        bnez a0, .wait
        WRQ "/s", "cgroup.procs", "0"
        call uptime
        mv   s2, a0                 # s2 = the last answer
        add  s1, s1, a0             # s1 = when to stop
        li   s3, 0                  # s3 = the longest gap
.loop:  call uptime
        sub  t0, a0, s2
        mv   s2, a0
        bge  s3, t0, .shorter
        mv   s3, t0
.shorter:
        blt  a0, s1, .loop
        mv   a0, s3
        call result
        li   a0, 0
        call exit
.wait:  call wpid
        pop  s1
        pop  ra
        ret
${COMMON}`);

// memory.max: a hog in /m (64 KiB) touches 100 pages and is killed by the group's OOM killer;
// its neighbour in /n touches 50 and finishes. memory.high: a process in /h (64 KiB) touches
// 40 pages: throttled, never killed.
const MEMORY = program('memory', `${MACROS}
_start: MK "/m"
        MK "/n"
        MK "/h"
        WR "/m", "memory.max", "64K"
        WR "/h", "memory.high", "64K"
        call fork
        bnez a0, .p1
        WRQ "/m", "cgroup.procs", "0"
        li   a0, 100
        call touch
        li   a0, 1
        call exit
.p1:    mv   s1, a0
        call fork
        bnez a0, .p2
        WRQ "/n", "cgroup.procs", "0"
        li   a0, 50
        call touch
        li   a0, 2
        call exit
.p2:    mv   s2, a0
        mv   a0, s1
        call wpid
        mv   a0, s2
        call wpid
        RD "/m", "memory.events"
        RD "/m", "memory.current"
        RD "/n", "memory.events"
        RD "/n", "memory.current"
        call fork
        bnez a0, .p3
        WRQ "/h", "cgroup.procs", "0"
        call uptime
        mv   s1, a0
        li   a0, 40
        call touch
        call uptime
        sub  a0, a0, s1             # the 40 pages took a tick for each page over memory.high
        li   t0, 24                 # at least (memory.events high, below): 1
        slt  a0, a0, t0
        xori a0, a0, 1
        call result
        li   a0, 3
        call exit
.p3:    call wpid
        RD "/h", "memory.events"
        RD "/h", "memory.current"
        RM "/m"
        RM "/n"
        RM "/h"
        li   a0, 0
        call exit
${COMMON}`);

// pids.max: a fork bomb in /f (pids.max 20) forks sleepers until fork fails, and prints how many
// forks worked and the error; the host (the root group) forks as before; cgroup.kill ends it.
const FORKBOMB = program('forkbomb', `${MACROS}
_start: MK "/f"
        WR "/f", "pids.max", "20"
        call fork
        bnez a0, .host
        WRQ "/f", "cgroup.procs", "0"
        li   s1, 0
.bomb:  call fork
        beqz a0, .sleeper
        blt  a0, zero, .failed
        addi s1, s1, 1
        j    .bomb
.sleeper:
        li   a0, 1000000
        call sleep
        li   a0, 0
        call exit
.failed:
        mv   s2, a0
        mv   a0, s1
        call result
        mv   a0, s2
        call result
        RD "/f", "pids.current"
        RD "/f", "pids.events"
        li   a0, 0
        call exit
.host:  call wpid
        call fork                   # the host still forks
        bnez a0, .host2
        li   a0, 7
        call exit
.host2: call wpid
        RD "/", "pids.current"
        WR "/f", "cgroup.kill", "1"
        WAITFOR "/f", "pids.current", "0\\n"
        RD "/f", "pids.current"
        RD "/", "pids.current"
        RM "/f"
        li   a0, 0
        call exit
${COMMON}`);

// cgroup.kill: a process in /k with two children there and one moved to /k/sub, all spinning;
// one write kills the four.
const KILL = program('kill', `${MACROS}
_start: MK "/k"
        MK "/k/sub"
        call fork
        bnez a0, .parent
        WRQ "/k", "cgroup.procs", "0"
        call fork
        beqz a0, hog
        call fork
        beqz a0, hog
        call fork
        beqz a0, hog
        la   a1, pidtext
        call itoa2
        la   a0, p_sub
        la   a1, f_procs
        la   a2, pidtext
        call do_wrq
        j    hog
.parent:
        mv   s1, a0
        WAITFOR "/k/sub", "pids.current", "1\\n"
        RD "/k", "pids.current"
        RD "/k/sub", "cgroup.procs"
        WR "/k", "cgroup.kill", "1"
        mv   a0, s1
        call wpid
        WAITFOR "/k", "pids.current", "0\\n"
        RD "/k", "cgroup.procs"
        RM "/k/sub"
        RM "/k"
        li   a0, 0
        call exit
# itoa2(a0 = value, a1 = buffer): decimal, zero-terminated.
itoa2:  li   t0, 10
        mv   t2, a0
        li   t3, 1
.len:   divu t2, t2, t0
        beqz t2, .put
        addi t3, t3, 1
        j    .len
.put:   add  a1, a1, t3
        sb   zero, 0(a1)
.dig:   addi a1, a1, -1
        remu t2, a0, t0
        addi t2, t2, '0'
        sb   t2, 0(a1)
        divu a0, a0, t0
        addi t3, t3, -1
        bnez t3, .dig
        ret
p_sub:  .asciz "/k/sub"
f_procs: .asciz "cgroup.procs"
pidtext: .space 16
        .align 4
${COMMON}`);

const stat = (text: string, key: string): number[] =>
  [...text.matchAll(new RegExp(`^${key} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));

const EXPECTED: Record<string, string> = {
  files: rows(-17, 0, -17, 0, -2, -36, -22, -14,
    'cpu memory pids', 'max 100000', 100,
    'usage_usec 0', 'user_usec 0', 'system_usec 0', 'nr_periods 0', 'nr_throttled 0', 'throttled_usec 0',
    0, 'max', 'max', 'low 0', 'high 0', 'max 0', 'oom 0', 'oom_kill 0', 'max', 0, 'max 0',
    -2, 2, -2, -2, -13,
    -13, -13, -2,
    13, '20000 100000', 3, 'max 100000', 4, '5000 100000', 11, 'max 1000000',
    -22, -22, -22, -22, -22, -22, -22, -22,
    -34, -34, -22, -22, 4, 300,
    2, 1048576, 4, 4096, -22, -22, -22, 2, 3 * 2 ** 30, -22, -22, -22, 3, 'max', 3, 65536,
    -22, 2, 20, 3,
    -34, -22, -3, -22,
    -22, -22, -14, -22, 4, 'max ',
    -16, 0, -16, -2,
    1, 3, 1, 3, -16, 768, 0, 0, -2,
    -28, 15),
  stall: rows(0, 9, 121, 0, 10, 241, 0, 10, 481, 0, 0),
  memory: rows(0, 0, 0, 3, 3, 9, 512,
    'low 0', 'high 0', 'max 1', 'oom 1', 'oom_kill 1', 0,
    'low 0', 'high 0', 'max 0', 'oom 0', 'oom_kill 0', 0,
    1, 768, 'low 0', 'high 24', 'max 0', 'oom 0', 'oom_kill 0', 0,
    0, 0, 0),
  forkbomb: rows(0, 2, 19, -11, 20, 'max 1', 0, 1792, 21, 1, 0, 2, 0),
  kill: rows(0, 0, 4, 6, 1, 9, 0, 0),
  init: rows(0, 1, 1, 1, 1, 1),
};

// init in a group: cgroup.kill passes it over (and memory.max 0 would not make it a victim: a
// page it needs is charged past the limit); the boot ends normally.
const INIT = program('init', `${MACROS}
_start: MK "/g"
        WR "/g", "memory.max", "0"
        WR "/g", "cgroup.procs", "1"
        RD "/g", "cgroup.procs"
        WR "/g", "cgroup.kill", "1"
        li   a0, 3
        call sleep
        RD "/g", "pids.current"
        li   a0, 0
        call exit
${COMMON}`);

describe.each(CONFIG_NAMES)('control groups under %s', (config) => {
  it.each([FILES, STALL, MEMORY, FORKBOMB, KILL, INIT])('$name', (p: GuestProgram) => {
    const r = boot(config, { programs: [p] });
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
    // the OOM killer is the kernel killing a process: power-off code 4 (EXIT_KILLED)
    expect(r.exitCode).toBe(p === MEMORY ? 4 : 0);
  });

  // cpu.max 20% next to an unlimited hog: natively exactly 20% of the window, and a throttle in
  // every period; under a VMM the parent's samples fall a few ticks later (a VMM's switches cost
  // cycles), so the window is not whole periods: within half a point.
  it('cpu.max: 20% of the processor, throttled every period', () => {
    const r = boot(config, { programs: [CPUMAX] });
    const out = r.processes[0]!.output;
    const usage = stat(out, 'usage_usec');
    const [a0, b0, a1, b1] = usage as [number, number, number, number];
    const share = (a1 - a0) / (a1 - a0 + b1 - b0);
    const periods = stat(out, 'nr_periods');
    const throttled = stat(out, 'nr_throttled');
    if (config === 'native') {
      const ticks = [...out.matchAll(/^(\d+)$/gm)].map((m) => Number(m[1])).filter((n) => n > 100);
      expect({ ticks, a: a1 - a0, b: b1 - b0, share, periods: periods[2], throttled: throttled[2], throttledUsec: stat(out, 'throttled_usec')[2] })
        .toEqual({ ticks: [310, 1810], a: 10000, b: 40000, share: 0.2, periods: 12, throttled: 12, throttledUsec: 36400 });
    } else {
      expect(Math.abs(share - 0.2)).toBeLessThan(0.005);
    }
    expect(throttled[2]).toBe(periods[2]);
    expect(out.endsWith(rows(1, 1, 9, 9, 0, 0))).toBe(true);
  });

  // cpu.weight 100:300: 25:75; the hog alone afterwards gets every tick (work-conserving).
  it('cpu.weight: 25:75, and 100% alone', () => {
    const r = boot(config, { programs: [WEIGHTS] });
    const out = r.processes[0]!.output;
    const usage = stat(out, 'usage_usec');
    const [a0, b0, a1, b1, a2, a3] = usage as [number, number, number, number, number, number];
    const ticks = [...out.matchAll(/^(\d+)$/gm)].map((m) => Number(m[1])).filter((n) => n > 100);
    const alone = (a3 - a2) / (((ticks[3]! - ticks[2]!) * 100_000) / 3000);
    const share = (a1 - a0) / (a1 - a0 + b1 - b0);
    if (config === 'native') {
      expect({ a: a1 - a0, b: b1 - b0, share, alone: Math.round(alone * 1000) / 1000 }).toEqual({ a: 3334, b: 10000, share: 3334 / 13334, alone: 1 });
    } else {
      expect(Math.abs(share - 0.25)).toBeLessThan(0.01);
      expect(alone).toBeGreaterThan(0.98);
    }
  });
});

describe.each(CONFIG_NAMES)('nested groups under %s', (config) => {
  it('cpu.weight by level: /p and /q half and half, /p/x and /p/y a quarter each', () => {
    const r = boot(config, { programs: [NESTED] });
    const u = stat(r.processes[0]!.output, 'usage_usec');
    const [x, y, q] = [u[3]! - u[0]!, u[4]! - u[1]!, u[5]! - u[2]!];
    const total = x + y + q;
    if (config === 'native') expect({ x, y, q }).toEqual({ x: 3334, y: 3333, q: 6666 }); // 400 ticks: 13,333 us
    for (const [got, want] of [[x / total, 0.25], [y / total, 0.25], [q / total, 0.5]] as const) expect(Math.abs(got - want)).toBeLessThan(0.01);
    expect(r.processes[0]!.output.endsWith(rows(1, 1, 9, 9, 9, 0, 0, 0, 0))).toBe(true);
  });
});

describe('control groups leave nothing behind', () => {
  it('frames and groups are back where they started', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = framesInUse(boot('native', { programs: [idle] }));
    for (const p of [FILES, MEMORY, FORKBOMB, KILL]) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, frames: framesInUse(r), groups: cgroupsInUse(r) }).toEqual({ program: p.name, frames: base, groups: 1 });
    }
  });
});

// cgctl as a user types it (boot --shell --input): libcgroup's tools as subcommands.
const SESSION = [
  'cgctl create /box',
  'cgctl create /box',
  'cgctl set /box pids.max 2',
  'cgctl get /box pids.max',
  'cgctl exec /box cgctl get /box pids.current',
  'cgctl exec /box cgctl get / cgroup.procs', // init and the shell: cgctl itself is in /box
  'cgctl set /box cpu.max "1000 500"',
  'cgctl set /box cpu.max 50000',
  'cgctl get /box cpu.max',
  'cgctl get /nope cpu.max',
  'cgctl get /box nosuch',
  'cgctl delete /box',
  'cgctl get /box cpu.max',
  'cgctl exec /box true',
  'cgctl frob /box',
  '',
].join('\n');

describe('cgctl in a shell session', () => {
  it('prints the transcript', () => {
    const r = boot('native', { programs: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 } as never);
    const usage = 'usage: cgctl create PATH | delete PATH | set PATH FILE VALUE | get PATH FILE | exec PATH COMMAND [ARG...]\n';
    expect(r.processes[0]!.output).toBe(['$ ', '$ cgctl: /box: File exists\n', '$ ', '$ 2\n', '$ 1\n', '$ 1\n2\n', '$ cgctl: /box/cpu.max: Invalid argument\n',
      '$ ', '$ 50000 100000\n', '$ cgctl: /nope/cpu.max: No such file or directory\n', '$ cgctl: /box/nosuch: No such file or directory\n',
      '$ ', '$ cgctl: /box/cpu.max: No such file or directory\n', '$ cgctl: /box: No such file or directory\n', `$ ${usage}`, '$ '].join(''));
  });
});
