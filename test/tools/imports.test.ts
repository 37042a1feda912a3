// Imports point down (../shared/DESIGN.md, "Host side"; docs/architecture.md): every import of
// every file in src/ goes to its own folder or to a folder on a lower layer, and the folders that
// share a layer never import each other.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

/** The layer of each src/ folder: a folder may import only from lower layers (and itself). */
const LAYERS: Readonly<Record<string, number>> = {
  isa: 0,
  asm: 1,
  machine: 1,
  abi: 1,
  fs: 2,
  configs: 3,
  image: 3,
  registry: 4,
  debug: 4,
  bench: 4,
  fuzz: 4,
  container: 4,
  cli: 5,
  tools: 6,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('src/ imports point down', () => {
  const src = join(ROOT, 'src');
  const folders = readdirSync(src, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  it('every src/ folder has a layer', () => {
    for (const folder of folders) expect(LAYERS[folder], `src/${folder} needs a layer here and in docs/architecture.md`).toBeDefined();
  });

  it('no file imports a folder on its own layer or above', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(src)) {
      const from = relative(src, file).split(sep)[0]!;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const to = relative(src, resolve(file, '..', spec!)).split(sep)[0]!;
        if (to === from || to.startsWith('..')) continue;
        if (!(LAYERS[to]! < LAYERS[from]!)) wrong.push(`${relative(ROOT, file)} imports ${spec} (src/${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
