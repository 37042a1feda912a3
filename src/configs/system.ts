// The system programs: what every root disk a boot makes, and a user's `--disk`, gets besides
// the boot's own programs: the shell and the utilities in /bin (docs/shell.md), init in /sbin.
// One list, so that the boot, the disk cache's key, the tests and the docs agree on it.
//
// Each is a source in programs/user/, assembled once per process (images.ts caches the images in
// memory and on disk) and turned into an executable once per image (rootfs.ts).

import type { Isa } from '../isa/index.js';
import { userImage } from './images.js';
import type { RootFile } from './rootfs.js';

export interface SystemProgram {
  /** Where it is installed: an absolute path on the root filesystem. */
  readonly path: string;
  /** Its source, programs/user/SOURCE.s. */
  readonly source: string;
}

const bin = (name: string, source = name): SystemProgram => ({ path: `/bin/${name}`, source });

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [
  bin('sh'),
  bin('echo'),
  bin('cat'),
  bin('ls'),
  bin('mkdir'),
  bin('rm'),
  bin('mv'),
  bin('cp'),
  bin('wc'),
  bin('ps'),
  bin('kill'),
  bin('sleep', 'sleep-ticks'), // sleep.s is the `sleep` workload
  bin('true'),
  bin('false'),
];

/** The system programs as files to install, each assembled for `isa`. */
export function systemFiles(isa: Isa): RootFile[] {
  return SYSTEM_PROGRAMS.map((p) => ({ path: p.path, name: p.source, image: userImage(p.source, isa) }));
}
