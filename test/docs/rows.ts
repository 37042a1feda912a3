// Benchmark rows for the doc tests: several quotes share a row, so each is measured once per
// test file (a row is a config, a workload and a preset, booted at N and 2N as the harness does).

import { runRow, type RowRuns } from '../../src/bench/measure.js';
import { COST_PRESETS } from '../../src/machine/costs.js';

const rows = new Map<string, RowRuns>();

export function runs(config: string, workload: string, preset: string): RowRuns {
  const key = `${config} ${workload} ${preset}`;
  let row = rows.get(key);
  if (!row) rows.set(key, (row = runRow(config, workload, COST_PRESETS[preset]!)));
  return row;
}
