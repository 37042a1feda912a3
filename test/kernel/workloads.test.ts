// The guest kernel booted natively: every workload prints its expected result and exits 0.

import { describe, expect, it } from 'vitest';
import { bootNative, WORKLOADS } from '../../src/configs/index.js';
import { computeChecksum } from './expected.js';

function boot(workloads: string[], iterations?: number, extra: { quantum?: number } = {}) {
  return bootNative({ workloads, maxCycles: 50_000_000, ...(iterations !== undefined && { iterations }), ...extra });
}


const EXPECTED: Record<string, (n: number) => string[]> = {
  compute: (n) => [`compute: rounds=${n} checksum=${computeChecksum(n)}\n`],
  syscall: (n) => [`syscall: iterations=${n} getpid-ok=${n}\n`],
  io: (n) => [`${'io: 0123456789abcdefghijklmnopq\n'.repeat(n)}io: writes=${n} bytes=${32 * n}\n`],
  pagefault: (n) => [`pagefault: pages=${n} zeroed=${n} checksum=${(n * (n + 1)) / 2}\n`],
  ctxswitch: (n) => [`ctxswitch: yields=${n}\n`, `ctxswitch: yields=${n}\n`],
  ptemod: (n) => [`ptemod: maps=${n} zeroed=${n} checksum=${(n * (n - 1)) / 2}\n`],
  sleep: (n) => [`sleep: naps=${n}\n`],
  'nano-syscall': (n) => [`nano-syscall: n=${n}\n`],
  'nano-in': (n) => [`nano-in: n=${n} sum=0\n`],
  'nano-csrw': (n) => [`nano-csrw: n=${n} result=0\n`],
  'nano-callret': (n) => [`nano-callret: n=${n} result=${n}\n`],
  'nano-pgfault': (n) => [`nano-pgfault: n=${n}\n`],
  'nano-divzero': (n) => [`nano-divzero: n=${n} zero-quotients=${n}\n`],
  'nano-ptemod': (n) => [`nano-ptemod: n=${n} check=77\n`],
  fileio: (n) => [`fileio: bytes=${8192 * n} checksum=${fileioChecksum(n)}\n`],
  fsmeta: (n) => [`fsmeta: iterations=${n} ok=${6 * n}\n`],
  diskread: (n) => [`diskread: reads=${n} blocks-sum=${diskreadSum(n)}\n`],
  forkwait: (n) => [`forkwait: forks=${n} reaped=${n}\n`],
  spawn: (n) => [`spawn: spawns=${n} ok=${n}\n`],
  pipe: (n) => [`pipe: bytes=${1024 * n} sum=${n * pipeKibSum()}\n`],
};

/** pipe's sum of one KiB as the producer writes it: byte i is i mod 251 (in any chunk order). */
function pipeKibSum(): number {
  let sum = 0;
  for (let i = 0; i < 1024; i++) sum += i % 251;
  return sum;
}

/** fileio's checksum: checksum * 31 + word over the 8 KiB it reads back (byte i is 13i + 7), n times. */
function fileioChecksum(n: number): number {
  const bytes = new Uint8Array(8192).map((_, i) => (13 * i + 7) & 0xff);
  const words = new Uint32Array(bytes.buffer);
  let sum = 0;
  for (let k = 0; k < n; k++) for (const w of words) sum = (Math.imul(sum, 31) + w) >>> 0;
  return sum;
}

/** diskread's sum of the blocks it reads: an LCG from 12345, block (state >> 16) & 255. */
function diskreadSum(n: number): number {
  let state = 12345;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    sum += (state >>> 16) & 255;
  }
  return sum;
}

describe('workloads under the native kernel', () => {
  it('every non-demo workload has an expected result here', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(WORKLOADS.filter((w) => w.kind !== 'demo').map((w) => w.name).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name} prints its expected result and exits 0`, () => {
      const n = ['io', 'compute', 'sleep', 'fileio', 'fsmeta'].includes(name) ? 3 : 25;
      const r = boot([name], n);
      expect(r.stop).toEqual({ kind: 'halt', exitCode: 0 });
      expect(r.processes.map((p) => p.output)).toEqual(expected(n));
      expect(r.processes.every((p) => p.exitCode === 0)).toBe(true);
      expect(r.console).toMatch(/^kernel: booting \d+ processes\n/);
      expect(r.console).toMatch(/kernel: \d+ processes finished, exit codes: (\d+=0 ?)+; power off code 0\n$/);
    });
  }

  it('takes its iteration count from the boot arguments (default per workload)', () => {
    const r = boot(['nano-callret']);
    expect(r.processes[0]!.output).toBe('nano-callret: n=1000 result=1000\n');
  });

  it('the nanobenchmarks scale linearly: N and 2N runs differ by a fixed cost per iteration', () => {
    for (const name of ['nano-syscall', 'nano-in', 'nano-csrw', 'nano-callret', 'nano-divzero', 'nano-ptemod']) {
      const c = (n: number) => boot([name], n).stats.cycles;
      const [a, b, d] = [c(100), c(200), c(300)];
      expect(b - a, name).toBeGreaterThan(0);
      // Timer interrupts land at different points, so allow a small wobble around linearity.
      expect(Math.abs((d - b) - (b - a)), name).toBeLessThan((b - a) * 0.1 + 2000);
    }
  });

  it('the kernel-side loops do their privileged work in ring 0, one operation per iteration', () => {
    const a = boot(['nano-divzero'], 40);
    expect(a.stats.traps['DivideByZero']).toBe(40);
    const f = boot(['nano-pgfault'], 40);
    expect(f.stats.traps['PageFaultWrite']).toBe(40 + 1); // + the first touch of the stack
    const p = boot(['nano-ptemod'], 40);
    const q = boot(['nano-ptemod'], 80);
    expect(q.stats.tlb.flushes - p.stats.tlb.flushes).toBe(40);
  });
});
