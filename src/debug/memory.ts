// The debugger's view of memory: virtual addresses translated through the page tables the
// processor is using right now, without touching the TLB, its counters or the cycle count (a
// debugger must not change what it observes). With paging off a virtual address is physical.
//
// The translation reads the page tables in memory, so it can differ from a stale TLB entry the
// guest has not flushed; `info tlb` shows the TLB itself.

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

const identity = (pa: number): number => pa;

export class DebugMemory {
  constructor(private readonly machine: Machine) {}

  translate(va: number): Translation {
    const cpu = this.machine.cpu;
    if (cpu.nonRoot && cpu.mmu.nested) return this.nested(va >>> 0);
    return this.walk(va >>> 0, cpu.paging, cpu.ptbr, identity);
  }

  /** With nested paging the guest's tables hold guest-physical addresses: each reference, and
   *  the final address, goes through the EPT (its pointer is in the current VMCS). */
  private nested(va: number): Translation {
    const cpu = this.machine.cpu;
    const words = this.machine.memory.words;
    const eptp = words[((cpu.vmcs >>> 0) + vmcsOffset('C_EPTP')) >>> 2]!;
    const ept = (gpa: number): number | undefined => this.walk(gpa, true, eptp, identity).pa;
    const guest = this.walk(va, (cpu.ptbr & Ptbr.ENABLE) !== 0, cpu.ptbr, ept);
    if (guest.pa === undefined) return guest;
    const hpa = ept(guest.pa);
    return hpa === undefined ? { pa: undefined, why: `guest-physical ${hex(guest.pa)} (of ${hex(va)}) is not mapped by the EPT` } : { pa: hpa, ...(guest.pte !== undefined && { pte: guest.pte }) };
  }

  /** A two-level walk; `table` turns a table address into a host-physical one (identity, or
   *  the EPT for a guest's tables). */
  private walk(v: number, paging: boolean, ptbr: number, table: (address: number) => number | undefined): Translation {
    const mem = this.machine.memory;
    if (!paging) return v < mem.size || table !== identity ? { pa: v } : { pa: undefined, why: `${hex(v)} is beyond physical memory (paging is off)` };
    const dirGuest = ((ptbr & Ptbr.FRAME_MASK) >>> 0) + ((v >>> 22) << 2);
    const dirAddr = table(dirGuest);
    if (dirAddr === undefined) return { pa: undefined, why: `the page directory of ${hex(v)} is not mapped by the EPT` };
    if (dirAddr + 4 > mem.size) return { pa: undefined, why: `the page directory entry for ${hex(v)} lies beyond physical memory` };
    const pde = mem.words[dirAddr >>> 2]!;
    if ((pde & Pte.PRESENT) === 0) return { pa: undefined, why: `${hex(v)} is not mapped (no page table)` };
    const pteAddr = table(((pde & Pte.FRAME_MASK) >>> 0) + (((v >>> 12) & 0x3ff) << 2));
    if (pteAddr === undefined) return { pa: undefined, why: `the page table of ${hex(v)} is not mapped by the EPT` };
    if (pteAddr + 4 > mem.size) return { pa: undefined, why: `the page table entry for ${hex(v)} lies beyond physical memory` };
    const pte = mem.words[pteAddr >>> 2]!;
    if ((pte & Pte.PRESENT) === 0) return { pa: undefined, pte, why: `${hex(v)} is not mapped (page not present)` };
    const pa = (((pte & Pte.FRAME_MASK) >>> 0) | (v & 0xfff)) >>> 0;
    if (pa >= mem.size && table === identity) return { pa: undefined, pte, why: `${hex(v)} maps to ${hex(pa)}, beyond physical memory` };
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
