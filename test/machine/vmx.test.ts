// The virtualization extension at machine level (src/isa/vmx.ts, the "Virtualization extension"
// section of src/machine/processor.ts, the guest TLB context and EPT of src/machine/mmu.ts):
// small VMMs in ringlab assembly, assembled here, run guests in non-root mode and log every VM
// exit to memory, and the tests check the log, the VMCS and the statistics.
//
// Memory map of every test machine (256 KiB):
//   0x1000  the VMM (root mode, ring 0, paging off)
//   0x3000  the VMCS                       0x3400  the exit log (32 bytes per exit)
//   0x3f00  host stack top (H_SP)
//   0x4000  guest code (host-physical = guest-physical unless the test uses EPT)
//   0x5000  guest trap handler             0x6000  guest data
//   0x8000  root page tables for guests with (shadow-style) paging
//   0x20000 host-physical base of guest-physical memory under EPT; 0x30000 the EPT

import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, findSymbol, formatAsmError, type Image } from '../../src/asm/index.js';
import { Cause, ExitControl, ExitReason, INJECT_VALID, isaWith, vmcsOffset, VMX } from '../../src/isa/index.js';
import { costPreset, type CostModel } from '../../src/machine/costs.js';
import { Machine, type MachineOptions, type MachineStats, type StopReason, type WorldMap } from '../../src/machine/machine.js';
import { translatorSettings } from '../../src/machine/translate.js';
import { archState, enterRing, expectAccountingConsistent, PageTables, peek32, poke32, PTE } from './helpers.js';

const VMX_ISA = isaWith(['vmx']);
const MEMORY = 256 * 1024;
const VMCS = 0x3000;
const LOG = 0x3400;
const HSTACK = 0x3f00;
const GUEST = 0x4000;
const GHANDLER = 0x5000;
const GDATA = 0x6000;
const ROOT_PT = 0x8000;
const EPT_BASE = 0x20000;
const EPT_DIR = 0x30000;
const DONE = -1; // a guest's `li a0, -1; vmcall` asks the logging VMM to stop

const DEFAULT = costPreset('default');
const VTX2006 = costPreset('vtx-2006');

const F = (name: string): number => vmcsOffset(name);
const greg = (m: Machine, r: number): number => peek32(m, VMCS + F('G_REGS') + 4 * r);
const vmcs = (m: Machine, field: string): number => peek32(m, VMCS + F(field));
/** The word of an N-format instruction (signed, as registers and memory hold it). */
const word = (mnemonic: string): number => (VMX_ISA.byMnemonic.get(mnemonic)!.opcode << 24) | 0;
const cost = (mnemonic: string): number => VMX_ISA.byMnemonic.get(mnemonic)!.cost;

/** Assemble with the vmx ISA; `.include "hw.inc"` finds programs/lib/hw.inc. */
function asmVmx(source: string): Image {
  const r = assemble(source, { fileName: join(import.meta.dirname, '../../programs/lib/vmx-test.s'), isa: VMX_ISA });
  if (!r.ok) throw new Error(`test program does not assemble:\n${r.errors.map(formatAsmError).join('\n')}\n${source}`);
  return r.image;
}

/** Copy an image into physical memory at `offset` + each segment's address. */
function loadAt(m: Machine, image: Image, offset: number): void {
  for (const seg of image.segments) m.writePhysical(offset + seg.address, seg.data);
}

interface VmSpec {
  /** Guest code at GUEST (its first instruction is G_PC unless `fields` says otherwise). */
  guest: string;
  /** More guest code and data (with their own .org), e.g. a trap handler at GHANDLER. */
  guestExtra?: string;
  /** VMCS fields to set before vmlaunch: a number, or an assembler expression (label, constant). */
  fields?: Record<string, number | string>;
  /** Root code run before the VMCS is set up (ring 0, paging off; t0-t3 free). */
  prologue?: string;
  /** Root code run on each exit after it is logged (s0 = VMCS, t0 = exits so far); it may
   *  `j stop`. By default the VMM resumes, past the exiting instruction when X_INSN != 0. */
  onExit?: string;
  /** Stop after this many exits (default 50). */
  maxExits?: number;
  /** Advance G_PC before resuming: 'insn' (when X_INSN != 0, the default), 'always', 'never'. */
  advance?: 'insn' | 'always' | 'never';
  /** Put the guest at guest-physical addresses behind an EPT (see `vm`). */
  ept?: boolean;
  /** Prepare memory (page tables, data) after loading, before running. */
  setup?: (m: Machine) => void;
  machine?: MachineOptions;
}

interface ExitRecord {
  reason: number;
  qual: number;
  gpc: number;
  insn: number;
  gpa: number;
  gva: number;
}

/**
 * The logging VMM. It clears the VMCS with stores, fills in guest state (G_PC = guest, ring 0,
 * paging off), host state (H_PC = exit, H_SP, H_TVEC = htrap, H_STATUS/H_PTBR/H_IMASK 0) and the
 * given fields, then vmptrld + vmlaunch. Each exit appends (reason, qualification, G_PC, X_INSN,
 * X_GPA, X_GVA) to LOG and resumes; a Hypercall with guest a0 = -1 stops it (halt). A trap in
 * the VMM itself goes to htrap, which halts with the trap in CAUSE/EPC/EINSN.
 */
function vmmSource(spec: VmSpec): string {
  const fields = Object.entries(spec.fields ?? {})
    .map(([name, value]) => `        li      t0, ${value}\n        sw      t0, VMCS_${name}(s0)`)
    .join('\n');
  const advance = spec.advance ?? 'insn';
  const advanceCode =
    advance === 'never'
      ? ''
      : `${advance === 'insn' ? '        lw      t3, VMCS_X_INSN(s0)\n        beqz    t3, resume' : ''}
        lw      t3, VMCS_G_PC(s0)
        addi    t3, t3, 4
        sw      t3, VMCS_G_PC(s0)`;
  return `
        .include "hw.inc"
        .equ    VMCS, ${VMCS}
        .org    0x1000
_start:
${spec.prologue ?? ''}
        li      s0, VMCS
        mv      t0, s0
        li      t1, VMCS_SIZE / 4
clear:  sw      zero, 0(t0)
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, clear
        la      t0, ${spec.ept ? GUEST : 'guest'}
        sw      t0, VMCS_G_PC(s0)
        la      t0, exit
        sw      t0, VMCS_H_PC(s0)
        li      t0, ${HSTACK}
        sw      t0, VMCS_H_SP(s0)
        la      t0, htrap
        sw      t0, VMCS_H_TVEC(s0)
${fields}
        la      t0, htrap
        csrw    TVEC, t0
        vmptrld s0
launch: vmlaunch
        halt                        # not reached
htrap:  halt                        # a trap in the VMM: CAUSE/EPC/EINSN say which

exit:   li      s0, VMCS
        la      s1, nexits
        lw      t0, 0(s1)
        slli    t1, t0, 5
        li      t2, ${LOG}
        add     t2, t2, t1
        lw      t3, VMCS_X_REASON(s0)
        sw      t3, 0(t2)
        lw      t3, VMCS_X_QUAL(s0)
        sw      t3, 4(t2)
        lw      t3, VMCS_G_PC(s0)
        sw      t3, 8(t2)
        lw      t3, VMCS_X_INSN(s0)
        sw      t3, 12(t2)
        lw      t3, VMCS_X_GPA(s0)
        sw      t3, 16(t2)
        lw      t3, VMCS_X_GVA(s0)
        sw      t3, 20(t2)
        addi    t0, t0, 1
        sw      t0, 0(s1)
        li      t1, ${spec.maxExits ?? 50}
        bge     t0, t1, stop
        lw      t3, VMCS_X_REASON(s0)
        li      t2, VMX_REASON_HYPERCALL
        bne     t3, t2, hook
        lw      t3, VMCS_G_REGS + 16(s0)    # guest a0
        li      t2, ${DONE}
        beq     t3, t2, stop
hook:
${spec.onExit ?? ''}
${advanceCode}
resume: vmresume
        halt                        # not reached
stop:   halt
nexits: .word   0
${spec.ept ? '' : guestSource(spec)}
`;
}

function guestSource(spec: VmSpec): string {
  return `
        .org    ${GUEST}
guest:
${spec.guest}
${spec.guestExtra ?? ''}
`;
}

interface Vm {
  m: Machine;
  vmm: Image;
  guest: Image;
  /** Address of a label in the VMM or (with EPT, guest-physical) in the guest. */
  sym(name: string): number;
  run(maxCycles?: number): StopReason;
  exits(): ExitRecord[];
  stats(): MachineStats;
}

/** Build the machine, load the VMM (and under EPT the guest at EPT_BASE + its address, with an
 *  EPT mapping guest-physical [0, 64 KiB) there read/write/execute). Not run yet. */
function vm(spec: VmSpec): Vm {
  const vmm = asmVmx(vmmSource(spec));
  const m = new Machine({ memoryBytes: MEMORY, extensions: ['vmx'], worlds: VMX_WORLDS, ...spec.machine });
  m.load(vmm);
  let guest = vmm;
  if (spec.ept) {
    guest = asmVmx(`        .include "hw.inc"\n${guestSource(spec)}`);
    loadAt(m, guest, EPT_BASE);
    buildEpt(m, 16);
  }
  spec.setup?.(m);
  return {
    m,
    vmm,
    guest,
    sym(name) {
      const s = findSymbol(guest, name) ?? findSymbol(vmm, name);
      if (!s) throw new Error(`no symbol '${name}'`);
      return s.value;
    },
    run(maxCycles = 1_000_000) {
      return m.run(maxCycles);
    },
    exits() {
      const n = peek32(m, findSymbol(vmm, 'nexits')!.value);
      return Array.from({ length: n }, (_, i) => {
        const at = LOG + 32 * i;
        return { reason: peek32(m, at), qual: peek32(m, at + 4), gpc: peek32(m, at + 8), insn: peek32(m, at + 12), gpa: peek32(m, at + 16), gva: peek32(m, at + 20) };
      });
    },
    stats() {
      return m.stats();
    },
  };
}

/** Build, run to a stop, and expect the VMM to have stopped by halting in root mode. */
function runVm(spec: VmSpec, maxCycles = 1_000_000): Vm & { stop: StopReason } {
  const v = vm(spec);
  const stop = v.run(maxCycles);
  return { ...v, stop };
}

function expectStoppedInVmm(v: Vm & { stop: StopReason }): void {
  expect(v.stop.kind).toBe('halt');
  expect(v.m.cpu.nonRoot, 'the VMM halted, not the guest').toBe(false);
  expect(v.m.cpu.pc, 'at the VMM stop label').toBe(v.sym('stop') + 4);
}

/** EPT at EPT_DIR mapping guest-physical pages [0, pages) to EPT_BASE + page with `flags`. */
function buildEpt(m: Machine, pages: number, flags = PTE.P | PTE.W | PTE.X): PageTables {
  const ept = new PageTables(m, EPT_DIR, EPT_DIR + 0x1000);
  for (let p = 0; p < pages; p++) ept.map(p * 4096, EPT_BASE + p * 4096, flags);
  return ept;
}

/** Step until `done()` (one instruction or event at a time), at most `limit` steps. */
function stepUntil(m: Machine, done: () => boolean, limit = 10_000): void {
  for (let i = 0; !done(); i++) {
    if (i >= limit) expect.fail(`condition not reached in ${limit} steps`);
    const stop = m.step();
    if (stop.kind !== 'step') expect.fail(`stopped before the condition: ${JSON.stringify(stop)}`);
  }
}

/** Root mode is the VMM; non-root ring 3 guest user, other non-root rings the guest kernel. */
const VMX_WORLDS: WorldMap = (mode, ring) => (mode === 'root' ? 'vmm' : ring === 3 ? 'guestUser' : 'guestKernel');

const GUEST_DONE = `        li      a0, ${DONE}\n        vmcall`;

// ------------------------------------------------------------------------------------------------

describe('the vmx instructions and privilege', () => {
  const MNEMONICS = ['vmptrld', 'vmlaunch', 'vmresume', 'vmcall', 'invvpid', 'invvpidall'];
  const operand = (mn: string): string => (mn === 'vmptrld' || mn === 'invvpid' ? `${mn} t1` : mn);

  function trapOf(source: string, extensions: string[]): Machine {
    const m = new Machine({ memoryBytes: MEMORY, extensions });
    m.load(asmVmx(source));
    const stop = m.run(100_000);
    expect(stop.kind).toBe('halt');
    return m;
  }

  it('the extension holds exactly the six instructions, opcodes 0x80-0x85', () => {
    expect(VMX.insns.map((i) => i.mnemonic)).toEqual(MNEMONICS);
    expect(VMX.insns.map((i) => i.opcode)).toEqual([0x80, 0x81, 0x82, 0x83, 0x84, 0x85]);
  });

  it.each(MNEMONICS)('without the extension %s is an illegal instruction', (mn) => {
    const m = trapOf(
      `        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      t1, ${VMCS}
insn:   ${operand(mn)}
        halt
handler: halt`,
      [],
    );
    expect(m.cpu.cause).toBe(Cause.IllegalInstruction);
    expect(m.cpu.epc).toBe(0x1000 + 4 * 4);
    expect(m.cpu.einsn >>> 24).toBe(VMX_ISA.byMnemonic.get(mn)!.opcode);
    expect(m.cpu.nonRoot).toBe(false);
  });

  it.each(['vmptrld', 'vmlaunch', 'vmresume', 'invvpid', 'invvpidall'])('%s outside ring 0 raises PrivilegedInstruction in every ring', (mn) => {
    for (const ring of [1, 2, 3]) {
      const m = trapOf(
        `        .org 0x1000
_start: li      t1, ${VMCS}
${enterRing(ring)}
        .org 0x2000
user:   ${operand(mn)}
        halt
        .org 0x3800
handler: halt`,
        ['vmx'],
      );
      expect(m.cpu.cause).toBe(Cause.PrivilegedInstruction);
      expect(m.cpu.epc).toBe(0x2000);
      expect(m.cpu.estatus & 3).toBe(ring);
      expect(m.cpu.vmcs, 'no VMCS was made current').toBe(-1);
    }
  });

  it('vmcall in root mode raises IllegalInstruction, in ring 0 and in ring 3', () => {
    for (const ring of [0, 3]) {
      const m = trapOf(
        `        .org 0x1000
_start: ${enterRing(ring)}
        .org 0x2000
user:   vmcall
        halt
        .org 0x3800
handler: halt`,
        ['vmx'],
      );
      expect(m.cpu.cause).toBe(Cause.IllegalInstruction);
      expect(m.cpu.epc).toBe(0x2000);
      expect(m.cpu.einsn).toBe(word('vmcall'));
      expect(m.stats().vmExits).toEqual({});
    }
  });
});

// ------------------------------------------------------------------------------------------------

describe('a minimal VMM: launch, hypercall exit, resume', () => {
  // Written out by hand (the other tests generate theirs with vmmSource): the VMCS is cleared,
  // every guest register gets a distinct value, the host state is set, and the VMM launches.
  const MINIMAL = `
        .include "hw.inc"
        .equ    VMCS, ${VMCS}
        .org    0x1000
_start: li      s0, VMCS
        mv      t0, s0
        li      t1, VMCS_SIZE / 4
clear:  sw      zero, 0(t0)
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, clear
        li      t1, 1                   # G_REGS[r] = 0x1100 + r
regs:   slli    t2, t1, 2
        add     t2, t2, s0
        addi    t3, t1, 0x1100
        sw      t3, VMCS_G_REGS(t2)
        addi    t1, t1, 1
        li      t3, 16
        blt     t1, t3, regs
        la      t0, guest
        sw      t0, VMCS_G_PC(s0)
        sw      zero, VMCS_G_STATUS(s0) # guest ring 0, interrupts off
        li      t0, 0x5000
        sw      t0, VMCS_G_TVEC(s0)
        li      t0, 2
        sw      t0, VMCS_G_IMASK(s0)
        la      t0, exit
        sw      t0, VMCS_H_PC(s0)
        li      t0, ${HSTACK}
        sw      t0, VMCS_H_SP(s0)
        li      t0, STATUS_IE
        sw      t0, VMCS_H_STATUS(s0)   # ring 0, interrupts on in the exit handler
        sw      zero, VMCS_H_PTBR(s0)   # paging off
        la      t0, htrap
        sw      t0, VMCS_H_TVEC(s0)
        li      t0, IRQ_CONSOLE
        sw      t0, VMCS_H_IMASK(s0)
        sw      zero, VMCS_C_EXIT(s0)
        vmptrld s0
launch: vmlaunch
        halt
htrap:  halt
exit:   li      s0, VMCS
        lw      t0, VMCS_G_PC(s0)
        addi    t0, t0, 4
        sw      t0, VMCS_G_PC(s0)
        la      t1, count
        lw      t0, 0(t1)
        addi    t0, t0, 1
        sw      t0, 0(t1)
        li      t2, 2
        beq     t0, t2, stop
        vmresume
stop:   halt
count:  .word   0

        .org    ${GUEST}
guest:  addi    ra, ra, 1
        addi    sp, sp, 1
        addi    fp, fp, 1
        addi    a0, a0, 1
        addi    a1, a1, 1
        addi    a2, a2, 1
        addi    a3, a3, 1
        addi    t0, t0, 1
        addi    t1, t1, 1
        addi    t2, t2, 1
        addi    t3, t3, 1
        addi    s0, s0, 1
        addi    s1, s1, 1
        addi    s2, s2, 1
        addi    s3, s3, 1
call1:  vmcall
        addi    s3, s3, 0x100           # after the resume
call2:  vmcall
`;

  function setup() {
    const image = asmVmx(MINIMAL);
    const m = new Machine({ memoryBytes: MEMORY, extensions: ['vmx'] });
    m.load(image);
    const sym = (n: string): number => findSymbol(image, n)!.value;
    return { m, sym };
  }

  it('vmlaunch loads the guest registers, pc, STATUS and control registers from the VMCS', () => {
    const { m, sym } = setup();
    stepUntil(m, () => m.cpu.pc === sym('launch'));
    expect(m.cpu.nonRoot).toBe(false);
    m.step();
    const c = m.cpu;
    expect(c.nonRoot).toBe(true);
    expect(c.pc).toBe(sym('guest'));
    expect(c.ring).toBe(0);
    expect(c.interruptsEnabled).toBe(false);
    expect(c.tvec).toBe(0x5000);
    expect(c.imask).toBe(2);
    expect(c.paging).toBe(false);
    expect(Array.from(c.x)).toEqual([0, ...Array.from({ length: 15 }, (_, i) => 0x1100 + i + 1)]);
    expect(vmcs(m, 'LAUNCHED')).toBe(1);
    expect(c.vmcs).toBe(VMCS);
  });

  it('vmcall exits with reason Hypercall, the vmcall word and address, and every guest register saved', () => {
    const { m, sym } = setup();
    stepUntil(m, () => m.cpu.nonRoot);
    stepUntil(m, () => !m.cpu.nonRoot);
    const c = m.cpu;
    expect(vmcs(m, 'X_REASON')).toBe(ExitReason.Hypercall);
    expect(vmcs(m, 'X_QUAL')).toBe(0);
    expect(vmcs(m, 'X_INSN')).toBe(word('vmcall'));
    expect(vmcs(m, 'G_PC'), 'G_PC is the vmcall itself').toBe(sym('call1'));
    expect(vmcs(m, 'G_STATUS')).toBe(0);
    expect(vmcs(m, 'G_TVEC')).toBe(0x5000);
    expect(vmcs(m, 'G_IMASK')).toBe(2);
    for (let r = 1; r < 16; r++) expect(greg(m, r), `G_REGS[${r}]`).toBe(0x1100 + r + 1);
    expect(greg(m, 0)).toBe(0);
    // The host's state: pc, sp, STATUS, TVEC and IMASK from the host area; paging off.
    expect(c.pc).toBe(sym('exit'));
    expect(c.x[2]).toBe(HSTACK);
    expect(c.ring).toBe(0);
    expect(c.interruptsEnabled).toBe(true);
    expect(c.tvec).toBe(sym('htrap'));
    expect(c.imask).toBe(2); // IRQ_CONSOLE
    expect(c.paging).toBe(false);
    expect(m.stats().vmExits).toEqual({ Hypercall: 1 });
  });

  it('vmresume with G_PC moved past the vmcall continues the guest after it', () => {
    const { m, sym } = setup();
    const stop = m.run(100_000);
    expect(stop.kind).toBe('halt');
    expect(m.cpu.nonRoot).toBe(false);
    expect(peek32(m, sym('count'))).toBe(2);
    expect(vmcs(m, 'G_PC')).toBe(sym('call2') + 4); // the handler moved it on before stopping
    expect(greg(m, 15), 's3: +1 before the first exit, +0x100 after the resume').toBe(0x1100 + 15 + 1 + 0x100);
    expect(greg(m, 14)).toBe(0x1100 + 14 + 1);
    const s = m.stats();
    expect(s.vmExits).toEqual({ Hypercall: 2 });
    // 16 guest instructions retired (the vmcalls exit and do not retire), all in non-root ring 0.
    expect(s.modes!.nonRoot.instructions).toBe(16);
    expect(s.modes!.root.instructions + s.modes!.nonRoot.instructions).toBe(s.instructions);
    expect(s.modes!.nonRoot.cycles).toBe(16);
    expect(s.worlds.guestKernel.instructions).toBe(s.instructions); // native worlds: everything ring 0
    expect(s.worlds.transition.cycles).toBe(2 * (DEFAULT.vmExit + DEFAULT.vmEntry));
    expectAccountingConsistent(s);
  });

  it('vmresume before any launch, vmlaunch twice and vmlaunch without a VMCS raise IllegalInstruction', () => {
    const cases: [string, string][] = [
      ['vmresume first', `li s0, ${VMCS}\n vmptrld s0\n bad: vmresume`],
      ['no VMCS', `bad: vmlaunch`],
      ['no VMCS, resume', `bad: vmresume`],
    ];
    for (const [what, code] of cases) {
      const m = new Machine({ memoryBytes: MEMORY, extensions: ['vmx'] });
      const image = asmVmx(`        .org 0x1000\n_start: la t0, handler\n csrw TVEC, t0\n ${code}\n halt\nhandler: halt`);
      m.load(image);
      expect(m.run(10_000).kind).toBe('halt');
      expect(m.cpu.cause, what).toBe(Cause.IllegalInstruction);
      expect(m.cpu.epc, what).toBe(findSymbol(image, 'bad')!.value);
      expect(m.cpu.nonRoot, what).toBe(false);
      expect(m.stats().worlds.transition.cycles, `${what}: no entry charged`).toBe(DEFAULT.trapEntry);
    }
    // vmlaunch again on the launched VMCS after the first exit.
    const v = runVm({ guest: 'vmcall', onExit: '        la t0, htrap\n        csrw TVEC, t0\nagain:  vmlaunch' });
    expect(v.stop.kind).toBe('halt');
    expect(v.m.cpu.cause).toBe(Cause.IllegalInstruction);
    expect(v.m.cpu.epc).toBe(v.sym('again'));
    expect(v.m.cpu.nonRoot).toBe(false);
    expect(v.exits()).toHaveLength(1);
  });

  it('vmptrld of an unaligned or out-of-memory address raises IllegalInstruction; a good one makes it current', () => {
    for (const addr of [VMCS + 4, VMCS + 0x80, MEMORY - 0x80, MEMORY, 0xffff_ff00]) {
      const m = new Machine({ memoryBytes: MEMORY, extensions: ['vmx'] });
      const image = asmVmx(`        .org 0x1000\n_start: la t0, handler\n csrw TVEC, t0\n li t1, ${addr}\nbad: vmptrld t1\n halt\nhandler: halt`);
      m.load(image);
      expect(m.run(10_000).kind).toBe('halt');
      expect(m.cpu.cause, `0x${addr.toString(16)}`).toBe(Cause.IllegalInstruction);
      expect(m.cpu.epc).toBe(findSymbol(image, 'bad')!.value);
      expect(m.cpu.vmcs).toBe(-1);
    }
    const m = new Machine({ memoryBytes: MEMORY, extensions: ['vmx'] });
    m.load(asmVmx(`        .org 0x1000\n_start: li t1, ${MEMORY - 256}\n vmptrld t1\n halt`));
    expect(m.run(10_000).kind).toBe('halt');
    expect(m.cpu.vmcs).toBe(MEMORY - 256);
    expect(m.cpu.trapCounts.every((count) => count === 0)).toBe(true);
  });

  it('loading a program after a guest halted the machine in non-root mode starts it in root mode', () => {
    const v = runVm({ guest: `        halt`, fields: { C_EXIT: 'VMX_EXIT_IO', G_PTBR: ROOT_PT | 1 }, setup: (m) => guestPaging(m) });
    expect(v.stop.kind).toBe('halt');
    expect(v.m.cpu.nonRoot).toBe(true);
    const { m } = v;
    const before = m.stats();
    const image = asmVmx(`        .org 0x1000\n_start: la t0, handler\n        csrw TVEC, t0\n        out 0x40, zero\nbad:    vmcall\n        halt\nhandler: halt`);
    m.load(image);
    expect(m.cpu.nonRoot).toBe(false);
    expect(m.cpu.vmcs).toBe(-1);
    expect(m.cpu.mmu.save().inGuest).toBe(false);
    expect(m.cpu.mmu.save().guest.tag.every((t) => t === -1), 'no guest translations left').toBe(true);
    expect(m.run(10_000).kind).toBe('halt');
    expect(m.cpu.cause, 'vmcall in root mode').toBe(Cause.IllegalInstruction);
    expect(m.cpu.epc).toBe(findSymbol(image, 'bad')!.value);
    const after = m.stats();
    expect(after.vmExits).toEqual(before.vmExits); // the out did not exit
    expect(after.modes!.nonRoot).toEqual(before.modes!.nonRoot);
    expect(after.modes!.root.instructions - before.modes!.root.instructions).toBe(5);
  });

  it('a guest in ring 3 with interrupts on: vmcall exits from any ring, the guest bucket is non-root ring 3', () => {
    const v = runVm({ guest: `        addi a1, a1, 5\n        addi a1, a1, 5\n${GUEST_DONE}`, fields: { G_STATUS: 'STATUS_IE | 3' } });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([{ reason: ExitReason.Hypercall, qual: 0, gpc: GUEST + 12, insn: word('vmcall'), gpa: 0, gva: 0 }]);
    expect(vmcs(v.m, 'G_STATUS')).toBe(3 | 4);
    expect(greg(v.m, 5)).toBe(10);
    const s = v.stats();
    expect(s.worlds.guestUser.instructions).toBe(3);
    expect(s.worlds.guestKernel.instructions).toBe(0);
    expect(s.worlds.vmm.instructions).toBe(s.modes!.root.instructions);
    expect(s.modes!.nonRoot.instructions).toBe(3);
    expect(v.m.cpu.ring).toBe(0);
    expectAccountingConsistent(s);
  });
});

// ------------------------------------------------------------------------------------------------

describe('execution controls', () => {
  const R = ExitReason;

  it('IO: in and out exit with the port (bit 16 for out) and never reach the device', () => {
    const v = runVm({
      guest: `        li a2, 0x41\nin1:    in a1, CONSOLE_DATA\nout1:   out CONSOLE_DATA, a2\nout2:   out POWER_OFF, a2\n${GUEST_DONE}`,
      fields: { C_EXIT: 'VMX_EXIT_IO' },
      machine: { consoleInput: 'Z' },
    });
    expectStoppedInVmm(v);
    expect(v.exits().slice(0, 3)).toEqual([
      { reason: R.PortIo, qual: 0x10, gpc: v.sym('in1'), insn: peek32(v.m, v.sym('in1')), gpa: 0, gva: 0 },
      { reason: R.PortIo, qual: 0x10 | 0x10000, gpc: v.sym('out1'), insn: peek32(v.m, v.sym('out1')), gpa: 0, gva: 0 },
      { reason: R.PortIo, qual: 0x30 | 0x10000, gpc: v.sym('out2'), insn: peek32(v.m, v.sym('out2')), gpa: 0, gva: 0 },
    ]);
    expect(v.m.console.output()).toBe('');
    expect(greg(v.m, 5), 'the in did not happen').toBe(0);
    expect(v.m.cpu.exitCode, 'the power port was not written').toBe(0);
    expect(v.stats().vmExits).toEqual({ PortIo: 3, Hypercall: 1 });
  });

  it('without IO, port I/O from the guest reaches the devices', () => {
    const v = runVm({
      guest: `        li a2, 0x41\n        in a1, CONSOLE_DATA\n        out CONSOLE_DATA, a2\n${GUEST_DONE}`,
      machine: { consoleInput: 'Z' },
    });
    expectStoppedInVmm(v);
    expect(v.m.console.output()).toBe('A');
    expect(greg(v.m, 5)).toBe('Z'.charCodeAt(0));
    expect(v.exits().map((e) => e.reason)).toEqual([R.Hypercall]);
  });

  it('HALT: halt exits instead of stopping the machine; without it the guest halts the machine', () => {
    const v = runVm({ guest: `h:      halt\n${GUEST_DONE}`, fields: { C_EXIT: 'VMX_EXIT_HALT' } });
    expectStoppedInVmm(v);
    expect(v.exits()[0]).toEqual({ reason: R.Halt, qual: 0, gpc: v.sym('h'), insn: peek32(v.m, v.sym('h')), gpa: 0, gva: 0 });
    const w = runVm({ guest: `h:      halt\n${GUEST_DONE}` });
    expect(w.stop.kind).toBe('halt');
    expect(w.m.cpu.nonRoot, 'halted in the guest').toBe(true);
    expect(w.exits()).toEqual([]);
  });

  it('WFI: wfi exits at once (qualification 0), even with nothing pending', () => {
    const v = runVm({ guest: `w:      wfi\n${GUEST_DONE}`, fields: { C_EXIT: 'VMX_EXIT_WFI' } });
    expectStoppedInVmm(v);
    expect(v.exits()[0]).toEqual({ reason: R.Wfi, qual: 0, gpc: v.sym('w'), insn: peek32(v.m, v.sym('w')), gpa: 0, gva: 0 });
    expect(v.stats().worlds.idle.cycles).toBe(0);
    // Without the control the guest sleeps; nothing can wake it: the machine reports deadlock.
    const w = runVm({ guest: `w:      wfi\n${GUEST_DONE}` });
    expect(w.stop).toEqual({ kind: 'deadlock', pc: w.sym('w') });
  });

  it('PTBR: csrr exits with qualification 0, csrw with 1, and neither touches the guest PTBR', () => {
    const v = runVm({
      guest: `        li a2, 0x7001\nr:      csrr a1, PTBR\nw:      csrw PTBR, a2\n        csrr a3, STATUS\n${GUEST_DONE}`,
      fields: { C_EXIT: 'VMX_EXIT_PTBR', G_PTBR: 0 },
    });
    expectStoppedInVmm(v);
    expect(v.exits().slice(0, 2)).toEqual([
      { reason: R.PtbrAccess, qual: 0, gpc: v.sym('r'), insn: peek32(v.m, v.sym('r')), gpa: 0, gva: 0 },
      { reason: R.PtbrAccess, qual: 1, gpc: v.sym('w'), insn: peek32(v.m, v.sym('w')), gpa: 0, gva: 0 },
    ]);
    expect(vmcs(v.m, 'G_PTBR')).toBe(0);
    expect(greg(v.m, 5), 'the csrr did not retire').toBe(0);
  });

  it('without PTBR, a guest PTBR write takes effect and flushes the guest TLB context only', () => {
    const v = vm({
      // The VMM runs with paging on too, so the root context holds entries of its own.
      prologue: `        li t0, ${ROOT_PT | 1}\n        csrw PTBR, t0`,
      guest: `        li a2, ${GDATA}
        li t1, ${0xa000 | 1}
        lw a1, 0(a2)
w:      csrw PTBR, t1
after:  lw a3, 0(a2)
${GUEST_DONE}`,
      fields: { G_PTBR: ROOT_PT | 1, H_PTBR: ROOT_PT | 1 },
    });
    const { m } = v;
    new PageTables(m, ROOT_PT, ROOT_PT + 0x1000).identity(0, 0x10000, PTE.P | PTE.W | PTE.X | PTE.ring(3));
    new PageTables(m, 0xa000, 0xb000).identity(0, 0x10000, PTE.P | PTE.W | PTE.X | PTE.ring(3)).map(GDATA, 0x7000, PTE.P | PTE.W | PTE.ring(3));
    poke32(m, GDATA, 0x1111);
    poke32(m, 0x7000, 0x2222);
    stepUntil(m, () => m.cpu.pc === v.sym('w'));
    expect(m.cpu.nonRoot).toBe(true);
    expect(m.cpu.mmu.dump().map((e) => e.virtualPage).sort()).toEqual([GUEST, GDATA]);
    const rootBefore = m.cpu.mmu.save().root.tag.filter((t) => t !== -1);
    expect(rootBefore.length, 'the VMM left entries in the root context').toBeGreaterThan(0);
    const flushes = m.cpu.mmu.stats.flushes;
    m.step();
    expect(m.cpu.pc).toBe(v.sym('after'));
    expect(m.cpu.ptbr).toBe(0xa000 | 1);
    expect(m.cpu.mmu.dump(), 'guest context flushed').toEqual([]);
    expect(m.cpu.mmu.stats.flushes).toBe(flushes + 1);
    expect(m.cpu.mmu.save().root.tag.filter((t) => t !== -1), 'root context kept').toEqual(rootBefore);
    expect(m.run(100_000).kind).toBe('halt');
    expect(greg(m, 5)).toBe(0x1111);
    expect(greg(m, 7), 'read through the new tables, not a stale entry').toBe(0x2222);
    expect(vmcs(m, 'G_PTBR')).toBe(0xa000 | 1);
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
  });

  it('TLBFLUSH: tlbflush exits with the address, tlbflushall with 0', () => {
    const v = runVm({
      guest: `        li a1, 0x12345678\nf1:     tlbflush a1\nf2:     tlbflushall\n${GUEST_DONE}`,
      fields: { C_EXIT: 'VMX_EXIT_TLBFLUSH' },
    });
    expectStoppedInVmm(v);
    expect(v.exits().slice(0, 2)).toEqual([
      { reason: R.TlbFlush, qual: 0x12345678, gpc: v.sym('f1'), insn: peek32(v.m, v.sym('f1')), gpa: 0, gva: 0 },
      { reason: R.TlbFlush, qual: 0, gpc: v.sym('f2'), insn: peek32(v.m, v.sym('f2')), gpa: 0, gva: 0 },
    ]);
    expect(v.m.cpu.mmu.stats.flushes, 'no flush happened').toBe(0);
    // Without the control the flushes act on the guest context and do not exit.
    const w = runVm({ guest: `        li a1, 0x12345678\n        tlbflush a1\n        tlbflushall\n${GUEST_DONE}` });
    expect(w.exits().map((e) => e.reason)).toEqual([R.Hypercall]);
    expect(w.m.cpu.mmu.stats.flushes).toBe(2);
  });

  it('EXTENSIONS: the machine\'s bits in root mode; C_EXTENSIONS in non-root mode, without an exit; never writable', () => {
    const v = runVm({
      prologue: `        csrr t0, EXTENSIONS\n        li t1, ${GDATA + 4}\n        sw t0, 0(t1)`,
      guest: `        li a2, ${GDATA}\n        csrr a1, EXTENSIONS\n        sw a1, 0(a2)\nf:      csrw EXTENSIONS, a1\n${GUEST_DONE}`,
      fields: { C_EXTENSIONS: 0x5, C_EXCEPTIONS: 1 << Cause.IllegalInstruction },
    });
    expect(peek32(v.m, GDATA + 4), 'root mode: the vmx ISA has vmx only').toBe(VMX_ISA.extensionMask);
    expect(VMX_ISA.extensionMask).toBe(1 << VMX.bit!);
    expect(peek32(v.m, GDATA), 'non-root mode: what the VMM put in C_EXTENSIONS').toBe(0x5);
    expect(v.exits().map((e) => [e.reason, e.qual, e.gpc])).toEqual([
      [ExitReason.Exception, Cause.IllegalInstruction, v.sym('f')],
      [ExitReason.Hypercall, 0, v.sym('f') + 8],
    ]);
  });

  it('controls off: every control-sensitive instruction runs in the guest without an exit', () => {
    const v = runVm({
      guest: `        csrr a1, PTBR\n        csrw PTBR, zero\n        tlbflushall\n        in a2, NULL_PORT\n        out NULL_PORT, a2\n        ei\n        di\n${GUEST_DONE}`,
    });
    expectStoppedInVmm(v);
    expect(v.stats().vmExits).toEqual({ Hypercall: 1 });
    expect(v.stats().modes!.nonRoot.instructions).toBe(8);
  });

  it.each([
    ['default', DEFAULT, 500],
    ['vtx-2006', VTX2006, 2400],
  ] as [string, CostModel, number][])('each exit and entry costs exactly vmExit + vmEntry of the %s preset (%i cycles), charged to transition', (_name, costs, roundTrip) => {
    expect(costs.vmExit + costs.vmEntry).toBe(roundTrip);
    const run = (calls: number) => {
      const v = runVm({ guest: `${'        vmcall\n'.repeat(calls)}${GUEST_DONE}`, machine: { costs } });
      expectStoppedInVmm(v);
      return v.stats();
    };
    const one = run(1);
    const four = run(4);
    expect(one.vmExits).toEqual({ Hypercall: 2 });
    expect(four.vmExits).toEqual({ Hypercall: 5 });
    expect(one.worlds.transition.cycles).toBe(2 * (costs.vmExit + costs.vmEntry));
    expect(four.worlds.transition.cycles).toBe(5 * (costs.vmExit + costs.vmEntry));
    // Three more round trips: three more passes through the exit handler, three transitions.
    expect(four.cycles - one.cycles - (four.worlds.vmm.cycles - one.worlds.vmm.cycles)).toBe(3 * (costs.vmExit + costs.vmEntry));
    expect(four.worlds.guestKernel.cycles).toBe(one.worlds.guestKernel.cycles);
    expect(four.modes!.nonRoot.cycles, 'li a0 only: no vmcall retires').toBe(1);
    for (const s of [one, four]) expectAccountingConsistent(s);
    expect(one.costPreset).toBe(costs.name);
  });
});

// ------------------------------------------------------------------------------------------------

/** Root page tables at ROOT_PT identity-mapping [0, 64 KiB) for a guest (shadow-style paging),
 *  except `unmapped` pages. */
function guestPaging(m: Machine, unmapped: number[] = []): PageTables {
  const pt = new PageTables(m, ROOT_PT, ROOT_PT + 0x1000).identity(0, 0x10000, PTE.P | PTE.W | PTE.X | PTE.ring(3));
  for (const va of unmapped) pt.map(va, 0, 0);
  return pt;
}

/** A guest trap handler at GHANDLER: s0..s3 = EPC, CAUSE, BADADDR, EINSN; a1 = ESTATUS; a2 = STATUS. */
const GUEST_HANDLER = `
        .org    ${GHANDLER}
ghandler: csrr s0, EPC
        csrr    s1, CAUSE
        csrr    s2, BADADDR
        csrr    s3, EINSN
        csrr    a1, ESTATUS
        csrr    a2, STATUS
${GUEST_DONE}`;

describe('the exception bitmap and event injection', () => {
  it('a guest syscall with its bitmap bit clear goes to the guest TVEC inside non-root mode', () => {
    const v = runVm({ guest: `sys:    syscall\n${GUEST_DONE}`, guestExtra: GUEST_HANDLER, fields: { G_TVEC: GHANDLER, C_EXCEPTIONS: ~(1 << Cause.Syscall) } });
    expectStoppedInVmm(v);
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect([greg(v.m, 12), greg(v.m, 13), greg(v.m, 14), greg(v.m, 15)]).toEqual([v.sym('sys'), Cause.Syscall, 0, word('syscall')]);
    expect(vmcs(v.m, 'G_EPC')).toBe(v.sym('sys'));
    expect(vmcs(v.m, 'G_CAUSE')).toBe(Cause.Syscall);
    expect(v.stats().traps).toEqual({ Syscall: 1 });
    expect(v.stats().worlds.transition.cycles).toBe(DEFAULT.vmExit + DEFAULT.vmEntry + DEFAULT.trapEntry);
  });

  it('with the bit set it exits with reason Exception, qualification = cause, and the guest TVEC is not reached', () => {
    const v = runVm({ guest: `sys:    syscall\n${GUEST_DONE}`, guestExtra: GUEST_HANDLER, fields: { G_TVEC: GHANDLER, C_EXCEPTIONS: 1 << Cause.Syscall } });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([
      { reason: ExitReason.Exception, qual: Cause.Syscall, gpc: v.sym('sys'), insn: word('syscall'), gpa: 0, gva: 0 },
      { reason: ExitReason.Hypercall, qual: 0, gpc: v.sym('sys') + 8, insn: word('vmcall'), gpa: 0, gva: 0 },
    ]);
    expect(greg(v.m, 13), 'the guest handler never ran').toBe(0);
    expect(vmcs(v.m, 'G_CAUSE')).toBe(0);
    expect(v.stats().traps).toEqual({});
    expect(v.stats().vmExits).toEqual({ Exception: 1, Hypercall: 1 });
  });

  it.each([
    ['load', 'lw a1, 4(a2)', Cause.PageFaultRead],
    ['store', 'sw a1, 4(a2)', Cause.PageFaultWrite],
  ])('a page fault exit (%s) carries X_GVA = the faulting address and X_INSN = the instruction', (_what, insn, cause) => {
    const v = vm({ guest: `        li a2, 0x9000\nf:      ${insn}\n${GUEST_DONE}`, fields: { G_PTBR: ROOT_PT | 1, C_EXCEPTIONS: 1 << cause } });
    guestPaging(v.m, [0x9000]);
    expect(v.run().kind).toBe('halt');
    expect(v.exits()[0]).toEqual({ reason: ExitReason.Exception, qual: cause, gpc: v.sym('f'), insn: peek32(v.m, v.sym('f')), gpa: 0, gva: 0x9004 });
  });

  it('a misaligned access exit carries its address in X_GVA', () => {
    const v = runVm({ guest: `        li a2, ${GDATA + 2}\nf:      lw a1, 0(a2)\n${GUEST_DONE}`, fields: { C_EXCEPTIONS: 1 << Cause.Misaligned } });
    expect(v.exits()[0]).toMatchObject({ reason: ExitReason.Exception, qual: Cause.Misaligned, gpc: v.sym('f'), gva: GDATA + 2 });
  });

  it('E_INJECT delivers a trap to the guest TVEC on entry with EPC = G_PC, BADADDR and EINSN from the VMCS', () => {
    const v = runVm({
      guest: `start:  addi a3, a3, 1\n${GUEST_DONE}`,
      guestExtra: GUEST_HANDLER,
      fields: { G_TVEC: GHANDLER, G_STATUS: 'STATUS_IE | 1', E_INJECT: `VMX_INJECT_VALID | ${Cause.TimerInterrupt}`, E_BADADDR: 0x1234, E_EINSN: 0x5678 },
    });
    expectStoppedInVmm(v);
    expect(v.exits()).toHaveLength(1);
    expect([greg(v.m, 12), greg(v.m, 13), greg(v.m, 14), greg(v.m, 15)]).toEqual([v.sym('start'), Cause.TimerInterrupt, 0x1234, 0x5678]);
    expect(greg(v.m, 5), 'ESTATUS: the guest ring 1 with IE').toBe(1 | 4);
    expect(greg(v.m, 6), 'STATUS in the handler: ring 0, IE off').toBe(0);
    expect(greg(v.m, 7), 'the guest instruction at G_PC had not run').toBe(0);
    expect(vmcs(v.m, 'E_INJECT') & INJECT_VALID, 'valid bit cleared').toBe(0);
    expect(vmcs(v.m, 'E_INJECT'), 'cause kept').toBe(Cause.TimerInterrupt);
    expect(v.stats().traps).toEqual({ TimerInterrupt: 1 });
    expect(v.stats().worlds.transition.cycles).toBe(DEFAULT.vmExit + DEFAULT.vmEntry + DEFAULT.trapEntry);
  });

  it('an injected event is delivered once: the next vmresume injects nothing', () => {
    const v = runVm({
      guest: `        vmcall\n${GUEST_DONE}`,
      guestExtra: `        .org ${GHANDLER}\nghandler: addi s0, s0, 1\n        csrr t0, EPC\n        csrw EPC, t0\n        sret`,
      fields: { G_TVEC: GHANDLER, E_INJECT: `VMX_INJECT_VALID | ${Cause.Breakpoint}` },
    });
    expectStoppedInVmm(v);
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall, ExitReason.Hypercall]);
    expect(greg(v.m, 12), 'the handler ran once').toBe(1);
    expect(v.stats().traps).toEqual({ Breakpoint: 1 });
  });

  it('an injected exception is not intercepted by the exception bitmap', () => {
    const v = runVm({
      guest: GUEST_DONE,
      guestExtra: GUEST_HANDLER,
      fields: { G_TVEC: GHANDLER, C_EXCEPTIONS: -1, E_INJECT: `VMX_INJECT_VALID | ${Cause.PageFaultWrite}`, E_BADADDR: 0xbad0 },
    });
    expectStoppedInVmm(v);
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect([greg(v.m, 13), greg(v.m, 14)]).toEqual([Cause.PageFaultWrite, 0xbad0]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('interrupts in non-root mode', () => {
  const START_TIMER = (cycles: number) => `        li t0, ${cycles}\n        out TIMER_INTERVAL, t0`;
  const SPIN = `loop:   addi a1, a1, 1\nj_:     j loop`;

  it('EXTINT: a timer interrupt on a line in H_IMASK exits even with the guest interrupts off; G_PC is the next instruction', () => {
    const v = runVm({ prologue: START_TIMER(3000), guest: SPIN, fields: { C_EXIT: 'VMX_EXIT_EXTINT', H_IMASK: 'IRQ_TIMER', G_STATUS: 0 }, maxExits: 1 });
    expectStoppedInVmm(v);
    const [e] = v.exits();
    expect(e).toMatchObject({ reason: ExitReason.ExternalInterrupt, qual: 1, insn: 0 });
    expect([v.sym('loop'), v.sym('j_')]).toContain(e!.gpc);
    // Nothing skipped, nothing repeated: the guest retired exactly the instructions before G_PC.
    const n = greg(v.m, 5);
    expect(n).toBeGreaterThan(10);
    expect(v.stats().modes!.nonRoot.instructions).toBe(2 * n - (e!.gpc === v.sym('j_') ? 1 : 0));
    expect(vmcs(v.m, 'G_STATUS')).toBe(0);
    expect(v.stats().traps).toEqual({});
    expect(v.m.bus.pendingLines() & 1, 'the line is still pending for the VMM').toBe(1);
  });

  it('EXTINT: the exit comes before the guest could take the interrupt itself', () => {
    const v = runVm({
      prologue: START_TIMER(3000),
      guest: `        ei\n${SPIN}`,
      guestExtra: GUEST_HANDLER,
      fields: { C_EXIT: 'VMX_EXIT_EXTINT', H_IMASK: 'IRQ_TIMER', G_IMASK: 'IRQ_TIMER', G_TVEC: GHANDLER },
      maxExits: 1,
    });
    expect(v.exits()[0]).toMatchObject({ reason: ExitReason.ExternalInterrupt, qual: 1 });
    expect(vmcs(v.m, 'G_STATUS')).toBe(4);
    expect(v.stats().traps).toEqual({});
  });

  it('EXTINT: a guest sleeping in wfi is woken by an exiting line; G_PC is after the wfi', () => {
    const v = runVm({ prologue: START_TIMER(2000), guest: `w:      wfi\n${GUEST_DONE}`, fields: { C_EXIT: 'VMX_EXIT_EXTINT', H_IMASK: 'IRQ_TIMER' }, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.exits()[0]).toMatchObject({ reason: ExitReason.ExternalInterrupt, qual: 1, gpc: v.sym('w') + 4 });
    expect(v.stats().worlds.idle.cycles).toBeGreaterThan(1000);
    expect(v.m.cpu.sleeping).toBe(false);
  });

  it('EXTINT: only exiting lines wake a guest wfi; a device line hidden from the guest does not', () => {
    // Console input raises line 1 at once and keeps it up; the line is in the guest's IMASK but
    // not in H_IMASK: the guest cannot see it (no interrupt, not in IPEND), so it must not end
    // the guest's wfi either. Only the timer, the VMM's exiting line, may.
    const spec = (timer: boolean): VmSpec => ({
      prologue: `        li t0, 1\n        out CONSOLE_IRQ_ENABLE, t0${timer ? `\n${START_TIMER(3000)}` : ''}`,
      guest: `w:      wfi\n${GUEST_DONE}`,
      fields: { C_EXIT: 'VMX_EXIT_EXTINT', H_IMASK: 'IRQ_TIMER', G_IMASK: 'IRQ_CONSOLE' },
      maxExits: 1,
      machine: { consoleInput: 'x' },
    });
    const hidden = runVm(spec(false), 50_000);
    expect(hidden.m.bus.pendingLines()).toBe(2);
    expect(hidden.stop).toEqual({ kind: 'deadlock', pc: hidden.sym('w') });
    expect(hidden.exits()).toEqual([]);
    const timer = runVm(spec(true), 50_000);
    expectStoppedInVmm(timer);
    expect(timer.exits()).toEqual([{ reason: ExitReason.ExternalInterrupt, qual: 1, gpc: timer.sym('w') + 4, insn: 0, gpa: 0, gva: 0 }]);
    expect(timer.stats().worlds.idle.cycles).toBeGreaterThan(2000);
  });

  it('without EXTINT the guest takes its own device interrupts in non-root mode', () => {
    let inGuest = 0;
    const v = vm({
      guest: `${START_TIMER(300)}\n        ei\n${SPIN}`,
      guestExtra: GUEST_HANDLER,
      fields: { G_TVEC: GHANDLER, G_IMASK: 'IRQ_TIMER', H_IMASK: 'IRQ_TIMER' },
    });
    v.m.cpu.onTrap = (e) => {
      if (e.cause === Cause.TimerInterrupt && v.m.cpu.nonRoot) inGuest++;
    };
    expect(v.run().kind).toBe('halt');
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect(greg(v.m, 13)).toBe(Cause.TimerInterrupt);
    expect([v.sym('loop'), v.sym('j_')]).toContain(greg(v.m, 12));
    expect(inGuest).toBe(1);
  });

  it('EXTINT hides the lines not in H_IMASK from the guest: no interrupt, no exit, and IPEND reads G_IPEND', () => {
    const guest = `${START_TIMER(100)}\n        ei\n        li t1, 300\nspin:   addi t1, t1, -1\n        bnez t1, spin\n        csrr a3, IPEND\n${GUEST_DONE}`;
    const fields = { G_TVEC: GHANDLER, G_IMASK: 'IRQ_TIMER', G_IPEND: 'IRQ_CONSOLE', H_IMASK: 'IRQ_CONSOLE' };
    const hidden = runVm({ guest, guestExtra: GUEST_HANDLER, fields: { ...fields, C_EXIT: 'VMX_EXIT_EXTINT' } });
    expectStoppedInVmm(hidden);
    expect(hidden.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect(hidden.stats().traps).toEqual({});
    expect(hidden.m.bus.pendingLines() & 1, 'the timer line was pending all along').toBe(1);
    expect(greg(hidden.m, 7), 'IPEND = the virtual lines only').toBe(2);
    // Without EXTINT the guest sees the device lines too (here its handler takes the timer).
    const shown = runVm({ guest: `${START_TIMER(100)}\n        li t1, 300\nspin:   addi t1, t1, -1\n        bnez t1, spin\n        csrr a3, IPEND\n${GUEST_DONE}`, fields });
    expectStoppedInVmm(shown);
    expect(greg(shown.m, 7), 'IPEND = virtual | device lines').toBe(3);
  });

  it('interrupt-window exiting exits as soon as the guest executes ei; the VMM injects and the guest takes it', () => {
    const v = runVm({
      guest: `        addi a1, a1, 1\n        ei\nafter:  addi a2, a2, 1\n${GUEST_DONE}`,
      guestExtra: GUEST_HANDLER,
      fields: { C_EXIT: 'VMX_EXIT_INTWINDOW', G_TVEC: GHANDLER },
      onExit: `        lw t3, VMCS_X_REASON(s0)
        li t2, VMX_REASON_INTERRUPT_WINDOW
        bne t3, t2, hookend
        sw zero, VMCS_C_EXIT(s0)             # window seen: stop asking, inject the interrupt
        li t3, VMX_INJECT_VALID | ${Cause.TimerInterrupt}
        sw t3, VMCS_E_INJECT(s0)
hookend:`,
    });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([
      { reason: ExitReason.InterruptWindow, qual: 0, gpc: v.sym('after'), insn: 0, gpa: 0, gva: 0 },
      { reason: ExitReason.Hypercall, qual: 0, gpc: GHANDLER + 24 + 4, insn: word('vmcall'), gpa: 0, gva: 0 },
    ]);
    expect(greg(v.m, 12), 'EPC of the injected interrupt').toBe(v.sym('after'));
    expect(greg(v.m, 13)).toBe(Cause.TimerInterrupt);
    expect(greg(v.m, 5), 'ESTATUS: IE was on').toBe(4);
    expect(greg(v.m, 6), 'a2 never incremented: the handler ran first').toBe(0);
  });

  it('interrupt-window exiting with the guest IE already on exits before the first guest instruction', () => {
    const v = runVm({ guest: `        addi a1, a1, 1\n${GUEST_DONE}`, fields: { C_EXIT: 'VMX_EXIT_INTWINDOW', G_STATUS: 'STATUS_IE' }, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([{ reason: ExitReason.InterruptWindow, qual: 0, gpc: GUEST, insn: 0, gpa: 0, gva: 0 }]);
    expect(v.stats().modes!.nonRoot.instructions).toBe(0);
  });
});

describe('the preemption timer (EXIT_PREEMPT, C_PREEMPT)', () => {
  const SPIN = `loop:   addi a1, a1, 1\nj_:     j loop`;

  it('exits once the guest has run C_PREEMPT cycles since the entry, at the next instruction', () => {
    const v = runVm({ guest: SPIN, fields: { C_EXIT: 'VMX_EXIT_PREEMPT', C_PREEMPT: 100 }, maxExits: 1 });
    expectStoppedInVmm(v);
    const [e] = v.exits();
    expect(e).toMatchObject({ reason: ExitReason.PreemptionTimer, qual: 0, insn: 0 });
    // Every instruction of the loop costs one cycle: 100 instructions, 50 rounds, none repeated.
    expect(cost('addi') + cost('jal')).toBe(2);
    expect(v.stats().modes!.nonRoot.instructions).toBe(100);
    expect(greg(v.m, 5)).toBe(50);
    expect(e!.gpc).toBe(v.sym('loop'));
  });

  it('C_PREEMPT 0 exits before the first guest instruction; without EXIT_PREEMPT the value does nothing', () => {
    const now = runVm({ guest: SPIN, fields: { C_EXIT: 'VMX_EXIT_PREEMPT', C_PREEMPT: 0 }, maxExits: 1 });
    expectStoppedInVmm(now);
    expect(now.exits()).toEqual([{ reason: ExitReason.PreemptionTimer, qual: 0, gpc: GUEST, insn: 0, gpa: 0, gva: 0 }]);
    expect(now.stats().modes!.nonRoot.instructions).toBe(0);
    const off = runVm({ guest: `        li t1, 500\nspin:   addi t1, t1, -1\n        bnez t1, spin\n${GUEST_DONE}`, fields: { C_PREEMPT: 10 } });
    expectStoppedInVmm(off);
    expect(off.exits().map((x) => x.reason)).toEqual([ExitReason.Hypercall]);
  });

  it('each entry starts it again: a VMM that resumes gets an exit every C_PREEMPT cycles of guest time', () => {
    const v = runVm({ guest: SPIN, fields: { C_EXIT: 'VMX_EXIT_PREEMPT', C_PREEMPT: 40 }, maxExits: 5 });
    expectStoppedInVmm(v);
    expect(v.exits().map((x) => x.reason)).toEqual(Array(5).fill(ExitReason.PreemptionTimer));
    expect(v.stats().modes!.nonRoot.instructions).toBe(5 * 40);
  });

  it('wakes a guest sleeping in wfi (no WFI exiting): the exit is after the wfi; without it the machine deadlocks', () => {
    const guest = `        wfi\nafter:  addi a1, a1, 1\n${GUEST_DONE}`;
    const v = runVm({ guest, fields: { C_EXIT: 'VMX_EXIT_PREEMPT', C_PREEMPT: 500 }, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([{ reason: ExitReason.PreemptionTimer, qual: 0, gpc: v.sym('after'), insn: 0, gpa: 0, gva: 0 }]);
    expect(v.stats().worlds.idle.cycles).toBeGreaterThanOrEqual(499);
    expect(runVm({ guest, fields: { C_PREEMPT: 500 } }).stop.kind).toBe('deadlock');
  });

  it('both engines take it at the same instruction (the run loop stops there, as at a device event)', () => {
    const spec = { guest: SPIN, fields: { C_EXIT: 'VMX_EXIT_PREEMPT', C_PREEMPT: 333 }, maxExits: 3 } as const;
    const interp = runVm({ ...spec, machine: { engine: 'interp' } });
    const threshold = translatorSettings.hotThreshold;
    translatorSettings.hotThreshold = 0; // the spin loop compiled on its first pass
    const translate = runVm({ ...spec, machine: { engine: 'translate' } });
    translatorSettings.hotThreshold = threshold;
    expect(translate.exits()).toEqual(interp.exits());
    expect(translate.stats()).toEqual(interp.stats());
  });
});

// ------------------------------------------------------------------------------------------------

describe('a guest double fault', () => {
  it.each([
    ['a TVEC beyond physical memory', 0x3fff_0000, Cause.BusError, 0x3fff_0000],
    ['a TVEC on an illegal word', GDATA, Cause.IllegalInstruction, 0],
  ])('with %s exits with reason TripleFault instead of stopping the machine', (_what, tvec, cause, gva) => {
    const v = runVm({ guest: `sys:    syscall\n${GUEST_DONE}`, fields: { G_TVEC: tvec }, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.m.cpu.doubleFault).toBeUndefined();
    expect(v.exits()).toEqual([{ reason: ExitReason.TripleFault, qual: cause, gpc: tvec | 0, insn: 0, gpa: 0, gva: gva | 0 }]);
    // The guest took the syscall into its own (broken) vector first.
    expect(vmcs(v.m, 'G_EPC')).toBe(v.sym('sys'));
    expect(vmcs(v.m, 'G_CAUSE')).toBe(Cause.Syscall);
    expect(v.stats().vmExits).toEqual({ TripleFault: 1 });
  });

  it('the VMM can repair the guest after a triple fault and resume it', () => {
    const v = runVm({
      guest: `sys:    syscall\n${GUEST_DONE}`,
      guestExtra: GUEST_HANDLER,
      fields: { G_TVEC: GDATA },
      onExit: `        li t3, ${GHANDLER}\n        sw t3, VMCS_G_TVEC(s0)\n        li t3, ${GUEST}\n        sw t3, VMCS_G_PC(s0)\n        j resume`,
    });
    expectStoppedInVmm(v);
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.TripleFault, ExitReason.Hypercall]);
    expect(greg(v.m, 13)).toBe(Cause.Syscall);
  });
});

// ------------------------------------------------------------------------------------------------

const EPTP = EPT_DIR | 1;
const GPT_DIR = 0xa000; // guest page tables, guest-physical
const GPT_TABLE = 0xb000;
const RWX3 = PTE.P | PTE.W | PTE.X | PTE.ring(3);

/** Guest page tables in guest-physical memory (written at EPT_BASE + gpa): guest-virtual page i
 *  maps guest-physical page i for i < 16, except `unmapped`; `extra` adds [va, gpa] pairs. */
function guestTablesInGuestMemory(m: Machine, unmapped: number[] = [], extra: [number, number][] = []): void {
  poke32(m, EPT_BASE + GPT_DIR, GPT_TABLE | 1);
  for (let i = 0; i < 16; i++) poke32(m, EPT_BASE + GPT_TABLE + 4 * i, unmapped.includes(i * 4096) ? 0 : (i * 4096) | RWX3);
  for (const [va, gpa] of extra) poke32(m, EPT_BASE + GPT_TABLE + 4 * (va >>> 12), gpa | RWX3);
}

describe('EPT (nested paging)', () => {
  it('with guest paging off, guest-physical addresses land at the EPT base in host memory', () => {
    const v = runVm({
      guest: `        li a2, ${GDATA}\n        li a1, 0x55\n        sw a1, 0(a2)\n        lw a3, 0(a2)\n        li t0, ${GUEST}\n        lw t1, 0(t0)\n${GUEST_DONE}`,
      fields: { C_EPTP: EPTP },
      ept: true,
    });
    expectStoppedInVmm(v);
    expect(peek32(v.m, EPT_BASE + GDATA)).toBe(0x55);
    expect(peek32(v.m, GDATA), 'host-physical GDATA untouched').toBe(0);
    expect(greg(v.m, 7)).toBe(0x55);
    expect(greg(v.m, 9), 'the guest reads its own code at guest-physical GUEST').toBe(peek32(v.m, EPT_BASE + GUEST));
    expect(v.exits()).toHaveLength(1);
    expect(v.m.cpu.mmu.nested, 'root mode: no nested paging').toBe(false);
  });

  it.each([
    ['read', `lw a1, 0(a2)`, 0],
    ['write', `sw a1, 0(a2)`, 1],
  ])('a %s beyond the mapping exits with EptViolation, X_GPA, X_GVA and the access kind', (_what, insn, access) => {
    const v = runVm({ guest: `        li a2, 0x10004\nf:      ${insn}\n${GUEST_DONE}`, fields: { C_EPTP: EPTP }, ept: true });
    expectStoppedInVmm(v);
    expect(v.exits()[0]).toEqual({ reason: ExitReason.EptViolation, qual: access, gpc: v.sym('f'), insn: peek32(v.m, EPT_BASE + v.sym('f')), gpa: 0x10004, gva: 0x10004 });
    expect(v.stats().traps, 'not a guest trap').toEqual({});
  });

  it('an instruction fetch beyond the mapping exits with access 2 and X_INSN 0', () => {
    const v = runVm({ guest: `        li t0, 0x10008\n        jr t0`, fields: { C_EPTP: EPTP }, ept: true, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([{ reason: ExitReason.EptViolation, qual: 2, gpc: 0x10008, insn: 0, gpa: 0x10008, gva: 0x10008 }]);
  });

  it('EPT permissions: a write to a read-only guest-physical page exits, even after a read cached the translation', () => {
    for (const readFirst of [false, true]) {
      const v = vm({
        guest: `        li a2, ${GDATA}\n        ${readFirst ? 'lw a3, 0(a2)' : 'nop'}\nw:      sw a1, 0(a2)\n${GUEST_DONE}`,
        fields: { C_EPTP: EPTP },
        ept: true,
      });
      buildEpt(v.m, 16).map(GDATA, EPT_BASE + GDATA, PTE.P); // read-only
      expect(v.run().kind).toBe('halt');
      expect(v.exits()[0], `read first: ${readFirst}`).toMatchObject({ reason: ExitReason.EptViolation, qual: 1, gpc: v.sym('w'), gpa: GDATA });
    }
  });

  it('EPT permissions: executing from a non-executable guest-physical page exits with access 2, even after a read', () => {
    for (const readFirst of [false, true]) {
      const v = vm({ guest: `        li t0, ${GDATA}\n        ${readFirst ? 'lw a3, 0(t0)' : 'nop'}\n        jr t0`, fields: { C_EPTP: EPTP }, ept: true, maxExits: 1 });
      buildEpt(v.m, 16).map(GDATA, EPT_BASE + GDATA, PTE.P | PTE.W);
      poke32(v.m, EPT_BASE + GDATA, peek32(v.m, EPT_BASE + GUEST)); // a valid instruction there
      expect(v.run().kind).toBe('halt');
      expect(v.exits()[0], `read first: ${readFirst}`).toMatchObject({ reason: ExitReason.EptViolation, qual: 2, gpc: GDATA, gpa: GDATA, insn: 0 });
    }
  });

  it('guest page tables in guest-physical memory: two-stage translation', () => {
    const v = vm({
      guest: `        li a2, 0xd000\n        li a1, 0x77\n        sw a1, 8(a2)\n        lw a3, 8(a2)\n${GUEST_DONE}`,
      fields: { C_EPTP: EPTP, G_PTBR: GPT_DIR | 1 },
      ept: true,
    });
    guestTablesInGuestMemory(v.m, [], [[0xd000, GDATA]]);
    expect(v.run().kind).toBe('halt');
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect(peek32(v.m, EPT_BASE + GDATA + 8), 'guest-virtual 0xd008 -> guest-physical GDATA+8 -> host EPT_BASE+GDATA+8').toBe(0x77);
    expect(greg(v.m, 7)).toBe(0x77);
  });

  it.each([
    ['default', DEFAULT],
    ['vtx-2006', VTX2006],
  ] as [string, CostModel][])('a TLB miss with guest and nested paging costs (2+1)(2+1)-1 = 8 references (%s)', (_name, costs) => {
    const v = vm({
      guest: `        li a2, ${GDATA}\nmiss:   lw a1, 0(a2)\nhit:    lw a1, 4(a2)\n${GUEST_DONE}`,
      fields: { C_EPTP: EPTP, G_PTBR: GPT_DIR | 1 },
      ept: true,
      machine: { costs },
    });
    guestTablesInGuestMemory(v.m);
    const { m } = v;
    stepUntil(m, () => m.cpu.nonRoot && m.cpu.pc === v.sym('miss'));
    const before = m.stats();
    m.step();
    const after = m.stats();
    expect(after.tlb.misses - before.tlb.misses).toBe(1);
    expect(after.tlb.walkRefs - before.tlb.walkRefs).toBe(8);
    expect(after.cycles - before.cycles).toBe(cost('lw') + costs.memoryAccess + 8 * costs.pageWalkPerLevel);
    m.step(); // same page: a hit, no walk
    const third = m.stats();
    expect(third.tlb.misses).toBe(after.tlb.misses);
    expect(third.tlb.walkRefs).toBe(after.tlb.walkRefs);
    expect(third.cycles - after.cycles).toBe(cost('lw') + costs.memoryAccess);
  });

  it('with guest paging off a TLB miss under EPT costs the 2 EPT references; without EPT (shadow) a guest miss costs 2', () => {
    const measure = (ept: boolean): [number, number] => {
      const v = vm({
        guest: `        li a2, ${GDATA}\nmiss:   lw a1, 0(a2)\n${GUEST_DONE}`,
        fields: ept ? { C_EPTP: EPTP } : { G_PTBR: ROOT_PT | 1 },
        ept,
      });
      if (!ept) guestPaging(v.m);
      stepUntil(v.m, () => v.m.cpu.nonRoot && v.m.cpu.pc === v.sym('miss'));
      const before = v.m.stats().tlb;
      v.m.step();
      const after = v.m.stats().tlb;
      return [after.misses - before.misses, after.walkRefs - before.walkRefs];
    };
    expect(measure(true)).toEqual([1, 2]);
    expect(measure(false)).toEqual([1, 2]);
  });

  it("the guest's own page fault under EPT is delivered to the guest, not an exit", () => {
    const v = vm({
      guest: `        li a2, 0xc000\nf:      lw a1, 4(a2)\n${GUEST_DONE}`,
      guestExtra: GUEST_HANDLER,
      fields: { C_EPTP: EPTP, G_PTBR: GPT_DIR | 1, G_TVEC: GHANDLER },
      ept: true,
    });
    guestTablesInGuestMemory(v.m, [0xc000]);
    expect(v.run().kind).toBe('halt');
    expect(v.exits().map((e) => e.reason)).toEqual([ExitReason.Hypercall]);
    expect([greg(v.m, 12), greg(v.m, 13), greg(v.m, 14)]).toEqual([v.sym('f'), Cause.PageFaultRead, 0xc004]);
    expect(v.stats().traps).toEqual({ PageFaultRead: 1 });
  });

  it('a guest page-table reference outside the EPT exits with its guest-physical address', () => {
    const v = runVm({ guest: GUEST_DONE, fields: { C_EPTP: EPTP, G_PTBR: 0x20000 | 1 }, ept: true, maxExits: 1 });
    expectStoppedInVmm(v);
    expect(v.exits()).toEqual([{ reason: ExitReason.EptViolation, qual: 0, gpc: GUEST, insn: 0, gpa: 0x20000 + 4 * (GUEST >>> 22), gva: GUEST }]);
  });
});

// ------------------------------------------------------------------------------------------------

describe('TLB tagging across VM transitions', () => {
  const GUEST_RW = `        li a2, ${GDATA}\n        lw a1, 0(a2)\nc1:     vmcall\nr:      lw a1, 0(a2)\n${GUEST_DONE}`;

  /** TLB misses from the vmresume after the first exit until the guest's second load is done. */
  function missesAfterResume(costs: CostModel, onExit = ''): { misses: number; rootKept: boolean } {
    const v = vm({
      prologue: `        li t0, ${ROOT_PT | 1}\n        csrw PTBR, t0`, // the VMM pages too
      guest: GUEST_RW,
      fields: { G_PTBR: ROOT_PT | 1, H_PTBR: ROOT_PT | 1 },
      onExit,
      machine: { costs },
    });
    guestPaging(v.m);
    const { m } = v;
    stepUntil(m, () => !m.cpu.nonRoot && m.cpu.pc === v.sym('resume'));
    const root = m.cpu.mmu.save().root.tag.slice();
    const before = m.stats().tlb.misses;
    stepUntil(m, () => m.cpu.nonRoot && m.cpu.pc === v.sym('r') + 4);
    const misses = m.stats().tlb.misses - before;
    stepUntil(m, () => !m.cpu.nonRoot);
    const rootKept = m.cpu.mmu.save().root.tag.every((t, i) => t === root[i]);
    expect(m.run(100_000).kind).toBe('halt');
    return { misses, rootKept };
  }

  it('default preset (VPID): guest entries survive an exit and entry; the VMM keeps its own', () => {
    expect(DEFAULT.vmTransitionFlushesTlb).toBe(false);
    expect(missesAfterResume(DEFAULT)).toEqual({ misses: 0, rootKept: true });
  });

  it('vtx-2006: every entry starts with an empty TLB (code and data page miss again), and every exit too', () => {
    expect(VTX2006.vmTransitionFlushesTlb).toBe(true);
    expect(missesAfterResume(VTX2006)).toEqual({ misses: 2, rootKept: false });
    // Over a loop of three hypercalls: 2 misses at launch, then 2, 2 and (no load after the
    // last resume) 1 after the resumes; with VPID only the first 2.
    const guest = `        li a2, ${GDATA}\n        li t1, 3\nagain:  lw a1, 0(a2)\n        vmcall\n        addi t1, t1, -1\n        bnez t1, again\n${GUEST_DONE}`;
    const misses = (costs: CostModel): number => {
      const v = runVm({ guest, fields: { G_PTBR: ROOT_PT | 1 }, setup: (m) => guestPaging(m), machine: { costs } });
      expectStoppedInVmm(v);
      return v.stats().tlb.misses;
    };
    expect(misses(DEFAULT)).toBe(2);
    expect(misses(VTX2006)).toBe(7);
  });

  it('invvpid drops the guest entry for one page, invvpidall every guest entry; the root context stays', () => {
    expect(missesAfterResume(DEFAULT, `        li t3, ${GDATA + 0x10}\n        invvpid t3`)).toEqual({ misses: 1, rootKept: true });
    expect(missesAfterResume(DEFAULT, `        li t3, ${GDATA + 0x1000}\n        invvpid t3`)).toEqual({ misses: 0, rootKept: true });
    expect(missesAfterResume(DEFAULT, `        invvpidall`)).toEqual({ misses: 2, rootKept: true });
  });

  it('the root-only instructions in non-root mode exit with VmxInstruction, from ring 0 and ring 3, before the privilege check', () => {
    for (const insn of ['invvpid a1', 'invvpidall', 'vmptrld a1', 'vmlaunch', 'vmresume']) {
      for (const ring of [0, 3]) {
        const v = runVm({ guest: `        li a1, ${VMCS}\nbad:    ${insn}\n${GUEST_DONE}`, guestExtra: GUEST_HANDLER, fields: { G_TVEC: GHANDLER, G_STATUS: ring } });
        expectStoppedInVmm(v);
        const [exit] = v.exits();
        expect(exit, `${insn} in ring ${ring}`).toMatchObject({ reason: ExitReason.VmxInstruction, qual: 0, gpc: v.sym('bad') });
        expect(exit!.insn >>> 24).toBe(word(insn.split(' ')[0]!) >>> 24);
        expect(v.m.cpu.vmcs).toBe(VMCS);
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------

describe('determinism and robustness', () => {
  const OPCODES = VMX_ISA.insns.map((i) => i.opcode);
  const guestWord = fc.oneof(
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.tuple(fc.constantFrom(...OPCODES), fc.integer({ min: 0, max: 0xff_ffff })).map(([op, low]) => (op * 2 ** 24 + low) >>> 0),
  );

  interface Outcome {
    stop: StopReason;
    state: Record<string, unknown>;
    stats: MachineStats;
    exits: ExitRecord[];
    /** The VMM's code (up to its exit counter) unchanged. */
    vmmIntact: boolean;
  }

  /** Random words as the guest (its TVEC is its own first word, so its traps run them again);
   *  the VMM resumes after every exit with G_PC moved on by 4; a timer exits now and then. */
  function runRandom(words: number[], controls: number, exceptions: number, ept: boolean, costs: CostModel): Outcome {
    const v = vm({
      prologue: `        li t0, 997\n        out TIMER_INTERVAL, t0\n        out TIMER_ACK, zero`,
      guest: words.map((w) => `        .word ${w >>> 0}`).join('\n'),
      fields: { C_EXIT: controls, C_EXCEPTIONS: exceptions, C_EPTP: ept ? EPTP : 0, G_TVEC: GUEST, H_IMASK: 'IRQ_TIMER' },
      onExit: '        out TIMER_ACK, zero',
      advance: 'always',
      maxExits: 400,
      ept,
      machine: { costs },
    });
    const code = (): Buffer => Buffer.from(v.m.memory.bytes.slice(0x1000, v.sym('nexits')));
    const before = code();
    const stop = v.run(20_000);
    return { stop, state: archState(v.m), stats: v.m.stats(), exits: v.exits(), vmmIntact: code().equals(before) };
  }

  it('random guest words in non-root mode never throw in the host, and two runs are identical', () => {
    fc.assert(
      fc.property(
        fc.array(guestWord, { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 0, max: Object.values(ExitControl).reduce((a, b) => a | b) }),
        fc.integer({ min: 0, max: 0x7ff }),
        fc.boolean(),
        fc.boolean(),
        (words, controls, exceptions, ept, old) => {
          const costs = old ? VTX2006 : DEFAULT;
          const a = runRandom(words, controls, exceptions, ept, costs);
          const b = runRandom(words, controls, exceptions, ept, costs);
          expect(['halt', 'cycle-limit', 'deadlock', 'double-fault']).toContain(a.stop.kind);
          expect(b).toEqual(a);
          expectAccountingConsistent(a.stats);
          // Behind the EPT the guest cannot reach the VMM: its code and its exit log are intact,
          // and the log has every exit the machine counted (but the last one, if the cycle
          // limit came while the VMM was logging it).
          if (ept) {
            expect(a.vmmIntact, 'VMM code intact').toBe(true);
            const counted = Object.values(a.stats.vmExits!).reduce((x, y) => x + y, 0);
            expect(counted - a.exits.length).toBeGreaterThanOrEqual(0);
            expect(counted - a.exits.length).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 80, seed: 0x5eed },
    );
  });
});

// ------------------------------------------------------------------------------------------------

describe('snapshots across VM exits', () => {
  /** A guest with paging on that loops over a load, an increment and a hypercall; the timer
   *  exits too. */
  function looping(): Vm {
    return vm({
      prologue: `        li t0, 1500\n        out TIMER_INTERVAL, t0`,
      guest: `        li a2, ${GDATA}\nloop:   lw a1, 0(a2)\n        addi a3, a3, 1\n        sw a3, 4(a2)\n        vmcall\n        j loop`,
      fields: { G_PTBR: ROOT_PT | 1, C_EXIT: 'VMX_EXIT_EXTINT', H_IMASK: 'IRQ_TIMER' },
      onExit: '        out TIMER_ACK, zero',
      maxExits: 10_000,
      setup: (m) => guestPaging(m),
    });
  }

  function observe(m: Machine): unknown {
    return { arch: archState(m), pc: m.cpu.pc, nonRoot: m.cpu.nonRoot, stats: m.stats(), mmu: m.cpu.mmu.save(), vmcs: m.memory.bytes.slice(VMCS, VMCS + 256), cycles: m.cpu.cycles };
  }

  it.each([
    ['in non-root mode, with guest TLB entries', (m: Machine, v: Vm) => m.cpu.nonRoot && v.exits().length >= 3],
    ['in root mode, in the exit handler', (m: Machine, v: Vm) => !m.cpu.nonRoot && m.cpu.pc === v.sym('exit') && v.exits().length >= 2],
  ] as [string, (m: Machine, v: Vm) => boolean][])('restore %s repeats the run exactly', (_what, at) => {
    const v = looping();
    const { m } = v;
    stepUntil(m, () => at(m, v), 20_000);
    const mode = m.cpu.nonRoot;
    const tlb = m.cpu.mmu.save();
    expect(tlb.guest.tag.some((t) => t !== -1), 'the guest context has entries').toBe(true);
    const snap = m.snapshot();
    for (let i = 0; i < 600; i++) m.step();
    expect(v.exits().length, 'exits happened after the snapshot').toBeGreaterThan(4);
    const first = observe(m);
    m.restore(snap);
    expect(m.cpu.nonRoot).toBe(mode);
    expect(m.cpu.mmu.save()).toEqual(tlb);
    expect(m.cpu.mmu.nested).toBe(false);
    for (let i = 0; i < 600; i++) m.step();
    expect(observe(m)).toEqual(first);
  });

  it('restore brings back nested paging and the VMCS controls cached at entry', () => {
    const v = vm({
      guest: `loop:   addi a1, a1, 1\n        li t0, ${GDATA}\n        sw a1, 0(t0)\n        vmcall\n        j loop`,
      fields: { C_EPTP: EPTP, C_EXIT: 'VMX_EXIT_IO', C_EXCEPTIONS: 1 << Cause.Syscall },
      ept: true,
      maxExits: 1000,
    });
    const { m } = v;
    stepUntil(m, () => m.cpu.nonRoot && v.exits().length >= 2);
    expect(m.cpu.mmu.nested).toBe(true);
    const snap = m.snapshot();
    const saved = { exitControls: m.cpu.exitControls, exceptionBitmap: m.cpu.exceptionBitmap, hostImask: m.cpu.hostImask, vmcs: m.cpu.vmcs };
    stepUntil(m, () => !m.cpu.nonRoot);
    m.cpu.exitControls = 0; // as if something else had run since
    expect(m.cpu.mmu.nested).toBe(false);
    m.restore(snap);
    expect(m.cpu.nonRoot).toBe(true);
    expect(m.cpu.mmu.nested).toBe(true);
    expect({ exitControls: m.cpu.exitControls, exceptionBitmap: m.cpu.exceptionBitmap, hostImask: m.cpu.hostImask, vmcs: m.cpu.vmcs }).toEqual(saved);
    expect(m.run(5_000).kind).toBe('cycle-limit');
    expect(peek32(m, EPT_BASE + GDATA)).toBeGreaterThan(2);
  });
});
