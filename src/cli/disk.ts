// `--disk FILE` of `run` and `boot`: the disk image is read whole before the run, and written
// back when the run ends, only if the guest completed a write request or (boot) the programs
// installed in its /bin changed it (a run that changes nothing leaves the file, and its
// modification time, alone). The write goes to a temporary file next to it,
// renamed over it, so an interrupted write-back never leaves half an image.

import { formatBytes, InputFileError, readInputBytes, writeFileAtomic } from '../asm/files.js';
import { DISK_BLOCK_SIZE, DISK_MAX_BYTES, type DiskDevice } from '../machine/devices/disk.js';
import { CliError, ExitCode } from './errors.js';

/** The image in FILE: a regular file of a multiple of the block size, at most DISK_MAX_BYTES. */
export function readDiskImage(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readInputBytes(path, DISK_MAX_BYTES, 'a disk image');
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(`cannot read --disk ${path}: ${e.message}`, ExitCode.USAGE);
    throw e;
  }
  if (bytes.length % DISK_BLOCK_SIZE !== 0) {
    throw new CliError(`--disk ${path}: ${formatBytes(bytes.length)} is not a whole number of ${DISK_BLOCK_SIZE}-byte blocks (pad it, e.g. truncate -s %${DISK_BLOCK_SIZE} ${path})`, ExitCode.USAGE);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Write the disk's contents back to FILE if the guest wrote to it, or (given the file's bytes
 *  as read) if they differ from those (`boot` installs its programs in /bin); true if written. */
export function writeBackDisk(path: string, disk: DiskDevice, original?: Uint8Array): boolean {
  const contents = disk.contents();
  const changed = disk.wasWritten || (original !== undefined && Buffer.compare(Buffer.from(contents.buffer, contents.byteOffset, contents.length), Buffer.from(original.buffer, original.byteOffset, original.length)) !== 0);
  if (!changed) return false;
  try {
    writeFileAtomic(path, contents);
  } catch (e) {
    throw new CliError(`cannot write the disk back to ${path}: ${(e as Error).message}`, ExitCode.USAGE);
  }
  return true;
}
