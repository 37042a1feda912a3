// docs/extending.md stays honest: its two worked examples are real files (example-extension.ts,
// example-device.ts) that the doc quotes verbatim, and this test uses them the way the doc says.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { assemble, disassembleWord, formatAsmError, type Image } from '../../src/asm/index.js';
import {
  BASE,
  buildIsa,
  Cause,
  decodeWord,
  encodeFields,
  EXTENSIONS,
  type Extension,
  type Isa,
} from '../../src/isa/index.js';
import { isaMarkdown, isaText } from '../../src/isa/reference.js';
import { PortBus } from '../../src/machine/bus.js';
import { Machine } from '../../src/machine/machine.js';
import { RANDOM_DATA, RANDOM_SEED, RandomDevice } from './example-device.js';
import { BITCOUNT } from './example-extension.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'extending.md'), 'utf8');

/** The fenced ```ts blocks of a Markdown text. */
function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** A file's code after its header comment and imports: what the doc must quote verbatim. */
function bodyOf(file: string): string {
  const text = readFileSync(join(import.meta.dirname, file), 'utf8');
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i]!.startsWith('//') || lines[i]!.trim() === '' || lines[i]!.startsWith('import '))) i++;
  return lines.slice(i).join('\n');
}

function assembleOk(isa: Isa, source: string): Image {
  const r = assemble(source, { fileName: 'example.s', isa });
  if (!r.ok) throw new Error(r.errors.map(formatAsmError).join('\n'));
  return r.image;
}

/** Reference population count, the obvious way. */
const popcount = (n: number): number => [...(n >>> 0).toString(2)].filter((b) => b === '1').length;

describe('docs/extending.md', () => {
  it.each([['example-extension.ts'], ['example-device.ts']])('quotes test/docs/%s verbatim in a ts block', (file) => {
    const body = bodyOf(file);
    expect(body.length).toBeGreaterThan(200);
    const block = tsBlocks(DOC).find((b) => b.includes(body));
    expect(block, `docs/extending.md has no \`\`\`ts block containing the code of test/docs/${file}`).toBeDefined();
  });
});

describe('the instruction example (popcnt in the bitcount extension)', () => {
  const isa = buildIsa([BASE, BITCOUNT]);
  const popcnt = isa.byMnemonic.get('popcnt')!;

  it('joins the base ISA without an opcode or mnemonic clash', () => {
    expect(popcnt).toBeDefined();
    expect(popcnt.extension).toBe('bitcount');
    expect(isa.insns.length).toBe(BASE.insns.length + 1);
  });

  it('is assembled, disassembled and re-assembled to the same word', () => {
    const image = assembleOk(isa, '_start: popcnt a0, s3\n');
    const word = new DataView(image.segments[0]!.data.buffer, image.segments[0]!.data.byteOffset).getUint32(0, true);
    expect(decodeWord(isa, word)).toMatchObject({ insn: popcnt, rd: 4, rs1: 15 });
    const text = disassembleWord(isa, word, 0);
    expect(text).toBe('popcnt a0, s3');
    const again = assembleOk(isa, `_start: ${text}\n`);
    expect(again.segments[0]!.data).toEqual(image.segments[0]!.data);
  });

  it('keeps its reserved bits reserved: a word with rs2 bits set is illegal', () => {
    const word = encodeFields(popcnt.format, popcnt.opcode, { rd: 1, rs1: 2, rs2: 0, imm: 0 });
    expect(isa.decodeIndex(word)).toBeGreaterThanOrEqual(0);
    expect(isa.decodeIndex(word | 0x0000_3000)).toBe(-1);
    expect(isa.decodeIndex(word | 0x0000_0001)).toBe(-1);
  });

  it('appears in the ISA listing and the Markdown reference', () => {
    expect(isaText(isa)).toMatch(/popcnt\s+rd, rs1\s+0x60/);
    expect(isaMarkdown(isa)).toContain('rd = number of 1 bits in rs1');
  });

  it('is unknown to an assembler without the extension', () => {
    const r = assemble('_start: popcnt a0, a1\n', { fileName: 'x.s', isa: buildIsa([BASE]) });
    expect(r.ok).toBe(false);
  });

  it('runs on a Machine once registered in EXTENSIONS, with its table cost', () => {
    // What the one-line edit of src/isa/index.ts does, done at run time and undone after the
    // test (test files share a worker's modules: vitest.config.ts).
    (EXTENSIONS as Map<string, Extension>).set(BITCOUNT.name, BITCOUNT);
    onTestFinished(() => void (EXTENSIONS as Map<string, Extension>).delete(BITCOUNT.name));
    const machine = new Machine({ extensions: ['bitcount'], memoryBytes: 64 * 1024 });
    const values = [0, 1, 0xff, 0x8000_0000, -1, 0x1234_5678, 0x5555_5555];
    const image = assembleOk(
      machine.isa,
      `_start: la   s0, values
              la   s1, results
              li   s2, ${values.length}
      .next:  lw   t0, 0(s0)
              popcnt t1, t0
              sw   t1, 0(s1)
              addi s0, s0, 4
              addi s1, s1, 4
              addi s2, s2, -1
              bnez s2, .next
              halt
      values:  .word ${values.join(', ')}
      results: .space ${4 * values.length}
      `.replace(/^ +/gm, '        '),
    );
    machine.load(image);
    expect(machine.run(100_000)).toEqual({ kind: 'halt', exitCode: 0 });
    const results = image.symbols.find((s) => s.name === 'results')!.value;
    const got = values.map((_, i) => machine.memory.words[(results >>> 2) + i]);
    expect(got).toEqual(values.map(popcount));

    // The same program with a 1-cycle popcnt would take 2 cycles less per value.
    expect(popcnt.cost).toBe(3);
    const stats = machine.stats();
    expect(stats.traps).toEqual({});
    expect(stats.instructions).toBe(2 * 2 + 1 + values.length * 7 + 1); // la, la (two words each), li, loop, halt
  });

  it('on a machine without the extension, its word traps as an illegal instruction', () => {
    const word = encodeFields(popcnt.format, popcnt.opcode, { rd: 4, rs1: 5, rs2: 0, imm: 0 });
    const machine = new Machine({ memoryBytes: 64 * 1024 });
    const handler = assembleOk(machine.isa, '.org 0x100\nh: csrr a0, CAUSE\n out 0x30, a0\n');
    const start = assembleOk(machine.isa, `_start: li t0, 0x100\n csrw TVEC, t0\n .word ${word}\n halt\n`);
    machine.load(handler);
    machine.load(start);
    expect(machine.run(100_000)).toEqual({ kind: 'halt', exitCode: Cause.IllegalInstruction });
  });
});

describe('the device example (RandomDevice)', () => {
  /** The xorshift32 sequence from `seed`, computed here independently. */
  function expected(seed: number, n: number): number[] {
    let x = seed | 0 || 1;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out.push(x | 0);
    }
    return out;
  }

  it('answers on its ports through a PortBus, next to no other device', () => {
    const bus = new PortBus([new RandomDevice()]);
    bus.write(RANDOM_SEED, 2026, 0);
    expect([0, 1, 2].map((t) => bus.read(RANDOM_DATA, t))).toEqual(expected(2026, 3));
    bus.write(RANDOM_SEED, 0, 0); // 0 is treated as 1
    expect(bus.read(RANDOM_DATA, 0)).toBe(expected(1, 1)[0]);
    expect(bus.nextEvent()).toBe(Infinity);
    expect(bus.pendingLines()).toBe(0);
  });

  it('saves and restores its state', () => {
    const device = new RandomDevice();
    device.write(RANDOM_SEED, 7);
    device.read(RANDOM_DATA);
    const snapshot = device.save();
    const next = device.read(RANDOM_DATA);
    device.restore(snapshot);
    expect(device.read(RANDOM_DATA)).toBe(next);
  });

  it('cannot share a port with another device', () => {
    expect(() => new PortBus([new RandomDevice(), new RandomDevice()])).toThrow(/claimed by both random and random/);
  });

  it('serves a guest program on a Machine it is plugged into', () => {
    const isa = buildIsa([BASE]);
    const machine = new Machine({ isa, memoryBytes: 64 * 1024, devices: [new RandomDevice()] });
    const image = assembleOk(
      isa,
      `_start: li   t0, 2026
              out  ${RANDOM_SEED}, t0
              la   s1, results
              in   t1, ${RANDOM_DATA}
              sw   t1, 0(s1)
              in   t1, ${RANDOM_DATA}
              sw   t1, 4(s1)
              halt
      results: .space 8
      `.replace(/^ +/gm, '        '),
    );
    machine.load(image);
    expect(machine.run(10_000)).toEqual({ kind: 'halt', exitCode: 0 });
    expect(machine.stats().traps).toEqual({});
    const results = image.symbols.find((s) => s.name === 'results')!.value >>> 2;
    expect([machine.memory.words[results], machine.memory.words[results + 1]]).toEqual(expected(2026, 2));
  });
});
