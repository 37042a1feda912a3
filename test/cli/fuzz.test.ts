// `ringlab fuzz`, the equivalence tester's command line (docs/equivalence.md).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

describe('ringlab fuzz', () => {
  it('runs boot sets under the configs asked for and says how many programs and divergences', () => {
    const r = ringlab(['fuzz', '--programs', '6', '--seed', '3', '--config', 'te,pv', '--preset', 'default']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+ programs in 1 boot sets, each under native and te, pv with default \(3 boots\): 0 divergences\n$/);
  });

  it('--json gives the seeds, counts and divergences; --boot-seed with --save writes the sources and the boot command', () => {
    const dir = cli.dir();
    const r = ringlab(['fuzz', '--boot-seed', '77', '--config', 'vtx', '--preset', 'default', '--save', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ seeds: [77], configs: ['vtx'], presets: ['default'], divergences: [] });
    expect(report.programs).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(dir, '77', 'rnd0.s'))).toBe(true);
    expect(readFileSync(join(dir, '77', 'boot.txt'), 'utf8')).toMatch(/^ringlab boot --config CONFIG .*--program .*rnd0\.s/);
  });

  it('an unknown config or a bad count is a usage error (exit 1) naming the valid ones', () => {
    const bad = ringlab(['fuzz', '--config', 'qemu']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown config 'qemu' \(valid: te, vtx, vtx-ept, pv, bt, hosted\)/);
    expect(ringlab(['fuzz', '--programs', 'many']).status).toBe(1);
    expectNoStackTrace(bad);
  });
});
