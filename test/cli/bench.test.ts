// `ringlab bench`: the real binary, narrowed to small runs so the suite stays fast.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ringlab, ringlabInTty, useCli } from './helpers.js';

const cli = useCli();
const SMALL = ['--workload', 'syscall', '--config', 'te,vtx', '--preset', 'default'];

describe('ringlab bench', () => {
  it('prints the report, writes every file under --out, and states the findings', () => {
    const out = join(cli.dir(), 'report');
    const r = ringlab(['bench', 'overhead', ...SMALL, '--out', out]);
    expect(r.stderr).toBe(''); // no progress line when stderr is not a terminal
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/syscall/);
    expect(r.stdout).toMatch(/syscall \(default\): te is [\d.]+x native, vtx [\d.]+x/);
    expect(r.stdout).toMatch(/exact and deterministic/);
    expect(r.stdout).not.toMatch(/\x1b\[/); // not a terminal: no colour
    for (const f of ['results.json', 'results.csv', 'report.md', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.schema).toBe('ringlab-bench/1');
    expect(json.rows).toHaveLength(3);
    expect(json.revision).not.toBe('');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).not.toMatch(/<script src|https?:\/\/(?!www\.w3\.org)/);
  });

  it('isolation: the terminal report, and its files under --out', () => {
    const out = join(cli.dir(), 'isolation');
    const r = ringlab(['bench', 'isolation', '--config', 'vtx-ept', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/System calls and random reads: cycles per iteration/);
    expect(r.stdout).toMatch(/container \(in vtx-ept\)/);
    expect(r.stdout).toMatch(/✗ a container starts in [\d,]+ cycles/);
    expect(r.stdout).toMatch(/exact and deterministic/);
    for (const f of ['results.json', 'report.md', 'report.html', 'startup.svg', 'syscalls.svg', 'density.svg', 'control.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.schema).toBe('ringlab-bench-isolation/1');
    expect(json.configs).toEqual(['native', 'vtx-ept']);
  }, 120_000);

  it('--json prints results.json to stdout, and two runs print the same bytes', () => {
    const a = ringlab(['bench', 'nano', '--workload', 'nano-csrw', '--config', 'vtx', '--preset', 'vtx-2006', '--json', '--no-files']);
    const b = ringlab(['bench', 'nano', '--workload', 'nano-csrw', '--config', 'vtx', '--preset', 'vtx-2006', '--json', '--no-files']);
    expect(a.status).toBe(0);
    const json = JSON.parse(a.stdout);
    expect(json.suite).toBe('nano');
    expect(json.deterministic).toBe(true);
    expect(a.stdout).toBe(b.stdout);
  });

  it('bad names are usage errors (exit 1) with the valid choices', () => {
    const suite = ringlab(['bench', 'fastest'], { spawn: true });
    expect(suite.status).toBe(1);
    expect(suite.stderr).toMatch(/unknown suite 'fastest' \(valid: overhead, nano, sweep, speed, isolation\)/);
    const iso = [
      [['--workload', 'syscall'], /the isolation suite runs its own probe: --workload does not apply/],
      [['--preset', 'default,vtx-2006'], /the isolation suite runs under one cost preset/],
      [['--preset', 'nope'], /unknown cost preset 'nope'/],
      [['--config', 'qemu'], /unknown config 'qemu' \(known: native, te, vtx, vtx-ept, pv, bt, hosted\)/],
      [['--samples', '3'], /--samples is for the speed suite/],
    ] as const;
    for (const [args, message] of iso) {
      const r = ringlab(['bench', 'isolation', ...args, '--no-files']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const workload = ringlab(['bench', '--workload', 'nope', '--no-files']);
    expect(workload.status).toBe(1);
    expect(workload.stderr).toMatch(/unknown workload 'nope'/);
    const samples = ringlab(['bench', 'speed', '--samples', '0', '--no-files']);
    expect(samples.status).toBe(1);
    expect(`${workload.stderr}${samples.stderr}`).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('an unwritable --out is a clear error', () => {
    const file = cli.write('not-a-dir', 'x');
    const r = ringlab(['bench', ...SMALL, '--out', join(file, 'sub')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot write the report to/);
  });

  it('on a terminal: a progress line while it runs, and colour unless NO_COLOR', () => {
    const tty = ringlabInTty(['bench', 'nano', '--workload', 'nano-csrw', '--config', 'te', '--preset', 'default', '--no-files']);
    if (!tty) return; // no `script` on this machine
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\[1\/2\] nano-csrw under native \(default\)/);
    expect(tty.stdout).toMatch(/\x1b\[3\dm/);
    const plain = ringlabInTty(['bench', 'nano', '--workload', 'nano-csrw', '--config', 'te', '--preset', 'default', '--no-files'], { NO_COLOR: '1' })!;
    expect(plain.stdout).not.toMatch(/\x1b\[3\dm/);
  });
});
