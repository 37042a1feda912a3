// The terminal report of a benchmark run: slowdown tables per preset, stacked attribution bars,
// sweep tables, the speed table, the findings and a footer. Colour marks better and worse, but
// every fact is also in the text (figures, a '*' for the best config, distinct bar characters),
// so the output reads the same with `new Chalk({ level: 0 })`, NO_COLOR or a pipe.

import type { ChalkInstance } from 'chalk';
import type { BenchResults, Row } from '../results.js';
import { BAD, cycles as fmtCycles, grouped, MISSING, NEAR_NATIVE, rate, ratio, severity, sig3 } from './format.js';
import {
  apportion,
  bestRows,
  byWorkload,
  crossoverText,
  determinismStatement,
  formatValue,
  presetNames,
  rowPresets,
  rowsOf,
  SEGMENTS,
  sortedPoints,
  sweepAxes,
  sweepValue,
} from './model.js';

export interface TerminalOptions {
  /** Columns of one attribution bar (default 40). */
  barWidth?: number;
  /** Only ASCII characters: letters for bar segments, 'ok'/'NO' for findings, '-' for missing. */
  ascii?: boolean;
}

export interface Cell {
  text: string;
  style?: (s: string) => string;
}

export type Align = 'left' | 'right';

const width = (s: string): number => [...s].length;

function pad(s: string, w: number, align: Align): string {
  const gap = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'left' ? s + gap : gap + s;
}

/** A table with a header; widths come from the plain text, styles are applied after padding. */
export function table(c: ChalkInstance, columns: { header: string; align: Align }[], rows: Cell[][], indent = '  '): string[] {
  const widths = columns.map((col, i) => Math.max(width(col.header), ...rows.map((row) => width(row[i]?.text ?? ''))));
  const line = (cells: Cell[]): string =>
    indent +
    columns
      .map((col, i) => {
        const cell = cells[i] ?? { text: '' };
        const padded = pad(cell.text, widths[i]!, col.align);
        return cell.style && cell.text !== '' ? cell.style(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const head = indent + columns.map((col, i) => pad(col.header, widths[i]!, col.align)).join('  ').trimEnd();
  return [c.dim(head), ...rows.map(line)];
}

function severityStyle(c: ChalkInstance, slowdown: number): ((s: string) => string) | undefined {
  switch (severity(slowdown)) {
    case 'good':
      return c.green;
    case 'moderate':
      return c.yellow;
    case 'bad':
      return c.red;
    case 'none':
      return undefined;
  }
}

export function wrap(s: string, columns: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && width(line) + 1 + width(word) > columns - width(indent)) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function presetTitle(r: BenchResults, preset: string): string {
  const p = r.presets.find((x) => x.name === preset);
  return p ? `preset ${preset} (${p.description})` : `preset ${preset}`;
}

function slowdownTable(r: BenchResults, preset: string, c: ChalkInstance): string[] {
  const rows = rowsOf(r, preset);
  const best = bestRows(rows);
  const cells: Cell[][] = [];
  for (const group of byWorkload(rows)) {
    group.rows.forEach((row, i) => {
      const isBest = best.has(row);
      const perIt = severityStyle(c, row.slowdownPerIteration);
      cells.push([
        { text: i === 0 ? row.workload : '', style: c.bold },
        { text: row.config },
        { text: ratio(row.slowdown), style: severityStyle(c, row.slowdown) },
        { text: `${ratio(row.slowdownPerIteration)}${isBest ? '*' : ' '}`, style: isBest ? (s) => c.bold(perIt ? perIt(s) : s) : perIt },
        { text: fmtCycles(row.perIteration.cycles) },
        { text: rate(row.trapsPer1k) },
        { text: rate(row.vmExitsPer1k) },
        row.matchesNative ? { text: 'same' } : { text: 'DIFFERS', style: (s) => c.bold(c.red(s)) },
      ]);
    });
  }
  return [
    c.bold(`Slowdown against native, ${presetTitle(r, preset)}`),
    ...table(
      c,
      [
        { header: 'workload', align: 'left' },
        { header: 'config', align: 'left' },
        { header: 'whole run', align: 'right' },
        { header: 'per iter ', align: 'right' },
        { header: 'cycles/iter', align: 'right' },
        { header: 'traps/1k', align: 'right' },
        { header: 'exits/1k', align: 'right' },
        { header: 'output', align: 'left' },
      ],
      cells,
    ),
  ];
}

function bar(row: Row, barWidth: number, c: ChalkInstance, ascii: boolean): string {
  const parts = apportion(row.perIteration.attribution, barWidth);
  const colours = [c.blueBright, c.green, c.red, c.yellow, c.gray]; // the hues of SEGMENT_COLOURS
  let out = '';
  SEGMENTS.forEach((s, i) => {
    const n = parts[i] ?? 0;
    if (n > 0) out += colours[i]!((ascii ? s.ascii : s.char).repeat(n));
  });
  const used = parts.reduce((a, b) => a + b, 0);
  if (used < barWidth) out += ' '.repeat(barWidth - used);
  return `|${out}|`;
}

function attributionBars(r: BenchResults, preset: string, c: ChalkInstance, barWidth: number, ascii: boolean): string[] {
  const rows = rowsOf(r, preset);
  const workloadW = Math.max(...rows.map((row) => width(row.workload)));
  const configW = Math.max(...rows.map((row) => width(row.config)));
  const lines = [
    c.bold(`Where the cycles of one iteration go, preset ${preset}`),
    '  ' + SEGMENTS.map((s) => `${ascii ? s.ascii : s.char === ' ' ? "' '" : s.char} ${s.label}`).join('   '),
  ];
  for (const group of byWorkload(rows)) {
    group.rows.forEach((row, i) => {
      const total = row.perIteration.cycles;
      lines.push(`  ${c.bold(pad(i === 0 ? row.workload : '', workloadW, 'left'))}  ${pad(row.config, configW, 'left')}  ${bar(row, barWidth, c, ascii)} ${pad(fmtCycles(total), 12, 'right')} cycles`);
    });
  }
  return lines;
}

function sweepTables(r: BenchResults, c: ChalkInstance): string[] {
  const out: string[] = [];
  for (const sweep of r.sweeps) {
    const { workloads, configs } = sweepAxes(r, sweep);
    const points = sortedPoints(sweep);
    if (out.length > 0) out.push('');
    out.push(c.bold(`Sweep of ${sweep.parameter} (base preset ${sweep.basePreset}): slowdown per iteration at each value`));
    out.push(c.dim(`  ${sweep.parameter}: ${sweep.label}`));
    const rows: Cell[][] = [];
    for (const workload of workloads)
      configs.forEach((config, i) => {
        rows.push([
          { text: i === 0 ? workload : '', style: c.bold },
          { text: config },
          ...points.map((p) => {
            const v = sweepValue(p, workload, config);
            return { text: ratio(v), style: severityStyle(c, v) };
          }),
        ]);
      });
    if (rows.length === 0 || points.length === 0) out.push('  (no points)');
    else
      out.push(
        ...table(
          c,
          [{ header: 'workload', align: 'left' }, { header: 'config', align: 'left' }, ...points.map((p) => ({ header: formatValue(p.value), align: 'right' as const }))],
          rows,
        ),
      );
    if (sweep.crossovers.length > 0) {
      out.push('  crossovers:');
      for (const x of sweep.crossovers) out.push(...wrap(crossoverText(x, sweep.parameter), 100, '    '));
    }
  }
  return out;
}

function speedTable(r: BenchResults, c: ChalkInstance): string[] {
  return [
    c.bold('Host speed: emulated MIPS, guest and VMM instructions per host second (host time; varies from run to run)'),
    ...table(
      c,
      [
        { header: 'config', align: 'left' },
        { header: 'workload', align: 'left' },
        { header: 'MIPS', align: 'right' },
        { header: 'slowest-fastest', align: 'right' },
        { header: 'samples', align: 'right' },
        { header: 'instructions', align: 'right' },
      ],
      r.speed.map((s) => [{ text: s.config }, { text: s.workload }, { text: sig3(s.mips), style: c.bold }, { text: `${sig3(s.min)}-${sig3(s.max)}` }, { text: grouped(s.samples) }, { text: grouped(s.instructions) }]),
    ),
  ];
}

function findingsList(r: BenchResults, c: ChalkInstance, ascii: boolean): string[] {
  const lines = [c.bold('Findings (computed from the figures above)')];
  for (const f of r.findings) {
    const mark = f.holds ? c.green(ascii ? 'ok' : '✓') : c.red(ascii ? 'NO' : '✗');
    const [first, ...rest] = wrap(f.text, 100, '');
    lines.push(`  ${mark} ${f.holds ? first : c.bold(first ?? '')}`);
    for (const l of rest) lines.push(`    ${ascii ? ' ' : ''}${l}`);
    lines.push(...wrap(`claim: ${f.claim}${f.holds ? '' : ' (not supported by these figures)'}`, 100, ascii ? '     ' : '    ').map((l) => c.dim(l)));
  }
  return lines;
}

function footer(r: BenchResults, c: ChalkInstance): string[] {
  const presets = presetNames(r);
  return [
    ...wrap(determinismStatement(r), 100).map((l) => c.dim(l)),
    c.dim(`${r.suite} suite; cost preset${presets.length === 1 ? '' : 's'} ${presets.length === 0 ? 'none' : presets.join(', ')}; revision ${r.revision}; ringlab ${r.ringlabVersion}`),
  ];
}

/** The whole terminal report, ending with a newline. Pure: pass the chalk instance to colour with. */
export function renderTerminal(r: BenchResults, c: ChalkInstance, options: TerminalOptions = {}): string {
  const barWidth = Math.max(4, Math.floor(options.barWidth ?? 40));
  const ascii = options.ascii ?? false;
  const sections: string[][] = [[c.bold(`ringlab bench: ${r.suite} suite`)]];
  const presets = rowPresets(r);
  for (const p of presets) sections.push(slowdownTable(r, p, c));
  if (presets.length > 0)
    sections.push([
      c.dim(`  * best virtualized config of the workload (lowest per-iteration slowdown); ${MISSING} no figure (no native row)`),
      c.dim(`  colour: ${c.green(`green up to ${NEAR_NATIVE}x (near native)`)}, ${c.yellow('yellow moderate')}, ${c.red(`red above ${BAD}x`)}`),
    ]);
  for (const p of presets) sections.push(attributionBars(r, p, c, barWidth, ascii));
  if (r.sweeps.length > 0) sections.push(sweepTables(r, c));
  if (r.speed.length > 0) sections.push(speedTable(r, c));
  if (r.findings.length > 0) sections.push(findingsList(r, c, ascii));
  if (presets.length === 0 && r.sweeps.length === 0 && r.speed.length === 0) sections.push(['No measurements in this run.']);
  sections.push(footer(r, c));
  const text = sections.map((s) => s.join('\n')).join('\n\n') + '\n';
  return ascii ? text.replaceAll(MISSING, '-') : text;
}
