// Shared helpers for the machine tests: assemble-and-run, ring entry, page-table building and
// the accounting invariant.

import { expect } from 'vitest';
import { assemble, findSymbol, formatAsmError, type Image } from '../../src/asm/index.js';
import { isaWith } from '../../src/isa/index.js';
import { Machine, type MachineOptions, type MachineStats, type StopReason } from '../../src/machine/machine.js';

export const isa = isaWith();

/** Default memory for tests: small, so machines are cheap to build. */
export const SMALL_MEMORY = 64 * 1024;

export const INT_MIN = -0x8000_0000;
export const INT_MAX = 0x7fff_ffff;

/** Assemble or throw with the formatted assembler errors. */
export function asm(source: string): Image {
  const r = assemble(source, { fileName: 'test.s', isa });
  if (!r.ok) throw new Error(`test program does not assemble:\n${r.errors.map(formatAsmError).join('\n')}`);
  return r.image;
}

export interface Booted {
  m: Machine;
  image: Image;
  /** Address of a label (throws if missing). */
  sym(name: string): number;
}

/** A fresh small machine with the program loaded (not run). */
export function boot(source: string, options: MachineOptions = {}): Booted {
  const image = asm(source);
  const m = new Machine({ memoryBytes: SMALL_MEMORY, ...options });
  m.load(image);
  return {
    m,
    image,
    sym(name: string): number {
      const s = findSymbol(image, name);
      if (!s) throw new Error(`no symbol '${name}'`);
      return s.value;
    },
  };
}

export interface Ran extends Booted {
  stop: StopReason;
  stats: MachineStats;
}

/** Boot and run to a stop (default cap one million cycles). */
export function runAsm(source: string, options: MachineOptions = {}, maxCycles = 1_000_000): Ran {
  const b = boot(source, options);
  const stop = b.m.run(maxCycles);
  return { ...b, stop, stats: b.m.stats() };
}

/** Signed 32-bit view of a number (what the registers hold). */
export const s32 = (v: number): number => v | 0;

/**
 * Assembly that leaves ring 0 for `ring` at label `target` (IE from `ie`), with TVEC = `handler`.
 * Uses t0.
 */
export function enterRing(ring: number, target = 'user', handler = 'handler', ie = false): string {
  return `
        la      t0, ${handler}
        csrw    TVEC, t0
        li      t0, ${ring | (ie ? 4 : 0)}
        csrw    ESTATUS, t0
        la      t0, ${target}
        csrw    EPC, t0
        sret`;
}

/** Write a 32-bit little-endian word to physical memory from outside the CPU. */
export function poke32(m: Machine, address: number, value: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value | 0, true);
  m.writePhysical(address, b);
}

export function peek32(m: Machine, address: number): number {
  return new DataView(m.memory.bytes.buffer).getInt32(address, true);
}

/** Page-table entry bits (src/machine/mmu.ts). */
export const PTE = {
  P: 1,
  W: 2,
  X: 4,
  ring: (r: number): number => (r & 3) << 3,
} as const;

/**
 * Builds a two-level page table directly in a machine's physical memory. Tables are allocated
 * from `nextFrame` upwards, one 4 KiB frame each.
 */
export class PageTables {
  private readonly tables = new Map<number, number>();

  constructor(
    readonly m: Machine,
    readonly dirBase: number,
    private nextFrame: number,
  ) {
    for (let i = 0; i < 1024; i++) poke32(m, dirBase + 4 * i, 0);
  }

  /** Page table frame for the directory slot of `va`, creating it if needed. */
  tableFor(va: number): number {
    const di = va >>> 22;
    let t = this.tables.get(di);
    if (t === undefined) {
      t = this.nextFrame;
      this.nextFrame += 4096;
      for (let i = 0; i < 1024; i++) poke32(this.m, t + 4 * i, 0);
      this.tables.set(di, t);
      poke32(this.m, this.dirBase + 4 * di, t | 1);
    }
    return t;
  }

  /** Physical address of the PTE for `va`. */
  pteAddr(va: number): number {
    return this.tableFor(va) + (((va >>> 12) & 0x3ff) << 2);
  }

  /** Map the page of `va` to the frame of `pa` with `flags` (PTE.P etc.). */
  map(va: number, pa: number, flags: number): this {
    poke32(this.m, this.pteAddr(va), ((pa & ~0xfff) | flags) | 0);
    return this;
  }

  /** Identity-map [start, end) with `flags`. */
  identity(start: number, end: number, flags: number): this {
    for (let a = start & ~0xfff; a < end; a += 4096) this.map(a, a, flags);
    return this;
  }

  /** Write a raw directory entry. */
  setPde(va: number, value: number): this {
    poke32(this.m, this.dirBase + 4 * (va >>> 22), value);
    return this;
  }

  /** Value for the PTBR register: directory frame, paging enabled. */
  get ptbr(): number {
    return this.dirBase | 1;
  }
}

/** The accounting invariant: worlds and rings each add up exactly to the totals. */
export function expectAccountingConsistent(stats: MachineStats): void {
  const w = stats.worlds;
  const worldCycles = w.guestUser.cycles + w.guestKernel.cycles + w.vmm.cycles + w.transition.cycles + w.idle.cycles;
  expect(worldCycles, 'world cycles add up to total cycles').toBe(stats.cycles);
  const worldInsns = w.guestUser.instructions + w.guestKernel.instructions + w.vmm.instructions + w.transition.instructions + w.idle.instructions;
  expect(worldInsns, 'world instructions add up to total instructions').toBe(stats.instructions);
  const ringCycles = stats.rings.reduce((a, r) => a + r.cycles, 0);
  expect(ringCycles + w.transition.cycles + w.idle.cycles, 'ring cycles + transition + idle add up').toBe(stats.cycles);
  expect(stats.rings.reduce((a, r) => a + r.instructions, 0)).toBe(stats.instructions);
  for (const v of Object.values(w)) {
    expect(v.cycles).toBeGreaterThanOrEqual(0);
    expect(v.instructions).toBeGreaterThanOrEqual(0);
  }
}

/** The architectural state a test may compare before and after an instruction. */
export function archState(m: Machine): Record<string, unknown> {
  const c = m.cpu;
  return {
    x: Array.from(c.x),
    ring: c.ring,
    ie: c.interruptsEnabled,
    epc: c.epc,
    estatus: c.estatus,
    cause: c.cause,
    badAddr: c.badAddr,
    einsn: c.einsn,
    tvec: c.tvec,
    ptbr: c.ptbr,
    paging: c.paging,
    scratch0: c.scratch0,
    scratch1: c.scratch1,
    imask: c.imask,
    halted: c.halted,
    sleeping: c.sleeping,
    exitCode: c.exitCode,
  };
}
