// Issue 13: console output a guest prints for a billion cycles must not all stay in host memory.
// The console keeps its first CONSOLE_KEEP_BYTES and counts the rest; so do per-process outputs.

import { describe, expect, it } from 'vitest';
import { kernelImage } from '../../src/configs/index.js';
import { KernelObserver } from '../../src/configs/native.js';
import { findSymbol } from '../../src/asm/index.js';
import { isaWith } from '../../src/isa/index.js';
import { BoundedBytes, CONSOLE_KEEP_BYTES } from '../../src/machine/devices/console.js';
import { runAsm } from './helpers.js';

describe('BoundedBytes', () => {
  it('keeps the first bytes up to its limit and counts all of them', () => {
    const b = new BoundedBytes(4);
    for (const ch of 'hello') b.push(ch.charCodeAt(0));
    expect([b.text(), b.total, b.truncated]).toEqual(['hell', 5, true]);
    b.truncate(3); // going back in time
    expect([b.text(), b.total, b.truncated]).toEqual(['hel', 3, false]);
    b.push(0x21);
    expect([b.text(), b.total, b.truncated]).toEqual(['hel!', 4, false]);
  });
});

describe('the console device', () => {
  it(`keeps the first ${CONSOLE_KEEP_BYTES} bytes of a guest that prints more, and streams them all`, () => {
    let streamed = 0;
    const n = CONSOLE_KEEP_BYTES + 1000;
    const { m, stop } = runAsm(`
        .org 0x1000
_start: li   t1, ${n}
        li   t0, 'x'
.loop:  out  0x10, t0
        addi t1, t1, -1
        bnez t1, .loop
        halt`, { onConsoleOutput: () => streamed++ }, 100_000_000);
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(streamed).toBe(n);
    expect(m.console.outputLength).toBe(n);
    expect(m.console.outputTruncated).toBe(true);
    expect(m.console.output()).toBe('x'.repeat(CONSOLE_KEEP_BYTES));
  });
});

describe("the kernel observer's per-process output", () => {
  it('is bounded the same way', () => {
    const kernel = kernelImage(isaWith());
    const observer = new KernelObserver(kernel, [{ name: 'compute', iterations: 1 }]);
    const machine = observer.machine({ memoryBytes: 1 << 20 });
    machine.memory.words[findSymbol(kernel, 'writer_job')!.value >>> 2] = 1; // job 1: the first boot record
    const n = CONSOLE_KEEP_BYTES + 10;
    for (let i = 0; i < n; i++) observer.consoleByte(0x61);
    const [p] = observer.processes();
    expect(p!.outputBytes).toBe(n);
    expect(p!.outputTruncated).toBe(true);
    expect(p!.output.length).toBe(CONSOLE_KEEP_BYTES);
  });
});
