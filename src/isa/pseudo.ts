// Pseudo-instructions: assembler conveniences that expand to real instructions of the table.
// Like defineInsn, each is one value, so the assembler and `ringlab isa` both derive from it.

import type { OperandKind } from './formats.js';
import { Reg } from './registers.js';

/** Operand kinds a pseudo-instruction may take (all map onto real operands by name). */
export type PseudoOperandKind = Extract<OperandKind, 'rd' | 'rs1' | 'rs2' | 'imm' | 'target'>;

/** Operand values of a pseudo-instruction; `target` is an absolute address. */
export interface PseudoOperands {
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
  readonly target: number;
}

/** What pass 1 knows: registers always, the immediate only if its symbols are already defined. */
export interface PseudoOperandsPass1 extends Omit<PseudoOperands, 'imm' | 'target'> {
  readonly imm: number | undefined;
  readonly target: number | undefined;
}

/**
 * One real instruction of an expansion. Operands are named like the real instruction's syntax
 * kinds: `imm` carries an immediate, a memory offset, a CSR or a port; `target` an absolute address.
 */
export interface RealInsn {
  readonly mnemonic: string;
  readonly rd?: number;
  readonly rs1?: number;
  readonly rs2?: number;
  readonly imm?: number;
  readonly target?: number;
}

export interface PseudoSpec {
  readonly mnemonic: string;
  readonly syntax: readonly PseudoOperandKind[];
  readonly doc: string;
  /** The expansion in words, for the reference, e.g. `addi rd, zero, imm`. */
  readonly expansion: string;
  /**
   * Words the expansion takes, decided in pass 1. Both passes must agree on sizes, so the
   * assembler calls this once and hands the answer to `expand`. Default: a fixed size.
   */
  readonly words?: (ops: PseudoOperandsPass1) => number;
  /** The real instructions, `words` long. */
  readonly expand: (ops: PseudoOperands, words: number) => readonly RealInsn[];
}

export interface PseudoDef extends Required<PseudoSpec> {}

const ZERO_OPERANDS: PseudoOperands = { rd: 0, rs1: 0, rs2: 0, imm: 0, target: 0 };

export function definePseudo(spec: PseudoSpec): PseudoDef {
  if (!/^[a-z][a-z0-9.]*$/.test(spec.mnemonic)) throw new Error(`bad pseudo mnemonic '${spec.mnemonic}'`);
  if (!spec.doc.trim()) throw new Error(`${spec.mnemonic}: every pseudo-instruction needs a doc line`);
  const fixed = spec.expand(ZERO_OPERANDS, 0).length;
  return { ...spec, words: spec.words ?? (() => fixed) };
}

const fitsSigned16 = (v: number): boolean => v >= -0x8000 && v <= 0x7fff;
const fitsUnsigned16 = (v: number): boolean => v >>> 0 <= 0xffff;

/** `li`: one word when pass 1 already knows a 16-bit value, else `lui` + `ori`. */
function loadImmediateWords(ops: PseudoOperandsPass1): number {
  return ops.imm !== undefined && (fitsSigned16(ops.imm) || fitsUnsigned16(ops.imm)) ? 1 : 2;
}

function loadImmediate(ops: PseudoOperands, words: number): RealInsn[] {
  if (words === 1) {
    return fitsSigned16(ops.imm)
      ? [{ mnemonic: 'addi', rd: ops.rd, rs1: Reg.zero, imm: ops.imm }]
      : [{ mnemonic: 'ori', rd: ops.rd, rs1: Reg.zero, imm: ops.imm >>> 0 }];
  }
  return loadUpperLower(ops.rd, ops.imm);
}

function loadUpperLower(rd: number, value: number): RealInsn[] {
  return [
    { mnemonic: 'lui', rd, imm: (value >>> 16) & 0xffff },
    { mnemonic: 'ori', rd, rs1: rd, imm: value & 0xffff },
  ];
}

/** `bgt a, b` is `blt b, a`: the same comparison with the operands swapped. */
function swappedBranch(mnemonic: string, real: string, meaning: string): PseudoDef {
  return definePseudo({
    mnemonic, syntax: ['rs1', 'rs2', 'target'], doc: meaning, expansion: `${real} rs2, rs1, target`,
    expand: (o) => [{ mnemonic: real, rs1: o.rs2, rs2: o.rs1, target: o.target }],
  });
}

export const PSEUDOS: readonly PseudoDef[] = [
  definePseudo({ mnemonic: 'nop', syntax: [], doc: 'do nothing', expansion: 'addi zero, zero, 0',
    expand: () => [{ mnemonic: 'addi', rd: Reg.zero, rs1: Reg.zero, imm: 0 }] }),
  definePseudo({ mnemonic: 'li', syntax: ['rd', 'imm'], doc: 'rd = any 32-bit constant (1 word if it fits 16 bits and is known early, else 2)',
    expansion: 'addi rd, zero, imm | ori rd, zero, imm | lui rd, %hi(imm); ori rd, rd, %lo(imm)',
    words: loadImmediateWords, expand: loadImmediate }),
  definePseudo({ mnemonic: 'la', syntax: ['rd', 'imm'], doc: 'rd = address of a symbol (always 2 words)',
    expansion: 'lui rd, %hi(imm); ori rd, rd, %lo(imm)', expand: (o) => loadUpperLower(o.rd, o.imm) }),
  definePseudo({ mnemonic: 'mv', syntax: ['rd', 'rs1'], doc: 'rd = rs1', expansion: 'addi rd, rs1, 0',
    expand: (o) => [{ mnemonic: 'addi', rd: o.rd, rs1: o.rs1, imm: 0 }] }),
  definePseudo({ mnemonic: 'not', syntax: ['rd', 'rs1'], doc: 'rd = ~rs1 (as -rs1 - 1)', expansion: 'sub rd, zero, rs1; addi rd, rd, -1',
    expand: (o) => [{ mnemonic: 'sub', rd: o.rd, rs1: Reg.zero, rs2: o.rs1 }, { mnemonic: 'addi', rd: o.rd, rs1: o.rd, imm: -1 }] }),
  definePseudo({ mnemonic: 'neg', syntax: ['rd', 'rs1'], doc: 'rd = -rs1', expansion: 'sub rd, zero, rs1',
    expand: (o) => [{ mnemonic: 'sub', rd: o.rd, rs1: Reg.zero, rs2: o.rs1 }] }),
  definePseudo({ mnemonic: 'j', syntax: ['target'], doc: 'goto target', expansion: 'jal zero, target',
    expand: (o) => [{ mnemonic: 'jal', rd: Reg.zero, target: o.target }] }),
  definePseudo({ mnemonic: 'jr', syntax: ['rs1'], doc: 'goto the address in rs1', expansion: 'jalr zero, rs1, 0',
    expand: (o) => [{ mnemonic: 'jalr', rd: Reg.zero, rs1: o.rs1, imm: 0 }] }),
  definePseudo({ mnemonic: 'call', syntax: ['target'], doc: 'call a subroutine (return address in ra)', expansion: 'jal ra, target',
    expand: (o) => [{ mnemonic: 'jal', rd: Reg.ra, target: o.target }] }),
  definePseudo({ mnemonic: 'ret', syntax: [], doc: 'return from a subroutine', expansion: 'jalr zero, ra, 0',
    expand: () => [{ mnemonic: 'jalr', rd: Reg.zero, rs1: Reg.ra, imm: 0 }] }),
  definePseudo({ mnemonic: 'push', syntax: ['rs1'], doc: 'push a register on the stack', expansion: 'addi sp, sp, -4; sw rs1, 0(sp)',
    expand: (o) => [{ mnemonic: 'addi', rd: Reg.sp, rs1: Reg.sp, imm: -4 }, { mnemonic: 'sw', rs2: o.rs1, rs1: Reg.sp, imm: 0 }] }),
  definePseudo({ mnemonic: 'pop', syntax: ['rd'], doc: 'pop a register from the stack', expansion: 'lw rd, 0(sp); addi sp, sp, 4',
    expand: (o) => [{ mnemonic: 'lw', rd: o.rd, rs1: Reg.sp, imm: 0 }, { mnemonic: 'addi', rd: Reg.sp, rs1: Reg.sp, imm: 4 }] }),
  definePseudo({ mnemonic: 'beqz', syntax: ['rs1', 'target'], doc: 'if rs1 == 0 goto target', expansion: 'beq rs1, zero, target',
    expand: (o) => [{ mnemonic: 'beq', rs1: o.rs1, rs2: Reg.zero, target: o.target }] }),
  definePseudo({ mnemonic: 'bnez', syntax: ['rs1', 'target'], doc: 'if rs1 != 0 goto target', expansion: 'bne rs1, zero, target',
    expand: (o) => [{ mnemonic: 'bne', rs1: o.rs1, rs2: Reg.zero, target: o.target }] }),
  swappedBranch('bgt', 'blt', 'if rs1 > rs2 (signed) goto target'),
  swappedBranch('ble', 'bge', 'if rs1 <= rs2 (signed) goto target'),
  swappedBranch('bgtu', 'bltu', 'if rs1 > rs2 (unsigned) goto target'),
  swappedBranch('bleu', 'bgeu', 'if rs1 <= rs2 (unsigned) goto target'),
];

export const PSEUDO_BY_MNEMONIC: ReadonlyMap<string, PseudoDef> = new Map(PSEUDOS.map((p) => [p.mnemonic, p]));

/** Rows for the ISA reference (`ringlab isa`, docs/ISA.md): mnemonic, syntax, expansion, doc. */
export function pseudoReference(pseudos: readonly PseudoDef[] = PSEUDOS): { mnemonic: string; syntax: string; expansion: string; doc: string }[] {
  return pseudos.map((p) => ({
    mnemonic: p.mnemonic,
    syntax: p.syntax.length ? `${p.mnemonic} ${p.syntax.join(', ')}` : p.mnemonic,
    expansion: p.expansion,
    doc: p.doc,
  }));
}
