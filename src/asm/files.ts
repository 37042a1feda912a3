// Reading input files without trusting them: only regular files (a FIFO or a device such as
// /dev/zero could block or never end), at most a documented number of bytes, and `.include`s
// only inside an include root (so a source cannot pull in /etc/passwd and echo it in errors).

import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { MAX_SOURCE_BYTES } from './limits.js';

const MiB = 1024 * 1024;

/** The ringlab installation (this file is src/asm/files.ts, or dist/src/asm/files.js). */
function findRoot(): string {
  const up2 = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return up2.endsWith('dist') ? resolve(up2, '..') : up2;
}

export const RINGLAB_ROOT = findRoot();

/** ringlab's own include library (hw.inc, console.s): every source may include from it. */
export const LIBRARY_DIR = join(RINGLAB_ROOT, 'programs', 'lib');

/** A file cannot be read as input: the message says why (no such file, not a regular file, too large). */
export class InputFileError extends Error {}

export function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${n} bytes`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openError(e: unknown): InputFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
  return new InputFileError(why);
}

/**
 * The bytes of a regular file of at most `limit` bytes. Throws InputFileError otherwise. The
 * file is opened non-blocking and checked with fstat, so a FIFO cannot hang the open and a file
 * swapped for a device between a check and the read is still refused.
 */
export function readInputBytes(path: string, limit: number, what = 'an input file'): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw openError(e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(`is ${kindOf(st)}, not a regular file`);
    if (st.size > limit) throw new InputFileError(`is ${formatBytes(st.size)}, more than the ${formatBytes(limit)} limit for ${what}`);
    // Read at most the size fstat gave: a file that grows meanwhile cannot push us past the limit.
    const buffer = Buffer.alloc(st.size);
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw openError(e);
  } finally {
    closeSync(fd);
  }
}

/** The text (UTF-8) of a regular file of at most `limit` bytes; throws InputFileError otherwise. */
export function readInputText(path: string, limit = MAX_SOURCE_BYTES, what = 'source files'): string {
  return readInputBytes(path, limit, what).toString('utf8');
}

/** Whether `path` lies inside the directory `root` (or is it), by the names alone. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The assembler's reader for the file system: an include file must be a regular file of at most
 * MAX_SOURCE_BYTES whose real path (symbolic links followed) is inside one of `roots`. Returns
 * undefined for a file that does not exist (the assembler says so); throws InputFileError else.
 */
export function sandboxedReader(roots: readonly string[]): (path: string) => string | undefined {
  let realRoots: string[] | undefined;
  return (path) => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw openError(e);
    }
    realRoots ??= roots.map(realpathOrSelf);
    if (!realRoots.some((root) => isInside(root, real))) throw new InputFileError(`it leads (through a symbolic link) to ${real}, outside the include root`);
    return readInputText(real, MAX_SOURCE_BYTES, 'source files');
  };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Write a whole file so that a reader (another process, a crash halfway) sees the old contents
 *  or the new ones, never half: a temporary file next to it, then a rename. Throws on failure,
 *  after removing the temporary file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
