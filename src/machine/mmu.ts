// MMU: two-level page tables and a TLB.
//
// Virtual address:  31..22 directory index | 21..12 table index | 11..0 offset  (4 KiB pages)
// Directory entry:  bits 31:12 frame of the page table, bit 0 present; other bits ignored.
// Page-table entry: bits 31:12 frame, bit 0 present (P), bit 1 writable (W), bit 2 executable (X),
//                   bits 4:3 RING: the page is reachable from every ring <= RING.
//                   (RING 0: kernel only; RING 3: everyone. Reads need only P and RING.)
//
// The TLB is direct-mapped (a hash of the page number picks the slot). Each entry caches a translation together with a 12-bit "allow"
// mask, bit (ring * 3 + access), computed once at fill time, so a hit is one tag compare and one
// bit test. Software must flush after changing a PTE (`tlbflush`, `tlbflushall`, or a PTBR
// write): a stale entry is used as long as it stays in the TLB, exactly as on x86. Entries whose
// PTE is not present are never cached.

import { Cause, Ptbr } from '../isa/index.js';
import type { PhysicalMemory } from './memory.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export const Pte = {
  PRESENT: 1,
  WRITABLE: 2,
  EXECUTABLE: 4,
  RING_SHIFT: 3,
  RING_MASK: 0b11 << 3,
  FRAME_MASK: 0xffff_f000 | 0,
} as const;

export const Access = { READ: 0, WRITE: 1, EXECUTE: 2 } as const;
export type AccessKind = (typeof Access)[keyof typeof Access];

const FAULT_CAUSE = [Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute] as const;

/** Result of a failed translation, read by the processor to raise the trap. */
export interface TranslationFault {
  cause: number;
  badAddr: number;
}

export interface TlbStats {
  /** Lookups answered by the TLB (data accesses and instruction fetches). */
  hits: number;
  misses: number;
  /** Page-table entries read by walks. */
  walkRefs: number;
  /** Flush instructions and PTBR writes. */
  flushes: number;
}

export class Mmu {
  readonly entries: number;
  private readonly slotShift: number;
  /** Virtual page number cached in each slot, or -1. */
  private readonly tag: Int32Array;
  /** Physical frame base address of each slot. */
  private readonly frame: Int32Array;
  /** Allowed (ring, access) pairs of each slot: bit ring * 3 + access. */
  private readonly allow: Int32Array;
  readonly stats: TlbStats = { hits: 0, misses: 0, walkRefs: 0, flushes: 0 };
  /** Set when translate() returns -1. */
  readonly fault: TranslationFault = { cause: 0, badAddr: 0 };
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly walkCostPerLevel: number,
    /** Walk cycles are added to this clock as they happen. */
    private readonly clock: { cycles: number },
    /** Called whenever an entry is dropped or replaced, so caches built on it (the processor's
     *  fetch-page cache) can forget it. */
    private readonly onDrop: () => void,
    entries = 64,
  ) {
    if (entries < 2 || entries > 65536 || (entries & (entries - 1)) !== 0) throw new Error('TLB size must be a power of two from 2 to 65536');
    this.entries = entries;
    this.slotShift = 32 - Math.log2(entries);
    this.tag = new Int32Array(entries).fill(-1);
    this.frame = new Int32Array(entries);
    this.allow = new Int32Array(entries);
  }

  /** Slot for a virtual page: Fibonacci hashing (multiply by 2^32 / golden ratio, keep the top
   *  bits), so pages that differ only in their directory index, such as the VMM's at the top of
   *  the address space and the guest's at the bottom, do not all collide in one slot. */
  private slot(vpn: number): number {
    return Math.imul(vpn, 0x9e3779b1) >>> this.slotShift;
  }

  /**
   * Physical address for `va` (unsigned), or -1 with `fault` set. `ptbr` is the PTBR register (paging is
   * known to be on). Counts a hit or a miss and prices the walk.
   */
  translate(va: number, access: AccessKind, ring: number, ptbr: number): number {
    const vpn = va >>> PAGE_SHIFT;
    const i = this.slot(vpn);
    if (this.tag[i] === vpn) {
      this.stats.hits++;
      if ((this.allow[i]! & (1 << (ring * 3 + access))) !== 0) return (this.frame[i]! | (va & 0xfff)) >>> 0;
      return this.setFault(FAULT_CAUSE[access], va);
    }
    this.stats.misses++;
    return this.walk(va, vpn, i, access, ring, ptbr);
  }

  private walk(va: number, vpn: number, i: number, access: AccessKind, ring: number, ptbr: number): number {
    const dirAddr = (ptbr & Ptbr.FRAME_MASK) + ((va >>> 22) << 2);
    const pde = this.readTableEntry(dirAddr);
    if (pde === undefined) return this.setFault(Cause.BusError, dirAddr);
    if ((pde & Pte.PRESENT) === 0) return this.setFault(FAULT_CAUSE[access], va);
    const pteAddr = (pde & Pte.FRAME_MASK) + (((va >>> 12) & 0x3ff) << 2);
    const pte = this.readTableEntry(pteAddr);
    if (pte === undefined) return this.setFault(Cause.BusError, pteAddr);
    if ((pte & Pte.PRESENT) === 0) return this.setFault(FAULT_CAUSE[access], va);
    this.fill(i, vpn, pte);
    if ((this.allow[i]! & (1 << (ring * 3 + access))) === 0) return this.setFault(FAULT_CAUSE[access], va);
    return (this.frame[i]! | (va & 0xfff)) >>> 0;
  }

  /** One page-table reference: priced, counted; undefined if beyond physical memory. */
  private readTableEntry(physAddr: number): number | undefined {
    this.stats.walkRefs++;
    this.clock.cycles += this.walkCostPerLevel;
    const addr = physAddr >>> 0;
    return addr + 4 <= this.memory.size ? this.memory.words[addr >>> 2]! : undefined;
  }

  private fill(i: number, vpn: number, pte: number): void {
    const pageRing = (pte & Pte.RING_MASK) >>> Pte.RING_SHIFT;
    let allow = 0;
    for (let r = 0; r <= pageRing; r++) {
      allow |= 1 << (r * 3 + Access.READ);
      if (pte & Pte.WRITABLE) allow |= 1 << (r * 3 + Access.WRITE);
      if (pte & Pte.EXECUTABLE) allow |= 1 << (r * 3 + Access.EXECUTE);
    }
    if (this.tag[i] !== -1) this.onDrop();
    this.tag[i] = vpn;
    this.frame[i] = pte & Pte.FRAME_MASK;
    this.allow[i] = allow;
  }

  private setFault(cause: number, badAddr: number): number {
    this.fault.cause = cause;
    this.fault.badAddr = badAddr | 0;
    return -1;
  }

  flushAll(): void {
    this.tag.fill(-1);
    this.onDrop();
    this.stats.flushes++;
  }

  flushPage(va: number): void {
    const vpn = va >>> PAGE_SHIFT;
    const i = this.slot(vpn);
    if (this.tag[i] === vpn) this.tag[i] = -1;
    this.onDrop();
    this.stats.flushes++;
  }

  /** Valid entries, for the debugger's `info tlb`. */
  dump(): { slot: number; virtualPage: number; frame: number; allow: number }[] {
    const out = [];
    for (let i = 0; i < this.entries; i++) {
      if (this.tag[i] !== -1) out.push({ slot: i, virtualPage: this.tag[i]! << PAGE_SHIFT, frame: this.frame[i]!, allow: this.allow[i]! });
    }
    return out;
  }

  save(): { tag: Int32Array; frame: Int32Array; allow: Int32Array; stats: TlbStats } {
    return { tag: this.tag.slice(), frame: this.frame.slice(), allow: this.allow.slice(), stats: { ...this.stats } };
  }

  restore(s: { tag: Int32Array; frame: Int32Array; allow: Int32Array; stats: TlbStats }): void {
    this.tag.set(s.tag);
    this.frame.set(s.frame);
    this.allow.set(s.allow);
    Object.assign(this.stats, s.stats);
    this.onDrop();
  }
}
