// `npm run gen`: rewrite every generated file from the tables (docs/ISA.md, programs/lib/hw.inc).
// Tests fail when a generated file is stale, naming this command.

import { writeFileSync } from 'node:fs';
import { EXTENSIONS, isaWith } from '../isa/index.js';
import { pseudoReference } from '../isa/pseudo.js';
import { isaMarkdown } from '../isa/reference.js';
import { hardwareInclude } from './hw-include.js';

export const GENERATED_FILES: Record<string, () => string> = {
  'docs/ISA.md': () => isaMarkdown(isaWith([...EXTENSIONS.keys()]), { pseudo: pseudoReference() }),
  'programs/lib/hw.inc': hardwareInclude,
};

for (const [path, render] of Object.entries(GENERATED_FILES)) {
  writeFileSync(path, render());
  console.log(`wrote ${path}`);
}
