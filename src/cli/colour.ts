// The one colour instance of the CLI. chalk decides by itself whether stdout supports colour,
// but it ignores NO_COLOR (https://no-color.org), so we decide here: no colour when NO_COLOR is
// set to anything non-empty, or when the stream is not a terminal.

import { Chalk, type ChalkInstance } from 'chalk';

export function colourFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const noColour = (env['NO_COLOR'] ?? '') !== '' || !stream.isTTY;
  return new Chalk({ level: noColour ? 0 : Math.max(1, new Chalk().level) as 1 | 2 | 3 });
}

/** Colours for stdout and stderr, each decided for its own stream. */
export const out = colourFor(process.stdout);
export const err = colourFor(process.stderr);
