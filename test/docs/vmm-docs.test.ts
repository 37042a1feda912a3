// docs/vmm-te.md, vmm-vtx.md and vmm-pv.md quote the figures of real runs. The headline ones
// (slowdown tables, per-call cycle counts) are recomputed here from the rows they come from, as
// test/docs/benchmarks.test.ts does for docs/benchmarks.md, so the docs cannot drift from the
// code. If this fails after a change to the kernel, a VMM or the cost model, re-measure the
// doc's figures (each doc says how) and update the prose if the story moved.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { times } from '../../src/bench/findings.js';
import { rowOf, runRow, type RowRuns } from '../../src/bench/measure.js';
import { COST_PRESETS } from '../../src/machine/costs.js';
import { ROOT } from '../cli/helpers.js';

const doc = (name: string): string => readFileSync(join(ROOT, 'docs', name), 'utf8').replace(/\s+/g, ' ');

const rows = new Map<string, RowRuns>();
function runs(config: string, workload: string, preset: string): RowRuns {
  const key = `${config} ${workload} ${preset}`;
  let row = rows.get(key);
  if (!row) rows.set(key, (row = runRow(config, workload, COST_PRESETS[preset]!)));
  return row;
}

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
