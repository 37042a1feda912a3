// The "legacy" extension: two instructions that break the Popek-Goldberg condition on purpose,
// modelled on the x86 instructions Robin and Irvine (USENIX Security 2000) found sensitive but
// unprivileged. They run in every ring without trapping, so a trap-and-emulate VMM never sees
// them (docs/popek-goldberg.md):
//
// - `rdstatus rd` reads STATUS, the current ring and the interrupt flag, like x86 PUSHF (which
//   reveals IF) combined with reading CS (whose low bits are the current privilege level). A
//   guest kernel pushed down to ring 1 reads ring 1, and the VMM's interrupt flag, not its own.
// - `wrstatus rs1` sets STATUS.IE from rs1 in ring 0 and silently does nothing elsewhere, like
//   x86 POPF, which leaves IF unchanged without a fault when CPL > IOPL. It never changes the
//   ring (POPF cannot change CPL either). A deprivileged guest kernel's `wrstatus` is lost.
//
// Their `privilege` is 'sensitive'; the classifier (src/machine/classify.ts) checks that claim by
// running them, like every other instruction's.

import { Csr, Status } from './csrs.js';
import { defineExtension, defineInsn } from './define.js';
import { Formats, type Format } from './formats.js';

/** One destination register, `rd` (bits 23:20); bits 19:0 are reserved. */
export const RD_FORMAT: Format = {
  name: 'RD',
  operands: ['rd'],
  imm: 'none',
  regs: { rd: 'A', rs1: '-', rs2: '-' },
  reservedMask: 0x000f_ffff, // everything below the opcode but rd
  doc: 'one destination register',
};

export const LEGACY = defineExtension('legacy', 'sensitive but unprivileged STATUS access, modelled on x86 PUSHF and POPF (Popek-Goldberg offenders)', [
  defineInsn({
    mnemonic: 'rdstatus',
    opcode: 0x70,
    format: RD_FORMAT,
    privilege: 'sensitive',
    cost: 1,
    memory: 'none',
    doc: 'rd = STATUS (current ring, IE) in every ring, without trapping (like x86 PUSHF, or reading CS for the CPL)',
    exec: (c, d) => {
      c.x[d.rd] = c.readCsr(Csr.STATUS);
    },
  }),
  defineInsn({
    mnemonic: 'wrstatus',
    opcode: 0x71,
    format: Formats.R1,
    privilege: 'sensitive',
    cost: 1,
    memory: 'none',
    doc: 'ring 0: STATUS.IE = bit 2 of rs1; other rings: nothing, silently (like x86 POPF with CPL > IOPL); never changes the ring',
    exec: (c, d) => {
      if (c.ring === 0) c.setInterruptsEnabled((c.x[d.rs1]! & Status.IE) !== 0);
    },
  }),
], 0);
