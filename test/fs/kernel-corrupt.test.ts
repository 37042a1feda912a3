// A damaged disk never hangs or crashes the guest kernel: it refuses to mount a disk whose
// superblock is wrong, and a damaged file or directory gives EIO (or another error), while the
// kernel goes on and powers off as usual. The cases the issue names (bad magic, block pointers
// out of range, a directory cycle, a file larger than its blocks), then random damage anywhere
// in the metadata.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { USER_DIR } from '../../src/configs/images.js';
import { toExecutable } from '../../src/fs/exec.js';
import { mkfs, openFs, readSuperblock } from '../../src/fs/image.js';
import { B, DINODE, INODE_SIZE, IPB, ROOT_INUM } from '../../src/fs/layout.js';
import { isaWith } from '../../src/isa/index.js';
import { systemPrograms } from '../../src/configs/system.js';

/** Sequences to run: RINGLAB_FS_RUNS=N for a long run (the test's time limit grows with it). */
const RUNS = Number(process.env.RINGLAB_FS_RUNS ?? 40);
const TIME_LIMIT = Math.max(60_000, RUNS * 2_000);

const fsops = (() => {
  const result = assemble(readFileSync(join(import.meta.dirname, 'guests', 'fsops.s'), 'utf8'), { fileName: join(USER_DIR, 'fsops.s'), isa: isaWith([]) });
  if (!result.ok) throw new Error('fsops.s does not assemble');
  return toExecutable(result.image);
})();

/** The system programs (/sbin/init, which starts fsops, the shell and the utilities), as the
 *  host installs them: a disk that has them all is booted exactly as it is. */
const system = systemPrograms(isaWith([])).map((p) => ({ path: p.path!, bytes: toExecutable(p.image) }));

/** A disk with /bin/fsops and a small tree: /d/f (3 blocks), /d/e/ (empty), /big (13 blocks:
 *  one through the indirect block), /s (small); then the system programs. */
function healthyDisk(): Uint8Array {
  const made = mkfs(96 * B, 48); // room for the system programs (the vfs slice added four)
  if (!made.ok) throw new Error(made.detail);
  const fs = openFs(made.value);
  if (!fs.ok) throw new Error(fs.detail);
  const f = fs.value;
  const must = (r: { ok: boolean }) => expect(r.ok).toBe(true);
  must(f.mkdir('/bin'));
  must(f.writeFile('/bin/fsops', fsops));
  must(f.mkdir('/d'));
  must(f.writeFile('/d/f', new Uint8Array(3 * B).fill(7)));
  must(f.mkdir('/d/e'));
  must(f.writeFile('/big', new Uint8Array(13 * B).fill(9)));
  must(f.writeFile('/s', new Uint8Array([1, 2, 3])));
  must(f.mkdir('/sbin'));
  for (const p of system) must(f.writeFile(p.path, p.bytes));
  return made.value;
}

/** Operations over the whole tree, reads and writes (the script format of fsops.s). */
function script(): Uint8Array {
  const parts: Buffer[] = [];
  const word = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    parts.push(b);
  };
  const path = (p: string) => (word(p.length), parts.push(Buffer.from(p)));
  for (const p of ['/', '/d', '/d/e', '/bin']) (word(2), path(p)); // readdir
  for (const p of ['/d/f', '/big', '/s', '/d/e', '/nope']) (word(1), path(p)); // stat
  for (const p of ['/d/f', '/big', '/s']) (word(3), path(p), word(0), word(14 * B)); // read
  word(5), path('/d/new'); // create
  word(4), path('/s'), word(3), word(2 * B), word(5); // write
  word(4), path('/big'), word(13 * B), word(B), word(6);
  word(6), path('/d/e/x'); // mkdir
  word(10), path('/d/f'), path('/d/e/x/f'); // rename
  word(8), path('/s'); // unlink
  word(9), path('/d/e/x'); // rmdir (not empty)
  word(2), path('/d/e/x');
  word(0);
  return new Uint8Array(Buffer.concat(parts));
}

function boot(disk: Uint8Array, config = 'native'): BootResult {
  return findConfig(config)!.boot({ workloads: [], run: ['/bin/fsops'], disk, input: script(), maxCycles: 1_000_000_000 });
}

/** It powered off by itself (no hang, no cycle limit) and the kernel never panicked. */
function expectGraceful(r: BootResult): void {
  expect(r.stop.kind, r.console).toBe('halt');
  expect(r.console).not.toContain('panic');
  expect([0, 4, 6]).toContain(r.exitCode);
}

const view = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength);
function inodeAt(disk: Uint8Array, inum: number): number {
  const sb = readSuperblock(disk)!;
  return (sb.inodestart + Math.floor(inum / IPB)) * B + (inum % IPB) * INODE_SIZE;
}
function inumOf(disk: Uint8Array, path: string): number {
  const fs = openFs(disk);
  if (!fs.ok) throw new Error(fs.detail);
  const st = fs.value.stat(path);
  if (!st.ok) throw new Error(path);
  return st.value.inum;
}

describe('the guest kernel on a damaged disk', () => {
  it('runs the script on the healthy disk', () => {
    const r = boot(healthyDisk());
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toContain('D bin d big s');
  });

  it('refuses to mount a disk with a bad magic, and says so', () => {
    const disk = healthyDisk();
    view(disk).setUint32(B, 0x12345678, true);
    const r = boot(disk);
    expectGraceful(r);
    expect(r.exitCode).toBe(6);
    expect(r.console).toContain('kernel: disk: no filesystem mounted (bad magic)');
  });

  // A read stops at the damage: the bytes before it come back (a short read, as on Linux),
  // and a read that starts there fails with EIO.
  it('stops a read at a block pointer outside the data blocks (EIO past it)', () => {
    const disk = healthyDisk();
    const at = inodeAt(disk, inumOf(disk, '/d/f'));
    view(disk).setUint32(at + DINODE.fields.ADDRS.offset + 4, 0xffff, true);
    const r = boot(disk);
    expectGraceful(r);
    expect(r.processes[0]!.output.split('\n')[9]).toMatch(/^R4096 /);
  });

  it('stops a read where a file larger than its blocks runs out of them', () => {
    const disk = healthyDisk();
    const at = inodeAt(disk, inumOf(disk, '/s'));
    view(disk).setUint32(at + DINODE.fields.SIZE.offset, 5 * B, true);
    const r = boot(disk);
    expectGraceful(r);
    const lines = r.processes[0]!.output.split('\n');
    expect(lines[6]).toBe(`S2 ${5 * B} 1 ${inumOf(disk, '/s')}`);
    expect(lines[11]).toMatch(/^R4096 /);
  });

  it('survives a directory cycle (/d/e names the root as `..` and as an entry)', () => {
    const disk = healthyDisk();
    const e = inumOf(disk, '/d/e');
    const fs = openFs(disk);
    if (!fs.ok) throw new Error(fs.detail);
    // Point /d/e's `..` at itself: climbing `..` (rename's check, getcwd) never reaches the root.
    const dirBlock = view(disk).getUint32(inodeAt(disk, e) + DINODE.fields.ADDRS.offset, true);
    view(disk).setUint32(dirBlock * B + 32, e, true);
    const r = boot(disk);
    expectGraceful(r);
    expect(r.exitCode).toBe(0);
  });

  // The metadata only: damage to a program's own bytes may make it loop forever, which is the
  // program's doing, not the kernel's.
  it('never hangs or panics whatever bytes of the metadata are damaged', () => {
    const healthy = healthyDisk();
    const sb = readSuperblock(healthy)!;
    const blocks = [...Array(sb.datastart - 1).keys()].map((i) => i + 1); // superblock, inodes, bitmap
    for (const dir of ['/', '/bin', '/d', '/d/e']) {
      const at = inodeAt(healthy, inumOf(healthy, dir)) + DINODE.fields.ADDRS.offset;
      for (let i = 0; i < 12; i++) if (view(healthy).getUint32(at + 4 * i, true) !== 0) blocks.push(view(healthy).getUint32(at + 4 * i, true));
    }
    blocks.push(view(healthy).getUint32(inodeAt(healthy, inumOf(healthy, '/big')) + DINODE.fields.INDIRECT.offset, true));
    const place = fc.record({ block: fc.constantFrom(...blocks), offset: fc.nat(B - 1), value: fc.nat(255) });
    fc.assert(
      fc.property(fc.array(place, { minLength: 1, maxLength: 12 }), (damage) => {
        const disk = healthy.slice();
        for (const { block, offset, value } of damage) disk[block * B + offset] = value;
        expectGraceful(boot(disk));
      }),
      { numRuns: RUNS },
    );
  }, TIME_LIMIT);

  it('does not mount a root whose inode is not a directory', () => {
    const disk = healthyDisk();
    view(disk).setUint32(inodeAt(disk, ROOT_INUM) + DINODE.fields.TYPE.offset, 2, true);
    const r = boot(disk);
    expect(r.exitCode).toBe(6);
    expect(r.console).toContain('the root is not a directory');
  });
});
