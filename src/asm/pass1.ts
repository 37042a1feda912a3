// Pass 1: lays out addresses. Defines labels, evaluates what must be known early (`.org`,
// `.space`, `.align`, `.if`), decides every statement's size once, and records what pass 2 encodes.

import { parseRegister, PSEUDO_BY_MNEMONIC, type InsnDef, type Isa, type PseudoDef } from '../isa/index.js';
import type { ErrorList, SourceLine } from './errors.js';
import { evaluate, parseExpression, qualifySymbol, type EvalEnv } from './expr.js';
import type { Token } from './lexer.js';
import { parseOperands, type ParsedOperands } from './operands.js';
import { ADDRESS_SPACE, DEFINE_SOURCE, MAX_IMAGE_BYTES, type Item, type ListedStatement, type Region, type SymbolEntry, type ValueSite } from './program.js';
import type { PreprocessHost } from './preprocess.js';
import { endOf, splitOperands, type Operand, type Statement } from './statement.js';
import { didYouMean } from './suggest.js';

type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
type ItemBody = DistributiveOmit<Item, 'at' | 'column' | 'region' | 'offset' | 'address' | 'size'>;

/** A `.equ` whose value depends on symbols defined later: resolved after pass 1. */
interface DeferredEqu {
  readonly entry: SymbolEntry;
  readonly value: ValueSite;
  readonly here: number;
}

/** The context one directive handler works in. */
interface DirectiveCall {
  readonly at: SourceLine;
  readonly op: Token;
  readonly operands: readonly Operand[];
}

const NUL = new Uint8Array([0]);

const DATA_WIDTH: Record<string, 1 | 2 | 4> = { '.byte': 1, '.half': 2, '.word': 4 };

export const DIRECTIVES = [
  '.equ', '.set', '.word', '.half', '.byte', '.ascii', '.asciz', '.space', '.align', '.org', '.entry',
  '.include', '.macro', '.endm', '.if', '.ifdef', '.ifndef', '.elseif', '.else', '.endif', '.error',
] as const;

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export class PassOne implements PreprocessHost {
  readonly regions: Region[] = [{ start: 0, size: 0, at: undefined, column: 1 }];
  readonly items: Item[] = [];
  readonly symbols = new Map<string, SymbolEntry>();
  readonly listing: ListedStatement[] = [];
  private readonly deferred: DeferredEqu[] = [];
  private current = 0;
  private scope = '';
  private totalBytes = 0;
  private entrySeen: SourceLine | undefined;
  /** Names of macros, so unknown-mnemonic suggestions can include them. */
  macroNames: () => string[] = () => [];

  constructor(
    readonly errors: ErrorList,
    private readonly isa: Isa,
    readonly readFile: (path: string) => string | undefined,
  ) {}

  // ---- PreprocessHost ------------------------------------------------------------------------

  condition(tokens: readonly Token[], at: SourceLine, column: number): number | undefined {
    return this.constant(tokens, at, column, '.if');
  }

  isDefined(name: string): boolean {
    return this.symbols.has(qualifySymbol(name, this.scope));
  }

  consumed(at: SourceLine): void {
    this.list(at);
  }

  statement(at: SourceLine, st: Statement): void {
    const listed = this.list(at);
    for (const label of st.labels) this.defineLabel(at, label.name, label.column);
    if (st.assignment) {
      const { name, expr } = st.assignment;
      this.defineValue(at, name, 'set', expr, endOf(expr, name.end + 1));
      return;
    }
    const op = st.op;
    if (!op) return;
    const before = this.items.length;
    if (op.text.startsWith('.')) this.directive(at, op, st.args);
    else this.instruction(at, op, st.args);
    const emitted = this.items.slice(before).filter((i) => i.size > 0);
    listed.size = emitted.reduce((n, i) => n + i.size, 0);
    listed.kind = emitted.some((i) => i.kind === 'insn' || i.kind === 'pseudo') ? 'code' : listed.size ? 'data' : 'none';
  }

  // ---- Layout --------------------------------------------------------------------------------

  private get region(): Region {
    return this.regions[this.current]!;
  }

  get pc(): number {
    return this.region.start + this.region.size;
  }

  private list(at: SourceLine): ListedStatement {
    const entry: ListedStatement = { at, region: this.current, offset: this.region.size, address: this.pc, size: 0, kind: 'none' };
    this.listing.push(entry);
    return entry;
  }

  /** Whether `size` more bytes fit in the image and the address space; reports if not. */
  private fits(size: number, at: SourceLine, column: number, what: string): boolean {
    if (this.totalBytes + size > MAX_IMAGE_BYTES) {
      this.errors.add(at, column, `${what} would grow the image past the ${MAX_IMAGE_BYTES / 1024 / 1024} MiB limit`);
      return false;
    }
    if (this.pc + size > ADDRESS_SPACE) {
      this.errors.add(at, column, `${what} at ${hex(this.pc)} would run past the end of the 32-bit address space`);
      return false;
    }
    return true;
  }

  /** Append an item of `size` bytes at the current address. */
  private emit(at: SourceLine, column: number, size: number, body: ItemBody): void {
    const region = this.region;
    // Object.assign onto the fresh body, not a spread into a new literal: several times faster
    // (the spread's objects end up slow to create and to read in pass 2).
    this.items.push(Object.assign(body, { at, column, region: this.current, offset: region.size, address: this.pc, size }) as Item);
    region.size += size;
    this.totalBytes += size;
  }

  // ---- Symbols -------------------------------------------------------------------------------

  /** Pass-1 view: labels defined so far, resolved `.equ`s, the current value of `.set`s. */
  private env(): EvalEnv {
    return { lookup: (name) => this.symbols.get(name)?.value, here: this.pc };
  }

  private checkNewName(at: SourceLine, name: string, column: number): boolean {
    if (parseRegister(name) !== undefined) {
      this.errors.add(at, column, `'${name}' is a register name and cannot be a symbol`);
      return false;
    }
    return true;
  }

  private duplicate(at: SourceLine, column: number, previous: SymbolEntry): void {
    const where = previous.at.file === DEFINE_SOURCE ? `by -D ${previous.name}` : `at ${previous.at.file}:${previous.at.line}`;
    const hint = previous.kind === 'set' ? '' : ' (only .set symbols may be redefined)';
    this.errors.add(at, column, `duplicate symbol '${previous.name}', first defined ${where}${hint}`);
  }

  private defineLabel(at: SourceLine, written: string, column: number): void {
    if (!written.startsWith('.')) this.scope = written;
    if (!this.checkNewName(at, written, column)) return;
    const name = qualifySymbol(written, this.scope);
    const previous = this.symbols.get(name);
    if (previous) return this.duplicate(at, column, previous);
    this.symbols.set(name, { name, kind: 'label', value: this.pc, at, column });
  }

  /** `.equ` / `.set` / `NAME = expr`. */
  private defineValue(at: SourceLine, nameToken: Token, kind: 'equ' | 'set', exprTokens: readonly Token[], end: number): void {
    if (nameToken.kind !== 'ident') return this.errors.add(at, nameToken.column, `expected a symbol name, got '${nameToken.text}'`);
    if (!this.checkNewName(at, nameToken.text, nameToken.column)) return;
    const name = qualifySymbol(nameToken.text, this.scope);
    const parsed = parseExpression(exprTokens, this.scope, end);
    if (!parsed.ok) return this.errors.add(at, parsed.column, parsed.message);
    const previous = this.symbols.get(name);
    if (previous && (kind === 'equ' || previous.kind !== 'set')) return this.duplicate(at, nameToken.column, previous);
    const site: ValueSite = { expr: parsed.value, column: exprTokens[0]!.column };
    const result = evaluate(parsed.value, this.env());
    if (!result.ok && result.kind === 'error') this.errors.add(at, result.column, result.message);
    // A broken definition still defines the name (as 0), so uses of it do not cascade.
    const value = result.ok ? result.value : result.kind === 'error' ? 0 : undefined;
    const entry: SymbolEntry = previous ?? { name, kind, value, at, column: nameToken.column };
    entry.value = value;
    this.symbols.set(name, entry);
    if (kind === 'set' && !(!result.ok && result.kind === 'error')) {
      this.emit(at, nameToken.column, 0, { kind: 'set', name, value: site });
    }
    if (kind === 'equ' && value === undefined) this.deferred.push({ entry, value: site, here: this.pc });
  }

  /** Resolve forward `.equ`s now that every label is known; report the ones that never resolve. */
  resolveDeferred(): void {
    let pending = this.deferred.slice();
    for (let progress = true; progress && pending.length; ) {
      progress = false;
      pending = pending.filter((d) => {
        const r = evaluate(d.value.expr, { lookup: (n) => this.symbols.get(n)?.value, here: d.here });
        if (!r.ok && r.kind === 'unknown') return true;
        if (!r.ok) this.errors.add(d.entry.at, r.column, r.message);
        d.entry.value = r.ok ? r.value : 0;
        progress = true;
        return false;
      });
    }
    for (const d of pending) {
      const r = evaluate(d.value.expr, { lookup: (n) => this.symbols.get(n)?.value, here: d.here });
      const missing = !r.ok && r.kind === 'unknown' ? r.name : '?';
      const circular = this.symbols.has(missing);
      const message = circular
        ? `cannot resolve '${d.entry.name}': circular definition through '${missing}'`
        : `undefined symbol '${missing}'`;
      this.errors.add(d.entry.at, r.ok ? d.value.column : r.column, message);
    }
  }

  // ---- Expressions that must be known in pass 1 --------------------------------------------

  /** Value of an expression that decides layout: forward references are errors here. */
  private constant(tokens: readonly Token[], at: SourceLine, end: number, what: string): number | undefined {
    const parsed = parseExpression(tokens, this.scope, end);
    if (!parsed.ok) {
      this.errors.add(at, parsed.column, parsed.message);
      return undefined;
    }
    const r = evaluate(parsed.value, this.env());
    if (r.ok) return r.value;
    if (r.kind === 'error') this.errors.add(at, r.column, r.message);
    else {
      const defined = this.symbols.has(r.name);
      const reason = defined ? `'${r.name}' has no value yet` : `'${r.name}' is not defined yet`;
      this.errors.add(at, r.column, `${what} needs a value known at this point: ${reason} (symbols used here must be defined above)`);
    }
    return undefined;
  }

  // ---- Directives ------------------------------------------------------------------------------

  private directive(at: SourceLine, op: Token, args: readonly Token[]): void {
    const name = op.text.toLowerCase();
    const split = splitOperands(args, endOf(args, op.end));
    if (!split.ok) return this.errors.add(at, split.column, split.message);
    const call: DirectiveCall = { at, op, operands: split.operands };
    const width = DATA_WIDTH[name];
    if (width) return this.data(call, width);
    switch (name) {
      case '.equ':
      case '.set':
        return this.equ(call, name === '.equ' ? 'equ' : 'set');
      case '.ascii':
      case '.asciz':
        return this.ascii(call, name === '.asciz');
      case '.space':
        return this.space(call);
      case '.align':
        return this.align(call);
      case '.org':
        return this.org(call);
      case '.entry':
        return this.entry(call);
      default:
        this.errors.add(at, op.column, `unknown directive '${op.text}'${didYouMean(name, DIRECTIVES)}`);
    }
  }

  private operandCount(call: DirectiveCall, min: number, max: number, shape: string): boolean {
    const n = call.operands.length;
    if (n >= min && n <= max) return true;
    const column = n > max ? call.operands[max]!.column : call.op.end;
    this.errors.add(call.at, column, `${call.op.text} takes ${shape}, got ${n} operand${n === 1 ? '' : 's'}`);
    return false;
  }

  private equ(call: DirectiveCall, kind: 'equ' | 'set'): void {
    if (!this.operandCount(call, 2, 2, 'a name and a value (NAME, expr)')) return;
    const [name, value] = call.operands as [Operand, Operand];
    if (name.tokens.length !== 1) return this.errors.add(call.at, name.column, `expected a symbol name before the comma`);
    this.defineValue(call.at, name.tokens[0]!, kind, value.tokens, value.end);
  }

  private data(call: DirectiveCall, width: 1 | 2 | 4): void {
    if (!this.operandCount(call, 1, Infinity, 'one or more values')) return;
    const values: ValueSite[] = [];
    for (const o of call.operands) {
      const parsed = parseExpression(o.tokens, this.scope, o.end);
      if (!parsed.ok) return this.errors.add(call.at, parsed.column, parsed.message);
      values.push({ expr: parsed.value, column: o.column });
    }
    const size = values.length * width;
    if (this.fits(size, call.at, call.op.column, call.op.text)) this.emit(call.at, call.op.column, size, { kind: 'data', width, values });
  }

  private ascii(call: DirectiveCall, terminate: boolean): void {
    if (!this.operandCount(call, 1, Infinity, 'one or more strings')) return;
    const parts: Uint8Array[] = [];
    for (const o of call.operands) {
      const s = o.tokens[0]!;
      if (o.tokens.length !== 1 || s.kind !== 'string') return this.errors.add(call.at, o.column, `${call.op.text} takes strings in double quotes`);
      parts.push(s.bytes);
      if (terminate) parts.push(NUL);
    }
    // Copied into one array (not pushed as spread arguments: a long string would overflow the stack).
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    if (this.fits(bytes.length, call.at, call.op.column, call.op.text)) {
      this.emit(call.at, call.op.column, bytes.length, { kind: 'bytes', bytes });
    }
  }

  private space(call: DirectiveCall): void {
    if (!this.operandCount(call, 1, 2, 'a size and an optional fill byte')) return;
    const [sizeOp, fillOp] = call.operands;
    const size = this.constant(sizeOp!.tokens, call.at, sizeOp!.end, '.space size');
    const fill = fillOp ? this.constant(fillOp.tokens, call.at, fillOp.end, '.space fill') : 0;
    if (size === undefined || fill === undefined) return;
    if (size < 0 || size > MAX_IMAGE_BYTES) {
      return this.errors.add(call.at, sizeOp!.column, `.space size ${size} is outside 0..${MAX_IMAGE_BYTES} bytes`);
    }
    if (fill < -128 || fill > 255) return this.errors.add(call.at, fillOp!.column, `.space fill ${fill} is not a byte (-128..255)`);
    if (this.fits(size, call.at, call.op.column, '.space')) this.emit(call.at, call.op.column, size, { kind: 'fill', value: fill & 0xff, line: true });
  }

  private align(call: DirectiveCall): void {
    if (!this.operandCount(call, 1, 1, 'one byte alignment (a power of two)')) return;
    const o = call.operands[0]!;
    const n = this.constant(o.tokens, call.at, o.end, '.align');
    if (n === undefined) return;
    if (n < 1 || n > 0x1000_0000 || (n & (n - 1)) !== 0) {
      return this.errors.add(call.at, o.column, `.align takes a byte alignment that is a power of two (like .align 4), got ${n}`);
    }
    const padding = (n - (this.pc % n)) % n;
    if (padding && this.fits(padding, call.at, call.op.column, '.align')) {
      this.emit(call.at, call.op.column, padding, { kind: 'fill', value: 0, line: false });
    }
  }

  private org(call: DirectiveCall): void {
    if (!this.operandCount(call, 1, 1, 'one address')) return;
    const o = call.operands[0]!;
    const address = this.constant(o.tokens, call.at, o.end, '.org');
    if (address === undefined) return;
    this.regions.push({ start: address >>> 0, size: 0, at: call.at, column: call.op.column });
    this.current = this.regions.length - 1;
  }

  private entry(call: DirectiveCall): void {
    if (!this.operandCount(call, 1, 1, 'one address')) return;
    if (this.entrySeen) {
      return this.errors.add(call.at, call.op.column, `second .entry (the first is at ${this.entrySeen.file}:${this.entrySeen.line})`);
    }
    this.entrySeen = call.at;
    const o = call.operands[0]!;
    const parsed = parseExpression(o.tokens, this.scope, o.end);
    if (!parsed.ok) return this.errors.add(call.at, parsed.column, parsed.message);
    this.emit(call.at, call.op.column, 0, { kind: 'entry', value: { expr: parsed.value, column: o.column } });
  }

  // ---- Instructions ----------------------------------------------------------------------------

  /** True while consecutive instructions sit at unaligned addresses (reported once). */
  private inMisalignedRun = false;

  private instruction(at: SourceLine, op: Token, args: readonly Token[]): void {
    const mnemonic = op.text.toLowerCase();
    const def = this.isa.byMnemonic.get(mnemonic);
    const pseudo = def ? undefined : PSEUDO_BY_MNEMONIC.get(mnemonic);
    if (!def && !pseudo) {
      const known = [...this.isa.byMnemonic.keys(), ...PSEUDO_BY_MNEMONIC.keys(), ...this.macroNames()];
      return this.errors.add(at, op.column, `unknown instruction '${op.text}'${didYouMean(mnemonic, known)}`);
    }
    const aligned = this.pc % 4 === 0;
    // One report per run of misaligned instructions: they share one cause (data before them).
    if (!aligned && !this.inMisalignedRun) {
      this.errors.add(at, op.column, `instruction at unaligned address ${hex(this.pc)}; add \`.align 4\` before it (instructions after it are unaligned too)`);
    }
    this.inMisalignedRun = !aligned;
    const split = splitOperands(args, endOf(args, op.end));
    if (!split.ok) {
      this.errors.add(at, split.column, split.message);
      return this.reserve(at, op);
    }
    const syntax = def ? def.syntax : pseudo!.syntax;
    const parsed = parseOperands(mnemonic, syntax, split.operands, this.scope, op.column);
    if (!parsed.ok) {
      this.errors.add(at, parsed.column, parsed.message);
      return this.reserve(at, op);
    }
    if (def) return this.real(at, op, def, parsed.operands, aligned);
    return this.pseudo(at, op, pseudo!, parsed.operands, aligned);
  }

  /** A broken instruction still takes its word, so the addresses after it stay right. */
  private reserve(at: SourceLine, op: Token, size = 4): void {
    if (this.fits(size, at, op.column, 'instruction')) this.emit(at, op.column, size, { kind: 'fill', value: 0, line: false });
  }

  private real(at: SourceLine, op: Token, def: InsnDef, operands: ParsedOperands, aligned: boolean): void {
    if (!aligned) return this.reserve(at, op);
    if (this.fits(4, at, op.column, 'instruction')) this.emit(at, op.column, 4, { kind: 'insn', def, operands });
  }

  private pseudo(at: SourceLine, op: Token, def: PseudoDef, operands: ParsedOperands, aligned: boolean): void {
    // Decide the size now, from what pass 1 knows; pass 2 reuses this decision.
    const known = operands.value ? evaluate(operands.value.expr, this.env()) : undefined;
    const value = known?.ok ? known.value : undefined;
    const r = operands.regs;
    const words = def.words({ rd: r.rd ?? 0, rs1: r.rs1 ?? 0, rs2: r.rs2 ?? 0, imm: value, target: value });
    const size = Number.isInteger(words) && words >= 1 && words <= 64 ? words * 4 : 4;
    if (!aligned) return this.reserve(at, op, size);
    if (this.fits(size, at, op.column, 'instruction')) this.emit(at, op.column, size, { kind: 'pseudo', def, operands, words: size / 4 });
  }
}
