// docs/vmm-te.md, vmm-vtx.md and vmm-pv.md quote the figures of real runs. The headline ones
// (slowdown tables, per-call cycle counts) are recomputed here from the rows they come from, as
// test/docs/benchmarks.test.ts does for docs/benchmarks.md, so the docs cannot drift from the
// code. If this fails after a change to the kernel, a VMM or the cost model, re-measure the
// doc's figures (each doc says how) and update the prose if the story moved.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { times } from '../../src/bench/findings.js';
import { rowOf, type RowRuns } from '../../src/bench/measure.js';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig } from '../../src/configs/index.js';
import { vmcsOffset } from '../../src/isa/vmx.js';
import { COST_PRESETS } from '../../src/machine/costs.js';
import { ROOT } from '../cli/helpers.js';
import { runs } from './rows.js';

const doc = (name: string): string => readFileSync(join(ROOT, 'docs', name), 'utf8').replace(/\s+/g, ' ');

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
/** Per-iteration slowdown as the docs print it: three significant figures, no "x". */
const perIteration = (config: string, workload: string, preset: string): string =>
  times(rowOf(config, workload, preset, runs(config, workload, preset), runs('native', workload, preset)).slowdownPerIteration).replace(/x$/, '');
/** Whole-run slowdown: two decimals. */
const wholeRun = (config: string, workload: string, preset: string): string =>
  (runs(config, workload, preset).single.measurement.cycles / runs('native', workload, preset).single.measurement.cycles).toFixed(2);
/** Cycles of one operation: (cycles at 2N - cycles at N) / N. */
const perOp = (config: string, workload: string, preset: string): string => {
  const r = runs(config, workload, preset);
  return grouped((r.double.measurement.cycles - r.single.measurement.cycles) / r.single.measurement.iterations);
};
const cycles = (config: string, workload: string, preset: string): string => grouped(runs(config, workload, preset).single.measurement.cycles);

const WORKLOADS = ['compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'ptemod'] as const;

describe('docs/vmm-te.md', () => {
  const te = doc('vmm-te.md');
  it('quotes each workload against native: cycles, whole run, per iteration', () => {
    for (const w of WORKLOADS) {
      expect(te).toContain(`| ${w} | ${cycles('native', w, 'default')} | ${cycles('te', w, 'default')} | ${wholeRun('te', w, 'default')} | ${perIteration('te', w, 'default')} |`);
    }
  });
  it('quotes the cost of one system call', () => {
    expect(te).toContain(`${perOp('native', 'nano-syscall', 'default')} cycles per call natively and ${perOp('te', 'nano-syscall', 'default')} under \`te\``);
  });
});

describe('docs/vmm-vtx.md', () => {
  const vtx = doc('vmm-vtx.md');
  it('quotes the figure tables of both presets', () => {
    for (const preset of ['default', 'vtx-2006']) {
      for (const w of WORKLOADS) {
        for (const c of ['te', 'vtx', 'vtx-ept']) {
          expect(vtx).toContain(`| ${c} | ${cycles(c, w, preset)} | ${wholeRun(c, w, preset)} | ${perIteration(c, w, preset)} |`);
        }
      }
    }
  });
  it('quotes a system call and a port read in every config', () => {
    const op = (c: string, w: string, p = 'default') => perOp(c, w, p);
    expect(vtx).toContain(
      `${op('native', 'nano-syscall')} cycles natively, ${op('te', 'nano-syscall')} under \`te\`, ${op('vtx', 'nano-syscall')} under \`vtx\` and ${op('vtx-ept', 'nano-syscall')} under \`vtx-ept\``,
    );
    for (const preset of ['default', 'vtx-2006']) {
      expect(vtx).toContain(`| \`${preset}\` | ${['native', 'te', 'vtx', 'vtx-ept'].map((c) => op(c, 'nano-in', preset)).join(' | ')} |`);
    }
  });
});

/** Section 4 of vmm-vtx.md: `ctxswitch` (3 iterations) under `vtx`, stepped to the first VM exit of
 *  the guest kernel's `out CONSOLE_DATA` in `console_write` (the console's write, programs/kernel/console.s), then through the VMM to the entry. */
function traceConsoleOut(preset: string): { exit: number; vmm: number; entry: number; instructions: number } {
  const prepare = () => {
    const prepared = findConfig('vtx')!.prepare({ workloads: ['ctxswitch'], iterations: 3, costs: COST_PRESETS[preset]! });
    const vmm = prepared.images.find((i) => i.kind === 'vmm')!.image;
    const kernel = prepared.images.find((i) => i.kind === 'kernel')!.image;
    const vmcs = findSymbol(vmm, 'VMCS_PHYS')!.value;
    const word = (field: string) => prepared.machine.memory.words[(vmcs + vmcsOffset(field)) >>> 2]! >>> 0;
    return { machine: prepared.machine, word, outPc: findSymbol(kernel, 'console_write.put')!.value + 4 };
  };
  // Stepping the whole boot up to the exit took 10 s a preset. A first machine runs to the end
  // and remembers the cycle of the VM entry before the exit; a second, the same, runs to that
  // cycle and steps from there (the engines stop at the same instruction for any cycle limit).
  const scout = prepare();
  let lastEntry = 0;
  let entryBeforeOut: number | undefined;
  scout.machine.cpu.onModeChange = (_ring, nonRoot, cycle) => {
    if (nonRoot) lastEntry = cycle;
    else if (entryBeforeOut === undefined && scout.word('G_PC') === scout.outPc && scout.word('X_QUAL') === 0x10010) entryBeforeOut = lastEntry;
  };
  scout.machine.run();
  expect(entryBeforeOut).toBeDefined();
  const { machine, word, outPc } = prepare();
  const cpu = machine.cpu;
  machine.run(entryBeforeOut);
  expect(cpu.nonRoot).toBe(true);
  let traced: { exit: number; vmm: number; entry: number; instructions: number } | undefined;
  for (;;) {
    const nonRoot = cpu.nonRoot;
    const cycles = cpu.cycles;
    const transition = cpu.transitionCycles;
    expect(machine.step().kind).toBe('step');
    const spent = cpu.transitionCycles - transition;
    if (nonRoot && !cpu.nonRoot && word('G_PC') === outPc && word('X_QUAL') === 0x10010) {
      traced = { exit: spent, vmm: 0, entry: 0, instructions: 0 };
    } else if (!nonRoot && traced) {
      traced.instructions++;
      traced.vmm += cpu.cycles - cycles - spent;
      if (cpu.nonRoot) return { ...traced, entry: spent };
    }
  }
}

describe('docs/vmm-vtx.md, one exit traced', () => {
  const vtx = doc('vmm-vtx.md');
  it('quotes the out CONSOLE_DATA exit under both presets', () => {
    const [d, old] = [traceConsoleOut('default'), traceConsoleOut('vtx-2006')];
    const sum = (t: typeof d) => `${grouped(t.exit + t.vmm + t.entry)} = ${grouped(t.exit)} (exit) + ${t.vmm} (VMM) + ${grouped(t.entry)} (entry)`;
    expect(vtx).toContain(`| the \`out\` | 10 | ${sum(d)} | ${sum(old)} |`);
    expect(vtx).toContain(`| instructions | 1 guest | ${d.instructions} VMM; the guest's \`out\` never retires | ${old.instructions} VMM |`);
    expect(vtx).toContain(`VMM: ${d.instructions} instructions, ${d.vmm} cycles`);
  });
});

describe('docs/kernel.md, the tick', () => {
  const kernel = doc('kernel.md');
  it('quotes ctxswitch at a 10,000-cycle quantum with vtx-2006, under vtx and natively', () => {
    const boot = (config: string) => findConfig(config)!.boot({ workloads: ['ctxswitch'], quantum: 10_000, costs: COST_PRESETS['vtx-2006']! });
    const vtx = boot('vtx');
    const native = boot('native');
    expect(vtx.exitCode).toBe(0);
    expect(native.exitCode).toBe(0);
    expect(kernel).toContain(
      `${grouped(vtx.stats.cycles)} cycles against ${grouped(native.stats.cycles)} natively; \`--stats\` shows \`timer ticks coalesced: ${vtx.stats.vmm!.coalescedTicks}\` of ${vtx.stats.vmm!.injectedInterrupts}`,
    );
  });
});

describe('docs/vmm-pv.md', () => {
  const pv = doc('vmm-pv.md');
  it('quotes the whole-run slowdown tables of both presets', () => {
    for (const preset of ['default', 'vtx-2006']) {
      for (const w of WORKLOADS) {
        expect(pv).toContain(`| ${w} | ${cycles('native', w, preset)} | ${['te', 'vtx', 'vtx-ept', 'pv'].map((c) => wholeRun(c, w, preset)).join(' | ')} |`);
      }
    }
  });
  it('quotes the per-iteration slowdowns against te', () => {
    for (const preset of ['default', 'vtx-2006']) {
      for (const w of WORKLOADS.slice(1)) expect(pv).toContain(`${w} ${perIteration('pv', w, preset)} (${perIteration('te', w, preset)})`);
    }
  });
  it('quotes the cost of one system call', () => {
    expect(pv).toContain(`${perOp('pv', 'nano-syscall', 'default')} cycles per call under \`pv\` (default preset; ${perOp('pv', 'nano-syscall', 'vtx-2006')}`);
  });
});
