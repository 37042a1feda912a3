// The report renderers of `ringlab bench` (src/bench/render/): terminal, CSV, SVG, Markdown,
// HTML and writeReport, on a hand-built fixture (test/bench/fixture.ts; its figures are test
// data). Structure is checked rather than snapshotted; a property feeds arbitrary numbers.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/bench/results.js';
import { csvField, renderAll, renderHtml, renderMarkdown, renderTerminal, ROW_COLUMNS, rowsCsv, speedCsv, sweepCsv, writeReport } from '../../src/bench/render/index.js';
import { cycles, grouped, percent, ratio, sig3 } from '../../src/bench/render/format.js';
import { apportion, contrast, crossoverLabel, crossoverText, SEGMENT_COLOURS, SEGMENTS, textOn } from '../../src/bench/render/model.js';
import { ratioScale, sweepSvg, tickLabel, valueScale } from '../../src/bench/render/svg.js';
import { emptyResults, fixture, withoutNative } from './fixture.js';

const plain = new Chalk({ level: 0 });
const coloured = new Chalk({ level: 1 });
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (s: string): string => s.replace(ANSI, '');
const escapeXmlText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

// ---------------------------------------------------------------------------------------------
// A rough well-formedness check for the XML of SVG and the HTML we write.

const VOID = new Set(['meta', 'br', 'img', 'link', 'hr', 'input']);

/** Problems found: unbalanced tags, raw '<' or '&' in text, bad entities. Empty when fine. */
function markupProblems(doc: string, html: boolean): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let body = doc.replace(/^<!DOCTYPE html>/, '');
  // The style sheet is text, but contains no markup characters either.
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const m of body.matchAll(tag)) {
    const between = body.slice(last, m.index);
    last = m.index + m[0].length;
    if (between.includes('<') || between.includes('>')) problems.push(`stray markup character near ${JSON.stringify(between.slice(0, 60))}`);
    for (const amp of between.matchAll(/&[^;\s]*;?/g)) if (!/^&(amp|lt|gt|quot|#39);$/.test(amp[0])) problems.push(`bad entity ${amp[0]}`);
    const [, close, name, attributes, selfClose] = m;
    for (const amp of (attributes ?? '').matchAll(/&[^;\s"]*;?/g)) if (!/^&(amp|lt|gt|quot|#39);$/.test(amp[0])) problems.push(`bad entity in attribute ${amp[0]}`);
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClose && !(html && VOID.has(name!.toLowerCase()))) stack.push(name!);
  }
  const tail = body.slice(last);
  if (tail.includes('<') || tail.includes('>')) problems.push('stray markup character at the end');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  body = '';
  return problems;
}

/** Every attribute value of an SVG that should be a number or a list of numbers. */
function numericAttributes(svg: string): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/\s(x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|d|font-size|stroke-width)="([^"]*)"/g)) out.push(`${m[1]}=${m[2]}`);
  return out;
}

function svgProblems(svg: string): string[] {
  const problems = markupProblems(svg, false);
  if (!svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')) problems.push('does not start with <svg xmlns=...>');
  if (!/^<svg[^>]*>\n<title>[^<]+<\/title>\n<desc>[^<]+<\/desc>/.test(svg)) problems.push('no <title> and <desc> first');
  for (const a of numericAttributes(svg)) {
    const value = a.slice(a.indexOf('=') + 1);
    if (!/^[-\d. MLZ]*$/.test(value) || /NaN|Infinity/.test(value)) problems.push(`bad number in ${a}`);
    if ((a.startsWith('width=') || a.startsWith('height=')) && value.startsWith('-')) problems.push(`negative ${a}`);
    for (const n of value.split(/[ MLZ]+/).filter((x) => x !== '')) if (!/^-?\d+(\.\d{1,2})?$/.test(n)) problems.push(`unformatted number ${n} in ${a}`);
  }
  if (/\sid="/.test(svg)) problems.push('has an id (would clash when inlined twice)');
  if (/<script|<style|<image|<use|href=/.test(svg)) problems.push('external or scripted content');
  return problems;
}

/** A small RFC 4180 reader, to check what the CSV says. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('number formatting', () => {
  it('writes slowdowns with three significant figures, cycles grouped, missing as a dash', () => {
    expect(ratio(11.4999)).toBe('11.5x');
    expect(ratio(1.1634)).toBe('1.16x');
    expect(ratio(1)).toBe('1.00x');
    expect(ratio(0.98234)).toBe('0.982x');
    expect(ratio(123.4)).toBe('123x');
    expect(ratio(999.7)).toBe('1,000x');
    expect(ratio(12345.6)).toBe('12,346x');
    expect(ratio(NaN)).toBe('—');
    expect(ratio(Infinity)).toBe('—');
    expect(grouped(1234567)).toBe('1,234,567');
    expect(grouped(-1234.4)).toBe('-1,234');
    expect(grouped(0)).toBe('0');
    expect(cycles(3906)).toBe('3,906');
    expect(cycles(1234.56)).toBe('1,234.6');
    expect(sig3(0.0515)).toBe('0.0515');
    expect(sig3(0)).toBe('0');
    expect(percent(1, 3)).toBe('33.3%');
    expect(percent(1, 0)).toBe('—');
    expect(tickLabel(1)).toBe('1x');
    expect(tickLabel(2.5)).toBe('2.5x');
    expect(tickLabel(20)).toBe('20x');
  });

  it('states a crossover from its side, value and note', () => {
    const c = { workload: 'io', config: 'vtx', versus: 'te', value: 1200, side: 'above' as const, note: 'io: the note' };
    expect(crossoverText(c, 'vmExit')).toBe('io: vtx beats te above vmExit = 1,200 — the note');
    expect(crossoverText({ ...c, value: null }, 'vmExit')).toBe('io: te is faster than vtx at every value swept — the note');
    expect(crossoverText({ ...c, value: null, side: 'below', note: '' }, 'vmExit')).toBe('io: vtx is faster than te at every value swept');
    expect(crossoverLabel(c)).toBe('vtx < te above 1,200');
  });

  it('splits a bar into exactly its width, largest remainders first', () => {
    const a = { guestUser: 1, guestKernel: 1, vmm: 1, transitions: 0, idle: 0 };
    expect(apportion(a, 40)).toEqual([14, 13, 13, 0, 0]);
    expect(apportion({ ...a, guestUser: NaN, vmm: -5 }, 40)).toEqual([0, 40, 0, 0, 0]);
    expect(apportion({ guestUser: 0, guestKernel: 0, vmm: 0, transitions: 0, idle: 0 }, 40)).toEqual([0, 0, 0, 0, 0]);
  });

  it('chooses a log scale only for a wide range, always with 1x inside', () => {
    const narrow = ratioScale([1, 1.1, 4.9]);
    expect(narrow.log).toBe(false);
    expect(narrow.ticks[0]).toBe(0);
    expect(narrow.at(1)).toBeGreaterThan(0);
    const wide = ratioScale([1, 24.2]);
    expect(wide.log).toBe(true);
    expect(wide.at(1)).toBe(0);
    expect(wide.ticks).toContain(10);
    expect(valueScale([100, 250, 4000]).log).toBe(true);
    expect(valueScale([5, 5]).lo).toBeLessThan(5);
    expect(ratioScale([NaN, Infinity, -3]).log).toBe(false);
  });
});

describe('renderTerminal', () => {
  const r = fixture();
  const text = renderTerminal(r, plain);

  it('is plain at level 0 and carries the same text when coloured', () => {
    expect(text).not.toMatch(ANSI);
    const colour = renderTerminal(r, coloured);
    expect(colour).toMatch(ANSI);
    expect(stripAnsi(colour)).toBe(text);
    expect(renderTerminal(r, plain)).toBe(text);
  });

  it('has one slowdown table per preset with every workload and config', () => {
    expect(text).toContain('Slowdown against native, preset default (');
    expect(text).toContain('Slowdown against native, preset vtx-2006 (');
    for (const w of r.workloads) expect(text).toMatch(new RegExp(`^  ${w} +native +1\\.00x +1\\.00x`, 'm'));
    // syscall under te is 3,906 / 420 = 9.30x per iteration; vtx and vtx-ept tie for best.
    expect(text).toMatch(/^ +te +8\.76x +9\.30x +3,906 +44\.8 +0 +same$/m);
    expect(text).toMatch(/^ +vtx +1\.47x +1\.10x\* +462 /m);
    expect(text).toContain('* best virtualized config');
    // vtx-2006 pagefault: vtx 9.48x per iteration, vtx-ept best.
    expect(text).toMatch(/^ +vtx +\d\.\d\dx +9\.48x +21,800 /m);
  });

  it('marks colour by severity: green near native, red beyond 3x, bold best', () => {
    const colour = renderTerminal(r, coloured);
    expect(colour).toContain(coloured.red('    8.76x'));
    expect(colour).toContain(coloured.green('    1.00x'));
    expect(colour).toContain(coloured.bold(coloured.green('   1.10x*')));
  });

  it('draws attribution bars of a fixed width with a legend', () => {
    expect(text).toContain('█ guest user   ▓ guest kernel   ▒ VMM   ░ transitions');
    const bars = [...text.matchAll(/\|([^|]*)\| +[\d,.]+ cycles$/gm)].map((m) => m[1]!);
    expect(bars).toHaveLength(r.rows.length);
    for (const b of bars) expect([...b]).toHaveLength(40);
    const narrow = renderTerminal(r, plain, { barWidth: 20 });
    for (const m of narrow.matchAll(/\|([^|]*)\| +[\d,.]+ cycles$/gm)) expect([...m[1]!]).toHaveLength(20);
    const ascii = renderTerminal(r, plain, { ascii: true });
    expect(ascii).toMatch(/\|U+K+V*T*\.*\|/);
    expect(ascii).not.toMatch(/[^\x20-\x7e\n]/);
  });

  it('lists sweeps, crossovers, speed, findings and the determinism footer', () => {
    expect(text).toContain('Sweep of vmExit (base preset default)');
    expect(text).toMatch(/^ +vtx +2\.75x +3\.58x +4\.95x +7\.70x +13\.2x +24\.2x$/m);
    expect(text).toContain('pagefault: vtx beats te below vmExit = 829 — vtx and te cross at about 829 cycles');
    expect(text).toContain('syscall: vtx is faster than te at every value swept — vtx is ahead at every point;');
    expect(text).toMatch(/^ +native +compute +41\.7 +39\.9-42\.3 +5 +970,000$/m);
    expect(text.match(/^  ✓ /gm)).toHaveLength(5);
    expect(text.match(/^  ✗ /gm)).toHaveLength(1);
    expect(text).toContain('syscall: te is 9.30x native, vtx 1.10x');
    expect(text).toContain('Cycle figures are exact and deterministic');
    expect(text).toContain('cost presets default, vtx-2006; revision v0.1.0-42-g1b82625');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('promises the same figures for a revision, or for the same tree when it is dirty', () => {
    const oneLine = (s: string): string => s.replace(/\s+/g, ' ');
    expect(oneLine(text)).toContain('a rerun at revision v0.1.0-42-g1b82625 gives the same figures');
    const dirty = oneLine(renderTerminal({ ...r, revision: '1b82625-dirty' }, plain));
    expect(dirty).toContain('a rerun of the same source tree gives the same figures');
  });

  it('says so when the determinism check failed', () => {
    const t = renderTerminal({ ...r, deterministic: false }, plain);
    expect(t).not.toContain('exact and deterministic');
    expect(t).toContain('determinism check did not pass');
  });

  it('shows a dash for missing slowdowns and flags output that differs', () => {
    const odd = withoutNative();
    odd.rows[0]!.matchesNative = false;
    const t = renderTerminal(odd, plain);
    expect(t).not.toContain('NaN');
    expect(t).toMatch(/^  compute +te +— +— +53,950 /m);
    expect(t).toContain('DIFFERS');
    expect(t).not.toContain('*  ');
  });

  it('handles a run with nothing in it', () => {
    const t = renderTerminal(emptyResults(), plain);
    expect(t).toContain('No measurements in this run.');
    expect(t).toContain('No cycle figures');
  });
});

describe('CSV', () => {
  const r = fixture();

  it('quotes fields as RFC 4180 says', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe('');
    expect(csvField(0.1)).toBe('0.1');
    expect(csvField(true)).toBe('true');
  });

  it('results.csv has one line per row with the flat columns', () => {
    const text = rowsCsv(r);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...ROW_COLUMNS]);
    expect(rows[0]!.slice(0, 21)).toEqual([
      'workload', 'kind', 'config', 'preset', 'iterations', 'cycles', 'instructions', 'guest_instructions', 'traps', 'vm_exits',
      'slowdown', 'slowdown_per_iteration', 'per_iteration_cycles', 'traps_per_1k', 'vm_exits_per_1k',
      'guest_user_cycles', 'guest_kernel_cycles', 'vmm_cycles', 'transition_cycles', 'idle_cycles', 'matches_native',
    ]);
    expect(rows).toHaveLength(r.rows.length + 1);
    const col = (name: string): number => rows[0]!.indexOf(name);
    for (const line of rows.slice(1)) {
      const row = r.rows.find((x) => x.workload === line[0] && x.config === line[2] && x.preset === line[3])!;
      expect(Number(line[col('cycles')])).toBe(row.run.cycles);
      expect(Number(line[col('slowdown_per_iteration')])).toBe(row.slowdownPerIteration);
      const worlds = ['guest_user_cycles', 'guest_kernel_cycles', 'vmm_cycles', 'transition_cycles', 'idle_cycles'].map((c) => Number(line[col(c)]));
      expect(worlds.reduce((a, b) => a + b, 0)).toBe(row.run.cycles);
      expect(line[col('matches_native')]).toBe('true');
    }
  });

  it('sweep.csv and speed.csv are long tables, empty without data', () => {
    const sweep = parseCsv(sweepCsv(r));
    expect(sweep[0]).toEqual(['parameter', 'base_preset', 'value', 'workload', 'config', 'slowdown_per_iteration']);
    expect(sweep).toHaveLength(1 + 6 * 3 * 3);
    expect(sweep).toContainEqual(['vmExit', 'default', '4000', 'pagefault', 'vtx', '24.2']);
    const speed = parseCsv(speedCsv(r));
    expect(speed[1]).toEqual(['native', 'compute', '41.7', '39.9', '42.3', '5', '970000']);
    expect(sweepCsv(emptyResults())).toBe('');
    expect(speedCsv(emptyResults())).toBe('');
    expect(parseCsv(rowsCsv(emptyResults()))).toEqual([[...ROW_COLUMNS]]);
  });

  it('writes a missing slowdown as an empty field', () => {
    const rows = parseCsv(rowsCsv(withoutNative()));
    const i = rows[0]!.indexOf('slowdown');
    expect(rows.slice(1).every((line) => line[i] === '')).toBe(true);
  });
});

describe('SVG charts', () => {
  const files = renderAll(fixture());
  const svgs = Object.entries(files).filter(([name]) => name.endsWith('.svg'));

  it('one slowdown and one attribution chart per preset, one per sweep', () => {
    expect(svgs.map(([name]) => name)).toEqual(['slowdown-default.svg', 'slowdown-vtx-2006.svg', 'attribution-default.svg', 'attribution-vtx-2006.svg', 'sweep-vmexit.svg']);
  });

  it('are well-formed, self-contained, titled and free of NaN', () => {
    for (const [name, svg] of svgs) expect(svgProblems(svg), name).toEqual([]);
  });

  it('label every bar with its figure and draw the 1x line', () => {
    const s = files['slowdown-default.svg']!;
    expect(s).toContain('>9.30x<');
    expect(s).toContain('>1.10x best<');
    expect(s).toContain('>1x = native<');
    expect(s).toContain('stroke-dasharray="4 3"');
    expect(s).toContain('<title>syscall, te: 9.30x per iteration, 8.76x whole run</title>');
    // Okabe-Ito colours, one per config.
    for (const colour of ['#000000', '#E69F00', '#0072B2', '#009E73']) expect(s).toContain(`fill="${colour}"`);
    // vtx-2006 spans more than 10x: log axis.
    expect(files['slowdown-vtx-2006.svg']).toContain('log scale');
    expect(s).toContain('linear scale');
  });

  it('stack the attribution with a legend and shares', () => {
    const s = files['attribution-default.svg']!;
    for (const label of ['guest user', 'guest kernel', 'VMM', 'transitions', 'idle']) expect(s).toContain(`>${label}<`);
    expect(s).toContain('<title>syscall, te: VMM ');
    expect(s).toContain('>3,906 cycles<');
  });

  it('mark sweep crossovers and describe every line', () => {
    const s = files['sweep-vmexit.svg']!;
    expect(s).toContain('>vtx &lt; te below 829<');
    expect(s).toContain('>vtx &lt; te below 1,290<');
    expect(s).toContain('pagefault: vtx beats te below vmExit = 829');
    expect(s).toContain('vtx 2.75x, 3.58x, 4.95x, 7.70x, 13.2x, 24.2x');
    // One line per workload and config.
    expect(s.match(/<path d="M[^"]*" fill="none"/g)).toHaveLength(9);
  });

  it('break a sweep line at a missing point and survive an empty sweep', () => {
    const r = fixture();
    const sweep = r.sweeps[0]!;
    delete sweep.points[2]!.slowdown['pagefault']!['vtx'];
    const s = sweepSvg(r, sweep);
    expect(svgProblems(s)).toEqual([]);
    expect(s).toMatch(/<path d="M[^"]*M[^"]*" fill="none" stroke="#0072B2"/);
    const empty = sweepSvg(r, { ...sweep, points: [] });
    expect(svgProblems(empty)).toEqual([]);
    expect(empty).toContain('No points in this sweep.');
  });
});

describe('report.md', () => {
  const r = fixture();
  const md = renderMarkdown(r);

  it('runs title, how it was run, findings, how to read, tables, attribution, sweep, speed in order', () => {
    const headings = [...md.matchAll(/^(#+) (.*)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(headings).toEqual([
      '# ringlab benchmark report: overhead suite',
      '## How it was run',
      '## Findings',
      '## How to read this report',
      '## Slowdown against native',
      '### Preset default',
      '### Preset vtx-2006',
      '## Where the cycles go',
      '### Preset default',
      '### Preset vtx-2006',
      '## Sweep: VM exit cost in cycles (VM entry moves in proportion)',
      '## Host speed',
    ]);
  });

  it('states the run: presets with every cost field, machine, revision, determinism', () => {
    expect(md).toContain('| vmExit | 280 | 1,300 |');
    expect(md).toContain('| vmTransitionFlushesTlb | no | yes |');
    expect(md).toContain('16 MiB of guest memory, timer quantum 100,000 cycles, TLB of 64 entries (1-way)');
    expect(md).toContain('Revision `v0.1.0-42-g1b82625`');
    expect(md).toContain('Cycle figures are exact and deterministic');
  });

  it('lists the computed findings, escaped', () => {
    expect(md).toContain('- ✓ holds: System-call-heavy work is far slower under trap-and-emulate than under VT-x. **syscall: te is 9.30x native, vtx 1.10x** (`syscall-te-slow`)');
    expect(md).toContain('- ✗ does not hold: A claim \\<the numbers\\> do not support & say so.');
  });

  it('links every chart and tabulates every row', () => {
    for (const name of Object.keys(renderAll(r)).filter((n) => n.endsWith('.svg'))) expect(md).toContain(`](${name})`);
    expect(md).toContain('|  | vtx | 1.47x | **1.10x** (best) | 462 | 9.81 | 1.00 | same as native |');
    expect(md.split('\n').filter((l) => / \| same as native \|$/.test(l))).toHaveLength(r.rows.length);
    expect(md.split('\n').filter((l) => /^\| [^|]* \| (native|te|vtx|vtx-ept) \| [\d.]+% \|/.test(l))).toHaveLength(r.rows.length);
    expect(md).toContain('| vtx | 2.75x | 3.58x | 4.95x | 7.70x | 13.2x | 24.2x |');
  });

  it('describes configs and workloads when the results carry descriptions', () => {
    const d = renderMarkdown({ ...r, configDescriptions: { te: 'trap-and-emulate' }, workloadDescriptions: { io: 'console | bound' } });
    expect(d).toContain('`native`; `te` (trap-and-emulate); `vtx`');
    expect(d).toContain('`io` (console \\| bound)');
  });
});

describe('report.html', () => {
  const r = fixture();
  const html = renderHtml(r);
  const files = renderAll(r);

  it('is well-formed, self-contained and has no scripts or network references', () => {
    expect(markupProblems(html, true)).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('inlines every chart and says what report.md says', () => {
    const svgCount = Object.keys(files).filter((n) => n.endsWith('.svg')).length;
    expect(html.match(/<svg /g)).toHaveLength(svgCount);
    for (const [name, svg] of Object.entries(files)) if (name.endsWith('.svg')) expect(html).toContain(svg.trimEnd());
    const mdHeadings = [...renderMarkdown(r).matchAll(/^#+ (.*)$/gm)].map((m) => m[1]!.replaceAll('\\', ''));
    const htmlHeadings = [...html.matchAll(/<h\d>(.*?)<\/h\d>/g)].map((m) => m[1]);
    expect(htmlHeadings).toEqual(mdHeadings);
    expect(html).toContain('<td class="num good best">1.10x <span class="tag">(best)</span></td>');
    expect(html).toContain('<td class="num bad">9.30x</td>');
  });

  it('escapes every piece of text', () => {
    expect(html).toContain('A claim &lt;the numbers&gt; do not support &amp; say so.');
    const evil = fixture();
    evil.revision = '<script>alert("x")</script>';
    evil.rows[0]!.workload = 'a<b>&"c\'';
    evil.workloads[0] = 'a<b>&"c\'';
    const out = renderAll(evil);
    expect(out['report.html']).not.toContain('<script>');
    expect(out['report.html']).toContain('&lt;script&gt;');
    expect(markupProblems(out['report.html']!, true)).toEqual([]);
    for (const [name, svg] of Object.entries(out)) if (name.endsWith('.svg')) expect(svgProblems(svg), name).toEqual([]);
  });
});

describe('report.html layout (checked in a browser at 1,400 and 1,000 px; these keep the fixes)', () => {
  const r = fixture();
  const html = renderHtml(r);

  it('puts every table in a box that scrolls sideways, so a wide table never widens the page', () => {
    const tables = html.match(/<table>/g)?.length ?? 0;
    expect(tables).toBeGreaterThan(0);
    expect(html.match(/<div class="table" role="region" tabindex="0" aria-label="table: [^"]+">\n<table>/g)).toHaveLength(tables);
    expect(html).toMatch(/^div\.table \{ overflow-x: auto; max-width: 100%;/m);
    // Headings may wrap; only the cells keep to one line.
    expect(html).not.toMatch(/th[^{}]*\{[^}]*white-space: nowrap/);
  });

  it('keeps the preset descriptions out of the price table (a sentence there pushed the second preset off screen)', () => {
    const priceTable = /<thead><tr><th>field<\/th>[\s\S]*?<\/table>/.exec(html)?.[0];
    expect(priceTable).toBeDefined();
    for (const p of r.presets) {
      expect(priceTable).not.toContain(escapeXmlText(p.description));
      expect(html).toContain(`<code>${p.name}</code> (${escapeXmlText(p.description)})`);
    }
    for (const [, text] of priceTable!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)) expect(text!.length, text).toBeLessThanOrEqual(30);
  });
});

/** Colours as the CIE L*a*b* of sRGB, seen with typical vision or simulated protanopia or
 *  deuteranopia (Machado, Oliveira and Fernandes 2009, severity 1, on linear RGB). */
const VISION: Record<string, number[][]> = {
  typical: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
};

function lab(hex: string, vision: number[][]): [number, number, number] {
  const linear = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const [r, g, b] = vision.map((row) => Math.min(1, Math.max(0, row[0]! * linear[0]! + row[1]! * linear[1]! + row[2]! * linear[2]!))) as [number, number, number];
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

describe('attribution colours', () => {
  const colours = SEGMENTS.map((s) => ({ label: s.label, hex: SEGMENT_COLOURS[s.key] }));
  const pairs = colours.flatMap((a, i) => colours.slice(i + 1).map((b) => [a, b] as const));

  it('are clearly different hues (the old palette had two blues 15 degrees apart and two oranges 22 apart)', () => {
    const hue = (hex: string): { chroma: number; angle: number } => {
      const [, a, b] = lab(hex, VISION.typical!);
      return { chroma: Math.hypot(a, b), angle: (Math.atan2(b, a) * 180) / Math.PI };
    };
    for (const [a, b] of pairs) {
      const [ha, hb] = [hue(a.hex), hue(b.hex)];
      if (ha.chroma < 10 || hb.chroma < 10) continue; // a grey has no hue
      const apart = Math.abs(((ha.angle - hb.angle + 540) % 360) - 180);
      expect(apart, `${a.label} ${a.hex} and ${b.label} ${b.hex}: hue angles apart`).toBeGreaterThanOrEqual(40);
    }
  });

  it('stay apart with protanopia and deuteranopia too', () => {
    for (const [name, vision] of Object.entries(VISION)) {
      for (const [a, b] of pairs) {
        const [la, lb] = [lab(a.hex, vision), lab(b.hex, vision)];
        const deltaE = Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
        expect(deltaE, `${a.label} and ${b.label}, ${name}: CIE76 delta E`).toBeGreaterThanOrEqual(20);
      }
    }
  });

  it('carry labels in black or white, whichever reads better (at least 4.5:1)', () => {
    for (const c of colours) expect(contrast(c.hex, textOn(c.hex)), c.label).toBeGreaterThanOrEqual(4.5);
    expect(textOn('#000000')).toBe('#ffffff');
    expect(textOn('#ffffff')).toBe('#000000');
  });
});

describe('renderAll and writeReport', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('render the same bytes every time', () => {
    expect(renderAll(fixture())).toEqual(renderAll(fixture()));
    expect(Object.keys(renderAll(fixture()))).toEqual([
      'results.json', 'results.csv', 'sweep.csv', 'speed.csv', 'report.md', 'report.html',
      'slowdown-default.svg', 'slowdown-vtx-2006.svg', 'attribution-default.svg', 'attribution-vtx-2006.svg', 'sweep-vmexit.svg',
    ]);
  });

  it('leave out what a run does not have', () => {
    const files = renderAll(emptyResults());
    expect(Object.keys(files)).toEqual(['results.json', 'results.csv', 'report.md', 'report.html']);
    expect(files['report.md']).toContain('No measurements in this run.');
    expect(markupProblems(files['report.html']!, true)).toEqual([]);
  });

  it('writeReport creates the directory and writes every file', () => {
    const base = mkdtempSync(join(tmpdir(), 'ringlab-render-'));
    dirs.push(base);
    const dir = join(base, 'nested', 'out');
    const r = fixture();
    const paths = writeReport(r, dir);
    const files = renderAll(r);
    expect(paths).toEqual(Object.keys(files).map((n) => join(dir, n)));
    for (const [name, content] of Object.entries(files)) expect(readFileSync(join(dir, name), 'utf8')).toBe(content);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(r);
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toBe(JSON.stringify(r, null, 2) + '\n');
  });
});

describe('odd inputs (property)', () => {
  /** Replace every number in the results with the next of `values` (cycling), booleans with `flags`. */
  function mutate(r: BenchResults, values: number[], flags: boolean[]): BenchResults {
    let i = 0;
    let j = 0;
    const walk = (v: unknown): unknown => {
      if (typeof v === 'number') return values[i++ % values.length];
      if (typeof v === 'boolean') return flags[j++ % flags.length];
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(r) as BenchResults;
  }

  const number = fc.oneof(
    fc.double(),
    fc.integer({ min: -1e6, max: 1e9 }),
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1, 1e-300, 1e300, Number.MAX_VALUE, Number.MIN_VALUE),
  );

  it('never throw, and write well-formed SVG and HTML without NaN', () => {
    const base = fixture();
    base.rows = base.rows.filter((row) => row.workload === 'syscall' || row.workload === 'pagefault');
    fc.assert(
      fc.property(fc.array(number, { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), (values, flags) => {
        const r = mutate(base, values, flags);
        const files = renderAll(r);
        const terminal = renderTerminal(r, coloured);
        for (const [name, content] of Object.entries(files)) {
          if (name === 'results.json') continue;
          expect(content, name).not.toMatch(/NaN|Infinity|undefined/);
          if (name.endsWith('.svg')) expect(svgProblems(content), name).toEqual([]);
        }
        expect(markupProblems(files['report.html']!, true)).toEqual([]);
        expect(stripAnsi(terminal)).not.toMatch(/NaN|Infinity|undefined/);
        expect(stripAnsi(terminal)).toBe(renderTerminal(r, plain));
      }),
      { numRuns: 40 },
    );
  });
});
