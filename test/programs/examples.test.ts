// Every example in programs/examples runs to completion and prints what its header promises.

import { describe, expect, it } from 'vitest';
import { assembleFile } from '../../src/asm/index.js';
import { isaWith } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';

function runExample(name: string) {
  const result = assembleFile(`programs/examples/${name}.s`, isaWith());
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  const machine = new Machine({ memoryBytes: 1 << 20 });
  machine.load(result.image);
  const stop = machine.run(50_000_000);
  return { stop, output: machine.console.output(), stats: machine.stats() };
}

describe('examples', () => {
  it('hello.s prints a greeting from ring 0', () => {
    const { stop, output } = runExample('hello');
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(output).toBe('Hello from ring 0!\n');
  });

  it('recursion.s prints fib(0..20)', () => {
    const { stop, output } = runExample('recursion');
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    const fib = [0, 1];
    while (fib.length < 21) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    expect(output).toBe(`${fib.join(' ')} \n`);
  });

  it('user-mode.s runs ring-3 code through system calls and catches its privileged halt', () => {
    const { stop, output, stats } = runExample('user-mode');
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(output).toContain('ring 3 says hello through a system call\n1 2 4 8 16 32 64 128 256 512 1024 \n');
    expect(output).toMatch(/trap: cause 4 at pc 0x[0-9a-f]{8} from ring 3\n$/);
    expect(stats.traps).toEqual({ Syscall: 24, PrivilegedInstruction: 1 });
    expect(stats.worlds.guestUser.instructions).toBeGreaterThan(0);
    expect(stats.rings[1]!.instructions + stats.rings[2]!.instructions).toBe(0);
  });

  it('paging.s writes through an alias mapping and demand-pages five pages', () => {
    const { stop, output, stats } = runExample('paging');
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(output).toBe('written through virtual 0x40000000, read at physical 0x20000\ndemand-paged window pages: 5\n');
    expect(stats.traps).toEqual({ PageFaultRead: 5 });
    expect(stats.tlb.misses).toBeGreaterThan(0);
    expect(stats.tlb.walkRefs).toBeGreaterThanOrEqual(stats.tlb.misses);
  });
});
