// Control registers, read with `csrr` and written with `csrw` (both privileged).

export interface CsrDef {
  readonly name: string;
  readonly number: number;
  /** 'ro' registers raise IllegalInstruction when written. */
  readonly access: 'rw' | 'ro';
  /** Reading it (and, for 'rw', writing it) touches nothing but the register itself: no
   *  clock, device, ring, interrupt, mapping or VM exit. Its `csrr` and `csrw` are then
   *  registers-only instructions (InsnDef.registersOnly). */
  readonly plain: { readonly read: boolean; readonly write: boolean };
  readonly doc: string;
}

export const Csr = {
  STATUS: 0,
  EPC: 1,
  ESTATUS: 2,
  CAUSE: 3,
  BADADDR: 4,
  EINSN: 5,
  TVEC: 6,
  PTBR: 7,
  SCRATCH0: 8,
  SCRATCH1: 9,
  IMASK: 10,
  IPEND: 11,
  CYCLE: 12,
  CYCLEH: 13,
  INSTRET: 14,
  EXTENSIONS: 15,
} as const;

/** STATUS bit layout. Only these bits exist; others read as zero and ignore writes. */
export const Status = {
  RING_MASK: 0b011, // bits 1:0, current ring (0 = most privileged)
  IE: 0b100, // bit 2, interrupts enabled
  WRITABLE: 0b111,
} as const;

/** PTBR bit layout: root page-table frame in bits 31:12, paging enabled in bit 0. */
export const Ptbr = {
  ENABLE: 1,
  FRAME_MASK: 0xffff_f000 | 0,
} as const;

export const CSRS: readonly CsrDef[] = [
  { name: 'STATUS', number: Csr.STATUS, access: 'rw', plain: { read: true, write: false }, doc: 'bits 1:0 current ring, bit 2 interrupt enable (IE)' },
  { name: 'EPC', number: Csr.EPC, access: 'rw', plain: { read: true, write: true }, doc: 'trap entry saves the pc here: the faulting instruction, or the next one for an interrupt' },
  { name: 'ESTATUS', number: Csr.ESTATUS, access: 'rw', plain: { read: true, write: true }, doc: 'trap entry saves STATUS here; `sret` restores it' },
  { name: 'CAUSE', number: Csr.CAUSE, access: 'rw', plain: { read: true, write: true }, doc: 'trap cause code (see the trap cause table)' },
  { name: 'BADADDR', number: Csr.BADADDR, access: 'rw', plain: { read: true, write: true }, doc: 'faulting address for page faults, misaligned accesses and bus errors, else 0' },
  { name: 'EINSN', number: Csr.EINSN, access: 'rw', plain: { read: true, write: true }, doc: 'the trapping instruction word (0 for interrupts and fetch faults), so a handler need not re-read memory' },
  { name: 'TVEC', number: Csr.TVEC, access: 'rw', plain: { read: true, write: true }, doc: 'trap vector: every trap jumps here in ring 0 (a virtual address when paging is on)' },
  { name: 'PTBR', number: Csr.PTBR, access: 'rw', plain: { read: false, write: false }, doc: 'page-table base: bits 31:12 physical frame of the page directory, bit 0 paging enable; every write flushes the TLB' },
  { name: 'SCRATCH0', number: Csr.SCRATCH0, access: 'rw', plain: { read: true, write: true }, doc: 'free for the trap handler (e.g. to swap in a kernel stack pointer)' },
  { name: 'SCRATCH1', number: Csr.SCRATCH1, access: 'rw', plain: { read: true, write: true }, doc: 'free for the trap handler' },
  { name: 'IMASK', number: Csr.IMASK, access: 'rw', plain: { read: true, write: false }, doc: 'per-line interrupt enable: bit n enables line n (0 timer, 1 console)' },
  { name: 'IPEND', number: Csr.IPEND, access: 'ro', plain: { read: false, write: false }, doc: 'per-line interrupt pending, as the devices assert them; cleared at the device' },
  { name: 'CYCLE', number: Csr.CYCLE, access: 'ro', plain: { read: false, write: false }, doc: 'cycle counter, low 32 bits' },
  { name: 'CYCLEH', number: Csr.CYCLEH, access: 'ro', plain: { read: false, write: false }, doc: 'cycle counter, high bits' },
  { name: 'INSTRET', number: Csr.INSTRET, access: 'ro', plain: { read: false, write: false }, doc: 'instructions retired, low 32 bits' },
  { name: 'EXTENSIONS', number: Csr.EXTENSIONS, access: 'ro', plain: { read: false, write: false }, doc: "the ISA extensions this CPU has, one bit each (the extension table's bits: ISA_EXT_* in hw.inc), like x86 CPUID's feature bits; in non-root mode the VMCS's C_EXTENSIONS instead" },
];

const BY_NAME = new Map(CSRS.map((c) => [c.name.toLowerCase(), c]));
const BY_NUMBER = new Map(CSRS.map((c) => [c.number, c]));

export function csrByName(name: string): CsrDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function csrByNumber(n: number): CsrDef | undefined {
  return BY_NUMBER.get(n);
}
