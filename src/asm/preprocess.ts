// Turns source files into a stream of statements: follows `.include`, records and expands
// `.macro`s, and skips the branches of `.if`/`.ifdef` that are off. Conditions are evaluated in
// pass 1 by the host, with the symbols known at that point (as in GNU as).

import { dirname, isAbsolute, join } from 'node:path';
import type { ErrorList, SourceLine } from './errors.js';
import { isInside } from './files.js';
import { MAX_LINE_LENGTH, MAX_LINES, MAX_TOTAL_CHARS } from './limits.js';
import { tokenizeLine, type Token } from './lexer.js';
import { endOf, parseStatement, splitOperands, type Statement } from './statement.js';

export interface PreprocessHost {
  readonly errors: ErrorList;
  readFile(path: string): string | undefined;
  /** Pass-1 value of a condition; undefined after the host reported why there is none. */
  condition(tokens: readonly Token[], at: SourceLine, column: number): number | undefined;
  /** Whether a symbol (as written, possibly local) is defined at this point of pass 1. */
  isDefined(name: string): boolean;
  statement(at: SourceLine, statement: Statement): void;
  /** A line the preprocessor consumed itself (conditionals, macro calls), for the listing. */
  consumed(at: SourceLine): void;
}

export const MAX_INCLUDE_DEPTH = 32;
export const MAX_MACRO_DEPTH = 64;

interface MacroDef {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: SourceLine[];
  readonly definedAt: SourceLine;
}

interface Conditional {
  /** Lines of the current branch are assembled. */
  active: boolean;
  /** Some branch was already chosen (or the whole block sits in a skipped branch). */
  taken: boolean;
  sawElse: boolean;
  readonly at: SourceLine;
  readonly column: number;
}

interface Recording {
  readonly macro: MacroDef;
  readonly column: number;
  /** Nested `.macro` lines inside the body, so the matching `.endm` ends it. */
  depth: number;
  /** Which file or expansion started it: it must end there. */
  readonly context: number;
}

const CONDITIONALS = new Set(['.if', '.ifdef', '.ifndef', '.elseif', '.else', '.endif']);
/** First directive of a line, past any labels: enough to track nesting in skipped lines. */
const LEADING_DIRECTIVE = /^\s*(?:[A-Za-z_.$][\w.$]*\s*:\s*)*(\.[A-Za-z]+)\b/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const MACRO_PARAM = /\\(@|[A-Za-z_][A-Za-z0-9_]*)/g;

/** Length of a macro body line once its parameters are substituted. */
function substitutedLength(text: string, values: ReadonlyMap<string, string>, counter: string): number {
  let length = text.length;
  for (const m of text.matchAll(MACRO_PARAM)) {
    const value = m[1] === '@' ? counter : values.get(m[1]!);
    if (value !== undefined) length += value.length - m[0].length;
  }
  return length;
}

/** The lines of a file; a final newline ends the last line rather than starting an empty one. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export class Preprocessor {
  private readonly macros = new Map<string, MacroDef>();
  private readonly conditionals: Conditional[] = [];
  private recording: Recording | undefined;
  private readonly includeChain: string[] = [];
  private readonly macroChain: string[] = [];
  private expansions = 0;
  private contexts = 0;
  /** Lines and characters read so far, against MAX_LINES and MAX_TOTAL_CHARS. */
  private lines = 0;
  private chars = 0;
  /** Set when a limit on the whole run was reached: nothing more is read. */
  private exhausted = false;

  /** `includeRoots`: directories an `.include` may read from (the first is the user's root,
   *  named in messages); no check when empty. */
  constructor(
    private readonly host: PreprocessHost,
    private readonly includeRoots: readonly string[] = [],
    private readonly includePath: readonly string[] = [],
  ) {}

  /** Names of the defined macros (for "did you mean"). */
  macroNames(): string[] {
    return [...this.macros.keys()];
  }

  runFile(path: string, text: string): void {
    this.includeChain.push(path);
    const lines = splitLines(text).map((t, i): SourceLine => ({ file: path, line: i + 1, text: t }));
    this.runLines(lines);
    this.includeChain.pop();
  }

  private get active(): boolean {
    const top = this.conditionals[this.conditionals.length - 1];
    return top ? top.active : true;
  }

  private error(at: SourceLine, column: number, message: string): void {
    this.host.errors.add(at, column, message);
  }

  /** Run a file's or an expansion's lines; `.if` and `.macro` must end where they began. */
  private runLines(lines: readonly SourceLine[]): void {
    const context = ++this.contexts;
    const depth = this.conditionals.length;
    for (const line of lines) {
      if (this.host.errors.full || this.exhausted) return;
      this.line(line, context);
    }
    if (this.recording?.context === context) {
      const r = this.recording;
      this.error(r.macro.definedAt, r.column, `unterminated .macro '${r.macro.name}': missing .endm`);
      this.recording = undefined;
    }
    while (this.conditionals.length > depth) {
      const c = this.conditionals.pop()!;
      this.error(c.at, c.column, 'unterminated .if: missing .endif');
    }
  }

  private line(at: SourceLine, context: number): void {
    this.host.errors.noteLine(at);
    if (!this.withinLimits(at)) return;
    if (this.recording) {
      this.record(at, this.recording);
      return;
    }
    if (!this.active) {
      this.skippedLine(at);
      return;
    }
    const lexed = tokenizeLine(at.text);
    if (!lexed.ok) return this.error(at, lexed.column, lexed.message);
    const parsed = parseStatement(lexed.tokens);
    if (!parsed.ok) return this.error(at, parsed.column, parsed.message);
    const st = parsed.statement;
    const op = st.op;
    const directive = op?.text.toLowerCase();
    const macro = op ? this.macros.get(op.text) : undefined;
    const handled = directive !== undefined && (CONDITIONALS.has(directive) || ['.macro', '.endm', '.include', '.error'].includes(directive));
    if (!op || (!handled && !macro)) return this.host.statement(at, st);

    if (st.labels.length) this.host.statement(at, { ...st, op: undefined, args: [] });
    else this.host.consumed(at);
    if (macro) return this.expand(macro, at, st);
    switch (directive) {
      case '.macro':
        return this.startMacro(at, op, st.args, context);
      case '.endm':
        return this.error(at, op.column, '.endm without a matching .macro');
      case '.include':
        return this.include(at, op, st.args);
      case '.error':
        return this.userError(at, op, st.args);
      default:
        return this.conditional(at, op, st.args);
    }
  }

  /** Count the line against the limits of one run; report (and skip) a line that is too long. */
  private withinLimits(at: SourceLine): boolean {
    this.lines++;
    this.chars += at.text.length;
    if (this.lines > MAX_LINES || this.chars > MAX_TOTAL_CHARS) {
      const what = this.lines > MAX_LINES ? `more than ${MAX_LINES} lines` : `more than ${MAX_TOTAL_CHARS} characters`;
      this.error(at, 1, `the assembler stops here: ${what} to assemble, counting included files and macro expansions (a macro that expands without end?)`);
      this.exhausted = true;
      return false;
    }
    if (at.text.length > MAX_LINE_LENGTH) {
      this.error(at, MAX_LINE_LENGTH + 1, `line of ${at.text.length} characters: lines may have at most ${MAX_LINE_LENGTH}`);
      return false;
    }
    return true;
  }

  /** In a skipped branch only conditional nesting matters; the text need not even lex. */
  private skippedLine(at: SourceLine): void {
    const m = LEADING_DIRECTIVE.exec(at.text);
    const directive = m?.[1]?.toLowerCase();
    if (!directive || !CONDITIONALS.has(directive)) return;
    if (directive === '.if' || directive === '.ifdef' || directive === '.ifndef') {
      this.conditionals.push({ active: false, taken: true, sawElse: false, at, column: m!.index + m![0].length - directive.length + 1 });
      return;
    }
    const lexed = tokenizeLine(at.text);
    if (!lexed.ok) return this.error(at, lexed.column, lexed.message);
    const parsed = parseStatement(lexed.tokens);
    if (!parsed.ok || !parsed.statement.op) return;
    this.conditional(at, parsed.statement.op, parsed.statement.args);
  }

  private conditional(at: SourceLine, op: Token, args: readonly Token[]): void {
    const directive = op.text.toLowerCase();
    const top = this.conditionals[this.conditionals.length - 1];
    if (directive === '.if' || directive === '.ifdef' || directive === '.ifndef') {
      const parentActive = this.active;
      const value = parentActive ? this.evaluateCondition(directive, at, op, args) : false;
      this.conditionals.push({ active: parentActive && value === true, taken: !parentActive || value !== false, sawElse: false, at, column: op.column });
      return;
    }
    if (!top) return this.error(at, op.column, `${directive} without a matching .if`);
    if (directive === '.endif') {
      this.conditionals.pop();
      return;
    }
    if (top.sawElse) return this.error(at, op.column, `${directive} after .else (the .if at line ${top.at.line} already has an .else)`);
    if (directive === '.else') {
      if (args.length) this.error(at, args[0]!.column, '.else takes no operands');
      top.active = !top.taken;
      top.taken = true;
      top.sawElse = true;
      return;
    }
    // .elseif
    if (top.taken) {
      top.active = false;
      return;
    }
    const value = this.evaluateCondition('.if', at, op, args);
    top.active = value === true;
    top.taken = value !== false;
  }

  /** True or false, or undefined when the condition is broken (then no branch runs). */
  private evaluateCondition(directive: string, at: SourceLine, op: Token, args: readonly Token[]): boolean | undefined {
    if (directive === '.ifdef' || directive === '.ifndef') {
      const name = args[0];
      if (args.length !== 1 || name?.kind !== 'ident') {
        this.error(at, name?.column ?? op.end, `${directive} takes one symbol name`);
        return undefined;
      }
      return this.host.isDefined(name.text) === (directive === '.ifdef');
    }
    const value = this.host.condition(args, at, op.end);
    return value === undefined ? undefined : value !== 0;
  }

  private startMacro(at: SourceLine, op: Token, args: readonly Token[], context: number): void {
    const name = args[0];
    const bad = (column: number, message: string): void => {
      this.error(at, column, message);
      // Still swallow the body up to .endm, so it is not assembled as plain code.
      this.recording = { macro: { name: '', params: [], body: [], definedAt: at }, column: op.column, depth: 1, context };
    };
    if (name?.kind !== 'ident' || name.text.startsWith('.')) return bad(name?.column ?? op.end, '.macro needs a name');
    const params: string[] = [];
    for (const t of args.slice(1)) {
      if (t.kind === 'punct' && t.text === ',') continue;
      if (t.kind !== 'ident' || !PARAM_NAME.test(t.text)) return bad(t.column, `bad macro parameter '${t.text}'`);
      if (params.includes(t.text)) return bad(t.column, `duplicate macro parameter '${t.text}'`);
      params.push(t.text);
    }
    const previous = this.macros.get(name.text);
    if (previous) {
      return bad(name.column, `macro '${name.text}' is already defined at ${previous.definedAt.file}:${previous.definedAt.line}`);
    }
    this.recording = { macro: { name: name.text, params, body: [], definedAt: at }, column: op.column, depth: 1, context };
  }

  private record(at: SourceLine, r: Recording): void {
    const m = LEADING_DIRECTIVE.exec(at.text);
    const directive = m?.[1]?.toLowerCase();
    if (directive === '.macro') r.depth++;
    if (directive === '.endm' && --r.depth === 0) {
      this.recording = undefined;
      if (r.macro.name) this.macros.set(r.macro.name, r.macro);
      this.host.consumed(at);
      return;
    }
    r.macro.body.push(at);
  }

  private expand(macro: MacroDef, at: SourceLine, st: Statement): void {
    const op = st.op!;
    const split = splitOperands(st.args, endOf(st.args, op.end));
    if (!split.ok) return this.error(at, split.column, split.message);
    const args = split.operands.map((o) => at.text.slice(o.column - 1, o.tokens[o.tokens.length - 1]!.end - 1));
    if (args.length !== macro.params.length) {
      const list = macro.params.length ? macro.params.join(', ') : 'none';
      return this.error(at, op.column, `macro '${macro.name}' takes ${macro.params.length} argument(s) (${list}), got ${args.length}`);
    }
    if (this.macroChain.length >= MAX_MACRO_DEPTH) {
      const chain = [...this.macroChain.slice(0, 3), '...', macro.name].join(' -> ');
      return this.error(at, op.column, `macro expansion nested more than ${MAX_MACRO_DEPTH} levels deep (${chain}); is '${macro.name}' recursive without an .if to stop it?`);
    }
    const counter = String(this.expansions++);
    const values = new Map(macro.params.map((p, i) => [p, args[i]!]));
    const origin = `in macro '${macro.name}' invoked at ${at.file}:${at.line}`;
    const invokedAt = at.invokedAt ?? { file: at.file, line: at.line };
    const substitute = (text: string): string => text.replace(MACRO_PARAM, (whole, name: string) => (name === '@' ? counter : values.get(name) ?? whole));
    // Measure before building: a long argument used many times could make a huge line.
    const long = macro.body.find((line) => substitutedLength(line.text, values, counter) > MAX_LINE_LENGTH);
    if (long) {
      return this.error(at, op.column, `macro '${macro.name}' would make line ${long.line} of ${long.file} longer than ${MAX_LINE_LENGTH} characters with these arguments`);
    }
    const body = macro.body.map((line): SourceLine => ({ file: line.file, line: line.line, text: substitute(line.text), origin, invokedAt }));
    this.macroChain.push(macro.name);
    this.runLines(body);
    this.macroChain.pop();
  }

  private include(at: SourceLine, op: Token, args: readonly Token[]): void {
    const file = args[0];
    if (args.length !== 1 || file?.kind !== 'string') return this.error(at, file?.column ?? op.end, '.include takes one file name in double quotes');
    const name = new TextDecoder().decode(file.bytes);
    // Next to the including file first, then in the search path (like cc -I), in order.
    const candidates = isAbsolute(name) ? [name] : [join(dirname(at.file), name), ...this.includePath.map((dir) => join(dir, name))];
    const root = this.includeRoots[0];
    const allowed = candidates.filter((path) => root === undefined || this.includeRoots.some((r) => isInside(r, path)));
    if (allowed.length === 0) {
      return this.error(at, file.column, `include file '${name}' is outside the include root ${root} (includes may not leave the main file's directory; see --include-root)`);
    }
    let why = '';
    for (const path of allowed) {
      if (this.includeChain.includes(path)) {
        return this.error(at, file.column, `recursive .include: ${[...this.includeChain, path].join(' -> ')}`);
      }
      if (this.includeChain.length >= MAX_INCLUDE_DEPTH) {
        return this.error(at, file.column, `.include nested more than ${MAX_INCLUDE_DEPTH} files deep`);
      }
      let text: string | undefined;
      try {
        text = this.host.readFile(path);
      } catch (e) {
        why = `: ${e instanceof Error ? e.message : String(e)}`;
        break;
      }
      if (text !== undefined) return this.runFile(path, text);
    }
    this.error(at, file.column, `cannot read include file '${name}' (looked for ${allowed.join(', ')})${why}`);
  }

  private userError(at: SourceLine, op: Token, args: readonly Token[]): void {
    const message = args.length === 1 && args[0]!.kind === 'string' ? new TextDecoder().decode(args[0]!.bytes) : '.error';
    this.error(at, op.column, message);
  }
}
