// The guest kernel as an operating system: preemption, isolation, faults, rings, determinism,
// and where its image ends. (The boot-argument layout the config and the kernel share is one
// table, src/abi/layout.ts: test/abi/abi.test.ts.)

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { bootNative, kernelImage } from '../../src/configs/index.js';
import { BOOT, USER_SPACE } from '../../src/abi/index.js';
import { FRAME_POOL } from '../../src/configs/native.js';
import { isaWith } from '../../src/isa/index.js';
import type { Machine } from '../../src/machine/machine.js';
import type { TrapEvent } from '../../src/machine/processor.js';
import { computeChecksum } from './expected.js';

const TIMER = 16;

function boot(workloads: string[], iterations?: number, onMachine?: (m: Machine) => void, quantum?: number) {
  return bootNative({
    workloads,
    maxCycles: 50_000_000,
    ...(iterations !== undefined && { iterations }),
    ...(onMachine && { onMachine }),
    ...(quantum !== undefined && { quantum }),
  });
}

function sym(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
}

describe('preemptive round robin', () => {
  it('interleaves several processes on timer interrupts, and all of them finish', () => {
    const pidAtTimer: number[] = [];
    const r = boot(['compute', 'compute', 'pagefault', 'io'], 6, (m) => {
      const words = m.memory.words;
      const currentPid = sym('current_pid');
      m.cpu.onTrap = (e: TrapEvent) => {
        if (e.cause === TIMER && e.fromRing === 3) pidAtTimer.push(words[currentPid >>> 2]!);
      };
    }, 3000);
    expect(r.stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(r.processes.map((p) => p.exitCode)).toEqual([0, 0, 0, 0]);
    expect(r.processes[0]!.output).toBe(r.processes[1]!.output);
    // The timer took the processor away from each of them, more than once, in turns.
    const switches = pidAtTimer.filter((p, i) => i > 0 && p !== pidAtTimer[i - 1]).length;
    // The records are pids 2-5; init (pid 1) may be caught too, while it forks them.
    expect(new Set(pidAtTimer.filter((p) => p !== 1))).toEqual(new Set([2, 3, 4, 5]));
    expect(switches).toBeGreaterThan(8);
  });

  it('a process that sleeps lets the others run, and the kernel idles when nobody is ready', () => {
    const r = boot(['sleep', 'compute'], 3);
    expect(r.processes.map((p) => [p.exitCode, p.output])).toEqual([
      [0, 'sleep: naps=3\n'],
      [0, `compute: rounds=3 checksum=${computeChecksum(3)}\n`],
    ]);
    const alone = boot(['sleep'], 3);
    expect(alone.stats.worlds.idle.cycles).toBeGreaterThan(0);
  });
});

describe('isolation and faults', () => {
  for (const [demo, cause, code, word] of [
    ['badmem', 'PageFaultRead', 139, 'reading kernel memory'], // 128 + SIGSEGV
    ['badpriv', 'PrivilegedInstruction', 132, 'trying a privileged instruction'], // 128 + SIGILL
    ['baddiv', 'DivideByZero', 136, 'dividing by zero'], // 128 + SIGFPE
  ] as const) {
    it(`${demo} is killed (${cause}) while the other processes finish`, () => {
      const r = boot(['compute', demo, 'ctxswitch'], 4);
      expect(r.stop).toEqual({ kind: 'halt', exitCode: 4 });
      expect(r.processes.map((p) => p.exitCode)).toEqual([0, code, 0, 0]);
      expect(r.processes[1]!.output).toBe(`${demo}: ${word}\n`);
      expect(r.console).toMatch(new RegExp(`^kernel: killed pid 3 \\(${demo}\\): ${cause} at pc 0x4[0-9a-f]{7} addr 0x[0-9a-f]{8}$`, 'm'));
      expect(r.console).not.toMatch(/survived/);
      expect(r.console).toMatch(new RegExp(`exit codes: 2=0 3=${code} 4=0 5=0; power off code 4\n$`));
      expect(r.processes[0]!.output).toBe(`compute: rounds=4 checksum=${computeChecksum(4)}\n`);
    });
  }

  it('the kernel never traps in ring 0, and user code never runs in rings 0-2', () => {
    const fromRing0: TrapEvent[] = [];
    const userPcInKernel: number[] = [];
    const r = boot(['compute', 'syscall', 'badmem', 'ptemod', 'nano-divzero', 'io'], 5, (m) => {
      m.cpu.onTrap = (e) => {
        if (e.fromRing !== 3) fromRing0.push(e);
        if (e.fromRing === 3 && (e.epc >>> 0) < USER_SPACE.USER_BASE.value) userPcInKernel.push(e.epc);
      };
    });
    expect(r.halted).toBe(true);
    expect(fromRing0).toEqual([]);
    expect(userPcInKernel).toEqual([]);
    expect(r.stats.rings[1]).toEqual({ cycles: 0, instructions: 0 });
    expect(r.stats.rings[2]).toEqual({ cycles: 0, instructions: 0 });
    expect(r.stats.rings[3]!.instructions).toBeGreaterThan(0);
    expect(r.stats.worlds.guestUser.instructions).toBe(r.stats.rings[3]!.instructions);
    expect(r.stats.worlds.guestKernel.instructions).toBe(r.stats.rings[0]!.instructions);
  });

  it('leaves the top 4 MiB of every address space unmapped', () => {
    const topSlots: number[] = [];
    boot(['compute', 'pagefault', 'ptemod'], 3, (m) => {
      m.cpu.onTrap = () => topSlots.push(m.memory.words[((m.cpu.ptbr & ~0xfff) + 1023 * 4) >>> 2]!);
    });
    expect(topSlots.length).toBeGreaterThan(10);
    expect(topSlots.every((pde) => (pde & 1) === 0)).toBe(true);
  });

  it('rejects more processes than the kernel has slots', () => {
    expect(() => boot(Array(BOOT.MAX_PROCS.value + 1).fill('compute'))).toThrow(/at most 16/);
  });
});

describe('determinism and layout', () => {
  it('gives the same figures and output run to run', () => {
    const a = boot(['compute', 'ctxswitch', 'badpriv', 'pagefault'], 5);
    const b = boot(['compute', 'ctxswitch', 'badpriv', 'pagefault'], 5);
    expect(b.stats).toEqual(a.stats);
    expect(b.console).toBe(a.console);
    expect(b.processes).toEqual(a.processes);
  });

  it('the kernel image, its stack, the boot arguments and the frame pool do not overlap', () => {
    // The boot arguments fit in their page (the next one is the page a PARAVIRT kernel shares).
    expect(sym('BA_PROCS') + BOOT.MAX_PROCS.value * sym('BR_SIZEOF')).toBeLessThanOrEqual(0x1000);
    // The kernel image (with its process table) ends below the boot stack and the frame pool.
    const k = kernelImage(isaWith([]));
    const end = Math.max(...k.segments.map((s) => s.address + s.data.length));
    expect(end).toBeLessThan(sym('KSTACK_TOP') - 0x8000);
    expect(sym('KSTACK_TOP')).toBeLessThanOrEqual(FRAME_POOL);
  });
});
