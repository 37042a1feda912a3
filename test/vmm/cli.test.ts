// `ringlab boot --config te` and `--config pv` through the real binary, as a student or a script runs them.

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
    const r = ringlab(['boot', '--config', 'te', '--workload', 'io', '--iterations', '2', '--stats'], { env: { NO_COLOR: '1' }, spawn: true });
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
    expect(r.stdout).toContain('kernel: killed pid 2 (vmmwrite): PageFaultWrite');
    expectNoStackTrace(r);
  });
});

describe('ringlab boot --config pv', () => {
  it('--json: the PARAVIRT kernel under the pv VMM, with hypercalls and batched page-table requests and no privileged instruction', () => {
    const r = ringlab(['boot', '--config', 'pv', '--workload', 'compute,syscall,ptemod', '--iterations', '5', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.config).toBe('pv');
    expect(out.processes.map((p: { exitCode: number }) => p.exitCode)).toEqual([0, 0, 0]);
    expect(out.processes[1].output).toBe('syscall: iterations=5 getpid-ok=5\n');
    for (const world of ['guestUser', 'guestKernel', 'vmm', 'transition']) expect(out.stats.worlds[world].cycles).toBeGreaterThan(0);
    expect(out.stats.traps.PrivilegedInstruction).toBeUndefined();
    expect(out.stats.traps.Syscall).toBeGreaterThan(0);
    expect(out.stats.vmm.emulated).toEqual({});
    expect(out.stats.vmm.hiddenPageFaults).toBe(0);
    expect(out.stats.vmm.hypercalls.iret).toBeGreaterThan(15);
    expect(out.stats.vmm.pageTableRequests.ptWrite).toBeGreaterThanOrEqual(10);
    // ptemod's 5 unmaps, and one per record init forks: its first store after each fork makes
    // its copy-on-write stack page its own again (cow_break flushes that page).
    expect(out.stats.vmm.pageTableRequests.invlpg).toBe(5 + 3);
  });

  it('--stats adds the hypercall and page-table request lines; the guest output streams to stdout', () => {
    const r = ringlab(['boot', '--config', 'pv', '--workload', 'io', '--iterations', '2', '--stats'], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('io: writes=2 bytes=64');
    expect(r.stderr).toMatch(/hypercalls: iret \d+, consoleWrite \d+/);
    expect(r.stderr).toMatch(/page-table requests \(batched\): ptWrite \d+, invlpg \d+, newBaseptr \d+, release \d+, rejected 0; shadow tables built \d+/);
    expectNoStackTrace(r);
  });

  it('--list shows the pv configuration', () => {
    expect(ringlab(['boot', '--list']).stdout).toMatch(/^ {2}pv +paravirtualization VMM/m);
  });

  it('a killed process under pv gives the kernel power-off code 4', () => {
    const r = ringlab(['boot', '--config', 'pv', '--workload', 'badpriv']);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain('kernel: killed pid 2 (badpriv): PrivilegedInstruction');
    expectNoStackTrace(r);
  });

  it('ringlab debug --config pv: the kernel reads its trap from the shared page, where info vcpu shows it', () => {
    const r = ringlab(['debug', '--config', 'pv', '--workload', 'syscall', '--iterations', '1', '--batch'], {
      input: 'break kernel:syscall_dispatch\ncontinue\ninfo vcpu\n',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Breakpoint 1, kernel:syscall_dispatch\n\[guest kernel, ring 1\]/);
    expect(r.stdout).toMatch(/vmm:vcpu at 0xfffef000, 128 bytes[\s\S]*V_CAUSE +\+80 +0x00000001/);
    expectNoStackTrace(r);
  });
});
