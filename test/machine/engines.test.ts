// Two engines, one truth: the block translator (src/machine/translate.ts) must give the same
// results as the interpreter, bit for bit: output, exit codes, and the complete statistics
// (cycles and instructions per world, ring and mode, traps by cause, VM exits, TLB hits, misses,
// walk references and flushes, disk figures). Any difference is a bug in the translator, or in
// the MMU's walk cache, which the workloads' and boot sets' interpreter runs go without.
//
// The boots run every workload under every configuration, and boot sets of the differential
// tester (src/fuzz) under every configuration and both presets. The translator compiles a block
// the first time it is reached here (threshold 0), so as much code as possible runs compiled.
// The small programs below are the bad input of issue 21: code that writes its own next
// instruction, jumps into the middle of a block, branches to a page it may not execute, changes
// paging or ring inside straight-line code, every cycle limit, snapshots, and a cache that fills.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONFIGS, WORKLOADS, type BootResult } from '../../src/configs/index.js';
import { bootOne, bootSet } from '../../src/fuzz/equivalence.js';
import { deriveSeed } from '../../src/fuzz/random.js';
import { defaultEngine, setDefaultEngine, type EngineName, type MachineOptions } from '../../src/machine/machine.js';
import { blockSourceOf, CodePage, DEFAULT_THRESHOLD, EXIT_SLOTS, GROWN_REGION, MAX_BLOCKS, MAX_REGION_SOURCE, REUSE_AFTER, translatorSettings } from '../../src/machine/translate.js';
import { asm, boot, isa, PageTables, PTE, SMALL_MEMORY } from './helpers.js';
import { Machine } from '../../src/machine/machine.js';
import { trapOnlyCause } from '../../src/machine/dispatch.js';
import { Cause, isaWith } from '../../src/isa/index.js';
import { Mmu, withWalkCache } from '../../src/machine/mmu.js';

let savedThreshold = 0;
beforeAll(() => {
  savedThreshold = translatorSettings.hotThreshold;
  translatorSettings.hotThreshold = 0;
});
afterAll(() => {
  translatorSettings.hotThreshold = savedThreshold;
  setDefaultEngine(undefined);
});

/** What a boot reports, without the machine itself. */
function report(r: BootResult): unknown {
  const { machine: _machine, ...rest } = r;
  return rest;
}

/** Run `f` with `engine` as the default. The interpreter runs without the MMU's walk cache
 *  (src/machine/mmu.ts), so that every comparison here tests that cache as well: a machine with
 *  it must do exactly what one without it does. */
function underEngine<T>(engine: EngineName, f: () => T): T {
  setDefaultEngine(engine);
  try {
    return withWalkCache(engine !== 'interp', f);
  } finally {
    setDefaultEngine(undefined);
  }
}

/** Workloads in groups the kernel can run at once (it has 16 process slots). */
function workloadGroups(): string[][] {
  const names = WORKLOADS.map((w) => w.name);
  const groups: string[][] = [];
  for (let i = 0; i < names.length; i += 10) groups.push(names.slice(i, i + 10));
  return groups;
}

describe('every workload under every configuration: translate equals interp bit for bit', () => {
  it.each(CONFIGS.map((c) => c.name))('%s', (name) => {
    const config = CONFIGS.find((c) => c.name === name)!;
    let compiled = 0;
    for (const workloads of workloadGroups()) {
      const a = underEngine('interp', () => config.boot({ workloads, maxCycles: 2_000_000_000 }));
      const b = underEngine('translate', () => config.boot({ workloads, maxCycles: 2_000_000_000 }));
      expect(b.machine.engine).toBe('translate');
      expect(a.stop.kind).toBe('halt');
      expect(report(b)).toEqual(report(a));
      compiled += b.machine.cpu.translations!.counters.compiled;
    }
    expect(compiled).toBeGreaterThan(100);
  });
});

describe("the differential tester's programs: translate equals interp bit for bit", () => {
  // A boot set that caught a pv defect (equivalence.test.ts), and one that caught a tester defect.
  const sets = new Map<number, ReturnType<typeof bootSet>>();
  const setOf = (seed: number): ReturnType<typeof bootSet> => {
    if (!sets.has(seed)) sets.set(seed, bootSet(seed));
    return sets.get(seed)!;
  };
  const cases: [number, string, string][] = [
    ...CONFIGS.map((c): [number, string, string] => [deriveSeed(1, 4), c.name, 'default']),
    [deriveSeed(1, 4), 'vtx-ept', 'vtx-2006'],
    [3340711254, 'native', 'default'],
    [3340711254, 'te', 'vtx-2006'],
  ];
  it.each(cases)('boot set %i under %s, preset %s', (seed, config, preset) => {
    const set = setOf(seed);
    const a = underEngine('interp', () => bootOne(set, config, preset));
    const b = underEngine('translate', () => bootOne(set, config, preset));
    expect(report(b)).toEqual(report(a));
  });

  /** The boot set under native, te and vtx-ept with one of translatorSettings changed: still
   *  the interpreter's results, and the translator's counter `counter` above `least`. */
  function withSetting(setting: 'growAt' | 'regionTurns', value: number, counter: 'grown' | 'yielded', least: number): void {
    let saved = 0;
    beforeAll(() => {
      saved = translatorSettings[setting];
      translatorSettings[setting] = value;
    });
    afterAll(() => void (translatorSettings[setting] = saved));
    it.each(['native', 'te', 'vtx-ept'])('boot set under %s', (config) => {
      const set = setOf(deriveSeed(1, 4));
      const a = underEngine('interp', () => bootOne(set, config, 'default'));
      const b = underEngine('translate', () => bootOne(set, config, 'default'));
      expect(report(b)).toEqual(report(a));
      expect(b.machine.cpu.translations!.counters[counter]).toBeGreaterThan(least);
    });
  }

  describe('with every region grown once it has left for its own page twice', () => withSetting('growAt', 2, 'grown', 100));

  // A region returns between two blocks, and the dispatcher goes on at the next pc: a block of
  // the same region or of another, or one the interpreter runs. Nothing it counts may change.
  describe('with every region returning after each turn of its loop (YIELDED)', () => withSetting('regionTurns', 1, 'yielded', 1000));
});

// ---- Small programs ---------------------------------------------------------------------------

interface Outcome {
  stop: unknown;
  stats: unknown;
  x: number[];
  pc: number;
  next: number;
  curAt: number;
  state: Record<string, unknown>;
  memory: string;
}

function outcome(m: Machine, stop: unknown): Outcome {
  const c = m.cpu;
  return {
    stop,
    stats: m.stats(),
    x: Array.from(c.x),
    pc: c.pc,
    next: c.next,
    curAt: c.curAt,
    state: { ring: c.ring, epc: c.epc, cause: c.cause, badAddr: c.badAddr, einsn: c.einsn, halted: c.halted, paging: c.paging, ie: c.interruptsEnabled },
    memory: Buffer.from(m.memory.bytes).toString('base64'),
  };
}

/** Run `source` under both engines (with `setup` after loading) and expect equal outcomes. */
function same(source: string, options: MachineOptions & { maxCycles?: number; setup?: (m: Machine) => void } = {}): { interp: Machine; translate: Machine } {
  const { maxCycles = 2_000_000, setup, ...machineOptions } = options;
  const machines = {} as { interp: Machine; translate: Machine };
  const outcomes = (['interp', 'translate'] as const).map((engine) => {
    const { m } = boot(source, { ...machineOptions, engine });
    setup?.(m);
    const stop = m.run(maxCycles);
    machines[engine] = m;
    return outcome(m, stop);
  });
  expect(outcomes[1]).toEqual(outcomes[0]);
  return machines;
}

const HALT = isa.byMnemonic.get('halt')!.opcode << 24;

describe('bad input runs as under the interpreter', () => {
  it('code that writes its own next instruction (in a hot loop)', () => {
    const { translate } = same(`
        .org 0x1000
_start: la      t0, next
        la      t2, repl
        lw      t2, 0(t2)
        li      s1, 20
loop:   addi    s0, s0, 1
        addi    s1, s1, -1
        bnez    s1, skip
        sw      t2, 0(t0)           # the 20th time: the next instruction becomes halt
skip:   addi    a0, a0, 3
next:   addi    a1, a1, 1
        j       loop
repl:   halt`);
    expect(translate.cpu.halted).toBe(true);
    expect(translate.cpu.translations!.counters.dropsWritten).toBeGreaterThan(0);
  });

  it('a store over the instruction right after it, inside one block', () => {
    same(`
        .org 0x1000
_start: la      t0, next
        li      t1, ${HALT}
        li      s0, 0
        li      s1, 5
loop:   addi    s1, s1, -1
        beqz    s1, arm
        j       body
arm:    mv      t3, t1
body:   sw      t3, 0(t0)           # first passes store 0 (illegal), last pass a halt: both get executed
next:   addi    s0, s0, 1
        j       loop
        .org 0x1100
handler: csrr   s2, EPC
        addi    s2, s2, 4
        csrw    EPC, s2
        addi    a2, a2, 1
        li      t3, 0x10000000      # addi zero, zero, 0... (any legal word) makes next legal again
        sret`, { setup: (m) => (m.cpu.tvec = 0x1100) });
  });

  it('jumps into the middle of a block, from several places', () => {
    same(`
        .org 0x1000
_start: li      s1, 300
loop:   andi    t0, s1, 3
        beqz    t0, a
        li      t1, 1
        beq     t0, t1, b
        j       c
a:      addi    a0, a0, 1
b:      addi    a1, a1, 1
c:      addi    a2, a2, 1
        xor     a3, a3, a2
        addi    s1, s1, -1
        bnez    s1, loop
        halt`);
  });

  it('a branch to a page that may not be executed, and to memory that does not exist', () => {
    for (const target of ['0x5000', '0x7ffffff0']) {
      same(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x20001         # page directory at 0x20000, paging on
        csrw    PTBR, t0
        li      s1, 10
loop:   addi    s1, s1, -1
        bnez    s1, loop
        li      t0, ${target}
        jr      t0
handler: csrr   a0, CAUSE
        csrr    a1, BADADDR
        csrr    a2, EPC
        halt`, {
        memoryBytes: 1 << 20,
        setup: (m) => new PageTables(m, 0x20000, 0x21000).identity(0x1000, 0x2000, PTE.P | PTE.X).identity(0x5000, 0x6000, PTE.P | PTE.W),
      });
    }
  });

  it('paging switched on and a ring changed between straight-line instructions', () => {
    same(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      s1, 6
again:  addi    a0, a0, 1
        li      t0, 0x20001
        csrw    PTBR, t0            # paging on: the next instructions are fetched through the MMU
        addi    a1, a1, 1
        lw      a2, 0x800(zero)     # not mapped for ring 0 either: a page fault
        addi    a3, a3, 1
        halt
handler: csrr   t1, EPC
        addi    t1, t1, 4
        csrw    EPC, t1
        csrw    PTBR, zero          # paging off again
        addi    s1, s1, -1
        beqz    s1, user
        li      t1, 0
        csrw    ESTATUS, t1
        sret
user:   li      t1, 3               # now drop to ring 3 at the same code: its privileged csrw traps
        csrw    ESTATUS, t1
        la      t1, done
        csrw    EPC, t1
        sret
done:   addi    s3, s3, 1
        csrw    TVEC, zero
        halt`, {
        memoryBytes: 1 << 20,
        setup: (m) => new PageTables(m, 0x20000, 0x21000).identity(0x1000, 0x2000, PTE.P | PTE.X | PTE.ring(3)),
      });
  });

  it('every cycle limit inside and between blocks (stopCycle honoured exactly)', () => {
    const source = `
        .org 0x1000
_start: li      s1, 40
        li      s0, 0x3000
loop:   lw      t0, 0(s0)
        addi    t0, t0, 1
        mul     t1, t0, t0
        sw      t1, 4(s0)
        sw      t0, 0(s0)
        addi    s1, s1, -1
        bnez    s1, loop
        halt`;
    for (let limit = 1; limit < 420; limit += 1) same(source, { maxCycles: limit });
  });

  it('timer interrupts arrive at the same instruction', () => {
    same(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 1               # timer line
        csrw    IMASK, t0
        li      t0, 37
        out     0x20, t0            # TIMER_INTERVAL
        ei
        li      s1, 3000
loop:   addi    a0, a0, 1
        add     a1, a1, a0
        addi    s1, s1, -1
        bnez    s1, loop
        halt
handler: addi   a2, a2, 1
        out     0x21, zero          # TIMER_ACK
        sret`);
  });

  it('a snapshot restored under translate replays exactly', () => {
    const source = `
        .org 0x1000
_start: li      s1, 2000
loop:   addi    a0, a0, 1
        sw      a0, 0x3000(zero)
        add     a1, a1, a0
        addi    s1, s1, -1
        bnez    s1, loop
        halt`;
    const { m } = boot(source, { engine: 'translate' });
    m.run(3000);
    const snap = m.snapshot();
    m.run();
    const first = outcome(m, 'end');
    m.restore(snap);
    m.run();
    expect(outcome(m, 'end')).toEqual(first);
    const { m: reference } = boot(source, { engine: 'interp' });
    reference.run();
    expect(outcome(m, 'end')).toEqual(outcome(reference, 'end'));
  });

  it('fills every page with code: the cache stays within its bound and the results are the same', () => {
    // 256 pages, each with 8 blocks that each jump to the next: 2048 blocks per pass, 5 passes
    // with a different entry point each time so that new blocks keep being made.
    const blocks: string[] = [];
    for (let p = 0; p < 256; p++) {
      for (let b = 0; b < 8; b++) blocks.push(`        .org 0x${(0x10000 + p * 4096 + b * 64).toString(16)}\np${p}b${b}: addi a0, a0, ${p + b}\n        xor  a1, a1, a0\n        j    ${b < 7 ? `p${p}b${b + 1}` : p < 255 ? `p${p + 1}b0` : 'back'}`);
    }
    const { translate } = same(`
        .org 0x1000
_start: li      s1, 12
pass:   j       p0b0
back:   addi    s1, s1, -1
        bnez    s1, pass
        halt
${blocks.join('\n')}`, { memoryBytes: 2 << 20, maxCycles: 10_000_000 });
    const cache = translate.cpu.translations!;
    expect(cache.blocks).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(cache.counters.compiled).toBeGreaterThan(2048);
  });

  it('a limit on compiled blocks: a flush drops everything and the run goes on identically', () => {
    const saved = translatorSettings.maxBlocks;
    translatorSettings.maxBlocks = 3;
    try {
      const { translate } = same(`
        .org 0x1000
_start: li      s1, 50
loop:   addi    a0, a0, 1
        j       l2
l2:     add     a1, a1, a0
        j       l3
l3:     xor     a2, a2, a1
        j       l4
l4:     addi    s1, s1, -1
        bnez    s1, loop
        halt`);
      expect(translate.cpu.translations!.counters.flushes).toBeGreaterThan(0);
      expect(translate.cpu.translations!.blocks).toBeLessThanOrEqual(3);
    } finally {
      translatorSettings.maxBlocks = saved;
    }
  });
});

describe('regions: several blocks of a page in one function, going from block to block', () => {
  beforeAll(() => void (translatorSettings.regionAll = true));
  afterAll(() => void (translatorSettings.regionAll = false));

  it('a block of a region overwritten by a store in another block of the same region', () => {
    const { translate } = same(`
        .org 0x1000
_start: la      t0, target
        la      t2, repl
        lw      t2, 0(t2)
        li      s1, 30
loop:   addi    s1, s1, -1
        bnez    s1, skip
        sw      t2, 0(t0)           # the last pass: the region's block at target becomes a halt
skip:   j       body
body:   addi    a0, a0, 1
target: addi    a1, a1, 1
        add     a2, a2, a1
        j       loop
repl:   halt`);
    expect(translate.cpu.halted).toBe(true);
    const cache = translate.cpu.translations!;
    expect(cache.counters.dropsWritten).toBeGreaterThan(0);
    expect(cache.counters.compiled).toBeGreaterThan(cache.counters.regions); // more than one block per region
  });

  it('a return to ring 3 in the same page goes on with ring 3 rights, not the ring the region was entered in', () => {
    // The region entered at `loop` (ring 0) holds `user` too (a branch never taken names it),
    // and sret goes there in the same page. The region loop checks only that the next pc is in
    // the page: the block that ends with a call into the processor (sret) must leave, or the
    // user's load of the kernel's data page would pass on ring 0's rights in the data cache.
    const { translate } = same(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x20001
        csrw    PTBR, t0
        li      s1, 20
loop:   lw      a0, 0x3000(zero)    # ring 0 may read the kernel's page
        bnez    zero, user
        li      t1, 3
        csrw    ESTATUS, t1
        la      t1, user
        csrw    EPC, t1
        sret                        # to ring 3, in the same page
user:   lw      a1, 0x3000(zero)    # ring 3 may not: a page fault
        addi    s2, s2, 1
        halt
handler: addi   s1, s1, -1
        bnez    s1, loop
        halt`, {
      memoryBytes: 1 << 20,
      setup: (m) => new PageTables(m, 0x20000, 0x21000).identity(0x1000, 0x2000, PTE.P | PTE.X | PTE.ring(3)).identity(0x3000, 0x4000, PTE.P | PTE.W),
    });
    expect(translate.cpu.x[14]).toBe(0); // s2: no user load ever passed
    expect(translate.cpu.translations!.counters.compiled).toBeGreaterThan(translate.cpu.translations!.counters.regions);
  });

  it('every cycle limit in a loop of several blocks with loads and stores (stopCycle between blocks)', () => {
    const source = `
        .org 0x1000
_start: li      s1, 30
        li      s0, 0x3000
loop:   lw      t0, 0(s0)
        andi    t1, t0, 1
        beqz    t1, even
        addi    a0, a0, 1
        j       join
even:   addi    a1, a1, 2
        mul     a2, a1, a1
join:   addi    t0, t0, 1
        sw      t0, 0(s0)
        addi    s1, s1, -1
        bnez    s1, loop
        halt`;
    for (let limit = 1; limit < 400; limit += 1) same(source, { maxCycles: limit });
  });

  it('one physical page reached through two virtual pages, then remapped under the running code', () => {
    // Virtual 0x8000 maps the code's physical page 0x1000 too: the same region runs with other
    // virtual addresses (jal's link register shows which). On its last pass through 0x8000 the
    // loop remaps 0x8000 to physical 0x2000 (a sled of other code) and flushes that TLB entry:
    // the next block must be fetched through the new mapping, not run from the region.
    const sled = Array.from({ length: 120 }, () => '        addi    s0, s0, 1').join('\n');
    const { translate } = same(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x20001
        csrw    PTBR, t0
        li      s1, 8
        call    loop                # through 0x1000
        li      s1, 8
        la      t0, loop
        li      t1, 0x7000
        add     t0, t0, t1
        jalr    ra, t0, 0           # the same code through 0x8000
        halt
loop:   addi    a0, a0, 1
        jal     s2, l2              # s2 = the virtual address of l2
l2:     add     a1, a1, s2
        addi    s1, s1, -1
        bnez    s1, loop
        srli    s3, s2, 12
        li      fp, 8
        bne     s3, fp, out         # through 0x8000: remap it to 0x2000
        li      t1, 0x21020         # the PTE of virtual 0x8000
        li      t2, 0x2005          # physical 0x2000, present, executable
        sw      t2, 0(t1)
        li      t3, 0x8000
        tlbflush t3
        j       out                 # fetched from physical 0x2000 + (out - 0x1000) now
out:    ret
handler: csrr   a2, CAUSE
        csrr    a3, EPC
        halt
        .org 0x2000
${sled}
        halt`, {
      memoryBytes: 1 << 20,
      setup: (m) => new PageTables(m, 0x20000, 0x21000).identity(0x1000, 0x2000, PTE.P | PTE.X).map(0x8000, 0x1000, PTE.P | PTE.X).identity(0x20000, 0x22000, PTE.P | PTE.W),
    });
    expect(translate.cpu.halted).toBe(true);
    expect(translate.cpu.x[12]).toBeGreaterThan(0); // s0: the sled ran
  });
});

describe('registers-only instructions between sync points', () => {
  // csrr and csrw of a plain control register run inline between the segment's other
  // instructions (InsnDef.registersOnly); only their guard's trap path syncs. Random mixes of
  // them with ALU instructions, loads, stores and control-register accesses that are sync points,
  // run in ring 0 and then in ring 3, where every one of them traps (the handler skips it), and
  // stopped at random cycle limits: every count, register and trap as under the interpreter.
  const POOL = [
    'csrr    a0, EPC', 'csrw    SCRATCH0, a1', 'csrr    a2, SCRATCH0', 'csrw    CAUSE, a3', 'csrr    a3, STATUS',
    'csrw    BADADDR, a0', 'csrr    a1, IMASK', 'addi    a0, a0, 7', 'add     a1, a1, a0', 'xor     a3, a3, a1',
    'lw      a2, 0(s0)', 'sw      a1, 4(s0)', 'csrr    a0, CYCLE', 'csrr    a2, INSTRET', 'csrw    IMASK, zero',
  ];
  const program = (body: string[]): string => `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      s0, 0x3000
        li      s1, 6
loop:
${body.map((l) => `        ${l}`).join('\n')}
        addi    s1, s1, -1
        bnez    s1, loop
        li      s1, 6               # the same in ring 3
        li      t1, 3
        csrw    ESTATUS, t1
        la      t1, uloop
        csrw    EPC, t1
        sret
uloop:
${body.map((l) => `        ${l}`).join('\n')}
        addi    s1, s1, -1
        bnez    s1, uloop
        syscall
handler: csrr   t1, CAUSE
        li      t2, ${Cause.Syscall}
        beq     t1, t2, done
        csrr    t1, EPC             # a privileged instruction in ring 3: skip it
        addi    t1, t1, 4
        csrw    EPC, t1
        sret
done:   halt`;

  it('count, compute and trap as the interpreter does, at every cycle limit', () => {
    let traps = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 24 }), fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 3, maxLength: 3 }), (body, limits) => {
        const source = program(body);
        const { translate } = same(source);
        expect(translate.cpu.halted).toBe(true);
        traps += translate.stats().traps['PrivilegedInstruction'] ?? 0;
        for (const limit of limits) same(source, { maxCycles: limit });
      }),
      { numRuns: 40, seed: 20 },
    );
    expect(traps).toBeGreaterThan(40); // the guards' trap path was taken
  });
});

describe('inline loads and stores against a small TLB', () => {
  // The region keeps level 1 of the data-page cache in locals and counts its TLB hits with the
  // segment's cycles. A slow access (a miss, a walk that evicts another page's entry) must make
  // the region read level 1 again and count its own lookup exactly, and a faulting one
  // (misaligned, or on the one page that is not mapped) must take its trap, without a throw,
  // exactly where the interpreter does: random loads and stores of every width over eight
  // pages that share an eight-entry TLB with the code and the page tables, with the pages that
  // each base register points at changing every pass, and a handler that skips the faulting
  // instruction. Pages that share a set take turns in way 0, so many accesses the inline path
  // misses are TLB hits in another way, which the MMU promotes to way 0.
  const OPS = ['lw', 'lh', 'lhu', 'lb', 'lbu', 'sw', 'sh', 'sb'] as const;
  const WIDTH = { lw: 4, sw: 4, lh: 2, lhu: 2, sh: 2, lb: 1, lbu: 1, sb: 1 } as const;
  const access = fc.record({
    op: fc.constantFrom(...OPS),
    value: fc.constantFrom('a0', 'a1', 'a2', 'a3', 't2', 't3'),
    base: fc.constantFrom('s0', 's1', 's2'),
    offset: fc.integer({ min: 0, max: 2047 }),
    aligned: fc.nat(9).map((n) => n !== 0), // one access in ten may be misaligned
  });

  it('count every hit, miss and walk, and take every fault, as the interpreter does', () => {
    let misses = 0;
    let faults = 0;
    const promotions = vi.spyOn(Mmu.prototype as unknown as { promote: () => void }, 'promote');
    fc.assert(
      fc.property(fc.array(access, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (accesses, stride) => {
        const body = accesses.map((a) => `        ${a.op.padEnd(7)} ${a.value}, ${a.aligned ? a.offset - (a.offset % WIDTH[a.op]) : a.offset}(${a.base})`).join('\n');
        const { translate } = same(
          `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x20001
        csrw    PTBR, t0
        li      s3, 12
        li      a0, 0x12345678
loop:   andi    t0, s3, 7           # s0, s1, s2: pages 0x10000 + (pass * k mod 8) * 0x1000
        slli    t0, t0, 12
        li      t1, 0x10000
        add     s0, t0, t1
        li      t2, ${stride}
        mul     t0, s3, t2
        andi    t0, t0, 7
        slli    t0, t0, 12
        add     s1, t0, t1
        xori    t0, t0, 0x5000
        add     s2, t0, t1
${body}
        addi    s3, s3, -1
        bnez    s3, loop
        halt
handler: csrr   t0, EPC             # skip the faulting access
        addi    t0, t0, 4
        csrw    EPC, t0
        sret`,
          {
            memoryBytes: 1 << 20,
            tlbEntries: 8,
            // 0x17000 is not mapped: a page fault.
            setup: (m) => new PageTables(m, 0x20000, 0x21000).identity(0x1000, 0x2000, PTE.P | PTE.X).identity(0x10000, 0x17000, PTE.P | PTE.W),
          },
        );
        expect(translate.cpu.halted).toBe(true);
        const stats = translate.stats();
        misses += stats.tlb.misses;
        faults += (stats.traps['PageFaultRead'] ?? 0) + (stats.traps['PageFaultWrite'] ?? 0) + (stats.traps['Misaligned'] ?? 0);
      }),
      { numRuns: 60 },
    );
    expect(misses).toBeGreaterThan(60 * 8); // the TLB did evict
    expect(faults).toBeGreaterThan(60); // and accesses faulted
    expect(promotions.mock.calls.length).toBeGreaterThan(60); // and pages took turns in way 0
    promotions.mockRestore();
  });
});

describe('one definition', () => {
  it('compiles the semantics of the base ISA inline from the table, with constants for the operands', () => {
    const m = new Machine({ memoryBytes: SMALL_MEMORY, engine: 'translate' });
    m.load(asm(`
_start: addi    a0, a0, 5
        add     a1, a1, a0
        lw      a2, 0x100(zero)
        sw      a2, 0x104(zero)
        blt     a0, a1, _start
        halt`));
    const source = blockSourceOf(m.cpu, isa, 0);
    // (the exact text is the exec's own source, as this build of the table prints it, with the
    // registers as the region's locals: g4 is x[4])
    expect(source).toMatch(/g4 = \(?g4 \+ \(5\)\)? \| 0;/);
    expect(source).toContain('let g0 = 0, g4 = x[4], g5 = x[5], g6 = x[6];');
    expect(source).toContain('OUT_load32(cpu, a,'); // level 1 inline, the rest out of line
    expect(source).toContain('OUT_store32(cpu, a, g6,');
    expect(source).not.toMatch(/\bH\d+\(/); // nothing called: every instruction inline
  });

  it('keeps the registers in x[] in a region without a loop, and names a load\'s register by its number out of line', () => {
    const m = new Machine({ memoryBytes: SMALL_MEMORY, engine: 'translate' });
    m.load(asm(`
_start: addi    a0, a0, 5
        lw      a2, 0x100(a0)
        sw      a2, 0x104(zero)
        halt`));
    const source = blockSourceOf(m.cpu, isa, 0);
    expect(source).toMatch(/x\[4\] = \(?x\[4\] \+ \(5\)\)? \| 0;/);
    expect(source).not.toMatch(/\bg\d+\b/);
    expect(source).toMatch(/OUT_load32\(cpu, a, 6, /);
    expect(source).toContain('OUT_store32(cpu, a, x[6],');
  });

  it('gives every load and store width the inline path on a cached data page, and runs them as the interpreter does', () => {
    const program = `
_start: li      t0, 0x8000
        li      t1, -2
        li      s0, 0
loop:   sb      t1, 1(t0)
        sh      t1, 2(t0)
        sw      t1, 4(t0)
        lb      a0, 1(t0)
        lbu     a1, 1(t0)
        lh      a2, 2(t0)
        lhu     a3, 2(t0)
        lw      t2, 4(t0)
        add     s0, s0, a0
        add     s0, s0, a1
        add     s0, s0, a2
        add     s0, s0, a3
        add     s0, s0, t2
        addi    t1, t1, -3
        blt     zero, t1, done
        addi    t0, t0, 8
        li      t3, 0x9000
        blt     t0, t3, loop
done:   halt`;
    const booted = boot(program, { engine: 'translate' });
    const source = blockSourceOf(booted.m.cpu, isa, booted.sym('loop'));
    expect(source).not.toMatch(/\bH\d+\(/);
    for (const view of ['B[', 'H[', 'M[']) expect(source).toContain(view);
    const a = boot(program, { engine: 'interp' }).m;
    const b = boot(program, { engine: 'translate' }).m;
    expect(a.run(1_000_000).kind).toBe('halt');
    expect(b.run(1_000_000).kind).toBe('halt');
    expect(b.stats()).toEqual(a.stats());
    expect([...b.cpu.x]).toEqual([...a.cpu.x]);
    expect(b.memory.words.slice(0x8000 >>> 2, 0x9000 >>> 2)).toEqual(a.memory.words.slice(0x8000 >>> 2, 0x9000 >>> 2));
  });
});

describe('traps without a throw', () => {
  it('finds the instructions whose exec only traps (syscall, break) by reading the table back', () => {
    const all = isaWith(['vmx']);
    const trapOnly = all.insns.filter((i) => trapOnlyCause(i) !== undefined).map((i) => `${i.mnemonic}:${trapOnlyCause(i)}`);
    expect(trapOnly).toEqual([`syscall:${Cause.Syscall}`, `break:${Cause.Breakpoint}`]);
  });
});

describe('warm machines', () => {
  it("a second machine running the same code reuses the first one's compiled regions", () => {
    const program = `
_start: li      t0, 200
loop:   addi    t0, t0, -1
        blt     zero, t0, loop
        halt`;
    const first = boot(program, { engine: 'translate' }).m;
    first.run(1_000_000);
    const second = boot(program, { engine: 'translate' }).m;
    second.run(1_000_000);
    const counters = second.cpu.translations!.counters;
    expect(counters.regions).toBeGreaterThan(0);
    expect(counters.reused).toBe(counters.regions);
  });
});

/** A loop at 0x1000 (words 0-7 of page 1) run `count` times, of four blocks: every fourth
 *  iteration adds a2Step to a2 (at `four`), the others a1Step to a1; `_start` is in page 2. */
function branchyLoop(count: number, a1Step: number, a2Step: number): string {
  return `
        .org 0x1000
loop:   andi    t1, s1, 3
        beqz    t1, four
        addi    a1, a1, ${a1Step}
        j       join
four:   addi    a2, a2, ${a2Step}
join:   addi    s1, s1, -1
        bnez    s1, loop
        halt
        .org 0x2000
_start: li      s1, ${count}
        j       loop`;
}

describe('the default threshold: compiled after thousands of reaches, reused after tens', () => {
  it("a second machine runs the first one's regions once a word is reached REUSE_AFTER times", () => {
    const saved = translatorSettings.hotThreshold;
    translatorSettings.hotThreshold = DEFAULT_THRESHOLD;
    // A loop of a few blocks, run often enough to be compiled in the first machine; the
    // second runs a shorter one of the same words (the count comes from a0, set after the loop's
    // page): between REUSE_AFTER and the threshold, so only reuse puts it in compiled code.
    const program = (count: number): string => branchyLoop(count, 1, 3);
    try {
      const first = same(program(4 * DEFAULT_THRESHOLD), { maxCycles: 20_000_000 });
      expect(first.translate.cpu.translations!.counters.regions).toBeGreaterThan(0);
      const second = same(program(4 * REUSE_AFTER), { maxCycles: 20_000_000 });
      const counters = second.translate.cpu.translations!.counters;
      expect(counters.regions).toBeGreaterThan(0);
      expect(counters.reused).toBe(counters.regions);
    } finally {
      translatorSettings.hotThreshold = saved;
    }
  });
});

describe('the default engine', () => {
  it('is translate, unless RINGLAB_ENGINE or setDefaultEngine (the CLI\'s --engine) names one', () => {
    const saved = process.env['RINGLAB_ENGINE'];
    try {
      setDefaultEngine(undefined);
      delete process.env['RINGLAB_ENGINE'];
      expect(defaultEngine()).toBe('translate');
      process.env['RINGLAB_ENGINE'] = 'interp';
      expect(defaultEngine()).toBe('interp');
      process.env['RINGLAB_ENGINE'] = 'bogus';
      expect(defaultEngine()).toBe('translate');
      setDefaultEngine('interp');
      expect(defaultEngine()).toBe('interp');
      expect(new Machine({ memoryBytes: 1 << 16 }).engine).toBe('interp');
      setDefaultEngine(undefined);
      expect(new Machine({ memoryBytes: 1 << 16 }).engine).toBe('translate');
    } finally {
      setDefaultEngine(undefined);
      if (saved === undefined) delete process.env['RINGLAB_ENGINE'];
      else process.env['RINGLAB_ENGINE'] = saved;
    }
  });
});

describe('heat: every block entry counted once', () => {
  it('reaches are counted exactly, whether the dispatcher or the interpreter running the code counts them', () => {
    const saved = translatorSettings.hotThreshold;
    translatorSettings.hotThreshold = DEFAULT_THRESHOLD;
    try {
      // 200 iterations, fewer than the threshold, of words no other test compiles (so the reuse
      // at REUSE_AFTER finds nothing). The loop head is reached 200 times, less the first reach
      // of its page (which makes the page's CodePage and counts nothing); the fall-through of
      // beqz and join 150 times, four 50 times (its block runs on through join to bnez). On the
      // first pass every word is decoded by the interpreter's step, after which the dispatcher
      // sees the next word: one reach more for join and for words 1, 3, 6 and 7.
      const { translate } = same(branchyLoop(200, 7, 5));
      const page = translate.cpu.translations!.pages[1]!;
      expect([...page.heat.slice(0, 8)]).toEqual([199, 1, 150, 1, 50, 151, 1, 1]);
      expect(page.blocks.every((f) => f === undefined)).toBe(true);
    } finally {
      translatorSettings.hotThreshold = saved;
    }
  });
});

describe('regions cut to fit', () => {
  it('a region whose source would be too long for V8 to optimize is cut, and runs as the interpreter does', () => {
    translatorSettings.regionAll = true;
    try {
      // Blocks of eight loads and stores each (the inline paths take the most source), all
      // successors of the first: one region would hold them all.
      const blocks = Array.from({ length: 24 }, (_, b) =>
        [`b${b}:`, ...Array.from({ length: 4 }, (_, k) => `        lw      t1, ${4 * k}(s0)\n        sw      t1, ${4 * k + 64}(s0)`), `        beqz    s1, b${(b + 1) % 24}`].join('\n'),
      );
      const { translate } = same(`
        .org 0x1000
_start: li      s0, 0x3000
        li      s2, 3
round:  li      s1, 0
        j       b0
${blocks.join('\n')}
        addi    s2, s2, -1
        bnez    s2, round
        halt`, { maxCycles: 20_000 });
      const page = translate.cpu.translations!.pages[1]!;
      const fns = new Set(page.blocks.filter((f) => f !== undefined));
      expect(fns.size).toBeGreaterThan(1);
      for (const f of fns) expect(f!.toString().length).toBeLessThanOrEqual(MAX_REGION_SOURCE + 100);
    } finally {
      translatorSettings.regionAll = false;
    }
  });

  it('a first region keeps the blocks found first that fit by their own sizes, however large the ones after them', () => {
    translatorSettings.regionAll = true;
    try {
      // Two small blocks, then two of 40 stores each, each alone longer than MAX_REGION_SOURCE
      // (an estimate from the average block would keep the entry alone).
      const stores = (k: number): string => Array.from({ length: 40 }, (_, i) => `        sw      t1, ${4 * i + 256 * k}(s0)`).join('\n');
      const source = `
        .org 0x1000
_start: li      s0, 0x3000
        li      s1, 2
        j       small1
small1: addi    t1, t1, 1
        bnez    s1, small2
small2: addi    t1, t1, 2
        bnez    s1, big1
big1:
${stores(1)}
        bnez    s1, big2
big2:
${stores(2)}
        addi    s1, s1, -1
        bnez    s1, small1
        halt`;
      const { translate } = same(source);
      const { sym } = boot(source);
      const page = translate.cpu.translations!.pages[1]!;
      const fnAt = (label: string): unknown => page.blocks[(sym(label) & 4095) >>> 2];
      // The first block a page runs is interpreted; small1 is the first compiled.
      expect(fnAt('small1')).toBeDefined();
      expect(fnAt('small2')).toBe(fnAt('small1'));
      expect(fnAt('big1')).not.toBe(fnAt('small1'));
    } finally {
      translatorSettings.regionAll = false;
    }
  });
});

/** Twelve blocks of eight loads and stores at 0x1000, each a successor of the one before (the
 *  branch target and the fall-through), run `rounds` times: a first region holds one of them,
 *  a grown one several. */
function storeChain(rounds: number): string {
  const blocks = Array.from({ length: 12 }, (_, b) =>
    [`b${b}:`, ...Array.from({ length: 4 }, (_, k) => `        lw      t1, ${4 * k}(s0)\n        sw      t1, ${4 * k + 64}(s0)`), b < 11 ? `        bnez    s1, b${b + 1}` : ''].join('\n'),
  );
  return `
        .org 0x1000
_start: li      s0, 0x3000
        li      s1, 1
        li      s2, ${rounds}
round:  j       b0
${blocks.join('\n')}
        addi    s2, s2, -1
        bnez    s2, round
        halt`;
}

/** The lengths of the source of the region functions of page 1. */
function regionLengths(m: Machine): number[] {
  return [...new Set(m.cpu.translations!.pages[1]!.blocks.filter((f) => f !== undefined))].map((f) => f!.toString().length);
}

describe('grown regions', () => {
  let saved = { growAt: 0, threshold: 0 };
  beforeAll(() => void (saved = { growAt: translatorSettings.growAt, threshold: translatorSettings.hotThreshold }));
  afterAll(() => {
    translatorSettings.growAt = saved.growAt;
    translatorSettings.hotThreshold = saved.threshold;
  });

  it('a region that leaves for its own page growAt times grows to the larger limits, and runs as the interpreter does', () => {
    // Every block is entered through the dispatcher (threshold 0) until the region before it
    // has left for it three times and grown.
    translatorSettings.growAt = 3;
    const { translate } = same(storeChain(5), { maxCycles: 50_000 });
    expect(translate.cpu.translations!.counters.grown).toBeGreaterThan(0);
    const lengths = regionLengths(translate);
    expect(Math.max(...lengths)).toBeGreaterThan(MAX_REGION_SOURCE + 100);
    for (const n of lengths) expect(n).toBeLessThanOrEqual(GROWN_REGION.source + 100);
  });

  it("a second machine takes the first one's grown region when a word is reached REUSE_AFTER times", () => {
    translatorSettings.growAt = 3;
    translatorSettings.hotThreshold = 2 * REUSE_AFTER;
    const first = same(storeChain(4 * REUSE_AFTER), { maxCycles: 2_000_000 });
    expect(first.translate.cpu.translations!.counters.grown).toBeGreaterThan(0);
    // Fewer rounds than the threshold: only reuse compiles anything, and the second machine
    // grows nothing itself.
    translatorSettings.growAt = 0;
    const second = same(storeChain(REUSE_AFTER + 10), { maxCycles: 2_000_000 });
    const counters = second.translate.cpu.translations!.counters;
    expect(counters.reused).toBe(counters.regions);
    expect(counters.grown).toBe(0);
    expect(Math.max(...regionLengths(second.translate))).toBeGreaterThan(MAX_REGION_SOURCE + 100);
  });

  it('a second machine takes the region compiled for a word at its reuse, though it has reached fewer of its successors', () => {
    // `late` is reached from the 100th round on: the first machine compiles loop's region at
    // the threshold (128 reaches) with it. The second runs 74 rounds: at loop's 64th reach,
    // `late` has not run, and a region collected from what it has reached would not be found.
    const program = (rounds: number): string => `
        .org 0x1000
_start: li      s1, 0
        li      s2, ${rounds}
loop:   addi    s1, s1, 1
        li      t0, 100
        blt     s1, t0, skip
late:   addi    s3, s3, 7
skip:   addi    s2, s2, -1
        bnez    s2, loop
        halt`;
    translatorSettings.growAt = 0;
    translatorSettings.hotThreshold = 2 * REUSE_AFTER;
    const [loop, late] = [2, 5];
    const first = same(program(4 * REUSE_AFTER), { maxCycles: 100_000 });
    expect(first.translate.cpu.translations!.pages[1]!.blocks[loop]!.toString()).toContain(`case ${late}: {`);
    const second = same(program(REUSE_AFTER + 10), { maxCycles: 100_000 });
    const region = second.translate.cpu.translations!.pages[1]!.blocks[loop];
    expect(region).toBe(first.translate.cpu.translations!.pages[1]!.blocks[loop]);
  });

  it('a grown region too long keeps its entry and the most reached other blocks that fit, not the first found', () => {
    // The loop's fall-through (cold: run on the first pass and the last) is found before its
    // branch target (hot), and the three blocks do not fit in one grown region: it holds the
    // entry and the target.
    const stores = (n: number): string => Array.from({ length: n }, (_, k) => `        sw      t1, ${4 * k}(s0)`).join('\n');
    const program = `
        .org 0x1000
_start: li      s0, 0x3000
        li      s1, 1
        li      s2, 2
hot:    addi    s1, s1, -1
${stores(6)}
        bnez    s1, target
cold:
${stores(24)}
        li      s1, 300
        addi    s2, s2, -1
        bnez    s2, hot
        halt
target: addi    t1, t1, 1
${stores(24)}
        j       hot`;
    translatorSettings.growAt = 3;
    translatorSettings.hotThreshold = 200;
    const { translate } = same(program, { maxCycles: 500_000 });
    expect(translate.cpu.translations!.counters.grown).toBeGreaterThan(0);
    const [hot, cold, target] = [3, 11, 39];
    const grown = translate.cpu.translations!.pages[1]!.blocks[hot]!.toString();
    expect(grown).toContain(`case ${hot}: {`);
    expect(grown).toContain(`case ${target}: {`);
    expect(grown).not.toContain(`case ${cold}: {`);
  });

  it('a region grows from the targets of its indirect jumps, and again from what it holds and its new targets', () => {
    // Three blocks that end in `jr`, each to the next: no region finds another from its entry.
    // e's region first grows to e and s (its one exit target), then again to e, s and h
    // (s's target), which keeps the whole loop inside.
    const program = `
        .org 0x1000
_start: li      s0, 0x3000
        li      s2, 40
        la      a0, e
        la      a1, s
        la      a2, h
        jr      a0
        .org 0x1100
e:      addi    t1, t1, 1
        sw      t1, 0(s0)
        jr      a1
        .org 0x1200
s:      addi    t2, t2, 3
        sw      t2, 4(s0)
        jr      a2
        .org 0x1300
h:      addi    s2, s2, -1
        beqz    s2, done
        jr      a0
done:   halt`;
    translatorSettings.growAt = 3;
    translatorSettings.hotThreshold = 0;
    const { translate } = same(program, { maxCycles: 100_000 });
    const [e, s, h] = [0x100 / 4, 0x200 / 4, 0x300 / 4];
    const region = translate.cpu.translations!.pages[1]!.blocks[e]!.toString();
    for (const word of [e, s, h]) expect(region).toContain(`case ${word}: {`);
  });
});

describe('exit counts (CodePage.countExit)', () => {
  it('hold every target taken more than 1/EXIT_SLOTS of the time, with counts that add up to the exits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 400 }), (targets) => {
        const page = new CodePage();
        page.countExits();
        for (const t of targets) page.countExit(7, t);
        const held = page.exitTargets(7, 1);
        let sum = 0;
        for (let k = 0; k < EXIT_SLOTS; k++) sum += page.exitCount[7 * EXIT_SLOTS + k]!;
        expect(sum).toBe(targets.length);
        for (let t = 0; t < 10; t++) {
          const times = targets.filter((x) => x === t).length;
          if (times * EXIT_SLOTS > targets.length) expect(held).toContain(t);
        }
        // No other entry's slots were touched.
        expect(page.exitTargets(6, 1)).toEqual([]);
        expect(page.exitTargets(8, 1)).toEqual([]);
      }),
    );
  });
});
