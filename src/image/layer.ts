// Layers as change sets (OCI image spec, layer.md): what changed from a lower tree to an upper
// tree, as tar entries, and applying such a change set onto a tree.
//
// Creating (as docker's archive.ExportChanges): a path in the upper tree that is new or differs
// (content, mode, kind, link target) is an entry, and so are the directories above it; a path
// of the lower tree that is gone becomes a whiteout `.wh.NAME` in its parent directory (only the
// topmost: a removed directory's contents need none); an upper directory marked opaque (an
// overlay upper directory that replaced the lower one) becomes `DIR/.wh..wh..opq` followed by
// everything in it.
//
// Applying: first the whiteouts, against the lower tree only ("whiteout files MUST only apply to
// resources in lower/parent layers"): `.wh..wh..opq` empties its directory, `.wh.NAME` removes
// NAME and what is under it; then the other entries in order: a directory over a directory keeps
// what is in it, anything else replaces what was at its path (and what was under it).

import { gunzipSync } from 'node:zlib';
import { clip } from './digest.js';
import { ImageError } from './errors.js';
import { MEDIA } from './media.js';
import { decodeTar, encodeTar, type TarEntry } from './tar.js';
import { addParents, baseName, copyTree, isUnder, parentOf, sameNode, TREE_LIMITS, type FileTree, type TreeNode } from './tree.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE = '.wh..wh..opq';

function entryOf(path: string, node: TreeNode): TarEntry {
  return node.type === 'symlink' ? { path, type: 'symlink', target: node.target } : node.type === 'dir' ? { path, type: 'dir', mode: node.mode } : { path, type: 'file', mode: node.mode, data: node.data };
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The change set from `lower` to `upper`, sorted by path (a directory before its contents). */
export function diffTrees(lower: FileTree, upper: FileTree): TarEntry[] {
  const out = new Map<string, TarEntry>();
  const addWithParents = (path: string) => {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) {
      if (out.has(p)) break;
      const node = upper.get(p);
      if (node) out.set(p, entryOf(p, node));
    }
  };
  // Opaque directories: the marker, and everything under them.
  const opaque = new Set([...upper].filter(([, n]) => n.type === 'dir' && n.opaque).map(([p]) => p));
  for (const [path, node] of upper) {
    const old = lower.get(path);
    const underOpaque = underAny(path, opaque, true);
    if (!underOpaque && old && sameNode(old, node) && !(node.type === 'dir' && node.opaque)) continue;
    out.set(path, entryOf(path, node));
    addWithParents(path);
    if (node.type === 'dir' && node.opaque && lower.get(path)?.type === 'dir') {
      out.set(join(path, OPAQUE), { path: join(path, OPAQUE), type: 'file', mode: 0o644, data: new Uint8Array(0) });
    }
  }
  for (const path of lower.keys()) {
    if (upper.has(path)) continue;
    const parent = parentOf(path);
    // Only the topmost removed path needs a whiteout; an opaque or replaced parent hides it already.
    if (parent !== '' && upper.get(parent)?.type !== 'dir') continue;
    if (parent !== '' && lower.get(parent)?.type !== 'dir') continue;
    if (underAny(path, opaque, false)) continue;
    const wh = join(parent, WHITEOUT_PREFIX + baseName(path));
    out.set(wh, { path: wh, type: 'file', mode: 0o644, data: new Uint8Array(0) });
    addWithParents(wh);
  }
  return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether `path` or one of the directories above it is in `set` (strict: only those above). */
function underAny(path: string, set: ReadonlySet<string>, strict: boolean): boolean {
  if (set.size === 0) return false;
  if (set.has('') && path !== '') return true;
  for (let p = strict ? parentOf(path) : path; p !== ''; p = parentOf(p)) if (set.has(p)) return true;
  return false;
}

/** Remove `dir`'s subtree (not `dir` itself), one pass over the tree. */
function removeChildren(tree: FileTree, dir: string): void {
  for (const path of tree.keys()) if (path !== dir && isUnder(path, dir)) tree.delete(path);
}

/** The tree after applying the change set onto `lower` (which is not changed). Errors name `where`.
 *  Linear in the sizes of the tree and the layer (times the depth of paths). */
export function applyLayer(lower: FileTree, entries: readonly TarEntry[], where: string): FileTree {
  const tree = copyTree(lower);
  // Whiteouts first, all at once: one pass over the tree removes what they hide.
  const gone = new Set<string>();
  const emptied = new Set<string>();
  for (const e of entries) {
    const name = baseName(e.path);
    if (!name.startsWith(WHITEOUT_PREFIX)) continue;
    const dir = parentOf(e.path);
    if (name === OPAQUE) emptied.add(dir);
    else if (name === WHITEOUT_PREFIX) throw new ImageError(`${where}: the whiteout ${clip(e.path)} names nothing`);
    else gone.add(join(dir, name.slice(WHITEOUT_PREFIX.length)));
  }
  if (gone.size > 0 || emptied.size > 0) {
    for (const path of [...tree.keys()]) if (underAny(path, gone, false) || underAny(path, emptied, true)) tree.delete(path);
  }
  for (const e of entries) {
    if (baseName(e.path).startsWith(WHITEOUT_PREFIX) || e.path === '') continue;
    const old = tree.get(e.path);
    const node: TreeNode = e.type === 'dir' ? { type: 'dir', mode: e.mode } : e.type === 'file' ? { type: 'file', mode: e.mode, data: e.data } : { type: 'symlink', target: e.target };
    // Something that is not a directory replacing a directory replaces what was in it too.
    if (old?.type === 'dir' && node.type !== 'dir') removeChildren(tree, e.path);
    // A parent that is not a directory (a file, a link) is replaced by one, as tar does.
    for (let p = parentOf(e.path); p !== ''; p = parentOf(p)) {
      const parent = tree.get(p);
      if (parent === undefined) continue;
      if (parent.type !== 'dir') tree.delete(p);
      else break;
    }
    addParents(tree, e.path);
    tree.set(e.path, node);
    if (tree.size > TREE_LIMITS.entries) throw new ImageError(`${where}: the root filesystem would hold more than ${TREE_LIMITS.entries} entries`);
  }
  return tree;
}

/** The uncompressed tar of a layer blob of this media type (gzip: at most TREE_LIMITS.bytes out). */
export function layerTar(blob: Uint8Array, mediaType: string, where: string): Uint8Array {
  if (mediaType === MEDIA.LAYER_TAR) return blob;
  if (mediaType === MEDIA.LAYER_TAR_GZIP) {
    try {
      return gunzipSync(blob, { maxOutputLength: TREE_LIMITS.bytes + (TREE_LIMITS.entries + 2) * 1024 });
    } catch (e) {
      throw new ImageError(`${where}: not a gzip stream: ${(e as Error).message}`);
    }
  }
  throw new ImageError(`${where}: unsupported layer media type '${clip(mediaType)}' (ringlab reads ${MEDIA.LAYER_TAR} and ${MEDIA.LAYER_TAR_GZIP})`);
}

/** Parse a layer blob into its entries. */
export function readLayer(blob: Uint8Array, mediaType: string, where: string): TarEntry[] {
  return decodeTar(layerTar(blob, mediaType, where), where);
}

/** The tar of the change set from lower to upper. */
export function createLayer(lower: FileTree, upper: FileTree): Uint8Array {
  return encodeTar(diffTrees(lower, upper));
}
