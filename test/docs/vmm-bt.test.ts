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
import { costPreset } from '../../src/machine/costs.js';
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

/** Section 5's trace: every entry to the monitor that a store to a traced frame caused during a
 *  ptemod boot of 8 iterations under vtx-2006 (the first 15), with the cycles from the trap to
 *  the return to the guest; and the first retranslated store's words after its retranslation. */
export function adaptiveTrace(): { events: string; patched: string } {
  const prepared = findConfig('bt')!.prepare({ workloads: ['ptemod'], iterations: 8, costs: costPreset('vtx-2006') });
  const m = prepared.machine;
  const vmm = prepared.images.find((i) => i.kind === 'vmm')!.image;
  const kernel = prepared.images.find((i) => i.kind === 'kernel')!.image;
  const layout = new VmmLayout(vmm);
  const words = m.memory.words;
  const sym = (n: string): number => findSymbol(vmm, n)!.value >>> 0;
  const stat = (n: string): number => words[layout.vmmPhysical(sym(n)) >>> 2]! >>> 0;
  const pcmap = (tc: number): number => words[(layout.vmmPhysical(sym('BT_PCMAP')) + tc - sym('BT_TC')) >>> 2]! >>> 0;
  const word = (tc: number): number => words[layout.vmmPhysical(tc) >>> 2]! >>> 0;
  const isa = isaWith([]);
  const named = kernel.symbols.filter((k) => !k.name.includes('.')).sort((a, b) => (b.value >>> 0) - (a.value >>> 0));
  const where = (pc: number): string => { const k = named.find((x) => x.value >>> 0 <= pc)!; return `${k.name}+${pc - (k.value >>> 0)}`; };
  const line = (tc: number): string => `${hex(tc)}  ${disassembleWord(isa, word(tc), tc).padEnd(28)} ${hex(pcmap(tc) & ~3)} ${FLAGS[pcmap(tc) & 3]}`;
  const counters = ['stat_trace_faults', 'stat_bt_adaptations', 'stat_bt_pt_callouts', 'stat_bt_plain_callouts', 'stat_trace_updates'];
  const events: string[] = [];
  let patched = '';
  let inVmm = false;
  let start = 0;
  let epc = 0;
  let before: number[] = [];
  const region = (pc: number): boolean => pc >= layout.vmmBase && pc < sym('BT_TC');
  for (let steps = 0; steps < 50_000_000 && !m.cpu.halted && events.length < 15; steps++) {
    if (!inVmm && m.cpu.ring === 0 && region(m.cpu.pc >>> 0)) {
      [inVmm, start, epc, before] = [true, m.cpu.cycles, m.cpu.epc >>> 0, counters.map(stat)];
    } else if (inVmm && m.cpu.ring !== 0) {
      inVmm = false;
      const [faults, adapted, pt, other, updates] = counters.map((c, i) => stat(c) - before[i]!);
      if (faults || pt || other) {
        const kind = adapted ? 'trace fault, retranslated' : faults ? 'trace fault' : pt ? 'callout (page table)' : 'callout (other)';
        const pc = pcmap(epc) & ~3;
        events.push(`${where(pc).padEnd(18)} ${hex(pc)}  ${kind.padEnd(26)} ${String(m.cpu.cycles - start).padStart(4)} cycles${updates ? ' (shadow entry updated)' : ''}`);
        if (adapted && !patched) {
          const stub = (epc + ((word(epc) << 12) >> 10)) >>> 0;
          patched = [line(epc), line(epc + 4), line(epc + 8), '...', line(stub), line(stub + 4), line(stub + 8)].join('\n');
        }
      }
    }
    m.step();
  }
  return { events: events.join('\n'), patched };
}

describe('docs/vmm-bt.md', () => {
  it('traces one adaptive retranslation: the trace faults, the retranslation, the callouts, with their cycles', () => {
    const { events, patched } = adaptiveTrace();
    if (!doc.includes(events) || !doc.includes(patched)) console.log(`${events}\n\n${patched}`);
    expect(doc).toContain(events);
    expect(doc).toContain(patched);
  }, 300_000);

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
