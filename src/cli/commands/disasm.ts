// `ringlab disasm FILE`: disassemble an image (or assemble a source file and show the result).

import { disassembleImage } from '../../asm/index.js';
import { includeRootOption, loadProgram } from '../load.js';
import { ExitCode } from '../errors.js';
import { isaWithOrUsage } from './asm.js';

export function disasmCommand(file: string, opts: { extensions?: string; includeRoot?: string }): number {
  const isa = isaWithOrUsage(opts.extensions);
  const includeRoot = includeRootOption(opts.includeRoot);
  const { image } = loadProgram(file, isa, { ...(includeRoot !== undefined && { includeRoot }) });
  process.stdout.write(disassembleImage(isa, image));
  return ExitCode.OK;
}
