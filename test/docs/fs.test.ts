// docs/fs.md stays true: its transcript is what `ringlab fs` prints, and its limits are the
// numbers of the format table.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIRENT_SIZE, FS, MAXFILE, NAME_MAX } from '../../src/fs/layout.js';
import { PATH_MAX } from '../../src/fs/image.js';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();
const DOC = readFileSync(join(ROOT, 'docs/fs.md'), 'utf8');
const n = (x: number) => x.toLocaleString('en-US');

describe('docs/fs.md', () => {
  it('shows what the commands of its transcript print', () => {
    const block = /^```console\n([\s\S]*?)^```$/m.exec(DOC)?.[1];
    expect(block, 'the ```console block').toBeDefined();
    let transcript = '';
    for (const line of block!.trimEnd().split('\n')) {
      if (!line.startsWith('$ ')) continue;
      let command = line.slice(2);
      const echo = /^echo (\w+) > (\w+) && (.*)$/.exec(command);
      if (echo) {
        cli.write(echo[2]!, `${echo[1]}\n`);
        command = echo[3]!;
      }
      expect(command.startsWith('npx ringlab '), command).toBe(true);
      const r = ringlab(command.slice('npx ringlab '.length).split(' '), { cwd: cli.dir() });
      expect(r.status, `${command}: ${r.stderr}`).toBe(0);
      transcript += `${line}\n${r.stdout}`;
    }
    expect(transcript).toBe(block);
  });

  it('states the limits of the format table', () => {
    const limits = /^## Limits\n([\s\S]*?)^## /m.exec(DOC)?.[1] ?? '';
    expect(limits).toContain(`${n(MAXFILE)} bytes`);
    expect(limits).toContain(`\`NAME_MAX\` = ${NAME_MAX} bytes`);
    expect(limits).toContain(`${PATH_MAX} bytes`);
    expect(limits).toContain(`\`MAX_INODES\` = ${n(FS.MAX_INODES.value)}`);
    expect(limits).toContain(`\`MAX_BLOCKS\` = ${n(FS.MAX_BLOCKS.value)} blocks`);
    expect(limits).toContain(n(MAXFILE / DIRENT_SIZE));
  });
});
