// Text for the debugger's answers: locations, instructions, registers, stops. Pure functions of
// the debugger state; the colour instance is passed in (level 0 for plain text).

import { relative, isAbsolute } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { disassembleParts } from '../asm/index.js';
import { ABI_NAMES, CSRS, causeName, decodeWord, exitReasonName } from '../isa/index.js';
import type { WorldName } from '../machine/machine.js';
import type { Debugger, HistoryRecord, StopEvent, StopPoint, TrapRecord } from './debugger.js';
import { hex, shortHex } from './errors.js';
import { readCsrQuietly } from './registers.js';
import type { Place } from './symbols.js';
import type { StateView } from './vcpu.js';

export function worldLabel(world: WorldName): string {
  return world === 'guestUser' ? 'guest user' : world === 'guestKernel' ? 'guest kernel' : 'VMM';
}

/** A source path as a person wants to read it: relative to the working directory when inside it. */
export function sourcePath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** `kernel:sys_write+8 (programs/kernel/syscall.s:52)` or just the hex address. */
export function describeAddress(dbg: Debugger, address: number, place: Place = dbg.place()): string {
  const name = dbg.symbols.nameOf(address, place);
  const info = dbg.symbols.describe(address, place);
  const line = info?.line ? ` (${sourcePath(info.line.file)}:${info.line.line})` : '';
  return `${hex(address)}${name ? ` <${name}>` : ''}${line}`;
}

/** The instruction at a virtual address as text, or why it cannot be read. */
export function instructionAt(dbg: Debugger, address: number, place: Place = dbg.place()): string {
  const word = dbg.memory.peekWord(address);
  if (word === undefined) return (address & 3) !== 0 ? '(not word aligned)' : '(not mapped)';
  const image = dbg.symbols.imagesAt(address, place)[0];
  const { text, comment } = disassembleParts(dbg.machine.isa, word, address, image?.image);
  return comment ? `${text}  # ${comment}` : text;
}

export function disassemblyLine(dbg: Debugger, address: number, c: ChalkInstance, place: Place = dbg.place()): string {
  const here = address >>> 0 === dbg.cpu.pc >>> 0;
  const bp = dbg.stopPoints().some((p) => p.type === 'breakpoint' && p.enabled && p.address === address >>> 0);
  const mark = here ? c.green('=>') : bp ? c.red(' b') : '  ';
  const name = dbg.symbols.nameOf(address, place);
  const word = dbg.memory.peekWord(address);
  const raw = word === undefined ? '        ' : word.toString(16).padStart(8, '0');
  return `${mark} ${c.cyan(hex(address))} ${c.dim(raw)}  ${instructionAt(dbg, address, place).padEnd(30)}${name ? c.dim(`  <${name}>`) : ''}`;
}

/** The two lines that say where the processor is: world, ring, symbol, source; then the
 *  instruction about to execute. */
export function whereLines(dbg: Debugger, c: ChalkInstance): string[] {
  const cpu = dbg.cpu;
  const place = dbg.place();
  const world = worldLabel(dbg.world());
  const pid = place.pid !== undefined && place.world === 'guestUser' ? `, pid ${place.pid}` : '';
  // Under bt the guest kernel runs as translations: name the guest instruction, then the word
  // of its translation about to run.
  const origin = dbg.translationOrigin();
  const at = origin ? origin.guestPc : cpu.pc;
  const info = dbg.symbols.describe(at, place);
  const name = dbg.symbols.nameOf(at, place);
  const line = info?.line ? `  ${c.dim(`${sourcePath(info.line.file)}:${info.line.line}`)}` : '';
  const mode = cpu.nonRoot ? ', non-root' : '';
  const header = `${c.magenta(`[${world}, ring ${cpu.ring}${mode}${pid}]`)} ${name ? c.yellow(name) : c.dim('(no symbol)')}${line}`;
  if (!origin) return [header, disassemblyLine(dbg, cpu.pc, c, place)];
  const word = dbg.memory.peekWord(cpu.pc);
  const raw = word === undefined ? '        ' : word.toString(16).padStart(8, '0');
  const role = { start: 'its first word', mid: 'inside it', exit: 'an exit to it', callout: 'a callout to the VMM' }[origin.kind];
  return [
    header,
    `   ${c.cyan(hex(at))}           ${instructionAt(dbg, at, place).padEnd(30)}${c.dim('  the guest instruction')}`,
    `${c.green('=>')} ${c.cyan(hex(cpu.pc))} ${c.dim(raw)}  ${instructionAt(dbg, cpu.pc, place).padEnd(30)}${c.dim(`  its translation (${role})`)}`,
  ];
}

// ---- Registers ----------------------------------------------------------------------------------

/** Register values the stop display compares: pc, the general registers, ring and every CSR
 *  except the counters. */
export function registerSnapshot(dbg: Debugger): Map<string, number> {
  const cpu = dbg.cpu;
  const m = new Map<string, number>();
  m.set('pc', cpu.pc >>> 0);
  for (let i = 1; i < 16; i++) m.set(ABI_NAMES[i]!, cpu.x[i]! >>> 0);
  m.set('ring', cpu.ring);
  for (const csr of CSRS) {
    if (['CYCLE', 'CYCLEH', 'INSTRET', 'STATUS'].includes(csr.name)) continue;
    m.set(csr.name.toLowerCase(), readCsrQuietly(dbg.machine, csr.number) >>> 0);
  }
  m.set('ie', cpu.interruptsEnabled ? 1 : 0);
  return m;
}

export function changedRegisters(before: Map<string, number>, after: Map<string, number>, c: ChalkInstance): string | undefined {
  const parts: string[] = [];
  for (const [name, value] of after) {
    const old = before.get(name);
    if (old === undefined || old === value || name === 'pc') continue;
    parts.push(`${c.bold(name)} ${shortHex(old)}${c.dim('->')}${shortHex(value)}`);
  }
  return parts.length ? `${c.dim('changed:')} ${parts.join('  ')}` : undefined;
}

export function registersTable(dbg: Debugger, c: ChalkInstance): string[] {
  const cpu = dbg.cpu;
  const lines: string[] = [];
  for (let row = 0; row < 4; row++) {
    const cells: string[] = [];
    for (let col = 0; col < 4; col++) {
      const r = row * 4 + col;
      const v = cpu.x[r]!;
      cells.push(`${c.bold(ABI_NAMES[r]!.padStart(4))} ${hex(v)} ${String(v).padStart(11)}`);
    }
    lines.push(cells.join('  '));
  }
  lines.push(`${c.bold('  pc')} ${describeAddress(dbg, cpu.pc)}`);
  lines.push(`${c.bold('ring')} ${cpu.ring} (${worldLabel(dbg.world())})  ${c.bold('ie')} ${cpu.interruptsEnabled ? 1 : 0}  ${c.bold('paging')} ${cpu.paging ? 'on' : 'off'}  ${c.bold('cycles')} ${cpu.cycles}  ${c.bold('instret')} ${cpu.instret}`);
  const csrs = CSRS.filter((d) => !['CYCLE', 'CYCLEH', 'INSTRET'].includes(d.name)).map((d) => {
    const v = readCsrQuietly(dbg.machine, d.number);
    const note = d.name === 'CAUSE' && v !== 0 ? ` (${causeName(v)})` : '';
    return `${c.bold(d.name.toLowerCase())} ${hex(v)}${note}`;
  });
  for (let i = 0; i < csrs.length; i += 4) lines.push(csrs.slice(i, i + 4).join('  '));
  return lines;
}

// ---- Stop points, traps, state views -------------------------------------------------------------

export function pointDescription(dbg: Debugger, p: StopPoint): string {
  switch (p.type) {
    case 'breakpoint': {
      const where = [p.world && `${worldLabel(p.world)} only`, p.pids && `pid ${p.pids.join(', ')}`].filter(Boolean).join(', ');
      return `${p.location}${where ? ` (${where})` : ''}${p.temporary ? ' [temporary]' : ''}${p.condition !== undefined ? ` if ${p.condition}` : ''}`;
    }
    case 'watchpoint': {
      const t = p.target;
      const what = t.kind === 'memory' ? `${p.access} ${describeAddress(dbg, t.address)}` : `change of ${t.expression}`;
      return what;
    }
    case 'catchpoint':
      if (p.what === 'world') return 'change of world';
      if (p.what === 'vmexit') return `VM exit ${p.causes ? p.causes.map(exitReasonName).join(', ') : '(any reason)'}`;
      return `trap ${p.causes ? p.causes.map(causeName).join(', ') : '(any cause)'}`;
  }
}

export function pointsTable(dbg: Debugger, c: ChalkInstance): string[] {
  const points = dbg.stopPoints();
  if (points.length === 0) return ['No breakpoints, watchpoints or catchpoints.'];
  const lines = [c.dim('Num  Type        Enb  Address     Hits  What')];
  for (const p of points) {
    const addr = p.type === 'breakpoint' ? hex(p.address) : p.type === 'watchpoint' && p.target.kind === 'memory' ? hex(p.target.address) : '';
    lines.push(`${String(p.id).padEnd(4)} ${p.type.padEnd(11)} ${(p.enabled ? 'y' : 'n').padEnd(4)} ${addr.padEnd(11)} ${String(p.hits).padEnd(5)} ${pointDescription(dbg, p)}`);
  }
  return lines;
}

/** One line of the history: a trap entry or a VM exit. */
export function historyLine(dbg: Debugger, r: HistoryRecord, c: ChalkInstance): string {
  if (r.kind === 'trap') return trapLine(dbg, r, c);
  const place: Place = { world: r.fromWorld, pid: r.pid, program: r.program };
  const insn = r.insnWord !== 0 ? `  ${c.dim(instructionWord(dbg, r.insnWord, r.guestPc))}` : '';
  const extra = [r.qualification !== 0 && `qual ${shortHex(r.qualification)}`, r.gpa !== 0 && `gpa ${hex(r.gpa)}`, r.gva !== 0 && `gva ${hex(r.gva)}`].filter(Boolean).join(' ');
  const name = dbg.symbols.nameOf(r.guestPc, place);
  return `#${r.seq}  cycle ${r.cycle}  ${c.bold(`VM exit ${r.reasonName}`)}${extra ? ` (${extra})` : ''}  ${worldLabel(r.fromWorld)} (ring ${r.fromRing}) -> ${worldLabel(r.toWorld)}  at ${hex(r.guestPc)}${name ? ` <${name}>` : ''}${insn}`;
}

export function trapLine(dbg: Debugger, t: TrapRecord, c: ChalkInstance): string {
  const place: Place = { world: t.fromWorld, pid: t.pid, program: t.program };
  const from = `${worldLabel(t.fromWorld)} (ring ${t.fromRing})`;
  const insn = t.insnWord !== 0 ? `  ${c.dim(instructionWord(dbg, t.insnWord, t.epc))}` : '';
  const bad = t.badAddr !== 0 ? ` addr ${hex(t.badAddr)}` : '';
  const name = dbg.symbols.nameOf(t.epc, place);
  return `#${t.seq}  cycle ${t.cycle}  ${c.bold(t.causeName)}  ${from} -> ${worldLabel(t.toWorld)}  at ${hex(t.epc)}${name ? ` <${name}>` : ''}${bad}${insn}`;
}

function instructionWord(dbg: Debugger, word: number, pc: number): string {
  const d = decodeWord(dbg.machine.isa, word);
  if (!d) return `.word ${hex(word)}`;
  return disassembleParts(dbg.machine.isa, word, pc).text;
}

export function stateViewLines(view: StateView, c: ChalkInstance): string[] {
  const lines = [c.dim(view.where)];
  for (const f of view.fields) {
    const off = f.offset !== undefined ? c.dim(`+${f.offset}`.padStart(5)) : '';
    lines.push(`  ${f.name.padEnd(16)} ${off}  ${f.value === undefined ? c.dim('(cannot read)') : `${hex(f.value)} ${String(f.value | 0).padStart(11)}`}`);
  }
  return lines;
}

/** Fields of a state view that changed between two readings. */
export function changedFields(before: StateView | undefined, after: StateView | undefined, c: ChalkInstance): string | undefined {
  if (!before || !after) return undefined;
  const old = new Map(before.fields.map((f) => [f.name, f.value]));
  const parts = after.fields
    .filter((f) => old.get(f.name) !== undefined && f.value !== undefined && old.get(f.name) !== f.value)
    .map((f) => `${c.bold(f.name)} ${fmtMaybe(old.get(f.name))}${c.dim('->')}${fmtMaybe(f.value)}`);
  return parts.length ? parts.join('  ') : undefined;
}

function fmtMaybe(v: number | undefined): string {
  return v === undefined ? '?' : shortHex(v);
}

// ---- Stops --------------------------------------------------------------------------------------

export function stopReason(dbg: Debugger, ev: StopEvent, c: ChalkInstance): string | undefined {
  const rev = 'reverse' in ev && ev.reverse ? c.dim(' (going backwards)') : '';
  switch (ev.kind) {
    case 'breakpoint': {
      const p = ev.point;
      const head = `${p.temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${p.id}, ${p.location}`;
      return c.red(head) + rev + (ev.conditionError ? ` (the condition could not be evaluated: ${ev.conditionError})` : '');
    }
    case 'watchpoint': {
      const p = ev.point;
      if (ev.access === 'change') return `${c.red(`Watchpoint ${p.id}`)}: ${p.expression} changed: ${fmtValue(ev.old)} -> ${fmtValue(ev.value)}${rev}`;
      const at = ev.address !== undefined ? ` at ${hex(ev.address)}` : '';
      if (ev.access === 'write') return `${c.red(`Watchpoint ${p.id}`)}: write to ${p.expression}${at}: ${fmtValue(ev.old)} -> ${fmtValue(ev.value)}${rev}`;
      return `${c.red(`Watchpoint ${p.id}`)}: read of ${p.expression}${at}: value ${fmtValue(ev.value)}${rev}`;
    }
    case 'catch-trap':
      return `${c.red(`Catchpoint ${ev.point.id}`)}: trap ${trapLine(dbg, ev.trap, c)}${rev}`;
    case 'catch-vmexit':
      return `${c.red(`Catchpoint ${ev.point.id}`)}: ${historyLine(dbg, ev.exit, c)}${rev}`;
    case 'catch-world':
      return `${c.red(`Catchpoint ${ev.point.id}`)}: world changed from ${worldLabel(ev.from)} to ${worldLabel(ev.to)}${rev}`;
    case 'step':
      return undefined;
    case 'finish':
      return `Returned; ${c.bold('a0')} = ${ev.value} (${shortHex(ev.value)})`;
    case 'machine':
      return c.red(machineStop(ev.stop));
    case 'limit':
      return c.red(`Stopped: this command used its budget of ${ev.cycles.toLocaleString('en-US')} cycles (raise it with --max-cycles)`);
    case 'interrupted':
      return c.red('Interrupted.');
    case 'history-start':
      return c.red('No more reverse history: this is the oldest recorded point.');
  }
}

function fmtValue(v: number | undefined): string {
  return v === undefined ? '(unreadable)' : `${v | 0} (${shortHex(v)})`;
}

export function machineStop(stop: import('../machine/machine.js').StopReason): string {
  switch (stop.kind) {
    case 'halt':
      return `The machine halted with exit code ${stop.exitCode}.`;
    case 'double-fault':
      return `The machine stopped: double fault (${stop.cause} at the trap vector ${hex(stop.pc)}, address ${hex(stop.badAddr)}).`;
    case 'deadlock':
      return `The machine stopped: deadlock (wfi at ${hex(stop.pc)} with no interrupt that could wake it).`;
    case 'cycle-limit':
      return `The machine stopped at its cycle limit of ${stop.limit}.`;
    case 'step':
      return 'Stopped after one step.';
  }
}
