// `ringlab image ls|inspect|history|rm|tag|export|import|build`: the image store on the host
// (src/image, docs/images.md). Every command opens the store named by --store, RINGLAB_STORE or
// ~/.ringlab/images; the library's ImageErrors become CliErrors here (imageCli), with the exit
// code of their kind.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage } from '../../image/build.js';
import { ImageError } from '../../image/errors.js';
import { StepExitError } from '../../image/run.js';
import { guestRunStep } from '../../container/run.js';
import { BootError } from '../../configs/types.js';
import { imageIds, loadImage, type LoadedImage } from '../../image/image.js';
import { chainIds } from '../../image/ids.js';
import { exportImages, importLayout } from '../../image/layout.js';
import { formatReference, parseReference } from '../../image/reference.js';
import { defaultStoreDir, ImageStore } from '../../image/store.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { readText } from '../load.js';

export interface StoreOptions {
  store?: string;
}

const EXIT_OF_KIND = { usage: ExitCode.USAGE, format: ExitCode.ASSEMBLY, network: ExitCode.REGISTRY, guest: ExitCode.GUEST } as const;

/** An ImageError as the CLI reports it; a container's command that failed (a RUN step) exits
 *  with the command's own code. */
export function cliErrorOf(e: unknown): unknown {
  if (e instanceof StepExitError) return new CliError(e.message, e.exitCode);
  if (e instanceof BootError) return new CliError(e.message, ExitCode.USAGE);
  return e instanceof ImageError ? new CliError(e.message, EXIT_OF_KIND[e.kind]) : e;
}

/** Run a command's body, turning ImageErrors into CliErrors. */
export function imageCli<T>(body: () => T): T {
  try {
    const out = body();
    if (out instanceof Promise) return out.catch((e: unknown) => Promise.reject(cliErrorOf(e))) as T;
    return out;
  } catch (e) {
    throw cliErrorOf(e);
  }
}

export function openStore(opts: StoreOptions): ImageStore {
  return ImageStore.open(opts.store ?? defaultStoreDir());
}

const short = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 12);

/** Bytes of an image: its config and layers (shared blobs counted in each image). */
function imageSize(image: LoadedImage): number {
  return image.manifest.config.size + image.manifest.layers.reduce((n, l) => n + l.size, 0);
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)}MiB`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function lsCommand(opts: StoreOptions & { json?: boolean }): number {
  return imageCli(() => {
    const store = openStore(opts);
    const images = store.tags().map((t) => loadImage(store, t.ref));
    if (opts.json) {
      io.stdout.write(`${JSON.stringify(images.map((i) => ({ ref: i.ref, id: i.id, manifest: i.manifestDescriptor.digest, layers: i.manifest.layers.length, size: imageSize(i) })), null, 2)}\n`);
      return ExitCode.OK;
    }
    const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'LAYERS', 'SIZE']];
    for (const i of images) {
      const ref = parseReference(i.ref!);
      rows.push([ref.name, ref.tag!, short(i.id), String(i.manifest.layers.length), human(imageSize(i))]);
    }
    io.stdout.write(table(rows));
    return ExitCode.OK;
  });
}

export function inspectCommand(refs: string[], opts: StoreOptions): number {
  return imageCli(() => {
    const store = openStore(opts);
    const out = refs.map((r) => {
      const image = loadImage(store, r);
      const ids = imageIds(image);
      const chains = chainIds(ids.diffIds);
      return {
        Ref: image.ref ?? r,
        Id: image.id,
        ManifestDigest: ids.manifest,
        Architecture: image.config.architecture,
        Os: image.config.os,
        ...(image.config['os.features'] && { OsFeatures: image.config['os.features'] }),
        Config: image.config.config ?? {},
        RootFS: { Type: 'layers', Layers: ids.diffIds },
        Layers: image.manifest.layers.map((l, i) => ({ Digest: l.digest, MediaType: l.mediaType, Size: l.size, DiffID: ids.diffIds[i], ChainID: chains[i] })),
        Size: imageSize(image),
      };
    });
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return ExitCode.OK;
  });
}

export function historyCommand(ref: string, opts: StoreOptions & { json?: boolean }): number {
  return imageCli(() => {
    const image = loadImage(openStore(opts), ref);
    const history = image.config.history ?? [];
    let layer = 0;
    const steps = history.map((h) => {
      const l = h.empty_layer ? undefined : image.manifest.layers[layer++];
      return { createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true, ...(l && { layer: l.digest, size: l.size }), ...(h.comment !== undefined && { comment: h.comment }) };
    });
    if (opts.json) {
      io.stdout.write(`${JSON.stringify(steps, null, 2)}\n`);
      return ExitCode.OK;
    }
    const rows = [['LAYER', 'SIZE', 'CREATED BY']];
    for (const s of [...steps].reverse()) rows.push([s.layer ? short(s.layer) : '<empty>', s.layer ? human(s.size!) : '0B', s.createdBy.replace(/\n/g, ' ')]);
    io.stdout.write(table(rows));
    return ExitCode.OK;
  });
}

export function rmCommand(refs: string[], opts: StoreOptions): number {
  return imageCli(() => {
    const store = openStore(opts);
    for (const r of refs) {
      const name = formatReference(parseReference(r));
      if (!store.removeTag(name)) throw new ImageError(`no image ${name} in ${store.root}`, 'usage');
      io.stdout.write(`Untagged: ${name}\n`);
    }
    const removed = store.collectGarbage();
    io.stdout.write(`Deleted: ${removed} blob${removed === 1 ? '' : 's'} no image refers to\n`);
    return ExitCode.OK;
  });
}

export function tagCommand(source: string, target: string, opts: StoreOptions): number {
  return imageCli(() => {
    const store = openStore(opts);
    const image = loadImage(store, source);
    const name = formatReference(parseReference(target));
    if (parseReference(target).digest) throw new ImageError(`a tag is NAME:TAG, not a digest: ${target}`, 'usage');
    store.setTag(name, image.manifestDescriptor);
    return ExitCode.OK;
  });
}

export function exportCommand(refs: string[], opts: StoreOptions & { output: string }): number {
  return imageCli(() => {
    const n = exportImages(openStore(opts), refs, opts.output);
    io.stdout.write(`${opts.output}: an OCI image layout with ${refs.length} image${refs.length === 1 ? '' : 's'}, ${n} blobs\n`);
    return ExitCode.OK;
  });
}

export function importCommand(dir: string, opts: StoreOptions): number {
  return imageCli(() => {
    const { refs, newBlobs } = importLayout(openStore(opts), dir);
    for (const r of refs) io.stdout.write(`Imported: ${r}\n`);
    io.stdout.write(`${newBlobs} new blob${newBlobs === 1 ? '' : 's'}\n`);
    return ExitCode.OK;
  });
}

export interface BuildCliOptions extends StoreOptions {
  tag: string;
  file?: string;
  cache?: boolean;
  quiet?: boolean;
}

/** `image build -t NAME:TAG [-f Ringfile] DIR`: progress per step on stdout, the image ID last. */
export function buildCommand(dir: string, opts: BuildCliOptions): number {
  return imageCli(() => {
    const ringfile = opts.file ?? join(dir, 'Ringfile');
    let text: string;
    try {
      text = readText(ringfile, 'Ringfiles');
    } catch (e) {
      throw e instanceof CliError && !existsSync(ringfile) ? new CliError(`${ringfile}: no Ringfile (give one with -f)`, ExitCode.USAGE) : e;
    }
    let result: ReturnType<typeof buildImage>;
    try {
      result = buildImage({
        store: openStore(opts),
        context: dir,
        ringfile: text,
        ringfileName: ringfile,
        tag: opts.tag,
        noCache: opts.cache === false,
        runStep: guestRunStep(),
        ...(!opts.quiet && { log: (line: string) => io.stdout.write(`${line}\n`) }),
      });
    } catch (e) {
      // A failing RUN's output: printed with the steps, or (with -q) here, before its error.
      if (e instanceof StepExitError && opts.quiet && e.output !== '') io.stderr.write(e.output);
      throw e;
    }
    if (opts.quiet) io.stdout.write(`${result.image.id}\n`);
    return ExitCode.OK;
  });
}
