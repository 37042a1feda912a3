// The isolation suite's report, from its results.json (isolation.ts): the terminal tables, the
// blocks of report.md and report.html (the overhead suite's document model, render/document.ts,
// so the two files say the same thing), and the SVG charts (start-up phases as stacked bars,
// system-call cost as bars, density as bars). Pure functions; writeIsolationReport writes files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { type IsolationResults, SYSCALL_OPS, type StartupRow } from './isolation.js';
import type { Block, Cell } from './render/document.js';
import { cycles as fmtCycles, grouped, ratio } from './render/format.js';
import { htmlFromBlocks } from './render/html.js';
import { markdownFromBlocks } from './render/markdown.js';
import { CONFIG_COLOURS } from './render/model.js';
import { el, legend, svgDocument, text, textWidth, tip } from './render/svg.js';
import { table, wrap } from './render/terminal.js';
import { storageBlocks, storageCharts, storageTables } from './isolation-storage-render.js';
import { CONTROL_CHART, controlSvg, controlTables } from './isolation-control-report.js';
import { vulnTable } from './isolation-vuln.js';

/** Where `ringlab bench isolation` writes its files unless told otherwise (--out). */
export const ISOLATION_OUT_DIR = 'bench/results/isolation';

export const ISOLATION_CHARTS = { startup: 'startup.svg', syscalls: 'syscalls.svg', density: 'density.svg' } as const;

// ---------------------------------------------------------------------------------------------
// The tables, as text: one definition for the terminal and the reports

interface Table {
  title: string;
  head: string[];
  align: ('left' | 'right')[];
  rows: string[][];
}

const describe = (row: StartupRow): string => (row.kind === 'vm' ? `VM (${row.config})` : row.kind === 'container' ? `container (in ${row.config})` : `process (in ${row.config})`);

function syscallTable(r: IsolationResults): Table {
  const rows: string[][] = [];
  for (const op of SYSCALL_OPS) {
    for (const where of ['process', 'container'] as const) {
      const cells = r.configs.map((c) => {
        const s = r.syscalls.find((x) => x.op === op.op && x.config === c && x.where === where);
        return s ? `${fmtCycles(s.perIteration)} (${ratio(s.ratio)})` : '—';
      });
      rows.push([where === 'process' ? op.op : '', where, ...cells]);
    }
  }
  return {
    title: 'System calls and random reads: cycles per iteration (against a native process)',
    head: ['operation', 'as a', ...r.configs.map((c) => (c === 'native' ? 'native kernel' : `VM: ${c}`))],
    align: ['left', 'left', ...r.configs.map(() => 'right' as const)],
    rows,
  };
}

function startupTable(r: IsolationResults): Table {
  const base = r.startup.find((s) => s.kind === 'process' && s.config === 'native');
  return {
    title: 'Start-up: cycles from the request to the first user instruction of the workload',
    head: ['start of a', 'cycles', 'against fork+exec', 'waiting for the disk', 'phases (cycles)'],
    align: ['left', 'right', 'right', 'right', 'left'],
    rows: r.startup.map((s) => {
      const idle = s.phases.reduce((a, p) => a + (p.idle ?? 0), 0);
      const host = s.host ? ` (before it, the host's own boot: ${s.host.map((p) => `${p.name} ${grouped(p.cycles)}`).join(', ')})` : '';
      return [describe(s), grouped(s.total), base ? ratio(s.total / base.total) : '—', `${Math.round((100 * idle) / s.total)}%`, s.phases.map((p) => `${p.name} ${grouped(p.cycles)}`).join(', ') + host];
    }),
  };
}

function memoryTable(r: IsolationResults): Table {
  return {
    title: 'Memory: physical pages (4 KiB) per additional instance of the server',
    head: ['instance', 'pages', 'KiB', 'of which'],
    align: ['left', 'right', 'right', 'left'],
    rows: r.memory.map((m) => [
      m.kind === 'vm' ? `VM (${m.config})` : `container (in ${m.config})`,
      fmtCycles(m.pages),
      fmtCycles(m.pages * 4),
      m.parts.map((p) => `${fmtCycles(p.cycles)} ${p.name}`).join('; ') + (m.guestInUse !== undefined ? `; the guest uses ${grouped(m.guestInUse)} of its pages` : ''),
    ]),
  };
}

function densityTable(r: IsolationResults): Table {
  return {
    title: `Density: instances of the server in a ${grouped(r.machineBytes >> 20)} MiB machine`,
    head: ['instances of a', 'fit', 'how', 'limit', 'by memory alone'],
    align: ['left', 'right', 'left', 'left', 'right'],
    rows: r.density.map((d) => [d.kind === 'vm' ? `VM (${d.config})` : `container (in ${d.config})`, grouped(d.instances), d.how, d.limit, grouped(d.byMemory)]),
  };
}

function tables(r: IsolationResults): Table[] {
  return [syscallTable(r), startupTable(r), memoryTable(r), densityTable(r), ...(r.storage ? storageTables(r.storage) : []), ...(r.control ? controlTables(r.control) : []), ...(r.vuln?.length ? [vulnTable(r.vuln)] : [])];
}

export function determinismLine(r: IsolationResults): string {
  return r.deterministic
    ? 'Cycle and page figures are exact and deterministic: every one is executed instructions or events priced by the cost model, and the harness ran every measurement twice and got the same figures.'
    : 'Warning: the determinism check did not pass: a second run of some measurement gave different figures.';
}

// ---------------------------------------------------------------------------------------------
// Terminal

export function renderIsolationTerminal(r: IsolationResults, c: ChalkInstance, ascii = false): string {
  const sections: string[][] = [[c.bold('ringlab bench: isolation suite (containers against virtual machines)')]];
  for (const t of tables(r)) {
    sections.push([c.bold(t.title), ...table(c, t.head.map((h, i) => ({ header: h, align: t.align[i]! })), t.rows.map((row) => row.map((s) => ({ text: s }))))]);
  }
  const lines = [c.bold('Findings (computed from the figures above)')];
  for (const f of r.findings) {
    const mark = f.holds ? c.green(ascii ? 'ok' : '✓') : c.red(ascii ? 'NO' : '✗');
    const [head, ...rest] = wrap(f.text, 100, '');
    lines.push(`  ${mark} ${f.holds ? head : c.bold(head ?? '')}`);
    for (const l of rest) lines.push(`    ${ascii ? ' ' : ''}${l}`);
    lines.push(...wrap(`claim: ${f.claim}${f.holds ? '' : ' (not supported by these figures)'}`, 100, ascii ? '     ' : '    ').map((l) => c.dim(l)));
  }
  sections.push(lines);
  sections.push([...wrap(determinismLine(r), 100).map((l) => c.dim(l)), c.dim(`isolation suite; cost preset ${r.preset.name}; revision ${r.revision}`)]);
  const out = sections.map((s) => s.join('\n')).join('\n\n') + '\n';
  return ascii ? out.replaceAll('—', '-') : out;
}

// ---------------------------------------------------------------------------------------------
// Charts

const PHASE_COLOURS = ['#56B4E9', '#009E73', '#E69F00', '#0072B2', '#D55E00', '#CC79A7', '#F0E442', '#999999'] as const;

/** Start-up phases as stacked horizontal bars, one bar per start (linear scale, in cycles). */
export function startupSvg(r: IsolationResults): string {
  const names: string[] = [];
  for (const s of r.startup) for (const p of s.phases) if (!names.includes(p.name)) names.push(p.name);
  const colour = (n: string): string => PHASE_COLOURS[names.indexOf(n) % PHASE_COLOURS.length]!;
  const labelW = Math.max(...r.startup.map((s) => textWidth(describe(s), 12))) + 16;
  const width = 900;
  const plotW = width - labelW - 110;
  const max = Math.max(1, ...r.startup.map((s) => s.total));
  const barH = 18;
  const top = 40;
  const body: string[] = [text(16, 24, 'Start-up: cycles from the request to the workload\'s first user instruction, by phase', { 'font-size': 14, 'font-weight': 'bold' })];
  r.startup.forEach((s, i) => {
    const y = top + i * (barH + 8);
    body.push(text(labelW - 8, y + 13, describe(s), { 'text-anchor': 'end' }));
    let x = labelW;
    for (const p of s.phases) {
      const w = (p.cycles / max) * plotW;
      body.push(el('rect', { x, y, width: w, height: barH, fill: colour(p.name), stroke: '#ffffff', 'stroke-width': 0.5 }, tip(`${describe(s)}: ${p.name}, ${grouped(p.cycles)} cycles${p.idle ? ` (${grouped(p.idle)} waiting for the disk)` : ''}`)));
      x += w;
    }
    body.push(text(x + 6, y + 13, grouped(s.total), { 'font-size': 11 }));
  });
  const y0 = top + r.startup.length * (barH + 8) + 16;
  const key = legend(names.map((n) => ({ label: n, colour: colour(n) })), labelW, y0, plotW + 100);
  body.push(key.svg);
  const desc = r.startup.map((s) => `${describe(s)}: ${grouped(s.total)} cycles (${s.phases.map((p) => `${p.name} ${grouped(p.cycles)}`).join(', ')})`).join('; ');
  return svgDocument(width, y0 + key.height + 10, 'Start-up phases', desc, body);
}

/** Cycles per system call, one panel per operation, one bar per (config, process or container). */
export function syscallsSvg(r: IsolationResults): string {
  const width = 900;
  const labelW = 190;
  const plotW = width - labelW - 140;
  const barH = 12;
  const body: string[] = [text(16, 24, 'System calls and random reads: cycles per iteration, as a process and in a container, natively and in each VM', { 'font-size': 14, 'font-weight': 'bold' })];
  let y = 44;
  const colours = (config: string): string => CONFIG_COLOURS[r.configs.indexOf(config) % CONFIG_COLOURS.length]!;
  for (const op of SYSCALL_OPS) {
    const rows = r.syscalls.filter((s) => s.op === op.op);
    const max = Math.max(1, ...rows.map((s) => s.perIteration));
    body.push(text(16, y + 10, `${op.op}: ${op.description}`, { 'font-weight': 'bold' }));
    y += 18;
    for (const s of rows) {
      const label = `${s.config === 'native' ? 'native' : `VM ${s.config}`}, ${s.where}`;
      const w = (s.perIteration / max) * plotW;
      body.push(text(labelW - 8, y + 10, label, { 'text-anchor': 'end', 'font-size': 11 }));
      body.push(el('rect', { x: labelW, y, width: w, height: barH, fill: colours(s.config), 'fill-opacity': s.where === 'container' ? 0.55 : 1 }, tip(`${op.op}, ${label}: ${fmtCycles(s.perIteration)} cycles (${ratio(s.ratio)} a native process)`)));
      body.push(text(labelW + w + 6, y + 10, `${fmtCycles(s.perIteration)} (${ratio(s.ratio)})`, { 'font-size': 11 }));
      y += barH + 4;
    }
    y += 12;
  }
  const key = legend([...r.configs.map((c) => ({ label: c === 'native' ? 'native kernel' : `VM: ${c}`, colour: colours(c) })), { label: 'lighter: in a container', colour: '#bbbbbb' }], labelW, y + 6, plotW + 120);
  body.push(key.svg);
  const desc = r.syscalls.map((s) => `${s.op} ${s.where} ${s.config}: ${fmtCycles(s.perIteration)} cycles`).join('; ');
  return svgDocument(width, y + key.height + 14, 'System-call cost', desc, body);
}

/** Density: instances that fit, containers (found, and by memory alone) and VMs (computed). */
export function densitySvg(r: IsolationResults): string {
  const width = 900;
  const labelW = 260;
  const plotW = width - labelW - 80;
  const bars: { label: string; value: number; colour: string; note: string }[] = [];
  for (const d of r.density) {
    if (d.kind === 'container') {
      bars.push({ label: 'containers, started until one failed', value: d.instances, colour: '#009E73', note: d.limit });
      bars.push({ label: 'containers, by memory alone', value: d.byMemory, colour: '#56B4E9', note: 'free pages / pages per container' });
    } else bars.push({ label: `VMs under ${d.config} (computed)`, value: d.instances, colour: '#D55E00', note: d.limit });
  }
  const max = Math.max(1, ...bars.map((b) => b.value));
  const body: string[] = [text(16, 24, `Density: instances of the server in a ${grouped(r.machineBytes >> 20)} MiB machine`, { 'font-size': 14, 'font-weight': 'bold' })];
  bars.forEach((b, i) => {
    const y = 40 + i * 26;
    const w = (b.value / max) * plotW;
    body.push(text(labelW - 8, y + 13, b.label, { 'text-anchor': 'end' }));
    body.push(el('rect', { x: labelW, y, width: Math.max(w, 1), height: 18, fill: b.colour }, tip(`${b.label}: ${grouped(b.value)} (${b.note})`)));
    body.push(text(labelW + Math.max(w, 1) + 6, y + 13, grouped(b.value), { 'font-size': 11, fill: '#000000' }));
  });
  const desc = bars.map((b) => `${b.label}: ${grouped(b.value)}`).join('; ');
  return svgDocument(width, 40 + bars.length * 26 + 10, 'Density', desc, body);
}

export function isolationCharts(r: IsolationResults): Record<string, string> {
  return { [ISOLATION_CHARTS.startup]: startupSvg(r), [ISOLATION_CHARTS.syscalls]: syscallsSvg(r), [ISOLATION_CHARTS.density]: densitySvg(r), ...storageCharts(r), ...(r.control ? { [CONTROL_CHART]: controlSvg(r.control) } : {}) };
}

// ---------------------------------------------------------------------------------------------
// report.md and report.html

export function isolationBlocks(r: IsolationResults, charts: Readonly<Record<string, string>> = isolationCharts(r)): Block[] {
  const [sys, start, mem, dens] = tables(r);
  const control = r.control ? controlTables(r.control) : [];
  const vuln = r.vuln?.length ? vulnTable(r.vuln) : undefined;
  const tableBlock = (t: Table): Block => ({ kind: 'table', head: t.head, align: t.align, rows: t.rows.map((row) => row.map((s): Cell => ({ text: s }))) });
  const figure = (file: string, alt: string): Block => ({ kind: 'figure', file, svg: charts[file] ?? '', alt });
  const held = r.findings.filter((f) => f.holds).length;
  return [
    { kind: 'heading', level: 1, text: 'ringlab benchmark report: isolation suite' },
    {
      kind: 'paragraph',
      text: [
        'Containers against virtual machines on one machine: the same guest kernel and the same program (',
        { code: 'programs/user/isoprobe.s' },
        ') as a process, in a container of ',
        { code: 'crun' },
        ' (namespaces, a control group, an overlay root on a tmpfs, a network namespace), in a VM under each VMM, and in a container inside each VM. ',
        `Cost preset ${r.preset.name}; revision `,
        { code: r.revision },
        '. docs/isolation.md explains each measurement.',
      ],
    },
    { kind: 'paragraph', text: [{ bold: 'Determinism.' }, ` ${determinismLine(r)}`] },
    { kind: 'heading', level: 2, text: 'Findings' },
    { kind: 'paragraph', text: [`Computed from the figures below: ${held} of ${r.findings.length} claims from the literature hold in this run.`] },
    {
      kind: 'list',
      items: r.findings.map((f) => ({ mark: f.holds ? ('holds' as const) : ('fails' as const), text: [f.holds ? '✓ holds: ' : '✗ does not hold: ', f.claim, ' ', { bold: f.text }, ' (', { code: f.id }, ')'] })),
    },
    { kind: 'heading', level: 2, text: 'System calls and random reads' },
    { kind: 'paragraph', text: ['Each figure is (cycles of a run at 2N iterations - cycles at N) / N, boot and start-up excluded, with the ratio to a native process in brackets. ', SYSCALL_OPS.map((o) => `${o.op}: ${o.description}`).join('; '), '.'] },
    figure(ISOLATION_CHARTS.syscalls, 'Cycles per system call, as a process and in a container, natively and in each VM'),
    tableBlock(sys!),
    { kind: 'heading', level: 2, text: 'Start-up' },
    {
      kind: 'paragraph',
      text: [
        'From the request to the first user instruction of the workload, in phases found in the trace of the run: a process from init\'s fork; a container from the exec of ',
        { code: 'crun run' },
        ' in a running kernel (phases begin at crun\'s first instruction, its cgroup_mkdir, clone and first mount, and the workload\'s exec); a VM from power-on (the first guest instruction, init\'s first instruction); a hosted VM from its host\'s exec of rlvmm, in a running host. ',
        '"Waiting for the disk" is the share of the cycles the processor idled in wfi.',
      ],
    },
    figure(ISOLATION_CHARTS.startup, 'Start-up phases as stacked bars'),
    tableBlock(start!),
    { kind: 'heading', level: 2, text: 'Memory and density' },
    {
      kind: 'paragraph',
      text: [
        'A container\'s pages are the growth of the kernel\'s pages in use per container started (the density run, instance by instance); a VM\'s are the smallest guest memory that runs the server (found by booting smaller and smaller guests) and the VMM\'s pages that hold anything besides its code and data; a hosted VM\'s are the host\'s pages in use while it runs the server less those it has once the VM is gone (the guest\'s pages, backed as it touched them; the VMCS and EPT tables; rlvmm and its I/O process). ',
        'The VMMs run one guest each: the VMs that fit are computed from one guest\'s cost, the containers are found by starting them until the next one fails.',
      ],
    },
    figure(ISOLATION_CHARTS.density, 'Instances of the server that fit in the machine'),
    tableBlock(mem!),
    tableBlock(dens!),
    { kind: 'paragraph', text: [`The density run, pages in use after each container: ${r.densityCurve.map((p) => `${p.instance}: ${grouped(p.pagesInUse)}`).join(', ')}.`] },
    ...storageBlocks(r, charts),
    // Resource control (isolation-control.ts, isolation-control-report.ts).
    ...(control.length
      ? ([
          { kind: 'heading', level: 2, text: 'Resource control' },
          {
            kind: 'paragraph',
            text: [
              'Two containers of crun in the native kernel, each a processor hog: ', { code: 'lim' }, ' under the cpu.max of each row, ', { code: 'free' }, ' best-effort (cpu.weight 1). ',
              'Shares are the cycles charged to each container\'s process (the kernel\'s current process at every mode change) over whole periods after the first; the longest stall is the longest stretch in which the limited one did not run. ',
              'Then a neighbour container doing steady work (a new page and a fixed spin per iteration), alone and while an offender allocates past its memory.max and is OOM-killed.',
            ],
          },
          figure(CONTROL_CHART, 'The limited container\'s longest stall against the period, with period - quota'),
          ...control.map(tableBlock),
        ] as Block[])
      : []),
    ...(vuln
      ? [
          { kind: 'heading', level: 2, text: 'Isolation strength' } as Block,
          {
            kind: 'paragraph',
            text: [
              'A kernel built with ',
              { code: '-D VULN' },
              ' has one deliberate bug: ',
              { code: 'vuln_copy(dst, src, len)' },
              ' copies without checking that its pointers are user memory, an arbitrary read and write of physical memory through the kernel\'s identity map (as CVE-2017-5123\'s waitid). From inside one container, ',
              { code: 'programs/user/isovuln.s' },
              ' reads the boot arguments (how much memory), the first bytes of every frame (printing every page that starts with a secret\'s mark), finds its own page tables, forges a mapping of the first address past the end of memory and reads it. A victim in another container holds a secret; in a VM the harness also plants one in the VMM\'s own memory. The outcomes below are read from the runs.',
            ],
          } as Block,
          tableBlock(vuln),
        ]
      : []),
    { kind: 'paragraph', text: [`Generated by ringlab bench isolation from results.json (revision ${r.revision}).`] },
  ];
}

export function renderIsolationAll(r: IsolationResults): Record<string, string> {
  const charts = isolationCharts(r);
  const blocks = isolationBlocks(r, charts);
  return { 'results.json': JSON.stringify(r, null, 2) + '\n', 'report.md': markdownFromBlocks(blocks), 'report.html': htmlFromBlocks(blocks), ...charts };
}

export function writeIsolationReport(r: IsolationResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderIsolationAll(r)).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}
