// What an image may REQUIRE beyond the base machine: ISA extensions (the emulator's extension
// table, src/isa) and guest-kernel features (this table), and the check `container run` makes
// before it boots anything: `checkRequirements` (docs/images.md, "The architecture check").
//
// An image's config records its requirements (config.ts): ISA extensions in the label
// org.ringlab.isa.extensions, kernel features in os.features. They come from the Ringfile's
// REQUIRES and, for ISA extensions, from the executables the build put in the image: each
// records in its EX_ISA word the extensions its instructions use (src/fs/exec.ts), so an
// image that COPYs a program using `rdstatus` needs `legacy` whether or not its Ringfile says so.
// The check is docker's "image's platform does not match the host platform", made before the
// boot; the guest kernel's exec makes its own independently (ENOEXEC), so an executable that
// reaches a machine without its extensions some other way is still refused.

import { executableExtensions } from '../fs/exec.js';
import { EXTENSIONS } from '../isa/index.js';
import { ARCHITECTURE, ISA_LABEL, OS, type ImageConfig } from './config.js';
import type { FileTree } from './tree.js';

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

/** The ISA extensions an image config requires (its org.ringlab.isa.extensions label), sorted. */
export function requiredExtensions(config: ImageConfig): string[] {
  const label = config.config?.Labels?.[ISA_LABEL];
  return label ? [...new Set(label.split(',').map((s) => s.trim()).filter((s) => s !== ''))].sort() : [];
}

/** The kernel features an image config requires (os.features), sorted. */
export function requiredKernelFeatures(config: ImageConfig): string[] {
  return [...new Set(config['os.features'] ?? [])].sort();
}

/** Add ISA extensions to a config's requirements (the union, sorted; no label while there are
 *  none, so an image without requirements keeps the config, and the ID, it always had). */
export function requireExtensions(config: ImageConfig, names: readonly string[]): void {
  const all = [...new Set([...requiredExtensions(config), ...names])].sort();
  if (all.length === 0) return;
  const c = (config.config ??= {});
  c.Labels = { ...(c.Labels ?? {}), [ISA_LABEL]: all.join(',') };
}

/** The ISA extensions the executables among these files use (their EX_ISA), sorted. Files that
 *  are not executables (no RLX1 magic) need nothing. */
export function executablesExtensions(files: FileTree): string[] {
  const used = new Set<string>();
  for (const node of files.values()) {
    if (node.type !== 'file') continue;
    for (const name of executableExtensions(node.data) ?? []) used.add(name);
  }
  return [...used].sort();
}

/** The machine a container would run on, as the guest kernel sees it. */
export interface MachineDescription {
  /** The ISA extensions the guest kernel finds in EXTENSIONS: under a VMM, what the VMM lets it
   *  see (src/configs: guestExtensions), not the host's. */
  readonly extensions: readonly string[];
  /** The guest kernel's features (default: every feature of KERNEL_FEATURES, which the ringlab
   *  kernel has). */
  readonly kernelFeatures?: readonly string[];
  /** For the message: e.g. "--config vtx-ept". */
  readonly name?: string;
}

/** Whether an image can run on a machine: undefined if it can, else the one clear refusal,
 *  naming everything that is missing and how to get a machine that has it. Checks the
 *  platform (architecture and os, as docker compares them), the ISA extensions and the kernel
 *  features the config requires. */
export function checkRequirements(config: ImageConfig, machine: MachineDescription): string | undefined {
  const where = machine.name ? ` (${machine.name})` : '';
  if (config.architecture !== ARCHITECTURE || config.os !== OS) {
    return `the image's platform (${config.os}/${config.architecture}) does not match the machine's (${OS}/${ARCHITECTURE}): its executables are for another machine`;
  }
  const problems: string[] = [];
  const has = new Set(machine.extensions);
  const missingIsa = requiredExtensions(config).filter((name) => !has.has(name));
  if (missingIsa.length > 0) {
    const unknown = missingIsa.filter((name) => !EXTENSIONS.has(name));
    const known = missingIsa.filter((name) => EXTENSIONS.has(name));
    const machineHas = machine.extensions.length > 0 ? [...machine.extensions].sort().join(', ') : 'none';
    if (known.length > 0) {
      problems.push(`the ISA extension${known.length > 1 ? 's' : ''} ${known.join(', ')}, which the machine${where} lacks (its extensions: ${machineHas}; boot one with --extensions ${known.join(',')})`);
    }
    if (unknown.length > 0) problems.push(`the ISA extension${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which no ringlab machine has`);
  }
  const kernel = new Set(machine.kernelFeatures ?? kernelFeatureNames());
  const missingKernel = requiredKernelFeatures(config).filter((name) => !kernel.has(name));
  if (missingKernel.length > 0) problems.push(`the kernel feature${missingKernel.length > 1 ? 's' : ''} ${missingKernel.join(', ')}, which the guest kernel${where} lacks`);
  if (problems.length === 0) return undefined;
  return `the image's platform does not match the machine: it needs ${problems.join('; and ')}`;
}
