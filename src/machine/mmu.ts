// MMU: two-level page tables and a TLB.
//
// The formats are tables in src/isa/paging.ts (docs/ISA.md, "Paging"): a virtual address is
// 10 bits of directory index, 10 of table index and 12 of offset (4 KiB pages); a directory
// entry holds the frame of a page table and a present bit; a page-table entry holds the frame,
// present (P), writable (W), executable (X) and a 2-bit RING: the page is reachable from every
// ring <= RING. `pteAllows` is the one rule for who may do what.
//
// The TLB is 4-way set-associative with true LRU replacement, like the L1 TLBs of the x86 cores
// the cost presets model (64 entries = 16 sets of 4 ways). A hash of the page number picks the
// set. Each set keeps its ways in recency order: way 0 is the most recently used, so the common
// hit is one tag compare, a hit in another way moves that entry to the front, and a fill replaces
// the first empty way or else the last (least recently used). Each entry caches a translation
// together with a 12-bit "allow" mask, bit (ring * 3 + access), computed once at fill time, so a
// hit is a tag compare and one bit test. Software must flush after changing a PTE (`tlbflush`, `tlbflushall`, or a PTBR
// write): a stale entry is used as long as it stays in the TLB, exactly as on x86. Entries whose
// PTE is not present are never cached.
//
// The walk cache is the emulator's, not the machine's: it remembers what recent successful
// walks found, so that a TLB miss the machine has walked before (every page a context switch
// touches, after the PTBR write flushed the TLB) reads no table. It counts the walk's
// references and cycles all the same, and fills the TLB the same way: nothing the machine can
// see changes, only the host's work. It is never stale, unlike the TLB: every frame a walk has
// read is marked (`tableFrames`), and a write to a marked frame, from a store or from outside
// the processor (both reach Processor.forgetDecoded), drops the whole cache (`tableWritten`);
// no remembered walk read an unmarked frame, so other writes need not. The processor keeps
// stores to marked frames off its inline paths, so that each of them comes here (see
// Processor.dataPageRights: DATA_TABLE).

import { Access, type AccessKind, Cause, PAGE_SHIFT, Ptbr, Pte, pteAllows, Tlb, VirtualAddress } from '../isa/index.js';
import type { PhysicalMemory } from './memory.js';

export { Access, type AccessKind, PAGE_SHIFT, PAGE_SIZE, Pte } from '../isa/index.js';

const { DIR_SHIFT, TABLE_SHIFT, INDEX_MASK } = VirtualAddress;

const FAULT_CAUSE = [Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute] as const;

/** Not a trap cause: `fault.cause` when the EPT refused a guest-physical address. The processor
 *  turns it into an EptViolation VM exit (src/isa/vmx.ts). */
export const EPT_VIOLATION = -1;

/** Result of a failed translation, read by the processor to raise the trap. */
export interface TranslationFault {
  cause: number;
  badAddr: number;
  /** For EPT violations: the guest-physical address and the access (0 read, 1 write, 2 execute). */
  gpa: number;
  access: number;
}

/** One set of TLB arrays. Root and non-root mode each have one (like VPID tags on Intel). */
interface TlbContext {
  tag: Int32Array;
  frame: Int32Array;
  allow: Int32Array;
}

/** First value of a count that grows without bound (cycles, instructions, hits); the
 *  constructor sets it to 0. V8 keeps a number field in the representation of the first value
 *  stored in it: a small-integer field that outgrows 2^31 (cycles do in a long boot) gives the
 *  object a new hidden class, and every function optimized for the old one is deoptimized: in
 *  `bench overhead` that was one moment, after which some 370 translated regions were compiled
 *  again. A field that starts as a double never changes. */
export const STARTS_AS_DOUBLE = 0.5;

export interface TlbStats {
  /** Lookups answered by the TLB (data accesses and instruction fetches). */
  hits: number;
  misses: number;
  /** Page-table entries read by walks. */
  walkRefs: number;
  /** Flush instructions and PTBR writes. */
  flushes: number;
}

/** What the MMU needs of the processor that owns it. A class's methods, not closures: every
 *  machine's processor is of the one class, so V8 inlines the calls in a process that boots
 *  many machines (a closure per machine was a new call target for each, and the walk's code was
 *  deoptimized at the first call of another machine's). */
export interface MmuHost {
  /** The clock: a walk adds its cycles. */
  cycles: number;
  /** An entry was dropped or replaced: caches built on it (the fetch-page cache) forget it. */
  tlbDropped(): void;
  /** Way 0 of set number `set` (`setNumber`) may have changed (a fill, a promotion, a flush),
   *  or with -1 that of every set (a context switch, a flush of all): the data-page cache,
   *  which mirrors way 0 of each set, forgets it. A superset of tlbDropped's events. */
  tlbChanged(set: number): void;
  /** A frame was newly marked in `tableFrames`: caches that let stores skip the processor's
   *  path (its data-page cache) must forget it. */
  tablesMarked(): void;
}

/** Entries of the walk cache (direct-mapped; a power of two). */
export const WALK_CACHE_ENTRIES = 256;
/** Times a table may be written after a walk has read it before walks through it are no longer
 *  remembered. A VMM's shadow tables are rewritten at every guest context switch: remembering
 *  walks through them saved nothing (every write dropped the cache), and every write went out
 *  of the translator's inline path and dropped the data-page cache when the next walk marked the
 *  table again. A kernel's own tables are written after use a few times in a boot (copy on
 *  write). A table stays churning for the machine's life. */
export const CHURNING_TABLE = 8;
/** rememberWalks: whether MMUs made from now on have a walk cache (tests turn it off to compare
 *  a machine with one against a machine without). */
export const mmuSettings = { rememberWalks: true };

/** Make something (machines, an MMU) with the walk cache on or off, and put the setting back. */
export function withWalkCache<T>(remember: boolean, make: () => T): T {
  const saved = mmuSettings.rememberWalks;
  mmuSettings.rememberWalks = remember;
  try {
    return make();
  } finally {
    mmuSettings.rememberWalks = saved;
  }
}
/** Words per walk cache entry (32 bytes), and where each field is. */
const WALK_STRIDE = 8;
const WALK_GEN = 0;
const WALK_VPN = 1;
const WALK_PTBR = 2;
const WALK_EPT = 3;
const WALK_PTE = 4;
const WALK_REFS = 5;
/** The walk cache's index: the top 8 bits of a Fibonacci hash of the page and PTBR (two
 *  shifts, as setNumber's). */
const WALK_CACHE_SHIFT = 31 - Math.log2(WALK_CACHE_ENTRIES);

export interface MmuState {
  root: TlbContext;
  guest: TlbContext;
  inGuest: boolean;
  ept: number;
  stats: TlbStats;
}

/** The bits of a PTE that decide who may use the page. */
const RIGHTS_BITS = Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE | Pte.RING_MASK;

/** The TLB's allow mask (bit ring * 3 + access) for each combination of rights bits, computed
 *  once from `pteAllows` so that TLB hits and walks apply exactly the same rule. */
const ALLOW_MASKS = Int32Array.from({ length: RIGHTS_BITS + 1 }, (_, rights) => {
  let allow = 0;
  for (let ring = 0; ring < 4; ring++) {
    for (const access of [Access.READ, Access.WRITE, Access.EXECUTE]) if (pteAllows(rights, ring, access)) allow |= 1 << (ring * 3 + access);
  }
  return allow;
});

/** The multiplier of `Mmu.setNumber`'s Fibonacci hashing (2^32 / the golden ratio). */
export const TLB_SET_HASH = 0x9e3779b1;

/** Ways per set (fewer if the whole TLB is smaller). */
export const TLB_WAYS = Tlb.WAYS;

export class Mmu {
  readonly entries: number;
  readonly ways: number;
  /** log2(ways): a set's first slot is its number shifted left by this. */
  private readonly waysShift: number;
  readonly sets: number;
  /** `setNumber`'s second shift. */
  readonly setShift: number;
  // The arrays of the current context (root or non-root), swapped by setContext.
  /** Virtual page number cached in each slot, or -1. */
  private tag: Int32Array;
  /** Physical frame base address of each slot. */
  private frame: Int32Array;
  /** Allowed (ring, access) pairs of each slot: bit ring * 3 + access. */
  private allow: Int32Array;
  private readonly rootTlb: TlbContext;
  private readonly guestTlb: TlbContext;
  /** True while the non-root (guest) context is current. */
  private guest = false;
  /** EPT pointer while the guest context uses nested paging (frame | 1), else 0. */
  private ept = 0;
  /** Page-table references of the walk under way (`walk`): not state to save. */
  private refs = 0;
  /** The walk cache (see the top of this file): WALK_CACHE_ENTRIES entries of WALK_STRIDE
   *  words, side by side (a lookup reads 32 bytes, where six arrays took six reads apart): the
   *  generation the entry belongs to (valid while it is `walkGeneration`, so dropping them all
   *  is one increment), the virtual page, the PTBR and EPT pointer it was walked with, the TLB
   *  entry the walk filled (frame and rights) and its references (WALK_GEN .. WALK_REFS). Not
   *  state to save. */
  private readonly walkCache = new Int32Array(WALK_CACHE_ENTRIES * WALK_STRIDE);
  private walkGeneration = 1;
  /** mmuSettings.rememberWalks when this MMU was made. */
  private readonly rememberWalks = mmuSettings.rememberWalks;
  /** The TLB entry (frame | rights) the last fill wrote. */
  private filled = 0;
  /** 1 for each physical frame a walk has read since it was last written (its tables). */
  readonly tableFrames: Uint8Array;
  /** For each frame, how often it was written while marked (up to CHURNING_TABLE). */
  private readonly tableWrites: Uint8Array;
  /** False once the walk under way has read a churning table: it is not remembered. */
  private rememberThis = true;
  readonly stats: TlbStats = { hits: STARTS_AS_DOUBLE, misses: STARTS_AS_DOUBLE, walkRefs: STARTS_AS_DOUBLE, flushes: 0 };
  /** Set when translate() returns -1. */
  readonly fault: TranslationFault = { cause: 0, badAddr: 0, gpa: 0, access: 0 };
  constructor(
    private readonly memory: PhysicalMemory,
    private readonly walkCostPerLevel: number,
    /** The processor: its clock, and the caches it builds on the TLB. */
    private readonly host: MmuHost,
    entries: number = Tlb.DEFAULT_ENTRIES,
  ) {
    if (entries < 2 || entries > 65536 || (entries & (entries - 1)) !== 0) throw new Error('TLB size must be a power of two from 2 to 65536');
    this.entries = entries;
    this.ways = Math.min(TLB_WAYS, entries);
    this.waysShift = Math.log2(this.ways);
    // Two shifts, 1 then 31 - log2(sets): a single shift by 32 would be a shift by 0 in JS.
    this.sets = entries / this.ways;
    this.setShift = 31 - Math.log2(this.sets);
    const context = (): TlbContext => ({ tag: new Int32Array(entries).fill(-1), frame: new Int32Array(entries), allow: new Int32Array(entries) });
    this.rootTlb = context();
    this.guestTlb = context();
    this.tag = this.rootTlb.tag;
    this.frame = this.rootTlb.frame;
    this.allow = this.rootTlb.allow;
    this.stats.hits = this.stats.misses = this.stats.walkRefs = 0;
    this.tableFrames = new Uint8Array(Math.ceil(memory.size / 4096));
    this.tableWrites = new Uint8Array(this.tableFrames.length);
  }

  /** Switch between the root and the non-root (guest) TLB; `ept` is the guest's EPT pointer
   *  (frame | 1) or 0 for none. The two contexts never see each other's entries. */
  setContext(guest: boolean, ept: number): void {
    const ctx = guest ? this.guestTlb : this.rootTlb;
    this.guest = guest;
    this.ept = guest && (ept & Ptbr.ENABLE) !== 0 ? ept : 0;
    this.tag = ctx.tag;
    this.frame = ctx.frame;
    this.allow = ctx.allow;
    this.host.tlbDropped();
    this.host.tlbChanged(-1);
  }

  /** True while nested paging translates the current (guest) context. */
  get nested(): boolean {
    return this.ept !== 0;
  }

  /** Drop every entry of the guest context (INVVPID), whichever context is current. */
  flushGuest(): void {
    this.dropAll(this.guestTlb.tag);
  }

  /** Drop the guest context's entry for one guest-virtual page. */
  flushGuestPage(va: number): void {
    this.dropPage(this.guestTlb.tag, va);
  }

  /** First slot of a virtual page's set: Fibonacci hashing (multiply by 2^32 / golden ratio, keep
   *  the top bits), so pages that differ only in their directory index, such as the VMM's at the
   *  top of the address space and the guest's at the bottom, spread over the sets. */
  private setOf(vpn: number): number {
    return this.setNumber(vpn) << this.waysShift;
  }

  /** The set a virtual page number belongs to (0 .. sets - 1). */
  setNumber(vpn: number): number {
    return (Math.imul(vpn, TLB_SET_HASH) >>> 1) >>> this.setShift;
  }

  /**
   * Physical address for `va` (unsigned), or -1 with `fault` set. `ptbr` is the PTBR register (paging is
   * known to be on). Counts a hit or a miss and prices the walk.
   */
  translate(va: number, access: AccessKind, ring: number, ptbr: number): number {
    const vpn = va >>> PAGE_SHIFT;
    const set = this.setOf(vpn);
    // Hot path: way 0 is the most recently used entry of the set, the usual hit.
    if (this.tag[set] !== vpn && !this.findAndPromote(set, vpn)) {
      this.stats.misses++;
      return this.walk(va, vpn, set, true, access, ring, ptbr);
    }
    this.stats.hits++;
    if ((this.allow[set]! & (1 << (ring * 3 + access))) !== 0) return (this.frame[set]! | (va & 0xfff)) >>> 0;
    // Under EPT a refusal may be the guest's or the EPT's: the walk tells which.
    if (this.ept !== 0) return this.walk(va, vpn, set, false, access, ring, ptbr);
    return this.setFault(FAULT_CAUSE[access], va);
  }

  /** Look for `vpn` in ways 1.. of a set; if found, move it to way 0 (most recent) and shift the
   *  ways in front of it back by one. Nothing is dropped, so no tlbDropped. */
  private findAndPromote(set: number, vpn: number): boolean {
    const tag = this.tag;
    let way = set + 1;
    const end = set + this.ways;
    while (way < end && tag[way] !== vpn) way++;
    if (way === end) return false;
    this.promote(set, way);
    return true;
  }

  /** Move the entry in `way` of the set to way 0, shifting the ways in front of it back. */
  private promote(set: number, way: number): void {
    this.host.tlbChanged(set >>> this.waysShift);
    const tag = this.tag[way]!;
    const frame = this.frame[way]!;
    const allow = this.allow[way]!;
    this.shiftBack(set, way);
    this.tag[set] = tag;
    this.frame[set] = frame;
    this.allow[set] = allow;
  }

  /** Move ways set..last-1 to set+1..last (way `last` is overwritten). */
  private shiftBack(set: number, last: number): void {
    // A plain loop: at most three entries move, and three copyWithin calls cost more (a
    // builtin call each) than the copying.
    const { tag, frame, allow } = this;
    for (let way = last; way > set; way--) {
      tag[way] = tag[way - 1]!;
      frame[way] = frame[way - 1]!;
      allow[way] = allow[way - 1]!;
    }
  }

  /** `insert`: the translation is new to the set (a miss), else it replaces way 0 in place (a
   *  hit that EPT rights refused and that is walked again). The walk counts its page-table
   *  references in `refs` and prices them all at its end (nothing reads the clock or the
   *  counts in between), and reads memory's words itself: with a call that counted and priced
   *  each reference, a 2-D walk took about 70 ns in a micro-benchmark, now 50. */
  private walk(va: number, vpn: number, set: number, insert: boolean, access: AccessKind, ring: number, ptbr: number): number {
    // The walk cache first: a walk it remembers, whose entry allows this access, ends the way
    // it did then (a refusal is walked again, for its exact fault).
    const e = ((Math.imul(vpn ^ ptbr, TLB_SET_HASH) >>> 1) >>> WALK_CACHE_SHIFT) * WALK_STRIDE;
    const cache = this.walkCache;
    // No rememberWalks check here: without the cache no entry is ever written, and generation 0
    // is never current.
    if (cache[e + WALK_GEN] === this.walkGeneration && cache[e + WALK_VPN] === vpn && cache[e + WALK_PTBR] === ptbr && cache[e + WALK_EPT] === this.ept) {
      const pte = cache[e + WALK_PTE]!;
      if ((ALLOW_MASKS[pte & RIGHTS_BITS]! & (1 << (ring * 3 + access))) !== 0) {
        const refs = cache[e + WALK_REFS]!;
        this.stats.walkRefs += refs;
        this.host.cycles += refs * this.walkCostPerLevel;
        this.fill(set, insert, vpn, pte);
        return ((pte & Pte.FRAME_MASK) | (va & 0xfff)) >>> 0;
      }
    }
    this.refs = 0;
    this.rememberThis = this.rememberWalks;
    const pa = this.ept !== 0 ? this.nestedWalk(va, vpn, set, insert, access, ring, ptbr) : this.flatWalk(va, vpn, set, insert, access, ring, ptbr);
    this.stats.walkRefs += this.refs;
    this.host.cycles += this.refs * this.walkCostPerLevel;
    if (pa >= 0 && this.rememberThis) {
      cache[e + WALK_GEN] = this.walkGeneration;
      cache[e + WALK_VPN] = vpn;
      cache[e + WALK_PTBR] = ptbr;
      cache[e + WALK_EPT] = this.ept;
      cache[e + WALK_PTE] = this.filled;
      cache[e + WALK_REFS] = this.refs;
    }
    return pa;
  }

  /** Mark the frame of table address `at` (read by a walk): a write there drops the walk cache.
   *  A churning table is not marked, and the walk is not remembered. */
  private markTable(at: number): void {
    const f = at >>> PAGE_SHIFT;
    if (this.tableFrames[f] !== 0) return;
    if (this.tableWrites[f] === CHURNING_TABLE) {
      this.rememberThis = false;
      return;
    }
    this.tableFrames[f] = 1;
    this.host.tablesMarked();
  }

  /** A store wrote marked frame `frame`: no walk remembered stays (any may have read it), so no
   *  walk depends on the frame until one reads it again and marks it. */
  tableWritten(frame: number): void {
    this.tableFrames[frame] = 0;
    if (this.tableWrites[frame]! < CHURNING_TABLE) this.tableWrites[frame]!++;
    this.dropWalks();
  }

  /** Forget every remembered walk (a snapshot restored the TLB). */
  dropWalks(): void {
    if (this.walkGeneration === 0x7fffffff) {
      this.walkCache.fill(0);
      this.walkGeneration = 0;
    }
    this.walkGeneration++;
  }

  private flatWalk(va: number, vpn: number, set: number, insert: boolean, access: AccessKind, ring: number, ptbr: number): number {
    const { words, size } = this.memory;
    this.refs++;
    const dirAddr = ((ptbr & Ptbr.FRAME_MASK) + ((va >>> DIR_SHIFT) << 2)) >>> 0;
    if (dirAddr + 4 > size) return this.setFault(Cause.BusError, dirAddr);
    this.markTable(dirAddr);
    const pde = words[dirAddr >>> 2]!;
    if ((pde & Pte.PRESENT) === 0) return this.setFault(FAULT_CAUSE[access], va);
    this.refs++;
    const pteAddr = ((pde & Pte.FRAME_MASK) + (((va >>> TABLE_SHIFT) & INDEX_MASK) << 2)) >>> 0;
    if (pteAddr + 4 > size) return this.setFault(Cause.BusError, pteAddr);
    this.markTable(pteAddr);
    const pte = words[pteAddr >>> 2]!;
    if ((pte & Pte.PRESENT) === 0) return this.setFault(FAULT_CAUSE[access], va);
    this.fill(set, insert, vpn, pte);
    if ((this.allow[set]! & (1 << (ring * 3 + access))) === 0) return this.setFault(FAULT_CAUSE[access], va);
    return (this.frame[set]! | (va & 0xfff)) >>> 0;
  }

  /**
   * The 2-D walk of nested paging: every guest page-table reference is a guest-physical address
   * that the EPT must translate first, and so is the final address. With n guest levels and m
   * EPT levels that is (n + 1)(m + 1) - 1 references: 8 here (n = m = 2), each priced like any
   * walk reference. With guest paging off, only the final address goes through the EPT.
   */
  private nestedWalk(va: number, vpn: number, set: number, insert: boolean, access: AccessKind, ring: number, ptbr: number): number {
    const { words, size } = this.memory;
    // Guest paging off: guest-virtual = guest-physical, no limits.
    let pte = (va & Pte.FRAME_MASK) | Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE | Pte.RING_MASK;
    if ((ptbr & Ptbr.ENABLE) !== 0) {
      // The guest's directory entry, then its page-table entry, each at a guest-physical address.
      for (let level = 0; level < 2; level++) {
        const gpa = level === 0 ? (ptbr & Pte.FRAME_MASK) + ((va >>> DIR_SHIFT) << 2) : (pte & Pte.FRAME_MASK) + (((va >>> TABLE_SHIFT) & INDEX_MASK) << 2);
        const leaf = this.eptLeafOf(gpa);
        if ((leaf & Pte.PRESENT) === 0) return this.eptViolation(gpa, Access.READ, va);
        const hpa = ((leaf & Pte.FRAME_MASK) | (gpa & 0xfff)) >>> 0;
        this.refs++;
        if (hpa + 4 > size) return this.setFault(Cause.BusError, hpa);
        this.markTable(hpa);
        pte = words[hpa >>> 2]!;
        if ((pte & Pte.PRESENT) === 0) return this.setFault(FAULT_CAUSE[access], va);
      }
    }
    // The guest's own permissions first: a refusal there is the guest's page fault.
    if ((ALLOW_MASKS[pte & RIGHTS_BITS]! & (1 << (ring * 3 + access))) === 0) return this.setFault(FAULT_CAUSE[access], va);
    const dataGpa = ((pte & Pte.FRAME_MASK) | (va & 0xfff)) >>> 0;
    const leaf = this.eptLeafOf(dataGpa);
    // The EPT's rights are a PTE's for ring 0 (its ring bits are ignored).
    if ((ALLOW_MASKS[(leaf & RIGHTS_BITS) | Pte.RING_MASK]! & (1 << access)) === 0) return this.eptViolation(dataGpa, access, va);
    const dataHpa = ((leaf & Pte.FRAME_MASK) | (va & 0xfff)) >>> 0;
    // Cache the combined translation: the host frame, and what both the guest's PTE and the EPT
    // entry allow. The EPT's W and X must be kept too: the walk checked only this access, and a
    // later access that hits the entry (a write after a read of a read-only guest-physical page)
    // must not get past the EPT.
    const eptAllows = leaf | ~(Pte.WRITABLE | Pte.EXECUTABLE);
    this.fill(set, insert, vpn, (dataHpa & Pte.FRAME_MASK) | (pte & ~Pte.FRAME_MASK & eptAllows));
    return dataHpa;
  }

  /** The EPT's leaf entry for a guest-physical address (two levels, entries like PTEs), or 0
   *  where the EPT walk stopped: at an entry beyond memory or not present. */
  private eptLeafOf(gpa: number): number {
    const { words, size } = this.memory;
    this.refs++;
    const dirAddr = ((this.ept & Pte.FRAME_MASK) + ((gpa >>> DIR_SHIFT) << 2)) >>> 0;
    if (dirAddr + 4 > size) return 0;
    this.markTable(dirAddr);
    const pde = words[dirAddr >>> 2]!;
    if ((pde & Pte.PRESENT) === 0) return 0;
    this.refs++;
    const leafAddr = ((pde & Pte.FRAME_MASK) + (((gpa >>> TABLE_SHIFT) & INDEX_MASK) << 2)) >>> 0;
    if (leafAddr + 4 > size) return 0;
    this.markTable(leafAddr);
    return words[leafAddr >>> 2]!;
  }

  private eptViolation(gpa: number, access: number, va: number): number {
    this.fault.gpa = gpa | 0;
    this.fault.access = access;
    return this.setFault(EPT_VIOLATION, va);
  }

  /** Put a translation in way 0 of its set: as a new entry (into the first empty way, else over
   *  the least recently used one, moving the ways in front of it back), or in place. */
  private fill(set: number, insert: boolean, vpn: number, pte: number): void {
    const allow = ALLOW_MASKS[pte & RIGHTS_BITS]!;
    this.host.tlbChanged(set >>> this.waysShift);
    if (insert) {
      const last = set + this.ways - 1;
      let victim = set;
      while (victim < last && this.tag[victim] !== -1) victim++;
      if (this.tag[victim] !== -1) this.host.tlbDropped();
      this.shiftBack(set, victim);
    } else {
      this.host.tlbDropped();
    }
    this.filled = pte;
    this.tag[set] = vpn;
    this.frame[set] = pte & Pte.FRAME_MASK;
    this.allow[set] = allow;
  }

  private setFault(cause: number, badAddr: number): number {
    this.fault.cause = cause;
    this.fault.badAddr = badAddr | 0;
    return -1;
  }

  /** Drop every entry of the current context. */
  flushAll(): void {
    this.dropAll(this.tag);
  }

  private dropAll(tag: Int32Array): void {
    tag.fill(-1);
    this.host.tlbDropped();
    this.host.tlbChanged(-1);
    this.stats.flushes++;
  }

  flushPage(va: number): void {
    this.dropPage(this.tag, va);
  }

  /** Drop one virtual page's entry from a context's tags (a flush instruction). */
  private dropPage(tag: Int32Array, va: number): void {
    const vpn = va >>> PAGE_SHIFT;
    const set = this.setOf(vpn);
    for (let way = set; way < set + this.ways; way++) if (tag[way] === vpn) tag[way] = -1;
    this.host.tlbDropped();
    this.host.tlbChanged(set >>> this.waysShift);
    this.stats.flushes++;
  }

  /** The physical frame the TLB holds for a virtual page, in the root or the guest context, or
   *  -1: a look that changes nothing and counts nothing (for tools such as the P&G classifier). */
  peek(va: number, guest = this.guest): number {
    const ctx = guest ? this.guestTlb : this.rootTlb;
    const vpn = va >>> PAGE_SHIFT;
    const set = this.setOf(vpn);
    for (let way = set; way < set + this.ways; way++) if (ctx.tag[way] === vpn) return ctx.frame[way]!;
    return -1;
  }

  /** The allow mask (bit ring * 3 + access) of way 0 of set number k (`setNumber`), where a
   *  successful `translate` of an address in that set has just put its entry. */
  way0Allow(k: number): number {
    return this.allow[k << this.waysShift]!;
  }

  /** Valid entries, for the debugger's `info tlb`. */
  dump(): { slot: number; virtualPage: number; frame: number; allow: number }[] {
    const out = [];
    for (let i = 0; i < this.entries; i++) {
      if (this.tag[i] !== -1) out.push({ slot: i, virtualPage: this.tag[i]! << PAGE_SHIFT, frame: this.frame[i]!, allow: this.allow[i]! });
    }
    return out;
  }

  save(): MmuState {
    const copy = (c: TlbContext): TlbContext => ({ tag: c.tag.slice(), frame: c.frame.slice(), allow: c.allow.slice() });
    return { root: copy(this.rootTlb), guest: copy(this.guestTlb), inGuest: this.guest, ept: this.ept, stats: { ...this.stats } };
  }

  restore(s: MmuState): void {
    for (const [to, from] of [[this.rootTlb, s.root], [this.guestTlb, s.guest]] as const) {
      to.tag.set(from.tag);
      to.frame.set(from.frame);
      to.allow.set(from.allow);
    }
    Object.assign(this.stats, s.stats);
    this.setContext(s.inGuest, s.ept);
    this.dropWalks();
  }
}
