// A ringlab filesystem on a byte array: mkfs and the file operations, in the format of layout.ts.
// The host tool (`ringlab fs`) uses it to build and inspect disk images; the kernel's file layer
// reads and writes the same bytes.
//
// Every operation returns a result, never throws: errors are errno names (src/abi/errno.ts). A
// disk that is not what the format promises (a block pointer out of range, an entry naming a
// free inode, a directory that is its own ancestor) gives EIO with a detail saying what; every
// walk is bounded by the sizes in the superblock, so a corrupt image cannot make it loop.
// Operations that allocate count what they need first and fail with ENOSPC before changing
// anything, so a full disk stays consistent.

import type { ErrnoName } from '../abi/errno.js';
import { FILES } from '../abi/layout.js';
import {
  B, BPB, DINODE, DIRENT, DIRENT_SIZE, FS, INODE_SIZE, IPB, MAXFILE, NAME_MAX, NDIRECT, NINDIRECT, ROOT_INUM, SUPERBLOCK, T_DIR, T_FILE, T_FREE, regions,
} from './layout.js';

export type FsResult<T> = { ok: true; value: T } | { ok: false; error: ErrnoName; detail?: string };

export interface Stat {
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly nlink: number;
  readonly inum: number;
}

/** The operations the disk filesystem and the reference model (model.ts) both implement. */
export interface FileSystem {
  stat(path: string): FsResult<Stat>;
  /** The names in a directory in on-disk order, without `.` and `..`. */
  readdir(path: string): FsResult<string[]>;
  read(path: string, offset: number, length: number): FsResult<Uint8Array>;
  /** Write at `offset` (at most the file's size: no holes); all of `data` or, on ENOSPC, nothing. */
  write(path: string, offset: number, data: Uint8Array): FsResult<number>;
  /** An empty regular file; EEXIST if the name exists. */
  create(path: string): FsResult<void>;
  mkdir(path: string): FsResult<void>;
  /** Cut a file to size 0, freeing its blocks. */
  truncate(path: string): FsResult<void>;
  unlink(path: string): FsResult<void>;
  /** Remove an empty directory. */
  rmdir(path: string): FsResult<void>;
  /** Move or rename; an existing target of the same kind is replaced (a directory only if empty). */
  rename(from: string, to: string): FsResult<void>;
}

/** Longest path the operations accept, in bytes. */
export const PATH_MAX: number = FILES.PATH_MAX.value;

export const ok = <T>(value: T): FsResult<T> => ({ ok: true, value });
export const fail = <T = never>(error: ErrnoName, detail?: string): FsResult<T> => (detail === undefined ? { ok: false, error } : { ok: false, error, detail });

/** A disk that breaks the format: becomes EIO at the operation's boundary. */
class Corrupt extends Error {}
/** An errno out of a nested step: becomes that error at the boundary. */
class Errno extends Error {
  constructor(readonly errno: ErrnoName) {
    super(errno);
  }
}

/** Blocks a file of `size` bytes holds: its data blocks plus the indirect block if it needs one. */
export function blocksFor(size: number): number {
  const n = Math.ceil(size / B);
  return n + (n > NDIRECT ? 1 : 0);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A path's components, or the error any operation gives for it. */
export function parsePath(path: string): FsResult<Uint8Array[]> {
  if (!path.startsWith('/')) return fail('EINVAL', `${path}: not an absolute path`);
  if (encoder.encode(path).length >= PATH_MAX) return fail('ENAMETOOLONG');
  const parts: Uint8Array[] = [];
  for (const part of path.split('/')) {
    if (part === '') continue;
    const bytes = encoder.encode(part);
    if (bytes.length > NAME_MAX) return fail('ENAMETOOLONG', `${part}: longer than ${NAME_MAX} bytes`);
    if (bytes.includes(0)) return fail('EINVAL', 'a name with a zero byte');
    parts.push(bytes);
  }
  return ok(parts);
}

const isDot = (name: Uint8Array) => (name.length === 1 && name[0] === 0x2e) || (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The superblock, as numbers. */
export interface Superblock {
  magic: number;
  size: number;
  ninodes: number;
  inodestart: number;
  bmapstart: number;
  datastart: number;
  ndata: number;
}

export function readSuperblock(disk: Uint8Array): Superblock | undefined {
  const base = FS.SUPER_BLOCK.value * B;
  if (disk.length < base + SUPERBLOCK.size) return undefined;
  const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  const f = SUPERBLOCK.fields;
  const w = (off: number) => view.getUint32(base + off, true);
  return {
    magic: w(f.MAGIC.offset),
    size: w(f.SIZE.offset),
    ninodes: w(f.NINODES.offset),
    inodestart: w(f.INODESTART.offset),
    bmapstart: w(f.BMAPSTART.offset),
    datastart: w(f.DATASTART.offset),
    ndata: w(f.NDATA.offset),
  };
}

/** What is wrong with an image's superblock, each problem naming its field; empty when it is sound. */
export function superblockProblems(disk: Uint8Array): string[] {
  const sb = readSuperblock(disk);
  if (!sb) return [`image too small: ${disk.length} bytes, the superblock is in block ${FS.SUPER_BLOCK.value} of ${B} bytes`];
  const problems: string[] = [];
  const hex = (n: number) => `0x${n.toString(16)}`;
  if (sb.magic !== FS.FS_MAGIC.value) return [`superblock magic is ${hex(sb.magic)}, not ${hex(FS.FS_MAGIC.value)} ("RLFS"): not a ringlab filesystem`];
  if (sb.ninodes < 2 || sb.ninodes > FS.MAX_INODES.value) problems.push(`superblock ninodes ${sb.ninodes} is not in 2..${FS.MAX_INODES.value}`);
  if (sb.size > FS.MAX_BLOCKS.value) problems.push(`superblock size ${sb.size} blocks is over the limit of ${FS.MAX_BLOCKS.value}`);
  if (sb.size * B > disk.length) problems.push(`superblock size ${sb.size} blocks needs ${sb.size * B} bytes, the image has ${disk.length}`);
  if (problems.length > 0) return problems;
  const r = regions(sb.size, sb.ninodes);
  if (sb.inodestart !== r.inodestart) problems.push(`superblock inodestart ${sb.inodestart} should be ${r.inodestart}`);
  if (sb.bmapstart !== r.bmapstart) problems.push(`superblock bmapstart ${sb.bmapstart} should be ${r.bmapstart} for ${sb.ninodes} inodes`);
  if (sb.datastart !== r.datastart) problems.push(`superblock datastart ${sb.datastart} should be ${r.datastart} for ${sb.size} blocks`);
  if (r.datastart >= sb.size) problems.push(`superblock size ${sb.size} blocks leaves no data blocks (data starts at ${r.datastart})`);
  else if (sb.ndata !== sb.size - sb.datastart) problems.push(`superblock ndata ${sb.ndata} should be ${sb.size - sb.datastart}`);
  return problems;
}

/** The default inode count: one per four blocks, whole inode blocks. */
export function defaultInodes(blocks: number): number {
  return Math.min(FS.MAX_INODES.value, Math.max(IPB, Math.ceil(blocks / 4 / IPB) * IPB));
}

/** A fresh filesystem of `bytes` bytes (a multiple of BSIZE) with an empty root directory. */
export function mkfs(bytes: number, ninodes?: number): FsResult<Uint8Array> {
  if (!Number.isInteger(bytes) || bytes % B !== 0) return fail('EINVAL', `size ${bytes} is not a multiple of the block size, ${B}`);
  const size = bytes / B;
  if (size > FS.MAX_BLOCKS.value) return fail('EINVAL', `size ${size} blocks is over the limit of ${FS.MAX_BLOCKS.value}`);
  const n = ninodes ?? defaultInodes(size);
  if (!Number.isInteger(n) || n < 2 || n > FS.MAX_INODES.value) return fail('EINVAL', `inode count ${n} is not in 2..${FS.MAX_INODES.value}`);
  const r = regions(size, n);
  if (r.datastart + 1 > size) return fail('EINVAL', `${size} blocks hold no data block after the superblock, inodes and bitmap (${r.datastart} blocks)`);
  const disk = new Uint8Array(bytes);
  const view = new DataView(disk.buffer);
  const sb = FS.SUPER_BLOCK.value * B;
  const f = SUPERBLOCK.fields;
  view.setUint32(sb + f.MAGIC.offset, FS.FS_MAGIC.value, true);
  view.setUint32(sb + f.SIZE.offset, size, true);
  view.setUint32(sb + f.NINODES.offset, n, true);
  view.setUint32(sb + f.INODESTART.offset, r.inodestart, true);
  view.setUint32(sb + f.BMAPSTART.offset, r.bmapstart, true);
  view.setUint32(sb + f.DATASTART.offset, r.datastart, true);
  view.setUint32(sb + f.NDATA.offset, size - r.datastart, true);
  for (let b = 0; b < r.datastart; b++) disk[r.bmapstart * B + (b >> 3)]! |= 1 << (b & 7);
  const fs = new DiskFs(disk);
  fs.makeRoot();
  return ok(disk);
}

/** The filesystem on `disk` (changes write through to it), or EINVAL naming the superblock field. */
export function openFs(disk: Uint8Array): FsResult<DiskFs> {
  const problems = superblockProblems(disk);
  if (problems.length > 0) return fail('EINVAL', problems.join('; '));
  return ok(new DiskFs(disk));
}

interface Entry {
  inum: number;
  /** Byte offset of the entry in its directory. */
  off: number;
}

export class DiskFs implements FileSystem {
  readonly sb: Superblock;
  private readonly view: DataView;

  constructor(readonly disk: Uint8Array) {
    this.view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
    this.sb = readSuperblock(disk)!;
  }

  // ---- inodes ----

  private inodeAt(inum: number): number {
    if (!Number.isInteger(inum) || inum < 1 || inum >= this.sb.ninodes) throw new Corrupt(`inode number ${inum} is out of range`);
    return (this.sb.inodestart + Math.floor(inum / IPB)) * B + (inum % IPB) * INODE_SIZE;
  }

  private field(inum: number, offset: number): number {
    return this.view.getUint32(this.inodeAt(inum) + offset, true);
  }

  private setField(inum: number, offset: number, value: number): void {
    this.view.setUint32(this.inodeAt(inum) + offset, value, true);
  }

  type(inum: number): number {
    return this.field(inum, DINODE.fields.TYPE.offset);
  }

  private nlink(inum: number): number {
    return this.field(inum, DINODE.fields.NLINK.offset);
  }

  private setNlink(inum: number, n: number): void {
    this.setField(inum, DINODE.fields.NLINK.offset, n);
  }

  size(inum: number): number {
    const size = this.field(inum, DINODE.fields.SIZE.offset);
    if (size > MAXFILE) throw new Corrupt(`inode ${inum} has size ${size}, over the largest file (${MAXFILE})`);
    return size;
  }

  private setSize(inum: number, size: number): void {
    this.setField(inum, DINODE.fields.SIZE.offset, size);
  }

  private checkBlock(inum: number, b: number): number {
    if (b !== 0 && (b < this.sb.datastart || b >= this.sb.size)) throw new Corrupt(`inode ${inum} has block pointer ${b}, outside the data blocks ${this.sb.datastart}..${this.sb.size - 1}`);
    return b;
  }

  /** The disk block of the inode's block `bn`, or 0 if it has none; with `alloc`, allocate it. */
  private bmap(inum: number, bn: number, alloc: boolean): number {
    const addrs = this.inodeAt(inum) + DINODE.fields.ADDRS.offset;
    if (bn < NDIRECT) {
      let b = this.checkBlock(inum, this.view.getUint32(addrs + 4 * bn, true));
      if (b === 0 && alloc) this.view.setUint32(addrs + 4 * bn, (b = this.balloc()), true);
      return b;
    }
    bn -= NDIRECT;
    if (bn >= NINDIRECT) throw new Corrupt(`inode ${inum}: block ${bn + NDIRECT} is past the largest file`);
    const ind = this.inodeAt(inum) + DINODE.fields.INDIRECT.offset;
    let ib = this.checkBlock(inum, this.view.getUint32(ind, true));
    if (ib === 0) {
      if (!alloc) return 0;
      this.view.setUint32(ind, (ib = this.balloc()), true);
    }
    let b = this.checkBlock(inum, this.view.getUint32(ib * B + 4 * bn, true));
    if (b === 0 && alloc) this.view.setUint32(ib * B + 4 * bn, (b = this.balloc()), true);
    return b;
  }

  /** The block holding byte `off` of an inode, which must have one (no holes). */
  private blockOf(inum: number, off: number): number {
    const b = this.bmap(inum, Math.floor(off / B), false);
    if (b === 0) throw new Corrupt(`inode ${inum} has size ${this.size(inum)} but no block for byte ${off}`);
    return b;
  }

  private ialloc(type: number): number {
    for (let inum = 1; inum < this.sb.ninodes; inum++) {
      if (this.type(inum) !== T_FREE) continue;
      new Uint8Array(this.disk.buffer, this.disk.byteOffset + this.inodeAt(inum), INODE_SIZE).fill(0);
      this.setField(inum, DINODE.fields.TYPE.offset, type);
      return inum;
    }
    throw new Errno('ENOSPC');
  }

  private freeInodes(): number {
    let n = 0;
    for (let inum = 1; inum < this.sb.ninodes; inum++) if (this.type(inum) === T_FREE) n++;
    return n;
  }

  /** Free every block of an inode and set its size to 0. */
  private itrunc(inum: number): void {
    const addrs = this.inodeAt(inum) + DINODE.fields.ADDRS.offset;
    for (let i = 0; i < NDIRECT; i++) {
      const b = this.checkBlock(inum, this.view.getUint32(addrs + 4 * i, true));
      if (b !== 0) this.bfree(b);
      this.view.setUint32(addrs + 4 * i, 0, true);
    }
    const ind = this.inodeAt(inum) + DINODE.fields.INDIRECT.offset;
    const ib = this.checkBlock(inum, this.view.getUint32(ind, true));
    if (ib !== 0) {
      for (let i = 0; i < NINDIRECT; i++) {
        const b = this.checkBlock(inum, this.view.getUint32(ib * B + 4 * i, true));
        if (b !== 0) this.bfree(b);
      }
      this.bfree(ib);
      this.view.setUint32(ind, 0, true);
    }
    this.setSize(inum, 0);
  }

  private ifree(inum: number): void {
    this.itrunc(inum);
    new Uint8Array(this.disk.buffer, this.disk.byteOffset + this.inodeAt(inum), INODE_SIZE).fill(0);
  }

  // ---- blocks ----

  private bit(b: number): [number, number] {
    return [this.sb.bmapstart * B + (b >> 3), 1 << (b & 7)];
  }

  private balloc(): number {
    for (let b = this.sb.datastart; b < this.sb.size; b++) {
      const [byte, mask] = this.bit(b);
      if ((this.disk[byte]! & mask) !== 0) continue;
      this.disk[byte]! |= mask;
      this.disk.fill(0, b * B, (b + 1) * B);
      return b;
    }
    throw new Corrupt('the bitmap has fewer free blocks than counted');
  }

  private bfree(b: number): void {
    const [byte, mask] = this.bit(b);
    if ((this.disk[byte]! & mask) === 0) throw new Corrupt(`block ${b} is freed but the bitmap says it is free already`);
    this.disk[byte]! &= ~mask;
  }

  freeBlocks(): number {
    let n = 0;
    for (let b = this.sb.datastart; b < this.sb.size; b++) {
      const [byte, mask] = this.bit(b);
      if ((this.disk[byte]! & mask) === 0) n++;
    }
    return n;
  }

  // ---- file data ----

  private readi(inum: number, off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const pos = off + done;
      const b = this.blockOf(inum, pos);
      const n = Math.min(len - done, B - (pos % B));
      out.set(this.disk.subarray(b * B + (pos % B), b * B + (pos % B) + n), done);
      done += n;
    }
    return out;
  }

  /** Write bytes at `off` (at most the size), growing the file; the blocks were counted free. */
  private writei(inum: number, off: number, data: Uint8Array): void {
    for (let done = 0; done < data.length; ) {
      const pos = off + done;
      const b = this.bmap(inum, Math.floor(pos / B), true);
      const n = Math.min(data.length - done, B - (pos % B));
      this.disk.set(data.subarray(done, done + n), b * B + (pos % B));
      done += n;
    }
    if (off + data.length > this.size(inum)) this.setSize(inum, off + data.length);
  }

  // ---- directories ----

  private dirNames(dir: number): { name: Uint8Array; inum: number; off: number }[] {
    const size = this.size(dir);
    const out: { name: Uint8Array; inum: number; off: number }[] = [];
    for (let off = 0; off + DIRENT_SIZE <= size; off += DIRENT_SIZE) {
      const at = this.blockOf(dir, off) * B + (off % B);
      const inum = this.view.getUint32(at + DIRENT.fields.INUM.offset, true);
      if (inum === 0) continue;
      const field = this.disk.subarray(at + DIRENT.fields.NAME.offset, at + DIRENT_SIZE);
      const end = field.indexOf(0);
      if (end < 1) throw new Corrupt(`directory inode ${dir}: the entry at byte ${off} has ${end === 0 ? 'an empty name' : 'a name without a zero byte'}`);
      out.push({ name: field.subarray(0, end), inum, off });
    }
    return out;
  }

  private lookup(dir: number, name: Uint8Array): Entry | undefined {
    for (const e of this.dirNames(dir)) {
      if (!sameBytes(e.name, name)) continue;
      const t = this.type(e.inum);
      if (t !== T_DIR && t !== T_FILE) throw new Corrupt(`directory inode ${dir}: '${decoder.decode(name)}' names inode ${e.inum}, which is not in use`);
      return { inum: e.inum, off: e.off };
    }
    return undefined;
  }

  /** The offset of the first free entry after `.` and `..`, or the size (append). */
  private freeSlot(dir: number): number {
    const size = this.size(dir);
    for (let off = 2 * DIRENT_SIZE; off + DIRENT_SIZE <= size; off += DIRENT_SIZE) {
      if (this.view.getUint32(this.blockOf(dir, off) * B + (off % B), true) === 0) return off;
    }
    return size;
  }

  /** Blocks a new entry in `dir` needs, or ENOSPC when the directory cannot grow. */
  private linkCost(dir: number): number {
    const size = this.size(dir);
    const off = this.freeSlot(dir);
    if (off < size) return 0;
    if (size + DIRENT_SIZE > MAXFILE) throw new Errno('ENOSPC');
    return blocksFor(size + DIRENT_SIZE) - blocksFor(size);
  }

  private entryBytes(inum: number, name: Uint8Array): Uint8Array {
    const e = new Uint8Array(DIRENT_SIZE);
    new DataView(e.buffer).setUint32(DIRENT.fields.INUM.offset, inum, true);
    e.set(name, DIRENT.fields.NAME.offset);
    return e;
  }

  private link(dir: number, name: Uint8Array, inum: number): void {
    this.writei(dir, this.freeSlot(dir), this.entryBytes(inum, name));
  }

  private setEntryInum(dir: number, off: number, inum: number): void {
    this.view.setUint32(this.blockOf(dir, off) * B + (off % B), inum, true);
  }

  /** Make inode `inum` an empty directory inside `parent`: `.` and `..`. */
  private initDir(inum: number, parent: number): void {
    this.writei(inum, 0, new Uint8Array([...this.entryBytes(inum, encoder.encode('.')), ...this.entryBytes(parent, encoder.encode('..'))]));
    this.setNlink(inum, 1);
    this.setNlink(parent, this.nlink(parent) + 1);
  }

  /** Called once by mkfs: inode ROOT_INUM, its own parent. */
  makeRoot(): void {
    const root = this.ialloc(T_DIR);
    if (root !== ROOT_INUM) throw new Error('mkfs: the root is not the first inode');
    this.initDir(root, root);
  }

  // ---- paths ----

  /** The inode a path names. */
  private namei(parts: Uint8Array[]): number {
    let inum = ROOT_INUM;
    if (this.type(inum) !== T_DIR) throw new Corrupt(`the root inode ${ROOT_INUM} is not a directory`);
    for (const part of parts) {
      if (this.type(inum) !== T_DIR) throw new Errno('ENOTDIR');
      const e = this.lookup(inum, part);
      if (!e) throw new Errno('ENOENT');
      inum = e.inum;
    }
    return inum;
  }

  /** The directory that holds a path's last component, and that component (undefined for `/`). */
  private parent(parts: Uint8Array[]): { dir: number; name: Uint8Array | undefined } {
    if (parts.length === 0) return { dir: ROOT_INUM, name: undefined };
    const dir = this.namei(parts.slice(0, -1));
    if (this.type(dir) !== T_DIR) throw new Errno('ENOTDIR');
    return { dir, name: parts[parts.length - 1]! };
  }

  private guard<T>(paths: string[], body: (parts: Uint8Array[][]) => T): FsResult<T> {
    const parsed: Uint8Array[][] = [];
    for (const p of paths) {
      const r = parsePath(p);
      if (!r.ok) return r;
      parsed.push(r.value);
    }
    try {
      return ok(body(parsed));
    } catch (e) {
      if (e instanceof Errno) return fail(e.errno);
      if (e instanceof Corrupt) return fail('EIO', e.message);
      throw e;
    }
  }

  // ---- the operations ----

  stat(path: string): FsResult<Stat> {
    return this.guard([path], ([parts]) => {
      const inum = this.namei(parts!);
      const t = this.type(inum);
      return { type: t === T_DIR ? 'dir' : 'file', size: this.size(inum), nlink: this.nlink(inum), inum } as const;
    });
  }

  readdir(path: string): FsResult<string[]> {
    return this.guard([path], ([parts]) => {
      const inum = this.namei(parts!);
      if (this.type(inum) !== T_DIR) throw new Errno('ENOTDIR');
      return this.dirNames(inum).filter((e) => !isDot(e.name)).map((e) => decoder.decode(e.name));
    });
  }

  read(path: string, offset: number, length: number): FsResult<Uint8Array> {
    return this.guard([path], ([parts]) => {
      const inum = this.namei(parts!);
      if (this.type(inum) === T_DIR) throw new Errno('EISDIR');
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) throw new Errno('EINVAL');
      const size = this.size(inum);
      return offset >= size ? new Uint8Array(0) : this.readi(inum, offset, Math.min(length, size - offset));
    });
  }

  /** The whole file. */
  readFile(path: string): FsResult<Uint8Array> {
    return this.read(path, 0, MAXFILE);
  }

  write(path: string, offset: number, data: Uint8Array): FsResult<number> {
    return this.guard([path], ([parts]) => {
      const inum = this.namei(parts!);
      if (this.type(inum) === T_DIR) throw new Errno('EISDIR');
      const size = this.size(inum);
      if (!Number.isInteger(offset) || offset < 0 || offset > size) throw new Errno('EINVAL');
      if (offset + data.length > MAXFILE) throw new Errno('EFBIG');
      const need = blocksFor(Math.max(size, offset + data.length)) - blocksFor(size);
      if (need > this.freeBlocks()) throw new Errno('ENOSPC');
      this.writei(inum, offset, data);
      return data.length;
    });
  }

  /** Create or replace a regular file with these bytes: ENOSPC leaves an old file empty. */
  writeFile(path: string, data: Uint8Array): FsResult<number> {
    const existing = this.stat(path);
    if (existing.ok) {
      const t = this.truncate(path);
      if (!t.ok) return t;
    } else {
      const c = this.create(path);
      if (!c.ok) return c;
    }
    return this.write(path, 0, data);
  }

  create(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name) || this.lookup(dir, name)) throw new Errno('EEXIST');
      if (this.freeInodes() < 1 || this.linkCost(dir) > this.freeBlocks()) throw new Errno('ENOSPC');
      const inum = this.ialloc(T_FILE);
      this.setNlink(inum, 1);
      this.link(dir, name, inum);
    });
  }

  mkdir(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name) || this.lookup(dir, name)) throw new Errno('EEXIST');
      if (this.freeInodes() < 1 || 1 + this.linkCost(dir) > this.freeBlocks()) throw new Errno('ENOSPC');
      const inum = this.ialloc(T_DIR);
      this.initDir(inum, dir);
      this.link(dir, name, inum);
      this.setNlink(inum, 2); // its `.` and its entry in `dir`
    });
  }

  truncate(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const inum = this.namei(parts!);
      if (this.type(inum) === T_DIR) throw new Errno('EISDIR');
      this.itrunc(inum);
    });
  }

  unlink(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name)) throw new Errno('EISDIR');
      const e = this.lookup(dir, name);
      if (!e) throw new Errno('ENOENT');
      if (this.type(e.inum) === T_DIR) throw new Errno('EISDIR');
      this.setEntryInum(dir, e.off, 0);
      this.drop(e.inum);
    });
  }

  /** One directory entry fewer names a file: free it when none is left. */
  private drop(inum: number): void {
    const n = this.nlink(inum);
    if (n <= 1) this.ifree(inum);
    else this.setNlink(inum, n - 1);
  }

  private isEmptyDir(inum: number): boolean {
    return this.dirNames(inum).every((e) => isDot(e.name));
  }

  /** Remove directory `inum`, whose entry in `parent` is gone: its `..` no longer counts. */
  private dropDir(inum: number, parent: number): void {
    this.ifree(inum);
    this.setNlink(parent, this.nlink(parent) - 1);
  }

  rmdir(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined) throw new Errno('EBUSY');
      if (isDot(name)) throw new Errno('EINVAL');
      const e = this.lookup(dir, name);
      if (!e) throw new Errno('ENOENT');
      if (this.type(e.inum) !== T_DIR) throw new Errno('ENOTDIR');
      if (!this.isEmptyDir(e.inum)) throw new Errno('ENOTEMPTY');
      this.setEntryInum(dir, e.off, 0);
      this.dropDir(e.inum, dir);
    });
  }

  /** True if directory `dir` is `ancestor` or below it (walks `..`, at most NINODES steps). */
  private within(dir: number, ancestor: number): boolean {
    for (let steps = 0; steps < this.sb.ninodes; steps++) {
      if (dir === ancestor) return true;
      if (dir === ROOT_INUM) return false;
      const up = this.lookup(dir, encoder.encode('..'));
      if (!up) throw new Corrupt(`directory inode ${dir} has no '..'`);
      dir = up.inum;
    }
    throw new Corrupt(`the '..' entries from inode ${dir} never reach the root: a cycle`);
  }

  rename(from: string, to: string): FsResult<void> {
    return this.guard([from, to], ([fromParts, toParts]) => {
      const src = this.parent(fromParts!);
      const dst = this.parent(toParts!);
      if (src.name === undefined || dst.name === undefined) throw new Errno('EBUSY');
      if (isDot(src.name) || isDot(dst.name)) throw new Errno('EINVAL');
      const s = this.lookup(src.dir, src.name);
      if (!s) throw new Errno('ENOENT');
      const isDir = this.type(s.inum) === T_DIR;
      if (isDir && this.within(dst.dir, s.inum)) throw new Errno('EINVAL');
      const d = this.lookup(dst.dir, dst.name);
      if (d) {
        if (d.inum === s.inum) return;
        const dIsDir = this.type(d.inum) === T_DIR;
        if (isDir && !dIsDir) throw new Errno('ENOTDIR');
        if (!isDir && dIsDir) throw new Errno('EISDIR');
        if (dIsDir && !this.isEmptyDir(d.inum)) throw new Errno('ENOTEMPTY');
        this.setEntryInum(dst.dir, d.off, s.inum);
        if (dIsDir) this.dropDir(d.inum, dst.dir);
        else this.drop(d.inum);
      } else {
        if (this.linkCost(dst.dir) > this.freeBlocks()) throw new Errno('ENOSPC');
        this.link(dst.dir, dst.name, s.inum);
      }
      this.setEntryInum(src.dir, s.off, 0);
      if (isDir && src.dir !== dst.dir) {
        this.setEntryInum(s.inum, DIRENT_SIZE, dst.dir);
        this.setNlink(src.dir, this.nlink(src.dir) - 1);
        this.setNlink(dst.dir, this.nlink(dst.dir) + 1);
      }
    });
  }
}
