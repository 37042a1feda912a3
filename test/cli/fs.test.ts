// `ringlab fs`: the host tool for disk images (docs/fs.md).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { B, DINODE, INODE_SIZE, MAXFILE } from '../../src/fs/layout.js';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

describe('ringlab fs', () => {
  it('makes a filesystem, puts files and directories in it, lists, draws and reads them back; fsck is clean', () => {
    const disk = join(cli.dir(), 'a.img');
    const made = ringlab(['fs', 'mkfs', disk, '--size', '1M', '--inodes', '64']);
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toBe(`${disk}: 256 blocks of 4096 bytes, 64 inodes, 252 data blocks\n`);
    expect(readFileSync(disk).length).toBe(1 << 20);
    const big = Buffer.alloc(20 * B, 7);
    const host = cli.write('big.bin', big.toString('latin1'));
    for (const args of [['mkdir', disk, '/etc'], ['mkdir', disk, '/etc/init'], ['put', disk, host, '/etc/big'], ['put', disk, cli.write('m.txt', 'hi\n'), '/motd']]) {
      const r = ringlab(['fs', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(ringlab(['fs', 'ls', disk]).stdout).toBe('d   3       128 etc/\n-   1         3 motd\n');
    expect(ringlab(['fs', 'tree', disk]).stdout).toBe(`/\n├── etc/\n│   ├── init/\n│   └── big (${20 * B} bytes)\n└── motd (3 bytes)\n`);
    expect(ringlab(['fs', 'cat', disk, '/motd']).stdout).toBe('hi\n');
    const out = join(cli.dir(), 'out.bin');
    expect(ringlab(['fs', 'get', disk, '/etc/big', out]).status).toBe(0);
    expect(readFileSync(out).equals(big)).toBe(true);
    const fsck = ringlab(['fs', 'fsck', disk]);
    expect(fsck.status, fsck.stdout).toBe(0);
    expect(fsck.stdout).toMatch(/clean: 2 files, 3 directories, \d+ data blocks used, \d+ free/);
    expect(ringlab(['fs', 'rm', disk, '/etc/init']).status).toBe(0);
    expect(ringlab(['fs', 'rm', disk, '/etc/big']).status).toBe(0);
    expect(ringlab(['fs', 'ls', disk, '/etc']).stdout).toBe('');
    expect(ringlab(['fs', 'fsck', disk, '--json']).stdout).toMatch(/"clean": true/);
    // put from stdin, at most the largest file; a real process reads its own stdin.
    expect(ringlab(['fs', 'put', disk, '-', '/etc/in'], { input: 'piped\n' }).status).toBe(0);
    expect(ringlab(['fs', 'cat', disk, '/etc/in'], { spawn: true }).stdout).toBe('piped\n');
    expect(ringlab(['fs', 'put', disk, '-', '/etc/in2'], { input: 'spawned', spawn: true }).status).toBe(0);
    expect(ringlab(['fs', 'cat', disk, '/etc/in2']).stdout).toBe('spawned');
    const huge = ringlab(['fs', 'put', disk, '-', '/etc/huge'], { input: 'x'.repeat(MAXFILE + 1), spawn: true });
    expect(huge.status).toBe(1);
    expect(huge.stderr).toMatch(/stdin: more than the largest file, 4243456 bytes/);
  });

  it('says which errno an operation fails with (exit 1): a missing path, a non-empty directory, a full disk', () => {
    const disk = join(cli.dir(), 'b.img');
    expect(ringlab(['fs', 'mkfs', disk, '--size', '64K']).status).toBe(0);
    const missing = ringlab(['fs', 'cat', disk, '/nope']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`ringlab: ${disk}: /nope: no such file or directory (ENOENT)\n`);
    expect(ringlab(['fs', 'mkdir', disk, '/d']).status).toBe(0);
    expect(ringlab(['fs', 'mkdir', disk, '/d/e']).status).toBe(0);
    expect(ringlab(['fs', 'rm', disk, '/d']).stderr).toMatch(/\/d: directory not empty \(ENOTEMPTY\)/);
    const full = ringlab(['fs', 'put', disk, cli.write('big', 'x'.repeat(64 * 1024)), '/big']);
    expect(full.status).toBe(1);
    expect(full.stderr).toMatch(/no space left on device \(ENOSPC\)/);
    expect(ringlab(['fs', 'fsck', disk]).status).toBe(0);
    expect(ringlab(['fs', 'mkfs', disk, '--size', '1000']).status).toBe(1);
  });

  it('an image that is not a filesystem is an input-format error (exit 2) naming the field; fsck exits 12 naming each problem', () => {
    const junk = cli.write('junk.img', 'x'.repeat(3 * B));
    const ls = ringlab(['fs', 'ls', junk]);
    expect(ls.status).toBe(2);
    expect(ls.stderr).toMatch(/not a ringlab filesystem: superblock magic is 0x78787878/);
    expect(ringlab(['fs', 'fsck', junk]).status).toBe(2);

    const disk = join(cli.dir(), 'c.img');
    expect(ringlab(['fs', 'mkfs', disk, '--size', '256K', '--inodes', '64']).status).toBe(0);
    expect(ringlab(['fs', 'put', disk, cli.write('f.txt', 'data'), '/f']).status).toBe(0);
    const image = readFileSync(disk);
    // Inode 2 is /f: give it a block pointer far outside the disk and a wrong link count.
    const inode2 = 2 * B + 2 * INODE_SIZE;
    image.writeUInt32LE(123456, inode2 + DINODE.fields.ADDRS.offset);
    image.writeUInt32LE(5, inode2 + DINODE.fields.NLINK.offset);
    writeFileSync(disk, image);
    const fsck = ringlab(['fs', 'fsck', disk]);
    expect(fsck.status).toBe(12);
    expect(fsck.stdout).toMatch(/inode 2: addrs\[0\] is block 123456, outside the data blocks/);
    expect(fsck.stdout).toMatch(/inode 2 \(\/f\) has nlink 5 but 1 directory entries name it/);
    expect(fsck.stdout).toMatch(/: 3 problems\n$/);
    const cat = ringlab(['fs', 'cat', disk, '/f']);
    expect(cat.status).toBe(2);
    expect(cat.stderr).toMatch(/the filesystem is damaged: inode 2 has block pointer 123456/);
    expectNoStackTrace(cat);
  });
});
