// report.html: the same blocks as report.md (document.ts) in one self-contained page: inline
// CSS, the SVG charts inlined, no scripts, no network, printable. Every piece of text is escaped.

import type { BenchResults } from '../results.js';
import { type Block, type Cell, type Inline, reportBlocks, type Text } from './document.js';
import { escapeXml } from './format.js';

const CSS = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; line-height: 1.45; color: #111; background: #fff; max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
div.table { overflow-x: auto; max-width: 100%; margin: .8rem 0 1.2rem; }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: .2rem .55rem; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.num, th.num { text-align: right; }
td { white-space: nowrap; }
td.good { background: #e3f4ea; }
td.moderate { background: #fdf3d6; }
td.bad { background: #fbe1da; }
td.best, td.alert { font-weight: bold; }
td .tag { font-weight: normal; font-size: .8em; color: #333; }
td.alert { color: #9b1c00; }
ul.findings { list-style: none; padding-left: 0; }
ul.findings li { margin: .4rem 0; padding: .3rem .6rem; border-left: 4px solid #999; }
ul.findings li.holds { border-color: #009E73; background: #eef8f3; }
ul.findings li.fails { border-color: #D55E00; background: #fcefe9; }
figure { margin: 1rem 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #444; }
@media print {
  body { margin: 0; max-width: none; }
  h2, h3 { break-after: avoid; }
  figure, table, li { break-inside: avoid; }
  figure, div.table { overflow: visible; }
  td.good, td.moderate, td.bad, ul.findings li { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`.trim();

function inline(i: Inline): string {
  if (typeof i === 'string') return escapeXml(i);
  if ('bold' in i) return `<strong>${escapeXml(i.bold)}</strong>`;
  return `<code>${escapeXml(i.code)}</code>`;
}

function textOf(t: Text): string {
  return t.map(inline).join('');
}

function cell(c: Cell, right: boolean): string {
  const classes = [right ? 'num' : '', c.severity && c.severity !== 'none' ? c.severity : '', c.best ? 'best' : '', c.alert ? 'alert' : ''].filter((x) => x !== '');
  const tag = c.best ? ' <span class="tag">(best)</span>' : '';
  return `<td${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''}>${escapeXml(c.text)}${tag}</td>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeXml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${textOf(b.text)}</p>`;
    case 'list': {
      const findings = b.items.some((i) => i.mark !== undefined);
      const items = b.items.map((i) => `<li${i.mark ? ` class="${i.mark}"` : ''}>${textOf(i.text)}</li>`);
      return `<ul${findings ? ' class="findings"' : ''}>\n${items.join('\n')}\n</ul>`;
    }
    case 'table': {
      const head = b.head.map((h, i) => `<th${b.align[i] === 'right' ? ' class="num"' : ''}>${escapeXml(h)}</th>`).join('');
      const rows = b.rows.map((r) => `<tr>${b.head.map((_, i) => cell(r[i] ?? { text: '' }, b.align[i] === 'right')).join('')}</tr>`);
      // In a box of its own that scrolls sideways when the table is wider than the page, so the
      // page itself never does; focusable so the keyboard can scroll it too.
      const label = `table: ${b.head.join(', ')}`;
      return `<div class="table" role="region" tabindex="0" aria-label="${escapeXml(label)}">\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n</div>`;
    }
    case 'figure':
      return `<figure>\n${b.svg.trimEnd()}\n<figcaption>${escapeXml(b.alt)} (${escapeXml(b.file)})</figcaption>\n</figure>`;
  }
}

export function htmlFromBlocks(blocks: readonly Block[]): string {
  const first = blocks.find((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading');
  const title = first ? first.text : 'ringlab benchmark report';
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeXml(title)}</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n` +
    blocks.map(block).join('\n') +
    '\n</body>\n</html>\n'
  );
}

/** report.html, ending with a newline. */
export function renderHtml(r: BenchResults): string {
  return htmlFromBlocks(reportBlocks(r));
}
