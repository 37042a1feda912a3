// `ringlab boot -D` and `ringlab debug -D`: build options of the guest kernel (docs/kernel.md),
// through the real binary. The LEGACY build itself is tested in test/vmm/legacy.test.ts.

import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/errors.js';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

describe('ringlab boot -D (kernel build options)', () => {
  it('-D LEGACY natively: the same output as the plain kernel', () => {
    const plain = ringlab(['boot', '--workload', 'sleep,compute', '--iterations', '3']);
    const legacy = ringlab(['boot', '--workload', 'sleep,compute', '--iterations', '3', '-D', 'LEGACY']);
    expect(legacy.status).toBe(0);
    expect(legacy.stdout).toBe(plain.stdout);
    expect(ringlab(['boot', '--config', 'vtx', '--workload', 'sleep', '--iterations', '3', '--define', 'LEGACY']).stdout).toBe(ringlab(['boot', '--workload', 'sleep', '--iterations', '3']).stdout);
  });

  it('-D LEGACY under te: the warning, then the kernel spins in its idle loop until the cycle limit (exit 3)', () => {
    const r = ringlab(['boot', '--config', 'te', '--workload', 'sleep', '--iterations', '3', '-D', 'LEGACY', '--max-cycles', '5e6', '--json']);
    expect(r.status).toBe(ExitCode.GUEST);
    const j = JSON.parse(r.stdout);
    expect(j.console).toBe('kernel: booting 1 processes\nkernel: warning: schedule() entered with interrupts on (STATUS 0x00000005)\n');
    expect(j.stop.kind).toBe('cycle-limit');
    expect(j.processes[0].exitCode).toBeNull();
    expect(j.stats.vmm.injectedInterrupts).toBe(0);
    const text = ringlab(['boot', '--config', 'te', '--workload', 'sleep', '-D', 'LEGACY', '--max-cycles', '5e6'], { env: { NO_COLOR: '1' } });
    expect(text.status).toBe(3);
    expect(text.stderr).toMatch(/cycle limit of 5,000,000 reached/);
    expectNoStackTrace(text);
  });

  it('bad -D options are usage errors, and so is -D with a FILE to debug', () => {
    const bad = ringlab(['boot', '--workload', 'compute', '-D', '9X']);
    expect(bad.status).toBe(ExitCode.USAGE);
    expect(bad.stderr).toContain("-D expects NAME or NAME=VALUE");
    const file = cli.write('prog.s', '_start: halt\n');
    const debugFile = ringlab(['debug', file, '-D', 'LEGACY']);
    expect(debugFile.status).toBe(ExitCode.USAGE);
    expect(debugFile.stderr).toContain('-D builds the guest kernel of a configuration');
    for (const r of [bad, debugFile]) expectNoStackTrace(r);
  });

  it('ringlab debug --config te -D LEGACY: a breakpoint in the legacy idle loop is reached in ring 1', () => {
    const r = ringlab(['debug', '--config', 'te', '-D', 'LEGACY', '--workload', 'sleep', '--iterations', '2', '--batch'], { input: 'break legacy_idle\ncontinue\n', env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Breakpoint 1 at 0x[0-9a-f]{8} <kernel:legacy_idle>/);
    expect(r.stdout).toMatch(/\[guest kernel, ring 1\] kernel:legacy_idle/);
    expectNoStackTrace(r);
  });
});
