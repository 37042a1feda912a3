// Trap causes: the value the CPU writes to the CAUSE control register on trap entry.
// Exceptions are synchronous (caused by the executing instruction; EPC is its address).
// Interrupts are asynchronous (EPC is the instruction that would have run next);
// their codes are INTERRUPT_BASE + the interrupt line.

export interface CauseDef {
  readonly name: string;
  readonly code: number;
  readonly kind: 'exception' | 'interrupt';
  /** What BADADDR holds when the trap is taken. */
  readonly badAddr: string;
  readonly doc: string;
}

export const INTERRUPT_BASE = 16;

export const Cause = {
  Syscall: 1,
  Breakpoint: 2,
  IllegalInstruction: 3,
  PrivilegedInstruction: 4,
  PageFaultRead: 5,
  PageFaultWrite: 6,
  PageFaultExecute: 7,
  Misaligned: 8,
  DivideByZero: 9,
  BusError: 10,
  TimerInterrupt: INTERRUPT_BASE + 0,
  ConsoleInterrupt: INTERRUPT_BASE + 1,
  DiskInterrupt: INTERRUPT_BASE + 2,
} as const;

export type CauseName = keyof typeof Cause;

export const CAUSES: readonly CauseDef[] = [
  { name: 'Syscall', code: Cause.Syscall, kind: 'exception', badAddr: '0', doc: 'the `syscall` instruction' },
  { name: 'Breakpoint', code: Cause.Breakpoint, kind: 'exception', badAddr: '0', doc: 'the `break` instruction' },
  { name: 'IllegalInstruction', code: Cause.IllegalInstruction, kind: 'exception', badAddr: '0', doc: 'undefined opcode, reserved bits set, an instruction of a disabled extension, or an unknown or read-only control register' },
  { name: 'PrivilegedInstruction', code: Cause.PrivilegedInstruction, kind: 'exception', badAddr: '0', doc: 'a privileged instruction executed outside ring 0' },
  { name: 'PageFaultRead', code: Cause.PageFaultRead, kind: 'exception', badAddr: 'virtual address', doc: 'load from a page that is not present or not reachable from the current ring' },
  { name: 'PageFaultWrite', code: Cause.PageFaultWrite, kind: 'exception', badAddr: 'virtual address', doc: 'store to a page that is not present, not writable, or not reachable from the current ring' },
  { name: 'PageFaultExecute', code: Cause.PageFaultExecute, kind: 'exception', badAddr: 'virtual address', doc: 'instruction fetch from a page that is not present, not executable, or not reachable from the current ring' },
  { name: 'Misaligned', code: Cause.Misaligned, kind: 'exception', badAddr: 'virtual address', doc: 'a 16- or 32-bit access, or a fetch, at an address not a multiple of its size' },
  { name: 'DivideByZero', code: Cause.DivideByZero, kind: 'exception', badAddr: '0', doc: '`div`, `divu`, `rem` or `remu` with a zero divisor' },
  { name: 'BusError', code: Cause.BusError, kind: 'exception', badAddr: 'physical address', doc: 'a physical address beyond the end of memory (including during a page-table walk)' },
  { name: 'TimerInterrupt', code: Cause.TimerInterrupt, kind: 'interrupt', badAddr: '0', doc: 'interrupt line 0: the interval timer expired' },
  { name: 'ConsoleInterrupt', code: Cause.ConsoleInterrupt, kind: 'interrupt', badAddr: '0', doc: 'interrupt line 1: console input is available' },
  { name: 'DiskInterrupt', code: Cause.DiskInterrupt, kind: 'interrupt', badAddr: '0', doc: 'interrupt line 2: a disk request has finished' },
];

const BY_CODE = new Map(CAUSES.map((c) => [c.code, c]));

/** Human name of a cause code, e.g. 'PageFaultWrite' (or 'Cause#N' for an unknown code). */
export function causeName(code: number): string {
  return BY_CODE.get(code)?.name ?? `Cause#${code}`;
}

export function isInterrupt(code: number): boolean {
  return code >= INTERRUPT_BASE;
}
