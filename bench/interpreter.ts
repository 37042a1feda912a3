// Engine speed benchmark: guest MIPS for four small loops, under both engines (the interpreter
// and the block translator, src/machine/translate.ts), interleaved: each round runs every engine
// once, so both see the same load on a shared machine.
//
//   npm run bench:interpreter                # table
//   npm run bench:interpreter -- --json      # machine-readable
//   node dist/bench/interpreter.js --runs 9 --quick --engines interp,translate
//
// Cases (programs in bench/programs/, assembled with src/asm):
//   a  alu        5-instruction ALU loop, ring 0, paging off
//   b  alu-user   the same loop in ring 3, paging on (page directory + one page table)
//   c  mem        8-instruction loop with one lw and one sw (25% memory), ring 0, paging off
//   d  mem-user   the same in ring 3, paging on
//
// Each case runs once per engine to warm up (reported as "first": in a fresh process that run is
// compiled differently by V8, see src/machine/dispatch.ts), then --runs more rounds, each on a
// new Machine, as a long-lived process would. We report the median and the min-max range of
// those, and the ratio of the medians. Every run checks the registers the loop computed, and
// the ring-3 cases check that the loop really ran in ring 3 with paging on and TLB hits, so a
// broken engine cannot post a number; and every run's statistics must equal the interpreter's.

import { readFileSync } from 'node:fs';
import { Reg } from '../src/isa/index.js';
import { ENGINES, Machine, type EngineName, type MachineStats } from '../src/machine/machine.js';
import { buildLoop, expectedLoop } from './loops.js';

interface Case {
  id: string;
  name: string;
  file: string;
  description: string;
  /** Loop iterations per run at full scale. */
  iterations: number;
  /** The memory-loop variant also keeps a counter in memory. */
  memory: boolean;
  user: boolean;
}

const CASES: readonly Case[] = [
  { id: 'a', name: 'alu', file: 'alu.s', description: '5-insn ALU loop, ring 0, paging off', iterations: 10_000_000, memory: false, user: false },
  { id: 'b', name: 'alu-user', file: 'alu-user.s', description: '5-insn ALU loop, ring 3, paging on', iterations: 10_000_000, memory: false, user: true },
  { id: 'c', name: 'mem', file: 'mem.s', description: '8-insn loop, 25% lw/sw, ring 0, paging off', iterations: 6_000_000, memory: true, user: false },
  { id: 'd', name: 'mem-user', file: 'mem-user.s', description: '8-insn loop, 25% lw/sw, ring 3, paging on', iterations: 6_000_000, memory: true, user: true },
];

interface Result {
  engine: EngineName;
  id: string;
  name: string;
  description: string;
  instructionsPerRun: number;
  firstMips: number;
  mips: number[];
  median: number;
  min: number;
  max: number;
}

type ClockName = 'wall' | 'thread';

interface Args {
  json: boolean;
  runs: number;
  scale: number;
  only: string | undefined;
  clock: ClockName;
  engines: EngineName[];
}

function parseArgs(argv: readonly string[]): Args {
  let clock: ClockName = 'wall';
  let json = false;
  let runs = 7;
  let scale = 1;
  let only: string | undefined;
  let engines: EngineName[] = [...ENGINES];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--quick') scale = 0.2;
    else if (a === '--runs') runs = Math.max(5, Number(argv[++i]));
    else if (a === '--only') only = argv[++i];
    else if (a === '--engines') {
      const list = (argv[++i] ?? '').split(',');
      if (list.length === 0 || list.some((e) => !(ENGINES as readonly string[]).includes(e))) {
        console.error(`speed: --engines is a list of ${ENGINES.join(', ')}`);
        process.exit(2);
      }
      engines = list as EngineName[];
    }
    else if (a === '--clock') {
      const value = argv[++i];
      if (value !== 'wall' && value !== 'thread') {
        console.error(`speed: --clock is 'wall' or 'thread'`);
        process.exit(2);
      }
      clock = value;
    }
    else if (a === '--help' || a === '-h') {
      console.log('usage: speed [--json] [--runs N (>= 5, default 7)] [--quick] [--only abcd] [--clock wall|thread] [--engines interp,translate]');
      console.log('  --clock thread: time runs by the main thread\'s CPU time (Linux /proc), which other');
      console.log('                  processes and V8\'s background compiler threads do not inflate');
      process.exit(0);
    } else {
      console.error(`speed: unknown option '${a}'`);
      process.exit(2);
    }
  }
  if (!Number.isFinite(runs)) runs = 7;
  return { json, runs, scale, only, clock, engines };
}

/** Milliseconds of the chosen clock. `thread`: CPU time of this (the main) thread, from
 *  /proc/thread-self/stat in clock ticks (usually 10 ms, so keep runs long). */
function clockFor(name: ClockName): () => number {
  if (name === 'wall') return () => performance.now();
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  return () => {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * tick; // utime + stime
  };
}

function check(c: Case, m: Machine, stats: MachineStats, want: ReturnType<typeof expectedLoop>, iterations: number, stopKind: string): void {
  const x = m.cpu.x;
  const fail = (what: string): never => {
    throw new Error(`case ${c.id} (${c.name}): ${what}; the interpreter computed something wrong, no number reported`);
  };
  if (stopKind !== 'halt') fail(`stopped with ${stopKind}, expected halt`);
  if (x[Reg.a0] !== want.a0 || x[Reg.a1] !== want.a1 || x[Reg.a2] !== want.a2 || x[Reg.a3] !== 0) {
    fail(`registers a0..a3 = ${[...x.slice(Reg.a0, Reg.a3 + 1)].join(', ')}, expected ${want.a0}, ${want.a1}, ${want.a2}, 0`);
  }
  if (c.memory) {
    const counter = m.memory.words[0x3000 >>> 2];
    if (counter !== iterations) fail(`memory counter = ${counter}, expected ${iterations}`);
  }
  const loopInstructions = iterations * (c.memory ? 8 : 5);
  if (c.user) {
    if (!m.cpu.paging) fail('paging is off');
    if (stats.rings[3]!.instructions < loopInstructions) fail(`only ${stats.rings[3]!.instructions} instructions ran in ring 3`);
    if (stats.tlb.hits < loopInstructions) fail(`only ${stats.tlb.hits} TLB hits`);
    if (stats.traps['Syscall'] !== 1 || Object.keys(stats.traps).length !== 1) fail(`traps ${JSON.stringify(stats.traps)}, expected one Syscall`);
  } else {
    if (stats.rings[0]!.instructions < loopInstructions) fail(`only ${stats.rings[0]!.instructions} instructions ran in ring 0`);
    if (m.cpu.paging || stats.tlb.hits !== 0) fail('paging was on');
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function summary(engine: EngineName, c: Case, firstMips: number, mips: number[], instructionsPerRun: number): Result {
  return {
    engine,
    id: c.id,
    name: c.name,
    description: c.description,
    instructionsPerRun,
    firstMips,
    mips,
    median: median(mips),
    min: Math.min(...mips),
    max: Math.max(...mips),
  };
}

/** Every engine on one case, interleaved round by round. */
function runCase(c: Case, engines: readonly EngineName[], runs: number, scale: number, now: () => number): Result[] {
  const iterations = Math.max(1000, Math.round(c.iterations * scale));
  const image = buildLoop(c.file, iterations);
  const want = expectedLoop(iterations);
  const mips = new Map<EngineName, number[]>(engines.map((e) => [e, []]));
  const first = new Map<EngineName, number>();
  let instructionsPerRun = 0;
  let reference: string | undefined;
  for (let r = 0; r <= runs; r++) {
    for (const engine of engines) {
      const m = new Machine({ memoryBytes: 1 << 20, engine });
      m.load(image);
      const t0 = now();
      const stop = m.run();
      const ms = Math.max(now() - t0, 1e-3);
      const stats = m.stats();
      check(c, m, stats, want, iterations, stop.kind);
      const text = JSON.stringify(stats);
      reference ??= text;
      if (text !== reference) throw new Error(`case ${c.id} (${c.name}): the ${engine} engine's statistics differ from the ${engines[0]} engine's; no number reported`);
      instructionsPerRun = stats.instructions;
      const value = stats.instructions / ms / 1000;
      if (r === 0) first.set(engine, value);
      else mips.get(engine)!.push(value);
    }
  }
  return engines.map((e) => summary(e, c, first.get(e)!, mips.get(e)!, instructionsPerRun));
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const cases = CASES.filter((c) => !args.only || args.only.includes(c.id));
  const now = clockFor(args.clock);
  const results = cases.flatMap((c) => runCase(c, args.engines, args.runs, args.scale, now));
  if (args.json) {
    console.log(JSON.stringify({ node: process.version, clock: args.clock, runs: args.runs, scale: args.scale, engines: args.engines, results }, null, 2));
    return;
  }
  const f = (v: number): string => v.toFixed(1).padStart(7);
  console.log(`guest MIPS, ${args.runs} interleaved rounds per case after one warm-up round, ${args.clock} clock (node ${process.version})\n`);
  console.log('case                                            engine      median    min  -   max      first  insns/run   vs interp');
  for (const r of results) {
    const label = `${r.id}  ${r.description}`.padEnd(46);
    const base = results.find((b) => b.id === r.id && b.engine === 'interp');
    const ratio = base && r.engine !== 'interp' ? `${(r.median / base.median).toFixed(2)}x` : '';
    console.log(`${label}  ${r.engine.padEnd(9)} ${f(r.median)}  ${f(r.min)} -${f(r.max)}   ${f(r.firstMips)}  ${String(r.instructionsPerRun).padStart(9)}   ${ratio}`);
  }
}

main();
