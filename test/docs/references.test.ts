// Cross-references stay true: a comment or page that says `see docs/ISA.md, "Paging"` or links to
// `ISA.md#some-heading` names a section that exists.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

/** Every text file under these folders (and README.md) that may refer to a doc. */
function sources(): string[] {
  const files = ['README.md'];
  for (const dir of ['docs', 'programs', 'src']) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (/\.(md|s|inc|ts)$/.test(f)) files.push(join(dir, f));
    }
  }
  return files;
}

/** Headings of a Markdown file, without `#`s, code marks or a leading section number. */
function headings(path: string): string[] {
  const text = readFileSync(join(ROOT, path), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return [...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.replace(/`/g, '').trim());
}

/** GitHub's anchor for a heading. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

describe('cross-references to doc sections', () => {
  const files = sources();

  it('name sections that exist: `docs/FILE.md, "Section"`', () => {
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, doc, section] of text.matchAll(/\b(docs\/[\w.-]+\.md),? "([^"]+)"/g)) {
        const names = headings(doc!).map((h) => h.replace(/^\d+\.\s+/, ''));
        expect(names, `${file} refers to ${doc}, "${section}"`).toContain(section);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('link to anchors that exist: `](FILE.md#anchor)` and `](#anchor)`', () => {
    let checked = 0;
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, target, anchor] of text.matchAll(/\]\(([\w./-]*\.md)?#([\w-]+)\)/g)) {
        const doc = target ? relative(ROOT, join(ROOT, dirname(file), target)) : file;
        expect(headings(doc).map(slug), `${file} links to ${basename(doc)}#${anchor}`).toContain(anchor);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
