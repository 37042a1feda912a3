// The reference model of the filesystem: a plain tree of objects with the same operations and
// results as the disk filesystem (image.ts), written from the semantics rather than the format.
// Property tests run random operation sequences on both and compare every result and the final
// tree. The model keeps exactly what a result depends on: directory slots (a freed entry is
// reused first, so readdir's order is the disk's), inode numbers (the lowest free one is
// taken) and block counts (so it says ENOSPC exactly when the disk does).

import { blocksFor, fail, ok, parsePath, type FileSystem, type FsResult, type Stat } from './image.js';
import { DIRENT_SIZE, MAXFILE, ROOT_INUM } from './layout.js';

interface FileNode {
  kind: 'file';
  inum: number;
  data: Uint8Array;
}

interface DirNode {
  kind: 'dir';
  inum: number;
  /** Slot 0 is `.`, slot 1 is `..`; null is a free entry. */
  slots: ({ name: string; node: Node } | null)[];
}

type Node = FileNode | DirNode;

class ModelErrno extends Error {
  constructor(readonly errno: Parameters<typeof fail>[0]) {
    super(errno);
  }
}

const err = (e: Parameters<typeof fail>[0]) => new ModelErrno(e);
const decoder = new TextDecoder();
const isDot = (name: string) => name === '.' || name === '..';
const sizeOf = (n: Node) => (n.kind === 'file' ? n.data.length : n.slots.length * DIRENT_SIZE);

export class ModelFs implements FileSystem {
  private readonly root: DirNode;
  private readonly inodeUsed: boolean[];

  /** A filesystem with `ndata` data blocks and `ninodes` inodes (inode 0 unused), as mkfs makes. */
  constructor(private readonly ndata: number, ninodes: number) {
    this.inodeUsed = new Array<boolean>(ninodes).fill(false);
    this.inodeUsed[0] = true;
    this.root = { kind: 'dir', inum: this.ialloc(), slots: [] };
    this.root.slots.push({ name: '.', node: this.root }, { name: '..', node: this.root });
    if (this.root.inum !== ROOT_INUM) throw new Error('model: the root is not inode 1');
  }

  private ialloc(): number {
    const inum = this.inodeUsed.indexOf(false);
    if (inum < 0) throw err('ENOSPC');
    this.inodeUsed[inum] = true;
    return inum;
  }

  private nodes(): Node[] {
    const out: Node[] = [];
    const walk = (n: Node) => {
      out.push(n);
      if (n.kind === 'dir') for (const s of n.slots.slice(2)) if (s) walk(s.node);
    };
    walk(this.root);
    return out;
  }

  freeBlocks(): number {
    return this.ndata - this.nodes().reduce((sum, n) => sum + blocksFor(sizeOf(n)), 0);
  }

  private lookup(dir: DirNode, name: string): { node: Node; slot: number } | undefined {
    const slot = dir.slots.findIndex((s) => s !== null && s.name === name);
    return slot < 0 ? undefined : { node: dir.slots[slot]!.node, slot };
  }

  private namei(parts: string[]): Node {
    let node: Node = this.root;
    for (const part of parts) {
      if (node.kind !== 'dir') throw err('ENOTDIR');
      const e = this.lookup(node, part);
      if (!e) throw err('ENOENT');
      node = e.node;
    }
    return node;
  }

  private parent(parts: string[]): { dir: DirNode; name: string | undefined } {
    if (parts.length === 0) return { dir: this.root, name: undefined };
    const dir = this.namei(parts.slice(0, -1));
    if (dir.kind !== 'dir') throw err('ENOTDIR');
    return { dir, name: parts[parts.length - 1]! };
  }

  private freeSlot(dir: DirNode): number {
    const i = dir.slots.indexOf(null, 2);
    return i < 0 ? dir.slots.length : i;
  }

  private linkCost(dir: DirNode): number {
    if (this.freeSlot(dir) < dir.slots.length) return 0;
    const size = sizeOf(dir);
    if (size + DIRENT_SIZE > MAXFILE) throw err('ENOSPC');
    return blocksFor(size + DIRENT_SIZE) - blocksFor(size);
  }

  private link(dir: DirNode, name: string, node: Node): void {
    dir.slots[this.freeSlot(dir)] = { name, node };
  }

  /** Free a node's inode (rmdir and unlink remove only empty directories and files). */
  private release(node: Node): void {
    this.inodeUsed[node.inum] = false;
  }

  private guard<T>(paths: string[], body: (parts: string[][]) => T): FsResult<T> {
    const parsed: string[][] = [];
    for (const p of paths) {
      const r = parsePath(p);
      if (!r.ok) return r;
      parsed.push(r.value.map((b) => decoder.decode(b)));
    }
    try {
      return ok(body(parsed));
    } catch (e) {
      if (e instanceof ModelErrno) return fail(e.errno);
      throw e;
    }
  }

  stat(path: string): FsResult<Stat> {
    return this.guard([path], ([parts]) => {
      const n = this.namei(parts!);
      const nlink = n.kind === 'file' ? 1 : 2 + n.slots.slice(2).filter((s) => s?.node.kind === 'dir').length;
      return { type: n.kind, size: sizeOf(n), nlink, inum: n.inum };
    });
  }

  readdir(path: string): FsResult<string[]> {
    return this.guard([path], ([parts]) => {
      const n = this.namei(parts!);
      if (n.kind !== 'dir') throw err('ENOTDIR');
      return n.slots.slice(2).flatMap((s) => (s ? [s.name] : []));
    });
  }

  read(path: string, offset: number, length: number): FsResult<Uint8Array> {
    return this.guard([path], ([parts]) => {
      const n = this.namei(parts!);
      if (n.kind === 'dir') throw err('EISDIR');
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) throw err('EINVAL');
      return n.data.slice(offset, offset + length);
    });
  }

  write(path: string, offset: number, data: Uint8Array): FsResult<number> {
    return this.guard([path], ([parts]) => {
      const n = this.namei(parts!);
      if (n.kind === 'dir') throw err('EISDIR');
      if (!Number.isInteger(offset) || offset < 0 || offset > n.data.length) throw err('EINVAL');
      if (offset + data.length > MAXFILE) throw err('EFBIG');
      const size = Math.max(n.data.length, offset + data.length);
      if (blocksFor(size) - blocksFor(n.data.length) > this.freeBlocks()) throw err('ENOSPC');
      const next = new Uint8Array(size);
      next.set(n.data);
      next.set(data, offset);
      n.data = next;
      return data.length;
    });
  }

  create(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name) || this.lookup(dir, name)) throw err('EEXIST');
      if (!this.inodeUsed.includes(false) || this.linkCost(dir) > this.freeBlocks()) throw err('ENOSPC');
      this.link(dir, name, { kind: 'file', inum: this.ialloc(), data: new Uint8Array(0) });
    });
  }

  mkdir(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name) || this.lookup(dir, name)) throw err('EEXIST');
      if (!this.inodeUsed.includes(false) || 1 + this.linkCost(dir) > this.freeBlocks()) throw err('ENOSPC');
      const node: DirNode = { kind: 'dir', inum: this.ialloc(), slots: [] };
      node.slots.push({ name: '.', node }, { name: '..', node: dir });
      this.link(dir, name, node);
    });
  }

  truncate(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const n = this.namei(parts!);
      if (n.kind === 'dir') throw err('EISDIR');
      n.data = new Uint8Array(0);
    });
  }

  unlink(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined || isDot(name)) throw err('EISDIR');
      const e = this.lookup(dir, name);
      if (!e) throw err('ENOENT');
      if (e.node.kind === 'dir') throw err('EISDIR');
      dir.slots[e.slot] = null;
      this.release(e.node);
    });
  }

  private isEmpty(dir: DirNode): boolean {
    return dir.slots.slice(2).every((s) => s === null);
  }

  rmdir(path: string): FsResult<void> {
    return this.guard([path], ([parts]) => {
      const { dir, name } = this.parent(parts!);
      if (name === undefined) throw err('EBUSY');
      if (isDot(name)) throw err('EINVAL');
      const e = this.lookup(dir, name);
      if (!e) throw err('ENOENT');
      if (e.node.kind !== 'dir') throw err('ENOTDIR');
      if (!this.isEmpty(e.node)) throw err('ENOTEMPTY');
      dir.slots[e.slot] = null;
      this.release(e.node);
    });
  }

  /** True if `dir` is `ancestor` or below it. */
  private within(dir: DirNode, ancestor: DirNode): boolean {
    for (let d = dir; ; d = d.slots[1]!.node as DirNode) {
      if (d === ancestor) return true;
      if (d === this.root) return false;
    }
  }

  rename(from: string, to: string): FsResult<void> {
    return this.guard([from, to], ([fromParts, toParts]) => {
      const src = this.parent(fromParts!);
      const dst = this.parent(toParts!);
      if (src.name === undefined || dst.name === undefined) throw err('EBUSY');
      if (isDot(src.name) || isDot(dst.name)) throw err('EINVAL');
      const s = this.lookup(src.dir, src.name);
      if (!s) throw err('ENOENT');
      if (s.node.kind === 'dir' && this.within(dst.dir, s.node)) throw err('EINVAL');
      const d = this.lookup(dst.dir, dst.name);
      if (d) {
        if (d.node === s.node) return;
        if (s.node.kind === 'dir' && d.node.kind !== 'dir') throw err('ENOTDIR');
        if (s.node.kind !== 'dir' && d.node.kind === 'dir') throw err('EISDIR');
        if (d.node.kind === 'dir' && !this.isEmpty(d.node)) throw err('ENOTEMPTY');
        dst.dir.slots[d.slot] = { name: dst.name, node: s.node };
        this.release(d.node);
      } else {
        if (this.linkCost(dst.dir) > this.freeBlocks()) throw err('ENOSPC');
        this.link(dst.dir, dst.name, s.node);
      }
      src.dir.slots[s.slot] = null;
      if (s.node.kind === 'dir') s.node.slots[1] = { name: '..', node: dst.dir };
    });
  }
}

/** A filesystem's whole tree as plain data (for comparing two): every path with its stat and
 *  its contents, depth first in readdir order. Gives up past `limit` entries. */
export function snapshot(fs: FileSystem, limit = 10_000): unknown[] {
  const out: unknown[] = [];
  const walk = (path: string) => {
    if (out.length >= limit) return;
    const st = fs.stat(path);
    if (!st.ok) return void out.push({ path, error: st.error });
    if (st.value.type === 'file') {
      const data = fs.read(path, 0, MAXFILE);
      return void out.push({ path, ...st.value, data: data.ok ? Buffer.from(data.value).toString('hex') : data.error });
    }
    out.push({ path, ...st.value });
    const names = fs.readdir(path);
    if (!names.ok) return void out.push({ path, error: names.error });
    for (const name of names.value) walk(`${path === '/' ? '' : path}/${name}`);
  };
  walk('/');
  return out;
}
