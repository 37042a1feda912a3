// Assembling the guest kernel and the user programs from programs/ when a boot needs them.
// Images are cached per process (keyed by file and ISA), never written to disk.

import { join } from 'node:path';
import { assembleFile, formatAsmError, type Image } from '../asm/index.js';
import { RINGLAB_ROOT } from '../asm/files.js';
import type { Isa } from '../isa/index.js';

/** The repository root. */
export const ROOT = RINGLAB_ROOT;
export const KERNEL_SOURCE = join(ROOT, 'programs', 'kernel', 'kernel.s');
export const USER_DIR = join(ROOT, 'programs', 'user');

/** The assembler rejected a program from programs/ (a bug in the tree, not in the user's input). */
export class ProgramAssemblyError extends Error {}

/** Build options of a program (`-D NAME=VALUE`), e.g. the kernel's { PARAVIRT: 1 }. */
export type Defines = Readonly<Record<string, number>>;

const cache = new WeakMap<Isa, Map<string, Image>>();

export function assembleCached(path: string, isa: Isa, defines: Defines = {}): Image {
  let perIsa = cache.get(isa);
  if (!perIsa) cache.set(isa, (perIsa = new Map()));
  const key = `${path}\0${JSON.stringify(Object.entries(defines).sort())}`;
  const hit = perIsa.get(key);
  if (hit) return hit;
  // The repository's programs include across programs/ (a VMM includes ../common/, the kernel
  // ../lib/): their include root is the repository.
  const result = assembleFile(path, isa, defines, ROOT);
  if (!result.ok) throw new ProgramAssemblyError(result.errors.map(formatAsmError).join('\n'));
  perIsa.set(key, result.image);
  return result.image;
}

/** ISA extensions a kernel build option needs on the machine that runs the kernel: a LEGACY
 *  kernel executes the legacy extension's rdstatus and wrstatus (docs/popek-goldberg.md). */
export const OPTION_EXTENSIONS: Readonly<Record<string, readonly string[]>> = { LEGACY: ['legacy'] };

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
