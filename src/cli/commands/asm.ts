// `ringlab asm FILE [-o IMAGE] [--exec] [--listing] [-D NAME[=VALUE]]...`: assemble to an image
// file, or with --exec to an executable the guest kernel runs from its disk.

import { writeFileSync } from 'node:fs';
import { assemble, formatListing } from '../../asm/index.js';
import { serializeImage } from '../../asm/image.js';
import { USER_DIR } from '../../configs/images.js';
import { ExecFormatError, toExecutable } from '../../fs/exec.js';
import { isaWith } from '../../isa/index.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { assemblyFailure, includeRootOption, readText } from '../load.js';
import { parseDefines, parseList } from '../options.js';

export interface AsmOptions {
  output?: string;
  exec?: boolean;
  listing?: boolean;
  extensions?: string;
  define?: string[];
  includeRoot?: string;
}

export function defaultImagePath(source: string): string {
  return source.replace(/\.(s|asm)$/i, '') + '.rli';
}

/** An executable is named as on Unix: the source's name without its extension. */
export function defaultExecPath(source: string): string {
  const bare = source.replace(/\.(s|asm)$/i, '');
  return bare === source ? `${source}.out` : bare;
}

export function asmCommand(file: string, opts: AsmOptions): number {
  const isa = isaWithOrUsage(opts.extensions);
  const defines = parseDefines(opts.define);
  const includeRoot = includeRootOption(opts.includeRoot);
  const text = readText(file);
  // A user program includes user.inc and lib.s from programs/user, as `boot --program` finds them.
  const result = assemble(text, { fileName: file, isa, defines, ...(includeRoot !== undefined && { includeRoot }), ...(opts.exec && { includePath: [USER_DIR] }) });
  if (!result.ok) throw assemblyFailure(result, file);
  const output = opts.output ?? (opts.exec ? defaultExecPath(file) : defaultImagePath(file));
  let bytes: Uint8Array | string;
  try {
    bytes = opts.exec ? toExecutable(result.image, file) : serializeImage(result.image);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new CliError(`${file}: ${e.message}`, ExitCode.ASSEMBLY);
    throw e;
  }
  try {
    writeFileSync(output, bytes);
  } catch (e) {
    throw new CliError(`cannot write ${output}: ${(e as Error).message}`, ExitCode.USAGE);
  }
  if (opts.listing) io.stdout.write(formatListing(result.listing));
  return ExitCode.OK;
}

export function isaWithOrUsage(extensions: string | undefined) {
  try {
    return isaWith(extensions ? parseList(extensions) : []);
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.USAGE);
  }
}
