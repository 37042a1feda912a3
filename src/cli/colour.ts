// The colour instances of the CLI. chalk decides by itself whether stdout supports colour,
// but it ignores NO_COLOR (https://no-color.org), so we decide here: no colour when NO_COLOR is
// set to anything non-empty, or when the stream is not a terminal.

import { Chalk, type ChalkInstance } from 'chalk';

export function colourFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const noColour = (env['NO_COLOR'] ?? '') !== '' || !stream.isTTY;
  return new Chalk({ level: noColour ? 0 : Math.max(1, new Chalk().level) as 1 | 2 | 3 });
}

/** Colours for stdout and stderr, each decided for its own stream (see colourStreams). */
export let out = colourFor(process.stdout);
export let err = colourFor(process.stderr);

/** Decide the colours again for the streams the CLI writes to (src/cli/io.ts). */
export function colourStreams(stdout: { readonly isTTY?: boolean }, stderr: { readonly isTTY?: boolean }): void {
  out = colourFor(stdout);
  err = colourFor(stderr);
}
