// The binary-translating VMM (`--config bt`, programs/vmm/bt/, docs/vmm-bt.md): the unmodified
// guest kernel runs as translations in ring 1; its processes run directly in ring 3. Every
// workload gives native's results; translated code stores only to guest memory and to the
// vCPU page; the translation cache stays coherent with code the guest rewrites, survives a
// jump into the middle of a block and its own exhaustion; the LEGACY kernel (rdstatus and
// wrstatus, sensitive but unprivileged) runs correctly, where it livelocks under te.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, findSymbol, type Image } from '../../src/asm/index.js';
import { findConfig, WORKLOADS, type BootOptions, type BootResult } from '../../src/configs/index.js';
import { ROOT } from '../../src/configs/images.js';
import { VmmLayout } from '../../src/configs/vmm.js';
import { BASE, isaWith } from '../../src/isa/index.js';

const MAX_CYCLES = 400_000_000;

function boot(config: string, options: Omit<BootOptions, 'maxCycles'>): BootResult {
  return findConfig(config)!.boot({ ...options, maxCycles: MAX_CYCLES });
}

describe('bt: the unmodified kernel', () => {
  const all = WORKLOADS.map((w) => w.name);
  const half = Math.ceil(all.length / 2); // the kernel runs at most 16 processes
  it.each([all.slice(0, half), all.slice(half)])('every workload, in two boots: the same processes, outputs and exit codes as native (%s ...)', (...workloads) => {
    const native = boot('native', { workloads, iterations: 3 });
    const bt = boot('bt', { workloads, iterations: 3 });
    expect(bt.stop).toEqual(native.stop);
    expect(bt.processes).toEqual(native.processes);
    const t = bt.stats.vmm!.translation!;
    expect(t.blocks).toBeGreaterThan(0);
    expect(t.invalidations).toBe(0); // the kernel never writes its own code
  });

  it.each(['nano-divzero', 'nano-pgfault'])('%s at 1,000 iterations: native\'s output (a regression: resuming after a trap must never land on a block\'s indirect entry)', (workload) => {
    // An earlier bt_target resumed "after a callout" at any word of the next guest pc, the
    // indirect entry of the block that happened to follow included, which reloads t1 from the
    // lookup's spill slot: nano-divzero then counted 995 zero quotients of 1,000.
    const native = boot('native', { workloads: [workload], iterations: 1000 });
    const bt = boot('bt', { workloads: [workload], iterations: 1000 });
    expect(bt.processes).toEqual(native.processes);
  });

  it('BT_OP_SB, the opcode the translator tests stores by, is the ISA\'s sb (then sh and sw)', () => {
    const vmm = findConfig('bt')!.prepare({ workloads: ['compute'] }).images.find((i) => i.kind === 'vmm')!.image;
    const op = (m: string) => BASE.insns.find((i) => i.mnemonic === m)!.opcode;
    expect([op('sb'), op('sh'), op('sw')]).toEqual([0, 1, 2].map((k) => findSymbol(vmm, 'BT_OP_SB')!.value + k));
  });

  it('exact counters for one small workload (nano-syscall, 10 iterations)', () => {
    const r = boot('bt', { workloads: ['nano-syscall'], iterations: 10 });
    expect(r.processes[0]!.output).toBe('nano-syscall: n=10\n');
    const vmm = r.stats.vmm!;
    expect(vmm.translation).toEqual(EXACT_NANO_SYSCALL);
    // The callouts (privileged instructions left in place, each a trap to the VMM): the
    // kernel's trap path reads and writes EPC, ESTATUS, SCRATCH0 and so on inline, so what
    // remains of a system call is its `sret`; the csrr/csrw callouts are boot's (PTBR, IPEND,
    // the counters, EXTENSIONS). Under te the same boot traps on every one of them.
    expect(vmm.emulated).toEqual(EXACT_CALLOUTS);
    const te = boot('te', { workloads: ['nano-syscall'], iterations: 10 }).stats.vmm!.emulated;
    expect(te['csrr']! + te['csrw']!).toBeGreaterThan(5 * (vmm.emulated['csrr']! + vmm.emulated['csrw']!));
  });
});

// Measured once and kept exact (deterministic): any change to the kernel or the translator
// moves them, and this test says by how much.
const EXACT_NANO_SYSCALL = { blocks: 518, hits: 196, misses: 193, exits: 495, chained: 495, invalidations: 0, flushes: 0, wrstatus: 0, imask: 0, dataStores: 0, adaptations: 0, storeCallouts: { pageTable: 0, other: 0 } };
// No tlbflush: translated, it is a nop (the shadow follows the traced page tables).
const EXACT_CALLOUTS = { sret: 24, wfi: 13, csrr: 34, csrw: 9, in: 9, out: 164 };

describe('bt: translated code never writes VMM memory', () => {
  it('every store executed in ring 1 (translated code) goes to guest memory (through the shadow) or to the vCPU page', () => {
    const prepared = findConfig('bt')!.prepare({ workloads: ['syscall', 'pagefault'], iterations: 3 });
    const m = prepared.machine;
    const vmm = prepared.images.find((i) => i.kind === 'vmm')!.image;
    const layout = new VmmLayout(vmm);
    const sym = (n: string) => findSymbol(vmm, n)!.value >>> 0;
    const vp = sym('BT_VP');
    const words = m.memory.words;
    let stores = 0;
    let vcpuStores = 0;
    const bad: string[] = [];
    for (let steps = 0; steps < 40_000_000 && !m.cpu.halted; steps++) {
      if (m.cpu.ring === 1 && m.cpu.pc >>> 0 >= layout.vmmBase) {
        const w = words[layout.vmmPhysical(m.cpu.pc) >>> 2]! >>> 0;
        const op = w >>> 24;
        if (op >= 0x28 && op <= 0x2a) {
          const base = (w >>> 16) & 15;
          const address = (m.cpu.x[base]! + ((w << 16) >> 16)) >>> 0;
          stores++;
          if (address >= vp && address < vp + 4096) vcpuStores++;
          else if (address >= layout.vmmBase) bad.push(address.toString(16));
        }
      }
      m.step();
    }
    expect(m.cpu.halted).toBe(true);
    expect(bad).toEqual([]);
    expect(stores).toBeGreaterThan(1000);
    expect(vcpuStores).toBeGreaterThan(0);
    // And the MMU enforces it: in the VMM's page table (slot 1023 of every address space) the
    // only page ring 1 may write is the vCPU page; the cache is ring-1 execute, never write.
    const pt = layout.vmmPhysical(sym('VMM_PT')) >>> 2;
    const writableByRing1: number[] = [];
    for (let i = 0; i < 1024; i++) {
      const pte = words[pt + i]! >>> 0;
      if ((pte & 1) && (pte & 2) && ((pte >>> 3) & 3) >= 1) writableByRing1.push(i);
    }
    expect(writableByRing1).toEqual([(vp - layout.vmmBase) >>> 12]);
    // Every shadow entry of the guest's slots maps guest memory.
    const dir = layout.vmmPhysical(sym('SHADOW_PGDIR')) >>> 2;
    for (let slot = 0; slot < 1023; slot++) {
      const pde = words[dir + slot]! >>> 0;
      if (!(pde & 1)) continue;
      for (let i = 0; i < 1024; i++) {
        const pte = words[(pde >>> 12 << 10) + i]! >>> 0;
        if (pte & 1) expect(pte >>> 0 >= layout.guestBase).toBe(true);
      }
    }
  });
});

/** A bare kernel for the cache's hard cases: it runs with paging off in ring 0 and prints one
 *  line per check on the console. */
/** The paging kernels' first lines: page table TABLE maps the first 4 MiB one to one, every
 *  page present, writable and executable in ring 0 (clobbers t0-t3). */
function identityMapTable(): string {
  return `        li   t0, TABLE
        li   t1, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE
        li   t2, 1024
        li   t3, PAGE_SIZE
.map:   sw   t1, 0(t0)
        add  t1, t1, t3
        addi t0, t0, 4
        addi t2, t2, -1
        bnez t2, .map`;
}

/** The bare kernels' ending: print register `reg` in `digits` decimal digits and a newline on
 *  the console, then power off (clobbers a0, t0, s2 and `reg`). */
function printAndPowerOff(reg: string, digits: number): string {
  return `        li   s2, ${10 ** (digits - 1)}
.dec:   divu a0, ${reg}, s2
        remu ${reg}, ${reg}, s2
        addi a0, a0, '0'
        out  CONSOLE_DATA, a0
        li   t0, 10
        divu s2, s2, t0
        bnez s2, .dec
        li   a0, '\\n'
        out  CONSOLE_DATA, a0
        out  POWER_OFF, zero
        halt`;
}

function bareKernel(runLength: number): Image {
  const source = `
        .include "../lib/hw.inc"
        .org 0x10000
_start:
        call smc_target             # 1. it rewrites code on its own page
        call digit
        la   t0, smc_new
        lw   t1, 0(t0)
        la   t0, smc_target
        sw   t1, 0(t0)
        call smc_target
        call digit
        call far_target             # 2. ... and code on another page
        call digit
        la   t0, far_new
        lw   t1, 0(t0)
        la   t0, far_target
        sw   t1, 0(t0)
        call far_target
        call digit
        li   a0, 0                  # 3. a jump into the middle of a translated block
        call run_all
        call digit
        li   a0, 0
        la   t0, run_mid
        jalr ra, t0, 0
        call digit
        li   s0, 0                  # 4. exhaustion: enter a long run at each of its words
        li   s1, 0
        li   s2, ${runLength}
.ex:    bgeu s0, s2, .exdone
        li   a0, 0
        la   t0, long_run
        slli t1, s0, 2
        add  t0, t0, t1
        jalr ra, t0, 0
        add  s1, s1, a0
        addi s0, s0, 1
        j    .ex
.exdone:
${printAndPowerOff('s1', 8)}
digit:  addi a0, a0, '0'
        out  CONSOLE_DATA, a0
        li   a0, '\\n'
        out  CONSOLE_DATA, a0
        ret
smc_target:
        addi a0, zero, 1
        ret
smc_new:
        addi a0, zero, 2
run_all:
        addi a0, a0, 1
        addi a0, a0, 1
        addi a0, a0, 1
run_mid:
        addi a0, a0, 1
        addi a0, a0, 1
        ret
        .align 4096
far_target:
        addi a0, zero, 3
        ret
far_new:
        addi a0, zero, 4
        .align 4096
long_run:
${'        addi a0, a0, 1\n'.repeat(runLength)}        ret
`;
  const result = assemble(source, { fileName: join(ROOT, 'programs', 'kernel', 'bare.s'), isa: isaWith([]), includeRoot: ROOT });
  if (!result.ok) throw new Error(JSON.stringify(result.errors[0]));
  return result.image;
}

describe('bt: the translation cache', () => {
  const RUN = 4096;
  const kernel = bareKernel(RUN);
  const expected = `1\n2\n3\n4\n5\n2\n${String((RUN * (RUN + 1)) / 2).padStart(8, '0')}\n`;

  it('natively (and under te) the bare kernel prints what it computes', () => {
    for (const config of ['native', 'te']) {
      const r = boot(config, { workloads: ['compute'], kernel });
      expect(r.console).toBe(expected);
    }
  });

  it('self-modifying code, a jump into the middle of a block, exhaustion: the same output under bt', () => {
    const r = boot('bt', { workloads: ['compute'], kernel });
    expect(r.console).toBe(expected);
    const t = r.stats.vmm!.translation!;
    expect(t.invalidations).toBe(2); // the two stores to translated code, no other
    expect(t.flushes).toBeGreaterThanOrEqual(2 + 2); // and the cache filled at least twice
  });
});

describe('bt: the LEGACY kernel (rdstatus, wrstatus), which livelocks under te', () => {
  it.each(['sleep', 'compute', 'syscall', 'io'])('workload %s: the same console, processes and exit code as the plain kernel natively', (workload) => {
    const plain = boot('native', { workloads: [workload], iterations: 4 });
    const legacy = boot('bt', { workloads: [workload], iterations: 4, kernelDefines: { LEGACY: 1 } });
    expect(legacy.stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(legacy.console).toBe(plain.console);
    expect(legacy.processes).toEqual(plain.processes);
    expect(legacy.stats.vmm!.translation!.wrstatus).toBeGreaterThan(0);
  });

  it('several processes, with idle time: the same per-process results, no warning', () => {
    const workloads = ['sleep', 'ctxswitch', 'compute', 'pagefault'];
    const plain = boot('native', { workloads, iterations: 5 });
    const legacy = boot('bt', { workloads, iterations: 5, kernelDefines: { LEGACY: 1 } });
    expect(legacy.exitCode).toBe(0);
    expect(legacy.processes).toEqual(plain.processes);
    expect(legacy.console).not.toContain('warning');
  });
});



/** A bare kernel that pages (one directory, one table mapping its first 4 MiB to itself, ring
 *  0) and stores through one plain routine, `put`, to ordinary data and to its own page table:
 *  ten times, it writes a word on page A and on page B, then points the window page (0x300000)
 *  at A or B by a `put` of its PTE, flushes it and reads it back. It prints the sum. */
function pagingKernel(rounds: number): Image {
  const source = `
        .include "../lib/hw.inc"
        .equ DIR, 0x20000
        .equ TABLE, 0x21000
        .equ PAGE_A, 0x40000
        .equ PAGE_B, 0x41000
        .equ WINDOW, 0x300000
        .org 0x10000
_start:
${identityMapTable()}
        li   t0, DIR
        li   t1, TABLE | PTE_PRESENT
        sw   t1, 0(t0)
        li   t0, DIR | PTBR_ENABLE
        csrw PTBR, t0
        li   s0, 0                  # the sum of what the window showed
        li   s1, 0                  # the round
.loop:  li   a0, PAGE_A             # data
        mv   a1, s1
        call put
        li   a0, PAGE_B
        addi a1, s1, 100
        call put
        li   a0, TABLE + (WINDOW >> 12) * 4     # a page-table entry, by the same store
        andi t0, s1, 1
        slli t0, t0, 12
        li   a1, PAGE_A | PTE_PRESENT | PTE_WRITABLE
        add  a1, a1, t0
        call put
        li   t0, WINDOW
        tlbflush t0
        lw   t1, 0(t0)
        add  s0, s0, t1
        addi s1, s1, 1
        li   t0, ${rounds}
        blt  s1, t0, .loop
${printAndPowerOff('s0', 5)}
put:    sw   a1, 0(a0)              # the one store site
        ret
`;
  const result = assemble(source, { fileName: join(ROOT, 'programs', 'kernel', 'bare.s'), isa: isaWith([]), includeRoot: ROOT });
  if (!result.ok) throw new Error(JSON.stringify(result.errors[0]));
  return result.image;
}

/** A bare kernel whose user code (ring 3) stores to the kernel's page table through a mapping
 *  the kernel gave it, user-writable (no kernel would; defined all the same): it points the
 *  window page at page A, whose first word is 42, and makes a system call; the kernel flushes
 *  the window, reads it and prints what it finds. */
function userStoreKernel(): Image {
  const source = `
        .include "../lib/hw.inc"
        .equ DIR, 0x20000
        .equ TABLE, 0x21000
        .equ UTABLE, 0x22000
        .equ PAGE_A, 0x40000
        .equ WINDOW, 0x300000
        .equ USER, 0x400000         # slot 1: the user's code, then the kernel's table
        .org 0x10000
_start:
${identityMapTable()}
        li   t0, UTABLE
        la   t1, user_code
        ori  t1, t1, PTE_PRESENT | PTE_EXECUTABLE | PTE_RING3
        sw   t1, 0(t0)
        li   t1, TABLE | PTE_PRESENT | PTE_WRITABLE | PTE_RING3
        sw   t1, 4(t0)
        li   t0, DIR
        li   t1, TABLE | PTE_PRESENT
        sw   t1, 0(t0)
        li   t1, UTABLE | PTE_PRESENT
        sw   t1, 4(t0)
        li   t0, PAGE_A
        li   t1, 42
        sw   t1, 0(t0)
        la   t0, handler
        csrw TVEC, t0
        li   t0, DIR | PTBR_ENABLE
        csrw PTBR, t0
        li   t0, WINDOW             # the window as it is (0): the shadow has an entry for it now
        lw   s0, 0(t0)
        li   t0, 3                  # to the user, ring 3
        csrw ESTATUS, t0
        li   t0, USER
        csrw EPC, t0
        sret
handler:
        li   t0, WINDOW
        tlbflush t0
        lw   a0, 0(t0)
        add  a0, a0, s0
        li   t0, 10
        divu t1, a0, t0
        addi t1, t1, '0'
        out  CONSOLE_DATA, t1
        remu t1, a0, t0
        addi t1, t1, '0'
        out  CONSOLE_DATA, t1
        li   a0, '\\n'
        out  CONSOLE_DATA, a0
        out  POWER_OFF, zero
        halt
        .align 4096
user_code:
        li   t0, USER + PAGE_SIZE + (WINDOW >> 12) * 4
        li   t1, PAGE_A | PTE_PRESENT | PTE_WRITABLE
        sw   t1, 0(t0)
        syscall
`;
  const result = assemble(source, { fileName: join(ROOT, 'programs', 'kernel', 'bare.s'), isa: isaWith([]), includeRoot: ROOT });
  if (!result.ok) throw new Error(JSON.stringify(result.errors[0]));
  return result.image;
}

describe('bt: traced page tables and adaptive translation', () => {
  it('one store site that writes both data and a traced page table: native output; 3 trace faults, then one retranslation, then callouts of both kinds', () => {
    const kernel = pagingKernel(10);
    const expected = `${String(0 + 2 + 4 + 6 + 8 + 101 + 103 + 105 + 107 + 109).padStart(5, '0')}\n`;
    expect(boot('native', { workloads: ['compute'], kernel }).console).toBe(expected);
    const r = boot('bt', { workloads: ['compute'], kernel });
    expect(r.console).toBe(expected);
    const t = r.stats.vmm!.translation!;
    // The first fill traces the directory and the table. Rounds 0-2: the PTE store faults; the
    // third fault retranslates `put`'s store. Rounds 3-9: callouts, two to data, one to the
    // table. Each PTE store but the first (the window was never read before it) updates the
    // window's shadow entry in place.
    expect(r.stats.vmm!.tracing).toEqual({ traces: 2, faults: 3, shadowUpdates: 9 });
    expect(t.adaptations).toBe(1);
    expect(t.storeCallouts).toEqual({ pageTable: 7, other: 14 });
    expect(r.stats.vmm!.emulated['tlbflush']).toBeUndefined(); // a nop in translation
  });

  it('a user store to a traced page table (through a user-writable mapping): done by the VMM, the shadow updated, never retranslated', () => {
    const kernel = userStoreKernel();
    expect(boot('native', { workloads: ['compute'], kernel }).console).toBe('42\n');
    const r = boot('bt', { workloads: ['compute'], kernel });
    expect(r.console).toBe('42\n');
    // Traced: the directory, the kernel's table (slot 0) and the user's (slot 1).
    expect(r.stats.vmm!.tracing).toEqual({ traces: 3, faults: 1, shadowUpdates: 1 });
    expect(r.stats.vmm!.translation!.adaptations).toBe(0);
  });

  it('exact counters for nano-ptemod and ptemod (10 iterations)', () => {
    const nano = boot('bt', { workloads: ['nano-ptemod'], iterations: 10 });
    expect(nano.processes[0]!.output).toBe('nano-ptemod: n=10 check=77\n');
    const counters = (r: BootResult) => ({ tracing: r.stats.vmm!.tracing, adaptations: r.stats.vmm!.translation!.adaptations, storeCallouts: r.stats.vmm!.translation!.storeCallouts });
    expect(counters(nano)).toEqual(EXACT_NANO_PTEMOD);
    // The heap's page table is not traced while the loop runs (no shadow fill has walked it: the
    // process touches the heap only afterwards), so the loop's PTE stores run as they are and
    // its tlbflushes are nops: ten times as many iterations, not one trace fault or callout more.
    const longer = boot('bt', { workloads: ['nano-ptemod'], iterations: 100 });
    expect(counters(longer)).toEqual(EXACT_NANO_PTEMOD);
    expect(longer.stats.vmm!.emulated['tlbflush']).toBeUndefined();
    // ptemod maps a page, touches it and unmaps it: its table is traced, and the kernel's two
    // PTE store sites (map and unmap) fault three times each, then are callouts.
    const ptemod = boot('bt', { workloads: ['ptemod'], iterations: 10 });
    expect(ptemod.processes).toEqual(boot('native', { workloads: ['ptemod'], iterations: 10 }).processes);
    expect(counters(ptemod)).toEqual(EXACT_PTEMOD);
  });
});

// The boot's own: init's and the kernel's first PTE stores to traced tables (5 faults).
const EXACT_NANO_PTEMOD = { tracing: { traces: 57, faults: 5, shadowUpdates: 4 }, adaptations: 0, storeCallouts: { pageTable: 0, other: 0 } };
const EXACT_PTEMOD = { tracing: { traces: 57, faults: 11, shadowUpdates: 14 }, adaptations: 2, storeCallouts: { pageTable: 13, other: 0 } };
