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
