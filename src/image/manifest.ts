// Descriptors, image manifests and image indexes (OCI image spec, descriptor.md, manifest.md,
// image-index.md), written as canonical JSON and read with every field checked.

import { canonicalBytes, checkDigest, clip, parseJson, sha256, type Digest } from './digest.js';
import { ImageError } from './errors.js';
import { LAYER_MEDIA_TYPES, MEDIA } from './media.js';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA.MANIFEST;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The descriptor of a blob. */
export function describe(mediaType: string, bytes: Uint8Array, annotations?: Record<string, string>): Descriptor {
  return { mediaType, digest: sha256(bytes), size: bytes.length, ...(annotations && { annotations }) };
}

export function serializeManifest(manifest: Manifest): Buffer {
  return canonicalBytes(manifest);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function annotations(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isObject(v) || !Object.values(v).every((s) => typeof s === 'string')) throw new ImageError(`${where}: annotations must map strings to strings`);
}

export function checkDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new ImageError(`${where}: a descriptor must be an object`);
  if (typeof v['mediaType'] !== 'string') throw new ImageError(`${where}: mediaType must be a string`);
  checkDigest(v['digest'], `${where}: digest`);
  if (typeof v['size'] !== 'number' || !Number.isSafeInteger(v['size']) || v['size'] < 0) throw new ImageError(`${where}: size must be a non-negative integer`);
  annotations(v['annotations'], where);
  return v as Descriptor;
}

/** A manifest blob's JSON, checked (`where` names the blob). */
export function parseManifest(bytes: Uint8Array, where: string): Manifest {
  const v = parseJson(bytes, where);
  if (!isObject(v)) throw new ImageError(`${where}: the manifest is not a JSON object`);
  if (v['schemaVersion'] !== 2) throw new ImageError(`${where}: schemaVersion must be 2`);
  if (v['mediaType'] !== undefined && v['mediaType'] !== MEDIA.MANIFEST) throw new ImageError(`${where}: mediaType ${clip(String(v['mediaType']))} is not an image manifest (${MEDIA.MANIFEST})`);
  const config = checkDescriptor(v['config'], `${where}: config`);
  if (config.mediaType !== MEDIA.CONFIG) throw new ImageError(`${where}: config.mediaType must be ${MEDIA.CONFIG}`);
  if (!Array.isArray(v['layers'])) throw new ImageError(`${where}: layers must be an array`);
  v['layers'].forEach((l, i) => {
    const d = checkDescriptor(l, `${where}: layers[${i}]`);
    if (!LAYER_MEDIA_TYPES.includes(d.mediaType)) throw new ImageError(`${where}: layers[${i}]: unsupported layer media type '${clip(d.mediaType)}'`);
  });
  annotations(v['annotations'], where);
  return { ...(v as unknown as Manifest), mediaType: MEDIA.MANIFEST };
}

export function parseIndex(bytes: Uint8Array, where: string): Index {
  const v = parseJson(bytes, where);
  if (!isObject(v)) throw new ImageError(`${where}: the index is not a JSON object`);
  if (v['schemaVersion'] !== 2) throw new ImageError(`${where}: schemaVersion must be 2`);
  if (v['mediaType'] !== undefined && v['mediaType'] !== MEDIA.INDEX) throw new ImageError(`${where}: mediaType must be ${MEDIA.INDEX}`);
  if (!Array.isArray(v['manifests'])) throw new ImageError(`${where}: manifests must be an array`);
  v['manifests'].forEach((m, i) => checkDescriptor(m, `${where}: manifests[${i}]`));
  annotations(v['annotations'], where);
  return v as unknown as Index;
}

export function serializeIndex(manifests: readonly Descriptor[]): Buffer {
  return canonicalBytes({ schemaVersion: 2, mediaType: MEDIA.INDEX, manifests });
}

/** The digests a manifest refers to: its config, then its layers. */
export function manifestBlobs(m: Manifest): Digest[] {
  return [m.config.digest, ...m.layers.map((l) => l.digest)];
}
