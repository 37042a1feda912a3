// The instruction set: tables of instructions, formats, control registers and trap causes.
// A machine runs `buildIsa([BASE, ...extensions])`; everything else is derived from that.

import { BASE } from './base.js';
import { buildIsa, type Extension, type Isa } from './define.js';
import { LEGACY } from './legacy.js';
import { VMX } from './vmx.js';

export * from './causes.js';
export * from './csrs.js';
export * from './define.js';
export * from './formats.js';
export * from './paging.js';
export * from './registers.js';
export * from './pseudo.js';
export type { Cpu, Decoded } from './cpu-api.js';
export { BASE } from './base.js';
export * from './vmx.js';
export { LEGACY } from './legacy.js';

/** Every extension bundle a configuration may switch on, by name. */
export const EXTENSIONS: ReadonlyMap<string, Extension> = new Map<string, Extension>([
  [VMX.name, VMX],
  [LEGACY.name, LEGACY],
]);

for (const [name, ext] of EXTENSIONS) {
  if (ext.bit === undefined) throw new Error(`extension ${name} has no bit`);
  for (const [other, o] of EXTENSIONS) if (other !== name && o.bit === ext.bit) throw new Error(`extensions ${name} and ${other} share bit ${ext.bit}`);
}

/** The EXTENSIONS bit mask of the named extensions ('base' and unknown names count as none). */
export function extensionMask(names: readonly string[]): number {
  let mask = 0;
  for (const name of names) {
    const bit = EXTENSIONS.get(name)?.bit;
    if (bit !== undefined) mask |= 1 << bit;
  }
  return mask >>> 0;
}

/** The names of the extensions in a mask, in bit order; a bit no extension has is `bit N`. */
export function extensionNames(mask: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((mask >>> bit) & 1) === 0) continue;
    out.push([...EXTENSIONS.values()].find((e) => e.bit === bit)?.name ?? `bit ${bit}`);
  }
  return out;
}

const isaCache = new Map<string, Isa>();

/** The ISA with the base bundle plus the named extensions (unknown names throw). The same
 *  list always gives the same Isa object, so machines can share what is derived from it. */
export function isaWith(extensionNames: readonly string[] = []): Isa {
  const key = [...extensionNames].sort().join(',');
  const cached = isaCache.get(key);
  if (cached) return cached;
  const bundles = extensionNames.map((name) => {
    const ext = EXTENSIONS.get(name);
    if (!ext) throw new Error(`unknown ISA extension '${name}' (known: ${[...EXTENSIONS.keys()].join(', ') || 'none'})`);
    return ext;
  });
  const isa = buildIsa([BASE, ...bundles]);
  isaCache.set(key, isa);
  return isa;
}
