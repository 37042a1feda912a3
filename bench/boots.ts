// Warm whole boots under both engines: emulated MIPS of the interpreter and of the block
// translator (src/machine/translate.ts) on whole guest-kernel boots, interleaved round by round.
//
//   npm run bench:boots                       # table
//   npm run bench:boots -- --json --rounds 9 --clock thread
//   npm run bench:boots -- --warmup 1          # one warm-up round, as before session 19
//
// Each (workload, config) boots SPEED_SCALE times its default iterations (as `ringlab bench
// speed` does, so that executing instructions dominates the time), --warmup rounds (default 2) of
// one boot per engine to warm up (assembling and caching the images, and V8's compiles; the
// translator keeps its compiled functions for the whole process, so later boots reuse them),
// then --rounds rounds of one boot per engine. Two warm-up rounds, because the translator's
// second boot of a row is still warming (V8 optimizes the reused functions, and regions grown
// in one boot are taken by the next): at x100 in session 19 it ran 5-40% slower than the
// third and later boots, which agree with each other. Every boot's complete statistics and
// output must equal the interpreter's, or no number is reported.

import { readFileSync } from 'node:fs';
import { SPEED_SCALE } from '../src/bench/speed.js';
import { iterationsOf } from '../src/bench/measure.js';
import { findConfig } from '../src/configs/index.js';
import { DEFAULT_COSTS } from '../src/machine/costs.js';
import { ENGINES, setDefaultEngine, type EngineName } from '../src/machine/machine.js';

const WORKLOADS = ['compute', 'syscall', 'ctxswitch'];
const CONFIGS = ['native', 'te', 'vtx-ept'];

interface Args {
  json: boolean;
  rounds: number;
  warmup: number;
  clock: 'wall' | 'thread';
  engines: EngineName[];
  scale: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { json: false, rounds: 5, warmup: 2, clock: 'wall', engines: [...ENGINES], scale: SPEED_SCALE };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') args.json = true;
    else if (a === '--rounds') args.rounds = Math.max(3, Number(argv[++i]) || 5);
    else if (a === '--warmup') args.warmup = Math.max(1, Number(argv[++i]) || 2);
    else if (a === '--scale') args.scale = Math.max(1, Number(argv[++i]) || SPEED_SCALE);
    else if (a === '--clock') {
      const v = argv[++i];
      if (v !== 'wall' && v !== 'thread') usage(`--clock is 'wall' or 'thread'`);
      args.clock = v as 'wall' | 'thread';
    } else if (a === '--engines') {
      const list = (argv[++i] ?? '').split(',');
      if (list.some((e) => !(ENGINES as readonly string[]).includes(e))) usage(`--engines is a list of ${ENGINES.join(', ')}`);
      args.engines = list as EngineName[];
    } else usage(a === '--help' || a === '-h' ? undefined : `unknown option '${a}'`);
  }
  return args;
}

function usage(error?: string): never {
  if (error) console.error(`boots: ${error}`);
  console.log(`usage: boots [--json] [--rounds N (>= 3, default 5)] [--warmup N (>= 1, default 2)] [--scale N (default ${SPEED_SCALE})] [--clock wall|thread] [--engines interp,translate]`);
  process.exit(error ? 2 : 0);
}

function clockFor(name: 'wall' | 'thread'): () => number {
  if (name === 'wall') return () => performance.now();
  return () => {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Row {
  workload: string;
  config: string;
  engine: EngineName;
  instructions: number;
  mips: number[];
  median: number;
  min: number;
  max: number;
}

function boot(config: string, workload: string, iterations: number, engine: EngineName): { text: string; instructions: number } {
  setDefaultEngine(engine);
  try {
    const cfg = findConfig(config)!;
    const r = cfg.boot({ workloads: [workload], iterations, costs: DEFAULT_COSTS, maxCycles: 20_000_000_000 });
    if (!r.halted || r.exitCode !== 0) throw new Error(`${workload} under ${config} (${engine}) did not power off cleanly: ${r.stop.kind}`);
    const { machine: _m, ...rest } = r;
    return { text: JSON.stringify(rest), instructions: r.stats.instructions };
  } finally {
    setDefaultEngine(undefined);
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const now = clockFor(args.clock);
  const rows: Row[] = [];
  for (const workload of WORKLOADS) {
    for (const config of CONFIGS) {
      const iterations = args.scale * iterationsOf(workload);
      let reference: string | undefined;
      const samples = new Map<EngineName, number[]>(args.engines.map((e) => [e, []]));
      let instructions = 0;
      for (let round = 0; round < args.warmup + args.rounds; round++) {
        for (const engine of args.engines) {
          const t0 = now();
          const b = boot(config, workload, iterations, engine);
          const ms = Math.max(now() - t0, 1e-3);
          reference ??= b.text;
          if (b.text !== reference) throw new Error(`${workload} under ${config}: the ${engine} engine's results differ from the ${args.engines[0]} engine's; no number reported`);
          instructions = b.instructions;
          if (round >= args.warmup) samples.get(engine)!.push(b.instructions / ms / 1000);
        }
      }
      for (const engine of args.engines) {
        const mips = samples.get(engine)!;
        rows.push({ workload, config, engine, instructions, mips, median: median(mips), min: Math.min(...mips), max: Math.max(...mips) });
      }
      if (!args.json) process.stderr.write(`.`);
    }
  }
  if (args.json) {
    console.log(JSON.stringify({ node: process.version, clock: args.clock, rounds: args.rounds, warmup: args.warmup, scale: args.scale, rows }, null, 2));
    return;
  }
  const f = (v: number): string => v.toFixed(1).padStart(7);
  console.log(`\nwarm whole boots, emulated MIPS, ${args.rounds} interleaved rounds after ${args.warmup} warm-up round${args.warmup === 1 ? '' : 's'}, ${args.clock} clock (node ${process.version})\n`);
  console.log('workload   config    engine      median    min  -   max   instructions   vs interp');
  for (const r of rows) {
    const base = rows.find((b) => b.workload === r.workload && b.config === r.config && b.engine === 'interp');
    const ratio = base && r.engine !== 'interp' ? `${(r.median / base.median).toFixed(2)}x` : '';
    console.log(`${r.workload.padEnd(10)} ${r.config.padEnd(9)} ${r.engine.padEnd(9)} ${f(r.median)}  ${f(r.min)} -${f(r.max)}   ${String(r.instructions).padStart(12)}   ${ratio}`);
  }
}

main();
