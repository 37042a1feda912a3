// docs/popek-goldberg.md stays true: its classification table and its side-by-side runs are
// real transcripts of the commands they show, and it links to the files it names. If a block
// drifts, run the command shown (with NO_COLOR=1, from the repository root) and paste its
// output; the failure message prints the expected block.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

useCli();
const DOC_PATH = join(ROOT, 'docs', 'popek-goldberg.md');

/** `$ npx ringlab ARGS`, then stdout and stderr, then `$ echo $?` and the exit code (as README.md does). */
export function transcript(args: readonly string[], withStatus = true): string {
  const r = ringlab(args, { env: { NO_COLOR: '1' } });
  const lines = [`$ npx ringlab ${args.join(' ')}`, r.stdout.trimEnd()];
  if (r.stderr.trim() !== '') lines.push(r.stderr.trimEnd());
  if (withStatus) lines.push('$ echo $?', String(r.status));
  return `\`\`\`console\n${lines.join('\n')}\n\`\`\``;
}

export const TRANSCRIPTS: readonly (readonly string[])[] = [
  ['isa', '--check', '--extensions', 'vmx,legacy'],
  ['boot', '--config', 'native', '-D', 'LEGACY', '--workload', 'sleep', '--iterations', '3', '--stats'],
  ['boot', '--config', 'vtx', '-D', 'LEGACY', '--workload', 'sleep', '--iterations', '3', '--stats'],
  ['boot', '--config', 'te', '-D', 'LEGACY', '--workload', 'sleep', '--iterations', '3', '--max-cycles', '20000000', '--stats'],
  ['boot', '--config', 'te', '--workload', 'sleep', '--iterations', '3', '--stats'],
];

describe('docs/popek-goldberg.md', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');

  it.each(TRANSCRIPTS.map((args) => [args.join(' '), args] as const))('shows the real output of `ringlab %s`', (_name, args) => {
    const block = transcript(args);
    expect(doc.includes(block), `docs/popek-goldberg.md should contain:\n${block}`).toBe(true);
  });

  it('shows the verdict for the base ISA as ringlab prints it', () => {
    const r = ringlab(['isa', '--check'], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const verdict = r.stdout.trimEnd().split('\n').at(-1)!;
    expect(doc).toContain(`\`\`\`console\n$ npx ringlab isa --check | tail -n 1\n${verdict}\n\`\`\``);
  });

  it('names only files that exist', () => {
    for (const [, path] of doc.matchAll(/`((?:src|programs|test)\/[\w./-]+\.(?:ts|s|inc))`/g)) {
      expect(existsSync(join(ROOT, path!)), path).toBe(true);
    }
    for (const [, path] of doc.matchAll(/\]\(([\w-]+\.md)(?:#[\w-]+)?\)/g)) {
      expect(existsSync(join(ROOT, 'docs', path!)), path).toBe(true);
    }
  });
});
