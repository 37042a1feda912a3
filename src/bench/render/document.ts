// The content of report.md and report.html, built once as a list of blocks so the two files say
// exactly the same thing; markdown.ts and html.ts only choose the syntax.

import type { BenchResults } from '../results.js';
import { bytes, cycles as fmtCycles, grouped, percent, plain, rate, ratio, severity, sig3, type Severity } from './format.js';
import {
  attributionTotal,
  bestRows,
  byWorkload,
  configNames,
  crossoverText,
  determinismStatement,
  drawable,
  type FileNames,
  fileNames,
  formatValue,
  howToRead,
  presetNames,
  rowPresets,
  rowsOf,
  SEGMENTS,
  sortedPoints,
  sweepAxes,
  sweepValue,
  workloadNames,
} from './model.js';
import { attributionSvg, slowdownSvg, sweepSvg } from './svg.js';

/** A run of text: plain, bold or code. */
export type Inline = string | { bold: string } | { code: string };
export type Text = Inline[];

export interface Cell {
  text: string;
  severity?: Severity;
  best?: boolean;
  /** Stands out as a problem (output differs from native). */
  alert?: boolean;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: Text }
  | { kind: 'list'; items: { text: Text; mark?: 'holds' | 'fails' }[] }
  | { kind: 'table'; head: string[]; align: ('left' | 'right')[]; rows: Cell[][] }
  | { kind: 'figure'; file: string; svg: string; alt: string };

function cellsOf(values: string[]): Cell[] {
  return values.map((text) => ({ text }));
}

function howItWasRun(r: BenchResults): Block[] {
  const presets = presetNames(r);
  const configs = configNames(r);
  const workloads = workloadNames(r);
  const describe = (names: string[], descriptions: Record<string, string> | undefined): Text => {
    const out: Text = [];
    const described = names.some((n) => descriptions?.[n]);
    names.forEach((n, i) => {
      if (i > 0) out.push(described ? '; ' : ', ');
      out.push({ code: n });
      const d = descriptions?.[n];
      if (d) out.push(` (${d})`);
    });
    return out.length > 0 ? out : ['none'];
  };
  const items: { text: Text }[] = [
    { text: ['Suite: ', { code: r.suite }, ` (results schema ${r.schema}).`] },
    { text: ['Revision ', { code: r.revision }, `, ringlab ${r.ringlabVersion}.`] },
    { text: ['Configurations: ', ...describe(configs, r.configDescriptions), '.'] },
    { text: ['Workloads: ', ...describe(workloads, r.workloadDescriptions), '.'] },
    {
      text: [
        `Machine: ${bytes(r.machine.memoryBytes)} of guest memory, timer quantum ${grouped(r.machine.timerQuantum)} cycles, ` +
          `TLB of ${grouped(r.machine.tlbEntries)} entries (${grouped(r.machine.tlbWays)}-way).`,
      ],
    },
    // The descriptions go here, not in the price table: a sentence in a column of numbers made the
    // table wider than the page.
    {
      text: [
        `Cost preset${presets.length === 1 ? '' : 's'}: `,
        ...describe(presets, Object.fromEntries(r.presets.map((p) => [p.name, p.description]))),
        r.presets.length > 0 ? '. Every price, in cycles:' : '.',
      ],
    },
  ];
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: 'How it was run' }, { kind: 'list', items }];
  if (r.presets.length > 0) {
    const fields = new Set<string>();
    for (const p of r.presets) for (const k of Object.keys(p)) if (k !== 'name' && k !== 'description') fields.add(k);
    blocks.push({
      kind: 'table',
      head: ['field', ...r.presets.map((p) => p.name)],
      align: ['left', ...r.presets.map(() => 'right' as const)],
      rows: [
        ...[...fields].map((f) => [
          { text: f },
          ...r.presets.map((p) => {
            const v = (p as unknown as Record<string, unknown>)[f];
            return { text: typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? plain(v) : '—' };
          }),
        ]),
      ],
    });
  }
  blocks.push({ kind: 'paragraph', text: [{ bold: 'Determinism.' }, ` ${determinismStatement(r)}`] });
  return blocks;
}

function findings(r: BenchResults): Block[] {
  if (r.findings.length === 0) return [];
  const held = r.findings.filter((f) => f.holds).length;
  return [
    { kind: 'heading', level: 2, text: 'Findings' },
    { kind: 'paragraph', text: [`Computed from the figures below: ${held} of ${r.findings.length} claims from the literature hold in this run.`] },
    {
      kind: 'list',
      items: r.findings.map((f) => ({
        mark: f.holds ? ('holds' as const) : ('fails' as const),
        text: [f.holds ? '✓ holds: ' : '✗ does not hold: ', f.claim, ' ', { bold: f.text }, ' (', { code: f.id }, ')'],
      })),
    },
  ];
}

function slowdownSection(r: BenchResults, preset: string, files: FileNames, svg: (name: string, make: () => string) => string): Block[] {
  const rows = rowsOf(r, preset);
  const best = bestRows(rows);
  const p = r.presets.find((x) => x.name === preset);
  const out: Block[] = [{ kind: 'heading', level: 3, text: `Preset ${preset}` }];
  if (p) out.push({ kind: 'paragraph', text: ['Cost preset ', { code: preset }, `: ${p.description}.`] });
  const file = files.slowdown.get(preset)!;
  out.push({ kind: 'figure', file, svg: svg(file, () => slowdownSvg(r, preset)), alt: `Slowdown per iteration by workload and config, preset ${preset}` });
  const cells: Cell[][] = [];
  for (const group of byWorkload(rows))
    group.rows.forEach((row, i) => {
      cells.push([
        { text: i === 0 ? row.workload : '' },
        { text: row.config },
        { text: ratio(row.slowdown), severity: severity(row.slowdown) },
        { text: ratio(row.slowdownPerIteration), severity: severity(row.slowdownPerIteration), best: best.has(row) },
        { text: fmtCycles(row.perIteration.cycles) },
        { text: rate(row.trapsPer1k) },
        { text: rate(row.vmExitsPer1k) },
        row.matchesNative ? { text: 'same as native' } : { text: 'DIFFERS from native', alert: true },
      ]);
    });
  out.push({
    kind: 'table',
    head: ['workload', 'config', 'slowdown (whole run)', 'slowdown (per iteration)', 'cycles per iteration', 'traps/1k', 'exits/1k', 'output'],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: cells,
  });
  return out;
}

function attributionSection(r: BenchResults, preset: string, files: FileNames, svg: (name: string, make: () => string) => string): Block[] {
  const rows = rowsOf(r, preset);
  const file = files.attribution.get(preset)!;
  const out: Block[] = [
    { kind: 'heading', level: 3, text: `Preset ${preset}` },
    { kind: 'figure', file, svg: svg(file, () => attributionSvg(r, preset)), alt: `Cycle attribution per iteration by workload and config, preset ${preset}` },
  ];
  const cells: Cell[][] = [];
  for (const group of byWorkload(rows))
    group.rows.forEach((row, i) => {
      const a = row.perIteration.attribution;
      const d = drawable(a);
      const total = attributionTotal(a);
      cells.push([{ text: i === 0 ? row.workload : '' }, { text: row.config }, ...cellsOf(SEGMENTS.map((s) => percent(d[s.key], total))), { text: fmtCycles(row.perIteration.cycles) }]);
    });
  out.push({
    kind: 'table',
    head: ['workload', 'config', ...SEGMENTS.map((s) => s.label), 'cycles per iteration'],
    align: ['left', 'left', ...SEGMENTS.map(() => 'right' as const), 'right'],
    rows: cells,
  });
  return out;
}

function sweepSection(r: BenchResults, files: FileNames, svg: (name: string, make: () => string) => string): Block[] {
  const out: Block[] = [];
  for (const sweep of r.sweeps) {
    const { workloads, configs } = sweepAxes(r, sweep);
    const points = sortedPoints(sweep);
    out.push({ kind: 'heading', level: 2, text: `Sweep: ${sweep.label}` });
    out.push({ kind: 'paragraph', text: ['The cost-model field ', { code: sweep.parameter }, ` moves; every other price comes from preset `, { code: sweep.basePreset }, '. Each figure is a slowdown per iteration against native at that value.'] });
    const file = files.sweep.get(sweep)!;
    out.push({ kind: 'figure', file, svg: svg(file, () => sweepSvg(r, sweep)), alt: `Slowdown against ${sweep.parameter}, one line per config, one panel per workload` });
    const cells: Cell[][] = [];
    for (const w of workloads)
      configs.forEach((c, i) => {
        cells.push([
          { text: i === 0 ? w : '' },
          { text: c },
          ...points.map((p) => {
            const v = sweepValue(p, w, c);
            return { text: ratio(v), severity: severity(v) };
          }),
        ]);
      });
    if (cells.length > 0 && points.length > 0)
      out.push({
        kind: 'table',
        head: ['workload', 'config', ...points.map((p) => `${sweep.parameter} = ${formatValue(p.value)}`)],
        align: ['left', 'left', ...points.map(() => 'right' as const)],
        rows: cells,
      });
    else out.push({ kind: 'paragraph', text: ['No points in this sweep.'] });
    if (sweep.crossovers.length > 0) {
      out.push({ kind: 'paragraph', text: ['Crossovers:'] });
      out.push({ kind: 'list', items: sweep.crossovers.map((c) => ({ text: [crossoverText(c, sweep.parameter)] })) });
    }
  }
  return out;
}

function speedSection(r: BenchResults): Block[] {
  if (r.speed.length === 0) return [];
  return [
    { kind: 'heading', level: 2, text: 'Host speed' },
    { kind: 'paragraph', text: ['Emulated instructions (guest and VMM) per second of host time, in millions: the median over the samples, and the slowest and fastest sample. Unlike every other figure here, these depend on the host and vary from run to run.'] },
    {
      kind: 'table',
      head: ['config', 'workload', 'MIPS (median)', 'slowest–fastest', 'samples', 'instructions'],
      align: ['left', 'left', 'right', 'right', 'right', 'right'],
      rows: r.speed.map((s) => cellsOf([s.config, s.workload, sig3(s.mips), `${sig3(s.min)}–${sig3(s.max)}`, grouped(s.samples), grouped(s.instructions)])),
    },
  ];
}

/** Every block of the report, in order; `rendered` supplies charts already drawn (by file name). */
export function reportBlocks(r: BenchResults, rendered: Readonly<Record<string, string>> = {}): Block[] {
  const files = fileNames(r);
  const svg = (name: string, make: () => string): string => rendered[name] ?? make();
  const presets = rowPresets(r);
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `ringlab benchmark report: ${r.suite} suite` },
    ...howItWasRun(r),
    ...findings(r),
    { kind: 'heading', level: 2, text: 'How to read this report' },
    ...howToRead().map((p): Block => ({ kind: 'paragraph', text: [p] })),
  ];
  if (presets.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'Slowdown against native' });
    for (const p of presets) blocks.push(...slowdownSection(r, p, files, svg));
    blocks.push({ kind: 'heading', level: 2, text: 'Where the cycles go' });
    blocks.push({ kind: 'paragraph', text: ['Each configuration\'s cycles of one iteration (boot excluded), as shares of its own total.'] });
    for (const p of presets) blocks.push(...attributionSection(r, p, files, svg));
  }
  blocks.push(...sweepSection(r, files, svg));
  blocks.push(...speedSection(r));
  if (presets.length === 0 && r.sweeps.length === 0 && r.speed.length === 0) blocks.push({ kind: 'paragraph', text: ['No measurements in this run.'] });
  blocks.push({ kind: 'paragraph', text: [`Generated by ringlab bench from results.json (revision ${r.revision}). ${determinismStatement(r)}`] });
  return blocks;
}

/** The charts every report links to: file name to SVG text. */
export function charts(r: BenchResults): Record<string, string> {
  const files = fileNames(r);
  const out: Record<string, string> = {};
  for (const [preset, name] of files.slowdown) out[name] = slowdownSvg(r, preset);
  for (const [preset, name] of files.attribution) out[name] = attributionSvg(r, preset);
  for (const [sweep, name] of files.sweep) out[name] = sweepSvg(r, sweep);
  return out;
}
