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

/** Stop collecting after this many errors: later ones are mostly echoes of the first. */
export const MAX_ERRORS = 100;

export class ErrorList {
  private readonly found: { error: AsmError; order: number }[] = [];
  /** Position of each line in the statement stream, so pass-2 errors sort in among pass-1 ones. */
  private readonly lineOrder = new WeakMap<SourceLine, number>();
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
    const text = at.origin ? `${message} (${at.origin})` : message;
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

/** `file:line:col: error: message`, the source line, and a caret under the column. */
export function formatAsmError(e: AsmError): string {
  // Keep tabs in the caret's indentation so it lines up under tab-indented source.
  const indent = [...e.source.slice(0, e.column - 1)].map((ch) => (ch === '\t' ? '\t' : ' ')).join('');
  return `${e.file}:${e.line}:${e.column}: error: ${e.message}\n${e.source}\n${indent}^`;
}
