// The VT-x-style virtualization extension ("vmx"): root and non-root mode, a VMCS in physical
// memory, VM exits and entries, event injection, and optional EPT (nested paging). Everything
// a VMM programs is a table here: the VMCS layout, the exit reasons and the control bits, so
// the generated programs/lib/hw.inc, docs/ISA.md and the machine (src/machine/vmx.ts) agree.
//
// Modelled on Intel VT-x (2005) with EPT and VPID (2008), simplified for teaching:
// - the VMCS is plain memory with a documented layout (no VMREAD/VMWRITE): the VMM writes the
//   guest state, host state and controls with ordinary stores, and reads the exit information;
// - on a VM exit the hardware saves *all* guest registers into the VMCS (Intel saves only RSP
//   and RIP) and loads the host's pc, sp, STATUS, PTBR, TVEC and IMASK, so every other register
//   is free for the exit handler;
// - the guest-state area has the same layout as the te VMM's software vCPU
//   (programs/vmm/common/vcpu.inc): the hardware does for the vtx VMM what te does by hand.

import { Cause } from './causes.js';
import { CSRS } from './csrs.js';
import { defineExtension, defineInsn } from './define.js';
import { Formats as F } from './formats.js';

export interface VmcsField {
  /** Assembly name (hw.inc has VMCS_<name>). */
  readonly name: string;
  /** Byte offset from the VMCS base. */
  readonly offset: number;
  /** Number of 32-bit words. */
  readonly words: number;
  readonly area: 'guest' | 'software' | 'host' | 'control' | 'entry' | 'exit' | 'state';
  readonly doc: string;
}

const guestCsrs: VmcsField[] = CSRS.filter((c) => c.number <= 11).map((c) => ({
  name: `G_${c.name}`,
  offset: 68 + 4 * c.number,
  words: 1,
  area: 'guest',
  doc:
    c.name === 'STATUS'
      ? "the guest's ring (bits 1:0) and interrupt enable (bit 2)"
      : c.name === 'IPEND'
        ? 'virtual pending lines: what the guest reads from IPEND (the VMM sets them; the hardware never delivers them by itself)'
        : c.name === 'PTBR'
          ? "the guest's PTBR: a guest-physical page directory with EPT, else a host-physical (shadow) one"
          : `the guest's ${c.name}`,
}));

/** The VMCS layout: 256 bytes, word fields, in this order. */
export const VMCS_FIELDS: readonly VmcsField[] = [
  { name: 'G_REGS', offset: 0, words: 16, area: 'guest', doc: 'guest registers r0..r15 (saved on exit, loaded on entry)' },
  { name: 'G_PC', offset: 64, words: 1, area: 'guest', doc: 'guest pc: where it resumes (for an exit caused by an instruction, that instruction)' },
  ...guestCsrs,
  { name: 'SOFTWARE', offset: 116, words: 3, area: 'software', doc: 'ignored by the hardware; free for the VMM (ringlab keeps its virtual timer here)' },
  { name: 'H_PC', offset: 128, words: 1, area: 'host', doc: 'host pc on VM exit: the exit handler' },
  { name: 'H_SP', offset: 132, words: 1, area: 'host', doc: 'host stack pointer on VM exit' },
  { name: 'H_STATUS', offset: 136, words: 1, area: 'host', doc: 'host STATUS on VM exit (ring 0, interrupts as the VMM wants them)' },
  { name: 'H_PTBR', offset: 140, words: 1, area: 'host', doc: "host PTBR on VM exit: the VMM's own address space" },
  { name: 'H_TVEC', offset: 144, words: 1, area: 'host', doc: 'host trap vector on VM exit (for traps in the VMM itself)' },
  { name: 'H_IMASK', offset: 148, words: 1, area: 'host', doc: 'host IMASK on VM exit; in non-root mode the lines whose interrupts exit (with EXIT_EXTINT)' },
  { name: 'C_EXIT', offset: 152, words: 1, area: 'control', doc: 'execution controls: which events exit (VMX_EXIT_* bits)' },
  { name: 'C_EXCEPTIONS', offset: 156, words: 1, area: 'control', doc: 'exception bitmap: bit n set = guest exception with cause n exits instead of reaching the guest' },
  { name: 'C_EPTP', offset: 160, words: 1, area: 'control', doc: 'EPT pointer: host-physical frame of the EPT directory, bit 0 = nested paging on. There is one guest TLB context: after changing it (or switching VMCS) run invvpidall, as Intel requires INVEPT' },
  { name: 'E_INJECT', offset: 164, words: 1, area: 'entry', doc: 'event to inject on entry: cause in bits 7:0, bit 31 = valid (the hardware clears it once delivered)' },
  { name: 'E_BADADDR', offset: 168, words: 1, area: 'entry', doc: 'BADADDR for the injected event' },
  { name: 'E_EINSN', offset: 172, words: 1, area: 'entry', doc: 'EINSN for the injected event' },
  { name: 'X_REASON', offset: 176, words: 1, area: 'exit', doc: 'exit reason (VMX_REASON_*)' },
  { name: 'X_QUAL', offset: 180, words: 1, area: 'exit', doc: 'exit qualification: what the reason needs (see the exit reason table)' },
  { name: 'X_INSN', offset: 184, words: 1, area: 'exit', doc: 'the instruction word that caused the exit (0 for events)' },
  { name: 'X_GPA', offset: 188, words: 1, area: 'exit', doc: 'guest-physical address (EPT violations)' },
  { name: 'X_GVA', offset: 192, words: 1, area: 'exit', doc: 'guest-virtual address: BADADDR of an exception exit, the address of an EPT violation' },
  { name: 'LAUNCHED', offset: 196, words: 1, area: 'state', doc: '1 once vmlaunch succeeded on this VMCS; clear the VMCS (all zero) before the first launch' },
  { name: 'C_EXTENSIONS', offset: 200, words: 1, area: 'control', doc: "what the guest reads from EXTENSIONS in non-root mode (like ARM's VPIDR_EL2 for MIDR): the VMM passes the real register through, masked (0, the cleared VMCS, shows no extension)" },
  { name: 'C_PREEMPT', offset: 204, words: 1, area: 'control', doc: 'with EXIT_PREEMPT: the cycles the guest may run after this entry before a PreemptionTimer exit (Intel\'s VMX-preemption timer, counted in cycles); 0 exits before its first instruction' },
];

export const VMCS_SIZE = 256;

/** Byte offset of a VMCS field by name. */
export function vmcsOffset(name: string): number {
  const f = VMCS_FIELDS.find((x) => x.name === name);
  if (!f) throw new Error(`no VMCS field ${name}`);
  return f.offset;
}

/** Execution-control bits (C_EXIT). */
export const ExitControl = {
  IO: 1 << 0,
  HALT: 1 << 1,
  WFI: 1 << 2,
  PTBR: 1 << 3,
  TLBFLUSH: 1 << 4,
  EXTINT: 1 << 5,
  INTWINDOW: 1 << 6,
  PREEMPT: 1 << 7,
} as const;

export const EXIT_CONTROLS: readonly { name: keyof typeof ExitControl; doc: string }[] = [
  { name: 'IO', doc: '`in` and `out` exit (qualification: port, bit 16 set for out)' },
  { name: 'HALT', doc: '`halt` exits' },
  { name: 'WFI', doc: '`wfi` exits' },
  { name: 'PTBR', doc: '`csrr`/`csrw` of PTBR exit (qualification: 0 read, 1 write)' },
  { name: 'TLBFLUSH', doc: '`tlbflush` and `tlbflushall` exit (qualification: the address, 0 for tlbflushall)' },
  { name: 'EXTINT', doc: 'a device interrupt on a line in H_IMASK exits, whatever the guest\'s interrupt flag; the guest then sees no device interrupts' },
  { name: 'INTWINDOW', doc: 'exit as soon as the guest can take an interrupt (its IE is 1), so the VMM can inject one' },
  { name: 'PREEMPT', doc: 'the preemption timer: exit once the guest has run C_PREEMPT cycles since the entry, so a VMM that is not the machine\'s timer (a hosted driver) gets control at its guest\'s next tick' },
];

export interface ExitReasonDef {
  readonly name: string;
  readonly code: number;
  readonly qualification: string;
  readonly doc: string;
}

export const ExitReason = {
  Exception: 1,
  ExternalInterrupt: 2,
  InterruptWindow: 3,
  PortIo: 4,
  Halt: 5,
  Wfi: 6,
  PtbrAccess: 7,
  TlbFlush: 8,
  Hypercall: 9,
  EptViolation: 10,
  TripleFault: 11,
  VmxInstruction: 12,
  PreemptionTimer: 13,
} as const;

export const EXIT_REASONS: readonly ExitReasonDef[] = [
  { name: 'Exception', code: ExitReason.Exception, qualification: 'the trap cause; X_GVA = its BADADDR, X_INSN = its EINSN', doc: 'a guest exception whose bit is set in C_EXCEPTIONS' },
  { name: 'ExternalInterrupt', code: ExitReason.ExternalInterrupt, qualification: 'the pending lines that are in H_IMASK', doc: 'a device interrupt on a line in H_IMASK (with EXIT_EXTINT); G_PC is the next guest instruction' },
  { name: 'InterruptWindow', code: ExitReason.InterruptWindow, qualification: '0', doc: 'the guest has interrupts enabled (with EXIT_INTWINDOW)' },
  { name: 'PortIo', code: ExitReason.PortIo, qualification: 'port number; bit 16 set for `out`', doc: '`in` or `out` (with EXIT_IO)' },
  { name: 'Halt', code: ExitReason.Halt, qualification: '0', doc: '`halt` (with EXIT_HALT)' },
  { name: 'Wfi', code: ExitReason.Wfi, qualification: '0', doc: '`wfi` (with EXIT_WFI)' },
  { name: 'PtbrAccess', code: ExitReason.PtbrAccess, qualification: '0 for csrr, 1 for csrw', doc: 'reading or writing PTBR (with EXIT_PTBR)' },
  { name: 'TlbFlush', code: ExitReason.TlbFlush, qualification: 'the address (`tlbflush`), 0 (`tlbflushall`)', doc: '`tlbflush` or `tlbflushall` (with EXIT_TLBFLUSH)' },
  { name: 'Hypercall', code: ExitReason.Hypercall, qualification: '0', doc: '`vmcall` (always)' },
  { name: 'EptViolation', code: ExitReason.EptViolation, qualification: 'access: 0 read, 1 write, 2 execute', doc: 'a guest-physical address the EPT does not map with that access; X_GPA and X_GVA say where' },
  { name: 'TripleFault', code: ExitReason.TripleFault, qualification: 'the trap cause', doc: "the guest's trap handler faulted before its first instruction (a double fault on bare metal)" },
  { name: 'PreemptionTimer', code: ExitReason.PreemptionTimer, qualification: '0', doc: 'the guest ran C_PREEMPT cycles since the entry (with EXIT_PREEMPT); G_PC is the next guest instruction' },
  { name: 'VmxInstruction', code: ExitReason.VmxInstruction, qualification: '0; X_INSN = the word', doc: 'a VMX instruction other than `vmcall` (always, from any ring, before the privilege check): the VMM decides what the guest sees, e.g. IllegalInstruction when its virtual machine has no vmx' },
];

export function exitReasonName(code: number): string {
  return EXIT_REASONS.find((r) => r.code === code)?.name ?? `Exit#${code}`;
}

/** Bit 31 of E_INJECT: the event is valid. */
export const INJECT_VALID = 0x8000_0000 | 0;

/** The cost of VMX instructions beyond the transition itself (priced by the cost model). */
const VMX_COST = 1;

export const VMX = defineExtension('vmx', 'VT-x-style virtualization: root/non-root mode, VMCS, VM exits and entries, EPT', [
  defineInsn({ mnemonic: 'vmptrld', opcode: 0x80, format: F.R1, privilege: 'privileged', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.VmxInstruction,
    doc: 'root only: the current VMCS is at host-physical address rs1 (256-byte aligned)',
    exec: (c, d) => c.vmPointerLoad(c.x[d.rs1]!) }),
  defineInsn({ mnemonic: 'vmlaunch', opcode: 0x81, format: F.N, privilege: 'privileged', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.VmxInstruction,
    doc: 'root only: enter non-root mode from a clear VMCS (loads guest state, injects E_INJECT)',
    exec: (c) => c.vmEnter(true) }),
  defineInsn({ mnemonic: 'vmresume', opcode: 0x82, format: F.N, privilege: 'privileged', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.VmxInstruction,
    doc: 'root only: enter non-root mode again from a launched VMCS',
    exec: (c) => c.vmEnter(false) }),
  defineInsn({ mnemonic: 'vmcall', opcode: 0x83, format: F.N, flow: 'trap', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.Hypercall,
    doc: 'non-root: VM exit with reason Hypercall (any ring); root: IllegalInstruction',
    exec: (c) => c.vmCall() }),
  defineInsn({ mnemonic: 'invvpid', opcode: 0x84, format: F.R1, privilege: 'privileged', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.VmxInstruction,
    doc: "root only: drop the guest's TLB entry for the guest-virtual page holding rs1",
    exec: (c, d) => c.flushGuestTlb(c.x[d.rs1]!, false) }),
  defineInsn({ mnemonic: 'invvpidall', opcode: 0x85, format: F.N, privilege: 'privileged', cost: VMX_COST, memory: 'none', nonRootExit: ExitReason.VmxInstruction,
    doc: "root only: drop every guest TLB entry",
    exec: (c) => c.flushGuestTlb(0, true) }),
], 1);

/** Exceptions a VMM may intercept with C_EXCEPTIONS (interrupts are controlled by EXIT_EXTINT). */
export const INTERCEPTABLE = [Cause.Syscall, Cause.Breakpoint, Cause.IllegalInstruction, Cause.PrivilegedInstruction, Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute, Cause.Misaligned, Cause.DivideByZero, Cause.BusError];
