// Every instruction's `registersOnly` declaration is checked by running it: with operands it
// declares registers-only, an instruction in ring 0 changes nothing a machine snapshot holds
// beyond what any instruction changes (pc, clock, retired count), its destination register and,
// for a control-register write, that one register, which then reads back what was written; and
// what it computes does not depend on the clock or the retired count, which a translated block
// brings up to date only at its sync points. The block translator relies on it to run such an
// instruction without a sync (translate.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE, buildIsa, Csr, CSRS, decodeFields, encodeFields, EXTENSIONS, type Extension, type InsnDef } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';
import { diffSnapshots } from '../../src/machine/snapshot.js';

const PC = 0x100;

/** What a snapshot shows changed after one instruction at PC, from a state set by `x`, the
 *  plain control registers' values, the interrupt enable and the clock (cycles and retired
 *  instructions). */
function changesOf(extension: Extension, insn: InsnDef, word: number, x: readonly number[], csrValues: readonly number[], ie: boolean, clock = 0): { changed: string[]; machine: Machine } {
  const isa = buildIsa(extension === BASE ? [BASE] : [BASE, extension]);
  const machine = new Machine({ isa, memoryBytes: 64 * 1024 });
  machine.writePhysical(PC, Uint8Array.of(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24));
  const cpu = machine.cpu;
  cpu.reset(PC);
  x.forEach((v, i) => (cpu.x[i + 1] = v));
  CSRS.filter((c) => c.plain.write).forEach((c, i) => cpu.writeCsr(c.number, csrValues[i]!));
  cpu.setInterruptsEnabled(ie);
  cpu.cycles += clock;
  cpu.instret += clock;
  const before = machine.snapshot();
  const stop = machine.step();
  expect(stop.kind).toBe('step');
  return { changed: diffSnapshots(before, machine.snapshot()), machine };
}

const bundles: Extension[] = [BASE, ...EXTENSIONS.values()];
const state = {
  x: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 15, maxLength: 15 }),
  csrs: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: CSRS.length, maxLength: CSRS.length }),
  ie: fc.boolean(),
};
const fields = fc.record({ rd: fc.integer({ min: 0, max: 15 }), rs1: fc.integer({ min: 0, max: 15 }), rs2: fc.integer({ min: 0, max: 15 }), imm: fc.integer({ min: -64, max: 64 }) });

describe('registers-only instructions (InsnDef.registersOnly)', () => {
  // What every instruction that retires normally changes (a nop: `add x0, x0, x0`).
  const add = buildIsa([BASE]).byMnemonic.get('add')!;
  const always = new Set(changesOf(BASE, add, encodeFields(add.format, add.opcode, { rd: 0, rs1: 0, rs2: 0, imm: 0 }), [], [], false).changed);

  for (const extension of bundles) {
    for (const spec of extension.insns) {
      const insn = buildIsa(extension === BASE ? [BASE] : [BASE, extension]).byMnemonic.get(spec.mnemonic)!;
      it(`${extension.name}: ${insn.mnemonic} changes only registers where it says so`, () => {
        let checked = 0;
        fc.assert(
          fc.property(fields, state.x, state.csrs, state.ie, fc.integer({ min: 1, max: 2 ** 40 }), (f, x, csrs, ie, clock) => {
            const word = encodeFields(insn.format, insn.opcode, f);
            const d = decodeFields(insn.format, word);
            if (!insn.registersOnly(d)) return;
            checked++;
            const { changed, machine } = changesOf(extension, insn, word, x, csrs, ie);
            const later = changesOf(extension, insn, word, x, csrs, ie, clock).machine;
            expect(Array.from(later.cpu.x)).toEqual(Array.from(machine.cpu.x));
            const extra = changed.filter((c) => !always.has(c) && c !== 'cpu.x');
            if (insn.mnemonic === 'csrw') {
              // One control register, and it reads back what was written (ESTATUS keeps its
              // writable bits).
              expect(extra.length).toBeLessThanOrEqual(1);
              const value = d.rs1 === 0 ? 0 : x[d.rs1 - 1]!;
              const back = machine.cpu.readCsr(d.imm);
              expect(back).toBe(d.imm === Csr.ESTATUS ? value & 0b111 : value | 0);
            } else {
              expect(extra).toEqual([]);
            }
          }),
          { numRuns: 200, seed: 21 },
        );
        // Every instruction runs; only those that declare some operands registers-only must
        // have met them.
        if (insn.mnemonic === 'csrr' || insn.mnemonic === 'csrw') expect(checked).toBeGreaterThan(0);
      });
    }
  }

  it('declares the plain control registers, and not those with effects', () => {
    const isa = buildIsa([BASE]);
    const csrr = isa.byMnemonic.get('csrr')!;
    const csrw = isa.byMnemonic.get('csrw')!;
    const only = (insn: InsnDef, csr: number): boolean => insn.registersOnly({ rd: 1, rs1: 1, rs2: 0, imm: csr });
    expect([Csr.EPC, Csr.SCRATCH0, Csr.STATUS, Csr.IMASK].map((c) => only(csrr, c))).toEqual([true, true, true, true]);
    // CYCLE and INSTRET read the clock; IPEND the devices; PTBR may exit in non-root mode.
    expect([Csr.CYCLE, Csr.INSTRET, Csr.IPEND, Csr.PTBR, 99].map((c) => only(csrr, c))).toEqual([false, false, false, false, false]);
    expect([Csr.EPC, Csr.TVEC, Csr.SCRATCH1].map((c) => only(csrw, c))).toEqual([true, true, true]);
    // STATUS changes the ring, IMASK may make an interrupt due, PTBR flushes the TLB.
    expect([Csr.STATUS, Csr.IMASK, Csr.PTBR, Csr.CYCLE].map((c) => only(csrw, c))).toEqual([false, false, false, false]);
  });
});
