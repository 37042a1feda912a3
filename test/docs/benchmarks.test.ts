// docs/benchmarks.md quotes figures of the overhead and nano suites. Each quoted figure is
// recomputed here from the rows it comes from (measured the way the harness measures them), so
// the doc cannot drift from what `npm start` prints. If this fails after a change to the kernel,
// a VMM or the cost model, update the doc with the new figures (and the prose if the story moved).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { times } from '../../src/bench/findings.js';
import { rowOf, type RowRuns } from '../../src/bench/measure.js';
import { grouped } from '../../src/bench/render/format.js';
import type { Row } from '../../src/bench/results.js';
import { ROOT } from '../cli/helpers.js';
import { runs } from './rows.js';

const DOC = readFileSync(join(ROOT, 'docs', 'benchmarks.md'), 'utf8').replace(/\s+/g, ' ');

/** Per-iteration slowdowns of some configs against native, formatted as the report does. */
function slowdowns(workload: string, preset: string, configs: readonly string[]): Record<string, string> {
  const native: RowRuns = runs('native', workload, preset);
  const out: Record<string, string> = {};
  for (const config of configs) out[config] = times(rowOf(config, workload, preset, runs(config, workload, preset), native).slowdownPerIteration);
  return out;
}

/** The rows of a workload under a preset, native's first, as the harness builds them. */
function rows(workload: string, preset: string, configs: readonly string[]): Record<string, Row> {
  const native: RowRuns = runs('native', workload, preset);
  return Object.fromEntries(['native', ...configs].map((c) => [c, rowOf(c, workload, preset, runs(c, workload, preset), native)]));
}

const VMMS = ['te', 'vtx', 'vtx-ept', 'pv'] as const;

describe('docs/benchmarks.md', () => {
  it('quotes the syscall and io figures of the default preset', () => {
    const syscall = slowdowns('syscall', 'default', ['te', 'vtx']);
    expect(DOC).toContain(`syscall**: te ${syscall['te']}, vtx ${syscall['vtx']} (default)`);
    const io = slowdowns('io', 'default', ['te', 'vtx']);
    expect(DOC).toContain(`te ${io['te']}, vtx ${io['vtx']} (default)`);
    expect(DOC).toContain(`with \`vtx-2006\` vtx is ${slowdowns('io', 'vtx-2006', ['vtx'])['vtx']}`);
  });

  it('quotes the first-generation paging figures', () => {
    const pagefault = slowdowns('pagefault', 'vtx-2006', ['te', 'vtx', 'vtx-ept']);
    const ctxswitch = slowdowns('ctxswitch', 'vtx-2006', ['te', 'vtx', 'vtx-ept']);
    expect(DOC).toContain(`on pagefault (${pagefault['vtx']} against ${pagefault['te']}) and ctxswitch (${ctxswitch['vtx']} against ${ctxswitch['te']})`);
    expect(DOC).toContain(`(vtx-ept ${pagefault['vtx-ept']} and ${ctxswitch['vtx-ept']})`);
    const ptemod = slowdowns('ptemod', 'vtx-2006', ['te', 'vtx']);
    expect(DOC).toContain(`vtx ${ptemod['vtx']}, te ${ptemod['te']}`);
    const nano = slowdowns('nano-ptemod', 'vtx-2006', ['te', 'vtx']);
    expect(DOC).toContain(`${nano['vtx']} under vtx against ${nano['te']} under te`);
  });

  it('quotes the paravirtualized kernel against te', () => {
    const syscall = slowdowns('syscall', 'default', ['pv', 'te']);
    const ctxswitch = slowdowns('ctxswitch', 'default', ['pv', 'te']);
    const ptemod = slowdowns('ptemod', 'default', ['pv', 'te']);
    expect(DOC).toContain(
      `syscall ${syscall['pv']} against ${syscall['te']}, ctxswitch ${ctxswitch['pv']} against ${ctxswitch['te']}, ptemod ${ptemod['pv']} against ${ptemod['te']} (default)`,
    );
  });

  it('docs/popek-goldberg.md quotes pv against te and vtx', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'popek-goldberg.md'), 'utf8');
    for (const workload of ['syscall', 'pagefault', 'ctxswitch', 'ptemod']) {
      const s = slowdowns(workload, 'default', ['te', 'pv', 'vtx']);
      expect(doc).toContain(`| ${workload} | ${s['te']} | ${s['pv']} | ${s['vtx']} |`);
    }
  });

  it('quotes the storage workloads and the random-read finding (default)', () => {
    const line = (w: string) => `${w} ${VMMS.map((c) => `${c} ${times(rows(w, 'default', VMMS)[c]!.slowdownPerIteration)}`).join(', ')}`;
    expect(DOC).toContain(`(default): ${['fileio', 'fsmeta', 'diskread'].map(line).join('; ')}.`);
    const r = rows('diskread', 'default', VMMS);
    const native = r['native']!.perIteration;
    const share = (c: string) => `${Math.round((100 * native.cycles) / r[c]!.perIteration.cycles)}%`;
    expect(DOC).toContain(`random 4 KiB reads per cycle are te ${share('te')}, vtx ${share('vtx')}, vtx-ept ${share('vtx-ept')} and pv ${share('pv')} of native's`);
    const extra = (c: string) => grouped(r[c]!.perIteration.cycles - native.cycles);
    expect(DOC).toContain(
      `One read costs ${grouped(native.cycles)} cycles natively, ${grouped(native.attribution.idle)} of them waiting for the device; ` +
        `the VMM adds ${extra('te')} cycles per read under te, ${extra('vtx')} under vtx, ${extra('vtx-ept')} under vtx-ept and ${extra('pv')} under pv.`,
    );
  });

  it('quotes the process workloads under both presets, and the forkwait finding', () => {
    for (const w of ['forkwait', 'spawn', 'pipe']) {
      for (const preset of ['default', 'vtx-2006']) {
        const r = rows(w, preset, VMMS);
        const cell = (c: string) => `${grouped(r[c]!.perIteration.cycles)} (${times(r[c]!.slowdownPerIteration)})`;
        expect(DOC).toContain(`| ${w} | \`${preset}\` | ${grouped(r['native']!.perIteration.cycles)} | ${VMMS.map(cell).join(' | ')} |`);
      }
    }
    const fork = rows('forkwait', 'vtx-2006', VMMS);
    const spawn = rows('spawn', 'vtx-2006', VMMS);
    const s = (r: Record<string, Row>, c: string) => times(r[c]!.slowdownPerIteration);
    expect(DOC).toContain(`forkwait vtx ${s(fork, 'vtx')} against te ${s(fork, 'te')}, spawn vtx ${s(spawn, 'vtx')} against te ${s(spawn, 'te')}`);
    const removed = (r: Record<string, Row>) => {
      const [v, e] = [r['vtx']!.slowdownPerIteration, r['vtx-ept']!.slowdownPerIteration];
      return `${Math.round((100 * (v - e)) / (v - 1))}%`;
    };
    expect(DOC).toContain(`vtx-ept ${s(fork, 'vtx-ept')} and ${s(spawn, 'vtx-ept')}, ${removed(fork)} and ${removed(spawn)} of vtx's overhead gone`);
    expect(DOC).toContain(`ringlab's vtx takes ${times(fork['vtx']!.slowdownPerIteration / fork['te']!.slowdownPerIteration)} te's time per fork and wait`);
    const vtx = fork['vtx']!.perIteration;
    const native = fork['native']!.perIteration;
    const extra = vtx.cycles - native.cycles;
    const share = (k: 'transitions' | 'vmm') => `${Math.round((100 * (vtx.attribution[k] - native.attribution[k])) / extra)}%`;
    expect(DOC).toContain(`that is ${Math.round(vtx.vmExits)} VM exits per iteration`);
    expect(DOC).toContain(`Of vtx's ${grouped(extra)} extra cycles per iteration ${share('transitions')} are transitions (2,400 cycles an exit round trip) and ${share('vmm')} the VMM's work`);
  });

  it('quotes diskread under vtx-2006, named explicitly', () => {
    const r = rows('diskread', 'vtx-2006', VMMS);
    const native = r['native']!.perIteration.cycles;
    for (const c of VMMS) expect(times(r[c]!.slowdownPerIteration)).toBe('1.00x');
    const extras = VMMS.map((c) => ({ c, extra: r[c]!.perIteration.cycles - native })).sort((a, b) => a.extra - b.extra);
    const [least, most] = [extras[0]!, extras[extras.length - 1]!];
    expect(DOC).toContain(
      `one diskread iteration ${grouped(native)} natively, beside which the VMMs' ${grouped(least.extra)} (${least.c}) to ${grouped(most.extra)} (${most.c}) extra cycles per read`,
    );
    expect(DOC).toContain(`under vtx a read costs ${Math.round(r['vtx']!.perIteration.vmExits)} VM exits`);
  });
});
