// CSV files of a benchmark run (RFC 4180: CRLF line ends, a header line, fields with commas,
// quotes or line breaks quoted, quotes doubled). Numbers are written as JavaScript writes them
// (the shortest text that reads back to the same double); a figure that is not a finite number
// (a slowdown without a native row) is an empty field.

import type { BenchResults } from '../results.js';
import { rowPresets, rowsOf, sortedPoints, sweepAxes, sweepValue } from './model.js';

type Field = string | number | boolean | null | undefined;

/** One field, quoted when it must be. */
export function csvField(v: Field): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function csv(header: readonly string[], rows: readonly Field[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export const ROW_COLUMNS = [
  'workload',
  'kind',
  'config',
  'preset',
  'iterations',
  'cycles',
  'instructions',
  'guest_instructions',
  'traps',
  'vm_exits',
  'slowdown',
  'slowdown_per_iteration',
  'per_iteration_cycles',
  'traps_per_1k',
  'vm_exits_per_1k',
  'guest_user_cycles',
  'guest_kernel_cycles',
  'vmm_cycles',
  'transition_cycles',
  'idle_cycles',
  'matches_native',
  'per_iteration_guest_user_cycles',
  'per_iteration_guest_kernel_cycles',
  'per_iteration_vmm_cycles',
  'per_iteration_transition_cycles',
  'per_iteration_idle_cycles',
] as const;

/**
 * results.csv: one line per row (presets in order, then workloads and configs in order). The
 * five attribution columns after the rates are the whole run's cycles by world (they add up to
 * `cycles`); the five per_iteration_* columns at the end split `per_iteration_cycles` the same way.
 */
export function rowsCsv(r: BenchResults): string {
  const lines: Field[][] = [];
  for (const preset of rowPresets(r))
    for (const row of rowsOf(r, preset)) {
      const m = row.run;
      const a = m.attribution;
      const pa = row.perIteration.attribution;
      lines.push([
        row.workload,
        row.kind,
        row.config,
        row.preset,
        m.iterations,
        m.cycles,
        m.instructions,
        m.guestInstructions,
        m.traps,
        m.vmExits,
        row.slowdown,
        row.slowdownPerIteration,
        row.perIteration.cycles,
        row.trapsPer1k,
        row.vmExitsPer1k,
        a.guestUser,
        a.guestKernel,
        a.vmm,
        a.transitions,
        a.idle,
        row.matchesNative,
        pa.guestUser,
        pa.guestKernel,
        pa.vmm,
        pa.transitions,
        pa.idle,
      ]);
    }
  return csv(ROW_COLUMNS, lines);
}

/** sweep.csv: long format, one line per sweep, point, workload and config. Empty string without sweeps. */
export function sweepCsv(r: BenchResults): string {
  if (r.sweeps.length === 0) return '';
  const lines: Field[][] = [];
  for (const sweep of r.sweeps) {
    const { workloads, configs } = sweepAxes(r, sweep);
    for (const p of sortedPoints(sweep))
      for (const w of workloads)
        for (const c of configs) {
          const v = sweepValue(p, w, c);
          if (p.slowdown[w]?.[c] === undefined) continue;
          lines.push([sweep.parameter, sweep.basePreset, p.value, w, c, v]);
        }
  }
  return csv(['parameter', 'base_preset', 'value', 'workload', 'config', 'slowdown_per_iteration'], lines);
}

/** speed.csv: one line per speed row. Empty string without speed rows. */
export function speedCsv(r: BenchResults): string {
  if (r.speed.length === 0) return '';
  return csv(
    ['config', 'workload', 'mips', 'mips_min', 'mips_max', 'samples', 'instructions'],
    r.speed.map((s) => [s.config, s.workload, s.mips, s.min, s.max, s.samples, s.instructions]),
  );
}
