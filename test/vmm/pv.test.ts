// Paravirtualization (docs/vmm-pv.md): the kernel built with PARAVIRT under the pv VMM. What it
// must do as well as native (every workload's output and exit codes) is checked with the other
// VMMs in vmm.test.ts; here is what paravirtualization changes: no privileged instruction, no
// hidden page fault, page-table work batched, and a VMM that still protects itself from a pv
// guest that misuses the interface.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, findSymbol, type Image } from '../../src/asm/index.js';
import { BootError, CONFIGS, findConfig, isParavirtKernel, kernelImage, WORKLOADS, type BootOptions, type BootResult } from '../../src/configs/index.js';
import { ROOT, USER_DIR } from '../../src/configs/images.js';
import { loadNative, processesFor } from '../../src/configs/native.js';
import { mkfs } from '../../src/fs/image.js';
import { isaWith } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';

const MAX_CYCLES = 200_000_000;
const PRIVILEGED_INSTRUCTION = 4;

function boot(config: string, options: Omit<BootOptions, 'maxCycles'> & { maxCycles?: number }): BootResult {
  return findConfig(config)!.boot({ maxCycles: MAX_CYCLES, ...options });
}

const pvKernel = (): Image => kernelImage(isaWith([]), { PARAVIRT: 1 });

/** A small guest kernel that uses the paravirtual interface directly (hypercall.inc). */
function pvGuest(body: string): Image {
  const source = `.include "../../../programs/lib/hw.inc"\n.include "../../../programs/vmm/common/hypercall.inc"\n${body}`;
  const r = assemble(source, { fileName: join(import.meta.dirname, 'guests', 'inline.s'), includeRoot: ROOT, isa: isaWith([]) });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r.image;
}

const POWER_OFF_WITH_A1 = `
        li   a0, POWER_OFF
        li   t0, HC_IO_OUT
        syscall`;

const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0);

describe('the pv configuration', () => {
  it('boots the kernel built with PARAVIRT; every other config the unmodified one', () => {
    for (const c of CONFIGS) {
      const kernel = c.prepare({ workloads: ['compute'] }).images.find((i) => i.kind === 'kernel')!.image;
      expect(isParavirtKernel(kernel), c.name).toBe(c.name === 'pv');
    }
  });

  it('a PARAVIRT kernel is refused outside pv with a clear error (natively it would double-fault at its first hypercall)', () => {
    for (const config of ['native', 'te', 'vtx', 'vtx-ept']) {
      expect(() => findConfig(config)!.prepare({ workloads: ['compute'], kernel: pvKernel() }), config).toThrow(BootError);
      expect(() => findConfig(config)!.prepare({ workloads: ['compute'], kernel: pvKernel() }), config).toThrow(/PARAVIRT.*--config pv/);
    }
    // Why: loaded on bare metal anyway, its first hypercall is a `syscall` in ring 0, which
    // traps to a vector nobody set (0, zeroed memory: an illegal instruction there too).
    const machine = new Machine({ isa: isaWith([]), memoryBytes: 16 << 20 });
    loadNative(machine, processesFor(['compute']), 0, pvKernel());
    expect(machine.run(10_000_000).kind).toBe('double-fault');
  });
});

describe('the PARAVIRT kernel under pv', () => {
  it.each(WORKLOADS.map((w) => w.name))('%s: no privileged instruction from the guest kernel; its work arrives as hypercalls', (name) => {
    let fromKernel = 0;
    let fromUser = 0;
    const r = boot('pv', {
      workloads: [name],
      onMachine: (m) => {
        m.cpu.onTrap = (e) => {
          if (e.cause !== PRIVILEGED_INSTRUCTION) return;
          if (e.fromRing === 3) fromUser++;
          else fromKernel++;
        };
      },
    });
    expect(r.halted).toBe(true);
    expect(fromKernel).toBe(0);
    expect(fromUser).toBe(name === 'badpriv' ? 1 : 0); // the demo's own, killed by the kernel
    const v = r.stats.vmm!;
    expect(v.emulated).toEqual({});
    expect(v.hiddenPageFaults).toBe(0);
    expect(v.shadowResets).toBe(0);
    // Every return to a process is one HC_IRET: one per trap or interrupt delivered to the kernel.
    expect(v.hypercalls!['iret']).toBe(sum(v.reflected) + v.injectedInterrupts);
    expect(v.hypercalls!['consoleWrite']).toBeGreaterThan(0);
  });

  it('the shadow is always complete: the hardware raises exactly the page faults it raises natively, and the VMM passes each on', () => {
    for (const name of ['pagefault', 'ptemod', 'nano-pgfault', 'ctxswitch', 'vmmread', 'vmmwrite']) {
      const native = boot('native', { workloads: [name] });
      const pv = boot('pv', { workloads: [name] });
      const faults = (r: BootResult) => ['PageFaultRead', 'PageFaultWrite', 'PageFaultExecute'].map((c) => r.stats.traps[c] ?? 0);
      expect(faults(pv), name).toEqual(faults(native));
      expect(pv.stats.vmm!.truePageFaults, name).toBe(sum(Object.fromEntries(faults(pv).map((n, i) => [i, n]))));
    }
  });

  it('a context switch is loading another shadow directory: no reset, no fault, one request riding on the HC_IRET', () => {
    const te = boot('te', { workloads: ['ctxswitch'], iterations: 50 });
    const pv = boot('pv', { workloads: ['ctxswitch'], iterations: 50 });
    expect(pv.processes).toEqual(te.processes);
    expect(te.stats.vmm!.shadowResets).toBeGreaterThan(100);
    expect(te.stats.vmm!.hiddenPageFaults).toBeGreaterThan(300);
    const v = pv.stats.vmm!;
    expect(v.shadowResets).toBe(0);
    expect(v.pageTableRequests!['newBaseptr']).toBeGreaterThan(100);
    expect(v.hypercalls!['mmu']).toBeUndefined();
    // Each address space's tables were read once: the kernel's identity map (4 tables for 16
    // MiB), and per process (init, its fork of each record before the exec, the records) its
    // directory, code, stack and (at exit) the kernel's directory.
    expect(v.shadowTablesBuilt).toBeLessThanOrEqual(24);
  });
});

describe('batched page-table updates', () => {
  const requests = (n: number) => boot('pv', { workloads: ['nano-ptemod'], iterations: n }).stats.vmm!;

  it('nano-ptemod: n PTE changes, each with a TLB flush, in one system call cost one HC_MMU per 128 requests', () => {
    // The system call queues 2n + 4 requests: mapping the heap page on demand (its directory
    // entry and its PTE), then n times the PTE and its flush, and the restore (PTE and flush).
    // The queue holds 128 (PV_MMU_MAX): when it is full, pv_queue applies it with HC_MMU; the
    // rest rides on the HC_IRET back to the process.
    const a = requests(1000);
    const b = requests(2000);
    const mmuCalls = (n: number) => Math.floor((2 * n + 4 - 1) / 128);
    expect(a.hypercalls!['mmu']).toBe(mmuCalls(1000)); // 15
    expect(b.hypercalls!['mmu']).toBe(mmuCalls(2000)); // 31
    expect(b.pageTableRequests!['ptWrite']! - a.pageTableRequests!['ptWrite']!).toBe(1000);
    expect(b.pageTableRequests!['invlpg']! - a.pageTableRequests!['invlpg']!).toBe(1000);
    // Hypercalls of any kind per PTE update, far below one (counted between the two runs, so that
    // the boot's own cancel out: among them, its disk reads, a kick of the block ring each).
    expect((sum(b.hypercalls) - sum(a.hypercalls)) / (b.pageTableRequests!['ptWrite']! - a.pageTableRequests!['ptWrite']!)).toBeLessThan(0.05);
    expect(a.pageTableRequests!['rejected']).toBe(0);
  });

  it('ptemod: map and unmap need no page-table hypercall at all: every request rides on the HC_IRET ending its system call', () => {
    const a = boot('pv', { workloads: ['ptemod'], iterations: 100 }).stats.vmm!;
    const b = boot('pv', { workloads: ['ptemod'], iterations: 200 }).stats.vmm!;
    expect(a.hypercalls!['mmu']).toBeUndefined();
    expect(b.hypercalls!['mmu']).toBeUndefined();
    // Per iteration: map writes the PTE; unmap clears it and flushes it.
    expect(b.pageTableRequests!['ptWrite']! - a.pageTableRequests!['ptWrite']!).toBe(200);
    expect(b.pageTableRequests!['invlpg']! - a.pageTableRequests!['invlpg']!).toBe(100);
    const perUpdate = (v: typeof a) => (v.hypercalls!['mmu'] ?? 0) / v.pageTableRequests!['ptWrite']!;
    expect(perUpdate(a)).toBe(0);
  });
});

describe('the block ring: the kernel writes a system call\'s dirty buffers with one kick', () => {
  // test/fs/guests/fsops.s runs a script of file operations from its input. Two scripts differ by
  // one write of a file's first k blocks, which leaves k data blocks, the bitmap and the inode
  // block dirty (and the indirect block past 12): bflush writes them at the end of the call.
  // Counted between the two runs, so that the boot and the rest cancel out. Under pv bflush
  // queues them all in the ring and kicks once (docs/vmm-pv.md, "The block ring"); past
  // PV_BLK_SLOTS (16) requests it kicks again for the rest.
  const fsops = (() => {
    const r = assemble(readFileSync(join(ROOT, 'test', 'fs', 'guests', 'fsops.s'), 'utf8'), { fileName: join(USER_DIR, 'fsops.s'), isa: isaWith([]) });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.image;
  })();
  const word = (n: number) => Buffer.from(Uint32Array.of(n >>> 0).buffer);
  const str = (text: string) => Buffer.concat([word(Buffer.byteLength(text)), Buffer.from(text)]);
  const CREATE = Buffer.concat([word(5), str('/f')]);
  const write = (bytes: number) => Buffer.concat([word(4), str('/f'), word(0), word(bytes), word(7)]);
  const run = (config: string, ops: Buffer[]) => {
    const disk = mkfs(256 * 4096, 64);
    if (!disk.ok) throw new Error(disk.detail);
    return boot(config, { workloads: [], programs: [{ name: 'fsops', image: fsops }], disk: disk.value, input: new Uint8Array(Buffer.concat([...ops, word(0)])) });
  };

  it.each(['fileio', 'fsmeta', 'diskread'])('%s: every disk request goes through the ring; the ports are used only to start and stop the timer, enable console input and power off', (name) => {
    const r = boot('pv', { workloads: [name] });
    expect(r.exitCode).toBe(0);
    const v = r.stats.vmm!;
    expect(v.blockRing!.requests).toBe(r.stats.disk!.requests);
    expect(v.blockRing!.errors).toBe(0);
    expect(v.blockRing!.refusedKicks).toBe(0);
    expect(v.hypercalls!['diskKick']).toBeLessThanOrEqual(r.stats.disk!.requests);
    expect(v.hypercalls!['ioIn']).toBeUndefined();
    expect(v.hypercalls!['ioOut']).toBe(4); // the timer on, the console's input interrupt on, the timer off, power off
  });

  it.each([
    [1, 3, 1],
    [12, 14, 1],
    [13, 16, 1], // the indirect block too: the ring's 16 slots, one kick
    [20, 23, 2],
  ])('a write of %i blocks: %i dirty buffers, %i kick(s), and not one port access for the disk', (blocks, buffers, kicks) => {
    const native = [run('native', [CREATE]), run('native', [CREATE, write(blocks * 4096)])];
    const pv = [run('pv', [CREATE]), run('pv', [CREATE, write(blocks * 4096)])];
    for (let i = 0; i < 2; i++) {
      expect(pv[i]!.exitCode).toBe(0);
      expect(pv[i]!.processes).toEqual(native[i]!.processes);
      expect(Buffer.compare(pv[i]!.machine.disk.contents(), native[i]!.machine.disk.contents())).toBe(0);
    }
    const diff = (r: BootResult[], f: (r: BootResult) => number | undefined) => (f(r[1]!) ?? 0) - (f(r[0]!) ?? 0);
    expect(diff(native, (r) => r.stats.disk!.writes)).toBe(buffers);
    expect(diff(pv, (r) => r.stats.disk!.writes)).toBe(buffers);
    expect(diff(pv, (r) => r.stats.disk!.reads)).toBe(0);
    expect(diff(pv, (r) => r.stats.vmm!.hypercalls!['diskKick'])).toBe(kicks);
    expect(diff(pv, (r) => r.stats.vmm!.blockRing!.batches)).toBe(kicks); // one virtual interrupt each
    expect(diff(pv, (r) => r.stats.vmm!.blockRing!.requests)).toBe(buffers);
    // The disk's ports are not used at all (HC_IO_IN here is the console: fsops reads its input).
    expect(diff(pv, (r) => r.stats.vmm!.hypercalls!['ioOut'])).toBe(0);
  });
});

describe('the demo workloads under pv', () => {
  it('misbehaving processes are killed by the guest kernel exactly as natively; the others finish', () => {
    const workloads = ['badmem', 'badpriv', 'vmmread', 'vmmwrite', 'vmmmap', 'compute'];
    const native = boot('native', { workloads, iterations: 2 });
    const pv = boot('pv', { workloads, iterations: 2 });
    expect(pv.processes).toEqual(native.processes);
    expect(pv.processes.map((p) => p.exitCode)).toEqual([128 + 11, 128 + 4, 128 + 11, 128 + 11, 128 + 11, 0]); // SIGSEGV, SIGILL
    expect(pv.exitCode).toBe(4);
    expect(pv.console).toContain('kernel: killed pid 3 (badpriv): PrivilegedInstruction');
    expect(pv.stats.vmm!.reflected['PrivilegedInstruction']).toBe(1);
  });

  it('jumpvec: a process jumping to the kernel trap vector is killed, not taken for a double fault', () => {
    const trapEntry = findSymbol(pvKernel(), 'trap_entry')!.value;
    const r = boot('pv', { workloads: ['jumpvec'], iterations: trapEntry });
    expect(r.processes[0]!.exitCode).toBe(128 + 11); // SIGSEGV
    expect(r.exitCode).toBe(4);
  });
});

describe('the pv VMM keeps control of a pv guest', () => {
  it('a guest spinning with its virtual interrupts off cannot keep the VMM out', () => {
    const spin = pvGuest(`
        .org 0x10000
_start: li   t0, IRQ_TIMER
        sw   t0, PV_VCPU + V_IMASK(zero)
        li   a0, TIMER_INTERVAL
        li   a1, 1000
        li   t0, HC_IO_OUT
        syscall
.spin:  j    .spin
`);
    const r = boot('pv', { workloads: ['compute'], kernel: spin, maxCycles: 1_000_000 });
    expect(r.stop.kind).toBe('cycle-limit');
    // Its first tick stays pending (interrupts off), later ones coalesce into it: the VMM
    // needs the real timer only for its own slice, every VMM_SLICE cycles.
    expect(r.stats.traps['TimerInterrupt']).toBeGreaterThanOrEqual(15);
    expect(r.stats.traps['TimerInterrupt']).toBeLessThanOrEqual(25);
    expect(r.stats.vmm!.injectedInterrupts).toBe(0);
  });

  it('a guest turns its interrupts on with a plain store to the shared page and takes its timer ticks', () => {
    const ticks = pvGuest(`
        .org 0x10000
_start: la   t0, handler
        sw   t0, PV_VCPU + V_TVEC(zero)
        li   t0, IRQ_TIMER
        sw   t0, PV_VCPU + V_IMASK(zero)
        li   a0, TIMER_INTERVAL
        li   a1, 5000
        li   t0, HC_IO_OUT
        syscall
        li   s0, 0                  # ticks taken
        li   t0, STATUS_IE          # "ei": no hypercall
        sw   t0, PV_VCPU + V_STATUS(zero)
.spin:  li   t1, 5
        blt  s0, t1, .spin
        sw   zero, PV_VCPU + V_STATUS(zero)
        mv   a1, s0
${POWER_OFF_WITH_A1}
handler:
        lw   t1, PV_VCPU + V_CAUSE(zero)
        li   t2, CAUSE_TIMER_INTERRUPT
        bne  t1, t2, .bad
        sw   zero, PV_VCPU + V_IPEND(zero)  # acknowledge: no hypercall either
        addi s0, s0, 1
        li   t0, HC_IRET
        syscall
.bad:   li   a1, 99
${POWER_OFF_WITH_A1}
`);
    const r = boot('pv', { workloads: ['compute'], kernel: ticks, maxCycles: 1_000_000 });
    expect(r.exitCode).toBe(5);
    expect(r.stats.vmm!.injectedInterrupts).toBe(5);
    expect(r.stats.vmm!.hypercalls).toEqual({ iret: 5, ioOut: 2 });
  });

  it('a guest blocking for an interrupt that can never come stops as a deadlock, as on bare metal', () => {
    const stuck = pvGuest(`
        .org 0x10000
_start: sw   zero, PV_VCPU + V_IMASK(zero)
        li   t0, HC_BLOCK
        syscall
        li   t0, HC_HALT
        syscall
`);
    expect(boot('pv', { workloads: ['compute'], kernel: stuck }).stop.kind).toBe('deadlock');
  });

  it('a guest whose trap handler cannot run: the VMM reports a double fault and powers off with 7', () => {
    const broken = pvGuest(`
        .org 0x10000
_start: li   t0, 0x40               # the handler's address is not code ...
        sw   t0, PV_VCPU + V_TVEC(zero)
        li   t0, 0x7ffffff0
        lw   t0, 0(t0)              # ... and a bus error (beyond memory, paging off) sends it there
`);
    const r = boot('pv', { workloads: ['compute'], kernel: broken });
    expect(r.exitCode).toBe(7);
    expect(r.console).toContain('vmm: guest double fault: its trap handler faulted at pc 0x00000040');
  });

  it('a privileged instruction in a pv guest kernel is not emulated: the guest gets the trap', () => {
    const priv = pvGuest(`
        .org 0x10000
_start: la   t0, handler
        sw   t0, PV_VCPU + V_TVEC(zero)
        csrw IMASK, zero
        li   a1, 99
${POWER_OFF_WITH_A1}
handler:
        lw   a1, PV_VCPU + V_CAUSE(zero)
${POWER_OFF_WITH_A1}
`);
    const r = boot('pv', { workloads: ['compute'], kernel: priv });
    expect(r.exitCode).toBe(PRIVILEGED_INSTRUCTION);
    expect(r.stats.vmm!.emulated).toEqual({});
    expect(r.stats.vmm!.reflected).toEqual({ PrivilegedInstruction: 1 });
  });

  it('requests naming addresses beyond guest memory, and a queue count that lies, are refused or bounded', () => {
    const liar = pvGuest(`
        .org 0x10000
_start: li   a0, 0x7ffff000 | MMU_PT_WRITE
        call request
        li   a0, 0x7ffff000 | MMU_NEW_BASEPTR
        call request
        li   a0, 0x7ffff000 | MMU_RELEASE
        call request
        li   t0, -1                 # "4 billion requests": the VMM reads at most PV_MMU_MAX
        sw   t0, PV_MMU_COUNT(zero)
        li   t0, HC_MMU
        syscall
        lw   a1, PV_MMU_COUNT(zero) # emptied
${POWER_OFF_WITH_A1}
request:
        sw   a0, PV_MMU_QUEUE(zero)
        li   t0, 1
        sw   t0, PV_MMU_COUNT(zero)
        li   t0, HC_MMU
        syscall
        ret
`);
    const r = boot('pv', { workloads: ['compute'], kernel: liar });
    expect(r.exitCode).toBe(0);
    // The three, and the RELEASE again: the lie made the VMM read all PV_MMU_MAX slots, and the
    // first still held it (the others are zero: PT_WRITE of guest-physical 0, not a table).
    expect(r.stats.vmm!.pageTableRequests!['rejected']).toBe(4);
    expect(r.stats.vmm!.pageTableRequests!['ptWrite']).toBe(1 + 127);
    expect(r.stats.vmm!.hypercalls!['mmu']).toBe(4);
  });

  /** A guest that builds two address spaces of n empty page tables each (plus the identity map
   *  of its first 4 MiB, where it runs) and switches D1, D2, D1. */
  function tableHog(n: number): Image {
    return pvGuest(`
        .org 0x10000
        .equ N, ${n}
        .equ IDMAP, 0x300000        # identity map of the first 4 MiB, kernel pages
        .equ D1, 0x100000
        .equ D2, 0x101000
        .equ TABLES, 0x400000       # n tables for D1, then n for D2 (memory starts zeroed)
_start: li   t0, IDMAP
        li   t1, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE
        li   t2, IDMAP + PAGE_SIZE
        li   t3, PAGE_SIZE
.fill:  sw   t1, 0(t0)
        add  t1, t1, t3
        addi t0, t0, 4
        bltu t0, t2, .fill
        li   a0, D1
        li   a1, TABLES
        call directory
        li   a0, D2
        li   a1, TABLES + N * PAGE_SIZE
        call directory
        li   a0, D1 | MMU_NEW_BASEPTR
        call switch
        li   a0, D2 | MMU_NEW_BASEPTR
        call switch
        li   a0, D1 | MMU_NEW_BASEPTR
        call switch
        li   a1, 0
${POWER_OFF_WITH_A1}
directory:                          # a0 = directory, a1 = its first table
        li   t0, IDMAP | PTE_PRESENT
        sw   t0, 0(a0)
        li   t1, 0
.slot:  addi a0, a0, 4
        ori  t0, a1, PTE_PRESENT
        sw   t0, 0(a0)
        li   t0, PAGE_SIZE
        add  a1, a1, t0
        addi t1, t1, 1
        li   t0, N
        blt  t1, t0, .slot
        ret
switch:                             # a0 = the request
        sw   a0, PV_MMU_QUEUE(zero)
        li   t0, 1
        sw   t0, PV_MMU_COUNT(zero)
        li   t0, HC_MMU
        syscall
        ret
`);
  }

  it('when the shadow pool runs dry the VMM drops every shadow and rebuilds what the guest uses, and the guest goes on', () => {
    const r = boot('pv', { workloads: ['compute'], kernel: tableHog(300) });
    expect(r.exitCode).toBe(0);
    expect(r.stats.vmm!.shadowResets).toBe(2); // at the switch to D2 and back to D1
  });

  it('an address space bigger than the whole pool stops the guest with power-off code 10, not the host', () => {
    const r = boot('pv', { workloads: ['compute'], kernel: tableHog(600) });
    expect(r.exitCode).toBe(10);
    expect(r.console).toContain('vmm: out of shadow page tables');
  });
});
