// docs/debugger.md stays true: its tutorial is a real transcript of the debugger and its command
// reference is the command table, both written by `npm run gen` (test/tools/generated.test.ts
// fails when they are stale). Here: they show what the prose around them says they show.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, INFO_COMMANDS } from '../../src/debug/commands.js';
import { DOC_PATH, TUTORIAL_COMMAND } from '../../src/debug/docs.js';
import { docBlock } from '../../src/tools/blocks.js';

const doc = readFileSync(DOC_PATH, 'utf8');

describe('docs/debugger.md', () => {
  it('has the command reference generated from the command table', () => {
    expect(docBlock(doc, 'command reference')).toBeDefined();
    for (const c of COMMANDS) expect(doc).toContain(`\`${c.usage.replace(/\|/g, '\\|')}\``);
    for (const i of INFO_COMMANDS) expect(doc).toContain(`\`${i.usage}\``);
  });

  it('shows a real session that does what the tutorial says', () => {
    const transcript = docBlock(doc, 'transcript');
    expect(transcript).toBeDefined();
    expect(transcript).toContain(`$ ${TUTORIAL_COMMAND}\n`);
    expect(transcript).toMatch(/Syscall {2}guest user \(ring 3\) -> guest kernel/);
    expect(transcript).toMatch(/\[guest user, ring 3, pid 2\] syscall:getpid\+4[^\n]*\n=> [^\n]*syscall/);
    expect(transcript).toMatch(/Syscall {2}guest user \(ring 3\) -> guest kernel {2}at 0x[0-9a-f]{8} <init:exec\+4>/); // pid 2 before its exec
    expect(transcript).toContain('The machine halted with exit code 0.');
  });
});
