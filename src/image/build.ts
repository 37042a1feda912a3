// `ringlab image build`: a Ringfile and a build context into an image in the store, step by step
// as docker build does (docs/images.md, "Building").
//
// Each step has a cache key: sha256 of the previous step's key, the instruction's text and, for
// COPY, the content of the files it adds (after assembly). FROM's key is the base image's ID and
// manifest digest. A step whose key has an entry in STORE/ringlab/build-cache, with every blob it
// names still in the store, is a hit and is not run; a miss changes the key of every later step,
// so the first miss rebuilds the rest. `noCache` runs every step (and still records them).
//
// FROM, COPY, ENV, WORKDIR, CMD, ENTRYPOINT, LABEL and REQUIRES need no guest. RUN runs its
// command in a container over the layers so far through `runStep`, which the caller gives
// (src/container/run.ts, guestRunStep: the emulated machine, a layer above this one), and what
// the command changed is the step's layer (run.ts: the same change-set rules as COPY's). Its
// cache key is the previous key and its text, as docker's. No step records a time, and the
// guest is deterministic, so the same Ringfile and context give the same image ID.

import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { assemble, formatAsmError } from '../asm/index.js';
import { isInside, RINGLAB_ROOT } from '../asm/files.js';
import { ExecFormatError, toExecutable } from '../fs/exec.js';
import { EXTENSIONS, isaWith } from '../isa/index.js';
import { emptyConfig, parseConfig, type ImageConfig } from './config.js';
import { executablesExtensions, requireExtensions } from './features.js';
import { canonicalBytes, clip, hexOf, parseJson, sha256, type Digest } from './digest.js';
import { ImageError, messageOf } from './errors.js';
import { layersRootfs, loadImage, storeImage, storeLayer, type LoadedImage } from './image.js';
import { createLayer } from './layer.js';
import { layerSummary } from './run.js';
import type { TarEntry } from './tar.js';
import { checkDescriptor, type Descriptor } from './manifest.js';
import { formatReference, parseReference } from './reference.js';
import { parseRingfile, RingfileError, type Instruction } from './ringfile.js';
import { readLimited, writeAtomic, type ImageStore } from './store.js';
import { addParents, normalMode, normalizePath, parentOf, readHostTree, type FileTree, type TreeNode } from './tree.js';

/** Where an assembly source's includes are found after its own directory (user.inc, lib.s). */
const USER_PROGRAMS = join(RINGLAB_ROOT, 'programs', 'user');

export interface BuildOptions {
  readonly store: ImageStore;
  /** The build context: COPY's sources are in it. */
  readonly context: string;
  /** The Ringfile's text and its name for messages. */
  readonly ringfile: string;
  readonly ringfileName: string;
  /** NAME[:TAG] to give the image. */
  readonly tag: string;
  readonly noCache?: boolean;
  /** One line per step (progress), and a RUN's output. */
  readonly log?: (line: string) => void;
  /** Runs a RUN step's command (src/container/run.ts, guestRunStep); without it a RUN is an
   *  error. */
  readonly runStep?: RunStep;
}

/** A RUN step to run: the image so far, the command, where the step is (FILE:LINE:COLUMN) and
 *  its text for messages, and the progress log for its output. */
export interface RunStepRequest {
  readonly store: ImageStore;
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
  readonly argv: readonly string[];
  readonly at: string;
  readonly text: string;
  readonly log: (line: string) => void;
}

/** The layer a RUN step made; a failing command throws (a StepExitError, run.ts). */
export type RunStep = (request: RunStepRequest) => { tar: Uint8Array; entries: TarEntry[] };

export interface BuildStep {
  readonly n: number;
  readonly text: string;
  readonly cached: boolean;
}

export interface BuildResult {
  readonly image: LoadedImage;
  readonly ref: string;
  readonly steps: BuildStep[];
}

/** The state after a step: what the cache records. */
interface State {
  config: ImageConfig;
  layers: Descriptor[];
}

export function buildImage(options: BuildOptions): BuildResult {
  const { store, ringfileName: file } = options;
  const ref = formatReference(parseReference(options.tag));
  if (parseReference(options.tag).digest) throw new ImageError(`-t takes NAME:TAG, not a digest`, 'usage');
  const context = resolve(options.context);
  try {
    if (!lstatSync(context).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new ImageError(`the build context ${context}: ${messageOf(e)}`, 'usage');
  }
  const instructions = parseRingfile(options.ringfile, file);
  const log = options.log ?? (() => undefined);
  const steps: BuildStep[] = [];
  let state: State = { config: emptyConfig(), layers: [] };
  let key: Digest = sha256('');
  let rootfs: FileTree | undefined; // the current root filesystem, made when a COPY needs it
  const rootfsNow = (): FileTree => (rootfs ??= layersRootfs(store, state.layers));

  instructions.forEach((ins, i) => {
    const n = i + 1;
    log(`Step ${n}/${instructions.length} : ${ins.text}`);
    // A step whose key (its parent chain and text) the cache holds: that state, nothing to run.
    const useCache = (): boolean => {
      const cached = options.noCache ? undefined : readCache(store, key);
      if (!cached) return false;
      state = cached;
      rootfs = undefined;
      steps.push({ n, text: ins.text, cached: true });
      log(' ---> Using cache');
      return true;
    };
    if (ins.kind === 'FROM') {
      if (ins.image === 'scratch') {
        state = { config: emptyConfig(), layers: [] };
        key = sha256('FROM scratch');
      } else {
        let base: LoadedImage;
        try {
          base = loadImage(store, ins.image);
        } catch (e) {
          throw new RingfileError(file, ins.line, ins.column, `FROM ${ins.image}: ${messageOf(e)}`);
        }
        state = { config: structuredClone(base.config), layers: [...base.manifest.layers] };
        key = sha256(`FROM ${base.id} ${base.manifestDescriptor.digest}`);
      }
      rootfs = undefined;
      steps.push({ n, text: ins.text, cached: false });
      log(` ---> ${state.layers.length === 0 ? 'an empty image' : `${state.layers.length} layer${state.layers.length === 1 ? '' : 's'}`}`);
      return;
    }
    if (ins.kind === 'RUN') {
      key = sha256(`${key}\n${ins.text}\n`);
      if (useCache()) return;
      const at = `${file}:${ins.line}:${ins.column}`;
      if (!options.runStep) throw new ImageError(`${at}: RUN needs a machine to run on, and this build was given none`, 'usage');
      const { tar, entries } = options.runStep({ store, config: state.config, layers: state.layers, argv: ins.command, at, text: ins.text.replace(/^RUN\s+/i, ''), log });
      const config = structuredClone(state.config);
      config.history ??= [];
      const layer = storeLayer(store, tar);
      config.rootfs = { type: 'layers', diff_ids: [...config.rootfs.diff_ids, layer.diffId] };
      config.history.push({ created_by: ins.text, comment: 'ringlab build' });
      state = { config, layers: [...state.layers, layer.descriptor] };
      rootfs = undefined; // remade from the layers when a COPY needs it
      writeCache(store, key, state);
      steps.push({ n, text: ins.text, cached: false });
      log(` ---> a layer of ${layerSummary(entries)}`);
      return;
    }
    // COPY's content is part of its key: the files it adds, after assembly.
    const added = ins.kind === 'COPY' ? copyFiles(ins, context, state.config, file) : undefined;
    key = sha256(`${key}\n${ins.text}\n${added ? contentDigest(added) : ''}`);
    if (useCache()) return;
    const config = structuredClone(state.config);
    config.config ??= {};
    config.history ??= [];
    const layers = [...state.layers];
    if (added) {
      const lower = rootfsNow();
      const upper: FileTree = new Map(lower);
      for (const [path, node] of added) {
        // a directory over a directory keeps what is in it; anything else replaces the path
        if (upper.get(path)?.type === 'dir' && node.type !== 'dir') for (const p of [...upper.keys()]) if (p.startsWith(`${path}/`)) upper.delete(p);
        for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (upper.has(p) && upper.get(p)!.type !== 'dir') upper.delete(p);
        addParents(upper, path);
        upper.set(path, node);
      }
      const layer = storeLayer(store, createLayer(lower, upper));
      layers.push(layer.descriptor);
      config.rootfs = { type: 'layers', diff_ids: [...config.rootfs.diff_ids, layer.diffId] };
      config.history.push({ created_by: ins.text, comment: 'ringlab build' });
      requireExtensions(config, executablesExtensions(added)); // what its executables use (EX_ISA)
      rootfs = upper;
    } else {
      applyConfigStep(ins, config);
      config.history.push({ created_by: ins.text, comment: 'ringlab build', empty_layer: true });
    }
    state = { config, layers };
    writeCache(store, key, state);
    steps.push({ n, text: ins.text, cached: false });
    const files = added ? [...added.values()].filter((f) => f.type !== 'dir').length : 0;
    log(added ? ` ---> a layer of ${files} file${files === 1 ? '' : 's'}` : ' ---> config');
  });
  const image = storeImage(store, state.config, state.layers);
  store.setTag(ref, image.manifestDescriptor);
  log(`Built ${ref}: image ID ${image.id}`);
  return { image: { ...image, ref }, ref, steps };
}

/** One digest for a set of files: their paths, kinds, modes and contents. */
function contentDigest(files: FileTree): Digest {
  const parts = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, n]) => [p, n.type, n.type === 'symlink' ? n.target : n.mode, n.type === 'file' ? sha256(n.data) : '']);
  return sha256(JSON.stringify(parts));
}

/** A path in the image, absolute, resolved against the working directory. */
function imagePath(path: string, workdir: string | undefined): string {
  return posix.resolve('/', workdir ?? '/', path);
}

/** The files a COPY adds, by their path in the image (no leading '/'). Sources are files or
 *  directories of the context (a directory's contents are copied); an assembly source `X.s` is
 *  assembled into the executable `X`. */
function copyFiles(ins: Extract<Instruction, { kind: 'COPY' }>, context: string, config: ImageConfig, file: string): FileTree {
  const fail = (reason: string): never => {
    throw new RingfileError(file, ins.line, ins.column, reason);
  };
  // As a cross-assembler: every extension's instructions assemble, and each executable records
  // the ones it used (EX_ISA), which the step then adds to the config's requirements.
  const isa = isaWith([...EXTENSIONS.keys()]);
  const destText = imagePath(ins.dest, config.config?.WorkingDir);
  const dest = normalizePath(destText, `${file}:${ins.line}:${ins.column}`);
  const intoDir = ins.dest.endsWith('/') || ins.sources.length > 1;
  const out: FileTree = new Map();
  const put = (path: string, node: TreeNode) => {
    if (path === '') fail(`COPY: cannot copy a file onto /`);
    out.set(path, node);
  };
  const addFile = (host: string, name: string, target: string, mode: number) => {
    if (name.endsWith('.s')) {
      const text = readLimited(host, 1 << 20, 'usage').toString('utf8');
      const result = assemble(text, { fileName: host, isa, includeRoot: context, includePath: [USER_PROGRAMS] });
      if (!result.ok) fail(`COPY ${clip(name)}: the assembly failed:\n${result.errors.map(formatAsmError).join('\n')}`);
      try {
        put(target.replace(/\.s$/, ''), { type: 'file', mode: 0o755, data: toExecutable((result as { image: Parameters<typeof toExecutable>[0] }).image, name) });
      } catch (e) {
        if (e instanceof ExecFormatError) fail(`COPY ${clip(name)}: ${e.message}`);
        throw e;
      }
    } else put(target, { type: 'file', mode, data: readLimited(host, 256 << 20, 'usage') });
  };
  for (const source of ins.sources) {
    const host = resolve(context, source);
    if (!isInside(context, host)) fail(`COPY ${clip(source)}: outside the build context ${context}`);
    if (!existsSync(host)) fail(`COPY ${clip(source)}: no such file in the build context ${context}`);
    const st = lstatSync(host);
    const base = posix.basename(source.replace(/\/+$/, ''));
    if (st.isDirectory()) {
      let tree: FileTree;
      try {
        tree = readHostTree(host);
      } catch (e) {
        return fail(`COPY ${clip(source)}: ${messageOf(e)}`);
      }
      for (const [p, node] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const target = dest === '' ? p : `${dest}/${p}`;
        if (node.type === 'file') addFile(join(host, ...p.split('/')), p, target, node.mode);
        else put(target, node);
      }
      if (dest !== '') out.set(dest, { type: 'dir', mode: 0o755 });
    } else if (st.isFile()) {
      const target = intoDir || dest === '' ? (dest === '' ? base : `${dest}/${base}`) : dest;
      addFile(host, base, target, normalMode('file', st.mode));
      if (intoDir && dest !== '') out.set(dest, { type: 'dir', mode: 0o755 });
    } else if (st.isSymbolicLink()) {
      const target = intoDir || dest === '' ? (dest === '' ? base : `${dest}/${base}`) : dest;
      put(target, { type: 'symlink', target: readlinkSync(host) });
    } else fail(`COPY ${clip(source)}: not a file, directory or symbolic link`);
  }
  return out;
}

/** ENV, WORKDIR, CMD, ENTRYPOINT, LABEL, REQUIRES: the config changes, no layer. */
function applyConfigStep(ins: Instruction, config: ImageConfig): void {
  const c = (config.config ??= {});
  switch (ins.kind) {
    case 'ENV': {
      const env = [...(c.Env ?? [])];
      for (const [k, v] of ins.pairs) {
        const i = env.findIndex((e) => e.slice(0, e.indexOf('=')) === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      c.Env = env;
      break;
    }
    case 'LABEL':
      c.Labels = { ...(c.Labels ?? {}), ...Object.fromEntries(ins.pairs) };
      break;
    case 'WORKDIR':
      c.WorkingDir = imagePath(ins.path, c.WorkingDir);
      break;
    case 'CMD':
      c.Cmd = ins.command;
      break;
    case 'ENTRYPOINT':
      c.Entrypoint = ins.command;
      delete c.Cmd; // as docker: a new entrypoint drops the base image's CMD
      break;
    case 'REQUIRES': {
      requireExtensions(config, ins.isa);
      if (ins.kernel.length > 0) config['os.features'] = [...new Set([...(config['os.features'] ?? []), ...ins.kernel])].sort();
      break;
    }
    default:
      break;
  }
}

function cachePath(store: ImageStore, key: Digest): string {
  return join(store.privateDir('build-cache'), hexOf(key));
}

/** A cache entry, if it is there, well-formed and all its blobs are in the store; else a miss. */
function readCache(store: ImageStore, key: Digest): State | undefined {
  const path = cachePath(store, key);
  if (!existsSync(path)) return undefined;
  try {
    const v = parseJson(readFileSync(path), path) as { config?: unknown; layers?: unknown };
    const layers = (Array.isArray(v.layers) ? v.layers : []).map((d, i) => checkDescriptor(d, `${path}: layers[${i}]`));
    const config = parseConfig(canonicalBytes(v.config), path);
    if (!layers.every((l) => store.hasBlob(l.digest))) return undefined;
    if (config.rootfs.diff_ids.length !== layers.length) return undefined;
    return { config, layers };
  } catch {
    return undefined; // a damaged entry is a miss, never trusted
  }
}

function writeCache(store: ImageStore, key: Digest, state: State): void {
  writeAtomic(cachePath(store, key), canonicalBytes(state));
}
