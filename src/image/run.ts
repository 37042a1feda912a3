// Images meet the guest runtime: what `ringlab container run`, `container run --commit` and a
// Ringfile's RUN share (docs/images.md, "Running an image"). An image's layers become crun's
// layers as they are (each layer's change set, whiteouts included, as a directory: the guest's
// overlay reads `.wh.` files itself), its config becomes crun's bundle (docker's rules for the
// command), and the container's upper layer, read back from the guest's disk, becomes a new
// layer with the same change-set rules as any other (layer.ts), so a RUN's layer is made exactly
// as a COPY's is.

import { CRUN_MAX_LAYERS, diskFree, runContainer, upperTree, type ContainerLimits, type ContainerRun, type ContainerSpec } from '../configs/container.js';
import type { BootConfig, BootOptions } from '../configs/types.js';
import { findConfig } from '../configs/index.js';
import { ROOT_DISK_BYTES } from '../configs/rootfs.js';
import { isaWith } from '../isa/index.js';
import type { ImageConfig } from './config.js';
import { clip } from './digest.js';
import { ImageError } from './errors.js';
import { applyLayer, diffTrees, OPAQUE, readLayer, WHITEOUT_PREFIX } from './layer.js';
import type { Descriptor } from './manifest.js';
import type { ImageStore } from './store.js';
import { encodeTar, type TarEntry } from './tar.js';
import { addParents, baseName, normalizePath, parentOf, type FileTree, type TreeNode } from './tree.js';

/** A container that ran but whose command failed: its exit code and output go to the user. */
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

/** The layers crun gets for these image layers, bottom first: each layer's change set as it is.
 *  crun takes at most CRUN_MAX_LAYERS: with more, the bottom ones are applied into one (the
 *  same root filesystem, fewer directories). No layers (FROM scratch and nothing else): one
 *  empty layer, since a container needs a root. Each blob is checked against its digest. */
export function layerTrees(store: ImageStore, layers: readonly Descriptor[]): FileTree[] {
  const entries = layers.map((l) => {
    const where = store.blobPath(l.digest);
    return { where, entries: readLayer(store.readBlob(l.digest, { size: l.size }), l.mediaType, where) };
  });
  const trees: FileTree[] = [];
  const merged = Math.max(0, entries.length - CRUN_MAX_LAYERS + 1);
  if (merged > 1) {
    let base: FileTree = new Map();
    for (const { where, entries: e } of entries.slice(0, merged)) base = applyLayer(base, e, where);
    trees.push(base);
  }
  for (const { entries: e } of entries.slice(merged > 1 ? merged : 0)) trees.push(entriesTree(e));
  if (trees.length === 0) trees.push(new Map());
  return trees;
}

/** The root filesystem of these layer trees (what the container sees), applied on the host. */
function rootfsOf(trees: readonly FileTree[]): FileTree {
  let tree: FileTree = new Map();
  for (const t of trees) tree = applyLayer(tree, [...t].map(([path, node]) => entryOf(path, node)), 'a layer');
  return tree;
}

function entryOf(path: string, node: TreeNode): TarEntry {
  return node.type === 'dir' ? { path, type: 'dir', mode: node.mode } : node.type === 'file' ? { path, type: 'file', mode: node.mode, data: node.data } : { path, type: 'symlink', target: node.target };
}

/** The command a container runs, by docker's rules: ENTRYPOINT, then the arguments given on the
 *  command line if any, else CMD. Neither: a usage error, as docker's "no command specified". */
export function containerArgv(config: ImageConfig, args: readonly string[], image: string): string[] {
  const c = config.config ?? {};
  const argv = [...(c.Entrypoint ?? []), ...(args.length > 0 ? args : (c.Cmd ?? []))];
  if (argv.length === 0) throw new ImageError(`${image}: no command: the image has no CMD or ENTRYPOINT and none was given (ringlab container run IMAGE CMD...)`, 'usage');
  return argv;
}

/** The working directory made where the layers lack it, in the top layer (docker makes a
 *  missing WORKDIR too). Returns the trees to use. */
function withWorkdir(trees: FileTree[], rootfs: FileTree, workdir: string | undefined): FileTree[] {
  if (workdir === undefined) return trees;
  const path = normalizePath(workdir, 'WorkingDir');
  if (path === '' || rootfs.get(path)?.type === 'dir') return trees;
  if (rootfs.has(path)) throw new ImageError(`the image's WorkingDir ${clip(workdir)} is not a directory`, 'usage');
  const top = new Map(trees[trees.length - 1]!);
  addParents(top, `${path}/x`);
  return [...trees.slice(0, -1), top];
}

/** What runs: the machine's configuration and the boot's options. */
export interface MachineChoice {
  readonly config: BootConfig;
  readonly boot?: Omit<BootOptions, 'workloads' | 'programs' | 'disk'>;
}

/** A container from an image: its layers, the command by docker's rules, its working directory
 *  (made if missing), the limits; with `commit`, a writable upper layer kept on the disk. */
export interface ImageRun {
  readonly store: ImageStore;
  /** The image's config and layers (the image, or the state of a build so far). */
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
  /** The full argv (containerArgv has applied docker's rules). */
  readonly argv: readonly string[];
  readonly hostname?: string;
  readonly limits?: ContainerLimits;
  /** On a terminal (-it): see ContainerSpec.interactive. */
  readonly interactive?: boolean;
}

export interface ImageRunResult extends ContainerRun {
  /** The root filesystem the container started from. */
  readonly lower: FileTree;
  /** Free blocks of the guest's disk before and after. */
  readonly freeBefore: number;
  readonly freeAfter: number;
}

/** The container an image run is: crun's spec, and the root filesystem it starts from. */
export function imageContainer(request: ImageRun): { spec: ContainerSpec; lower: FileTree } {
  const trees = layerTrees(request.store, request.layers);
  const lower = rootfsOf(trees);
  const workdir = request.config.config?.WorkingDir;
  const spec: ContainerSpec = {
    layers: withWorkdir(trees, lower, workdir),
    command: request.argv,
    ...(request.hostname !== undefined && { hostname: request.hostname }),
    ...(workdir !== undefined && workdir !== '' && { cwd: workdir }),
    ...(request.limits && { limits: request.limits }),
    upper: 'disk',
    // The container lives for one boot and the disk is dropped at power-off (docker's --rm),
    // so crun never needs to delete it: --keep saves the rm, and keeps the upper for a commit.
    keep: true,
    ...(request.interactive && { interactive: true }),
  };
  return { spec, lower };
}

/** THE ARCHITECTURE CHECK goes here, the one place every container of an image passes through
 *  before anything boots (`container run`, with or without -it, and RUN): the image's
 *  requirements (the ISA extensions of the label org.ringlab.isa.extensions, the kernel
 *  features of os.features: `requiredExtensions(config)`, config.ts) against the machine this
 *  boot has (`machine`: its configuration and options). The `arch` branch provides
 *  `checkRequirements` in src/image/features.ts; it throws an ImageError naming what is
 *  missing. Until then every image runs. */
export function checkImageAgainstMachine(config: ImageConfig, machine: MachineChoice): void {
  void config;
  void machine;
}

/** Boot the machine and run the image's container (the one path: configs/container.ts). */
export function runImage(request: ImageRun, machine: MachineChoice): ImageRunResult {
  checkImageAgainstMachine(request.config, machine);
  const { spec, lower } = imageContainer(request);
  const run = runContainer(machine.config, spec, isaWith([]), machine.boot ?? {});
  const after = run.result.machine.disk.contents();
  return { ...run, lower, freeBefore: run.freeBlocksBefore, freeAfter: diskFree(after).free };
}

/** The new layer a container's upper layer makes over `lower` (its root filesystem when it
 *  started): the upper as crun left it (`.wh.NAME` whiteouts, `.wh..wh..opq` markers) applied to
 *  the lower tree, then the change set from the lower tree to that, with the opaque directories
 *  marked, by layer.ts's rules (docker's): a path written with the same content is no change,
 *  a whiteout of a name the lower tree lacks is none, a deleted directory is one whiteout. A
 *  file keeps its mode from the lower tree (the guest has no permission bits to change). */
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

/** The outcome of a container whose upper layer is wanted (RUN, --commit): its new layer, or the
 *  reason there is none. */
export function containerLayer(run: ImageRunResult): ReturnType<typeof upperLayer> {
  const upper = upperTree(run.result.machine.disk.contents());
  if (upper === undefined) throw new ImageError("the container's upper layer is not on the guest's disk after the run (crun could not make it)", 'guest');
  return upperLayer(run.lower, upper);
}

/** What a layer holds, for progress lines: "2 files, 1 whiteout". */
export function layerSummary(entries: readonly TarEntry[]): string {
  const files = entries.filter((e) => e.type !== 'dir' && !baseName(e.path).startsWith(WHITEOUT_PREFIX)).length;
  const whiteouts = entries.filter((e) => baseName(e.path).startsWith(WHITEOUT_PREFIX) && baseName(e.path) !== OPAQUE).length;
  const opaque = entries.filter((e) => baseName(e.path) === OPAQUE).length;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return [n(files, 'file'), ...(whiteouts > 0 ? [n(whiteouts, 'whiteout')] : []), ...(opaque > 0 ? [n(opaque, 'opaque directory').replace('directorys', 'directories')] : [])].join(', ');
}

/** Whether a failure looks like the guest's disk filling up: almost no block left after. */
export function diskFilled(run: ImageRunResult): boolean {
  return run.freeAfter < 16;
}

export const DISK_MIB = ROOT_DISK_BYTES >> 20;

/** The machine a build's RUN steps use: native, the default costs (the same image whatever the
 *  host's choice, since every configuration gives the same output). */
export function buildMachine(): MachineChoice {
  return { config: findConfig('native')! };
}

