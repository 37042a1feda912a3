// The bare-metal machine that `ringlab run FILE` and `ringlab debug FILE` both build from their
// options: --memory, --preset, --input and --extensions, with the same limits and errors.

import { formatBytes, InputFileError, readInputBytes } from '../asm/files.js';
import { Machine, type MachineOptions } from '../machine/machine.js';
import { readDiskImage } from './disk.js';
import { CliError, ExitCode } from './errors.js';
import { io } from './io.js';
import { parseList, parsePreset, parseSize } from './options.js';

export interface BareMachineFlags {
  memory?: string;
  preset?: string;
  /** --input: a file of console input bytes, '-' for stdin. */
  input?: string;
  /** --extensions: comma-separated ISA extensions. */
  extensions?: string;
  /** --disk: a disk image file (see disk.ts for when it is written back). */
  disk?: string;
}

/** Bytes of --input: the guest reads them one at a time, so 16 MiB is far more than any lab needs. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Standard input (the command's io, as `fs put` reads it) up to `limit` bytes. */
function readStdin(limit: number): Uint8Array {
  let data: Uint8Array;
  try {
    data = io.readStdin(limit);
  } catch (e) {
    throw new CliError(`cannot read --input from stdin: ${(e as Error).message}`, ExitCode.USAGE);
  }
  if (data.length > limit) throw new CliError(`--input from stdin is more than the ${formatBytes(limit)} limit`, ExitCode.USAGE);
  return data;
}

/** `--input FILE` (or `-`, stdin): the console input bytes; an unreadable file is a usage error. */
export function readInput(path: string): Uint8Array {
  if (path === '-') return readStdin(MAX_INPUT_BYTES);
  try {
    return new Uint8Array(readInputBytes(path, MAX_INPUT_BYTES, '--input'));
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(`cannot read --input ${path}: ${e.message}`, ExitCode.USAGE);
    throw e;
  }
}

/** A bare-metal machine from the options; a bad value (an unknown extension, too much memory,
 *  an unreadable --input) is a usage error. */
export function bareMachine(flags: BareMachineFlags, extra: Pick<MachineOptions, 'onConsoleOutput'> = {}): Machine {
  const options: MachineOptions = {
    ...(flags.memory !== undefined && { memoryBytes: parseSize('--memory', flags.memory) }),
    extensions: flags.extensions ? parseList(flags.extensions) : [],
    costs: parsePreset(flags.preset),
    ...(flags.input !== undefined && { consoleInput: readInput(flags.input) }),
    ...(flags.disk !== undefined && { disk: readDiskImage(flags.disk) }),
    ...extra,
  };
  try {
    return new Machine(options);
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.USAGE);
  }
}
