// The benchmark loops of bench/programs, shared by bench/interpreter.ts and bench/peer.ts: where
// they are, how one is assembled for N iterations, and what it must compute.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble, formatAsmError, type Image } from '../src/asm/index.js';
import { isaWith } from '../src/isa/index.js';

/** bench/programs, whether we run compiled (dist/bench/*.js) or from source. */
export function programsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'programs'), resolve(here, '../../bench/programs')]) {
    if (existsSync(join(candidate, 'alu.s'))) return candidate;
  }
  throw new Error(`bench/programs not found (looked next to ${here})`);
}

/** bench/programs/FILE assembled with `.equ ITERS, iterations` in front. */
export function buildLoop(file: string, iterations: number): Image {
  const path = join(programsDir(), file);
  const source = `.equ ITERS, ${iterations}\n${readFileSync(path, 'utf8')}`;
  const result = assemble(source, { fileName: path, isa: isaWith([]) });
  if (!result.ok) throw new Error(`cannot assemble ${file}:\n${result.errors.map(formatAsmError).join('\n')}`);
  return result.image;
}

/** The loop's results, computed here in plain JavaScript: a0 = n, a1 = sum 1..n (wrapping),
 *  a2 = xor of the partial sums. */
export function expectedLoop(iterations: number): { a0: number; a1: number; a2: number } {
  let a1 = 0;
  let a2 = 0;
  for (let i = 1; i <= iterations; i++) {
    a1 = (a1 + i) | 0;
    a2 ^= a1;
  }
  return { a0: iterations | 0, a1, a2 };
}
