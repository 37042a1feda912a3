// fsck: check a disk image against the format of layout.ts and name every problem with where it
// is. It never throws and never loops: it reads the superblock, every inode once, every block
// at most once (a block that two inodes claim is read for the first only) and walks the
// directory tree breadth first, visiting each directory once, so its time and memory are
// bounded by the image's size.

import { B, DINODE, DIRENT, DIRENT_SIZE, INODE_SIZE, IPB, MAXFILE, NDIRECT, NINDIRECT, ROOT_INUM, T_DIR, T_FILE, T_FREE } from './layout.js';
import { readSuperblock, superblockProblems } from './image.js';

export interface FsckReport {
  /** Each problem, naming the block, inode or directory entry; empty when the image is clean. */
  readonly problems: string[];
  /** Problems found beyond the `maxProblems` listed. */
  readonly more: number;
  readonly files: number;
  readonly dirs: number;
  readonly usedBlocks: number;
  readonly freeBlocks: number;
}

const decoder = new TextDecoder();

export function fsck(disk: Uint8Array, maxProblems = 200): FsckReport {
  const problems: string[] = [];
  let more = 0;
  const problem = (text: string) => (problems.length < maxProblems ? problems.push(text) : more++);
  const empty = { files: 0, dirs: 0, usedBlocks: 0, freeBlocks: 0 };

  for (const p of superblockProblems(disk)) problem(p);
  if (problems.length > 0) return { problems, more, ...empty };
  const sb = readSuperblock(disk)!;
  const view = new DataView(disk.buffer, disk.byteOffset, disk.byteLength);
  const word = (at: number) => view.getUint32(at, true);

  // Who uses each block: -1 the superblock, inodes or bitmap, an inode number, or 0 nobody.
  const owner = new Int32Array(sb.size);
  owner.fill(-1, 0, sb.datastart);
  const ownerName = (o: number) => (o < 0 ? 'the filesystem\'s own blocks' : `inode ${o}`);
  /** Claim block `b` for inode `inum`; false (and a problem) if it is out of range or taken. */
  const claim = (b: number, inum: number, where: string): boolean => {
    if (b < sb.datastart || b >= sb.size) {
      problem(`inode ${inum}: ${where} is block ${b}, outside the data blocks ${sb.datastart}..${sb.size - 1}`);
      return false;
    }
    if (owner[b] !== 0) {
      problem(`block ${b} is used twice: by ${ownerName(owner[b]!)} and by inode ${inum} (${where})`);
      return false;
    }
    owner[b] = inum;
    return true;
  };

  const inodeAt = (inum: number) => (sb.inodestart + Math.floor(inum / IPB)) * B + (inum % IPB) * INODE_SIZE;
  const types = new Uint8Array(sb.ninodes);
  /** Each directory's data blocks in order (0 where one is missing or not its own). */
  const dirBlocks = new Map<number, number[]>();
  const sizes = new Uint32Array(sb.ninodes);
  let files = 0;
  let dirs = 0;

  for (let inum = 1; inum < sb.ninodes; inum++) {
    const at = inodeAt(inum);
    const type = word(at + DINODE.fields.TYPE.offset);
    if (type === T_FREE) continue;
    if (type !== T_DIR && type !== T_FILE) {
      problem(`inode ${inum} has type ${type}, not free (${T_FREE}), a directory (${T_DIR}) or a file (${T_FILE})`);
      continue;
    }
    types[inum] = type;
    type === T_DIR ? dirs++ : files++;
    let size = word(at + DINODE.fields.SIZE.offset);
    if (size > MAXFILE) {
      problem(`inode ${inum} has size ${size}, over the largest file (${MAXFILE})`);
      size = MAXFILE;
    }
    if (type === T_DIR && size % DIRENT_SIZE !== 0) problem(`directory inode ${inum} has size ${size}, not a multiple of ${DIRENT_SIZE}`);
    sizes[inum] = size;
    const nblocks = Math.ceil(size / B);
    const blocks: number[] = [];
    const check = (bn: number, b: number, where: string) => {
      if (b === 0) {
        if (bn < nblocks) problem(`inode ${inum} has size ${size} but no block for bytes ${bn * B}.. (${where})`);
        blocks.push(0);
        return;
      }
      const mine = claim(b, inum, where);
      if (bn >= nblocks) problem(`inode ${inum}: ${where} is block ${b}, beyond its size ${size}`);
      blocks.push(mine ? b : 0);
    };
    for (let i = 0; i < NDIRECT; i++) check(i, word(at + DINODE.fields.ADDRS.offset + 4 * i), `addrs[${i}]`);
    const ib = word(at + DINODE.fields.INDIRECT.offset);
    if (ib === 0) {
      if (nblocks > NDIRECT) problem(`inode ${inum} has size ${size} but no indirect block`);
    } else {
      if (claim(ib, inum, 'its indirect block')) {
        if (nblocks <= NDIRECT) problem(`inode ${inum}: its indirect block ${ib} is beyond its size ${size}`);
        for (let j = 0; j < NINDIRECT; j++) check(NDIRECT + j, word(ib * B + 4 * j), `indirect entry ${j}`);
      }
    }
    if (type === T_DIR) dirBlocks.set(inum, blocks.slice(0, nblocks));
  }

  // The bitmap against the blocks really used.
  let usedBlocks = 0;
  for (let b = 0; b < sb.size; b++) {
    const marked = (disk[sb.bmapstart * B + (b >> 3)]! & (1 << (b & 7))) !== 0;
    const used = owner[b] !== 0;
    if (used && b >= sb.datastart) usedBlocks++;
    if (used && !marked) problem(`block ${b} is used by ${ownerName(owner[b]!)} but marked free in the bitmap`);
    if (!used && marked) problem(`block ${b} is marked in use in the bitmap but nothing uses it`);
  }

  // The tree, breadth first from the root; each directory is entered once.
  const refs = new Uint32Array(sb.ninodes);
  const parent = new Int32Array(sb.ninodes);
  const paths = new Map<number, string>([[ROOT_INUM, '/']]);
  const pathOf = (inum: number) => paths.get(inum) ?? `inode ${inum}`;
  if (types[ROOT_INUM] !== T_DIR) {
    problem(`the root, inode ${ROOT_INUM}, is not a directory`);
  } else {
    parent[ROOT_INUM] = ROOT_INUM;
    const queue = [ROOT_INUM];
    for (let qi = 0; qi < queue.length; qi++) {
      const dir = queue[qi]!;
      const blocks = dirBlocks.get(dir)!;
      const where = pathOf(dir);
      const seen = new Set<string>();
      for (let off = 0; off + DIRENT_SIZE <= sizes[dir]!; off += DIRENT_SIZE) {
        const slot = off / DIRENT_SIZE;
        const b = blocks[Math.floor(off / B)]!;
        const inum = b === 0 ? 0 : word(b * B + (off % B) + DIRENT.fields.INUM.offset);
        const dot = slot === 0 ? '.' : slot === 1 ? '..' : undefined;
        if (inum === 0) {
          if (dot) problem(`directory ${where}: entry ${slot} should be '${dot}' but is free`);
          continue;
        }
        const field = disk.subarray(b * B + (off % B) + DIRENT.fields.NAME.offset, b * B + (off % B) + DIRENT_SIZE);
        const end = field.indexOf(0);
        const name = decoder.decode(field.subarray(0, end < 0 ? field.length : end));
        const entry = `directory ${where}: entry ${slot} ('${name}')`;
        if (end < 0) problem(`${entry}: the name has no zero byte`);
        else if (end === 0) problem(`${entry}: empty name`);
        else if (name.includes('/')) problem(`${entry}: the name contains '/'`);
        if (seen.has(name)) problem(`${entry}: a second entry with this name`);
        seen.add(name);
        if (inum >= sb.ninodes) {
          problem(`${entry} names inode ${inum}, out of range (${sb.ninodes} inodes)`);
          continue;
        }
        if (types[inum] === 0) {
          problem(`${entry} names inode ${inum}, which is not in use`);
          continue;
        }
        refs[inum]!++;
        if (dot) {
          const want = slot === 0 ? dir : parent[dir]!;
          if (name !== dot || inum !== want) problem(`${entry} should be '${dot}' naming inode ${want}, not '${name}' naming inode ${inum}`);
          continue;
        }
        if (name === '.' || name === '..') {
          problem(`${entry}: '${name}' anywhere but entries 0 and 1`);
          continue;
        }
        if (!paths.has(inum) && where.length < 1024) paths.set(inum, `${where === '/' ? '' : where}/${name}`);
        if (types[inum] !== T_DIR) continue;
        if (parent[inum] !== 0) {
          problem(`${entry} names directory inode ${inum}, which ${pathOf(inum)} names already: a directory with two parents, or a cycle`);
          continue;
        }
        parent[inum] = dir;
        queue.push(inum);
      }
      if (sizes[dir]! < 2 * DIRENT_SIZE) problem(`directory ${where} has size ${sizes[dir]}: no room for '.' and '..'`);
    }
  }

  for (let inum = 1; inum < sb.ninodes; inum++) {
    if (types[inum] === 0) continue;
    const nlink = word(inodeAt(inum) + DINODE.fields.NLINK.offset);
    if (refs[inum] === 0) problem(`inode ${inum} (a ${types[inum] === T_DIR ? 'directory' : 'file'}) is in use but no directory names it`);
    else if (nlink !== refs[inum]) problem(`inode ${inum} (${pathOf(inum)}) has nlink ${nlink} but ${refs[inum]} directory entries name it`);
  }

  return { problems, more, files, dirs, usedBlocks, freeBlocks: sb.size - sb.datastart - usedBlocks };
}
