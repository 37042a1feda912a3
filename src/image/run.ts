// What an image gives a container, and what a container gives back, on the image's side
// (docs/images.md, "Running an image"; src/container/run.ts boots them): an image's layers as
// the layer directories a runtime takes (each layer's change set as it is, whiteouts included:
// the guest's overlay reads `.wh.` files itself), the command by docker's rules, and a
// container's upper directory, read back from the guest's disk, as a new layer made with the same
// change-set rules as any other (layer.ts), so a RUN's layer is made exactly as a COPY's is.

import type { ImageConfig } from './config.js';
import { clip } from './digest.js';
import { ImageError } from './errors.js';
import { applyLayer, diffTrees, OPAQUE, readLayer, WHITEOUT_PREFIX } from './layer.js';
import type { Descriptor } from './manifest.js';
import type { ImageStore } from './store.js';
import { encodeTar, type TarEntry } from './tar.js';
import { addParents, baseName, normalizePath, parentOf, type FileTree, type TreeNode } from './tree.js';

/** A container that ran but whose command failed (a RUN step): its exit code and output go to
 *  the user. */
export class StepExitError extends ImageError {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly output: string,
  ) {
    super(message, 'guest');
  }
}

function entriesTree(entries: readonly TarEntry[]): FileTree {
  const tree: FileTree = new Map();
  for (const e of entries) {
    if (e.path === '') continue;
    tree.set(e.path, e.type === 'dir' ? { type: 'dir', mode: e.mode } : e.type === 'file' ? { type: 'file', mode: e.mode, data: e.data } : { type: 'symlink', target: e.target });
  }
  return tree;
}

function entryOf(path: string, node: TreeNode): TarEntry {
  return node.type === 'dir' ? { path, type: 'dir', mode: node.mode } : node.type === 'file' ? { path, type: 'file', mode: node.mode, data: node.data } : { path, type: 'symlink', target: node.target };
}

/** The layer directories for these image layers, bottom first: each layer's change set as it is.
 *  A runtime takes at most `maxLayers`: with more, the bottom ones are applied into one (the same
 *  root filesystem, fewer directories). No layers (FROM scratch and nothing else): one empty
 *  layer, since a container needs a root. Each blob is checked against its digest. */
export function layerTrees(store: ImageStore, layers: readonly Descriptor[], maxLayers: number): FileTree[] {
  const entries = layers.map((l) => {
    const where = store.blobPath(l.digest);
    return { where, entries: readLayer(store.readBlob(l.digest, { size: l.size }), l.mediaType, where) };
  });
  const trees: FileTree[] = [];
  const merged = Math.max(0, entries.length - maxLayers + 1);
  if (merged > 1) {
    let base: FileTree = new Map();
    for (const { where, entries: e } of entries.slice(0, merged)) base = applyLayer(base, e, where);
    trees.push(base);
  }
  for (const { entries: e } of entries.slice(merged > 1 ? merged : 0)) trees.push(entriesTree(e));
  if (trees.length === 0) trees.push(new Map());
  return trees;
}

/** The root filesystem these layer trees make (what the container sees), applied on the host. */
export function rootfsOf(trees: readonly FileTree[]): FileTree {
  let tree: FileTree = new Map();
  for (const t of trees) tree = applyLayer(tree, [...t].map(([path, node]) => entryOf(path, node)), 'a layer');
  return tree;
}

/** The layer trees with the working directory made where no layer has it, in the top layer
 *  (docker makes a missing WORKDIR too). */
export function withWorkdir(trees: readonly FileTree[], rootfs: FileTree, workdir: string | undefined): FileTree[] {
  if (workdir === undefined) return [...trees];
  const path = normalizePath(workdir, 'WorkingDir');
  if (path === '' || rootfs.get(path)?.type === 'dir') return [...trees];
  if (rootfs.has(path)) throw new ImageError(`the image's WorkingDir ${clip(workdir)} is not a directory`, 'usage');
  const top = new Map(trees[trees.length - 1]!);
  addParents(top, `${path}/x`);
  return [...trees.slice(0, -1), top];
}

/** A layer tree as the directories and files a runtime's layer directory holds. The guest's
 *  disk filesystem has no symbolic links: one is an error naming it. */
export function layerFiles(tree: FileTree): ({ path: string; type: 'dir' } | { path: string; type: 'file'; data: Uint8Array })[] {
  return [...tree].map(([path, node]) => {
    if (node.type === 'symlink') throw new ImageError(`${clip(path)}: a symbolic link, which the guest's disk filesystem does not have`, 'usage');
    return node.type === 'dir' ? { path, type: 'dir' as const } : { path, type: 'file' as const, data: node.data };
  });
}

/** The command a container runs, by docker's rules: ENTRYPOINT, then the arguments given on the
 *  command line if any, else CMD. Neither: a usage error, as docker's "no command specified". */
export function containerArgv(config: ImageConfig, args: readonly string[], image: string): string[] {
  const c = config.config ?? {};
  const argv = [...(c.Entrypoint ?? []), ...(args.length > 0 ? args : (c.Cmd ?? []))];
  if (argv.length === 0) throw new ImageError(`${image}: no command: the image has no CMD or ENTRYPOINT and none was given (ringlab container run IMAGE CMD...)`, 'usage');
  return argv;
}

/** The new layer a container's upper directory makes over `lower` (its root filesystem when it
 *  started): the upper as the overlay left it (`.wh.NAME` whiteouts, `.wh..wh..opq` markers)
 *  applied to the lower tree, then the change set from the lower tree to that, with the opaque
 *  directories marked, by layer.ts's rules (docker's): a path written with the same content is
 *  no change, a whiteout of a name the lower tree lacks is none, a deleted directory is one
 *  whiteout. A file keeps its mode from the lower tree (the guest has no permission bits). */
export function upperLayer(lower: FileTree, upper: FileTree): { tar: Uint8Array; tree: FileTree; entries: TarEntry[] } {
  const upperEntries: TarEntry[] = [];
  for (const path of [...upper.keys()].sort()) {
    const node = upper.get(path)!;
    const old = lower.get(path);
    const kept: TreeNode = node.type === 'file' && old?.type === 'file' ? { ...node, mode: old.mode } : node;
    upperEntries.push(entryOf(path, kept));
  }
  const merged = applyLayer(lower, upperEntries, "the container's upper layer");
  for (const path of upper.keys()) {
    if (baseName(path) !== OPAQUE) continue;
    const dir = parentOf(path);
    const node = merged.get(dir);
    if (node?.type === 'dir') merged.set(dir, { ...node, opaque: true });
  }
  const entries = diffTrees(lower, merged);
  return { tar: encodeTar(entries), tree: merged, entries };
}

/** What a layer holds, for progress lines: "2 files, 1 whiteout". */
export function layerSummary(entries: readonly TarEntry[]): string {
  const files = entries.filter((e) => e.type !== 'dir' && !baseName(e.path).startsWith(WHITEOUT_PREFIX)).length;
  const whiteouts = entries.filter((e) => baseName(e.path).startsWith(WHITEOUT_PREFIX) && baseName(e.path) !== OPAQUE).length;
  const opaque = entries.filter((e) => baseName(e.path) === OPAQUE).length;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return [n(files, 'file', 'files'), ...(whiteouts > 0 ? [n(whiteouts, 'whiteout', 'whiteouts')] : []), ...(opaque > 0 ? [n(opaque, 'opaque directory', 'opaque directories')] : [])].join(', ');
}
