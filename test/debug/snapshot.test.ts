// Machine snapshots (src/machine/snapshot.ts): restore puts back every bit of state, and the
// reflection that finds the processor's state classifies every field it has.

import { describe, expect, it } from 'vitest';
import { classifyField, diffSnapshots } from '../../src/machine/snapshot.js';
import { debugProgram, TOUR } from './helpers.js';

describe('machine snapshots', () => {
  it('classify every processor field (a new field must be saveable, or listed as not state)', () => {
    const dbg = debugProgram(TOUR);
    const cpu = dbg.machine.cpu as unknown as Record<string, unknown>;
    for (const name of Object.keys(cpu)) expect(() => classifyField(dbg.machine, name, cpu[name]), name).not.toThrow();
    // The state that matters is among what is saved.
    const saved = dbg.machine.snapshot().cpu;
    for (const name of ['x', 'pc', 'ring', 'cycles', 'instret', 'trapCounts', 'mmu', 'bucketCycles', 'epc', 'ptbr']) expect(saved.has(name), name).toBe(true);
    expect(saved.has('decodePages')).toBe(false);
    expect(saved.has('fetchDecoded')).toBe(false);
  });

  it('restore gives back registers, memory, TLB, devices and statistics exactly', () => {
    const dbg = debugProgram(TOUR);
    const m = dbg.machine;
    m.run(2000);
    const before = m.snapshot();
    const statsBefore = m.stats();
    const consoleBefore = m.console.output();
    m.run(9000);
    expect(diffSnapshots(before, m.snapshot()).length).toBeGreaterThan(0);
    m.restore(before);
    expect(diffSnapshots(before, m.snapshot())).toEqual([]);
    expect(m.stats()).toEqual(statsBefore);
    expect(m.console.output()).toBe(consoleBefore);
    // And it runs on exactly as it did the first time.
    m.run(9000);
    const once = m.snapshot();
    m.restore(before);
    m.run(9000);
    expect(diffSnapshots(once, m.snapshot())).toEqual([]);
  });

  it('shares unchanged pages with the previous snapshot', () => {
    const dbg = debugProgram(TOUR);
    const m = dbg.machine;
    const a = m.snapshot();
    m.run(500);
    const b = m.snapshot(a);
    const shared = b.pages.filter((p, i) => p === a.pages[i]).length;
    expect(shared).toBeGreaterThan(b.pages.length - 8);
  });
});
