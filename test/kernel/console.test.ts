// The console's input (programs/kernel/console.s) as processes see it, in every configuration:
// input given up front reads the same whatever the interrupt timing, more input than the ring
// holds loses nothing and raises no interrupt storm, binary junk passes through untouched (or,
// on a terminal, is taken without harm), and with BOOT_TTY the kernel echoes and edits lines.
// Every config must give what native gives.

import { describe, expect, it } from 'vitest';
import { boot, CONFIG_NAMES, program } from './guests/guest.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

// Reads with read(0, buf, 100) and prints each as "n:" and the bytes, until it has read 0 twice
// (a terminal's Ctrl-D is 0 for one read) or 0 once after the input ended. Ignores SIGINT, so a
// terminal's Ctrl-C only drops the line.
const CAT = program('cat', `
_start: li   a0, SIGINT
        li   a1, SIG_IGN
        call signal
        li   s3, 0                  # zeros so far
.read:  li   a0, 0
        li   a1, HEAP_BASE
        li   a2, 100
        call read
        mv   s2, a0
        call print_dec
        li   a0, ':'
        call putch
        li   a0, HEAP_BASE
        mv   a1, s2
        bgt  s2, zero, .show
        addi s3, s3, 1
        li   t0, 2
        beq  s3, t0, .end
        j    .read
.show:  call putbuf
        j    .read
.end:   li   a0, 0
        call exit
`);

/** CAT's output for input read by a program on a non-terminal console: one read per line, at
 *  most 100 bytes each, then 0 twice (the input has ended). */
function catRaw(input: Uint8Array): string {
  let out = '';
  let pos = 0;
  while (pos < input.length) {
    let n = 0;
    while (n < 100 && pos + n < input.length) if (input[pos + n++] === 0x0a) break;
    out += `${n}:${latin1(input.slice(pos, pos + n))}`;
    pos += n;
  }
  return `${out}0:0:`;
}

// Computes first (while the interrupt fills the ring), then reads everything with 4096-byte
// reads: bytes, reads and a hash (h = 31h + byte).
const SUM = program('sum', `
_start: li   a0, SIGINT
        li   a1, SIG_IGN
        call signal
        li   t0, 200000
.spin:  addi t0, t0, -1
        bnez t0, .spin
        li   s1, 0                  # bytes
        li   s2, 0                  # hash
        li   s3, 0                  # reads
.read:  li   a0, 0
        li   a1, HEAP_BASE
        li   a2, 4096
        call read
        ble  a0, zero, .end
        addi s3, s3, 1
        add  s1, s1, a0
        li   t0, HEAP_BASE
        add  t1, t0, a0
.byte:  lbu  t2, 0(t0)
        li   t3, 31
        mul  s2, s2, t3
        add  s2, s2, t2
        addi t0, t0, 1
        bltu t0, t1, .byte
        j    .read
.end:   call result                 # the last read: 0
        mv   a0, s1
        call result
        mv   a0, s3
        call result
        mv   a0, s2
        call print_dec
        call newline
        li   a0, 0
        call exit
`);

function hash(input: Uint8Array): number {
  let h = 0;
  for (const b of input) h = (Math.imul(h, 31) + b) >>> 0;
  return h;
}

/** Lines of printable text, `n` bytes in all, the last without a newline. */
function text(n: number): Uint8Array {
  let seed = 12345;
  const out: number[] = [];
  while (out.length < n) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const len = (seed >>> 16) % 150;
    for (let i = 0; i < len && out.length < n; i++) out.push(0x20 + ((seed >>> (i % 24)) + i) % 95);
    if (out.length < n) out.push(0x0a);
  }
  return Uint8Array.from(out);
}

/** Every byte value, then pseudo-random bytes. */
function junk(): Uint8Array {
  const out: number[] = [];
  for (let r = 0; r < 4; r++) for (let b = 0; b < 256; b++) out.push(b);
  let seed = 99;
  for (let i = 0; i < 1500; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out.push(seed >>> 24);
  }
  return Uint8Array.from(out);
}

/** A program's output natively (SUM's number of reads depends on how much the ring held at each). */
const nativeRuns = new Map<string, string>();
function nativeOutput(key: string, input: Uint8Array, tty = false, guest = SUM): string {
  if (!nativeRuns.has(key)) nativeRuns.set(key, boot('native', { programs: [guest], input, tty }).processes[0]!.output);
  return nativeRuns.get(key)!;
}

/** SUM's output: the last read (0), the bytes, the reads, the hash. */
const sumLines = (output: string) => output.split('\n');

const RUB = '\b \b';

// Computes without a system call for a long while (far longer than a tick), then exits 0;
// SIGINT (not ignored) ends it sooner.
const SPIN = program('spin', `
_start: li   t0, 30000000
.spin:  addi t0, t0, -1
        bnez t0, .spin
        li   a0, 0
        call exit
`);

describe.each(CONFIG_NAMES)('console input under %s', (config) => {
  it('lines given up front read the same as natively, at most 100 bytes and one line a read', () => {
    const input = text(1500);
    const r = boot(config, { programs: [CAT], input });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: catRaw(input) });
  });

  it('more input than the ring holds, while the program computes: nothing lost, no interrupt storm', () => {
    const input = text(3000);
    const r = boot(config, { programs: [SUM], input });
    expect(r.processes[0]!.exitCode).toBe(0);
    const [last, total, reads, h] = sumLines(r.processes[0]!.output);
    expect([last, total, h]).toEqual(['0', '3000', String(hash(input))]);
    expect(Number(reads)).toBeGreaterThanOrEqual(3000 / 512);
    expect(r.processes[0]!.output).toBe(nativeOutput('text', input));
    // The ring fills at the first interrupt and the interrupt goes off until a read makes room.
    if (config === 'native') expect(r.stats.traps['ConsoleInterrupt'] ?? 0).toBeLessThanOrEqual(2);
  });

  it('binary junk passes as it is without a terminal: 0x03, 0x04, CR, DEL and bytes >= 0x80 are bytes', () => {
    const input = junk();
    const r = boot(config, { programs: [SUM], input });
    expect(r.processes[0]!.exitCode).toBe(0);
    const [last, total, , h] = sumLines(r.processes[0]!.output);
    expect([last, total, h]).toEqual(['0', String(input.length), String(hash(input))]);
    expect(r.processes[0]!.output).toBe(nativeOutput('junk', input));
    const raw = boot(config, { programs: [CAT], input: bytes('a\x03b\x04c\rd\x7f\x08\x15e\n') });
    expect(raw.processes[0]!.output).toBe('12:a\x03b\x04c\rd\x7f\x08\x15e\n0:0:');
  });

  it('binary junk on a terminal: taken without harm, the same in every config', () => {
    const input = junk();
    const r = boot(config, { programs: [CAT], input, tty: true });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(nativeOutput('junk tty', input, true, CAT));
  });

  it('a terminal: echo, CR to NL, backspace and DEL, Ctrl-U, Ctrl-C, ^X for control bytes, Ctrl-D', () => {
    const input = bytes('ab\x7fc\rhello wor\x15bye\rxyz\x03ok\rh\xc3\xa9\x7fi\r\x1b[A\x7f\x7f\x7f\rabc\x04\x04more\r');
    const r = boot(config, { programs: [CAT], input, tty: true });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: '3:ac\n4:bye\n3:ok\n3:hi\n1:\n3:abc0:5:more\n0:' });
    const echo = `ab${RUB}c\nhello wor${RUB.repeat(9)}bye\nxyz^C\nok\nh\xc3\xa9${RUB}i\n^[[A${RUB.repeat(4)}\nabcmore\n`;
    expect(r.console).toContain(Buffer.from(bytes(echo)).toString('utf8'));
  });

  it('a terminal line longer than the ring becomes readable as it is: nothing lost', () => {
    const r = boot(config, { programs: [CAT], input: bytes(`${'x'.repeat(600)}\r`), tty: true });
    const reads = [...r.processes[0]!.output.matchAll(/(\d+):(x*\n?)/g)];
    expect(reads.map((m) => m[2]).join('')).toBe(`${'x'.repeat(600)}\n`);
    expect(reads.every((m) => Number(m[1]) === m[2]!.length && m[2]!.length <= 100)).toBe(true);
  });

  it('a terminal Ctrl-C while a program computes: the line is dropped, SIGINT ends the program, not the one ignoring it', () => {
    // The ring fills with 512 of the 600 x's (a line as long as the ring is readable); the rest,
    // Ctrl-C and "ok" wait in the device until cat's first read makes room. spin is job 1, so it
    // exists by then.
    const r = boot(config, { programs: [SPIN, CAT], input: bytes(`${'x'.repeat(600)}\x03ok\r`), tty: true });
    expect(r.processes[0]!.exitCode).toBe(128 + 2);
    expect(r.processes[1]!.exitCode).toBe(0);
    const reads = [...r.processes[1]!.output.matchAll(/(\d+):([xok]*\n?)/g)];
    expect(reads.map((m) => m[2]).join('')).toBe(`${'x'.repeat(512)}ok\n`);
    expect(r.console).toContain(`${'x'.repeat(600)}^C\nok\n`);
  });
});
