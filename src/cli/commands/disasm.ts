// `ringlab disasm FILE`: disassemble an image (or assemble a source file and show the result).

import { disassembleImage } from '../../asm/index.js';
import { loadProgram } from '../load.js';
import { ExitCode } from '../errors.js';
import { io } from '../io.js';
import { isaWithOrUsage } from './asm.js';

export function disasmCommand(file: string, opts: { extensions?: string }): number {
  const isa = isaWithOrUsage(opts.extensions);
  const { image } = loadProgram(file, isa);
  io.stdout.write(disassembleImage(isa, image));
  return ExitCode.OK;
}
