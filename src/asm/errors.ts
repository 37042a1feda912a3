// Assembly errors are values: the assembler collects every error of a run and never throws.

/** One diagnostic, pointing at a 1-based line and column of a source file. */
export interface AsmError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** The source line the error points into (after macro substitution, if any). */
  readonly source: string;
}

/** Where a statement came from: enough to build an AsmError for any column in it. */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** Set for lines produced by a macro expansion, e.g. "in macro 'push2' invoked at a.s:7". */
  readonly origin?: string;
  /** For lines produced by a macro expansion: the line that invoked the outermost macro. The
   *  image's line table gives this line, so a debugger shows the invocation, not the body. */
  readonly invokedAt?: { readonly file: string; readonly line: number };
}

/** A message quoting a huge token (a 200 KB name) keeps its start and end, not the middle. */
export const MAX_MESSAGE_LENGTH = 400;

function clipMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message;
  const tail = 120;
  return `${message.slice(0, MAX_MESSAGE_LENGTH - tail - 3)}...${message.slice(message.length - tail)}`;
}

/** Stop collecting after this many errors: later ones are mostly echoes of the first. */
export const MAX_ERRORS = 100;

export class ErrorList {
  private readonly found: { error: AsmError; order: number }[] = [];
  /** Position of each line in the statement stream, so pass-2 errors sort in among pass-1 ones. */
  private readonly lineOrder = new Map<SourceLine, number>();
  private lines = 0;

  get full(): boolean {
    return this.found.length >= MAX_ERRORS;
  }

  get count(): number {
    return this.found.length;
  }

  /** Record that `at` is the next line of the (expanded) source. */
  noteLine(at: SourceLine): void {
    if (!this.lineOrder.has(at)) this.lineOrder.set(at, this.lines++);
  }

  add(at: SourceLine, column: number, message: string): void {
    if (this.full) return;
    const text = clipMessage(at.origin ? `${message} (${at.origin})` : message);
    const error = { file: at.file, line: at.line, column: Math.max(1, column), message: text, source: at.text };
    this.found.push({ error, order: this.lineOrder.get(at) ?? this.lines });
  }

  /** The errors in source order (the order of the expanded statement stream). */
  get errors(): AsmError[] {
    return this.found
      .map((f, i) => ({ ...f, i }))
      .sort((a, b) => a.order - b.order || a.i - b.i)
      .map((f) => f.error);
  }
}

/** Long source lines are shown as this many characters around the column, so a huge line does
 *  not flood the terminal (or an autograder's log) once per error. */
export const SHOWN_SOURCE_CHARS = 160;

/** `file:line:col: error: message`, the source line, and a caret under the column. */
export function formatAsmError(e: AsmError): string {
  let source = e.source;
  let column = e.column;
  if (source.length > SHOWN_SOURCE_CHARS) {
    const start = Math.max(0, Math.min(column - 1 - SHOWN_SOURCE_CHARS / 2, source.length - SHOWN_SOURCE_CHARS));
    const end = start + SHOWN_SOURCE_CHARS;
    const before = start > 0 ? '...' : '';
    source = `${before}${source.slice(start, end)}${end < e.source.length ? '...' : ''}`;
    column = column - start + before.length;
  }
  // Keep tabs in the caret's indentation so it lines up under tab-indented source.
  const indent = [...source.slice(0, column - 1)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
  return `${e.file}:${e.line}:${e.column}: error: ${e.message}\n${source}\n${indent}^`;
}
