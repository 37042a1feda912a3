// The guest kernel's filesystem against the reference model (src/fs/model.ts) and the host's
// (src/fs/image.ts): random operation sequences run as system calls in the guest
// (test/fs/guests/fsops.s reads them as a script from console input) give, operation by
// operation, the results the model gives; the disk the kernel leaves is byte for byte the disk
// the host tool makes with the same operations; and fsck finds it clean. Every sequence runs in
// every configuration: under the VMMs the kernel's disk requests go through their disk models,
// and under pv through the block ring (docs/vmm-pv.md), with writes batched at each call's end.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERRNO, type ErrnoName } from '../../src/abi/errno.js';
import { assemble, type Image } from '../../src/asm/index.js';
import { CONFIGS, findConfig, type BootResult } from '../../src/configs/index.js';
import { USER_DIR } from '../../src/configs/images.js';
import { toExecutable } from '../../src/fs/exec.js';
import { fsck } from '../../src/fs/fsck.js';
import { mkfs, openFs, type FileSystem } from '../../src/fs/image.js';
import { B, T_DIR, T_FILE } from '../../src/fs/layout.js';
import { ModelFs, snapshot } from '../../src/fs/model.js';
import { isaWith } from '../../src/isa/index.js';
import { systemPrograms } from '../../src/configs/system.js';
import { apply, opsOn, path, type Op } from './ops.js';

/** Sequences to run: RINGLAB_FS_RUNS=N for a long run (the test's time limit grows with it). */
const RUNS = Number(process.env.RINGLAB_FS_RUNS ?? 60);
const TIME_LIMIT = Math.max(60_000, RUNS * 3_000); // each sequence boots every config (six with bt; hosted on every HOSTED_EVERY-th)
/** hosted is checked on every HOSTED_EVERY-th sequence (see below). */
const HOSTED_EVERY = 4;
let sequence = 0;

const SOURCE = join(import.meta.dirname, 'guests', 'fsops.s');

let fsopsImage: Image | undefined;
function fsops(): Image {
  if (fsopsImage) return fsopsImage;
  // Named as if in programs/user, so `.include "user.inc"` and "lib.s" resolve there.
  const result = assemble(readFileSync(SOURCE, 'utf8'), { fileName: join(USER_DIR, 'fsops.s'), isa: isaWith([]) });
  if (!result.ok) throw new Error(`fsops.s does not assemble: ${JSON.stringify(result.errors)}`);
  return (fsopsImage = result.image);
}

const CODES: Record<string, number> = { stat: 1, readdir: 2, read: 3, write: 4, create: 5, mkdir: 6, truncate: 7, unlink: 8, rmdir: 9, rename: 10 };

/** A write's offset as the guest gives it: at the start, at the end, or a number no further than
 *  the end (past the end the kernel fills the gap with zeros, which the model refuses). */
function writeOffset(fs: FileSystem, op: Op): number {
  if (op.op !== 'write' || op.at === 'start') return 0;
  const st = fs.stat(op.path);
  const size = st.ok ? st.value.size : 0;
  return op.at === 'end' ? size : Math.min(op.at, size);
}

/** The script fsops.s reads: words little endian, paths as length and bytes. */
function script(ops: readonly { op: Op; offset: number }[]): Uint8Array {
  const parts: Buffer[] = [];
  const word = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    parts.push(b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    word(b.length);
    parts.push(b);
  };
  for (const { op, offset } of ops) {
    word(CODES[op.op]!);
    str(op.path);
    if (op.op === 'read') [op.offset, op.length].forEach(word);
    if (op.op === 'write') [offset, op.length, op.seed].forEach(word);
    if (op.op === 'rename') str(op.to);
  }
  word(0);
  return new Uint8Array(Buffer.concat(parts));
}

const errno = (name: ErrnoName) => ERRNO.find((e) => e.name === name)!.value;

function hash(hex: string): number {
  let h = 0;
  for (const byte of Buffer.from(hex, 'hex')) h = (Math.imul(h, 31) + byte) >>> 0;
  return h;
}

/** The line fsops.s prints for an operation whose model result is `r`. */
function expectedLine(op: Op, r: unknown): string {
  if (r !== null && typeof r === 'object' && 'error' in r) return `E${errno((r as { error: ErrnoName }).error)}`;
  switch (op.op) {
    case 'stat': {
      const st = r as { type: string; size: number; nlink: number; inum: number };
      return `S${st.type === 'dir' ? T_DIR : T_FILE} ${st.size} ${st.nlink} ${st.inum}`;
    }
    case 'readdir':
      return ['D', ...(r as string[])].join(' ');
    case 'read':
      return `R${(r as string).length / 2} ${hash(r as string)}`;
    case 'write':
      return `W${r as number}`;
    default:
      return 'K';
  }
}

function bootWith(config: string, disk: Uint8Array, input: Uint8Array): BootResult {
  return findConfig(config)!.boot({ workloads: [], run: ['/bin/fsops'], disk, input, maxCycles: 2_000_000_000 });
}

/** Every disk starts with the test program in /bin (so the kernel can run it), made the same
 *  way on the host's disk and in the model. */
function installFsops(fs: FileSystem): void {
  const exec = toExecutable(fsops());
  for (const r of [fs.mkdir('/bin'), fs.create('/bin/fsops'), fs.write('/bin/fsops', 0, exec)]) if (!r.ok) throw new Error(`installing fsops: ${r.error}`);
}

/** The system programs every boot's disk holds (/sbin/init starts fsops), installed up front on
 *  the host's disk and in the model alike: the boot then finds them there and adds nothing. */
const SYSTEM = systemPrograms(isaWith([])).map((p) => ({ path: p.path!, bytes: toExecutable(p.image) }));
function installSystem(fs: FileSystem): void {
  for (const r of [fs.mkdir('/sbin'), ...SYSTEM.flatMap((p) => [fs.create(p.path), fs.write(p.path, 0, p.bytes)])]) if (!r.ok) throw new Error(`installing the system programs: ${r.error}`);
}
/** What they take: /sbin and a block per started B of each file (all in the direct blocks). */
const SYSTEM_BLOCKS = 1 + SYSTEM.reduce((n, p) => n + Math.ceil(p.bytes.length / B), 0);
const SYSTEM_INODES = 1 + SYSTEM.length;

/** The process's output lines (the kernel's own lines are not the process's output). */
function processLines(result: BootResult): string[] {
  const output = result.processes?.[0]?.output ?? '';
  return output.split('\n').filter((l) => l !== '');
}

/** Geometries: roomy, and tiny ones that run out of blocks or inodes (fsops takes 2 blocks and 2
 *  inodes: /bin and its file; the system programs SYSTEM_BLOCKS and SYSTEM_INODES more). */
const geometry = fc.constantFrom(
  { bytes: 256 * B, inodes: 64 },
  { bytes: (18 + SYSTEM_BLOCKS) * B, inodes: 10 + SYSTEM_INODES },
  { bytes: (40 + SYSTEM_BLOCKS) * B, inodes: 64 },
);
/** The guest's paths are absolute (the model has no current directory). */
const guestPath = path.filter((p) => p.startsWith('/'));
/** Every sequence starts by making some of the names, so that later operations find them. */
const SETUP: Op[] = [
  { op: 'create', path: '/a' },
  { op: 'create', path: '/b' },
  { op: 'mkdir', path: '/c' },
  { op: 'create', path: '/c/a' },
];

describe('the guest kernel filesystem against the model', () => {
  it('gives the results of the model and leaves the disk the host tool makes, clean', () => {
    let enospc = 0;
    fc.assert(
      fc.property(geometry, fc.array(opsOn(guestPath), { minLength: 1, maxLength: 40, size: 'max' }), (g, ops) => {
        const made = mkfs(g.bytes, g.inodes);
        if (!made.ok) throw new Error(made.detail);
        const start = made.value;
        const setup = openFs(start);
        if (!setup.ok) throw new Error(setup.detail);
        installFsops(setup.value);
        installSystem(setup.value);
        const hostDisk = start.slice();
        const host = openFs(hostDisk);
        if (!host.ok) throw new Error(host.detail);
        const model = new ModelFs(host.value.sb.ndata, g.inodes);
        installFsops(model);
        installSystem(model);
        const planned: { op: Op; offset: number }[] = [];
        const expected: string[] = [];
        for (const op of [...SETUP, ...ops]) {
          const offset = writeOffset(model, op);
          planned.push({ op, offset });
          const r = apply(model, op, offset);
          expect(apply(host.value, op, offset)).toEqual(r);
          if ((r as { error?: string } | undefined)?.error === 'ENOSPC') enospc++;
          expected.push(expectedLine(op, r));
        }
        const input = script(planned);
        // hosted boots a host first (its kernel, rlvmm and the guest image from the host's disk):
        // it runs every HOSTED_EVERY-th sequence, to keep the test inside its time limit.
        const hostedToo = sequence++ % HOSTED_EVERY === 0;
        for (const config of CONFIGS.map((c) => c.name).filter((c) => c !== 'hosted' || hostedToo)) {
          const result = bootWith(config, start.slice(), input);
          expect(result.exitCode, `${config}: ${result.console}`).toBe(0);
          const lines = processLines(result);
          for (let i = 0; i < expected.length; i++) expect(lines[i], `${config}, operation ${i}: ${JSON.stringify(planned[i])}`).toBe(expected[i]);
          expect(lines.length, config).toBe(expected.length);
          const guestDisk = result.machine.disk.contents();
          expect(fsck(guestDisk).problems, config).toEqual([]);
          const after = openFs(guestDisk);
          if (!after.ok) throw new Error(after.detail);
          expect(snapshot(after.value), config).toEqual(snapshot(model));
          expect(Buffer.compare(Buffer.from(guestDisk), Buffer.from(hostDisk)), `${config}: the kernel and the host tool wrote the same bytes`).toBe(0);
        }
      }),
      { numRuns: RUNS },
    );
    expect(enospc, 'some sequences filled the disk').toBeGreaterThan(0);
  }, TIME_LIMIT);
});
