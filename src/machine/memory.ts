// Physical memory: one ArrayBuffer seen as bytes, halfwords and words. The emulator needs a
// little-endian host so that these views agree with the ISA's byte order (every x86 and ARM
// host is; we check once rather than swap on every access).

import { endianness } from 'node:os';

/** 384 MiB: the processor keeps one decoded-instruction slot per word of memory in a JS array,
 *  and V8 cannot make an array of 2^27 elements (512 MiB of words); a larger limit failed as an
 *  internal error instead of a clear message. */
export const MAX_MEMORY_BYTES = 384 << 20;

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
    // A SharedArrayBuffer, though nothing shares it: its memory is mapped fresh and zeroed by
    // the operating system page by page as the guest first touches it. A plain ArrayBuffer this
    // size comes from calloc, and once one has been freed glibc serves the next from its heap
    // and clears all of it: about 10 ms for 16 MiB on the CI machine, a third of a short boot,
    // of which the guest touches a few hundred pages. Typed arrays over it read and write the
    // same as over an ArrayBuffer.
    const buffer = new SharedArrayBuffer(sizeBytes);
    this.size = sizeBytes;
    this.bytes = new Uint8Array(buffer);
    this.halves = new Uint16Array(buffer);
    this.words = new Int32Array(buffer);
  }

  /** True if [addr, addr + length) lies inside memory. */
  contains(addr: number, length = 1): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.size;
  }
}
