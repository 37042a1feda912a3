// docs/fs.md stays true: its transcripts are what `ringlab fs` and a program booted from the disk
// print, and its limits are the numbers of the format table.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIRENT_SIZE, FS, MAXFILE, NAME_MAX } from '../../src/fs/layout.js';
import { PATH_MAX } from '../../src/fs/image.js';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();
const DOC = readFileSync(join(ROOT, 'docs/fs.md'), 'utf8');
const n = (x: number) => x.toLocaleString('en-US');

/** The text of a section (from its heading to the next of the same level). */
function section(heading: string): string {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** Run the ```console block of a section command by command in a fresh directory (`echo W > F &&`
 *  writes F first) and expect each command's output as shown. */
function checkTranscript(text: string): void {
  const block = /^```console\n([\s\S]*?)^```$/m.exec(text)?.[1];
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
}

describe('docs/fs.md', () => {
  it('shows what the commands of its `ringlab fs` transcript print', () => {
    checkTranscript(section('`ringlab fs`'));
  });

  it('runs its own program from the disk as the transcript of "Programs on the disk" shows', () => {
    const text = section('Programs on the disk');
    const source = /^```asm\n([\s\S]*?)^```$/m.exec(text)?.[1];
    expect(source).toBeDefined();
    cli.write('hello.s', source!);
    checkTranscript(text);
  });

  it('states the limits of the format table', () => {
    const limits = /^## Limits\n([\s\S]*?)^## /m.exec(DOC)?.[1] ?? '';
    expect(limits).toContain(`${n(MAXFILE)} bytes`);
    expect(limits).toContain(`\`NAME_MAX\` = ${NAME_MAX} bytes`);
    expect(limits).toContain(`\`PATH_MAX\` = ${PATH_MAX}`);
    expect(limits).toContain(`\`MAX_INODES\` = ${n(FS.MAX_INODES.value)}`);
    expect(limits).toContain(`\`MAX_BLOCKS\` = ${n(FS.MAX_BLOCKS.value)} blocks`);
    expect(limits).toContain(n(MAXFILE / DIRENT_SIZE));
  });
});
