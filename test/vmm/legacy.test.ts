// The kernel built with -D LEGACY (programs/kernel/legacy.s) uses the legacy extension's
// rdstatus and wrstatus as x86 kernels used PUSHF and POPF. They are sensitive but not
// privileged, so trap-and-emulate cannot see them: under `te` the kernel misbehaves in exactly
// the two documented ways (docs/popek-goldberg.md), while natively and under VT-x, where the
// guest kernel keeps a ring 0 of its own, it behaves exactly as the kernel without LEGACY.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig, runBoot, type BootOptions, type BootResult, type PreparedBoot } from '../../src/configs/index.js';
import { VmmLayout } from '../../src/configs/vmm.js';

const LEGACY = { LEGACY: 1 };
const MAX_CYCLES = 100_000_000;
const WARNING = 'kernel: warning: schedule() entered with interrupts on (STATUS 0x00000005)\n';

function prepare(config: string, options: Omit<BootOptions, 'maxCycles'>): PreparedBoot {
  return findConfig(config)!.prepare(options);
}

function boot(config: string, options: Omit<BootOptions, 'maxCycles'>, maxCycles = MAX_CYCLES): BootResult {
  return runBoot(prepare(config, options), maxCycles);
}

describe('the LEGACY kernel where it is safe', () => {
  describe.each(['native', 'vtx', 'vtx-ept'])('%s', (config) => {
    it.each(['sleep', 'compute', 'syscall', 'io'])('workload %s: the same console, processes and exit code as the plain kernel natively', (workload) => {
      const plain = boot('native', { workloads: [workload], iterations: 4 });
      const legacy = boot(config, { workloads: [workload], iterations: 4, kernelDefines: LEGACY });
      expect(legacy.stop).toEqual({ kind: 'halt', exitCode: 0 });
      expect(legacy.console).toBe(plain.console);
      expect(legacy.processes).toEqual(plain.processes);
    });

    it('several processes, with idle time: the same per-process results', () => {
      const workloads = ['sleep', 'ctxswitch', 'compute', 'pagefault'];
      const plain = boot('native', { workloads, iterations: 5 });
      const legacy = boot(config, { workloads, iterations: 5, kernelDefines: LEGACY });
      expect(legacy.exitCode).toBe(0);
      expect(legacy.processes).toEqual(plain.processes);
      expect(legacy.console).not.toContain('warning');
    });
  });

  it('natively the idle loop really runs with interrupts on: each tick it waits for arrives as an interrupt taken in ring 0', () => {
    const prepared = prepare('native', { workloads: ['sleep'], iterations: 3, kernelDefines: LEGACY });
    const kernel = prepared.images.find((i) => i.kind === 'kernel')!.image;
    const [from, to] = [findSymbol(kernel, 'legacy_idle')!.value, findSymbol(kernel, 'legacy_idle_end')!.value];
    const idleTicks: number[] = [];
    prepared.machine.cpu.onTrap = (t) => {
      if (t.fromRing === 0) idleTicks.push(t.epc);
    };
    const r = runBoot(prepared, MAX_CYCLES);
    expect(r.processes[0]!.output).toBe('sleep: naps=3\n');
    expect(idleTicks.length).toBeGreaterThanOrEqual(3);
    for (const epc of idleTicks) expect(epc >= from && epc < to, `EPC 0x${epc.toString(16)}`).toBe(true);
  });
});

describe('the LEGACY kernel under te', () => {
  it('every run: rdstatus in the scheduler reads the real STATUS, ring 1 with interrupts on, and the kernel warns once; the first wait for the disk then never ends', () => {
    // init's exec reads the programs from the disk inside a process, so every boot idles at
    // least once, and under te the idle loop never gets an interrupt (see the sleep test below).
    const r = boot('te', { workloads: ['compute', 'ctxswitch'], iterations: 3, kernelDefines: LEGACY }, 20_000_000);
    expect(r.stop).toEqual({ kind: 'cycle-limit', limit: 20_000_000 });
    expect(r.console).toBe(`kernel: booting 3 processes\n${WARNING}`);
    expect(r.processes.map((p) => p.exitCode)).toEqual([null, null, null]);
  });

  it('sleep: wrstatus cannot turn interrupts on in ring 1, so the idle loop never gets its tick and spins; the process never wakes', () => {
    const prepared = prepare('te', { workloads: ['sleep'], iterations: 3, kernelDefines: LEGACY });
    const r = runBoot(prepared, 10_000_000);
    expect(r.stop).toEqual({ kind: 'cycle-limit', limit: 10_000_000 });
    expect(r.console).toBe(`kernel: booting 1 processes\n${WARNING}`);
    expect(r.processes).toEqual([{ pid: 2, name: 'sleep', exitCode: null, output: '', outputBytes: 0, outputTruncated: false }]);
    // Not one virtual interrupt reached the guest, while the VMM emulated thousands of wfi:
    // each returns at once, because the tick is pending, and the kernel loops back to it.
    const vmm = r.stats.vmm!;
    expect(vmm.injectedInterrupts).toBe(0);
    expect(vmm.emulated['wfi']).toBeGreaterThan(10_000);
    // The state the VMM holds for the guest says why: the tick is pending, virtual IE is 0, and
    // the guest is in its idle loop; its tick count never moved.
    const vmmImage = prepared.images.find((i) => i.kind === 'vmm')!.image;
    const kernel = prepared.images.find((i) => i.kind === 'kernel')!.image;
    const layout = new VmmLayout(vmmImage);
    const words = r.machine.memory.words;
    const vcpu = layout.vmmPhysical(findSymbol(vmmImage, 'vcpu')!.value);
    const field = (name: string): number => words[(vcpu + findSymbol(vmmImage, name)!.value) >>> 2]!;
    expect(field('V_STATUS')).toBe(0); // virtual ring 0, virtual IE 0
    expect(field('V_IPEND') & 1).toBe(1); // the timer line, pending
    const pc = field('V_PC') >>> 0;
    expect(pc >= findSymbol(kernel, 'legacy_idle')!.value && pc < findSymbol(kernel, 'legacy_idle_end')!.value).toBe(true);
    expect(words[(layout.guestBase + findSymbol(kernel, 'ticks')!.value) >>> 2]).toBe(0);
  });

  it('the plain kernel under te sleeps and wakes as natively (the idle code without LEGACY has no sensitive instruction)', () => {
    const plain = boot('native', { workloads: ['sleep'], iterations: 3 });
    const r = boot('te', { workloads: ['sleep'], iterations: 3 });
    expect(r.exitCode).toBe(0);
    expect(r.console).toBe(plain.console);
  });
});
