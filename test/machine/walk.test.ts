// The MMU's page walks, one-level (paging) and two-dimensional (nested paging under an EPT),
// against a reference written the way docs/ISA.md reads: each page-table reference counted and
// priced as it is made, each check in order. The Mmu counts a walk's references once at its end
// and reads memory as fast as it can; every outcome must be the same: the physical address or
// the fault (cause, address, and for an EPT violation the guest-physical address and access),
// the references, the cycles and the entry the TLB keeps. Memory is small, so random entries
// point beyond it (a bus error, or for the EPT a violation).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessKind, Cause, Ptbr, pteAllows } from '../../src/isa/index.js';
import { EPT_VIOLATION, Mmu, Pte } from '../../src/machine/mmu.js';
import { PhysicalMemory } from '../../src/machine/memory.js';

const MEMORY_BYTES = 8 * 4096;
const WALK_COST = 7;
const FAULT_CAUSE = [Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute];

interface Outcome {
  pa: number;
  cause?: number;
  badAddr?: number;
  gpa?: number;
  access?: number;
  refs: number;
  /** The frame and rights the TLB keeps, for a walk that ends in a fill. */
  kept?: { frame: number; allow: number };
}

/** The reference walk: `ept` the EPT pointer (frame | 1) or 0 for a one-level walk. */
function referenceWalk(words: Int32Array, ept: number, ptbr: number, va: number, access: AccessKind, ring: number): Outcome {
  let refs = 0;
  const read = (pa: number): number | undefined => {
    refs++;
    const addr = pa >>> 0;
    return addr + 4 <= MEMORY_BYTES ? words[addr >>> 2] : undefined;
  };
  const fault = (cause: number, badAddr: number, more: Partial<Outcome> = {}): Outcome => ({ pa: -1, cause, badAddr: badAddr | 0, refs, ...more });
  const allowOf = (pte: number): number => {
    let allow = 0;
    for (let r = 0; r < 4; r++) for (const a of [0, 1, 2] as AccessKind[]) if (pteAllows(pte, r, a)) allow |= 1 << (r * 3 + a);
    return allow;
  };
  if (ept === 0) {
    const dirAddr = (ptbr & Ptbr.FRAME_MASK) + ((va >>> 22) << 2);
    const pde = read(dirAddr);
    if (pde === undefined) return fault(Cause.BusError, dirAddr);
    if ((pde & Pte.PRESENT) === 0) return fault(FAULT_CAUSE[access]!, va);
    const pteAddr = (pde & Pte.FRAME_MASK) + (((va >>> 12) & 1023) << 2);
    const pte = read(pteAddr);
    if (pte === undefined) return fault(Cause.BusError, pteAddr);
    if ((pte & Pte.PRESENT) === 0) return fault(FAULT_CAUSE[access]!, va);
    const kept = { frame: pte & Pte.FRAME_MASK, allow: allowOf(pte) };
    if (!pteAllows(pte, ring, access)) return { ...fault(FAULT_CAUSE[access]!, va), kept };
    return { pa: ((pte & Pte.FRAME_MASK) | (va & 0xfff)) >>> 0, refs, kept };
  }
  // Guest-physical to host-physical: the EPT's entries are PTEs whose ring bits are ignored.
  const eptTranslate = (gpa: number, acc: AccessKind): { hpa: number; leaf: number } | Outcome => {
    const violation = (): Outcome => fault(EPT_VIOLATION, va, { gpa: gpa | 0, access: acc });
    const pde = read((ept & Pte.FRAME_MASK) + ((gpa >>> 22) << 2));
    if (pde === undefined || (pde & Pte.PRESENT) === 0) return violation();
    const leaf = read((pde & Pte.FRAME_MASK) + (((gpa >>> 12) & 1023) << 2));
    if (leaf === undefined || !pteAllows(leaf | Pte.RING_MASK, 0, acc)) return violation();
    return { hpa: ((leaf & Pte.FRAME_MASK) | (gpa & 0xfff)) >>> 0, leaf };
  };
  let pte = (va & Pte.FRAME_MASK) | Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE | Pte.RING_MASK;
  if ((ptbr & Ptbr.ENABLE) !== 0) {
    for (const gpa of [(ptbr & Pte.FRAME_MASK) + ((va >>> 22) << 2), -1]) {
      const at = gpa !== -1 ? gpa : (pte & Pte.FRAME_MASK) + (((va >>> 12) & 1023) << 2);
      const t = eptTranslate(at, 0);
      if ('refs' in t) return t;
      const entry = read(t.hpa);
      if (entry === undefined) return fault(Cause.BusError, t.hpa);
      if ((entry & Pte.PRESENT) === 0) return fault(FAULT_CAUSE[access]!, va);
      pte = entry;
    }
  }
  if (!pteAllows(pte, ring, access)) return fault(FAULT_CAUSE[access]!, va);
  const data = eptTranslate(((pte & Pte.FRAME_MASK) | (va & 0xfff)) >>> 0, access);
  if ('refs' in data) return data;
  const combined = (data.hpa & Pte.FRAME_MASK) | (pte & ~Pte.FRAME_MASK & (data.leaf | ~(Pte.WRITABLE | Pte.EXECUTABLE)));
  return { pa: data.hpa, refs, kept: { frame: combined & Pte.FRAME_MASK, allow: allowOf(combined) } };
}

/** An entry: a frame of memory's 8 or the one after it, and any of the low bits (present,
 *  writable, executable, ring), present seven times in eight: a 2-D walk makes 8 references. */
const entry = fc
  .record({ frame: fc.integer({ min: 0, max: 8 }), bits: fc.integer({ min: 0, max: 31 }), absent: fc.integer({ min: 0, max: 7 }) })
  .map(({ frame, bits, absent }) => (frame << 12) | bits | (absent !== 0 ? Pte.PRESENT : 0));

const walkCase = fc.record({
  // The first 8 words of each frame: directory and table indexes below stay under 8.
  tables: fc.array(fc.array(entry, { minLength: 8, maxLength: 8 }), { minLength: 8, maxLength: 8 }),
  nested: fc.boolean(),
  eptFrame: fc.integer({ min: 0, max: 8 }),
  ptbr: fc.record({ frame: fc.integer({ min: 0, max: 8 }), enable: fc.boolean() }).map(({ frame, enable }) => (frame << 12) | (enable ? 1 : 0)),
  dirIndex: fc.integer({ min: 0, max: 7 }),
  tableIndex: fc.integer({ min: 0, max: 7 }),
  offset: fc.integer({ min: 0, max: 4095 }),
  access: fc.constantFrom<AccessKind>(0, 1, 2),
  ring: fc.integer({ min: 0, max: 3 }),
});

describe('page walks against the reference walk', () => {
  it('give the same address or fault, references, cycles and TLB entry, with and without an EPT', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(walkCase, (c) => {
        const memory = new PhysicalMemory(MEMORY_BYTES);
        c.tables.forEach((words, frame) => words.forEach((w, k) => (memory.words[frame * 1024 + k] = w)));
        const host = { cycles: 0, tlbDropped: (): void => {}, tlbChanged: (): void => {}, tablesMarked: (): void => {} };
        const mmu = new Mmu(memory, WALK_COST, host);
        const ept = c.nested ? (c.eptFrame << 12) | 1 : 0;
        mmu.setContext(c.nested, ept);
        const va = ((c.dirIndex << 22) | (c.tableIndex << 12) | c.offset) >>> 0;
        // With an EPT and guest paging off there is no guest walk; without an EPT, paging is on.
        const ptbr = c.nested ? c.ptbr : c.ptbr | 1;
        const expected = referenceWalk(memory.words, ept, ptbr, va, c.access, c.ring);
        const pa = mmu.translate(va, c.access, c.ring, ptbr);
        seen.add(`${c.nested ? 'nested' : 'flat'} ${expected.pa >= 0 ? 'ok' : expected.cause}`);
        expect(pa).toBe(expected.pa);
        if (pa < 0) {
          expect(mmu.fault.cause).toBe(expected.cause);
          expect(mmu.fault.badAddr).toBe(expected.badAddr);
          if (expected.cause === EPT_VIOLATION) expect([mmu.fault.gpa, mmu.fault.access]).toEqual([expected.gpa, expected.access]);
        }
        expect(mmu.stats.walkRefs).toBe(expected.refs);
        expect(host.cycles).toBe(expected.refs * WALK_COST);
        expect(mmu.stats.misses).toBe(1);
        const kept = mmu.dump();
        expect(kept.map((e) => ({ frame: e.frame, allow: e.allow }))).toEqual(expected.kept ? [expected.kept] : []);
      }),
      { numRuns: 3000 },
    );
    // Every outcome was reached both ways.
    const outcomes = [Cause.BusError, Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute, 'ok'];
    expect([...seen].sort()).toEqual(
      [...outcomes.map((o) => `flat ${o}`), ...[...outcomes, EPT_VIOLATION].map((o) => `nested ${o}`)].sort(),
    );
  });
});
