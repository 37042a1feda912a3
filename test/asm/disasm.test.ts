import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { disassembleImage, disassembleWord } from '../../src/asm/disasm.js';
import { formatAsmError } from '../../src/asm/errors.js';
import type { Image } from '../../src/asm/image.js';
import {
  ABI_NAMES, BASE, buildIsa, CSRS, decodeWord, defineExtension, defineInsn, Formats, immRange, isaWith,
  type InsnDef, type Isa, type OperandKind,
} from '../../src/isa/index.js';

const isa = isaWith();
const PC = 0x0010_0000;

function assembleAt(target: Isa, line: string, pc = PC): number {
  const r = assemble(`.org ${pc}\n${line}\n`, { fileName: 'one.s', isa: target });
  if (!r.ok) throw new Error(`${line}\n${r.errors.map(formatAsmError).join('\n')}`);
  const d = r.image.segments[0]!.data;
  return (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
}

function image(source: string): Image {
  const r = assemble(source, { fileName: 'd.s', isa });
  if (!r.ok) throw new Error(r.errors.map(formatAsmError).join('\n'));
  return r.image;
}

describe('disassembleWord', () => {
  it.each([
    ['addi sp, sp, -16', 'addi sp, sp, -16'],
    ['lw a0, 8(sp)', 'lw a0, 8(sp)'],
    ['sw ra, -4(fp)', 'sw ra, -4(fp)'],
    ['csrw TVEC, t0', 'csrw TVEC, t0'],
    ['csrr a0, 0x99', 'csrr a0, 153'],
    ['ori a0, a0, 0xff00', 'ori a0, a0, 0xff00'],
    ['lui a0, 1', 'lui a0, 1'],
    ['out 0x3f8, a0', 'out 0x3f8, a0'],
    ['halt', 'halt'],
    ['add r15, r0, r1', 'add s3, zero, ra'],
  ])('%s', (src, expected) => {
    expect(disassembleWord(isa, assembleAt(isa, src), PC)).toBe(expected);
  });

  it('prints targets as absolute addresses with the label in a comment', () => {
    const img = image('.org 0x20\nloop: nop\n.org 0x30\nbeq a0, zero, loop\n');
    const word = img.segments[1]!.data;
    const w = (word[0]! | (word[1]! << 8) | (word[2]! << 16) | (word[3]! << 24)) >>> 0;
    expect(disassembleWord(isa, w, 0x30, img.symbols)).toBe('beq a0, zero, 0x00000020  # <loop>');
    expect(disassembleWord(isa, w, 0x34, img)).toBe('beq a0, zero, 0x00000024  # <loop+4>');
  });

  it('illegal words print as .word', () => {
    expect(disassembleWord(isa, 0, 0)).toBe('.word 0x00000000');
    expect(disassembleWord(isa, 0xff123456, 0)).toBe('.word 0xff123456');
    // halt with a reserved bit set is illegal too
    expect(disassembleWord(isa, 0x51000001, 0)).toBe('.word 0x51000001');
  });
});

describe('disassembleImage', () => {
  it('prints labels and re-assembles to the same image', () => {
    const src = ['.org 0x100', '_start: li a0, 0x12345', '.loop: addi a0, a0, -1', '  bnez a0, .loop', '  call f', '  halt', 'f: ret', 'data: .ascii "abcdefg"'].join('\n');
    const original = image(src);
    const text = disassembleImage(isa, original);
    expect(text).toContain('_start:\n');
    expect(text).toMatch(/bne a0, zero, 0x00000108 +# 0000010c: [0-9a-f]{8} <_start\.loop>/);
    const again = image(text);
    expect(again.entry).toBe(original.entry);
    expect(again.segments).toEqual(original.segments);
  });
});

/** Random words, half of them legal: a table opcode with its reserved bits cleared. */
const anyWord = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.tuple(fc.constantFrom(...isa.insns), fc.integer({ min: 0, max: 0xff_ffff })).map(
    ([def, low]) => ((def.opcode << 24) | (low & ~def.format.reservedMask & 0xff_ffff)) >>> 0,
  ),
);

// ---- Round trip for every instruction of the table ---------------------------------------------

const register = fc.integer({ min: 0, max: 15 });
const registerText = (n: number, abi: boolean): string => (abi ? ABI_NAMES[n]! : `r${n}`);

interface Case {
  readonly text: string;
  readonly expect: { rd?: number; rs1?: number; rs2?: number; imm?: number };
}

/** Random valid operands for `def`, from its syntax and its format's immediate range. */
function operandsFor(def: InsnDef): fc.Arbitrary<Case> {
  const range = immRange(def.format.imm);
  const parts = def.syntax.map((kind: OperandKind): fc.Arbitrary<Case> => {
    switch (kind) {
      case 'rd':
      case 'rs1':
      case 'rs2':
        return fc.tuple(register, fc.boolean()).map(([n, abi]) => ({ text: registerText(n, abi), expect: { [kind]: n } }));
      case 'imm':
      case 'port':
        return fc.tuple(fc.integer({ min: range.min, max: range.max }), fc.boolean()).map(([v, hex]) => ({
          text: hex && v >= 0 ? `0x${v.toString(16)}` : String(v),
          expect: { imm: v },
        }));
      case 'mem':
        return fc.tuple(fc.integer({ min: range.min, max: range.max }), register).map(([v, r]) => ({
          text: `${v}(${registerText(r, true)})`,
          expect: { imm: v, rs1: r },
        }));
      case 'target':
        return fc.integer({ min: range.min / 4, max: range.max / 4 }).map((k) => ({
          text: `0x${((PC + 4 * k) >>> 0).toString(16)}`,
          expect: { imm: 4 * k },
        }));
      case 'csr':
        return fc.oneof(
          fc.constantFrom(...CSRS).map((c) => ({ text: c.name.toLowerCase(), expect: { imm: c.number } })),
          fc.integer({ min: range.min, max: range.max }).map((v) => ({ text: String(v), expect: { imm: v } })),
        );
    }
  });
  return fc.tuple(...parts).map((cases) => ({
    text: cases.length ? `${def.mnemonic} ${cases.map((c) => c.text).join(', ')}` : def.mnemonic,
    expect: Object.assign({}, ...cases.map((c) => c.expect)),
  }));
}

function roundTrip(target: Isa, def: InsnDef): void {
  fc.assert(
    fc.property(operandsFor(def), (c) => {
      const word = assembleAt(target, c.text);
      const decoded = decodeWord(target, word);
      expect(decoded?.insn.mnemonic).toBe(def.mnemonic);
      expect(decoded).toMatchObject(c.expect);
      const text = disassembleWord(target, word, PC);
      expect(assembleAt(target, text)).toBe(word);
    }),
    { numRuns: 25 },
  );
}

describe('every instruction: assemble -> decode -> disassemble -> assemble', () => {
  for (const def of isa.insns) {
    it(def.mnemonic, () => roundTrip(isa, def));
  }

  // A student's new instruction, with an operand order of its own, needs no assembler changes.
  const extension = defineExtension('test', 'instructions added by a test', [
    defineInsn({ mnemonic: 'swap.x', opcode: 0xe0, format: Formats.R, syntax: ['rs2', 'rd', 'rs1'], cost: 1, memory: 'none', doc: 'test', exec: () => {} }),
    defineInsn({ mnemonic: 'addi.r', opcode: 0xe1, format: Formats.I, syntax: ['imm', 'rs1', 'rd'], cost: 1, memory: 'none', doc: 'test', exec: () => {} }),
    defineInsn({ mnemonic: 'bz', opcode: 0xe2, format: Formats.B, syntax: ['target', 'rs1', 'rs2'], cost: 1, memory: 'none', doc: 'test', exec: () => {} }),
  ]);
  const extended = buildIsa([BASE, extension]);
  for (const def of extension.insns) {
    it(`${def.mnemonic} (added in a test extension)`, () => roundTrip(extended, extended.byMnemonic.get(def.mnemonic)!));
  }

  it('property: every 32-bit word disassembles to text that re-assembles to it', () => {
    fc.assert(
      fc.property(anyWord, fc.integer({ min: 0, max: 0x3fff_ffff }), (word, pcWords) => {
        const pc = pcWords * 4;
        expect(assembleAt(isa, disassembleWord(isa, word, pc), pc)).toBe(word);
      }),
      { numRuns: 300 },
    );
  });
});
