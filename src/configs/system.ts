// The system programs every root disk gets: /sbin/init, which the kernel starts as pid 1 and
// which starts the boot's processes (programs/user/init.s). The shell and the utilities join
// this list. Each is a user program in programs/user, assembled once (images.ts caches it).

import type { Isa } from '../isa/index.js';
import { userImage } from './images.js';
import type { RootProgram } from './rootfs.js';

export interface SystemProgram {
  /** Where it is installed. */
  readonly path: string;
  /** Its source, programs/user/PROGRAM.s. */
  readonly program: string;
}

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [{ path: '/sbin/init', program: 'init' }];

/** The system programs, assembled for the guest's ISA, ready for rootDisk. */
export function systemPrograms(isa: Isa): RootProgram[] {
  return SYSTEM_PROGRAMS.map((p) => ({ name: p.program, path: p.path, image: userImage(p.program, isa) }));
}
