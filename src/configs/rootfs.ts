// The root disk of a boot. The kernel runs every process from a file: the boot record names
// /bin/NAME, and the kernel reads the executable from the root filesystem (programs/kernel/
// exec.s). So a boot needs a disk with its programs in /bin: a fresh one, made here and kept
// in memory for the next boot with the same programs, or the user's (`--disk FILE`), into whose
// /bin the programs are installed (docs/fs.md, "Programs on the disk").

import { createHash } from 'node:crypto';
import type { Image } from '../asm/index.js';
import { ExecFormatError, toExecutable } from '../fs/exec.js';
import { mkfs, openFs, type DiskFs } from '../fs/image.js';
import { BootError } from './types.js';
import type { DiskFile } from './workloads.js';

/** Size of the root disk a boot makes: 1,024 blocks, room for the programs and their files. */
export const ROOT_DISK_BYTES = 4 << 20;
/** Root disks kept for reuse (each ROOT_DISK_BYTES of host memory). */
const CACHED_DISKS = 4;

export interface RootProgram {
  /** Its file is /bin/NAME, unless `path` says otherwise. */
  readonly name: string;
  readonly image: Image;
  /** An absolute path on the disk (system programs: /sbin/init). */
  readonly path?: string;
}

/** Where a program's executable is. */
export function binPath(name: string): string {
  return `/bin/${name}`;
}

const execs = new WeakMap<Image, Uint8Array>();
const disks = new Map<string, Uint8Array>();

function executable(program: RootProgram): Uint8Array {
  let bytes = execs.get(program.image);
  if (!bytes) {
    try {
      bytes = toExecutable(program.image, `program ${program.name}`);
    } catch (e) {
      if (e instanceof ExecFormatError) throw new BootError(e.message);
      throw e;
    }
    execs.set(program.image, bytes);
  }
  return bytes;
}

/** Each distinct program once, by its path, refusing two different programs at one path. */
function distinct(programs: readonly RootProgram[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const p of programs) {
    const bytes = executable(p);
    const path = p.path ?? binPath(p.name);
    const seen = files.get(path);
    if (seen && Buffer.compare(Buffer.from(seen), Buffer.from(bytes)) !== 0) throw new BootError(`two different programs are named ${p.name}: rename one (its file is ${path})`);
    files.set(path, bytes);
  }
  return files;
}

/** Make the directories above `path` (as mkdir -p would). */
function parents(fs: DiskFs, path: string, where: string): void {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i < parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const st = fs.stat(dir);
    if (st.ok && st.value.type === 'dir') continue;
    const made = fs.mkdir(dir);
    if (!made.ok) throw new BootError(`${where}: cannot make ${dir}: ${made.error}`);
  }
}

function installData(fs: DiskFs, data: readonly DiskFile[], where: string): void {
  for (const file of data) {
    parents(fs, file.path, where);
    const w = fs.writeFile(file.path, file.bytes);
    if (!w.ok) throw new BootError(`${where}: cannot install ${file.path} (${file.bytes.length} bytes): ${w.error}`);
  }
}

function install(fs: DiskFs, files: Map<string, Uint8Array>, where: string): void {
  for (const [path, bytes] of files) {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const st = fs.stat(dir);
    if (st.ok && st.value.type !== 'dir') throw new BootError(`${where}: ${dir} is not a directory`);
    if (!st.ok) parents(fs, path, where);
    const w = fs.writeFile(path, bytes);
    if (!w.ok) throw new BootError(`${where}: cannot install ${path} (${bytes.length} bytes): ${w.error}${w.error === 'ENOSPC' ? ', the disk is full' : ''}`);
  }
}

/** The disk a boot runs: `base` (the user's image; not changed: a copy is returned) or a fresh
 *  root disk, with every program installed as /bin/NAME (or its `path`) and the workloads' data
 *  files. `system` are the system programs (system.ts) every disk should hold: a fresh disk gets
 *  them all; a user's disk gets those it lacks, and keeps its own at a path it already has, as
 *  a real disk would. A user's disk that the host cannot open or cannot install them on (it is
 *  damaged, or full) gets none: it boots as it is, and the kernel says what it finds there
 *  (test/fs/kernel-corrupt.test.ts). The boot's own programs and data must be installed: a disk
 *  that refuses them is a BootError. A fresh disk has `bytes` bytes (the host disk of
 *  `--config hosted` holds the guest's whole disk as a file). */
export function rootDisk(programs: readonly RootProgram[], base?: Uint8Array, data: readonly DiskFile[] = [], system: readonly RootProgram[] = [], bytes = ROOT_DISK_BYTES): Uint8Array {
  if (base) return userDisk(base, distinct(programs), distinct(system), data);
  const files = distinct([...system, ...programs]);
  const hash = createHash('sha256').update(`${bytes}\0`);
  for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}\0${bytes.length}\0`).update(bytes);
  for (const file of data) hash.update(`data\0${file.path}\0${file.bytes.length}\0`).update(file.bytes);
  const key = hash.digest('hex');
  const hit = disks.get(key);
  if (hit) {
    disks.delete(key); // most recently used last
    disks.set(key, hit);
    return hit;
  }
  const made = mkfs(bytes);
  if (!made.ok) throw new Error(`root disk: ${made.detail}`);
  const fs = openFs(made.value);
  if (!fs.ok) throw new Error(`root disk: ${fs.detail}`);
  install(fs.value, files, 'the root disk');
  installData(fs.value, data, 'the root disk');
  disks.set(key, made.value);
  if (disks.size > CACHED_DISKS) disks.delete(disks.keys().next().value!);
  return made.value;
}

/** The user's disk (`--disk`) with the system programs it lacks, if the host can put them there,
 *  then the boot's own programs and data (rootDisk). */
function userDisk(base: Uint8Array, own: Map<string, Uint8Array>, system: Map<string, Uint8Array>, data: readonly DiskFile[]): Uint8Array {
  let disk = base;
  if (system.size > 0) {
    const copy = base.slice();
    const fs = openFs(copy);
    if (fs.ok) {
      const missing = new Map([...system].filter(([path]) => {
        const st = fs.value.stat(path);
        return !st.ok && st.error === 'ENOENT';
      }));
      try {
        if (missing.size > 0) {
          install(fs.value, missing, 'the disk');
          disk = copy;
        }
      } catch (e) {
        if (!(e instanceof BootError)) throw e; // all or nothing: the disk stays as it is
      }
    }
  }
  if (own.size === 0 && data.length === 0) return disk; // nothing of the boot's own: the disk as it is
  if (disk === base) disk = base.slice();
  const fs = openFs(disk);
  if (!fs.ok) throw new BootError(`the disk has no ringlab filesystem (${fs.detail ?? fs.error}); make one with ringlab fs mkfs`);
  install(fs.value, own, 'the disk');
  installData(fs.value, data, 'the disk');
  return disk;
}
