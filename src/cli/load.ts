// Turning a command-line file argument into an Image: assemble a source file, or parse an image
// file written by `ringlab asm`. Errors become CliErrors with the right exit code.

import { readFileSync } from 'node:fs';
import { assemble, formatAsmError, type AssembleResult } from '../asm/index.js';
import { ImageFormatError, parseImage, type Image } from '../asm/image.js';
import { readFileOrUndefined } from '../asm/assembler.js';
import type { Isa } from '../isa/index.js';
import { LoadError, type Machine } from '../machine/machine.js';
import { CliError, ExitCode } from './errors.js';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`cannot read ${path}: ${why}`, ExitCode.USAGE);
  }
}

/** True if the text is an image file (JSON written by `ringlab asm`) rather than assembly. */
export function looksLikeImage(path: string, text: string): boolean {
  return path.endsWith('.rli') || /^\s*\{/.test(text);
}

/** A failed assembly as the CLI reports it: every error, exit 2; a bug of the assembler, exit 70. */
export function assemblyFailure(result: Extract<AssembleResult, { ok: false }>, path: string): CliError {
  if (result.internal) {
    const message = result.errors.map((e) => e.message).join('\n');
    return new CliError(`${message} while assembling ${path}\n(this is a bug in ringlab; please report it with the command you ran)`, ExitCode.INTERNAL);
  }
  const n = result.errors.length;
  const summary = `${n} error${n === 1 ? '' : 's'} in ${path}`;
  return new CliError(`${result.errors.map(formatAsmError).join('\n')}\n${summary}`, ExitCode.ASSEMBLY);
}

export interface LoadedProgram {
  image: Image;
  /** Assembler listing lines when assembled from source. */
  fromSource: boolean;
}

export function loadProgram(path: string, isa: Isa): LoadedProgram {
  const text = readText(path);
  if (looksLikeImage(path, text)) {
    try {
      return { image: parseImage(text, path), fromSource: false };
    } catch (e) {
      if (e instanceof ImageFormatError) throw new CliError(e.message, ExitCode.ASSEMBLY);
      throw e;
    }
  }
  const result = assemble(text, { fileName: path, isa, readFile: readFileOrUndefined });
  if (!result.ok) throw assemblyFailure(result, path);
  return { image: result.image, fromSource: true };
}

/** Load a program file (source or image) into the machine and reset it to the entry point. */
export function loadOnto(machine: Machine, path: string): Image {
  const { image } = loadProgram(path, machine.isa);
  try {
    machine.load(image);
  } catch (e) {
    if (e instanceof LoadError) throw new CliError(`${path}: ${e.message} (use --memory to give the machine more)`, ExitCode.GUEST);
    throw e;
  }
  return image;
}
