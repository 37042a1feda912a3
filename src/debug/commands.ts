// The debugger's commands: one table (name, aliases, usage, doc, handler) from which the
// dispatcher, `help` and the reference in docs/debugger.md are all derived. A Session runs one
// command line at a time against a Debugger and writes its answer through `write`; it knows
// nothing of terminals (repl.ts does), so scripts, tests and the REPL share it.

import type { ChalkInstance } from 'chalk';
import { formatStats } from '../configs/report.js';
import { CAUSES, EXIT_REASONS } from '../isa/index.js';
import { PAGE_SHIFT } from '../machine/mmu.js';
import { runAsync, type Debugger, type Run, type StopEvent } from './debugger.js';
import { DebugError, hex, shortHex } from './errors.js';
import {
  changedFields, changedRegisters, describeAddress, disassemblyLine, pointDescription, pointsTable,
  historyLine, registerSnapshot, registersTable, sourcePath, stateViewLines, stopReason, whereLines, worldLabel,
} from './format.js';
import { readRegister, registerNames } from './registers.js';
import { NO_VCPU, NO_VMCS, vcpuView, vmcsView, type StateView } from './vcpu.js';

export interface SessionIO {
  /** The debugger's own output; each call ends with a newline. */
  write(text: string): void;
  /** The guest's console bytes, exactly as it wrote them. Without it they are decoded as UTF-8
   *  and passed to `write`. */
  writeGuest?(bytes: Uint8Array): void;
  readonly colour: ChalkInstance;
}

export interface CommandDef {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly doc: string;
  /** An empty line repeats this command. */
  readonly repeat?: boolean;
  /** `args` is the rest of the line; `format` is what followed a '/' after the name (x/4xw). */
  readonly run: (s: Session, args: string, format: string | undefined) => void | Promise<void>;
}

export interface InfoDef {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly doc: string;
  readonly run: (s: Session, args: string) => void;
}

export type CommandOutcome = 'ok' | 'error' | 'quit';

function parseCount(args: string, what: string): number {
  const t = args.trim();
  if (t === '') return 1;
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 1e9) throw new DebugError(`${what} takes a count (a whole number from 1), not '${t}'`);
  return Number(t);
}

function parseId(text: string): number {
  if (!/^\d+$/.test(text)) throw new DebugError(`'${text}' is not a breakpoint number`);
  return Number(text);
}

/** Split `LHS = RHS` at an `=` that is not part of ==, <=, >= or !=. */
function splitAssignment(text: string): [string, string] {
  const m = /^(.*?[^=!<>])=(?!=)(.*)$/.exec(text);
  if (!m || m[1]!.trim() === '' || m[2]!.trim() === '') throw new DebugError("set needs 'set $REGISTER = EXPR' or 'set *ADDRESS = EXPR'");
  return [m[1]!.trim(), m[2]!.trim()];
}

function unitOf(format: string | undefined, allowed: string): 1 | 2 | 4 {
  if (format === undefined || format === '') return 4;
  if (!new RegExp(`^[${allowed}]$`).test(format)) throw new DebugError(`unknown size '/${format}' (use /b, /h or /w)`);
  return format === 'b' ? 1 : format === 'h' ? 2 : 4;
}

// ---- The tables ---------------------------------------------------------------------------------

export const INFO_COMMANDS: readonly InfoDef[] = [
  { name: 'registers', aliases: ['r', 'reg'], usage: 'info registers [$REG...]', doc: 'general registers, pc, ring, world and control registers (or just the ones named)',
    run: (s, args) => s.infoRegisters(args) },
  { name: 'breakpoints', aliases: ['b', 'break', 'watchpoints', 'w'], usage: 'info breakpoints', doc: 'breakpoints, watchpoints and catchpoints with their hit counts',
    run: (s) => s.lines(pointsTable(s.dbg, s.c)) },
  { name: 'traps', aliases: ['t', 'trap', 'history', 'exits'], usage: 'info traps [N]', doc: 'the history: the last N trap entries and VM exits (default 10), with cause or exit reason, from which world and ring, pc, addresses, instruction',
    run: (s, args) => s.infoTraps(args) },
  { name: 'tlb', aliases: [], usage: 'info tlb', doc: 'valid TLB entries: virtual page, frame, the rings that may use it and how',
    run: (s) => s.infoTlb() },
  { name: 'vcpu', aliases: [], usage: 'info vcpu', doc: "the te or pv VMM's virtual CPU: every V_* field of the VMM image's `vcpu`",
    run: (s) => s.infoView(vcpuView(s.dbg), NO_VCPU) },
  { name: 'vmcs', aliases: [], usage: 'info vmcs', doc: 'the current VMCS of the virtualization extension',
    run: (s) => s.infoView(vmcsView(s.dbg.machine), NO_VMCS) },
  { name: 'stats', aliases: ['s'], usage: 'info stats', doc: 'cycles and instructions per world, traps, TLB figures, and the reverse-execution history held',
    run: (s) => s.infoStats() },
  { name: 'images', aliases: ['i'], usage: 'info images', doc: 'the images loaded: name, kind, process, address range, entry point',
    run: (s) => s.infoImages() },
];

export const COMMANDS: readonly CommandDef[] = [
  { name: 'stepi', aliases: ['si'], usage: 'stepi [N]', repeat: true, doc: 'execute one instruction (or N), entering calls and traps',
    run: (s, args) => s.go(s.dbg.stepi(parseCount(args, 'stepi'))) },
  { name: 'nexti', aliases: ['ni'], usage: 'nexti [N]', repeat: true, doc: 'execute one instruction (or N), stepping over calls and over syscall/break until execution is back at the next instruction in the same world',
    run: (s, args) => s.go(s.dbg.nexti(parseCount(args, 'nexti'))) },
  { name: 'continue', aliases: ['c'], usage: 'continue', repeat: true, doc: 'run until a breakpoint, watchpoint or catchpoint, a halt, the cycle budget, or Ctrl-C',
    run: (s) => s.go(s.dbg.continue()) },
  { name: 'finish', aliases: ['fin'], usage: 'finish', doc: 'run until the current function returns to its caller (found as backtrace finds it) and show a0',
    run: (s) => s.finish() },
  { name: 'reverse-stepi', aliases: ['rsi'], usage: 'reverse-stepi [N]', repeat: true, doc: 'go back one instruction (or N): registers, memory, devices and statistics as they were',
    run: (s, args) => s.go(s.dbg.reverseStepi(parseCount(args, 'reverse-stepi')), true) },
  { name: 'reverse-continue', aliases: ['rc'], usage: 'reverse-continue', repeat: true, doc: 'run backwards to the latest point where a breakpoint, watchpoint or catchpoint would have stopped, or to the start of the history',
    run: (s) => s.go(s.dbg.reverseContinue(), true) },
  { name: 'break', aliases: ['b', 'br'], usage: 'break LOCATION [if EXPR]', doc: 'stop before the instruction at LOCATION: a label (IMAGE:LABEL when ambiguous), *EXPR or an address; with `if`, only when EXPR is non-zero',
    run: (s, args) => s.breakCommand(args, false) },
  { name: 'tbreak', aliases: ['tb'], usage: 'tbreak LOCATION [if EXPR]', doc: 'a breakpoint that is deleted when it first stops',
    run: (s, args) => s.breakCommand(args, true) },
  { name: 'watch', aliases: ['wa'], usage: 'watch EXPR', doc: 'stop after a write to memory (*ADDRESS or a label: the word there) or when a register or expression changes',
    run: (s, args) => s.watchCommand(args, 'write') },
  { name: 'rwatch', aliases: [], usage: 'rwatch EXPR', doc: 'stop after a read of memory (*ADDRESS or a label)',
    run: (s, args) => s.watchCommand(args, 'read') },
  { name: 'awatch', aliases: [], usage: 'awatch EXPR', doc: 'stop after a read or write of memory (*ADDRESS or a label)',
    run: (s, args) => s.watchCommand(args, 'access') },
  { name: 'catch', aliases: [], usage: 'catch trap [CAUSE...] | catch vmexit [REASON...] | catch world', doc: `stop at a trap entry (of the causes named, or any: ${CAUSES.map((c) => c.name).join(', ')}), at a VM exit (of the reasons named, or any: ${EXIT_REASONS.map((r) => r.name).join(', ')}), or at any change of world`,
    run: (s, args) => s.catchCommand(args) },
  { name: 'delete', aliases: ['d'], usage: 'delete [N...]', doc: 'delete breakpoints, watchpoints or catchpoints by number (all of them without a number)',
    run: (s, args) => s.deleteCommand(args) },
  { name: 'disable', aliases: [], usage: 'disable N...', doc: 'keep a breakpoint, watchpoint or catchpoint but let it no longer stop',
    run: (s, args) => s.enableCommand(args, false) },
  { name: 'enable', aliases: [], usage: 'enable N...', doc: 'make a disabled breakpoint, watchpoint or catchpoint stop again',
    run: (s, args) => s.enableCommand(args, true) },
  { name: 'info', aliases: ['i'], usage: 'info WHAT', doc: `show state: ${INFO_COMMANDS.map((i) => i.name).join(', ')} (see help info)`,
    run: (s, args) => s.infoCommand(args) },
  { name: 'x', aliases: [], usage: 'x/NFU ADDR', doc: 'examine memory at a virtual address: N units, format F (x hex, d signed, u unsigned, c char, s string, i instruction), unit U (b byte, h half, w word); `x` alone continues',
    run: (s, args, format) => s.examine(args, format) },
  { name: 'disassemble', aliases: ['disas'], usage: 'disassemble [LOCATION [N]]', doc: 'disassemble the function around the pc, the function at a label, or N instructions (default 16) from an address',
    run: (s, args) => s.disassemble(args) },
  { name: 'print', aliases: ['p'], usage: 'print[/F] EXPR', doc: 'evaluate an expression: numbers, $registers, symbols, *ADDR, C operators; F is x, d, u, c or t (binary)',
    run: (s, args, format) => s.print(args, format) },
  { name: 'set', aliases: [], usage: 'set $REG = EXPR | set[/b|/h|/w] *ADDR = EXPR', doc: 'change a register or memory (a word, or /b byte, /h half); reverse history after this point is dropped',
    run: (s, args, format) => s.setCommand(args, format) },
  { name: 'backtrace', aliases: ['bt', 'where'], usage: 'backtrace', doc: "the call stack, unwound from each function's prologue (ringlab code keeps no frame pointers)",
    run: (s) => s.backtraceCommand() },
  { name: 'world', aliases: [], usage: 'world', doc: 'which world (VMM, guest kernel, guest user) and ring the processor is in, and how rings map to worlds here',
    run: (s) => s.worldCommand() },
  { name: 'help', aliases: ['h', '?'], usage: 'help [COMMAND]', doc: 'list the commands, or describe one',
    run: (s, args) => s.help(args) },
  { name: 'quit', aliases: ['q', 'exit'], usage: 'quit', doc: 'leave the debugger',
    run: () => {} },
];

function findIn<T extends { name: string; aliases: readonly string[] }>(table: readonly T[], word: string, what: string): T {
  const w = word.toLowerCase();
  const exact = table.find((d) => d.name === w || d.aliases.includes(w));
  if (exact) return exact;
  const prefixed = table.filter((d) => d.name.startsWith(w));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) throw new DebugError(`'${word}' is ambiguous: ${prefixed.map((d) => d.name).join(', ')}`);
  throw new DebugError(`unknown ${what} '${word}' (try 'help${what === 'command' ? '' : ' info'}')`);
}

export function findCommand(word: string): CommandDef {
  return findIn(COMMANDS, word, 'command');
}

// ---- The session --------------------------------------------------------------------------------

export class Session {
  /** Number of commands that failed (scripts exit with 1 if any did). */
  failures = 0;
  private lastRepeat: string | undefined;
  private lastRegisters: Map<string, number>;
  private lastVcpu: StateView | undefined;
  private lastVmcs: StateView | undefined;
  private examineNext: { address: number; format: string } | undefined;
  /** True while a command that runs the machine is executing. */
  busy = false;
  /** False while the guest's last console byte was not a newline: the debugger's next line
   *  then starts on a line of its own. */
  private atLineStart = true;
  private readonly guestText = new TextDecoder('utf-8');

  constructor(
    readonly dbg: Debugger,
    private readonly io: SessionIO,
  ) {
    this.lastRegisters = registerSnapshot(dbg);
    this.lastVcpu = vcpuView(dbg);
    this.lastVmcs = vmcsView(dbg.machine);
  }

  get c(): ChalkInstance {
    return this.io.colour;
  }

  line(text: string): void {
    this.endGuestLine();
    this.io.write(`${text}\n`);
  }

  /** Finish a line the guest left open, before the debugger says anything (guest bytes are
   *  never changed). */
  endGuestLine(): void {
    if (this.atLineStart) return;
    this.atLineStart = true;
    this.io.write('\n');
  }

  lines(texts: readonly string[]): void {
    for (const t of texts) this.line(t);
  }

  /** The banner: what is loaded and where the processor starts. */
  start(): void {
    const names = this.dbg.symbols.images.map((i) => `${i.name}${i.pid !== undefined ? ` (pid ${i.pid})` : ''}`);
    this.line(`${this.c.bold('ringlab debug')}: ${names.join(', ')}. Type 'help' for commands.`);
    this.lines(whereLines(this.dbg, this.c));
  }

  /** Run one command line. Errors become one line of output; nothing here throws. */
  async execute(input: string): Promise<CommandOutcome> {
    let text = input.trim();
    if (text === '' || text.startsWith('#')) {
      if (text !== '' || !this.lastRepeat) return 'ok';
      text = this.lastRepeat;
    }
    const m = /^([A-Za-z?][\w-]*)(?:\/(\S*))?\s*([\s\S]*)$/.exec(text);
    try {
      if (!m) throw new DebugError(`cannot read the command '${text}' (try 'help')`);
      const def = findCommand(m[1]!);
      if (def.name === 'quit') return 'quit';
      this.lastRepeat = def.repeat ? text : undefined;
      await def.run(this, m[3]!.trim(), m[2]);
      this.flushConsole();
      this.endGuestLine(); // the prompt comes next
      return 'ok';
    } catch (e) {
      this.flushConsole();
      this.failures++;
      const message = e instanceof DebugError ? e.message : `internal error in the debugger: ${e instanceof Error ? e.message : String(e)}`;
      this.line(`${this.c.red('error:')} ${message}`);
      return 'error';
    }
  }

  /** Print what the guest wrote to its console since the last time, byte for byte. */
  flushConsole(): void {
    const bytes = this.dbg.takeConsoleOutput();
    if (bytes.length > 0) {
      this.atLineStart = bytes[bytes.length - 1] === 0x0a;
      if (this.io.writeGuest) this.io.writeGuest(bytes);
      else this.io.write(this.guestText.decode(bytes, { stream: true }));
    }
    const note = this.dbg.consoleCutNote();
    if (note) this.line(note);
  }

  // ---- Running ------------------------------------------------------------------------------

  /** Run a command that moves the machine. Console output is printed as it appears, except
   *  while going backwards: re-executing the past to find a point prints nothing again. */
  async go(run: Run, backwards = false): Promise<void> {
    this.busy = true;
    let ev: StopEvent;
    try {
      ev = await runAsync(run, backwards ? undefined : () => this.flushConsole());
    } finally {
      this.busy = false;
    }
    if (backwards) {
      this.dbg.takeConsoleOutput();
      this.dbg.consoleCutNote();
    } else this.flushConsole();
    this.showStop(ev);
  }

  /** Interrupt the running command (Ctrl-C). */
  interrupt(): void {
    this.dbg.abortRequested = true;
  }

  async finish(): Promise<void> {
    const caller = this.dbg.callerOf();
    if (typeof caller === 'string') throw new DebugError(`finish: cannot find the caller: ${caller}`);
    this.line(`Run till exit; returns to ${describeAddress(this.dbg, caller.returnAddress)}`);
    await this.go(this.dbg.finish());
  }

  showStop(ev: StopEvent): void {
    const reason = stopReason(this.dbg, ev, this.c);
    if (reason) this.line(reason);
    if (ev.kind === 'machine' && ev.stop.kind === 'halt') {
      this.lastRegisters = registerSnapshot(this.dbg);
      return;
    }
    this.lines(whereLines(this.dbg, this.c));
    const now = registerSnapshot(this.dbg);
    const changed = changedRegisters(this.lastRegisters, now, this.c);
    if (changed) this.line(changed);
    this.lastRegisters = now;
    const vcpu = vcpuView(this.dbg);
    if (this.dbg.world() === 'vmm') {
      const diff = changedFields(this.lastVcpu, vcpu, this.c);
      if (diff) this.line(`${this.c.dim('vcpu changed:')} ${diff}`);
    }
    this.lastVcpu = vcpu;
    const vmcs = vmcsView(this.dbg.machine);
    if (this.dbg.world() === 'vmm') {
      const vdiff = changedFields(this.lastVmcs, vmcs, this.c);
      if (vdiff) this.line(`${this.c.dim('vmcs changed:')} ${vdiff}`);
    }
    this.lastVmcs = vmcs;
  }

  // ---- Stop points --------------------------------------------------------------------------

  breakCommand(args: string, temporary: boolean): void {
    const m = /^(.*?)(?:\s+if\s+(.*))?$/.exec(args)!;
    const location = m[1]!.trim();
    const condition = m[2]?.trim();
    if (m[2] !== undefined && condition === '') throw new DebugError("'if' needs a condition");
    const bp = this.dbg.addBreakpoint(location, { ...(condition !== undefined && { condition }), temporary });
    this.line(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${bp.id} at ${describeAddress(this.dbg, bp.address, { ...(bp.world && { world: bp.world }), ...(bp.pids && { pid: bp.pids[0] }) })}${this.suffix(bp)}`);
  }

  private suffix(bp: { world?: import('../machine/machine.js').WorldName | undefined; pids?: readonly number[] | undefined; condition?: string | undefined }): string {
    const parts: string[] = [];
    if (bp.world) parts.push(`${worldLabel(bp.world)} only`);
    if (bp.pids) parts.push(`pid ${bp.pids.join(', ')}`);
    if (bp.condition !== undefined) parts.push(`if ${bp.condition}`);
    return parts.length ? `, ${parts.join(', ')}` : '';
  }

  watchCommand(args: string, access: 'write' | 'read' | 'access'): void {
    const wp = this.dbg.addWatchpoint(args, access);
    const current = wp.last === undefined ? '' : ` (now ${wp.last | 0}, ${shortHex(wp.last)})`;
    this.line(`Watchpoint ${wp.id}: ${pointDescription(this.dbg, wp)}${current}`);
  }

  catchCommand(args: string): void {
    const [what, ...rest] = args.split(/[\s,]+/).filter((w) => w !== '');
    if (what !== 'trap' && what !== 'vmexit' && what !== 'world') throw new DebugError("catch needs 'trap [CAUSE...]', 'vmexit [REASON...]' or 'world'");
    const cp = this.dbg.addCatchpoint(what, rest);
    this.line(`Catchpoint ${cp.id}: ${pointDescription(this.dbg, cp)}`);
  }

  deleteCommand(args: string): void {
    const ids = args.split(/[\s,]+/).filter((w) => w !== '');
    if (ids.length === 0) {
      const n = this.dbg.deleteAll();
      this.line(`Deleted ${n} (all breakpoints, watchpoints and catchpoints).`);
      return;
    }
    const nums = ids.map(parseId);
    for (const id of nums) this.dbg.deletePoint(id);
    this.line(`Deleted ${nums.join(', ')}.`);
  }

  enableCommand(args: string, enabled: boolean): void {
    const ids = args.split(/[\s,]+/).filter((w) => w !== '').map(parseId);
    if (ids.length === 0) throw new DebugError(`${enabled ? 'enable' : 'disable'} needs breakpoint numbers`);
    for (const id of ids) this.dbg.enablePoint(id, enabled);
    this.line(`${enabled ? 'Enabled' : 'Disabled'} ${ids.join(', ')}.`);
  }

  // ---- Looking at state ---------------------------------------------------------------------

  infoCommand(args: string): void {
    const [word, ...rest] = args.split(/\s+/);
    if (!word) throw new DebugError(`info needs a subject: ${INFO_COMMANDS.map((i) => i.name).join(', ')}`);
    findIn(INFO_COMMANDS, word, 'info subject').run(this, rest.join(' '));
  }

  infoRegisters(args: string): void {
    const names = args.split(/[\s,]+/).filter((w) => w !== '');
    if (names.length === 0) {
      this.lines(registersTable(this.dbg, this.c));
      return;
    }
    for (const n of names) {
      const name = n.replace(/^\$/, '');
      const v = readRegister(this.dbg.machine, name);
      if (!v) throw new DebugError(`unknown register '${n}' (registers: ${registerNames().join(' ')})`);
      this.line(`${this.c.bold(name.toLowerCase().padEnd(8))} ${hex(v.value)} ${v.unsigned ? v.value >>> 0 : v.value}`);
    }
  }

  infoTraps(args: string): void {
    const n = args.trim() === '' ? 10 : parseCount(args, 'info traps');
    const all = this.dbg.history();
    if (all.length === 0) {
      this.line('No traps yet.');
      return;
    }
    const shown = all.slice(-n);
    const total = all[all.length - 1]!.seq;
    const what = all.some((r) => r.kind === 'vmexit') ? 'traps and VM exits' : `trap${total === 1 ? '' : 's'}`;
    this.line(this.c.dim(`${total} ${what} so far; the last ${shown.length}, oldest first:`));
    for (const t of shown) this.line(historyLine(this.dbg, t, this.c));
  }

  infoTlb(): void {
    const mmu = this.dbg.machine.cpu.mmu;
    const entries = mmu.dump();
    const cpu = this.dbg.machine.cpu;
    this.line(this.c.dim(`${entries.length} of ${mmu.entries} TLB entries valid; paging ${cpu.paging ? `on (PTBR ${hex(cpu.ptbr)})` : 'off'}`));
    for (const e of entries) {
      let maxRing = -1;
      for (let r = 0; r < 4; r++) if ((e.allow >>> (r * 3)) & 7) maxRing = r;
      const bits = e.allow & 7;
      const perms = `${bits & 1 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 4 ? 'x' : '-'}`;
      this.line(`  slot ${String(e.slot).padStart(3)}  ${hex(e.virtualPage)} -> ${hex(e.frame)}  ${perms}  rings 0-${maxRing}  page ${shortHex(e.virtualPage >>> PAGE_SHIFT)}`);
    }
  }

  infoView(view: StateView | undefined, none: string): void {
    if (!view) this.line(none);
    else this.lines(stateViewLines(view, this.c));
  }

  infoStats(): void {
    this.line(formatStats(this.dbg.machine.stats(), this.c));
    this.line(this.c.dim(`  debugger: ${this.dbg.trapHistory().length} trap records, ${this.dbg.snapshotCount()} snapshots for reverse execution, at tick ${this.dbg.ticks()}`));
  }

  infoImages(): void {
    for (const i of this.dbg.symbols.images) {
      const segs = i.image.segments.filter((s) => s.data.length > 0);
      const range = segs.length ? segs.map((s) => `${hex(s.address)}-${hex(s.address + s.data.length - 1)}`).join(' ') : '(empty)';
      this.line(`  ${i.name.padEnd(14)} ${i.kind.padEnd(7)} ${i.pid !== undefined ? `pid ${i.pid}`.padEnd(7) : '       '} ${range}  entry ${hex(i.image.entry)}  ${i.image.symbols.length} symbols`);
    }
  }

  examine(args: string, format: string | undefined): void {
    let address: number;
    let fmt = format;
    if (args === '') {
      if (!this.examineNext) throw new DebugError('x needs an address: x/NFU ADDRESS');
      address = this.examineNext.address;
      fmt ??= this.examineNext.format;
    } else {
      address = this.dbg.address(args);
    }
    const m = /^(\d*)([xducsi]?)([bhw]?)$/.exec(fmt ?? '');
    if (!m) throw new DebugError(`bad format '/${fmt}': x/NFU with N a count, F one of x d u c s i, U one of b h w`);
    const count = m[1] ? Number(m[1]) : 1;
    if (count < 1 || count > 4096) throw new DebugError('x shows 1 to 4096 units');
    const f = m[2] || 'x';
    const unit: 1 | 2 | 4 = f === 'c' ? 1 : m[3] === 'b' ? 1 : m[3] === 'h' ? 2 : 4;
    const place = this.dbg.place();
    const label = (a: number): string => {
      const n = this.dbg.symbols.nameOf(a, place);
      return `${this.c.cyan(hex(a))}${n ? this.c.dim(` <${n}>`) : ''}:`;
    };
    if (f === 'i') {
      for (let i = 0; i < count; i++) this.line(disassemblyLine(this.dbg, (address + 4 * i) >>> 0, this.c, place));
      this.examineNext = { address: (address + 4 * count) >>> 0, format: `${count}i` };
      return;
    }
    if (f === 's') {
      let a = address;
      for (let i = 0; i < count; i++) {
        const s = this.dbg.memory.readString(a, 1024);
        this.line(`${label(a)} ${JSON.stringify(s)}`);
        a = (a + s.length + 1) >>> 0;
      }
      this.examineNext = { address: a, format: `${count}s` };
      return;
    }
    const perLine = unit === 4 ? 4 : 8;
    let a = address >>> 0;
    for (let i = 0; i < count; i += perLine) {
      const cells: string[] = [];
      const lineStart = a;
      for (let k = i; k < Math.min(count, i + perLine); k++) {
        const v = this.dbg.memory.read(a, unit);
        cells.push(formatUnit(v, unit, f));
        a = (a + unit) >>> 0;
      }
      this.line(`${label(lineStart)}  ${cells.join('  ')}`);
    }
    this.examineNext = { address: a, format: `${count}${f}${m[3] ?? ''}` };
  }

  disassemble(args: string): void {
    const parts = args.split(/\s+/).filter((w) => w !== '');
    if (parts.length > 2) throw new DebugError('usage: disassemble [LOCATION [N]]');
    const place = this.dbg.place();
    let start: number;
    let end: number;
    if (parts.length === 0) {
      const pc = this.dbg.cpu.pc >>> 0;
      const fn = this.dbg.symbols.functionAt(pc, place);
      start = fn && pc - fn.symbol.value < 4 * 200 ? fn.symbol.value >>> 0 : Math.max(0, pc - 32);
      end = this.functionEnd(start, place);
      if (pc >= end) end = pc + 4 * 8;
    } else {
      start = this.dbg.address(parts[0]!);
      if (parts[1] !== undefined) {
        const n = parseCount(parts[1], 'disassemble');
        if (n > 4096) throw new DebugError('disassemble shows at most 4096 instructions');
        end = start + 4 * n;
      } else {
        const fn = this.dbg.symbols.functionAt(start, place);
        end = fn && fn.symbol.value >>> 0 === start ? this.functionEnd(start, place) : start + 4 * 16;
      }
    }
    if ((start & 3) !== 0) throw new DebugError(`${hex(start)} is not a multiple of 4`);
    for (let a = start; a < end; a += 4) this.line(disassemblyLine(this.dbg, a >>> 0, this.c, place));
  }

  /** End of the function starting at `start`: the next global label, at most 200 instructions. */
  private functionEnd(start: number, place: ReturnType<Debugger['place']>): number {
    const image = this.dbg.symbols.imagesAt(start, place)[0];
    let end = start + 4 * 200;
    if (image) {
      for (const s of image.image.symbols) {
        if (s.kind === 'label' && !s.name.includes('.') && s.value > start && s.value < end) end = s.value;
      }
      const seg = image.image.segments.find((g) => start >= g.address && start < g.address + g.data.length);
      if (seg) end = Math.min(end, seg.address + seg.data.length);
    }
    return end;
  }

  print(args: string, format: string | undefined): void {
    if (args === '') throw new DebugError('print needs an expression');
    const v = this.dbg.evaluate(args);
    const u = v.value >>> 0;
    let text: string;
    switch (format ?? '') {
      case '': {
        const name = v.unsigned ? this.dbg.symbols.nameOf(u, this.dbg.place()) : undefined;
        text = `${v.unsigned ? u : v.value} (${shortHex(u)})${name ? ` <${name}>` : ''}`;
        break;
      }
      case 'x': text = shortHex(u); break;
      case 'd': text = String(v.value); break;
      case 'u': text = String(u); break;
      case 'c': text = `${v.value} ${JSON.stringify(String.fromCharCode(u & 0xff))}`; break;
      case 't': text = u.toString(2); break;
      default: throw new DebugError(`unknown format '/${format}' (use x, d, u, c or t)`);
    }
    this.line(`= ${text}`);
  }

  setCommand(args: string, format: string | undefined): void {
    const [lhs, rhs] = splitAssignment(args);
    const value = this.dbg.evaluate(rhs).value;
    if (lhs.startsWith('$')) {
      if (format !== undefined) throw new DebugError('a size (/b, /h, /w) applies only to memory');
      this.dbg.setRegister(lhs.slice(1), value);
      this.line(`${lhs.toLowerCase()} = ${value} (${shortHex(value)})`);
    } else if (lhs.startsWith('*')) {
      const size = unitOf(format, 'bhw');
      const address = this.dbg.address(lhs.slice(1));
      this.dbg.writeMemory(address, value, size);
      this.line(`${hex(address)} = ${shortHex(value & (size === 4 ? -1 : (1 << (8 * size)) - 1))} (${size === 4 ? 'word' : size === 2 ? 'half' : 'byte'})`);
    } else {
      throw new DebugError(`cannot assign to '${lhs}': use $REGISTER or *ADDRESS`);
    }
    this.lastRegisters = registerSnapshot(this.dbg);
  }

  backtraceCommand(): void {
    const bt = this.dbg.backtrace();
    const place = this.dbg.place();
    for (const f of bt.frames) {
      const info = this.dbg.symbols.describe(f.pc, place);
      const src = info?.line ? `  ${this.c.dim(`${sourcePath(info.line.file)}:${info.line.line}`)}` : '';
      const name = this.dbg.symbols.nameOf(f.pc, place);
      this.line(`#${f.level}  ${this.c.cyan(hex(f.pc))} in ${this.c.yellow(name ?? '??')}${src}  ${this.c.dim(`sp ${hex(f.sp)}`)}`);
    }
    this.line(this.c.dim(`(unwound from each function's prologue: its stack adjustments and where it saves ra; stopped: ${bt.end})`));
  }

  worldCommand(): void {
    const dbg = this.dbg;
    const place = dbg.place();
    const proc = place.pid !== undefined && place.world === 'guestUser' ? `, process pid ${place.pid}${this.processName(place.pid, place.program)}` : '';
    const vmx = dbg.machine.isa.extensions.some((e) => e.name === 'vmx');
    const mode = vmx ? `, ${dbg.cpu.nonRoot ? 'non-root' : 'root'} mode` : '';
    this.line(`${this.c.magenta(worldLabel(dbg.world()))}, ring ${dbg.cpu.ring}${mode}${proc}, interrupts ${dbg.cpu.interruptsEnabled ? 'on' : 'off'}, paging ${dbg.cpu.paging ? 'on' : 'off'}`);
    const map = (m: 'root' | 'nonRoot'): string => [0, 1, 2, 3].map((r) => `ring ${r}: ${worldLabel(dbg.machine.worldOf(m, r))}`).join(', ');
    this.line(this.c.dim(vmx ? `in this configuration, root mode ${map('root')}; non-root mode ${map('nonRoot')}` : `in this configuration ${map('root')}`));
  }

  private processName(pid: number, program: string | undefined): string {
    const name = program ?? this.dbg.symbols.images.find((i) => i.pid === pid)?.name;
    return name ? ` (${name})` : '';
  }

  help(args: string): void {
    const word = args.trim();
    if (word === '') {
      this.line('Commands (an empty line repeats the last stepping command; Ctrl-C stops a running one):');
      const width = Math.max(...COMMANDS.map((d) => [d.name, ...d.aliases].join(', ').length));
      for (const d of COMMANDS) this.line(`  ${this.c.bold([d.name, ...d.aliases].join(', ').padEnd(width))}  ${d.doc}`);
      this.line("Expressions: 42 0x2a 'c' $pc $sp $a0 $r4 $epc $ring symbol IMAGE:symbol *ADDR, C operators. 'help info', 'help x' and so on for details.");
      return;
    }
    if (word === 'info') {
      this.line(`${this.c.bold('info WHAT')}: show state. Subjects:`);
      const width = Math.max(...INFO_COMMANDS.map((i) => [i.name, ...i.aliases].join(', ').length));
      for (const i of INFO_COMMANDS) this.line(`  ${this.c.bold([i.name, ...i.aliases].join(', ').padEnd(width))}  ${i.doc}`);
      return;
    }
    const def = findCommand(word);
    const aliases = def.aliases.length ? ` (aliases: ${def.aliases.join(', ')})` : '';
    this.line(`${this.c.bold(def.usage)}${aliases}`);
    this.line(`  ${def.doc}`);
  }
}

function formatUnit(v: number, unit: 1 | 2 | 4, f: string): string {
  const bits = unit * 8;
  switch (f) {
    case 'd': return String(bits === 32 ? v | 0 : (v << (32 - bits)) >> (32 - bits));
    case 'u': return String(v >>> 0);
    case 'c': return JSON.stringify(String.fromCharCode(v & 0xff));
    default: return `0x${(v >>> 0).toString(16).padStart(unit * 2, '0')}`;
  }
}

/** The command reference in Markdown, generated from the tables (docs/debugger.md embeds it). */
export function commandReference(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const text = (s: string): string => esc(s).replace(/\*/g, '\\*'); // outside code spans
  const lines = ['| command | aliases | what it does |', '|---|---|---|'];
  for (const d of COMMANDS) lines.push(`| \`${esc(d.usage)}\` | ${d.aliases.map((a) => `\`${a}\``).join(' ') || '-'} | ${text(d.doc)} |`);
  lines.push('', '`info` subjects:', '', '| subject | aliases | what it shows |', '|---|---|---|');
  for (const i of INFO_COMMANDS) lines.push(`| \`${esc(i.usage)}\` | ${i.aliases.map((a) => `\`${a}\``).join(' ') || '-'} | ${text(i.doc)} |`);
  return `${lines.join('\n')}\n`;
}
