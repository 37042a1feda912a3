// Processes as programs see them, in every configuration: fork with copy-on-write (each side
// sees its own writes), wait and its status word, zombies and orphans (init adopts them), exec
// with arguments and every way it can fail, kill and signal with their default actions, the
// process limit (fork past it is EAGAIN and the kernel stays up), and frame reference counts
// back where they started once everything has exited. Each program prints what it saw; every
// config must print what native prints.

import { describe, expect, it } from 'vitest';
import { CONFIG_NAMES, framesInUse, boot as guestBoot, program, type GuestProgram } from './guests/guest.js';

/** reap: wait(-1, &st, 0); print whether it failed and the status word (result, guest.ts). */
const PRINT = `
reap:   push ra
        li   a0, -1
        la   a1, st
        li   a2, 0
        call wait
        srli a0, a0, 31             # 1 if wait failed (a pid would depend on the interleaving)
        call result
        la   a0, st
        lw   a0, 0(a0)
        call result
        pop  ra
        ret
st:     .word 0
`;

// Copy-on-write: after fork both sides see the values from before, and each its own writes, in
// the heap, the stack and the program's own data; the parent writes first on one page, the
// child first on another.
const COW = program('cow', `
_start: li   s0, HEAP_BASE
        li   t0, 111
        sw   t0, 0(s0)              # heap page 1
        li   t0, 222
        sw   t0, 4096(s0)           # heap page 2
        li   t0, 333
        push t0                     # the stack
        la   t1, datum
        li   t0, 444
        sw   t0, 0(t1)              # the program's data
        call fork
        mv   s1, a0
        beqz s1, .child
        li   t0, 1111               # the parent writes page 1 first
        sw   t0, 0(s0)
        call reap                   # the child ran to its end meanwhile
        lw   a0, 0(s0)
        call result                 # 1111: its own write
        lw   a0, 4096(s0)
        call result                 # 222: the child's write did not reach it
        lw   a0, 0(sp)
        call result                 # 333
        la   t1, datum
        lw   a0, 0(t1)
        call result                 # 444
        li   a0, 0
        call exit
.child: lw   a0, 0(s0)
        call result                 # 111 (the parent's later write is not here)
        li   t0, 2222
        sw   t0, 4096(s0)           # the child writes page 2
        lw   a0, 4096(s0)
        call result                 # 2222
        li   t0, 3333
        sw   t0, 0(sp)
        lw   a0, 0(sp)
        call result                 # 3333
        la   t1, datum
        li   t0, 4444
        sw   t0, 0(t1)
        lw   a0, 0(t1)
        call result                 # 4444
        li   a0, 300                # exit keeps the low 8 bits: 44
        call exit
datum:  .word 0
${PRINT}`);

// wait: no child (ECHILD), WNOHANG with a running child (0), a bad status pointer (EFAULT, the
// zombie stays and is collected next), a bad option (EINVAL), waiting for one pid, getppid.
const WAIT = program('waiter', `
_start: li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
        call result                 # -10 ECHILD
        call fork
        beqz a0, .child1
        mv   s0, a0                 # s0 = the child
        li   a0, -1
        li   a1, 0
        li   a2, WNOHANG
        call wait
        call result                 # 0: it sleeps still
        li   a0, -1
        li   a1, 0
        li   a2, 6
        call wait
        call result                 # -22 EINVAL
        li   a0, -1
        li   a1, 0x10000            # kernel memory
        li   a2, 0
        call wait
        call result                 # -14 EFAULT (it ended: it is a zombie, kept)
        mv   a0, s0
        la   a1, st
        li   a2, 0
        call wait
        sub  a0, a0, s0
        call result                 # 0: that pid
        la   a0, st
        lw   a0, 0(a0)
        call result                 # 7 << 8 = 1792
        mv   a0, s0
        li   a1, 0
        li   a2, 0
        call wait
        call result                 # -10: reaped already
        call getppid
        call result                 # 1: init started this process
        li   a0, 0
        call exit
.child1:
        li   a0, 3
        call sleep
        li   a0, 7
        call exit
${PRINT}`);

// Orphans: the child forks a grandchild and exits; the grandchild, adopted by init, sees
// getppid() = 1 and ends; init collects it (the boot ends, so nothing is left over). The
// grandchild sleeps 4 ticks, so that the parent's reap is printed first under every config: with
// 2, bt (which translates the exit and wait paths the first time they run) printed it only
// 29,000 cycles ahead of the grandchild, and with page-table tracing not at all.
const ORPHAN = program('orphan', `
_start: call fork
        beqz a0, .child
        call reap                   # the child: status 0
        li   a0, 10                 # long enough for the grandchild to finish
        call sleep
        li   a0, 0
        call exit
.child: call fork
        beqz a0, .grand
        li   a0, 0
        call exit                   # the grandchild is an orphan now
.grand: li   a0, 4
        call sleep
        call getppid
        call result                 # 1
        li   a0, 5
        call exit
${PRINT}`);

// Signals: SIGTERM ends a spinning child (status 15); one that ignores SIGTERM survives it and
// dies of SIGKILL (9); a sleeping child dies at once; SIGCHLD is ignored; odd arguments; and a
// process that signals itself ends with 128 + 15.
const SIGNALS = program('signals', `
_start: call fork                   # 1. SIGTERM
        beqz a0, .spin
        li   a1, SIGTERM
        call kill
        call result                 # 0
        call reap                   # 0, 15
        call fork                   # 2. ignores SIGTERM; SIGKILL
        beqz a0, .ignorer
        mv   s0, a0
        li   a0, 2                  # let it set SIG_IGN
        call sleep
        mv   a0, s0
        li   a1, SIGTERM
        call kill
        mv   a0, s0
        li   a1, SIGCHLD
        call kill
        mv   a0, s0
        li   a1, 0
        call kill
        call result                 # 0: still alive
        mv   a0, s0
        li   a1, SIGKILL
        call kill
        call reap                   # 0, 9
        call fork                   # 3. asleep for a long time: dies at once
        beqz a0, .sleeper
        li   a1, SIGINT
        call kill
        call reap                   # 0, 2
        li   a0, 1                  # 4. odd arguments
        li   a1, SIGTERM
        call kill
        call result                 # -1 EPERM
        li   a0, 0x7fff
        li   a1, SIGTERM
        call kill
        call result                 # -3 ESRCH
        call getpid
        li   a1, 3
        call kill
        call result                 # -22 EINVAL (no signal 3 here)
        li   a0, SIGKILL
        li   a1, SIG_IGN
        call signal
        call result                 # -22
        li   a0, SIGTERM
        li   a1, SIG_IGN
        call signal
        call result                 # 0 (it was SIG_DFL)
        li   a0, SIGTERM
        li   a1, SIG_DFL
        call signal
        call result                 # 1 (it was SIG_IGN)
        call getpid                 # 5. itself
        li   a1, SIGTERM
        call kill
        li   a0, 0                  # never reached
        call exit
.spin:  call yield
        j    .spin
.ignorer:
        li   a0, SIGTERM
        li   a1, SIG_IGN
        call signal
        j    .spin
.sleeper:
        li   a0, 100000
        call sleep
        li   a0, 0
        call exit
${PRINT}`);

// exec: arguments arrive on the new stack; every failure leaves the caller running.
const EXECS = program('execs', `
_start: la   a0, p_none             # ENOENT
        li   a1, 0
        call exec
        call result
        la   a0, p_bin              # EACCES: a directory
        li   a1, 0
        call exec
        call result
        la   a0, p_data             # ENOEXEC: make a file that is not an executable
        li   a1, O_CREAT | O_WRONLY
        call open
        mv   s0, a0
        la   a1, p_data
        li   a2, 8
        call write
        mv   a0, s0
        call close
        la   a0, p_data
        li   a1, 0
        call exec
        call result
        la   a0, p_echo             # EFAULT: argv in kernel memory
        li   a1, 0x10000
        call exec
        call result
        la   a0, p_echo             # EFAULT: an argument that is not readable
        la   a1, bad_argv
        call exec
        call result
        la   a0, p_echo             # E2BIG: more than MAXARG arguments
        la   a1, many_argv
        call exec
        call result
        li   t0, HEAP_BASE          # E2BIG: a 5000-byte argument
        li   t1, 5000
        li   t2, 'x'
.fill:  sb   t2, 0(t0)
        addi t0, t0, 1
        addi t1, t1, -1
        bnez t1, .fill
        sb   zero, 0(t0)
        la   a0, p_echo
        la   a1, big_argv
        call exec
        call result
        call fork                   # and one that works: echo with arguments, in a child
        beqz a0, .child
        call reap
        li   a0, 0
        call exit
.child: la   a0, p_echo
        la   a1, echo_argv
        call exec
        call result                 # not reached
        li   a0, 1
        call exit
p_none: .asciz "/bin/none"
p_bin:  .asciz "/bin"
p_data: .asciz "/notexec"
p_echo: .asciz "/bin/echo"
s_echo: .asciz "echo"
s_a:    .asciz "one"
s_b:    .asciz "two words"
        .align 4
bad_argv:  .word s_echo, 0x7ffffff0 + 0x10000000, 0
big_argv:  .word s_echo, HEAP_BASE, 0
echo_argv: .word s_echo, s_a, s_b, 0
many_argv: .word ${Array(33).fill('s_a').join(', ')}, 0
${PRINT}`);

// The process limit: fork until EAGAIN (the children sleep), then kill and collect them all;
// afterwards fork works again.
const LIMIT = program('limit', `
_start: li   s0, 0                  # children made
.more:  call fork
        beqz a0, .child
        blt  a0, zero, .full
        addi s0, s0, 1
        j    .more
.full:  call result                 # -11 EAGAIN
        mv   a0, s0
        call result                 # NPROC - 2 (init and this process)
        mv   s1, s0
.kill:  beqz s1, .reaped
        li   a0, -1
        li   a1, 0
        li   a2, WNOHANG
        call wait                   # nobody has ended yet: 0
        bnez a0, .bad
        call getpid                 # children are pids getpid+1 ..
        add  a0, a0, s1
        li   a1, SIGKILL
        call kill
        li   a0, -1
        la   a1, st
        li   a2, 0
        call wait
        addi s1, s1, -1
        j    .kill
.reaped:
        call fork                   # room again
        beqz a0, .quick
        call reap
        li   a0, 0
        call exit
.bad:   call result
        li   a0, 1
        call exit
.child: li   a0, 1000000
        call sleep
.quick: li   a0, 0
        call exit
${PRINT}`);

// A fork bomb with a fuse: every process forks up to 5 children, to a depth of 4 (781 processes
// if there were room), and waits for them. The table fills, forks fail with EAGAIN, and
// everything still ends: the kernel stays up and powers off cleanly.
const BOMB = program('bomb', `
_start: li   s0, 0                  # s0 = depth
        li   s2, 0                  # s2 = EAGAINs seen by the first process
.level: li   s1, 5                  # s1 = forks left at this level
.fork:  beqz s1, .wait
        addi s1, s1, -1
        call fork
        beqz a0, .child
        bge  a0, zero, .fork
        addi s2, s2, 1
        j    .fork
.child: addi s0, s0, 1
        li   t0, 4
        blt  s0, t0, .level
.wait:  li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
        bge  a0, zero, .wait        # until ECHILD
        bnez s0, .quiet
        la   a0, m_done
        call print
.quiet: li   a0, 0
        call exit
m_done: .asciz "done\\n"
        .align 4
`);

function boot(config: string, programs: GuestProgram[]) {
  return guestBoot(config, { programs, maxCycles: 2_000_000_000 });
}

const EXPECTED: Record<string, string> = {
  cow: '111\n2222\n3333\n4444\n0\n11264\n1111\n222\n333\n444\n',
  waiter: '-10\n0\n-22\n-14\n0\n1792\n-10\n1\n',
  orphan: '0\n0\n1\n',
  signals: '0\n0\n15\n0\n0\n9\n0\n2\n-1\n-3\n-22\n-22\n0\n1\n',
  execs: '-2\n-13\n-8\n-14\n-14\n-7\n-7\none two words\n0\n0\n',
  limit: '-11\n62\n0\n0\n',
};
const CODES: Record<string, number> = { cow: 0, waiter: 0, orphan: 0, signals: 128 + 15, execs: 0, limit: 0 };

describe.each(CONFIG_NAMES)('processes under %s', (config) => {
  it.each([COW, WAIT, ORPHAN, SIGNALS, EXECS])('$name', (p) => {
    const r = boot(config, [p]);
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(CODES[p.name]);
  });
});

describe('the process limit', () => {
  it.each(['native', 'te'])('fork past NPROC is EAGAIN, the kernel stays up, and fork works again once the children are gone (%s)', (config) => {
    const r = boot(config, [LIMIT]);
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED['limit']);
  });
});

describe('a fork bomb', () => {
  it.each(['native', 'vtx-ept'])('is contained by the process table: forks fail with EAGAIN, everything ends, power off 0 (%s)', (config) => {
    const r = boot(config, [BOMB]);
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe('done\n');
  });
});

describe('frame reference counts', () => {
  it('are back where they started once forks, copy-on-write faults, execs and kills are over', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const baseline = framesInUse(boot('native', [idle]));
    for (const p of [COW, WAIT, ORPHAN, SIGNALS, EXECS, LIMIT, BOMB]) {
      expect({ program: p.name, frames: framesInUse(boot('native', [p])) }).toEqual({ program: p.name, frames: baseline });
    }
  });
});
