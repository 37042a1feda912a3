// The resource-control part of the isolation suite's report (isolation-control.ts measures):
// its findings, its tables (terminal, report.md and report.html take the same rows) and its
// chart, the longest stall of the limited container against the period. Pure functions.
//
//   cgroup v2 (Documentation/admin-guide/cgroup-v2.rst, "cpu.max", "memory.max") and CFS
//   bandwidth control (Documentation/scheduler/sched-bwc.rst): a group may run QUOTA in each
//   PERIOD, so its share is quota / period; once the quota is spent it is throttled until the
//   period ends, so a group that spends its quota in one burst waits up to period - quota,
//   which is why shorter periods give smoother latency (the Kubernetes CFS-quota pitfall).
//   memory.max is a hard limit: at it the group's own OOM killer acts, inside the group.

import type { ControlResults, CpuSegment } from './isolation-control.js';
import { grouped, ratio } from './render/format.js';
import { el, legend, svgDocument, text, tip } from './render/svg.js';
import type { Finding } from './results.js';

/** A limited container's share of the processor within this many points of quota / period. */
export const SHARE_TOLERANCE = 0.02;
/** Its longest stall within this fraction of period - quota. */
export const STALL_TOLERANCE = 0.05;
/** The neighbour's progress (cycles per iteration of its own processor time) within this factor
 *  of its progress alone. */
export const UNAFFECTED = 1.05;

export const CONTROL_CHART = 'control.svg';

const ms = (cyc: number): string => `${(cyc / 3_000_000).toFixed(2)} ms`;
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const cpuMax = (s: CpuSegment): string => `${s.quotaUs ?? 'max'} ${s.periodUs}`;

export function controlFindings(c: ControlResults): Finding[] {
  const out: Finding[] = [];
  const limited = c.cpu.filter((s) => s.quotaUs !== null);
  const free = c.cpu.find((s) => s.quotaUs === null);
  if (limited.length) {
    const off = limited.map((s) => Math.abs(s.limShare - s.configured));
    out.push({
      id: 'iso-cpu-max-share',
      claim: `a container under cpu.max QUOTA PERIOD gets quota / period of the processor, within ${SHARE_TOLERANCE * 100} points, however long the period (cgroup v2, CFS bandwidth control)`,
      holds: off.every((d) => d <= SHARE_TOLERANCE),
      text: `the limited container's share against the configured one: ${limited.map((s) => `cpu.max "${cpuMax(s)}" ${pct(s.limShare)} of ${pct(s.configured)}`).join(', ')}; ` +
        `its best-effort neighbour (cpu.weight 1) got the rest (${limited.map((s) => pct(s.freeShare)).join(', ')})` +
        (free ? `; without the limit the same container took ${pct(free.limShare)}: the quota, not the neighbour, holds it to its share` : ''),
    });
    const increasing = limited.every((s, i) => i === 0 || s.longestStall > limited[i - 1]!.longestStall);
    const near = limited.every((s) => Math.abs(s.longestStall - s.expectedStall) <= STALL_TOLERANCE * s.expectedStall);
    out.push({
      id: 'iso-cpu-max-stall',
      claim: `the longest stall of a throttled container grows with the period, up to period - quota (within ${STALL_TOLERANCE * 100}%): the same share with a shorter period gives smoother latency (CFS bandwidth control; the Kubernetes CFS-quota pitfall)`,
      holds: increasing && near,
      text: `at 50% the longest time the limited container did not run: ${limited.map((s) => `period ${ms(s.periodUs * 3000)}: ${ms(s.longestStall)} (period - quota ${ms(s.expectedStall)})`).join(', ')}` +
        (free ? `; without a limit ${grouped(free.longestStall)} cycles (the ticks its weight-1 neighbour gets)` : '') +
        (near ? '' : '. The stall is not period - quota where the neighbour takes ticks while the limited container spends its quota (its weight still gives it some), which shortens the throttled stretch by as much'),
    });
  }
  const alone = c.memory.find((m) => m.run === 'alone');
  const hit = c.memory.find((m) => m.run === 'offender');
  if (alone && hit) {
    const own = hit.ownPerIteration / alone.ownPerIteration;
    const wall = hit.wallPerIteration / alone.wallPerIteration;
    const killed = hit.offenderKilledAt !== undefined;
    out.push({
      id: 'iso-memory-max',
      claim: `memory.max confines the offender: a container allocating past its limit is OOM-killed inside its group, and its neighbour's progress is unaffected, within ${UNAFFECTED}x of its progress alone (cgroup v2: memory.max is a hard limit)`,
      holds: killed && own <= UNAFFECTED,
      text: `the offender (memory.max ${c.offenderMemoryMax}) was ${killed ? `killed ("${hit.oomMessage ?? ''}")` : 'not killed'} while the neighbour did ${grouped(hit.iterations)} iterations of a new page and a fixed spin: ` +
        `${grouped(hit.ownPerIteration)} cycles of its own processor time per iteration against ${grouped(alone.ownPerIteration)} alone (${ratio(own)}; in user mode ${grouped(hit.user / hit.iterations)} against ${grouped(alone.user / alone.iterations)}); ` +
        `by the wall clock ${grouped(hit.wallPerIteration)} against ${grouped(alone.wallPerIteration)} (${ratio(wall)}): the ${grouped(hit.others)} cycles the offender and its crun ran in the neighbour's window, ` +
        'which the processor shares (cpu.weight) and memory.max does not govern',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tables

export interface ControlTable {
  title: string;
  head: string[];
  align: ('left' | 'right')[];
  rows: string[][];
}

export function controlTables(c: ControlResults): ControlTable[] {
  return [
    {
      title: 'Resource control: cpu.max on a container competing with a best-effort one (cpu.weight 1)',
      head: ['cpu.max', 'configured', 'limited container', 'neighbour', 'periods', 'longest stall', 'period - quota'],
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows: c.cpu.map((s) => [`${cpuMax(s)}`, pct(s.configured), pct(s.limShare), pct(s.freeShare), String(s.periods), `${grouped(s.longestStall)} (${ms(s.longestStall)})`, s.quotaUs === null ? '—' : `${grouped(s.expectedStall)} (${ms(s.expectedStall)})`]),
    },
    {
      title: `Resource control: memory.max; the neighbour's steady work, alone and while the offender (memory.max ${c.offenderMemoryMax}) is OOM-killed`,
      head: ['neighbour', 'iterations', 'own cycles / iteration', 'of which user mode', 'wall cycles / iteration', 'others ran', 'offender'],
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
      rows: c.memory.map((m) => [m.run === 'alone' ? 'alone' : 'with the offender', grouped(m.iterations), grouped(m.ownPerIteration), grouped(m.user / m.iterations), grouped(m.wallPerIteration), grouped(m.others), m.oomMessage ?? '—']),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The chart: the longest stall against the period, measured and period - quota

export function controlSvg(c: ControlResults): string {
  const points = c.cpu.filter((s) => s.quotaUs !== null);
  const width = 700;
  const height = 380;
  const left = 80;
  const top = 50;
  const plotW = width - left - 40;
  const plotH = height - top - 90;
  const maxX = Math.max(1, ...points.map((s) => s.periodUs / 1000));
  const maxY = Math.max(1, ...points.map((s) => Math.max(s.longestStall, s.expectedStall) / 3_000_000));
  const x = (v: number): number => left + (v / maxX) * plotW;
  const y = (v: number): number => top + plotH - (v / maxY) * plotH;
  const body: string[] = [text(16, 24, 'cpu.max at 50%: the limited container\'s longest stall against the period', { 'font-size': 14, 'font-weight': 'bold' })];
  body.push(el('line', { x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: '#333333' }), el('line', { x1: left, y1: top, x2: left, y2: top + plotH, stroke: '#333333' }));
  for (let i = 0; i <= 4; i++) {
    const vy = (maxY * i) / 4;
    body.push(text(left - 6, y(vy) + 4, vy.toFixed(1), { 'text-anchor': 'end', 'font-size': 11 }), el('line', { x1: left, y1: y(vy), x2: left + plotW, y2: y(vy), stroke: '#dddddd' }));
  }
  for (const s of points) body.push(text(x(s.periodUs / 1000), top + plotH + 16, String(s.periodUs / 1000), { 'text-anchor': 'middle', 'font-size': 11 }));
  body.push(text(left + plotW / 2, top + plotH + 34, 'period (ms)', { 'text-anchor': 'middle' }));
  body.push(text(16, top + plotH / 2, 'ms', { 'font-size': 11 }));
  const line = (ys: number[], colour: string, dash?: string): string =>
    el('polyline', { points: points.map((s, i) => `${x(s.periodUs / 1000).toFixed(1)},${y(ys[i]!).toFixed(1)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2, ...(dash ? { 'stroke-dasharray': dash } : {}) });
  body.push(line(points.map((s) => s.expectedStall / 3_000_000), '#999999', '5,4'));
  body.push(line(points.map((s) => s.longestStall / 3_000_000), '#D55E00'));
  for (const s of points) {
    body.push(el('circle', { cx: x(s.periodUs / 1000), cy: y(s.longestStall / 3_000_000), r: 4, fill: '#D55E00' }, tip(`cpu.max "${cpuMax(s)}": longest stall ${grouped(s.longestStall)} cycles (${ms(s.longestStall)}), period - quota ${ms(s.expectedStall)}, share ${pct(s.limShare)}`)));
  }
  const key = legend([{ label: 'longest stall, measured', colour: '#D55E00' }, { label: 'period - quota (CFS bandwidth control)', colour: '#999999' }], left, top + plotH + 48, plotW);
  body.push(key.svg);
  const desc = points.map((s) => `period ${s.periodUs / 1000} ms: longest stall ${ms(s.longestStall)} (period - quota ${ms(s.expectedStall)})`).join('; ');
  return svgDocument(width, top + plotH + 48 + key.height + 10, 'Longest stall against the period', desc, body);
}
