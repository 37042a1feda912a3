// Every VMM configuration against native: the same guest kernel and programs must behave the
// same (per-process output and exit codes; interleaving may differ), a bare-metal guest that
// exercises every privileged instruction must print the same, and no guest can touch the VMM.
// The pv configuration boots the kernel built with PARAVIRT, which must behave as the native
// one does; the bare-metal guests here use privileged instructions, so pv has its own versions
// of those tests (pv.test.ts).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, assembleFile, findSymbol, type Image } from '../../src/asm/index.js';
import { CONFIGS, findConfig, isParavirtKernel, WORKLOADS, type BootOptions, type BootResult } from '../../src/configs/index.js';
import { isaWith } from '../../src/isa/index.js';

const GUESTS = join(import.meta.dirname, 'guests');

const VMM_CONFIGS = CONFIGS.filter((c) => c.name !== 'native').map((c) => c.name);
const MAX_CYCLES = 200_000_000;

/** The guest kernel a config boots (the PARAVIRT build under pv). */
function kernelOf(config: string): Image {
  return findConfig(config)!.prepare({ workloads: ['compute'] }).images.find((i) => i.kind === 'kernel')!.image;
}

/** Configs that boot the unmodified kernel, so any bare-metal guest with privileged instructions. */
const UNMODIFIED = VMM_CONFIGS.filter((c) => !isParavirtKernel(kernelOf(c)));

function boot(config: string, options: Omit<BootOptions, 'maxCycles'> & { maxCycles?: number }): BootResult {
  return findConfig(config)!.boot({ maxCycles: MAX_CYCLES, ...options });
}

/** Every config is compared with the same native runs: boot each of them once. */
const nativeRuns = new Map<string, BootResult>();
function bootNative(options: Omit<BootOptions, 'maxCycles'>): BootResult {
  const key = JSON.stringify(options);
  let run = nativeRuns.get(key);
  if (!run) nativeRuns.set(key, (run = boot('native', options)));
  return run;
}

/** Assemble a small bare-metal guest kernel given as text (it may include hw.inc). */
function guest(body: string): Image {
  const source = `.include "../../../programs/lib/hw.inc"\n${body}`;
  const r = assemble(source, { fileName: join(GUESTS, 'inline.s'), isa: isaWith([]) });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.image;
}

/** The least times the real timer brings the VMM in during a 1,000,000-cycle spin: every
 *  VMM_SLICE (50,000) cycles; under hosted the host kernel's own tick, every 100,000. */
const slices = (config: string): number => (config === 'hosted' ? 10 : 15);

/** How often the real timer brought the VMM in: a trap (te) or a VM exit (vtx). */
function vmmEntriesOnTimer(run: BootResult): number {
  return run.stats.vmExits ? (run.stats.vmExits['ExternalInterrupt'] ?? 0) : (run.stats.traps['TimerInterrupt'] ?? 0);
}

function guestFile(name: string): Image {
  const r = assembleFile(join(GUESTS, name), isaWith([]));
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.image;
}

describe.each(VMM_CONFIGS)('config %s', (config) => {
  it.each(WORKLOADS.map((w) => w.name))('workload %s: every process prints and exits as it does natively', (name) => {
    const native = bootNative({ workloads: [name] });
    const vm = boot(config, { workloads: [name] });
    expect(vm.halted).toBe(true);
    expect(vm.exitCode).toBe(native.exitCode);
    expect(vm.processes).toEqual(native.processes);
    expect(vm.processes.length).toBeGreaterThan(0);
  });

  it('six workloads as concurrent processes: the same per-process results as native', () => {
    const workloads = ['compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'ptemod'];
    const native = bootNative({ workloads, iterations: 10 });
    const vm = boot(config, { workloads, iterations: 10 });
    expect(vm.exitCode).toBe(0);
    expect(vm.processes).toEqual(native.processes);
  });

  it("a process jumping to the guest kernel's trap vector is killed as natively (not taken for a double fault)", () => {
    const trapEntry = findSymbol(kernelOf(config), 'trap_entry')!.value;
    const native = boot('native', { workloads: ['jumpvec', 'compute'], iterations: findSymbol(kernelOf('native'), 'trap_entry')!.value, maxCycles: 10_000_000 });
    const vm = boot(config, { workloads: ['jumpvec'], iterations: trapEntry });
    expect(native.processes[0]!.exitCode).toBe(128 + 11); // SIGSEGV
    expect(vm.processes[0]!.exitCode).toBe(128 + 11);
    expect(vm.exitCode).toBe(4);
  });
});

describe.each(UNMODIFIED)('config %s with bare-metal guests', (config) => {
  it('a bare-metal guest using every privileged instruction, register and trap prints what it prints natively', () => {
    const kernel = guestFile('privileged.s');
    const native = boot('native', { workloads: ['compute'], kernel, maxCycles: 5_000_000 });
    const vm = boot(config, { workloads: ['compute'], kernel, maxCycles: 5_000_000 });
    expect(native.exitCode).toBe(42);
    expect(native.console).toMatch(/done\n$/);
    // Not vacuous: the guest saw each trap cause it provokes.
    for (const cause of ['0x00000001', '0x00000002', '0x00000003', '0x00000004', '0x00000005', '0x00000006', '0x00000007', '0x00000008', '0x00000009', '0x0000000a']) {
      expect(native.console).toContain(`trap ${cause} `);
    }
    expect(vm.console).toBe(native.console);
    expect(vm.exitCode).toBe(42);
  });
});

describe.each(VMM_CONFIGS)('config %s: determinism and protection', (config) => {
  it('the same boot twice gives the same figures, bit for bit', () => {
    const a = boot(config, { workloads: ['ctxswitch', 'pagefault'], iterations: 30 });
    const b = boot(config, { workloads: ['ctxswitch', 'pagefault'], iterations: 30 });
    expect(b.stats).toEqual(a.stats);
    expect(b.console).toBe(a.console);
  });

  it('a guest process reading, writing or mapping the VMM region is killed by the guest kernel; the VMM is intact', () => {
    const r = boot(config, { workloads: ['vmmread', 'vmmwrite', 'vmmmap', 'compute'], iterations: 2 });
    expect(r.exitCode).toBe(4);
    expect(r.processes.map((p) => p.exitCode)).toEqual([128 + 11, 128 + 11, 128 + 11, 0]); // SIGSEGV each
    expect(r.processes[2]!.output).toContain('map(0xffc00000): refused');
    expect(r.console).toContain('killed pid 3 (vmmwrite): PageFaultWrite at pc 0x4000001c addr 0xffc03000');
    // The VMM's code and initialised data are exactly what was loaded.
    const vmm = findConfig(config)!.prepare({ workloads: ['compute'] }).images.find((i) => i.kind === 'vmm')!.image;
    // (Under hosted the VMM is the host kernel, at its physical addresses from 0: the guest's
    // 0xffc00000 is only an address its own kernel keeps from processes.)
    const region = vmm.segments.find((s) => (s.address >>> 0) >= 0xffc00000);
    const code = region ?? vmm.segments[0]!;
    const base = region ? (code.address >>> 0) - 0xffc00000 : code.address >>> 0;
    const loaded = r.machine.memory.bytes.subarray(base, base + 1024);
    expect(Buffer.from(loaded).equals(Buffer.from(code.data.subarray(0, 1024)))).toBe(true);
  });

});

describe.each(UNMODIFIED)('config %s: the VMM keeps control of unmodified guests', (config) => {
  it('a guest kernel spinning with interrupts off cannot keep the VMM out', () => {
    const spin = guest(`
        .org 0x10000
_start: di
        li   t0, IRQ_TIMER
        csrw IMASK, t0
        li   t0, 1000              # its own timer ticks, but it never takes them
        out  TIMER_INTERVAL, t0
.spin:  j    .spin
`);
    const run = boot(config, { workloads: ['compute'], kernel: spin, maxCycles: 1_000_000 });
    expect(run.stop.kind).toBe('cycle-limit');
    // The real timer brought the VMM in (a trap under te, a VM exit under vtx): once for the
    // guest's first tick, then every VMM_SLICE cycles, since the guest's later ticks coalesce
    // into the one still pending and need no real interrupt of their own. The guest, with its
    // interrupts off, was never interrupted.
    expect(vmmEntriesOnTimer(run)).toBeGreaterThanOrEqual(slices(config));
    expect(vmmEntriesOnTimer(run)).toBeLessThanOrEqual(25);
    expect((run.stats.vmm ?? run.stats.hosted)?.injectedInterrupts).toBe(0);
  });

  it('a guest spinning with no timer at all: the VMM still regains control every VMM_SLICE cycles', () => {
    const spin = guest(`
        .org 0x10000
_start: di
.spin:  j    .spin
`);
    const run = boot(config, { workloads: ['compute'], kernel: spin, maxCycles: 1_000_000 });
    expect(run.stop.kind).toBe('cycle-limit');
    expect(vmmEntriesOnTimer(run)).toBeGreaterThanOrEqual(slices(config));
  });

  it('a guest waiting for an interrupt that can never come stops as a deadlock, as on bare metal', () => {
    const stuck = guest(`
        .org 0x10000
_start: csrw IMASK, zero
        wfi
        halt
`);
    expect(boot('native', { workloads: ['compute'], kernel: stuck }).stop.kind).toBe('deadlock');
    const r = boot(config, { workloads: ['compute'], kernel: stuck });
    if (config !== 'hosted') expect(r.stop.kind).toBe('deadlock');
    else {
      // The hosted VMM is a process of a host that goes on: the driver tells rlvmm that its
      // guest waits for what can never come (VM_EXIT_DEADLOCK), rlvmm says so and exits with 7.
      expect([r.stop.kind, r.exitCode]).toEqual(['halt', 7]);
      expect(r.console).toContain('rlvmm: guest deadlock: it waits for an interrupt that can never come at pc 65540');
    }
  });

  it('a guest whose trap handler cannot run: the VMM reports a double fault and powers off with 7', () => {
    const broken = guest(`
        .org 0x10000
_start: li   t0, 0x40                # the handler's address is not executable code...
        csrw TVEC, t0
        li   t0, 0x7ffffff0
        lw   t0, 0(t0)               # ...and a bus error sends the guest there
`);
    expect(boot('native', { workloads: ['compute'], kernel: broken }).stop.kind).toBe('double-fault');
    const r = boot(config, { workloads: ['compute'], kernel: broken });
    expect(r.exitCode).toBe(7);
    expect(r.console).toContain('vmm: guest double fault');
  });
});

describe('config te: trap and emulate', () => {
  const config = 'te';
  it('the guest kernel never runs in ring 0: only the VMM does', () => {
    const fromRings = new Set<number>();
    const r = boot(config, {
      workloads: ['syscall', 'pagefault'],
      iterations: 20,
      onMachine: (m) => {
        m.cpu.onTrap = (e) => fromRings.add(e.fromRing);
      },
    });
    expect(r.exitCode).toBe(0);
    expect([...fromRings].sort()).toEqual([1, 3]);
    expect(r.stats.worlds.vmm.instructions).toBeGreaterThan(0);
    expect(r.stats.worlds.guestKernel.instructions).toBeGreaterThan(0);
    expect(r.stats.worlds.guestUser.instructions).toBeGreaterThan(0);
  });

  it("the VMM's counters add up: one emulated sret per trap or interrupt delivered to the guest", () => {
    const r = boot(config, { workloads: ['pagefault', 'syscall', 'sleep'], iterations: 20 });
    const v = r.stats.vmm!;
    const reflected = Object.values(v.reflected).reduce((a, b) => a + b, 0);
    expect(v.emulated['sret']).toBe(reflected + v.injectedInterrupts);
    expect(v.reflected['Syscall']).toBeGreaterThanOrEqual(20 * 3);
    expect(v.truePageFaults).toBeGreaterThanOrEqual(20); // each fresh heap page is the guest's fault
    expect(v.hiddenPageFaults).toBeGreaterThan(0);
    expect(v.shadowResets).toBeGreaterThan(1);
    expect(r.stats.traps['PrivilegedInstruction']).toBe(Object.values(v.emulated).reduce((a, b) => a + b, 0));
  });
});
