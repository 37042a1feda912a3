// The one freshness test: every generated file (src/tools/generated.ts lists them) must be
// exactly what `npm run gen` would write now.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/configs/images.js';
import { GENERATED_FILES } from '../../src/tools/generated.js';

describe('generated files', () => {
  it('are fresh (run `npm run gen` after changing a table)', async () => {
    const stale: string[] = [];
    for (const file of GENERATED_FILES) {
      const path = join(ROOT, file.path);
      const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
      if ((await file.render(current)) !== current) stale.push(`${file.path} (from ${file.from})`);
    }
    expect(stale, `stale generated files: run \`npm run gen\` to rewrite them:\n  ${stale.join('\n  ')}`).toEqual([]);
  });

  it('live under the repository and are each listed once', () => {
    const paths = GENERATED_FILES.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });
});
