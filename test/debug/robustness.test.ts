// Nothing the guest does can break the debugger: arbitrary words as a program, with every kind
// of stop point on, stepping, continuing and going backwards, only ever give stop events (or
// DebugErrors for the user's mistakes), and going back then forward again gives the same machine.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BootImage } from '../../src/configs/index.js';
import { Debugger } from '../../src/debug/debugger.js';
import { Session } from '../../src/debug/commands.js';
import { Machine } from '../../src/machine/machine.js';
import { diffSnapshots } from '../../src/machine/snapshot.js';
import { Chalk } from 'chalk';
import { run } from './helpers.js';

function debuggerFor(words: number[]): Debugger {
  const data = new Uint8Array(new Int32Array(words).buffer);
  const machine = new Machine({ memoryBytes: 64 * 1024 });
  const image = { entry: 0, segments: [{ address: 0, data }], symbols: [], lines: [] };
  machine.load(image);
  const images: BootImage[] = [{ name: 'random', kind: 'kernel', image }];
  return new Debugger(machine, images, { maxCycles: 20_000, snapshotInterval: 40 });
}

describe('robustness', () => {
  it('random programs: stops only, and reverse then forward reproduces the machine exactly', () => {
    // Words biased towards real instructions (valid opcodes with random operands).
    const word = fc.oneof(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), fc.tuple(fc.integer({ min: 1, max: 0x5a }), fc.integer({ min: 0, max: 0xff_ffff })).map(([op, rest]) => (op << 24) | rest));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 64 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 30 }), (words, forward, back) => {
        const dbg = debuggerFor(words);
        dbg.addWatchpoint('*0x10', 'access');
        dbg.addWatchpoint('$a0');
        dbg.addCatchpoint('trap');
        dbg.addCatchpoint('world');
        dbg.addBreakpoint('0x20', { condition: '*$sp == 1' });
        run(dbg.stepi(forward));
        for (let i = 0; i < 3; i++) run(dbg.continue());
        const here = dbg.machine.snapshot();
        const ticks = dbg.ticks();
        run(dbg.reverseStepi(back));
        const there = dbg.ticks();
        expect(there).toBeLessThan(ticks === 0 ? 1 : ticks);
        run(dbg.reverseContinue());
        dbg.deleteAll();
        // Forward again to where we were, one step at a time.
        while (dbg.ticks() < ticks) {
          const ev = run(dbg.stepi());
          if (ev.kind === 'machine' && dbg.ticks() < ticks) throw new Error(`stopped early: ${JSON.stringify(ev)}`);
        }
        expect(diffSnapshots(here, dbg.machine.snapshot()).filter((d) => d !== 'cpu.stopCycle')).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  it('random command lines never escape the session as exceptions', async () => {
    const dbg = debuggerFor([0x10440001, 0x3800_0000 | 0x0fffff]); // addi a0, a0, 1; jal zero, -4
    const out: string[] = [];
    const session = new Session(dbg, { write: (t) => out.push(t), colour: new Chalk({ level: 0 }) });
    const words = ['si', 'ni', 'c', 'rsi', 'rc', 'finish', 'b', 'tb', 'watch', 'rwatch', 'catch', 'd', 'info', 'x/4xw', 'x/s', 'x/2i', 'p', 'p/x', 'set', 'bt', 'world', 'help', 'disas', 'enable', 'disable', '$pc', '*', '0x', '(', '=', 'if', 'trap', 'registers', 'tlb', '1', '-1', '0xffffffff', ':', 'random:x'];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }), async (parts) => {
        const outcome = await session.execute(parts.join(' '));
        expect(['ok', 'error', 'quit']).toContain(outcome);
        expect(out.join('')).not.toMatch(/internal error/);
      }),
      { numRuns: 300 },
    );
  });
});
