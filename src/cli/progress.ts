// A progress line for long commands (bench, fuzz), rewritten in place on stderr.

import type { CliOutput } from './io.js';

/** A progress line on stderr, rewritten in place; only on a terminal, so logs stay clean. */
export function progressLine(stream: CliOutput): ((done: number, total: number, what: string) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total, what) => {
    const line = done >= total ? '' : `[${String(done + 1).padStart(String(total).length)}/${total}] ${what}`;
    const width = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80; // 0 under some pseudo-terminals
    stream.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
  };
}
