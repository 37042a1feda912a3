// SVG charts of a benchmark run: slowdown by workload (one bar per config), cycle attribution
// (stacked bars) and sweeps (one panel per workload, one line per config). Self-contained: no
// external fonts, scripts, styles or ids, so a chart can be opened on its own or inlined into
// report.html any number of times. Deterministic: coordinates are rounded to two decimals and
// written the same way every time. Accessible: a <title> and <desc> that state the figures,
// a <title> on every bar and point, text labels next to every mark (colour is never the only
// key), and the colour-blind-safe Okabe-Ito palette.

import type { BenchResults, Row, Sweep } from '../results.js';
import { cycles as fmtCycles, escapeXml, percent, ratio } from './format.js';
import {
  attributionTotal,
  bestRows,
  byWorkload,
  CONFIG_COLOURS,
  configNames,
  crossoverLabel,
  crossoverText,
  drawable,
  formatValue,
  keySlowdown,
  rowsOf,
  SEGMENT_COLOURS,
  SEGMENTS,
  sortedPoints,
  sweepAxes,
  sweepValue,
  textOn,
} from './model.js';

// ---------------------------------------------------------------------------------------------
// Writing SVG

/** A coordinate: two decimals at most, never NaN, never "-0". */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const r = Math.round(x * 100) / 100;
  return r === 0 ? '0' : String(r);
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

export function el(name: string, a: Attrs, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

export function text(x: number, y: number, s: string, a: Attrs = {}): string {
  return el('text', { x, y, ...a }, escapeXml(s));
}

export function tip(s: string): string {
  return el('title', {}, escapeXml(s));
}

/** Rough width of a label in the generic sans-serif font (no font metrics without a browser). */
export function textWidth(s: string, size: number): number {
  return [...s].length * size * 0.6;
}

export function svgDocument(width: number, height: number, title: string, desc: string, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg"${attrs({ width, height, viewBox: `0 0 ${num(width)} ${num(height)}`, role: 'img', 'font-family': 'sans-serif', 'font-size': 12 })}>\n` +
    `${el('title', {}, escapeXml(title))}\n${el('desc', {}, escapeXml(desc))}\n` +
    `${el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' })}\n` +
    body.join('\n') +
    '\n</svg>\n'
  );
}

/** Colour by config, the same in every chart of a run: the config's place in the run's order. */
function configColours(r: BenchResults): (config: string) => string {
  const names = configNames(r);
  return (config) => {
    const i = names.indexOf(config);
    return CONFIG_COLOURS[(i < 0 ? 0 : i) % CONFIG_COLOURS.length]!;
  };
}

/** A marker shape per config index, so lines differ in more than colour. */
function marker(i: number, x: number, y: number, fill: string, title: string): string {
  const s = 4;
  switch (i % 4) {
    case 0:
      return el('circle', { cx: x, cy: y, r: s, fill }, tip(title));
    case 1:
      return el('rect', { x: x - s, y: y - s, width: 2 * s, height: 2 * s, fill }, tip(title));
    case 2:
      return el('path', { d: `M${num(x)} ${num(y - s - 1)}L${num(x + s + 1)} ${num(y + s)}L${num(x - s - 1)} ${num(y + s)}Z`, fill }, tip(title));
    default:
      return el('path', { d: `M${num(x)} ${num(y - s - 1)}L${num(x + s + 1)} ${num(y)}L${num(x)} ${num(y + s + 1)}L${num(x - s - 1)} ${num(y)}Z`, fill }, tip(title));
  }
}

/** Swatches and labels in a row, wrapped at `width`; returns the markup and the height used. */
export function legend(items: { label: string; colour: string; shape?: number }[], x0: number, y0: number, width: number): { svg: string; height: number } {
  const parts: string[] = [];
  let x = x0;
  let y = y0;
  for (const item of items) {
    const w = 18 + textWidth(item.label, 11) + 14;
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += 18;
    }
    parts.push(
      item.shape === undefined
        ? el('rect', { x, y: y - 9, width: 12, height: 12, fill: item.colour, stroke: '#333333', 'stroke-width': 0.5 })
        : marker(item.shape, x + 6, y - 3, item.colour, item.label),
    );
    parts.push(text(x + 17, y + 1, item.label, { 'font-size': 11 }));
    x += w;
  }
  return { svg: el('g', {}, parts.join('')), height: y - y0 + 18 };
}

// ---------------------------------------------------------------------------------------------
// Scales

/** An axis tick: "1x", "2.5x", "0.2x" (no trailing zeros, unlike the figures themselves). */
export function tickLabel(t: number): string {
  const s = ratio(t);
  return s.includes('.') ? s.replace(/\.?0+x$/, 'x') : s;
}

export interface Scale {
  log: boolean;
  lo: number;
  hi: number;
  ticks: number[];
  /** Position in [0, 1]; values outside the domain are clamped, non-finite ones go to 0. */
  at(v: number): number;
}

const STEPS = [1, 2, 5];

function pow10(e: number): number {
  return e >= 0 ? 10 ** e : 1 / 10 ** -e;
}

/** The largest 1-2-5 number at or below v (v > 0). */
function floor125(v: number): number {
  const e = Math.floor(Math.log10(v));
  const m = v / pow10(e);
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * pow10(e);
}

/** The smallest 1-2-5 number at or above v (v > 0). */
function ceil125(v: number): number {
  const e = Math.floor(Math.log10(v));
  const m = v / pow10(e);
  return m <= 1 ? pow10(e) : m <= 2 ? 2 * pow10(e) : m <= 5 ? 5 * pow10(e) : 10 * pow10(e);
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

const MAX_TICKS = 12;

function thin(ticks: number[]): number[] {
  if (ticks.length <= MAX_TICKS) return ticks;
  const stride = Math.ceil(ticks.length / MAX_TICKS);
  return ticks.filter((_, i) => i % stride === 0);
}

function logScale(lo: number, hi: number, ticks: number[]): Scale {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return { log: true, lo, hi, ticks, at: (v) => (v > 0 ? clamp01((Math.log10(v) - a) / (b - a)) : 0) };
}

function linearScale(lo: number, hi: number, ticks: number[]): Scale {
  return { log: false, lo, hi, ticks, at: (v) => clamp01((v - lo) / (hi - lo)) };
}

/**
 * The scale of slowdowns: 1x always in range; logarithmic with 1-2-5 ticks when the figures span
 * a factor of 10 or more, otherwise linear from 0.
 */
export function ratioScale(values: readonly number[]): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(1, ...finite);
  const min = Math.min(1, ...finite);
  if (max / min >= 10) {
    // Headroom above the largest bar rather than a round end, which could waste half the width.
    const hi = Math.min(max * 1.1, Number.MAX_VALUE);
    // At most six decades below the top, so a stray tiny figure cannot squash the rest.
    const lo = Math.max(floor125(min), floor125(hi / 1e6));
    let ticks: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of STEPS) {
        const t = m * pow10(e);
        if (Number.isFinite(t) && t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
      }
    if (ticks.length > MAX_TICKS) ticks = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
    return logScale(lo, hi, thin(ticks));
  }
  const step = ceil125(max / 5);
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  const ticks = Array.from({ length: n + 1 }, (_, k) => k * step);
  return linearScale(0, n * step, ticks);
}

/** The scale of a sweep's parameter: logarithmic when positive and spanning 20x, ticks at the points. */
export function valueScale(values: readonly number[]): Scale {
  const finite = [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
  if (finite.length === 0) return linearScale(0, 1, [0, 1]);
  let lo = finite[0]!;
  let hi = finite[finite.length - 1]!;
  if (lo > 0 && hi / lo >= 20) return logScale(lo, hi, thin(finite));
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) / 10;
    lo -= pad;
    hi += pad;
    return linearScale(lo, hi, finite);
  }
  return linearScale(lo, hi, thin(finite));
}

// ---------------------------------------------------------------------------------------------
// (a) Slowdown by workload, one bar per config

const BAR_H = 14;
const BAR_GAP = 3;
const GROUP_GAP = 10;

interface RowLayout {
  labelX: number;
  configX: number;
  plotX: number;
  plotW: number;
  top: number;
  rowY: (row: Row) => number;
  height: number;
}

/** Workload labels in one column, config labels in the next, then the plot: rows top to bottom. */
function layoutRows(rows: readonly Row[], top: number, plotW: number): RowLayout {
  const workloadW = Math.max(60, ...rows.map((r) => textWidth(r.workload, 12) + 12));
  const configW = Math.max(40, ...rows.map((r) => textWidth(r.config, 11) + 10));
  const ys = new Map<Row, number>();
  let y = top;
  for (const group of byWorkload(rows)) {
    for (const row of group.rows) {
      ys.set(row, y);
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  return { labelX: 12, configX: 12 + workloadW, plotX: 12 + workloadW + configW, plotW, top, rowY: (row) => ys.get(row) ?? top, height: y - top };
}

function rowLabels(rows: readonly Row[], l: RowLayout): string[] {
  const out: string[] = [];
  for (const group of byWorkload(rows)) {
    const first = group.rows[0]!;
    out.push(text(l.labelX, l.rowY(first) + BAR_H - 3, group.workload, { 'font-weight': 'bold' }));
    for (const row of group.rows) out.push(text(l.plotX - 6, l.rowY(row) + BAR_H - 3, row.config, { 'text-anchor': 'end', 'font-size': 11 }));
  }
  return out;
}

export function slowdownSvg(r: BenchResults, preset: string): string {
  const rows = rowsOf(r, preset);
  const title = `Slowdown per iteration against native, preset ${preset}`;
  if (rows.length === 0) return svgDocument(400, 60, title, 'No rows for this preset.', [text(12, 36, 'No rows for this preset.')]);
  const scale = ratioScale(rows.map(keySlowdown));
  const best = bestRows(rows);
  const configs = configNames(r).filter((c) => rows.some((row) => row.config === c));
  const configColour = configColours(r);
  const plotW = 440;
  const head = legend(
    configs.map((c) => ({ label: c, colour: configColour(c) })),
    12,
    44,
    600,
  );
  const l = layoutRows(rows, 44 + head.height + 8, plotW);
  const width = l.plotX + plotW + 90;
  const axisY = l.top + l.height;
  const body: string[] = [text(12, 22, title, { 'font-size': 14, 'font-weight': 'bold' }), head.svg];

  // Grid and axis.
  const grid: string[] = [];
  for (const t of scale.ticks) {
    const x = l.plotX + scale.at(t) * plotW;
    grid.push(el('line', { x1: x, y1: l.top - 4, x2: x, y2: axisY, stroke: '#dddddd', 'stroke-width': 1 }));
    grid.push(text(x, axisY + 14, tickLabel(t), { 'text-anchor': 'middle', 'font-size': 10, fill: '#444444' }));
  }
  body.push(el('g', {}, grid.join('')));
  body.push(...rowLabels(rows, l));

  // Bars.
  const bars: string[] = [];
  for (const row of rows) {
    const y = l.rowY(row);
    const v = keySlowdown(row);
    const w = scale.at(v) * plotW;
    const label = ratio(v);
    const whole = ratio(row.slowdown);
    const isBest = best.has(row);
    const note = `${row.workload}, ${row.config}: ${label} per iteration, ${whole} whole run${isBest ? ' (best)' : ''}`;
    if (Number.isFinite(v)) bars.push(el('rect', { x: l.plotX, y, width: Math.max(w, 1), height: BAR_H, fill: configColour(row.config) }, tip(note)));
    bars.push(text(l.plotX + (Number.isFinite(v) ? Math.max(w, 1) : 0) + 4, y + BAR_H - 3, isBest ? `${label} best` : label, { 'font-size': 11, 'font-weight': isBest ? 'bold' : undefined }));
  }
  body.push(el('g', {}, bars.join('')));

  // The 1x reference line.
  const oneX = l.plotX + scale.at(1) * plotW;
  body.push(el('line', { x1: oneX, y1: l.top - 6, x2: oneX, y2: axisY, stroke: '#000000', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }));
  body.push(text(oneX + 3, l.top - 8, '1x = native', { 'font-size': 10 }));
  body.push(text(l.plotX, axisY + 32, `slowdown per iteration (cycles / native cycles; ${scale.log ? 'log' : 'linear'} scale)`, { 'font-size': 11 }));

  const desc = `Bars: per-iteration slowdown of each config against native, by workload (${scale.log ? 'logarithmic' : 'linear'} axis, dashed line at 1x). ` + rows.map((row) => `${row.workload} ${row.config} ${ratio(keySlowdown(row))}`).join('; ') + '.';
  return svgDocument(width, axisY + 44, title, desc, body);
}

// ---------------------------------------------------------------------------------------------
// (b) Cycle attribution, stacked to 100%

export function attributionSvg(r: BenchResults, preset: string): string {
  const rows = rowsOf(r, preset);
  const title = `Where the cycles of one iteration go, preset ${preset}`;
  if (rows.length === 0) return svgDocument(400, 60, title, 'No rows for this preset.', [text(12, 36, 'No rows for this preset.')]);
  const plotW = 400;
  const head = legend(
    SEGMENTS.map((s) => ({ label: s.label, colour: SEGMENT_COLOURS[s.key] })),
    12,
    44,
    600,
  );
  const l = layoutRows(rows, 44 + head.height + 8, plotW);
  const width = l.plotX + plotW + 150;
  const body: string[] = [text(12, 22, title, { 'font-size': 14, 'font-weight': 'bold' }), head.svg, ...rowLabels(rows, l)];
  const descParts: string[] = [];
  for (const row of rows) {
    const y = l.rowY(row);
    const a = row.perIteration.attribution;
    const d = drawable(a);
    const total = attributionTotal(a);
    const parts: string[] = [];
    if (!(total > 0) || !Number.isFinite(total)) {
      parts.push(el('rect', { x: l.plotX, y, width: plotW, height: BAR_H, fill: 'none', stroke: '#999999', 'stroke-dasharray': '2 2' }));
      parts.push(text(l.plotX + 6, y + BAR_H - 3, 'no cycles', { 'font-size': 10, fill: '#666666' }));
      descParts.push(`${row.workload} ${row.config}: no cycles`);
    } else {
      // Segment edges from the exact running sum, so the bar always ends at plotW.
      let acc = 0;
      for (const s of SEGMENTS) {
        const v = d[s.key];
        const x0 = l.plotX + (acc / total) * plotW;
        acc += v;
        const x1 = l.plotX + (acc / total) * plotW;
        if (v === 0) continue;
        const share = percent(v, total);
        parts.push(el('rect', { x: x0, y, width: x1 - x0, height: BAR_H, fill: SEGMENT_COLOURS[s.key] }, tip(`${row.workload}, ${row.config}: ${s.label} ${share} (${fmtCycles(v)} cycles)`)));
        if (x1 - x0 >= 34) parts.push(text((x0 + x1) / 2, y + BAR_H - 3, share.replace(/\.\d%$/, '%'), { 'text-anchor': 'middle', 'font-size': 9, fill: textOn(SEGMENT_COLOURS[s.key]) }));
      }
      descParts.push(`${row.workload} ${row.config}: ` + SEGMENTS.filter((s) => d[s.key] > 0).map((s) => `${s.label} ${percent(d[s.key], total)}`).join(', '));
    }
    parts.push(text(l.plotX + plotW + 6, y + BAR_H - 3, `${fmtCycles(row.perIteration.cycles)} cycles`, { 'font-size': 11 }));
    body.push(el('g', {}, parts.join('')));
  }
  const bottom = l.top + l.height;
  body.push(text(l.plotX, bottom + 14, 'share of the cycles of one iteration (boot excluded); cycles per iteration on the right', { 'font-size': 11 }));
  const desc = `Stacked bars: each config's per-iteration cycles split into guest user, guest kernel, VMM, transitions and idle. ${descParts.join('; ')}.`;
  return svgDocument(width, bottom + 26, title, desc, body);
}

// ---------------------------------------------------------------------------------------------
// (c) Sweeps: one panel per workload, one line per config

const PANEL_W = 340;
const PANEL_H = 230;
const PAD = { left: 52, right: 14, top: 28, bottom: 40 };

export function sweepSvg(r: BenchResults, sweep: Sweep): string {
  const { workloads, configs } = sweepAxes(r, sweep);
  const points = sortedPoints(sweep);
  const title = `Sweep of ${sweep.parameter}: slowdown per iteration against ${sweep.label} (base preset ${sweep.basePreset})`;
  if (workloads.length === 0 || points.length === 0) return svgDocument(400, 60, title, 'No points in this sweep.', [text(12, 36, 'No points in this sweep.')]);
  const xs = valueScale(points.map((p) => p.value));
  const cols = workloads.length === 1 ? 1 : 2;
  const allConfigs = configNames(r);
  const configColour = configColours(r);
  const head = legend(
    configs.map((c) => ({ label: c, colour: configColour(c), shape: allConfigs.indexOf(c) })),
    12,
    44,
    cols * PANEL_W - 12,
  );
  const top = 44 + head.height + 4;
  const body: string[] = [text(12, 22, `Sweep of ${sweep.parameter} (base preset ${sweep.basePreset})`, { 'font-size': 14, 'font-weight': 'bold' }), head.svg];
  const descParts: string[] = [];
  // One y scale for every panel, so panels compare at a glance.
  const ys = ratioScale(points.flatMap((p) => workloads.flatMap((w) => configs.map((c) => sweepValue(p, w, c)))));

  workloads.forEach((workload, wi) => {
    const ox = (wi % cols) * PANEL_W;
    const oy = top + Math.floor(wi / cols) * PANEL_H;
    const px = ox + PAD.left;
    const py = oy + PAD.top;
    const pw = PANEL_W - PAD.left - PAD.right;
    const ph = PANEL_H - PAD.top - PAD.bottom;
    const X = (v: number): number => px + xs.at(v) * pw;
    const Y = (v: number): number => py + ph - ys.at(v) * ph;
    const parts: string[] = [text(ox + PAD.left, oy + 16, workload, { 'font-weight': 'bold' })];
    parts.push(el('rect', { x: px, y: py, width: pw, height: ph, fill: 'none', stroke: '#999999' }));
    for (const t of ys.ticks) {
      parts.push(el('line', { x1: px, y1: Y(t), x2: px + pw, y2: Y(t), stroke: '#eeeeee' }));
      parts.push(text(px - 4, Y(t) + 3, tickLabel(t), { 'text-anchor': 'end', 'font-size': 9, fill: '#444444' }));
    }
    for (const t of xs.ticks) parts.push(text(X(t), py + ph + 13, formatValue(t), { 'text-anchor': 'middle', 'font-size': 9, fill: '#444444' }));
    const oneY = Y(1);
    parts.push(el('line', { x1: px, y1: oneY, x2: px + pw, y2: oneY, stroke: '#000000', 'stroke-dasharray': '4 3' }));
    // Crossovers: a vertical line where the parameter value lies in the range swept.
    for (const c of sweep.crossovers.filter((c) => c.workload === workload)) {
      if (c.value === null || !Number.isFinite(c.value) || c.value < xs.lo || c.value > xs.hi) continue;
      const x = X(c.value);
      parts.push(el('line', { x1: x, y1: py, x2: x, y2: py + ph, stroke: '#555555', 'stroke-dasharray': '2 3' }, tip(crossoverText(c, sweep.parameter))));
      const right = x > px + pw / 2;
      parts.push(text(right ? x - 3 : x + 3, py + 11, crossoverLabel(c), { 'font-size': 9, 'text-anchor': right ? 'end' : undefined }));
    }
    const lineDesc: string[] = [];
    for (const config of configs) {
      const colour = configColour(config);
      const shape = allConfigs.indexOf(config);
      const series = points.map((p) => ({ x: p.value, y: sweepValue(p, workload, config) }));
      // A line through consecutive drawable points; a missing figure breaks it.
      let d = '';
      let pen = false;
      for (const s of series) {
        if (!Number.isFinite(s.x) || !Number.isFinite(s.y)) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${num(X(s.x))} ${num(Y(s.y))}`;
        pen = true;
      }
      if (d !== '') parts.push(el('path', { d, fill: 'none', stroke: colour, 'stroke-width': 2 }));
      for (const s of series)
        if (Number.isFinite(s.x) && Number.isFinite(s.y)) parts.push(marker(shape, X(s.x), Y(s.y), colour, `${workload}, ${config} at ${sweep.parameter} = ${formatValue(s.x)}: ${ratio(s.y)}`));
      lineDesc.push(`${config} ${series.map((s) => ratio(s.y)).join(', ')}`);
    }
    descParts.push(`${workload}: ${lineDesc.join('; ')}`);
    parts.push(text(px + pw / 2, py + ph + 28, sweep.parameter, { 'text-anchor': 'middle', 'font-size': 10 }));
    body.push(el('g', {}, parts.join('')));
  });

  const rows = Math.ceil(workloads.length / cols);
  const bottom = top + rows * PANEL_H;
  body.push(text(12, bottom + 2, `x: ${sweep.label}${xs.log ? ' (log scale)' : ''}`, { 'font-size': 11 }));
  body.push(text(12, bottom + 17, `y: slowdown per iteration against native${ys.log ? ' (log scale)' : ''}; dashed line at 1x`, { 'font-size': 11 }));
  const crossings = sweep.crossovers.map((c) => crossoverText(c, sweep.parameter));
  const desc =
    `Lines: slowdown per iteration of each config as ${sweep.parameter} takes the values ${points.map((p) => formatValue(p.value)).join(', ')}. ` +
    `${descParts.join('. ')}.` +
    (crossings.length > 0 ? ` Crossovers: ${crossings.join('; ')}.` : '');
  return svgDocument(Math.max(cols * PANEL_W + 12, 24 + textWidth(`x: ${sweep.label} (log scale)`, 11)), bottom + 28, title, desc, body);
}
