// Digests (OCI image spec, descriptor.md "Digests"): `algorithm:encoded`, here always sha256
// with 64 lowercase hex digits, the one algorithm the spec requires implementations to support.
// And canonical JSON: the same value always gives the same bytes, so the same image always gets
// the same digests.

import { createHash } from 'node:crypto';
import { ImageError } from './errors.js';

/** A digest string, `sha256:` and 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

/** descriptor.md's grammar for any digest, and the sha256 rule for its encoded part. */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function sha256(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && SHA256.test(value);
}

/** The digest, or an ImageError saying what is wrong with it (`what` names where it came from). */
export function checkDigest(value: unknown, what: string, kind: 'usage' | 'format' = 'format'): Digest {
  if (isDigest(value)) return value;
  if (typeof value !== 'string') throw new ImageError(`${what}: a digest must be a string, not ${typeof value}`, kind);
  if (DIGEST_GRAMMAR.test(value) && !value.startsWith('sha256:')) throw new ImageError(`${what}: unsupported digest algorithm in '${clip(value)}' (ringlab uses sha256)`, kind);
  throw new ImageError(`${what}: '${clip(value)}' is not a sha256 digest (sha256: and 64 lowercase hex digits)`, kind);
}

/** The hex part of a digest (the blob's file name). */
export function hexOf(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** A value shown in a message, cut short. */
export function clip(text: string, max = 80): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}...` : printable;
}

/** JSON with object keys sorted (by UTF-16 code unit, as JSON.stringify of arrays keeps order) and
 *  no white space: one value, one byte string. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** Parse JSON bytes, or an ImageError naming `where`. */
export function parseJson(bytes: Uint8Array, where: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ImageError(`${where}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ImageError(`${where}: not JSON: ${(e as Error).message}`);
  }
}
