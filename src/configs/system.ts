// The system programs every root disk gets (and a user's `--disk`): /sbin/init, which the kernel
// starts as pid 1 and which starts the boot's processes (programs/user/init.s), and the shell
// and the utilities in /bin (docs/shell.md). One list, so that the boot, the disk cache's key,
// the tests and the docs agree on it. Each is a user program in programs/user, assembled once
// (images.ts caches it) and made an executable once per image (rootfs.ts).

import type { Isa } from '../isa/index.js';
import { userImage } from './images.js';
import type { RootProgram } from './rootfs.js';

export interface SystemProgram {
  /** Where it is installed. */
  readonly path: string;
  /** Its source, programs/user/PROGRAM.s. */
  readonly program: string;
}

const bin = (name: string, program = name): SystemProgram => ({ path: `/bin/${name}`, program });

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [
  { path: '/sbin/init', program: 'init' },
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
  bin('hostname'),
  bin('chroot'),
  bin('unshare'),
  bin('nsenter'),
  bin('ip'),
  bin('nc'),
  bin('cgctl'), // control groups: libcgroup's cgcreate/cgset/cgget/cgexec/cgdelete (docs/containers.md)
  bin('chroot-escape'), // the classic chroot escape, a demonstration (docs/containers.md)
  bin('pivot-escape'), // the same escape inside a pivot_root container fails (docs/containers.md)
  bin('mount'),
  bin('umount'),
  bin('mountstats'), // an overlay's counters, Linux's /proc/self/mountstats (docs/containers.md)
  bin('pivot_root'),
  bin('crun'), // a container runtime modelled on runc (docs/containers.md, "A container runtime")
];

/** The system programs, assembled for the guest's ISA, ready for rootDisk. */
export function systemPrograms(isa: Isa): RootProgram[] {
  return SYSTEM_PROGRAMS.map((p) => ({ name: p.program, path: p.path, image: userImage(p.program, isa) }));
}
