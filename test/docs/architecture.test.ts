// docs/architecture.md stays a map of the code as it is: every folder under src/ is on the module
// diagram and has its paragraph, every file of src/machine has its row, and nothing that exists is
// called planned.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

const DOC = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
const folders = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

describe('docs/architecture.md', () => {
  const modules = /^## Modules and boundaries\n([\s\S]*?)^## /m.exec(DOC)?.[1] ?? '';
  const diagram = /^```\n([\s\S]*?)^```$/m.exec(modules)?.[1] ?? '';

  it('draws every folder under src/ and gives each its paragraph', () => {
    expect(diagram, 'the module diagram').not.toBe('');
    const names = folders('src');
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect(diagram, `src/${name} on the diagram`).toMatch(new RegExp(`\\bsrc/${name}\\b`));
      expect(modules, `a paragraph for src/${name}`).toContain(`**\`src/${name}\`:`);
    }
  });

  it('has a row for every file of src/machine', () => {
    for (const entry of readdirSync(join(ROOT, 'src/machine'), { withFileTypes: true })) {
      const row = entry.isDirectory() ? `| \`${entry.name}/*.ts\` |` : `| \`${entry.name}\` |`;
      expect(modules, `src/machine/${entry.name}`).toContain(row);
    }
  });

  it('calls nothing planned, and what it says does not exist yet really does not', () => {
    expect(DOC).not.toMatch(/\bplanned\b|\bnot yet\b|\(later\)/i);
    const missing = /DESIGN\.md's (.*?) do not exist yet/s.exec(DOC)?.[1] ?? '';
    for (const [, name] of missing.matchAll(/`src\/([\w-]+)`/g)) {
      expect(existsSync(join(ROOT, 'src', name!)), `src/${name} exists now: describe it in docs/architecture.md`).toBe(false);
    }
  });
});
