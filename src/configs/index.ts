// Boot configurations: which images go where, which extensions, which cost preset.
// `native` is the only one so far; `te`, `vtx` and `vtx-ept` will add VMMs (docs/kernel.md).

import { bootNative, type BootOptions, type BootResult } from './native.js';

export interface BootConfig {
  readonly name: string;
  readonly description: string;
  boot(options: BootOptions): BootResult;
}

export const CONFIGS: readonly BootConfig[] = [
  { name: 'native', description: 'the guest kernel in ring 0 on bare metal, its processes in ring 3', boot: bootNative },
];

export function findConfig(name: string): BootConfig | undefined {
  return CONFIGS.find((c) => c.name === name);
}

export { BootError, bootNative, processesFor, type BootOptions, type BootResult, type ProcessReport } from './native.js';
export { findWorkload, WORKLOADS, workloadNames, type Workload } from './workloads.js';
export { kernelImage, userImage, ProgramAssemblyError } from './images.js';
