// `ringlab boot`, called in process (bootCommand) with stdout and stderr captured.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { bootCommand, type BootCliOptions } from '../../src/cli/commands/boot.js';
import { CliError } from '../../src/cli/errors.js';
import { computeChecksum } from './expected.js';

function capture(opts: BootCliOptions): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    return { code: bootCommand(opts), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('ringlab boot', () => {
  it('--list names every workload with a description', () => {
    const r = capture({ list: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}native +the guest kernel/m);
    for (const w of ['compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'ptemod', 'nano-syscall', 'nano-in', 'nano-csrw', 'nano-callret', 'nano-pgfault', 'nano-divzero', 'nano-ptemod']) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${w} +\\S.*\\[\\d+\\]$`, 'm'));
    }
  });

  it('streams the console and exits with the kernel power-off code', () => {
    const r = capture({ workload: 'compute,syscall', iterations: '3' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`compute: rounds=3 checksum=${computeChecksum(3)}\n`);
    expect(r.stdout).toContain('syscall: iterations=3 getpid-ok=3\n');
    expect(r.stderr).toBe('');
  });

  it('--stats reports worlds, traps and TLB figures on stderr', () => {
    const r = capture({ workload: 'nano-syscall', iterations: '10', stats: true });
    expect(r.stderr).toMatch(/guest user/);
    expect(r.stderr).toMatch(/guest kernel/);
    expect(r.stderr).toMatch(/traps: .*Syscall/);
    expect(r.stderr).toMatch(/TLB \(\d+ entries, \d+-way\)/);
    expect(r.stderr).toMatch(/pid 2 nano-syscall: exit 0/);
  });

  it('--json prints one object with the run --json fields plus processes', () => {
    const r = capture({ workload: 'ctxswitch,badmem', iterations: '5', json: true });
    const j = JSON.parse(r.stdout);
    expect(j.config).toBe('native');
    expect(j.exitCode).toBe(4);
    expect(r.code).toBe(4);
    expect(j.halted).toBe(true);
    expect(j.console).toContain('kernel: killed pid 4 (badmem)');
    expect(j.consoleBytes).toBe(Buffer.byteLength(j.console));
    expect(j.consoleTruncated).toBe(false);
    expect(j.stats.cycles).toBeGreaterThan(0);
    expect(j.stats.instructions).toBeGreaterThan(0);
    expect(j.stats.traps.Syscall).toBeGreaterThan(0);
    for (const world of ['guestUser', 'guestKernel', 'vmm', 'transition']) expect(j.stats.worlds[world]).toBeDefined();
    expect(j.stats.tlb.misses).toBeGreaterThan(0);
    expect(j.processes).toEqual([
      { pid: 2, name: 'ctxswitch', exitCode: 0, output: 'ctxswitch: yields=5\n', outputBytes: 20, outputTruncated: false },
      { pid: 3, name: 'ctxswitch', exitCode: 0, output: 'ctxswitch: yields=5\n', outputBytes: 20, outputTruncated: false },
      { pid: 4, name: 'badmem', exitCode: 139, output: 'badmem: reading kernel memory\n', outputBytes: 30, outputTruncated: false }, // 128 + SIGSEGV
    ]);
  });

  it('a cycle limit ends the run with exit code 3 and processes without exit codes', () => {
    const r = capture({ workload: 'compute', iterations: '1000', maxCycles: '200000', json: true });
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.halted).toBe(false);
    expect(j.processes[0].exitCode).toBeNull();
  });

  it('rejects unknown workloads and configs with one line listing the valid names', () => {
    expect(() => capture({ workload: 'compute,nope' })).toThrow(CliError);
    try {
      capture({ workload: 'nope' });
    } catch (e) {
      expect((e as CliError).exitCode).toBe(1);
      expect((e as Error).message).toMatch(/^unknown workload 'nope' \(valid: compute, syscall, .*\)$/);
    }
    try {
      capture({ config: 'warp', workload: 'compute' });
    } catch (e) {
      expect((e as CliError).exitCode).toBe(1);
      expect((e as Error).message).toMatch(/^unknown config 'warp' \(valid: native, te(, [a-z-]+)*\)$/);
    }
    expect(() => capture({})).toThrow(/--workload, --program, --run or --shell is required/);
  });
});
