// Robustness properties: random instruction words, random control-register writes and random
// load/store addresses, in every ring, with paging off and on, never make `run` throw; every run
// returns a well-formed StopReason and consistent statistics. And determinism: the same program
// gives identical statistics and console output every time, timer interrupts included.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Image } from '../../src/asm/index.js';
import { Machine, type StopReason } from '../../src/machine/machine.js';
import type { TrapEvent } from '../../src/machine/processor.js';
import { archState, asm, expectAccountingConsistent, isa, PageTables, poke32, PTE } from './helpers.js';

const MEMORY = 64 * 1024;
const CODE = 0x4000;
const DIR = 0x8000;
const MAX_CYCLES = 20_000;

/** Ring-0 prelude: TVEC, optional paging and timer, then sret into `ring` at CODE. The handler
 *  acknowledges the timer, skips the trapping instruction (not for interrupts) and returns. */
function prelude(ring: number, ie: boolean): string {
  return `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        la      t0, config
        lw      t1, 4(t0)
        csrw    IMASK, t1
        lw      t1, 8(t0)
        out     0x20, t1
        lw      t1, 12(t0)
        out     0x12, t1
        lw      t1, 0(t0)
        csrw    PTBR, t1
        li      t0, ${ring | (ie ? 4 : 0)}
        csrw    ESTATUS, t0
        li      t0, ${CODE}
        csrw    EPC, t0
        sret
handler: out    0x21, zero
        csrr    t3, CAUSE
        srli    t3, t3, 4
        bnez    t3, .ret
        csrr    t3, EPC
        addi    t3, t3, 4
        csrw    EPC, t3
.ret:   sret
config: .word 0, 0, 0, 0        # PTBR, IMASK, timer interval, console irq enable
`;
}

const images = new Map<string, Image>();
function preludeImage(ring: number, ie: boolean): Image {
  const key = `${ring}/${ie}`;
  let image = images.get(key);
  if (!image) images.set(key, (image = asm(prelude(ring, ie))));
  return image;
}
const CONFIG = (): number => {
  const image = preludeImage(0, false);
  return image.symbols.find((s) => s.name === 'config')!.value;
};

interface Scenario {
  ring: number;
  ie: boolean;
  paging: boolean;
  /** Flags for each of the 16 pages (paging on); the kernel page is always ring-0 RWX. */
  pageFlags: number[];
  imask: number;
  timer: number;
  consoleIrq: number;
  input: string;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  ring: fc.integer({ min: 0, max: 3 }),
  ie: fc.boolean(),
  paging: fc.boolean(),
  pageFlags: fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 16, maxLength: 16 }),
  imask: fc.integer({ min: 0, max: 3 }),
  timer: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  consoleIrq: fc.integer({ min: 0, max: 1 }),
  input: fc.string({ maxLength: 4 }),
});

/** A machine loaded with the prelude, the scenario's configuration and `code` at CODE. */
function build(s: Scenario, code: readonly number[]): Machine {
  const m = new Machine({ memoryBytes: MEMORY, consoleInput: s.input });
  m.load(preludeImage(s.ring, s.ie));
  const config = CONFIG();
  if (s.paging) {
    const pt = new PageTables(m, DIR, DIR + 0x1000);
    for (let page = 0; page < 16; page++) {
      // Random flags everywhere (present or not, any ring, W, X) but the kernel page.
      const flags = page === 1 ? PTE.P | PTE.W | PTE.X : s.pageFlags[page]!;
      pt.map(page << 12, page << 12, flags);
    }
    // A few mappings beyond physical memory and at high addresses.
    pt.map(0x0040_0000, 0x00f0_0000, PTE.P | PTE.W | PTE.X | PTE.ring(3));
    pt.map(0xffff_f000, CODE, PTE.P | PTE.X | PTE.ring(3));
    pt.setPde(0x0080_0000, 0x00f0_0001);
    poke32(m, config, pt.ptbr);
  }
  poke32(m, config + 4, s.imask);
  poke32(m, config + 8, s.timer);
  poke32(m, config + 12, s.consoleIrq);
  code.forEach((w, i) => poke32(m, CODE + 4 * i, w));
  return m;
}

const KINDS = new Set(['halt', 'cycle-limit', 'double-fault', 'deadlock']);

/** Run and check everything a caller may rely on. */
function runChecked(m: Machine, maxCycles = MAX_CYCLES): StopReason {
  let stop: StopReason | undefined;
  expect(() => {
    stop = m.run(maxCycles);
  }).not.toThrow();
  const s = stop!;
  expect(KINDS.has(s.kind), `stop kind ${s.kind}`).toBe(true);
  if (s.kind === 'halt') expect(s.exitCode >= 0 && s.exitCode <= 255).toBe(true);
  if (s.kind === 'cycle-limit') expect(s.limit).toBe(maxCycles);
  if (s.kind === 'double-fault') {
    expect(typeof s.cause).toBe('string');
    expect(Number.isInteger(s.pc) && Number.isInteger(s.badAddr)).toBe(true);
  }
  const stats = m.stats();
  if (s.kind === 'cycle-limit') expect(stats.cycles).toBeGreaterThanOrEqual(maxCycles);
  expectAccountingConsistent(stats);
  expect(Number.isFinite(stats.cycles)).toBe(true);
  expect(stats.cycles).toBeLessThan(maxCycles + 1000);
  expect(stats.tlb.walkRefs).toBeLessThanOrEqual(2 * stats.tlb.misses);
  expect(m.cpu.x[0]).toBe(0);
  expect([0, 1, 2, 3]).toContain(m.cpu.ring);
  // The machine is still usable: a further step or run does not throw either.
  expect(() => m.step()).not.toThrow();
  expect(() => m.run(m.cpu.cycles + 100)).not.toThrow();
  return s;
}

const anyWord = fc.integer({ min: 0, max: 0xffff_ffff });
/** A word of a real instruction with random operand bits (reserved bits cleared, usually). */
const tableWord = fc
  .tuple(fc.constantFrom(...isa.insns), fc.integer({ min: 0, max: 0xff_ffff }), fc.integer({ min: 0, max: 9 }))
  .map(([insn, low, keepReserved]) => ((insn.opcode << 24) | (keepReserved === 0 ? low : low & ~insn.format.reservedMask & 0xff_ffff)) >>> 0);
const wordArb = fc.oneof(anyWord, tableWord, tableWord, tableWord);

describe('random code never crashes the emulator', () => {
  it('single random words, every ring, paging off and on', () => {
    fc.assert(
      fc.property(scenarioArb, wordArb, (s, word) => {
        runChecked(build(s, [word]));
      }),
      { numRuns: 150 },
    );
  });

  it('random sequences of words', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(wordArb, { minLength: 1, maxLength: 48 }), (s, words) => {
        runChecked(build(s, words));
      }),
      { numRuns: 150 },
    );
  });

  it('runs are deterministic: the same random program gives the same state and statistics', () => {
    fc.assert(
      fc.property(scenarioArb, fc.array(wordArb, { minLength: 1, maxLength: 32 }), (s, words) => {
        const a = build(s, words);
        const b = build(s, words);
        expect(runChecked(b)).toEqual(runChecked(a));
        expect(b.stats()).toEqual(a.stats());
        expect(archState(b)).toEqual(archState(a));
        expect(b.console.output()).toBe(a.console.output());
        expect(Buffer.from(b.memory.bytes).equals(Buffer.from(a.memory.bytes))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('random control-register values never crash the emulator', () => {
  const csrNumber = fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xffff }));
  const value = fc.oneof(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), fc.constantFrom(0, 1, 3, 4, 7, -1, 0x8001, DIR | 1, 0x1000));

  it('csrw of random values to random registers, then csrr of all', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(csrNumber, value), { minLength: 1, maxLength: 12 }), fc.boolean(), (writes, paging) => {
        const source = `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
${writes.map(([n, v]) => `        li      t0, ${v}\n        csrw    ${n}, t0`).join('\n')}
${Array.from({ length: 16 }, (_, n) => `        csrr    a0, ${n}`).join('\n')}
        halt
handler: csrr   t3, EPC
        addi    t3, t3, 4
        csrw    EPC, t3
        sret
`;
        const m = new Machine({ memoryBytes: MEMORY });
        m.load(asm(source));
        if (paging) new PageTables(m, DIR, DIR + 0x1000).identity(0, 0x8000, PTE.P | PTE.W | PTE.X);
        runChecked(m);
      }),
      { numRuns: 120 },
    );
  });
});

describe('random addresses for loads and stores never crash the emulator', () => {
  const op = fc.constantFrom('lb', 'lbu', 'lh', 'lhu', 'lw', 'sb', 'sh', 'sw');
  const address = fc.oneof(
    fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
    fc.integer({ min: MEMORY - 8, max: MEMORY + 8 }),
    fc.integer({ min: -8, max: 8 }),
    fc.integer({ min: 0, max: MEMORY }),
  );
  it('every width, aligned or not, in memory or far beyond it, every ring, paging off and on', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.array(fc.tuple(op, address, fc.integer({ min: -0x8000, max: 0x7fff })), { minLength: 1, maxLength: 8 }),
        (s, accesses) => {
          const body = accesses.flatMap(([o, a, off]) => [`li a1, ${a | 0}`, `${o} a0, ${off}(a1)`]).join('\n');
          const image = asm(`        .org ${CODE}\n${body}\n        break\n`);
          const words = Array.from(new Int32Array(image.segments[0]!.data.slice().buffer));
          runChecked(build(s, words));
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('determinism', () => {
  const PROGRAM = `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 1
        csrw    IMASK, t0
        li      t0, 777
        out     0x20, t0
        ei
        li      s0, 0
.loop:  addi    s0, s0, 1
        andi    t1, s0, 15
        bnez    t1, .skip
        in      t2, 0x10
        out     0x10, t2
.skip:  mul     t3, s0, s0
        div     t3, t3, s0
        li      t1, 3000
        bne     s0, t1, .loop
        halt
handler: li     t0, '.'
        out     0x10, t0
        out     0x21, zero
        addi    s1, s1, 1
        sret
`;

  const once = (): { stats: unknown; output: string; traps: TrapEvent[]; stop: StopReason } => {
    const m = new Machine({ memoryBytes: MEMORY, consoleInput: 'the quick brown fox' });
    m.load(asm(PROGRAM));
    const traps: TrapEvent[] = [];
    m.cpu.onTrap = (e) => traps.push({ ...e });
    const stop = m.run(10_000_000);
    return { stats: m.stats(), output: m.console.output(), traps, stop };
  };

  it('the same program with timer interrupts gives identical stats, output and trap history', () => {
    const a = once();
    const b = once();
    expect(a.stop.kind).toBe('halt');
    expect(a.traps.length).toBeGreaterThan(10);
    expect(a.output).toMatch(/\./);
    expect(a.output).toMatch(/t/);
    expect(b).toEqual(a);
  });

  it('running in slices (cycle limits) gives the same result as one run', () => {
    const whole = once();
    const m = new Machine({ memoryBytes: MEMORY, consoleInput: 'the quick brown fox' });
    m.load(asm(PROGRAM));
    let stop: StopReason;
    let limit = 0;
    do {
      limit += 1234;
      stop = m.run(limit);
    } while (stop.kind === 'cycle-limit');
    expect(stop).toEqual(whole.stop);
    expect(m.console.output()).toBe(whole.output);
    const stats = m.stats();
    expect(stats.traps).toEqual((whole.stats as typeof stats).traps);
    expect(stats.instructions).toBe((whole.stats as typeof stats).instructions);
    expect(stats.cycles).toBe((whole.stats as typeof stats).cycles);
  });
});
