// Layers as tar archives (OCI image spec, layer.md), written and read with node-tar's header and
// parser. Written archives are reproducible: entries in path order (a directory before what is
// in it), uid and gid 0, no user or group names, mtime 0, modes as tree.ts normalizes them, and
// PAX headers only where a path does not fit the ustar header. So the same change set is always
// the same bytes, and the same DiffID.

import { Header, Parser, Pax, type ReadEntry } from 'tar';
import { clip } from './digest.js';
import { ImageError } from './errors.js';
import { normalizePath, TREE_LIMITS } from './tree.js';

/** One archive entry: a directory, a regular file (whiteouts are empty files named .wh.*) or a
 *  symbolic link. */
export type TarEntry =
  | { readonly path: string; readonly type: 'dir'; readonly mode: number }
  | { readonly path: string; readonly type: 'file'; readonly mode: number; readonly data: Uint8Array }
  | { readonly path: string; readonly type: 'symlink'; readonly target: string };

const EPOCH = new Date(0);
const BLOCK = 512;

/** The archive of these entries, in the order given (layer.ts sorts them). */
export function encodeTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === 'dir' ? `${e.path}/` : e.path;
    const data = e.type === 'file' ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.length) : undefined;
    const fields = {
      path: name,
      type: e.type === 'dir' ? 'Directory' : e.type === 'file' ? 'File' : 'SymbolicLink',
      mode: e.type === 'symlink' ? 0o777 : e.mode,
      size: data ? data.length : 0,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      mtime: EPOCH,
      ...(e.type === 'symlink' && { linkpath: e.target }),
    } as const;
    const header = new Header(fields);
    header.encode();
    if (header.needPax) parts.push(new Pax({ path: name, mtime: EPOCH, ...(e.type === 'symlink' && { linkpath: e.target }) }).encode());
    parts.push(header.block!);
    if (data && data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end of archive: two zero blocks
  return new Uint8Array(Buffer.concat(parts));
}

/** The entries of an archive, or an ImageError naming `where`: a damaged header, a path that leaves
 *  the root, a kind of file the guest has no use for (devices, FIFOs), an archive that ends early,
 *  or more than TREE_LIMITS hold. A hard link becomes a copy of the file it names. */
export function decodeTar(bytes: Uint8Array, where: string): TarEntry[] {
  // An archive of no entries is its end marker alone (a docker empty layer is 1,024 zero bytes),
  // which node-tar calls an unrecognized format.
  if (bytes.length >= 2 * BLOCK && bytes.length % BLOCK === 0 && bytes.every((b) => b === 0)) return [];
  // POSIX: an archive is whole blocks and ends with two zero blocks; anything else was cut short.
  if (bytes.length % BLOCK !== 0 || bytes.length < 2 * BLOCK || !bytes.subarray(bytes.length - 2 * BLOCK).every((b) => b === 0)) {
    throw new ImageError(`${where}: not a valid layer tar: it does not end with the end-of-archive marker (two zero blocks): cut short or not a tar`);
  }
  const entries: TarEntry[] = [];
  const files = new Map<string, Extract<TarEntry, { type: 'file' }>>();
  let failure: string | undefined;
  const open = new Set<string>();
  let total = 0;
  let ended = false;
  const fail = (message: string) => {
    failure ??= message;
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      if (failure !== undefined) return void entry.resume();
      try {
        if (entries.length >= TREE_LIMITS.entries) throw new ImageError(`more than ${TREE_LIMITS.entries} entries`);
        const path = normalizePath(entry.path, where);
        if (entry.type === 'Directory') {
          entries.push({ path, type: 'dir', mode: (entry.mode ?? 0o755) & 0o7777 });
          entry.resume();
        } else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
          const size = entry.size ?? 0;
          total += size;
          if (total > TREE_LIMITS.bytes) throw new ImageError(`more than ${TREE_LIMITS.bytes} bytes of files`);
          const data = Buffer.alloc(size);
          let at = 0;
          entry.on('data', (chunk: Buffer) => {
            if (at + chunk.length <= size) chunk.copy(data, at);
            at += chunk.length;
          });
          open.add(path);
          entry.on('end', () => {
            open.delete(path);
            if (at !== size) fail(`${clip(path)}: the archive ends inside the file (${at} of ${size} bytes)`);
          });
          const e = { path, type: 'file' as const, mode: (entry.mode ?? 0o644) & 0o7777, data };
          entries.push(e);
          files.set(path, e);
        } else if (entry.type === 'SymbolicLink') {
          entries.push({ path, type: 'symlink', target: entry.linkpath ?? '' });
          entry.resume();
        } else if (entry.type === 'Link') {
          const target = normalizePath(entry.linkpath ?? '', where);
          const file = files.get(target);
          if (!file) throw new ImageError(`the hard link ${clip(path)} names ${clip(target)}, which is not a file earlier in the archive`);
          entries.push({ ...file, path });
          entry.resume();
        } else {
          throw new ImageError(`${clip(entry.path)} is a ${entry.type} entry, which ringlab layers do not hold (only directories, files and symbolic links)`);
        }
      } catch (e) {
        fail(e instanceof ImageError ? e.message.replace(`${where}: `, '') : String(e));
        entry.resume();
      }
    },
  });
  parser.on('warn', (_code: string, message: string | Error) => fail(typeof message === 'string' ? message : message.message));
  parser.on('error', (e: Error) => fail(e.message));
  parser.on('end', () => (ended = true));
  try {
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (e) {
    fail((e as Error).message);
  }
  if (open.size > 0) fail(`the archive ends inside ${clip([...open][0]!)}`);
  if (failure !== undefined) throw new ImageError(`${where}: not a valid layer tar: ${failure}`);
  if (!ended) throw new ImageError(`${where}: not a valid layer tar: the archive ends early`);
  return entries;
}
