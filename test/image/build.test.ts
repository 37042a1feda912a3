// image build without a guest: COPY (assembly sources become executables), the config steps,
// the build cache (hits, the first miss rebuilding the rest, --no-cache), FROM an image in the
// store, reproducible image IDs, and errors at the Ringfile's line:column.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { buildImage, type BuildOptions } from '../../src/image/build.js';
import { ImageError } from '../../src/image/errors.js';
import { imageRootfs, loadImage } from '../../src/image/image.js';
import { ImageStore } from '../../src/image/store.js';
import { toExecutable } from '../../src/fs/exec.js';
import { isaWith } from '../../src/isa/index.js';
import { ROOT } from '../cli/setup.js';
import { plain } from './trees.js';

const dir = mkdtempSync(join(tmpdir(), 'ringlab-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EXAMPLE = join(ROOT, 'examples', 'images', 'hello');
let n = 0;

/** A copy of the example context, and a store, of their own. */
function setup(): { context: string; store: ImageStore } {
  const context = join(dir, `ctx${n}`);
  cpSync(EXAMPLE, context, { recursive: true });
  return { context, store: ImageStore.open(join(dir, `store${n++}`)) };
}

const build = (o: Partial<BuildOptions> & { store: ImageStore; context: string }) =>
  buildImage({ ringfile: readFileSync(join(o.context, 'Ringfile'), 'utf8'), ringfileName: 'Ringfile', tag: 'hello:1', ...o });

describe('image build', () => {
  it('builds the example: an executable assembled from hello.s, the motd, and the config steps as empty layers', () => {
    const { context, store } = setup();
    const { image, steps } = build({ store, context });
    expect(steps.map((s) => s.cached)).toEqual([false, false, false, false, false, false, false, false]);
    expect(image.manifest.layers.length).toBe(2);
    expect(image.config.config).toEqual({ Cmd: ['/bin/hello'], Env: ['PATH=/bin'], Labels: { 'org.opencontainers.image.title': 'hello' }, WorkingDir: '/srv' });
    expect(image.config['os.features']).toEqual(['namespaces']);
    expect(image.config.history!.map((h) => [h.created_by, h.empty_layer ?? false])).toEqual([
      ['COPY hello.s /bin/', false],
      ['COPY motd /etc/motd', false],
      ['ENV PATH=/bin', true],
      ['WORKDIR /srv', true],
      ['LABEL org.opencontainers.image.title="hello"', true],
      ['REQUIRES kernel=namespaces', true],
      ['CMD ["/bin/hello"]', true],
    ]);
    const rootfs = imageRootfs(store, loadImage(store, 'hello:1'));
    expect([...rootfs.keys()].sort()).toEqual(['bin', 'bin/hello', 'etc', 'etc/motd']);
    const asm = assemble(readFileSync(join(context, 'hello.s'), 'utf8'), { fileName: 'hello.s', isa: isaWith([]), includePath: [join(ROOT, 'programs', 'user')] });
    if (!asm.ok) throw new Error('assembly failed');
    expect(Buffer.from((rootfs.get('bin/hello') as { data: Uint8Array }).data).equals(Buffer.from(toExecutable(asm.image)))).toBe(true);
    expect(rootfs.get('bin/hello')).toMatchObject({ mode: 0o755 });
  });

  it('is reproducible: the same Ringfile and context give the same image ID, in another store, without the cache', () => {
    const a = setup();
    const b = setup();
    const first = build(a).image.id;
    expect(build(b).image.id).toBe(first);
    expect(build({ ...a, noCache: true }).image.id).toBe(first);
  });

  it('caches steps: all hits the second time; a changed COPY content misses there and rebuilds every later step', () => {
    const { context, store } = setup();
    const first = build({ store, context });
    expect(build({ store, context }).steps.map((s) => s.cached)).toEqual([false, true, true, true, true, true, true, true]);
    writeFileSync(join(context, 'motd'), 'changed\n');
    const changed = build({ store, context });
    expect(changed.steps.map((s) => s.cached)).toEqual([false, true, false, false, false, false, false, false]);
    expect(changed.image.id).not.toBe(first.image.id);
    // a changed instruction text misses from there on
    const text = readFileSync(join(context, 'Ringfile'), 'utf8').replace('WORKDIR /srv', 'WORKDIR /opt');
    expect(build({ store, context, ringfile: text }).steps.map((s) => s.cached)).toEqual([false, true, true, true, false, false, false, false]);
    // --no-cache runs everything
    expect(build({ store, context, noCache: true }).steps.every((s) => !s.cached)).toBe(true);
    // a cache entry whose layer blob is gone is a miss, not an error; the COPYs make the same
    // layers again, so the keys after them are the same and the config steps hit
    store.removeTag('hello:1');
    store.collectGarbage();
    expect(build({ store, context }).steps.map((s) => s.cached)).toEqual([false, false, false, true, true, true, true, true]);
  });

  it('builds FROM an image in the store: its layers and config, then the new steps', () => {
    const { context, store } = setup();
    const base = build({ store, context }).image;
    mkdirSync(join(context, 'app', 'tools'), { recursive: true });
    writeFileSync(join(context, 'app', 'README'), 'read me\n');
    cpSync(join(context, 'hello.s'), join(context, 'app', 'tools', 'greet.s'));
    const child = build({ store, context, tag: 'child:1', ringfile: 'FROM hello:1\nENV MODE=child\nCOPY app opt/\nENTRYPOINT ["/bin/hello"]\n' });
    expect(child.image.manifest.layers.slice(0, 2)).toEqual(base.manifest.layers);
    expect(child.image.manifest.layers.length).toBe(3);
    expect(child.image.config.config).toMatchObject({ Env: ['PATH=/bin', 'MODE=child'], Entrypoint: ['/bin/hello'], WorkingDir: '/srv' });
    expect(child.image.config.config!.Cmd).toBeUndefined(); // a new ENTRYPOINT drops the base CMD, as docker does
    const rootfs = imageRootfs(store, loadImage(store, 'child:1'));
    // a relative destination is under WORKDIR; a directory's contents are copied, .s assembled
    expect([...rootfs.keys()].filter((p) => p.startsWith('srv')).sort()).toEqual(['srv', 'srv/opt', 'srv/opt/README', 'srv/opt/tools', 'srv/opt/tools/greet']);
  });

  it('the config requires the extensions the COPYed executables use (EX_ISA), with REQUIRES isa= added', () => {
    const { context, store } = setup();
    writeFileSync(join(context, 'ring.s'), '        .include "user.inc"\n_start: rdstatus a0\n        call exit\n        .include "lib.s"\n');
    const label = (ringfile: string) => build({ store, context, ringfile }).image.config.config!.Labels;
    expect(label('FROM scratch\nCOPY ring.s /bin/\n')).toEqual({ 'org.ringlab.isa.extensions': 'legacy' });
    expect(label('FROM scratch\nREQUIRES isa=legacy\nCOPY ring.s /bin/\n')).toEqual({ 'org.ringlab.isa.extensions': 'legacy' });
    expect(label('FROM scratch\nREQUIRES isa=vmx\nCOPY ring.s /bin/\n')).toEqual({ 'org.ringlab.isa.extensions': 'legacy,vmx' });
    expect(build({ store, context, ringfile: 'FROM scratch\nCOPY motd /\n' }).image.config.config!.Labels).toBeUndefined(); // nothing needed: no label
    // An executable built elsewhere (asm --exec) and COPYed as it is counts too.
    const ring = assemble(readFileSync(join(context, 'ring.s'), 'utf8'), { fileName: join(context, 'ring.s'), isa: isaWith(['legacy']), includePath: [join(ROOT, 'programs', 'user')] });
    if (!ring.ok) throw new Error(JSON.stringify(ring.errors[0]));
    writeFileSync(join(context, 'ring'), toExecutable(ring.image));
    expect(label('FROM scratch\nCOPY ring /bin/\n')).toEqual({ 'org.ringlab.isa.extensions': 'legacy' });
  });

  it('errors say the Ringfile line and column: a missing COPY source, an unknown base, a source outside the context, RUN', () => {
    const { context, store } = setup();
    const err = (ringfile: string) => {
      try {
        build({ store, context, ringfile });
      } catch (e) {
        expect(e).toBeInstanceOf(ImageError);
        return `${(e as ImageError).kind}: ${(e as Error).message}`;
      }
      throw new Error('built');
    };
    expect(err('FROM scratch\n  COPY nope.txt /')).toBe(`format: Ringfile:2:3: COPY nope.txt: no such file in the build context ${context}`);
    expect(err('FROM base:9')).toMatch(/^format: Ringfile:1:1: FROM base:9: no image base:9 in /);
    expect(err('FROM scratch\nCOPY ../x /')).toBe(`format: Ringfile:2:1: COPY ../x: outside the build context ${context}`);
    expect(err('FROM scratch\nCOPY motd /\nRUN /bin/cc hello.s')).toBe('needs-guest: Ringfile:3:1: RUN needs the guest runtime (issue 17: ringlab boot --container), not yet: this build stops here');
    expect(err('FROM scratch\nCOPY motd /\nRUN /bin/cc hello.s').startsWith('needs-guest')).toBe(true);
    expect(() => build({ store, context, tag: 'Bad:1' })).toThrow(/bad image reference 'Bad:1'/);
  });
});

describe('trees on the guest disk', () => {
  it("an image's root filesystem written to a disk and read back is the same tree; links are refused", async () => {
    const { mkfs, openFs } = await import('../../src/fs/image.js');
    const { treeFromDisk, treeToDisk } = await import('../../src/image/disk.js');
    const { context, store } = setup();
    build({ store, context });
    const rootfs = imageRootfs(store, loadImage(store, 'hello:1'));
    const made = mkfs(1 << 20);
    if (!made.ok) throw new Error(made.error);
    const fs = openFs(made.value);
    if (!fs.ok) throw new Error(fs.error);
    treeToDisk(rootfs, fs.value);
    expect(plain(treeFromDisk(fs.value))).toEqual(plain(rootfs));
    fs.value.mkdir('/upper');
    treeToDisk(rootfs, fs.value, '/upper');
    expect(plain(treeFromDisk(fs.value, '/upper'))).toEqual(plain(rootfs));
    expect(() => treeToDisk(new Map([['l', { type: 'symlink', target: 'x' }]]), fs.value)).toThrow(/a symbolic link, which the guest's disk filesystem does not have/);
  });
});
