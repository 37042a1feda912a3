// Every system call of the ABI table with hostile arguments: kernel addresses, unmapped and
// wrapping pointers, negative and huge numbers, a valid buffer, a valid path. The kernel must
// answer each with a result (an errno, or success), never panic, and answer the same in every
// configuration. Each call runs in a child of its own (so a call that changes the process, such
// as chroot, close(1) or unshare, changes nothing for the next one), which exits with the call's
// result; the parent prints the call and the child's wait status. Generic over the table: a new
// system call is tested the day it lands. The arguments are drawn by fast-check from a fixed
// seed, so the program, and its output, is the same on every run.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYSCALLS as ALL_SYSCALLS } from '../../src/abi/index.js';

/** The calls every kernel has (a -D HOST kernel's own are tested in test/kernel/hosted.test.ts). */
const SYSCALLS = ALL_SYSCALLS.filter((c) => !c.build);
import { boot, CONFIG_NAMES, program } from './guests/guest.js';

/** Calls left out, and why: they end the boot (exit, poweroff), would make the child go on
 *  running the test's own loop (fork, clone: their children are tested by the process tests), or
 *  answer the time, which no VMM need preserve (uptime). */
const SKIP = new Set(['exit', 'poweroff', 'fork', 'clone', 'uptime']);

/** Arguments some calls take only in a safe range: a huge sleep or nanobenchmark count would
 *  only make the test slow, and a random pid could name the test's own processes. */
const RANGES: Record<string, readonly (readonly string[])[]> = {
  sleep: [['0', '1', '-1']],
  nano_in: [['-1', '0', '2']],
  nano_csrw: [['-1', '0', '2']],
  nano_ptemod: [['-1', '0', '2']],
  kill: [['0', '-1', '99999', '1'], ['0', 'SIGKILL', '-1', '65']],
  veth: [['0', '-1', '99999']],
  setns: [['0', '-1', '99999']],
};

/** Hostile words: zero, small and negative numbers, the kernel's memory, the program's code,
 *  the top of the stack, the VMM's area, a pointer that wraps, and two valid pointers: BUF
 *  (a writable heap page) and STR (the string "/"). */
const WORDS = ['0', '1', '-1', '2', '0x10000', '0x40000000', '0x7ffffffc', '0xffc00000', '0x80000000', 'BUF', 'STR'] as const;

/** Argument tuples per call. */
const PER_CALL = 8;

function calls(): string {
  const lines: string[] = [];
  const rng = fc.sample(fc.array(fc.constantFrom(...WORDS), { minLength: 4, maxLength: 4 }), { seed: 17, numRuns: SYSCALLS.length * PER_CALL });
  let k = 0;
  for (const call of SYSCALLS) {
    if (SKIP.has(call.name)) continue;
    for (let n = 0; n < PER_CALL; n++) {
      const words = rng[k++]!;
      const args = call.args.map((_, i) => RANGES[call.name]?.[i] ? RANGES[call.name]![i]![(k + i) % RANGES[call.name]![i]!.length]! : words[i]!);
      args.forEach((a, i) => lines.push(a === 'BUF' ? `        li   a${i}, BUF` : a === 'STR' ? `        la   a${i}, str` : `        li   a${i}, ${a}`));
      lines.push(`        la   t3, ${call.name}`, `        la   t2, n_${call.name}`, '        call try');
    }
  }
  return lines.join('\n');
}

const HOSTILE = program('hostile', `
        .equ BUF, HEAP_BASE + 0x1000
_start:
${calls()}
        li   a0, 0
        call exit

# try(a0..a3 = the arguments, t3 = the wrapper, t2 = its name): call it in a child, which exits
# with the low byte of the result; then print a newline (what the child wrote, if it wrote, ends
# there), the name and the child's wait status.
try:    push ra
        push s1
        push s2
        mv   s1, t3
        mv   s2, t2
        push a0
        push a1
        push a2
        push a3
        call fork
        bnez a0, .parent
        pop  a3
        pop  a2
        pop  a1
        pop  a0
        jalr ra, s1, 0
        andi a0, a0, 0xff
        call exit
.parent:
        pop  a3
        pop  a2
        pop  a1
        pop  a0
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        call newline
        mv   a0, s2
        call print
        li   a0, ' '
        call putch
        la   a0, status
        lw   a0, 0(a0)
        call result
        pop  s2
        pop  s1
        pop  ra
        ret
str:    .asciz "/"
${SYSCALLS.filter((c) => !SKIP.has(c.name)).map((c) => `n_${c.name}: .asciz "${c.name}"`).join('\n')}
        .align 4
`);

describe('every system call with hostile arguments', () => {
  const native = boot('native', { programs: [HOSTILE] });

  it('answers natively, and the kernel does not panic', () => {
    expect(native.halted).toBe(true);
    expect([0, 4]).toContain(native.exitCode); // 4: a child was killed by a signal (e.g. SIGPIPE)
    expect(native.processes[0]!.exitCode).toBe(0);
    const answered = native.processes[0]!.output.split('\n').filter((l) => /^[a-z_0-9]+ -?\d+$/.test(l)).length;
    expect(answered).toBe(SYSCALLS.filter((c) => !SKIP.has(c.name)).length * PER_CALL);
  });

  it.each(CONFIG_NAMES.filter((c) => c !== 'native'))('answers the same under %s', (config) => {
    const r = boot(config, { programs: [HOSTILE] });
    expect(r.exitCode).toBe(native.exitCode);
    expect(r.processes[0]!.output).toBe(native.processes[0]!.output);
  });
});
