import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { formatAsmError, MAX_ERRORS, type AsmError } from '../../src/asm/errors.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith();

function errorsOf(source: string, files: Record<string, string> = {}): AsmError[] {
  let result;
  expect(() => {
    result = assemble(source, { fileName: 'bad.s', isa, readFile: (p) => files[p] });
  }).not.toThrow();
  const r = result!;
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

/** The one error of `source`, as `file:line:col: message`. */
function only(source: string, files: Record<string, string> = {}): string {
  const errors = errorsOf(source, files);
  expect(errors.map((e) => e.message)).toHaveLength(1);
  const e = errors[0]!;
  return `${e.file}:${e.line}:${e.column}: ${e.message}`;
}

describe('each kind of error points at the right place', () => {
  it.each([
    ['malformed statement', 'nop\n  42 a0', 'bad.s:2:3: expected a label, directive or instruction, got \'42\''],
    ['unexpected character', '  addi a0, a0, @', "bad.s:1:16: unexpected character '@'"],
    ['unknown mnemonic with a suggestion', '  addd a0, a1, a2', "bad.s:1:3: unknown instruction 'addd'; did you mean 'add'?"],
    ['unknown mnemonic without one', '  frobnicate', "bad.s:1:3: unknown instruction 'frobnicate'"],
    ['unknown directive', '  .wrod 1', "bad.s:1:3: unknown directive '.wrod'; did you mean '.word'?"],
    ['too few operands', '  add a0, a1', "bad.s:1:3: 'add' takes 3 operands (add rd, rs1, rs2), got 2"],
    ['too many operands', '  ret a0', "bad.s:1:7: 'ret' takes 0 operands (ret), got 1"],
    ['register expected', '  add a0, a1, 5', "bad.s:1:15: expected a register (r0..r15 or an ABI name like a0, sp), got '5'"],
    ['register not allowed as an immediate', '  addi a0, a1, a2', "bad.s:1:16: expected a value, got register 'a2'"],
    ['r16 is no register', '  add r16, a1, a2', "bad.s:1:7: expected a register (r0..r15 or an ABI name like a0, sp), got 'r16'"],
    ['simm16 out of range', '  addi a0, a0, 40000', "bad.s:1:16: immediate 40000 is out of range for 'addi' (-32768..32767)"],
    ['uimm16 out of range', '  ori a0, a0, -1', "bad.s:1:15: immediate -1 is out of range for 'ori' (0..65535)"],
    ['shift amount out of range', '  slli a0, a0, 32', "bad.s:1:16: immediate 32 is out of range for 'slli' (0..31)"],
    ['memory offset out of range', '  lw a0, 0x8000(sp)', "bad.s:1:10: offset 32768 is out of range for 'lw' (-32768..32767)"],
    ['bad memory operand', '  lw a0, sp', 'bad.s:1:10: expected a memory operand like 8(sp) or (a0)'],
    ['branch out of range', '  beq a0, a1, 0x40000', "bad.s:1:15: target 0x00040000 is out of range for 'beq': offset 262144 is outside -131072..131068 bytes"],
    ['misaligned target', '  j 6', 'bad.s:1:5: target 0x00000006 is not a multiple of 4 bytes away from 0x00000000: the target itself is unaligned (add `.align 4` before its label) (in the expansion of \'j\')'],
    ['port out of range', '  in a0, 65536', "bad.s:1:10: port number 65536 is out of range for 'in' (0..65535)"],
    ['unknown control register', '  csrr a0, FOO', "bad.s:1:12: unknown control register 'FOO' (known: STATUS, EPC, ESTATUS, CAUSE, BADADDR, EINSN, TVEC, PTBR, SCRATCH0, SCRATCH1, IMASK, IPEND, CYCLE, CYCLEH, INSTRET, EXTENSIONS)"],
    ['undefined symbol', 'nop\n  .word 1 + missing', "bad.s:2:13: undefined symbol 'missing'"],
    ['undefined local label', 'f:\n  j .nowhere', "bad.s:2:5: undefined symbol 'f.nowhere'"],
    ['duplicate label', 'x: nop\nx: nop', "bad.s:2:1: duplicate symbol 'x', first defined at bad.s:1 (only .set symbols may be redefined)"],
    ['.equ redefined', '.equ A, 1\n.equ A, 2', "bad.s:2:6: duplicate symbol 'A', first defined at bad.s:1 (only .set symbols may be redefined)"],
    ['register name as a symbol', 'sp: nop', "bad.s:1:1: 'sp' is a register name and cannot be a symbol"],
    ['.byte out of range', '  .byte 256', 'bad.s:1:9: value 256 does not fit in .byte (-128..255)'],
    ['.half out of range', '  .half -32769', 'bad.s:1:9: value -32769 does not fit in .half (-32768..65535)'],
    ['division by zero', '.equ Z, 0\n  .word 4 / Z', 'bad.s:2:11: division by zero in expression'],
    ['unaligned instruction', '.byte 1\n  nop', 'bad.s:2:3: instruction at unaligned address 0x00000001; add `.align 4` before it (instructions after it are unaligned too)'],
    ['one report per misaligned run', '.byte 1\n  nop\n  nop\n  .byte 1, 2, 3\n  nop', 'bad.s:2:3: instruction at unaligned address 0x00000001; add `.align 4` before it (instructions after it are unaligned too)'],
    ['absurd .space', '  .space 0x10000000', 'bad.s:1:10: .space size 268435456 is outside 0..67108864 bytes'],
    ['.space past 64 MiB in total', '.space 0x3000000\n.space 0x3000000\n', 'bad.s:2:1: .space would grow the image past the 64 MiB limit'],
    ['.space past the address space', '.org 0xfffffffc\n.space 8', 'bad.s:2:1: .space at 0xfffffffc would run past the end of the 32-bit address space'],
    ['forward reference in .space', '.space N\n.equ N, 4', "bad.s:1:8: .space size needs a value known at this point: 'N' is not defined yet (symbols used here must be defined above)"],
    ['overlapping .org regions', '.org 0x10\n.word 1, 2\n.org 0x14\n.word 3', 'bad.s:3:1: bytes 0x00000014..0x00000017 overlap bytes 0x00000010..0x00000017 (from the .org at bad.s:1)'],
    ['bad .align', '  .align 3', 'bad.s:1:10: .align takes a byte alignment that is a power of two (like .align 4), got 3'],
    ['unterminated string', '  .ascii "abc', 'bad.s:1:10: unterminated string'],
    ['bad escape', "  .word '\\q'", "bad.s:1:10: unknown escape sequence '\\q' (use \\n \\t \\r \\0 \\\\ \\' \\\" or \\xHH)"],
    ['unterminated .macro', 'nop\n.macro m\nnop', "bad.s:2:1: unterminated .macro 'm': missing .endm"],
    ['unterminated .if', '.if 1\nnop', 'bad.s:1:1: unterminated .if: missing .endif'],
    ['.endif without .if', '  .endif', 'bad.s:1:3: .endif without a matching .if'],
    ['.else twice', '.if 0\n.else\n.else\n.endif', 'bad.s:3:1: .else after .else (the .if at line 1 already has an .else)'],
    ['.endm without .macro', '.endm', 'bad.s:1:1: .endm without a matching .macro'],
    ['.error', '.if 1\n  .error "config missing"\n.endif', 'bad.s:2:3: config missing'],
    ['forward reference in .if', '.if LATER\n.endif\n.equ LATER, 1', "bad.s:1:5: .if needs a value known at this point: 'LATER' is not defined yet (symbols used here must be defined above)"],
    ['wrong macro argument count', '.macro m a, b\n.endm\n  m 1', "bad.s:3:3: macro 'm' takes 2 argument(s) (a, b), got 1"],
    ['missing include', '  .include "nope.s"', "bad.s:1:12: cannot read include file 'nope.s' (looked for nope.s)"],
    ['second .entry', '.entry 0\n.entry 4', 'bad.s:2:1: second .entry (the first is at bad.s:1)'],
  ])('%s', (_name, source, expected) => {
    expect(only(source)).toBe(expected);
  });

  it('circular .equ definitions are reported, not looped on', () => {
    const errors = errorsOf('.equ A, B\n.equ B, A');
    expect(errors[0]).toMatchObject({ line: 1, column: 9, message: "cannot resolve 'A': circular definition through 'B'" });
  });

  it('recursive include reports the chain', () => {
    const files = { 'a.s': '.include "b.s"\n', 'b.s': 'nop\n.include "a.s"\n' };
    expect(only('.include "a.s"', files)).toBe('b.s:2:10: recursive .include: bad.s -> a.s -> b.s -> a.s');
  });

  it('recursive macro stops at the depth limit with a clear message', () => {
    const msg = only('.macro forever\nforever\n.endm\nforever');
    expect(msg).toMatch(/^bad\.s:2:1: macro expansion nested more than 64 levels deep \(forever -> forever -> forever -> \.\.\. -> forever\); is 'forever' recursive/);
    expect(msg).toMatch(/in macro 'forever' invoked at bad\.s:2/);
  });

  it('errors inside a macro expansion name the invocation', () => {
    expect(only('.macro m x\n  addi a0, a0, \\x\n.endm\nnop\n  m 99999')).toBe(
      "bad.s:2:16: immediate 99999 is out of range for 'addi' (-32768..32767) (in macro 'm' invoked at bad.s:5)",
    );
  });

  it('errors in included files carry their file name', () => {
    expect(only('nop\n.include "inc.s"', { 'inc.s': '\n\n  bogus a0' })).toBe("inc.s:3:3: unknown instruction 'bogus'");
  });
});

describe('error reporting', () => {
  it('reports every error of a file, not just the first', () => {
    const errors = errorsOf(['addd a0, a1, a2', 'nop', 'addi a0, a0, 70000', '.word undefined_thing', 'lw a0, 4(nothing)', 'x: x:'].join('\n'));
    // In source order, although 'undefined_thing' is only found in pass 2.
    expect(errors.map((e) => e.line)).toEqual([1, 3, 4, 5, 6]);
  });

  it('caps the number of errors', () => {
    expect(errorsOf('bogus\n'.repeat(500))).toHaveLength(MAX_ERRORS);
  });

  it('formatAsmError prints location, source line and a caret', () => {
    const [e] = errorsOf('nop\n\tadd a0, a1, 7');
    expect(formatAsmError(e!)).toBe("bad.s:2:14: error: expected a register (r0..r15 or an ABI name like a0, sp), got '7'\n\tadd a0, a1, 7\n\t            ^");
  });
});
