// Event checks skipped are event checks that would have done nothing. `Machine.run` checks for
// interrupts only where something may have changed (a device event due, a port access, an
// instruction that turns interrupts on while a line it enables was up: Processor.linesAtCheck);
// runs of one cycle at a time check before every instruction. Random programs of interrupt-heavy ring-0 code
// (ei, di, STATUS and IMASK writes, sret, the timer, the console's interrupt and its input, wfi)
// take the same interrupts at the same instruction and cycle, and end in the same state, either
// way, under both engines.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Machine, type EngineName } from '../../src/machine/machine.js';
import type { TrapEvent } from '../../src/machine/processor.js';
import { translatorSettings } from '../../src/machine/translate.js';
import { archState, asm } from './helpers.js';

const MAX_CYCLES = 6_000;

/** The handler counts the interrupt in s1, acknowledges the timer if s2 says so (a level-
 *  triggered line not acknowledged comes back right after sret), reads one console byte if s3
 *  says so (which lowers the console's line once input is used up), and returns. */
const HANDLER = `
handler: addi   s1, s1, 1
        beqz    s2, .noack
        out     0x21, zero
.noack: beqz    s3, .noread
        in      t2, 0x10
.noread: sret`;

const op = fc.oneof(
  fc.constant('ei'),
  fc.constant('di'),
  fc.integer({ min: 0, max: 3 }).map((k) => `li t0, ${k}\n        csrw IMASK, t0`),
  fc.constantFrom(0, 4).map((k) => `li t0, ${k}\n        csrw STATUS, t0`),
  fc.integer({ min: 1, max: 150 }).map((n) => `li t0, ${n}\n        out 0x20, t0`),
  fc.constant('out 0x21, zero'),
  fc.integer({ min: 0, max: 1 }).map((k) => `li t0, ${k}\n        out 0x12, t0`),
  fc.constantFrom('in t1, 0x10', 'in t1, 0x11', 'csrr t1, IPEND'),
  fc.integer({ min: 0, max: 1 }).map((k) => `li s2, ${k}`),
  fc.integer({ min: 0, max: 1 }).map((k) => `li s3, ${k}`),
  fc.integer({ min: 1, max: 6 }).map((n) => Array.from({ length: n }, () => 'addi s0, s0, 1').join('\n        ')),
  // sret to the next instruction (@: a label of its own), in ring 0, with IE on or off.
  fc.constantFrom(0, 4).map((k) => `la t0, @\n        csrw EPC, t0\n        li t0, ${k}\n        csrw ESTATUS, t0\n        sret\n@:`),
  fc.constant('wfi'),
);

function program(ops: readonly string[], loop: boolean): string {
  return `
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
body:   ${ops.map((o, i) => o.replaceAll('@', `.after${i}`)).join('\n        ')}
        ${loop ? 'j body' : 'halt'}
${HANDLER}`;
}

interface Outcome {
  traps: string[];
  stop: string;
  state: Record<string, unknown>;
  stats: unknown;
  output: string;
}

function outcome(source: string, input: string, engine: EngineName, stepwise: boolean): Outcome {
  const m = new Machine({ memoryBytes: 64 * 1024, consoleInput: input, engine });
  m.load(asm(source));
  const traps: string[] = [];
  m.cpu.onTrap = (e: TrapEvent) => void traps.push(`${e.cause}@${e.epc.toString(16)}:${e.cycle}`);
  let stop = 'cycle-limit';
  if (stepwise) {
    // A run to the next cycle executes one instruction (or takes one interrupt, or sleeps one
    // cycle): an event check before every instruction.
    while (m.cpu.cycles < MAX_CYCLES) {
      const r = m.run(m.cpu.cycles + 1);
      if (r.kind !== 'cycle-limit') {
        stop = r.kind;
        break;
      }
    }
  } else {
    stop = m.run(MAX_CYCLES).kind;
  }
  return { traps, stop, state: archState(m), stats: m.stats(), output: m.console.output() };
}

describe('skipped event checks change nothing', () => {
  for (const engine of ['interp', 'translate'] as const) {
    it(`run (${engine}) takes every interrupt where a check before every instruction does`, () => {
      const threshold = translatorSettings.hotThreshold;
      translatorSettings.hotThreshold = 0; // the translator compiles every block it reaches
      try {
        fc.assert(
          fc.property(fc.array(op, { minLength: 1, maxLength: 24 }), fc.boolean(), fc.string({ maxLength: 3 }), (ops, loop, input) => {
            const source = program(ops, loop);
            const stepped = outcome(source, input, 'interp', true);
            expect(outcome(source, input, engine, false)).toEqual(stepped);
          }),
          { numRuns: engine === 'interp' ? 200 : 100 },
        );
      } finally {
        translatorSettings.hotThreshold = threshold;
      }
    });
  }

  it('the programs take interrupts (the property is not vacuous)', () => {
    const source = program(['li t0, 1', 'csrw IMASK, t0', 'li t0, 40', 'out 0x20, t0', 'li s2, 1', 'la t0, @\n        csrw EPC, t0\n        li t0, 4\n        csrw ESTATUS, t0\n        sret\n@:', 'addi s0, s0, 1'], true);
    const run = outcome(source, '', 'interp', false);
    expect(run.traps.length).toBeGreaterThan(50);
    expect(run).toEqual(outcome(source, '', 'interp', true));
  });
});
