// The TLB's organisation: 4-way set-associative with LRU replacement. The Mmu is driven directly
// over a page directory that maps 1024 pages, and compared with a reference model written the
// obvious way (an array of recency-ordered sets).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessKind, pteAllows, Tlb } from '../../src/isa/index.js';
import { Access, Mmu, Pte, TLB_WAYS } from '../../src/machine/mmu.js';
import { PhysicalMemory } from '../../src/machine/memory.js';

const DIR = 0x1000;
const TABLE = 0x2000;
const PAGES = 1024; // one page table: virtual pages 0..1023 map to frames 0x100 + vpn
const PTBR = DIR | 1;

function mmuOver(entries = 64): { mmu: Mmu; drops: { count: number } } {
  const memory = new PhysicalMemory(8 << 20);
  memory.words[DIR >>> 2] = TABLE | Pte.PRESENT;
  for (let vpn = 0; vpn < PAGES; vpn++) {
    memory.words[(TABLE >>> 2) + vpn] = ((0x100 + vpn) << 12) | Pte.PRESENT | Pte.WRITABLE | Pte.RING_MASK;
  }
  const drops = { count: 0 };
  const mmu = new Mmu(memory, 10, { cycles: 0, tlbDropped: () => drops.count++, tlbChanged: () => {}, tablesMarked: () => {} }, entries);
  return { mmu, drops };
}

/** The reference: each set a list of page numbers, most recently used first. */
class ModelTlb {
  private readonly sets: number[][];
  hits = 0;
  misses = 0;
  constructor(
    private readonly setCount: number,
    private readonly ways: number,
    private readonly setOf: (vpn: number) => number,
  ) {
    this.sets = Array.from({ length: setCount }, () => []);
  }
  access(vpn: number): void {
    const set = this.sets[this.setOf(vpn)]!;
    const at = set.indexOf(vpn);
    if (at >= 0) {
      this.hits++;
      set.splice(at, 1);
    } else {
      this.misses++;
      if (set.length === this.ways) set.pop();
    }
    set.unshift(vpn);
  }
  flush(vpn: number): void {
    const set = this.sets[this.setOf(vpn)]!;
    const at = set.indexOf(vpn);
    if (at >= 0) set.splice(at, 1);
  }
}

/** The set the Mmu puts a page in, found by probing: pages that evict each other share a set. */
function setIndexOf(entries: number): (vpn: number) => number {
  const sets = entries / Math.min(TLB_WAYS, entries);
  return (vpn) => (sets === 1 ? 0 : Math.imul(vpn, 0x9e3779b1) >>> (32 - Math.log2(sets)));
}

const translate = (mmu: Mmu, vpn: number): number => mmu.translate(vpn << 12, Access.READ, 0, PTBR);

describe('TLB organisation', () => {
  it('is 4-way: four pages of one set stay resident together, a fifth evicts the least recently used', () => {
    const { mmu } = mmuOver();
    expect(mmu.ways).toBe(4);
    const setOf = setIndexOf(64);
    const same = [...Array(PAGES).keys()].filter((v) => setOf(v) === setOf(7)).slice(0, 5);
    expect(same).toHaveLength(5);
    for (const vpn of same.slice(0, 4)) translate(mmu, vpn);
    expect(mmu.stats.misses).toBe(4);
    for (const vpn of same.slice(0, 4)) expect(translate(mmu, vpn)).toBe((0x100 + vpn) << 12);
    expect(mmu.stats.misses).toBe(4); // all four hit
    translate(mmu, same[1]!); // now same[0] is the least recently used
    translate(mmu, same[4]!); // evicts same[0]
    expect(mmu.stats.misses).toBe(5);
    translate(mmu, same[1]!);
    translate(mmu, same[2]!);
    translate(mmu, same[3]!);
    expect(mmu.stats.misses).toBe(5);
    translate(mmu, same[0]!);
    expect(mmu.stats.misses).toBe(6);
  });

  it('counts the same hits and misses as a reference LRU model, for any access and flush sequence', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4, 16, 64),
        fc.array(fc.record({ vpn: fc.nat(PAGES - 1), flush: fc.boolean() }), { maxLength: 300 }),
        (entries, steps) => {
          const { mmu } = mmuOver(entries);
          const model = new ModelTlb(entries / mmu.ways, mmu.ways, setIndexOf(entries));
          for (const { vpn, flush } of steps) {
            if (flush) {
              mmu.flushPage(vpn << 12);
              model.flush(vpn);
            } else {
              expect(translate(mmu, vpn)).toBe((0x100 + vpn) << 12);
              model.access(vpn);
            }
          }
          expect([mmu.stats.hits, mmu.stats.misses]).toEqual([model.hits, model.misses]);
          expect(mmu.dump().length).toBeLessThanOrEqual(entries);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tells the fetch cache only when an entry is dropped or replaced, not when it moves within its set', () => {
    const { mmu, drops } = mmuOver();
    const setOf = setIndexOf(64);
    const same = [...Array(PAGES).keys()].filter((v) => setOf(v) === setOf(3)).slice(0, 5);
    for (const vpn of same.slice(0, 4)) translate(mmu, vpn);
    expect(drops.count).toBe(0); // filling empty ways drops nothing
    translate(mmu, same[0]!); // a hit in way 3 moves to way 0
    expect(drops.count).toBe(0);
    translate(mmu, same[4]!); // replaces the least recently used
    expect(drops.count).toBe(1);
  });

  it('applies the rule of src/isa/paging.ts (docs/ISA.md, "Paging") on a walk and on a hit alike', () => {
    // Virtual page n maps with rights bits n (P, W, X and RING: every combination of the 5 bits).
    const rightsBits = Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE | Pte.RING_MASK;
    const memory = new PhysicalMemory(1 << 20);
    memory.words[DIR >>> 2] = TABLE | Pte.PRESENT;
    for (let rights = 0; rights <= rightsBits; rights++) memory.words[(TABLE >>> 2) + rights] = ((0x80 + rights) << 12) | rights;
    for (let rights = 0; rights <= rightsBits; rights++) {
      for (let ring = 0; ring < 4; ring++) {
        for (const access of [Access.READ, Access.WRITE, Access.EXECUTE] as AccessKind[]) {
          const mmu = new Mmu(memory, 10, { cycles: 0, tlbDropped: () => {}, tlbChanged: () => {}, tablesMarked: () => {} });
          const expected = pteAllows(rights, ring, access) ? ((0x80 + rights) << 12) | 0x34 : -1;
          const what = `rights ${rights.toString(2)}, ring ${ring}, access ${access}`;
          expect(mmu.translate((rights << 12) | 0x34, access, ring, PTBR), `${what}, walk`).toBe(expected);
          expect(mmu.translate((rights << 12) | 0x34, access, ring, PTBR), `${what}, TLB hit`).toBe(expected);
          // Not-present translations are never cached; present ones are, even when refused.
          expect(mmu.stats.misses, what).toBe((rights & Pte.PRESENT) !== 0 ? 1 : 2);
        }
      }
    }
  });

  it('has the default size and associativity the ISA reference states', () => {
    const { mmu } = mmuOver();
    expect([mmu.entries, mmu.ways]).toEqual([Tlb.DEFAULT_ENTRIES, Tlb.WAYS]);
  });
});
