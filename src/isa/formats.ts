// Instruction formats: where each operand lives in the 32-bit word, how the immediate is
// extended, and the default assembly syntax. One format value serves the decoder, the
// assembler and the disassembler (the Sail idea of one mapping in both directions).
//
//   31      24 23  20 19  16 15  12 11            0
//  +----------+------+------+------+---------------+
//  |  opcode  |  A   |  B   |  C   |               |   A, B, C: 4-bit register fields
//  +----------+------+------+------+---------------+
//  |  opcode  |  A   |  B   |        imm16         |   16-bit immediate
//  +----------+------+------+----------------------+
//  |  opcode  |  A   |             imm20            |   20-bit immediate (jal)
//  +----------+------+-----------------------------+

/** Operand slots as they appear in assembly syntax. */
export type OperandKind =
  | 'rd' // destination register
  | 'rs1' // first source register
  | 'rs2' // second source register (the data register of a store)
  | 'imm' // immediate constant
  | 'mem' // `imm(rs1)`: base register plus signed offset
  | 'target' // code address, encoded pc-relative
  | 'csr' // control register, by name or number
  | 'port'; // I/O port number

/** How the immediate bits are interpreted. */
export type ImmKind =
  | 'none'
  | 'simm16' // bits 15:0, sign-extended
  | 'uimm16' // bits 15:0, zero-extended
  | 'shamt' // bits 4:0 (bits 15:5 must be zero)
  | 'branch16' // bits 15:0, signed word offset from this instruction
  | 'jump20'; // bits 19:0, signed word offset from this instruction

/** The operand values of one instruction, as the semantics see them. */
export interface Fields {
  rd: number;
  rs1: number;
  rs2: number;
  /** Extended immediate; for pc-relative kinds, the byte offset. */
  imm: number;
}

export interface Format {
  readonly name: string;
  /** Default operand order in assembly syntax. */
  readonly operands: readonly OperandKind[];
  readonly imm: ImmKind;
  /** Which register field each semantic register comes from ('-' if unused). */
  readonly regs: { readonly rd: Field; readonly rs1: Field; readonly rs2: Field };
  /** Bits (outside the opcode) that must be zero; a word with any of them set is illegal. */
  readonly reservedMask: number;
  /** One-line description for the ISA reference. */
  readonly doc: string;
}

type Field = 'A' | 'B' | 'C' | '-';

export const FIELD_SHIFT: Record<Exclude<Field, '-'>, number> = { A: 20, B: 16, C: 12 };
const FIELD_MASK: Record<Exclude<Field, '-'>, number> = { A: 0x00f0_0000, B: 0x000f_0000, C: 0x0000_f000 };

function format(
  name: string,
  operands: readonly OperandKind[],
  imm: ImmKind,
  regs: { rd?: Field; rs1?: Field; rs2?: Field },
  doc: string,
): Format {
  const used = { rd: regs.rd ?? '-', rs1: regs.rs1 ?? '-', rs2: regs.rs2 ?? '-' } as const;
  // Everything below the opcode that neither a register field nor the immediate uses is reserved.
  let usedBits = 0;
  for (const f of [used.rd, used.rs1, used.rs2]) if (f !== '-') usedBits |= FIELD_MASK[f];
  usedBits |= IMM_BITS[imm];
  return { name, operands, imm, regs: used, reservedMask: 0x00ff_ffff & ~usedBits, doc };
}

const IMM_BITS: Record<ImmKind, number> = {
  none: 0,
  simm16: 0xffff,
  uimm16: 0xffff,
  shamt: 0x1f,
  branch16: 0xffff,
  jump20: 0xf_ffff,
};

/** The formats of the base ISA. Extensions may reuse them. */
export const Formats = {
  R: format('R', ['rd', 'rs1', 'rs2'], 'none', { rd: 'A', rs1: 'B', rs2: 'C' }, 'register-register'),
  I: format('I', ['rd', 'rs1', 'imm'], 'simm16', { rd: 'A', rs1: 'B' }, 'register-immediate, signed 16-bit'),
  IU: format('IU', ['rd', 'rs1', 'imm'], 'uimm16', { rd: 'A', rs1: 'B' }, 'register-immediate, unsigned 16-bit'),
  SH: format('SH', ['rd', 'rs1', 'imm'], 'shamt', { rd: 'A', rs1: 'B' }, 'shift by a 5-bit constant'),
  U: format('U', ['rd', 'imm'], 'uimm16', { rd: 'A' }, 'register, unsigned 16-bit constant'),
  L: format('L', ['rd', 'mem'], 'simm16', { rd: 'A', rs1: 'B' }, 'load: rd, offset(base)'),
  S: format('S', ['rs2', 'mem'], 'simm16', { rs2: 'A', rs1: 'B' }, 'store: data, offset(base)'),
  B: format('B', ['rs1', 'rs2', 'target'], 'branch16', { rs1: 'A', rs2: 'B' }, 'compare and branch, +-128 KiB'),
  J: format('J', ['rd', 'target'], 'jump20', { rd: 'A' }, 'jump and link, +-2 MiB'),
  N: format('N', [], 'none', {}, 'no operands'),
  R1: format('R1', ['rs1'], 'none', { rs1: 'B' }, 'one source register'),
  CR: format('CR', ['rd', 'csr'], 'uimm16', { rd: 'A' }, 'read control register'),
  CW: format('CW', ['csr', 'rs1'], 'uimm16', { rs1: 'B' }, 'write control register'),
  PI: format('PI', ['rd', 'port'], 'uimm16', { rd: 'A' }, 'read I/O port'),
  PO: format('PO', ['port', 'rs1'], 'uimm16', { rs1: 'B' }, 'write I/O port'),
} as const satisfies Record<string, Format>;

/** Inclusive range and alignment of the immediate an assembler may encode. */
export function immRange(kind: ImmKind): { min: number; max: number; align: number } {
  switch (kind) {
    case 'none':
      return { min: 0, max: 0, align: 1 };
    case 'simm16':
      return { min: -0x8000, max: 0x7fff, align: 1 };
    case 'uimm16':
      return { min: 0, max: 0xffff, align: 1 };
    case 'shamt':
      return { min: 0, max: 31, align: 1 };
    case 'branch16':
      return { min: -0x8000 * 4, max: 0x7fff * 4, align: 4 };
    case 'jump20':
      return { min: -0x8_0000 * 4, max: 0x7_ffff * 4, align: 4 };
  }
}

/** Extract the operand fields of `word` in format `f` (the word is assumed valid). */
export function decodeFields(f: Format, word: number): Fields {
  const reg = (field: Field): number => (field === '-' ? 0 : (word & FIELD_MASK[field]) >>> FIELD_SHIFT[field]);
  return { rd: reg(f.regs.rd), rs1: reg(f.regs.rs1), rs2: reg(f.regs.rs2), imm: decodeImm(f.imm, word) };
}

export function decodeImm(kind: ImmKind, word: number): number {
  switch (kind) {
    case 'none':
      return 0;
    case 'simm16':
      return (word << 16) >> 16;
    case 'uimm16':
      return word & 0xffff;
    case 'shamt':
      return word & 0x1f;
    case 'branch16':
      return ((word << 16) >> 16) * 4;
    case 'jump20':
      return ((word << 12) >> 12) * 4;
  }
}

/** Build the word for `opcode` in format `f`. Fields must already be in range (see immRange). */
export function encodeFields(f: Format, opcode: number, fields: Fields): number {
  let word = (opcode & 0xff) << 24;
  const put = (field: Field, value: number): void => {
    if (field !== '-') word |= (value & 0xf) << FIELD_SHIFT[field];
  };
  put(f.regs.rd, fields.rd);
  put(f.regs.rs1, fields.rs1);
  put(f.regs.rs2, fields.rs2);
  const imm = f.imm === 'branch16' || f.imm === 'jump20' ? fields.imm >> 2 : fields.imm;
  word |= imm & IMM_BITS[f.imm];
  return word >>> 0;
}
