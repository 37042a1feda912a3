// The expression evaluator: C operators and precedence on 32-bit values, registers, symbols of
// several images, memory dereference, and nothing but DebugError for any input at all.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DebugError } from '../../src/debug/errors.js';
import { evaluate, type EvalContext } from '../../src/debug/expr.js';
import { debugConfig, debugProgram } from './helpers.js';

const ctx: EvalContext = {
  register: (name) => (name === 'a0' ? { value: -5, unsigned: false } : name === 'sp' ? { value: 0x8000_0000 | 0, unsigned: true } : undefined),
  symbol: (name) => (name === 'main' ? { value: 0x1000, unsigned: true } : name === 'K' ? { value: 7, unsigned: false } : undefined),
  readWord: (address) => {
    if (address === 0x1000) return 42;
    throw new DebugError(`cannot access 0x${address.toString(16)}`);
  },
};

const ev = (text: string): number => evaluate(text, ctx).value;

describe('expressions', () => {
  it('numbers, characters and C precedence', () => {
    expect(ev('1 + 2 * 3')).toBe(7);
    expect(ev('(1 + 2) * 3')).toBe(9);
    expect(ev('0x10 | 0b11')).toBe(19);
    expect(ev('1_000')).toBe(1000);
    expect(ev("'a' + 1")).toBe(98);
    expect(ev("'\\n'")).toBe(10);
    expect(ev('1 << 4 + 1')).toBe(32);
    expect(ev('7 & 3 == 3')).toBe(1); // == binds tighter than &
    expect(ev('~0')).toBe(-1);
    expect(ev('!0 + !5')).toBe(1);
    expect(ev('-7 / 2')).toBe(-3);
    expect(ev('-7 % 2')).toBe(-1);
    expect(ev('1 && 0 || 3')).toBe(1);
    expect(ev('0xffffffff + 1')).toBe(0);
    expect(ev('0x7fffffff + 1')).toBe(-0x8000_0000);
  });

  it('signed and unsigned as in C: addresses and big literals are unsigned', () => {
    expect(ev('$a0 < 0')).toBe(1);
    expect(ev('$a0 >> 1')).toBe(-3);
    expect(ev('$a0 >>> 28')).toBe(15);
    expect(ev('$sp > 0x10')).toBe(1); // unsigned: 0x80000000 is large
    expect(ev('$sp > 0')).toBe(1);
    expect(ev('0xffc00000 > 0x1000')).toBe(1);
    expect(ev('-1 > 0xffc00000')).toBe(1); // -1 converted to unsigned
    expect(ev('$sp / 2')).toBe(0x4000_0000);
  });

  it('registers, symbols (bare register names when no symbol has the name) and *ADDR', () => {
    expect(ev('$a0 + K')).toBe(2);
    expect(ev('a0')).toBe(-5);
    expect(ev('*main')).toBe(42);
    expect(ev('*(main + 0)')).toBe(42);
    expect(() => ev('**0x1000')).toThrow(/cannot access 0x2a/); // *42
  });

  it('bad input is one DebugError with a useful message', () => {
    const bad: [string, RegExp][] = [
      ['', /empty expression/],
      ['1 +', /ends too early/],
      ['(1 + 2', /expected '\)'/],
      ['1 2', /unexpected '2'/],
      ['$nope', /unknown register '\$nope'/],
      ['nosuch', /no symbol 'nosuch'/],
      ['1 / 0', /division by zero/],
      ['*0x2000', /cannot access 0x2000/],
      ['0x1ffffffff', /does not fit in 32 bits/],
      ['1 @ 2', /unexpected '@'/],
      ["'\\q'", /unknown escape/],
      ['('.repeat(500), /nested too deeply/],
      ['1+'.repeat(600) + '1', /longer than/],
    ];
    for (const [text, message] of bad) expect(() => ev(text), text).toThrow(message);
  });

  it('never throws anything but DebugError, whatever the input (fast-check)', () => {
    const alphabet = fc.constantFrom(...'0123456789abcxfz$()*+-/%&|^~!<>=\' _:.\\'.split(''), '$pc', '$a0', 'main', 'K', '0x', '>>>', '<<');
    const strings = fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')));
    fc.assert(
      fc.property(strings, (text) => {
        try {
          const v = evaluate(text, ctx);
          return Number.isInteger(v.value) && v.value === (v.value | 0);
        } catch (e) {
          return e instanceof DebugError && e.message.length > 0 && !e.message.includes('\n');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('against a real machine: registers, CSRs, pseudo-registers, labels and memory', () => {
    const dbg = debugProgram('_start: li a0, 9\n        halt\nval:    .word 0x1234');
    dbg.stopPoints();
    expect(dbg.evaluate('$pc').value).toBe(0);
    expect(dbg.evaluate('$ring + $instret').value).toBe(0);
    expect(dbg.evaluate('*val').value).toBe(0x1234);
    expect(dbg.evaluate('$status').unsigned).toBe(true);
    expect(dbg.evaluate('$r0').value).toBe(0);
    expect(() => dbg.evaluate('*0x7fffffff0')).toThrow(DebugError);
    expect(() => dbg.evaluate('*0x40000')).toThrow(/beyond physical memory/);
  });

  it('symbols of several images: qualified, or ambiguous with the candidates named', () => {
    const dbg = debugConfig('native', ['compute', 'syscall']);
    expect(dbg.evaluate('kernel:syscall_dispatch').value).toBeGreaterThan(0x10000);
    expect(dbg.evaluate('compute:_start').value).toBe(0x40000000);
    expect(dbg.evaluate('SYS_WRITE').value).toBe(1); // same value everywhere: not ambiguous
    expect(() => dbg.evaluate('print_dec')).toThrow(/'print_dec' is ambiguous: kernel:print_dec \(0x[0-9a-f]{8}\), init:print_dec \(0x[0-9a-f]{8}\), compute:print_dec/);
    expect(() => dbg.evaluate('vmm:x')).toThrow(/no image named 'vmm' \(images: kernel, init, compute, syscall\)/);
  });
});
