// Operands of an instruction, parsed from the InsnDef's `syntax` (never from its mnemonic) and
// encoded through its `format`. Adding an instruction to the table needs no code here.

import { csrByName, CSRS, encodeFields, immRange, parseRegister, type Format, type InsnDef, type OperandKind } from '../isa/index.js';
import { parseExpression, type Expr } from './expr.js';
import type { Token } from './lexer.js';
import type { Operand } from './statement.js';

export type RegisterSlot = 'rd' | 'rs1' | 'rs2';
/** The kinds that fill the single immediate field. */
export type ValueKind = 'imm' | 'target' | 'csr' | 'port';

/** An immediate-field operand: an expression to evaluate in pass 2. */
export interface ValueOperand {
  readonly kind: ValueKind;
  readonly expr: Expr;
  readonly column: number;
  /** For a lone identifier: its text, so "undefined symbol" can become "unknown control register". */
  readonly bareName: string | undefined;
}

/** Operands after pass-1 parsing: registers resolved, the immediate still an expression. */
export interface ParsedOperands {
  readonly regs: Partial<Record<RegisterSlot, number>>;
  readonly value: ValueOperand | undefined;
}

export type OperandsResult = { ok: true; operands: ParsedOperands } | { ok: false; column: number; message: string };

const SLOT_HINT: Record<OperandKind, string> = {
  rd: 'rd', rs1: 'rs1', rs2: 'rs2', imm: 'imm', mem: 'offset(rs1)', target: 'target', csr: 'csr', port: 'port',
};

/** `addi rd, rs1, imm` — the syntax line for messages and the reference. */
export function syntaxText(mnemonic: string, syntax: readonly OperandKind[]): string {
  return syntax.length ? `${mnemonic} ${syntax.map((k) => SLOT_HINT[k]).join(', ')}` : mnemonic;
}

function isRegisterSlot(kind: OperandKind): kind is RegisterSlot {
  return kind === 'rd' || kind === 'rs1' || kind === 'rs2';
}

type Parsed<T> = { ok: true; value: T } | { ok: false; column: number; message: string };

function parseRegisterOperand(op: Operand): Parsed<number> {
  const only = op.tokens.length === 1 ? op.tokens[0]! : undefined;
  const reg = only?.kind === 'ident' ? parseRegister(only.text) : undefined;
  if (reg !== undefined) return { ok: true, value: reg };
  const got = op.tokens.map((t) => t.text).join(' ');
  return { ok: false, column: op.column, message: `expected a register (r0..r15 or an ABI name like a0, sp), got '${got}'` };
}

function parseValue(kind: ValueKind, tokens: readonly Token[], column: number, end: number, scope: string): Parsed<ValueOperand> {
  const only = tokens.length === 1 ? tokens[0]! : undefined;
  if (kind === 'csr' && only?.kind === 'ident') {
    const csr = csrByName(only.text);
    if (csr) return { ok: true, value: { kind, expr: { kind: 'number', value: csr.number, column }, column, bareName: undefined } };
  }
  if (only?.kind === 'ident' && parseRegister(only.text) !== undefined) {
    const what = kind === 'target' ? 'an address' : kind === 'csr' ? 'a control register' : 'a value';
    return { ok: false, column, message: `expected ${what}, got register '${only.text}'` };
  }
  const parsed = parseExpression(tokens, scope, end);
  if (!parsed.ok) return parsed;
  const bareName = only?.kind === 'ident' ? only.text : undefined;
  return { ok: true, value: { kind, expr: parsed.value, column, bareName } };
}

/** `offset(reg)` or `(reg)`: the last parenthesised group is the base register. */
function parseMemory(op: Operand, scope: string): Parsed<{ base: number; offset: ValueOperand }> {
  const t = op.tokens;
  const close = t[t.length - 1]!;
  const shapeError = { ok: false as const, column: op.column, message: 'expected a memory operand like 8(sp) or (a0)' };
  if (close.kind !== 'punct' || close.text !== ')' || t.length < 3) return shapeError;
  const open = t[t.length - 3]!;
  const regToken = t[t.length - 2]!;
  if (open.kind !== 'punct' || open.text !== '(') return shapeError;
  const base = regToken.kind === 'ident' ? parseRegister(regToken.text) : undefined;
  if (base === undefined) {
    return { ok: false, column: regToken.column, message: `expected a base register inside the parentheses, got '${regToken.text}'` };
  }
  const offsetTokens = t.slice(0, t.length - 3);
  if (offsetTokens.length === 0) {
    return { ok: true, value: { base, offset: { kind: 'imm', expr: { kind: 'number', value: 0, column: op.column }, column: op.column, bareName: undefined } } };
  }
  const offset = parseValue('imm', offsetTokens, op.column, open.column, scope);
  return offset.ok ? { ok: true, value: { base, offset: offset.value } } : offset;
}

/** Parse operands following `syntax`, which comes from an InsnDef or a pseudo-instruction. */
export function parseOperands(
  mnemonic: string,
  syntax: readonly OperandKind[],
  operands: readonly Operand[],
  scope: string,
  opColumn: number,
): OperandsResult {
  if (operands.length !== syntax.length) {
    const n = syntax.length;
    const column = operands.length > n ? operands[n]!.column : opColumn;
    return {
      ok: false,
      column,
      message: `'${mnemonic}' takes ${n} operand${n === 1 ? '' : 's'} (${syntaxText(mnemonic, syntax)}), got ${operands.length}`,
    };
  }
  const regs: Partial<Record<RegisterSlot, number>> = {};
  let value: ValueOperand | undefined;
  for (let i = 0; i < syntax.length; i++) {
    const kind = syntax[i]!;
    const op = operands[i]!;
    if (isRegisterSlot(kind)) {
      const r = parseRegisterOperand(op);
      if (!r.ok) return r;
      regs[kind] = r.value;
    } else if (kind === 'mem') {
      const m = parseMemory(op, scope);
      if (!m.ok) return m;
      regs.rs1 = m.value.base;
      value = m.value.offset;
    } else {
      const v = parseValue(kind, op.tokens, op.column, op.end, scope);
      if (!v.ok) return v;
      value = v.value;
    }
  }
  return { ok: true, operands: { regs, value } };
}

/** Concrete operand values for one real instruction: registers plus the immediate field's value. */
export interface InsnValues {
  readonly rd?: number;
  readonly rs1?: number;
  readonly rs2?: number;
  /** Immediate, memory offset, CSR or port number. */
  readonly imm?: number;
  /** Absolute address, for a `target` operand. */
  readonly target?: number;
}

export type EncodeResult = { ok: true; word: number } | { ok: false; message: string };

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function describeRange(format: Format): string {
  const r = immRange(format.imm);
  return `${r.min}..${r.max}`;
}

/** The immediate field for `def` at `pc`, range-checked against its format. */
function immediateField(def: InsnDef, values: InsnValues, pc: number): Parsed<number> {
  const kinds = def.syntax;
  const range = immRange(def.format.imm);
  if (kinds.includes('target')) {
    const target = values.target ?? 0;
    const offset = (target - pc) | 0; // wraps, so targets across the top of memory still encode
    if (offset % range.align !== 0) {
      const why = target % range.align !== 0 ? ': the target itself is unaligned (add `.align 4` before its label)' : '';
      return { ok: false, column: 0, message: `target ${hex(target)} is not a multiple of ${range.align} bytes away from ${hex(pc)}${why}` };
    }
    if (offset < range.min || offset > range.max) {
      return { ok: false, column: 0, message: `target ${hex(target)} is out of range for '${def.mnemonic}': offset ${offset} is outside ${describeRange(def.format)} bytes` };
    }
    return { ok: true, value: offset };
  }
  const imm = values.imm ?? 0;
  if (imm < range.min || imm > range.max) {
    const what = kinds.includes('csr') ? 'control register number' : kinds.includes('port') ? 'port number' : kinds.includes('mem') ? 'offset' : 'immediate';
    return { ok: false, column: 0, message: `${what} ${imm} is out of range for '${def.mnemonic}' (${describeRange(def.format)})` };
  }
  return { ok: true, value: imm };
}

/** Encode `def` with concrete operands at address `pc`. */
export function encodeInsn(def: InsnDef, values: InsnValues, pc: number): EncodeResult {
  const usesImm = def.syntax.some((k) => !isRegisterSlot(k));
  const imm = usesImm ? immediateField(def, values, pc) : { ok: true as const, value: 0 };
  if (!imm.ok) return { ok: false, message: imm.message };
  const word = encodeFields(def.format, def.opcode, { rd: values.rd ?? 0, rs1: values.rs1 ?? 0, rs2: values.rs2 ?? 0, imm: imm.value });
  return { ok: true, word };
}

/** Names for the "unknown control register" message. */
export function csrNames(): string {
  return CSRS.map((c) => c.name).join(', ');
}
