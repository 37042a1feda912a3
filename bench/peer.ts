// A peer on the same loops: jor1k's asm.js RISC-V core (Sebastian Macke's jor1k,
// js/worker/riscv/fastcpu.js, BSD-2-Clause) against ringlab's two engines, interleaved round by
// round as bench/interpreter.ts does, so that all three see the same load (issue 21 asks for the
// ratio to a hand-tuned peer side by side with the translator's).
//
//   git clone https://github.com/s-macke/jor1k /tmp/jor1k     # not vendored: read from there
//   npm run bench:peer -- --jor1k /tmp/jor1k --runs 7 --clock thread
//
// V8 does not accept fastcpu.js as asm.js ("Numeric literal out of range": its constant
// 0x80000001 is not a signed 32-bit literal), so here, as in a V8 browser, it runs as ordinary
// JavaScript, optimized like any other: that is the peer as users of jor1k's RISC-V demo run it.
//
// The cases are bench/interpreter.ts's a (the 5-instruction ALU loop) and c (the 8-instruction
// loop with one lw and one sw), both with paging off in the most privileged mode: ringlab ring 0,
// RISC-V machine mode. The RISC-V programs are the same loops instruction for instruction
// (addi/add/xor/addi/bne; lw/addi/sw/addi/add/xor/addi/bne), encoded below. jor1k's core counts
// no instructions exactly (it checks its step budget every 64 instructions at a page fence), so a
// run's instruction count is the program's: 2 or 3 set-up instructions and the loop's. Every run
// checks the registers the loop computed (and the counter in memory), in both cores.
//
// ringlab's b and d (ring 3 with paging) are not ported: jor1k's core implements the 2015
// privileged specification (1.7: mstatus.VM, sptbr, eret), and entering user mode with Sv32 there
// is a program of its own.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Reg } from '../src/isa/index.js';
import { ENGINES, Machine, type EngineName } from '../src/machine/machine.js';
import { buildLoop, expectedLoop } from './loops.js';

type CoreName = EngineName | 'jor1k';

interface Case {
  id: 'a' | 'c';
  file: string;
  description: string;
  iterations: number;
  memory: boolean;
}

const CASES: readonly Case[] = [
  { id: 'a', file: 'alu.s', description: '5-insn ALU loop, most privileged mode, paging off', iterations: 10_000_000, memory: false },
  { id: 'c', file: 'mem.s', description: '8-insn loop, 25% lw/sw, most privileged mode, paging off', iterations: 6_000_000, memory: true },
];

// ---- RISC-V encodings (RV32I) ----------------------------------------------------------------

const X = { zero: 0, t0: 5, s0: 8, a0: 10, a1: 11, a2: 12, a3: 13 } as const;
const iType = (op: number, f3: number, rd: number, rs1: number, imm: number): number => (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const rType = (f7: number, f3: number, rd: number, rs1: number, rs2: number): number => ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x33) >>> 0;
const addi = (rd: number, rs1: number, imm: number): number => iType(0x13, 0, rd, rs1, imm);
const add = (rd: number, rs1: number, rs2: number): number => rType(0, 0, rd, rs1, rs2);
const xor = (rd: number, rs1: number, rs2: number): number => rType(0, 4, rd, rs1, rs2);
const lw = (rd: number, rs1: number, imm: number): number => iType(0x03, 2, rd, rs1, imm);
const sw = (rs2: number, rs1: number, imm: number): number => (((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (2 << 12) | ((imm & 0x1f) << 7) | 0x23) >>> 0;
const lui = (rd: number, upper: number): number => ((upper << 12) | (rd << 7) | 0x37) >>> 0;
/** bne with a byte offset (even, within +-4 KiB). */
const bne = (rs1: number, rs2: number, offset: number): number => {
  const o = offset & 0x1fff;
  return ((((o >> 12) & 1) << 31) | (((o >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (1 << 12) | (((o >> 1) & 0xf) << 8) | (((o >> 11) & 1) << 7) | 0x63) >>> 0;
};
const JUMP_TO_SELF = 0x0000006f; // jal x0, 0

/** li rd, value as lui + addi (addi's immediate is signed: round the upper part). */
function li(rd: number, value: number): number[] {
  const upper = ((value + 0x800) >>> 12) & 0xfffff;
  return [lui(rd, upper), addi(rd, rd, value - (upper << 12))];
}

/** The case's loop in RISC-V, loaded at 0x200 (where jor1k's core starts). */
function riscvProgram(c: Case, iterations: number): { words: number[]; instructions: number } {
  const setup = [...li(X.a3, iterations), ...(c.memory ? [lui(X.s0, 0x3)] : [])]; // s0 = 0x3000, the counter
  const body = c.memory
    ? [lw(X.t0, X.s0, 0), addi(X.t0, X.t0, 1), sw(X.t0, X.s0, 0), addi(X.a0, X.a0, 1), add(X.a1, X.a1, X.t0), xor(X.a2, X.a2, X.a1), addi(X.a3, X.a3, -1)]
    : [addi(X.a0, X.a0, 1), add(X.a1, X.a1, X.a0), xor(X.a2, X.a2, X.a1), addi(X.a3, X.a3, -1)];
  const words = [...setup, ...body, bne(X.a3, X.zero, -4 * body.length), JUMP_TO_SELF];
  return { words, instructions: setup.length + iterations * (body.length + 1) };
}

// ---- jor1k's core ----------------------------------------------------------------------------

interface Jor1kCore {
  Reset(): void;
  Init(): void;
  Step(steps: number, clockspeed: number): number;
}
type Jor1kFactory = (stdlib: object, foreign: object, heap: ArrayBuffer) => Jor1kCore;

const RAM_OFFSET = 0x100000; // fastcpu.js's heap layout: registers at 0, CSRs at 0x2000, RAM here
const HEAP_BYTES = 16 << 20;

/** fastcpu.js is a CommonJS module of the worker; its three requires are only for messages. */
function loadJor1k(dir: string): Jor1kFactory {
  const file = join(dir, 'js', 'worker', 'riscv', 'fastcpu.js');
  if (!existsSync(file)) throw new Error(`peer: ${file} not found: --jor1k names a checkout of https://github.com/s-macke/jor1k`);
  const module = { exports: {} as unknown };
  const stub = (): object => ({ Debug: () => {}, Abort: () => { throw new Error('jor1k: abort'); } });
  new Function('require', 'module', 'exports', readFileSync(file, 'utf8'))(stub, module, module.exports);
  return module.exports as Jor1kFactory;
}

function jor1kRun(factory: Jor1kFactory, c: Case, program: ReturnType<typeof riscvProgram>): { regs: Int32Array; counter: number } {
  const heap = new ArrayBuffer(HEAP_BYTES);
  const words = new Int32Array(heap);
  const stdlib = { Int32Array, Int8Array, Int16Array, Float32Array, Float64Array, Uint8Array, Uint16Array, Math };
  const abort = (): never => {
    throw new Error(`peer: jor1k aborted in case ${c.id}`);
  };
  const none = (): number => 0;
  const foreign = {
    DebugMessage: () => {}, abort, imul: Math.imul, MathAbs: Math.abs,
    Read32: none, Write32: none, Read16: none, Write16: none, Read8: none, Write8: none,
    ReadDEVCMDToHost: none, ReadDEVCMDFromHost: none, WriteDEVCMDToHost: none, WriteDEVCMDFromHost: none,
    ReadToHost: none, ReadFromHost: none, WriteToHost: none, WriteFromHost: none,
  };
  const cpu = factory(stdlib, foreign, heap);
  cpu.Init();
  program.words.forEach((w, i) => (words[(RAM_OFFSET + 0x200) / 4 + i] = w | 0));
  const CHUNK = 1 << 16;
  let stepsRun = 0;
  // Steps in chunks until the loop's counter (a3, in the heap's register file) is down to 0: then
  // the core spins on the final jump to itself, at most one chunk. (GetPC is exact only at a page
  // fence, so it cannot say where the core is after a taken branch.)
  do {
    cpu.Step(CHUNK, 1);
    stepsRun += CHUNK;
    if (stepsRun > 4 * program.instructions + CHUNK) throw new Error(`peer: jor1k never reached the end of case ${c.id}`);
  } while (words[X.a3] !== 0);
  return { regs: words.slice(0, 32), counter: words[(RAM_OFFSET + 0x3000) / 4]! };
}

// ---- ringlab ---------------------------------------------------------------------------------

// ---- the run ---------------------------------------------------------------------------------

function threadClock(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 10 ms ticks
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

function main(): void {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = value('--jor1k') ?? process.env['JOR1K_DIR'];
  if (!dir) {
    console.error('usage: peer --jor1k DIR [--runs N] [--clock wall|thread] [--quick]   (DIR: a checkout of https://github.com/s-macke/jor1k)');
    process.exit(2);
  }
  const runs = Math.max(3, Number(value('--runs') ?? 7));
  const now = value('--clock') === 'thread' ? threadClock : () => performance.now();
  const scale = argv.includes('--quick') ? 0.2 : 1;
  const factory = loadJor1k(resolve(dir));
  const cores: CoreName[] = ['jor1k', ...ENGINES];
  console.log(`guest MIPS, ${runs} interleaved rounds per case after one warm-up round, ${value('--clock') ?? 'wall'} clock (node ${process.version})\n`);
  console.log('case  core        median    min  -   max   vs jor1k');
  for (const c of CASES) {
    const iterations = Math.round(c.iterations * scale);
    const want = expectedLoop(iterations);
    const program = riscvProgram(c, iterations);
    const image = buildLoop(c.file, iterations);
    const mips = new Map<CoreName, number[]>(cores.map((k) => [k, []]));
    for (let round = 0; round <= runs; round++) {
      for (const core of cores) {
        let instructions: number;
        let got: { a0: number; a1: number; a2: number; a3: number; counter: number };
        const t0 = now();
        if (core === 'jor1k') {
          const r = jor1kRun(factory, c, program);
          instructions = program.instructions;
          got = { a0: r.regs[X.a0]!, a1: r.regs[X.a1]!, a2: r.regs[X.a2]!, a3: r.regs[X.a3]!, counter: r.counter };
        } else {
          const m = new Machine({ memoryBytes: 1 << 20, engine: core });
          m.load(image);
          if (m.run().kind !== 'halt') throw new Error(`peer: case ${c.id} did not halt under ${core}`);
          instructions = m.stats().instructions;
          const x = m.cpu.x;
          got = { a0: x[Reg.a0]!, a1: x[Reg.a1]!, a2: x[Reg.a2]!, a3: x[Reg.a3]!, counter: m.memory.words[0x3000 >>> 2]! };
        }
        const ms = Math.max(now() - t0, 1e-3);
        if (got.a0 !== want.a0 || got.a1 !== want.a1 || got.a2 !== want.a2 || got.a3 !== 0 || (c.memory && got.counter !== iterations)) {
          throw new Error(`peer: case ${c.id} under ${core} computed ${JSON.stringify(got)}, expected ${JSON.stringify({ ...want, a3: 0 })}; no number reported`);
        }
        if (round > 0) mips.get(core)!.push(instructions / ms / 1000);
      }
    }
    const base = median(mips.get('jor1k')!);
    for (const core of cores) {
      const m = mips.get(core)!;
      const f = (v: number): string => v.toFixed(1).padStart(7);
      console.log(`${c.id}     ${core.padEnd(9)} ${f(median(m))}  ${f(Math.min(...m))} -${f(Math.max(...m))}   ${(median(m) / base).toFixed(2)}x`);
    }
  }
}

main();
