// Images in a store: resolving NAME:TAG to its manifest and config, building the root
// filesystem from its layers, and writing a new image from layers and a config.

import { sha256, type Digest } from './digest.js';
import { ImageError } from './errors.js';
import { chainIds, diffId } from './ids.js';
import { parseConfig, serializeConfig, type ImageConfig } from './config.js';
import { applyLayer, readLayer } from './layer.js';
import { describe, parseManifest, serializeManifest, type Descriptor, type Manifest } from './manifest.js';
import { MEDIA } from './media.js';
import { formatReference, parseReference } from './reference.js';
import { MAX_JSON_BYTES, type ImageStore } from './store.js';
import type { FileTree } from './tree.js';

export interface LoadedImage {
  /** NAME:TAG it was found by, if by a tag. */
  readonly ref?: string;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: Manifest;
  readonly config: ImageConfig;
  readonly configBytes: Buffer;
  /** The image ID: the config's digest. */
  readonly id: Digest;
}

/** The manifest and config a manifest descriptor names, checked. */
export function loadManifest(store: ImageStore, descriptor: Descriptor, ref?: string): LoadedImage {
  const mpath = store.blobPath(descriptor.digest);
  const manifest = parseManifest(store.readBlob(descriptor.digest, { size: descriptor.size, limit: MAX_JSON_BYTES }), mpath);
  const cpath = store.blobPath(manifest.config.digest);
  const configBytes = store.readBlob(manifest.config.digest, { size: manifest.config.size, limit: MAX_JSON_BYTES });
  const config = parseConfig(configBytes, cpath);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError(`${mpath}: the manifest has ${manifest.layers.length} layers but its config's rootfs.diff_ids has ${config.rootfs.diff_ids.length}`);
  }
  return { ...(ref !== undefined && { ref }), manifestDescriptor: descriptor, manifest, config, configBytes, id: manifest.config.digest };
}

/** NAME[:TAG] or NAME@DIGEST in the store; an unknown image is a usage error naming it. */
export function loadImage(store: ImageStore, text: string): LoadedImage {
  const ref = parseReference(text);
  if (ref.digest) {
    if (!store.hasBlob(ref.digest)) throw new ImageError(`no image ${text} in ${store.root}`, 'usage');
    return loadManifest(store, { mediaType: MEDIA.MANIFEST, digest: ref.digest, size: store.readBlob(ref.digest, { limit: MAX_JSON_BYTES }).length });
  }
  const name = formatReference(ref);
  const tag = store.tags().find((t) => t.ref === name);
  if (!tag) throw new ImageError(`no image ${name} in ${store.root} (ringlab image ls lists them)`, 'usage');
  return loadManifest(store, tag.descriptor, name);
}

/** The image's root filesystem: its layers applied in order, each blob checked on the way. */
export function imageRootfs(store: ImageStore, image: LoadedImage): FileTree {
  return layersRootfs(store, image.manifest.layers);
}

/** The root filesystem these layers make, applied in order. */
export function layersRootfs(store: ImageStore, layers: readonly Descriptor[]): FileTree {
  let tree: FileTree = new Map();
  for (const layer of layers) {
    const where = store.blobPath(layer.digest);
    tree = applyLayer(tree, readLayer(store.readBlob(layer.digest, { size: layer.size }), layer.mediaType, where), where);
  }
  return tree;
}

/** Store an uncompressed layer tar; returns its descriptor and DiffID (the same digest here). */
export function storeLayer(store: ImageStore, tar: Uint8Array): { descriptor: Descriptor; diffId: Digest } {
  store.putBlob(tar);
  return { descriptor: describe(MEDIA.LAYER_TAR, tar), diffId: diffId(tar) };
}

/** Write the config and the manifest of an image whose layers are in the store already. */
export function storeImage(store: ImageStore, config: ImageConfig, layers: readonly Descriptor[]): LoadedImage {
  const configBytes = serializeConfig(config);
  store.putBlob(configBytes);
  const manifest: Manifest = { schemaVersion: 2, mediaType: MEDIA.MANIFEST, config: describe(MEDIA.CONFIG, configBytes), layers: [...layers] };
  const manifestBytes = serializeManifest(manifest);
  store.putBlob(manifestBytes);
  return { manifestDescriptor: describe(MEDIA.MANIFEST, manifestBytes), manifest, config, configBytes, id: sha256(configBytes) };
}

/** The identifiers of an image, as `image inspect` and docs/images.md show them. */
export function imageIds(image: LoadedImage): { id: Digest; manifest: Digest; diffIds: Digest[]; chainIds: Digest[] } {
  return { id: image.id, manifest: image.manifestDescriptor.digest, diffIds: image.config.rootfs.diff_ids, chainIds: chainIds(image.config.rootfs.diff_ids) };
}
