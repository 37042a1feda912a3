// `--disk FILE` of `run` and `boot`: the image is read whole, and written back (temp + rename)
// when the run ends only if the guest wrote; bad images are usage errors; --json has stats.disk.

import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISK_ADDR, DISK_BLOCK, DISK_BLOCK_SIZE, DISK_COMMAND, DISK_COUNT, DISK_STATUS, DiskCommand, DiskStatus } from '../../src/machine/devices/disk.js';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

/** A guest that does one request on block 1 with the buffer at 0x8000 and prints the buffer's
 *  first byte; before a write it stores 'W' there. */
const guest = (command: number): string => `
_start: li   t0, 0x8000
        li   t1, 'W'
        ${command === DiskCommand.WRITE ? 'sb   t1, 0(t0)' : ''}
        li   t1, 1
        out  ${DISK_BLOCK}, t1
        out  ${DISK_ADDR}, t0
        out  ${DISK_COUNT}, t1
        li   t1, ${command}
        out  ${DISK_COMMAND}, t1
.poll:  in   t1, ${DISK_STATUS}
        andi t1, t1, ${DiskStatus.DONE}
        beqz t1, .poll
        lbu  t1, 0(t0)
        out  0x10, t1
        halt
`;

function image(): Buffer {
  const bytes = Buffer.alloc(2 * DISK_BLOCK_SIZE);
  bytes.fill('R', DISK_BLOCK_SIZE);
  return bytes;
}

describe('--disk', () => {
  it('run: a guest that only reads leaves the file alone (not even rewritten)', () => {
    const disk = join(cli.dir(), 'ro.img');
    writeFileSync(disk, image());
    utimesSync(disk, 1_000_000, 1_000_000);
    const r = ringlab(['run', cli.write('read.s', guest(DiskCommand.READ)), '--disk', disk]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('R');
    expect(readFileSync(disk).equals(image())).toBe(true);
    expect(statSync(disk).mtimeMs).toBe(1_000_000_000);
  });

  it('run: a guest that writes gets its blocks written back, atomically (no temporary file left)', () => {
    const disk = join(cli.dir(), 'rw.img');
    writeFileSync(disk, image());
    const r = ringlab(['run', cli.write('write.s', guest(DiskCommand.WRITE)), '--disk', disk, '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.console).toBe('W');
    expect(j.stats.disk).toMatchObject({ requests: 1, reads: 0, writes: 1, bytes: DISK_BLOCK_SIZE, errors: 0 });
    expect(j.stats.disk.busyCycles).toBeGreaterThan(0);
    const after = readFileSync(disk);
    expect(after.length).toBe(2 * DISK_BLOCK_SIZE);
    expect(after[DISK_BLOCK_SIZE]).toBe('W'.charCodeAt(0));
    expect(after[DISK_BLOCK_SIZE + 1]).toBe(0);
    expect(after[0]).toBe(0);
    expect(readdirSync(cli.dir()).filter((f) => f.includes('.tmp'))).toEqual([]);
    // And the next run reads what the last one wrote.
    expect(ringlab(['run', cli.write('read2.s', guest(DiskCommand.READ)), '--disk', disk]).stdout).toBe('W');
  });

  it('an image that is not whole blocks, or missing, is a usage error (exit 1)', () => {
    const odd = cli.write('odd.img', 'x'.repeat(100));
    const r = ringlab(['run', cli.write('r.s', guest(DiskCommand.READ)), '--disk', odd]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a whole number of 4096-byte blocks/);
    expectNoStackTrace(r);
    const missing = ringlab(['run', cli.write('r2.s', guest(DiskCommand.READ)), '--disk', join(cli.dir(), 'nope.img')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read --disk/);
    expectNoStackTrace(missing);
  });

  it('boot: a disk without a filesystem cannot hold the programs: a clear error, the file left as it was', () => {
    const disk = join(cli.dir(), 'boot.img');
    writeFileSync(disk, image());
    const r = ringlab(['boot', '--workload', 'compute', '--iterations', '1', '--disk', disk]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/the disk has no ringlab filesystem .*make one with ringlab fs mkfs/);
    expect(readFileSync(disk).equals(image())).toBe(true);
  });

  it('boot --run: the kernel reads the superblock (stats.disk), finds no filesystem, and says so', () => {
    const disk = join(cli.dir(), 'boot.img');
    writeFileSync(disk, image());
    const r = ringlab(['boot', '--run', '/bin/x', '--disk', disk, '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.stats.disk).toMatchObject({ requests: 1, reads: 1, writes: 0, bytes: 4096 });
    expect(j.console).toBe('kernel: booting 1 processes\nkernel: disk: no filesystem mounted (bad magic)\nkernel: no root filesystem: init and the programs are on the disk\n');
    expect(r.status).toBe(6);
    expect(readFileSync(disk).equals(image())).toBe(true);
  });
});
