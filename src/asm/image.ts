// The assembler's output: memory contents, entry point, symbols and line table. Stored as JSON
// (`.rli`) so it is easy to inspect; see docs/assembler.md for the format.

export interface ImageSegment {
  readonly address: number;
  readonly data: Uint8Array;
}

export interface ImageSymbol {
  readonly name: string;
  /** Labels: an address (0..2^32-1). Constants: a signed 32-bit value. */
  readonly value: number;
  readonly kind: 'label' | 'equ';
  readonly file: string;
  readonly line: number;
}

/** One per emitted instruction or data statement, in address order, for the debugger. */
export interface ImageLine {
  readonly address: number;
  readonly file: string;
  readonly line: number;
}

export interface Image {
  readonly entry: number;
  readonly segments: readonly ImageSegment[];
  readonly symbols: readonly ImageSymbol[];
  readonly lines: readonly ImageLine[];
  /** The ISA extensions (other than the base) whose instructions the program contains, sorted:
   *  what an executable's EX_ISA records (src/fs/exec.ts). Absent: none. */
  readonly extensions?: readonly string[];
}

export const IMAGE_FORMAT = 'ringlab-image';
export const IMAGE_VERSION = 1;
/** parseImage refuses images whose segments add up to more than this. */
export const MAX_IMAGE_DATA = 64 * 1024 * 1024;
/** Bytes of an image file the CLI reads: MAX_IMAGE_DATA in base64 (4/3 of it) plus room for the
 *  symbol and line tables, so every image `ringlab asm` writes can be read back. */
export const MAX_IMAGE_FILE_BYTES = 128 * 1024 * 1024;

/** The only exception parseImage throws: the text is not a valid ringlab image. */
export class ImageFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageFormatError';
  }
}

export function serializeImage(image: Image): string {
  return JSON.stringify(
    {
      format: IMAGE_FORMAT,
      version: IMAGE_VERSION,
      entry: image.entry,
      segments: image.segments.map((s) => ({ address: s.address, data: Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('base64') })),
      symbols: image.symbols.map((s) => ({ name: s.name, value: s.value, kind: s.kind, file: s.file, line: s.line })),
      lines: image.lines.map((l) => ({ address: l.address, file: l.file, line: l.line })),
      ...(image.extensions?.length && { extensions: image.extensions }),
    },
    null,
    1,
  );
}

// ---- Parsing and validation -------------------------------------------------------------------

type Json = unknown;

function fail(fileName: string, path: string, message: string): never {
  throw new ImageFormatError(`${fileName}: ${path ? `${path}: ` : ''}${message}`);
}

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Validator {
  constructor(private readonly fileName: string) {}

  fail(path: string, message: string): never {
    return fail(this.fileName, path, message);
  }

  record(v: Json, path: string): Record<string, Json> {
    if (!isRecord(v)) this.fail(path, 'expected an object');
    return v;
  }

  array(v: Json, path: string): readonly Json[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v;
  }

  integer(v: Json, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(path, `expected an integer in ${min}..${max}`);
    return v;
  }

  string(v: Json, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'expected a string');
    return v;
  }

  base64(v: Json, path: string): Uint8Array {
    const s = this.string(v, path);
    if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) this.fail(path, 'expected base64 data');
    if ((s.length / 4) * 3 > MAX_IMAGE_DATA + 3) this.fail(path, `segment larger than ${MAX_IMAGE_DATA} bytes`);
    return new Uint8Array(Buffer.from(s, 'base64'));
  }
}

const U32_MAX = 0xffff_ffff;

function parseSegments(v: Validator, raw: Json): ImageSegment[] {
  const segments = v.array(raw, 'segments').map((s, i): ImageSegment => {
    const path = `segments[${i}]`;
    const r = v.record(s, path);
    const address = v.integer(r.address, `${path}.address`, 0, U32_MAX);
    const data = v.base64(r.data, `${path}.data`);
    if (address + data.length > U32_MAX + 1) v.fail(path, 'segment runs past the end of the 32-bit address space');
    return { address, data };
  });
  const total = segments.reduce((n, s) => n + s.data.length, 0);
  if (total > MAX_IMAGE_DATA) v.fail('segments', `more than ${MAX_IMAGE_DATA} bytes in total`);
  const sorted = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.address - b.s.address);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    const cur = sorted[k]!;
    if (prev.s.address + prev.s.data.length > cur.s.address) v.fail(`segments[${cur.i}]`, `overlaps segments[${prev.i}]`);
  }
  return segments;
}

function parseSymbols(v: Validator, raw: Json): ImageSymbol[] {
  return v.array(raw, 'symbols').map((s, i): ImageSymbol => {
    const path = `symbols[${i}]`;
    const r = v.record(s, path);
    const name = v.string(r.name, `${path}.name`);
    if (!name) v.fail(`${path}.name`, 'empty symbol name');
    const kind = r.kind;
    if (kind !== 'label' && kind !== 'equ') v.fail(`${path}.kind`, "expected 'label' or 'equ'");
    const value = kind === 'label' ? v.integer(r.value, `${path}.value`, 0, U32_MAX) : v.integer(r.value, `${path}.value`, -0x8000_0000, U32_MAX);
    return { name, value, kind, file: v.string(r.file, `${path}.file`), line: v.integer(r.line, `${path}.line`, 1, Number.MAX_SAFE_INTEGER) };
  });
}

function parseLines(v: Validator, raw: Json): ImageLine[] {
  return v.array(raw, 'lines').map((l, i): ImageLine => {
    const path = `lines[${i}]`;
    const r = v.record(l, path);
    return {
      address: v.integer(r.address, `${path}.address`, 0, U32_MAX),
      file: v.string(r.file, `${path}.file`),
      line: v.integer(r.line, `${path}.line`, 1, Number.MAX_SAFE_INTEGER),
    };
  });
}

/** Parse and validate an image; throws ImageFormatError (and nothing else) if it is malformed. */
function parseExtensions(v: Validator, raw: Json): string[] {
  const names = v.array(raw, 'extensions').map((e, i) => {
    const name = v.string(e, `extensions[${i}]`);
    if (!/^[a-z][a-z0-9]*$/.test(name)) v.fail(`extensions[${i}]`, `'${name}' is not an extension name`);
    return name;
  });
  return [...new Set(names)].sort();
}

export function parseImage(text: string, fileName: string): Image {
  const v = new Validator(fileName);
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(fileName, '', `not a ringlab image (invalid JSON: ${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    const root = v.record(json, '');
    if (root.format !== IMAGE_FORMAT) v.fail('format', `expected "${IMAGE_FORMAT}" (is this a ringlab image?)`);
    if (root.version !== IMAGE_VERSION) v.fail('version', `unsupported version ${JSON.stringify(root.version) ?? 'undefined'} (this ringlab reads version ${IMAGE_VERSION})`);
    return {
      entry: v.integer(root.entry, 'entry', 0, U32_MAX),
      segments: parseSegments(v, root.segments),
      symbols: parseSymbols(v, root.symbols),
      lines: parseLines(v, root.lines),
      ...(root.extensions !== undefined && { extensions: parseExtensions(v, root.extensions) }),
    };
  } catch (e) {
    if (e instanceof ImageFormatError) throw e;
    // Anything else is a validator gap; still report it as a format problem.
    throw new ImageFormatError(`${fileName}: malformed image (${e instanceof Error ? e.message : String(e)})`);
  }
}

// ---- Lookups for the disassembler and debugger -------------------------------------------------

/** Labels sorted by address; globals before locals at the same address. Cached per symbol list. */
const labelIndexCache = new WeakMap<readonly ImageSymbol[], readonly ImageSymbol[]>();

function labelIndex(symbols: readonly ImageSymbol[]): readonly ImageSymbol[] {
  let index = labelIndexCache.get(symbols);
  if (!index) {
    const isLocal = (s: ImageSymbol): number => (s.name.includes('.') ? 1 : 0);
    index = symbols
      .filter((s) => s.kind === 'label')
      .map((s, i) => ({ s, i }))
      .sort((a, b) => a.s.value - b.s.value || isLocal(a.s) - isLocal(b.s) || a.i - b.i)
      .map((x) => x.s);
    labelIndexCache.set(symbols, index);
  }
  return index;
}

/** Index of the last entry with key <= address in a list sorted by key, or -1. */
function lastAtOrBelow<T>(sorted: readonly T[], address: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(sorted[mid]!) <= address) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** An image, or just its symbol list. */
export type SymbolSource = Pick<Image, 'symbols'> | readonly ImageSymbol[];

function symbolList(source: SymbolSource): readonly ImageSymbol[] {
  return Array.isArray(source) ? source : (source as Pick<Image, 'symbols'>).symbols;
}

/** The nearest label at or below `address`, with the distance from it. */
export function symbolAt(source: SymbolSource, address: number): { symbol: ImageSymbol; offset: number } | undefined {
  const index = labelIndex(symbolList(source));
  let i = lastAtOrBelow(index, address >>> 0, (s) => s.value);
  if (i < 0) return undefined;
  // Several labels may share the address: take the first of them (globals sort first).
  const value = index[i]!.value;
  while (i > 0 && index[i - 1]!.value === value) i--;
  const symbol = index[i]!;
  return { symbol, offset: (address >>> 0) - symbol.value };
}

/** `loop` or `loop+8`, for the nearest label at or below `address`. */
export function symbolNameAt(source: SymbolSource, address: number): string | undefined {
  const hit = symbolAt(source, address);
  if (!hit) return undefined;
  return hit.offset === 0 ? hit.symbol.name : `${hit.symbol.name}+${hit.offset}`;
}

/** Every label exactly at `address`. */
export function labelsAt(source: SymbolSource, address: number): ImageSymbol[] {
  const index = labelIndex(symbolList(source));
  const i = lastAtOrBelow(index, address >>> 0, (s) => s.value);
  const out: ImageSymbol[] = [];
  for (let k = i; k >= 0 && index[k]!.value === address >>> 0; k--) out.unshift(index[k]!);
  return out;
}

/** Symbols by name (the first of a name, as a search from the start finds). Cached per symbol
 *  list: a boot looks up dozens of names in lists of thousands. */
const nameIndexCache = new WeakMap<readonly ImageSymbol[], ReadonlyMap<string, ImageSymbol>>();

export function findSymbol(image: Image, name: string): ImageSymbol | undefined {
  let index = nameIndexCache.get(image.symbols);
  if (!index) {
    const byName = new Map<string, ImageSymbol>();
    for (const s of image.symbols) if (!byName.has(s.name)) byName.set(s.name, s);
    nameIndexCache.set(image.symbols, byName);
    index = byName;
  }
  return index.get(name);
}

/** The source line of the statement containing `address` (the last line entry at or below it). */
export function lineAt(image: Pick<Image, 'lines'>, address: number): ImageLine | undefined {
  let sorted = lineIndexCache.get(image.lines);
  if (!sorted) {
    sorted = image.lines.map((l, i) => ({ l, i })).sort((a, b) => a.l.address - b.l.address || a.i - b.i).map((x) => x.l);
    lineIndexCache.set(image.lines, sorted);
  }
  const i = lastAtOrBelow(sorted, address >>> 0, (l) => l.address);
  return i < 0 ? undefined : sorted[i];
}

const lineIndexCache = new WeakMap<readonly ImageLine[], readonly ImageLine[]>();

/** Lowest address of any segment byte, or undefined for an empty image. */
export function lowestAddress(segments: readonly ImageSegment[]): number | undefined {
  // A loop, not Math.min(...): an image file may hold more segments than fit on the stack.
  let lowest: number | undefined;
  for (const s of segments) if (s.data.length > 0 && (lowest === undefined || s.address < lowest)) lowest = s.address;
  return lowest;
}
