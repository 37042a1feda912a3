// The worked example of docs/extending.md, "Adding an instruction". The doc quotes this file
// verbatim and test/docs/extending.test.ts checks that it does, then assembles, disassembles
// and runs a program that uses the new instruction.

import { defineExtension, defineInsn, Formats, type Format } from '../../src/isa/index.js';

/** Two registers, `rd, rs1`: like R, but the rs2 field (bits 15:12) is reserved, so a word
 *  with anything there is illegal rather than a second spelling of the same instruction. */
const R2: Format = {
  name: 'R2',
  operands: ['rd', 'rs1'],
  imm: 'none',
  regs: { rd: 'A', rs1: 'B', rs2: '-' },
  reservedMask: Formats.R.reservedMask | 0x0000_f000,
  doc: 'two registers',
};

export const BITCOUNT = defineExtension('bitcount', 'population count (x86 POPCNT, RISC-V cpop)', [
  defineInsn({
    mnemonic: 'popcnt',
    opcode: 0x60, // any opcode no other instruction of the ISA uses
    format: R2,
    cost: 3, // like the multiplier: a few cycles on a simple in-order core
    memory: 'none', // registers only: no load or store
    doc: 'rd = number of 1 bits in rs1',
    exec: (c, d) => {
      let v = c.x[d.rs1]! >>> 0;
      let n = 0;
      while (v !== 0) {
        v &= v - 1; // clear the lowest set bit
        n++;
      }
      c.x[d.rd] = n;
    },
  }),
], 2); // its bit in EXTENSIONS and in executables' EX_ISA (legacy has 0, vmx 1)
