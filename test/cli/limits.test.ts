// Issue 13 through the real binary: files that are not regular or too large, the include
// sandbox, and --include-root. Each case must end at once with a clear message and its exit code.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

describe('input files', () => {
  it('refuses a device as the program file (it read /dev/zero until memory ran out)', () => {
    const r = ringlab(['run', '/dev/zero']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read \/dev\/zero: is a character device, not a regular file/);
    expectNoStackTrace(r);
  });

  it('refuses a source file over the size limit, naming the file and the limit', () => {
    const big = cli.write('big.s', `# ${'x'.repeat(1 << 20)}\n`);
    const r = ringlab(['asm', big]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*big\.s: is 1\.0 MiB, more than the 1 MiB limit for source files/);
  });
});

describe('disasm', () => {
  it('refuses an image over 1 MiB at once (20 MB took 38 s and 3.1 GB)', () => {
    const r = ringlab(['disasm', cli.write('wide.s', '.space 2000000\n')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/wide\.s: the image has 1\.9 MiB of segments; disasm prints at most 1 MiB/);
    expect(r.stdout).toBe('');
  });
});

describe('the include sandbox', () => {
  it('refuses /etc/passwd and does not echo its lines', () => {
    const r = ringlab(['run', cli.write('passwd.s', '.include "/etc/passwd"\n')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/passwd\.s:1:10: error: include file '\/etc\/passwd' is outside the include root/);
    expect(r.stderr).not.toMatch(/root:/);
  });

  it('--include-root allows a wider directory, but still no devices', () => {
    mkdirSync(join(cli.dir(), 'lab'), { recursive: true });
    cli.write('defs.inc', '.equ CODE, 5\n');
    const main = cli.write('lab/main.s', '.include "../defs.inc"\n_start: li a0, CODE\n  out 0x30, a0\n');
    expect(ringlab(['run', main]).status).toBe(2);
    expect(ringlab(['run', main, '--include-root', cli.dir()]).status).toBe(5);
    expect(ringlab(['asm', main, '--include-root', cli.dir(), '-o', join(cli.dir(), 'main.rli')]).status).toBe(0);
    const zero = ringlab(['asm', cli.write('zero.s', '.include "/dev/zero"\n'), '--include-root', '/']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/zero\.s:1:10: error: cannot read include file '\/dev\/zero' .*: is a character device, not a regular file/);
    const missing = ringlab(['disasm', main, '--include-root', join(cli.dir(), 'nowhere')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--include-root .*nowhere: no such directory/);
  });
});

describe('console output', () => {
  const PRINT_LOOP = "_start: li t0, 'x'\n.loop: out 0x10, t0\n  j .loop\n";

  it('run --json keeps the first 1 MiB and says how much was printed (it kept all of it: 1.5 GB at 1e9 cycles)', () => {
    const file = cli.write('loop.s', PRINT_LOOP);
    const r = ringlab(['run', file, '--json', '--max-cycles', '15000000']);
    expect(r.status).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.console).toBe('x'.repeat(1 << 20));
    expect(j.consoleTruncated).toBe(true);
    expect(j.consoleBytes).toBeGreaterThan(1 << 20);
    // Without --json every byte is streamed to stdout.
    const plain = ringlab(['run', file, '--max-cycles', '15000000']);
    expect(plain.stdout.length).toBe(j.consoleBytes);
  });
});
