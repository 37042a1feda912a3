// docs/debugger.md has two generated parts: a tutorial transcript (a real session of the
// debugger, run here in-process exactly as `ringlab debug --batch` runs it) and the command
// reference (from the command table). `npm run gen` (src/tools/generate.ts) rewrites them;
// test/tools/generated.test.ts checks that they are fresh.

import { join } from 'node:path';
import { Chalk } from 'chalk';
import { findConfig } from '../configs/index.js';
import { ROOT } from '../configs/images.js';
import { commandReference, Session } from './commands.js';
import { Debugger } from './debugger.js';
import { runLines } from './repl.js';

export const DOC_PATH = join(ROOT, 'docs', 'debugger.md');

/** The command line the tutorial shows, and the commands it types. */
export const TUTORIAL_COMMAND = 'npx ringlab debug --config native --workload syscall --iterations 2';
export const TUTORIAL_SCRIPT = [
  'tbreak syscall:getpid',
  'continue',
  'break kernel:syscall_dispatch',
  'continue',
  'info traps 3',
  'backtrace',
  'catch world',
  'reverse-continue',
  'reverse-stepi',
  'world',
  'delete',
  'nexti',
  'print $a0',
  'continue',
];

/** The tutorial session's transcript, as `ringlab debug --batch` prints it (without colour). */
export async function tutorialTranscript(): Promise<string> {
  const prepared = findConfig('native')!.prepare({ workloads: ['syscall'], iterations: 2 });
  const dbg = new Debugger(prepared.machine, prepared.images);
  let text = '';
  const write = (t: string): void => {
    text += t;
  };
  const session = new Session(dbg, { write, colour: new Chalk({ level: 0 }) });
  session.start();
  await runLines(session, TUTORIAL_SCRIPT, true, write);
  return `$ ${TUTORIAL_COMMAND}\n${text}`;
}

/** The generated blocks of docs/debugger.md, by the names of their markers (src/tools/blocks.ts),
 *  from a real session run now. */
export async function debuggerDocBlocks(): Promise<Record<'transcript' | 'command reference', string>> {
  return { transcript: `\`\`\`console\n${await tutorialTranscript()}\`\`\`\n`, 'command reference': commandReference() };
}
