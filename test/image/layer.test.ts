// Layers: change sets with whiteouts and opaque directories (OCI image spec, layer.md), tars
// that are reproducible and that other tools read, and a parser that refuses bad archives
// with an ImageError, never anything else.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../src/image/errors.js';
import { applyLayer, createLayer, diffTrees, OPAQUE, readLayer } from '../../src/image/layer.js';
import { MEDIA } from '../../src/image/media.js';
import { decodeTar, encodeTar } from '../../src/image/tar.js';
import { readHostTree, type FileTree } from '../../src/image/tree.js';
import { plain, tree } from './trees.js';
import { gzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'ringlab-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (text: string, mode = 0o644) => ({ type: 'file' as const, mode, data: Buffer.from(text) });
const d = { type: 'dir' as const, mode: 0o755 };
const names = (entries: { path: string; type: string }[]) => entries.map((e) => (e.type === 'dir' ? `${e.path}/` : e.path));

describe('change sets', () => {
  it('applying the diff of two trees onto the lower one gives the upper one (random trees, through a tar)', () => {
    fc.assert(
      fc.property(tree, tree, (lower, upper) => {
        const tar = createLayer(lower, upper);
        const applied = applyLayer(lower, decodeTar(tar, 'layer'), 'layer');
        expect(plain(applied)).toEqual(plain(upper));
      }),
      { numRuns: 300 },
    );
  });

  it('an opaque upper directory becomes .wh..wh..opq plus its contents, and applying it hides the lower contents', () => {
    fc.assert(
      fc.property(tree, tree, (lower, upper) => {
        const marked: FileTree = new Map([...upper].map(([p, n]) => [p, n.type === 'dir' && lower.get(p)?.type === 'dir' ? { ...n, opaque: true } : n]));
        const entries = diffTrees(lower, marked);
        for (const [p, n] of marked) if (n.type === 'dir' && n.opaque) expect(entries.some((e) => e.path === `${p}/${OPAQUE}`)).toBe(true);
        expect(plain(applyLayer(lower, decodeTar(encodeTar(entries), 'l'), 'l'))).toEqual(plain(upper));
      }),
      { numRuns: 200 },
    );
  });

  it('writes a whiteout for the topmost removed path only, and the directories above each change', () => {
    const lower: FileTree = new Map([['etc', d], ['etc/passwd', file('root')], ['etc/old', d], ['etc/old/x', file('x')], ['bin', d], ['bin/sh', file('sh', 0o755)]]);
    const upper: FileTree = new Map([['etc', d], ['etc/passwd', file('root\nme')], ['bin', d], ['bin/sh', file('sh', 0o755)]]);
    expect(names(diffTrees(lower, upper))).toEqual(['etc/', 'etc/.wh.old', 'etc/passwd']);
  });

  it('applies the example of layer.md: whiteouts hide lower files only, an opaque directory empties the lower one', () => {
    const lower: FileTree = new Map([['a', d], ['a/b', d], ['a/b/c', d], ['a/b/c/bar', file('bar')], ['a/b/c/foo', file('foo')], ['a/b/c/baz', file('baz')], ['q', d], ['q/old', file('o')]]);
    const layer = encodeTar([
      { path: 'a', type: 'dir', mode: 0o755 },
      { path: 'a/b', type: 'dir', mode: 0o755 },
      { path: 'a/b/c', type: 'dir', mode: 0o755 },
      { path: 'a/b/c/.wh.bar', type: 'file', mode: 0o644, data: new Uint8Array(0) },
      { path: 'a/b/c/foo', type: 'file', mode: 0o644, data: Buffer.from('new foo') },
      // a whiteout of a file in the same layer hides nothing of it (only lower layers' files)
      { path: 'a/b/c/.wh.new', type: 'file', mode: 0o644, data: new Uint8Array(0) },
      { path: 'a/b/c/new', type: 'file', mode: 0o644, data: Buffer.from('n') },
      { path: 'q', type: 'dir', mode: 0o755 },
      { path: `q/${OPAQUE}`, type: 'file', mode: 0o644, data: new Uint8Array(0) },
      { path: 'q/kept', type: 'file', mode: 0o644, data: Buffer.from('k') },
    ]);
    const out = applyLayer(lower, readLayer(layer, MEDIA.LAYER_TAR, 'l'), 'l');
    expect([...out.keys()].sort()).toEqual(['a', 'a/b', 'a/b/c', 'a/b/c/baz', 'a/b/c/foo', 'a/b/c/new', 'q', 'q/kept']);
    expect(Buffer.from((out.get('a/b/c/foo') as { data: Uint8Array }).data).toString()).toBe('new foo');
    // gzip is accepted too, and gives the same entries
    expect(readLayer(gzipSync(layer), MEDIA.LAYER_TAR_GZIP, 'l')).toEqual(readLayer(layer, MEDIA.LAYER_TAR, 'l'));
    expect(() => readLayer(layer, 'application/vnd.docker.image.rootfs.diff.tar.zstd', 'l')).toThrow(/unsupported layer media type/);
  });

  it('a file replacing a directory (and the reverse) round-trips', () => {
    const lower: FileTree = new Map([['x', d], ['x/y', file('y')], ['f', file('f')]]);
    const upper: FileTree = new Map([['x', file('now a file')], ['f', d], ['f/g', file('g')]]);
    expect(plain(applyLayer(lower, decodeTar(createLayer(lower, upper), 'l'), 'l'))).toEqual(plain(upper));
  });
});

describe('tars', () => {
  it('are reproducible: the same tree in any insertion order gives the same bytes', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const reversed: FileTree = new Map([...t].reverse());
        expect(Buffer.from(createLayer(new Map(), t)).equals(Buffer.from(createLayer(new Map(), reversed)))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('GNU tar lists our archives (long paths by PAX headers), and we read what GNU tar writes', () => {
    const long = `${'p'.repeat(120)}/${'q'.repeat(120)}`;
    const t: FileTree = new Map([['bin', d], ['bin/hello', file('hi\n', 0o755)], ['lnk', { type: 'symlink', target: 'bin/hello' }], [long.split('/')[0]!, d], [long, file('deep')]]);
    const path = join(dir, 'ours.tar');
    writeFileSync(path, createLayer(new Map(), t));
    const listed = spawnSync('tar', ['-tvf', path], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('-rwxr-xr-x 0/0               3 1970-01-01 00:00 bin/hello');
    expect(listed.stdout).toContain(long);
    expect(listed.stdout).toContain('lnk -> bin/hello');
    // GNU tar's own archive of a directory
    const src = join(dir, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc', 'motd'), 'hello\n');
    symlinkSync('etc/motd', join(src, 'm'));
    const theirs = join(dir, 'theirs.tar');
    expect(spawnSync('tar', ['-cf', theirs, '-C', src, '.']).status).toBe(0);
    const applied = applyLayer(new Map(), decodeTar(readFileSync(theirs), theirs), theirs);
    expect(plain(applied).map(([p]) => p)).toEqual(['etc', 'etc/motd', 'm']);
    expect(plain(readHostTree(src))).toEqual(plain(applied).map(([p, n]) => [p, n.type === 'file' ? { ...n, mode: 0o644 } : n.type === 'dir' ? { ...n, mode: 0o755 } : n]));
  });

  it('refuses damaged archives, paths leaving the root and devices with an ImageError, never another error', () => {
    const good = Buffer.from(createLayer(new Map(), new Map([['a', d], ['a/b', file('x'.repeat(700))]])));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: good.length }), (at, byte, cut) => {
        const bad = Buffer.from(good);
        bad[at] = byte;
        for (const bytes of [bad, good.subarray(0, cut)]) {
          try {
            decodeTar(bytes, 'l');
          } catch (e) {
            expect(e).toBeInstanceOf(ImageError);
          }
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
        try {
          readLayer(bytes, fc.sample(fc.constantFrom(MEDIA.LAYER_TAR, MEDIA.LAYER_TAR_GZIP), 1)[0]!, 'l');
        } catch (e) {
          expect(e).toBeInstanceOf(ImageError);
        }
      }),
      { numRuns: 300 },
    );
    expect(() => decodeTar(encodeTar([{ path: '../../etc/passwd', type: 'file', mode: 0o644, data: new Uint8Array(1) }]), 'evil.tar')).toThrow(/evil.tar: .*leaves the root/);
    expect(() => decodeTar(good.subarray(0, 700), 'short.tar')).toThrow(ImageError);
  });
});
