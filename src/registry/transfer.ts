// `ringlab push` and `ringlab pull`: moving an image between the store and a registry, sending
// or fetching only the blobs the other side lacks (HEAD first), and reporting the bytes moved.
//
// Pull puts nothing in the store until everything is verified: the manifest against its digest,
// each blob against its descriptor's size and digest as it streams into a staging directory
// (STORE/ringlab/tmp), the config against the image spec, each new layer's uncompressed digest
// against the config's DiffID. Only then are the blobs moved into blobs/sha256 and the tag set;
// on any failure the staged files are removed.

import { rmSync } from 'node:fs';
import { type Digest } from '../image/digest.js';
import { parseConfig } from '../image/config.js';
import { ImageError } from '../image/errors.js';
import { diffId } from '../image/ids.js';
import { loadImage } from '../image/image.js';
import { layerTar } from '../image/layer.js';
import { manifestBlobs, parseManifest } from '../image/manifest.js';
import { formatReference, parseReference } from '../image/reference.js';
import { readLimited, type ImageStore, MAX_JSON_BYTES } from '../image/store.js';
import { decodeTar } from '../image/tar.js';
import { RegistryClient, stagingName } from './client.js';

export interface TransferReport {
  readonly ref: string;
  readonly manifest: Digest;
  /** Blobs sent or received, and their bytes (the manifest counts as one). */
  readonly blobsMoved: number;
  readonly bytesMoved: number;
  /** Blobs the other side had already (for push, the manifest too when the tag named it). */
  readonly blobsSkipped: number;
}

export async function push(store: ImageStore, client: RegistryClient, text: string): Promise<TransferReport> {
  const ref = parseReference(text);
  if (ref.digest) throw new ImageError(`push takes NAME:TAG, not a digest (${text})`, 'usage');
  const image = loadImage(store, text);
  await client.ping();
  let moved = 0;
  let bytes = 0;
  let skipped = 0;
  for (const d of [...image.manifest.layers.map((l) => l.digest), image.manifest.config.digest]) {
    if (await client.hasBlob(ref.name, d)) {
      skipped++;
      continue;
    }
    const blob = store.readBlob(d);
    await client.pushBlob(ref.name, d, blob);
    moved++;
    bytes += blob.length;
  }
  // The manifest too only when the tag does not name it already.
  const manifest = image.manifestDescriptor.digest;
  if ((await client.hasManifest(ref.name, ref.tag!)) === manifest) return { ref: formatReference(ref), manifest, blobsMoved: moved, bytesMoved: bytes, blobsSkipped: skipped + 1 };
  const manifestBytes = store.readBlob(manifest, { limit: MAX_JSON_BYTES });
  await client.putManifest(ref.name, ref.tag!, manifestBytes);
  return { ref: formatReference(ref), manifest, blobsMoved: moved + 1, bytesMoved: bytes + manifestBytes.length, blobsSkipped: skipped };
}

export async function pull(store: ImageStore, client: RegistryClient, text: string): Promise<TransferReport> {
  const ref = parseReference(text);
  if (ref.digest) throw new ImageError(`pull takes NAME:TAG, not a digest (${text})`, 'usage');
  await client.ping();
  const { bytes: manifestBytes, digest } = await client.getManifest(ref.name, ref.tag!);
  const where = `the manifest ${formatReference(ref)} from ${client.base}`;
  const staged = new Map<Digest, string>();
  const dir = store.privateDir('tmp');
  let moved = 1;
  let bytes = manifestBytes.length;
  let skipped = 0;
  try {
    const manifest = parseManifest(manifestBytes, where);
    for (const d of [manifest.config, ...manifest.layers]) {
      if (store.hasBlob(d.digest) || staged.has(d.digest)) {
        skipped++;
        continue;
      }
      const file = stagingName(dir);
      staged.set(d.digest, file);
      await client.fetchBlob(ref.name, d.digest, d.size, file);
      moved++;
      bytes += d.size;
    }
    const read = (d: Digest, limit?: number) => (staged.has(d) ? readLimited(staged.get(d)!, limit ?? Number.MAX_SAFE_INTEGER) : store.readBlob(d, limit === undefined ? {} : { limit }));
    const config = parseConfig(read(manifest.config.digest, MAX_JSON_BYTES), `the config of ${formatReference(ref)} from ${client.base}`);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) throw new ImageError(`${where}: ${manifest.layers.length} layers, but its config has ${config.rootfs.diff_ids.length} DiffIDs`, 'network');
    manifest.layers.forEach((l, i) => {
      if (!staged.has(l.digest)) return;
      const layerWhere = `layer ${i} (${l.digest}) from ${client.base}`;
      const tar = layerTar(read(l.digest), l.mediaType, layerWhere);
      if (diffId(tar) !== config.rootfs.diff_ids[i]) throw new ImageError(`${layerWhere}: its uncompressed digest is ${diffId(tar)}, but the config's DiffID is ${config.rootfs.diff_ids[i]}`, 'network');
      decodeTar(tar, layerWhere);
    });
    // Everything checked: the blobs, then the manifest, then the tag.
    for (const d of manifestBlobs(manifest)) if (staged.has(d)) store.adoptBlob(staged.get(d)!, d);
    store.putBlob(manifestBytes);
    const name = formatReference(ref);
    store.setTag(name, { mediaType: manifest.mediaType, digest, size: manifestBytes.length });
    return { ref: name, manifest: digest, blobsMoved: moved, bytesMoved: bytes, blobsSkipped: skipped };
  } catch (e) {
    if (e instanceof ImageError && e.kind === 'format') throw new ImageError(e.message, 'network');
    throw e;
  } finally {
    for (const file of staged.values()) rmSync(file, { force: true });
  }
}
