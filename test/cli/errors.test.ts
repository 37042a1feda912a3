// Bad input of every kind: a documented exit code, one clear message, never a stack trace.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectNoStackTrace, HELLO, ringlab, ROOT, THREE_ERRORS, useCli, type CliResult } from './helpers.js';

const cli = useCli();

describe('assembly errors', () => {
  it('exit 2 and list every error with file:line:column, the source line and a caret', () => {
    const file = cli.write('three.s', THREE_ERRORS);
    const r = ringlab(['run', file], { spawn: true });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    const expected: [line: number, column: number, message: RegExp][] = [
      [2, 22, /immediate 70000 is out of range for 'addi'/],
      [3, 9, /unknown instruction 'frob'/],
      [5, 9, /'add' takes 3 operands/],
    ];
    const sourceLines = THREE_ERRORS.split('\n');
    for (const [line, column, message] of expected) {
      const at = lines.findIndex((l) => l.includes(`${file}:${line}:${column}: error:`));
      expect(at, `an error at ${line}:${column} in\n${r.stderr}`).toBeGreaterThanOrEqual(0);
      expect(lines[at]).toMatch(message);
      expect(lines[at + 1]).toBe(sourceLines[line - 1]);
      expect(lines[at + 2]).toBe(`${' '.repeat(column - 1)}^`);
    }
    expect(r.stderr).toMatch(/3 errors in .*three\.s/);
    expectNoStackTrace(r);
  });

  it('are reported the same way by asm and disasm', () => {
    const file = cli.write('three-asm.s', THREE_ERRORS);
    for (const command of ['asm', 'disasm']) {
      const r = ringlab([command, file]);
      expect(r.status, command).toBe(2);
      expect(r.stderr, command).toMatch(/3 errors in/);
      expectNoStackTrace(r);
    }
  });

  it('name an include file that cannot be read', () => {
    const r = ringlab(['run', cli.write('inc.s', '.include "not-there.s"\n')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/inc\.s:1:10: error: cannot read include file 'not-there\.s'/);
  });
});

describe('usage errors exit 1', () => {
  it('a missing file', () => {
    for (const command of ['run', 'asm', 'disasm']) {
      const r = ringlab([command, join(cli.dir(), 'no-such-file.s')]);
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toMatch(/cannot read .*no-such-file\.s: no such file/);
      expectNoStackTrace(r);
    }
  });

  it('a directory instead of a file', () => {
    const r = ringlab(['run', cli.dir()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is a directory/);
  });

  it.each([
    [['--max-cycles', 'lots'], /--max-cycles expects a whole number/],
    [['--max-cycles', '-5'], /--max-cycles expects a whole number/],
    [['--max-cycles', '1.5'], /--max-cycles expects a whole number/],
    [['--memory', '1G'], /--memory expects a size/],
    [['--memory', '3'], /memory size must be a multiple of 4096/],
    [['--preset', 'nonesuch'], /argument 'nonesuch' is invalid/],
    [['--extensions', 'nonesuch'], /unknown ISA extension 'nonesuch'/],
    [['--input', '/no/such/input'], /cannot read --input \/no\/such\/input/],
    [['--no-such-option'], /unknown option '--no-such-option'/],
  ])('run %j', (args, message) => {
    const r = ringlab(['run', cli.write('hello.s', HELLO), ...args]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r);
  });

  it('an unknown command', () => {
    const r = ringlab(['frobnicate'], { spawn: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expectNoStackTrace(r);
  });

  it('more memory than the machine can have, natively and under a VMM (it was an internal error at 512M)', () => {
    const native = ringlab(['boot', '--memory', '512M', '--workload', 'compute']);
    expect(native.status).toBe(1);
    expect(native.stderr).toMatch(/memory size must be a multiple of 4096 between 4 KiB and 384 MiB/);
    const te = ringlab(['boot', '--config', 'te', '--memory', '384M', '--workload', 'compute']);
    expect(te.status).toBe(1);
    expect(te.stderr).toMatch(/the guest's memory under a VMM is at most 380 MiB/);
    expectNoStackTrace(native);
    expectNoStackTrace(te);
  });

  it('a missing argument', () => {
    const r = ringlab(['run']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing required argument 'file'/);
  });

  it('no command at all prints the usage', () => {
    const r = ringlab([], { spawn: true });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/Usage: ringlab/);
  });

  it('an unwritable output file', () => {
    const r = ringlab(['asm', cli.write('hello-w.s', HELLO), '-o', join(cli.dir(), 'no', 'such', 'dir', 'x.rli')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write .*x\.rli/);
    expectNoStackTrace(r);
  });
});

describe('help and version', () => {
  it('--help and --version exit 0', () => {
    const help = ringlab(['--help'], { spawn: true });
    expect(help.status).toBe(0);
    for (const command of ['run', 'asm', 'disasm', 'isa']) expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const runHelp = ringlab(['run', '--help']);
    expect(runHelp.status).toBe(0);
    for (const option of ['--max-cycles', '--stats', '--json', '--input', '--memory', '--preset', '--extensions']) {
      expect(runHelp.stdout).toContain(option);
    }
    const version = ringlab(['--version'], { spawn: true });
    expect(version.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});

describe('corrupted images exit 2 with a clear message', () => {
  it.each([
    ['truncated JSON', '{"format": "ringlab-image", "vers', /not a ringlab image \(invalid JSON/],
    ['random bytes', '\u0001\u00ff\u0013binary garbage\u0000', /not a ringlab image/],
    ['the wrong format', '{"format": "something-else"}', /format: expected "ringlab-image"/],
    ['bad base64', '{"format":"ringlab-image","version":1,"entry":0,"segments":[{"address":0,"data":"!!"}],"symbols":[],"lines":[]}', /segments\[0\]\.data/],
    ['a future version', '{"format":"ringlab-image","version":99,"entry":0,"segments":[],"symbols":[],"lines":[]}', /version/],
  ])('%s', (_name, text, message) => {
    const file = cli.write('corrupt.rli', text);
    for (const command of ['run', 'disasm']) {
      const r = ringlab([command, file]);
      expect(r.status, command).toBe(2);
      expect(r.stderr, command).toMatch(/corrupt\.rli/);
      expect(r.stderr, command).toMatch(message);
      expectNoStackTrace(r);
    }
  });
});

describe('no stack trace, ever', () => {
  // A grab bag of hostile inputs; each must end in a documented exit code.
  const cases: [string, () => CliResult, number[]][] = [
    ['an empty source file', () => ringlab(['run', cli.write('empty.s', ''), '--max-cycles', '100000']), [3]],
    ['a wild jump', () => ringlab(['run', cli.write('wild.s', '_start: li t0, 0x7ffffff0\n jalr zero, t0, 0\n'), '--max-cycles', '100000']), [3]],
    ['a privileged instruction in ring 3 with no handler', () => ringlab(['run', cli.write('priv.s', '_start: li t0, 3\n csrw ESTATUS, t0\n la t0, u\n csrw EPC, t0\n sret\nu: halt\n'), '--max-cycles', '100000']), [3]],
    ['divide by zero', () => ringlab(['run', cli.write('div0.s', '_start: div a0, a0, zero\n halt\n'), '--max-cycles', '100000']), [3]],
    ['paging on with no page tables (double fault)', () => ringlab(['run', cli.write('pt.s', '_start: li t0, 0x4000\n csrw TVEC, t0\n li t0, 0x10001\n csrw PTBR, t0\n halt\n')]), [3]],
    ['wfi with nothing to wake it', () => ringlab(['run', cli.write('wfi.s', '_start: wfi\n')]), [3]],
    ['a binary file as source', () => ringlab(['run', cli.write('bin.s', '\u0000\u0001\u0002\u00ff\n\u0007')]), [2]],
    ['a huge .space', () => ringlab(['asm', cli.write('huge.s', '.space 0x7fffffff\n')]), [2]],
    ['an .org beyond 4 GiB', () => ringlab(['run', cli.write('org.s', '.org 0xfffffffc\n .word 1, 2\n')]), [2]],
    ['an image with an entry beyond memory', () => ringlab(['run', cli.write('entry.rli', '{"format":"ringlab-image","version":1,"entry":4294967292,"segments":[],"symbols":[],"lines":[]}'), '--max-cycles', '100000']), [3]],
    ['an image with a segment beyond memory', () => ringlab(['run', cli.write('seg.rli', '{"format":"ringlab-image","version":1,"entry":0,"segments":[{"address":4294967292,"data":"UQAAAA=="}],"symbols":[],"lines":[]}')]), [3]],
  ];

  it.each(cases)('%s', (_name, run, codes) => {
    const r = run();
    expect(codes, `exit ${r.status}\n${r.stderr}`).toContain(r.status);
    expect(r.stderr.trim()).not.toBe('');
    expectNoStackTrace(r);
  });
});

describe('a reader that stops early', () => {
  it('ends the command quietly when its output pipe closes (`... | head -1`)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" asm programs/kernel/kernel.s -o "${cli.dir()}/k.rli" --listing | head -1`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE|at .+\(node:/);
  });
});
