// Guest memory reads the same in every configuration: under shadow paging (te, vtx) the VMM's
// shadow tables hold only the pages the guest has touched since they were last reset, so the
// debugger reads guest addresses through the guest's own page tables, as the guest would.

import { describe, expect, it } from 'vitest';
import { DebugError } from '../../src/debug/errors.js';
import { Reg } from '../../src/isa/index.js';
import { debugConfig, run } from './helpers.js';

const CONFIGS = ['native', 'te', 'vtx', 'vtx-ept', 'pv'];
const PC = -1;

/** Stop at `location` and read `count` words from `at` (a register) less 16. */
function wordsAt(config: string, location: string, at: number, count: number): number[] {
  const dbg = debugConfig(config, ['syscall'], {}, 2);
  dbg.addBreakpoint(location);
  expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint' });
  const from = ((at === -1 ? dbg.cpu.pc : dbg.cpu.x[at]!) - 16) >>> 0;
  return Array.from({ length: count }, (_v, i) => dbg.memory.readWord(from + 4 * i));
}

describe('guest memory through the guest page tables', () => {
  const native = {
    kernel: wordsAt('native', 'kernel:syscall_dispatch', Reg.sp, 8),
    user: wordsAt('native', 'syscall:getpid', PC, 8),
  };

  for (const config of CONFIGS.slice(1)) {
    it(`${config}: the kernel stack at syscall_dispatch and the user code at getpid read as natively`, () => {
      const kernel = wordsAt(config, 'kernel:syscall_dispatch', Reg.sp, 8);
      // pv's kernel is another build (PARAVIRT): other return addresses on its stack.
      if (config !== 'pv') expect(kernel).toEqual(native.kernel);
      expect(wordsAt(config, 'syscall:getpid', PC, 8)).toEqual(native.user);
    });
  }

  for (const config of ['te', 'vtx']) {
    it(`${config}: an address the guest never mapped is an error, and the VMM's own memory still reads in the VMM`, () => {
      const dbg = debugConfig(config, ['syscall'], {}, 2);
      dbg.addBreakpoint('kernel:syscall_dispatch');
      run(dbg.continue());
      expect(() => dbg.memory.readWord(0x3000_0000)).toThrow(DebugError);
      expect(() => dbg.memory.readWord(0x3000_0000)).toThrow(/not mapped/);
      dbg.deleteAll();
      dbg.addCatchpoint('world');
      for (let i = 0; i < 10 && dbg.world() !== 'vmm'; i++) run(dbg.continue());
      expect(dbg.world()).toBe('vmm');
      const pc = dbg.cpu.pc >>> 0;
      expect(dbg.memory.peekWord(pc)).toBeDefined();
    });
  }
});
