// The terminal front end of the debugger (node:readline). Three ways in:
//
// - interactive (stdin is a terminal): a prompt, line editing and history from readline; Ctrl-C
//   stops a running command (the session runs in chunks and yields to the event loop, so the
//   keypress is seen) or clears the line at the prompt; Ctrl-D or `quit` leaves.
// - commands from a script file (--script) and/or from stdin when it is not a terminal, for
//   tests and autograding: no prompt; with `echo` (--batch) each command is printed after the
//   prompt first, so the output reads as a transcript.
//
// A command never ends the process: errors are one line and the next command runs.

import { createInterface } from 'node:readline';
import type { Session } from './commands.js';

export const PROMPT = '(ringlab) ';

/** Run commands from a list or stream. Returns true if `quit` was given. */
export async function runLines(session: Session, lines: AsyncIterable<string> | Iterable<string>, echo: boolean, write: (text: string) => void): Promise<boolean> {
  for await (const line of lines) {
    if (echo) write(`${session.c.bold(PROMPT)}${line}\n`);
    if ((await session.execute(line)) === 'quit') return true;
  }
  return false;
}

/** Commands from a stream that is not a terminal (one per line, until its end). */
export function streamLines(input: NodeJS.ReadableStream): AsyncIterable<string> {
  return createInterface({ input, terminal: false, crlfDelay: Infinity });
}

/** The interactive prompt. Resolves when the user quits (quit, Ctrl-D). */
export function interactive(session: Session, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, prompt: session.c.bold(PROMPT), terminal: true, historySize: 1000 });
    const queue: string[] = [];
    let working = false;
    let closed = false;

    const pump = async (): Promise<void> => {
      if (working) return;
      working = true;
      while (queue.length > 0) {
        const line = queue.shift()!;
        if ((await session.execute(line)) === 'quit') {
          closed = true;
          rl.close();
          return;
        }
      }
      working = false;
      if (!closed) rl.prompt();
    };

    rl.on('line', (line) => {
      queue.push(line);
      void pump();
    });
    rl.on('SIGINT', () => {
      if (session.busy) {
        session.interrupt();
        return;
      }
      // At the prompt: forget the line being typed and prompt again, as shells do.
      output.write('^C\n');
      rl.write('', { ctrl: true, name: 'u' });
      rl.prompt();
    });
    rl.on('close', () => {
      closed = true;
      if (session.busy) session.interrupt();
      output.write('\n');
      resolve();
    });
    rl.prompt();
  });
}
