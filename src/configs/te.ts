// The `te` boot configuration: the trap-and-emulate VMM (programs/vmm/te/) runs in ring 0 and
// boots the very same guest kernel and user programs as `native`, in guest-physical memory that
// the VMM takes from host-physical memory. The guest kernel runs in ring 1, its processes in
// ring 3. Everything the VMM does is instructions it executes; this file only loads it.

import { join } from 'node:path';
import { findSymbol, type Image } from '../asm/index.js';
import { CAUSES, causeName, isaWith, type Isa } from '../isa/index.js';
import { BASE } from '../isa/index.js';
import { DEFAULT_COSTS } from '../machine/costs.js';
import { Machine, type WorldMap } from '../machine/machine.js';
import { assembleCached, kernelImage, ROOT } from './images.js';
import {
  BootError,
  KernelObserver,
  NATIVE_MEMORY_BYTES,
  placeGuest,
  processesFor,
  runBoot,
  userImages,
  type BootOptions,
  type BootResult,
  type GuestMemory,
  type PreparedBoot,
  type VmmStats,
} from './native.js';

/** Under a VMM: ring 0 is the VMM, ring 3 guest user code, rings 1-2 the guest kernel. */
export const VMM_WORLDS: WorldMap = (_mode, ring) => (ring === 0 ? 'vmm' : ring === 3 ? 'guestUser' : 'guestKernel');

export function vmmImage(name: string, isa: Isa): Image {
  return assembleCached(join(ROOT, 'programs', 'vmm', name, 'vmm.s'), isa);
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

  constructor(readonly image: Image) {
    this.vmmBase = vmmSymbol(image, 'VMM_BASE');
    this.guestBase = vmmSymbol(image, 'GUEST_BASE');
    this.infoPhys = vmmSymbol(image, 'VMM_INFO_PHYS');
    this.magic = vmmSymbol(image, 'VMM_MAGIC');
    this.infoGuestSize = vmmSymbol(image, 'VI_GUEST_SIZE');
    this.infoGuestEntry = vmmSymbol(image, 'VI_GUEST_ENTRY');
  }

  /** Host-physical address of a VMM virtual address (the VMM region maps host-physical 0..). */
  vmmPhysical(virtual: number): number {
    return (virtual >>> 0) >= this.vmmBase ? (virtual >>> 0) - this.vmmBase : virtual >>> 0;
  }
}

/** Copy the VMM into host-physical memory (its region starts at 0) and point the CPU at its
 *  boot stub; write the boot info it reads. */
function loadVmm(machine: Machine, layout: VmmLayout, guestSize: number, guestEntry: number): void {
  for (const seg of layout.image.segments) machine.writePhysical(layout.vmmPhysical(seg.address), seg.data);
  const info = new DataView(new ArrayBuffer(12));
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
  for (const c of CAUSES) {
    const n = at('stat_reflected', c.code);
    if (n > 0) reflected[causeName(c.code)] = n;
  }
  return {
    emulated,
    reflected,
    injectedInterrupts: at('stat_injected'),
    hiddenPageFaults: at('stat_hidden_faults'),
    truePageFaults: at('stat_true_faults'),
    shadowResets: at('stat_shadow_resets'),
  };
}

/** Build the machine for a VMM config: VMM in host-physical memory, the guest in its own. */
export function prepareVmm(config: string, vmmName: string, options: BootOptions): PreparedBoot {
  const specs = processesFor(options.workloads, options.iterations);
  const isa = isaWith([]);
  const kernel = options.kernel ?? kernelImage(isa);
  const layout = new VmmLayout(vmmImage(vmmName, isa));
  const guestSize = options.memoryBytes ?? NATIVE_MEMORY_BYTES;
  const observer = new KernelObserver(kernel, specs, layout.guestBase);
  const machine = new Machine({
    isa,
    memoryBytes: layout.guestBase + guestSize,
    costs: options.costs ?? DEFAULT_COSTS,
    worlds: VMM_WORLDS,
    onConsoleOutput: (byte) => {
      observer.consoleByte(byte);
      options.onConsoleOutput?.(byte);
    },
  });
  observer.attach(machine);
  const guest: GuestMemory = {
    size: guestSize,
    write: (address, bytes) => {
      if (address < 0 || address + bytes.length > guestSize) {
        throw new BootError(`cannot place ${bytes.length} bytes at guest-physical 0x${address.toString(16)}: guest memory is 0x${guestSize.toString(16)} bytes`);
      }
      machine.writePhysical(layout.guestBase + address, bytes);
    },
  };
  const guestEntry = placeGuest(guest, kernel, isa, specs, options.quantum);
  loadVmm(machine, layout, guestSize, guestEntry);
  options.onMachine?.(machine);
  return {
    config,
    machine,
    images: [{ name: 'vmm', kind: 'vmm', image: layout.image }, { name: 'kernel', kind: 'kernel', image: kernel }, ...userImages(specs, isa)],
    report: (stop): BootResult => ({
      config,
      stop,
      exitCode: stop.kind === 'halt' ? stop.exitCode : null,
      halted: stop.kind === 'halt',
      console: machine.console.output(),
      stats: { ...machine.stats(), vmm: readVmmStats(machine, layout) },
      processes: observer.processes(),
      machine,
    }),
  };
}

export function prepareTe(options: BootOptions): PreparedBoot {
  return prepareVmm('te', 'te', options);
}

export function bootTe(options: BootOptions): BootResult {
  return runBoot(prepareTe(options), options.maxCycles);
}
