// The on-disk format of ringlab's filesystem: one table, from which `npm run gen` writes
// programs/lib/fs.inc (for the kernel's file layer) and the layout section of docs/fs.md
// (src/tools/fs-gen.ts). The host tool (image.ts, fsck.ts, `ringlab fs`) reads these numbers
// too, so the host and the kernel agree on one format (DESIGN.md, principle 1).
//
// The shape is xv6's (kernel/fs.h) without the log: the disk is an array of BSIZE-byte blocks,
//   [ boot | super | inodes ... | bitmap ... | data ... ]
// All fields are little-endian 32-bit words, so the kernel reads each with one `lw`.

import type { AbiConstant, Struct } from '../abi/layout.js';

// The table types are the ABI's (src/abi/layout.ts): a named constant, and a structure of word
// fields from which `npm run gen` writes `.equ PREFIX_FIELD, offset` lines.
export type FsConstant = AbiConstant;
export type FsStruct = Struct;

/** 4096: one block is one page, so the kernel's buffer cache holds a block in a frame and the
 *  block device moves a page per request. */
const BSIZE = 4096;
/** Block pointers held directly in the inode. */
const NDIRECT = 12;
/** Block pointers in the one indirect block. */
const NINDIRECT = BSIZE / 4;
const INODE_SIZE = 64;
const DIRENT_SIZE = 32;
/** Name bytes in a directory entry, including the terminating zero. */
const DIRNAME_BYTES = DIRENT_SIZE - 4;

export const FS = {
  BSIZE: { value: BSIZE, doc: 'block size in bytes (one page)' },
  FS_MAGIC: { value: 0x5346_4c52, doc: '"RLFS", the first word of the superblock' },
  SUPER_BLOCK: { value: 1, doc: 'block number of the superblock (block 0 is left for a boot block)' },
  ROOT_INUM: { value: 1, doc: 'inode number of the root directory (inode 0 is never used: a free directory entry has inum 0)' },
  NDIRECT: { value: NDIRECT, doc: 'direct block pointers in an inode' },
  NINDIRECT: { value: NINDIRECT, doc: 'block pointers in the indirect block' },
  MAXFILE_BLOCKS: { value: NDIRECT + NINDIRECT, doc: 'data blocks of the largest file' },
  MAXFILE: { value: (NDIRECT + NINDIRECT) * BSIZE, doc: 'largest file size in bytes, (NDIRECT + NINDIRECT) * BSIZE' },
  INODE_SIZE: { value: INODE_SIZE, doc: 'bytes per on-disk inode' },
  IPB: { value: BSIZE / INODE_SIZE, doc: 'inodes per block' },
  BPB: { value: BSIZE * 8, doc: 'bitmap bits per block: one bit per block of the disk, 1 = in use' },
  DIRENT_SIZE: { value: DIRENT_SIZE, doc: 'bytes per directory entry' },
  NAME_MAX: { value: DIRNAME_BYTES - 1, doc: 'longest name in bytes (the name field ends with at least one zero byte)' },
  T_FREE: { value: 0, doc: 'inode type: free' },
  T_DIR: { value: 1, doc: 'inode type: directory' },
  T_FILE: { value: 2, doc: 'inode type: regular file' },
  MAX_INODES: { value: 65_536, doc: 'most inodes a filesystem may have' },
  MAX_BLOCKS: { value: 65_536, doc: 'most blocks a filesystem may have (256 MiB)' },
} as const satisfies Record<string, FsConstant>;

/** Block 1. mkfs writes it once; nothing changes it afterwards. */
export const SUPERBLOCK = {
  name: 'superblock',
  prefix: 'SB',
  size: 28,
  doc: 'at the start of block SUPER_BLOCK',
  fields: {
    MAGIC: { offset: 0, size: 4, doc: 'FS_MAGIC' },
    SIZE: { offset: 4, size: 4, doc: 'blocks in the filesystem, all regions together' },
    NINODES: { offset: 8, size: 4, doc: 'inodes (numbered 0..NINODES-1; 0 unused)' },
    INODESTART: { offset: 12, size: 4, doc: 'first block of the inode table (2)' },
    BMAPSTART: { offset: 16, size: 4, doc: 'first block of the free-block bitmap' },
    DATASTART: { offset: 20, size: 4, doc: 'first data block' },
    NDATA: { offset: 24, size: 4, doc: 'data blocks: SIZE - DATASTART' },
  },
} as const satisfies FsStruct;

/** An inode in the table: inode i is at byte (i % IPB) * INODE_SIZE of block INODESTART + i / IPB. */
export const DINODE = {
  name: 'on-disk inode',
  prefix: 'DI',
  size: INODE_SIZE,
  doc: 'IPB to a block of the inode table; no owner, mode or times (ringlab has one user)',
  fields: {
    TYPE: { offset: 0, size: 4, doc: 'T_FREE, T_DIR or T_FILE' },
    NLINK: { offset: 4, size: 4, doc: 'directory entries that name this inode (a directory counts its own `.` and each child\'s `..`)' },
    SIZE: { offset: 8, size: 4, doc: 'size in bytes; a directory\'s is a multiple of DIRENT_SIZE' },
    ADDRS: { offset: 12, size: 4 * NDIRECT, doc: 'NDIRECT direct block numbers (0: none)' },
    INDIRECT: { offset: 12 + 4 * NDIRECT, size: 4, doc: 'block of NINDIRECT more block numbers (0: none)' },
  },
} as const satisfies FsStruct;

/** A directory is a file of these; entry 0 is `.` and entry 1 is `..`. */
export const DIRENT = {
  name: 'directory entry',
  prefix: 'DE',
  size: DIRENT_SIZE,
  doc: 'DIRENT_SIZE bytes each; inum 0 marks a free entry',
  fields: {
    INUM: { offset: 0, size: 4, doc: 'inode number, 0 when the entry is free' },
    NAME: { offset: 4, size: DIRNAME_BYTES, doc: 'name: 1..NAME_MAX bytes, no `/` or zero byte, zero padded' },
  },
} as const satisfies FsStruct;

export const FS_STRUCTS: readonly FsStruct[] = [SUPERBLOCK, DINODE, DIRENT];

// Plain numbers for the TypeScript side.
export const B: number = BSIZE;
export const MAXFILE: number = FS.MAXFILE.value;
export const NAME_MAX: number = FS.NAME_MAX.value;
export const IPB: number = FS.IPB.value;
export const BPB: number = FS.BPB.value;
export const ROOT_INUM: number = FS.ROOT_INUM.value;
export const T_FREE: number = FS.T_FREE.value;
export const T_DIR: number = FS.T_DIR.value;
export const T_FILE: number = FS.T_FILE.value;
export { NDIRECT, NINDIRECT, INODE_SIZE, DIRENT_SIZE };

/** Where each region starts for a filesystem of `size` blocks and `ninodes` inodes (mkfs). */
export function regions(size: number, ninodes: number): { inodestart: number; bmapstart: number; datastart: number } {
  const inodestart = FS.SUPER_BLOCK.value + 1;
  const bmapstart = inodestart + Math.ceil(ninodes / IPB);
  const datastart = bmapstart + Math.ceil(size / BPB);
  return { inodestart, bmapstart, datastart };
}
