// Registers as the debugger names them: `$pc`, the general registers by ABI or rN name, every
// control register by its name from the CSR table, and three pseudo-registers: `$ring`,
// `$cycles` and `$instret`. Reads never trap; writes go through the same paths as the
// instructions where there is one (csrw), so the machine stays consistent.

import { ABI_NAMES, CSRS, Csr, csrByName, parseRegister, Status } from '../isa/index.js';
import type { Machine } from '../machine/machine.js';
import { DebugError } from './errors.js';
import type { Value } from './expr.js';

/** General registers that hold addresses: values read from them compare as unsigned. */
const ADDRESS_REGISTERS = new Set([1, 2, 3]);

export const PSEUDO_REGISTERS = ['ring', 'cycles', 'instret'] as const;

export function registerNames(): string[] {
  return ['pc', ...ABI_NAMES, ...CSRS.map((c) => c.name.toLowerCase()), ...PSEUDO_REGISTERS];
}

export function readRegister(machine: Machine, name: string): Value | undefined {
  const cpu = machine.cpu;
  const lower = name.toLowerCase();
  if (lower === 'pc') return { value: cpu.pc | 0, unsigned: true };
  const r = parseRegister(lower);
  if (r !== undefined) return { value: cpu.x[r]!, unsigned: ADDRESS_REGISTERS.has(r) };
  if (lower === 'ring') return { value: cpu.ring, unsigned: false };
  if (lower === 'cycles') return { value: cpu.cycles | 0, unsigned: true };
  if (lower === 'instret') return { value: cpu.instret | 0, unsigned: true };
  const csr = csrByName(lower);
  if (csr) return { value: readCsrQuietly(machine, csr.number) | 0, unsigned: true };
  return undefined;
}

/**
 * A control register as the processor holds it, read without the side effects `csrr` may have
 * (an unknown register traps; with the virtualization extension, a PTBR access in non-root mode
 * may cause a VM exit). A debugger must not change what it looks at.
 */
export function readCsrQuietly(machine: Machine, csr: number): number {
  const cpu = machine.cpu;
  switch (csr) {
    case Csr.STATUS: return cpu.readStatus();
    case Csr.EPC: return cpu.epc;
    case Csr.ESTATUS: return cpu.estatus;
    case Csr.CAUSE: return cpu.cause;
    case Csr.BADADDR: return cpu.badAddr;
    case Csr.EINSN: return cpu.einsn;
    case Csr.TVEC: return cpu.tvec;
    case Csr.PTBR: return cpu.ptbr;
    case Csr.SCRATCH0: return cpu.scratch0;
    case Csr.SCRATCH1: return cpu.scratch1;
    case Csr.IMASK: return cpu.imask;
    case Csr.IPEND: return machine.bus.pendingLines();
    case Csr.CYCLE: return cpu.cycles | 0;
    case Csr.CYCLEH: return Math.floor(cpu.cycles / 2 ** 32) | 0;
    case Csr.INSTRET: return cpu.instret | 0;
    default: return 0;
  }
}

/** Set a register; DebugError for read-only or unknown ones. */
export function writeRegister(machine: Machine, name: string, value: number): void {
  const cpu = machine.cpu;
  const lower = name.toLowerCase();
  const v = value | 0;
  if (lower === 'pc') {
    if ((v & 3) !== 0) throw new DebugError('pc must be a multiple of 4');
    cpu.pc = v;
    cpu.next = v;
    return;
  }
  const r = parseRegister(lower);
  if (r !== undefined) {
    if (r === 0) throw new DebugError('$zero is hardwired to 0');
    cpu.x[r] = v;
    return;
  }
  if (lower === 'ring') {
    if (v < 0 || v > 3) throw new DebugError('$ring must be 0..3');
    cpu.writeCsr(Csr.STATUS, (cpu.readStatus() & ~Status.RING_MASK) | v);
    return;
  }
  if (lower === 'cycles' || lower === 'instret') throw new DebugError(`$${lower} is a counter and cannot be set`);
  const csr = csrByName(lower);
  if (!csr) throw new DebugError(`unknown register '$${name}' (try 'info registers')`);
  if (csr.access === 'ro') throw new DebugError(`$${lower} is read-only`);
  cpu.writeCsr(csr.number, v);
}
