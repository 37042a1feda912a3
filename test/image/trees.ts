// Random file trees for the property tests of test/image.

import fc from 'fast-check';
import { addParents, type FileTree, type TreeNode } from '../../src/image/tree.js';

const NAMES = ['a', 'b', 'c', 'bin', 'etc', 'x.s', 'long-' + 'n'.repeat(120)];

const node: fc.Arbitrary<TreeNode> = fc.oneof(
  fc.record({ type: fc.constant('dir' as const), mode: fc.constantFrom(0o755, 0o700) }),
  fc.record({ type: fc.constant('file' as const), mode: fc.constantFrom(0o644, 0o755), data: fc.uint8Array({ maxLength: 600 }) }),
  fc.record({ type: fc.constant('symlink' as const), target: fc.constantFrom('a', '/bin/b', '../c') }),
);

/** A consistent tree: every parent is a directory. */
export const tree: fc.Arbitrary<FileTree> = fc.array(fc.tuple(fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }), node), { maxLength: 14 }).map((items) => {
  const t: FileTree = new Map();
  for (const [parts, n] of items) {
    const path = parts.join('/');
    let ok = true;
    for (let i = 1; i < parts.length; i++) {
      const p = t.get(parts.slice(0, i).join('/'));
      if (p && p.type !== 'dir') ok = false;
    }
    if (!ok || t.has(path)) continue;
    addParents(t, path);
    t.set(path, n);
  }
  return t;
});

/** A tree with opaque flags dropped, sorted, for comparison. */
export function plain(t: FileTree): [string, TreeNode][] {
  return [...t].map(([p, n]): [string, TreeNode] => [p, n.type === 'dir' ? { type: 'dir', mode: n.mode } : n.type === 'file' ? { type: 'file', mode: n.mode, data: new Uint8Array(n.data) } : n]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}
