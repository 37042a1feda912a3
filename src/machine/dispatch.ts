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
// Steady-state speed (why the first run used to be twice as fast as every later one):
// - `run` is a small driver around a hot loop that handles only "hot" instructions (class
//   'user', not trap/trap-return flow) whose page is in the fetch-page cache and whose word is
//   already decoded.
//   Everything else (fetch through the MMU, decode, privileged and trapping
//   instructions, illegal words) leaves the hot loop and goes through `step`, one instruction,
//   before re-entering it. Reason: V8 compiles the first run with on-stack replacement from the
//   feedback collected so far, where rare paths (decodeAt, halt, trap) have no feedback and
//   become cheap deoptimization exits. Every later compile has feedback for them, so it inlined
//   decodeAt (with decodeFields, the DecodedInsn constructor, ...) into the loop and emitted real
//   calls for halt/syscall/trap. A call on any path back to the loop head makes V8 spill the
//   loop's values around it and reload every field after it (visible in the generated code),
//   and the loop ran at half speed; without such calls later compiles are as fast as the first.
// - The loop records the executing instruction as a word index (`cpu.curAt`, a small integer),
//   not as the DecodedInsn object: an object store into the (old-generation) processor costs a
//   write-barrier slow path per instruction while the decoded instructions are young, which
//   they are after every program load (15% of a profile on its own).
//
// Tricks in the loop, each cheap and exact:
// - Fetch-page cache: `(pc & 0xfffff003) === cpu.fetchPage` is one compare that checks both
//   "same 4 KiB page as last fetch" and "pc is word aligned" (fetchPage has its low bits clear,
//   and -1 when invalid, which no masked pc can equal). It caches one TLB entry; the MMU drops
//   it whenever that entry could change, and each fast fetch still counts as a TLB hit.
// - Decoded-instruction cache per physical word, cleared by stores to that word, kept in one
//   array per physical page; `cpu.fetchDecoded` is the fetch page's, so a hit is one index.
// - The cost is charged before the semantics run (and refunded by `trap()`), so the loop has
//   no work to do after a trap except to catch it.
// - Device checks are batched: the loop runs until `cpu.stopCycle`, which the machine sets to
//   the next device event; anything that could change interrupt state sets it to -1.
// - x[0] is reset after every instruction instead of checking rd === 0 in every semantic.

import * as isaModule from '../isa/index.js';
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
  /** Run the hot loop for the translator's engine, which runs the code it has not compiled with
   *  it: at least one instruction, on until a control-flow instruction (a branch, jump or call)
   *  goes to a block the dispatcher must see, a cold instruction has run through `step`, or
   *  cpu.cycles >= cpu.stopCycle after an instruction. The dispatcher must see a block in
   *  another page, one without a CodePage yet, one compiled, and one whose heat (reaches) is
   *  `threshold` or more or exactly `reuseAt`; any other block entry this counts itself, as
   *  the dispatcher would (heat + 1), and goes on. */
  runBlock(cpu: Processor, threshold: number, reuseAt: number): void;
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

  // Accounting done when an instruction starts (see processor.ts for the refund rule). The hot
  // loop does it inside each case, so that an instruction it leaves to `step` is not charged.
  const account = `cpu.curAt = at; cpu.next = (pc + 4) | 0; cpu.cycles += d.cost; cpu.instret++;`;

  const cases = insns
    .map((insn, i) => {
      // Guards derived from the table, so no instruction can forget them: a VM exit in
      // non-root mode comes before the privilege check (VMX instructions exit from any ring).
      const cause = trapOnlyCause(insn);
      if (cause !== undefined) return `      case ${i}: ${guardSource(insn, 'return;')}cpu.trapReturning(${cause}); return; // ${insn.mnemonic}`;
      return `      case ${i}: ${guardSource(insn, 'return;')}this.h${i}(cpu, d); break; // ${insn.mnemonic}`;
    })
    .join('\n');

  // The hot loop counts its fast fetch as a TLB hit in the case too, for the same reason.
  const hotCases = insns
    .map((insn, i) => (isHot(insn) ? `          case ${i}: cpu.fetchHits += cpu.fetchPaged; ${account} this.h${i}(cpu, d); break; // ${insn.mnemonic}` : ''))
    .filter((line) => line !== '')
    .join('\n');

  // The same hot cases, but after a control-flow instruction the block it goes to is looked up
  // in the translator's cache (`code`, its CodePages by physical page), as the dispatcher would:
  // the run goes on only if the dispatcher would just count a reach and run the interpreter.
  const nextBlock =
    ' x[0] = 0; const n = cpu.next; cpu.pc = n;' +
    ' if (!(cpu.cycles < cpu.stopCycle) || (n & -4093) !== cpu.fetchPage) return;' +
    ' const page = code[cpu.fetchBase >>> 12]; if (page === undefined) return;' +
    ' const w = (n & 4095) >>> 2; const heat = page.heat[w];' +
    ' if (heat >= threshold || heat === reuseAt || page.blocks[w] !== undefined) return;' +
    ' page.heat[w] = heat + 1; continue hot;';
  const blockCases = insns
    .map((insn, i) =>
      isHot(insn)
        ? `          case ${i}: ${insn.flow !== 'none' ? '{ ' : ''}cpu.fetchHits += cpu.fetchPaged; ${account} this.h${i}(cpu, d);${insn.flow !== 'none' ? nextBlock + ' }' : ' break;'} // ${insn.mnemonic}`
        : '',
    )
    .filter((line) => line !== '')
    .join('\n');

  const source = `
  "use strict";
  return {
    runBlock(cpu, threshold, reuseAt) {
      const x = cpu.x;
      const code = cpu.translations.pages;
      hot: for (;;) {
        const pc = cpu.pc;
        if ((pc & -4093) !== cpu.fetchPage) break;
        const at = (cpu.fetchBase | (pc & 4095)) >>> 2;
        const d = cpu.fetchDecoded[(pc & 4095) >>> 2];
        if (d === undefined) break;
        switch (d.index) {
${blockCases}
        default: break hot;
        }
        x[0] = 0;
        cpu.pc = cpu.next;
        if (!(cpu.cycles < cpu.stopCycle)) return;
      }
      this.step(cpu);
    },
    run(cpu) {
      const x = cpu.x;
      while (cpu.cycles < cpu.stopCycle) {
        // Hot loop: fast paths only, no call that returns into it (see the top of dispatch.ts).
        hot: for (;;) {
          const pc = cpu.pc;
          if ((pc & -4093) !== cpu.fetchPage) break;
          const at = (cpu.fetchBase | (pc & 4095)) >>> 2;
          const d = cpu.fetchDecoded[(pc & 4095) >>> 2];
          if (d === undefined) break;
          switch (d.index) {
${hotCases}
          default: break hot; // cold instruction: step runs it
          }
          x[0] = 0;
          cpu.pc = cpu.next;
          if (!(cpu.cycles < cpu.stopCycle)) return;
        }
        // Slow fetch, decode, or a cold instruction: exactly one instruction, then back in.
        this.step(cpu);
      }
    },
    step(cpu) {
      const x = cpu.x;
      const pc = cpu.pc;
      let pa;
      if ((pc & -4093) === cpu.fetchPage) {
        pa = cpu.fetchBase | (pc & 4095);
        cpu.fetchHits += cpu.fetchPaged;
      } else {
        pa = cpu.fetchSlow(pc); // also points fetchDecoded at pa's page
      }
      const at = pa >>> 2;
      let d = cpu.fetchDecoded[(pa & 4095) >>> 2];
      if (d === undefined) d = cpu.decodeAt(pa);
      ${account}
      switch (d.index) {
${cases}
      case ${illegalIndex}: cpu.trap(${Cause.IllegalInstruction}); break;
      }
      x[0] = 0;
      cpu.pc = cpu.next;
    },
  };`;
  const methods = new Function(source)() as Interpreter;
  const prototype: Record<string, unknown> = { ...methods };
  handlers.forEach((handler, i) => (prototype[`h${i}`] = handler));
  return Object.create(prototype) as Interpreter;
}

/** The checks that come before an instruction's semantics, as source (the processor is `cpu`),
 *  derived from the table so no instruction can forget them: a VM exit in non-root mode comes
 *  before the privilege check (VMX instructions exit from any ring). The translator emits the
 *  same guards. */
export function guardSource(insn: InsnDef, leave: string, prepare = ''): string {
  // The exit or trap is taken without a throw (Processor.trapReturning, vmExitReturning), and
  // `leave` returns from the code: `return;` from the interpreter's step, `return 1;` from a
  // translated block. A throw costs V8 microseconds, and under te the privilege guard takes
  // most of a deprivileged kernel's traps. `prepare` runs first on the exit or trap's path (a
  // translated block brings the processor's clock up to date there).
  const exit = insn.nonRootExit === undefined ? '' : `if (cpu.nonRoot) { ${prepare}cpu.vmExitReturning(${insn.nonRootExit}, 0); ${leave} } `;
  const trap = insn.privilege !== 'privileged' ? '' : `if (cpu.ring !== 0) { ${prepare}cpu.trapReturning(${Cause.PrivilegedInstruction}); ${leave} } `;
  return exit + trap;
}

/** The trap cause of an instruction whose exec does nothing but trap (syscall, break: its
 *  source, read back from the table, is exactly `c => c.trap(Cause.X)`, X an export of the ISA
 *  holding the number), else undefined. Both engines take that trap without a throw
 *  (Processor.trapReturning) instead of calling the exec. */
export function trapOnlyCause(insn: InsnDef): number | undefined {
  // (A module namespace before X's export, as a test runner's transform writes, is allowed.)
  const m = /^\s*\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*=>\s*(?:\{\s*)?\1\.trap\(\s*(?:[A-Za-z_$][\w$]*\.)?([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\s*\)\s*;?\s*\}?\s*$/.exec(insn.exec.toString());
  if (!m || !Object.prototype.hasOwnProperty.call(isaModule, m[2]!)) return undefined;
  const value = (isaModule as Record<string, unknown>)[m[2]!] as Record<string, unknown> | undefined;
  const cause = value?.[m[3]!];
  return typeof cause === 'number' ? cause : undefined;
}

/** Instructions the hot loop runs itself; the rest go through `step`. Privileged, sensitive and
 *  trap instructions call into the processor's rare machinery (trap entry, control registers,
 *  ports), which would put returning calls into the hot loop; they are also rare. */
export function isHot(insn: InsnDef): boolean {
  return insn.privilege === 'user' && insn.flow !== 'trap' && insn.flow !== 'trap-return' && insn.nonRootExit === undefined;
}
