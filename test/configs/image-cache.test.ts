// The disk cache of assembled images (src/configs/images.ts): a hit gives exactly the image the
// assembler gives; corrupt, truncated, foreign or stale entries are assembled again, never
// trusted; a cache directory that cannot be written is no error.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleFile, parseImage, serializeImage } from '../../src/asm/index.js';
import { assembleWithDiskCache, imageCacheDir, KERNEL_SOURCE, ROOT } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith([]);
const scratch = mkdtempSync(join(tmpdir(), 'ringlab-image-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
const freshDir = (): string => join(scratch, `cache${dirs++}`);
const onlyEntry = (dir: string): string => {
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
};

/** A program in the scratch directory that includes a second file. */
function program(name: string, included: string): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  writeFileSync(join(dir, 'inc.s'), included);
  writeFileSync(join(dir, 'main.s'), '_start: .include "inc.s"\n        halt\n');
  return join(dir, 'main.s');
}

describe('the image cache', () => {
  it('.rli round-trips everything an Image holds (the kernel: segments, symbols, line table)', () => {
    const r = assembleFile(KERNEL_SOURCE, isa);
    if (!r.ok) throw new Error('kernel does not assemble');
    expect(r.image.symbols.length).toBeGreaterThan(100);
    expect(r.image.lines.length).toBeGreaterThan(100);
    expect(parseImage(serializeImage(r.image), 'kernel.rli')).toStrictEqual(r.image);
  });

  it('a hit gives the image the assembler gives, per define set', () => {
    const dir = freshDir();
    for (const defines of [{}, { PARAVIRT: 1 }]) {
      const first = assembleWithDiskCache(KERNEL_SOURCE, isa, defines, dir);
      const second = assembleWithDiskCache(KERNEL_SOURCE, isa, defines, dir);
      expect([first.cached, second.cached]).toEqual([false, true]);
      const direct = assembleFile(KERNEL_SOURCE, isa, defines);
      expect(direct.ok && second.image).toStrictEqual(direct.ok && direct.image);
    }
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('the ISA is part of the key', () => {
    const dir = freshDir();
    assembleWithDiskCache(KERNEL_SOURCE, isa, {}, dir);
    expect(assembleWithDiskCache(KERNEL_SOURCE, isaWith(['vmx']), {}, dir).cached).toBe(false);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('a changed include is assembled again', () => {
    const dir = freshDir();
    const main = program('inc', '        li a0, 1\n');
    expect(assembleWithDiskCache(main, isa, {}, dir).cached).toBe(false);
    expect(assembleWithDiskCache(main, isa, {}, dir).cached).toBe(true);
    writeFileSync(join(main, '..', 'inc.s'), '        li a0, 2\n');
    const again = assembleWithDiskCache(main, isa, {}, dir);
    expect(again.cached).toBe(false);
    const direct = assembleFile(main, isa);
    expect(direct.ok && again.image).toStrictEqual(direct.ok && direct.image);
    expect(assembleWithDiskCache(main, isa, {}, dir).cached).toBe(true);
  });

  it('a corrupted byte, a truncated entry or an entry of another key is rebuilt, never trusted', () => {
    const dir = freshDir();
    const main = program('bad', '        li a0, 1\n');
    const good = assembleWithDiskCache(main, isa, {}, dir).image;
    const entry = onlyEntry(dir);
    const original = readFileSync(entry);
    const damaged: [string, Buffer][] = [];
    for (const at of [0, 70, original.length - 10, Math.floor(original.length / 2)]) {
      const copy = Buffer.from(original);
      copy[at] = copy[at] === 0x31 ? 0x32 : 0x31;
      damaged.push([`byte ${at} changed`, copy]);
    }
    damaged.push(['truncated', original.subarray(0, original.length - 5)], ['empty', Buffer.alloc(0)]);
    // A valid entry of another program, under this program's name.
    const other = freshDir();
    assembleWithDiskCache(program('other', '        li a0, 7\n'), isa, {}, other);
    damaged.push(['another key', readFileSync(onlyEntry(other))]);
    for (const [what, bytes] of damaged) {
      writeFileSync(entry, bytes);
      const r = assembleWithDiskCache(main, isa, {}, dir);
      expect(r.cached, what).toBe(false);
      expect(r.image, what).toStrictEqual(good);
      expect(readFileSync(entry).equals(original), `${what}: rewritten`).toBe(true);
    }
  });

  it('a cache directory that cannot be created is no error', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a directory');
    for (const dir of [join(file, 'cache'), '/proc/no-such-dir/ringlab']) {
      const r = assembleWithDiskCache(KERNEL_SOURCE, isa, {}, dir);
      expect(r.cached).toBe(false);
      expect(r.image.symbols.length).toBeGreaterThan(100);
    }
  });

  it('lives under node_modules/.cache/ringlab unless RINGLAB_CACHE_DIR says otherwise; RINGLAB_CACHE=0 turns it off', () => {
    const saved = { dir: process.env.RINGLAB_CACHE_DIR, on: process.env.RINGLAB_CACHE };
    try {
      delete process.env.RINGLAB_CACHE_DIR;
      delete process.env.RINGLAB_CACHE;
      expect(imageCacheDir()).toBe(join(ROOT, 'node_modules', '.cache', 'ringlab'));
      process.env.RINGLAB_CACHE_DIR = scratch;
      expect(imageCacheDir()).toBe(scratch);
      process.env.RINGLAB_CACHE = '0';
      expect(imageCacheDir()).toBeUndefined();
    } finally {
      for (const [name, value] of [['RINGLAB_CACHE_DIR', saved.dir], ['RINGLAB_CACHE', saved.on]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
