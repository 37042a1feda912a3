// What an instruction's semantics may touch. The machine's Processor implements this;
// the ISA depends only on this interface, so instruction definitions never import machine code.
//
// Conventions every `exec` follows:
// - read and write registers through `cpu.x` (an Int32Array; x[0] is reset to 0 after each
//   instruction, so writing it is harmless);
// - `cpu.pc` is the address of the executing instruction, `cpu.next` the address that runs next
//   (pc + 4 unless the instruction changes it);
// - anything architectural that can fail (memory, control registers, ports) is a method: when it
//   fails it raises the trap itself and does not return, so semantics stay straight-line code.

/** Decoded operands of one instruction word, cached per physical word by the machine. */
export interface Decoded {
  /** Index of the instruction in the machine's active ISA (its dispatch number). */
  readonly index: number;
  readonly rd: number;
  readonly rs1: number;
  readonly rs2: number;
  /** The immediate, already sign- or zero-extended (and scaled, for pc-relative targets). */
  readonly imm: number;
  /** The raw instruction word. */
  readonly word: number;
  /** Cycles charged when the instruction retires: table cost plus memory reference, if any. */
  readonly cost: number;
}

export interface Cpu {
  readonly x: Int32Array;
  /** Address of the executing instruction. */
  pc: number;
  /** Address of the next instruction; branches and jumps assign it. */
  next: number;
  /** Current privilege ring, 0 (most privileged) to 3. */
  readonly ring: number;

  load8(addr: number): number;
  load8u(addr: number): number;
  load16(addr: number): number;
  load16u(addr: number): number;
  load32(addr: number): number;
  store8(addr: number, value: number): void;
  store16(addr: number, value: number): void;
  store32(addr: number, value: number): void;

  /** Raise a synchronous trap for the executing instruction. Never returns. */
  trap(cause: number, badAddr?: number): never;

  /** Read or write a control register; an unknown number raises an illegal-instruction trap. */
  readCsr(csr: number): number;
  writeCsr(csr: number, value: number): void;

  portIn(port: number): number;
  portOut(port: number, value: number): void;

  /** Return from a trap: pc = EPC, STATUS = ESTATUS. */
  trapReturn(): void;
  /** Stop the machine (exit code 0 unless the power port set one). */
  halt(): void;
  /** Idle until an enabled interrupt is pending. */
  waitForInterrupt(): void;
  setInterruptsEnabled(enabled: boolean): void;
  flushTlbAll(): void;
  flushTlbPage(virtualAddr: number): void;

  // ---- The virtualization extension (src/isa/vmx.ts); each raises the right trap itself. ----
  /** Make the VMCS at a host-physical address current. */
  vmPointerLoad(physicalAddr: number): void;
  /** VM entry: vmlaunch (`launch`) or vmresume. */
  vmEnter(launch: boolean): void;
  /** vmcall: a VM exit in non-root mode. */
  vmCall(): void;
  /** Drop guest TLB entries: one guest-virtual page, or all of them. */
  flushGuestTlb(virtualAddr: number, all: boolean): void;
}
