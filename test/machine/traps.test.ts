// Traps and rings: trap entry and sret, exception causes, illegal instructions, control
// registers, double faults, and the cycle accounting across worlds.

import { describe, expect, it } from 'vitest';
import { Cause, Csr, CSRS, encodeFields, Formats } from '../../src/isa/index.js';
import { COST_PRESETS, DEFAULT_COSTS } from '../../src/machine/costs.js';
import { boot, enterRing, expectAccountingConsistent, isa, PageTables, peek32, runAsm, s32, SMALL_MEMORY } from './helpers.js';

const cost = (mnemonic: string): number => isa.byMnemonic.get(mnemonic)!.cost;

function stepUntil(m: ReturnType<typeof boot>['m'], pc: number, limit = 100): void {
  for (let i = 0; m.cpu.pc !== pc; i++) {
    expect(i, `reached 0x${pc.toString(16)}`).toBeLessThan(limit);
    expect(m.step().kind).toBe('step');
  }
}

describe('trap entry and sret', () => {
  const PROGRAM = `
        .org 0x1000
_start: li      t0, 0x1234
        csrw    BADADDR, t0         # stale value: trap entry must overwrite it
        csrw    EINSN, t0
${enterRing(3, 'user', 'handler', true)}
        .org 0x2000
user:   addi    a0, a0, 1
sys:    syscall
after:  addi    a0, a0, 1
        break
        .org 0x3000
handler: csrr   s0, STATUS
        csrr    t0, EPC
        addi    t0, t0, 4
        csrw    EPC, t0
ret:    sret
`;

  it('saves EPC/ESTATUS/CAUSE/BADADDR/EINSN and enters ring 0 at TVEC with IE off', () => {
    const { m, sym } = boot(PROGRAM);
    stepUntil(m, sym('sys'));
    expect(m.cpu.ring).toBe(3);
    expect(m.cpu.interruptsEnabled).toBe(true);
    expect(m.step().kind).toBe('step');
    const c = m.cpu;
    expect(c.pc).toBe(sym('handler'));
    expect(c.ring).toBe(0);
    expect(c.interruptsEnabled).toBe(false);
    expect(c.epc).toBe(sym('sys'));
    expect(c.estatus).toBe(3 | 4);
    expect(c.cause).toBe(Cause.Syscall);
    expect(c.badAddr).toBe(0);
    expect(c.einsn >>> 0).toBe(peek32(m, sym('sys')) >>> 0);
    expect(c.x[4]).toBe(1);
    m.step();
    expect(c.x[12], 'STATUS read in the handler: ring 0, IE off').toBe(0);
  });

  it('sret restores ring and IE from ESTATUS and resumes at EPC', () => {
    const { m, sym } = boot(PROGRAM);
    stepUntil(m, sym('ret'));
    expect(m.cpu.epc).toBe(sym('after'));
    m.step();
    expect(m.cpu.pc).toBe(sym('after'));
    expect(m.cpu.ring).toBe(3);
    expect(m.cpu.interruptsEnabled).toBe(true);
    // The next instruction runs in ring 3: the break traps with ESTATUS showing ring 3.
    m.step();
    expect(m.cpu.x[4]).toBe(2);
    expect(m.cpu.ring).toBe(3);
    m.step();
    expect(m.cpu.cause).toBe(Cause.Breakpoint);
    expect(m.cpu.epc).toBe(sym('after') + 4);
    expect(m.cpu.estatus).toBe(7);
  });

  it('sret can enter each ring, and the ring shows in ESTATUS of the next trap', () => {
    for (const ring of [0, 1, 2, 3]) {
      const { m, stop } = runAsm(`
        .org 0x1000
_start: ${enterRing(ring)}
user:   syscall
handler: halt`);
      expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
      expect(m.cpu.estatus).toBe(ring);
      expect(m.cpu.cause).toBe(Cause.Syscall);
    }
  });

  it('a trap from ring 0 saves ring 0 and IE in ESTATUS', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 4
        csrw STATUS, t0     # ring 0, IE on (no interrupt sources)
        break
handler: halt`);
    expect(m.cpu.estatus).toBe(4);
    expect(m.cpu.cause).toBe(Cause.Breakpoint);
  });

  it('a handler can return repeatedly: a syscall loop counts in ring 3', () => {
    const { m, stats, stop } = runAsm(`
        .org 0x1000
_start: ${enterRing(3)}
user:   li a0, 0
.loop:  addi a0, a0, 1
        syscall
        li t1, 10
        bne a0, t1, .loop
        break
handler: csrr t0, CAUSE
        li t1, 1
        bne t0, t1, .stop
        addi s0, s0, 1
        csrr t0, EPC
        addi t0, t0, 4
        csrw EPC, t0
        sret
.stop:  halt`);
    expect(stop.kind).toBe('halt');
    expect(m.cpu.x[12]).toBe(10);
    expect(stats.traps).toEqual({ Syscall: 10, Breakpoint: 1 });
    expectAccountingConsistent(stats);
  });
});

describe('illegal instructions', () => {
  const illegalWords: [string, number][] = [
    ['opcode 0 (zeroed memory)', 0],
    ['opcode 0 with operand bits', 0x00123456],
    ['unassigned opcode 0xff', 0xff000000],
    ['unassigned opcode 0x25', 0x25000000],
    ['add with reserved bits 11:0 set', 0x01000001],
    ['add with reserved bit 11 set', 0x01000800],
    ['halt with a reserved bit set', 0x51000100],
    ['sret with a reserved bit set', 0x50800000],
    ['tlbflush with reserved bits set', 0x59f00000],
    ['lui with a source register', 0x19410000],
    ['csrr unknown register 16', encodeFields(Formats.CR, 0x55, { rd: 4, rs1: 0, rs2: 0, imm: 16 })],
    ['csrr unknown register 0xffff', encodeFields(Formats.CR, 0x55, { rd: 4, rs1: 0, rs2: 0, imm: 0xffff })],
    ['csrw unknown register 99', encodeFields(Formats.CW, 0x56, { rd: 0, rs1: 4, rs2: 0, imm: 99 })],
    ...CSRS.filter((c) => c.access === 'ro').map(
      (c) => [`csrw read-only ${c.name}`, encodeFields(Formats.CW, 0x56, { rd: 0, rs1: 4, rs2: 0, imm: c.number })] as [string, number],
    ),
  ];

  it('includes the read-only registers IPEND, CYCLE, CYCLEH, INSTRET, EXTENSIONS', () => {
    expect(illegalWords.map(([n]) => n)).toEqual(expect.arrayContaining(['csrw read-only IPEND', 'csrw read-only CYCLE', 'csrw read-only INSTRET', 'csrw read-only EXTENSIONS']));
  });

  for (const [name, word] of illegalWords) {
    it(`${name} traps IllegalInstruction with EINSN and EPC`, () => {
      const { m, sym, stats } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li a0, 0x5a5a
        li a1, 0x77
bad:    .word ${word >>> 0}
        halt
handler: halt`);
      expect(m.cpu.cause).toBe(Cause.IllegalInstruction);
      expect(m.cpu.epc).toBe(sym('bad'));
      expect(m.cpu.einsn >>> 0).toBe(word >>> 0);
      expect(m.cpu.badAddr).toBe(0);
      expect(m.cpu.x[4]).toBe(0x5a5a);
      expect(stats.traps).toEqual({ IllegalInstruction: 1 });
      // The illegal word is not counted as an instruction: 5 before it and the handler's halt.
      expect(stats.instructions).toBe(6);
    });
  }

  it('every opcode not in the table is illegal with any operand bits', () => {
    const { m } = boot(`
        .org 0x1000
_start: .word 0
handler: halt`);
    for (let op = 0; op < 256; op++) {
      if (isa.byOpcode[op]) continue;
      for (const low of [0, 0x00ffffff, 0x00123456]) {
        const word = ((op << 24) | low) >>> 0;
        const bytes = new Uint8Array(4);
        new DataView(bytes.buffer).setUint32(0, word, true);
        m.writePhysical(0x1000, bytes);
        m.cpu.reset(0x1000);
        m.cpu.tvec = 0x1004;
        m.run(m.cpu.cycles + 1000);
        expect(m.cpu.cause, `opcode 0x${op.toString(16)}`).toBe(Cause.IllegalInstruction);
        expect(m.cpu.einsn >>> 0).toBe(word);
      }
    }
  });
});

describe('control registers', () => {
  it('csrw then csrr round-trips every read-write register (with STATUS/ESTATUS/PTBR masking)', () => {
    const rw = CSRS.filter((c) => c.access === 'rw' && c.number !== Csr.STATUS);
    const value = s32(0xfffff0fe); // PTBR enable bit clear, so paging stays off
    const { m, stop } = runAsm(`
        .org 0x1000
_start: li t0, ${value}
${rw.map((c) => `        csrw ${c.name}, t0\n        csrr a0, ${c.name}\n        sw a0, ${0x2000 + 4 * c.number}(zero)`).join('\n')}
        li t0, -8
        csrw STATUS, t0         # bits above IE do not exist; ring 0, IE 0
        csrr a1, STATUS
        li t0, 7
        csrw ESTATUS, t0
        csrr a2, ESTATUS
        halt`);
    expect(stop.kind).toBe('halt');
    const expected: Record<string, number> = { ESTATUS: value & 7, PTBR: s32(0xfffff000) };
    for (const c of rw) expect(peek32(m, 0x2000 + 4 * c.number), c.name).toBe(expected[c.name] ?? value);
    expect(m.cpu.x[5]).toBe(0);
    expect(m.cpu.x[6]).toBe(7);
    expect(m.cpu.paging).toBe(false);
  });

  it('CYCLE, CYCLEH and INSTRET read the counters', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: addi a3, a3, 1
        addi a3, a3, 1
        csrr a0, INSTRET
        csrr a1, CYCLE
        csrr a2, CYCLEH
        div  s0, a3, a3
        csrr s1, CYCLE
        halt`);
    expect([2, 3]).toContain(m.cpu.x[4]); // before or including the csrr itself
    expect([3, 4]).toContain(m.cpu.x[5]);
    expect(m.cpu.x[6]).toBe(0);
    expect(m.cpu.x[13]! - m.cpu.x[5]!).toBe(cost('csrr') + cost('csrr') + cost('div'));
  });

  it('IPEND is read-only but readable', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: csrr a0, IPEND
        halt`);
    expect(m.cpu.x[4]).toBe(0);
    expect(m.cpu.cause).toBe(0);
  });

  it('writing STATUS can drop to ring 3 (then csrr is privileged)', () => {
    const { m, sym } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 3
        csrw STATUS, t0
next:   csrr a0, STATUS
        halt
handler: halt`);
    expect(m.cpu.cause).toBe(Cause.PrivilegedInstruction);
    expect(m.cpu.epc).toBe(sym('next'));
    expect(m.cpu.estatus).toBe(3);
  });
});

describe('double faults', () => {
  it('TVEC beyond physical memory stops with kind double-fault (BusError)', () => {
    const { stop } = runAsm(`
        .org 0x1000
_start: li t0, ${SMALL_MEMORY + 0x100}
        csrw TVEC, t0
        syscall
        halt`);
    expect(stop).toMatchObject({ kind: 'double-fault', cause: 'BusError', badAddr: SMALL_MEMORY + 0x100 });
  });

  it('a misaligned TVEC is a double fault (Misaligned)', () => {
    const { stop } = runAsm(`
        .org 0x1000
_start: li t0, 0x2002
        csrw TVEC, t0
        .word 0
        halt`);
    expect(stop).toMatchObject({ kind: 'double-fault', cause: 'Misaligned', badAddr: 0x2002 });
  });

  it('TVEC unmapped with paging on is a double fault (PageFaultExecute)', () => {
    const { m, sym } = boot(`
        .org 0x1000
_start: li t0, 0x00400000
        csrw TVEC, t0
        la t0, ptbr
        lw t0, 0(t0)
        csrw PTBR, t0
        break
        halt
ptbr:   .word 0`);
    const pt = new PageTables(m, 0x8000, 0x9000).identity(0x1000, 0x2000, 1 | 4);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, pt.ptbr, true);
    m.writePhysical(sym('ptbr'), bytes);
    const stop = m.run(100_000);
    expect(stop).toMatchObject({ kind: 'double-fault', cause: 'PageFaultExecute', badAddr: 0x00400000 });
  });

  it('run() after a double fault keeps returning the same stop', () => {
    const { m, stop } = runAsm(`
        .org 0x1000
_start: li t0, 0x2002
        csrw TVEC, t0
        syscall`);
    expect(stop.kind).toBe('double-fault');
    expect(m.run(1_000_000)).toEqual(stop);
  });

  // Regression: after a trap taken from ring 0 whose handler sits in the same page as the
  // trapping code, the "fetching the vector" state was never cleared (the vector was fetched
  // through the fetch-page cache), so a later, ordinary fetch fault was reported as a double
  // fault.
  it('a later fetch fault after a ring-0 trap to a handler in the same page is an ordinary trap', () => {
    const { stop, m } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        syscall
        la t0, 0x1002
        jr t0               # misaligned fetch: an ordinary trap, TVEC is fine
handler: csrr t0, CAUSE
        li t1, 1
        bne t0, t1, .stop
        csrr t0, EPC
        addi t0, t0, 4
        csrw EPC, t0
        sret
.stop:  halt`);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(m.cpu.cause).toBe(Cause.Misaligned);
    expect(m.cpu.badAddr).toBe(0x1002);
    expect(m.cpu.epc).toBe(0x1002);
    expect(m.cpu.einsn).toBe(0);
  });

  it('the same, for a fetch beyond memory after a ring-0 break', () => {
    const { stop, m } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        break
        li t0, ${SMALL_MEMORY}
        jr t0
handler: csrr t0, CAUSE
        li t1, 2
        bne t0, t1, .stop
        csrr t0, EPC
        addi t0, t0, 4
        csrw EPC, t0
        sret
.stop:  halt`);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(m.cpu.cause).toBe(Cause.BusError);
    expect(m.cpu.badAddr).toBe(SMALL_MEMORY);
  });
});

describe('accounting', () => {
  const program = (ring: number, last: string): string => `
        .org 0x1000
_start: ${enterRing(ring)}
        .org 0x2000
user:   addi a0, a0, 1
        addi a0, a0, 1
        addi a0, a0, 1
        lw   a1, 0x1000(zero)
        mul  a2, a0, a0
        ${last}
        .org 0x3000
handler: halt`;
  const PROGRAM = program(3, 'div  a3, a0, zero       # traps: not retired, not charged');

  for (const preset of Object.values(COST_PRESETS)) {
    it(`exact cycles per world with the ${preset.name} cost model`, () => {
      const { stats, stop } = runAsm(PROGRAM, { costs: preset });
      expect(stop.kind).toBe('halt');
      // enterRing: la (2) + csrw + li + csrw + la (2) + csrw + sret = 9 ring-0 instructions.
      const prelude = 2 * cost('lui') + 2 * cost('ori') + cost('csrw') * 3 + cost('addi') + cost('sret');
      const user = 3 * cost('addi') + cost('lw') + preset.memoryAccess + cost('mul');
      expect(stats.worlds.guestUser).toEqual({ cycles: user, instructions: 5 });
      expect(stats.worlds.guestKernel).toEqual({ cycles: prelude + cost('halt'), instructions: 10 });
      expect(stats.worlds.transition).toEqual({ cycles: preset.trapReturn + preset.trapEntry, instructions: 0 });
      expect(stats.worlds.idle.cycles).toBe(0);
      expect(stats.worlds.vmm).toEqual({ cycles: 0, instructions: 0 });
      expect(stats.cycles).toBe(prelude + user + cost('halt') + preset.trapReturn + preset.trapEntry);
      expect(stats.instructions).toBe(15);
      expect(stats.rings[3]).toEqual(stats.worlds.guestUser);
      expect(stats.rings[1]).toEqual({ cycles: 0, instructions: 0 });
      expect(stats.traps).toEqual({ DivideByZero: 1 });
      expect(stats.costPreset).toBe(preset.name);
      expectAccountingConsistent(stats);
    });
  }

  it('a privileged instruction trapping in ring 3 is neither counted nor charged', () => {
    const base = runAsm(program(3, 'syscall'));
    const priv = runAsm(program(3, 'halt'));
    expect(priv.stats.traps).toEqual({ PrivilegedInstruction: 1 });
    expect(base.stats.traps).toEqual({ Syscall: 1 });
    expect(priv.stats.worlds).toEqual(base.stats.worlds);
    expect(priv.stats.instructions).toBe(base.stats.instructions);
    expect(priv.stats.cycles).toBe(base.stats.cycles);
  });

  it('ring 1 and 2 count as guest kernel; rings[] splits them', () => {
    for (const ring of [1, 2]) {
      const { stats } = runAsm(program(ring, 'syscall'));
      expect(stats.rings[ring]!.instructions).toBe(5);
      expect(stats.worlds.guestUser.instructions).toBe(0);
      expect(stats.worlds.guestKernel.instructions).toBe(15);
      expectAccountingConsistent(stats);
    }
  });

  it('the stats are stable across calls (stats() is idempotent)', () => {
    const { m, stats } = runAsm(PROGRAM);
    expect(m.stats()).toEqual(stats);
    expect(m.stats()).toEqual(stats);
  });

  it('a stop in the middle of a bucket (cycle limit) still adds up', () => {
    const { m, stop } = runAsm(`
        .org 0x1000
_start: ${enterRing(3)}
user:   addi a0, a0, 1
        j user
handler: halt`, {}, 5000);
    expect(stop).toEqual({ kind: 'cycle-limit', limit: 5000 });
    const stats = m.stats();
    expect(stats.cycles).toBe(5000);
    expectAccountingConsistent(stats);
    expect(stats.worlds.guestUser.cycles).toBe(5000 - stats.worlds.guestKernel.cycles - DEFAULT_COSTS.trapReturn);
  });
});
