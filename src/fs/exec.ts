// Executables: the files in /bin that the guest kernel runs (programs/kernel/exec.s loads them).
// The format is the EXEC_HEADER and EXEC_SEGMENT tables of src/abi/layout.ts (generated into
// abi.inc for the kernel), in the manner of ELF's program headers but without sections,
// symbols or relocation:
//
//   [ header: magic, entry, nseg, isa | nseg x (vaddr, offset, filesz, memsz) | segment bytes ... ]
//
// `isa` (EX_ISA) is the bit mask of the ISA extensions the program's instructions come from,
// computed by the assembler from what it emitted (Image.extensions), never declared by hand: the
// kernel refuses to exec a program that needs one its CPU lacks (ENOEXEC), and `image build`
// records them in an image's config. The word was reserved (zero) before, so every older file
// reads as "base ISA only" and the magic stays "RLX1" (docs/fs.md, "Executables").
//
// `ringlab asm --exec` writes one; `boot` installs one per program in /bin of its root disk.

import { EXEC, EXEC_HEADER, EXEC_SEGMENT, USER_SPACE } from '../abi/layout.js';
import type { Image } from '../asm/image.js';
import { EXTENSIONS, extensionMask, extensionNames } from '../isa/index.js';

const USER_BASE: number = USER_SPACE.USER_BASE.value;
const USER_LIMIT: number = USER_SPACE.HEAP_BASE.value; // a program ends where its heap begins
const MAGIC: number = EXEC.EXEC_MAGIC.value;
const MAX_SEGS: number = EXEC.EXEC_MAX_SEGS.value;
const H = EXEC_HEADER.fields;
const S = EXEC_SEGMENT.fields;

export interface ExecSegment {
  readonly vaddr: number;
  readonly data: Uint8Array;
  /** Bytes in memory: data, then zeros. */
  readonly memsz: number;
}

export interface Executable {
  readonly entry: number;
  readonly segments: readonly ExecSegment[];
  /** EX_ISA: the extensions it needs, one bit each (extensionNames gives their names). */
  readonly isa: number;
}

/** An image that cannot be an executable, or bytes that are not one. */
export class ExecFormatError extends Error {}

/** The executable of an assembled user program: its segments, merged where they touch, each
 *  checked to lie between USER_BASE and HEAP_BASE. */
export function toExecutable(image: Image, name = 'the program'): Uint8Array {
  const sorted = [...image.segments].filter((s) => s.data.length > 0).sort((a, b) => a.address - b.address);
  if (sorted.length === 0) throw new ExecFormatError(`${name} has no code or data`);
  const unknown = (image.extensions ?? []).filter((e) => !EXTENSIONS.has(e));
  if (unknown.length > 0) throw new ExecFormatError(`${name} uses the unknown ISA extension${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const isa = extensionMask(image.extensions ?? []);
  const merged: { vaddr: number; parts: Uint8Array[]; end: number }[] = [];
  for (const s of sorted) {
    if (s.address < USER_BASE || s.address + s.data.length > USER_LIMIT) {
      throw new ExecFormatError(`${name} must be linked between 0x${USER_BASE.toString(16)} and 0x${USER_LIMIT.toString(16)} (include user.inc first)`);
    }
    const last = merged.at(-1);
    if (last && s.address === last.end) {
      last.parts.push(s.data);
      last.end += s.data.length;
    } else merged.push({ vaddr: s.address, parts: [s.data], end: s.address + s.data.length });
  }
  if (merged.length > MAX_SEGS) {
    // Many scattered pieces: one segment from the first to the last, zeros between.
    const vaddr = merged[0]!.vaddr;
    const bytes = new Uint8Array(merged.at(-1)!.end - vaddr);
    for (const s of sorted) bytes.set(s.data, s.address - vaddr);
    return encode(image.entry, [{ vaddr, data: bytes, memsz: bytes.length }], isa);
  }
  return encode(
    image.entry,
    merged.map((m) => {
      const data = new Uint8Array(m.end - m.vaddr);
      let at = 0;
      for (const p of m.parts) (data.set(p, at), (at += p.length));
      return { vaddr: m.vaddr, data, memsz: data.length };
    }),
    isa,
  );
}

function encode(entry: number, segments: readonly ExecSegment[], isa: number): Uint8Array {
  const table = H.SEGS.offset + segments.length * EXEC_SEGMENT.size;
  const size = table + segments.reduce((n, s) => n + s.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(H.MAGIC.offset, MAGIC, true);
  view.setUint32(H.ENTRY.offset, entry >>> 0, true);
  view.setUint32(H.NSEG.offset, segments.length, true);
  view.setUint32(H.ISA.offset, isa >>> 0, true);
  let offset = table;
  segments.forEach((s, i) => {
    const at = H.SEGS.offset + i * EXEC_SEGMENT.size;
    view.setUint32(at + S.VADDR.offset, s.vaddr >>> 0, true);
    view.setUint32(at + S.OFFSET.offset, offset, true);
    view.setUint32(at + S.FILESZ.offset, s.data.length, true);
    view.setUint32(at + S.MEMSZ.offset, s.memsz, true);
    out.set(s.data, offset);
    offset += s.data.length;
  });
  return out;
}

/** Read an executable, with the checks the kernel makes (programs/kernel/exec.s): an error
 *  names the first thing wrong. */
export function parseExecutable(bytes: Uint8Array): Executable {
  if (bytes.length < H.SEGS.offset) throw new ExecFormatError(`${bytes.length} bytes: shorter than the ${H.SEGS.offset}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = (at: number) => view.getUint32(at, true);
  if (word(H.MAGIC.offset) !== MAGIC) throw new ExecFormatError(`magic 0x${word(H.MAGIC.offset).toString(16)}, not 0x${MAGIC.toString(16)} ("RLX1")`);
  const nseg = word(H.NSEG.offset);
  if (nseg < 1 || nseg > MAX_SEGS) throw new ExecFormatError(`${nseg} segments: not 1..${MAX_SEGS}`);
  if (bytes.length < H.SEGS.offset + nseg * EXEC_SEGMENT.size) throw new ExecFormatError('the segment table runs past the end of the file');
  const segments: ExecSegment[] = [];
  for (let i = 0; i < nseg; i++) {
    const at = H.SEGS.offset + i * EXEC_SEGMENT.size;
    const [vaddr, offset, filesz, memsz] = [S.VADDR, S.OFFSET, S.FILESZ, S.MEMSZ].map((f) => word(at + f.offset)) as [number, number, number, number];
    if (vaddr < USER_BASE || memsz > USER_LIMIT - vaddr) throw new ExecFormatError(`segment ${i} (0x${vaddr.toString(16)}, ${memsz} bytes) is not inside 0x${USER_BASE.toString(16)}..0x${USER_LIMIT.toString(16)}`);
    if (filesz > memsz) throw new ExecFormatError(`segment ${i} has more bytes in the file (${filesz}) than in memory (${memsz})`);
    if (offset > bytes.length || filesz > bytes.length - offset) throw new ExecFormatError(`segment ${i}'s bytes run past the end of the file`);
    segments.push({ vaddr, data: bytes.slice(offset, offset + filesz), memsz });
  }
  const entry = word(H.ENTRY.offset);
  if (entry < USER_BASE || entry >= USER_LIMIT) throw new ExecFormatError(`entry 0x${entry.toString(16)} is not a user address`);
  return { entry, segments, isa: word(H.ISA.offset) };
}

/** The ISA extensions an executable needs (the names in its EX_ISA), or undefined for bytes that
 *  do not start like one (a script, data): what `image build` adds to a config's requirements. */
export function executableExtensions(bytes: Uint8Array): string[] | undefined {
  if (bytes.length < H.SEGS.offset) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(H.MAGIC.offset, true) !== MAGIC) return undefined;
  return extensionNames(view.getUint32(H.ISA.offset, true));
}
