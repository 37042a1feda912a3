// The image store on the host: a directory that IS an OCI image layout (image-layout.md):
//
//   STORE/oci-layout              {"imageLayoutVersion":"1.0.0"}
//   STORE/index.json              an image index: one manifest descriptor per tag, its
//                                 org.opencontainers.image.ref.name annotation NAME:TAG
//   STORE/blobs/sha256/HEX        every manifest, config and layer, named by its digest, stored
//                                 once however many images share it
//   STORE/ringlab/                ringlab's own: the build cache and temporary files (OCI
//                                 tools ignore it)
//
// Every write is a temporary file renamed into place, so a store is never half-written; every
// blob read is checked against its digest, so a tampered blob is refused; every JSON file is
// checked field by field, so a damaged store gives an ImageError naming the file, never a crash.

import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { canonicalBytes, clip, hexOf, isDigest, parseJson, sha256, type Digest } from './digest.js';
import { ImageError, messageOf } from './errors.js';
import { writeFileAtomic } from '../asm/files.js';
import { manifestBlobs, parseIndex, parseManifest, serializeIndex, type Descriptor, type Index } from './manifest.js';
import { MEDIA, REF_NAME } from './media.js';
import { formatReference, parseReference } from './reference.js';

export const LAYOUT_VERSION = '1.0.0';
/** The largest blob read or accepted (a layer of the guest's largest disk, with its headers). */
export const MAX_BLOB_BYTES = 320 << 20;
/** The largest JSON document (index, manifest, config) read or accepted. */
export const MAX_JSON_BYTES = 4 << 20;

/** The store used when neither --store nor RINGLAB_STORE names one. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['RINGLAB_STORE'] || join(homedir(), '.ringlab', 'images');
}

/** Write a file by renaming a temporary file over it (never half-written): the assembler's
 *  writeFileAtomic, its failure as the store's error. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    throw new ImageError(`cannot write ${path}: ${messageOf(e)}`, 'usage');
  }
}

/** A regular file's bytes, at most `limit`, or an ImageError naming it. */
export function readLimited(path: string, limit: number, kind: 'format' | 'usage' = 'format'): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ImageError(`${path}: not a regular file`, kind);
    size = st.size;
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : messageOf(e)}`, kind);
  }
  if (size > limit) throw new ImageError(`${path}: ${size} bytes, more than the ${limit}-byte limit`, kind);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ImageError(`${path}: ${messageOf(e)}`, kind);
  }
}

export interface TagEntry {
  /** NAME:TAG */
  readonly ref: string;
  readonly descriptor: Descriptor;
}

export class ImageStore {
  private constructor(readonly root: string) {}

  /** The store at `root`, made (an empty layout) if the directory is missing or empty. A
   *  directory that is not a layout is refused. */
  static open(root: string): ImageStore {
    const dir = resolve(root);
    const store = new ImageStore(dir);
    let fresh = !existsSync(dir);
    if (!fresh) {
      try {
        if (!statSync(dir).isDirectory()) throw new ImageError(`${dir}: the image store is not a directory`, 'usage');
        fresh = readdirSync(dir).length === 0;
      } catch (e) {
        if (e instanceof ImageError) throw e;
        throw new ImageError(`${dir}: ${messageOf(e)}`, 'usage');
      }
    }
    if (fresh) {
      try {
        mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
      } catch (e) {
        throw new ImageError(`cannot make the image store ${dir}: ${messageOf(e)}`, 'usage');
      }
      writeAtomic(join(dir, 'oci-layout'), canonicalBytes({ imageLayoutVersion: LAYOUT_VERSION }));
      writeAtomic(join(dir, 'index.json'), serializeIndex([]));
    }
    checkLayoutFile(join(dir, 'oci-layout'));
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    return store;
  }

  /** An existing layout, read as it is (never made, never changed here): import's source. */
  static existing(root: string): ImageStore {
    const dir = resolve(root);
    checkLayoutFile(join(dir, 'oci-layout'));
    return new ImageStore(dir);
  }

  blobPath(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', hexOf(digest));
  }

  /** ringlab's own directory in the store (build cache, staging). */
  privateDir(...parts: string[]): string {
    const dir = join(this.root, 'ringlab', ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  hasBlob(digest: Digest): boolean {
    try {
      return lstatSync(this.blobPath(digest)).isFile();
    } catch {
      return false;
    }
  }

  /** Store bytes as a blob (once: a blob already there is kept) and return its digest. */
  putBlob(bytes: Uint8Array): Digest {
    const digest = sha256(bytes);
    if (!this.hasBlob(digest)) writeAtomic(this.blobPath(digest), bytes);
    return digest;
  }

  /** Move a file whose digest the caller has verified into the blobs (pull's staging). */
  adoptBlob(path: string, digest: Digest): void {
    if (this.hasBlob(digest)) return void rmSync(path, { force: true });
    try {
      renameSync(path, this.blobPath(digest));
    } catch (e) {
      throw new ImageError(`cannot store blob ${digest}: ${messageOf(e)}`, 'usage');
    }
  }

  /** A blob's bytes, checked against its digest (and size, when the descriptor gives one). */
  readBlob(digest: Digest, options: { size?: number; limit?: number } = {}): Buffer {
    const path = this.blobPath(digest);
    const bytes = readLimited(path, options.limit ?? MAX_BLOB_BYTES);
    if (options.size !== undefined && bytes.length !== options.size) throw new ImageError(`${path}: ${bytes.length} bytes, but its descriptor says ${options.size}`);
    const actual = sha256(bytes);
    if (actual !== digest) throw new ImageError(`${path}: the blob has been tampered with or damaged: its content's digest is ${actual}`);
    return bytes;
  }

  readIndex(): Index {
    const path = join(this.root, 'index.json');
    return parseIndex(readLimited(path, MAX_JSON_BYTES), path);
  }

  /** The tags, sorted by NAME:TAG. Descriptors without a ref.name are kept but not listed. */
  tags(): TagEntry[] {
    const path = join(this.root, 'index.json');
    const out: TagEntry[] = [];
    this.readIndex().manifests.forEach((d, i) => {
      const ref = d.annotations?.[REF_NAME];
      if (ref === undefined) return;
      if (d.mediaType !== MEDIA.MANIFEST) throw new ImageError(`${path}: manifests[${i}] (${clip(ref)}) is a ${clip(d.mediaType)}, not an image manifest`);
      try {
        out.push({ ref: formatReference(parseReference(ref)), descriptor: d });
      } catch (e) {
        throw new ImageError(`${path}: manifests[${i}]: ${messageOf(e)}`);
      }
    });
    return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  /** Point NAME:TAG at a manifest (replacing what it named). */
  setTag(ref: string, manifest: Descriptor): void {
    const name = formatReference(parseReference(ref));
    const kept = this.readIndex().manifests.filter((d) => d.annotations?.[REF_NAME] === undefined || formatReference(parseReference(d.annotations[REF_NAME])) !== name);
    const entry: Descriptor = { mediaType: MEDIA.MANIFEST, digest: manifest.digest, size: manifest.size, annotations: { [REF_NAME]: name } };
    this.writeIndex([...kept, entry]);
  }

  /** Remove a tag; false if there was none. */
  removeTag(ref: string): boolean {
    const name = formatReference(parseReference(ref));
    const all = this.readIndex().manifests;
    const kept = all.filter((d) => d.annotations?.[REF_NAME] === undefined || formatReference(parseReference(d.annotations[REF_NAME])) !== name);
    if (kept.length === all.length) return false;
    this.writeIndex(kept);
    return true;
  }

  private writeIndex(manifests: Descriptor[]): void {
    const sorted = [...manifests].sort((a, b) => {
      const x = a.annotations?.[REF_NAME] ?? a.digest;
      const y = b.annotations?.[REF_NAME] ?? b.digest;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    writeAtomic(join(this.root, 'index.json'), serializeIndex(sorted));
  }

  /** Every blob file's digest (files with other names are ignored). */
  blobDigests(): Digest[] {
    const dir = join(this.root, 'blobs', 'sha256');
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.map((n) => `sha256:${n}`).filter(isDigest);
  }

  /** Delete the blobs no tagged manifest (nor `keep`) refers to; returns how many. A manifest that
   *  cannot be read keeps the blobs it might name: nothing is deleted then. */
  collectGarbage(keep: Iterable<Digest> = []): number {
    const live = new Set<Digest>(keep);
    for (const d of this.readIndex().manifests) {
      live.add(d.digest);
      try {
        for (const b of manifestBlobs(parseManifest(this.readBlob(d.digest, { limit: MAX_JSON_BYTES }), this.blobPath(d.digest)))) live.add(b);
      } catch (e) {
        throw new ImageError(`${messageOf(e)}; nothing was deleted`);
      }
    }
    let removed = 0;
    for (const d of this.blobDigests()) {
      if (live.has(d)) continue;
      rmSync(this.blobPath(d), { force: true });
      removed++;
    }
    return removed;
  }
}

function checkLayoutFile(path: string): void {
  const v = parseJson(readLimited(path, MAX_JSON_BYTES), path) as { imageLayoutVersion?: unknown } | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ImageError(`${path}: not a JSON object`);
  if (typeof v.imageLayoutVersion !== 'string') throw new ImageError(`${path}: imageLayoutVersion is missing`);
  if (!v.imageLayoutVersion.startsWith('1.')) throw new ImageError(`${path}: image layout version ${clip(v.imageLayoutVersion)} is not supported (ringlab reads 1.x)`);
}

export { checkLayoutFile };
