// fsck names each kind of damage, and neither fsck nor the filesystem's operations throw or hang
// on an image with random bytes changed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fsck } from '../../src/fs/fsck.js';
import { mkfs, openFs, type DiskFs } from '../../src/fs/image.js';
import { B, DINODE, DIRENT_SIZE, FS, INODE_SIZE, IPB, NDIRECT, SUPERBLOCK } from '../../src/fs/layout.js';
import { snapshot } from '../../src/fs/model.js';

const text = (s: string) => new TextEncoder().encode(s);

/** A small populated filesystem: directories, small files and one that needs the indirect block. */
function populated(): { disk: Uint8Array; fs: DiskFs } {
  const made = mkfs(128 * B, 64);
  if (!made.ok) throw new Error(made.detail);
  const opened = openFs(made.value);
  if (!opened.ok) throw new Error(opened.detail);
  const fs = opened.value;
  for (const r of [
    fs.mkdir('/bin'),
    fs.mkdir('/home'),
    fs.mkdir('/home/ada'),
    fs.writeFile('/home/ada/notes', text('hello\n')),
    fs.writeFile('/bin/big', new Uint8Array((NDIRECT + 3) * B).fill(0x5a)),
    fs.writeFile('/README', text('ringlab\n')),
  ]) {
    if (!r.ok) throw new Error(r.error);
  }
  return { disk: made.value, fs };
}

const view = (disk: Uint8Array) => new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
function inodeOffset(fs: DiskFs, inum: number): number {
  return (fs.sb.inodestart + Math.floor(inum / IPB)) * B + (inum % IPB) * INODE_SIZE;
}
function inum(fs: DiskFs, path: string): number {
  const st = fs.stat(path);
  if (!st.ok) throw new Error(`${path}: ${st.error}`);
  return st.value.inum;
}
const addr = (fs: DiskFs, n: number, i: number) => view(fs.disk).getUint32(inodeOffset(fs, n) + DINODE.fields.ADDRS.offset + 4 * i, true);
const setField = (fs: DiskFs, n: number, offset: number, value: number) => view(fs.disk).setUint32(inodeOffset(fs, n) + offset, value, true);

describe('fsck', () => {
  it('finds a fresh and a populated filesystem clean', () => {
    const fresh = mkfs(64 * B);
    expect(fresh.ok && fsck(fresh.value)).toMatchObject({ problems: [], dirs: 1, files: 0 });
    const { disk } = populated();
    expect(fsck(disk)).toMatchObject({ problems: [], dirs: 4, files: 3 });
  });

  it('names a bad magic number and bad superblock fields', () => {
    const { disk } = populated();
    view(disk).setUint32(B * FS.SUPER_BLOCK.value + SUPERBLOCK.fields.MAGIC.offset, 0x12345678, true);
    expect(fsck(disk).problems).toEqual([expect.stringMatching(/superblock magic is 0x12345678.*not a ringlab filesystem/)]);
    const again = populated().disk;
    view(again).setUint32(B + SUPERBLOCK.fields.SIZE.offset, 1000, true);
    expect(fsck(again).problems.join('\n')).toMatch(/superblock size 1000 blocks needs/);
    expect(fsck(new Uint8Array(100)).problems).toEqual([expect.stringMatching(/image too small/)]);
  });

  it('names a block pointer out of range, a block used twice and the bitmap disagreeing', () => {
    const { fs } = populated();
    const notes = inum(fs, '/home/ada/notes');
    const readme = inum(fs, '/README');
    setField(fs, notes, DINODE.fields.ADDRS.offset, 99_999);
    setField(fs, readme, DINODE.fields.ADDRS.offset, addr(fs, inum(fs, '/bin/big'), 0));
    const problems = fsck(fs.disk).problems.join('\n');
    expect(problems).toMatch(new RegExp(`inode ${notes}: addrs\\[0\\] is block 99999, outside the data blocks`));
    expect(problems).toMatch(new RegExp(`block \\d+ is used twice: by inode \\d+ and by inode ${readme}`));
    expect(problems).toMatch(/is marked in use in the bitmap but nothing uses it/);
    // The operations say EIO, naming the pointer, rather than throwing.
    expect(fs.read('/home/ada/notes', 0, 10)).toMatchObject({ ok: false, error: 'EIO', detail: expect.stringMatching(/block pointer 99999/) });
  });

  it('names a file larger than its blocks and a wrong link count', () => {
    const { fs } = populated();
    const notes = inum(fs, '/home/ada/notes');
    setField(fs, notes, DINODE.fields.SIZE.offset, 5 * B);
    setField(fs, inum(fs, '/bin'), DINODE.fields.NLINK.offset, 7);
    const problems = fsck(fs.disk).problems.join('\n');
    expect(problems).toMatch(new RegExp(`inode ${notes} has size ${5 * B} but no block for bytes ${B}`));
    expect(problems).toMatch(/\(\/bin\) has nlink 7 but 2 directory entries name it/);
    expect(fs.read('/home/ada/notes', 0, 5 * B)).toMatchObject({ ok: false, error: 'EIO' });
  });

  it('names a directory cycle, and the operations stay bounded on it', () => {
    const { fs } = populated();
    // Make the entry of /home/ada/notes name /home instead: /home/ada/notes is /home again.
    const ada = inum(fs, '/home/ada');
    const block = addr(fs, ada, 0);
    view(fs.disk).setUint32(block * B + 2 * DIRENT_SIZE, inum(fs, '/home'), true);
    const problems = fsck(fs.disk).problems.join('\n');
    expect(problems).toMatch(/directory \/home\/ada: entry 2 \('notes'\) names directory inode \d+, which \/home names already: a directory with two parents, or a cycle/);
    expect(problems).toMatch(/is in use but no directory names it/);
    expect(fs.readdir('/home/ada/notes/ada/notes/ada')).toEqual({ ok: true, value: ['notes'] });
    expect(fs.rename('/home', '/home/ada/notes/x')).toEqual({ ok: false, error: 'EINVAL' });
    expect(snapshot(fs, 50)).toHaveLength(50);
  });

  it('names a bad inode type and an entry naming a free inode', () => {
    const { fs } = populated();
    const readme = inum(fs, '/README');
    setField(fs, readme, DINODE.fields.TYPE.offset, 9);
    const problems = fsck(fs.disk).problems.join('\n');
    expect(problems).toMatch(new RegExp(`inode ${readme} has type 9`));
    expect(problems).toMatch(new RegExp(`directory /: entry \\d+ \\('README'\\) names inode ${readme}, which is not in use`));
    expect(fs.stat('/README')).toMatchObject({ ok: false, error: 'EIO' });
  });

  it('never throws or hangs on an image with random bytes changed, and the operations return results', () => {
    const { disk } = populated();
    const sb = openFs(disk);
    if (!sb.ok) throw new Error();
    const metadata = sb.value.sb.datastart * B;
    // Most changes go to the superblock, inodes and bitmap, the rest anywhere (directory blocks).
    const change = fc.record({ at: fc.oneof({ weight: 3, arbitrary: fc.nat(metadata - 1) }, fc.nat(disk.length - 1)), value: fc.nat(255) });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 12 }), (changes) => {
        const copy = disk.slice();
        for (const c of changes) copy[c.at] = c.value;
        const report = fsck(copy);
        expect(Array.isArray(report.problems)).toBe(true);
        const opened = openFs(copy);
        if (!opened.ok) return;
        const fs = opened.value;
        snapshot(fs, 200);
        for (const p of ['/bin/big', '/home/ada/notes', '/README']) fs.read(p, 0, 1 << 20);
        fs.mkdir('/home/new');
        fs.writeFile('/home/ada/more', new Uint8Array(3 * B));
        fs.rename('/home/ada', '/bin/ada');
        fs.unlink('/README');
        fs.rmdir('/bin');
        fsck(copy);
      }),
      { numRuns: 300 },
    );
  });

  it('finds problems whenever the operations would find the image damaged: clean means no EIO and staying clean', () => {
    const { disk } = populated();
    const opened = openFs(disk);
    if (!opened.ok) throw new Error();
    const metadata = opened.value.sb.datastart * B;
    const change = fc.record({ at: fc.oneof({ weight: 3, arbitrary: fc.nat(metadata - 1) }, fc.nat(disk.length - 1)), value: fc.nat(255) });
    let clean = 0;
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 4 }), (changes) => {
        const copy = disk.slice();
        for (const c of changes) copy[c.at] = c.value;
        if (fsck(copy).problems.length > 0) return;
        clean++;
        const fs = openFs(copy);
        expect(fs.ok).toBe(true);
        if (!fs.ok) return;
        expect(JSON.stringify(snapshot(fs.value))).not.toContain('EIO');
        for (const r of [fs.value.mkdir('/home/new'), fs.value.writeFile('/home/ada/more', new Uint8Array(3 * B)), fs.value.rename('/home/ada', '/bin/ada'), fs.value.unlink('/README')]) {
          expect(r.ok ? 'ok' : r.error).not.toBe('EIO');
        }
        expect(fsck(copy).problems).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect(clean, 'some changes leave the image clean (file data, free inodes)').toBeGreaterThan(0);
  });

  it('reports a change to any byte of the superblock but the inode count', () => {
    const { disk } = populated();
    const ninodes = SUPERBLOCK.fields.NINODES.offset;
    const at = fc.nat(SUPERBLOCK.size - 1).filter((i) => i < ninodes || i >= ninodes + 4);
    fc.assert(
      fc.property(at, fc.integer({ min: 1, max: 255 }), (i, delta) => {
        const copy = disk.slice();
        copy[B + i] = (copy[B + i]! + delta) & 0xff;
        expect(fsck(copy).problems.length).toBeGreaterThan(0);
        expect(openFs(copy).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
