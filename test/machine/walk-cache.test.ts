// The MMU's walk cache (src/machine/mmu.ts) remembers what successful walks found, so that a
// miss it has walked before reads no table. It is the emulator's, not the machine's: a machine
// with it must do exactly what a machine without it does (the same translations, faults, TLB
// figures and cycles), whatever is written to the tables, by whom, and when. These tests run
// the two side by side (mmuSettings.rememberWalks): a bare MMU under random walks and table
// writes, and a program that rewrites its own page tables through an alias under both engines.
// The workloads under every configuration and the differential tester's boot sets are compared
// the same way in engines.test.ts (its interpreter runs have no walk cache), and the tester's
// reference boot has none (src/fuzz/equivalence.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessKind, Mmu, withWalkCache } from '../../src/machine/mmu.js';
import { PhysicalMemory } from '../../src/machine/memory.js';
import { type EngineName } from '../../src/machine/machine.js';
import { translatorSettings } from '../../src/machine/translate.js';
import { boot, PageTables, PTE } from './helpers.js';

// ---- A bare MMU -------------------------------------------------------------------------------

// Eight frames of 4 KiB, each a table (entries 0-15) whose entries point at frames 0-7 with
// random rights: walks go through tables that other walks use as data pages, and writes change
// the tables under the cache. Virtual pages: directory index 0-3, table index 0-3.
const FRAMES = 8;
// Half of them allow everything (present, writable, executable, ring 3); the rest have any
// rights bits, not present one time in five.
const entry = fc
  .record({ frame: fc.integer({ min: 0, max: FRAMES - 1 }), bits: fc.integer({ min: 0, max: 31 }), kind: fc.integer({ min: 0, max: 9 }) })
  .map(({ frame, bits, kind }) => (frame << 12) | (kind < 5 ? 31 : kind === 5 ? bits & ~1 : bits | 1));
const tableWord = fc.record({ frame: fc.integer({ min: 0, max: FRAMES - 1 }), index: fc.integer({ min: 0, max: 15 }), value: entry });

type MmuStep =
  | { kind: 'translate'; dir: number; table: number; access: AccessKind; ring: number }
  | { kind: 'write'; frame: number; index: number; value: number }
  | { kind: 'flushAll' }
  | { kind: 'flushPage'; dir: number; table: number };

const page = { dir: fc.integer({ min: 0, max: 3 }), table: fc.integer({ min: 0, max: 3 }) };
const mmuStep: fc.Arbitrary<MmuStep> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('translate' as const), ...page, access: fc.constantFrom<AccessKind>(0, 1, 2), ring: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: tableWord.map((w) => ({ kind: 'write' as const, ...w })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'flushAll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushPage' as const), ...page }) },
);

describe('a bare MMU with the walk cache', () => {
  it('answers as one without, for any walks, table writes and flushes (told only of writes to frames it marked)', () => {
    let remembered = 0;
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: FRAMES * 16, maxLength: FRAMES * 16 }),
        fc.boolean(),
        fc.integer({ min: 0, max: FRAMES - 1 }),
        fc.integer({ min: 0, max: FRAMES - 1 }),
        fc.boolean(),
        fc.array(mmuStep, { minLength: 1, maxLength: 120, size: 'max' }),
        (initial, nested, eptFrame, ptbrFrame, guestPaging, steps) => {
          const sides = [true, false].map((remember) => {
            const memory = new PhysicalMemory(FRAMES * 4096);
            initial.forEach((value, k) => (memory.words[(k >>> 4) * 1024 + (k & 15)] = value)); // entries 0-15 of each frame
            const host = { cycles: 0, tlbDropped: (): void => {}, tlbChanged: (): void => {}, tablesMarked: (): void => {} };
            const mmu = withWalkCache(remember, () => new Mmu(memory, 10, host, 8));
            mmu.setContext(nested, nested ? (eptFrame << 12) | 1 : 0);
            return { memory, host, mmu, tablesRead: countTableWalks(mmu) };
          });
          const ptbr = (ptbrFrame << 12) | (nested && !guestPaging ? 0 : 1);
          for (const s of steps) {
            const results = sides.map(({ memory, host, mmu }) => {
              if (s.kind === 'write') {
                // As the processor's store path does: the MMU hears of a write only to a frame
                // it marked, so a walk that read a frame it did not mark would go stale here.
                memory.words[s.frame * 1024 + s.index] = s.value;
                if (mmu.tableFrames[s.frame] !== 0) mmu.tableWritten(s.frame);
              } else if (s.kind === 'flushAll') mmu.flushAll();
              else if (s.kind === 'flushPage') mmu.flushPage((s.dir << 22) | (s.table << 12));
              else {
                const pa = mmu.translate((s.dir << 22) | (s.table << 12) | 0x123, s.access, s.ring, ptbr);
                return { pa, fault: pa < 0 ? { ...mmu.fault } : undefined, stats: { ...mmu.stats }, cycles: host.cycles, tlb: mmu.dump() };
              }
              return undefined;
            });
            expect(results[0]).toEqual(results[1]);
          }
          // Walks the cache answered.
          remembered += sides[1]!.tablesRead() - sides[0]!.tablesRead();
        },
      ),
      { numRuns: 400 },
    );
    expect(remembered).toBeGreaterThan(100); // the cache was there to test
  });
});

/** Count the walks of `mmu` that read tables (its private walk methods, wrapped on the
 *  instance): the returned function reads the count. */
function countTableWalks(mmu: Mmu): () => number {
  let count = 0;
  const methods = mmu as unknown as Record<string, (...args: unknown[]) => number>;
  for (const name of ['flatWalk', 'nestedWalk']) {
    const walk = methods[name]!;
    methods[name] = function (this: Mmu, ...args: unknown[]): number {
      count++;
      return walk.apply(this, args);
    };
  }
  return () => count;
}

// ---- A program that rewrites its page tables ------------------------------------------------

// Virtual 0x800000 (directory slot 2) maps data frame A or B. The program writes that entry
// through an alias, virtual 0x400000 (slot 1, a page whose frame is slot 2's table), flushes the
// entry and loads through it, 40 times, swapping A and B. The first store reaches the table
// before any walk has read it (so the data-page cache may take the alias page as writable); the
// load's walk then reads the table, which must take that back, or the next store would go past
// the MMU and a remembered walk would load from the old frame.
const REWRITE = `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x20001
        csrw    PTBR, t0
        li      s1, 40
        li      s2, 0x400000        # the alias of the entry of virtual 0x800000 (index 0)
        li      s3, 0x800000
        li      t2, 0x31003         # frame B, present, writable
        li      t1, 0x1000          # frame A xor frame B
loop:   sw      t2, 0(s2)           # the entry, through the alias
        tlbflush s3
        lw      t3, 0(s3)           # 1000 from B, 1 from A
        add     a0, a0, t3
        xor     t2, t2, t1          # the other frame next time
        addi    s1, s1, -1
        bnez    s1, loop
        halt
handler: csrr   a2, CAUSE
        csrr    a3, BADADDR
        halt`;

describe('a program that rewrites its own page tables', () => {
  it('loads from the frame each entry names, under both engines, with and without the walk cache', () => {
    const threshold = translatorSettings.hotThreshold;
    translatorSettings.hotThreshold = 0; // compiled on the first pass: the stores run inline where they may
    try {
      const runs = (['interp', 'translate'] as EngineName[]).flatMap((engine) =>
        [true, false].map((remember) =>
          withWalkCache(remember, () => {
            const { m } = boot(REWRITE, { memoryBytes: 1 << 20, engine });
            new PageTables(m, 0x20000, 0x21000)
              .identity(0x1000, 0x2000, PTE.P | PTE.X)
              .map(0x400000, 0x23000, PTE.P | PTE.W)
              .map(0x800000, 0x30000, PTE.P | PTE.W);
            m.memory.words[0x30000 >>> 2] = 1;
            m.memory.words[0x31000 >>> 2] = 1000;
            const stop = m.run(1_000_000);
            return { stop, stats: m.stats(), x: Array.from(m.cpu.x) };
          }),
        ),
      );
      expect(runs[0]!.stop).toMatchObject({ kind: 'halt' });
      expect(runs[0]!.x[4]).toBe(20 * 1000 + 20 * 1); // a0 (r4)
      for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
    } finally {
      translatorSettings.hotThreshold = threshold;
    }
  });
});
