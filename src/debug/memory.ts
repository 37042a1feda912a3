// The debugger's view of memory: virtual addresses translated through the page tables the
// processor is using right now, without touching the TLB, its counters or the cycle count (a
// debugger must not change what it observes). With paging off a virtual address is physical.
//
// The translation reads the page tables in memory, so it can differ from a stale TLB entry the
// guest has not flushed; `info tlb` shows the TLB itself.
//
// A guest under a VMM with shadow paging (te, vtx) runs on the VMM's shadow tables, which the
// VMM fills only as the guest touches pages: a page the guest has mapped may be missing there.
// So while the guest runs, its addresses are translated through the guest's own tables, as the
// guest sees them (the VMM keeps the guest's PTBR in its vCPU: see ShadowedGuest in vcpu.ts).

import { Ptbr, vmcsOffset } from '../isa/index.js';
import type { Machine } from '../machine/machine.js';
import { Pte } from '../machine/mmu.js';
import { DebugError, hex } from './errors.js';

export interface Translation {
  /** Physical address, or undefined when the page is not mapped. */
  pa: number | undefined;
  /** PTE flags when paging is on (present, writable, executable, ring), else undefined. */
  pte?: number;
  why?: string;
}

/** A guest whose own page tables the processor does not use (shadow paging). */
export interface ShadowedGuest {
  /** Host-physical address of guest-physical 0. */
  readonly base: number;
  /** Bytes of guest-physical memory. */
  readonly size: number;
  /** The guest's own PTBR while the processor runs the guest on shadow tables, else undefined
   *  (the VMM runs, or the guest uses nested paging). */
  ownPtbr(): number | undefined;
}

/** Where the tables of a walk are: a function from a table's address to a host-physical one,
 *  and what to say when it has none. */
interface Tables {
  readonly at: (address: number) => number | undefined;
  readonly outside: string;
}

const HOST: Tables = { at: (pa) => pa, outside: '' };

export class DebugMemory {
  constructor(
    private readonly machine: Machine,
    private readonly guest?: ShadowedGuest,
  ) {}

  translate(va: number): Translation {
    const cpu = this.machine.cpu;
    if (cpu.nonRoot && cpu.mmu.nested) return this.nested(va >>> 0);
    const own = this.guest?.ownPtbr();
    if (own !== undefined) return this.shadowed(va >>> 0, own, this.guest!);
    return this.walk(va >>> 0, cpu.paging, cpu.ptbr, HOST);
  }

  /** With nested paging the guest's tables hold guest-physical addresses: each reference, and
   *  the final address, goes through the EPT (its pointer is in the current VMCS). */
  private nested(va: number): Translation {
    const cpu = this.machine.cpu;
    const words = this.machine.memory.words;
    const eptp = words[((cpu.vmcs >>> 0) + vmcsOffset('C_EPTP')) >>> 2]!;
    const ept: Tables = { at: (gpa) => this.walk(gpa, true, eptp, HOST).pa, outside: 'is not mapped by the EPT' };
    const guest = this.walk(va, (cpu.ptbr & Ptbr.ENABLE) !== 0, cpu.ptbr, ept);
    if (guest.pa === undefined) return guest;
    const hpa = ept.at(guest.pa);
    return hpa === undefined ? { pa: undefined, why: `guest-physical ${hex(guest.pa)} (of ${hex(va)}) is not mapped by the EPT` } : { pa: hpa, ...(guest.pte !== undefined && { pte: guest.pte }) };
  }

  /** With shadow paging: through the guest's own tables; guest-physical memory starts at
   *  `guest.base` in host-physical memory. */
  private shadowed(va: number, ptbr: number, guest: ShadowedGuest): Translation {
    const tables: Tables = { at: (gpa) => (gpa >>> 0 < guest.size ? guest.base + (gpa >>> 0) : undefined), outside: "lies beyond the guest's memory" };
    const t = this.walk(va, (ptbr & Ptbr.ENABLE) !== 0, ptbr, tables);
    if (t.pa === undefined) return t;
    const hpa = tables.at(t.pa);
    return hpa === undefined ? { pa: undefined, why: `${hex(va)} is guest-physical ${hex(t.pa)}, beyond the guest's memory` } : { pa: hpa, ...(t.pte !== undefined && { pte: t.pte }) };
  }

  /** A two-level walk; `tables` turns a table address into a host-physical one (the identity,
   *  the EPT, or a guest's memory). The result is in the space `tables` maps from. */
  private walk(v: number, paging: boolean, ptbr: number, tables: Tables): Translation {
    const mem = this.machine.memory;
    const host = tables === HOST;
    if (!paging) return v < mem.size || !host ? { pa: v } : { pa: undefined, why: `${hex(v)} is beyond physical memory (paging is off)` };
    const dirAddr = tables.at(((ptbr & Ptbr.FRAME_MASK) >>> 0) + ((v >>> 22) << 2));
    if (dirAddr === undefined) return { pa: undefined, why: `the page directory of ${hex(v)} ${tables.outside}` };
    if (dirAddr + 4 > mem.size) return { pa: undefined, why: `the page directory entry for ${hex(v)} lies beyond physical memory` };
    const pde = mem.words[dirAddr >>> 2]!;
    if ((pde & Pte.PRESENT) === 0) return { pa: undefined, why: `${hex(v)} is not mapped (no page table)` };
    const pteAddr = tables.at(((pde & Pte.FRAME_MASK) >>> 0) + (((v >>> 12) & 0x3ff) << 2));
    if (pteAddr === undefined) return { pa: undefined, why: `the page table of ${hex(v)} ${tables.outside}` };
    if (pteAddr + 4 > mem.size) return { pa: undefined, why: `the page table entry for ${hex(v)} lies beyond physical memory` };
    const pte = mem.words[pteAddr >>> 2]!;
    if ((pte & Pte.PRESENT) === 0) return { pa: undefined, pte, why: `${hex(v)} is not mapped (page not present)` };
    const pa = (((pte & Pte.FRAME_MASK) >>> 0) | (v & 0xfff)) >>> 0;
    if (pa >= mem.size && host) return { pa: undefined, pte, why: `${hex(v)} maps to ${hex(pa)}, beyond physical memory` };
    return { pa, pte };
  }

  /** Physical address of a virtual one, or a DebugError saying why there is none. */
  physical(va: number): number {
    const t = this.translate(va);
    if (t.pa === undefined) throw new DebugError(`cannot access ${t.why ?? hex(va)}`);
    return t.pa;
  }

  readable(va: number, length = 1): boolean {
    for (let i = 0; i < length; i++) if (this.translate((va + i) >>> 0).pa === undefined) return false;
    return true;
  }

  readByte(va: number): number {
    return this.machine.memory.bytes[this.physical(va)]!;
  }

  /** Little-endian value of `size` bytes (1, 2 or 4) at any alignment; unsigned. */
  read(va: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v += this.readByte((va + i) >>> 0) * 2 ** (8 * i);
    return v >>> 0;
  }

  readWord(va: number): number {
    const v = va >>> 0;
    if ((v & 3) === 0) return this.machine.memory.words[this.physical(v) >>> 2]! >>> 0;
    return this.read(v, 4);
  }

  /** The word at va, or undefined if it cannot be read. */
  peekWord(va: number): number | undefined {
    const t = this.translate(va);
    if (t.pa === undefined || (va & 3) !== 0 || t.pa + 4 > this.machine.memory.size) return undefined;
    return this.machine.memory.words[t.pa >>> 2]! >>> 0;
  }

  /** Write bytes at a virtual address (dropping cached decodes of the words it changes). */
  write(va: number, data: Uint8Array): void {
    const pas = Array.from(data, (_b, i) => this.physical((va + i) >>> 0)); // all or nothing
    data.forEach((b, i) => this.machine.writePhysical(pas[i]!, Uint8Array.of(b)));
  }

  writeValue(va: number, value: number, size: 1 | 2 | 4): void {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (value >>> (8 * i)) & 0xff;
    this.write(va, bytes);
  }

  /** A zero-terminated string (at most `max` bytes). */
  readString(va: number, max = 256): string {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.readByte((va + i) >>> 0);
      if (b === 0) break;
      out.push(b);
    }
    return Buffer.from(out).toString('latin1');
  }
}
