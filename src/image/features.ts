// What an image may REQUIRE beyond the base machine: ISA extensions (the emulator's extension
// table, src/isa) and guest-kernel features (this table). `container run` (issue 18's next slice)
// refuses an image whose requirements the machine or kernel does not meet.

import { EXTENSIONS } from '../isa/index.js';

export const KERNEL_FEATURES = {
  namespaces: 'pid, UTS, IPC, network and mount namespaces (docs/containers.md)',
  cgroups: 'control groups v2: cpu, memory and pids budgets',
  net: 'stream sockets over the loopback and veth pairs',
  overlay: 'the overlay filesystem: read-only image layers under a writable layer (issue 17)',
  tmpfs: 'tmpfs, a filesystem in memory (issue 17)',
} as const;

export function isaExtensionNames(): string[] {
  return [...EXTENSIONS.keys()].sort();
}

export function kernelFeatureNames(): string[] {
  return Object.keys(KERNEL_FEATURES).sort();
}
