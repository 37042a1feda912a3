// Encoding properties of every instruction in every ISA under test: no overlaps, the decoder
// agrees with the table, and encode/decode round-trips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWord, encodeFields, immRange, type Fields, type Format, type InsnDef, type Isa } from '../../src/isa/index.js';
import { claimantsOf, ISAS_UNDER_TEST } from './isas-under-test.js';

const u32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }).map((n) => n >>> 0);

/** Words that carry one of the ISA's opcodes, so the property tests reach real instructions. */
function wordsNearInstructions(isa: Isa): fc.Arbitrary<number> {
  return fc
    .tuple(fc.constantFrom(...isa.insns), u32, fc.boolean())
    .map(([insn, low, keepReserved]) => {
      const body = keepReserved ? low & 0x00ff_ffff : low & 0x00ff_ffff & ~insn.format.reservedMask;
      return ((insn.opcode << 24) | body) >>> 0;
    });
}

/** In-range operand values for format `f`: registers 0-15 where the format has them, else 0. */
function fieldsFor(f: Format): fc.Arbitrary<Fields> {
  const reg = (used: boolean): fc.Arbitrary<number> => (used ? fc.integer({ min: 0, max: 15 }) : fc.constant(0));
  const { min, max, align } = immRange(f.imm);
  const imm = fc.integer({ min: min / align, max: max / align }).map((n) => n * align);
  return fc.record({ rd: reg(f.regs.rd !== '-'), rs1: reg(f.regs.rs1 !== '-'), rs2: reg(f.regs.rs2 !== '-'), imm });
}

const pairName = (a: InsnDef, b: InsnDef): string => `${a.mnemonic} / ${b.mnemonic}`;

describe.each(ISAS_UNDER_TEST)('encoding of %s', (_name, isa) => {
  it('has no two instructions that can decode the same word', () => {
    // A word is claimed by opcode bits 31:24 plus zero reserved bits, and the all-zero body
    // satisfies any reserved mask: two instructions overlap exactly when their opcodes are equal.
    for (const [i, a] of isa.insns.entries()) {
      for (const b of isa.insns.slice(i + 1)) {
        expect(a.opcode, pairName(a, b)).not.toBe(b.opcode);
        expect(claimantsOf(isa, a.opcode << 24), pairName(a, b)).toEqual([a]);
      }
    }
  });

  it('decodes each operand bit as the format says: reserved bits make the word illegal, others do not', () => {
    for (const insn of isa.insns) {
      const base = (insn.opcode << 24) >>> 0;
      expect(decodeWord(isa, base)?.insn, insn.mnemonic).toBe(insn);
      for (let bit = 0; bit < 24; bit++) {
        const reserved = (insn.format.reservedMask >>> bit) & 1;
        const decoded = decodeWord(isa, (base | (1 << bit)) >>> 0);
        expect(decoded?.insn, `${insn.mnemonic} with bit ${bit} set`).toBe(reserved ? undefined : insn);
      }
    }
  });

  it('treats every unassigned opcode as illegal', () => {
    for (let opcode = 0; opcode < 256; opcode++) {
      if (isa.byOpcode[opcode]) continue;
      expect(decodeWord(isa, (opcode << 24) >>> 0), `opcode ${opcode}`).toBeUndefined();
      expect(decodeWord(isa, ((opcode << 24) | 0x00ff_ffff) >>> 0), `opcode ${opcode}`).toBeUndefined();
    }
  });

  it('decodes any word to at most one instruction, whose opcode and reserved bits match', () => {
    fc.assert(
      fc.property(fc.oneof(u32, wordsNearInstructions(isa)), (word) => {
        const claimants = claimantsOf(isa, word);
        expect(claimants.length).toBeLessThanOrEqual(1);
        const decoded = decodeWord(isa, word);
        expect(decoded?.insn).toBe(claimants[0]);
        if (decoded) {
          expect(word >>> 24).toBe(decoded.insn.opcode);
          expect(word & decoded.insn.format.reservedMask).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps opcode 0 illegal, so zeroed memory traps', () => {
    expect(isa.byOpcode[0]).toBeUndefined();
    expect(decodeWord(isa, 0)).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x00ff_ffff }), (body) => decodeWord(isa, body) === undefined));
  });

  it('treats the all-ones word as illegal unless an instruction claims it', () => {
    const owner = isa.byOpcode[0xff];
    const claimed = owner !== undefined && owner.format.reservedMask === 0;
    expect(decodeWord(isa, 0xffff_ffff)?.insn).toBe(claimed ? owner : undefined);
    // Words often travel as signed int32 (Int32Array memory); the decoder must not care.
    expect(decodeWord(isa, -1)?.insn).toBe(claimed ? owner : undefined);
  });

  describe.each(isa.insns.map((insn) => [insn.mnemonic, insn] as const))('%s', (_mnemonic, insn) => {
    it('round-trips in-range operands through encodeFields and decodeWord', () => {
      fc.assert(
        fc.property(fieldsFor(insn.format), (fields) => {
          const word = encodeFields(insn.format, insn.opcode, fields);
          expect(word >>> 0).toBe(word); // unsigned 32-bit
          expect(word >>> 24).toBe(insn.opcode);
          expect(word & insn.format.reservedMask).toBe(0);
          expect(decodeWord(isa, word)).toEqual({ insn, ...fields });
        }),
      );
    });
  });
});
