// The harness against real boots: rows are built from executed runs, per-iteration figures are
// the difference between the runs at N and 2N, attribution adds up, runs are exact, and the
// suites narrow as asked.

import { describe, expect, it } from 'vitest';
import { measure, rowOf, runRow } from '../../src/bench/measure.js';
import { runSuite } from '../../src/bench/suites.js';
import { COST_PRESETS, DEFAULT_COSTS } from '../../src/machine/costs.js';

const sumOf = (a: Record<string, number>): number => Object.values(a).reduce((x, y) => x + y, 0);

describe('measure and rows', () => {
  it('a measurement is a whole boot: attribution adds up to the cycles, the guest instructions exclude the VMM', () => {
    const { measurement } = measure({ config: 'te', workload: 'syscall', iterations: 20, costs: DEFAULT_COSTS });
    expect(sumOf({ ...measurement.attribution })).toBe(measurement.cycles);
    expect(measurement.guestInstructions).toBeLessThan(measurement.instructions);
    expect(measurement.traps).toBe(sumOf(measurement.trapsByCause));
    expect(measurement.vmExits).toBe(0);
  });

  it('per-iteration figures are the difference of the runs at 2N and N, over N', () => {
    const native = runRow('native', 'nano-syscall', DEFAULT_COSTS, 40);
    const te = runRow('te', 'nano-syscall', DEFAULT_COSTS, 40);
    const row = rowOf('te', 'nano-syscall', 'default', te, native);
    expect(row.perIteration.cycles).toBe((te.double.measurement.cycles - te.single.measurement.cycles) / 40);
    expect(row.slowdownPerIteration).toBeCloseTo(row.perIteration.cycles / ((native.double.measurement.cycles - native.single.measurement.cycles) / 40), 12);
    expect(row.slowdown).toBe(te.single.measurement.cycles / native.single.measurement.cycles);
    expect(row.matchesNative).toBe(true);
    // One null system call natively costs 226 cycles in the default model (the return to the
    // process checks for a pending signal, and trap_entry takes note of where the last tick
    // preempted it: sched.s, timer_interrupt). The runs at 40 and 80 print as many digits and
    // meet as many timer ticks, so the 40 extra iterations are all the difference (at 100 and 200
    // the longer run ends just past the second tick, which costs more than a system call).
    const nativePer = rowOf('native', 'nano-syscall', 'default', native, native).perIteration.cycles;
    expect(native.single.measurement.trapsByCause.TimerInterrupt).toBe(native.double.measurement.trapsByCause.TimerInterrupt);
    expect(nativePer).toBe(226);
  });

  it('rejects a run that did not end cleanly with a BenchError naming it', () => {
    // badmem is killed by the kernel, which then powers off with 4 (docs/kernel.md).
    expect(() => measure({ config: 'native', workload: 'badmem', iterations: 1, costs: DEFAULT_COSTS })).toThrow(/badmem under native \(default, 1 iterations\) powered off with code 4/);
    expect(() => measure({ config: 'nope', workload: 'compute', iterations: 1, costs: DEFAULT_COSTS })).toThrow(/unknown config 'nope'/);
  });
});

describe('suites', () => {
  it('overhead narrowed to one workload, config and preset: native is always the baseline, and it is exact', () => {
    const r = runSuite('overhead', { workloads: ['syscall'], configs: ['vtx'], presets: ['vtx-2006'] });
    expect(r.configs).toEqual(['native', 'vtx']);
    expect(r.rows.map((x) => `${x.workload}/${x.config}/${x.preset}`)).toEqual(['syscall/native/vtx-2006', 'syscall/vtx/vtx-2006']);
    expect(r.presets).toEqual([COST_PRESETS['vtx-2006']]);
    expect(r.deterministic).toBe(true);
    expect(r.machine.timerQuantum).toBe(100_000);
    expect(r.machine.tlbWays).toBe(4);
    expect(r.findings.find((f) => f.id === 'same-output')!.holds).toBe(true);
    // Same suite again: the same results, bit for bit.
    expect(JSON.stringify(runSuite('overhead', { workloads: ['syscall'], configs: ['vtx'], presets: ['vtx-2006'] }))).toBe(JSON.stringify(r));
  });

  it('names unknown suites, workloads, configs and presets', () => {
    expect(() => runSuite('overhead', { workloads: ['nope'] })).toThrow(/unknown workload 'nope'/);
    expect(() => runSuite('overhead', { workloads: ['badmem'] })).toThrow(/unknown workload 'badmem'/);
    expect(() => runSuite('overhead', { configs: ['nope'] })).toThrow(/unknown config 'nope'/);
    expect(() => runSuite('overhead', { presets: ['nope'] })).toThrow(/unknown cost preset 'nope'/);
  });

  it('speed reports MIPS from the exact instruction count of each config', () => {
    const r = runSuite('speed', { configs: ['te'], workloads: ['nano-syscall'], speedSamples: 2 });
    expect(r.speed.map((s) => s.config)).toEqual(['native', 'te']);
    for (const s of r.speed) {
      expect(s.mips).toBeGreaterThan(0);
      expect(s.min).toBeLessThanOrEqual(s.mips);
      expect(s.max).toBeGreaterThanOrEqual(s.mips);
    }
  });
});
