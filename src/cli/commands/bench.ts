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
import { out } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { parseCount, parseList } from '../options.js';
import { progressLine } from '../progress.js';

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
  const name = (suite ?? 'overhead') as SuiteName;
  if (!SUITES.includes(name)) throw new CliError(`unknown suite '${suite}' (valid: ${SUITES.join(', ')})`, ExitCode.USAGE);
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
