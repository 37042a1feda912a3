// Where the commands write and what they read as standard input: the process's own streams, or
// strings when a test runs the CLI in-process (runCli in program.ts).

import { readSync } from 'node:fs';
import { colourStreams } from './colour.js';

export interface CliOutput {
  write(data: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Standard input (`fs put DISK - PATH`), at most `limit` + 1 bytes: more than `limit` means
   *  it was too long. */
  readStdin(limit: number): Uint8Array;
  /** Whether standard input is a terminal (`boot --shell` is interactive then); absent: no. */
  stdinIsTTY?(): boolean;
}

/** Standard input, but at most `limit` + 1 bytes, so the caller can tell it was too long (a
 *  pipe or terminal has no size to check first). Throws the read's error. */
export function readStdinUpTo(limit: number): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  while (total <= limit) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // non-blocking stdin: wait a little
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: readStdinUpTo,
  stdinIsTTY: () => process.stdin.isTTY === true,
};

/** The io of the command that is running. */
export let io: CliIo = processIo;

/** Make `next` the io of the commands, coloured for its streams; returns the previous one. */
export function setIo(next: CliIo): CliIo {
  const previous = io;
  io = next;
  colourStreams(next.stdout, next.stderr);
  return previous;
}
