// The hardware-assisted VMM: what VT-x changes (docs/vmm-vtx.md). The behaviour tests shared
// with te (same output as native, protection, determinism) are in vmm.test.ts.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { findConfig, type BootOptions, type BootResult } from '../../src/configs/index.js';
import { Cause, isaWith } from '../../src/isa/index.js';
import { costPreset } from '../../src/machine/costs.js';

function boot(config: string, options: Omit<BootOptions, 'maxCycles'>): BootResult {
  return findConfig(config)!.boot({ maxCycles: 200_000_000, ...options });
}

describe.each(['vtx', 'vtx-ept'])('config %s', (config) => {
  it('a system call inside the guest causes no VM exit: the guest kernel takes it itself', () => {
    let syscalls = 0;
    let inRoot = 0;
    const r = boot(config, {
      workloads: ['nano-syscall'],
      iterations: 200,
      onMachine: (m) => {
        m.cpu.onTrap = (e) => {
          if (e.cause !== 1) return;
          syscalls++;
          if (!m.cpu.nonRoot) inRoot++;
        };
      },
    });
    expect(r.exitCode).toBe(0);
    expect(syscalls).toBeGreaterThanOrEqual(200);
    expect(inRoot).toBe(0);
    // Exceptions that exit are page faults (shadow fills), not the system calls: 200 more calls
    // add none.
    const more = boot(config, { workloads: ['nano-syscall'], iterations: 400 });
    expect((more.stats.vmExits?.['Exception'] ?? 0) - (r.stats.vmExits?.['Exception'] ?? 0)).toBeLessThan(10);
    expect(r.stats.vmm?.reflected['Syscall']).toBeUndefined();
  });

  it('the guest kernel runs in ring 0 of non-root mode; the VMM alone in root mode', () => {
    const fromRings = new Set<string>();
    const r = boot(config, {
      workloads: ['syscall', 'pagefault'],
      iterations: 20,
      onMachine: (m) => {
        m.cpu.onTrap = (e) => fromRings.add(`${m.cpu.nonRoot ? 'nonRoot' : 'root'} ${e.fromRing}`);
      },
    });
    expect(r.exitCode).toBe(0);
    // Every guest trap (system call, page fault, injected timer tick) came from guest user code
    // in non-root mode: none went to the VMM as a trap, and nothing ran in rings 1 or 2.
    expect([...fromRings].sort()).toEqual(['nonRoot 3']);
    expect(r.stats.rings[1]!.instructions + r.stats.rings[2]!.instructions).toBe(0);
    expect(r.stats.worlds.guestKernel.instructions).toBeGreaterThan(0);
    const modes = r.stats.modes!;
    expect(modes.nonRoot.instructions).toBe(r.stats.worlds.guestKernel.instructions + r.stats.worlds.guestUser.instructions);
    expect(modes.root.instructions).toBe(r.stats.worlds.vmm.instructions);
  });

  it('every VMX instruction, vmcall included, is an IllegalInstruction for the guest in any ring, as on its machine without vmx', () => {
    // The guest kernel's trap vector sees the cause: it kills a process, and panics (exit 5)
    // on a trap in itself, printing the cause's name.
    for (const insn of ['vmcall', 'vmptrld t0', 'invvpidall']) {
      const source = `.include "../../../programs/lib/hw.inc"
        .org 0x10000
_start: la   t0, handler
        csrw TVEC, t0
        ${insn}
        li   a0, 1                  # not reached
        out  POWER_OFF, a0
        halt
handler: csrr a0, CAUSE
        out  POWER_OFF, a0          # exit code = the cause
        halt
`;
      const asm = assemble(source, { fileName: join(import.meta.dirname, 'guests', 'inline.s'), isa: isaWith(['vmx']) });
      if (!asm.ok) throw new Error(asm.errors.map((e) => e.message).join('\n'));
      const r = boot(config, { workloads: ['compute'], kernel: asm.image });
      expect(r.exitCode, insn).toBe(Cause.IllegalInstruction);
      expect(r.stats.vmm?.reflected['IllegalInstruction'], insn).toBe(1);
    }
  });
});

describe('shadow paging (vtx) against nested paging (vtx-ept)', () => {
  it('vtx exits on page faults, PTBR writes and TLB flushes; vtx-ept on none of them', () => {
    const workloads = ['pagefault', 'ptemod', 'ctxswitch'];
    const shadow = boot('vtx', { workloads, iterations: 20 });
    const nested = boot('vtx-ept', { workloads, iterations: 20 });
    expect(shadow.processes).toEqual(nested.processes);
    for (const reason of ['Exception', 'PtbrAccess', 'TlbFlush']) {
      expect(shadow.stats.vmExits?.[reason]).toBeGreaterThan(0);
      expect(nested.stats.vmExits?.[reason]).toBeUndefined();
    }
    expect(shadow.stats.vmm?.hiddenPageFaults).toBeGreaterThan(0);
    expect(nested.stats.vmm?.hiddenPageFaults).toBe(0);
    // Nested paging pays in its walks instead: 8 references per TLB miss instead of 2.
    expect(nested.stats.tlb.walkRefs / nested.stats.tlb.misses).toBeGreaterThan(shadow.stats.tlb.walkRefs / shadow.stats.tlb.misses);
  });

  it('the first-generation preset prices each exit and entry, and flushes the TLB on each', () => {
    const modern = boot('vtx', { workloads: ['ptemod'], iterations: 10 });
    // The kernel reads its programs from the disk, a 2006 disk at 12 ms (36 million cycles) a request.
    const old = findConfig('vtx')!.boot({ workloads: ['ptemod'], iterations: 10, costs: costPreset('vtx-2006'), maxCycles: 1_000_000_000 });
    expect(old.processes).toEqual(modern.processes);
    const exits = (r: BootResult) => Object.values(r.stats.vmExits!).reduce((a, b) => a + b, 0);
    expect(exits(old)).toBeGreaterThan(0);
    expect(old.stats.tlb.misses).toBeGreaterThan(modern.stats.tlb.misses);
  });
});
