// The Popek-Goldberg classifier: which instructions of an ISA are privileged, control-sensitive,
// behaviour-sensitive or innocuous, found by running them, not by reading their labels.
//
// Popek and Goldberg ("Formal requirements for virtualizable third generation architectures",
// CACM 17(7), 1974) define, for a machine whose state is storage, a mode (supervisor or user),
// a program counter and a relocation register:
// - an instruction is *privileged* if it traps in user mode and does not trap in supervisor mode;
// - it is *control-sensitive* if it can change the mode or the relocation register (the
//   configuration of the machine's resources) without trapping;
// - it is *behaviour-sensitive* if its effect depends on the mode or on where it runs in real
//   memory;
// - and a trap-and-emulate VMM can be built if every sensitive instruction is privileged.
//
// Here every instruction of the table is tried in many encodings (its format's fields, filled
// with a fixed set of registers and immediates) on a real Machine, in 48 machine states that
// differ only in control state: the ring (0 to 3), STATUS.IE, paging (off, an identity map, or a
// relocated map whose TLB holds a stale entry) and the other control registers together with
// the devices and the current VMCS (two settings). The ordinary state (the general registers,
// the pc and the program's memory, as seen through each state's own translation) is the same in
// all of them. One execution is one `Machine.step()`; then:
// - privileged: in every encoding and state it traps with PrivilegedInstruction outside ring 0
//   and never with PrivilegedInstruction in ring 0 (ringlab's own notion, which the interpreter
//   enforces for the table's `privileged` class);
// - control-sensitive: in some state it completes without trapping and the control state
//   afterwards differs from before: STATUS, another control register, the translation of a page
//   of the program (so a TLB flush that drops a stale entry counts, a TLB fill does not), the
//   guest TLB, the run state (halted, sleeping), a device, the current VMCS or the mode;
// - behaviour-sensitive: in some pair of states that differ in one of the four control
//   dimensions, its ordinary results differ: registers, next pc, the program's memory, or the
//   trap it raises. Executions that end in a memory trap (a page fault or bus error: P&G's
//   relocation-bounds trap) or in PrivilegedInstruction (the VMM gets control) are not compared.
//
// Decisions (docs/popek-goldberg.md explains them):
// - Loads and stores are not location-sensitive: the relocated map holds the same bytes at the
//   same virtual addresses in other frames, so an ordinary access sees the same thing; only a
//   memory trap differs, which P&G exclude.
// - Time is not state: the cycle counter is read only with the privileged `csrr`.
// - Everything runs in root mode: the question is what a trap-and-emulate VMM can build on. In
//   non-root mode the hardware keeps the guest's control state in the VMCS, which is how VT-x
//   repairs x86 without making anything privileged; the vmx instructions themselves are
//   classified like any other (the VMM's privileged instructions; `vmcall` always traps).
//
// Deterministic: fixed encodings, fixed states, fixed order.

import {
  ABI_NAMES,
  Cause,
  causeName,
  Csr,
  csrByNumber,
  encodeFields,
  Status,
  vmcsOffset,
  type Fields,
  type InsnDef,
  type Isa,
  type OperandKind,
  type PrivilegeClass,
} from '../isa/index.js';
import { Machine } from './machine.js';
import { Access, Pte } from './mmu.js';
import type { MachineSnapshot } from './snapshot.js';

// ---- The machine states -----------------------------------------------------------------------

const MEMORY_BYTES = 0x10000;
const START_CYCLES = 1000;
/** Where the instruction under test sits: the middle of the program's code page. */
export const CODE_VA = 0x1800;
/** The program's storage: its code page and two data pages, mapped the same way everywhere. */
export const PROGRAM_PAGES = [0x1000, 0x2000, 0x3000] as const;
const PAGE = 0x1000;
const USER_RWX = Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE | (3 << Pte.RING_SHIFT);

interface MapLayout {
  readonly dir: number;
  readonly table: number;
  /** The frame of each program page, as the page table says. */
  readonly frames: readonly number[];
  /** The TLB holds this frame for the last program page instead (a PTE changed, not yet flushed). */
  readonly staleFrame?: number;
}

const IDENTITY: MapLayout = { dir: 0x8000, table: 0x9000, frames: [0x1000, 0x2000, 0x3000] };
const RELOCATED: MapLayout = { dir: 0xa000, table: 0xb000, frames: [0xe000, 0xc000, 0xf000], staleFrame: 0xd000 };
const VMCS_LAUNCHED = 0x4000;
const VMCS_CLEAR = 0x5000;

/** The values of r0..r15 in every state (r0 is 0): addresses in the program's pages and plain numbers. */
export const REGISTER_VALUES: readonly number[] = [
  0, 0x2004, 0x3000, 0x2ff0, 0x12345678, -1, 0, 1, 0x8000_0000 | 0, 7, CODE_VA + 4, -5, 0x3ffc, 0x7fffffff, 31, 0xdeadbeef | 0,
];

export type Paging = 'off' | 'identity' | 'relocated';
export type RegisterSetting = 'A' | 'B';

/** One machine state: the control state it differs in; the ordinary state is always the same. */
export interface ControlContext {
  readonly ring: number;
  readonly ie: boolean;
  readonly paging: Paging;
  /** The other control registers, the devices and the current VMCS (see SETTINGS). */
  readonly setting: RegisterSetting;
}

interface Setting {
  tvec: number;
  epc: number;
  estatus: number;
  cause: number;
  badAddr: number;
  einsn: number;
  scratch0: number;
  scratch1: number;
  imask: number;
  timerInterval: number;
  consoleInputLeft: boolean;
  vmcs: number;
}

/** The two settings of everything else that is control state. */
export const SETTINGS: Readonly<Record<RegisterSetting, Readonly<Setting>>> = {
  A: { tvec: 0x1f00, epc: 0x1a00, estatus: 0, cause: 0, badAddr: 0, einsn: 0, scratch0: 0, scratch1: 0, imask: 0, timerInterval: 0, consoleInputLeft: false, vmcs: VMCS_LAUNCHED },
  B: { tvec: 0x1e00, epc: 0x1c00, estatus: 3 | Status.IE, cause: Cause.PrivilegedInstruction, badAddr: 0x2004, einsn: 0x12345678, scratch0: 0x2100, scratch1: -1, imask: 3, timerInterval: 5000, consoleInputLeft: true, vmcs: VMCS_CLEAR },
};

/** Every state, in a fixed order. */
export const CONTEXTS: readonly ControlContext[] = (['A', 'B'] as const).flatMap((setting) =>
  (['off', 'identity', 'relocated'] as const).flatMap((paging) =>
    [false, true].flatMap((ie) => [0, 1, 2, 3].map((ring): ControlContext => ({ ring, ie, paging, setting }))),
  ),
);

/** The four control dimensions a pair of states may differ in. */
export type Dimension = 'ring' | 'ie' | 'paging' | 'setting';
export const DIMENSIONS: readonly Dimension[] = ['ring', 'ie', 'paging', 'setting'];

const DIMENSION_VALUES: { [D in Dimension]: readonly ControlContext[D][] } = {
  ring: [0, 1, 2, 3],
  ie: [false, true],
  paging: ['off', 'identity', 'relocated'],
  setting: ['A', 'B'],
};

/** What a dimension's difference means, for evidence lines. */
const REVEALS: Record<Dimension, string> = {
  ring: 'it reveals the ring',
  ie: 'it reveals STATUS.IE',
  paging: 'it depends on paging',
  setting: 'it depends on the other control registers or the devices',
};

export function describeContext(c: ControlContext, only?: Dimension): string {
  const parts: Record<Dimension, string> = {
    ring: `ring ${c.ring}`,
    ie: `IE ${c.ie ? 1 : 0}`,
    paging: c.paging === 'off' ? 'paging off' : c.paging === 'identity' ? 'identity map' : 'relocated map',
    setting: `setting ${c.setting}`,
  };
  return only ? parts[only] : DIMENSIONS.map((d) => parts[d]).join(', ');
}

// ---- Observing a state ---------------------------------------------------------------------

export interface ControlChange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

function changeText(c: ControlChange): string {
  return `${c.name} ${c.from} -> ${c.to}`;
}

/** What one execution did. */
export interface Outcome {
  /** The trap it raised (the instruction did not complete), or undefined. */
  readonly trap: number | undefined;
  /** r1..r15 afterwards (only when it did not trap). */
  readonly regs: readonly number[];
  readonly pc: number;
  /** Words of the program's memory that changed: "virtual address=value". */
  readonly stores: readonly string[];
  /** Control state that changed, e.g. { name: 'STATUS.IE', from: '0', to: '1' }. Empty when it trapped. */
  readonly controlChanges: readonly ControlChange[];
}

const MEMORY_TRAPS = new Set<number>([Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute, Cause.BusError]);

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** How a control-state value reads in evidence. */
type Show = (v: number | string) => string;
const showHex: Show = (v) => hex(v as number);
const showFrame: Show = (v) => (v === -2 ? 'paging off' : v === -3 ? 'non-root' : v === -1 ? 'none' : `frame ${hex(v as number)}`);
const showRun: Show = (v) => (v === 0 ? 'running' : v === 1 ? 'sleeping (wfi)' : `halted (code ${(v as number) - 2})`);
const CONTROL: readonly [string, Show][] = [
  ['STATUS.RING', String],
  ['STATUS.IE', String],
  ...['EPC', 'ESTATUS', 'CAUSE', 'BADADDR', 'EINSN', 'TVEC', 'PTBR', 'SCRATCH0', 'SCRATCH1', 'IMASK'].map((n): [string, Show] => [n, showHex]),
  ...PROGRAM_PAGES.map((va): [string, Show] => [`translation of ${hex(va)}`, showFrame]),
  [`guest TLB entry for ${hex(0x2000)}`, showFrame],
  ['run state', showRun],
  ['mode', (v) => (v ? 'non-root' : 'root')],
  ['current VMCS', (v) => ((v as number) < 0 ? 'none' : hex(v as number))],
];

/** One prepared state: the machine as it is before the instruction runs. */
interface Prepared {
  readonly snapshot: MachineSnapshot;
  /** The snapshot's processor field values, in the order of the bench's field restorer. */
  readonly values: readonly unknown[];
  readonly control: readonly (number | string)[];
  /** Physical address of each program page (its translation before the instruction). */
  readonly frames: readonly number[];
  /** Physical address of the instruction slot. */
  readonly codePa: number;
}

/** A classifier bench: one machine with the 48 states prepared as snapshots. */
export class ClassifierBench {
  readonly machine: Machine;
  private readonly prepared: Prepared[] = [];
  /** The program's memory before any instruction (the same in every state), page by page. */
  private readonly view0: Buffer[];
  private readonly memoryPages: Buffer[];
  /** All of memory, and the memory every state starts from. */
  private readonly memory: Buffer;
  private readonly template: Buffer;
  /** Where the last run put its instruction, or -1. */
  private lastCodePa = -1;
  /** Restores the processor's fields from a prepared state's values (generated: see below). */
  private restoreFields!: (cpu: unknown, values: readonly unknown[]) => void;
  private fieldNames: string | undefined;
  /** Names of the devices' state fields, after CONTROL in a control-state vector. */
  private readonly deviceFields: string[] = [];
  private lastTrap: number | undefined;

  constructor(readonly isa: Isa) {
    this.machine = new Machine({ isa, memoryBytes: MEMORY_BYTES, consoleInput: 'x' });
    this.machine.cpu.onTrap = (e) => (this.lastTrap = e.cause);
    const bytes = this.machine.memory.bytes;
    this.memoryPages = Array.from({ length: MEMORY_BYTES / PAGE }, (_, i) => Buffer.from(bytes.buffer, bytes.byteOffset + i * PAGE, PAGE));
    for (const d of this.machine.devices) {
      const saved = d.save();
      if (saved && typeof saved === 'object') for (const k of Object.keys(saved)) this.deviceFields.push(`${d.name}.${k}`);
    }
    this.memory = Buffer.from(bytes.buffer, bytes.byteOffset, MEMORY_BYTES);
    const template = buildTemplate();
    this.template = Buffer.from(template);
    this.view0 = PROGRAM_PAGES.map((va) => Buffer.from(template.slice(va, va + PAGE)));
    for (const ctx of CONTEXTS) {
      this.setUp(ctx, template);
      if (!this.memory.equals(this.template)) throw new Error('classifier: a state must start from the template memory');
      const frames = PROGRAM_PAGES.map((va) => (this.machine.cpu.paging ? this.translation(va) : va));
      const snapshot = this.machine.snapshot();
      const fields = [...snapshot.cpu].map(([name, saved]) => [name, saved.kind, saved.value] as const);
      this.fieldNames ??= fields.map((f) => f[0]).join(',');
      if (this.fieldNames !== fields.map((f) => f[0]).join(',')) throw new Error('classifier: the processor changed shape between states');
      this.restoreFields ??= fieldRestorer(fields);
      this.prepared.push({ snapshot, values: fields.map((f) => f[2]), control: this.controlState(), frames, codePa: frames[0]! + (CODE_VA - PROGRAM_PAGES[0]!) });
    }
  }

  private setUp(ctx: ControlContext, template: Uint8Array): void {
    const m = this.machine;
    const cpu = m.cpu;
    m.memory.bytes.set(template);
    cpu.invalidateDecoded(0, MEMORY_BYTES);
    cpu.reset(CODE_VA);
    const s = SETTINGS[ctx.setting];
    m.console.restore({ inputPos: s.consoleInputLeft ? 0 : 1, irqEnabled: false, outputLength: 0 });
    m.timer.restore({ interval: s.timerInterval, nextFire: s.timerInterval === 0 ? Infinity : START_CYCLES + s.timerInterval, pending: false });
    cpu.tvec = s.tvec;
    cpu.epc = s.epc;
    cpu.estatus = s.estatus;
    cpu.cause = s.cause;
    cpu.badAddr = s.badAddr;
    cpu.einsn = s.einsn;
    cpu.scratch0 = s.scratch0;
    cpu.scratch1 = s.scratch1;
    cpu.imask = s.imask;
    cpu.vmcs = s.vmcs;
    // The guest TLB holds one translation, so that dropping guest translations shows.
    cpu.mmu.setContext(true, 0);
    cpu.mmu.translate(0x2000, Access.READ, 0, IDENTITY.dir | 1);
    cpu.mmu.setContext(false, 0);
    const map = ctx.paging === 'identity' ? IDENTITY : ctx.paging === 'relocated' ? RELOCATED : undefined;
    if (map) {
      cpu.writeCsr(Csr.PTBR, map.dir | 1);
      const last = PROGRAM_PAGES.length - 1;
      const pteAt = (map.table + ((PROGRAM_PAGES[last]! >>> 12) << 2)) >>> 2;
      if (map.staleFrame !== undefined) m.memory.words[pteAt] = map.staleFrame | USER_RWX;
      for (const va of PROGRAM_PAGES) cpu.mmu.translate(va, Access.READ, 0, cpu.ptbr);
      m.memory.words[pteAt] = map.frames[last]! | USER_RWX;
      cpu.invalidateDecoded(pteAt << 2, 4); // the TLB keeps the stale entry; the walk cache must not
    }
    cpu.writeCsr(Csr.STATUS, ctx.ring | (ctx.ie ? Status.IE : 0));
    cpu.x.set(REGISTER_VALUES);
    cpu.cycles = START_CYCLES;
  }

  /** Physical frame a program page is reached through now (the TLB first, as the processor
   *  would, then the page tables), without touching the TLB: -1 if unmapped, -2 with paging
   *  off, -3 in non-root mode (the guest's translation is not the program's). */
  private translation(va: number): number {
    const cpu = this.machine.cpu;
    if (cpu.nonRoot) return -3;
    if (!cpu.paging) return -2;
    const cached = cpu.mmu.peek(va, false);
    if (cached !== -1) return cached >>> 0;
    const words = this.machine.memory.words;
    const pde = words[(((cpu.ptbr & ~0xfff) >>> 0) + ((va >>> 22) << 2)) >>> 2] ?? 0;
    if ((pde & Pte.PRESENT) === 0) return -1;
    const pte = words[(((pde & ~0xfff) >>> 0) + (((va >>> 12) & 0x3ff) << 2)) >>> 2] ?? 0;
    if ((pte & Pte.PRESENT) === 0) return -1;
    return (pte & ~0xfff) >>> 0;
  }

  /** The control state now, as a vector in the order of CONTROL and then the device fields. */
  private controlState(): (number | string)[] {
    const m = this.machine;
    const cpu = m.cpu;
    const v: (number | string)[] = [
      cpu.ring, cpu.interruptsEnabled ? 1 : 0,
      cpu.epc, cpu.estatus, cpu.cause, cpu.badAddr, cpu.einsn, cpu.tvec, cpu.ptbr, cpu.scratch0, cpu.scratch1, cpu.imask,
    ];
    for (const va of PROGRAM_PAGES) v.push(this.translation(va));
    const guest = cpu.mmu.peek(0x2000, true);
    v.push(guest < 0 ? -1 : guest >>> 0);
    v.push(cpu.halted ? 2 + cpu.exitCode : cpu.sleeping ? 1 : 0, cpu.nonRoot ? 1 : 0, cpu.vmcs);
    for (const d of m.devices) {
      const saved = d.save();
      if (saved && typeof saved === 'object') for (const x of Object.values(saved as Record<string, unknown>)) v.push(typeof x === 'number' ? x : String(x));
    }
    return v;
  }

  /** Words of the program's pages (the frames they had before the instruction) that differ from
   *  the initial memory. */
  private stores(frames: readonly number[]): string[] {
    const out: string[] = [];
    frames.forEach((pa, i) => {
      const now = this.memoryPages[pa / PAGE]!;
      const was = this.view0[i]!;
      if (now.equals(was)) return;
      for (let o = 0; o < PAGE; o += 4) {
        const a = now.readInt32LE(o);
        if (a !== was.readInt32LE(o)) out.push(`${hex(PROGRAM_PAGES[i]! + o)}=${hex(a)}`);
      }
    });
    return out;
  }

  /** Put the machine back into a prepared state: memory, processor and devices as in the
   *  snapshot (what Machine.restore does, made quick for one instruction's worth of change:
   *  the memory of every state is the template, so one comparison finds a store). */
  private restore(p: Prepared): void {
    const m = this.machine;
    const words = m.memory.words;
    if (this.lastCodePa >= 0) {
      words[this.lastCodePa >>> 2] = this.template.readInt32LE(this.lastCodePa);
      m.cpu.invalidateDecoded(this.lastCodePa, 4);
    }
    if (!this.memory.equals(this.template)) {
      this.memoryPages.forEach((page, i) => {
        const want = this.template.subarray(i * PAGE, (i + 1) * PAGE);
        if (page.equals(want)) return;
        page.set(want);
        m.cpu.invalidateDecoded(i * PAGE, PAGE);
      });
    }
    this.restoreFields(m.cpu, p.values);
    m.devices.forEach((d, i) => d.restore(p.snapshot.devices[i]));
  }

  /** Execute `word` once in state number `index` of CONTEXTS. `regs` replaces r0..r15. */
  run(word: number, index: number, regs?: readonly number[]): Outcome {
    const m = this.machine;
    const cpu = m.cpu;
    const p = this.prepared[index]!;
    this.restore(p);
    if (regs) cpu.x.set(regs.slice(0, 16));
    m.memory.words[p.codePa >>> 2] = word | 0;
    cpu.invalidateDecoded(p.codePa, 4);
    this.lastCodePa = p.codePa;
    this.view0[0]!.writeInt32LE(word | 0, CODE_VA - PROGRAM_PAGES[0]!); // the initial memory holds it too
    this.lastTrap = undefined;
    m.step();
    const trap = this.lastTrap ?? (cpu.doubleFault ? cpu.doubleFault.cause : undefined);
    if (trap !== undefined) return { trap, regs: [], pc: 0, stores: [], controlChanges: [] };
    const after = this.controlState();
    const controlChanges: ControlChange[] = [];
    after.forEach((v, k) => {
      const was = p.control[k]!;
      if (was === v) return;
      const [name, show] = k < CONTROL.length ? CONTROL[k]! : [this.deviceFields[k - CONTROL.length]!, String];
      controlChanges.push({ name, from: show(was), to: show(v) });
    });
    return { trap, regs: Array.from(cpu.x.subarray(1)), pc: cpu.pc >>> 0, stores: this.stores(p.frames), controlChanges };
  }
}

/**
 * A function that puts saved processor fields back, as Machine.restore does, generated from the
 * field list so that each store is a plain property store (the classifier restores a state
 * before each of its ~50,000 executions per ISA; keyed stores made that the slowest part).
 */
function fieldRestorer(fields: readonly (readonly [string, string, unknown])[]): (cpu: unknown, values: readonly unknown[]) => void {
  const line = ([name, kind]: readonly [string, string, unknown], i: number): string => {
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`classifier: processor field '${name}' is not an identifier`);
    switch (kind) {
      case 'saver': return `cpu.${name}.restore(v[${i}]);`;
      case 'typed': return `cpu.${name}.set(v[${i}]);`;
      case 'object': return `cpu.${name} = structuredClone(v[${i}]);`;
      case 'map': return `cpu.${name}.clear(); for (const [k, x] of v[${i}]) cpu.${name}.set(k, x);`;
      default: return `cpu.${name} = v[${i}];`;
    }
  };
  // Savers first: restoring the MMU drops the fetch-page cache, which the plain fields restore.
  const savers = fields.map((f, i) => (f[1] === 'saver' ? line(f, i) : '')).filter((l) => l !== '');
  const rest = fields.map((f, i) => (f[1] === 'saver' ? '' : line(f, i))).filter((l) => l !== '');
  return new Function('cpu', 'v', `"use strict";\n${[...savers, ...rest].join('\n')}`) as (cpu: unknown, values: readonly unknown[]) => void;
}

/** The initial physical memory of every state. */
function buildTemplate(): Uint8Array {
  const t = new Uint8Array(MEMORY_BYTES);
  const words = new Int32Array(t.buffer);
  // The program's pages hold a fixed pseudo-random pattern (the code page too: only the
  // instruction under test is ever executed).
  let x = 0x2545f491;
  for (const va of PROGRAM_PAGES) {
    for (let o = 0; o < PAGE; o += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[(va + o) >>> 2] = x;
    }
  }
  // The relocated map: the same bytes in other frames (the stale frame too).
  PROGRAM_PAGES.forEach((va, i) => t.copyWithin(RELOCATED.frames[i]!, va, va + PAGE));
  t.copyWithin(RELOCATED.staleFrame!, PROGRAM_PAGES[PROGRAM_PAGES.length - 1]!, PROGRAM_PAGES[PROGRAM_PAGES.length - 1]! + PAGE);
  for (const map of [IDENTITY, RELOCATED]) {
    words[map.dir >>> 2] = map.table | Pte.PRESENT;
    PROGRAM_PAGES.forEach((va, i) => (words[(map.table + ((va >>> 12) << 2)) >>> 2] = map.frames[i]! | USER_RWX));
  }
  // A VMCS that has been launched (vmresume works) and a clear one (vmlaunch works).
  words[(VMCS_LAUNCHED + vmcsOffset('LAUNCHED')) >>> 2] = 1;
  return t;
}

// ---- Encodings ---------------------------------------------------------------------------------

/** One encoding of an instruction: its word and how it reads in assembly. */
export interface Instance {
  readonly word: number;
  readonly text: string;
}

const RD_CHOICES = [9, 0];
const RS1_CHOICES = [1, 2, 4, 12];
const RS2_CHOICES = [5, 7, 15];

/** Immediates to try: every control register (and an unknown one) for a csr operand, every
 *  device port (and an unclaimed one) for a port, a few values of each immediate kind. */
function immChoices(insn: InsnDef, ports: readonly number[]): number[] {
  if (insn.syntax.includes('csr')) return [...Array.from({ length: 16 }, (_, n) => n), 0xffff];
  if (insn.syntax.includes('port')) return [...ports, 0x99];
  switch (insn.format.imm) {
    case 'none': return [0];
    case 'simm16': return [0, 4, -8];
    case 'uimm16': return [0, 4, 0xffff];
    case 'shamt': return [0, 5, 31];
    case 'branch16': return [8, -8];
    case 'jump20': return [16, -16];
  }
}

function operandText(kind: OperandKind, f: Fields): string {
  switch (kind) {
    case 'rd': return ABI_NAMES[f.rd]!;
    case 'rs1': return ABI_NAMES[f.rs1]!;
    case 'rs2': return ABI_NAMES[f.rs2]!;
    case 'imm': return String(f.imm);
    case 'mem': return `${f.imm}(${ABI_NAMES[f.rs1]!})`;
    case 'target': return `pc${f.imm < 0 ? '-' : '+'}${Math.abs(f.imm)}`;
    case 'csr': return csrByNumber(f.imm)?.name ?? String(f.imm);
    case 'port': return `0x${f.imm.toString(16)}`;
  }
}

/** How an encoding reads in assembly (without the disassembler: src/machine does not use src/asm). */
export function instanceText(insn: InsnDef, f: Fields): string {
  return insn.syntax.length ? `${insn.mnemonic} ${insn.syntax.map((k) => operandText(k, f)).join(', ')}` : insn.mnemonic;
}

/** The encodings the classifier tries: the product of a few choices for each field the format uses. */
export function instancesOf(insn: InsnDef, ports: readonly number[]): Instance[] {
  const r = insn.format.regs;
  const out: Instance[] = [];
  for (const rd of r.rd === '-' ? [0] : RD_CHOICES) {
    for (const rs1 of r.rs1 === '-' ? [0] : RS1_CHOICES) {
      for (const rs2 of r.rs2 === '-' ? [0] : RS2_CHOICES) {
        for (const imm of immChoices(insn, ports)) {
          const f: Fields = { rd, rs1, rs2, imm };
          out.push({ word: encodeFields(insn.format, insn.opcode, f) | 0, text: instanceText(insn, f) });
        }
      }
    }
  }
  return out;
}

// ---- Classification ------------------------------------------------------------------------------

export type Verdict = 'privileged' | 'innocuous' | 'offender';

export interface InsnClassification {
  readonly mnemonic: string;
  readonly extension: string;
  readonly opcode: number;
  /** The privilege class the instruction table gives it. */
  readonly table: PrivilegeClass;
  readonly privileged: boolean;
  readonly controlSensitive: boolean;
  readonly behaviourSensitive: boolean;
  /** Privileged; otherwise an offender if sensitive, else innocuous. */
  readonly verdict: Verdict;
  /** The privilege class the table should give it: privileged, sensitive (an offender) or user. */
  readonly expected: PrivilegeClass;
  /** What was observed, one sentence each. */
  readonly evidence: {
    readonly privilege: string;
    readonly control: string | undefined;
    readonly behaviour: readonly string[];
  };
  /** Encodings tried; each ran in every state of CONTEXTS. */
  readonly encodings: number;
}

export interface IsaClassification {
  /** Bundles of the ISA, base first. */
  readonly bundles: readonly string[];
  readonly states: number;
  readonly insns: readonly InsnClassification[];
  /** Sensitive but unprivileged instructions, in table order. */
  readonly offenders: readonly InsnClassification[];
  /** The Popek-Goldberg condition: every sensitive instruction is privileged. */
  readonly holds: boolean;
}

const contextIndex = new Map(CONTEXTS.map((c, i) => [`${c.ring}|${c.ie}|${c.paging}|${c.setting}`, i]));

function indexOf(c: ControlContext): number {
  return contextIndex.get(`${c.ring}|${c.ie}|${c.paging}|${c.setting}`)!;
}

/** For each state and dimension, the states that differ from it only there, with a later value
 *  of that dimension (so each pair is visited once). */
const NEIGHBOURS: readonly (Readonly<Record<Dimension, readonly number[]>>)[] = CONTEXTS.map((ctx) => {
  const out = {} as Record<Dimension, number[]>;
  for (const dim of DIMENSIONS) {
    const values = DIMENSION_VALUES[dim] as readonly unknown[];
    out[dim] = values.slice(values.indexOf(ctx[dim]) + 1).map((v) => indexOf({ ...ctx, [dim]: v } as ControlContext));
  }
  return out;
});

function excluded(o: Outcome): boolean {
  return o.trap !== undefined && (MEMORY_TRAPS.has(o.trap) || o.trap === Cause.PrivilegedInstruction);
}

function ordinaryKey(o: Outcome): string {
  return o.trap !== undefined ? `trap ${o.trap}` : `${o.regs.join(',')}|${o.pc}|${o.stores.join(',')}`;
}

/** How two outcomes of one encoding differ, in words; `x` and `y` name the two states. */
function difference(o: Outcome, p: Outcome, x: string, y: string): string {
  const ending = (q: Outcome): string => (q.trap === undefined ? 'completes' : `traps with ${causeName(q.trap)}`);
  if (o.trap !== undefined || p.trap !== undefined) return `${ending(o)} in ${x} and ${ending(p)} in ${y}`;
  const r = o.regs.findIndex((v, i) => v !== p.regs[i]);
  if (r >= 0) return `puts ${hex(o.regs[r]!)} in ${ABI_NAMES[r + 1]} in ${x} and ${hex(p.regs[r]!)} in ${y}`;
  if (o.pc !== p.pc) return `continues at ${hex(o.pc)} in ${x} and at ${hex(p.pc)} in ${y}`;
  const stores = (q: Outcome): string => (q.stores.length ? q.stores.slice(0, 2).join(', ') + (q.stores.length > 2 ? ', ...' : '') : 'nothing');
  return `writes ${stores(o)} in ${x} and ${stores(p)} in ${y}`;
}

function rings(list: readonly number[]): string {
  return list.length > 1 && list.every((r, i) => i === 0 || r === list[i - 1]! + 1) ? `rings ${list[0]}-${list[list.length - 1]}` : `ring${list.length > 1 ? 's' : ''} ${list.join(', ')}`;
}

/** Classify one instruction by running every encoding in every state. */
export function classifyInsn(bench: ClassifierBench, insn: InsnDef): InsnClassification {
  const ports = bench.machine.devices.flatMap((d) => d.ports.map((p) => p.port)).sort((a, b) => a - b);
  const instances = instancesOf(insn, ports);
  const outcomes = instances.map((inst) => CONTEXTS.map((_, c) => bench.run(inst.word, c)));

  // Privileged: PrivilegedInstruction outside ring 0, never in ring 0. A counterexample from
  // ring 3 (user mode) reads best, so the rings are searched from 3 down.
  let privilegeCounter: string | undefined;
  for (const ring of [3, 2, 1, 0]) {
    for (let i = 0; i < instances.length && !privilegeCounter; i++) {
      for (let c = 0; c < CONTEXTS.length && !privilegeCounter; c++) {
        const ctx = CONTEXTS[c]!;
        if (ctx.ring !== ring) continue;
        const trap = outcomes[i]![c]!.trap;
        const priv = trap === Cause.PrivilegedInstruction;
        if (ring !== 0 && !priv) {
          privilegeCounter = `\`${instances[i]!.text}\` ${trap === undefined ? 'does not trap' : `traps with ${causeName(trap)}, not PrivilegedInstruction,`} in ring ${ring} (${describeContext(ctx)})`;
        } else if (ring === 0 && priv) {
          privilegeCounter = `\`${instances[i]!.text}\` traps with PrivilegedInstruction in ring 0 (${describeContext(ctx)})`;
        }
      }
    }
  }
  const privileged = privilegeCounter === undefined;
  const privilegeEvidence = privileged
    ? `traps with PrivilegedInstruction in ${rings([1, 2, 3])} and never in ring 0 (${instances.length} encoding${instances.length === 1 ? '' : 's'} in ${CONTEXTS.length} states)`
    : privilegeCounter!;

  // Control-sensitive: changes control state without trapping. The witness from the highest ring
  // is the most telling; from ring 0, say what the same encoding does in ring 3.
  let witness: { i: number; c: number } | undefined;
  for (let i = 0; i < instances.length; i++) {
    for (let c = 0; c < CONTEXTS.length; c++) {
      const o = outcomes[i]![c]!;
      if (o.trap === undefined && o.controlChanges.length > 0 && (!witness || CONTEXTS[c]!.ring > CONTEXTS[witness.c]!.ring)) witness = { i, c };
    }
  }
  let control: string | undefined;
  if (witness) {
    const ctx = CONTEXTS[witness.c]!;
    const o = outcomes[witness.i]![witness.c]!;
    control = `in ${describeContext(ctx)}, \`${instances[witness.i]!.text}\` changed ${o.controlChanges.map(changeText).join(', ')} without trapping`;
    if (ctx.ring === 0) {
      const user = outcomes[witness.i]![indexOf({ ...ctx, ring: 3 })]!;
      control +=
        user.trap !== undefined
          ? `; in ring 3 (otherwise the same state) it traps with ${causeName(user.trap)}`
          : user.controlChanges.length
            ? `; in ring 3 (otherwise the same state) it changed ${user.controlChanges.map(changeText).join(', ')}`
            : `; in ring 3 (otherwise the same state) it left ${o.controlChanges.map((c) => `${c.name} at ${c.from}`).join(', ')} without trapping`;
    }
  }

  // Behaviour-sensitive: ordinary results differ between states that differ in one dimension.
  const keys = outcomes.map((row) => row.map((o) => (excluded(o) ? undefined : ordinaryKey(o))));
  const behaviour: string[] = [];
  for (const dim of DIMENSIONS) {
    let found: string | undefined;
    let foundTrapping: string | undefined;
    for (let i = 0; i < instances.length && !found; i++) {
      for (let c = 0; c < CONTEXTS.length && !found; c++) {
        const key = keys[i]![c];
        if (key === undefined) continue;
        for (const d of NEIGHBOURS[c]![dim]) {
          const other = keys[i]![d];
          if (other === undefined || other === key) continue;
          const o = outcomes[i]![c]!;
          const p = outcomes[i]![d]!;
          const ctx = CONTEXTS[c]!;
          const rest = DIMENSIONS.filter((x) => x !== dim).map((x) => describeContext(ctx, x)).join(', ');
          const text = `\`${instances[i]!.text}\` ${difference(o, p, describeContext(ctx, dim), describeContext(CONTEXTS[d]!, dim))} (otherwise the same state: ${rest}): ${REVEALS[dim]}`;
          if (o.trap === undefined && p.trap === undefined) {
            found = text;
            break;
          }
          foundTrapping ??= text;
        }
      }
    }
    const evidence = found ?? foundTrapping;
    if (evidence) behaviour.push(evidence);
  }

  const controlSensitive = control !== undefined;
  const behaviourSensitive = behaviour.length > 0;
  const sensitive = controlSensitive || behaviourSensitive;
  return {
    mnemonic: insn.mnemonic,
    extension: insn.extension,
    opcode: insn.opcode,
    table: insn.privilege,
    privileged,
    controlSensitive,
    behaviourSensitive,
    verdict: privileged ? 'privileged' : sensitive ? 'offender' : 'innocuous',
    expected: privileged ? 'privileged' : sensitive ? 'sensitive' : 'user',
    evidence: { privilege: privilegeEvidence, control, behaviour },
    encodings: instances.length,
  };
}

const cache = new WeakMap<Isa, IsaClassification>();

/** Classify every instruction of an ISA (cached per Isa object). */
export function classifyIsa(isa: Isa): IsaClassification {
  const hit = cache.get(isa);
  if (hit) return hit;
  const bench = new ClassifierBench(isa);
  const insns = isa.insns.map((insn) => classifyInsn(bench, insn));
  const offenders = insns.filter((i) => i.verdict === 'offender');
  const result: IsaClassification = { bundles: isa.extensions.map((e) => e.name), states: CONTEXTS.length, insns, offenders, holds: offenders.length === 0 };
  cache.set(isa, result);
  return result;
}
