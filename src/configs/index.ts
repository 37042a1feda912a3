// Boot configurations: which images go where, which extensions, which cost preset.
// Each config can `prepare` a loaded machine (the debugger steps through it) or `boot` it to
// power-off (boot = prepare + run + report).

import { bootHosted, hostedGuestExtensions, prepareHosted, runHosted } from './hosted.js';
import { bootNative, machineExtensions, prepareNative, runBoot } from './native.js';
import type { BootConfig, BootOptions, VmmConfig } from './types.js';
import { bootVmm, prepareVmm, vmmGuestExtensions } from './vmm.js';

/** The one registry of configurations: every command, suite and test takes its list from here,
 *  so a new configuration joins the benchmarks and the equivalence tester by being added. */
export const CONFIGS: readonly BootConfig[] = [
  { name: 'native', description: 'the guest kernel in ring 0 on bare metal, its processes in ring 3', prepare: prepareNative, run: runBoot, boot: bootNative, guestExtensions: machineExtensions },
  vmmConfig('te', 'trap-and-emulate VMM in ring 0 (programs/vmm/te); the same guest kernel in ring 1, its processes in ring 3', { vmm: 'te', extensions: [], flags: 0 }),
  vmmConfig('vtx', 'VT-x VMM in root mode with shadow paging (programs/vmm/vtx); the guest kernel in non-root ring 0', { vmm: 'vtx', extensions: ['vmx'], flags: 0 }),
  vmmConfig('vtx-ept', 'the VT-x VMM with nested paging (EPT): no shadow tables, no exits for page faults', { vmm: 'vtx', extensions: ['vmx'], flags: 1 }),
  vmmConfig(
    'pv',
    'paravirtualization VMM in ring 0 (programs/vmm/pv); the guest kernel built with PARAVIRT in ring 1: hypercalls, a shared page, batched page-table updates',
    { vmm: 'pv', extensions: [], flags: 0, kernelDefines: { PARAVIRT: 1 } },
  ),
  vmmConfig(
    'bt',
    'binary-translating VMM in ring 0 (programs/vmm/bt); the same guest kernel translated block by block into ring-1 code, its processes in ring 3',
    { vmm: 'bt', extensions: [], flags: 0 },
  ),
  {
    name: 'hosted',
    description: 'hosted (type-2) VMM: the kernel built with -D HOST on bare metal, its driver (programs/kernel/kvm.s) and the user-space VMM /bin/rlvmm run the guest kernel in non-root mode with nested paging',
    prepare: prepareHosted,
    run: runHosted,
    boot: bootHosted,
    guestExtensions: hostedGuestExtensions,
  },
];

/** Configurations a user (`boot --config`, `bench --configs`, the debugger) can pick that are
 *  not in CONFIGS, which every suite, every all-configs test and the equivalence tester run. */
export const EXTRA_CONFIGS: readonly BootConfig[] = [];

/** Every configuration there is. */
export const ALL_CONFIGS: readonly BootConfig[] = [...CONFIGS, ...EXTRA_CONFIGS];

function vmmConfig(name: string, description: string, vmm: VmmConfig): BootConfig {
  return { name, description, vmm, prepare: (o) => prepareVmm(name, vmm, o), run: runBoot, boot: (o) => bootVmm(name, vmm, o), guestExtensions: (o) => vmmGuestExtensions(vmm, o) };
}

export function findConfig(name: string): BootConfig | undefined {
  return ALL_CONFIGS.find((c) => c.name === name);
}

/** The ISA extensions a guest kernel sees (reads from EXTENSIONS) when `config` boots with these
 *  options: natively the machine's (BootOptions.extensions and what the kernel options need);
 *  under a VMM (hosted's driver too) those and the VMM's own less the ones the VMM hides (vmx:
 *  no nested VMX). What `container run` compares an image's requirements with
 *  (src/image/features.ts). */
export function guestExtensions(config: BootConfig, options: Pick<BootOptions, 'kernelDefines' | 'extensions'> = {}): string[] {
  return config.guestExtensions(options);
}

export { bootNative, isParavirtKernel, prepareNative, processesFor, runBoot } from './native.js';
export {
  BootError,
  type BootConfig,
  type BootImage,
  type BootOptions,
  type BootStats,
  type VmmStats,
  type BootResult,
  type PreparedBoot,
  type ProcessReport,
  type UserProgram,
  type VmmConfig,
} from './types.js';
export { findWorkload, WORKLOADS, workloadNames, type Workload } from './workloads.js';
export { kernelImage, userImage, ProgramAssemblyError } from './images.js';
