// `defineInsn`: an instruction is one value. Everything else (decoder, assembler, disassembler,
// `ringlab isa`, docs/ISA.md, the interpreter's dispatch) is derived from a table of these.

import type { Cpu, Decoded } from './cpu-api.js';
import { decodeFields, type Fields, type Format, type OperandKind } from './formats.js';

/**
 * - `user`: any ring may execute it.
 * - `privileged`: outside ring 0 it raises PrivilegedInstruction before its semantics run.
 * - `sensitive`: sensitive but unprivileged (Popek-Goldberg's troublemakers); runs in every ring.
 */
export type PrivilegeClass = 'user' | 'privileged' | 'sensitive';

/** Control-flow role, for the debugger (step over, finish) and the disassembler. */
export type FlowKind = 'none' | 'branch' | 'jump' | 'call' | 'return' | 'trap' | 'trap-return';

/** The data memory an instruction reads or writes through the MMU: one access of `size` bytes
 *  at a virtual address computed from the registers before it runs (the debugger's memory
 *  watchpoints use it; test/isa/memory-access.test.ts checks it by running every instruction). */
export interface MemoryAccessSpec {
  readonly kind: 'load' | 'store';
  readonly size: 1 | 2 | 4;
  /** The address from the registers `x` before the instruction and its operands; default
   *  rs1 + imm. */
  readonly address?: (x: ArrayLike<number>, d: Fields) => number;
}

export type MemoryAccess = Required<MemoryAccessSpec>;

/** rs1 + imm: the address of every base-ISA load and store. */
export const baseDisplacement = (x: ArrayLike<number>, d: Fields): number => (x[d.rs1]! + d.imm) >>> 0;

export interface InsnSpec {
  /** Lower-case assembly mnemonic. */
  readonly mnemonic: string;
  /** Bits 31:24 of the word. Unique within the active ISA. */
  readonly opcode: number;
  readonly format: Format;
  /** Operand order in assembly, if it differs from the format's default. */
  readonly syntax?: readonly OperandKind[];
  readonly privilege?: PrivilegeClass;
  /** Base cycle cost when it retires (memory reference cost is added by the cost model). */
  readonly cost: number;
  /** Data memory access, priced by the cost model's `memoryAccess`: 'none', or what it loads
   *  or stores where. Every instruction says, so none is left out by accident. */
  readonly memory: 'none' | MemoryAccessSpec;
  readonly flow?: FlowKind;
  /** In non-root mode (the vmx extension) the instruction causes a VM exit with this reason
   *  before any other check, in every ring, as Intel's VMX instructions do in VMX non-root
   *  operation; the VMM decides what the guest sees. */
  readonly nonRootExit?: number;
  /** One line for the ISA reference and `ringlab isa`. */
  readonly doc: string;
  /** Semantics. Runs only after the privilege check passed. */
  readonly exec: (cpu: Cpu, d: Decoded) => void;
  /** True for operands with which, once its privilege check has passed, the instruction only
   *  reads and writes registers (x and plain control registers): it cannot trap, jump, change
   *  a ring, mode, mapping, interrupt or device, and reads no clock (`csrr rd, EPC`). The block
   *  translator runs it without bringing the processor's clock up to date first. Default:
   *  never. test/isa/registers-only.test.ts checks it against the semantics. */
  readonly registersOnly?: (d: Fields) => boolean;
}

export interface InsnDef extends Required<Omit<InsnSpec, 'memory' | 'nonRootExit'>> {
  /** Undefined for an instruction that touches no data memory. */
  readonly memory: MemoryAccess | undefined;
  readonly nonRootExit: number | undefined;
  /** Name of the extension bundle that defines it ('base' for the base ISA). */
  readonly extension: string;
}

const never = (): boolean => false;

export function defineInsn(spec: InsnSpec): Omit<InsnDef, 'extension'> {
  if (!/^[a-z][a-z0-9.]*$/.test(spec.mnemonic)) throw new Error(`bad mnemonic '${spec.mnemonic}'`);
  if (!Number.isInteger(spec.opcode) || spec.opcode < 1 || spec.opcode > 0xff) {
    throw new Error(`${spec.mnemonic}: opcode must be 1..255 (0 is kept illegal so zeroed memory traps)`);
  }
  if (!(spec.cost >= 0)) throw new Error(`${spec.mnemonic}: cost must be a non-negative number`);
  if (!spec.doc.trim()) throw new Error(`${spec.mnemonic}: every instruction needs a doc line`);
  const m = spec.memory;
  if (m !== 'none' && !(m?.kind === 'load' || m?.kind === 'store')) throw new Error(`${spec.mnemonic}: memory must be 'none' or { kind: 'load' | 'store', size }`);
  if (m !== 'none' && ![1, 2, 4].includes(m.size)) throw new Error(`${spec.mnemonic}: a memory access is 1, 2 or 4 bytes`);
  return {
    mnemonic: spec.mnemonic,
    opcode: spec.opcode,
    format: spec.format,
    syntax: spec.syntax ?? spec.format.operands,
    privilege: spec.privilege ?? 'user',
    cost: spec.cost,
    memory: m === 'none' ? undefined : { kind: m.kind, size: m.size, address: m.address ?? baseDisplacement },
    flow: spec.flow ?? 'none',
    nonRootExit: spec.nonRootExit,
    doc: spec.doc,
    exec: spec.exec,
    registersOnly: spec.registersOnly ?? never,
  };
}

/** A bundle of instructions that a machine configuration switches on as a whole. */
export interface Extension {
  readonly name: string;
  readonly doc: string;
  readonly insns: readonly Omit<InsnDef, 'extension'>[];
  /** Its bit in the EXTENSIONS control register and in an executable's EX_ISA word (the way
   *  x86's CPUID feature bits name VMX or SSE); undefined for the base bundle, which every
   *  machine has. */
  readonly bit: number | undefined;
}

export function defineExtension(name: string, doc: string, insns: readonly Omit<InsnDef, 'extension'>[], bit?: number): Extension {
  if (bit !== undefined && (!Number.isInteger(bit) || bit < 0 || bit > 31)) throw new Error(`extension ${name}: bit must be 0..31`);
  return { name, doc, insns, bit };
}

/** The instruction set a machine runs: the base bundle plus the extensions switched on. */
export interface Isa {
  readonly extensions: readonly Extension[];
  /** The bits of its extensions: what its EXTENSIONS control register reads. */
  readonly extensionMask: number;
  /** Every instruction; an instruction's index here is its dispatch number. */
  readonly insns: readonly InsnDef[];
  /** Instruction for each opcode, or undefined (illegal). */
  readonly byOpcode: readonly (InsnDef | undefined)[];
  readonly byMnemonic: ReadonlyMap<string, InsnDef>;
  /** Index of the instruction `word` encodes, or -1 if the word is illegal in this ISA. */
  decodeIndex(word: number): number;
}

export function buildIsa(extensions: readonly Extension[]): Isa {
  const insns: InsnDef[] = [];
  const byOpcode: (InsnDef | undefined)[] = new Array(256).fill(undefined);
  const byMnemonic = new Map<string, InsnDef>();
  for (const ext of extensions) {
    for (const spec of ext.insns) {
      const def: InsnDef = { ...spec, extension: ext.name };
      const clash = byOpcode[def.opcode];
      if (clash) throw new Error(`opcode 0x${def.opcode.toString(16)} used by both '${clash.mnemonic}' and '${def.mnemonic}'`);
      if (byMnemonic.has(def.mnemonic)) throw new Error(`mnemonic '${def.mnemonic}' defined twice`);
      byOpcode[def.opcode] = def;
      byMnemonic.set(def.mnemonic, def);
      insns.push(def);
    }
  }
  const indexOf = new Map(insns.map((d, i) => [d, i]));
  const indexByOpcode = new Int16Array(256).fill(-1);
  const reservedByOpcode = new Int32Array(256);
  for (const d of insns) {
    indexByOpcode[d.opcode] = indexOf.get(d)!;
    reservedByOpcode[d.opcode] = d.format.reservedMask;
  }
  const extensionMask = extensions.reduce((m, e) => (e.bit === undefined ? m : m | (1 << e.bit)), 0) >>> 0;
  return {
    extensions,
    extensionMask,
    insns,
    byOpcode,
    byMnemonic,
    decodeIndex(word: number): number {
      const op = word >>> 24;
      const index = indexByOpcode[op]!;
      if (index < 0 || (word & reservedByOpcode[op]!) !== 0) return -1;
      return index;
    },
  };
}

/** Decode a word to its instruction and operand fields, or undefined if illegal. */
export function decodeWord(isa: Isa, word: number): { insn: InsnDef; rd: number; rs1: number; rs2: number; imm: number } | undefined {
  const index = isa.decodeIndex(word);
  if (index < 0) return undefined;
  const insn = isa.insns[index]!;
  return { insn, ...decodeFields(insn.format, word) };
}
