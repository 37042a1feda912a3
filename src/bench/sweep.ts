// The sweep suite: move one cost-model parameter in steps and measure every config's per-iteration
// slowdown at each step. Two sweeps:
//
//   vmExit     the VM exit + entry round trip, from the first-generation preset's 2,400 cycles
//              (vtx-2006) down to the later preset's 500 (default), the ratio of exit to entry
//              kept; everything else from vtx-2006. Where does vtx overtake te?
//   trapEntry  the trap entry + return round trip from 45 to 500 cycles, the ratio kept, the rest
//              from default. Every te guest-kernel operation is a trap; vtx's system calls are not.
//
// Each point is a cost model of its own (named after the value) and every figure is measured
// there, never interpolated; only the crossover between two measured points is interpolated, and
// the report says so.

import { COST_PRESETS, type CostModel } from '../machine/costs.js';
import { iterationsOf, measure, workloadRows } from './measure.js';
import type { Sweep, SweepPoint } from './results.js';

export interface SweepSpec {
  parameter: 'vmExit' | 'trapEntry';
  label: string;
  basePreset: string;
  /** Round-trip values, in the order measured. */
  values: readonly number[];
  /** The cost model at one value. */
  costsAt(value: number): CostModel;
}

function scaled(base: CostModel, name: string, a: 'vmExit' | 'trapEntry', b: 'vmEntry' | 'trapReturn', roundTrip: number): CostModel {
  const share = base[a] / (base[a] + base[b]);
  const first = Math.round(roundTrip * share);
  return { ...base, name, description: `${base.name} with ${a} + ${b} = ${roundTrip}`, [a]: first, [b]: roundTrip - first };
}

const VTX_2006 = COST_PRESETS['vtx-2006']!;
const DEFAULT = COST_PRESETS['default']!;

export const SWEEPS: readonly SweepSpec[] = [
  {
    parameter: 'vmExit',
    label: 'VM exit + entry round trip (cycles); other costs from vtx-2006',
    basePreset: 'vtx-2006',
    values: [2400, 2000, 1600, 1200, 900, 700, 500],
    costsAt: (v) => scaled(VTX_2006, `vtx-2006, exit+entry ${v}`, 'vmExit', 'vmEntry', v),
  },
  {
    parameter: 'trapEntry',
    label: 'trap entry + return round trip (cycles); other costs from default',
    basePreset: 'default',
    values: [45, 90, 180, 300, 500],
    costsAt: (v) => scaled(DEFAULT, `default, trap entry+return ${v}`, 'trapEntry', 'trapReturn', v),
  },
];

/** Where config `a` and config `b` cross along the sweep: the interpolated parameter value at
 *  which their slowdowns are equal, or null if one is ahead at every point. */
export function crossing(points: readonly SweepPoint[], workload: string, a: string, b: string): number | null {
  for (let i = 1; i < points.length; i++) {
    const p = points[i - 1]!;
    const q = points[i]!;
    const dp = p.slowdown[workload]![a]! - p.slowdown[workload]![b]!;
    const dq = q.slowdown[workload]![a]! - q.slowdown[workload]![b]!;
    if (dp === 0) return p.value;
    if (Math.sign(dp) !== Math.sign(dq)) return Math.round(p.value + ((q.value - p.value) * dp) / (dp - dq));
  }
  const last = points[points.length - 1];
  return last && last.slowdown[workload]![a] === last.slowdown[workload]![b] ? last.value : null;
}

function crossoverNote(points: readonly SweepPoint[], workload: string, a: string, b: string, value: number | null, label: string): string {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const at = (p: SweepPoint, c: string): string => `${p.slowdown[workload]![c]!.toFixed(2)}x`;
  const span = `${a} ${at(first, a)} -> ${at(last, a)}, ${b} ${at(first, b)} -> ${at(last, b)} as the ${label.split(' (')[0]} goes ${first.value} -> ${last.value}`;
  if (value !== null) return `${workload}: ${a} and ${b} cross at about ${value} cycles (interpolated between two measured points); ${span}`;
  const ahead = last.slowdown[workload]![a]! < last.slowdown[workload]![b]! ? a : b;
  return `${workload}: ${ahead} is ahead at every point; ${span}`;
}

/** Run both sweeps over the given configs and workloads. */
export function sweepResults(
  configs: readonly string[],
  workloads: readonly string[],
  progress?: (done: number, total: number, what: string) => void,
): { sweeps: Sweep[]; deterministic: boolean } {
  const total = SWEEPS.reduce((n, s) => n + s.values.length, 0) * workloads.length * configs.length;
  let done = 0;
  let deterministic = true;
  const sweeps = SWEEPS.map((spec): Sweep => {
    const points = spec.values.map((value): SweepPoint => {
      const costs = spec.costsAt(value);
      const slowdown: SweepPoint['slowdown'] = {};
      for (const workload of workloads) {
        const rows = workloadRows(configs, workload, costs, (config) => progress?.(done++, total, `${spec.parameter} ${value}: ${workload} under ${config}`));
        slowdown[workload] = Object.fromEntries(rows.map((row) => [row.config, row.slowdownPerIteration]));
      }
      return { value, slowdown };
    });
    // Spot-check exactness: the first point's first workload under the last config, once more.
    const check = { config: configs[configs.length - 1]!, workload: workloads[0]!, costs: spec.costsAt(spec.values[0]!) };
    const a = measure({ ...check, iterations: iterationsOf(check.workload) }).measurement;
    const b = measure({ ...check, iterations: iterationsOf(check.workload) }).measurement;
    if (JSON.stringify(a) !== JSON.stringify(b)) deterministic = false;
    const crossovers: Sweep['crossovers'] = [];
    if (configs.includes('te') && configs.includes('vtx')) {
      for (const workload of workloads) {
        const value = crossing(points, workload, 'vtx', 'te');
        const lowest = points.reduce((a, b) => (b.value < a.value ? b : a));
        const side = lowest.slowdown[workload]!['vtx']! < lowest.slowdown[workload]!['te']! ? 'below' : 'above';
        crossovers.push({ workload, config: 'vtx', versus: 'te', value, side, note: crossoverNote(points, workload, 'vtx', 'te', value, spec.label) });
      }
    }
    return { parameter: spec.parameter, label: spec.label, basePreset: spec.basePreset, points, crossovers };
  });
  progress?.(total, total, 'done');
  return { sweeps, deterministic };
}
