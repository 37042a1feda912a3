// What every renderer needs to know about a BenchResults beyond its fields: the order of presets,
// workloads and configs, the rows of one preset in that order, the best config per workload, the
// attribution segments, chart file names and the words that explain the figures. Pure functions.

import type { Attribution, BenchResults, Row, Sweep } from '../results.js';
import { BAD, grouped, NEAR_NATIVE, severity, sig3, slug } from './format.js';

/** The attribution segments in stacking order, with their labels and plain-text bar characters. */
export const SEGMENTS: readonly { key: keyof Attribution; label: string; char: string; ascii: string }[] = [
  { key: 'guestUser', label: 'guest user', char: '█', ascii: 'U' },
  { key: 'guestKernel', label: 'guest kernel', char: '▓', ascii: 'K' },
  { key: 'vmm', label: 'VMM', char: '▒', ascii: 'V' },
  { key: 'transitions', label: 'transitions', char: '░', ascii: 'T' },
  { key: 'idle', label: 'idle', char: ' ', ascii: '.' },
];

/** Okabe and Ito's colour-blind-safe palette, for configs in chart order. */
export const CONFIG_COLOURS = ['#000000', '#E69F00', '#0072B2', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442'] as const;

/** Attribution colours: four Okabe-Ito hues, cool for the guest's own work and warm for the cost
 *  of virtualization, with neighbours in the stack differing in lightness too, so that no two can
 *  be confused, also with protanopia or deuteranopia (test/bench/render.test.ts measures it);
 *  idle in light grey. */
export const SEGMENT_COLOURS: Readonly<Record<keyof Attribution, string>> = {
  guestUser: '#56B4E9', // sky blue
  guestKernel: '#009E73', // bluish green
  vmm: '#D55E00', // vermillion
  transitions: '#F0E442', // yellow
  idle: '#BBBBBB',
};

/** WCAG relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever is easier to read on `fill`. */
export function textOn(fill: string): string {
  return contrast(fill, '#000000') >= contrast(fill, '#ffffff') ? '#000000' : '#ffffff';
}

/** The listed names first, then any others in order of first appearance. */
function ordered(listed: readonly string[], seen: Iterable<string>): string[] {
  const out: string[] = [];
  const have = new Set<string>();
  for (const name of [...listed, ...seen]) {
    if (have.has(name)) continue;
    have.add(name);
    out.push(name);
  }
  return out;
}

export function presetNames(r: BenchResults): string[] {
  return ordered(
    r.presets.map((p) => p.name),
    [...r.rows.map((row) => row.preset), ...r.sweeps.map((s) => s.basePreset)],
  );
}

export function configNames(r: BenchResults): string[] {
  const fromSweeps = r.sweeps.flatMap((s) => s.points.flatMap((p) => Object.values(p.slowdown).flatMap((byConfig) => Object.keys(byConfig))));
  return ordered(r.configs, [...r.rows.map((row) => row.config), ...r.speed.map((s) => s.config), ...fromSweeps]);
}

export function workloadNames(r: BenchResults): string[] {
  const fromSweeps = r.sweeps.flatMap((s) => s.points.flatMap((p) => Object.keys(p.slowdown)));
  return ordered(r.workloads, [...r.rows.map((row) => row.workload), ...r.speed.map((s) => s.workload), ...fromSweeps]);
}

function indexer(names: readonly string[]): (name: string) => number {
  const map = new Map(names.map((n, i) => [n, i]));
  return (name) => map.get(name) ?? names.length;
}

/** The rows of one preset, by workload then config order (stable for duplicates). */
export function rowsOf(r: BenchResults, preset: string): Row[] {
  const w = indexer(workloadNames(r));
  const c = indexer(configNames(r));
  return r.rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.preset === preset)
    .sort((a, b) => w(a.row.workload) - w(b.row.workload) || c(a.row.config) - c(b.row.config) || a.i - b.i)
    .map(({ row }) => row);
}

/** Presets that have rows, in preset order. */
export function rowPresets(r: BenchResults): string[] {
  return presetNames(r).filter((p) => r.rows.some((row) => row.preset === p));
}

/** Rows grouped by workload (in order), for tables that print the workload once. */
export function byWorkload(rows: readonly Row[]): { workload: string; rows: Row[] }[] {
  const groups: { workload: string; rows: Row[] }[] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last.workload === row.workload) last.rows.push(row);
    else groups.push({ workload: row.workload, rows: [row] });
  }
  return groups;
}

/** The steady-state slowdown, or the whole-run one when the per-iteration figure is missing. */
export function keySlowdown(row: Row): number {
  return Number.isFinite(row.slowdownPerIteration) ? row.slowdownPerIteration : row.slowdown;
}

/**
 * The best config of each workload group: the virtualized configs (not native) with the lowest
 * per-iteration slowdown; all of them on a tie; none when no figure is finite.
 */
export function bestRows(rows: readonly Row[]): Set<Row> {
  const best = new Set<Row>();
  for (const group of byWorkload(rows)) {
    const candidates = group.rows.filter((row) => row.config !== 'native' && Number.isFinite(keySlowdown(row)));
    if (candidates.length === 0) continue;
    const min = Math.min(...candidates.map(keySlowdown));
    for (const row of candidates) if (keySlowdown(row) === min) best.add(row);
  }
  return best;
}

/** Attribution values that can be drawn: non-finite and negative values count as zero. */
export function drawable(a: Attribution): Record<keyof Attribution, number> {
  const v = (x: number): number => (Number.isFinite(x) && x > 0 ? x : 0);
  return { guestUser: v(a.guestUser), guestKernel: v(a.guestKernel), vmm: v(a.vmm), transitions: v(a.transitions), idle: v(a.idle) };
}

/**
 * Split `width` columns between the segments in proportion (largest remainder, ties to the earlier
 * segment), so the parts always add up to exactly `width` unless everything is zero.
 */
export function apportion(a: Attribution, width: number): number[] {
  const d = drawable(a);
  const values = SEGMENTS.map((s) => d[s.key]);
  const total = values.reduce((x, y) => x + y, 0);
  if (!(total > 0) || !Number.isFinite(total)) return values.map(() => 0);
  const exact = values.map((v) => (v / total) * width);
  const parts = exact.map((x) => Math.floor(x));
  let left = width - parts.reduce((x, y) => x + y, 0);
  const order = exact.map((x, i) => ({ i, rem: x - Math.floor(x) })).sort((p, q) => q.rem - p.rem || p.i - q.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left--;
  }
  return parts;
}

export function attributionTotal(a: Attribution): number {
  const d = drawable(a);
  return d.guestUser + d.guestKernel + d.vmm + d.transitions + d.idle;
}

/** Chart and data file names, unique and stable. */
export interface FileNames {
  slowdown: Map<string, string>;
  attribution: Map<string, string>;
  sweep: Map<Sweep, string>;
}

export function fileNames(r: BenchResults): FileNames {
  const used = new Set<string>();
  const unique = (base: string): string => {
    let name = `${base}.svg`;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}.svg`;
    used.add(name);
    return name;
  };
  const slowdown = new Map<string, string>();
  const attribution = new Map<string, string>();
  for (const p of rowPresets(r)) slowdown.set(p, unique(`slowdown-${slug(p)}`));
  for (const p of rowPresets(r)) attribution.set(p, unique(`attribution-${slug(p)}`));
  const sweep = new Map<Sweep, string>();
  for (const s of r.sweeps) sweep.set(s, unique(`sweep-${slug(s.parameter)}`));
  return { slowdown, attribution, sweep };
}

/** The workloads and configs a sweep has figures for, in report order. */
export function sweepAxes(r: BenchResults, s: Sweep): { workloads: string[]; configs: string[] } {
  const ws = new Set(s.points.flatMap((p) => Object.keys(p.slowdown)));
  const cs = new Set(s.points.flatMap((p) => Object.values(p.slowdown).flatMap((x) => Object.keys(x))));
  return { workloads: workloadNames(r).filter((w) => ws.has(w)), configs: configNames(r).filter((c) => cs.has(c)) };
}

/** One figure of a sweep, NaN when missing. */
export function sweepValue(p: Sweep['points'][number], workload: string, config: string): number {
  const v = p.slowdown[workload]?.[config];
  return typeof v === 'number' ? v : NaN;
}

/** Points in increasing parameter order (stable), the order of axes and tables. */
export function sortedPoints(s: Sweep): Sweep['points'] {
  return s.points.map((p, i) => ({ p, i })).sort((a, b) => cmp(a.p.value, b.p.value) || a.i - b.i).map(({ p }) => p);
}

function cmp(a: number, b: number): number {
  const fa = Number.isFinite(a);
  const fb = Number.isFinite(b);
  if (fa && fb) return a - b;
  return fa === fb ? 0 : fa ? -1 : 1;
}

/** The sentence that states a sweep crossover: who wins on which side, then the harness's note. */
export function crossoverText(c: Sweep['crossovers'][number], parameter: string): string {
  const value = c.value === null || !Number.isFinite(c.value) ? null : c.value;
  const side = c.side === 'above' ? 'above' : 'below';
  let where: string;
  if (value !== null) where = `${c.config} beats ${c.versus} ${side} ${parameter} = ${formatValue(value)}`;
  // No crossing: the side says who is ahead at the lowest value, hence everywhere.
  else if (side === 'below') where = `${c.config} is faster than ${c.versus} at every value swept`;
  else where = `${c.versus} is faster than ${c.config} at every value swept`;
  const prefix = `${c.workload}: `;
  const note = c.note.startsWith(prefix) ? c.note.slice(prefix.length) : c.note;
  return `${prefix}${where}${note.trim() ? ` — ${note.trim()}` : ''}`;
}

/** The short label of a crossover on a chart: "vtx < te below 1,290". */
export function crossoverLabel(c: Sweep['crossovers'][number]): string {
  return `${c.config} < ${c.versus} ${c.side === 'above' ? 'above' : 'below'} ${c.value === null ? '—' : formatValue(c.value)}`;
}

/** A parameter value (an x coordinate of a sweep): integers grouped, others to three figures. */
export function formatValue(v: number): string {
  return Number.isInteger(v) ? grouped(v) : sig3(v);
}

/** Words for a slowdown's severity, used in legends. */
export function severityWord(slowdown: number): string {
  switch (severity(slowdown)) {
    case 'good':
      return 'near native';
    case 'moderate':
      return 'moderate';
    case 'bad':
      return 'costly';
    case 'none':
      return 'no figure';
  }
}

/** The determinism statement every report ends or begins with. */
export function determinismStatement(r: BenchResults): string {
  const cycleFigures = r.rows.length > 0 || r.sweeps.length > 0;
  const speed = r.speed.length > 0 ? ' The MIPS figures of the speed suite are host time and vary from run to run.' : '';
  if (!cycleFigures) return `No cycle figures in this run.${speed}`;
  // A dirty or unknown revision names no exact source tree, so promise a rerun of the same tree only.
  const tree = r.revision === 'unknown' || r.revision.endsWith('-dirty') ? 'of the same source tree' : `at revision ${r.revision}`;
  if (r.deterministic)
    return `Cycle figures are exact and deterministic: every cycle is an executed instruction or an event priced by the cost model, the harness ran every measurement twice and got the same cycles, and a rerun ${tree} gives the same figures.${speed}`;
  return `Warning: the determinism check did not pass (or was not run): the harness did not confirm that a second run gives the same cycles.${speed}`;
}

/** The paragraph that explains how to read the report. */
export function howToRead(): string[] {
  return [
    'Each workload boots the same guest kernel under every configuration and runs to power-off. ' +
      'The slowdown is the configuration\'s cycles divided by native cycles for the same workload and cost preset: ' +
      '1.00x is native speed, 2.00x takes twice as long. "Whole run" includes booting the kernel; ' +
      '"per iteration" subtracts a run at N iterations from one at 2N, so it is the steady-state cost of one iteration with boot excluded.',
    `Traps/1k and exits/1k count traps and VM exits per 1,000 guest instructions. Slowdowns up to ${NEAR_NATIVE}x are near native, above ${BAD}x costly; ` +
      'the lowest per-iteration slowdown of the virtualized configs of each workload is marked best (* in the terminal). ' +
      'The attribution bars split each configuration\'s per-iteration cycles between the guest\'s processes (guest user), the guest kernel, ' +
      'the VMM\'s own instructions, hardware transitions (trap entry and return, VM exit and entry) and idle time in wfi.',
  ];
}
