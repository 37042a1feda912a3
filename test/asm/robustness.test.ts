import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, type AssembleResult } from '../../src/asm/assembler.js';
import { formatAsmError } from '../../src/asm/errors.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith();

/** Assemble and check the result is a well-formed value (never an exception). */
function safely(source: string, files: Record<string, string> = {}): AssembleResult {
  let r: AssembleResult | undefined;
  expect(() => {
    r = assemble(source, { fileName: 'fuzz.s', isa, readFile: (p) => files[p] });
  }).not.toThrow();
  if (!r!.ok) {
    for (const e of r!.errors) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.message).not.toMatch(/internal assembler error/);
      expect(typeof formatAsmError(e)).toBe('string');
    }
  }
  return r!;
}

const TOKENS = [
  'add', 'addi', 'lw', 'sw', 'beq', 'jal', 'jalr', 'lui', 'ori', 'csrr', 'csrw', 'in', 'out', 'halt', 'slli',
  'li', 'la', 'call', 'ret', 'push', 'pop', 'j', 'bgt', 'nop', 'mv', 'not',
  'a0', 'sp', 'zero', 'r15', 'r16', 'TVEC', 'status',
  '.word', '.half', '.byte', '.ascii', '.asciz', '.space', '.align', '.org', '.entry', '.equ', '.set',
  '.if', '.elseif', '.else', '.endif', '.ifdef', '.ifndef', '.macro', '.endm', '.include', '.error',
  'x', 'y', 'loop', '.loop', 'm', '\\x', '\\@', 'x:', '.loop:', 'm:',
  '0', '1', '4', '-1', '0x7fff', '0xffff', '0x10000', '0xfffffffc', '99999999', "'a'", "'\\n'", '"s\\n"', '"inc.s"', '"',
  ',', ',', ',', '(', ')', '+', '-', '*', '/', '%', '<<', '>>', '>>>', '&', '|', '^', '~', '!', '==', '&&', '||', '.', '=', '%hi', '%lo',
  '#', ';', '\n', '\n', '\n', '\n',
];

const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).chain((tokens) =>
  fc.array(fc.constantFrom(' ', ' ', '', '\t'), { minLength: tokens.length, maxLength: tokens.length }).map((seps) =>
    tokens.map((t, i) => t + seps[i]).join(''),
  ),
);

/** Lines that are each almost valid, so the fuzzer gets deep into both passes. */
const plausibleLine = fc.oneof(
  fc.constantFrom(
    'loop: addi a0, a0, -1', 'bnez a0, loop', 'li t0, x', 'la t1, msg', '.equ x, 5', '.set y, y + 1', 'y = 1',
    '.macro m a', 'addi \\a, \\a, 1', '.endm', 'm a0', 'm', '.if x', '.else', '.endif', '.ifdef x', '.include "inc.s"',
    'msg: .asciz "hi"', '.align 4', '.org 0x100', '.org 0', '.space 8, 0xff', '.word msg, . + 4', 'call f', 'f: ret', '.entry f',
    'lw a0, 4(sp)', 'csrw TVEC, t0', 'j loop', '.loop: nop', 'beq a0, a1, .loop', '.byte 300', '.error "e"',
  ),
  soup,
);

describe('assemble never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void safely(s)), { numRuns: 400 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => void safely(s)), { numRuns: 200 });
  });

  it('on random token soups', () => {
    fc.assert(fc.property(soup, (s) => void safely(s)), { numRuns: 600 });
  });

  it('on sequences of almost-valid lines, with a self-including include file', () => {
    fc.assert(
      fc.property(fc.array(plausibleLine, { maxLength: 30 }), fc.array(plausibleLine, { maxLength: 5 }), (lines, inc) => {
        safely(lines.join('\n'), { 'inc.s': inc.join('\n') });
      }),
      { numRuns: 400 },
    );
  });

  it('on pathological inputs', () => {
    safely('('.repeat(100_000));
    safely(`.word ${'1+'.repeat(50_000)}1`);
    safely(`.word ${'-'.repeat(50_000)}1`);
    safely('.macro a\nb\n.endm\n.macro b\na\n.endm\na');
    safely('.space 0xffffffff');
    safely('.org 0xffffffff\n.word 1');
    safely('.align 0x80000000');
    safely('x'.repeat(1_000_000));
    safely('\n'.repeat(200_000));
    safely('.if 1\n'.repeat(10_000));
    // Bytes were pushed as spread arguments: "Maximum call stack size exceeded".
    expect(safely(`.ascii "${'a'.repeat(200_000)}"`).ok).toBe(true);
  });
});
