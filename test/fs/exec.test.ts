// Executables (src/fs/exec.ts, programs/kernel/exec.s): what `asm --exec` writes reads back as
// the image's segments; any bytes either parse or give ExecFormatError; and the guest kernel
// agrees with the host on which files are executables: a damaged header is refused with
// ENOEXEC (init's child that execs it exits 126), never a kernel fault, whatever the field holds.

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXEC_HEADER, EXEC_SEGMENT, USER_SPACE } from '../../src/abi/layout.js';
import { assemble, type Image } from '../../src/asm/index.js';
import { findConfig } from '../../src/configs/index.js';
import { USER_DIR } from '../../src/configs/images.js';
import { ExecFormatError, executableExtensions, parseExecutable, toExecutable } from '../../src/fs/exec.js';
import { mkfs, openFs } from '../../src/fs/image.js';
import { B } from '../../src/fs/layout.js';
import { isaWith } from '../../src/isa/index.js';

function image(body: string): Image {
  const r = assemble(`        .include "user.inc"\n${body}\n        .include "lib.s"\n`, { fileName: join(USER_DIR, 'x.s'), isa: isaWith([]) });
  if (!r.ok) throw new Error(JSON.stringify(r.errors[0]));
  return r.image;
}

const HELLO = image(`_start: la   a0, text
        call print
        li   a0, 7
        call exit
text:   .asciz "hello\\n"
        .align 4
        .org 0x40003000             # a second segment, three pages on
late:   .word 1, 2, 3`);

/** A disk with the executable at /bin/x (and room for the system programs the boot adds). */
function diskWith(exec: Uint8Array): Uint8Array {
  const made = mkfs(64 * B, 64); // inodes: the system programs (SYSTEM_PROGRAMS), their directories and /bin/x
  if (!made.ok) throw new Error(made.detail);
  const fs = openFs(made.value);
  if (!fs.ok) throw new Error(fs.detail);
  expect(fs.value.mkdir('/bin').ok).toBe(true);
  expect(fs.value.writeFile('/bin/x', exec).ok).toBe(true);
  return made.value;
}

function run(exec: Uint8Array) {
  return findConfig('native')!.boot({ workloads: [], run: ['/bin/x'], disk: diskWith(exec), maxCycles: 50_000_000 });
}

describe('executables', () => {
  it('EX_ISA: the extensions the assembler saw, a bit each; 0 in files written before it existed', () => {
    const r = assemble('        .include "user.inc"\n_start: rdstatus t0\n        wrstatus t0\n        li a0, 0\n        call exit\n        .include "lib.s"\n', { fileName: join(USER_DIR, 'l.s'), isa: isaWith(['legacy']) });
    if (!r.ok) throw new Error(JSON.stringify(r.errors[0]));
    expect(r.image.extensions).toEqual(['legacy']);
    const bytes = toExecutable(r.image);
    expect(new DataView(bytes.buffer).getUint32(EXEC_HEADER.fields.ISA.offset, true)).toBe(1);
    expect(parseExecutable(bytes).isa).toBe(1);
    expect(executableExtensions(bytes)).toEqual(['legacy']);
    expect(executableExtensions(new TextEncoder().encode('#!/bin/sh\n'))).toBeUndefined();
    // An executable of the base ISA has the bytes it always had: the word was reserved, zero.
    const plain = toExecutable(HELLO);
    expect(new DataView(plain.buffer).getUint32(EXEC_HEADER.fields.ISA.offset, true)).toBe(0);
    expect(() => toExecutable({ ...HELLO, extensions: ['sse'] })).toThrow(/unknown ISA extension sse/);
  });

  it('asm --exec writes the image segments, merged where they touch, and its entry', () => {
    const exec = parseExecutable(toExecutable(HELLO));
    expect(exec.entry).toBe(HELLO.entry);
    expect(exec.segments.length).toBe(2);
    expect(exec.segments[1]!.vaddr).toBe(0x4000_3000);
    expect([...exec.segments[1]!.data.slice(0, 12)]).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]); // then lib.s
  });

  it('refuses an image that is not linked at USER_BASE', () => {
    const bare = assemble('        .org 0x1000\n_start: halt\n', { fileName: 'b.s', isa: isaWith([]) });
    if (!bare.ok) throw new Error('bare');
    expect(() => toExecutable(bare.image)).toThrow(ExecFormatError);
  });

  it('reads any bytes as an executable or an ExecFormatError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseExecutable(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(ExecFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the kernel runs a good one: both segments are where the file says', () => {
    const r = run(toExecutable(HELLO));
    expect(r.processes[0]).toMatchObject({ exitCode: 7, output: 'hello\n' });
  });

  it('the kernel and the host agree on a damaged header: ENOEXEC (126), never a kernel fault', () => {
    const good = toExecutable(HELLO);
    const H = EXEC_HEADER.fields;
    const S = EXEC_SEGMENT.fields;
    const fields = [H.MAGIC.offset, H.ENTRY.offset, H.NSEG.offset, H.ISA.offset, ...[0, 1].flatMap((i) => [S.VADDR, S.OFFSET, S.FILESZ, S.MEMSZ].map((f) => H.SEGS.offset + i * EXEC_SEGMENT.size + f.offset))];
    const USER_BASE = USER_SPACE.USER_BASE.value;
    const HEAP_BASE = USER_SPACE.HEAP_BASE.value;
    const values = [0, 1, 3, 9, 0xffff_ffff, 0x8000_0000, USER_BASE - B, USER_BASE + 0x10, HEAP_BASE - 4, HEAP_BASE, good.length, good.length + 1, 64 * B];
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.constantFrom(...fields), value: fc.constantFrom(...values) }), { minLength: 1, maxLength: 3 }), (damage) => {
        const bytes = good.slice();
        const view = new DataView(bytes.buffer);
        for (const { at, value } of damage) view.setUint32(at, value >>> 0, true);
        let valid = true;
        try {
          valid = parseExecutable(bytes).isa === 0; // the machine has no extension: EX_ISA must be 0
        } catch {
          valid = false;
        }
        const r = run(bytes);
        expect(r.console).not.toContain('panic');
        if (!valid) {
          expect(r.processes[0]!.exitCode).toBe(126);
          expect(r.processes[0]!.output).toBe('init: cannot run /bin/x: error 8\n'); // exec's ENOEXEC, in init's child
        } else {
          // It loads (or runs out of memory for a huge segment); what its code then does is its own.
          expect(r.console).not.toContain('error 8');
        }
      }),
      { numRuns: 60 },
    );
  });
});
