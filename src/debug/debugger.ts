// The debugger library: a Machine plus the images loaded into it, independent of any terminal.
//
// Running. Nothing is hooked into the interpreter's hot loop. With no breakpoint, watchpoint or
// catchpoint active, `continue` runs the machine flat out in bounded chunks (`Machine.run` up to
// a cycle count). Otherwise it executes one instruction at a time with `Machine.step()` and
// checks, after each step: memory watchpoints (the instruction that retired is decoded; its
// access kind, size and address function come from the instruction table, applied to the
// registers before the step), register and expression
// watchpoints (value changed), catchpoints (a trap entry of a chosen cause, a change of world),
// breakpoints at the new pc (with their world, process and condition), and the goal of the
// command (a number of steps, or a return address for `nexti` and `finish`). Long runs are
// generators that yield between chunks, so a front end can give the event loop a turn (and
// Ctrl-C a chance) and then resume, or stop by setting `abortRequested`.
//
// Reverse execution. The machine is deterministic, so the past can be recomputed: snapshots
// (src/machine/snapshot.ts) are taken every `snapshotInterval` steps, and going back means
// restoring the latest snapshot before the target and re-executing forward to it. Positions are
// measured in "ticks" (instructions retired plus traps taken plus VM exits), which grow with
// every step.
// `reverse-stepi` finds the step boundaries between the snapshot and now and stops at the one it
// wants; `reverse-continue` re-executes each interval with every check on and stops at the last
// place where a forward run would have stopped (with nothing set, nothing can stop it: it restores
// the first snapshot without re-executing anything). Changing registers or memory (`set`) starts a
// new timeline: later snapshots are dropped, and going back past the change replays the
// recorded past without it.
//
// History. Every trap entry is recorded from the processor's onTrap hook (chained after whatever
// hook was there): cause, where it came from, the worlds before and after. With the
// virtualization extension every VM exit is recorded too, from the VMCS exit fields, by noticing
// that a step left non-root mode; so that none is missed, such machines always run step by step.
// The history is part of the debugger's state: going back truncates it and re-execution
// rebuilds it.

import { causeName, CAUSES, decodeWord, EXIT_REASONS, exitReasonName, isInterrupt, Reg, vmcsOffset } from '../isa/index.js';
import { CONSOLE_KEEP_BYTES } from '../machine/devices/console.js';
import type { Machine, StopReason, WorldName } from '../machine/machine.js';
import type { TrapEvent } from '../machine/processor.js';
import type { MachineSnapshot } from '../machine/snapshot.js';
import { findSymbol } from '../asm/index.js';
import { backtrace, callerOf, unwindFrame, type Backtrace } from './backtrace.js';
import { DebugError, hex } from './errors.js';
import { evaluate, type EvalContext, type Value } from './expr.js';
import { DebugMemory } from './memory.js';
import { readRegister, writeRegister } from './registers.js';
import { SymbolTable, worldOfImage, type BootImage, type Place } from './symbols.js';
import { TranslationMap, type TranslationOrigin } from './translation.js';
import { shadowedGuest } from './vcpu.js';

// ---- Stop points --------------------------------------------------------------------------------

export interface Breakpoint {
  readonly id: number;
  readonly type: 'breakpoint';
  readonly address: number;
  /** What it is on, e.g. `kernel:sys_write` or `0x00010040`. */
  readonly location: string;
  /** Stop only in this world (symbol breakpoints of a session with several images). */
  readonly world: WorldName | undefined;
  /** Stop only while one of these processes runs (breakpoints in user programs). */
  readonly pids: readonly number[] | undefined;
  readonly condition: string | undefined;
  readonly temporary: boolean;
  enabled: boolean;
  hits: number;
}

export type WatchAccess = 'write' | 'read' | 'access';

export type WatchTarget =
  | { readonly kind: 'memory'; readonly address: number; readonly size: 1 | 2 | 4 }
  | { readonly kind: 'value'; readonly expression: string };

export interface Watchpoint {
  readonly id: number;
  readonly type: 'watchpoint';
  readonly access: WatchAccess;
  readonly target: WatchTarget;
  /** As the user wrote it. */
  readonly expression: string;
  enabled: boolean;
  hits: number;
  /** Value at the last check (value watchpoints). */
  last: number | undefined;
}

export interface Catchpoint {
  readonly id: number;
  readonly type: 'catchpoint';
  /** 'trap': trap entries (of `causes`, or any); 'vmexit': VM exits (of `causes`, the exit
   *  reasons, or any); 'world': any change of world. */
  readonly what: 'trap' | 'vmexit' | 'world';
  readonly causes: readonly number[] | undefined;
  enabled: boolean;
  hits: number;
}

export type StopPoint = Breakpoint | Watchpoint | Catchpoint;

// ---- History and stops ----------------------------------------------------------------------------

export interface TrapRecord {
  readonly kind: 'trap';
  /** 1 for the first trap of the session. */
  readonly seq: number;
  readonly cause: number;
  readonly causeName: string;
  readonly interrupt: boolean;
  readonly epc: number;
  readonly badAddr: number;
  readonly insnWord: number;
  readonly fromRing: number;
  readonly fromWorld: WorldName;
  /** The guest process that was running (the kernel's `current_pid`), if known. */
  readonly pid: number | undefined;
  /** The program it ran (Place.program), if known. */
  readonly program: string | undefined;
  readonly toWorld: WorldName;
  readonly cycle: number;
}

/** A VM exit of the virtualization extension, read from the VMCS exit fields. */
export interface ExitRecord {
  readonly kind: 'vmexit';
  readonly seq: number;
  readonly reason: number;
  readonly reasonName: string;
  readonly qualification: number;
  readonly insnWord: number;
  readonly gpa: number;
  readonly gva: number;
  /** Where the guest was (G_PC): the instruction that exited, or the next one for events. */
  readonly guestPc: number;
  readonly fromRing: number;
  readonly fromWorld: WorldName;
  /** The guest process that was running, if known. */
  readonly pid: number | undefined;
  /** The program it ran, if known. */
  readonly program: string | undefined;
  readonly toWorld: WorldName;
  readonly cycle: number;
}

/** The history: trap entries and VM exits, in the order they happened. */
export type HistoryRecord = TrapRecord | ExitRecord;

export type StopEvent =
  | { kind: 'breakpoint'; point: Breakpoint; conditionError?: string; reverse?: boolean }
  | { kind: 'watchpoint'; point: Watchpoint; access: 'read' | 'write' | 'change'; address?: number; old: number | undefined; value: number | undefined; reverse?: boolean }
  | { kind: 'catch-trap'; point: Catchpoint; trap: TrapRecord; reverse?: boolean }
  | { kind: 'catch-vmexit'; point: Catchpoint; exit: ExitRecord; reverse?: boolean }
  | { kind: 'catch-world'; point: Catchpoint; from: WorldName; to: WorldName; reverse?: boolean }
  /** stepi / nexti / reverse-stepi finished. */
  | { kind: 'step'; reverse?: boolean }
  /** finish: the function returned; a0 holds its result. */
  | { kind: 'finish'; value: number }
  /** The machine stopped by itself: halt, double fault, deadlock. */
  | { kind: 'machine'; stop: StopReason }
  /** The cycle budget of one command ran out. */
  | { kind: 'limit'; cycles: number }
  | { kind: 'interrupted' }
  /** Reverse execution reached the oldest point it can go back to. */
  | { kind: 'history-start' };

/** A long operation: yields between chunks of work, returns where it stopped. */
export type Run = Generator<void, StopEvent, void>;

export interface DebuggerOptions {
  /** Ticks between snapshots while stepping (default 200,000). */
  snapshotInterval?: number;
  /** Ticks between snapshots while running flat out (default 1,000,000). */
  fastSnapshotInterval?: number;
  /** Snapshots kept; older ones are thinned out (default 64). */
  maxSnapshots?: number;
  /** Trap records kept (default 100,000). */
  historyLimit?: number;
  /** Cycle budget of one continue, nexti or finish (default 1e9). */
  maxCycles?: number;
}

interface Snap {
  readonly ticks: number;
  readonly cycles: number;
  readonly machine: MachineSnapshot;
  readonly eventSeq: number;
}

type Goal =
  | { kind: 'steps'; n: number }
  | { kind: 'continue' }
  | { kind: 'until'; pc: number; sp: number; world: WorldName; finish: boolean };

/** Steps between checks for a snapshot and between yields while stepping. */
const STEP_CHUNK = 8192;
/** Cycles per chunk while running flat out. */
const FAST_CHUNK_CYCLES = 4_000_000;
/** Fast-forward stops this many cycles short of a reverse target (longer than any one step). */
const FAST_FORWARD_MARGIN = 200_000;

export class Debugger {
  readonly symbols: SymbolTable;
  readonly memory: DebugMemory;
  /** Set (e.g. by a Ctrl-C handler) to stop the running command at its next chunk boundary. */
  abortRequested = false;

  private readonly points: StopPoint[] = [];
  private nextId = 1;
  private bpByAddress = new Map<number, Breakpoint[]>();
  /** Trap entries and VM exits so far (part of the position: see ticks()). */
  private eventSeq = 0;
  private readonly events: HistoryRecord[] = [];
  /** The machine has the virtualization extension: VM exits are recorded by stepping. */
  private readonly vmx: boolean;
  private snapshots: Snap[] = [];
  private readonly preX = new Int32Array(16);
  private readonly options: Required<DebuggerOptions>;
  private shownConsole = 0;
  private toldConsoleCut = false;
  /** Host-physical address of the guest kernel's `current_pid`, in a session with processes. */
  private readonly currentPidAddress: number | undefined;
  /** Host-physical addresses of the kernel's `current` (the running PCB) and of guest-physical
   *  0, and the offset of the program's name in a PCB (P_NAME), in a session with processes. */
  private readonly programName: { current: number; guestBase: number; offset: number } | undefined;
  /** Under bt: where each translation-cache word came from (translation.ts). */
  private readonly translations: TranslationMap | undefined;

  constructor(
    readonly machine: Machine,
    images: readonly BootImage[],
    options: DebuggerOptions = {},
  ) {
    this.options = {
      snapshotInterval: options.snapshotInterval ?? 200_000,
      fastSnapshotInterval: options.fastSnapshotInterval ?? 1_000_000,
      maxSnapshots: Math.max(4, options.maxSnapshots ?? 64),
      historyLimit: options.historyLimit ?? 100_000,
      maxCycles: options.maxCycles ?? 1e9,
    };
    this.symbols = new SymbolTable(images);
    this.memory = new DebugMemory(machine, shadowedGuest(machine, this.symbols));
    const kernel = this.symbols.imageOfKind('kernel');
    const hasProcesses = images.some((i) => i.pid !== undefined);
    const pidSymbol = kernel && hasProcesses ? findSymbol(kernel.image, 'current_pid')?.value : undefined;
    // Read physically, as the host reads kernel data (KernelObserver): kernel addresses are
    // guest-physical, and a VMM puts guest-physical 0 at its GUEST_BASE. Then the pid can be
    // read in any world, the VMM's included.
    const vmm = this.symbols.imageOfKind('vmm');
    const guestBase = (vmm && findSymbol(vmm.image, 'GUEST_BASE')?.value) ?? 0;
    this.currentPidAddress = pidSymbol === undefined ? undefined : (guestBase + pidSymbol) >>> 0;
    const current = kernel && hasProcesses ? findSymbol(kernel.image, 'current')?.value : undefined;
    const nameOffset = kernel && hasProcesses ? findSymbol(kernel.image, 'P_NAME')?.value : undefined;
    this.programName = current === undefined || nameOffset === undefined ? undefined : { current: (guestBase + current) >>> 0, guestBase, offset: nameOffset };
    this.translations = TranslationMap.of(machine, vmm?.image);
    this.vmx = machine.isa.extensions.some((e) => e.name === 'vmx');
    const previous = machine.cpu.onTrap;
    machine.cpu.onTrap = (event) => {
      previous?.(event);
      this.recordTrap(event);
    };
    this.snapshots.push(this.snap());
  }

  // ---- State ------------------------------------------------------------------------------------

  get cpu(): Machine['cpu'] {
    return this.machine.cpu;
  }

  /** Position in the execution: instructions retired plus traps taken plus VM exits (plus one
   *  for the double fault that stops a machine). Every step moves it on. */
  ticks(): number {
    const cpu = this.machine.cpu;
    return cpu.instret + this.eventSeq + (cpu.doubleFault ? 1 : 0);
  }

  /** Under bt, the guest kernel instruction a translation-cache address came from. */
  translationOrigin(pc: number = this.cpu.pc): TranslationOrigin | undefined {
    return this.translations?.origin(pc);
  }

  world(): WorldName {
    return this.machine.currentWorld();
  }

  /** The running process as the guest kernel records it (`current_pid`), if it can be read. */
  currentPid(): number | undefined {
    const at = this.currentPidAddress;
    if (at === undefined || (at & 3) !== 0 || at + 4 > this.machine.memory.size) return undefined;
    const pid = this.machine.memory.words[at >>> 2]!;
    return pid === 0 ? undefined : pid;
  }

  /** The program the running process runs, as the guest kernel names it (its PCB's P_NAME),
   *  if it can be read. */
  currentProgram(): string | undefined {
    const at = this.programName;
    if (at === undefined) return undefined;
    const bytes = this.machine.memory.bytes;
    if ((at.current & 3) !== 0 || at.current + 4 > bytes.length) return undefined;
    const pcb = this.machine.memory.words[at.current >>> 2]! >>> 0;
    if (pcb === 0) return undefined;
    const start = (at.guestBase + pcb + at.offset) >>> 0;
    if (start + 16 > bytes.length) return undefined;
    let name = '';
    for (let i = 0; i < 16 && bytes[start + i] !== 0; i++) name += String.fromCharCode(bytes[start + i]!);
    return name === '' ? undefined : name;
  }

  place(): Place {
    return { world: this.world(), pid: this.currentPid(), program: this.currentProgram() };
  }

  evalContext(): EvalContext {
    return {
      register: (name) => readRegister(this.machine, name),
      symbol: (name) => {
        const s = this.symbols.lookup(name);
        return s && { value: s.symbol.value | 0, unsigned: s.symbol.kind === 'label' };
      },
      readWord: (address) => this.memory.readWord(address) | 0,
    };
  }

  evaluate(text: string): Value {
    return evaluate(text, this.evalContext());
  }

  /** An address: an expression, evaluated as unsigned. */
  address(text: string): number {
    return this.evaluate(text).value >>> 0;
  }

  setRegister(name: string, value: number): void {
    writeRegister(this.machine, name, value);
    this.modified();
  }

  writeMemory(address: number, value: number, size: 1 | 2 | 4 = 4): void {
    this.memory.writeValue(address, value, size);
    this.modified();
  }

  /** The user changed the machine: the recorded future no longer follows from the past. */
  private modified(): void {
    const now = this.ticks();
    this.snapshots = this.snapshots.filter((s) => s.ticks < now);
    this.snapshots.push(this.snap(this.snapshots[this.snapshots.length - 1]));
    this.resetValueWatches();
  }

  /** Console bytes the guest wrote since the last call, exactly as written (written again if
   *  execution went back and came forward again). */
  takeConsoleOutput(): Uint8Array {
    const console = this.machine.console;
    const total = console.outputLength;
    if (total < this.shownConsole) this.shownConsole = total;
    const fresh = console.outputFrom(this.shownConsole);
    this.shownConsole = total;
    return fresh;
  }

  /** The line that says, once, that the console has started to drop output: it keeps only its
   *  first CONSOLE_KEEP_BYTES (host memory stays bounded), so later bytes cannot be shown. */
  consoleCutNote(): string | undefined {
    const cut = this.machine.console.outputTruncated;
    const tell = cut && !this.toldConsoleCut;
    this.toldConsoleCut = cut;
    return tell ? `[console output past the first ${CONSOLE_KEEP_BYTES / 1024 / 1024} MiB is not kept or shown]` : undefined;
  }

  // ---- Traps ------------------------------------------------------------------------------------

  private recordTrap(e: TrapEvent): void {
    this.eventSeq++;
    this.remember({
      kind: 'trap',
      seq: this.eventSeq,
      cause: e.cause,
      causeName: causeName(e.cause),
      interrupt: isInterrupt(e.cause),
      epc: e.epc >>> 0,
      badAddr: e.badAddr >>> 0,
      insnWord: e.insnWord >>> 0,
      fromRing: e.fromRing,
      fromWorld: this.machine.worldOf(this.cpu.nonRoot ? 'nonRoot' : 'root', e.fromRing),
      pid: this.currentPid(),
      program: this.currentProgram(),
      toWorld: this.machine.currentWorld(),
      cycle: e.cycle,
    });
  }

  private remember(record: HistoryRecord): void {
    this.events.push(record);
    if (this.events.length > this.options.historyLimit) this.events.splice(0, this.events.length - this.options.historyLimit);
  }

  /** A VM exit just happened (the step left non-root mode): record it from the VMCS. */
  private recordExit(): void {
    const cpu = this.cpu;
    const words = this.machine.memory.words;
    const field = (name: string): number => words[((cpu.vmcs >>> 0) + vmcsOffset(name)) >>> 2]! >>> 0;
    const guestStatus = field('G_STATUS');
    const reason = field('X_REASON');
    this.eventSeq++;
    this.remember({
      kind: 'vmexit',
      seq: this.eventSeq,
      reason,
      reasonName: exitReasonName(reason),
      qualification: field('X_QUAL'),
      insnWord: field('X_INSN'),
      gpa: field('X_GPA'),
      gva: field('X_GVA'),
      guestPc: field('G_PC'),
      fromRing: guestStatus & 3,
      fromWorld: this.machine.worldOf('nonRoot', guestStatus & 3),
      pid: this.currentPid(),
      program: this.currentProgram(),
      toWorld: this.machine.currentWorld(),
      cycle: cpu.cycles,
    });
  }

  /** One machine step, recording a VM exit it causes. */
  private machineStep(): StopReason {
    const cpu = this.cpu;
    const wasNonRoot = cpu.nonRoot;
    const stop = this.machine.step();
    if (wasNonRoot && !cpu.nonRoot && cpu.vmcs >= 0) this.recordExit();
    return stop;
  }

  /** Trap entries and VM exits recorded so far (oldest first; at most `historyLimit`). */
  history(): readonly HistoryRecord[] {
    return this.events;
  }

  /** Trap entries only. */
  trapHistory(): readonly TrapRecord[] {
    return this.events.filter((e): e is TrapRecord => e.kind === 'trap');
  }

  // ---- Stop points ------------------------------------------------------------------------------

  stopPoints(): readonly StopPoint[] {
    return this.points;
  }

  private rebuildIndex(): void {
    this.bpByAddress = new Map();
    for (const p of this.points) {
      if (p.type !== 'breakpoint' || !p.enabled) continue;
      const list = this.bpByAddress.get(p.address) ?? [];
      list.push(p);
      this.bpByAddress.set(p.address, list);
    }
  }

  /** `break LOCATION [if COND]`: LOCATION is a symbol (`kernel:sys_write`), `*EXPR` or a number. */
  addBreakpoint(location: string, options: { condition?: string; temporary?: boolean } = {}): Breakpoint {
    const text = location.trim();
    if (text === '') throw new DebugError('break needs a location: a symbol, IMAGE:SYMBOL or *ADDRESS');
    let address: number;
    let display: string;
    let world: WorldName | undefined;
    let pids: number[] | undefined;
    const symbolic = /^[A-Za-z_.][A-Za-z0-9_.$]*(:[A-Za-z_.][A-Za-z0-9_.$]*)?$/.test(text);
    const symbol = symbolic ? this.symbols.lookup(text, true) : undefined;
    if (symbol) {
      address = symbol.symbol.value >>> 0;
      display = symbol.display;
      if (this.symbols.imageNames().length > 1) {
        const image = symbol.images[0]!;
        world = worldOfImage(image.kind);
        const ids = symbol.images.map((i) => i.pid).filter((p): p is number => p !== undefined);
        if (ids.length > 0 && this.currentPidAddress !== undefined) pids = [...new Set(ids)];
      }
    } else {
      if (symbolic && !/^\$/.test(text) && this.symbols.lookup(text) === undefined && !readRegister(this.machine, text)) {
        throw new DebugError(`no label '${text}' in ${this.symbols.imageNames().length > 1 ? `the images (${this.symbols.imageNames().join(', ')})` : 'the image'}`);
      }
      address = this.address(text.replace(/^\*/, ''));
      display = this.symbols.nameOf(address, this.place()) ?? hex(address);
    }
    if ((address & 3) !== 0) throw new DebugError(`${hex(address)} is not a multiple of 4, so no instruction starts there`);
    if (options.condition !== undefined) this.checkCondition(options.condition);
    const bp: Breakpoint = {
      id: this.nextId++,
      type: 'breakpoint',
      address,
      location: display,
      world,
      pids,
      condition: options.condition,
      temporary: options.temporary ?? false,
      enabled: true,
      hits: 0,
    };
    this.points.push(bp);
    this.rebuildIndex();
    return bp;
  }

  /** Parse a condition now, so a typo is reported when the breakpoint is set. */
  private checkCondition(condition: string): void {
    const ctx = this.evalContext();
    // Memory may not be readable yet; only syntax and names matter here.
    evaluate(condition, { ...ctx, readWord: () => 0 });
  }

  /**
   * `watch EXPR`: `*ADDR` or a label watches the word in memory; a register or any other
   * expression is watched for a change of value. `rwatch`/`awatch` need memory.
   */
  addWatchpoint(expression: string, access: WatchAccess = 'write'): Watchpoint {
    const text = expression.trim();
    if (text === '') throw new DebugError('watch needs an expression: *ADDRESS, a label or $register');
    let target: WatchTarget;
    const label = /^[A-Za-z_.][A-Za-z0-9_.$]*(:[A-Za-z_.][A-Za-z0-9_.$]*)?$/.test(text) ? this.symbols.lookup(text) : undefined;
    if (text.startsWith('*')) {
      target = { kind: 'memory', address: this.address(text.slice(1)), size: 4 };
    } else if (label && label.symbol.kind === 'label') {
      target = { kind: 'memory', address: label.symbol.value >>> 0, size: 4 };
    } else {
      if (access !== 'write') throw new DebugError(`${access === 'read' ? 'rwatch' : 'awatch'} needs memory: *ADDRESS or a label`);
      this.evaluate(text);
      target = { kind: 'value', expression: text };
    }
    const wp: Watchpoint = { id: this.nextId++, type: 'watchpoint', access, target, expression: text, enabled: true, hits: 0, last: undefined };
    wp.last = this.watchValue(wp);
    this.points.push(wp);
    return wp;
  }

  /** `catch trap [CAUSE...]` (names or numbers; none: every trap), `catch vmexit [REASON...]`
   *  and `catch world`. */
  addCatchpoint(what: 'trap' | 'vmexit' | 'world', causes: readonly string[] = []): Catchpoint {
    let codes: number[] | undefined;
    if (what === 'world' && causes.length > 0) throw new DebugError('catch world takes no arguments');
    if (what === 'vmexit' && !this.vmx) throw new DebugError('no VM exits in this configuration (the virtualization extension is not switched on)');
    if (causes.length > 0) {
      const table = what === 'trap' ? CAUSES : EXIT_REASONS;
      codes = causes.map((c) => {
        const byName = table.find((d) => d.name.toLowerCase() === c.toLowerCase());
        if (byName) return byName.code;
        if (/^\d+$/.test(c)) return Number(c);
        throw new DebugError(`unknown ${what === 'trap' ? 'trap cause' : 'exit reason'} '${c}' (${what === 'trap' ? 'causes' : 'reasons'}: ${table.map((d) => d.name).join(', ')})`);
      });
    }
    const cp: Catchpoint = { id: this.nextId++, type: 'catchpoint', what, causes: codes, enabled: true, hits: 0 };
    this.points.push(cp);
    return cp;
  }

  deletePoint(id: number): StopPoint {
    const i = this.points.findIndex((p) => p.id === id);
    if (i < 0) throw new DebugError(`no breakpoint, watchpoint or catchpoint number ${id}`);
    const [p] = this.points.splice(i, 1);
    this.rebuildIndex();
    return p!;
  }

  deleteAll(): number {
    const n = this.points.length;
    this.points.length = 0;
    this.rebuildIndex();
    return n;
  }

  enablePoint(id: number, enabled: boolean): StopPoint {
    const p = this.points.find((q) => q.id === id);
    if (!p) throw new DebugError(`no breakpoint, watchpoint or catchpoint number ${id}`);
    p.enabled = enabled;
    if (p.type === 'watchpoint') p.last = this.watchValue(p);
    this.rebuildIndex();
    return p;
  }

  private watchValue(w: Watchpoint): number | undefined {
    try {
      return w.target.kind === 'memory' ? this.memory.read(w.target.address, w.target.size) : this.evaluate(w.target.expression).value;
    } catch (e) {
      if (e instanceof DebugError) return undefined;
      throw e;
    }
  }

  private resetValueWatches(): void {
    for (const p of this.points) if (p.type === 'watchpoint') p.last = this.watchValue(p);
  }

  // ---- Stepping and running -------------------------------------------------------------------

  stepi(n = 1): Run {
    if (!(n >= 1)) throw new DebugError('the count must be at least 1');
    return this.forward({ kind: 'steps', n });
  }

  /** Step over a call (`jal`/`jalr` that links) or a trap instruction (`syscall`, `break`):
   *  run until execution is back at the next instruction in the same world and frame. */
  *nexti(n = 1): Run {
    if (!(n >= 1)) throw new DebugError('the count must be at least 1');
    let last: StopEvent = { kind: 'step' };
    for (let i = 0; i < n; i++) {
      const cpu = this.cpu;
      const word = this.memory.peekWord(cpu.pc);
      const d = word === undefined ? undefined : decodeWord(this.machine.isa, word);
      const overCall = d && ((d.insn.mnemonic === 'jal' || d.insn.mnemonic === 'jalr') && d.rd !== Reg.zero);
      const overTrap = d && d.insn.flow === 'trap';
      if (overCall || overTrap) {
        last = yield* this.forward({ kind: 'until', pc: (cpu.pc + 4) >>> 0, sp: cpu.x[Reg.sp]! >>> 0, world: this.world(), finish: false });
        if (last.kind === 'finish') last = { kind: 'step' };
      } else {
        last = yield* this.forward({ kind: 'steps', n: 1 });
      }
      if (last.kind !== 'step') return last;
    }
    return last;
  }

  /** Run until the current function returns to its caller (found by unwinding one frame). */
  finish(): Run {
    const cpu = this.cpu;
    const caller = callerOf(this.unwindContext(), cpu.pc, cpu.x[Reg.sp]!, cpu.x[Reg.ra]!);
    if (typeof caller === 'string') throw new DebugError(`finish: cannot find the caller: ${caller}`);
    return this.forward({ kind: 'until', pc: caller.returnAddress >>> 0, sp: caller.callerSp >>> 0, world: this.world(), finish: true });
  }

  /** Where `finish` would return to, for the front end to announce. */
  callerOf(): { returnAddress: number; callerSp: number } | string {
    const cpu = this.cpu;
    return callerOf(this.unwindContext(), cpu.pc, cpu.x[Reg.sp]!, cpu.x[Reg.ra]!);
  }

  continue(): Run {
    return this.forward({ kind: 'continue' });
  }

  private unwindContext(): Parameters<typeof unwindFrame>[0] {
    return { isa: this.machine.isa, memory: this.memory, symbols: this.symbols, place: this.place() };
  }

  backtrace(): Backtrace {
    const cpu = this.cpu;
    return backtrace(this.unwindContext(), cpu.pc, cpu.x[Reg.sp]!, cpu.x[Reg.ra]!);
  }

  private hasActivePoints(): boolean {
    return this.points.some((p) => p.enabled);
  }

  private *forward(goal: Goal): Run {
    const cpu = this.cpu;
    this.abortRequested = false;
    const limit = cpu.cycles + this.options.maxCycles;
    if (goal.kind === 'continue' && !this.hasActivePoints() && !this.vmx) {
      // Flat out: nothing to check between instructions.
      for (;;) {
        const stop = this.machine.run(Math.min(limit, cpu.cycles + FAST_CHUNK_CYCLES));
        if (stop.kind !== 'cycle-limit') return { kind: 'machine', stop };
        this.maybeSnapshot(this.options.fastSnapshotInterval);
        if (cpu.cycles >= limit) return { kind: 'limit', cycles: this.options.maxCycles };
        if (this.abortRequested) return { kind: 'interrupted' };
        yield;
      }
    }
    this.resetValueWatches();
    let remaining = goal.kind === 'steps' ? goal.n : Infinity;
    for (let n = 1; ; n++) {
      const ev = this.stepChecked();
      if (ev) {
        this.count(ev);
        return ev;
      }
      if (goal.kind === 'steps' && --remaining === 0) return { kind: 'step' };
      if (goal.kind === 'until' && cpu.pc >>> 0 === goal.pc && cpu.x[Reg.sp]! >>> 0 >= goal.sp && this.world() === goal.world) {
        return goal.finish ? { kind: 'finish', value: cpu.x[Reg.a0]! } : { kind: 'step' };
      }
      if (cpu.cycles >= limit) return { kind: 'limit', cycles: this.options.maxCycles };
      if (n % STEP_CHUNK === 0) {
        this.maybeSnapshot(this.options.snapshotInterval);
        if (this.abortRequested) return { kind: 'interrupted' };
        yield;
      }
    }
  }

  /** Side effects of reporting a stop: hit counts, temporary breakpoints go away. */
  private count(ev: StopEvent): void {
    if (ev.kind === 'breakpoint' || ev.kind === 'watchpoint' || ev.kind === 'catch-trap' || ev.kind === 'catch-vmexit' || ev.kind === 'catch-world') {
      ev.point.hits++;
      if (ev.kind === 'breakpoint' && ev.point.temporary && !ev.conditionError) this.deletePoint(ev.point.id);
    }
  }

  /**
   * One machine step, then every check. Returns the stop it causes, if any. No side effects
   * beyond the step itself and the watchpoints' last values, so reverse execution can use it to
   * find where a forward run would have stopped.
   */
  private stepChecked(): StopEvent | undefined {
    const cpu = this.cpu;
    const points = this.points;
    let memWatch = false;
    let worldCatch = false;
    for (const p of points) {
      if (!p.enabled) continue;
      if (p.type === 'watchpoint' && p.target.kind === 'memory') memWatch = true;
      else if (p.type === 'catchpoint' && p.what === 'world') worldCatch = true;
    }
    let oldValues: (number | undefined)[] | undefined;
    if (memWatch) {
      this.preX.set(cpu.x);
      oldValues = points.map((p) => (p.type === 'watchpoint' && p.target.kind === 'memory' && p.enabled ? this.watchValue(p) : undefined));
    }
    const worldBefore = worldCatch ? this.world() : undefined;
    const seqBefore = this.eventSeq;
    const instretBefore = cpu.instret;
    const stop = this.machineStep();
    if (stop.kind !== 'step') return { kind: 'machine', stop };
    if (points.length === 0) return undefined;

    // Watchpoints.
    for (let i = 0; i < points.length; i++) {
      const p = points[i]!;
      if (p.type !== 'watchpoint' || !p.enabled) continue;
      if (p.target.kind === 'memory') {
        if (cpu.instret === instretBefore) continue; // nothing retired: no access happened
        const d = cpu.cur;
        const access = this.machine.isa.insns[d.index]?.memory;
        if (!access) continue;
        // Kind, size and address as the instruction table declares them.
        const ea = access.address(this.preX, d) >>> 0;
        const t = p.target;
        const overlaps = ea < t.address + t.size && t.address < ea + access.size;
        if (!overlaps) continue;
        const isWrite = access.kind === 'store';
        if ((p.access === 'write' && !isWrite) || (p.access === 'read' && isWrite)) continue;
        return { kind: 'watchpoint', point: p, access: isWrite ? 'write' : 'read', address: ea, old: oldValues?.[i], value: this.watchValue(p) };
      }
      const value = this.watchValue(p);
      if (value !== p.last) {
        const old = p.last;
        p.last = value;
        return { kind: 'watchpoint', point: p, access: 'change', old, value };
      }
    }

    // Catchpoints.
    if (this.eventSeq !== seqBefore || worldBefore !== undefined) {
      for (const p of points) {
        if (p.type !== 'catchpoint' || !p.enabled) continue;
        if (p.what === 'trap' || p.what === 'vmexit') {
          for (let k = Math.max(0, this.events.length - (this.eventSeq - seqBefore)); k < this.events.length; k++) {
            const rec = this.events[k]!;
            if (rec.kind === 'trap' && p.what === 'trap' && (!p.causes || p.causes.includes(rec.cause))) return { kind: 'catch-trap', point: p, trap: rec };
            if (rec.kind === 'vmexit' && p.what === 'vmexit' && (!p.causes || p.causes.includes(rec.reason))) return { kind: 'catch-vmexit', point: p, exit: rec };
          }
        } else if (worldBefore !== undefined) {
          const now = this.world();
          if (now !== worldBefore) return { kind: 'catch-world', point: p, from: worldBefore, to: now };
        }
      }
    }

    // Breakpoints at the new pc, or (under bt) at the guest instruction whose translation
    // starts there.
    const guestPc = this.translations?.guestInstructionAt(cpu.pc);
    const list = [...(guestPc !== undefined ? this.bpByAddress.get(guestPc) ?? [] : []), ...(this.bpByAddress.get(cpu.pc >>> 0) ?? [])];
    if (list.length) {
      for (const bp of list) {
        if (bp.world !== undefined && this.world() !== bp.world) continue;
        if (bp.pids !== undefined) {
          const pid = this.currentPid();
          if (pid !== undefined && !bp.pids.includes(pid)) continue;
        }
        if (bp.condition !== undefined) {
          try {
            if (this.evaluate(bp.condition).value === 0) continue;
          } catch (e) {
            if (!(e instanceof DebugError)) throw e;
            return { kind: 'breakpoint', point: bp, conditionError: e.message };
          }
        }
        return { kind: 'breakpoint', point: bp };
      }
    }
    return undefined;
  }

  // ---- Snapshots ------------------------------------------------------------------------------

  private snap(previous?: Snap): Snap {
    return { ticks: this.ticks(), cycles: this.cpu.cycles, machine: this.machine.snapshot(previous?.machine), eventSeq: this.eventSeq };
  }

  /** Number of snapshots held (for `info stats` and tests). */
  snapshotCount(): number {
    return this.snapshots.length;
  }

  /** Index of the latest snapshot strictly before `ticks`, or -1. */
  private snapshotBefore(ticks: number): number {
    for (let i = this.snapshots.length - 1; i >= 0; i--) if (this.snapshots[i]!.ticks < ticks) return i;
    return -1;
  }

  private maybeSnapshot(interval: number): void {
    const now = this.ticks();
    const i = this.snapshotBefore(now + 1);
    const last = this.snapshots[i];
    if (last && now - last.ticks < interval) return;
    this.snapshots.splice(i + 1, 0, this.snap(last));
    this.thin();
  }

  /** Keep at most maxSnapshots: drop every other one in the older half (never the first). */
  private thin(): void {
    const max = this.options.maxSnapshots;
    if (this.snapshots.length <= max) return;
    const half = Math.floor(this.snapshots.length / 2);
    this.snapshots = this.snapshots.filter((_s, i) => i === 0 || i >= half || i % 2 === 0);
  }

  private restoreSnap(s: Snap): void {
    this.machine.restore(s.machine);
    this.eventSeq = s.eventSeq;
    let keep = this.events.length;
    while (keep > 0 && this.events[keep - 1]!.seq > s.eventSeq) keep--;
    this.events.length = keep;
  }

  // ---- Reverse execution ----------------------------------------------------------------------

  /**
   * Go back `n` steps: to the n-th latest step boundary before now, as `stepi` would have
   * passed through it.
   */
  *reverseStepi(n = 1): Run {
    if (!(n >= 1)) throw new DebugError('the count must be at least 1');
    this.abortRequested = false;
    let target = this.ticks();
    let targetCycles = this.cpu.cycles;
    let need = n;
    for (let idx = this.snapshotBefore(target); idx >= 0; idx--) {
      const s = this.snapshots[idx]!;
      // Fast-forward close to the target when only a few steps back are wanted.
      const fastForward = !this.vmx && need <= 1000 && targetCycles - s.cycles > 4 * FAST_FORWARD_MARGIN ? targetCycles - FAST_FORWARD_MARGIN : undefined;
      let count = this.countBoundaries(s, target, fastForward);
      let ff = fastForward;
      if (count < need && ff !== undefined) {
        ff = undefined;
        count = this.countBoundaries(s, target, undefined);
      }
      if (count >= need) {
        this.replayTo(s, ff, count - need);
        this.resetValueWatches();
        return { kind: 'step', reverse: true };
      }
      need -= count;
      target = s.ticks;
      targetCycles = s.cycles;
      yield;
    }
    this.restoreSnap(this.snapshots[0]!);
    this.resetValueWatches();
    return { kind: 'history-start' };
  }

  /** Restore `s`, fast-forward to `ff` cycles if given, and count the step boundaries (the
   *  starting state included) before `target` ticks. */
  private countBoundaries(s: Snap, target: number, ff: number | undefined): number {
    this.restoreSnap(s);
    if (ff !== undefined) this.machine.run(ff);
    let count = 0;
    while (this.ticks() < target) {
      count++;
      const before = this.ticks();
      const stop = this.machineStep();
      if (stop.kind !== 'step' && this.ticks() === before) break;
    }
    return count;
  }

  private replayTo(s: Snap, ff: number | undefined, steps: number): void {
    this.restoreSnap(s);
    if (ff !== undefined) this.machine.run(ff);
    for (let i = 0; i < steps; i++) this.machineStep();
  }

  /** Run backwards to the latest point where a forward run would have stopped (breakpoint,
   *  watchpoint, catchpoint), or to the start of the recorded history. */
  *reverseContinue(): Run {
    this.abortRequested = false;
    if (!this.hasActivePoints()) {
      // Nothing can stop it on the way: the start of the history is the first snapshot, so
      // there is nothing to re-execute.
      this.restoreSnap(this.snapshots[0]!);
      this.resetValueWatches();
      return { kind: 'history-start' };
    }
    const origin = this.snap();
    let limit = this.ticks();
    let inclusive = false;
    for (let idx = this.snapshotBefore(limit); idx >= 0; idx--) {
      const s = this.snapshots[idx]!;
      this.restoreSnap(s);
      this.resetValueWatches();
      let hit: { steps: number; event: StopEvent } | undefined;
      let steps = 0;
      while (this.ticks() < limit) {
        const ev = this.stepChecked();
        steps++;
        const t = this.ticks();
        if (ev && (t < limit || (inclusive && t === limit))) {
          if (ev.kind === 'machine') break;
          hit = { steps, event: ev };
        }
        if (ev?.kind === 'machine') break;
        if (steps % STEP_CHUNK === 0) {
          if (this.abortRequested) {
            this.restoreSnap(origin);
            this.resetValueWatches();
            return { kind: 'interrupted' };
          }
          yield;
        }
      }
      if (hit) {
        this.restoreSnap(s);
        this.resetValueWatches();
        for (let i = 0; i < hit.steps - 1; i++) this.machineStep();
        // The last step again, with the checks, so watchpoint values are current.
        const ev = this.stepChecked() ?? hit.event;
        const event = { ...ev, reverse: true } as StopEvent;
        this.count(event);
        return event;
      }
      limit = s.ticks;
      inclusive = true;
    }
    this.restoreSnap(this.snapshots[0]!);
    this.resetValueWatches();
    return { kind: 'history-start' };
  }
}

/** Drive a Run to its end synchronously (tests, scripts). */
export function runToStop(run: Run): StopEvent {
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
  }
}

/** Drive a Run, giving the event loop a turn between chunks (so Ctrl-C can set abortRequested). */
export async function runAsync(run: Run, onChunk?: () => void): Promise<StopEvent> {
  for (;;) {
    const r = run.next();
    if (r.done) return r.value;
    onChunk?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
