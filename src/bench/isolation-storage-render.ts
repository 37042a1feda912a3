// The storage part of the isolation report (isolation-storage.ts's figures, from results.json):
// its tables (terminal and reports), its two line charts (lookup cost against the overlay's
// layers, the first write's cost against the file's size) and its report blocks. isolation-render.ts
// adds them to the suite's own when a run has storage figures.

import type { IsolationResults } from './isolation.js';
import type { CopyupPoint, StorageResults } from './isolation-storage.js';
import type { Block, Cell } from './render/document.js';
import { grouped, ratio } from './render/format.js';
import { el, legend, num, svgDocument, text, tip } from './render/svg.js';

export const STORAGE_CHARTS = { layers: 'layers.svg', copyup: 'copyup.svg' } as const;

export interface StorageTable {
  title: string;
  head: string[];
  align: ('left' | 'right')[];
  rows: string[][];
}

const size = (bytes: number): string => (bytes === 0 ? '0' : `${grouped(bytes >> 10)} KiB`);
const pct = (part: number, whole: number): string => `${whole ? Math.round((100 * part) / whole) : 0}%`;

export function storageTables(s: StorageResults): StorageTable[] {
  const proc = s.lookup.points.find((p) => p.layers === 0);
  const lookup: StorageTable = {
    title: `Storage: cycles per file lookup (stat) against the overlay's lower layers (native kernel; ${s.lookup.iterations} and ${2 * s.lookup.iterations} lookups a run)`,
    head: ['root', 'a file in the bottom layer', 'against a process', 'a miss', 'against a process'],
    align: ['left', 'right', 'right', 'right', 'right'],
    rows: s.lookup.points.map((p) => [
      p.layers === 0 ? 'process (no overlay)' : `container, ${p.layers} lower layer${p.layers === 1 ? '' : 's'}`,
      grouped(p.hit),
      proc ? ratio(p.hit / proc.hit) : '—',
      grouped(p.miss),
      proc ? ratio(p.miss / proc.miss) : '—',
    ]),
  };
  const copyup: StorageTable = {
    title: 'Storage: the first write to a lower file (open for writing, one byte, close), cycles, against its size',
    head: ['upper layer on', 'file size', 'first write', 'second write', 'copy-up (first - second)', 'first: waiting for the disk'],
    align: ['left', 'right', 'right', 'right', 'right', 'right'],
    rows: s.copyup.flatMap((c) => c.points.map((p) => [c.upper, size(p.bytes), grouped(p.first), grouped(p.again), grouped(p.copyup), pct(p.idle, p.first)])),
  };
  const n = s.writes.iterations;
  const vol = s.writes.rows.find((r) => r.where === 'volume');
  const writes: StorageTable = {
    title: `Storage: a write-heavy workload, ${n} random 4 KiB writes to an existing ${size(s.writes.bytes)} file (open to close), cycles`,
    head: ['where the file is', 'first pass', 'a write', 'against the volume', 'second pass', 'a write', 'waiting for the disk (first, second)'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: s.writes.rows.map((r) => [
      r.where,
      grouped(r.first),
      grouped(r.first / n),
      vol ? ratio(r.first / vol.first) : '—',
      grouped(r.again),
      grouped(r.again / n),
      `${pct(r.idle[0], r.first)}, ${pct(r.idle[1], r.again)}`,
    ]),
  };
  return [lookup, copyup, writes];
}

// ---------------------------------------------------------------------------------------------
// Line charts

interface Series {
  label: string;
  colour: string;
  dashed?: boolean;
  points: { x: number; y: number; tip: string }[];
}

/** The smallest of 1, 2, 5 times a power of ten at or above v. */
function step125(v: number): number {
  if (!(v > 0)) return 1;
  const e = Math.floor(Math.log10(v));
  const p = 10 ** e;
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** One panel, linear axes from 0, one line per series, each point a marker with its figure. */
function lineChart(o: { title: string; xLabel: string; xTicks: { at: number; label: string }[]; xMax: number; yLabel: string; series: Series[]; desc: string }): string {
  const width = 900;
  const left = 90;
  const top = 44;
  const plotW = width - left - 150;
  const plotH = 300;
  const yMaxValue = Math.max(1, ...o.series.flatMap((s) => s.points.map((p) => p.y)));
  const step = step125(yMaxValue / 5);
  const yMax = Math.ceil(yMaxValue / step - 1e-9) * step;
  const X = (x: number): number => left + (x / o.xMax) * plotW;
  const Y = (y: number): number => top + plotH - (y / yMax) * plotH;
  const body: string[] = [text(16, 24, o.title, { 'font-size': 14, 'font-weight': 'bold' })];
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    body.push(el('line', { x1: left, y1: Y(v), x2: left + plotW, y2: Y(v), stroke: '#dddddd', 'stroke-width': 1 }));
    body.push(text(left - 6, Y(v) + 4, grouped(v), { 'text-anchor': 'end', 'font-size': 11 }));
  }
  for (const t of o.xTicks) {
    body.push(el('line', { x1: X(t.at), y1: top + plotH, x2: X(t.at), y2: top + plotH + 5, stroke: '#333333' }));
    body.push(text(X(t.at), top + plotH + 18, t.label, { 'text-anchor': 'middle', 'font-size': 11 }));
  }
  body.push(el('line', { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: '#333333' }));
  body.push(el('line', { x1: left, y1: top, x2: left, y2: top + plotH, stroke: '#333333' }));
  body.push(text(left + plotW / 2, top + plotH + 38, o.xLabel, { 'text-anchor': 'middle' }));
  body.push(text(16, top - 8, o.yLabel, { 'font-size': 11 }));
  o.series.forEach((s) => {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${num(X(p.x))} ${num(Y(p.y))}`).join('');
    body.push(el('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '6 4' : undefined }));
    for (const p of s.points) {
      body.push(el('circle', { cx: X(p.x), cy: Y(p.y), r: 4, fill: s.colour }, tip(p.tip)));
    }
    const last = s.points[s.points.length - 1];
    if (last) body.push(text(X(last.x) + 8, Y(last.y) + 4, grouped(last.y), { 'font-size': 11 }));
  });
  const key = legend(o.series.map((s) => ({ label: s.label, colour: s.colour })), left, top + plotH + 62, plotW + 100);
  body.push(key.svg);
  return svgDocument(width, top + plotH + 62 + key.height + 8, o.title, o.desc, body);
}

/** Cycles per lookup against the lower layers: a file in the bottom layer and a miss, with a
 *  process's (no overlay) as dashed lines. */
export function layersSvg(s: StorageResults): string {
  const pts = s.lookup.points.filter((p) => p.layers > 0);
  const proc = s.lookup.points.find((p) => p.layers === 0);
  const xMax = Math.max(1, ...pts.map((p) => p.layers));
  const series: Series[] = [
    { label: 'a file in the bottom layer', colour: '#0072B2', points: pts.map((p) => ({ x: p.layers, y: p.hit, tip: `${p.layers} layers: ${grouped(p.hit)} cycles per lookup of a file in the bottom layer` })) },
    { label: 'a miss (no layer has it)', colour: '#D55E00', points: pts.map((p) => ({ x: p.layers, y: p.miss, tip: `${p.layers} layers: ${grouped(p.miss)} cycles per lookup of a name no layer has` })) },
  ];
  if (proc) {
    series.push(
      { label: 'a process, no overlay: the file', colour: '#56B4E9', dashed: true, points: [0, xMax].map((x) => ({ x, y: proc.hit, tip: `a process: ${grouped(proc.hit)} cycles per lookup of the file` })) },
      { label: 'a process: a miss', colour: '#E69F00', dashed: true, points: [0, xMax].map((x) => ({ x, y: proc.miss, tip: `a process: ${grouped(proc.miss)} cycles per lookup of a missing name` })) },
    );
  }
  return lineChart({
    title: 'Storage: cycles per file lookup against the overlay\'s lower layers',
    xLabel: 'lower layers of the container\'s overlay',
    xTicks: [0, ...pts.map((p) => p.layers)].map((at) => ({ at, label: String(at) })),
    xMax,
    yLabel: 'cycles per lookup (stat)',
    series,
    desc: s.lookup.points.map((p) => `${p.layers === 0 ? 'process' : `${p.layers} layer${p.layers === 1 ? '' : 's'}`}: file ${grouped(p.hit)}, miss ${grouped(p.miss)} cycles`).join('; '),
  });
}

/** The first write's cost (the copy-up) against the file's size, one line per upper layer. */
export function copyupSvg(s: StorageResults): string {
  const colours: Record<string, string> = { tmpfs: '#009E73', disk: '#CC79A7' };
  const sizes = [...new Set(s.copyup.flatMap((c) => c.points.map((p) => p.bytes)))].sort((a, b) => a - b);
  const line = (upper: string, pts: CopyupPoint[], key: 'first' | 'again'): Series => ({
    label: key === 'first' ? `first write, upper layer on ${upper}` : `second write, upper layer on ${upper}`,
    colour: colours[upper] ?? '#000000',
    dashed: key === 'again',
    points: pts.map((p) => ({ x: p.bytes >> 10, y: p[key], tip: `${size(p.bytes)}, upper on ${upper}: ${key === 'first' ? 'first' : 'second'} write ${grouped(p[key])} cycles${key === 'first' ? ` (copy-up ${grouped(p.copyup)}, ${grouped(p.idle)} waiting for the disk)` : ''}` })),
  });
  return lineChart({
    title: 'Storage: the first write to a lower file (the copy-up) against its size',
    xLabel: 'size of the lower file (KiB)',
    xTicks: sizes.map((b) => ({ at: b >> 10, label: b >> 10 >= 16 || b === 0 ? String(b >> 10) : '' })),
    xMax: Math.max(1, ...sizes.map((b) => b >> 10)),
    yLabel: 'cycles: open for writing, write one byte, close',
    series: s.copyup.flatMap((c) => [line(c.upper, c.points, 'first'), line(c.upper, c.points, 'again')]),
    desc: s.copyup.map((c) => `upper on ${c.upper}: ${c.points.map((p) => `${size(p.bytes)} first ${grouped(p.first)}, second ${grouped(p.again)}`).join(', ')}`).join('; '),
  });
}

export function storageCharts(r: IsolationResults): Record<string, string> {
  return r.storage ? { [STORAGE_CHARTS.layers]: layersSvg(r.storage), [STORAGE_CHARTS.copyup]: copyupSvg(r.storage) } : {};
}

// ---------------------------------------------------------------------------------------------
// Report blocks

export function storageBlocks(r: IsolationResults, charts: Readonly<Record<string, string>>): Block[] {
  const s = r.storage;
  if (!s) return [];
  const [lookup, copyup, writes] = storageTables(s);
  const tableBlock = (t: StorageTable): Block => ({ kind: 'table', head: t.head, align: t.align, rows: t.rows.map((row) => row.map((x): Cell => ({ text: x }))) });
  const figure = (file: string, alt: string): Block => ({ kind: 'figure', file, svg: charts[file] ?? '', alt });
  return [
    { kind: 'heading', level: 2, text: 'Storage' },
    {
      kind: 'paragraph',
      text: [
        'In the native kernel, with the probe ',
        { code: 'programs/user/isostore.s' },
        ': a file lookup (stat) as a process and in containers whose overlay has 1 to 8 lower layers (the file in the bottom one; a miss searches them all), per lookup over runs of N and 2N lookups; ',
        'the first write to a lower file, which the overlay copies up whole, against the file\'s size, and a second write for comparison; ',
        'a write-heavy workload on the overlay\'s upper layer, on a volume (crun\'s ',
        { code: 'volume=' },
        ': a bind mount of a directory of the host\'s disk) and as a process. Random-read IOPS is the disk row of the system-call table: under pv every disk request already goes through pv\'s block ring.',
      ],
    },
    figure(STORAGE_CHARTS.layers, 'Cycles per file lookup against the overlay\'s lower layers'),
    tableBlock(lookup!),
    figure(STORAGE_CHARTS.copyup, 'The first write to a lower file against its size'),
    tableBlock(copyup!),
    tableBlock(writes!),
  ];
}
