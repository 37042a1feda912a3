// The report renderers of `ringlab bench`: everything that turns a BenchResults into output.
// Each renderer is a pure function (results in, string out); writeReport is the only one that
// touches the disk.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from '../results.js';
import { rowsCsv, speedCsv, sweepCsv } from './csv.js';
import { charts, reportBlocks } from './document.js';
import { htmlFromBlocks } from './html.js';
import { markdownFromBlocks } from './markdown.js';

export { renderTerminal, type TerminalOptions } from './terminal.js';
export { rowsCsv, speedCsv, sweepCsv, csvField, ROW_COLUMNS } from './csv.js';
export { slowdownSvg, attributionSvg, sweepSvg } from './svg.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { determinismStatement } from './model.js';

/** Where `ringlab bench` writes its files unless told otherwise (--out). */
export const DEFAULT_OUT_DIR = 'bench/results';

/** results.json exactly as written: the results, two-space indented, with a final newline. */
export function resultsJson(r: BenchResults): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/**
 * Every file of a report, by file name, in a fixed order: results.json, results.csv, sweep.csv
 * and speed.csv when there are sweeps or speed rows, report.md, report.html, then the charts
 * (slowdown-PRESET.svg and attribution-PRESET.svg per preset with rows, sweep-PARAMETER.svg per
 * sweep). No disk access.
 */
export function renderAll(r: BenchResults): Record<string, string> {
  const files: Record<string, string> = { 'results.json': resultsJson(r), 'results.csv': rowsCsv(r) };
  if (r.sweeps.length > 0) files['sweep.csv'] = sweepCsv(r);
  if (r.speed.length > 0) files['speed.csv'] = speedCsv(r);
  const svgs = charts(r);
  const blocks = reportBlocks(r, svgs);
  files['report.md'] = markdownFromBlocks(blocks);
  files['report.html'] = htmlFromBlocks(blocks);
  Object.assign(files, svgs);
  return files;
}

/** Write every file of renderAll into dir (created if missing); returns the paths written, in order. */
export function writeReport(r: BenchResults, dir: string = DEFAULT_OUT_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(renderAll(r))) {
    const path = join(dir, name);
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}
