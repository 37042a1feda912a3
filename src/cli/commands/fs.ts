// `ringlab fs mkfs|ls|tree|cat|put|get|rm|mkdir|fsck DISK ...`: build and inspect disk images in
// the filesystem format the kernel uses (src/fs/, docs/fs.md). Each command reads the whole
// image, works on it in memory and, if it changed anything, writes it back.

import { ERRNO } from '../../abi/errno.js';
import { writeFileAtomic } from '../../asm/files.js';
import { fsck } from '../../fs/fsck.js';
import { mkfs, openFs, type DiskFs, type FsResult } from '../../fs/image.js';
import { B, FS, MAXFILE } from '../../fs/layout.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { readBytes } from '../load.js';
import { parseCount, parseSize } from '../options.js';

/** The largest image: MAX_BLOCKS blocks. */
const MAX_DISK_BYTES = FS.MAX_BLOCKS.value * B;
const DEFAULT_SIZE = '4M';

function writeDisk(path: string, disk: Uint8Array): void {
  try {
    writeFileAtomic(path, disk);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`, ExitCode.USAGE);
  }
}

/** The filesystem in a disk image, or exit 2 naming what is wrong with its superblock. */
function open(path: string): DiskFs {
  const fs = openFs(readBytes(path, MAX_DISK_BYTES, 'disk images'));
  if (!fs.ok) throw new CliError(`${path}: not a ringlab filesystem: ${fs.detail}`, ExitCode.ASSEMBLY);
  return fs.value;
}

/** An operation's value, or its error: a damaged image (EIO) exits 2, any other error 1. */
function check<T>(r: FsResult<T>, disk: string, path: string): T {
  if (r.ok) return r.value;
  const meaning = ERRNO.find((e) => e.name === r.error)?.doc ?? r.error;
  if (r.error === 'EIO') throw new CliError(`${disk}: ${path}: the filesystem is damaged: ${r.detail ?? ''} (run ringlab fs fsck ${disk})`, ExitCode.ASSEMBLY);
  throw new CliError(`${disk}: ${path}: ${meaning} (${r.error})`, ExitCode.USAGE);
}

export interface MkfsOptions {
  size?: string;
  inodes?: string;
}

export function mkfsCommand(disk: string, opts: MkfsOptions): number {
  const bytes = parseSize('--size', opts.size ?? DEFAULT_SIZE);
  const inodes = opts.inodes === undefined ? undefined : parseCount('--inodes', opts.inodes);
  const made = mkfs(bytes, inodes);
  if (!made.ok) throw new CliError(`mkfs: ${made.detail}`, ExitCode.USAGE);
  writeDisk(disk, made.value);
  const fs = openFs(made.value);
  if (fs.ok) io.stdout.write(`${disk}: ${fs.value.sb.size} blocks of ${B} bytes, ${fs.value.sb.ninodes} inodes, ${fs.value.sb.ndata} data blocks\n`);
  return ExitCode.OK;
}

function child(dir: string, name: string): string {
  return `${dir === '/' ? '' : dir}/${name}`;
}

export function lsCommand(disk: string, path = '/'): number {
  const fs = open(disk);
  const st = check(fs.stat(path), disk, path);
  const line = (name: string, s: { type: string; size: number; nlink: number }) =>
    `${s.type === 'dir' ? 'd' : '-'} ${String(s.nlink).padStart(3)} ${String(s.size).padStart(9)} ${name}${s.type === 'dir' ? '/' : ''}\n`;
  if (st.type === 'file') {
    io.stdout.write(line(path, st));
    return ExitCode.OK;
  }
  for (const name of check(fs.readdir(path), disk, path)) io.stdout.write(line(name, check(fs.stat(child(path, name)), disk, child(path, name))));
  return ExitCode.OK;
}

export function treeCommand(disk: string, path = '/'): number {
  const fs = open(disk);
  check(fs.stat(path), disk, path);
  // Each directory is listed once, so a damaged image with a cycle still ends.
  const seen = new Set<number>();
  const walk = (p: string, prefix: string) => {
    const st = check(fs.stat(p), disk, p);
    if (st.type !== 'dir') return;
    if (seen.has(st.inum)) return void io.stdout.write(`${prefix}(a directory listed already: the image has a cycle)\n`);
    seen.add(st.inum);
    const names = check(fs.readdir(p), disk, p);
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      const s = check(fs.stat(child(p, name)), disk, child(p, name));
      io.stdout.write(`${prefix}${last ? '└── ' : '├── '}${name}${s.type === 'dir' ? '/' : ` (${s.size} bytes)`}\n`);
      walk(child(p, name), prefix + (last ? '    ' : '│   '));
    });
  };
  io.stdout.write(`${path}\n`);
  walk(path, '');
  return ExitCode.OK;
}

export function catCommand(disk: string, path: string): number {
  io.stdout.write(check(open(disk).readFile(path), disk, path));
  return ExitCode.OK;
}

export function getCommand(disk: string, path: string, hostFile?: string): number {
  const data = check(open(disk).readFile(path), disk, path);
  if (hostFile === undefined || hostFile === '-') io.stdout.write(data);
  else writeDisk(hostFile, data);
  return ExitCode.OK;
}

export function putCommand(disk: string, hostFile: string, path: string): number {
  const fs = open(disk);
  const data = hostFile === '-' ? io.readStdin(MAXFILE) : readBytes(hostFile, MAXFILE, 'files put on a disk image (the largest file)');
  if (data.length > MAXFILE) throw new CliError(`stdin: more than the largest file, ${MAXFILE} bytes`, ExitCode.USAGE);
  check(fs.writeFile(path, data), disk, path);
  writeDisk(disk, fs.disk);
  return ExitCode.OK;
}

export function rmCommand(disk: string, path: string): number {
  const fs = open(disk);
  const st = check(fs.stat(path), disk, path);
  check(st.type === 'dir' ? fs.rmdir(path) : fs.unlink(path), disk, path);
  writeDisk(disk, fs.disk);
  return ExitCode.OK;
}

export function mkdirCommand(disk: string, path: string): number {
  const fs = open(disk);
  check(fs.mkdir(path), disk, path);
  writeDisk(disk, fs.disk);
  return ExitCode.OK;
}

export interface FsckOptions {
  json?: boolean;
}

/** Exit 0 when the image is clean, FS_DAMAGED when fsck found problems, 2 when it is not a
 *  ringlab filesystem at all (its superblock is wrong). */
export function fsckCommand(disk: string, opts: FsckOptions): number {
  const image = readBytes(disk, MAX_DISK_BYTES, 'disk images');
  const report = fsck(image);
  const notFs = !openFs(image).ok;
  const code = report.problems.length === 0 ? ExitCode.OK : notFs ? ExitCode.ASSEMBLY : ExitCode.FS_DAMAGED;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ disk, clean: code === ExitCode.OK, ...report }, null, 2)}\n`);
    return code;
  }
  for (const p of report.problems) io.stdout.write(`${p}\n`);
  if (report.more > 0) io.stdout.write(`... and ${report.more} more\n`);
  const n = report.problems.length + report.more;
  io.stdout.write(
    n === 0
      ? `${disk}: clean: ${report.files} files, ${report.dirs} directories, ${report.usedBlocks} data blocks used, ${report.freeBlocks} free\n`
      : `${disk}: ${n} problem${n === 1 ? '' : 's'}${notFs ? ': not a ringlab filesystem' : ''}\n`,
  );
  return code;
}
