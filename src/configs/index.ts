// Boot configurations: which images go where, which extensions, which cost preset.
// Each config can `prepare` a loaded machine (the debugger steps through it) or `boot` it to
// power-off (boot = prepare + run + report).

import { bootNative, prepareNative, type BootOptions, type BootResult, type PreparedBoot } from './native.js';
import { bootVmm, prepareVmm } from './vmm.js';

export interface BootConfig {
  readonly name: string;
  readonly description: string;
  prepare(options: BootOptions): PreparedBoot;
  boot(options: BootOptions): BootResult;
}

export const CONFIGS: readonly BootConfig[] = [
  { name: 'native', description: 'the guest kernel in ring 0 on bare metal, its processes in ring 3', prepare: prepareNative, boot: bootNative },
  vmmConfig('te', 'trap-and-emulate VMM in ring 0 (programs/vmm/te); the same guest kernel in ring 1, its processes in ring 3'),
  vmmConfig('vtx', 'VT-x VMM in root mode with shadow paging (programs/vmm/vtx); the guest kernel in non-root ring 0'),
  vmmConfig('vtx-ept', 'the VT-x VMM with nested paging (EPT): no shadow tables, no exits for page faults'),
  vmmConfig('pv', 'paravirtualization VMM in ring 0 (programs/vmm/pv); the guest kernel built with PARAVIRT in ring 1: hypercalls, a shared page, batched page-table updates'),
];

function vmmConfig(name: string, description: string): BootConfig {
  return { name, description, prepare: (o) => prepareVmm(name, o), boot: (o) => bootVmm(name, o) };
}

export function findConfig(name: string): BootConfig | undefined {
  return CONFIGS.find((c) => c.name === name);
}

export {
  BootError,
  bootNative,
  isParavirtKernel,
  prepareNative,
  processesFor,
  runBoot,
  type BootImage,
  type BootOptions,
  type BootStats,
  type VmmStats,
  type BootResult,
  type PreparedBoot,
  type ProcessReport,
  type UserProgram,
} from './native.js';
export { findWorkload, WORKLOADS, workloadNames, type Workload } from './workloads.js';
export { kernelImage, userImage, ProgramAssemblyError } from './images.js';
