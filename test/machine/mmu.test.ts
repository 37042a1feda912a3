// MMU: two-level translation, per-ring permissions, W and X bits, faults with BADADDR, bus
// errors during walks, and the TLB (counting, staleness until a flush, walk pricing).

import { describe, expect, it } from 'vitest';
import { Cause } from '../../src/isa/index.js';
import { DEFAULT_COSTS } from '../../src/machine/costs.js';
import type { Machine } from '../../src/machine/machine.js';
import { boot, enterRing, expectAccountingConsistent, isa, PageTables, peek32, poke32, PTE } from './helpers.js';

const MEMORY = 256 * 1024;
const DIR = 0x10000;
const PTBR = DIR | 1;
const KERNEL_RWX = PTE.P | PTE.W | PTE.X | PTE.ring(0);

/** Kernel at 0x1000 (handler at 0x1800), user code at 0x2000; paging on before `kernel` runs. */
function pagedProgram(kernel: string, user = '        halt'): string {
  return `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, ${PTBR}
        csrw    PTBR, t0
paged:
${kernel}
        halt
        .org 0x1800
handler: halt
        .org 0x1c00
pteaddr: .word 0                    # the test stores a PTE address here
        .org 0x2000
user:
${user}
`;
}

interface Setup {
  m: Machine;
  pt: PageTables;
  sym(name: string): number;
}

/** Boot with the standard identity mappings, let `map` add more, and return before running. */
function setup(source: string, map: (pt: PageTables) => void = () => {}): Setup {
  const { m, sym } = boot(source, { memoryBytes: MEMORY });
  const pt = new PageTables(m, DIR, 0x11000);
  pt.identity(0x1000, 0x2000, KERNEL_RWX);
  pt.identity(0x2000, 0x3000, PTE.P | PTE.X | PTE.ring(3));
  map(pt);
  pt.identity(0x10000, 0x14000, PTE.P | PTE.W | PTE.ring(0)); // the tables themselves, for the kernel
  return { m, pt, sym };
}

function run(source: string, map?: (pt: PageTables) => void): Setup & { stop: ReturnType<Machine['run']> } {
  const s = setup(source, map);
  const stop = s.m.run(1_000_000);
  return { ...s, stop };
}

const VA = 0x0040_0000; // directory slot 1
const PA = 0x2_0000;

describe('translation', () => {
  it('maps virtual pages to physical frames, with aliases and offsets', () => {
    const { m, stop } = run(
      pagedProgram(`
        li      a1, ${VA}
        lw      a0, 0xffc(a1)
        li      t1, 0x1234
        sw      t1, 4(a1)
        li      a2, ${VA + 0x1000}
        lw      a3, 4(a2)`),
      (pt) => pt.map(VA, PA, PTE.P | PTE.W).map(VA + 0x1000, PA, PTE.P),
    );
    expect(stop.kind).toBe('halt');
    expect(m.cpu.cause).toBe(0);
    expect(m.cpu.paging).toBe(true);
    expect(peek32(m, PA + 4)).toBe(0x1234);
    expect(m.cpu.x[7]).toBe(0x1234); // read back through the alias
    expect(m.cpu.x[4]).toBe(0); // PA + 0xffc
  });

  it('reads the physical frame, not the virtual address', () => {
    const s = setup(pagedProgram(`li a1, ${VA}\n        lw a0, 8(a1)\n        lbu a2, 9(a1)`), (pt) => pt.map(VA, PA, PTE.P));
    poke32(s.m, PA + 8, 0x11223344);
    s.m.run(100_000);
    expect(s.m.cpu.x[4]).toBe(0x11223344);
    expect(s.m.cpu.x[6]).toBe(0x33);
  });

  it('instruction fetch is translated (code at a high virtual address)', () => {
    const s = setup(pagedProgram(`li t0, ${VA}\n        jr t0`), (pt) => pt.map(VA, 0x3000, KERNEL_RWX));
    // Physical 0x3000 holds nothing the program assembled: put `addi a0, zero, 77; halt` there.
    poke32(s.m, 0x3000, (isa.byMnemonic.get('addi')!.opcode << 24) | (4 << 20) | 77);
    poke32(s.m, 0x3004, isa.byMnemonic.get('halt')!.opcode << 24);
    expect(s.m.run(100_000).kind).toBe('halt');
    expect(s.m.cpu.x[4]).toBe(77);
    expect(s.m.cpu.pc).toBe(VA + 8);
  });
});

describe('permissions', () => {
  const userAccess = (insn: string, flags: number, ring = 3): Setup => {
    const s = setup(
      pagedProgram(enterRing(ring), `
        li      a1, ${VA}
        li      a0, 0x5a5a
op:     ${insn}
        halt`),
      (pt) => pt.map(VA, PA, flags),
    );
    s.m.run(100_000);
    return s;
  };

  for (const [insn, cause] of [
    ['lw a0, 16(a1)', Cause.PageFaultRead],
    ['lbu a0, 16(a1)', Cause.PageFaultRead],
    ['sw a0, 16(a1)', Cause.PageFaultWrite],
    ['sb a0, 16(a1)', Cause.PageFaultWrite],
    ['jalr a0, a1, 16', Cause.PageFaultExecute],
  ] as const) {
    it(`a RING=0 page is out of reach of ring 3: ${insn} faults with cause ${cause}`, () => {
      const { m, sym } = userAccess(insn, PTE.P | PTE.W | PTE.X | PTE.ring(0));
      expect(m.cpu.cause).toBe(cause);
      expect(m.cpu.badAddr).toBe(VA + 16);
      expect(m.cpu.estatus & 3).toBe(3);
      if (cause === Cause.PageFaultExecute) {
        expect(m.cpu.epc).toBe(VA + 16); // the fetch itself faults
        expect(m.cpu.einsn).toBe(0);
        expect(m.cpu.x[4]).toBe(sym('op') + 4); // jalr retired and linked
      } else {
        expect(m.cpu.epc).toBe(sym('op'));
        expect(m.cpu.x[4]).toBe(0x5a5a);
        expect(peek32(m, PA + 16)).toBe(0);
      }
    });

    it(`the same page with RING=3 allows ${insn} from ring 3`, () => {
      const { m } = userAccess(insn.startsWith('jalr') ? 'lw a0, 16(a1)' : insn, PTE.P | PTE.W | PTE.X | PTE.ring(3));
      expect(m.cpu.cause).toBe(Cause.PrivilegedInstruction); // only the final halt traps
    });
  }

  it('ring 1 reaches RING=1 pages, ring 2 does not; RING=2 serves rings 0..2', () => {
    expect(userAccess('lw a0, 0(a1)', PTE.P | PTE.ring(1), 1).m.cpu.cause).toBe(Cause.PrivilegedInstruction);
    expect(userAccess('lw a0, 0(a1)', PTE.P | PTE.ring(1), 2).m.cpu.cause).toBe(Cause.PageFaultRead);
    expect(userAccess('lw a0, 0(a1)', PTE.P | PTE.ring(2), 2).m.cpu.cause).toBe(Cause.PrivilegedInstruction);
    expect(userAccess('lw a0, 0(a1)', PTE.P | PTE.ring(2), 3).m.cpu.cause).toBe(Cause.PageFaultRead);
  });

  it('a RING=3 page is readable and writable from ring 0', () => {
    const { m } = run(pagedProgram(`li a1, ${VA}\n        li t1, 9\n        sw t1, 0(a1)\n        lw a0, 0(a1)`), (pt) =>
      pt.map(VA, PA, PTE.P | PTE.W | PTE.ring(3)),
    );
    expect(m.cpu.cause).toBe(0);
    expect(m.cpu.x[4]).toBe(9);
  });

  it('W is enforced in ring 0 too; reads need only P', () => {
    const { m, sym } = run(pagedProgram(`li a1, ${VA}\n        lw a0, 0(a1)\nop:     sw a1, 0(a1)`), (pt) => pt.map(VA, PA, PTE.P | PTE.X));
    expect(m.cpu.cause).toBe(Cause.PageFaultWrite);
    expect(m.cpu.badAddr).toBe(VA);
    expect(m.cpu.epc).toBe(sym('op'));
    expect(peek32(m, PA)).toBe(0);
  });

  it('X is enforced in ring 0 too', () => {
    const { m } = run(pagedProgram(`li a1, ${VA + 0x40}\n        jr a1`), (pt) => pt.map(VA, PA, PTE.P | PTE.W));
    expect(m.cpu.cause).toBe(Cause.PageFaultExecute);
    expect(m.cpu.badAddr).toBe(VA + 0x40);
    expect(m.cpu.epc).toBe(VA + 0x40);
  });
});

describe('not-present entries and bus errors', () => {
  const access = (insn: string, map: (pt: PageTables) => void, address: number): Setup => {
    const s = setup(pagedProgram(`li a1, ${address}\n        li a0, 0x5a5a\nop:     ${insn}`), map);
    s.m.run(100_000);
    return s;
  };

  for (const [insn, cause] of [
    ['lw a0, 0(a1)', Cause.PageFaultRead],
    ['sw a0, 0(a1)', Cause.PageFaultWrite],
    ['jr a1', Cause.PageFaultExecute],
  ] as const) {
    it(`a not-present directory entry: ${insn} faults with BADADDR = the virtual address`, () => {
      const va = 0x0080_0124; // directory slot 2: nothing mapped there
      const { m } = access(insn, () => {}, va);
      expect(m.cpu.cause).toBe(cause);
      expect(m.cpu.badAddr).toBe(va);
    });

    it(`a not-present page-table entry: ${insn} faults with BADADDR = the virtual address`, () => {
      const va = VA + 0x2008; // slot 1 has a table, this PTE is 0
      const { m } = access(insn, (pt) => pt.map(VA, PA, KERNEL_RWX), va);
      expect(m.cpu.cause).toBe(cause);
      expect(m.cpu.badAddr).toBe(va);
    });

    it(`a PTE with P clear but other bits set: ${insn} faults`, () => {
      const { m } = access(insn, (pt) => pt.map(VA, PA, PTE.W | PTE.X | PTE.ring(3)), VA + 4);
      expect(m.cpu.cause).toBe(cause);
      expect(m.cpu.badAddr).toBe(VA + 4);
    });
  }

  it('a PTE whose frame is beyond physical memory gives BusError with the physical address', () => {
    const { m, sym } = access('lw a0, 0(a1)', (pt) => pt.map(VA, 0x00f0_0000, PTE.P), VA + 0x10);
    expect(m.cpu.cause).toBe(Cause.BusError);
    expect(m.cpu.badAddr).toBe(0x00f0_0010);
    expect(m.cpu.epc).toBe(sym('op'));
    expect(m.cpu.x[4]).toBe(0x5a5a);
  });

  it('a directory entry pointing beyond memory gives BusError at the PTE address', () => {
    const va = 0x00c0_3000; // slot 3, table index 3
    const { m } = access('lw a0, 0(a1)', (pt) => pt.setPde(va, 0x00f0_0001), va);
    expect(m.cpu.cause).toBe(Cause.BusError);
    expect(m.cpu.badAddr).toBe(0x00f0_0000 + 3 * 4);
  });

  it('a PTBR beyond memory makes every fetch a BusError: double fault', () => {
    const { m } = boot(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 0x00f00001
        csrw PTBR, t0
        halt
handler: halt`, { memoryBytes: MEMORY });
    expect(m.run(100_000)).toMatchObject({ kind: 'double-fault', cause: 'BusError', badAddr: 0x00f0_0000 });
  });
});

describe('TLB', () => {
  const COUNT_PROGRAM = pagedProgram(`
        li      a1, ${VA}
first:  lw      a0, 0(a1)
second: lw      a0, 4(a1)
third:  lw      a0, 0x1000(a1)`);
  const mapTwo = (pt: PageTables): void => {
    pt.map(VA, PA, PTE.P).map(VA + 0x1000, PA + 0x1000, PTE.P);
  };

  it('a miss walks two levels priced at pageWalkPerLevel each; a hit costs nothing extra', () => {
    const { m, sym } = setup(COUNT_PROGRAM, mapTwo);
    while (m.cpu.pc !== sym('first')) m.step();
    const lwCost = isa.byMnemonic.get('lw')!.cost + DEFAULT_COSTS.memoryAccess;
    const snap = (): { cycles: number; hits: number; misses: number; walkRefs: number } => {
      const t = m.stats().tlb;
      return { cycles: m.cpu.cycles, hits: t.hits, misses: t.misses, walkRefs: t.walkRefs };
    };
    const a = snap();
    m.step(); // first: miss on the data page (the fetch hits the code page)
    const b = snap();
    expect(b.misses - a.misses).toBe(1);
    expect(b.walkRefs - a.walkRefs).toBe(2);
    expect(b.hits - a.hits).toBe(1);
    expect(b.cycles - a.cycles).toBe(lwCost + 2 * DEFAULT_COSTS.pageWalkPerLevel);
    m.step(); // second: same page, hit
    const c = snap();
    expect(c.misses - b.misses).toBe(0);
    expect(c.walkRefs - b.walkRefs).toBe(0);
    expect(c.hits - b.hits).toBe(2);
    expect(c.cycles - b.cycles).toBe(lwCost);
    m.step(); // third: the next page, another miss
    const d = snap();
    expect(d.misses - c.misses).toBe(1);
    expect(d.walkRefs - c.walkRefs).toBe(2);
    expect(d.cycles - c.cycles).toBe(lwCost + 2 * DEFAULT_COSTS.pageWalkPerLevel);
    expect(m.run(100_000).kind).toBe('halt');
    expectAccountingConsistent(m.stats());
  });

  it('the walk cost follows the cost model', () => {
    const costs = { ...DEFAULT_COSTS, name: 'walky', pageWalkPerLevel: 1000 };
    const { m, sym } = boot(COUNT_PROGRAM, { memoryBytes: MEMORY, costs });
    const pt = new PageTables(m, DIR, 0x11000);
    pt.identity(0x1000, 0x2000, KERNEL_RWX);
    mapTwo(pt);
    while (m.cpu.pc !== sym('first')) m.step();
    const before = m.cpu.cycles;
    m.step();
    expect(m.cpu.cycles - before).toBe(isa.byMnemonic.get('lw')!.cost + costs.memoryAccess + 2000);
  });

  it('counts every translation as a hit or a miss; walkRefs = 2 per completed miss', () => {
    const { m, sym } = setup(
      pagedProgram(`
        li      a1, ${VA}
        li      a2, 100
.loop:  lw      a0, 0(a1)
        addi    a2, a2, -1
        bnez    a2, .loop`),
      mapTwo,
    );
    while (m.cpu.pc !== sym('paged')) m.step();
    const insnsBefore = m.cpu.instret;
    expect(m.run(100_000).kind).toBe('halt');
    const t = m.stats().tlb;
    const fetches = m.cpu.instret - insnsBefore;
    expect(t.misses).toBe(2); // the code page and the data page
    expect(t.walkRefs).toBe(2 * t.misses);
    expect(t.hits + t.misses).toBe(fetches + 100);
    expect(t.entries).toBe(64);
  });

  const STALE = (flush: string): string =>
    pagedProgram(`
        li      a1, ${VA}
        lw      a0, 0(a1)           # fills the TLB: old frame
        la      t0, pteaddr
        lw      t0, 0(t0)
        li      t1, ${(PA + 0x1000) | PTE.P | PTE.W}
        sw      t1, 0(t0)           # remap VA to the new frame, no flush yet
        lw      a2, 0(a1)           # stale: old frame
        ${flush}
        lw      a3, 0(a1)`);

  const stale = (flush: string): Machine => {
    const { m, pt, sym } = setup(STALE(flush), (pt) => pt.map(VA, PA, PTE.P | PTE.W));
    poke32(m, sym('pteaddr'), pt.pteAddr(VA));
    poke32(m, PA, 111);
    poke32(m, PA + 0x1000, 222);
    expect(m.run(100_000).kind).toBe('halt');
    expect(m.cpu.cause).toBe(0);
    expect(m.cpu.x[4]).toBe(111);
    expect(m.cpu.x[6], 'stale entry still used before the flush').toBe(111);
    return m;
  };

  it('without a flush the stale entry keeps being used', () => {
    expect(stale('nop').cpu.x[7]).toBe(111);
  });

  it('tlbflush of another page leaves the stale entry', () => {
    expect(stale(`li t2, ${VA + 0x1000}\n        tlbflush t2`).cpu.x[7]).toBe(111);
  });

  it('tlbflush of the page applies the new mapping', () => {
    const m = stale('tlbflush a1');
    expect(m.cpu.x[7]).toBe(222);
    expect(m.stats().tlb.flushes).toBeGreaterThanOrEqual(1);
  });

  it('tlbflush takes any address inside the page', () => {
    expect(stale(`addi t2, a1, 0xabc\n        tlbflush t2`).cpu.x[7]).toBe(222);
  });

  it('tlbflushall applies the new mapping', () => {
    expect(stale('tlbflushall').cpu.x[7]).toBe(222);
  });

  it('a PTBR write (even of the same value) applies the new mapping', () => {
    expect(stale(`li t2, ${PTBR}\n        csrw PTBR, t2`).cpu.x[7]).toBe(222);
  });

  it('a permission downgrade takes effect only after the flush', () => {
    const { m, pt, sym } = setup(
      pagedProgram(`
        li      a1, ${VA}
        li      a0, 5
        sw      a0, 0(a1)           # fills the TLB with a writable entry
        la      t0, pteaddr
        lw      t0, 0(t0)
        li      t1, ${PA | PTE.P}
        sw      t1, 0(t0)           # read-only now
        li      a0, 6
        sw      a0, 0(a1)           # stale entry: still writable
        tlbflush a1
        li      a0, 7
op:     sw      a0, 0(a1)           # faults`),
      (pt) => pt.map(VA, PA, PTE.P | PTE.W),
    );
    poke32(m, sym('pteaddr'), pt.pteAddr(VA));
    m.run(100_000);
    expect(m.cpu.cause).toBe(Cause.PageFaultWrite);
    expect(m.cpu.epc).toBe(sym('op'));
    expect(peek32(m, PA)).toBe(6);
  });

  it('a not-present PTE is never cached: mapping it later needs no flush', () => {
    const { m, pt, sym } = setup(
      pagedProgram(`
        li      a1, ${VA}
        la      t0, fixup
        csrw    TVEC, t0
        lw      a0, 0(a1)           # faults: not present
        lw      a2, 0(a1)           # the handler mapped it: no flush was done
        j       done
fixup:  la      t0, pteaddr
        lw      t0, 0(t0)
        li      t1, ${PA | PTE.P}
        sw      t1, 0(t0)
        la      t0, handler
        csrw    TVEC, t0
        sret                        # retry the load
done:`),
      (pt) => pt.pteAddr(VA),
    );
    poke32(m, sym('pteaddr'), pt.pteAddr(VA));
    poke32(m, PA, 4242);
    expect(m.run(100_000).kind).toBe('halt');
    expect(m.stats().traps).toEqual({ PageFaultRead: 1 });
    expect(m.cpu.x[4]).toBe(4242);
    expect(m.cpu.x[6]).toBe(4242);
  });
});
