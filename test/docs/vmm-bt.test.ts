// docs/vmm-bt.md quotes one translated block and the nanobenchmarks of bt, te and vtx under the
// vtx-2006 preset. Both are recomputed here, so the doc cannot drift from the code. If this
// fails after a change to the kernel, the translator or the cost model, paste the new block
// (the test prints it) and re-measure the table (`ringlab bench nano --preset vtx-2006`).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { disassembleWord } from '../../src/asm/disasm.js';
import { computeFindings } from '../../src/bench/findings.js';
import { rowOf } from '../../src/bench/measure.js';
import { findConfig } from '../../src/configs/index.js';
import { VmmLayout } from '../../src/configs/vmm.js';
import { isaWith } from '../../src/isa/index.js';
import { ROOT } from '../cli/helpers.js';
import { runs } from './rows.js';

const doc = readFileSync(join(ROOT, 'docs', 'vmm-bt.md'), 'utf8');
const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const FLAGS = ['start', 'mid', 'exit', 'callout'];

/** The guest kernel's trap entry, as the kernel has it and as bt translated it during a
 *  nano-syscall boot: every TC word with the guest pc and flag its PCMAP word holds. */
export function tracedBlock(): { before: string; after: string } {
  const prepared = findConfig('bt')!.prepare({ workloads: ['nano-syscall'], iterations: 10 });
  prepared.machine.run(100_000_000);
  const vmm = prepared.images.find((i) => i.kind === 'vmm')!.image;
  const kernel = prepared.images.find((i) => i.kind === 'kernel')!.image;
  const layout = new VmmLayout(vmm);
  const words = prepared.machine.memory.words;
  const sym = (n: string): number => findSymbol(vmm, n)!.value >>> 0;
  const isa = isaWith([]);
  const pc = findSymbol(kernel, 'trap_entry')!.value;
  const hashIndex = pc & sym('BT_HASH_MASK');
  expect(words[(sym('BT_VP_PHYS') + 0x1000 + hashIndex) >>> 2]! >>> 0).toBe(pc);
  const entry = words[(sym('BT_VP_PHYS') + 0x3000 + hashIndex) >>> 2]! >>> 0;
  const pcmap = (tc: number): number => words[(layout.vmmPhysical(tc) - sym('BT_TC_PHYS') + layout.vmmPhysical(sym('BT_PCMAP'))) >>> 2]! >>> 0;
  const after: string[] = [];
  let end = pc; // the block's last guest instruction (an exit's jump maps to its target: skipped)
  for (let tc = entry; ; tc += 4) {
    const word = words[layout.vmmPhysical(tc) >>> 2]! >>> 0;
    const m = pcmap(tc);
    after.push(`${hex(tc)}  ${disassembleWord(isa, word, tc).padEnd(28)} ${hex(m & ~3)} ${FLAGS[m & 3]}`);
    if ((m & 3) === 0 && (pcmap(tc + 4) & 3) !== 2) end = Math.max(end, m & ~3);
    if ((m & 3) === 2 && (pcmap(tc + 4) & 3) === 1) break; // the last exit, then the next block's entry
  }
  const before: string[] = [];
  for (let a = pc; a <= end; a += 4) before.push(`${hex(a)}  ${disassembleWord(isa, words[(layout.guestBase + a) >>> 2]! >>> 0, a)}`);
  return { before: before.join('\n'), after: after.join('\n') };
}

describe('docs/vmm-bt.md', () => {
  it('traces one block, before and after translation, as the translator makes it', () => {
    const { before, after } = tracedBlock();
    if (!doc.includes(before) || !doc.includes(after)) console.log(`${before}\n\n${after}`);
    expect(doc).toContain(before);
    expect(doc).toContain(after);
  }, 120_000);

  it('quotes the seven nanobenchmarks per iteration under vtx-2006: native, bt, te, vtx', () => {
    const cell = (config: string, workload: string): string => {
      const row = rowOf(config, workload, 'vtx-2006', runs(config, workload, 'vtx-2006'), runs('native', workload, 'vtx-2006'));
      return Math.round(row.perIteration!.cycles).toLocaleString('en-US');
    };
    const lines = ['nano-syscall', 'nano-in', 'nano-csrw', 'nano-callret', 'nano-pgfault', 'nano-divzero', 'nano-ptemod'].map(
      (w) => `| ${w} | ${cell('native', w)} | ${cell('bt', w)} | ${cell('te', w)} | ${cell('vtx', w)} |`,
    );
    if (!lines.every((line) => doc.includes(line))) console.log(lines.join('\n'));
    for (const line of lines) expect(doc).toContain(line);
  }, 900_000);

  it('says which of the paper\'s seven orders bt and vtx show, as the nano suite\'s findings compute them', () => {
    const NANO = ['nano-syscall', 'nano-in', 'nano-csrw', 'nano-callret', 'nano-pgfault', 'nano-divzero', 'nano-ptemod'];
    const rows = NANO.flatMap((w) => ['native', 'bt', 'vtx'].map((c) => rowOf(c, w, 'vtx-2006', runs(c, w, 'vtx-2006'), runs('native', w, 'vtx-2006'))));
    const held = computeFindings(rows).filter((f) => f.id.startsWith('adams-agesen/')).map((f) => [f.id.split('/')[1], f.holds]);
    expect(held).toEqual(NANO.map((w) => [w, w !== 'nano-csrw' && w !== 'nano-callret']));
    expect(doc).toContain('five of the seven do (syscall,\ndivide by zero above vtx; `in`, page fault, PTE write below it), csrw and call/ret do not');
  }, 900_000);
});
