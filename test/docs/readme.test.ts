// README.md stays true: its example runs with the output shown, and it documents every option
// and exit code the CLI has.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/errors.js';
import { COST_PRESETS } from '../../src/machine/costs.js';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README.md', () => {
  it('shows the real output of its example program (update the README if this changes)', () => {
    const source = /^`count\.s`:\n\n```asm\n([\s\S]*?)^```$/m.exec(README)?.[1];
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

  it('lists every exit code', () => {
    for (const code of Object.values(ExitCode)) expect(README).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('links only to docs that exist', () => {
    for (const [, path] of README.matchAll(/\]\((docs\/[^)#]+)\)/g)) {
      expect(() => readFileSync(join(ROOT, path!)), path).not.toThrow();
    }
  });
});
