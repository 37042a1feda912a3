// Pass 2: every symbol is known, so evaluate the recorded expressions and write the bytes.

import type { Isa } from '../isa/index.js';
import type { ErrorList, SourceLine } from './errors.js';
import { evaluate, type EvalEnv } from './expr.js';
import type { ImageLine } from './image.js';
import { csrNames, encodeInsn, type InsnValues, type ParsedOperands, type ValueOperand } from './operands.js';
import type { Item, Region, SymbolEntry, ValueSite } from './program.js';

export interface Pass2Result {
  readonly buffers: Uint8Array[];
  readonly lines: ImageLine[];
  /** Value of `.entry`, if the program has one. */
  readonly entry: number | undefined;
  /** The extension bundles of the instructions emitted ('base' included), pseudo-instruction
   *  expansions counted; words written as data are not instructions here. */
  readonly extensions: ReadonlySet<string>;
}

const DATA_RANGE: Record<1 | 2 | 4, { min: number; max: number; name: string }> = {
  1: { min: -0x80, max: 0xff, name: '.byte' },
  2: { min: -0x8000, max: 0xffff, name: '.half' },
  4: { min: -0x8000_0000, max: 0xffff_ffff, name: '.word' },
};

function writeLittleEndian(buffer: Uint8Array, offset: number, value: number, width: number): void {
  for (let i = 0; i < width; i++) buffer[offset + i] = (value >>> (8 * i)) & 0xff;
}

class PassTwo {
  readonly buffers: Uint8Array[];
  readonly lines: ImageLine[] = [];
  entry: number | undefined;
  readonly used = new Set<string>();
  /** `.set` symbols take the value of the latest `.set` above the use. */
  private readonly setValues = new Map<string, number>();

  constructor(
    private readonly isa: Isa,
    private readonly errors: ErrorList,
    private readonly symbols: ReadonlyMap<string, SymbolEntry>,
    regions: readonly Region[],
  ) {
    this.buffers = regions.map((r) => new Uint8Array(r.size));
  }

  private env(here: number): EvalEnv {
    return { lookup: (name) => this.setValues.get(name) ?? this.symbols.get(name)?.value, here };
  }

  /** Final value of an expression, or undefined after reporting why there is none. */
  private value(site: ValueSite, item: Item, csr?: ValueOperand): number | undefined {
    const r = evaluate(site.expr, this.env(item.address));
    if (r.ok) return r.value;
    if (r.kind === 'error') this.errors.add(item.at, r.column, r.message);
    else if (csr?.kind === 'csr' && csr.bareName !== undefined) {
      this.errors.add(item.at, r.column, `unknown control register '${csr.bareName}' (known: ${csrNames()})`);
    } else this.errors.add(item.at, r.column, `undefined symbol '${r.name}'`);
    return undefined;
  }

  private line(at: SourceLine, address: number): void {
    const where = at.invokedAt ?? at; // a macro's instructions belong to the line invoking it
    this.lines.push({ address, file: where.file, line: where.line });
  }

  private write(item: Item, offset: number, value: number, width: number): void {
    writeLittleEndian(this.buffers[item.region]!, item.offset + offset, value, width);
  }

  /** Registers plus the evaluated immediate, named as the instruction's operands. */
  private operandValues(item: Item, operands: ParsedOperands): InsnValues | undefined {
    const v = operands.value;
    if (!v) return operands.regs;
    const value = this.value(v, item, v);
    if (value === undefined) return undefined;
    return v.kind === 'target' ? { ...operands.regs, target: value >>> 0 } : { ...operands.regs, imm: value };
  }

  run(items: readonly Item[]): void {
    for (const item of items) {
      if (this.errors.full) return;
      this.item(item);
    }
  }

  private item(item: Item): void {
    switch (item.kind) {
      case 'insn': {
        const values = this.operandValues(item, item.operands);
        if (!values) return;
        const encoded = encodeInsn(item.def, values, item.address);
        if (!encoded.ok) return this.errors.add(item.at, item.operands.value?.column ?? item.column, encoded.message);
        this.write(item, 0, encoded.word, 4);
        this.used.add(item.def.extension);
        return this.line(item.at, item.address);
      }
      case 'pseudo':
        return this.pseudo(item);
      case 'data': {
        const range = DATA_RANGE[item.width];
        item.values.forEach((site, i) => {
          const v = this.value(site, item);
          if (v === undefined) return;
          // A negative value that wrapped from a big unsigned literal is still the same bits.
          if (item.width !== 4 && (v < range.min || v > range.max)) {
            return this.errors.add(item.at, site.column, `value ${v} does not fit in ${range.name} (${range.min}..${range.max})`);
          }
          this.write(item, i * item.width, v, item.width);
        });
        return this.line(item.at, item.address);
      }
      case 'bytes':
        this.buffers[item.region]!.set(item.bytes, item.offset);
        return this.line(item.at, item.address);
      case 'fill':
        if (item.value !== 0) this.buffers[item.region]!.fill(item.value, item.offset, item.offset + item.size);
        if (item.line && item.size > 0) this.line(item.at, item.address);
        return;
      case 'set': {
        const v = this.value(item.value, item);
        if (v !== undefined) this.setValues.set(item.name, v);
        return;
      }
      case 'entry': {
        const v = this.value(item.value, item);
        if (v !== undefined) this.entry = v >>> 0;
        return;
      }
    }
  }

  private pseudo(item: Item & { kind: 'pseudo' }): void {
    const values = this.operandValues(item, item.operands);
    if (!values) return;
    const expansion = item.def.expand(
      { rd: values.rd ?? 0, rs1: values.rs1 ?? 0, rs2: values.rs2 ?? 0, imm: values.imm ?? 0, target: values.target ?? 0 },
      item.words,
    );
    if (expansion.length !== item.words) {
      return this.errors.add(item.at, item.column, `pseudo-instruction '${item.def.mnemonic}' expanded to ${expansion.length} words, but pass 1 reserved ${item.words}`);
    }
    const column = item.operands.value?.column ?? item.column;
    expansion.forEach((real, i) => {
      const def = this.isa.byMnemonic.get(real.mnemonic);
      if (!def) return this.errors.add(item.at, item.column, `'${item.def.mnemonic}' expands to '${real.mnemonic}', which this ISA does not have`);
      const pc = item.address + 4 * i;
      const encoded = encodeInsn(def, real, pc);
      if (!encoded.ok) return this.errors.add(item.at, column, `${encoded.message} (in the expansion of '${item.def.mnemonic}')`);
      this.write(item, 4 * i, encoded.word, 4);
      this.used.add(def.extension);
      this.line(item.at, pc);
    });
  }

  /** Final values of `.set` symbols, for the image's symbol table. */
  finalSetValues(): ReadonlyMap<string, number> {
    return this.setValues;
  }
}

/** Encode every item; `.set` symbols in `symbols` are updated to their final values. */
export function runPassTwo(isa: Isa, errors: ErrorList, symbols: Map<string, SymbolEntry>, regions: readonly Region[], items: readonly Item[]): Pass2Result {
  const pass = new PassTwo(isa, errors, symbols, regions);
  pass.run(items);
  for (const [name, value] of pass.finalSetValues()) {
    const entry = symbols.get(name);
    if (entry) entry.value = value;
  }
  return { buffers: pass.buffers, lines: pass.lines, entry: pass.entry, extensions: pass.used };
}
