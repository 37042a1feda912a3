// Random filesystem operations for the property tests: the host filesystem against the model
// (model.test.ts) and the guest kernel against the model (kernel-model.test.ts).

import fc from 'fast-check';
import type { FileSystem, FsResult } from '../../src/fs/image.js';
import { B, NDIRECT } from '../../src/fs/layout.js';

const name = fc.constantFrom('a', 'b', 'c', 'dd');
/** Absolute paths, now and then an odd one: `/`, dots, a relative path, a name too long. */
export const path = fc.oneof(
  { weight: 12, arbitrary: fc.array(name, { minLength: 1, maxLength: 2 }).map((parts) => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.constantFrom('/', '/a/.', '/a/..', 'relative', `/${'x'.repeat(28)}`, '/a//b/') },
);
/** Write sizes around the block size and past the direct blocks (into the indirect block). */
const length = fc.constantFrom(0, 1, 100, B - 1, B, B + 1, 3 * B, NDIRECT * B + 10);

export type Op =
  | { op: 'create' | 'mkdir' | 'truncate' | 'unlink' | 'rmdir' | 'stat' | 'readdir'; path: string }
  | { op: 'rename'; path: string; to: string }
  | { op: 'write'; path: string; at: 'start' | 'end' | number; length: number; seed: number }
  | { op: 'read'; path: string; offset: number; length: number };

/** Operations on paths drawn from `paths`. */
export function opsOn(paths: fc.Arbitrary<string>): fc.Arbitrary<Op> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('create', 'create', 'mkdir'), path: paths }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('truncate', 'unlink', 'rmdir', 'stat', 'readdir'), path: paths }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('rename'), path: paths, to: paths }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('write'), path: paths, at: fc.oneof(fc.constantFrom('start', 'end'), fc.nat(3 * B)), length, seed: fc.nat(255) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('read'), path: paths, offset: fc.nat(2 * B), length: fc.nat(3 * B) }) },
  ) as fc.Arbitrary<Op>;
}

export const opArb: fc.Arbitrary<Op> = opsOn(path);

/** The bytes a write of `length` with `seed` writes: byte i is (seed + 7i) & 0xff. */
export function bytes(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (seed + i * 7) & 0xff;
  return data;
}

/** Apply one operation; the result as plain data (bytes as hex). */
export function apply(fs: FileSystem, op: Op, offset: number): unknown {
  let r: FsResult<unknown>;
  switch (op.op) {
    case 'rename':
      r = fs.rename(op.path, op.to);
      break;
    case 'write':
      r = fs.write(op.path, offset, bytes(op.length, op.seed));
      break;
    case 'read':
      r = fs.read(op.path, op.offset, op.length);
      break;
    default:
      r = fs[op.op](op.path);
  }
  if (!r.ok) return { error: r.error };
  return r.value instanceof Uint8Array ? Buffer.from(r.value).toString('hex') : r.value;
}
