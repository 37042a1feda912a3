// Devices and interrupts: console output and input, console interrupt, the interval timer
// (periodic, acknowledged, level-triggered, IMASK and IE gating), wfi with idle accounting and
// deadlock, the power port, unmapped and null ports, halt.

import { describe, expect, it } from 'vitest';
import { Cause } from '../../src/isa/index.js';
import { DEFAULT_COSTS } from '../../src/machine/costs.js';
import type { TrapEvent } from '../../src/machine/processor.js';
import { boot, expectAccountingConsistent, isa, runAsm } from './helpers.js';

const cost = (mnemonic: string): number => isa.byMnemonic.get(mnemonic)!.cost;

describe('console', () => {
  it('out CONSOLE_DATA writes the low byte; output() decodes UTF-8; onConsoleOutput streams bytes', () => {
    const streamed: number[] = [];
    const { m, stop } = runAsm(`
        .org 0x1000
_start: li t0, 'h'
        out 0x10, t0
        li t0, 0x169            # only the low byte: 'i'
        out 0x10, t0
        li t0, 0xc3
        out 0x10, t0
        li t0, 0xa9
        out 0x10, t0
        li t0, 10
        out 0x10, t0
        halt`, { onConsoleOutput: (b) => streamed.push(b) });
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(m.console.output()).toBe('hié\n');
    expect(streamed).toEqual([0x68, 0x69, 0xc3, 0xa9, 10]);
  });

  it('input: status bits, bytes in order, -1 at the end', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: la s0, buf
.loop:  in t0, 0x11
        sw t0, 0(s0)
        in t1, 0x10
        sw t1, 4(s0)
        addi s0, s0, 8
        andi t0, t0, 2
        beqz t0, .loop
        in a0, 0x10             # still -1
        halt
        .org 0x2000
buf:`, { consoleInput: 'ab' });
    const words = Array.from(new Int32Array(m.memory.bytes.buffer, 0x2000, 6));
    expect(words).toEqual([1, 0x61, 1, 0x62, 2, -1]);
    expect(m.cpu.x[4]).toBe(-1);
  });

  it('input given as bytes', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: in a0, 0x10
        in a1, 0x10
        halt`, { consoleInput: new Uint8Array([0xff, 0]) });
    expect([m.cpu.x[4], m.cpu.x[5]]).toEqual([255, 0]);
  });

  const CONSOLE_IRQ = (enable: number) => `
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 2
        csrw IMASK, t0
        li t0, ${enable}
        out 0x12, t0
        in s3, 0x12
        csrr s2, IPEND
        ei
        li s0, 0
.spin:  addi s0, s0, 1
        li t0, 100
        bne s0, t0, .spin
        halt
handler: csrr a0, CAUSE
        in a1, 0x10             # reading the byte lowers the line (no input left)
        addi s1, s1, 1
        sret`;

  it('raises ConsoleInterrupt (17) while input is ready and enabled; reading drains it', () => {
    const { m, stats, stop } = runAsm(CONSOLE_IRQ(1), { consoleInput: 'x' });
    expect(stop.kind).toBe('halt');
    expect(m.cpu.x[15]).toBe(1); // enable bit reads back
    expect(m.cpu.x[14]).toBe(2); // IPEND line 1
    expect(m.cpu.x[4]).toBe(Cause.ConsoleInterrupt);
    expect(m.cpu.x[5]).toBe(0x78);
    expect(m.cpu.x[13]).toBe(1);
    expect(stats.interrupts).toBe(1);
    expect(stats.traps).toEqual({ ConsoleInterrupt: 1 });
  });

  it('no console interrupt when the device enable is off, or without input', () => {
    for (const [enable, input] of [[0, 'x'], [1, '']] as const) {
      const { m, stats } = runAsm(CONSOLE_IRQ(enable), { consoleInput: input });
      expect(stats.interrupts).toBe(0);
      expect(m.cpu.x[14]).toBe(0);
      expect(m.cpu.x[15]).toBe(enable);
    }
  });
});

describe('timer', () => {
  const PERIODIC = (interval: number, count: number) => `
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 1
        csrw IMASK, t0
        li t0, ${interval}
        out 0x20, t0
        in s3, 0x20
        ei
loop:   addi s0, s0, 1
        j loop
handler: csrr a0, CAUSE
        csrr a1, IPEND
        out 0x21, zero          # ack
        csrr a2, IPEND
        addi s1, s1, 1
        li t0, ${count}
        beq s1, t0, .stop
        sret
.stop:  halt`;

  it(`fires every N cycles, deterministically, with cause ${Cause.TimerInterrupt}`, () => {
    const events: TrapEvent[] = [];
    const { m, sym } = boot(PERIODIC(500, 6));
    m.cpu.onTrap = (e) => events.push(e);
    expect(m.run(1_000_000).kind).toBe('halt');
    expect(events).toHaveLength(6);
    // The main loop is made of 1-cycle instructions, so each interrupt is taken exactly when due.
    const firedAt = events.map((e) => e.cycle - DEFAULT_COSTS.trapEntry);
    for (let i = 1; i < firedAt.length; i++) expect(firedAt[i]! - firedAt[i - 1]!).toBe(500);
    for (const e of events) {
      expect(e.cause).toBe(Cause.TimerInterrupt);
      expect(e.fromRing).toBe(0);
      expect([sym('loop'), sym('loop') + 4]).toContain(e.epc);
      expect(e.insnWord).toBe(0);
    }
    expect(m.cpu.x[4]).toBe(16);
    expect(m.cpu.x[5]).toBe(1); // pending before the ack
    expect(m.cpu.x[6]).toBe(0); // lowered by the ack
    expect(m.cpu.x[15]).toBe(500); // interval reads back
    expect(m.cpu.badAddr).toBe(0);
    const stats = m.stats();
    expect(stats.interrupts).toBe(6);
    expect(stats.traps).toEqual({ TimerInterrupt: 6 });
    expectAccountingConsistent(stats);
  });

  it('EPC of an interrupt is the next instruction, which has not run', () => {
    const n = 300;
    const { m, sym } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 1
        csrw IMASK, t0
        li t0, 137
        out 0x20, t0
        ei
body:
${'        addi s0, s0, 1\n'.repeat(n)}
        halt
handler: halt`);
    expect(m.cpu.cause).toBe(Cause.TimerInterrupt);
    const done = m.cpu.x[12]!;
    expect(done).toBeGreaterThan(100);
    expect(done).toBeLessThan(n);
    expect(m.cpu.epc).toBe(sym('body') + 4 * done);
    expect(m.cpu.einsn).toBe(0);
  });

  it('is level-triggered: without an ack the interrupt is delivered again right after sret', () => {
    const { m, stats } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 1
        csrw IMASK, t0
        li t0, 1000
        out 0x20, t0
        ei
loop:   addi s0, s0, 1
        j loop
handler: addi s1, s1, 1
        csrr t0, EPC
        bnez s2, .check
        mv s2, t0               # first EPC
        mv s3, s0
.check: bne t0, s2, .stop       # every delivery has the same EPC...
        bne s0, s3, .stop       # ...and the loop made no progress in between
        li t0, 5
        beq s1, t0, .stop
        sret
.stop:  halt`);
    expect(m.cpu.x[13]).toBe(5);
    expect(stats.interrupts).toBe(5);
    expect(stats.traps).toEqual({ TimerInterrupt: 5 });
  });

  it('IMASK gates delivery while IPEND shows the line; unmasking delivers at once', () => {
    const { m, sym, stats } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 50
        out 0x20, t0
        ei                      # IE on, IMASK 0
        li s0, 0
.spin:  addi s0, s0, 1
        li t0, 200
        bne s0, t0, .spin
        csrr s1, IPEND
        li t0, 1
        csrw IMASK, t0
unmasked: addi s2, s2, 1
        halt
handler: halt`);
    expect(m.cpu.x[13]).toBe(1);
    expect(m.cpu.x[14]).toBe(0);
    expect(m.cpu.cause).toBe(Cause.TimerInterrupt);
    expect(m.cpu.epc).toBe(sym('unmasked'));
    expect(stats.interrupts).toBe(1);
  });

  it('IE gates delivery: di holds it off, ei lets it in', () => {
    const { m, sym } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 1
        csrw IMASK, t0
        ei
        di
        li t0, 50
        out 0x20, t0
        li s0, 0
.spin:  addi s0, s0, 1
        li t0, 200
        bne s0, t0, .spin
        ei
enabled: addi s2, s2, 1
        halt
handler: halt`);
    expect(m.cpu.cause).toBe(Cause.TimerInterrupt);
    expect(m.cpu.epc).toBe(sym('enabled'));
    expect(m.cpu.x[12]).toBe(200);
  });

  it('writing interval 0 stops the timer', () => {
    const { stats, m } = runAsm(`
        .org 0x1000
_start: li t0, 1
        csrw IMASK, t0
        li t0, 20
        out 0x20, t0
        out 0x20, zero
        li s0, 0
.spin:  addi s0, s0, 1
        li t0, 300
        bne s0, t0, .spin
        csrr a0, IPEND
        halt`);
    expect(stats.interrupts).toBe(0);
    expect(m.cpu.x[4]).toBe(0);
  });
});

describe('wfi', () => {
  it('sleeps until the timer; the sleep is counted in worlds.idle (IE off: continue after wfi)', () => {
    const { m, stats, stop, sym } = runAsm(`
        .org 0x1000
_start: li t0, 1
        csrw IMASK, t0
        li t0, 500
        out 0x20, t0
        wfi
after:  halt`);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(m.cpu.pc).toBe(sym('after') + 4);
    // The timer fires 500 cycles after the out; wfi itself took cost('wfi') of them.
    expect(stats.worlds.idle.cycles).toBe(500 - cost('wfi'));
    expect(stats.worlds.idle.instructions).toBe(0);
    expect(stats.interrupts).toBe(0);
    expect(stats.cycles).toBe(2 * cost('addi') + cost('csrw') + cost('out') + 500 + cost('halt'));
    expectAccountingConsistent(stats);
  });

  it('with IE on, wakes into the handler with EPC after the wfi', () => {
    const { m, sym, stats } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 1
        csrw IMASK, t0
        li t0, 5000
        out 0x20, t0
        ei
        wfi
after:  halt
handler: halt`);
    expect(m.cpu.cause).toBe(Cause.TimerInterrupt);
    expect(m.cpu.epc).toBe(sym('after'));
    expect(stats.worlds.idle.cycles).toBe(5000 - cost('ei') - cost('wfi'));
    expectAccountingConsistent(stats);
  });

  it('wakes immediately if an enabled line is already pending', () => {
    const { stats } = runAsm(`
        .org 0x1000
_start: li t0, 2
        csrw IMASK, t0
        li t0, 1
        out 0x12, t0
        wfi
        halt`, { consoleInput: 'z' });
    expect(stats.worlds.idle.cycles).toBe(0);
  });

  it('with nothing that could wake it, stops with kind deadlock', () => {
    const { stop, sym } = runAsm(`
        .org 0x1000
_start: li t0, 3
        csrw IMASK, t0
sleep:  wfi
        halt`);
    expect(stop).toEqual({ kind: 'deadlock', pc: sym('sleep') });
  });

  it('console input without the device enable cannot wake it: deadlock', () => {
    const { stop } = runAsm(`
        .org 0x1000
_start: li t0, 2
        csrw IMASK, t0
        wfi
        halt`, { consoleInput: 'q' });
    expect(stop.kind).toBe('deadlock');
  });

  // A running timer whose line is masked in IMASK can never wake wfi either (IMASK cannot
  // change while the CPU sleeps), so this is the same deadlock; the machine instead skips
  // through simulated time period by period and, with no cycle limit, never returns.
  it('a timer masked in IMASK cannot wake it: deadlock, not an endless idle', () => {
    const { stop, stats } = runAsm(`
        .org 0x1000
_start: csrw IMASK, zero
        li t0, 100
        out 0x20, t0
        wfi
        halt`, {}, 1_000_000);
    expect(stop.kind).toBe('deadlock');
    expect(stats.worlds.idle.cycles).toBeLessThan(1000);
  });

  it('a cycle limit during a long sleep stops exactly at the limit', () => {
    const { stop, stats } = runAsm(`
        .org 0x1000
_start: li t0, 1
        csrw IMASK, t0
        li t0, 100000
        out 0x20, t0
        wfi
        halt`, {}, 3000);
    expect(stop).toEqual({ kind: 'cycle-limit', limit: 3000 });
    expect(stats.cycles).toBe(3000);
    expectAccountingConsistent(stats);
  });
});

describe('ports, power and halt', () => {
  it('halt stops with exit code 0', () => {
    const { stop, stats } = runAsm(`
        .org 0x1000
_start: halt
        .word 0`);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(stats.instructions).toBe(1);
  });

  for (const [value, code] of [[3, 3], [0x1ff, 0xff], [256, 0], [-1, 255]] as const) {
    it(`out POWER_OFF ${value} stops at once with kind halt and exit code ${code}`, () => {
      const { m, stop } = runAsm(`
        .org 0x1000
_start: li t0, ${value}
        out 0x30, t0
        li s0, 1                # must not run
        halt`);
      expect(stop).toEqual({ kind: 'halt', exitCode: code });
      expect(m.cpu.x[12]).toBe(0);
    });
  }

  it('unmapped ports read -1 and ignore writes; the null port reads 0; the power port reads -1', () => {
    const { m, stop } = runAsm(`
        .org 0x1000
_start: li t0, 5
        out 0x99, t0
        out 0xffff, t0
        out 0x40, t0
        in a0, 0x99
        in a1, 0xffff
        in a2, 0x40
        in a3, 0x30
        in s0, 0x21             # timer ack is write-only
        halt`);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect([m.cpu.x[4], m.cpu.x[5], m.cpu.x[6], m.cpu.x[7], m.cpu.x[12]]).toEqual([-1, -1, 0, -1, -1]);
  });

  it('in and out cost the port I/O price', () => {
    const { stats } = runAsm(`
        .org 0x1000
_start: in a0, 0x40
        out 0x40, a0
        halt`);
    expect(stats.cycles).toBe(cost('in') + cost('out') + cost('halt'));
  });
});
