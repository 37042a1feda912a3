// What `container run` and RUN compute on the host, without booting (the boots are in
// test/cli/container-run.test.ts): a container's upper layer, as the guest's overlay leaves it,
// becomes the same change set docker build would make; crun's bundle holds any command word;
// docker's rules for the command; images with more layers than crun takes.

import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleConfig, crunWord, CRUN_MAX_LAYERS } from '../../src/configs/container.js';
import { BootError } from '../../src/configs/types.js';
import { emptyConfig } from '../../src/image/config.js';
import { layersRootfs, storeLayer } from '../../src/image/image.js';
import { applyLayer, createLayer, OPAQUE } from '../../src/image/layer.js';
import { containerArgv, layerTrees, upperLayer } from '../../src/image/run.js';
import { ImageStore } from '../../src/image/store.js';
import { decodeTar, encodeTar } from '../../src/image/tar.js';
import { baseName, isUnder, parentOf, sameNode, type FileTree, type TreeNode } from '../../src/image/tree.js';
import { plain, tree } from './trees.js';

const dir = mkdtempSync(join(tmpdir(), 'ringlab-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** crun's check_config splitting `cmd=` (programs/user/crun.s), step by step as the assembly. */
function crunSplit(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    while (i < value.length && value[i] !== ' ') {
      let c = value[i]!;
      if (c === '\\' && i + 1 < value.length) c = value[++i]!;
      word += c;
      i++;
    }
    words.push(word);
  }
  return words;
}

/** A tree the guest's disk can hold: no symbolic links, files 0644 or 0755. */
const diskTree = tree.map((t) => new Map([...t].filter(([, n]) => n.type !== 'symlink')) as FileTree);

/** The upper directory the guest's overlay leaves when a container turns `lower` into `target`
 *  (docs/containers.md, "Overlay"): what is new or changed, with the directories above it; a
 *  whiteout `.wh.NAME` for each topmost name removed; a directory in `opaque` made afresh
 *  (`rm -r d; mkdir d`): its marker and all of its contents. */
function overlayUpper(lower: FileTree, target: FileTree, opaque: ReadonlySet<string>): FileTree {
  const upper: FileTree = new Map();
  const put = (path: string, node: TreeNode) => {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (!upper.has(p)) upper.set(p, target.get(p)!);
    upper.set(path, node);
  };
  const empty = { type: 'file' as const, mode: 0o644, data: new Uint8Array() };
  for (const [path, node] of target) {
    const old = lower.get(path);
    const inOpaque = [...opaque].some((d) => isUnder(path, d));
    if (inOpaque || !old || !sameNode(old, node)) put(path, node);
  }
  for (const d of opaque) put(`${d}/${OPAQUE}`, empty);
  for (const path of lower.keys()) {
    if (target.has(path)) continue;
    const parent = parentOf(path);
    if (parent !== '' && target.get(parent)?.type !== 'dir') continue;
    if (parent !== '' && !target.has(parent)) continue;
    if ([...opaque].some((d) => isUnder(path, d))) continue;
    put(parent === '' ? `.wh.${baseName(path)}` : `${parent}/.wh.${baseName(path)}`, empty);
  }
  return upper;
}

describe("a container's upper layer as an image layer", () => {
  it('applying the layer made from the upper directory onto the lower tree gives what the container saw (random trees, opaque directories)', () => {
    fc.assert(
      fc.property(diskTree, diskTree, fc.infiniteStream(fc.boolean()), (lower, raw, coin) => {
        // The guest has no permission bits: a file that was there keeps its mode.
        const target: FileTree = new Map([...raw].map(([p, n]) => [p, n.type === 'file' && lower.get(p)?.type === 'file' ? { ...n, mode: (lower.get(p) as typeof n).mode } : n]));
        const opaque = new Set([...target].filter(([p, n]) => n.type === 'dir' && lower.get(p)?.type === 'dir' && coin.next().value).map(([p]) => p));
        const upper = overlayUpper(lower, target, opaque);
        const { tar, tree: merged } = upperLayer(lower, upper);
        expect(plain(applyLayer(lower, decodeTar(tar, 'layer'), 'layer'))).toEqual(plain(target));
        expect(plain(merged)).toEqual(plain(target));
        // Without opaque directories it is exactly the change set docker's diff makes.
        if (opaque.size === 0) expect(Buffer.from(tar)).toEqual(Buffer.from(createLayer(lower, target)));
        // Each opaque directory is marked in the layer.
        const paths = decodeTar(tar, 'layer').map((e) => e.path);
        for (const d of opaque) expect(paths).toContain(`${d}/${OPAQUE}`);
      }),
      { numRuns: 150 },
    );
  });

  it('writing a file with the content it had, or whiting out a name the lower tree lacks, is no change', () => {
    const d = { type: 'dir' as const, mode: 0o755 };
    const lower: FileTree = new Map([['etc', d], ['etc/motd', { type: 'file', mode: 0o755, data: Buffer.from('hi') }]]);
    const upper: FileTree = new Map([['etc', d], ['etc/motd', { type: 'file', mode: 0o644, data: Buffer.from('hi') }], ['etc/.wh.never', { type: 'file', mode: 0o644, data: new Uint8Array() }]]);
    expect(decodeTar(upperLayer(lower, upper).tar, 'l')).toEqual([]);
  });
});

describe("crun's bundle", () => {
  it('holds any command word without a newline or a zero byte: crun splits it back into the same words', () => {
    const word = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('a', ' ', '\\', '"', "'", '=', '#', 'é', '\t', '-') });
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), (words) => {
        const config = bundleConfig({ command: words, layerCount: 1 });
        const cmd = config.split('\n').find((l) => l.startsWith('cmd='))!.slice(4);
        expect(crunSplit(cmd)).toEqual(words);
        expect(words.map(crunWord).join(' ')).toBe(cmd);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what crun cannot hold, with a BootError: an empty word, a newline, too many words or layers', () => {
    const bad: [Parameters<typeof bundleConfig>[0], RegExp][] = [
      [{ command: [], layerCount: 1 }, /has no command/],
      [{ command: ['a', ''], layerCount: 1 }, /an empty word/],
      [{ command: ['a\nb'], layerCount: 1 }, /newline/],
      [{ command: Array(31).fill('x'), layerCount: 1 }, /31 words: crun takes at most 30/],
      [{ command: ['x'], layerCount: 9 }, /1 to 8 layers, not 9/],
      [{ command: ['x'], layerCount: 0 }, /1 to 8 layers, not 0/],
      [{ command: ['x'], layerCount: 1, hostname: 'a\nlayers=/' }, /hostname .* holds a newline/],
      [{ command: ['x'], layerCount: 1, cwd: '/a\0' }, /cwd .* holds a newline or a zero byte/],
    ];
    for (const [spec, message] of bad) {
      expect(() => bundleConfig(spec)).toThrow(BootError);
      expect(() => bundleConfig(spec)).toThrow(message);
    }
    expect(bundleConfig({ command: ['/bin/sh', '-c', 'echo a b'], layerCount: 2, hostname: 'box', cwd: '/srv', limits: { 'cpu.max': '50000 100000', 'memory.max': '1048576', 'pids.max': '4' }, upper: 'disk' })).toBe(
      'layers=/var/lib/crun/layers/0:/var/lib/crun/layers/1\ncmd=/bin/sh -c echo\\ a\\ b\nhostname=box\ncwd=/srv\ncpu.max=50000 100000\nmemory.max=1048576\npids.max=4\nupper=disk\n',
    );
  });
});

describe("docker's rules for the command", () => {
  it('ENTRYPOINT, then the arguments given or else CMD; neither is an error', () => {
    const config = (c: { Entrypoint?: string[]; Cmd?: string[] }) => ({ ...emptyConfig(), config: c });
    fc.assert(
      fc.property(fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 3 }), { nil: undefined }), fc.option(fc.array(fc.string(), { minLength: 1, maxLength: 3 }), { nil: undefined }), fc.array(fc.string(), { maxLength: 3 }), (entry, cmd, args) => {
        const c = config({ ...(entry && { Entrypoint: entry }), ...(cmd && { Cmd: cmd }) });
        const expected = [...(entry ?? []), ...(args.length > 0 ? args : (cmd ?? []))];
        if (expected.length === 0) expect(() => containerArgv(c, args, 'x:1')).toThrow(/x:1: no command/);
        else expect(containerArgv(c, args, 'x:1')).toEqual(expected);
      }),
    );
  });
});

describe('layers for crun', () => {
  it(`an image with more than ${CRUN_MAX_LAYERS} layers has its bottom ones merged into one: the same root filesystem`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(diskTree, diskTree), { minLength: 0, maxLength: 12 }), (pairs) => {
        const store = ImageStore.open(mkdtempSync(join(dir, 'store-')));
        const layers = pairs.map(([a, b]) => storeLayer(store, createLayer(a, b)).descriptor);
        const trees = layerTrees(store, layers, CRUN_MAX_LAYERS);
        expect(trees.length).toBe(Math.min(Math.max(layers.length, 1), CRUN_MAX_LAYERS));
        let rootfs: FileTree = new Map();
        for (const t of trees) rootfs = applyLayer(rootfs, decodeTar(encodeTar([...t].sort(([x], [y]) => (x < y ? -1 : 1)).map(([path, n]) => (n.type === 'dir' ? { path, type: 'dir', mode: n.mode } : n.type === 'file' ? { path, type: 'file', mode: n.mode, data: n.data } : { path, type: 'symlink', target: n.target }))), 't'), 't');
        expect(plain(rootfs)).toEqual(plain(layersRootfs(store, layers)));
      }),
      { numRuns: 40 },
    );
  });
});

