// One container on the emulated machine, run by the guest's own runtime, /bin/crun
// (programs/user/crun.s; docs/containers.md, "A container runtime"). The one path that
// `ringlab boot --container DIR ... -- CMD`, `ringlab container run IMAGE` and a Ringfile's RUN
// share: the host does what containerd does before it hands a bundle to runc. It writes each
// layer onto the root disk as a directory, /var/lib/crun/layers/N (N from 0, the bottom layer
// first; a layer's whiteouts `.wh.NAME` and opaque markers `.wh..wh..opq` are files there, which
// the guest's overlay understands); writes the bundle, /var/lib/crun/bundle/config; and boots
// with one process, /bin/container, a launcher that execs `crun run [--keep] ctr BUNDLE`. So the
// boot's one job is crun's: its output is the container's, its exit code the container's. With
// an upper layer on the disk and --keep, the container's writable layer is still on the disk
// when the machine powers off, at UPPER_DIR (src/container/run.ts reads it back: RUN and
// `container run --commit` make it an image layer). Layers here are plain lists of directories
// and files: what an image's layer holds is src/image's business, turned into these by
// src/container, the layer above both.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assemble, type Image } from '../asm/index.js';
import { formatAsmError } from '../asm/errors.js';
import { ExecFormatError, toExecutable } from '../fs/exec.js';
import { openFs, type DiskFs } from '../fs/image.js';
import type { Isa } from '../isa/index.js';
import { USER_DIR } from './images.js';
import { rootDisk, ROOT_DISK_BYTES } from './rootfs.js';
import { systemPrograms } from './system.js';
import { BootError, type BootConfig, type BootOptions, type BootResult, type ProcessReport, type UserProgram } from './types.js';

/** Where the layers go on the root disk: LAYER_DIR/0, LAYER_DIR/1, ... */
export const LAYER_DIR = '/var/lib/crun/layers';
/** The bundle crun runs. */
export const BUNDLE_DIR = '/var/lib/crun/bundle';
/** The container's id (and, unless the spec gives a hostname, its hostname). */
export const CONTAINER_ID = 'ctr';
/** The launcher's name: its process is the boot's one job. */
export const LAUNCHER = 'container';
/** Where crun keeps a container's upper layer on the disk (`upper=disk`). */
export const UPPER_DIR = `/var/lib/crun/${CONTAINER_ID}/upper`;
/** The most layers crun takes (MAXLAYERS in crun.s); an image with more has its bottom ones
 *  merged on the host (src/image/run.ts, layerTrees). */
export const CRUN_MAX_LAYERS = 8;
/** The most words of a command crun takes (MAXARGS in crun.s). */
export const CRUN_MAX_ARGS = 30;

/** A `.s` file of a layer that does not assemble: `message` names the file and the line. */
export class LayerAssemblyError extends Error {}

/** The cgroup limits crun writes to the container's group (docs/containers.md, "Control groups"). */
export interface ContainerLimits {
  readonly 'cpu.max'?: string;
  readonly 'memory.max'?: string;
  readonly 'pids.max'?: string;
}

/** What one layer directory holds: directories and files by their path inside the layer
 *  ('bin/sh', no leading '/'), whiteouts as the empty `.wh.` files they are. */
export type LayerEntry = { readonly path: string; readonly type: 'dir' } | { readonly path: string; readonly type: 'file'; readonly data: Uint8Array };
export type Layer = readonly LayerEntry[];

/** One container: what crun's bundle says, and its layers. */
export interface ContainerSpec {
  /** The layers, bottom first. */
  readonly layers: readonly Layer[];
  /** argv: a word without `/` is looked up in the container's /bin (crun's rule). */
  readonly command: readonly string[];
  readonly hostname?: string;
  /** The working directory in the container (default /). */
  readonly cwd?: string;
  readonly limits?: ContainerLimits;
  /** Its network address (crun's `net`): a network namespace of its own, linked to the host's
   *  by a veth pair whose host end is the address minus one. None: the host's network. */
  readonly address?: string;
  /** The writable layer: none (a read-only root), on a tmpfs or on the disk. Default none. */
  readonly upper?: 'none' | 'tmpfs' | 'disk';
  /** `crun run --keep`: the container (and a disk upper) stays after it exits. */
  readonly keep?: boolean;
  /** On a terminal (`container run -it`): the launcher ignores SIGINT before it execs crun, so
   *  that Ctrl-C, which the console sends to every process, reaches the container's programs
   *  (its shell ignores it too, and gives it back to the commands it runs) and not crun. */
  readonly interactive?: boolean;
}

/** A host directory as one layer's tree, each `.s` file assembled into an executable of the same
 *  name without `.s` (as boot does for programs). BootError for a missing DIR or one that is not
 *  a directory, LayerAssemblyError for a source that does not assemble. */
export function layerTree(dir: string, isa: Isa): Layer {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new BootError(`--container ${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new BootError(`--container ${dir}: not a directory`);
  const layer: LayerEntry[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(at, entry.name);
      const inside = relative(dir, path).split('\\').join('/');
      if (entry.isDirectory()) {
        layer.push({ path: inside, type: 'dir' });
        walk(path);
      } else if (entry.isFile()) {
        if (entry.name.endsWith('.s')) layer.push({ path: inside.slice(0, -2), type: 'file', data: executable(assembleLayerSource(path, isa), path) });
        else layer.push({ path: inside, type: 'file', data: new Uint8Array(readFileSync(path)) });
      }
    }
  };
  walk(dir);
  return layer;
}

function assembleLayerSource(path: string, isa: Isa): Image {
  const r = assemble(readFileSync(path, 'utf8'), { fileName: path, isa, includePath: [USER_DIR] });
  if (!r.ok) {
    const n = r.errors.length;
    throw new LayerAssemblyError(`${r.errors.map(formatAsmError).join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${path} (a layer of --container)`);
  }
  return r.image;
}

function executable(image: Image, path: string): Uint8Array {
  try {
    return toExecutable(image, path);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new LayerAssemblyError(`--container: ${e.message}`);
    throw e;
  }
}

/** A word of crun's `cmd=`: words are separated by spaces, and a backslash makes the next byte
 *  part of the word (crun.s, check_config). */
export function crunWord(word: string): string {
  return word.replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
}

/** crun's bundle config for this container (docs/containers.md, "The bundle"). BootError for
 *  what a bundle cannot say: no command, an empty word, a newline, too many words or layers. */
export function bundleConfig(spec: Omit<ContainerSpec, 'layers'> & { readonly layerCount: number }, layerRoot: string = LAYER_DIR): string {
  const { command } = spec;
  if (command.length === 0) throw new BootError('the container has no command');
  if (command.length > CRUN_MAX_ARGS) throw new BootError(`the container's command has ${command.length} words: crun takes at most ${CRUN_MAX_ARGS}`);
  for (const word of command) {
    if (word === '') throw new BootError("the container's command has an empty word, which crun's bundle cannot hold");
    if (/[\n\r\0]/.test(word)) throw new BootError(`the container's command word ${JSON.stringify(word.slice(0, 40))} holds a newline or a zero byte, which crun's bundle cannot hold`);
  }
  if (spec.layerCount < 1 || spec.layerCount > CRUN_MAX_LAYERS) throw new BootError(`a container has 1 to ${CRUN_MAX_LAYERS} layers, not ${spec.layerCount}`);
  const line = (key: string, value: string | undefined): string[] => {
    if (value === undefined) return [];
    if (/[\n\r\0]/.test(value)) throw new BootError(`the container's ${key} ${JSON.stringify(value.slice(0, 40))} holds a newline or a zero byte`);
    return [`${key}=${value}`];
  };
  const layers = Array.from({ length: spec.layerCount }, (_, i) => `${layerRoot}/${i}`).join(':');
  return [
    `layers=${layers}`,
    `cmd=${command.map(crunWord).join(' ')}`,
    ...line('hostname', spec.hostname),
    ...line('cwd', spec.cwd),
    ...line('cpu.max', spec.limits?.['cpu.max']),
    ...line('memory.max', spec.limits?.['memory.max']),
    ...line('pids.max', spec.limits?.['pids.max']),
    ...line('net', spec.address),
    ...line('upper', spec.upper),
  ].join('\n') + '\n';
}

/** The launcher: exec /bin/crun run [--keep] ctr BUNDLE (it returns only if /bin/crun cannot run);
 *  `interactive`: SIGINT ignored first (exec keeps ignored signals). */
export function launcher(isa: Isa, keep = false, interactive = false): UserProgram {
  const args = ['crun', 'run', ...(keep ? ['--keep'] : []), CONTAINER_ID, BUNDLE_DIR];
  const ignore = interactive ? '        li   a0, SIGINT\n        li   a1, SIG_IGN\n        call signal\n' : '';
  const source = `        .include "user.inc"
_start:
${ignore}        la   a0, path
        la   a1, argv
        call exec
        li   a0, 127
        call exit
path:   .asciz "/bin/crun"
${args.map((a, i) => `arg${i}:   .asciz "${a}"`).join('\n')}
        .align 4
argv:   .word ${args.map((_, i) => `arg${i}`).join(', ')}, 0
        .include "lib.s"
`;
  const r = assemble(source, { fileName: join(USER_DIR, `${LAUNCHER}.s`), isa });
  if (!r.ok) throw new Error(`the container launcher does not assemble: ${JSON.stringify(r.errors[0])}`);
  return { name: LAUNCHER, image: r.image };
}

function mkdirs(fs: DiskFs, path: string): void {
  let at = '';
  for (const part of path.split('/').filter((p) => p !== '')) {
    at += `/${part}`;
    const st = fs.stat(at);
    if (st.ok && st.value.type === 'dir') continue;
    const made = fs.mkdir(at);
    if (!made.ok) throw new BootError(made.error === 'ENOSPC' ? `the container's layers do not fit on the guest's ${ROOT_DISK_BYTES >> 20} MiB root disk (${at}: the disk is full)` : `the root disk: cannot make ${at}: ${made.error}`);
  }
}

/** The root disk of a container boot: `base` (a user's disk) or a fresh one, with the system
 *  programs and the launcher in /bin, each layer in LAYER_DIR/N and the bundle. A disk too small
 *  for the layers is a BootError that says so. */
export function containerDisk(spec: ContainerSpec, isa: Isa, base?: Uint8Array): { disk: Uint8Array; launcher: UserProgram } {
  bundleConfig({ ...spec, layerCount: spec.layers.length }); // what the bundle cannot say, before any work
  const program = launcher(isa, spec.keep, spec.interactive);
  // rootDisk keeps its fresh disks for reuse: write the layers on a copy.
  const disk = new Uint8Array(rootDisk([program], base, [], systemPrograms(isa)));
  const opened = openFs(disk);
  if (!opened.ok) throw new BootError(`the root disk: ${opened.detail ?? opened.error}`);
  placeContainer(opened.value, spec, LAYER_DIR, BUNDLE_DIR);
  return { disk, launcher: program };
}

/** Write one container onto an opened root disk: its layers in LAYER_ROOT/N and its bundle's
 *  config in BUNDLE (`containerDisk` puts the one container of a boot at LAYER_DIR and
 *  BUNDLE_DIR; compose, src/container/compose.ts, puts each of several in directories of its
 *  own). A disk too small is a BootError that says so. */
export function placeContainer(fs: DiskFs, spec: ContainerSpec, layerRoot: string, bundle: string): void {
  const config = bundleConfig({ ...spec, layerCount: spec.layers.length }, layerRoot);
  spec.layers.forEach((layer, i) => {
    const root = `${layerRoot}/${i}`;
    mkdirs(fs, root);
    for (const entry of [...layer].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      const path = `${root}/${entry.path}`;
      mkdirs(fs, entry.type === 'dir' ? path : path.slice(0, path.lastIndexOf('/')));
      if (entry.type === 'dir') continue;
      const w = fs.writeFile(path, entry.data);
      if (w.ok) continue;
      if (w.error === 'ENOSPC') throw new BootError(`the container's layers do not fit on the guest's ${ROOT_DISK_BYTES >> 20} MiB root disk (${path}: ${entry.data.length} bytes: the disk is full)`);
      throw new BootError(`the root disk: cannot write ${path}: ${w.error}`);
    }
  });
  mkdirs(fs, bundle);
  const w = fs.writeFile(`${bundle}/config`, new TextEncoder().encode(config));
  if (!w.ok) throw new BootError(`the root disk: cannot write ${bundle}/config: ${w.error}`);
}

/** A container boot's outcome: the boot's, the launcher's process, its exit code. */
export interface ContainerRun {
  readonly result: BootResult;
  /** crun's process (the launcher became crun by exec). */
  readonly job: ProcessReport | undefined;
  /** The container's exit code (crun passes it on); null if the machine stopped before. */
  readonly exitCode: number | null;
  /** Free blocks of the root disk when it booted (with the layers on it). */
  readonly freeBlocksBefore: number;
}

/** Boot `config` with one container as its only process (the rest of the boot's options as
 *  they come: costs, cycle limit, input, ...). */
export function runContainer(config: BootConfig, spec: ContainerSpec, isa: Isa, options: Omit<BootOptions, 'workloads' | 'programs' | 'disk'> & { readonly base?: Uint8Array }): ContainerRun {
  const { base, ...boot } = options;
  const { disk, launcher: program } = containerDisk(spec, isa, base);
  const freeBlocksBefore = diskFree(disk).free;
  const result = config.boot({ ...boot, disk, workloads: [], programs: [program] });
  const job = result.processes[0];
  return { result, job, exitCode: job?.exitCode ?? null, freeBlocksBefore };
}

/** Free blocks of the disk's filesystem (to tell a full disk from other failures). */
export function diskFree(disk: Uint8Array): { free: number; total: number } {
  const opened = openFs(disk);
  if (!opened.ok) return { free: 0, total: 0 };
  return { free: opened.value.freeBlocks(), total: opened.value.sb.ndata };
}
