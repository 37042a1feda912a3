// Splits one source line into tokens. Comments start at `#` or `;` outside quotes.

import { MAX_LINE_TOKENS } from './limits.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'char' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** The token's source text (for strings: including the quotes). */
  readonly text: string;
  /** Numeric value of a number or char literal (0..2^32-1). */
  readonly value: number;
  /** Decoded bytes of a string literal (UTF-8). */
  readonly bytes: Uint8Array;
  /** 1-based column of the first character. */
  readonly column: number;
  /** 1-based column just past the last character. */
  readonly end: number;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; column: number; message: string };

// Longest first, so `>>>` wins over `>>` and `>`.
const PUNCTUATION = ['>>>', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+', '-', '*', '/', '%', '~', '!', '&', '|', '^', '<', '>', '(', ')', ',', ':', '=', '.'];

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$.]/;
const NUMBER = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*)/;

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };

const NO_BYTES: Uint8Array = new Uint8Array(0);

function token(kind: TokenKind, text: string, column: number, value = 0, bytes = NO_BYTES): Token {
  return { kind, text, value, bytes, column, end: column + text.length };
}

/** One character of a quoted literal: a code point, or a raw byte written as an escape. */
interface QuotedUnit {
  readonly value: number;
  readonly escaped: boolean;
}

/** Units of a quoted literal starting at `start` (the opening quote), or an error. */
function readQuoted(line: string, start: number): { units: QuotedUnit[]; next: number } | { column: number; message: string } {
  const quote = line[start]!;
  const units: QuotedUnit[] = [];
  let i = start + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === quote) return { units, next: i + 1 };
    if (ch !== '\\') {
      const cp = line.codePointAt(i)!;
      units.push({ value: cp, escaped: false });
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const esc = line[i + 1];
    if (esc === undefined) break;
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      units.push({ value: simple, escaped: true });
      i += 2;
    } else if (esc === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
      units.push({ value: parseInt(line.slice(i + 2, i + 4), 16), escaped: true });
      i += 4;
    } else {
      return { column: i + 1, message: `unknown escape sequence '\\${esc}' (use \\n \\t \\r \\0 \\\\ \\' \\" or \\xHH)` };
    }
  }
  const what = quote === '"' ? 'string' : 'character literal';
  return { column: start + 1, message: `unterminated ${what}` };
}

/** Bytes of a string literal: escapes are raw bytes, other characters are UTF-8 encoded. */
function stringBytes(units: QuotedUnit[]): Uint8Array {
  const out: number[] = [];
  const encoder = new TextEncoder();
  for (const u of units) {
    if (u.escaped || u.value < 0x80) out.push(u.value);
    else for (const b of encoder.encode(String.fromCodePoint(u.value))) out.push(b);
  }
  return Uint8Array.from(out);
}

function parseNumber(text: string): number {
  const digits = text.replace(/_/g, '');
  if (/^0[xX]/.test(digits)) return parseInt(digits.slice(2), 16);
  if (/^0[bB]/.test(digits)) return parseInt(digits.slice(2), 2);
  return Number(digits);
}

/** Tokens of one line, without its comment. */
/** A character as it should appear in a message: control and invisible characters as \\xHH or
 *  \\u{...} so they cannot garble the terminal. */
function printable(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  if (code > 0x7e && !/\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch)) return `'\\u{${code.toString(16)}}'`;
  return `'${ch}'`;
}

export function tokenizeLine(line: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    const column = i + 1;
    if (tokens.length > MAX_LINE_TOKENS) {
      return { ok: false, column: tokens[MAX_LINE_TOKENS]!.column, message: `more than ${MAX_LINE_TOKENS} tokens on one line` };
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
    } else if (ch === '#' || ch === ';') {
      break;
    } else if (ch === '"' || ch === "'") {
      const q = readQuoted(line, i);
      if ('message' in q) return { ok: false, column: q.column, message: q.message };
      const text = line.slice(i, q.next);
      if (ch === '"') {
        tokens.push(token('string', text, column, 0, stringBytes(q.units)));
      } else {
        if (q.units.length !== 1) return { ok: false, column, message: 'a character literal holds exactly one character' };
        tokens.push(token('char', text, column, q.units[0]!.value));
      }
      i = q.next;
    } else if (/[0-9]/.test(ch)) {
      const m = NUMBER.exec(line.slice(i))!;
      let end = i + m[0].length;
      if (end < line.length && IDENT_PART.test(line[end]!)) {
        while (end < line.length && IDENT_PART.test(line[end]!)) end++;
        return { ok: false, column, message: `malformed number '${line.slice(i, end)}'` };
      }
      const text = m[0];
      const value = parseNumber(text);
      if (!Number.isFinite(value) || /^0[xXbB]_*$/.test(text)) return { ok: false, column, message: `malformed number '${text}'` };
      if (value > 0xffff_ffff) return { ok: false, column, message: `number '${text}' does not fit in 32 bits` };
      tokens.push(token('number', text, column, value));
      i = end;
    } else if (IDENT_START.test(ch) || (ch === '.' && IDENT_START.test(line[i + 1] ?? ''))) {
      let end = i + 1;
      while (end < line.length && IDENT_PART.test(line[end]!)) end++;
      tokens.push(token('ident', line.slice(i, end), column));
      i = end;
    } else {
      const p = PUNCTUATION.find((op) => line.startsWith(op, i));
      if (!p) {
        const hint = ch === '\\' ? ' (macro parameters like \\x are only substituted inside a .macro body)' : '';
        return { ok: false, column, message: `unexpected character ${printable(ch)}${hint}` };
      }
      tokens.push(token('punct', p, column));
      i += p.length;
    }
  }
  if (tokens.length > MAX_LINE_TOKENS) return { ok: false, column: tokens[MAX_LINE_TOKENS]!.column, message: `more than ${MAX_LINE_TOKENS} tokens on one line` };
  return { ok: true, tokens };
}
