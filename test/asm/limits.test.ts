// Issue 13: no source may overflow the stack or make the assembler take unbounded time or
// memory, and `.include` reads only regular files inside the include root.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemble, assembleFile, type AssembleResult } from '../../src/asm/assembler.js';
import { formatAsmError } from '../../src/asm/errors.js';
import { LIBRARY_DIR, readInputText } from '../../src/asm/files.js';
import { lowestAddress } from '../../src/asm/image.js';
import { MAX_LINE_LENGTH, MAX_LINE_TOKENS, MAX_LINES, MAX_SOURCE_BYTES } from '../../src/asm/limits.js';
import { assemblyFailure } from '../../src/cli/load.js';
import { ExitCode } from '../../src/cli/errors.js';
import { isaWith, type Isa } from '../../src/isa/index.js';

const isa = isaWith();

function asm(source: string, files: Record<string, string> = {}): AssembleResult {
  return assemble(source, { fileName: 'limits.s', isa, readFile: (p) => files[p] });
}

function messages(r: AssembleResult): string[] {
  return r.ok ? [] : r.errors.map((e) => e.message);
}

describe('long input does not overflow the stack', () => {
  it('assembles a 200 KB .ascii string (it gave "Maximum call stack size exceeded")', () => {
    const text = 'abc\\x01é'.repeat(30_000);
    const r = asm(`msg: .asciz "${text}", "z"`);
    expect(messages(r)).toEqual([]);
    if (!r.ok) return;
    const bytes = r.image.segments[0]!.data;
    expect(bytes.length).toBe(30_000 * 6 + 1 + 2);
    expect([...bytes.subarray(0, 6)]).toEqual([0x61, 0x62, 0x63, 0x01, 0xc3, 0xa9]);
    expect([...bytes.subarray(bytes.length - 3)]).toEqual([0, 0x7a, 0]);
  });

  it('finds the lowest address of an image with more segments than fit in arguments', () => {
    const segments = Array.from({ length: 300_000 }, (_, i) => ({ address: 0x1000 + 8 * i, data: new Uint8Array(i === 0 ? 0 : 1) }));
    expect(lowestAddress(segments)).toBe(0x1008);
  });

  it('property: long runs of any fragment give errors or an image, never an internal error', () => {
    const fragment = fc.constantFrom('a', '"', '\\x41', 'é', '1,', '1+', '(', '-', 'L:', '\\a', ' ', '\\');
    const template = fc.constantFrom(
      (x: string) => `.ascii "${x}"`,
      (x: string) => `.byte ${x}1`,
      (x: string) => `.word ${x}1`,
      (x: string) => x,
      (x: string) => `.macro m a\n.ascii "\\a"\n.endm\nm ${x}`,
    );
    fc.assert(
      fc.property(fragment, template, fc.integer({ min: 1, max: 120_000 }), (f, t, n) => {
        const r = asm(t(f.repeat(n)));
        if (!r.ok) {
          expect(r.internal).toBeUndefined();
          for (const e of r.errors) expect(formatAsmError(e).length).toBeLessThan(1000);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('an internal assembler error', () => {
  it('is flagged, and the CLI reports it with exit 70, not 2', () => {
    const broken = new Proxy(isaWith(), {
      get() {
        throw new Error('boom');
      },
    }) as Isa;
    const r = assemble('nop', { fileName: 'x.s', isa: broken, readFile: () => undefined });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.internal).toBe(true);
    const e = assemblyFailure(r, 'x.s');
    expect(e.exitCode).toBe(ExitCode.INTERNAL);
    expect(e.message).toMatch(/internal assembler error: boom/);
  });
});

describe('limits on the input', () => {
  it(`rejects a line longer than ${MAX_LINE_LENGTH} characters, and shows only part of it`, () => {
    const r = asm(`nop\n.word ${'1+'.repeat(MAX_LINE_LENGTH)}1\nnop`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 2, column: MAX_LINE_LENGTH + 1 });
    expect(r.errors[0]!.message).toMatch(/lines may have at most 262144/);
    const text = formatAsmError(r.errors[0]!);
    expect(text.length).toBeLessThan(600);
    // The caret still sits under the column it names.
    const [, source, caret] = text.split('\n');
    expect(source!.endsWith('...')).toBe(true);
    expect(caret!.length).toBeLessThanOrEqual(source!.length);
  });

  it(`rejects more than ${MAX_LINE_TOKENS} tokens on one line`, () => {
    const r = asm(`.byte ${'1,'.repeat(MAX_LINE_TOKENS)}1`);
    expect(messages(r)).toEqual([`more than ${MAX_LINE_TOKENS} tokens on one line`]);
    const fine = asm(`.byte ${'1,'.repeat(4000)}1`);
    expect(messages(fine)).toEqual([]);
  });

  it('stops a macro that expands exponentially after MAX_LINES lines, quickly', () => {
    let source = '.macro m0\n.endm\n';
    for (let i = 1; i <= 40; i++) source += `.macro m${i}\nm${i - 1}\nm${i - 1}\n.endm\n`;
    const started = Date.now();
    const r = asm(`${source}m40\n`);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(messages(r)).toEqual([expect.stringContaining(`more than ${MAX_LINES} lines to assemble`)]);
  });

  it('rejects a macro argument that would make a line too long', () => {
    const r = asm(`.macro m a\n.ascii "\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a"\n.endm\nm ${'x'.repeat(100_000)}`);
    expect(messages(r)).toEqual([expect.stringMatching(/macro 'm' would make line 2 of limits\.s longer than 262144 characters/)]);
  });
});

describe('.include from the file system', () => {
  let dir = '';
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const assembleAt = (main: string, includeRoot?: string): AssembleResult => assembleFile(main, isa, {}, includeRoot);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringlab-include-'));
    mkdirSync(join(dir, 'lab'));
    write('outside.inc', '.equ OUTSIDE, 1\n');
    write('lab/defs.inc', '.equ INSIDE, 2\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads files in the directory of the main file and below', () => {
    const r = assembleAt(write('lab/ok.s', '.include "defs.inc"\n.word INSIDE\n'));
    expect(messages(r)).toEqual([]);
  });

  it("refuses a file outside the main file's directory, by relative or absolute path", () => {
    const rel = assembleAt(write('lab/up.s', '.include "../outside.inc"\n'));
    expect(rel.ok).toBe(false);
    if (rel.ok) return;
    expect(rel.errors[0]).toMatchObject({ line: 1, column: 10 });
    expect(rel.errors[0]!.message).toMatch(/include file '\.\.\/outside\.inc' is outside the include root .*lab/);
    const passwd = assembleAt(write('lab/passwd.s', '.include "/etc/passwd"\n'));
    expect(messages(passwd)).toEqual([expect.stringMatching(/include file '\/etc\/passwd' is outside the include root/)]);
  });

  it('lets --include-root widen the sandbox', () => {
    const r = assembleAt(write('lab/wide.s', '.include "../outside.inc"\n.word OUTSIDE\n'), dir);
    expect(messages(r)).toEqual([]);
  });

  it('refuses a symbolic link inside the root that leads outside it', () => {
    symlinkSync(join(dir, 'outside.inc'), join(dir, 'lab', 'link.inc'));
    const r = assembleAt(write('lab/link.s', '.include "link.inc"\n'));
    expect(messages(r)).toEqual([expect.stringMatching(/cannot read include file 'link\.inc' .*: it leads \(through a symbolic link\) to .*outside\.inc, outside the include root/)]);
  });

  it("always allows ringlab's own library (programs/lib)", () => {
    const r = assembleAt(write('lab/lib.s', `.include "${join(LIBRARY_DIR, 'hw.inc')}"\n.word CONSOLE_DATA\n`));
    expect(messages(r)).toEqual([]);
  });

  it('refuses devices, FIFOs, directories and files over the size limit', () => {
    const dev = assembleAt(write('zero.s', '.include "/dev/zero"\n'), '/');
    expect(messages(dev)).toEqual([expect.stringMatching(/cannot read include file '\/dev\/zero' .*: is a character device, not a regular file/)]);
    const folder = assembleAt(write('folder.s', '.include "lab"\n'));
    expect(messages(folder)).toEqual([expect.stringMatching(/is a directory, not a regular file/)]);
    write('big.inc', `# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`);
    const big = assembleAt(write('big.s', '.include "big.inc"\n'));
    expect(messages(big)).toEqual([expect.stringMatching(/is 1\.0 MiB, more than the 1 MiB limit for source files/)]);
    if (spawnSync('mkfifo', [join(dir, 'fifo.inc')]).status === 0) {
      const fifo = assembleAt(write('fifo.s', '.include "fifo.inc"\n'));
      expect(messages(fifo)).toEqual([expect.stringMatching(/is a FIFO, not a regular file/)]);
    }
  });

  it('reads the main file under the same rules', () => {
    expect(() => readInputText('/dev/zero')).toThrow(/is a character device/);
    const r = assembleFile('/dev/zero', isa);
    expect(messages(r)).toEqual(["cannot read '/dev/zero': is a character device, not a regular file"]);
  });
});
