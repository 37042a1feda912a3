// Symbols of every image in the machine (VMM, guest kernel, user programs, or the one image of
// `ringlab debug FILE`): resolving names for breakpoints and expressions, and naming addresses
// for stops, disassembly and backtraces.
//
// A name may be qualified by its image, `kernel:sys_write`, `vmm:emulate`, `compute:main`; an
// unqualified name must mean one thing. Several images can hold the same name with the same
// value (constants from a shared include, two processes running the same program): that is
// not ambiguous. Different values in different images are, and the error lists the candidates.

import { lineAt, symbolAt, type Image, type ImageLine, type ImageSymbol } from '../asm/index.js';
import type { BootImage } from '../configs/index.js';
import type { WorldName } from '../machine/machine.js';
import { DebugError, hex } from './errors.js';

export type { BootImage };

/** The world whose code an image holds (what a breakpoint on its symbols is restricted to). */
export function worldOfImage(kind: BootImage['kind']): WorldName {
  return kind === 'vmm' ? 'vmm' : kind === 'kernel' ? 'guestKernel' : 'guestUser';
}

export interface ResolvedSymbol {
  /** `image:name` (or just `name` when the session has one image). */
  readonly display: string;
  readonly symbol: ImageSymbol;
  /** Every image holding this symbol with this value (all of one name, or identical copies). */
  readonly images: readonly BootImage[];
}

export interface AddressInfo {
  readonly image: BootImage;
  /** Nearest label at or below the address, and the distance from it. */
  readonly symbol: ImageSymbol | undefined;
  readonly offset: number;
  readonly line: ImageLine | undefined;
}

/** Where the processor is, to pick among images that overlap (all user programs start at the
 *  same virtual address). */
export interface Place {
  readonly world?: WorldName;
  readonly pid?: number | undefined;
  /** The program the process runs (the kernel's name for it, the last component of the path
   *  it exec'd): a record's pid runs init's code until its exec, a forked child its parent's. */
  readonly program?: string | undefined;
}

function covers(image: Image, address: number): boolean {
  const a = address >>> 0;
  return image.segments.some((s) => a >= s.address && a < s.address + s.data.length);
}

const NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;

export class SymbolTable {
  constructor(readonly images: readonly BootImage[]) {}

  /** Distinct image names, in load order. */
  imageNames(): string[] {
    return [...new Set(this.images.map((i) => i.name))];
  }

  private qualify(image: BootImage, name: string): string {
    return this.imageNames().length > 1 ? `${image.name}:${name}` : name;
  }

  /**
   * Resolve `name` or `image:name`. Returns undefined if no image has it; throws a DebugError if
   * the image qualifier is unknown or an unqualified name has different values in different
   * images. `labelsOnly` ignores `.equ` constants (breakpoints need code addresses).
   */
  lookup(text: string, labelsOnly = false): ResolvedSymbol | undefined {
    const colon = text.indexOf(':');
    let pool = this.images;
    let name = text;
    if (colon >= 0) {
      const imageName = text.slice(0, colon);
      name = text.slice(colon + 1);
      pool = this.images.filter((i) => i.name === imageName);
      if (pool.length === 0) throw new DebugError(`no image named '${imageName}' (images: ${this.imageNames().join(', ')})`);
    }
    if (!NAME.test(name)) throw new DebugError(`'${text}' is not a symbol name`);
    const hits: { image: BootImage; symbol: ImageSymbol }[] = [];
    for (const image of pool) {
      const symbol = image.image.symbols.find((s) => s.name === name && (!labelsOnly || s.kind === 'label'));
      if (symbol) hits.push({ image, symbol });
    }
    if (hits.length === 0) return undefined;
    const first = hits[0]!;
    // A breakpoint also needs one world to stop in; a value needs only one value.
    const same = (g: (typeof hits)[number], h: (typeof hits)[number]): boolean =>
      g.symbol.value === h.symbol.value && (!labelsOnly || g.image.kind === h.image.kind);
    const distinct = hits.filter((h, i) => hits.findIndex((g) => same(g, h)) === i);
    if (distinct.length > 1) {
      const seen = new Set<string>();
      const names = hits
        .map((h) => `${h.image.name}:${name} (${hex(h.symbol.value)})`)
        .filter((s) => (seen.has(s) ? false : (seen.add(s), true)));
      throw new DebugError(`'${name}' is ambiguous: ${names.join(', ')}; qualify it as IMAGE:${name}`);
    }
    return { display: this.qualify(first.image, name), symbol: first.symbol, images: hits.map((h) => h.image) };
  }

  /** Like lookup, but a missing symbol is an error too. */
  resolve(text: string, labelsOnly = false): ResolvedSymbol {
    const r = this.lookup(text, labelsOnly);
    if (!r) {
      const what = labelsOnly ? 'label' : 'symbol';
      throw new DebugError(`no ${what} '${text}' in ${this.imageNames().length > 1 ? `the images (${this.imageNames().join(', ')})` : 'the image'}`);
    }
    return r;
  }

  /** Images whose code or data covers the address, best match for `place` first. */
  imagesAt(address: number, place: Place = {}): BootImage[] {
    const hits = this.images.filter((i) => covers(i.image, address));
    const score = (i: BootImage): number => {
      let s = 0;
      if (place.world !== undefined && worldOfImage(i.kind) === place.world) s += 4;
      if (place.program !== undefined && i.kind === 'user' && i.name === place.program) s += 2;
      if (place.pid !== undefined && i.pid === place.pid) s += 1;
      return s;
    };
    return hits.sort((a, b) => score(b) - score(a));
  }

  /** The image, nearest label and source line of an address (the best image for `place`). */
  describe(address: number, place: Place = {}): AddressInfo | undefined {
    const image = this.imagesAt(address, place)[0];
    if (!image) return undefined;
    const at = symbolAt(image.image, address);
    return { image, symbol: at?.symbol, offset: at?.offset ?? 0, line: lineAt(image.image, address) };
  }

  /** `kernel:sys_write+8` for an address, or undefined outside every image. */
  nameOf(address: number, place: Place = {}): string | undefined {
    const info = this.describe(address, place);
    if (!info?.symbol) return undefined;
    const base = this.qualify(info.image, info.symbol.name);
    return info.offset === 0 ? base : `${base}+${info.offset}`;
  }

  /** Start of the function holding `address`: the nearest global label (no '.') at or below. */
  functionAt(address: number, place: Place = {}): { image: BootImage; symbol: ImageSymbol } | undefined {
    const image = this.imagesAt(address, place)[0];
    if (!image) return undefined;
    let best: ImageSymbol | undefined;
    for (const s of image.image.symbols) {
      if (s.kind !== 'label' || s.name.includes('.') || s.value > address >>> 0) continue;
      if (!best || s.value > best.value) best = s;
    }
    return best && { image, symbol: best };
  }

  /** Every `.equ` constant of an image whose name starts with `prefix` (e.g. `V_` for the vcpu). */
  constantsWithPrefix(image: BootImage, prefix: string): ImageSymbol[] {
    return image.image.symbols.filter((s) => s.kind === 'equ' && s.name.startsWith(prefix)).sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));
  }

  /** The image of a kind ('vmm', 'kernel'), if the session has one. */
  imageOfKind(kind: BootImage['kind']): BootImage | undefined {
    return this.images.find((i) => i.kind === kind);
  }

  /** Every name (qualified and not) for completion and suggestions. */
  allNames(): string[] {
    const out = new Set<string>();
    for (const i of this.images) for (const s of i.image.symbols) out.add(s.name);
    return [...out];
  }
}
