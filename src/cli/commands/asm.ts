// `ringlab asm FILE [-o IMAGE] [--listing] [-D NAME[=VALUE]]...`: assemble to an image file.

import { writeFileSync } from 'node:fs';
import { assemble, formatListing } from '../../asm/index.js';
import { serializeImage } from '../../asm/image.js';
import { isaWith } from '../../isa/index.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { assemblyFailure, includeRootOption, readText } from '../load.js';
import { parseDefines, parseList } from '../options.js';

export interface AsmOptions {
  output?: string;
  listing?: boolean;
  extensions?: string;
  define?: string[];
  includeRoot?: string;
}

export function defaultImagePath(source: string): string {
  return source.replace(/\.(s|asm)$/i, '') + '.rli';
}

export function asmCommand(file: string, opts: AsmOptions): number {
  const isa = isaWithOrUsage(opts.extensions);
  const defines = parseDefines(opts.define);
  const includeRoot = includeRootOption(opts.includeRoot);
  const text = readText(file);
  const result = assemble(text, { fileName: file, isa, defines, ...(includeRoot !== undefined && { includeRoot }) });
  if (!result.ok) throw assemblyFailure(result, file);
  const output = opts.output ?? defaultImagePath(file);
  try {
    writeFileSync(output, serializeImage(result.image));
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
