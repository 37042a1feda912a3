// The isolation suite's storage part (src/bench/isolation-storage.ts, programs/user/isostore.s):
// its findings from a hand-built fixture, one real run with its exact figures (the figures
// docs/isolation.md quotes), and its tables, charts and report section.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { isolationFindings } from '../../src/bench/isolation-findings.js';
import { renderIsolationAll, renderIsolationTerminal } from '../../src/bench/isolation-render.js';
import { copyupSvg, layersSvg, storageBlocks, storageCharts, storageTables } from '../../src/bench/isolation-storage-render.js';
import { COPYUP_SIZES, LOOKUP_LAYERS, runStorage, storageFindings, type StorageResults } from '../../src/bench/isolation-storage.js';
import { ISOLATION_SCHEMA, type IsolationResults, type SyscallRow } from '../../src/bench/isolation.js';
import { grouped } from '../../src/bench/render/format.js';
import { COST_PRESETS, DEFAULT_COSTS } from '../../src/machine/costs.js';

const plain = new Chalk({ level: 0 });

// ---------------------------------------------------------------------------------------------
// A hand-built IsolationResults with storage figures. TEST DATA, not measurements: shaped like a
// run, with figures chosen so that some claims hold and others do not.

function disk(config: string, perIteration: number, native = 200_000): SyscallRow {
  return { op: 'disk', config, where: 'process', iterations: 8, cycles: [1, 1 + 8 * perIteration], perIteration, attribution: { guestUser: 0, guestKernel: 10_000, vmm: 0, transitions: 0, idle: 180_000 }, ratio: perIteration / native };
}

function storage(): StorageResults {
  return {
    config: 'native',
    lookup: { iterations: 20, points: [{ layers: 0, hit: 5000, miss: 6000 }, { layers: 1, hit: 9000, miss: 12_000 }, { layers: 2, hit: 13_000, miss: 16_000 }, { layers: 4, hit: 21_000, miss: 24_000 }, { layers: 8, hit: 37_000, miss: 40_000 }] },
    copyup: [
      { upper: 'tmpfs', points: COPYUP_SIZES.map((bytes, i) => ({ bytes, first: 100_000 + bytes * 60, again: 30_000, copyup: 70_000 + bytes * 60, idle: bytes * 50 + i })) },
      { upper: 'disk', points: COPYUP_SIZES.map((bytes) => ({ bytes, first: 1_000_000 + bytes * 120, again: 400_000, copyup: 600_000 + bytes * 120, idle: bytes * 100 })) },
    ],
    writes: {
      iterations: 16,
      bytes: 65536,
      rows: [
        { where: 'process', first: 9_600_000, again: 7_700_000, idle: [9_000_000, 7_300_000] },
        { where: 'volume', first: 9_700_000, again: 7_700_000, idle: [9_000_000, 7_300_000] },
        { where: 'overlay, upper on disk', first: 16_000_000, again: 8_000_000, idle: [15_000_000, 7_500_000] },
        { where: 'overlay, upper on tmpfs', first: 5_000_000, again: 1_200_000, idle: [4_000_000, 800_000] },
      ],
    },
  };
}

function fixture(): IsolationResults {
  return {
    schema: ISOLATION_SCHEMA,
    suite: 'isolation',
    revision: 'test',
    preset: COST_PRESETS['default']!,
    machineBytes: 16 << 20,
    configs: ['native', 'vtx', 'pv'],
    syscalls: [disk('native', 200_000), disk('vtx', 204_000), disk('pv', 210_000)],
    startup: [],
    memory: [],
    density: [],
    densityCurve: [],
    minGuestBytes: {},
    findings: [],
    deterministic: true,
    storage: storage(),
  };
}

describe('storage findings from a hand-built fixture', () => {
  const findings = storageFindings(fixture());
  const get = (id: string) => findings.find((f) => f.id === id)!;

  it('states each claim with its verdict and the figures', () => {
    expect(findings.map((f) => [f.id, f.holds])).toEqual([
      ['iso-vm-iops', false],
      ['iso-pv-ring-iops', true],
      ['iso-layer-lookup', true],
      ['iso-copyup-tmpfs', true],
      ['iso-copyup-disk', true],
      ['iso-volume-writes', true],
    ]);
    expect(get('iso-vm-iops').text).toContain('random 4 KiB reads against a native process: vtx 98%');
    expect(get('iso-vm-iops').text).toContain('what it adds per request (vtx 4,000 cycles');
    expect(get('iso-pv-ring-iops').text).toContain('pv reads at 95% of a native process\'s IOPS (210,000 cycles a read against 200,000)');
    expect(get('iso-layer-lookup').text).toContain('1 9,000 / 12,000, 2 13,000 / 16,000, 4 21,000 / 24,000, 8 37,000 / 40,000 cycles (a process, no overlay: 5,000 / 6,000); from 1 to 8 layers a miss costs 4,000 cycles more per layer, a hit 4,000');
    expect(get('iso-copyup-tmpfs').text).toContain('0 KiB 70,000, 4 KiB 315,760');
    expect(get('iso-copyup-tmpfs').text).toContain('from 64 KiB to 256 KiB 61,440 cycles per KiB more');
    expect(get('iso-volume-writes').text).toContain('on the volume 9,700,000 cycles (606,250 a write), on the overlay\'s upper layer on the disk 16,000,000 (1,000,000 a write, 1.65x the volume), as a process 9,600,000');
    expect(get('iso-volume-writes').text).toContain('8,000,000 against 7,700,000 on the volume (1.04x)');
  });

  it('is part of the suite\'s findings', () => {
    expect(isolationFindings(fixture()).map((f) => f.id)).toEqual(findings.map((f) => f.id));
  });

  it('turns around when the figures do, and says what the numbers show', () => {
    const r = fixture();
    r.syscalls = [disk('native', 200_000), disk('vtx', 400_000), disk('pv', 300_000)];
    const s = r.storage!;
    s.lookup.points[4] = { layers: 8, hit: 8000, miss: 11_000 };
    s.copyup[0]!.points[0]!.copyup = 500_000; // the first, empty file dearer than the 4 KiB one
    s.writes.rows[1] = { where: 'volume', first: 20_000_000, again: 7_700_000, idle: [0, 0] };
    const f = storageFindings(r);
    expect(f.map((x) => [x.id, x.holds])).toEqual([
      ['iso-vm-iops', true],
      ['iso-pv-ring-iops', false],
      ['iso-layer-lookup', false],
      ['iso-copyup-tmpfs', false],
      ['iso-copyup-disk', true],
      ['iso-volume-writes', false],
    ]);
    expect(f[0]!.text).toBe('random 4 KiB reads against a native process: vtx 50%');
  });

  it('leaves out a claim whose figures did not run', () => {
    const r = fixture();
    r.syscalls = [disk('native', 200_000)];
    r.configs = ['native'];
    delete r.storage;
    expect(storageFindings(r)).toEqual([]);
  });
});

describe('the storage report', () => {
  const r = fixture();
  r.findings = isolationFindings(r);

  it('renders its tables, its two line charts and its section from results.json alone', () => {
    const [lookup, copyup, writes] = storageTables(r.storage!);
    expect(lookup!.rows[0]).toEqual(['process (no overlay)', '5,000', '1.00x', '6,000', '1.00x']);
    expect(lookup!.rows[4]).toEqual(['container, 8 lower layers', '37,000', '7.40x', '40,000', '6.67x']);
    expect(copyup!.rows[4]).toEqual(['tmpfs', '256 KiB', '15,828,640', '30,000', '15,798,640', '83%']);
    expect(writes!.rows[2]).toEqual(['overlay, upper on disk', '16,000,000', '1,000,000', '1.65x', '8,000,000', '500,000', '94%, 94%']);
    const t = renderIsolationTerminal(r, plain);
    expect(t).toContain('Storage: cycles per file lookup (stat) against the overlay\'s lower layers');
    expect(t).toMatch(/container, 2 lower layers +13,000 +2\.60x +16,000 +2\.67x/);
    const layers = layersSvg(r.storage!);
    expect(layers).toContain('<title>8 layers: 37,000 cycles per lookup of a file in the bottom layer</title>');
    expect(layers).toContain('stroke-dasharray="6 4"');
    expect(copyupSvg(r.storage!)).toContain('<title>256 KiB, upper on disk: first write 32,457,280 cycles (copy-up 32,057,280, 26,214,400 waiting for the disk)</title>');
    expect(Object.keys(storageCharts(r))).toEqual(['layers.svg', 'copyup.svg']);
    const files = renderIsolationAll(r);
    expect(Object.keys(files)).toEqual(['results.json', 'report.md', 'report.html', 'startup.svg', 'syscalls.svg', 'density.svg', 'layers.svg', 'copyup.svg']);
    expect(files['report.md']).toContain('## Storage');
    expect(files['report.md']).toContain('![Cycles per file lookup against the overlay\'s lower layers](layers.svg)');
    expect(storageBlocks(r, storageCharts(r)).filter((b) => b.kind === 'figure')).toHaveLength(2);
  });

  it('has nothing to show without storage figures', () => {
    const r2 = fixture();
    delete r2.storage;
    expect(storageCharts(r2)).toEqual({});
    expect(storageBlocks(r2, {})).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// One real run (native kernel; each measurement twice)

describe('a real run of the storage measurements', () => {
  let s: StorageResults;
  let deterministic = true;
  beforeAll(() => {
    s = runStorage(DEFAULT_COSTS, (a, b) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) deterministic = false;
    });
  }, 120_000);

  it('measures exact, deterministic figures', () => {
    expect(deterministic).toBe(true);
    expect(s.lookup.points.map((p) => p.layers)).toEqual([0, ...LOOKUP_LAYERS]);
    expect(s.lookup.points.map((p) => [p.layers, p.hit, p.miss])).toEqual(LOOKUPS);
    expect(s.copyup.map((c) => [c.upper, c.points.map((p) => [p.bytes, p.first, p.again, p.idle])])).toEqual(COPYUPS);
    expect(s.writes.rows.map((w) => [w.where, w.first, w.again, ...w.idle])).toEqual(WRITES);
  });

  it('gives the findings', () => {
    const r = { ...fixture(), syscalls: [], configs: ['native'], storage: s };
    expect(storageFindings(r).map((f) => [f.id, f.holds])).toEqual([
      ['iso-layer-lookup', true],
      ['iso-copyup-tmpfs', true],
      ['iso-copyup-disk', true],
      ['iso-volume-writes', true],
    ]);
  });

  it('gives the figures docs/isolation.md quotes', () => {
    const doc = readFileSync(join(__dirname, '../../docs/isolation.md'), 'utf8');
    const proc = s.lookup.points[0]!;
    for (const p of s.lookup.points) expect(doc).toContain(`| ${p.layers === 0 ? 'process (no overlay)' : p.layers} | ${grouped(p.hit)} | ${grouped(p.miss)} |`);
    expect(proc.layers).toBe(0);
    for (const c of s.copyup) for (const p of c.points) expect(doc).toContain(`| ${c.upper} | ${p.bytes === 0 ? '0' : `${p.bytes >> 10} KiB`} | ${grouped(p.first)} | ${grouped(p.again)} | ${grouped(p.copyup)} | ${Math.round((100 * p.idle) / p.first)}% |`);
    for (const w of s.writes.rows) expect(doc).toContain(`| ${w.where} | ${grouped(w.first)} | ${grouped(w.first / s.writes.iterations)} | ${grouped(w.again)} |`);
  });
});

// The figures of the real run (default preset), exactly.
const LOOKUPS: [number, number, number][] = [[0, 5039.15, 5911.25], [1, 9508.55, 11917.3], [2, 13621.3, 16458.3], [4, 20832.05, 24013.8], [8, 39266.05, 43778.55]];
const COPYUPS: [string, [number, number, number, number][]][] = [['tmpfs', [[0, 78865, 25681, 0], [4096, 309156, 28097, 209459], [16384, 1056835, 26657, 840572], [65536, 4328829, 904735, 3571847], [262144, 17227339, 906302, 13863281]]], ['disk', [[0, 1137004, 447111, 1051389], [4096, 1579677, 447575, 1472983], [16384, 2982928, 448068, 2735195], [65536, 9065625, 1531459, 8205507], [262144, 34738594, 1749912, 31135222]]]];
const WRITES: [string, number, number, number, number][] = [['process', 9680237, 7726105, 9264190, 7369495], ['volume', 9687410, 7733116, 9264280, 7368809], ['overlay, upper on disk', 16381671, 7953913, 15153880, 7579466], ['overlay, upper on tmpfs', 5123693, 1232839, 3993421, 841870]];
