// `ringlab disasm FILE`: disassemble an image (or assemble a source file and show the result).

import { disassembleLines } from '../../asm/index.js';
import { formatBytes } from '../../asm/files.js';
import { includeRootOption, loadProgram } from '../load.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { isaWithOrUsage } from './asm.js';

/** Segment bytes disasm prints at most: 1 MiB is 262,144 lines (about 16 MB of text) and takes
 *  a second or two; the largest image in programs/ (the pv VMM) has 5 KB. */
export const MAX_DISASM_BYTES = 1024 * 1024;

export function disasmCommand(file: string, opts: { extensions?: string; includeRoot?: string }): number {
  const isa = isaWithOrUsage(opts.extensions);
  const includeRoot = includeRootOption(opts.includeRoot);
  const { image } = loadProgram(file, isa, { ...(includeRoot !== undefined && { includeRoot }) });
  const bytes = image.segments.reduce((n, s) => n + s.data.length, 0);
  if (bytes > MAX_DISASM_BYTES) {
    throw new CliError(`${file}: the image has ${formatBytes(bytes)} of segments; disasm prints at most ${formatBytes(MAX_DISASM_BYTES)}`, ExitCode.USAGE);
  }
  // Written in chunks as the lines come, not built into one string first.
  let chunk: string[] = [];
  let size = 0;
  const flush = (): void => {
    io.stdout.write(chunk.join(''));
    chunk = [];
    size = 0;
  };
  for (const line of disassembleLines(isa, image)) {
    chunk.push(line, '\n');
    size += line.length + 1;
    if (size >= 1 << 16) flush();
  }
  flush();
  return ExitCode.OK;
}
