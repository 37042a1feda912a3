// The shape of one statement: `[label:]... [op operands] ` or `NAME = expr`.

import type { Token } from './lexer.js';

export interface Label {
  /** As written: `main` or `.loop`. */
  readonly name: string;
  readonly column: number;
}

export interface Statement {
  readonly labels: readonly Label[];
  /** Mnemonic, directive (`.word`) or macro name. */
  readonly op: Token | undefined;
  /** Tokens after the op. */
  readonly args: readonly Token[];
  /** `NAME = expr`, the same as `.set NAME, expr`. */
  readonly assignment: { readonly name: Token; readonly expr: readonly Token[] } | undefined;
}

export type StatementResult = { ok: true; statement: Statement } | { ok: false; column: number; message: string };

export function parseStatement(tokens: readonly Token[]): StatementResult {
  const labels: Label[] = [];
  let i = 0;
  while (tokens[i]?.kind === 'ident' && tokens[i + 1]?.text === ':' && tokens[i + 1]?.kind === 'punct') {
    labels.push({ name: tokens[i]!.text, column: tokens[i]!.column });
    i += 2;
  }
  const head = tokens[i];
  if (!head) return { ok: true, statement: { labels, op: undefined, args: [], assignment: undefined } };
  if (head.kind !== 'ident') {
    const hint = head.kind === 'number' && tokens[i + 1]?.text === ':' ? ' (labels must start with a letter, _ or .)' : '';
    return { ok: false, column: head.column, message: `expected a label, directive or instruction, got '${head.text}'${hint}` };
  }
  const next = tokens[i + 1];
  if (next?.kind === 'punct' && next.text === '=') {
    return { ok: true, statement: { labels, op: undefined, args: [], assignment: { name: head, expr: tokens.slice(i + 2) } } };
  }
  return { ok: true, statement: { labels, op: head, args: tokens.slice(i + 1), assignment: undefined } };
}

export interface Operand {
  readonly tokens: readonly Token[];
  /** Column of the operand's first token, or of the comma/end where an empty one sits. */
  readonly column: number;
  /** Column just past the operand (where "missing ..." errors point). */
  readonly end: number;
}

/** Operands separated by top-level commas (commas inside parentheses do not split). */
export function splitOperands(args: readonly Token[], endColumn: number): ParseOperandsResult {
  if (args.length === 0) return { ok: true, operands: [] };
  const operands: Operand[] = [];
  let current: Token[] = [];
  let depth = 0;
  let start = args[0]!.column;
  const finish = (end: number, column: number): string | undefined => {
    if (current.length === 0) return 'empty operand';
    operands.push({ tokens: current, column: current[0]!.column, end });
    current = [];
    start = column;
    return undefined;
  };
  for (const t of args) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')') depth--;
    if (t.kind === 'punct' && t.text === ',' && depth === 0) {
      const err = finish(t.column, t.end);
      if (err) return { ok: false, column: t.column, message: err };
    } else {
      current.push(t);
    }
  }
  const err = finish(endColumn, endColumn);
  if (err) return { ok: false, column: start, message: 'empty operand after the last comma' };
  return { ok: true, operands };
}

export type ParseOperandsResult = { ok: true; operands: Operand[] } | { ok: false; column: number; message: string };

/** Column just past the last token (or 1 for an empty line), for errors about missing things. */
export function endOf(tokens: readonly Token[], fallback: number): number {
  return tokens.length ? tokens[tokens.length - 1]!.end : fallback;
}
