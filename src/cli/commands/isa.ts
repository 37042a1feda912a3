// `ringlab isa [--markdown]`: the instruction set, derived from the table.

import { pseudoReference } from '../../isa/pseudo.js';
import { isaMarkdown, isaText } from '../../isa/reference.js';
import { out } from '../colour.js';
import { ExitCode } from '../errors.js';
import { isaWithOrUsage } from './asm.js';

export function isaCommand(opts: { markdown?: boolean; extensions?: string }): number {
  const isa = isaWithOrUsage(opts.extensions);
  const pseudo = pseudoReference();
  if (opts.markdown) {
    process.stdout.write(isaMarkdown(isa, { pseudo }));
  } else {
    const style = { heading: out.bold, mnemonic: out.cyan, dim: out.dim, privileged: out.yellow };
    process.stdout.write(isaText(isa, { pseudo, style }));
  }
  return ExitCode.OK;
}
