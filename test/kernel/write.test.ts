// write() with bad buffers, in every configuration (the PARAVIRT kernel under pv copies a chunk
// per hypercall instead of a byte per `out`, so it has its own path through sys_write). The rule
// is Linux's (docs/kernel.md, "System calls"): a buffer that wraps past 2^32 or whose first byte
// the process may not read writes nothing and returns -EFAULT; one that runs into such memory later
// writes the bytes before it and returns how many.

import { describe, expect, it } from 'vitest';
import { CONFIGS, findConfig } from '../../src/configs/index.js';

const EXPECTED = [
  'badwrite: wraps past 2^32 [] -> -14',
  'badwrite: runs past the top of user space [xy] -> 2',
  'badwrite: runs past the end of the heap [abc] -> 3',
  'badwrite: starts in kernel memory [] -> -14',
  'badwrite: crosses into the next heap page [pqrs] -> 4',
  'badwrite: fd 3 [] -> -9',
  'badwrite: negative length [] -> -22',
  'badwrite: zero length from a bad address [] -> 0',
].map((line) => `${line}\n`).join('');

describe.each(CONFIGS.map((c) => c.name))('config %s: write() with bad buffers', (config) => {
  it('refuses a bad buffer, writes up to the first bad byte, and says how many bytes went out', () => {
    const r = findConfig(config)!.boot({ workloads: ['badwrite'], maxCycles: 50_000_000 });
    expect(r.exitCode).toBe(0);
    expect(r.processes).toEqual([{ pid: 2, name: 'badwrite', exitCode: 0, output: EXPECTED, outputBytes: EXPECTED.length, outputTruncated: false }]);
    // Nothing reached the console that the process output does not show (a refused write
    // prints nothing at all, not even unattributed bytes).
    expect(r.console).toContain(`kernel: booting 1 processes\n${EXPECTED}kernel: 1 processes finished`);
  });
});
