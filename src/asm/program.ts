// What pass 1 hands to pass 2: the address layout, the statements to encode, and the symbols.

import type { InsnDef, PseudoDef } from '../isa/index.js';
import type { SourceLine } from './errors.js';
import type { Expr } from './expr.js';
import type { ParsedOperands } from './operands.js';

/** Bytes of the whole image may not exceed this (so no input can make us allocate wildly). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
export const ADDRESS_SPACE = 2 ** 32;

/** A contiguous run of output bytes starting at an `.org` (or at 0). */
export interface Region {
  readonly start: number;
  size: number;
  /** The `.org` that started it; undefined for the implicit region at address 0. */
  readonly at: SourceLine | undefined;
  readonly column: number;
}

export interface ValueSite {
  readonly expr: Expr;
  readonly column: number;
}

interface ItemBase {
  readonly at: SourceLine;
  /** Column of the mnemonic or directive. */
  readonly column: number;
  readonly region: number;
  /** Byte offset in the region. */
  readonly offset: number;
  readonly address: number;
  readonly size: number;
}

export type Item = ItemBase &
  (
    | { readonly kind: 'insn'; readonly def: InsnDef; readonly operands: ParsedOperands }
    /** `words` is pass 1's size decision; pass 2 must expand to exactly that many words. */
    | { readonly kind: 'pseudo'; readonly def: PseudoDef; readonly operands: ParsedOperands; readonly words: number }
    | { readonly kind: 'data'; readonly width: 1 | 2 | 4; readonly values: readonly ValueSite[] }
    | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
    /** `.space` and `.align` padding; `line` is false for padding (no debugger line entry). */
    | { readonly kind: 'fill'; readonly value: number; readonly line: boolean }
    | { readonly kind: 'set'; readonly name: string; readonly value: ValueSite }
    | { readonly kind: 'entry'; readonly value: ValueSite }
  );

/** The file name of symbols defined by a build option (AssembleOptions.defines, `-D`). */
export const DEFINE_SOURCE = '<define>';

export interface SymbolEntry {
  readonly name: string;
  readonly kind: 'label' | 'equ' | 'set';
  /** Undefined while unknown (a forward `.equ`, or a `.set` of a forward reference). */
  value: number | undefined;
  readonly at: SourceLine;
  readonly column: number;
}

/** A statement as the listing shows it: where its bytes went. */
export interface ListedStatement {
  readonly at: SourceLine;
  readonly region: number;
  readonly offset: number;
  readonly address: number;
  size: number;
  kind: 'code' | 'data' | 'none';
}
