// `ringlab registry serve`: the pull and push routes of the OCI distribution API (spec.md) over
// node's http module:
//
//   GET|HEAD   /v2/                                   the API is here (200 {})
//   GET|HEAD   /v2/NAME/manifests/REF                 REF: a tag or a digest
//   PUT        /v2/NAME/manifests/REF                 its blobs must be in NAME already
//   DELETE     /v2/NAME/manifests/REF                 a digest (the manifest and its tags) or a tag
//   GET|HEAD   /v2/NAME/blobs/DIGEST
//   DELETE     /v2/NAME/blobs/DIGEST                  unlinks it from NAME
//   POST       /v2/NAME/blobs/uploads/                a session (202 + Location); ?digest=D with
//                                                    the body: monolithic (201); ?mount=D&from=N:
//                                                    cross-repository mount (201, or a session)
//   PATCH      /v2/NAME/blobs/uploads/UUID            a chunk (Content-Range start-end, in order)
//   PUT        /v2/NAME/blobs/uploads/UUID?digest=D   the last chunk (optional), then verify
//   GET|DELETE /v2/NAME/blobs/uploads/UUID            status / cancel
//   GET        /v2/NAME/tags/list[?n=N&last=T]
//
// Every digest received is verified against the bytes (DIGEST_INVALID otherwise); bodies are
// streamed to disk and hashed on the way, never held in memory, except manifests (at most
// `limits.manifestBytes`); blobs are at most `limits.blobBytes`, open upload sessions at most
// `limits.uploads`. Errors are the spec's JSON error bodies with its codes.

import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDigest, sha256, type Digest } from '../image/digest.js';
import { ImageError } from '../image/errors.js';
import { parseManifest, manifestBlobs } from '../image/manifest.js';
import { MEDIA } from '../image/media.js';
import { NAME_PATTERN, MAX_NAME_LENGTH, TAG_PATTERN } from '../image/reference.js';
import { MAX_BLOB_BYTES, MAX_JSON_BYTES } from '../image/store.js';
import { RegistryHttpError } from './errors.js';
import { RegistryStorage } from './storage.js';

export interface RegistryLimits {
  /** Bytes of one manifest (the spec asks registries to accept at least 4 MiB). */
  manifestBytes: number;
  /** Bytes of one blob. */
  blobBytes: number;
  /** Open upload sessions at once. */
  uploads: number;
  /** Milliseconds after which an idle upload session may be dropped to make room for a new one. */
  uploadIdleMs: number;
}

export const DEFAULT_LIMITS: RegistryLimits = { manifestBytes: MAX_JSON_BYTES, blobBytes: MAX_BLOB_BYTES, uploads: 64, uploadIdleMs: 10 * 60_000 };

export interface RegistryOptions {
  root: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  limits?: Partial<RegistryLimits>;
  /** One line per request (method, path, status). */
  log?: (line: string) => void;
}

export interface RunningRegistry {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

interface Upload {
  readonly name: string;
  readonly hash: Hash;
  size: number;
  busy: boolean;
  /** When a request last touched it (Date.now()). */
  touched: number;
}

/** A path segment, %-decoded; a malformed escape is the client's error. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RegistryHttpError(400, 'UNSUPPORTED', 'a malformed %-escape in the path');
  }
}

/** Bytes of a refused body read and dropped before the connection is closed. */
const DISCARD_LIMIT = 8 << 20;

const API_VERSION = { 'Docker-Distribution-API-Version': 'registry/2.0' };

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const storage = new RegistryStorage(options.root);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const uploads = new Map<string, Upload>();
  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => options.log?.(`${req.method} ${req.url} ${status}`),
      (e: unknown) => {
        const err = e instanceof RegistryHttpError ? e : new RegistryHttpError(500, 'UNSUPPORTED', `internal error: ${e instanceof Error ? e.message : String(e)}`);
        options.log?.(`${req.method} ${req.url} ${err.status} ${err.code}`);
        if (res.headersSent) return void res.destroy();
        const body = err.body();
        res.writeHead(err.status, { ...API_VERSION, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(err.status === 413 && { Connection: 'close' }) });
        res.end(req.method === 'HEAD' ? undefined : body);
        // The rest of a refused body is read and dropped, so the client sees the answer; a client
        // that keeps sending more than DISCARD_LIMIT loses its connection.
        if (!req.complete) {
          let dropped = 0;
          req.removeAllListeners('data');
          req.on('data', (chunk: Buffer) => {
            dropped += chunk.length;
            if (dropped > DISCARD_LIMIT) req.socket.destroy();
          });
          req.resume();
        }
      },
    );
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 10 * 60_000;

  const send = (res: ServerResponse, status: number, headers: Record<string, string | number>, body?: string | Buffer): number => {
    res.writeHead(status, { ...API_VERSION, ...headers, ...(body !== undefined && { 'Content-Length': Buffer.byteLength(body) }) });
    res.end(body);
    return status;
  };

  /** Read the request body to the end, each chunk to `sink`, at most `limit` bytes in all. */
  const receive = (req: IncomingMessage, limit: number, sink: (chunk: Buffer) => void): Promise<number> =>
    new Promise((resolve, reject) => {
      let total = 0;
      let refused = false;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit) return reject(new RegistryHttpError(413, 'SIZE_INVALID', `the body is ${declared} bytes, more than the ${limit}-byte limit`));
      req.on('data', (chunk: Buffer) => {
        if (refused) return;
        total += chunk.length;
        if (total > limit) {
          refused = true;
          req.pause();
          return reject(new RegistryHttpError(413, 'SIZE_INVALID', `the body is more than the ${limit}-byte limit`));
        }
        sink(chunk);
      });
      req.on('end', () => resolve(total));
      req.on('error', reject);
    });

  const readBody = async (req: IncomingMessage, limit: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    await receive(req, limit, (c) => chunks.push(c));
    return Buffer.concat(chunks);
  };

  /** Append the request body to an upload's file, hashing it; the session stays in order. */
  const appendTo = async (uuid: string, upload: Upload, req: IncomingMessage): Promise<void> => {
    const out = createWriteStream(storage.uploadPath(uuid), { flags: 'a' });
    let failed: Error | undefined;
    out.on('error', (e) => {
      failed ??= e;
      req.resume();
    });
    try {
      await receive(req, limits.blobBytes - upload.size, (chunk) => {
        upload.hash.update(chunk);
        upload.size += chunk.length;
        // A disk slower than the network: stop reading until the file catches up, so chunks
        // never pile up in memory.
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      });
    } finally {
      if (!out.destroyed) await new Promise<void>((r) => out.end(r));
    }
    if (failed) throw new RegistryHttpError(500, 'UNSUPPORTED', `cannot store the upload: ${failed.message}`);
  };

  const checkName = (name: string) => {
    if (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) throw new RegistryHttpError(400, 'NAME_INVALID', `invalid repository name: ${name.slice(0, 100)}`);
  };
  const checkDigestParam = (value: string | null, what = 'digest'): Digest => {
    if (value === null || !isDigest(value)) throw new RegistryHttpError(400, 'DIGEST_INVALID', `${what} must be sha256: and 64 lowercase hex digits`);
    return value;
  };

  const newUpload = (name: string, res: ServerResponse): number => {
    if (uploads.size >= limits.uploads) {
      // Abandoned sessions must not lock uploads out: drop the idle ones.
      const now = Date.now();
      for (const [id, up] of uploads) {
        if (!up.busy && now - up.touched >= limits.uploadIdleMs) {
          uploads.delete(id);
          rmSync(storage.uploadPath(id), { force: true });
        }
      }
    }
    if (uploads.size >= limits.uploads) throw new RegistryHttpError(429, 'TOOMANYREQUESTS', `more than ${limits.uploads} uploads in progress`);
    const uuid = randomUUID();
    uploads.set(uuid, { name, hash: createHash('sha256'), size: 0, busy: false, touched: Date.now() });
    // an empty file, so a PUT with no PATCH commits an empty blob
    writeFileSync(storage.uploadPath(uuid), '');
    return send(res, 202, { Location: `/v2/${name}/blobs/uploads/${uuid}`, Range: '0-0', 'Docker-Upload-UUID': uuid, 'Content-Length': 0 });
  };

  const finishUpload = (uuid: string, upload: Upload, expected: Digest, res: ServerResponse): number => {
    uploads.delete(uuid);
    const actual = `sha256:${upload.hash.digest('hex')}` as Digest;
    if (actual !== expected) {
      rmSync(storage.uploadPath(uuid), { force: true });
      throw new RegistryHttpError(400, 'DIGEST_INVALID', `the uploaded content's digest is ${actual}, not ${expected}`);
    }
    storage.commitUpload(uuid, expected);
    storage.linkBlob(upload.name, expected);
    return send(res, 201, { Location: `/v2/${upload.name}/blobs/${expected}`, 'Docker-Content-Digest': expected, 'Content-Length': 0 });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    // The request target is a path: appended to an origin, never resolved against one (`//x:y`
    // resolved would be a host and a port, and an invalid URL).
    let url: URL;
    try {
      url = new URL(`http://registry${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? ''}`);
    } catch {
      throw new RegistryHttpError(400, 'UNSUPPORTED', 'the request target is not a path');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/v2/' || path === '/v2') {
      if (method !== 'GET' && method !== 'HEAD') throw new RegistryHttpError(405, 'UNSUPPORTED');
      return send(res, 200, { 'Content-Type': 'application/json' }, method === 'HEAD' ? undefined : '{}');
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) return manifests(m[1]!, decode(m[2]!), method, req, res);
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(path))) {
      checkName(m[1]!);
      if (method !== 'POST') throw new RegistryHttpError(405, 'UNSUPPORTED');
      return startUpload(m[1]!, url, req, res);
    }
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([0-9a-f-]{36})$/.exec(path))) return upload(m[1]!, m[2]!, url, method, req, res);
    if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path))) return blobs(m[1]!, decode(m[2]!), method, res);
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) {
      const name = m[1]!;
      checkName(name);
      if (method !== 'GET') throw new RegistryHttpError(405, 'UNSUPPORTED');
      if (!storage.repoExists(name)) throw new RegistryHttpError(404, 'NAME_UNKNOWN', `no repository ${name}`);
      let tags = storage.tags(name);
      const last = url.searchParams.get('last');
      if (last !== null) tags = tags.filter((t) => t > last);
      const n = url.searchParams.get('n');
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (n !== null) {
        const count = Number(n);
        if (!Number.isSafeInteger(count) || count < 0) throw new RegistryHttpError(400, 'UNSUPPORTED', 'n must be a whole number');
        if (tags.length > count && count > 0) headers['Link'] = `</v2/${name}/tags/list?n=${count}&last=${encodeURIComponent(tags[count - 1]!)}>; rel="next"`;
        tags = tags.slice(0, count);
      }
      return send(res, 200, headers, JSON.stringify({ name, tags }));
    }
    throw new RegistryHttpError(404, 'UNSUPPORTED', `no route ${method} ${path.slice(0, 200)}`);
  }

  async function manifests(name: string, reference: string, method: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    checkName(name);
    const byDigest = reference.startsWith('sha256:') || reference.includes(':');
    if (byDigest) checkDigestParam(reference, 'the reference');
    else if (!TAG_PATTERN.test(reference)) throw new RegistryHttpError(400, 'TAG_INVALID', `invalid tag: ${reference.slice(0, 130)}`);
    if (method === 'GET' || method === 'HEAD') {
      const digest = byDigest ? (reference as Digest) : storage.tag(name, reference);
      if (!digest || !storage.repoHasManifest(name, digest)) throw new RegistryHttpError(404, 'MANIFEST_UNKNOWN', `no manifest ${reference} in ${name}`);
      const bytes = readFileSync(storage.blobPath(digest));
      let mediaType: string = MEDIA.MANIFEST;
      try {
        const v = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
        if (typeof v.mediaType === 'string') mediaType = v.mediaType;
      } catch {
        /* served as stored */
      }
      res.writeHead(200, { ...API_VERSION, 'Content-Type': mediaType, 'Content-Length': bytes.length, 'Docker-Content-Digest': digest });
      res.end(method === 'HEAD' ? undefined : bytes);
      return 200;
    }
    if (method === 'PUT') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (type !== MEDIA.MANIFEST) throw new RegistryHttpError(415, 'MANIFEST_INVALID', `Content-Type must be ${MEDIA.MANIFEST} (ringlab's registry stores image manifests only)`);
      const bytes = await readBody(req, limits.manifestBytes);
      const digest = sha256(bytes);
      if (byDigest && digest !== reference) throw new RegistryHttpError(400, 'DIGEST_INVALID', `the manifest's digest is ${digest}, not ${reference}`);
      let blobs: Digest[];
      try {
        blobs = manifestBlobs(parseManifest(bytes, 'the manifest'));
      } catch (e) {
        throw new RegistryHttpError(400, 'MANIFEST_INVALID', e instanceof ImageError ? e.message : String(e));
      }
      const missing = blobs.filter((b) => !storage.repoHasBlob(name, b));
      if (missing.length > 0) throw new RegistryHttpError(400, 'MANIFEST_BLOB_UNKNOWN', `${missing.length} blob(s) the manifest refers to are not in ${name}`, missing);
      storage.putBlobBytes(bytes, digest);
      storage.linkManifest(name, digest);
      if (!byDigest) storage.setTag(name, reference, digest);
      return send(res, 201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
    }
    if (method === 'DELETE') {
      const ok = byDigest ? storage.unlinkManifest(name, reference as Digest) : storage.removeTag(name, reference);
      if (!ok) throw new RegistryHttpError(404, 'MANIFEST_UNKNOWN', `no manifest ${reference} in ${name}`);
      return send(res, 202, { 'Content-Length': 0 });
    }
    throw new RegistryHttpError(405, 'UNSUPPORTED');
  }

  function blobs(name: string, reference: string, method: string, res: ServerResponse): number | Promise<number> {
    checkName(name);
    const digest = checkDigestParam(reference);
    if (method === 'DELETE') {
      if (!storage.unlinkBlob(name, digest)) throw new RegistryHttpError(404, 'BLOB_UNKNOWN', `no blob ${digest} in ${name}`);
      return send(res, 202, { 'Content-Length': 0 });
    }
    if (method !== 'GET' && method !== 'HEAD') throw new RegistryHttpError(405, 'UNSUPPORTED');
    if (!storage.repoHasBlob(name, digest)) throw new RegistryHttpError(404, 'BLOB_UNKNOWN', `no blob ${digest} in ${name}`);
    const size = statSync(storage.blobPath(digest)).size;
    res.writeHead(200, { ...API_VERSION, 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Docker-Content-Digest': digest });
    if (method === 'HEAD') {
      res.end();
      return 200;
    }
    return new Promise((resolve, reject) => {
      const stream = createReadStream(storage.blobPath(digest));
      stream.on('error', reject);
      stream.pipe(res).on('finish', () => resolve(200));
    });
  }

  async function startUpload(name: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<number> {
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount !== null) {
      const digest = checkDigestParam(mount, 'mount');
      if (from !== null && from.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(from) && storage.repoHasBlob(from, digest)) {
        storage.linkBlob(name, digest);
        return send(res, 201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
      }
      return newUpload(name, res); // the spec's fallback: an ordinary upload session
    }
    const digestParam = url.searchParams.get('digest');
    if (digestParam !== null) {
      // Monolithic upload in one POST.
      const digest = checkDigestParam(digestParam);
      const uuid = randomUUID();
      const up: Upload = { name, hash: createHash('sha256'), size: 0, busy: true, touched: Date.now() };
      try {
        await appendTo(uuid, up, req);
      } catch (e) {
        rmSync(storage.uploadPath(uuid), { force: true });
        throw e;
      }
      uploads.set(uuid, up);
      return finishUpload(uuid, up, digest, res);
    }
    return newUpload(name, res);
  }

  async function upload(name: string, uuid: string, url: URL, method: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    checkName(name);
    const up = uploads.get(uuid);
    if (!up || up.name !== name) throw new RegistryHttpError(404, 'BLOB_UPLOAD_UNKNOWN', `no upload ${uuid} in ${name}`);
    up.touched = Date.now();
    const location = `/v2/${name}/blobs/uploads/${uuid}`;
    const range = () => (up.size === 0 ? '0-0' : `0-${up.size - 1}`);
    if (method === 'GET') return send(res, 204, { Location: location, Range: range(), 'Docker-Upload-UUID': uuid });
    if (method === 'DELETE') {
      uploads.delete(uuid);
      rmSync(storage.uploadPath(uuid), { force: true });
      return send(res, 204, {});
    }
    if (method !== 'PATCH' && method !== 'PUT') throw new RegistryHttpError(405, 'UNSUPPORTED');
    if (up.busy) throw new RegistryHttpError(416, 'BLOB_UPLOAD_INVALID', 'another request is writing this upload');
    const contentRange = req.headers['content-range'];
    if (contentRange !== undefined) {
      const r = /^(?:bytes )?(\d+)-(\d+)$/.exec(contentRange);
      if (!r || Number(r[1]) !== up.size || Number(r[2]) < Number(r[1])) {
        res.setHeader('Range', range());
        res.setHeader('Location', location);
        throw new RegistryHttpError(416, 'BLOB_UPLOAD_INVALID', `Content-Range ${contentRange.slice(0, 50)} does not continue the upload at byte ${up.size}`);
      }
    }
    let expected: Digest | undefined;
    if (method === 'PUT') expected = checkDigestParam(url.searchParams.get('digest'));
    up.busy = true;
    try {
      await appendTo(uuid, up, req);
    } catch (e) {
      uploads.delete(uuid);
      rmSync(storage.uploadPath(uuid), { force: true });
      throw e;
    } finally {
      up.busy = false;
      up.touched = Date.now();
    }
    if (method === 'PATCH') return send(res, 202, { Location: location, Range: range(), 'Docker-Upload-UUID': uuid, 'Content-Length': 0 });
    return finishUpload(uuid, up, expected!, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
