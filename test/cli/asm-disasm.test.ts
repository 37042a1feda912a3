// `ringlab asm` and `ringlab disasm`: images that `run` and `disasm` accept, listings, round trips.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELLO, ringlab, TOUR, useCli } from './helpers.js';

const cli = useCli();

interface ImageJson {
  format: string;
  version: number;
  entry: number;
  segments: { address: number; data: string }[];
  symbols: { name: string; value: number; kind: string }[];
  lines: { address: number; file: string; line: number }[];
}

const readImage = (path: string): ImageJson => JSON.parse(readFileSync(path, 'utf8')) as ImageJson;

describe('ringlab asm', () => {
  it('-o writes an image that run and disasm accept', () => {
    const source = cli.write('hello.s', HELLO);
    const image = join(cli.dir(), 'out.rli');
    const r = ringlab(['asm', source, '-o', image], { spawn: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const json = readImage(image);
    expect(json.format).toBe('ringlab-image');
    expect(json.symbols.map((s) => s.name)).toContain('_start');

    const run = ringlab(['run', image]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('hello from the cli test\n');

    const dis = ringlab(['disasm', image], { spawn: true });
    expect(dis.status).toBe(0);
    expect(dis.stdout).toMatch(/^_start:$/m);
    expect(dis.stdout).toMatch(/\bout 0x10, t0\b/);
    expect(dis.stdout).toMatch(/\bhalt\b/);
  });

  it('without -o writes FILE.rli next to the source', () => {
    const source = cli.write('default-name.s', HELLO);
    expect(ringlab(['asm', source]).status).toBe(0);
    expect(existsSync(join(cli.dir(), 'default-name.rli'))).toBe(true);
  });

  it('an image gives the same run as its source, statistics included', () => {
    const source = cli.write('tour.s', TOUR);
    const image = join(cli.dir(), 'tour.rli');
    expect(ringlab(['asm', source, '-o', image]).status).toBe(0);
    const fromSource = JSON.parse(ringlab(['run', source, '--json']).stdout);
    const fromImage = JSON.parse(ringlab(['run', image, '--json']).stdout);
    expect(fromImage.console).toBe(fromSource.console);
    expect(fromImage.stats).toEqual(fromSource.stats);
  });

  it('--listing prints address, encoding, file:line and source for every statement', () => {
    const source = cli.write('listing.s', HELLO);
    const r = ringlab(['asm', source, '--listing', '-o', join(cli.dir(), 'listing.rli')]);
    expect(r.status).toBe(0);
    // `la` is two words, then `lbu t0, 0(a0)` at 8.
    expect(r.stdout).toMatch(/^00000000 {2}[0-9a-f]{8} [0-9a-f]{8} +\S*listing\.s:3 +_start: la {3}a0, msg$/m);
    expect(r.stdout).toMatch(/^00000008 {2}[0-9a-f]{8} +\S*listing\.s:4 +\.loop: {2}lbu {2}t0, 0\(a0\)$/m);
    // Data is listed as bytes: "hello" in ASCII.
    expect(r.stdout).toMatch(/68 65 6c 6c 6f/);
    expect(existsSync(join(cli.dir(), 'listing.rli'))).toBe(true);
  });
});

describe('ringlab disasm', () => {
  it('prints text that assembles back to the same image', () => {
    const source = cli.write('tour-rt.s', TOUR);
    const image = join(cli.dir(), 'tour-rt.rli');
    expect(ringlab(['asm', source, '-o', image]).status).toBe(0);
    const dis = ringlab(['disasm', image]);
    expect(dis.status).toBe(0);
    const back = cli.write('tour-back.s', dis.stdout);
    const backImage = join(cli.dir(), 'tour-back.rli');
    const again = ringlab(['asm', back, '-o', backImage]);
    expect(again.status, again.stderr).toBe(0);
    const a = readImage(image);
    const b = readImage(backImage);
    expect(b.entry).toBe(a.entry);
    expect(b.segments).toEqual(a.segments);
    // And it still runs the same.
    expect(ringlab(['run', back]).stdout).toBe('tour: rings, traps, paging\n');
  });

  it('accepts a source file and disassembles what it assembles to', () => {
    const source = cli.write('hello-src.s', HELLO);
    const r = ringlab(['disasm', source]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\.entry 0x00000000/);
    expect(r.stdout).toMatch(/lbu t0, 0\(a0\)/);
  });
});

describe('ringlab asm -D', () => {
  const source = '.if WIDTH == 2\n  li a0, 2\n.else\n  li a0, 1\n.endif\n  out 0x30, a0\n';

  it('defines a symbol (value 1 by default) before the first line', () => {
    const file = cli.write('defines.s', source);
    const image = join(cli.dir(), 'defines.rli');
    expect(ringlab(['asm', file, '-o', image, '-D', 'WIDTH=2']).status).toBe(0);
    expect(ringlab(['run', image]).status).toBe(2);
    expect(ringlab(['asm', file, '-o', image, '-D', 'WIDTH']).status).toBe(0);
    expect(ringlab(['run', image]).status).toBe(1);
  });

  it('rejects a malformed definition with a usage error', () => {
    const file = cli.write('defines2.s', source);
    const r = ringlab(['asm', file, '-D', '2WIDTH']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/-D expects NAME or NAME=VALUE/);
  });
});
