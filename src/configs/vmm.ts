// The VMM boot configurations. Each loads a VMM written in ringlab assembly (programs/vmm/) into
// host-physical memory and the very same guest kernel and user programs as `native` into the
// guest-physical memory the VMM takes for its guest; then the VMM boots the guest:
//   te       the trap-and-emulate VMM in ring 0; the guest kernel in ring 1, processes in ring 3
//   vtx      the VT-x VMM (root mode) with shadow paging; the guest in non-root mode, ring 0/3
//   vtx-ept  the same VMM with nested paging (EPT)
//   bt       the binary-translating VMM in ring 0; the guest kernel's code translated into ring-1
//            code block by block, processes in ring 3
//   pv       the paravirtualization VMM; the guest kernel is built with PARAVIRT (hypercalls
//            instead of privileged instructions), in ring 1, processes in ring 3
// Everything a VMM does is instructions it executes; this file only loads it and reads its
// counters afterwards.

import { join, resolve } from 'node:path';
import { assemble, findSymbol, formatAsmError, type Image } from '../asm/index.js';
import { readInputText, sandboxedReader } from '../asm/files.js';
import type { Device } from '../machine/devices/device.js';
import { Machine } from '../machine/machine.js';
import { BASE, CAUSES, causeName, extensionNames, isaWith, type Isa } from '../isa/index.js';
import { DEFAULT_COSTS } from '../machine/costs.js';
import { MAX_MEMORY_BYTES } from '../machine/memory.js';
import type { WorldMap } from '../machine/machine.js';
import { assembleCached, kernelImage, ProgramAssemblyError, ROOT } from './images.js';
import { bootDisk, KernelObserver, machineExtensions, NATIVE_MEMORY_BYTES, placeGuest, processesFor, refuseParavirtKernel, runBoot, userImages, type GuestMemory } from './native.js';
import { BootError, type BootOptions, type BootResult, type PreparedBoot, type VmmConfig, type VmmStats } from './types.js';
import { vmmPortsSource } from './vmm-ports.js';

/** Under a VMM: root ring 0 is the VMM (te and vtx alike); ring 3 is guest user code; the rest
 *  (ring 1 under te, non-root rings 0-2 under vtx) is the guest kernel. */
export const VMM_WORLDS: WorldMap = (mode, ring) => (mode === 'root' && ring === 0 ? 'vmm' : ring === 3 ? 'guestUser' : 'guestKernel');

export function vmmImage(name: string, isa: Isa): Image {
  return assembleCached(join(ROOT, 'programs', 'vmm', name, 'vmm.s'), isa);
}

const PORTS_SOURCE = join(ROOT, 'programs', 'vmm', 'common', 'ports.s');
const vmmImagesWithDevices = new Map<string, Image>();

/** The VMM for a machine with devices beyond the built-in ones: assembled with the port table
 *  (programs/vmm/common/ports.s) made for them too, exactly what `npm run gen` writes once they
 *  join the machine's device list. So a device is seen under every VMM as it declares. */
export function vmmImageWithDevices(name: string, isa: Isa, extraDevices: readonly Device[]): Image {
  if (extraDevices.length === 0) return vmmImage(name, isa);
  const ports = vmmPortsSource([...new Machine({ memoryBytes: 64 * 1024 }).devices, ...extraDevices]);
  const key = `${name}\0${isa.extensions.map((e) => e.name).join(',')}\0${ports}`;
  const cached = vmmImagesWithDevices.get(key);
  if (cached) return cached;
  const path = join(ROOT, 'programs', 'vmm', name, 'vmm.s');
  const read = sandboxedReader([ROOT]);
  const result = assemble(readInputText(path), { fileName: path, isa, includeRoot: ROOT, readFile: (p) => (resolve(p) === PORTS_SOURCE ? ports : read(p)) });
  if (!result.ok) throw new ProgramAssemblyError(result.errors.map(formatAsmError).join('\n'));
  vmmImagesWithDevices.set(key, result.image);
  return result.image;
}

/** A symbol of the VMM image (its layout constants, its data). */
function vmmSymbol(image: Image, name: string): number {
  const s = findSymbol(image, name);
  if (!s) throw new BootError(`the VMM image has no symbol '${name}'`);
  return s.value >>> 0;
}

/**
 * Where the VMM's layout (programs/vmm/common/layout.inc) puts things, read from the image so
 * this loader and the VMM can never disagree.
 */
export class VmmLayout {
  readonly vmmBase: number;
  readonly guestBase: number;
  readonly infoPhys: number;
  readonly magic: number;
  readonly infoGuestSize: number;
  readonly infoGuestEntry: number;
  readonly infoFlags: number;

  constructor(readonly image: Image) {
    this.vmmBase = vmmSymbol(image, 'VMM_BASE');
    this.guestBase = vmmSymbol(image, 'GUEST_BASE');
    this.infoPhys = vmmSymbol(image, 'VMM_INFO_PHYS');
    this.magic = vmmSymbol(image, 'VMM_MAGIC');
    this.infoGuestSize = vmmSymbol(image, 'VI_GUEST_SIZE');
    this.infoGuestEntry = vmmSymbol(image, 'VI_GUEST_ENTRY');
    this.infoFlags = vmmSymbol(image, 'VI_FLAGS');
  }

  /** Host-physical address of a VMM virtual address (the VMM region maps host-physical 0..). */
  vmmPhysical(virtual: number): number {
    return (virtual >>> 0) >= this.vmmBase ? (virtual >>> 0) - this.vmmBase : virtual >>> 0;
  }
}

/** Copy the VMM into host-physical memory (its region starts at 0) and point the CPU at its
 *  boot stub; write the boot info it reads. */
function loadVmm(machine: Machine, layout: VmmLayout, guestSize: number, guestEntry: number, flags: number): void {
  for (const seg of layout.image.segments) machine.writePhysical(layout.vmmPhysical(seg.address), seg.data);
  const info = new DataView(new ArrayBuffer(16));
  info.setUint32(layout.infoFlags, flags, true);
  info.setUint32(0, layout.magic, true);
  info.setUint32(layout.infoGuestSize, guestSize, true);
  info.setUint32(layout.infoGuestEntry, guestEntry >>> 0, true);
  machine.writePhysical(layout.infoPhys, new Uint8Array(info.buffer));
  machine.cpu.reset(layout.vmmPhysical(layout.image.entry));
}

/** The VMM's statistics words (programs/vmm/te/vmm.s, `stat_*`), read after the run. */
export function readVmmStats(machine: Machine, layout: VmmLayout): VmmStats {
  const words = machine.memory.words;
  const at = (name: string, index = 0): number => words[(layout.vmmPhysical(vmmSymbol(layout.image, name)) >>> 2) + index]! >>> 0;
  const emulated: Record<string, number> = {};
  const privileged = BASE.insns.filter((i) => i.privilege !== 'user').sort((a, b) => a.opcode - b.opcode);
  const first = privileged[0]!.opcode;
  for (const insn of privileged) {
    const n = at('stat_emulated', insn.opcode - first);
    if (n > 0) emulated[insn.mnemonic] = n;
  }
  const reflected: Record<string, number> = {};
  // The VMM counts causes 0..NCAUSES-1 (a cause it has no slot for never reaches its guest).
  const ncauses = findSymbol(layout.image, 'NCAUSES')?.value ?? 0;
  for (const c of CAUSES) {
    if (c.code >= ncauses) continue;
    const n = at('stat_reflected', c.code);
    if (n > 0) reflected[causeName(c.code)] = n;
  }
  return {
    emulated,
    reflected,
    injectedInterrupts: at('stat_injected'),
    coalescedTicks: at('stat_ticks_coalesced'),
    hiddenPageFaults: at('stat_hidden_faults'),
    truePageFaults: at('stat_true_faults'),
    shadowResets: at('stat_shadow_resets'),
    ...(findSymbol(layout.image, 'stat_hypercalls') && paravirtStats(layout.image, at)),
    ...(findSymbol(layout.image, 'stat_bt_blocks') && {
      translation: {
        blocks: at('stat_bt_blocks'),
        hits: at('stat_bt_hits'),
        misses: at('stat_bt_misses'),
        exits: at('stat_bt_exits'),
        chained: at('stat_bt_chained'),
        invalidations: at('stat_bt_invalidations'),
        flushes: at('stat_bt_flushes'),
        wrstatus: at('stat_bt_wrstatus'),
        imask: at('stat_bt_imask'),
        dataStores: at('stat_bt_data_stores'),
        adaptations: at('stat_bt_adaptations'),
        storeCallouts: { pageTable: at('stat_bt_pt_callouts'), other: at('stat_bt_plain_callouts') },
      },
    }),
    ...(findSymbol(layout.image, 'stat_traces') && {
      tracing: { traces: at('stat_traces'), faults: at('stat_trace_faults'), shadowUpdates: at('stat_trace_updates') },
    }),
  };
}

/** The pv VMM's own counters. Hypercall names come from the HC_* constants of its image
 *  (programs/vmm/common/hypercall.inc), so they follow the interface: HC_CONSOLE_WRITE is
 *  `consoleWrite`. Only hypercalls that happened are listed. */
function paravirtStats(image: Image, at: (name: string, index?: number) => number): Pick<VmmStats, 'hypercalls' | 'pageTableRequests' | 'shadowTablesBuilt' | 'blockRing'> {
  const camel = (name: string): string => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const hypercalls: Record<string, number> = {};
  const count = vmmSymbol(image, 'NHYPERCALLS');
  for (const s of image.symbols.filter((x) => x.name.startsWith('HC_')).sort((a, b) => a.value - b.value)) {
    if (s.value < 0 || s.value >= count) continue;
    const n = at('stat_hypercalls', s.value);
    if (n > 0) hypercalls[camel(s.name.slice(3))] = n;
  }
  const pageTableRequests: Record<string, number> = {};
  for (const name of ['MMU_PT_WRITE', 'MMU_INVLPG', 'MMU_NEW_BASEPTR', 'MMU_RELEASE']) {
    pageTableRequests[camel(name.slice(4))] = at('stat_mmu', vmmSymbol(image, name));
  }
  pageTableRequests['rejected'] = at('stat_mmu_rejected');
  const blockRing = { requests: at('stat_blk_requests'), errors: at('stat_blk_errors'), batches: at('stat_blk_events'), refusedKicks: at('stat_blk_refused') };
  return { hypercalls, pageTableRequests, shadowTablesBuilt: at('stat_tables_built'), blockRing };
}

/** The ISA extensions the guest kernel finds in EXTENSIONS under this VMM: the machine's (what
 *  the VMM and the boot need) less the ones the VMM hides, GUEST_EXT_HIDDEN in its image
 *  (programs/vmm/common/vcpu.inc), read from there so the two cannot disagree. */
export function vmmGuestExtensions(vmmConfig: VmmConfig, options: Pick<BootOptions, 'kernelDefines' | 'extensions'>): string[] {
  const kernelDefines = { ...vmmConfig.kernelDefines, ...options.kernelDefines };
  const isa = isaWith([...new Set([...vmmConfig.extensions, ...machineExtensions(options, kernelDefines)])]);
  const hidden = vmmSymbol(vmmImage(vmmConfig.vmm, isa), 'GUEST_EXT_HIDDEN');
  return extensionNames(isa.extensionMask & ~hidden);
}

/** Build the machine for a VMM config: VMM in host-physical memory, the guest in its own. */
export function prepareVmm(config: string, vmmConfig: VmmConfig, options: BootOptions): PreparedBoot {
  const specs = processesFor(options.workloads, options.iterations, options.programs, options.run, options.shell);
  const kernelDefines = { ...vmmConfig.kernelDefines, ...options.kernelDefines };
  const guestExtensions = machineExtensions(options, kernelDefines);
  const guestIsa = isaWith(guestExtensions);
  const isa = isaWith([...new Set([...vmmConfig.extensions, ...guestExtensions])]);
  const kernel = options.kernel ?? kernelImage(guestIsa, kernelDefines);
  if (!vmmConfig.kernelDefines?.['PARAVIRT']) refuseParavirtKernel(config, kernel);
  const layout = new VmmLayout(vmmImageWithDevices(vmmConfig.vmm, isa, options.devices ?? []));
  const guestSize = options.memoryBytes ?? NATIVE_MEMORY_BYTES;
  if (layout.guestBase + guestSize > MAX_MEMORY_BYTES) {
    const most = (MAX_MEMORY_BYTES - layout.guestBase) >> 20;
    throw new BootError(`the guest's memory under a VMM is at most ${most} MiB (the machine's ${MAX_MEMORY_BYTES >> 20} MiB less the VMM's ${layout.guestBase >> 20} MiB), not ${guestSize >> 20} MiB`);
  }
  const observer = new KernelObserver(kernel, specs, layout.guestBase);
  const machine = observer.machine(
    { isa, memoryBytes: layout.guestBase + guestSize, costs: options.costs ?? DEFAULT_COSTS, worlds: VMM_WORLDS, ...(options.devices && { devices: options.devices }), disk: bootDisk(specs, guestIsa, options.disk), ...(options.input && { consoleInput: options.input }) },
    options.onConsoleOutput,
  );
  const guest: GuestMemory = {
    size: guestSize,
    write: (address, bytes) => {
      if (address < 0 || address + bytes.length > guestSize) {
        throw new BootError(`cannot place ${bytes.length} bytes at guest-physical 0x${address.toString(16)}: guest memory is 0x${guestSize.toString(16)} bytes`);
      }
      machine.writePhysical(layout.guestBase + address, bytes);
    },
  };
  const guestEntry = placeGuest(guest, kernel, specs, options.quantum, options.readOnly, options.tty);
  loadVmm(machine, layout, guestSize, guestEntry, vmmConfig.flags);
  options.onMachine?.(machine);
  return {
    config,
    machine,
    images: [{ name: 'vmm', kind: 'vmm', image: layout.image }, { name: 'kernel', kind: 'kernel', image: kernel }, ...userImages(specs, guestIsa)],
    report: (stop) => observer.result(config, machine, stop, { ...machine.stats(), vmm: readVmmStats(machine, layout) }),
  };
}

/** Boot a VMM configuration to power-off (or the limit). */
export function bootVmm(config: string, vmmConfig: VmmConfig, options: BootOptions): BootResult {
  return runBoot(prepareVmm(config, vmmConfig, options), options.maxCycles);
}
