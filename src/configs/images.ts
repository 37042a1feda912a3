// Assembling the guest kernel, the VMMs and the user programs from programs/ when a boot needs
// them. Assembling costs 0.1-0.3 s per invocation, more than a short boot, so images are kept in
// memory for the process and on disk between processes (node_modules/.cache/ringlab, or
// $RINGLAB_CACHE_DIR; RINGLAB_CACHE=0 turns the disk cache off).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, formatAsmError, ImageFormatError, parseImage, serializeImage, type Image } from '../asm/index.js';
import { InputFileError, isInside, LIBRARY_DIR, readInputText, RINGLAB_ROOT, sandboxedReader, writeFileAtomic } from '../asm/files.js';
import type { Isa } from '../isa/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = RINGLAB_ROOT;
export const KERNEL_SOURCE = join(ROOT, 'programs', 'kernel', 'kernel.s');
export const USER_DIR = join(ROOT, 'programs', 'user');

/** The assembler rejected a program from programs/ (a bug in the tree, not in the user's input). */
export class ProgramAssemblyError extends Error {}

/** Build options of a program (`-D NAME=VALUE`), e.g. the kernel's { PARAVIRT: 1 }. */
export type Defines = Readonly<Record<string, number>>;

const memoryCache = new WeakMap<Isa, Map<string, Image>>();

export function assembleCached(path: string, isa: Isa, defines: Defines = {}): Image {
  let perIsa = memoryCache.get(isa);
  if (!perIsa) memoryCache.set(isa, (perIsa = new Map()));
  const key = `${path}\0${JSON.stringify(Object.entries(defines).sort())}`;
  const hit = perIsa.get(key);
  if (hit) return hit;
  const image = assembleWithDiskCache(path, isa, defines, imageCacheDir()).image;
  perIsa.set(key, image);
  return image;
}

// ---- The disk cache ---------------------------------------------------------------------------
//
// An entry is one file named by the sha256 of everything the image depends on that is known
// before assembling: the cache format, the assembler and ISA code, the ISA's instruction table,
// the source path, its text and the defines. Which files the source includes is only known after
// assembling (an `.ifdef` may pick them), so the entry lists each file read with the sha256 of
// its text, and an entry is used only if every one of them still has that text. The file is
//   <sha256 of the rest>\n<{"key": ..., "deps": [[path, sha256], ...]}>\n<the image as .rli>
// and anything that does not check out (bad checksum, truncated, another key, a changed include,
// an invalid image) is assembled again and overwritten, never trusted.

/** Bump when the entry layout changes. */
const CACHE_FORMAT = 1;

/** Where cached images live, or undefined when RINGLAB_CACHE=0. */
export function imageCacheDir(): string | undefined {
  if (process.env.RINGLAB_CACHE === '0') return undefined;
  return process.env.RINGLAB_CACHE_DIR || join(ROOT, 'node_modules', '.cache', 'ringlab');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let toolchainHash: string | undefined;

/** The code that turns sources into images: src/asm and src/isa (or their dist/ build). */
function toolchain(): string {
  if (toolchainHash === undefined) {
    const hash = createHash('sha256');
    for (const dir of ['asm', 'isa']) {
      const path = join(HERE, '..', dir);
      for (const name of readdirSync(path).filter((n) => /\.(ts|js)$/.test(n)).sort()) {
        hash.update(`${dir}/${name}\0`).update(readFileSync(join(path, name))).update('\0');
      }
    }
    toolchainHash = hash.digest('hex');
  }
  return toolchainHash;
}

const isaHashes = new WeakMap<Isa, string>();

/** The instruction table's encodings and syntax (an Isa may be built by a test, not by isaWith). */
function isaHash(isa: Isa): string {
  let hash = isaHashes.get(isa);
  if (hash === undefined) {
    const table = isa.insns.map((d) => [d.extension, d.mnemonic, d.opcode, d.format, d.syntax]);
    isaHashes.set(isa, (hash = sha256(JSON.stringify(table))));
  }
  return hash;
}

/** Assemble `path`, or take it from the cache in `dir` (no cache when dir is undefined).
 *  `cached` says which happened. Throws ProgramAssemblyError if the source does not assemble. */
export function assembleWithDiskCache(path: string, isa: Isa, defines: Defines, dir: string | undefined): { image: Image; cached: boolean } {
  const source = readOrUndefined(path);
  if (source === undefined) throw new ProgramAssemblyError(formatAsmError({ file: path, line: 1, column: 1, message: `cannot read '${path}'`, source: '' }));
  let key: string | undefined;
  let file: string | undefined;
  if (dir !== undefined) {
    key = JSON.stringify([CACHE_FORMAT, toolchain(), isaHash(isa), path, Object.entries(defines).sort(), sha256(source)]);
    file = join(dir, `${sha256(key)}.rli`);
    const image = readEntry(file, key);
    if (image) return { image, cached: true };
  }
  // The repository's programs include across programs/ (a VMM includes ../common/, the kernel
  // ../lib/): their include root is the repository (another file's is its own directory).
  // Every file read is recorded with its hash.
  const deps: [string, string][] = [];
  const root = isInside(ROOT, path) ? ROOT : dirname(path);
  const read = sandboxedReader([root, LIBRARY_DIR]);
  const readFile = (p: string): string | undefined => {
    const text = read(p);
    if (text !== undefined) deps.push([p, sha256(text)]);
    return text;
  };
  const result = assemble(source, { fileName: path, isa, defines, includeRoot: root, readFile });
  if (!result.ok) throw new ProgramAssemblyError(result.errors.map(formatAsmError).join('\n'));
  if (file !== undefined && key !== undefined) writeEntry(file, key, deps, result.image);
  return { image: result.image, cached: false };
}

/** A source file's text, or undefined if it cannot be read (within the source size limit). */
function readOrUndefined(path: string): string | undefined {
  try {
    return readInputText(path);
  } catch (e) {
    if (e instanceof InputFileError) return undefined;
    throw e;
  }
}

function readEntry(file: string, key: string): Image | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const end1 = text.indexOf('\n');
  const end2 = text.indexOf('\n', end1 + 1);
  if (end1 < 0 || end2 < 0 || text.slice(0, end1) !== sha256(text.slice(end1 + 1))) return undefined;
  try {
    const meta = JSON.parse(text.slice(end1 + 1, end2)) as { key?: unknown; deps?: unknown };
    if (meta.key !== key || !Array.isArray(meta.deps)) return undefined;
    for (const dep of meta.deps as unknown[]) {
      if (!Array.isArray(dep) || typeof dep[0] !== 'string') return undefined;
      const now = readOrUndefined(dep[0]);
      if (now === undefined || sha256(now) !== dep[1]) return undefined;
    }
    return parseImage(text.slice(end2 + 1), file);
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof ImageFormatError) return undefined;
    throw e;
  }
}

/** mkdir -p, by hand: mkdirSync's { recursive: true } loops forever where mkdir fails with
 *  ENOENT under an existing directory (RINGLAB_CACHE_DIR=/proc/x/y on Node 20). */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d);
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // made by a parallel writer
    }
  }
}

/** Write temp + rename, so a reader in another process sees the old entry or the new one, never
 *  half of one. A cache that cannot be written is no error: the image was assembled anyway. */
function writeEntry(file: string, key: string, deps: readonly [string, string][], image: Image): void {
  const body = `${JSON.stringify({ key, deps })}\n${serializeImage(image)}`;
  try {
    makeDirs(dirname(file));
    writeFileAtomic(file, `${sha256(body)}\n${body}`);
  } catch {
    /* an unwritable cache: the image was assembled anyway */
  }
}

// ---- Kernel build options and the images of a boot ---------------------------------------------

/** ISA extensions a kernel build option needs on the machine that runs the kernel: a LEGACY
 *  kernel executes the legacy extension's rdstatus and wrstatus (docs/popek-goldberg.md), a HOST
 *  kernel the vmx extension's instructions (its VM driver, docs/vmm-hosted.md). */
export const OPTION_EXTENSIONS: Readonly<Record<string, readonly string[]>> = { LEGACY: ['legacy'], HOST: ['vmx'] };

/** The extensions a kernel built with these options needs (any value counts: `.ifdef`). */
export function kernelExtensions(defines: Defines = {}): string[] {
  return [...new Set(Object.keys(defines).flatMap((name) => OPTION_EXTENSIONS[name] ?? []))].sort();
}

/** The guest kernel, built with the given options (docs/kernel.md lists them). */
export function kernelImage(isa: Isa, defines: Defines = {}): Image {
  return assembleCached(KERNEL_SOURCE, isa, defines);
}

export function userImage(program: string, isa: Isa): Image {
  return assembleCached(join(USER_DIR, `${program}.s`), isa);
}
