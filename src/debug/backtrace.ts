// Backtraces without frame pointers. ringlab code does not keep a frame-pointer chain, so each
// frame is unwound by reading its function's prologue, as debuggers do for code without debug
// information:
//
// 1. The function holding the pc starts at the nearest global label (one without a '.') at or
//    below it.
// 2. The instructions from there up to the pc are scanned in address order, tracking
//    `addi sp, sp, N` (the frame grows or shrinks), `sw ra, N(sp)` (where the return address is
//    saved), `lw ra, N(sp)` (it was restored) and calls (a `jal`/`jalr` that writes ra
//    overwrites the return address unless it was saved).
// 3. The caller's pc is the saved return address (or, in the innermost frame of a function that
//    has not saved it, the ra register); the caller's sp is this frame's sp minus the net
//    adjustment.
//
// It stops at a function that has not saved its return address (except the innermost frame), at
// an address outside every image, at a trap handler (nothing called it), after a scan of more
// than MAX_SCAN instructions (branches are not followed, so loops in a prologue confuse it) or
// after MAX_FRAMES frames. It is best effort and says where it stopped and why.

import { decodeWord, Reg, type Isa } from '../isa/index.js';
import type { DebugMemory } from './memory.js';
import type { Place, SymbolTable } from './symbols.js';

export const MAX_FRAMES = 64;
const MAX_SCAN = 4096;

export interface Frame {
  readonly level: number;
  readonly pc: number;
  /** The frame's stack pointer (for frame 0 the sp register). */
  readonly sp: number;
  /** Qualified function name, or undefined outside every image. */
  readonly function: string | undefined;
}

export interface Backtrace {
  readonly frames: readonly Frame[];
  /** Why the unwinding stopped. */
  readonly end: string;
}

/** What unwinding one frame found: where the caller resumes and the caller's stack pointer. */
export interface CallerInfo {
  readonly returnAddress: number;
  readonly callerSp: number;
}

interface UnwindContext {
  readonly isa: Isa;
  readonly memory: DebugMemory;
  readonly symbols: SymbolTable;
  readonly place: Place;
}

/** Unwind one frame: its caller, or a reason why it cannot be found. */
export function unwindFrame(ctx: UnwindContext, pc: number, sp: number, ra: number | undefined): CallerInfo | string {
  const fn = ctx.symbols.functionAt(pc, ctx.place);
  if (!fn) return `0x${(pc >>> 0).toString(16)} is outside every image`;
  const start = fn.symbol.value >>> 0;
  if (((pc >>> 0) - start) / 4 > MAX_SCAN) return `${fn.symbol.name} is too long to scan`;
  let spOffset = 0; // sp now minus sp at entry
  let raSlot: number | undefined; // offset from the entry sp where ra is saved
  let raClobbered = false;
  for (let a = start; a < pc >>> 0; a += 4) {
    const word = ctx.memory.peekWord(a);
    if (word === undefined) return `cannot read the code of ${fn.symbol.name}`;
    const d = decodeWord(ctx.isa, word);
    if (!d) continue;
    const m = d.insn.mnemonic;
    if (m === 'addi' && d.rd === Reg.sp && d.rs1 === Reg.sp) spOffset += d.imm;
    else if (m === 'sw' && d.rs2 === Reg.ra && d.rs1 === Reg.sp) raSlot = spOffset + d.imm;
    else if (m === 'lw' && d.rd === Reg.ra) raSlot = undefined;
    else if ((m === 'jal' || m === 'jalr') && d.rd === Reg.ra && raSlot === undefined) raClobbered = true;
    else if (d.rd === Reg.sp && d.insn.format.regs.rd !== '-' && m !== 'sw' && m !== 'sh' && m !== 'sb') {
      return `${fn.symbol.name} sets sp directly (a stack switch, as in a trap handler)`;
    }
  }
  const callerSp = (sp - spOffset) >>> 0;
  if (raSlot !== undefined) {
    const saved = ctx.memory.peekWord((callerSp + raSlot) >>> 0);
    if (saved === undefined) return `cannot read the return address saved by ${fn.symbol.name}`;
    return { returnAddress: saved, callerSp };
  }
  if (ra === undefined || raClobbered) return `${fn.symbol.name} has not saved its return address`;
  return { returnAddress: ra >>> 0, callerSp };
}

/** unwindFrame, checked: the return address must follow a call, and a direct call must be to
 *  this function (otherwise ra is left over from an older call and this code was reached by a
 *  jump or a trap, as a system call handler is). */
export function callerOf(ctx: UnwindContext, pc: number, sp: number, ra: number | undefined): CallerInfo | string {
  const caller = unwindFrame(ctx, pc, sp, ra);
  if (typeof caller === 'string') return caller;
  if (caller.returnAddress === 0 || (caller.returnAddress & 3) !== 0) return `the return address 0x${(caller.returnAddress >>> 0).toString(16)} is not code`;
  const callAt = (caller.returnAddress - 4) >>> 0;
  const back = ctx.memory.peekWord(callAt);
  const call = back === undefined ? undefined : decodeWord(ctx.isa, back);
  if (!call || (call.insn.mnemonic !== 'jal' && call.insn.mnemonic !== 'jalr') || call.rd === Reg.zero) {
    return `the return address 0x${(caller.returnAddress >>> 0).toString(16)} does not follow a call`;
  }
  const fn = ctx.symbols.functionAt(pc, ctx.place);
  if (call.insn.mnemonic === 'jal' && fn && ((callAt + call.imm) >>> 0) !== fn.symbol.value >>> 0) {
    return `${fn.symbol.name} was not called from ${ctx.symbols.nameOf(callAt, ctx.place) ?? `0x${callAt.toString(16)}`} (ra is left over from another call; this code was reached by a jump or a trap)`;
  }
  return caller;
}

export function backtrace(ctx: UnwindContext, pc: number, sp: number, ra: number): Backtrace {
  const frames: Frame[] = [];
  let curPc = pc >>> 0;
  let curSp = sp >>> 0;
  for (let level = 0; level < MAX_FRAMES; level++) {
    const name = ctx.symbols.functionAt(curPc, ctx.place);
    frames.push({ level, pc: curPc, sp: curSp, function: name && ctx.symbols.nameOf(name.symbol.value, ctx.place) });
    const caller = callerOf(ctx, curPc, curSp, level === 0 ? ra : undefined);
    if (typeof caller === 'string') return { frames, end: caller };
    if (level > 0 && caller.callerSp < curSp) return { frames, end: 'the stack does not grow upwards here (corrupt frame?)' };
    curPc = caller.returnAddress >>> 0;
    curSp = caller.callerSp;
  }
  return { frames, end: `stopped after ${MAX_FRAMES} frames` };
}
