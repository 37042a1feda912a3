// `ringlab image ls|inspect|history|rm|tag|export|import`: the store's commands, their output and
// their exit codes (1: a bad reference or an unknown image; 2: a damaged store or layout).

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/image/config.js';
import { storeImage, storeLayer } from '../../src/image/image.js';
import { createLayer } from '../../src/image/layer.js';
import { ImageStore } from '../../src/image/store.js';
import type { FileTree } from '../../src/image/tree.js';
import { imageRootfs, loadImage } from '../../src/image/image.js';
import { expectNoStackTrace, ringlab, ROOT, useCli } from './helpers.js';

const cli = useCli();

function seed(storeDir: string): string {
  const store = ImageStore.open(storeDir);
  const t: FileTree = new Map([['bin', { type: 'dir', mode: 0o755 }], ['bin/hi', { type: 'file', mode: 0o755, data: Buffer.from('hi') }]]);
  const l = storeLayer(store, createLayer(new Map(), t));
  const image = storeImage(store, { ...emptyConfig(), config: { Cmd: ['/bin/hi'] }, rootfs: { type: 'layers', diff_ids: [l.diffId] }, history: [{ created_by: 'COPY hi /bin/' }, { created_by: 'CMD ["/bin/hi"]', empty_layer: true }] }, [l.descriptor]);
  store.setTag('hello:1', image.manifestDescriptor);
  return image.id;
}

describe('ringlab image', () => {
  it('lists, inspects, shows the history of, tags and removes images', () => {
    const store = join(cli.dir(), 'store');
    const id = seed(store);
    const s = ['--store', store];
    const ls = ringlab(['image', 'ls', ...s]);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`^REPOSITORY +TAG +IMAGE ID +LAYERS +SIZE\nhello +1 +${id.slice(7, 19)} +1 +\\d`));
    const inspect = ringlab(['image', 'inspect', 'hello:1', ...s]);
    const [info] = JSON.parse(inspect.stdout);
    expect(info).toMatchObject({ Ref: 'hello:1', Id: id, Architecture: 'ringlab', Os: 'ringlab', Config: { Cmd: ['/bin/hi'] } });
    expect(info.Layers[0].DiffID).toBe(info.Layers[0].ChainID);
    expect(ringlab(['image', 'history', 'hello:1', ...s]).stdout).toMatch(/^LAYER +SIZE +CREATED BY\n<empty> +0B +CMD \["\/bin\/hi"\]\n[0-9a-f]{12} +\d+\.\dKiB +COPY hi \/bin\/\n$/);
    expect(ringlab(['image', 'tag', 'hello:1', 'greet', ...s]).status).toBe(0);
    expect(JSON.parse(ringlab(['image', 'ls', '--json', ...s]).stdout).map((i: { ref: string }) => i.ref)).toEqual(['greet:latest', 'hello:1']);
    expect(ringlab(['image', 'rm', 'hello:1', ...s]).stdout).toBe('Untagged: hello:1\nDeleted: 0 blobs no image refers to\n');
    expect(ringlab(['image', 'rm', 'greet', ...s]).stdout).toBe('Untagged: greet:latest\nDeleted: 3 blobs no image refers to\n');
    expect(ringlab(['image', 'ls', ...s]).stdout).toBe('REPOSITORY   TAG   IMAGE ID   LAYERS   SIZE\n');
  });

  it('exports a layout and imports it into another store', () => {
    const a = join(cli.dir(), 'a');
    const id = seed(a);
    const out = join(cli.dir(), 'layout');
    const exp = ringlab(['image', 'export', 'hello:1', '-o', out, '--store', a]);
    expect(exp.status, exp.stderr).toBe(0);
    expect(exp.stdout).toBe(`${out}: an OCI image layout with 1 image, 3 blobs\n`);
    const b = join(cli.dir(), 'b');
    const imp = ringlab(['image', 'import', out, '--store', b]);
    expect(imp.stdout).toBe('Imported: hello:1\n3 new blobs\n');
    expect(JSON.parse(ringlab(['image', 'inspect', 'hello:1', '--store', b]).stdout)[0].Id).toBe(id);
  });

  it('exit 1 for a bad reference or an unknown image, 2 for a damaged store or layout, never a stack trace', () => {
    const store = join(cli.dir(), 'c');
    seed(store);
    const s = ['--store', store];
    const bad = ringlab(['image', 'inspect', 'Hello:1', ...s]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("ringlab: bad image reference 'Hello:1': 'Hello' is not a name component: lowercase letters and digits, joined by '.', '_', '__' or '-', components separated by '/'\n");
    const unknown = ringlab(['image', 'history', 'nope', ...s]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no image nope:latest in .*\(ringlab image ls lists them\)/);
    expect(ringlab(['image', 'tag', 'hello:1', 'x:bad tag', ...s]).status).toBe(1);
    const index = join(store, 'index.json');
    const saved = readFileSync(index);
    writeFileSync(index, '{"schemaVersion": 2, "manifests": [{"mediaType": 1}]}');
    const damaged = ringlab(['image', 'ls', ...s]);
    expect(damaged.status).toBe(2);
    expect(damaged.stderr).toBe(`ringlab: ${index}: manifests[0]: mediaType must be a string\n`);
    writeFileSync(index, saved);
    const notLayout = ringlab(['image', 'import', cli.dir(), ...s]);
    expect(notLayout.status).toBe(2);
    expect(notLayout.stderr).toMatch(/is not a valid OCI image layout:\n  .*oci-layout: missing/);
    const notStore = ringlab(['image', 'ls', '--store', join(store, 'oci-layout')]);
    expect(notStore.status).toBe(1);
    for (const r of [bad, unknown, damaged, notLayout, notStore]) expectNoStackTrace(r);
  });

  it('a store damaged at random: exit 1 or 2 with one message, never a stack trace or an internal error', () => {
    const store = join(cli.dir(), 'd');
    seed(store);
    const s = ImageStore.open(store);
    const image = loadImage(s, 'hello:1');
    const files = [join(store, 'index.json'), join(store, 'oci-layout'), s.blobPath(image.manifestDescriptor.digest), s.blobPath(image.id), s.blobPath(image.manifest.layers[0]!.digest)];
    const originals = files.map((f) => readFileSync(f));
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('ls', 'inspect', 'history'), (which, at, byte, command) => {
        const bytes = Buffer.from(originals[which]!);
        bytes[at % bytes.length] = byte;
        writeFileSync(files[which]!, bytes);
        try {
          const r = ringlab(['image', command, ...(command === 'ls' ? [] : ['hello:1']), '--store', store]);
          expect([0, 1, 2]).toContain(r.status);
          if (r.status !== 0) expect(r.stderr.trim().split('\n')[0]).toMatch(/^ringlab: /);
          expectNoStackTrace(r);
        } finally {
          writeFileSync(files[which]!, originals[which]!);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('ringlab image build', () => {
  it("builds the example Ringfile with progress per step; its executable runs on the guest kernel", () => {
    const store = join(cli.dir(), 'build-store');
    const context = join(cli.dir(), 'hello');
    cpSync(join(ROOT, 'examples', 'images', 'hello'), context, { recursive: true });
    const r = ringlab(['image', 'build', '-t', 'hello:1', '--store', store, context]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Step 1\/8 : FROM scratch\n ---> an empty image\nStep 2\/8 : COPY hello.s \/bin\/\n ---> a layer of 1 file\n[^]*Built hello:1: image ID sha256:[0-9a-f]{64}\n$/);
    const again = ringlab(['image', 'build', '-q', '-t', 'hello:1', '--store', store, context]);
    expect(again.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(r.stdout).toContain(`image ID ${again.stdout.trim()}`);
    // the image's /bin/hello, put on a disk, is what the guest kernel runs
    const s = ImageStore.open(store);
    const hello = imageRootfs(s, loadImage(s, 'hello:1')).get('bin/hello') as { data: Uint8Array };
    const exe = join(cli.dir(), 'hello.exe');
    writeFileSync(exe, hello.data);
    const disk = join(cli.dir(), 'root.img');
    for (const args of [['mkfs', disk, '--size', '1M'], ['mkdir', disk, '/bin'], ['put', disk, exe, '/bin/hello']]) expect(ringlab(['fs', ...args]).status).toBe(0);
    const boot = ringlab(['boot', '--disk', disk, '--run', '/bin/hello', '--json']);
    expect(boot.status, boot.stderr).toBe(0);
    expect(JSON.parse(boot.stdout).processes[0]).toMatchObject({ exitCode: 0, output: 'hello from a ringlab image\n' });
  });

  it("exit 2 for a Ringfile error (line:column), a failing RUN's own code, 1 without a Ringfile", () => {
    const store = join(cli.dir(), 'build-errors');
    const bad = cli.write('Bad.ringfile', 'FROM scratch\nCOPY missing /\n');
    const e2 = ringlab(['image', 'build', '-t', 'x:1', '-f', bad, '--store', store, cli.dir()]);
    expect(e2.status).toBe(2);
    expect(e2.stderr).toBe(`ringlab: ${bad}:2:1: COPY missing: no such file in the build context ${cli.dir()}\n`);
    const run = cli.write('Run.ringfile', 'FROM scratch\nRUN echo hi\n');
    const e127 = ringlab(['image', 'build', '-t', 'x:1', '-f', run, '--store', store, cli.dir()]);
    expect(e127.status).toBe(127); // FROM scratch has no /bin/sh: crun says so, as docker build would
    expect(e127.stdout).toContain('crun: /bin/sh: No such file or directory\n');
    expect(e127.stderr).toBe(`ringlab: ${run}:2:1: RUN echo hi: the command returned a non-zero code: 127\n`);
    const none = ringlab(['image', 'build', '-t', 'x:1', '--store', store, join(cli.dir(), 'build-errors')]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/no Ringfile \(give one with -f\)/);
    for (const x of [e2, e127, none]) expectNoStackTrace(x);
  });
});
