// The processor's data-page cache (src/machine/processor.ts: the last page used, and a copy of
// way 0 of every TLB set, filled by loads, stores and fetches) may only skip the MMU where the
// MMU's answer is known: every load and store must give the same value, the same fault and the
// same TLB figures (hits, misses, walk
// references, and so the same LRU order) as a bare MMU asked the same questions. Random access
// sequences over pages that crowd the same TLB sets, with ring changes, refused rights, flushes
// and page-table reloads, are run through both and compared after every step.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cause, Csr, Status } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';
import { Access, Mmu, Pte } from '../../src/machine/mmu.js';
import { PhysicalMemory } from '../../src/machine/memory.js';
import { TRAP_SIGNAL } from '../../src/machine/processor.js';

const DIR = 0x1000;
const TABLE = 0x2000;
const FRAME0 = 0x100; // virtual page n maps to frame FRAME0 + n
const PAGES = 40;

/** Rights of virtual page n: most pages any ring may read and write; every fifth is the
 *  kernel's (ring 0), every seventh read-only, every third executable, and the last is not
 *  present. */
function pteOf(vpn: number): number {
  if (vpn === PAGES - 1) return 0;
  const ring = vpn % 5 === 4 ? 0 : 3;
  const writable = vpn % 7 === 6 ? 0 : Pte.WRITABLE;
  const executable = vpn % 3 === 0 ? Pte.EXECUTABLE : 0;
  return ((FRAME0 + vpn) << 12) | Pte.PRESENT | writable | executable | (ring << Pte.RING_SHIFT);
}

function mapInto(memory: PhysicalMemory): void {
  memory.words[DIR >>> 2] = TABLE | Pte.PRESENT;
  for (let vpn = 0; vpn < PAGES; vpn++) memory.words[(TABLE >>> 2) + vpn] = pteOf(vpn);
  for (let vpn = 0; vpn < PAGES; vpn++) memory.words[((FRAME0 + vpn) << 10) + 1] = 0x1000 * vpn + 7; // a word to read back
}

type Step =
  | { kind: 'load'; width: 1 | 2 | 4; signed: boolean; vpn: number; offset: number }
  | { kind: 'store'; width: 1 | 2 | 4; vpn: number; offset: number; value: number }
  | { kind: 'fetch'; vpn: number; offset: number }
  | { kind: 'ring'; ring: 0 | 3 }
  | { kind: 'flushPage'; vpn: number }
  | { kind: 'flushAll' }
  | { kind: 'ptbr' };

// Mostly a working set of eight pages (some of them in one TLB set), sometimes any page.
const vpn = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: PAGES - 1 }) });
// Mostly aligned words, sometimes any byte (misaligned halfwords and words fault).
const offset = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1023 }).map((w) => w * 4) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(2, 4093, 4094), fc.integer({ min: 0, max: 4095 })) },
);
const width = fc.constantFrom<1 | 2 | 4>(1, 2, 4);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('load' as const), width, signed: fc.boolean(), vpn, offset }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('store' as const), width, vpn, offset, value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetch' as const), vpn, offset }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ring' as const), ring: fc.constantFrom<0 | 3>(0, 3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushPage' as const), vpn }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushAll' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ptbr' as const) }) },
);

/** What one access did: the value read (or undefined) or the fault's cause and address. */
type Outcome = { value?: number; fault?: number; badAddr?: number };

function accessOf(s: Step & { kind: 'load' | 'store' | 'fetch' }): number {
  return s.kind === 'load' ? Access.READ : s.kind === 'store' ? Access.WRITE : Access.EXECUTE;
}

function widthOf(s: Step & { kind: 'load' | 'store' | 'fetch' }): number {
  return s.kind === 'fetch' ? 4 : s.width;
}

describe('the data-page cache answers exactly as the TLB would', () => {
  it('for any sequence of loads and stores of every width, ring changes, flushes and page-table reloads', () => {
    let answeredByCache = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 150, size: 'max' }), (steps) => {
        const machine = new Machine({ memoryBytes: 2 << 20, engine: 'interp' });
        const cpu = machine.cpu;
        mapInto(machine.memory);
        const refMemory = new PhysicalMemory(2 << 20);
        mapInto(refMemory);
        const ref = new Mmu(refMemory, machine.costs.pageWalkPerLevel, { cycles: 0, tlbDropped: () => {}, tlbChanged: () => {}, tablesMarked: () => {} });
        let lookups = 0; // the processor's questions to its MMU
        const translate = cpu.mmu.translate.bind(cpu.mmu);
        cpu.mmu.translate = (...args) => (lookups++, translate(...args));
        cpu.writeCsr(Csr.PTBR, DIR | 1);
        ref.flushAll();
        let ring = 0;
        for (const s of steps) {
          if (s.kind === 'ring') {
            cpu.writeCsr(Csr.STATUS, s.ring & Status.RING_MASK);
            ring = s.ring;
            continue;
          }
          if (s.kind === 'flushPage') {
            cpu.flushTlbPage(s.vpn << 12);
            ref.flushPage(s.vpn << 12);
            continue;
          }
          if (s.kind === 'flushAll' || s.kind === 'ptbr') {
            if (s.kind === 'ptbr') cpu.writeCsr(Csr.PTBR, DIR | 1);
            else cpu.flushTlbAll();
            ref.flushAll();
            continue;
          }
          const va = (s.vpn << 12) | s.offset;
          // The reference: alignment first (as the processor checks it), then the MMU.
          let expected: Outcome;
          if ((va & (widthOf(s) - 1)) !== 0) {
            expected = { fault: Cause.Misaligned, badAddr: va };
          } else {
            const pa = ref.translate(va, accessOf(s) as 0 | 1 | 2, ring, DIR | 1);
            if (pa < 0) expected = { fault: ref.fault.cause, badAddr: ref.fault.badAddr };
            else if (s.kind === 'fetch') expected = { value: pa };
            else if (s.kind === 'load') {
              const word = refMemory.words[pa >>> 2]!;
              const raw = s.width === 4 ? word : s.width === 2 ? refMemory.halves[pa >>> 1]! : refMemory.bytes[pa]!;
              expected = { value: s.width === 4 || !s.signed ? raw : s.width === 2 ? (raw << 16) >> 16 : (raw << 24) >> 24 };
            } else {
              if (s.width === 4) refMemory.words[pa >>> 2] = s.value;
              else if (s.width === 2) refMemory.halves[pa >>> 1] = s.value;
              else refMemory.bytes[pa] = s.value;
              expected = {};
            }
          }
          let actual: Outcome;
          cpu.pc = 0x4000; // not TVEC: a trap here is never taken for a double fault
          try {
            if (s.kind === 'fetch') {
              // The processor's slow fetch (which also leaves the page in the cache's level 2).
              actual = { value: cpu.fetchSlow(va) };
            } else if (s.kind === 'load') {
              const v =
                s.width === 4 ? cpu.load32(va) : s.width === 2 ? (s.signed ? cpu.load16(va) : cpu.load16u(va)) : s.signed ? cpu.load8(va) : cpu.load8u(va);
              actual = { value: v };
            } else {
              if (s.width === 4) cpu.store32(va, s.value);
              else if (s.width === 2) cpu.store16(va, s.value);
              else cpu.store8(va, s.value);
              actual = {};
            }
          } catch (e) {
            if (e !== TRAP_SIGNAL) throw e;
            actual = { fault: cpu.cause, badAddr: cpu.badAddr };
            cpu.writeCsr(Csr.STATUS, ring); // the trap entered ring 0: back to the step's ring
          }
          expect(actual).toEqual(expected);
          expect(cpu.mmu.stats).toEqual(ref.stats);
        }
        for (let w = FRAME0 << 10; w < (FRAME0 + PAGES) << 10; w++) if (machine.memory.words[w] !== refMemory.words[w]) expect.fail(`word ${w * 4} differs`);
        answeredByCache += ref.stats.hits + ref.stats.misses - lookups;
      }),
      { numRuns: 200 },
    );
    expect(answeredByCache).toBeGreaterThan(1000); // the cache was there to test
  });
});
