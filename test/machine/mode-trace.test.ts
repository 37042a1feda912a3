// The processor's onModeChange hook (a trace facility, src/machine/processor.ts): it reports every
// change of ring or of root/non-root mode, with the cycle the new mode starts at, and nothing
// else. The isolation benchmark (src/bench/isolation.ts) finds "the first user instruction" with it.

import { describe, expect, it } from 'vitest';
import { findConfig } from '../../src/configs/index.js';

interface Change {
  ring: number;
  nonRoot: boolean;
  cycle: number;
}

function trace(config: string): { changes: Change[]; userSyscalls: number[]; cycles: number } {
  const changes: Change[] = [];
  const userSyscalls: number[] = [];
  const r = findConfig(config)!.boot({
    workloads: ['nano-syscall'],
    iterations: 5,
    onMachine: (machine) => {
      machine.cpu.onModeChange = (ring, nonRoot, cycle) => changes.push({ ring, nonRoot, cycle });
      machine.cpu.onTrap = (e) => {
        if (e.cause === 1 && e.fromRing === 3) userSyscalls.push(e.cycle);
      };
    },
  });
  expect(r.exitCode).toBe(0);
  return { changes, userSyscalls, cycles: r.stats.cycles };
}

describe('onModeChange', () => {
  it('natively: each event is a change of ring, in time order, and every system call from user mode follows an entry into it', () => {
    const { changes, userSyscalls, cycles } = trace('native');
    expect(changes.length).toBeGreaterThan(10);
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.ring).not.toBe(changes[i - 1]!.ring);
      expect(changes[i]!.cycle).toBeGreaterThanOrEqual(changes[i - 1]!.cycle);
    }
    expect(changes.every((c) => !c.nonRoot && (c.ring === 0 || c.ring === 3))).toBe(true);
    expect(changes[0]!.ring).toBe(3); // the kernel starts in ring 0: the first change is into init
    expect(changes[changes.length - 1]!.cycle).toBeLessThanOrEqual(cycles);
    const entries = changes.filter((c) => c.ring === 3).map((c) => c.cycle);
    for (const s of userSyscalls) expect(entries.some((e) => e <= s)).toBe(true);
    expect(entries.length).toBeGreaterThanOrEqual(userSyscalls.length);
  });

  it('under VT-x: the switches between root and non-root mode are reported too', () => {
    const { changes } = trace('vtx');
    expect(changes.some((c) => c.nonRoot && c.ring === 3)).toBe(true);
    expect(changes.some((c) => !c.nonRoot && c.ring === 0)).toBe(true);
    for (let i = 1; i < changes.length; i++) {
      const a = changes[i - 1]!;
      const b = changes[i]!;
      expect(a.ring !== b.ring || a.nonRoot !== b.nonRoot).toBe(true);
    }
  });
});
