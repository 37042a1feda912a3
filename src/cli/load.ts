// Turning a command-line file argument into an Image: assemble a source file, or parse an image
// file written by `ringlab asm`. Errors become CliErrors with the right exit code.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { assemble, formatAsmError, type AssembleResult } from '../asm/index.js';
import { InputFileError, formatBytes, readInputBytes } from '../asm/files.js';
import { ImageFormatError, MAX_IMAGE_FILE_BYTES, parseImage, type Image } from '../asm/image.js';
import { MAX_SOURCE_BYTES } from '../asm/limits.js';
import type { Isa } from '../isa/index.js';
import { LoadError, type Machine } from '../machine/machine.js';
import { CliError, ExitCode } from './errors.js';

/** The bytes of a regular file of at most `limit` bytes, or a usage error (exit 1) saying why not. */
export function readBytes(path: string, limit: number, what: string): Buffer {
  try {
    return readInputBytes(path, limit, what);
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(`cannot read ${path}: ${e.message}`, ExitCode.USAGE);
    throw e;
  }
}

/** A text file given on the command line (a source, a debugger script): at most MAX_SOURCE_BYTES. */
export function readText(path: string, what = 'source files'): string {
  return readBytes(path, MAX_SOURCE_BYTES, what).toString('utf8');
}

/** True if the text is an image file (JSON written by `ringlab asm`) rather than assembly. */
export function looksLikeImage(path: string, text: string): boolean {
  return path.endsWith('.rli') || /^\s*\{/.test(text);
}

/** --include-root: an existing directory (default: the directory of the source file). */
export function includeRootOption(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new CliError(`--include-root ${dir}: no such directory`, ExitCode.USAGE);
  return resolve(dir);
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

export interface LoadOptions {
  /** --include-root (default: the directory of the source file). */
  includeRoot?: string;
  /** Directories searched for includes after the including file's own (AssembleOptions). */
  includePath?: readonly string[];
}

export function loadProgram(path: string, isa: Isa, options: LoadOptions = {}): LoadedProgram {
  // Images may be larger than sources: read up to the image limit, then check the source limit.
  const bytes = readBytes(path, MAX_IMAGE_FILE_BYTES, 'image files');
  const text = bytes.toString('utf8');
  if (looksLikeImage(path, text)) {
    try {
      return { image: parseImage(text, path), fromSource: false };
    } catch (e) {
      if (e instanceof ImageFormatError) throw new CliError(e.message, ExitCode.ASSEMBLY);
      throw e;
    }
  }
  if (bytes.length > MAX_SOURCE_BYTES) {
    throw new CliError(`cannot read ${path}: is ${formatBytes(bytes.length)}, more than the ${formatBytes(MAX_SOURCE_BYTES)} limit for source files`, ExitCode.USAGE);
  }
  const result = assemble(text, {
    fileName: path,
    isa,
    ...(options.includeRoot !== undefined && { includeRoot: options.includeRoot }),
    ...(options.includePath !== undefined && { includePath: options.includePath }),
  });
  if (!result.ok) throw assemblyFailure(result, path);
  return { image: result.image, fromSource: true };
}

/** Load a program file (source or image) into the machine and reset it to the entry point. */
export function loadOnto(machine: Machine, path: string, options: LoadOptions = {}): Image {
  const { image } = loadProgram(path, machine.isa, options);
  try {
    machine.load(image);
  } catch (e) {
    if (e instanceof LoadError) throw new CliError(`${path}: ${e.message} (use --memory to give the machine more)`, ExitCode.GUEST);
    throw e;
  }
  return image;
}
