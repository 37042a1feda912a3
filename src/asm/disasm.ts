// The disassembler, derived from the same table as the assembler: operands are printed in each
// InsnDef's `syntax` order and formatted by its immediate kind. Output re-assembles (at the same
// pc) to the same word: targets are absolute addresses, symbol names sit in `#` comments.

import { csrByNumber, decodeWord, encodeFields, registerName, type ImmKind, type InsnDef, type Isa, type OperandKind } from '../isa/index.js';
import { labelsAt, symbolNameAt, type Image, type SymbolSource } from './image.js';

function hex8(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function shortHex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** Unsigned fields read best in hex (masks, upper halves); signed ones in decimal. */
function formatImmediate(kind: ImmKind, value: number): string {
  return kind === 'uimm16' && value > 9 ? shortHex(value) : String(value);
}

interface Decoded {
  readonly insn: InsnDef;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  readonly imm: number;
}

function formatOperand(kind: OperandKind, d: Decoded, pc: number): string {
  switch (kind) {
    case 'rd':
    case 'rs1':
    case 'rs2':
      return registerName(d[kind]);
    case 'imm':
      return formatImmediate(d.insn.format.imm, d.imm);
    case 'mem':
      return `${d.imm}(${registerName(d.rs1)})`;
    case 'target':
      return hex8(pc + d.imm);
    case 'csr':
      return csrByNumber(d.imm)?.name ?? String(d.imm);
    case 'port':
      return shortHex(d.imm);
  }
}

/**
 * Whether the operands the syntax shows are all the word holds. If an instruction's syntax
 * hid a field the format encodes, printing it would not re-assemble, so it prints as `.word`.
 */
function syntaxCoversWord(d: Decoded, word: number): boolean {
  const syntax = d.insn.syntax;
  const shows = (k: OperandKind): boolean => syntax.includes(k);
  const fields = {
    rd: shows('rd') ? d.rd : 0,
    rs1: shows('rs1') || shows('mem') ? d.rs1 : 0,
    rs2: shows('rs2') ? d.rs2 : 0,
    imm: syntax.some((k) => k === 'imm' || k === 'mem' || k === 'target' || k === 'csr' || k === 'port') ? d.imm : 0,
  };
  return encodeFields(d.insn.format, d.insn.opcode, fields) === word >>> 0;
}

/** Instruction text and an optional comment (the target's symbol). */
export function disassembleParts(isa: Isa, word: number, pc: number, symbols?: SymbolSource): { text: string; comment: string | undefined } {
  const d = decodeWord(isa, word >>> 0);
  if (!d || !syntaxCoversWord(d, word)) return { text: `.word ${hex8(word)}`, comment: undefined };
  const operands = d.insn.syntax.map((k) => formatOperand(k, d, pc));
  const text = operands.length ? `${d.insn.mnemonic} ${operands.join(', ')}` : d.insn.mnemonic;
  const target = d.insn.syntax.includes('target') && symbols ? symbolNameAt(symbols, (pc + d.imm) >>> 0) : undefined;
  return { text, comment: target === undefined ? undefined : `<${target}>` };
}

/** One word as assembly, e.g. `beq a0, zero, 0x00000040  # <loop>`; illegal words as `.word`. */
export function disassembleWord(isa: Isa, word: number, pc: number, symbols?: SymbolSource): string {
  const { text, comment } = disassembleParts(isa, word, pc, symbols);
  return comment ? `${text}  # ${comment}` : text;
}

const INDENT = '        ';
const TEXT_WIDTH = 36;

function byteLine(bytes: Uint8Array, address: number): string {
  const list = [...bytes].map((b) => shortHex(b)).join(', ');
  return `${INDENT}${`.byte ${list}`.padEnd(TEXT_WIDTH)}# ${hex8(address).slice(2)}`;
}

/** A whole image as re-assemblable text: `.org` per segment, labels, one instruction per line. */
export function disassembleImage(isa: Isa, image: Image): string {
  return [...disassembleLines(isa, image)].join('\n') + '\n';
}

/** The lines of disassembleImage one at a time, so a caller can write them out as they come. */
export function* disassembleLines(isa: Isa, image: Image): Generator<string> {
  yield `${INDENT}.entry ${hex8(image.entry)}`;
  for (const segment of image.segments) {
    const { address, data } = segment;
    yield '';
    yield `${INDENT}.org ${hex8(address)}`;
    let offset = 0;
    const labels = (at: number): string[] => labelsAt(image, at).map((s) => `${s.name}:`);
    // Bytes before the first word boundary and after the last whole word are data.
    const lead = Math.min((4 - (address % 4)) % 4, data.length);
    if (lead) {
      yield* labels(address);
      yield byteLine(data.subarray(0, lead), address);
      offset = lead;
    }
    for (; offset + 4 <= data.length; offset += 4) {
      const pc = address + offset;
      yield* labels(pc);
      const word = (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
      const { text, comment } = disassembleParts(isa, word, pc, image);
      const where = `${hex8(pc).slice(2)}: ${hex8(word).slice(2)}`;
      yield `${INDENT}${text.padEnd(TEXT_WIDTH)}# ${where}${comment ? ` ${comment}` : ''}`;
    }
    if (offset < data.length) {
      yield* labels(address + offset);
      yield byteLine(data.subarray(offset), address + offset);
    }
  }
}
