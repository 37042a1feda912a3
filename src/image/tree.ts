// A file tree in memory: what a layer changes and what applying layers builds. Paths are
// relative and normalized ('bin/hello', no leading '/', no '.' or '..', no trailing '/'); the
// root directory is implicit. Only what the guest's filesystem has is kept: directories,
// regular files with their permission bits, and symbolic links; owners and times are not (every
// layer says uid 0, gid 0, mtime 0: see tar.ts).

import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clip } from './digest.js';
import { ImageError } from './errors.js';

export type TreeNode =
  | { readonly type: 'dir'; readonly mode: number; /** an overlay upper directory that hides the lower one (layer.ts emits .wh..wh..opq) */ readonly opaque?: boolean }
  | { readonly type: 'file'; readonly mode: number; readonly data: Uint8Array }
  | { readonly type: 'symlink'; readonly target: string };

export type FileTree = Map<string, TreeNode>;

/** Limits on what one tree (a build context, a layer, a root filesystem) may hold. */
export const TREE_LIMITS = {
  /** Entries. */
  entries: 100_000,
  /** Bytes of one path. */
  path: 4096,
  /** Bytes of all files together: the guest's largest disk. */
  bytes: 256 << 20,
} as const;

/** The normalized form of an archive or tree path, or an ImageError when it leaves the root. */
export function normalizePath(path: string, where: string): string {
  if (path.includes('\0')) throw new ImageError(`${where}: the path '${clip(path)}' holds a NUL byte`);
  if (path.length > TREE_LIMITS.path) throw new ImageError(`${where}: a path is longer than ${TREE_LIMITS.path} bytes`);
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new ImageError(`${where}: the path '${clip(path)}' leaves the root ('..')`);
    parts.push(part);
  }
  return parts.join('/');
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether `path` is `dir` or inside it ('' is the root, which holds everything). */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** Permission bits as ringlab keeps them: a file is 0755 if anyone may execute it, else 0644; a
 *  directory 0755. So a checkout's umask never changes a digest. */
export function normalMode(type: 'dir' | 'file', hostMode: number): number {
  if (type === 'dir') return 0o755;
  return hostMode & 0o111 ? 0o755 : 0o644;
}

/** Two nodes are the same content (what a diff compares). */
export function sameNode(a: TreeNode, b: TreeNode): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'symlink') return a.target === (b as typeof a).target;
  if (a.mode !== (b as typeof a).mode) return false;
  if (a.type === 'dir') return true;
  return Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.length), Buffer.from((b as typeof a).data)) === 0;
}

/** Add the directories above `path` that are missing (mode 0755), as mkdir -p. */
export function addParents(tree: FileTree, path: string): void {
  for (let p = parentOf(path); p !== ''; p = parentOf(p)) {
    const node = tree.get(p);
    if (node?.type === 'dir') return;
    tree.set(p, { type: 'dir', mode: 0o755 });
  }
}

/** A host directory as a tree (symbolic links are kept as links, not followed); other kinds of
 *  file (devices, sockets) are refused. Errors name the host path. */
export function readHostTree(root: string): FileTree {
  const tree: FileTree = new Map();
  let bytes = 0;
  const walk = (dir: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new ImageError(`cannot read ${dir}: ${(e as Error).message}`, 'usage');
    }
    for (const name of names) {
      const host = join(dir, name);
      const path = rel === '' ? name : `${rel}/${name}`;
      if (tree.size >= TREE_LIMITS.entries) throw new ImageError(`${root}: more than ${TREE_LIMITS.entries} files`, 'usage');
      const st = lstatSync(host);
      if (st.isSymbolicLink()) tree.set(path, { type: 'symlink', target: readlinkSync(host) });
      else if (st.isDirectory()) {
        tree.set(path, { type: 'dir', mode: normalMode('dir', st.mode) });
        walk(host, path);
      } else if (st.isFile()) {
        bytes += st.size;
        if (bytes > TREE_LIMITS.bytes) throw new ImageError(`${root}: more than ${TREE_LIMITS.bytes} bytes of files`, 'usage');
        tree.set(path, { type: 'file', mode: normalMode('file', st.mode), data: readFileSync(host) });
      } else throw new ImageError(`${host}: not a file, directory or symbolic link`, 'usage');
    }
  };
  walk(root, '');
  return tree;
}

/** Write a tree under a host directory (made if missing). */
export function writeHostTree(tree: FileTree, root: string): void {
  mkdirSync(root, { recursive: true });
  for (const path of [...tree.keys()].sort()) {
    const node = tree.get(path)!;
    const host = join(root, ...path.split('/'));
    if (node.type === 'dir') mkdirSync(host, { recursive: true, mode: node.mode });
    else if (node.type === 'file') writeFileSync(host, node.data, { mode: node.mode });
    else symlinkSync(node.target, host);
  }
}

/** A copy of a tree (nodes are immutable, so sharing them is safe). */
export function copyTree(tree: FileTree): FileTree {
  return new Map(tree);
}
