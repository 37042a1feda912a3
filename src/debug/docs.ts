// docs/debugger.md has two generated parts: a tutorial transcript (a real session of the
// debugger, run here in-process exactly as `ringlab debug --batch` runs it) and the command
// reference (from the command table). test/debug/docs.test.ts checks that both are fresh;
// `node dist/src/debug/docs.js` (after `npm run build`) rewrites them.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  'break kernel:syscall_dispatch',
  'continue',
  'info traps',
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

const BLOCKS = {
  transcript: ['<!-- generated: transcript (node dist/src/debug/docs.js) -->', '<!-- end of transcript -->'],
  reference: ['<!-- generated: command reference (node dist/src/debug/docs.js) -->', '<!-- end of command reference -->'],
} as const;

/** The generated block of the doc named `which`, or undefined if the markers are missing. */
export function docBlock(doc: string, which: keyof typeof BLOCKS): string | undefined {
  const [begin, end] = BLOCKS[which];
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return doc.slice(i + begin.length + 1, j);
}

export function expectedBlocks(transcript: string): Record<keyof typeof BLOCKS, string> {
  return { transcript: `\`\`\`console\n${transcript}\`\`\`\n`, reference: commandReference() };
}

function replaceBlock(doc: string, which: keyof typeof BLOCKS, content: string): string {
  const [begin, end] = BLOCKS[which];
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/debugger.md has no ${which} markers`);
  return `${doc.slice(0, i + begin.length)}\n${content}${doc.slice(j)}`;
}

export async function updateDoc(path = DOC_PATH): Promise<void> {
  const blocks = expectedBlocks(await tutorialTranscript());
  let doc = readFileSync(path, 'utf8');
  for (const which of Object.keys(blocks) as (keyof typeof BLOCKS)[]) doc = replaceBlock(doc, which, blocks[which]);
  writeFileSync(path, doc);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.chdir(ROOT); // source paths in the transcript are relative to the repository
  await updateDoc();
  process.stdout.write(`updated ${DOC_PATH}\n`);
}
