// Moving images between stores as OCI image layout directories: export (the images and the
// blobs they need, nothing else), the structural check of a layout (image-layout.md: oci-layout,
// index.json, every blob present, of its descriptor's size and digest, every manifest and config
// well-formed, every layer's uncompressed digest its DiffID) and import (check first, then copy
// the blobs, then the tags: a layout that fails the check changes nothing).

import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Digest } from './digest.js';
import { ImageError, messageOf } from './errors.js';
import { diffId } from './ids.js';
import { loadImage, loadManifest, type LoadedImage } from './image.js';
import { layerTar } from './layer.js';
import { decodeTar } from './tar.js';
import { manifestBlobs, serializeIndex, type Descriptor } from './manifest.js';
import { MEDIA, REF_NAME } from './media.js';
import { ImageStore, writeAtomic } from './store.js';

export interface LayoutCheck {
  readonly problems: string[];
  /** The tagged images that passed (NAME:TAG and their manifest descriptor). */
  readonly images: { ref: string; descriptor: Descriptor }[];
}

/** The structural check of the layout at `dir`; never throws for what the directory holds. */
export function checkLayout(dir: string): LayoutCheck {
  const problems: string[] = [];
  const images: LayoutCheck['images'] = [];
  let store: ImageStore;
  try {
    store = ImageStore.existing(dir);
    if (!existsSync(join(store.root, 'blobs'))) problems.push(`${join(store.root, 'blobs')}: missing`);
    const tags = store.tags();
    if (store.readIndex().manifests.length === 0) problems.push(`${join(store.root, 'index.json')}: no images`);
    for (const tag of tags) {
      try {
        const image = loadManifest(store, tag.descriptor, tag.ref);
        checkLayers(store, image);
        images.push(tag);
      } catch (e) {
        problems.push(`${tag.ref}: ${messageOf(e)}`);
      }
    }
  } catch (e) {
    problems.push(messageOf(e));
  }
  return { problems, images };
}

/** Each layer blob present, of its size and digest, a tar whose digest is its DiffID. */
function checkLayers(store: ImageStore, image: LoadedImage): void {
  image.manifest.layers.forEach((layer, i) => {
    const where = store.blobPath(layer.digest);
    const tar = layerTar(store.readBlob(layer.digest, { size: layer.size }), layer.mediaType, where);
    const id = diffId(tar);
    if (id !== image.config.rootfs.diff_ids[i]) throw new ImageError(`${where}: layer ${i}'s uncompressed digest is ${id}, but the config's rootfs.diff_ids[${i}] is ${image.config.rootfs.diff_ids[i]}`);
    decodeTar(tar, where);
  });
}

/** Write the images named (NAME[:TAG]) as a new layout directory `dir` (which must not exist or
 *  be empty); it appears whole or not at all. Returns the number of blobs written. */
export function exportImages(store: ImageStore, refs: readonly string[], dir: string): number {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) throw new ImageError(`${target}: exists and is not empty`, 'usage');
  const images = refs.map((r) => {
    if (r.includes('@')) throw new ImageError(`export takes NAME:TAG, not a digest (${r}): tag the image first`, 'usage');
    return loadImage(store, r);
  });
  const temp = join(dirname(target), `.${randomBytes(4).toString('hex')}.ringlab-export.tmp`);
  try {
    const out = ImageStore.open(temp);
    const written = new Set<Digest>();
    const manifests: Descriptor[] = [];
    for (const image of images) {
      for (const d of [image.manifestDescriptor.digest, ...manifestBlobs(image.manifest)]) {
        if (written.has(d)) continue;
        out.putBlob(store.readBlob(d));
        written.add(d);
      }
      manifests.push({ mediaType: MEDIA.MANIFEST, digest: image.manifestDescriptor.digest, size: image.manifestDescriptor.size, annotations: { [REF_NAME]: image.ref! } });
    }
    writeAtomic(join(temp, 'index.json'), serializeIndex(manifests));
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(temp, target);
    return written.size;
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    if (e instanceof ImageError) throw e;
    throw new ImageError(`cannot export to ${target}: ${messageOf(e)}`, 'usage');
  }
}

/** Import every tagged image of the layout at `dir` into the store, after the structural check.
 *  Returns the NAME:TAGs imported and how many blobs were new. */
export function importLayout(store: ImageStore, dir: string): { refs: string[]; newBlobs: number } {
  const check = checkLayout(dir);
  if (check.problems.length > 0) throw new ImageError(`${resolve(dir)} is not a valid OCI image layout:\n  ${check.problems.slice(0, 20).join('\n  ')}`);
  const source = ImageStore.existing(dir);
  let newBlobs = 0;
  for (const { descriptor } of check.images) {
    const image = loadManifest(source, descriptor);
    for (const d of [descriptor.digest, ...manifestBlobs(image.manifest)]) {
      if (store.hasBlob(d)) continue;
      store.putBlob(source.readBlob(d));
      newBlobs++;
    }
  }
  for (const { ref, descriptor } of check.images) store.setTag(ref, descriptor);
  return { refs: check.images.map((i) => i.ref), newBlobs };
}
