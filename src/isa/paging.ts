// Paging, as tables: how a virtual address splits, the bits of page-directory and page-table
// entries, who may use a page, and the TLB's shape. The MMU (src/machine/mmu.ts) walks and
// checks with these constants and `pteAllows`; docs/ISA.md's "Paging" section and
// programs/lib/hw.inc are generated from them, so the three can never disagree.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** One named run of bits of a 32-bit word: the mask, a short name and what it means. */
export interface PagingField {
  readonly mask: number;
  readonly name: string;
  readonly doc: string;
  /** A shorter name for bit diagrams, where a field has two columns per bit. */
  readonly short?: string;
}

/** Virtual address: 10 + 10 + 12 bits (4 KiB pages, two levels). */
export const VirtualAddress = {
  DIR_SHIFT: 22,
  TABLE_SHIFT: PAGE_SHIFT,
  INDEX_MASK: 0x3ff,
  OFFSET_MASK: PAGE_SIZE - 1,
} as const;

export const VA_FIELDS: readonly PagingField[] = [
  { mask: (VirtualAddress.INDEX_MASK << VirtualAddress.DIR_SHIFT) | 0, name: 'DIR', doc: 'index of the entry in the page directory' },
  { mask: VirtualAddress.INDEX_MASK << VirtualAddress.TABLE_SHIFT, name: 'TABLE', doc: 'index of the entry in the page table' },
  { mask: VirtualAddress.OFFSET_MASK, name: 'OFFSET', doc: 'byte within the 4 KiB page' },
];

/** Page-table entry bits (a page-directory entry uses only FRAME and PRESENT). */
export const Pte = {
  PRESENT: 1,
  WRITABLE: 2,
  EXECUTABLE: 4,
  RING_SHIFT: 3,
  RING_MASK: 0b11 << 3,
  FRAME_MASK: 0xffff_f000 | 0,
} as const;

/** Page-directory entry, bit 31 down. Bits no field names are ignored by the MMU. */
export const PDE_FIELDS: readonly PagingField[] = [
  { mask: Pte.FRAME_MASK, name: 'FRAME', doc: 'physical frame of the page table (its address is PDE & 0xfffff000)' },
  { mask: Pte.PRESENT, name: 'P', doc: 'present; if clear, every address of this 4 MiB region page-faults' },
];

/** Page-table entry, bit 31 down. Bits no field names are ignored by the MMU. */
export const PTE_FIELDS: readonly PagingField[] = [
  { mask: Pte.FRAME_MASK, name: 'FRAME', doc: 'physical frame of the page: physical address = FRAME | OFFSET' },
  { mask: Pte.RING_MASK, name: 'RING', short: 'RNG', doc: 'the least privileged ring that may use the page: rings 0 to RING may, higher rings fault' },
  { mask: Pte.EXECUTABLE, name: 'X', doc: 'executable: instruction fetches allowed' },
  { mask: Pte.WRITABLE, name: 'W', doc: 'writable: stores allowed' },
  { mask: Pte.PRESENT, name: 'P', doc: 'present; if clear, every access to the page faults and the MMU reads no other bit' },
];

/** The three kinds of access the MMU checks. */
export const Access = { READ: 0, WRITE: 1, EXECUTE: 2 } as const;
export type AccessKind = (typeof Access)[keyof typeof Access];

/** Does a PTE allow this access from this ring? The one rule the MMU applies. */
export function pteAllows(pte: number, ring: number, access: AccessKind): boolean {
  if ((pte & Pte.PRESENT) === 0 || ring > (pte & Pte.RING_MASK) >>> Pte.RING_SHIFT) return false;
  if (access === Access.WRITE) return (pte & Pte.WRITABLE) !== 0;
  if (access === Access.EXECUTE) return (pte & Pte.EXECUTABLE) !== 0;
  return true;
}

/** The TLB the machine builds unless told otherwise (`Machine({ tlbEntries })`). */
export const Tlb = {
  /** Entries; a power of two. */
  DEFAULT_ENTRIES: 64,
  /** Ways per set (fewer if the whole TLB is smaller), like the L1 TLBs of the x86 cores the
   *  cost presets model: 64 entries = 16 sets of 4 ways. */
  WAYS: 4,
} as const;
