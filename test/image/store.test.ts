// The image store: an OCI image layout on the host; digests, DiffIDs, ChainIDs and image IDs as
// the image spec defines them (checked against sha256sum, computed independently); blobs stored
// once; tampered and damaged files refused with an ImageError naming the file.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig, parseConfig, type ImageConfig } from '../../src/image/config.js';
import { canonicalJson, sha256, type Digest } from '../../src/image/digest.js';
import { ImageError } from '../../src/image/errors.js';
import { chainIds, diffId } from '../../src/image/ids.js';
import { imageRootfs, loadImage, storeImage, storeLayer } from '../../src/image/image.js';
import { createLayer } from '../../src/image/layer.js';
import { checkLayout, exportImages, importLayout } from '../../src/image/layout.js';
import { parseManifest } from '../../src/image/manifest.js';
import { MEDIA } from '../../src/image/media.js';
import { parseReference } from '../../src/image/reference.js';
import { ImageStore } from '../../src/image/store.js';
import { encodeTar } from '../../src/image/tar.js';
import type { FileTree } from '../../src/image/tree.js';
import { plain } from './trees.js';

const dir = mkdtempSync(join(tmpdir(), 'ringlab-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => ImageStore.open(join(dir, `s${n++}`));

const shell = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim();
const file = (text: string, mode = 0o644) => ({ type: 'file' as const, mode, data: Buffer.from(text) });
const d = { type: 'dir' as const, mode: 0o755 };

/** A two-layer image: /bin/hello, then /etc/motd with /bin/hello removed. */
function twoLayers(store: ImageStore, ref = 'demo:1') {
  const t1: FileTree = new Map([['bin', d], ['bin/hello', file('hello\n', 0o755)]]);
  const t2: FileTree = new Map([['bin', d], ['etc', d], ['etc/motd', file('hi\n')]]);
  const l1 = storeLayer(store, createLayer(new Map(), t1));
  const l2 = storeLayer(store, createLayer(t1, t2));
  const config: ImageConfig = { ...emptyConfig(), config: { Cmd: ['/bin/hello'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [l1.diffId, l2.diffId] }, history: [{ created_by: 'COPY hello /bin/' }, { created_by: 'ENV PATH=/bin', empty_layer: true }, { created_by: 'COPY motd /etc/' }] };
  const image = storeImage(store, config, [l1.descriptor, l2.descriptor]);
  store.setTag(ref, image.manifestDescriptor);
  return { image, t2, layers: [l1, l2] };
}

describe('digests and identifiers', () => {
  it('DiffID, ChainID and image ID are the sha256 the spec defines, as sha256sum computes them', () => {
    const store = fresh();
    const { image, layers } = twoLayers(store);
    for (const l of layers) expect(l.diffId).toBe(`sha256:${shell(`sha256sum ${store.blobPath(l.diffId)} | cut -d' ' -f1`)}`);
    const [a, b] = layers.map((l) => l.diffId) as [Digest, Digest];
    // ChainID(L0|L1) = sha256(ChainID(L0) + " " + DiffID(L1)), the digest strings
    expect(chainIds([a, b])).toEqual([a, `sha256:${shell(`printf '%s %s' ${a} ${b} | sha256sum | cut -d' ' -f1`)}`]);
    expect(image.id).toBe(`sha256:${shell(`sha256sum ${store.blobPath(image.id)} | cut -d' ' -f1`)}`);
    // the manifest digest is the digest of the manifest's bytes
    expect(image.manifestDescriptor.digest).toBe(sha256(readFileSync(store.blobPath(image.manifestDescriptor.digest))));
  });

  it("an empty change set is docker's empty layer: 1,024 zero bytes, sha256:5f70bf18...", () => {
    const empty = createLayer(new Map(), new Map());
    expect(empty.length).toBe(1024);
    expect(diffId(empty)).toBe('sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  });

  it('canonical JSON: sorted keys, no white space, so a config round-trips to the same bytes and digest', () => {
    const store = fresh();
    const { image } = twoLayers(store);
    const bytes = readFileSync(store.blobPath(image.id));
    expect(bytes.toString()).toBe(canonicalJson(JSON.parse(bytes.toString())));
    expect(bytes.toString()).toMatch(/^\{"architecture":"ringlab","config":\{"Cmd":\["\/bin\/hello"\],"Env":\["PATH=\/bin"\]\},"history":/);
    expect(sha256(Buffer.from(canonicalJson(parseConfig(bytes, 'c'))))).toBe(image.id);
    const m = readFileSync(store.blobPath(image.manifestDescriptor.digest));
    expect(sha256(Buffer.from(canonicalJson(parseManifest(m, 'm'))))).toBe(image.manifestDescriptor.digest);
  });
});

describe('the store', () => {
  it('is an OCI image layout: oci-layout, index.json with ref.name annotations, blobs/sha256/HEX', () => {
    const store = fresh();
    twoLayers(store, 'library/demo:1.0');
    expect(JSON.parse(readFileSync(join(store.root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(store.root, 'index.json'), 'utf8'));
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(MEDIA.INDEX);
    expect(index.manifests[0].annotations).toEqual({ 'org.opencontainers.image.ref.name': 'library/demo:1.0' });
    expect(readdirSync(join(store.root, 'blobs', 'sha256')).length).toBe(4); // 2 layers, config, manifest
    expect(checkLayout(store.root).problems).toEqual([]);
  });

  it('stores identical blobs once, shared by the images that use them', () => {
    const store = fresh();
    twoLayers(store, 'a:1');
    twoLayers(store, 'b:1');
    expect(readdirSync(join(store.root, 'blobs', 'sha256')).length).toBe(4);
    expect(store.tags().map((t) => t.ref)).toEqual(['a:1', 'b:1']);
  });

  it('builds the root filesystem from the layers, whiteouts included', () => {
    const store = fresh();
    const { t2 } = twoLayers(store);
    expect(plain(imageRootfs(store, loadImage(store, 'demo:1')))).toEqual(plain(t2));
    expect(plain(imageRootfs(store, loadImage(store, `demo@${loadImage(store, 'demo:1').manifestDescriptor.digest}`)))).toEqual(plain(t2));
  });

  it('refuses a tampered blob (digest mismatch) when it is read, naming its file', () => {
    const store = fresh();
    const { layers } = twoLayers(store);
    const path = store.blobPath(layers[0]!.diffId);
    const bytes = readFileSync(path);
    bytes[600] ^= 1;
    writeFileSync(path, bytes);
    expect(() => imageRootfs(store, loadImage(store, 'demo:1'))).toThrow(`${path}: the blob has been tampered with or damaged`);
  });

  it('removes tags and, after that, the blobs nothing refers to', () => {
    const store = fresh();
    twoLayers(store, 'a:1');
    store.setTag('b:1', loadImage(store, 'a:1').manifestDescriptor);
    expect(store.removeTag('a:1')).toBe(true);
    expect(store.collectGarbage()).toBe(0);
    expect(store.removeTag('b:1')).toBe(true);
    expect(store.removeTag('b:1')).toBe(false);
    expect(store.collectGarbage()).toBe(4);
    expect(() => loadImage(store, 'b:1')).toThrow(/no image b:1 in/);
  });

  it('a damaged store never crashes: any change to index.json, oci-layout, a manifest or a config gives an ImageError', () => {
    const base = fresh();
    const { image } = twoLayers(base);
    const files = [join(base.root, 'index.json'), join(base.root, 'oci-layout'), base.blobPath(image.manifestDescriptor.digest), base.blobPath(image.id)];
    const originals = files.map((f) => readFileSync(f));
    const jsonish = fc.oneof(fc.json().map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)));
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.oneof(jsonish, fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))), (which, change) => {
        const original = originals[which]!;
        let bytes: Buffer;
        if (Buffer.isBuffer(change)) bytes = change;
        else {
          bytes = Buffer.from(original);
          bytes[change[0] % bytes.length] = change[1];
        }
        writeFileSync(files[which]!, bytes);
        try {
          const store = ImageStore.open(base.root);
          for (const t of store.tags()) imageRootfs(store, loadImage(store, t.ref));
          checkLayout(base.root);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(ImageError);
        } finally {
          writeFileSync(files[which]!, original);
        }
      }),
      { numRuns: 150 },
    );
    // JSON that is well-formed but wrong names the field
    writeFileSync(base.blobPath(image.id), JSON.stringify({ architecture: 'ringlab', os: 'ringlab', rootfs: { type: 'layers', diff_ids: ['sha256:xyz'] } }));
    expect(() => loadImage(base, 'demo:1')).toThrow(ImageError);
  });
});

describe('references', () => {
  it('follow the distribution spec: NAME[:TAG], NAME@DIGEST, illegal characters refused clearly', () => {
    expect(parseReference('web')).toEqual({ name: 'web', tag: 'latest' });
    expect(parseReference('library/web-app:1.0_rc')).toEqual({ name: 'library/web-app', tag: '1.0_rc' });
    expect(parseReference(`a@sha256:${'0'.repeat(64)}`)).toEqual({ name: 'a', digest: `sha256:${'0'.repeat(64)}` });
    expect(() => parseReference('Web:1')).toThrow(/'Web' is not a name component/);
    expect(() => parseReference('web:-1')).toThrow(/'-1' is not a tag/);
    expect(() => parseReference('web:a b')).toThrow(/is not a tag/);
    expect(() => parseReference(`web:${'x'.repeat(129)}`)).toThrow(/is not a tag/);
    expect(() => parseReference('a//b')).toThrow(/not a name component/);
    expect(() => parseReference('a@sha512:00')).toThrow(/unsupported digest algorithm/);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        try {
          const r = parseReference(s);
          expect(r.name.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(ImageError);
          expect((e as ImageError).kind).toBe('usage');
        }
      }),
    );
  });
});

describe('export and import', () => {
  it('an exported layout passes the structural check, imports into another store, and gives the same IDs', () => {
    const a = fresh();
    const { image } = twoLayers(a, 'demo:1');
    const out = join(dir, 'exported');
    expect(exportImages(a, ['demo:1'], out)).toBe(4);
    expect(checkLayout(out)).toEqual({ problems: [], images: [expect.objectContaining({ ref: 'demo:1' })] });
    const b = fresh();
    expect(importLayout(b, out)).toEqual({ refs: ['demo:1'], newBlobs: 4 });
    expect(loadImage(b, 'demo:1').id).toBe(image.id);
    expect(importLayout(b, out).newBlobs).toBe(0);
    expect(() => exportImages(a, ['demo:1'], out)).toThrow(/exists and is not empty/);
    // skopeo-style checkers would agree: every blob file is named by its digest
    for (const f of readdirSync(join(out, 'blobs', 'sha256'))) expect(shell(`sha256sum ${join(out, 'blobs', 'sha256', f)} | cut -c1-64`)).toBe(f);
  });

  it('imports a layout whose layer is gzipped (application/vnd.oci.image.layer.v1.tar+gzip), as other tools write them', () => {
    const other = fresh();
    const tar = encodeTar([{ path: 'etc', type: 'dir', mode: 0o755 }, { path: 'etc/motd', type: 'file', mode: 0o644, data: Buffer.from('zipped\n') }]);
    const gz = gzipSync(tar);
    other.putBlob(gz);
    const layer = { mediaType: MEDIA.LAYER_TAR_GZIP, digest: sha256(gz), size: gz.length };
    const img = storeImage(other, { ...emptyConfig(), rootfs: { type: 'layers', diff_ids: [diffId(tar)] }, history: [{}] }, [layer]);
    other.setTag('zipped:1', img.manifestDescriptor);
    const out = join(dir, 'gz-layout');
    exportImages(other, ['zipped:1'], out);
    const b = fresh();
    expect(importLayout(b, out).refs).toEqual(['zipped:1']);
    expect(plain(imageRootfs(b, loadImage(b, 'zipped:1')))).toEqual([['etc', { type: 'dir', mode: 0o755 }], ['etc/motd', { type: 'file', mode: 0o644, data: new Uint8Array(Buffer.from('zipped\n')) }]]);
  });

  it('the check names what is wrong: a missing blob, a layer whose DiffID does not match, a bad oci-layout; import then changes nothing', () => {
    const a = fresh();
    const { layers } = twoLayers(a, 'demo:1');
    const out = join(dir, 'broken');
    exportImages(a, ['demo:1'], out);
    rmSync(join(out, 'blobs', 'sha256', layers[1]!.diffId.slice(7)));
    const check = checkLayout(out);
    expect(check.problems.join('\n')).toMatch(/demo:1: .*missing/);
    const b = fresh();
    expect(() => importLayout(b, out)).toThrow(/is not a valid OCI image layout/);
    expect(b.tags()).toEqual([]);
    expect(b.blobDigests()).toEqual([]);
    // a layer that is a valid blob but not the layer the config says
    const other = fresh();
    const tar = encodeTar([{ path: 'x', type: 'file', mode: 0o644, data: Buffer.from('x') }]);
    const l = storeLayer(other, tar);
    const img = storeImage(other, { ...emptyConfig(), rootfs: { type: 'layers', diff_ids: [sha256('not it')] }, history: [{}] }, [l.descriptor]);
    other.setTag('bad:1', img.manifestDescriptor);
    expect(checkLayout(other.root).problems.join('\n')).toMatch(/uncompressed digest is sha256:.* but the config's rootfs.diff_ids\[0\] is/);
    writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    expect(checkLayout(out).problems.join('\n')).toMatch(/image layout version 2.0.0 is not supported/);
  });
});
