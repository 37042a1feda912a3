// `ringlab boot --config te` through the real binary, as a student or a script runs it.

import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab } from '../cli/helpers.js';

describe('ringlab boot --config te', () => {
  it('--json carries the worlds, the traps into the VMM and the VMM counters', () => {
    const r = ringlab(['boot', '--config', 'te', '--workload', 'compute,syscall', '--iterations', '5', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config).toBe('te');
    expect(out.processes.map((p: { exitCode: number }) => p.exitCode)).toEqual([0, 0]);
    for (const world of ['guestUser', 'guestKernel', 'vmm', 'transition']) expect(out.stats.worlds[world].cycles).toBeGreaterThan(0);
    expect(out.stats.traps.PrivilegedInstruction).toBeGreaterThan(0);
    expect(out.stats.vmm.emulated.csrr).toBeGreaterThan(0);
    expect(out.stats.vmm.reflected.Syscall).toBeGreaterThanOrEqual(15);
    expect(typeof out.stats.vmm.hiddenPageFaults).toBe('number');
  });

  it('--stats adds the VMM lines; the guest output streams to stdout as natively', () => {
    const r = ringlab(['boot', '--config', 'te', '--workload', 'io', '--iterations', '2', '--stats'], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('io: writes=2 bytes=64');
    expect(r.stderr).toMatch(/emulated: .*out \d/);
    expect(r.stderr).toMatch(/page faults: \d+ hidden \(shadow filled\), \d+ true \(reflected\)/);
    expectNoStackTrace(r);
  });

  it('--list shows the te configuration', () => {
    const r = ringlab(['boot', '--list']);
    expect(r.stdout).toMatch(/^ {2}te +trap-and-emulate VMM/m);
  });

  it('a killed process under te gives the kernel power-off code 4', () => {
    const r = ringlab(['boot', '--config', 'te', '--workload', 'vmmwrite']);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('kernel: killed pid 1 (vmmwrite): PageFaultWrite');
    expectNoStackTrace(r);
  });
});
