// The registry client behind `ringlab push` and `ringlab pull`: the OCI distribution API over
// node's fetch. Every answer is checked: a registry that is down, times out, answers with an
// error body or with something that is not the API gives an ImageError of kind 'network' that
// says which; what it sends is verified (digests, sizes) before anything enters the store.

import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { clip, isDigest, sha256, type Digest } from '../image/digest.js';
import { ImageError, messageOf } from '../image/errors.js';
import { MEDIA } from '../image/media.js';
import { MAX_BLOB_BYTES, MAX_JSON_BYTES } from '../image/store.js';

export interface ClientOptions {
  /** Milliseconds one request may take (default 60 s). */
  timeoutMs?: number;
  /** Blobs larger than this are sent in chunks of this size (PATCH); smaller ones in one PUT. */
  chunkBytes?: number;
}

export const DEFAULT_REGISTRY = 'http://localhost:5000';
export const DEFAULT_CHUNK_BYTES = 1 << 20;

export class RegistryClient {
  readonly base: string;
  private readonly timeoutMs: number;
  readonly chunkBytes: number;

  constructor(url: string, options: ClientOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ImageError(`--registry ${clip(url)}: not a URL (e.g. ${DEFAULT_REGISTRY})`, 'usage');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ImageError(`--registry ${clip(url)}: not an http or https URL`, 'usage');
    this.base = parsed.origin;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  private async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Uint8Array } = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    try {
      return await fetch(url, { method, headers: init.headers ?? {}, ...(init.body && { body: init.body }), redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? messageOf(e);
      throw new ImageError(`cannot reach the registry at ${this.base} (${method} ${clip(path, 120)}): ${why}`, 'network');
    }
  }

  /** An error for an answer the client did not expect, with the registry's own error if it sent one. */
  private async refused(res: Response, what: string): Promise<ImageError> {
    let detail = `HTTP ${res.status}`;
    try {
      const text = await readLimited(res, 64 * 1024, what, this.base);
      const body = JSON.parse(text.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
      const first = body.errors?.[0];
      if (first && typeof first.code === 'string') detail += ` ${first.code}${typeof first.message === 'string' ? `: ${clip(first.message, 200)}` : ''}`;
    } catch {
      /* no spec error body */
    }
    return new ImageError(`the registry at ${this.base} refused ${what}: ${detail}`, 'network');
  }

  /** GET /v2/: is this an OCI registry? */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/');
    await res.body?.cancel();
    if (res.status !== 200) throw new ImageError(`${this.base} is not an OCI registry: GET /v2/ answered HTTP ${res.status}`, 'network');
  }

  async hasBlob(name: string, digest: Digest): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${name}/blobs/${digest}`);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.refused(res, `HEAD of blob ${digest}`);
  }

  async hasManifest(name: string, reference: string): Promise<Digest | undefined> {
    const res = await this.request('HEAD', `/v2/${name}/manifests/${reference}`, { headers: { Accept: MEDIA.MANIFEST } });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await this.refused(res, `HEAD of manifest ${reference}`);
    const d = res.headers.get('docker-content-digest');
    return isDigest(d) ? d : undefined;
  }

  /** Try a cross-repository mount; true when the registry mounted it (201). */
  async mountBlob(name: string, digest: Digest, from: string): Promise<boolean> {
    const res = await this.request('POST', `/v2/${name}/blobs/uploads/?mount=${digest}&from=${encodeURIComponent(from)}`);
    await res.body?.cancel();
    if (res.status === 201) return true;
    if (res.status === 202) {
      const loc = res.headers.get('location');
      if (loc) await (await this.request('DELETE', this.resolve(loc))).body?.cancel();
      return false;
    }
    throw await this.refused(res, `the mount of ${digest} from ${from}`);
  }

  private resolve(location: string): string {
    try {
      return new URL(location, this.base).toString();
    } catch {
      throw new ImageError(`the registry at ${this.base} answered with a bad Location: ${clip(location)}`, 'network');
    }
  }

  /** Upload a blob: one POST for a session, PATCH chunks when it is larger than chunkBytes,
   *  then PUT ?digest= (with the whole blob when it is small: a monolithic upload). */
  async pushBlob(name: string, digest: Digest, bytes: Uint8Array): Promise<void> {
    const start = await this.request('POST', `/v2/${name}/blobs/uploads/`);
    await start.body?.cancel();
    if (start.status !== 202) throw await this.refused(start, `the upload of ${digest}`);
    let location = start.headers.get('location');
    if (!location) throw new ImageError(`the registry at ${this.base} started an upload without a Location`, 'network');
    let offset = 0;
    if (bytes.length > this.chunkBytes) {
      for (; offset < bytes.length; offset += this.chunkBytes) {
        const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + this.chunkBytes));
        const res = await this.request('PATCH', this.resolve(location), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}`, 'Content-Length': String(chunk.length) }, body: chunk });
        await res.body?.cancel();
        if (res.status !== 202) throw await this.refused(res, `a chunk of ${digest}`);
        location = res.headers.get('location') ?? location;
      }
    }
    const url = new URL(this.resolve(location));
    url.searchParams.set('digest', digest);
    const rest = bytes.subarray(offset);
    const res = await this.request('PUT', url.toString(), { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(rest.length) }, body: rest });
    await res.body?.cancel();
    if (res.status !== 201) throw await this.refused(res, `the upload of ${digest}`);
  }

  async putManifest(name: string, reference: string, bytes: Uint8Array): Promise<Digest> {
    const res = await this.request('PUT', `/v2/${name}/manifests/${reference}`, { headers: { 'Content-Type': MEDIA.MANIFEST }, body: bytes });
    await res.body?.cancel();
    if (res.status !== 201) throw await this.refused(res, `the manifest ${name}:${reference}`);
    return sha256(bytes);
  }

  /** The manifest's bytes and digest, checked against the digest the registry says and, for a
   *  digest reference, the one asked for. */
  async getManifest(name: string, reference: string): Promise<{ bytes: Buffer; digest: Digest }> {
    const res = await this.request('GET', `/v2/${name}/manifests/${reference}`, { headers: { Accept: MEDIA.MANIFEST } });
    if (res.status === 404) {
      const e = await this.refused(res, `the manifest ${name}:${reference}`);
      throw new ImageError(`no image ${name}:${reference} in the registry at ${this.base} (${e.message.replace(/^.*refused [^:]*: /, '')})`, 'usage');
    }
    if (res.status !== 200) throw await this.refused(res, `the manifest ${name}:${reference}`);
    const bytes = await readLimited(res, MAX_JSON_BYTES, `the manifest ${name}:${reference}`, this.base);
    const digest = sha256(bytes);
    const said = res.headers.get('docker-content-digest');
    if (said !== null && said !== digest) throw new ImageError(`the registry at ${this.base} sent a manifest whose digest is ${digest}, not the ${clip(said)} it said`, 'network');
    if (isDigest(reference) && reference !== digest) throw new ImageError(`the registry at ${this.base} sent a manifest whose digest is ${digest}, not ${reference}`, 'network');
    return { bytes, digest };
  }

  /** Download a blob to `file`, checking its size and digest on the way; the file is removed
   *  when anything is wrong. */
  async fetchBlob(name: string, digest: Digest, size: number, file: string): Promise<void> {
    if (size > MAX_BLOB_BYTES) throw new ImageError(`blob ${digest} is ${size} bytes, more than the ${MAX_BLOB_BYTES}-byte limit`, 'network');
    const res = await this.request('GET', `/v2/${name}/blobs/${digest}`);
    if (res.status !== 200) throw await this.refused(res, `blob ${digest}`);
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    let total = 0;
    try {
      if (!res.body) throw new ImageError(`the registry at ${this.base} sent no body for blob ${digest}`, 'network');
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > size) throw new ImageError(`the registry at ${this.base} sent more than the ${size} bytes of blob ${digest}`, 'network');
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      if (total !== size) throw new ImageError(`the registry at ${this.base} sent ${total} bytes of blob ${digest}, not ${size}`, 'network');
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest) throw new ImageError(`the registry at ${this.base} sent blob ${digest} with the wrong content: its digest is ${actual}`, 'network');
    } catch (e) {
      // Wait for the stream to close (its file is opened asynchronously), then remove the file.
      await new Promise<void>((resolve) => {
        if (out.closed) return resolve();
        out.once('close', () => resolve());
        out.destroy();
      });
      rmSync(file, { force: true });
      if (e instanceof ImageError) throw e;
      throw new ImageError(`the download of blob ${digest} from ${this.base} failed: ${messageOf(e)}`, 'network');
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/** A response body of at most `limit` bytes. */
async function readLimited(res: Response, limit: number, what: string, base: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (!res.body) return Buffer.alloc(0);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > limit) throw new ImageError(`the registry at ${base} sent more than ${limit} bytes for ${what}`, 'network');
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(`reading ${what} from ${base} failed: ${messageOf(e)}`, 'network');
  }
  return Buffer.concat(chunks);
}

/** A temporary file name in `dir`. */
export function stagingName(dir: string): string {
  return join(dir, `${randomBytes(8).toString('hex')}.part`);
}
