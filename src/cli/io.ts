// Where the commands write and what they read as standard input: the process's own streams, or
// strings when a test runs the CLI in-process (runCli in program.ts).

import { readFileSync } from 'node:fs';
import { colourStreams } from './colour.js';

export interface CliOutput {
  write(data: string | Uint8Array): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Everything on standard input (`run --input -`). */
  readStdin(): Uint8Array;
}

export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => readFileSync(0),
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
