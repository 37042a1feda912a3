// The root disk a boot runs its programs from (src/configs/rootfs.ts): programs in /bin as
// executables, workloads' data files, a cache that hands back the same disk for the same
// programs, the user's disk left unchanged (a copy is installed into), and clear errors.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, type Image } from '../../src/asm/index.js';
import { BootError } from '../../src/configs/index.js';
import { USER_DIR } from '../../src/configs/images.js';
import { binPath, rootDisk, ROOT_DISK_BYTES } from '../../src/configs/rootfs.js';
import { parseExecutable } from '../../src/fs/exec.js';
import { fsck } from '../../src/fs/fsck.js';
import { mkfs, openFs } from '../../src/fs/image.js';
import { isaWith } from '../../src/isa/index.js';

function program(code: number): Image {
  const r = assemble(`        .include "user.inc"\n_start: li a0, ${code}\n        call exit\n        .include "lib.s"\n`, { fileName: join(USER_DIR, 'p.s'), isa: isaWith([]) });
  if (!r.ok) throw new Error('does not assemble');
  return r.image;
}

const A = program(1);
const B = program(2);

describe('the root disk', () => {
  it('holds each program as an executable in /bin and the data files, and is clean', () => {
    const data = { path: '/var/lib/x.dat', bytes: new Uint8Array([1, 2, 3]) };
    const disk = rootDisk([{ name: 'a', image: A }, { name: 'b', image: B }], undefined, [data]);
    expect(disk.length).toBe(ROOT_DISK_BYTES);
    expect(fsck(disk).problems).toEqual([]);
    const fs = openFs(disk);
    if (!fs.ok) throw new Error(fs.detail);
    expect(fs.value.readdir('/bin')).toEqual({ ok: true, value: ['a', 'b'] });
    const a = fs.value.readFile(binPath('a'));
    if (!a.ok) throw new Error(a.error);
    expect(parseExecutable(a.value).entry).toBe(A.entry);
    expect(fs.value.readFile('/var/lib/x.dat')).toEqual({ ok: true, value: data.bytes });
  });

  it('is made once for the same programs (the cache), again for others', () => {
    const first = rootDisk([{ name: 'a', image: A }]);
    expect(rootDisk([{ name: 'a', image: A }])).toBe(first);
    expect(rootDisk([{ name: 'a', image: B }])).not.toBe(first);
  });

  it('installs into a copy of the user\'s disk, which stays as it was', () => {
    const made = mkfs(256 * 4096);
    if (!made.ok) throw new Error(made.detail);
    const before = made.value.slice();
    const disk = rootDisk([{ name: 'a', image: A }], made.value);
    expect(Buffer.compare(Buffer.from(made.value), Buffer.from(before))).toBe(0);
    const fs = openFs(disk);
    if (!fs.ok) throw new Error(fs.detail);
    expect(fs.value.stat('/bin/a').ok).toBe(true);
    // With nothing to install, the user's disk is the disk.
    expect(rootDisk([], made.value)).toBe(made.value);
  });

  it('gives a user\'s disk the system programs it lacks, keeps those it has, and boots a disk it cannot install on as it is', () => {
    const system = [{ name: 'init', path: '/sbin/init', image: A }, { name: 'sh', path: '/bin/sh', image: A }];
    const made = mkfs(256 * 4096);
    if (!made.ok) throw new Error(made.detail);
    const own = openFs(made.value);
    if (!own.ok) throw new Error(own.detail);
    expect(own.value.mkdir('/bin').ok).toBe(true);
    expect(own.value.writeFile('/bin/sh', new Uint8Array([9])).ok).toBe(true); // the disk's own /bin/sh
    const disk = rootDisk([], made.value, [], system);
    const fs = openFs(disk);
    if (!fs.ok) throw new Error(fs.detail);
    expect(fs.value.stat('/sbin/init').ok).toBe(true);
    expect(fs.value.readFile('/bin/sh')).toEqual({ ok: true, value: new Uint8Array([9]) });
    expect(fsck(disk).problems).toEqual([]);
    // Nothing missing: the disk as it is; no filesystem, or no room: as it is too (the kernel says so).
    expect(rootDisk([], disk, [], system)).toBe(disk);
    const blank = new Uint8Array(64 * 4096);
    expect(rootDisk([], blank, [], system)).toBe(blank);
    const tiny = mkfs(16 * 4096, 8);
    if (!tiny.ok) throw new Error(tiny.detail);
    const full = openFs(tiny.value);
    if (!full.ok) throw new Error(full.detail);
    full.value.writeFile('/fill', new Uint8Array(8 * 4096));
    const before = tiny.value.slice(); // room for /sbin/init, not for /bin/sh: all or nothing
    expect(Buffer.compare(Buffer.from(rootDisk([], tiny.value, [], system)), Buffer.from(before))).toBe(0);
  });

  it('refuses two different programs under one name, a disk without a filesystem, and a full one', () => {
    expect(() => rootDisk([{ name: 'a', image: A }, { name: 'a', image: B }])).toThrow(/two different programs are named a/);
    expect(() => rootDisk([{ name: 'a', image: A }], new Uint8Array(64 * 4096))).toThrow(BootError);
    const tiny = mkfs(16 * 4096, 8);
    if (!tiny.ok) throw new Error(tiny.detail);
    expect(() => rootDisk([{ name: 'a', image: A }], tiny.value, [{ path: '/big', bytes: new Uint8Array(64 * 4096) }])).toThrow(/cannot install \/big .*ENOSPC/);
  });
});
