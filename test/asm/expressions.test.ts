import { describe, expect, it } from 'vitest';
import { assemble, formatAsmError } from '../../src/asm/assembler.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith();

/** Assemble `.word expr` and return the value as a signed 32-bit number. */
function value(expr: string, prelude = ''): number {
  const r = assemble(`${prelude}\n.word ${expr}\n`, { fileName: 'e.s', isa });
  if (!r.ok) throw new Error(r.errors.map(formatAsmError).join('\n'));
  const seg = r.image.segments[r.image.segments.length - 1]!;
  const d = seg.data;
  const n = d.length;
  return d[n - 4]! | (d[n - 3]! << 8) | (d[n - 2]! << 16) | (d[n - 1]! << 24);
}

function error(expr: string): string {
  const r = assemble(`.word ${expr}\n`, { fileName: 'e.s', isa });
  if (r.ok) throw new Error('expected an error');
  return r.errors[0]!.message;
}

describe('expression literals', () => {
  it.each([
    ['42', 42], ['0x2A', 42], ['0X2a', 42], ['0b101010', 42], ['0xffff_0000', 0xffff0000 | 0], ['1_000', 1000],
    ["'a'", 97], ["'\\n'", 10], ["'\\t'", 9], ["'\\0'", 0], ["'\\\\'", 92], ["'\\''", 39], ['0xffffffff', -1],
  ])('%s = %d', (src, expected) => {
    expect(value(src)).toBe(expected);
  });
});

describe('expression operators', () => {
  it.each([
    ['-5', -5], ['~0', -1], ['!0', 1], ['!7', 0], ['+3', 3], ['- -3', 3],
    ['2 + 3 * 4', 14], ['(2 + 3) * 4', 20], ['7 / 2', 3], ['-7 / 2', -3], ['-7 % 3', -1], ['7 % 3', 1],
    ['1 << 4', 16], ['-16 >> 2', -4], ['-16 >>> 28', 15], ['0xf0 & 0x3c', 0x30], ['0xf0 | 0x0f', 0xff], ['0xff ^ 0x0f', 0xf0],
    ['1 == 1', 1], ['1 != 1', 0], ['-1 < 0', 1], ['2 <= 2', 1], ['3 > 4', 0], ['4 >= 5', 0],
    ['1 && 2', 1], ['1 && 0', 0], ['0 || 3', 1], ['0 || 0', 0],
    ['1 + 2 == 3 && 4 > 3', 1], ['1 | 2 ^ 3 & 4', 1 | (2 ^ (3 & 4))],
    ['0x7fffffff + 1', -0x80000000], ['0x10000 * 0x10000', 0], ['-0x80000000 / -1', -0x80000000],
    ['%hi(0x12345678)', 0x1234], ['%lo(0x12345678)', 0x5678], ['%hi(-1)', 0xffff], ['%lo(-1)', 0xffff],
  ])('%s = %d', (src, expected) => {
    expect(value(src)).toBe(expected);
  });

  it('`.` is the address of the statement', () => {
    expect(value('.', '.org 0x100\n.word 0')).toBe(0x104);
  });

  it('symbols, forward references and .set redefinition', () => {
    expect(value('A * 2 + B', '.equ A, 5\n.equ B, A + 1')).toBe(16);
    expect(value('later', '.word later\nlater:')).toBe(4);
    expect(value('X', '.set X, 1\n.set X, X + 1\nX = X * 10')).toBe(20);
  });

  it('division by zero is an error, not a crash', () => {
    expect(error('1 / 0')).toMatch(/division by zero/);
    expect(error('1 % (2 - 2)')).toMatch(/division by zero/);
  });

  it('malformed expressions are errors', () => {
    expect(error('1 +')).toMatch(/expected a value/);
    expect(error('(1 + 2')).toMatch(/expected '\)'/);
    expect(error('1 2')).toMatch(/unexpected '2'/);
    expect(error('0x')).toMatch(/malformed number/);
    expect(error('12abc')).toMatch(/malformed number/);
    expect(error('0x1_0000_0000')).toMatch(/does not fit in 32 bits/);
    expect(error('%mid(3)')).toMatch(/%hi/);
    expect(error('"str"')).toMatch(/string is not a value/);
    expect(error('(((((((((((((((((((((((((((((((((((((((((((((((((('.repeat(10))).toMatch(/nested/);
  });

  it('%hi/%lo with lui+ori load any 32-bit value', () => {
    for (const x of [0, 1, 0x8000, 0xffff, 0x10000, 0x12345678, 0x80000000, 0xffffffff]) {
      const r = assemble(`.equ X, ${x}\nlui a0, %hi(X)\nori a0, a0, %lo(X)\n`, { fileName: 'h.s', isa });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const d = r.image.segments[0]!.data;
      const hi = d[0]! | (d[1]! << 8);
      const lo = d[4]! | (d[5]! << 8);
      expect(((hi << 16) | lo) >>> 0).toBe(x >>> 0);
    }
  });
});
