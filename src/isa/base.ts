// The base ISA: every instruction is one defineInsn value.
//
// Semantics are plain TypeScript over the Cpu interface. Write `| 0` to wrap results to 32 bits,
// `>>> 0` to compare unsigned. Memory and control-register methods raise their own traps.
//
// Cycle costs are a teaching model loosely shaped on a simple in-order pipeline: one cycle for
// ALU work, a multi-cycle multiplier, a slow iterative divider (integer divide was 20-40 cycles
// on the Pentium 4 and Core 2 generations, per Agner Fog's instruction tables), and a port
// access that crosses the I/O bus. Data loads and stores add the cost model's `memoryAccess`.

import { Cause } from './causes.js';
import { csrByNumber } from './csrs.js';
import { defineExtension, defineInsn } from './define.js';
import { Formats as F } from './formats.js';

const DIV_COST = 20;
const PORT_IO_COST = 10;

export const BASE = defineExtension('base', 'integer core, memory, control flow, traps, control registers, port I/O, TLB', [
  // ---- Integer ALU, register-register -------------------------------------------------------
  defineInsn({ mnemonic: 'add', opcode: 0x01, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 + rs2 (wrapping)',
    exec: (c, d) => { c.x[d.rd] = (c.x[d.rs1]! + c.x[d.rs2]!) | 0; } }),
  defineInsn({ mnemonic: 'sub', opcode: 0x02, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 - rs2 (wrapping)',
    exec: (c, d) => { c.x[d.rd] = (c.x[d.rs1]! - c.x[d.rs2]!) | 0; } }),
  defineInsn({ mnemonic: 'and', opcode: 0x03, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 & rs2',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! & c.x[d.rs2]!; } }),
  defineInsn({ mnemonic: 'or', opcode: 0x04, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 | rs2',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! | c.x[d.rs2]!; } }),
  defineInsn({ mnemonic: 'xor', opcode: 0x05, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 ^ rs2',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! ^ c.x[d.rs2]!; } }),
  defineInsn({ mnemonic: 'sll', opcode: 0x06, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 << (rs2 & 31)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! << (c.x[d.rs2]! & 31); } }),
  defineInsn({ mnemonic: 'srl', opcode: 0x07, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 >> (rs2 & 31), logical (zero fill)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >>> (c.x[d.rs2]! & 31); } }),
  defineInsn({ mnemonic: 'sra', opcode: 0x08, format: F.R, cost: 1, memory: 'none', doc: 'rd = rs1 >> (rs2 & 31), arithmetic (sign fill)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >> (c.x[d.rs2]! & 31); } }),
  defineInsn({ mnemonic: 'slt', opcode: 0x09, format: F.R, cost: 1, memory: 'none', doc: 'rd = 1 if rs1 < rs2 (signed) else 0',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! < c.x[d.rs2]! ? 1 : 0; } }),
  defineInsn({ mnemonic: 'sltu', opcode: 0x0a, format: F.R, cost: 1, memory: 'none', doc: 'rd = 1 if rs1 < rs2 (unsigned) else 0',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >>> 0 < c.x[d.rs2]! >>> 0 ? 1 : 0; } }),
  defineInsn({ mnemonic: 'mul', opcode: 0x0b, format: F.R, cost: 3, memory: 'none', doc: 'rd = low 32 bits of rs1 * rs2',
    exec: (c, d) => { c.x[d.rd] = Math.imul(c.x[d.rs1]!, c.x[d.rs2]!); } }),
  defineInsn({ mnemonic: 'div', opcode: 0x0c, format: F.R, cost: DIV_COST, memory: 'none', doc: 'rd = rs1 / rs2, signed, rounds toward zero; traps DivideByZero',
    exec: (c, d) => {
      const divisor = c.x[d.rs2]!;
      if (divisor === 0) c.trap(Cause.DivideByZero);
      c.x[d.rd] = (c.x[d.rs1]! / divisor) | 0; // -2^31 / -1 wraps to -2^31
    } }),
  defineInsn({ mnemonic: 'divu', opcode: 0x0d, format: F.R, cost: DIV_COST, memory: 'none', doc: 'rd = rs1 / rs2, unsigned; traps DivideByZero',
    exec: (c, d) => {
      const divisor = c.x[d.rs2]! >>> 0;
      if (divisor === 0) c.trap(Cause.DivideByZero);
      c.x[d.rd] = Math.floor((c.x[d.rs1]! >>> 0) / divisor) | 0;
    } }),
  defineInsn({ mnemonic: 'rem', opcode: 0x0e, format: F.R, cost: DIV_COST, memory: 'none', doc: 'rd = rs1 % rs2, signed (sign of rs1); traps DivideByZero',
    exec: (c, d) => {
      const divisor = c.x[d.rs2]!;
      if (divisor === 0) c.trap(Cause.DivideByZero);
      c.x[d.rd] = (c.x[d.rs1]! % divisor) | 0;
    } }),
  defineInsn({ mnemonic: 'remu', opcode: 0x0f, format: F.R, cost: DIV_COST, memory: 'none', doc: 'rd = rs1 % rs2, unsigned; traps DivideByZero',
    exec: (c, d) => {
      const divisor = c.x[d.rs2]! >>> 0;
      if (divisor === 0) c.trap(Cause.DivideByZero);
      c.x[d.rd] = ((c.x[d.rs1]! >>> 0) % divisor) | 0;
    } }),

  // ---- Integer ALU, register-immediate ------------------------------------------------------
  defineInsn({ mnemonic: 'addi', opcode: 0x10, format: F.I, cost: 1, memory: 'none', doc: 'rd = rs1 + sext(imm16)',
    exec: (c, d) => { c.x[d.rd] = (c.x[d.rs1]! + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'andi', opcode: 0x11, format: F.IU, cost: 1, memory: 'none', doc: 'rd = rs1 & zext(imm16)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! & d.imm; } }),
  defineInsn({ mnemonic: 'ori', opcode: 0x12, format: F.IU, cost: 1, memory: 'none', doc: 'rd = rs1 | zext(imm16)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! | d.imm; } }),
  defineInsn({ mnemonic: 'xori', opcode: 0x13, format: F.IU, cost: 1, memory: 'none', doc: 'rd = rs1 ^ zext(imm16)',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! ^ d.imm; } }),
  defineInsn({ mnemonic: 'slli', opcode: 0x14, format: F.SH, cost: 1, memory: 'none', doc: 'rd = rs1 << shamt',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! << d.imm; } }),
  defineInsn({ mnemonic: 'srli', opcode: 0x15, format: F.SH, cost: 1, memory: 'none', doc: 'rd = rs1 >> shamt, logical',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >>> d.imm; } }),
  defineInsn({ mnemonic: 'srai', opcode: 0x16, format: F.SH, cost: 1, memory: 'none', doc: 'rd = rs1 >> shamt, arithmetic',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >> d.imm; } }),
  defineInsn({ mnemonic: 'slti', opcode: 0x17, format: F.I, cost: 1, memory: 'none', doc: 'rd = 1 if rs1 < sext(imm16) (signed) else 0',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! < d.imm ? 1 : 0; } }),
  defineInsn({ mnemonic: 'sltiu', opcode: 0x18, format: F.I, cost: 1, memory: 'none', doc: 'rd = 1 if rs1 < sext(imm16) (both unsigned) else 0',
    exec: (c, d) => { c.x[d.rd] = c.x[d.rs1]! >>> 0 < d.imm >>> 0 ? 1 : 0; } }),
  defineInsn({ mnemonic: 'lui', opcode: 0x19, format: F.U, cost: 1, memory: 'none', doc: 'rd = imm16 << 16 (load upper half; `ori` fills the lower)',
    exec: (c, d) => { c.x[d.rd] = d.imm << 16; } }),

  // ---- Loads and stores ---------------------------------------------------------------------
  defineInsn({ mnemonic: 'lb', opcode: 0x20, format: F.L, cost: 1, memory: { kind: 'load', size: 1 }, doc: 'rd = sext(mem8[rs1 + imm])',
    exec: (c, d) => { c.x[d.rd] = c.load8((c.x[d.rs1]! + d.imm) | 0); } }),
  defineInsn({ mnemonic: 'lbu', opcode: 0x21, format: F.L, cost: 1, memory: { kind: 'load', size: 1 }, doc: 'rd = zext(mem8[rs1 + imm])',
    exec: (c, d) => { c.x[d.rd] = c.load8u((c.x[d.rs1]! + d.imm) | 0); } }),
  defineInsn({ mnemonic: 'lh', opcode: 0x22, format: F.L, cost: 1, memory: { kind: 'load', size: 2 }, doc: 'rd = sext(mem16[rs1 + imm]); address must be even',
    exec: (c, d) => { c.x[d.rd] = c.load16((c.x[d.rs1]! + d.imm) | 0); } }),
  defineInsn({ mnemonic: 'lhu', opcode: 0x23, format: F.L, cost: 1, memory: { kind: 'load', size: 2 }, doc: 'rd = zext(mem16[rs1 + imm]); address must be even',
    exec: (c, d) => { c.x[d.rd] = c.load16u((c.x[d.rs1]! + d.imm) | 0); } }),
  defineInsn({ mnemonic: 'lw', opcode: 0x24, format: F.L, cost: 1, memory: { kind: 'load', size: 4 }, doc: 'rd = mem32[rs1 + imm]; address must be a multiple of 4',
    exec: (c, d) => { c.x[d.rd] = c.load32((c.x[d.rs1]! + d.imm) | 0); } }),
  defineInsn({ mnemonic: 'sb', opcode: 0x28, format: F.S, cost: 1, memory: { kind: 'store', size: 1 }, doc: 'mem8[rs1 + imm] = low 8 bits of rs2',
    exec: (c, d) => { c.store8((c.x[d.rs1]! + d.imm) | 0, c.x[d.rs2]!); } }),
  defineInsn({ mnemonic: 'sh', opcode: 0x29, format: F.S, cost: 1, memory: { kind: 'store', size: 2 }, doc: 'mem16[rs1 + imm] = low 16 bits of rs2; address must be even',
    exec: (c, d) => { c.store16((c.x[d.rs1]! + d.imm) | 0, c.x[d.rs2]!); } }),
  defineInsn({ mnemonic: 'sw', opcode: 0x2a, format: F.S, cost: 1, memory: { kind: 'store', size: 4 }, doc: 'mem32[rs1 + imm] = rs2; address must be a multiple of 4',
    exec: (c, d) => { c.store32((c.x[d.rs1]! + d.imm) | 0, c.x[d.rs2]!); } }),

  // ---- Control flow (targets are pc-relative to the instruction itself) ----------------------
  defineInsn({ mnemonic: 'beq', opcode: 0x30, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 == rs2 goto target',
    exec: (c, d) => { if (c.x[d.rs1] === c.x[d.rs2]) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'bne', opcode: 0x31, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 != rs2 goto target',
    exec: (c, d) => { if (c.x[d.rs1] !== c.x[d.rs2]) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'blt', opcode: 0x32, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 < rs2 (signed) goto target',
    exec: (c, d) => { if (c.x[d.rs1]! < c.x[d.rs2]!) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'bge', opcode: 0x33, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 >= rs2 (signed) goto target',
    exec: (c, d) => { if (c.x[d.rs1]! >= c.x[d.rs2]!) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'bltu', opcode: 0x34, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 < rs2 (unsigned) goto target',
    exec: (c, d) => { if (c.x[d.rs1]! >>> 0 < c.x[d.rs2]! >>> 0) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'bgeu', opcode: 0x35, format: F.B, cost: 1, memory: 'none', flow: 'branch', doc: 'if rs1 >= rs2 (unsigned) goto target',
    exec: (c, d) => { if (c.x[d.rs1]! >>> 0 >= c.x[d.rs2]! >>> 0) c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'jal', opcode: 0x38, format: F.J, cost: 1, memory: 'none', flow: 'call', doc: 'rd = pc + 4; goto target (`call` is jal ra)',
    exec: (c, d) => { c.x[d.rd] = c.next; c.next = (c.pc + d.imm) | 0; } }),
  defineInsn({ mnemonic: 'jalr', opcode: 0x39, format: F.I, cost: 1, memory: 'none', flow: 'jump', doc: 'rd = pc + 4; goto rs1 + imm (`ret` is jalr zero, ra, 0)',
    exec: (c, d) => { const target = (c.x[d.rs1]! + d.imm) | 0; c.x[d.rd] = c.next; c.next = target; } }),

  // ---- Traps ----------------------------------------------------------------------------------
  defineInsn({ mnemonic: 'syscall', opcode: 0x40, format: F.N, cost: 1, memory: 'none', flow: 'trap', doc: 'trap with cause Syscall (EPC = this instruction)',
    exec: (c) => c.trap(Cause.Syscall) }),
  defineInsn({ mnemonic: 'break', opcode: 0x41, format: F.N, cost: 1, memory: 'none', flow: 'trap', doc: 'trap with cause Breakpoint (EPC = this instruction)',
    exec: (c) => c.trap(Cause.Breakpoint) }),

  // ---- Privileged: trap return, CPU control, control registers, ports, TLB --------------------
  defineInsn({ mnemonic: 'sret', opcode: 0x50, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', flow: 'trap-return', doc: 'return from trap: pc = EPC, STATUS = ESTATUS',
    exec: (c) => c.trapReturn() }),
  defineInsn({ mnemonic: 'halt', opcode: 0x51, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'stop the machine (exit code 0, or the power port\'s code)',
    exec: (c) => c.halt() }),
  defineInsn({ mnemonic: 'wfi', opcode: 0x52, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'idle until an interrupt line enabled in IMASK is pending (even with IE off)',
    exec: (c) => c.waitForInterrupt() }),
  defineInsn({ mnemonic: 'ei', opcode: 0x53, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'enable interrupts (STATUS.IE = 1)',
    exec: (c) => c.setInterruptsEnabled(true) }),
  defineInsn({ mnemonic: 'di', opcode: 0x54, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'disable interrupts (STATUS.IE = 0)',
    exec: (c) => c.setInterruptsEnabled(false) }),
  defineInsn({ mnemonic: 'csrr', opcode: 0x55, format: F.CR, privilege: 'privileged', cost: 1, memory: 'none', doc: 'rd = control register csr',
    exec: (c, d) => { c.x[d.rd] = c.readCsr(d.imm); }, registersOnly: (d) => csrByNumber(d.imm)?.plain.read === true }),
  defineInsn({ mnemonic: 'csrw', opcode: 0x56, format: F.CW, privilege: 'privileged', cost: 1, memory: 'none', doc: 'control register csr = rs1',
    exec: (c, d) => c.writeCsr(d.imm, c.x[d.rs1]!), registersOnly: (d) => csrByNumber(d.imm)?.plain.write === true }),
  defineInsn({ mnemonic: 'in', opcode: 0x57, format: F.PI, privilege: 'privileged', cost: PORT_IO_COST, memory: 'none', doc: 'rd = read I/O port',
    exec: (c, d) => { c.x[d.rd] = c.portIn(d.imm); } }),
  defineInsn({ mnemonic: 'out', opcode: 0x58, format: F.PO, privilege: 'privileged', cost: PORT_IO_COST, memory: 'none', doc: 'write rs1 to I/O port',
    exec: (c, d) => c.portOut(d.imm, c.x[d.rs1]!) }),
  defineInsn({ mnemonic: 'tlbflush', opcode: 0x59, format: F.R1, privilege: 'privileged', cost: 1, memory: 'none', doc: 'drop the TLB entry for the page holding virtual address rs1',
    exec: (c, d) => c.flushTlbPage(c.x[d.rs1]!) }),
  defineInsn({ mnemonic: 'tlbflushall', opcode: 0x5a, format: F.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'drop every TLB entry',
    exec: (c) => c.flushTlbAll() }),
]);
