// `npm run gen`: rewrite every generated file from its table (the list is generated.ts).
// test/tools/generated.test.ts fails when a generated file is stale, naming this command.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../configs/images.js';
import { GENERATED_FILES } from './generated.js';

process.chdir(ROOT); // source paths in the debugger transcript are relative to the repository
for (const file of GENERATED_FILES) {
  const path = join(ROOT, file.path);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const fresh = await file.render(current);
  if (fresh === current) {
    console.log(`unchanged ${file.path}`);
  } else {
    writeFileSync(path, fresh);
    console.log(`wrote ${file.path}`);
  }
}
