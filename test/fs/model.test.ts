// The disk filesystem (src/fs/image.ts) against its reference model (src/fs/model.ts): random
// operation sequences give the same result for every operation and the same final tree, and
// fsck finds the disk clean after every step, also when the disk fills up (ENOSPC).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fsck } from '../../src/fs/fsck.js';
import { mkfs, openFs, type DiskFs, type FsResult } from '../../src/fs/image.js';
import { B } from '../../src/fs/layout.js';
import { ModelFs, snapshot } from '../../src/fs/model.js';
import { apply, bytes, opArb } from './ops.js';

/** Geometries: a roomy disk, and a tiny one that runs out of blocks and inodes. */
const geometry = fc.constantFrom({ bytes: 512 * B, inodes: 128 }, { bytes: 12 * B, inodes: 8 }, { bytes: 40 * B, inodes: 64 });

describe('the disk filesystem against the model', () => {
  it('gives the same results, the same tree and a clean fsck after every operation', () => {
    let enospc = 0;
    fc.assert(
      fc.property(geometry, fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), (g, ops) => {
        const disk = mkfs(g.bytes, g.inodes);
        if (!disk.ok) throw new Error(disk.detail);
        const real = openFs(disk.value);
        if (!real.ok) throw new Error(real.detail);
        const fs: DiskFs = real.value;
        const model = new ModelFs(fs.sb.ndata, g.inodes);
        for (const [i, op] of ops.entries()) {
          // A write's offset: 0, the file's size (append) or a number, which may be past the end.
          const st = model.stat(op.path);
          const offset = op.op !== 'write' || op.at === 'start' ? 0 : op.at === 'end' ? (st.ok ? st.value.size : 0) : op.at;
          const expected = apply(model, op, offset);
          const got = apply(fs, op, offset);
          expect(got, `operation ${i}: ${JSON.stringify(op)}`).toEqual(expected);
          if ((got as { error?: string } | undefined)?.error === 'ENOSPC') enospc++;
          expect(fsck(disk.value).problems, `fsck after operation ${i}: ${JSON.stringify(op)}`).toEqual([]);
          expect(fs.freeBlocks()).toBe(model.freeBlocks());
        }
        expect(snapshot(fs)).toEqual(snapshot(model));
      }),
      { numRuns: 400 },
    );
    expect(enospc, 'some sequences filled the disk').toBeGreaterThan(0);
  });

  it('fills up with ENOSPC, stays clean, and has room again after a delete', () => {
    const disk = mkfs(32 * B, 16);
    if (!disk.ok) throw new Error(disk.detail);
    const fs = openFs(disk.value);
    if (!fs.ok) throw new Error(fs.detail);
    const f = fs.value;
    let i = 0;
    let last: FsResult<number> = { ok: true, value: 0 };
    for (; i < 100 && last.ok; i++) last = f.writeFile(`/f${i}`, bytes(3 * B, i));
    expect(last).toMatchObject({ ok: false, error: 'ENOSPC' });
    expect(fsck(disk.value).problems).toEqual([]);
    expect(f.write('/f0', 3 * B, bytes(10 * B, 1))).toEqual({ ok: false, error: 'ENOSPC' });
    expect(f.read('/f0', 0, 4 * B)).toEqual({ ok: true, value: bytes(3 * B, 0) });
    expect(f.unlink('/f0').ok).toBe(true);
    expect(f.write(`/f${i - 1}`, 0, bytes(3 * B, 5))).toEqual({ ok: true, value: 3 * B });
    expect(fsck(disk.value).problems).toEqual([]);
    // Running out of inodes is ENOSPC too.
    let made: FsResult<void> = { ok: true, value: undefined };
    for (let n = 0; n < 32 && made.ok; n++) made = f.create(`/e${n}`);
    expect(made).toEqual({ ok: false, error: 'ENOSPC' });
    expect(fsck(disk.value).problems).toEqual([]);
  });
});

describe('the format and the block device agree', () => {
  it('a filesystem block is one disk block (and one page)', async () => {
    const { FS } = await import('../../src/fs/layout.js');
    const { DISK_BLOCK_SIZE } = await import('../../src/machine/devices/disk.js');
    expect(FS.BSIZE.value).toBe(DISK_BLOCK_SIZE);
  });
});
