// The interpreter loop, generated from the instruction table once per machine.
//
// Why generate code: each instruction's semantics is one function in the table. Calling it as
// `handlers[i](cpu, d)` from one call site makes that site megamorphic and V8 cannot inline
// anything (about 50 MIPS here). Instead we build, with `new Function`, a loop whose `switch`
// has one case per instruction, each calling its own handler (`this.h12(cpu, d)`). Every call
// site then sees exactly one target, V8 inlines the small semantic functions, and the loop runs
// at roughly twice the speed. The table stays the single definition: this file only arranges
// calls to it.
//
// The handlers live on the interpreter's prototype, not in closure variables: V8 constant-folds
// loads from a stable prototype, so the call targets are known in every optimized compile.
// Closure variables are only constant in on-stack-replacement code, which made the first run
// fast and every later run half as fast.
//
// Tricks in the loop, each cheap and exact:
// - Fetch-page cache: `(pc & 0xfffff003) === cpu.fetchPage` is one compare that checks both
//   "same 4 KiB page as last fetch" and "pc is word aligned" (fetchPage has its low bits clear,
//   and -1 when invalid, which no masked pc can equal). It caches one TLB entry; the MMU drops
//   it whenever that entry could change, and each fast fetch still counts as a TLB hit.
// - Decoded-instruction cache per physical word, cleared by stores to that word.
// - The cost is charged before the semantics run (and refunded by `trap()`), so the loop has
//   no work to do after a trap except to catch it.
// - Device checks are batched: the loop runs until `cpu.stopCycle`, which the machine sets to
//   the next device event; anything that could change interrupt state sets it to -1.
// - x[0] is reset after every instruction instead of checking rd === 0 in every semantic.

import { Cause, type InsnDef } from '../isa/index.js';
import type { Processor } from './processor.js';

/** Both methods throw TRAP_SIGNAL after a trap has been taken; the caller catches it. There is
 *  deliberately no try/catch in the generated loop: V8 compiled the loop about half as fast
 *  with one (exception edges from every inlined call). */
export interface Interpreter {
  /** Run until cpu.cycles >= cpu.stopCycle, a trap, or a halt. */
  run(cpu: Processor): void;
  /** Execute exactly one instruction (or take the fault that fetching it raises). */
  step(cpu: Processor): void;
}

const interpreterCache = new WeakMap<readonly InsnDef[], Interpreter>();

/** The interpreter for an instruction table, generated once per table: every machine on the
 *  same ISA shares one loop, so V8 optimizes it once and its type feedback stays monomorphic. */
export function interpreterFor(insns: readonly InsnDef[]): Interpreter {
  let interpreter = interpreterCache.get(insns);
  if (!interpreter) {
    interpreter = buildInterpreter(insns);
    interpreterCache.set(insns, interpreter);
  }
  return interpreter;
}

function buildInterpreter(insns: readonly InsnDef[]): Interpreter {
  const handlers = insns.map((insn) => insn.exec);
  const illegalIndex = insns.length;

  const cases = insns
    .map((insn, i) => {
      // Privilege guard derived from the table, so no instruction can forget it.
      const guard = insn.privilege === 'privileged' ? `if (cpu.ring !== 0) cpu.trap(${Cause.PrivilegedInstruction}); ` : '';
      return `      case ${i}: ${guard}this.h${i}(cpu, d); break; // ${insn.mnemonic}`;
    })
    .join('\n');

  const executeOne = `
      const pc = cpu.pc;
      let pa;
      if ((pc & -4093) === cpu.fetchPage) {
        pa = cpu.fetchBase | (pc & 4095);
        cpu.fetchHits += cpu.fetchPaged;
      } else {
        pa = cpu.fetchSlow(pc);
      }
      let d = cache[pa >>> 2];
      if (d === undefined) d = cpu.decodeAt(pa);
      cpu.cur = d;
      cpu.next = (pc + 4) | 0;
      cpu.cycles += d.cost;
      cpu.instret++;
      switch (d.index) {
${cases}
      case ${illegalIndex}: cpu.trap(${Cause.IllegalInstruction}); break;
      }
      x[0] = 0;
      cpu.pc = cpu.next;`;

  const prologue = `
    const x = cpu.x;
    const cache = cpu.decodeCache;`;

  const source = `
  "use strict";
  return {
    run(cpu) {${prologue}
      while (cpu.cycles < cpu.stopCycle) {${executeOne}
      }
    },
    step(cpu) {${prologue}${executeOne}
    },
  };`;
  const methods = new Function(source)() as Interpreter;
  const prototype: Record<string, unknown> = { ...methods };
  handlers.forEach((handler, i) => (prototype[`h${i}`] = handler));
  return Object.create(prototype) as Interpreter;
}
