// report.md: the report's blocks (document.ts) as CommonMark with GitHub tables. Charts are
// image links to the SVG files written next to it.

import type { BenchResults } from '../results.js';
import { type Block, type Cell, type Inline, reportBlocks, type Text } from './document.js';

/** Backslash-escape what Markdown would read as syntax; '|' too, for table cells. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|#~]/g, (ch) => `\\${ch}`).replace(/\r?\n|\r/g, ' ');
}

function code(s: string): string {
  const clean = s.replace(/\r?\n|\r/g, ' ');
  // A code span needs a fence longer than any run of backticks inside; '|' cannot be escaped there.
  if (clean.includes('|')) return escapeMarkdown(clean);
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const padded = clean.startsWith('`') || clean.endsWith('`') || clean === '' ? ` ${clean} ` : clean;
  return `${fence}${padded}${fence}`;
}

function inline(i: Inline): string {
  if (typeof i === 'string') return escapeMarkdown(i);
  if ('bold' in i) return i.bold.trim() === '' ? escapeMarkdown(i.bold) : `**${escapeMarkdown(i.bold)}**`;
  return code(i.code);
}

function textOf(t: Text): string {
  return t.map(inline).join('');
}

function cell(c: Cell): string {
  const s = escapeMarkdown(c.text);
  if (c.best) return `**${s}** (best)`;
  return c.alert ? `**${s}**` : s;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${escapeMarkdown(b.text)}`;
    case 'paragraph':
      return textOf(b.text);
    case 'list':
      return b.items.map((item) => `- ${textOf(item.text)}`).join('\n');
    case 'table': {
      const head = `| ${b.head.map(escapeMarkdown).join(' | ')} |`;
      const rule = `|${b.align.map((a) => (a === 'right' ? '---:' : '---')).join('|')}|`;
      const rows = b.rows.map((r) => `| ${b.head.map((_, i) => (r[i] ? cell(r[i]!) : '')).join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'figure':
      return `![${escapeMarkdown(b.alt)}](${encodeURI(b.file)})`;
  }
}

export function markdownFromBlocks(blocks: readonly Block[]): string {
  return blocks.map(block).join('\n\n') + '\n';
}

/** report.md, ending with a newline. */
export function renderMarkdown(r: BenchResults): string {
  return markdownFromBlocks(reportBlocks(r));
}
