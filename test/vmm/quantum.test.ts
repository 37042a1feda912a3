// Small timer quanta (issue 13, defect 3): with a quantum shorter than what virtualizing one tick
// costs, te and vtx used to livelock (each tick fell due while the guest kernel still handled the
// previous one, so processes never ran a single instruction). The VMMs now coalesce such a tick
// into the next one (programs/vmm/common/devices.s, vtimer_behind): every configuration finishes
// with native's per-process output wherever native does.

import { describe, expect, it } from 'vitest';
import { CONFIGS } from '../../src/configs/index.js';
import { costPreset } from '../../src/machine/costs.js';

const WORKLOADS = ['compute', 'ctxswitch', 'sleep'];

describe.each(['default', 'vtx-2006'])('a 2,000-cycle quantum with the %s preset', (preset) => {
  const costs = costPreset(preset);
  const native = CONFIGS.find((c) => c.name === 'native')!.boot({ workloads: WORKLOADS, quantum: 2000, costs });

  it.each(CONFIGS.filter((c) => c.name !== 'native').map((c) => c.name))('%s makes progress and equals native per process', (name) => {
    expect(native.exitCode).toBe(0);
    // Native's cycles include the kernel's disk reads, 36 million cycles each with vtx-2006.
    const run = CONFIGS.find((c) => c.name === name)!.boot({ workloads: WORKLOADS, quantum: 2000, costs, maxCycles: 200_000_000 + native.stats.cycles });
    expect(run.exitCode).toBe(0);
    expect(run.processes).toEqual(native.processes);
    expect(run.stats.worlds.guestUser.instructions).toBe(native.stats.worlds.guestUser.instructions);
    if (name === 'te' || name === 'vtx') expect(run.stats.vmm!.coalescedTicks, 'the ticks it fell behind on').toBeGreaterThan(0);
  });
});

describe('the default quantum', () => {
  it.each(CONFIGS.filter((c) => c.name !== 'native').map((c) => c.name))('%s coalesces no tick on the standard workloads', (name) => {
    const run = CONFIGS.find((c) => c.name === name)!.boot({ workloads: ['compute', 'ctxswitch', 'syscall', 'pagefault'] });
    expect(run.exitCode).toBe(0);
    // bt translates each path of the kernel the first time it runs (about 2,000 cycles a
    // block), so a timer handler's first runs can outlast a tick: a few ticks coalesce while
    // the cache warms up (docs/vmm-bt.md), never a steady share of them.
    if (name === 'bt') expect(run.stats.vmm!.coalescedTicks * 20).toBeLessThan(run.stats.vmm!.injectedInterrupts);
    else expect((run.stats.vmm ?? run.stats.hosted)!.coalescedTicks).toBe(0); // hosted: its driver's count
  });
});
