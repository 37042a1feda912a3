// The findings are computed from rows: each claim must hold exactly when its numbers say so, and
// its sentence must carry those numbers. Rows here are built by hand; the harness tests
// (suites.test.ts) check the rows themselves against real boots.

import { describe, expect, it } from 'vitest';
import { computeFindings, explainGap, times } from '../../src/bench/findings.js';
import type { Attribution, Row } from '../../src/bench/results.js';
import { crossing } from '../../src/bench/sweep.js';

const attribution = (a: Partial<Attribution> = {}): Attribution => ({ guestUser: 0, guestKernel: 0, vmm: 0, transitions: 0, idle: 0, ...a });

/** A row whose per-iteration cycles are `slowdown` x 1000 (native: 1000, all in the guest kernel). */
function row(workload: string, config: string, preset: string, slowdown: number, extra: Partial<Row['perIteration']> = {}): Row {
  const cycles = 1000 * slowdown;
  return {
    workload,
    kind: 'workload',
    config,
    preset,
    run: {
      iterations: 10, cycles: cycles * 10, instructions: 5000, guestInstructions: 5000, traps: 0, vmExits: 0,
      attribution: attribution({ guestKernel: cycles * 10 }), trapsByCause: {}, vmExitsByReason: {}, tlb: { hits: 0, misses: 0, flushes: 0 },
    },
    perIteration: {
      cycles, instructions: 500, guestInstructions: 500, traps: 0, vmExits: 0, tlbMisses: 0,
      attribution: attribution({ guestKernel: 1000, transitions: cycles - 1000 }), ...extra,
    },
    slowdown,
    slowdownPerIteration: slowdown,
    trapsPer1k: 0,
    vmExitsPer1k: 0,
    matchesNative: true,
  };
}

const byId = (rows: Row[]) => new Map(computeFindings(rows).map((f) => [f.id, f]));

describe('findings', () => {
  it('compute near native holds within 1.3x and fails above, naming the worst config', () => {
    const near = byId([row('compute', 'native', 'default', 1), row('compute', 'te', 'default', 1.2), row('compute', 'vtx', 'default', 1.05)]);
    expect(near.get('compute-near-native/compute/default')!.holds).toBe(true);
    expect(near.get('compute-near-native/compute/default')!.text).toContain('te 1.20x, vtx 1.05x');
    const far = byId([row('compute', 'native', 'default', 1), row('compute', 'te', 'default', 1.5), row('compute', 'vtx', 'default', 1.05)]);
    expect(far.get('compute-near-native/compute/default')!.holds).toBe(false);
    expect(far.get('compute-near-native/compute/default')!.text).toMatch(/Not close for te: te spends 500 more cycles per iteration/);
  });

  it('syscall: te must be at least 3x slower than vtx', () => {
    const rows = (te: number) => [row('syscall', 'native', 'default', 1), row('syscall', 'te', 'default', te), row('syscall', 'vtx', 'default', 1.1)];
    expect(byId(rows(11)).get('syscall-te-vs-vtx/syscall/default')!.holds).toBe(true);
    expect(byId(rows(11)).get('syscall-te-vs-vtx/syscall/default')!.text).toContain('te is 11.0x native, vtx 1.10x: te is 10.0x slower than vtx');
    expect(byId(rows(3)).get('syscall-te-vs-vtx/syscall/default')!.holds).toBe(false);
  });

  it('first generation: shadow paging losing to te and EPT removing most of it are two separate verdicts', () => {
    const f = byId([
      row('ptemod', 'native', 'vtx-2006', 1),
      row('ptemod', 'te', 'vtx-2006', 4),
      row('ptemod', 'vtx', 'vtx-2006', 3),
      row('ptemod', 'vtx-ept', 'vtx-2006', 1.2),
    ]);
    expect(f.get('first-gen-shadow-loses/ptemod')!.holds).toBe(false);
    expect(f.get('ept-removes-most/ptemod')!.holds).toBe(true);
    expect(f.get('ept-removes-most/ptemod')!.text).toContain('removes 90% of the overhead');
    // Only with the first-generation preset.
    expect(byId([row('ptemod', 'native', 'default', 1), row('ptemod', 'vtx', 'default', 3)]).has('first-gen-shadow-loses/ptemod')).toBe(false);
  });

  it('first generation against bt, the paper\'s software VMM: its own verdict beside te\'s', () => {
    const f = byId([
      row('ptemod', 'native', 'vtx-2006', 1),
      row('ptemod', 'te', 'vtx-2006', 4),
      row('ptemod', 'vtx', 'vtx-2006', 3),
      row('ptemod', 'bt', 'vtx-2006', 2),
    ]);
    expect(f.get('first-gen-shadow-loses/ptemod')!.holds).toBe(false);
    expect(f.get('first-gen-shadow-loses-to-bt/ptemod')!.holds).toBe(true);
    expect(f.get('first-gen-shadow-loses-to-bt/ptemod')!.text).toContain('vtx 3.00x native against bt 2.00x');
    const fork = byId([row('forkwait', 'native', 'vtx-2006', 1), row('forkwait', 'vtx', 'vtx-2006', 6), row('forkwait', 'bt', 'vtx-2006', 2)]);
    expect(fork.get('first-gen-shadow-loses-to-bt/forkwait')!.text).toContain("vtx takes 3.00x bt's time per fork and wait; Adams and Agesen measured VT-x at 2.88x");
    const slower = byId([row('ptemod', 'native', 'vtx-2006', 1), row('ptemod', 'vtx', 'vtx-2006', 2), row('ptemod', 'bt', 'vtx-2006', 3)]);
    expect(slower.get('first-gen-shadow-loses-to-bt/ptemod')!.holds).toBe(false);
  });

  it('the seven nanobenchmarks: the paper\'s order between BT and VT-x, held or not, with the cycles', () => {
    const nano = (w: string, bt: number, vtx: number) => byId([row(w, 'native', 'vtx-2006', 1), row(w, 'bt', 'vtx-2006', bt), row(w, 'vtx', 'vtx-2006', vtx)]).get(`adams-agesen/${w}`)!;
    // The paper: BT below VT-x on in, cr8 write, page fault and PTE write; above it on the rest.
    expect(nano('nano-in', 2, 5).holds).toBe(true);
    expect(nano('nano-in', 5, 2).holds).toBe(false);
    expect(nano('nano-syscall', 3, 1.1).holds).toBe(true);
    expect(nano('nano-syscall', 1.1, 3).holds).toBe(false);
    const callret = nano('nano-callret', 1, 2);
    expect(callret.holds).toBe(false);
    expect(callret.claim).toContain('11 / 51 / 11');
    expect(callret.text).toContain('native 1,000, bt 1,000, vtx 2,000: bt is below vtx, not as in the paper');
    for (const w of ['nano-syscall', 'nano-in', 'nano-csrw', 'nano-callret', 'nano-pgfault', 'nano-divzero', 'nano-ptemod']) expect(nano(w, 2, 3)).toBeDefined();
    // Only with the first-generation preset, and only when bt and vtx both ran.
    expect(byId([row('nano-in', 'native', 'default', 1), row('nano-in', 'bt', 'default', 2), row('nano-in', 'vtx', 'default', 5)]).has('adams-agesen/nano-in')).toBe(false);
    expect(byId([row('nano-in', 'native', 'vtx-2006', 1), row('nano-in', 'vtx', 'vtx-2006', 5)]).has('adams-agesen/nano-in')).toBe(false);
  });

  it('a run whose output differs from native is a failed finding naming it', () => {
    const bad = { ...row('io', 'te', 'default', 5), matchesNative: false };
    const f = byId([row('io', 'native', 'default', 1), bad]);
    expect(f.get('same-output')!.holds).toBe(false);
    expect(f.get('same-output')!.text).toContain('io under te (default)');
  });

  it('explainGap splits the extra cycles by where they went', () => {
    const native = row('x', 'native', 'p', 1);
    const te = row('x', 'te', 'p', 3, { traps: 4, attribution: attribution({ guestKernel: 1000, vmm: 1500, transitions: 500 }) });
    expect(explainGap({ ...te, run: { ...te.run, traps: 40, trapsByCause: { Syscall: 10, PrivilegedInstruction: 30 } } }, native)).toContain(
      'with 4.0 traps (75% PrivilegedInstruction, 25% Syscall over the run) per iteration',
    );
    expect(explainGap(te, native)).toBe('te spends 2,000 more cycles per iteration than native (75% in the VMM, 25% in hardware transitions), with 4.0 traps per iteration');
  });

  it('explainGap gives shares of the growth, at most 100%, when idle time shrinks under the VMM', () => {
    const native = row('x', 'native', 'p', 1, { attribution: attribution({ guestKernel: 1000, idle: 9000 }) });
    const vtx = row('x', 'vtx', 'p', 1.01, { attribution: attribution({ guestKernel: 1000, idle: 8000, vmm: 900, transitions: 300 }) });
    expect(explainGap(vtx, native)).toContain('(75% in the VMM, 25% in hardware transitions)');
  });

  it('times() formats like the tables', () => {
    expect([times(472.5), times(12.345), times(1.234), times(Number.NaN)]).toEqual(['473x', '12.3x', '1.23x', '—']);
  });
});

describe('sweep crossings', () => {
  const point = (value: number, vtx: number, te: number) => ({ value, slowdown: { w: { vtx, te } } });

  it('interpolates between the two measured points around the sign change', () => {
    expect(crossing([point(2400, 4, 3), point(1200, 2, 3)], 'w', 'vtx', 'te')).toBe(1800);
  });

  it('is null when one config is ahead everywhere', () => {
    expect(crossing([point(2400, 1, 3), point(500, 1, 3)], 'w', 'vtx', 'te')).toBeNull();
  });
});
