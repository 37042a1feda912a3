// docs/benchmarks.md quotes figures of the overhead and nano suites. Each quoted figure is
// recomputed here from the rows it comes from (measured the way the harness measures them), so
// the doc cannot drift from what `npm start` prints. If this fails after a change to the kernel,
// a VMM or the cost model, update the doc with the new figures (and the prose if the story moved).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { times } from '../../src/bench/findings.js';
import { rowOf, type RowRuns } from '../../src/bench/measure.js';
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
});
