// `ringlab fuzz`: the differential equivalence tester (src/fuzz/). Boots sets of random user
// programs under every configuration and cost preset and compares each process's output and exit
// code with native's; prints every divergence with a command that reproduces it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bootSeeds, bootSet, comparableConfigs, comparedConfigs, GeneratorError, runEquivalence, type Divergence, type EquivalenceReport } from '../../fuzz/equivalence.js';
import { COST_PRESETS } from '../../machine/costs.js';
import { out } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { parseCount, parseList } from '../options.js';
import { progressLine } from '../progress.js';

export interface FuzzCliOptions {
  programs?: string;
  seed?: string;
  bootSeed?: string;
  config?: string;
  preset?: string;
  save?: string;
  json?: boolean;
}

/** At least this many programs make one boot set on average (4 to 8 processes). */
const PROGRAMS_PER_SET = 6;

function names(list: string | undefined, valid: readonly string[], what: string): string[] {
  if (list === undefined) return [...valid];
  const picked = parseList(list);
  for (const n of picked) if (!valid.includes(n)) throw new CliError(`unknown ${what} '${n}' (valid: ${valid.join(', ')})`, ExitCode.USAGE);
  return picked;
}

/** The first line where two outputs differ, for the report. */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: native ${JSON.stringify(x[i] ?? '(none)')}, got ${JSON.stringify(y[i] ?? '(none)')}`;
  }
  return 'same output';
}

function describe(d: Divergence): string {
  const exit = d.native.exitCode === d.actual.exitCode ? `exit ${d.actual.exitCode}` : `exit ${d.native.exitCode} natively, ${d.actual.exitCode ?? 'none'} here`;
  const output = d.native.output === d.actual.output ? 'same output' : firstDifference(d.native.output, d.actual.output);
  return `${out.red('divergence')} boot ${d.bootSeed} ${d.config}/${d.preset} pid ${d.pid} (${d.name}): ${exit}; ${output}\n  reproduce: ${d.reproduce}\n`;
}

/** Write one boot set's program sources under DIR/<bootSeed>/, with the boot command. */
function save(dir: string, seed: number): string {
  const set = bootSet(seed);
  const where = resolve(dir, String(seed));
  mkdirSync(where, { recursive: true });
  const files = set.sources.map((source, i) => {
    const file = join(where, `rnd${i}.s`);
    writeFileSync(file, source);
    return file;
  });
  const quantum = set.quantum ? ` --quantum ${set.quantum}` : '';
  writeFileSync(join(where, 'boot.txt'), `ringlab boot --config CONFIG${quantum} ${files.map((f) => `--program ${f}`).join(' ')}\n`);
  return where;
}

export function fuzzCommand(opts: FuzzCliOptions): number {
  const configs = opts.config === undefined ? comparedConfigs() : names(opts.config, comparableConfigs(), 'config');
  const presets = names(opts.preset, Object.keys(COST_PRESETS), 'preset');
  let seeds: number[];
  if (opts.bootSeed !== undefined) {
    seeds = [parseCount('--boot-seed', opts.bootSeed) >>> 0];
  } else {
    const programs = opts.programs === undefined ? 60 : parseCount('--programs', opts.programs);
    const seed = opts.seed === undefined ? 1 : parseCount('--seed', opts.seed) >>> 0;
    seeds = bootSeeds(seed, Math.max(1, Math.ceil(programs / PROGRAMS_PER_SET)));
  }
  const progress = progressLine(io.stderr);
  let report: EquivalenceReport;
  try {
    report = runEquivalence({
      seeds,
      configs,
      presets,
      beforeBoot: (i, soFar) => progress?.(i, seeds.length, `boot set ${seeds[i]}: ${soFar.programs} programs so far, ${soFar.divergences.length} divergences`),
      onBoot: (set) => {
        if (!opts.json) for (const d of set.divergences) io.stdout.write(describe(d));
        if (opts.save) io.stderr.write(`saved boot ${set.bootSeed} in ${save(opts.save, set.bootSeed)}\n`);
      },
    });
    progress?.(seeds.length, seeds.length, '');
  } catch (e) {
    if (e instanceof GeneratorError) throw new CliError(`the generator made a bad boot set: ${e.message}`, ExitCode.INTERNAL);
    throw e;
  }
  const { programs, boots, divergences } = report;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ seeds, programs, boots, configs, presets, divergences }, null, 2)}\n`);
  } else {
    const summary = `${programs} programs in ${seeds.length} boot sets, each under native and ${configs.join(', ')} with ${presets.join(', ')} (${boots} boots): ${divergences.length} divergences`;
    io.stdout.write(`${divergences.length === 0 ? out.green(summary) : out.red(summary)}\n`);
  }
  return divergences.length === 0 ? ExitCode.OK : ExitCode.DIVERGED;
}
