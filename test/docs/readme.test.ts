// README.md stays true: its example runs with the output shown, and it documents every option
// and exit code the CLI has.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { ExitCode } from '../../src/cli/errors.js';
import { decodeWord, EXTENSIONS, isaWith } from '../../src/isa/index.js';
import { COST_PRESETS } from '../../src/machine/costs.js';
import { Machine } from '../../src/machine/machine.js';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COUNT_S = /^`count\.s`:\n\n```asm\n([\s\S]*?)^```$/m.exec(README)?.[1];

describe('README.md', () => {
  it('shows the real output of its example program (update the README if this changes)', () => {
    const source = COUNT_S;
    expect(source, 'the ```asm block after `count.s`:').toBeDefined();
    expect(source!.trimEnd().split('\n')).toHaveLength(10);
    const file = cli.write('count.s', source!);
    const plain = ringlab(['run', 'count.s'], { cwd: cli.dir() });
    const stats = ringlab(['run', 'count.s', '--stats'], { cwd: cli.dir() });
    expect(file).toContain('count.s');
    const transcript = [
      '$ npx ringlab run count.s',
      plain.stdout.trimEnd(),
      '$ echo $?',
      String(plain.status),
      '$ npx ringlab run count.s --stats',
      stats.stdout.trimEnd(),
      stats.stderr.trimEnd(),
    ].join('\n');
    expect(README).toContain(`\`\`\`console\n${transcript}\n\`\`\``);
  });

  it('counts the example\'s instructions and cycles right (the prose under the transcript)', () => {
    // "The 12 `out` instructions cost 10 cycles each (...); the other 24 cost one."
    const claim = /The (\d+) `out`\s+instructions cost (\d+) cycles each [^;]*; the other (\d+) cost one\./.exec(README);
    expect(claim, 'the sentence about the `out` instructions').not.toBeNull();
    const [outs, outCost, others] = claim!.slice(1).map(Number) as [number, number, number];
    // Run count.s one instruction at a time and count what retires, by mnemonic.
    const isa = isaWith();
    const asm = assemble(COUNT_S!, { fileName: 'count.s', isa });
    if (!asm.ok) throw new Error(asm.errors.map((e) => e.message).join('\n'));
    const m = new Machine({ memoryBytes: 64 * 1024 });
    m.load(asm.image);
    const retired = new Map<string, number>();
    for (let guard = 0; guard < 1000; guard++) {
      const insn = decodeWord(isa, m.memory.words[m.cpu.pc >>> 2]!)!.insn;
      const stop = m.step();
      retired.set(insn.mnemonic, (retired.get(insn.mnemonic) ?? 0) + 1);
      if (stop.kind !== 'step') break;
    }
    expect(m.console.output()).toBe('0123456789\n');
    const total = [...retired.values()].reduce((a, b) => a + b, 0);
    expect(retired.get('out'), '`out` instructions retired').toBe(outs);
    expect(total - outs, 'other instructions retired').toBe(others);
    expect(isa.byMnemonic.get('out')!.cost).toBe(outCost);
    for (const mnemonic of retired.keys()) if (mnemonic !== 'out') expect(isa.byMnemonic.get(mnemonic)!.cost, mnemonic).toBe(1);
    // ... and the totals the README's transcript shows follow from them.
    const stats = m.stats();
    expect(stats.instructions).toBe(outs + others);
    expect(stats.cycles).toBe(outs * outCost + others);
    expect(README).toContain(`${stats.cycles} cycles, ${stats.instructions} instructions`);
    expect(stats.worlds.guestKernel.cycles, 'every cycle is "guest kernel"').toBe(stats.cycles);
  });

  it('has the two quick-start commands', () => {
    expect(README).toMatch(/## Quick start\n\n```\nnpm install && npm start\nnpm test\n```/);
  });

  it('documents every option of every command', () => {
    for (const command of ['run', 'asm', 'disasm', 'isa', 'boot', 'bench']) {
      const help = ringlab([command, '--help']).stdout;
      const options = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
      expect(options.length, command).toBeGreaterThan(0);
      for (const option of options) expect(README, `${command} ${option}`).toMatch(new RegExp(`${option}\\b`));
    }
    for (const preset of Object.keys(COST_PRESETS)) expect(README).toContain(`\`${preset}\``);
  });

  it('names every ISA extension, and the `isa --markdown` that prints docs/ISA.md', () => {
    const row = /^\| `--extensions <list>` \|(.*)$/m.exec(README)?.[1];
    for (const name of EXTENSIONS.keys()) expect(row, `--extensions row names ${name}`).toContain(`\`${name}\``);
    const list = /`--markdown` \(print the Markdown reference;\s+with `--extensions ([\w,-]+)` it is \[docs\/ISA\.md\]/.exec(README)?.[1];
    expect(list, 'the isa --markdown sentence').toBeDefined();
    const printed = ringlab(['isa', '--markdown', '--extensions', list!]);
    expect(printed.stdout === readFileSync(join(ROOT, 'docs/ISA.md'), 'utf8'), `ringlab isa --markdown --extensions ${list} prints docs/ISA.md`).toBe(true);
  });

  it('lists every exit code', () => {
    for (const code of Object.values(ExitCode)) expect(README).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('links only to docs that exist', () => {
    for (const [, path] of README.matchAll(/\]\((docs\/[^)#]+)\)/g)) {
      expect(() => readFileSync(join(ROOT, path!)), path).not.toThrow();
    }
  });
});
