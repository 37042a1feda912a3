// `ringlab bench [SUITE]`: run a benchmark suite (overhead, nano, sweep, speed), print the
// report to the terminal (or results.json with --json) and write the report files under --out.
// See docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ProgramAssemblyError } from '../../configs/index.js';
import { ROOT } from '../../configs/images.js';
import { BenchError, UnknownNameError } from '../../bench/measure.js';
import { DEFAULT_OUT_DIR, renderTerminal, resultsJson, writeReport } from '../../bench/render/index.js';
import type { SuiteName } from '../../bench/results.js';
import { runSuite, SUITES } from '../../bench/suites.js';
import { ALL_CONFIGS, runIsolation } from '../../bench/isolation.js';
import { ISOLATION_OUT_DIR, renderIsolationTerminal, writeIsolationReport } from '../../bench/isolation-render.js';
import { out } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { parseCount, parseList } from '../options.js';
import { progressLine } from '../progress.js';
import { COST_PRESETS } from '../../machine/costs.js';

export interface BenchCliOptions {
  preset?: string;
  workload?: string;
  config?: string;
  out?: string;
  files?: boolean;
  json?: boolean;
  samples?: string;
}

/** `git describe` of the tree the harness runs from, or 'unknown' outside a git checkout. */
export function gitRevision(): string {
  const r = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : 'unknown';
}

export function benchCommand(suite: string | undefined, opts: BenchCliOptions): number {
  if (suite === 'isolation') return isolationCommand(opts);
  const name = (suite ?? 'overhead') as SuiteName;
  if (!SUITES.includes(name)) throw new CliError(`unknown suite '${suite}' (valid: ${[...SUITES, 'isolation'].join(', ')})`, ExitCode.USAGE);
  const samples = opts.samples === undefined ? undefined : parseCount('--samples', opts.samples);
  if (samples !== undefined && (samples < 1 || samples > 1000)) throw new CliError('--samples must be from 1 to 1000', ExitCode.USAGE);
  let results;
  try {
    results = runSuite(name, {
      presets: opts.preset ? parseList(opts.preset) : undefined,
      workloads: opts.workload ? parseList(opts.workload) : undefined,
      configs: opts.config ? parseList(opts.config) : undefined,
      progress: progressLine(io.stderr),
      revision: gitRevision(),
      speedSamples: samples,
    });
  } catch (e) {
    if (e instanceof BenchError) throw new CliError(`benchmark run failed: ${e.message}`, ExitCode.GUEST);
    if (e instanceof ProgramAssemblyError) throw new CliError(e.message, ExitCode.ASSEMBLY);
    if (e instanceof UnknownNameError) throw new CliError(e.message, ExitCode.USAGE);
    throw e;
  }
  const dir = resolve(opts.out ?? resolve(ROOT, DEFAULT_OUT_DIR));
  let written: string[] = [];
  if (opts.files !== false) {
    try {
      written = writeReport(results, dir);
    } catch (e) {
      throw new CliError(`cannot write the report to ${dir}: ${(e as Error).message}`, ExitCode.USAGE);
    }
  }
  if (opts.json) {
    io.stdout.write(resultsJson(results));
  } else {
    io.stdout.write(renderTerminal(results, out));
    if (written.length) io.stdout.write(`\nreport: ${written.length} files in ${dir} (open report.html in a browser)\n`);
  }
  return ExitCode.OK;
}

/** `ringlab bench isolation`: containers against virtual machines (src/bench/isolation.ts,
 *  docs/isolation.md). It runs under one cost preset (--preset, default `default`) and takes
 *  --config to narrow the VMMs; it has no workloads to choose. */
function isolationCommand(opts: BenchCliOptions): number {
  if (opts.workload !== undefined) throw new CliError('the isolation suite runs its own probe: --workload does not apply', ExitCode.USAGE);
  if (opts.samples !== undefined) throw new CliError('--samples is for the speed suite', ExitCode.USAGE);
  const presets = opts.preset ? parseList(opts.preset) : ['default'];
  if (presets.length !== 1) throw new CliError('the isolation suite runs under one cost preset', ExitCode.USAGE);
  const costs = COST_PRESETS[presets[0]!];
  if (!costs) throw new CliError(`unknown cost preset '${presets[0]}' (known: ${Object.keys(COST_PRESETS).join(', ')})`, ExitCode.USAGE);
  const configs = opts.config ? parseList(opts.config) : undefined;
  for (const c of configs ?? []) if (!(ALL_CONFIGS as readonly string[]).includes(c)) throw new CliError(`unknown config '${c}' (known: ${ALL_CONFIGS.join(', ')})`, ExitCode.USAGE);
  let results;
  try {
    results = runIsolation({ configs, costs, revision: gitRevision(), progress: progressLine(io.stderr) });
  } catch (e) {
    if (e instanceof BenchError) throw new CliError(`benchmark run failed: ${e.message}`, ExitCode.GUEST);
    if (e instanceof ProgramAssemblyError) throw new CliError(e.message, ExitCode.ASSEMBLY);
    throw e;
  }
  const dir = resolve(opts.out ?? resolve(ROOT, ISOLATION_OUT_DIR));
  let written: string[] = [];
  if (opts.files !== false) {
    try {
      written = writeIsolationReport(results, dir);
    } catch (e) {
      throw new CliError(`cannot write the report to ${dir}: ${(e as Error).message}`, ExitCode.USAGE);
    }
  }
  if (opts.json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else {
    io.stdout.write(renderIsolationTerminal(results, out));
    if (written.length) io.stdout.write(`\nreport: ${written.length} files in ${dir} (open report.html in a browser)\n`);
  }
  return ExitCode.OK;
}
