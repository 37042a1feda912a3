// `assemble`: source text to an Image, in two passes. Never throws: every problem in the input
// becomes an AsmError, and all of them are reported together.

import { dirname, resolve } from 'node:path';
import type { Isa } from '../isa/index.js';
import { ErrorList, type AsmError } from './errors.js';
import { InputFileError, LIBRARY_DIR, readInputText, sandboxedReader } from './files.js';
import { lowestAddress, type Image, type ImageSymbol } from './image.js';
import type { ListingLine } from './listing.js';
import { PassOne } from './pass1.js';
import { runPassTwo } from './pass2.js';
import { Preprocessor } from './preprocess.js';
import { DEFINE_SOURCE, type Region, type SymbolEntry } from './program.js';

export interface AssembleOptions {
  /** Name used in messages and the image's line table; `.include` paths are relative to it. */
  readonly fileName: string;
  readonly isa: Isa;
  /** The directory `.include`s may not leave (besides ringlab's own programs/lib, which every
   *  source may include). Default: the directory of `fileName`. The repository's programs
   *  (src/configs/images.ts) give the repository root. */
  readonly includeRoot?: string;
  /** Reads an included file; undefined if it does not exist, throws (an Error saying why) if it
   *  cannot be read. Default: the file system, regular files inside the include root only. */
  readonly readFile?: (path: string) => string | undefined;
  /** Directories searched, in order, for a relative `.include` that is not next to the including
   *  file (like `cc -I`); each may be read from. `boot --program` passes programs/user, so a
   *  program of one's own includes user.inc and lib.s as the workloads do. */
  readonly includePath?: readonly string[];
  /** Build options: symbols defined before the first line, like `cc -DNAME=value` (the kernel's
   *  PARAVIRT and LEGACY builds). They behave as `.equ`s, so `.ifdef NAME` and `.if NAME` see them. */
  readonly defines?: Readonly<Record<string, number>>;
}

export type AssembleResult =
  | { ok: true; image: Image; listing: ListingLine[] }
  /** `internal`: the assembler failed on a bug of its own (the one error says what). */
  | { ok: false; errors: AsmError[]; internal?: true };

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** Regions may not share bytes; report each overlap at the `.org` of the later region. */
function checkOverlaps(regions: readonly Region[], errors: ErrorList): void {
  const used = regions.filter((r) => r.size > 0).sort((a, b) => a.start - b.start);
  for (let i = 1; i < used.length; i++) {
    const prev = used[i - 1]!;
    const cur = used[i]!;
    if (prev.start + prev.size <= cur.start) continue;
    const where = prev.at ? ` (from the .org at ${prev.at.file}:${prev.at.line})` : '';
    const at = cur.at ?? prev.at!;
    errors.add(at, cur.at ? cur.column : prev.column,
      `bytes ${hex(cur.start)}..${hex(cur.start + cur.size - 1)} overlap bytes ${hex(prev.start)}..${hex(prev.start + prev.size - 1)}${where}`);
  }
}

function imageSymbols(symbols: ReadonlyMap<string, SymbolEntry>): ImageSymbol[] {
  const out: ImageSymbol[] = [];
  for (const s of symbols.values()) {
    // Build options are inputs to the assembly, not symbols of the program (they have no line).
    if (s.value === undefined || s.at.file === DEFINE_SOURCE) continue;
    const kind = s.kind === 'label' ? 'label' : 'equ';
    out.push({ name: s.name, value: kind === 'label' ? s.value >>> 0 : s.value | 0, kind, file: s.at.file, line: s.at.line });
  }
  return out;
}

/** `.entry`, else `_start`, else `start`, else the lowest address emitted. */
function entryPoint(explicit: number | undefined, symbols: ReadonlyMap<string, SymbolEntry>, image: Pick<Image, 'segments'>): number {
  if (explicit !== undefined) return explicit;
  for (const name of ['_start', 'start']) {
    const v = symbols.get(name)?.value;
    if (v !== undefined) return v >>> 0;
  }
  return lowestAddress(image.segments) ?? 0;
}

function assembleUnchecked(source: string, options: AssembleOptions): AssembleResult {
  const errors = new ErrorList();
  const includePath = (options.includePath ?? []).map((dir) => resolve(dir));
  const roots = [resolve(options.includeRoot ?? dirname(options.fileName)), LIBRARY_DIR, ...includePath];
  const pass1 = new PassOne(errors, options.isa, options.readFile ?? sandboxedReader(roots));
  const preprocessor = new Preprocessor(pass1, roots, includePath);
  pass1.macroNames = () => preprocessor.macroNames();
  for (const [name, value] of Object.entries(options.defines ?? {})) {
    pass1.symbols.set(name, { name, kind: 'equ', value: value | 0, at: { file: DEFINE_SOURCE, line: 0, text: `${name}=${value}` }, column: 1 });
  }
  preprocessor.runFile(options.fileName, source);
  pass1.resolveDeferred();
  checkOverlaps(pass1.regions, errors);
  const pass2 = runPassTwo(options.isa, errors, pass1.symbols, pass1.regions, pass1.items);
  if (errors.count) return { ok: false, errors: errors.errors };

  const segments = pass1.regions
    .map((r, i) => ({ address: r.start, data: pass2.buffers[i]! }))
    .filter((s) => s.data.length > 0);
  const lines = pass2.lines.slice().sort((a, b) => a.address - b.address);
  const extensions = [...pass2.extensions].filter((e) => e !== 'base').sort();
  const image: Image = {
    entry: entryPoint(pass2.entry, pass1.symbols, { segments }),
    segments,
    symbols: imageSymbols(pass1.symbols),
    lines,
    ...(extensions.length > 0 && { extensions }),
  };
  const listing: ListingLine[] = pass1.listing.map((l) => ({
    file: l.at.file,
    line: l.at.line,
    text: l.at.text,
    address: l.address >>> 0,
    // A view, not a copy: one ArrayBuffer per line costs more than the rest of the line.
    bytes: pass2.buffers[l.region]!.subarray(l.offset, l.offset + l.size),
    kind: l.kind,
  }));
  return { ok: true, image, listing };
}

/** Assemble `source`. Returns the image and listing, or every error found; never throws. */
export function assemble(source: string, options: AssembleOptions): AssembleResult {
  try {
    return assembleUnchecked(String(source), options);
  } catch (e) {
    // A bug in the assembler must still not crash the caller: report it like any error.
    const message = `internal assembler error: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, internal: true, errors: [{ file: options.fileName, line: 1, column: 1, message, source: '' }] };
  }
}

/** Read and assemble a file: a regular file of at most MAX_SOURCE_BYTES. */
export function assembleFile(path: string, isa: Isa, defines?: Readonly<Record<string, number>>, includeRoot?: string): AssembleResult {
  let source: string;
  try {
    source = readInputText(path);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    return { ok: false, errors: [{ file: path, line: 1, column: 1, message: `cannot read '${path}': ${e.message}`, source: '' }] };
  }
  return assemble(source, { fileName: path, isa, defines, ...(includeRoot !== undefined && { includeRoot }) });
}
