// The registry over real HTTP on localhost (ephemeral ports): ringlab's client and curl against
// `startRegistry`; push and pull move only the missing blobs; a registry that is down, answers
// garbage or serves a tampered blob leaves nothing half-written in the store.

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/image/config.js';
import { sha256 } from '../../src/image/digest.js';
import { ImageError } from '../../src/image/errors.js';
import { loadImage, storeImage, storeLayer } from '../../src/image/image.js';
import { createLayer } from '../../src/image/layer.js';
import { ImageStore } from '../../src/image/store.js';
import type { FileTree } from '../../src/image/tree.js';
import { RegistryClient } from '../../src/registry/client.js';
import { ERROR_CODES } from '../../src/registry/errors.js';
import { startRegistry, type RunningRegistry } from '../../src/registry/server.js';
import { pull, push } from '../../src/registry/transfer.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ringlab-registry-'));
let registry: RunningRegistry;
let n = 0;
const fresh = () => ImageStore.open(join(dir, `store${n++}`));

beforeAll(async () => {
  registry = await startRegistry({ root: join(dir, 'registry'), limits: { blobBytes: 64 * 1024 } });
});
afterAll(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An image of `layers` layers, each a file of `size` bytes (the last one differs by `salt`). */
function seed(store: ImageStore, ref: string, salt: string, size = 3000): string {
  let lower: FileTree = new Map();
  const descriptors = [];
  const diffIds = [];
  for (const [i, text] of ['base', salt].entries()) {
    const upper: FileTree = new Map(lower);
    upper.set(`f${i}`, { type: 'file', mode: 0o644, data: Buffer.from(text.repeat(Math.ceil(size / text.length)).slice(0, size)) });
    const l = storeLayer(store, createLayer(lower, upper));
    descriptors.push(l.descriptor);
    diffIds.push(l.diffId);
    lower = upper;
  }
  const image = storeImage(store, { ...emptyConfig(), rootfs: { type: 'layers', diff_ids: diffIds }, history: [{}, {}] }, descriptors);
  store.setTag(ref, image.manifestDescriptor);
  return image.id;
}

const curl = async (...args: string[]) => (await run('curl', ['-s', ...args])).stdout;
const curlStatus = async (...args: string[]) => (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', ...args])).stdout;

describe('push and pull', () => {
  it('move only the blobs the other side lacks, and the pulled image has the same ID', async () => {
    const a = fresh();
    const id = seed(a, 'app:1', 'one');
    const client = new RegistryClient(registry.url, { chunkBytes: 1024 }); // blobs of 3 KiB go in chunks
    const first = await push(a, client, 'app:1');
    expect(first).toMatchObject({ ref: 'app:1', blobsMoved: 4, blobsSkipped: 0 });
    expect(first.bytesMoved).toBeGreaterThan(6000);
    const again = await push(a, client, 'app:1');
    expect(again).toMatchObject({ blobsMoved: 0, bytesMoved: 0, blobsSkipped: 4 }); // the tag names the manifest already
    // a second image sharing the base layer sends only its own layer and config
    seed(a, 'app:2', 'two');
    expect(await push(a, client, 'app:2')).toMatchObject({ blobsMoved: 3, blobsSkipped: 1 });
    const b = fresh();
    const pulled = await pull(b, new RegistryClient(registry.url), 'app:1');
    expect(pulled).toMatchObject({ blobsMoved: 4, blobsSkipped: 0, manifest: first.manifest });
    expect(loadImage(b, 'app:1').id).toBe(id);
    expect(await pull(b, new RegistryClient(registry.url), 'app:2')).toMatchObject({ blobsMoved: 3, blobsSkipped: 1 });
    expect(readdirSync(join(b.root, 'ringlab', 'tmp'))).toEqual([]);
  });

  it('a registry that is down: a clear error and nothing in the store', async () => {
    const closed = await startRegistry({ root: join(dir, 'gone') });
    const url = closed.url;
    await closed.close();
    const b = fresh();
    await expect(pull(b, new RegistryClient(url), 'app:1')).rejects.toThrow(new RegExp(`cannot reach the registry at ${url} \\(GET /v2/\\): ECONNREFUSED`));
    expect(b.tags()).toEqual([]);
    expect(b.blobDigests()).toEqual([]);
  });

  it('a registry that answers garbage or a tampered blob: a clear error and nothing half-written', async () => {
    const a = fresh();
    seed(a, 'app:1', 'one');
    const good = await startRegistry({ root: join(dir, 'tamper') });
    await push(a, new RegistryClient(good.url), 'app:1');
    const image = loadImage(a, 'app:1');
    const layer = image.manifest.layers[1]!.digest;
    const path = join(dir, 'tamper', 'blobs', 'sha256', layer.slice(7));
    const bytes = readFileSync(path);
    bytes[700] ^= 0xff;
    writeFileSync(path, bytes);
    const b = fresh();
    await expect(pull(b, new RegistryClient(good.url), 'app:1')).rejects.toThrow(`sent blob ${layer} with the wrong content`);
    expect(b.tags()).toEqual([]);
    expect(b.blobDigests()).toEqual([]);
    expect(readdirSync(join(b.root, 'ringlab', 'tmp'))).toEqual([]);
    await good.close();
    // a server that is not a registry at all, and one whose manifest is not JSON
    for (const answer of ['not a registry', 'garbage manifest']) {
      const server = createServer((req, res) => {
        if (answer === 'not a registry' || req.url !== '/v2/') return void res.writeHead(answer === 'not a registry' ? 404 : 200, { 'Content-Type': 'text/html' }).end('<html>hello</html>');
        res.writeHead(200).end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const err = await pull(b, new RegistryClient(url), 'app:1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).kind).toBe('network');
      expect((err as Error).message).toMatch(answer === 'not a registry' ? /is not an OCI registry: GET \/v2\/ answered HTTP 404/ : /the manifest app:1 from .*: not JSON/);
      server.close();
    }
    expect(b.tags()).toEqual([]);
    expect(b.blobDigests()).toEqual([]);
  });
});

describe('the API, with curl as a second client', () => {
  it('GET /v2/, monolithic and chunked uploads, manifests by tag and digest, tags/list, mounts', async () => {
    const u = registry.url;
    expect(await curl(`${u}/v2/`)).toBe('{}');
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, 'hello, registry\n');
    const digest = sha256(readFileSync(blob));
    // monolithic: one POST with ?digest=
    expect(await curlStatus('-X', 'POST', '--data-binary', `@${blob}`, '-H', 'Content-Type: application/octet-stream', `${u}/v2/curl/one/blobs/uploads/?digest=${digest}`)).toBe('201');
    const head = await curl('-I', `${u}/v2/curl/one/blobs/${digest}`);
    expect(head).toMatch(/^HTTP\/1.1 200 OK/);
    expect(head).toMatch(new RegExp(`Docker-Content-Digest: ${digest}`, 'i'));
    expect(head).toMatch(/Content-Length: 16/i);
    expect(await curl(`${u}/v2/curl/one/blobs/${digest}`)).toBe('hello, registry\n');
    // chunked: POST, two PATCHes with Content-Range, PUT ?digest=
    const started = await curl('-i', '-X', 'POST', `${u}/v2/curl/two/blobs/uploads/`);
    const location = /location: (\S+)/i.exec(started)![1]!;
    expect(await curlStatus('-X', 'PATCH', '--data-binary', 'hello, ', '-H', 'Content-Range: 0-6', '-H', 'Content-Type: application/octet-stream', `${u}${location}`)).toBe('202');
    // out of order: 416, and the Range says where it stands
    expect(await curl('-i', '-X', 'PATCH', '--data-binary', 'x', '-H', 'Content-Range: 3-3', `${u}${location}`)).toMatch(/416[^]*Range: 0-6[^]*"code":"BLOB_UPLOAD_INVALID"/i);
    expect(await curlStatus('-X', 'PATCH', '--data-binary', 'registry\n', '-H', 'Content-Range: 7-15', `${u}${location}`)).toBe('202');
    expect(await curlStatus('-X', 'PUT', `${u}${location}?digest=${digest}`)).toBe('201');
    // a wrong digest: DIGEST_INVALID, nothing stored
    const bad = await curl('-X', 'POST', '--data-binary', 'other', `${u}/v2/curl/two/blobs/uploads/?digest=${digest.replace(/.$/, '0')}`);
    expect(JSON.parse(bad)).toEqual({ errors: [{ code: 'DIGEST_INVALID', message: expect.stringMatching(/the uploaded content's digest is sha256:/) }] });
    // cross-repository mount: 201 from a repository that has it, 202 (an upload) from one that does not
    expect(await curlStatus('-X', 'POST', `${u}/v2/curl/three/blobs/uploads/?mount=${digest}&from=curl/one`)).toBe('201');
    expect(await curlStatus('-I', `${u}/v2/curl/three/blobs/${digest}`)).toBe('200');
    expect(await curlStatus('-X', 'POST', `${u}/v2/curl/four/blobs/uploads/?mount=${digest}&from=nowhere`)).toBe('202');
    expect(await curlStatus('-I', `${u}/v2/curl/four/blobs/${digest}`)).toBe('404');
    // a manifest whose blobs are not in the repository: MANIFEST_BLOB_UNKNOWN
    const a = fresh();
    seed(a, 'x:1', 'x');
    const manifest = loadImage(a, 'x:1').manifestDescriptor.digest;
    const mfile = a.blobPath(manifest);
    const put = (repo: string, ref: string) => curl('-X', 'PUT', '-H', 'Content-Type: application/vnd.oci.image.manifest.v1+json', '--data-binary', `@${mfile}`, `${u}/v2/${repo}/manifests/${ref}`);
    expect(JSON.parse(await put('curl/one', 'v1')).errors[0].code).toBe('MANIFEST_BLOB_UNKNOWN');
    await push(a, new RegistryClient(u), 'x:1');
    expect(await curl('-H', 'Accept: application/vnd.oci.image.manifest.v1+json', `${u}/v2/x/manifests/1`)).toBe(readFileSync(mfile, 'utf8'));
    expect(await curlStatus(`${u}/v2/x/manifests/${manifest}`)).toBe('200');
    expect(await put('x', 'v2')).toBe('');
    expect(await put('x', `sha256:${'0'.repeat(64)}`)).toMatch(/"code":"DIGEST_INVALID"/);
    expect(JSON.parse(await curl(`${u}/v2/x/tags/list`))).toEqual({ name: 'x', tags: ['1', 'v2'] });
    expect(await curl('-i', `${u}/v2/x/tags/list?n=1`)).toMatch(/Link: <\/v2\/x\/tags\/list\?n=1&last=1>; rel="next"[^]*\{"name":"x","tags":\["1"\]\}/);
    // DELETE of a tag, then of the manifest by digest
    expect(await curlStatus('-X', 'DELETE', `${u}/v2/x/manifests/v2`)).toBe('202');
    expect(await curlStatus('-X', 'DELETE', `${u}/v2/x/manifests/${manifest}`)).toBe('202');
    expect(JSON.parse(await curl(`${u}/v2/x/manifests/1`)).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it("answers bad requests with the spec's error codes, and refuses bodies over its limits without holding them", async () => {
    const u = registry.url;
    expect(JSON.parse(await curl(`${u}/v2/Bad_Name/tags/list`)).errors[0].code).toBe('NAME_INVALID');
    expect(JSON.parse(await curl(`${u}/v2/nope/tags/list`)).errors[0].code).toBe('NAME_UNKNOWN');
    expect(JSON.parse(await curl(`${u}/v2/x/blobs/sha256:${'1'.repeat(64)}`)).errors[0].code).toBe('BLOB_UNKNOWN');
    expect(JSON.parse(await curl(`${u}/v2/x/blobs/md5:abc`)).errors[0].code).toBe('DIGEST_INVALID');
    expect(JSON.parse(await curl(`${u}/v2/x/manifests/-bad`)).errors[0].code).toBe('TAG_INVALID');
    expect(JSON.parse(await curl('-X', 'PATCH', `${u}/v2/x/blobs/uploads/00000000-0000-0000-0000-000000000000`)).errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
    expect(JSON.parse(await curl('-X', 'PUT', '-H', 'Content-Type: application/vnd.oci.image.manifest.v1+json', '--data-binary', '{"schemaVersion":2}', `${u}/v2/x/manifests/t`)).errors[0].code).toBe('MANIFEST_INVALID');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(100 * 1024, 1)); // the test registry's limit is 64 KiB
    const before = readdirSync(join(dir, 'registry', '_uploads'));
    const out = await curl('-i', '-X', 'POST', '--data-binary', `@${big}`, `${u}/v2/x/blobs/uploads/?digest=${sha256(readFileSync(big))}`);
    expect(out).toMatch(/HTTP\/1.1 413[^]*"code":"SIZE_INVALID"/);
    const rss = process.memoryUsage().rss;
    expect(readdirSync(join(dir, 'registry', '_uploads'))).toEqual(before);
    expect(process.memoryUsage().rss - rss).toBeLessThan(50 << 20);
  });
});

describe('upload sessions', () => {
  it('at most `uploads` open at once (TOOMANYREQUESTS), idle ones dropped to make room', async () => {
    for (const [idle, third] of [[60_000, 429], [0, 202]] as const) {
      const r = await startRegistry({ root: join(dir, `sessions-${idle}`), limits: { uploads: 2, uploadIdleMs: idle } });
      const post = async () => (await fetch(`${r.url}/v2/s/blobs/uploads/`, { method: 'POST' })).status;
      expect([await post(), await post(), await post()]).toEqual([202, 202, third]);
      await r.close();
    }
  });
});

describe('any request', () => {
  it('gets an answer of the API (never a 500), and errors are the spec\'s JSON bodies with its codes', async () => {
    const digest = sha256('hello, registry\n');
    const segment = fc.constantFrom('a', 'b/c', 'A', '_x', '..', '%zz', 'manifests', 'blobs', 'uploads', 'tags', 'list', 'latest', '-bad', digest, 'sha256:00', `sha256:${'g'.repeat(64)}`, '00000000-0000-0000-0000-000000000000', '');
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'),
      path: fc.array(segment, { maxLength: 6 }).map((parts) => `/v2/${parts.join('/')}`),
      query: fc.constantFrom('', `?digest=${digest}`, '?digest=nope', `?mount=${digest}&from=curl/one`, '?mount=x&from=Y', '?n=1&last=a', '?n=-1'),
      body: fc.uint8Array({ maxLength: 300 }),
      contentType: fc.constantFrom('application/octet-stream', 'application/vnd.oci.image.manifest.v1+json', 'text/plain'),
      range: fc.option(fc.constantFrom('0-0', '0-9', '5-2', 'bytes 0-1', 'x'), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const withBody = r.method !== 'GET' && r.method !== 'HEAD';
        const res = await fetch(`${registry.url}${r.path}${r.query}`, {
          method: r.method,
          headers: { 'Content-Type': r.contentType, ...(r.range && { 'Content-Range': r.range }) },
          ...(withBody && { body: r.body }),
        });
        const text = await res.text();
        expect(res.status, `${r.method} ${r.path}${r.query}: ${text}`).toBeLessThan(500);
        if (res.status >= 400 && r.method !== 'HEAD') {
          const body = JSON.parse(text) as { errors: { code: string }[] };
          expect(Object.keys(ERROR_CODES)).toContain(body.errors[0]!.code);
        }
      }),
      {
        numRuns: 300,
        seed: 18,
        // found by an unseeded run: fetch sends `//sha256:...`, which resolved against an origin
        // was a host and a port (an invalid URL, a 500)
        examples: [[{ method: 'GET', path: `/v2/..//sha256:${'g'.repeat(64)}`, query: '', body: new Uint8Array(), contentType: 'application/octet-stream', range: undefined }]],
      },
    );
  });
});
