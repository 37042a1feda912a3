// The virtualization state a debugger shows next to the real registers.
//
// `info vcpu`: the trap-and-emulate VMM keeps the guest's virtual CPU in its own memory, the pv
// VMM in the page it shares with the guest. The debugger knows nothing of its layout: it reads
// it from the VMM image, which names the structure `vcpu` (a label, or under pv a constant
// address) and names each field's offset with an `.equ V_...` constant
// (programs/vmm/common/vcpu.inc). Every V_* constant is shown as the word at vcpu + offset, so
// a field added to the VMM appears here without a change to the debugger.
//
// `info vmcs`: the VT-x-style extension keeps guest state in a VMCS. A VmcsView reads the
// current VMCS of a machine as named fields. The built-in one shows every field of the VMCS
// table (src/isa/vmx.ts), so a field added there appears here; an extension with another
// layout can add its own with registerVmcsView. Stops in the VMM list the fields that changed.

import { findSymbol } from '../asm/index.js';
import { ABI_NAMES, VMCS_FIELDS } from '../isa/index.js';
import type { Machine } from '../machine/machine.js';
import type { Debugger } from './debugger.js';
import type { ShadowedGuest } from './memory.js';
import type { SymbolTable } from './symbols.js';

export interface StateField {
  readonly name: string;
  /** Byte offset in the structure, where that means something. */
  readonly offset?: number;
  /** Undefined when the word cannot be read (e.g. not mapped right now). */
  readonly value: number | undefined;
}

export interface StateView {
  /** Where the structure lives, e.g. `vmm:vcpu at 0xffc01230`. */
  readonly where: string;
  readonly fields: readonly StateField[];
}

export const NO_VCPU = 'no virtual CPU in this configuration (only the te and pv VMMs keep one: the VMM image names it `vcpu` and its fields V_*)';
export const NO_VMCS = 'no current VMCS (the virtualization extension is not switched on, or no vmptrld yet)';

/** The VMM's virtual CPU, if this session has a VMM image with a `vcpu` label. */
export function vcpuView(dbg: Debugger): StateView | undefined {
  const vmm = dbg.symbols.imageOfKind('vmm');
  if (!vmm) return undefined;
  // A label in the VMM's data (te), or a constant address (pv: the vCPU is in the guest's shared page).
  const base = vmm.image.symbols.find((s) => s.name === 'vcpu');
  if (!base) return undefined;
  const constants = dbg.symbols.constantsWithPrefix(vmm, 'V_');
  // Conventions of vcpu.inc: V_SIZE is the size of the structure, not a field; V_REGS starts
  // the sixteen saved general registers.
  const size = constants.find((s) => s.name === 'V_SIZE')?.value;
  const read = (offset: number): number | undefined => {
    try {
      return dbg.memory.readWord((base.value + offset) >>> 0);
    } catch {
      return undefined;
    }
  };
  const fields: StateField[] = [];
  for (const s of constants) {
    if (s.name === 'V_SIZE' || (size !== undefined && (s.value < 0 || s.value >= size))) continue;
    if (s.name === 'V_REGS') {
      for (let r = 0; r < 16; r++) fields.push({ name: `V_REGS.${ABI_NAMES[r]}`, offset: s.value + 4 * r, value: read(s.value + 4 * r) });
    } else {
      fields.push({ name: s.name, offset: s.value, value: read(s.value) });
    }
  }
  const where = `${vmm.name}:vcpu at 0x${(base.value >>> 0).toString(16).padStart(8, '0')}${size !== undefined ? `, ${size} bytes` : ''}`;
  return { where, fields };
}

/** Reads the current VMCS of a machine, or returns undefined when there is none. */
export type VmcsView = (machine: Machine) => StateView | undefined;

/** The VMCS of the virtualization extension (src/isa/vmx.ts): every field of its table, read
 *  from the current VMCS in physical memory. */
export const VMX_VMCS_VIEW: VmcsView = (machine) => {
  const cpu = machine.cpu;
  if (!machine.isa.extensions.some((e) => e.name === 'vmx') || cpu.vmcs < 0) return undefined;
  const base = cpu.vmcs >>> 0;
  const words = machine.memory.words;
  const fields: StateField[] = [];
  for (const f of VMCS_FIELDS) {
    for (let i = 0; i < f.words; i++) {
      const name = f.words === 1 ? f.name : f.name === 'G_REGS' ? `G_REGS.${ABI_NAMES[i]}` : `${f.name}[${i}]`;
      const at = base + f.offset + 4 * i;
      fields.push({ name, offset: f.offset + 4 * i, value: at + 4 <= machine.memory.size ? words[at >>> 2]! >>> 0 : undefined });
    }
  }
  const live = cpu.nonRoot ? '; in non-root mode the guest fields are stale: the processor holds the live values' : '';
  return { where: `VMCS at physical 0x${base.toString(16).padStart(8, '0')}${live}`, fields };
};

const vmcsViews: VmcsView[] = [VMX_VMCS_VIEW];

/** Called by the virtualization extension so the debugger can show its VMCS. */
export function registerVmcsView(view: VmcsView): void {
  if (!vmcsViews.includes(view)) vmcsViews.push(view);
}

export function vmcsView(machine: Machine): StateView | undefined {
  for (const view of vmcsViews) {
    const v = view(machine);
    if (v) return v;
  }
  return undefined;
}

/**
 * The guest of a VMM with shadow paging, for reading guest memory as the guest sees it (see
 * memory.ts). The VMM image says where guest-physical memory starts (GUEST_BASE) and where in
 * its vCPU it keeps the guest's own PTBR (`.equ V_GUEST_PTBR`); the vCPU is the current VMCS
 * in non-root mode (vtx), else the image's `vcpu` (te). Undefined for a session whose VMM
 * names no V_GUEST_PTBR (pv keeps its shadow complete) or that has no VMM.
 */
export function shadowedGuest(machine: Machine, symbols: SymbolTable): ShadowedGuest | undefined {
  const vmm = symbols.imageOfKind('vmm');
  if (!vmm) return undefined;
  const base = findSymbol(vmm.image, 'GUEST_BASE')?.value;
  const offset = findSymbol(vmm.image, 'V_GUEST_PTBR')?.value;
  if (base === undefined || offset === undefined || base >>> 0 >= machine.memory.size) return undefined;
  // te's vCPU is VMM data; the VMM's region at VMM_BASE maps host-physical 0 up (layout.inc).
  const label = vmm.image.symbols.find((sym) => sym.name === 'vcpu' && sym.kind === 'label');
  const vmmBase = findSymbol(vmm.image, 'VMM_BASE')?.value;
  const vcpuPhysical = label && vmmBase !== undefined ? ((label.value >>> 0) - (vmmBase >>> 0)) >>> 0 : undefined;
  return {
    base: base >>> 0,
    size: machine.memory.size - (base >>> 0),
    ownPtbr: () => {
      const cpu = machine.cpu;
      if (machine.currentWorld() === 'vmm') return undefined;
      const vcpu = cpu.nonRoot ? (cpu.mmu.nested ? undefined : cpu.vmcs >>> 0) : vcpuPhysical;
      const at = vcpu === undefined ? undefined : vcpu + offset;
      return at === undefined || at + 4 > machine.memory.size ? undefined : machine.memory.words[at >>> 2]! >>> 0;
    },
  };
}
