// `ringlab run`: console output, exit codes, --json, --stats, --max-cycles, --input, determinism.

import { describe, expect, it } from 'vitest';
import { EXIT_42, expectNoStackTrace, HELLO, INFINITE, ringlab, SHIFT_INPUT, TOUR, useCli } from './helpers.js';

const cli = useCli();

describe('ringlab run', () => {
  it('prints the console output and exits 0 when the program halts', () => {
    const r = ringlab(['run', cli.write('hello.s', HELLO)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello from the cli test\n');
    expect(r.stderr).toBe('');
  });

  it("passes a power-port exit code through as its own", () => {
    const r = ringlab(['run', cli.write('exit42.s', EXIT_42)], { spawn: true });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(42);
  });

  it('--json prints exactly one JSON object with the stable fields', () => {
    const r = ringlab(['run', cli.write('tour.s', TOUR), '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    // One object and nothing else: no console bytes streamed around it.
    expect(r.stdout.trimStart().startsWith('{')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    const j = JSON.parse(r.stdout);
    expect(typeof j.config).toBe('string');
    expect(j.exitCode).toBe(0);
    expect(j.halted).toBe(true);
    expect(j.console).toBe('tour: rings, traps, paging\n');
    expect(j.stats.cycles).toBeGreaterThan(0);
    expect(j.stats.instructions).toBeGreaterThan(0);
    expect(j.stats.instructions).toBeLessThanOrEqual(j.stats.cycles);
    // 27 bytes printed plus the exit call, all by syscall; the timer fired while computing.
    expect(j.stats.traps.Syscall).toBe(28);
    expect(j.stats.traps.TimerInterrupt).toBeGreaterThan(0);
    for (const world of ['guestUser', 'guestKernel', 'vmm', 'transition']) {
      expect(Number.isInteger(j.stats.worlds[world].cycles), world).toBe(true);
      expect(Number.isInteger(j.stats.worlds[world].instructions), world).toBe(true);
    }
    expect(j.stats.worlds.guestUser.instructions).toBeGreaterThan(0);
    expect(j.stats.worlds.guestKernel.instructions).toBeGreaterThan(0);
    expect(j.stats.worlds.transition.cycles).toBeGreaterThan(0);
    expect(j.stats.worlds.transition.instructions).toBe(0);
    expect(j.stats.worlds.vmm).toEqual({ cycles: 0, instructions: 0 });
    // Every cycle and every instruction lands in exactly one world (idle included).
    const worlds = Object.values(j.stats.worlds) as { cycles: number; instructions: number }[];
    expect(worlds.reduce((s, w) => s + w.cycles, 0)).toBe(j.stats.cycles);
    expect(worlds.reduce((s, w) => s + w.instructions, 0)).toBe(j.stats.instructions);
    expect(j.stats.tlb.hits).toBeGreaterThan(0);
    expect(j.stats.tlb.misses).toBeGreaterThan(0);
  });

  it('--json reports the exit code and stop reason of a program that does not halt', () => {
    const r = ringlab(['run', cli.write('forever-json.s', INFINITE), '--json', '--max-cycles', '5000']);
    expect(r.status).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.halted).toBe(false);
    expect(j.exitCode).toBe(3);
    expect(j.stats.cycles).toBeGreaterThanOrEqual(5000);
  });

  it('--json carries a power-port exit code in exitCode and in the process status', () => {
    const r = ringlab(['run', cli.write('exit42-json.s', EXIT_42), '--json']);
    expect(r.status).toBe(42);
    expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 42, halted: true, console: '' });
  });

  it('--stats writes the statistics to stderr and leaves stdout to the guest', () => {
    const r = ringlab(['run', cli.write('tour-stats.s', TOUR), '--stats']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('tour: rings, traps, paging\n');
    expect(r.stderr).toMatch(/cycles/);
    expect(r.stderr).toMatch(/instructions/);
    expect(r.stderr).toMatch(/guest user/);
    expect(r.stderr).toMatch(/Syscall 28/);
    expect(r.stderr).toMatch(/TLB/);
  });

  it('--max-cycles stops an infinite loop with exit code 3 and says why', () => {
    const r = ringlab(['run', cli.write('forever.s', INFINITE), '--max-cycles', '10000'], { spawn: true });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cycle limit of 10,000 reached/);
    expect(r.stderr).toMatch(/--max-cycles/);
    expectNoStackTrace(r);
  });

  it('--max-cycles accepts 1e6, 1_000_000 and hex', () => {
    for (const n of ['1e4', '10_000', '0x2710']) {
      const r = ringlab(['run', cli.write('forever-n.s', INFINITE), '--max-cycles', n]);
      expect(r.status, n).toBe(3);
      expect(r.stderr, n).toMatch(/cycle limit of 10,000 reached/);
    }
  });

  it('--input FILE feeds the console input', () => {
    const input = cli.write('input.txt', 'HAL');
    const r = ringlab(['run', cli.write('shift.s', SHIFT_INPUT), '--input', input]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('IBM');
  });

  it("--input - reads the console input from stdin", () => {
    const r = ringlab(['run', cli.write('shift-stdin.s', SHIFT_INPUT), '--input', '-'], { input: 'abc', spawn: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('bcd');
  });

  it('runs with no console input as if input had ended', () => {
    const r = ringlab(['run', cli.write('shift-none.s', SHIFT_INPUT)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--preset changes the cost model, not the behaviour', () => {
    const file = cli.write('tour-preset.s', TOUR);
    const a = JSON.parse(ringlab(['run', file, '--json']).stdout);
    const b = JSON.parse(ringlab(['run', file, '--json', '--preset', 'vtx-2006']).stdout);
    expect(b.stats.costPreset).toBe('vtx-2006');
    expect(b.console).toBe(a.console);
    expect(b.stats.traps.Syscall).toBe(a.stats.traps.Syscall);
    expect(b.stats.worlds.transition.cycles).toBeGreaterThan(a.stats.worlds.transition.cycles);
  });

  it('--memory sets the physical memory size, and a program that does not fit exits 3', () => {
    const far = cli.write('far.s', '.org 0x20000\n_start: halt\n');
    expect(ringlab(['run', far, '--memory', '256K']).status).toBe(0);
    const r = ringlab(['run', far, '--memory', '64K']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot place .* physical memory is 0x10000 bytes/);
    expect(r.stderr).toMatch(/--memory/);
    expectNoStackTrace(r);
  });

  it('is deterministic: two --json runs of the same program give identical output', () => {
    const file = cli.write('tour-twice.s', TOUR);
    const first = ringlab(['run', file, '--json']);
    const second = ringlab(['run', file, '--json']);
    expect(first.status).toBe(0);
    expect(JSON.parse(second.stdout).stats).toEqual(JSON.parse(first.stdout).stats);
    expect(second.stdout).toBe(first.stdout);
  });
});
