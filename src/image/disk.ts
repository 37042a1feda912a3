// File trees and the guest's disk filesystem (src/fs): where an image meets the emulated machine.
// `container run` and RUN (issue 17's runtime) put an image's root filesystem, or each layer, on
// a disk the guest mounts, and read back what a container changed as a tree, which diffTrees
// turns into a layer.
//
// The disk filesystem has directories and regular files only: no permission bits and no symbolic
// links. So a tree written to a disk must hold no links (an error names the first), and a tree
// read from a disk gives each file the mode 0755 if it is an executable (it starts with the
// executable magic, src/fs/exec.ts) and 0644 if not, which is what `image build` gives them.

import { EXEC } from '../abi/layout.js';
import type { DiskFs } from '../fs/image.js';
import { clip } from './digest.js';
import { ImageError } from './errors.js';
import { TREE_LIMITS, type FileTree } from './tree.js';

const MAGIC: number = EXEC.EXEC_MAGIC.value;

function isExecutable(data: Uint8Array): boolean {
  return data.length >= 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) === MAGIC;
}

const abs = (root: string, path: string) => `${root === '/' ? '' : root.replace(/\/+$/, '')}/${path}`;

/** The tree under `root` of a disk (default: all of it). Errors name the disk path. */
export function treeFromDisk(fs: DiskFs, root = '/'): FileTree {
  const tree: FileTree = new Map();
  const walk = (dir: string, rel: string, depth: number) => {
    if (depth > 64) throw new ImageError(`${dir}: directories nested more than 64 deep (a damaged disk?)`);
    const names = fs.readdir(dir);
    if (!names.ok) throw new ImageError(`${dir}: cannot read the directory: ${names.error}`);
    for (const name of [...names.value].sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = abs(root, path);
      if (tree.size >= TREE_LIMITS.entries) throw new ImageError(`${root}: more than ${TREE_LIMITS.entries} files`);
      const st = fs.stat(full);
      if (!st.ok) throw new ImageError(`${full}: ${st.error}`);
      if (st.value.type === 'dir') {
        tree.set(path, { type: 'dir', mode: 0o755 });
        walk(full, path, depth + 1);
      } else {
        const data = fs.readFile(full);
        if (!data.ok) throw new ImageError(`${full}: ${data.error}`);
        tree.set(path, { type: 'file', mode: isExecutable(data.value) ? 0o755 : 0o644, data: data.value });
      }
    }
  };
  walk(root, '', 0);
  return tree;
}

/** Write a tree under `root` of a disk (directories made as needed, files replaced). Errors
 *  (a symbolic link, a full disk) name the path. */
export function treeToDisk(tree: FileTree, fs: DiskFs, root = '/'): void {
  for (const path of [...tree.keys()].sort()) {
    const node = tree.get(path)!;
    const full = abs(root, path);
    if (node.type === 'symlink') throw new ImageError(`${clip(path)}: a symbolic link, which the guest's disk filesystem does not have`, 'usage');
    if (node.type === 'dir') {
      const st = fs.stat(full);
      if (st.ok && st.value.type === 'dir') continue;
      const made = fs.mkdir(full);
      if (!made.ok) throw new ImageError(`${full}: cannot make the directory: ${made.error}`, 'usage');
    } else {
      const written = fs.writeFile(full, node.data);
      if (!written.ok) throw new ImageError(`${full}: cannot write ${node.data.length} bytes: ${written.error}`, 'usage');
    }
  }
}
