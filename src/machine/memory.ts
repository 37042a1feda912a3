// Physical memory: one ArrayBuffer seen as bytes, halfwords and words. The emulator needs a
// little-endian host so that these views agree with the ISA's byte order (every x86 and ARM
// host is; we check once rather than swap on every access).

import { endianness } from 'node:os';

/** 384 MiB: the processor keeps one decoded-instruction slot per word of memory in a JS array,
 *  and V8 cannot make an array of 2^27 elements (512 MiB of words); a larger limit failed as an
 *  internal error instead of a clear message. */
export const MAX_MEMORY_BYTES = 384 << 20;

/** The one part of WebAssembly's JavaScript API used here (tsconfig's ES2022 lib has none). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer } };

/** WebAssembly's page size. */
const WASM_PAGE = 65536;

export class PhysicalMemory {
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly halves: Uint16Array;
  readonly words: Int32Array;

  constructor(sizeBytes: number) {
    if (endianness() !== 'LE') throw new Error('ringlab needs a little-endian host');
    if (!Number.isInteger(sizeBytes) || sizeBytes < 4096 || sizeBytes > MAX_MEMORY_BYTES || sizeBytes % 4096 !== 0) {
      throw new Error(`memory size must be a multiple of 4096 between 4 KiB and ${MAX_MEMORY_BYTES / (1 << 20)} MiB, not ${sizeBytes}`);
    }
    // The buffer of a WebAssembly memory, though no WebAssembly runs: V8 maps it fresh, and the
    // operating system zeroes it page by page as the guest first touches it (a boot touches a
    // few hundred of its thousands of pages). An ArrayBuffer this size comes from calloc, which
    // glibc often serves from its heap and clears whole: 2 to 70 ms for 16 MiB on the CI
    // machine, up to a third of a short boot. Typed arrays over it read and write the same as
    // over an ArrayBuffer. Its size is in 64 KiB pages: the views cover sizeBytes of it.
    const pages = Math.ceil(sizeBytes / WASM_PAGE);
    const buffer = new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
    this.size = sizeBytes;
    this.bytes = new Uint8Array(buffer, 0, sizeBytes);
    this.halves = new Uint16Array(buffer, 0, sizeBytes >>> 1);
    this.words = new Int32Array(buffer, 0, sizeBytes >>> 2);
  }

  /** True if [addr, addr + length) lies inside memory. */
  contains(addr: number, length = 1): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.size;
  }
}
