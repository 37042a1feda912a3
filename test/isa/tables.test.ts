// Well-formedness of the tables themselves: instructions in every ISA under test, formats,
// control registers and trap causes.

import { describe, expect, it } from 'vitest';
import {
  CAUSES,
  Cause,
  causeName,
  CSRS,
  Csr,
  csrByName,
  csrByNumber,
  EXTENSIONS,
  Formats,
  immRange,
  INTERRUPT_BASE,
  isInterrupt,
  type Format,
  type OperandKind,
} from '../../src/isa/index.js';
import { formatFieldMasks } from '../../src/isa/reference.js';
import { ISAS_UNDER_TEST } from './isas-under-test.js';

/** Operand kinds that are written with the format's immediate bits. */
const IMMEDIATE_OPERANDS: readonly OperandKind[] = ['imm', 'mem', 'target', 'csr', 'port'];

const sorted = (kinds: readonly OperandKind[]): OperandKind[] => [...kinds].sort();

function duplicates<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/** Every format in use: the base ones plus any an extension defines. */
const FORMATS_UNDER_TEST: Format[] = [
  ...new Set<Format>([...Object.values(Formats), ...ISAS_UNDER_TEST.flatMap(([, isa]) => isa.insns.map((i) => i.format))]),
];

describe.each(ISAS_UNDER_TEST)('instruction table of %s', (_name, isa) => {
  it('has unique lower-case mnemonics, indexed by byMnemonic', () => {
    const mnemonics = isa.insns.map((i) => i.mnemonic);
    expect(duplicates(mnemonics)).toEqual([]);
    for (const insn of isa.insns) {
      expect(insn.mnemonic).toMatch(/^[a-z][a-z0-9.]*$/);
      expect(isa.byMnemonic.get(insn.mnemonic)).toBe(insn);
    }
  });

  it('gives every instruction an opcode in 1..255, indexed by byOpcode', () => {
    for (const insn of isa.insns) {
      expect(Number.isInteger(insn.opcode) && insn.opcode >= 1 && insn.opcode <= 0xff, insn.mnemonic).toBe(true);
      expect(isa.byOpcode[insn.opcode]).toBe(insn);
    }
  });

  it('gives every instruction a non-negative integer cost and a one-line doc', () => {
    for (const insn of isa.insns) {
      expect(Number.isInteger(insn.cost) && insn.cost >= 0, `${insn.mnemonic} cost ${insn.cost}`).toBe(true);
      expect(insn.doc.trim(), insn.mnemonic).not.toBe('');
      expect(insn.doc, insn.mnemonic).not.toMatch(/\n/);
    }
  });

  it('writes each instruction with exactly the operands its format encodes', () => {
    for (const insn of isa.insns) {
      expect(sorted(insn.syntax), insn.mnemonic).toEqual(sorted(insn.format.operands));
      expect(duplicates(insn.syntax), insn.mnemonic).toEqual([]);
    }
  });

  it('marks memory access on exactly the instructions with a mem operand', () => {
    for (const insn of isa.insns) {
      expect(insn.memory !== undefined, insn.mnemonic).toBe(insn.syntax.includes('mem'));
    }
  });

  it('lists instructions bundle by bundle, each tagged with its bundle', () => {
    expect(isa.insns.map((i) => `${i.extension}:${i.mnemonic}`)).toEqual(
      isa.extensions.flatMap((ext) => ext.insns.map((i) => `${ext.name}:${i.mnemonic}`)),
    );
  });
});

describe('extension registry', () => {
  it('files every extension under its own name', () => {
    for (const [key, ext] of EXTENSIONS) expect(ext.name).toBe(key);
    expect(EXTENSIONS.has('base')).toBe(false);
  });
});

describe.each(FORMATS_UNDER_TEST.map((f) => [f.name, f] as const))('format %s', (_name, f) => {
  it('splits bits 23:0 into disjoint register, immediate and reserved fields', () => {
    const { rd, rs1, rs2, imm, reserved } = formatFieldMasks(f);
    const parts = [rd, rs1, rs2, imm, reserved];
    for (const [i, a] of parts.entries()) for (const b of parts.slice(i + 1)) expect(a & b).toBe(0);
    expect(parts.reduce((all, m) => all | m, 0) >>> 0).toBe(0x00ff_ffff);
  });

  it('encodes a register operand exactly when the syntax names it', () => {
    const masks = formatFieldMasks(f);
    const has = (kind: OperandKind): boolean => f.operands.includes(kind);
    expect(masks.rd !== 0).toBe(has('rd'));
    expect(masks.rs1 !== 0).toBe(has('rs1') || has('mem'));
    expect(masks.rs2 !== 0).toBe(has('rs2'));
    for (const mask of [masks.rd, masks.rs1, masks.rs2]) expect([0, 4]).toContain(mask.toString(2).replace(/0/g, '').length);
  });

  it('has an immediate exactly when one operand is written with it', () => {
    const immediateOperands = f.operands.filter((k) => IMMEDIATE_OPERANDS.includes(k));
    expect(immediateOperands.length).toBe(f.imm === 'none' ? 0 : 1);
    const { min, max, align } = immRange(f.imm);
    expect(Number.isInteger(min / align) && Number.isInteger(max / align)).toBe(true);
    expect(min).toBeLessThanOrEqual(max);
  });
});

describe('trap causes', () => {
  it('have unique names and codes', () => {
    expect(duplicates(CAUSES.map((c) => c.name))).toEqual([]);
    expect(duplicates(CAUSES.map((c) => c.code))).toEqual([]);
  });

  it('match the Cause constants one for one', () => {
    expect(Object.fromEntries(CAUSES.map((c) => [c.name, c.code]))).toEqual({ ...Cause });
  });

  it('are interrupts exactly from INTERRUPT_BASE up', () => {
    for (const c of CAUSES) {
      expect(c.kind === 'interrupt', c.name).toBe(c.code >= INTERRUPT_BASE);
      expect(isInterrupt(c.code), c.name).toBe(c.kind === 'interrupt');
      expect(causeName(c.code)).toBe(c.name);
      expect(c.doc.trim()).not.toBe('');
    }
    expect(causeName(0)).toBe('Cause#0');
  });
});

describe('control registers', () => {
  it('have unique names and numbers', () => {
    expect(duplicates(CSRS.map((c) => c.name.toLowerCase()))).toEqual([]);
    expect(duplicates(CSRS.map((c) => c.number))).toEqual([]);
  });

  it('match the Csr constants one for one', () => {
    expect(Object.fromEntries(CSRS.map((c) => [c.name, c.number]))).toEqual({ ...Csr });
  });

  it('are found by name in any case and by number, and the lookups agree', () => {
    for (const c of CSRS) {
      expect(csrByName(c.name)).toBe(c);
      expect(csrByName(c.name.toLowerCase())).toBe(c);
      expect(csrByNumber(c.number)).toBe(c);
      expect(csrByNumber(csrByName(c.name)!.number)).toBe(csrByName(c.name));
    }
    expect(csrByName('nosuchcsr')).toBeUndefined();
    expect(csrByNumber(Math.max(...CSRS.map((c) => c.number)) + 1)).toBeUndefined();
  });

  it('have numbers that fit the csr field of csrr and csrw', () => {
    for (const f of [Formats.CR, Formats.CW]) {
      const { min, max } = immRange(f.imm);
      for (const c of CSRS) expect(c.number >= min && c.number <= max, `${c.name} in ${f.name}`).toBe(true);
    }
  });
});
