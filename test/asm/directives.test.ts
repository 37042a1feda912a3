import { describe, expect, it } from 'vitest';
import { assemble, type AssembleResult } from '../../src/asm/assembler.js';
import { formatAsmError } from '../../src/asm/errors.js';
import type { Image } from '../../src/asm/image.js';
import { formatListing } from '../../src/asm/listing.js';
import { decodeWord, isaWith } from '../../src/isa/index.js';

const isa = isaWith();

function ok(source: string, files: Record<string, string> = {}): Extract<AssembleResult, { ok: true }> {
  const r = assemble(source, { fileName: 'main.s', isa, readFile: (p) => files[p] });
  if (!r.ok) throw new Error(r.errors.map(formatAsmError).join('\n'));
  return r;
}

function bytes(image: Image, index = 0): number[] {
  return [...image.segments[index]!.data];
}

function words(image: Image, index = 0): number[] {
  const d = image.segments[index]!.data;
  const out: number[] = [];
  for (let i = 0; i + 4 <= d.length; i += 4) out.push((d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) >>> 0);
  return out;
}

/** Mnemonics and operands of the words of segment 0. */
function insns(image: Image): string[] {
  return words(image).map((w) => {
    const d = decodeWord(isa, w);
    return d ? `${d.insn.mnemonic} ${d.rd} ${d.rs1} ${d.rs2} ${d.imm}` : `?${w.toString(16)}`;
  });
}

function sym(image: Image, name: string): number | undefined {
  return image.symbols.find((s) => s.name === name)?.value;
}

describe('data directives', () => {
  it('.byte .half .word are little-endian and range-checked', () => {
    const r = ok('.byte 1, -1, 255\n.half 0x1234, -2\n.word 0xdeadbeef\n');
    expect(bytes(r.image)).toEqual([1, 0xff, 0xff, 0x34, 0x12, 0xfe, 0xff, 0xef, 0xbe, 0xad, 0xde]);
  });

  it('.ascii and .asciz with escapes', () => {
    const r = ok('.ascii "a\\n\\t\\"\\\\", "b"\n.asciz "x\\0y"\n');
    expect(bytes(r.image)).toEqual([97, 10, 9, 34, 92, 98, 120, 0, 121, 0]);
  });

  it('.space with fill, and .align pads to a power of two', () => {
    const r = ok('.byte 1\n.space 3, 0xaa\n.byte 2\n.align 4\nafter: .byte 3\n.align 8\nend:');
    expect(bytes(r.image)).toEqual([1, 0xaa, 0xaa, 0xaa, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(sym(r.image, 'after')).toBe(8);
    expect(sym(r.image, 'end')).toBe(16);
  });

  it('.org starts new segments; the entry point defaults sensibly', () => {
    const r = ok('.org 0x1000\nstart: nop\n.org 0x2000\n.word 7\n');
    expect(r.image.segments.map((s) => [s.address, s.data.length])).toEqual([[0x1000, 4], [0x2000, 4]]);
    expect(r.image.entry).toBe(0x1000);
    expect(ok('.org 0x40\n.word 1\n_start: nop\nstart: nop').image.entry).toBe(0x44);
    expect(ok('.org 0x300\n.word 1\n.org 0x200\n.word 2').image.entry).toBe(0x200);
    expect(ok('.entry main + 4\nmain: nop\nnop').image.entry).toBe(4);
  });

  it('.equ, .set and NAME = expr', () => {
    const r = ok('.equ A, 3\n.set B, A\nB = B + 1\nC = B * 2\n.word A, B, C\n');
    expect(words(r.image)).toEqual([3, 4, 8]);
    expect(r.image.symbols.filter((s) => s.kind === 'equ').map((s) => [s.name, s.value])).toEqual([['A', 3], ['B', 4], ['C', 8]]);
  });
});

describe('labels', () => {
  it('local labels are scoped to the previous global label', () => {
    const r = ok(['f:', '.loop: nop', '  bnez a0, .loop', 'g:', '.loop: nop', '  bnez a0, .loop', '  j f.loop'].join('\n'));
    expect(sym(r.image, 'f.loop')).toBe(0);
    expect(sym(r.image, 'g.loop')).toBe(8);
    expect(insns(r.image)).toEqual(['addi 0 0 0 0', 'bne 0 4 0 -4', 'addi 0 0 0 0', 'bne 0 4 0 -4', 'jal 0 0 0 -16']);
  });

  it('a label shares a line with an instruction or directive; labels record file and line', () => {
    const r = ok('a: b: nop\nc: .word a');
    expect([sym(r.image, 'a'), sym(r.image, 'b'), sym(r.image, 'c')]).toEqual([0, 0, 4]);
    expect(r.image.symbols.find((s) => s.name === 'c')).toMatchObject({ kind: 'label', file: 'main.s', line: 2 });
  });
});

describe('instructions', () => {
  it('operands follow each instruction syntax', () => {
    const r = ok([
      'add a0, a1, a2', 'addi sp, sp, -16', 'ori t0, zero, 0xffff', 'slli a0, a0, 31', 'lui a0, 0x1234',
      'lw a0, 8(sp)', 'sb t1, -1(a0)', 'lw a1, (a0)', 'beq a0, zero, 0', 'jal ra, 0x100000',
      'csrr t0, CAUSE', 'csrw tvec, t0', 'csrw 7, a0', 'in a0, 0x10', 'out 65535, a1', 'tlbflush a0', 'syscall',
      'ADD R1, R2, R3',
    ].join('\n'));
    expect(insns(r.image)).toEqual([
      'add 4 5 6 0', 'addi 2 2 0 -16', 'ori 8 0 0 65535', 'slli 4 4 0 31', 'lui 4 0 0 4660',
      'lw 4 2 0 8', 'sb 0 4 9 -1', 'lw 5 4 0 0', 'beq 0 4 0 -32', 'jal 1 0 0 1048540',
      'csrr 8 0 0 3', 'csrw 0 8 0 6', 'csrw 0 4 0 7', 'in 4 0 0 16', 'out 0 5 0 65535', 'tlbflush 0 4 0 0', 'syscall 0 0 0 0',
      'add 1 2 3 0',
    ]);
  });

  it('line table has one entry per instruction word and data statement', () => {
    const r = ok('nop\nli a0, 0x12345678\n.word 1, 2\n');
    expect(r.image.lines).toEqual([
      { address: 0, file: 'main.s', line: 1 }, { address: 4, file: 'main.s', line: 2 },
      { address: 8, file: 'main.s', line: 2 }, { address: 12, file: 'main.s', line: 3 },
    ]);
  });

  it("attributes a macro's instructions to the line that invoked the outermost macro", () => {
    const files = { 'defs.s': '.macro inner r\n  addi \\r, \\r, 1\n.endm\n.macro outer r\n  inner \\r\n  inner \\r\n.endm\n' };
    const r = ok('.include "defs.s"\nnop\nouter a0\nnop\n', files);
    expect(r.image.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['main.s:2', 'main.s:3', 'main.s:3', 'main.s:4']);
  });
});

describe('pseudo-instructions', () => {
  it.each([
    ['nop', ['addi 0 0 0 0']],
    ['li a0, 5', ['addi 4 0 0 5']],
    ['li a0, -32768', ['addi 4 0 0 -32768']],
    ['li a0, 0xffff', ['ori 4 0 0 65535']],
    ['li a0, 0x12345678', ['lui 4 0 0 4660', 'ori 4 4 0 22136']],
    ['li a0, -65536', ['lui 4 0 0 65535', 'ori 4 4 0 0']],
    ['la a0, 0x8', ['lui 4 0 0 0', 'ori 4 4 0 8']],
    ['mv a0, a1', ['addi 4 5 0 0']],
    ['not a0, a1', ['sub 4 0 5 0', 'addi 4 4 0 -1']],
    ['neg a0, a1', ['sub 4 0 5 0']],
    ['j 0x40', ['jal 0 0 0 64']],
    ['jr t0', ['jalr 0 8 0 0']],
    ['call 0x40', ['jal 1 0 0 64']],
    ['ret', ['jalr 0 1 0 0']],
    ['push s0', ['addi 2 2 0 -4', 'sw 0 2 12 0']],
    ['pop s0', ['lw 12 2 0 0', 'addi 2 2 0 4']],
    ['beqz a0, 8', ['beq 0 4 0 8']],
    ['bnez a0, 8', ['bne 0 4 0 8']],
    ['bgt a0, a1, 8', ['blt 0 5 4 8']],
    ['ble a0, a1, 8', ['bge 0 5 4 8']],
    ['bgtu a0, a1, 8', ['bltu 0 5 4 8']],
    ['bleu a0, a1, 8', ['bgeu 0 5 4 8']],
  ])('%s', (src, expected) => {
    expect(insns(ok(src).image)).toEqual(expected);
  });

  it('li size is decided in pass 1: forward references take two words, and the layout agrees', () => {
    const r = ok(['li a0, SMALL', 'li a1, 3', 'after: nop', '.equ SMALL, 3'].join('\n'));
    expect(insns(r.image)).toEqual(['lui 4 0 0 0', 'ori 4 4 0 3', 'addi 5 0 0 3', 'addi 0 0 0 0']);
    expect(sym(r.image, 'after')).toBe(12);
    const labels = ok(['back: nop', 'li a0, back', 'li a1, fwd', 'fwd: nop'].join('\n'));
    expect(insns(labels.image)).toEqual(['addi 0 0 0 0', 'addi 4 0 0 0', 'lui 5 0 0 0', 'ori 5 5 0 16', 'addi 0 0 0 0']);
  });
});

describe('conditional assembly', () => {
  it('.if / .elseif / .else / .endif, nested', () => {
    const src = (n: number): string => [
      `.equ N, ${n}`,
      '.if N == 1', '.word 1', '.elseif N == 2', '  .if 0', '  .word 99', '  .else', '  .word 2', '  .endif',
      '.else', '.word 3', '.endif',
    ].join('\n');
    expect(words(ok(src(1)).image)).toEqual([1]);
    expect(words(ok(src(2)).image)).toEqual([2]);
    expect(words(ok(src(7)).image)).toEqual([3]);
  });

  it('.ifdef / .ifndef, and skipped branches may hold anything', () => {
    const r = ok(['.equ X, 1', '.ifdef X', '.word 1', '.endif', '.ifndef X', 'garbage "unterminated', '.if (', '.endif', '.endif', '.ifndef Y', '.word 2', '.endif'].join('\n'));
    expect(words(r.image)).toEqual([1, 2]);
  });
});

describe('macros', () => {
  it('parameters and \\@ unique labels', () => {
    const src = [
      '.macro countdown reg, n',
      '  li \\reg, \\n',
      'loop\\@: addi \\reg, \\reg, -1',
      '  bnez \\reg, loop\\@',
      '.endm',
      'countdown a0, 3',
      'countdown a1, 4',
    ].join('\n');
    const r = ok(src);
    expect(insns(r.image)).toEqual(['addi 4 0 0 3', 'addi 4 4 0 -1', 'bne 0 4 0 -4', 'addi 5 0 0 4', 'addi 5 5 0 -1', 'bne 0 5 0 -4']);
    expect(sym(r.image, 'loop0')).toBe(4);
    expect(sym(r.image, 'loop1')).toBe(16);
  });

  it('recursive macros terminate through .if; arguments may hold parentheses and commas in parens', () => {
    const src = [
      '.macro words n', '.if \\n > 0', '.word \\n', 'words \\n - 1', '.endif', '.endm',
      'words 3',
      '.macro load r, m', 'lw \\r, \\m', '.endm',
      'load a0, 4(sp)',
    ].join('\n');
    const r = ok(src);
    expect(words(r.image).slice(0, 3)).toEqual([3, 2, 1]);
    expect(insns(r.image)[3]).toBe('lw 4 2 0 4');
  });

  it('a label on the invocation line marks the expansion', () => {
    const r = ok('.macro two\nnop\nnop\n.endm\nnop\nhere: two\n');
    expect(sym(r.image, 'here')).toBe(4);
  });
});

describe('.include', () => {
  it('includes relative to the including file', () => {
    const files = { 'lib/defs.s': '.equ SIZE, 8\n.include "more.s"\n', 'lib/more.s': 'helper: ret\n' };
    const r = assemble('.include "lib/defs.s"\n.word SIZE\n', { fileName: 'main.s', isa, readFile: (p) => files[p as keyof typeof files] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image.symbols.find((s) => s.name === 'helper')).toMatchObject({ value: 0, file: 'lib/more.s', line: 1 });
    expect(r.image.lines.map((l) => `${l.file}:${l.line}`)).toEqual(['lib/more.s:1', 'main.s:2']);
  });
});

describe('listing', () => {
  it('shows address, words or bytes, file:line and the source', () => {
    const r = ok('start: addi a0, zero, 1\n.byte 1, 2\n# comment\n');
    const text = formatListing(r.listing);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^00000000  10400001 +main\.s:1  start: addi a0, zero, 1$/);
    expect(lines[1]).toMatch(/^00000004  01 02 +main\.s:2  \.byte 1, 2$/);
    expect(lines[2]).toMatch(/main\.s:3  # comment$/);
  });
});

describe('build options (AssembleOptions.defines, -D)', () => {
  const source = '.ifdef FAST\n  li a0, FAST\n.else\n  li a0, 7\n.endif\n';
  const build = (defines?: Record<string, number>) => assemble(source, { fileName: 'main.s', isa, defines });

  it('select .ifdef branches and give their value to expressions', () => {
    const on = build({ FAST: 5 });
    const off = build();
    if (!on.ok || !off.ok) throw new Error('did not assemble');
    expect(insns(on.image)).toEqual(['addi 4 0 0 5']);
    expect(insns(off.image)).toEqual(['addi 4 0 0 7']);
  });

  it('clash with a definition in the source, named as the build option', () => {
    const r = assemble('FAST = 3\n', { fileName: 'main.s', isa, defines: { FAST: 1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.message).toMatch(/duplicate symbol 'FAST', first defined by -D FAST/);
  });
});
