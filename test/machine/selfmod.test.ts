// Self-modifying code: a store over an instruction that has already executed (and so sits in the
// decoded-instruction cache) takes effect the next time that instruction runs.

import { describe, expect, it } from 'vitest';
import { boot, isa, PageTables, poke32, PTE, runAsm } from './helpers.js';

describe('self-modifying code', () => {
  it('sw over an executed instruction: the new instruction runs next time', () => {
    const { m, stop } = runAsm(`
        .org 0x1000
_start: la      t0, target
        la      t1, newinsn
        lw      t2, 0(t1)
        li      s1, 0
target: addi    s0, s0, 1           # becomes addi s0, s0, 100 after the first pass
        bnez    s1, done
        li      s1, 1
        sw      t2, 0(t0)
        j       target
done:   halt
newinsn: addi   s0, s0, 100`);
    expect(stop.kind).toBe('halt');
    expect(m.cpu.x[12]).toBe(101);
  });

  it('sb and sh patch part of an executed instruction (its immediate)', () => {
    for (const [store, value, expected] of [['sb', 0x40, 1 + 0x40], ['sh', 0x1234, 1 + 0x1234]] as const) {
      const { m } = runAsm(`
        .org 0x1000
_start: la      t0, target
        li      t2, ${value}
        li      s1, 0
target: addi    s0, s0, 1
        bnez    s1, done
        li      s1, 1
        ${store}      t2, 0(t0)           # low byte/half of the word is the immediate
        j       target
done:   halt`);
      expect(m.cpu.x[12], store).toBe(expected);
    }
  });

  it('a store to the very next instruction in straight-line code takes effect', () => {
    const halt = isa.byMnemonic.get('halt')!.opcode << 24;
    const { m, stop } = runAsm(`
        .org 0x1000
_start: la      t0, next
        li      t1, ${halt}
        li      s0, 0
loop:   sw      t1, 0(t0)           # second pass: next is already a halt
next:   addi    s0, s0, 1
        j       loop`);
    expect(stop.kind).toBe('halt');
    expect(m.cpu.x[12]).toBe(0);
  });

  it('an instruction patched in a loop is re-decoded on each change', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: la      t0, target
        li      s1, 0
        li      s2, 5
loop:   lw      t1, 0(t0)
        addi    t1, t1, 1           # bump the immediate of target
        sw      t1, 0(t0)
target: addi    s0, s0, 0
        addi    s2, s2, -1
        bnez    s2, loop
        halt`);
    expect(m.cpu.x[12]).toBe(1 + 2 + 3 + 4 + 5);
  });

  it('a store through a different virtual address (paging, alias) still invalidates', () => {
    const { m } = boot(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t0, 0x10001
        csrw    PTBR, t0
        la      t1, newinsn
        lw      t2, 0(t1)
        li      t0, 0x00400000 + (target & 0xfff)   # alias of target's page
        li      s1, 0
target: addi    s0, s0, 1
        bnez    s1, done
        li      s1, 1
        sw      t2, 0(t0)
        j       target
done:   halt
handler: halt
newinsn: addi   s0, s0, 100`, { memoryBytes: 128 * 1024 });
    const pt = new PageTables(m, 0x10000, 0x11000);
    pt.identity(0x1000, 0x2000, PTE.P | PTE.X);
    pt.map(0x0040_0000, 0x1000, PTE.P | PTE.W);
    expect(m.run(100_000).kind).toBe('halt');
    expect(m.cpu.cause).toBe(0);
    expect(m.cpu.x[12]).toBe(101);
  });

  it('writePhysical from outside (loader, debugger) invalidates decoded instructions', () => {
    const { m, sym } = boot(`
        .org 0x1000
_start: addi    s0, s0, 1
        j       _start`);
    for (let i = 0; i < 10; i++) m.step();
    expect(m.cpu.x[12]).toBe(5);
    poke32(m, sym('_start'), isa.byMnemonic.get('halt')!.opcode << 24);
    while (m.cpu.pc !== sym('_start')) m.step();
    expect(m.run(1000).kind).toBe('halt');
    expect(m.cpu.x[12]).toBe(5);
  });
});
