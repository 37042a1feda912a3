// docs/debugger.md stays true: its tutorial is a real transcript of the debugger and its command
// reference is the command table. Regenerate both with `npm run build && node dist/src/debug/docs.js`.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandReference, INFO_COMMANDS } from '../../src/debug/commands.js';
import { docBlock, DOC_PATH, expectedBlocks, tutorialTranscript } from '../../src/debug/docs.js';

const doc = readFileSync(DOC_PATH, 'utf8');
const HOW = '(regenerate with: npm run build && node dist/src/debug/docs.js)';

describe('docs/debugger.md', () => {
  it('has the command reference generated from the command table', () => {
    expect(docBlock(doc, 'reference'), HOW).toBe(commandReference());
    for (const c of COMMANDS) expect(doc).toContain(`\`${c.usage.replace(/\|/g, '\\|')}\``);
    for (const i of INFO_COMMANDS) expect(doc).toContain(`\`${i.usage}\``);
  });

  it('shows a real session: the transcript is what the debugger prints today', async () => {
    const transcript = await tutorialTranscript();
    expect(docBlock(doc, 'transcript'), HOW).toBe(expectedBlocks(transcript).transcript);
    // And the session shows what the tutorial says it shows.
    expect(transcript).toMatch(/Syscall {2}guest user \(ring 3\) -> guest kernel/);
    expect(transcript).toMatch(/\[guest user, ring 3, pid 1\] syscall:getpid\+4[^\n]*\n=> [^\n]*syscall/);
    expect(transcript).toContain('The machine halted with exit code 0.');
  });
});
