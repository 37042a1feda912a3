// Live console input (`boot --shell` on a terminal): the host appends bytes while the machine
// runs and ends the input later. Up-front input is covered in devices.test.ts.

import { describe, expect, it } from 'vitest';
import { CONSOLE_DATA, CONSOLE_STATUS, ConsoleDevice } from '../../src/machine/devices/console.js';
import { boot } from './helpers.js';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Every input byte the device hands out until it says "none" (-1). */
function drain(c: ConsoleDevice): number[] {
  const out: number[] = [];
  for (let b = c.read(CONSOLE_DATA); b >= 0; b = c.read(CONSOLE_DATA)) out.push(b);
  return out;
}

describe('console: live input', () => {
  it('open input that is all read says neither ready nor ended; pushed bytes follow the up-front ones', () => {
    const c = new ConsoleDevice(bytes('ab'));
    c.openInput();
    expect(drain(c)).toEqual([0x61, 0x62]);
    expect(c.read(CONSOLE_STATUS)).toBe(0);
    c.pushInput(bytes('cd'));
    expect(c.read(CONSOLE_STATUS)).toBe(1);
    expect(c.pendingInput).toBe(2);
    expect(drain(c)).toEqual([0x63, 0x64]);
    c.endInput();
    expect(c.read(CONSOLE_STATUS)).toBe(2);
    c.pushInput(bytes('late'));
    expect(c.pendingInput).toBe(0);
  });

  it('bytes pushed before the end are still read after it', () => {
    const c = new ConsoleDevice();
    c.openInput();
    c.pushInput(bytes('xy'));
    c.endInput();
    expect(c.read(CONSOLE_STATUS)).toBe(1);
    expect(drain(c)).toEqual([0x78, 0x79]);
    expect(c.read(CONSOLE_STATUS)).toBe(2);
  });

  it('keeps only what is unread: memory follows the pending bytes, not all ever pushed', () => {
    const c = new ConsoleDevice();
    c.openInput();
    const chunk = new Uint8Array(1000).fill(7);
    for (let i = 0; i < 10_000; i++) {
      c.pushInput(chunk);
      expect(drain(c).length).toBe(1000);
    }
    c.pushInput(bytes('z'));
    expect(c['input'].length).toBeLessThan(4096);
    expect(drain(c)).toEqual([0x7a]);
  });

  it('never writes the array given up front', () => {
    const given = bytes('abc');
    const c = new ConsoleDevice(given);
    c.openInput();
    c.read(CONSOLE_DATA);
    c.pushInput(bytes('def'));
    expect(drain(c)).toEqual([...bytes('bcdef')]);
    expect(given).toEqual(bytes('abc'));
  });

  it('a pushed byte wakes a CPU waiting in wfi for the console interrupt; open input that is all read is not a hang of the machine', () => {
    const { m, sym } = boot(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 2
        csrw IMASK, t0
        li t0, 1
        out 0x12, t0
        ei
sleep:  wfi
        halt
handler: in a0, 0x10
        out 0x30, a0            # power off with the byte as the code
        halt`);
    m.console.openInput();
    // Nothing can wake it yet: the machine says so, and running again once input came resumes.
    expect(m.run(1_000_000)).toEqual({ kind: 'deadlock', pc: sym('sleep') });
    m.console.pushInput(bytes('*'));
    expect(m.run(1_000_000)).toEqual({ kind: 'halt', exitCode: 42 });
  });

  it('the end of live input raises the line until STATUS is read: it wakes a CPU waiting for the console interrupt (up-front input raises nothing at its end)', () => {
    const program = `
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 2
        csrw IMASK, t0
        li t0, 1
        out 0x12, t0
        ei
sleep:  wfi
        halt
handler: in a0, 0x11            # STATUS: 2, input ended
        addi a0, a0, 40
        out 0x30, a0
        halt`;
    const live = boot(program);
    live.m.console.openInput();
    expect(live.m.run(1_000_000).kind).toBe('deadlock');
    live.m.console.endInput();
    expect(live.m.run(1_000_000)).toEqual({ kind: 'halt', exitCode: 42 });
    // Seen once: it does not stay up (a kernel that keeps the interrupt on would take it forever).
    expect(live.m.console.irqAsserted()).toBe(false);
    const upFront = boot(program);
    expect(upFront.m.run(1_000_000)).toEqual({ kind: 'deadlock', pc: upFront.sym('sleep') });
  });
});
