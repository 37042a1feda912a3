// The isolation suite's resource control (src/bench/isolation-control.ts and
// isolation-control-report.ts): who-ran-when from hand-built traces, the findings from a
// hand-built fixture, one real run in the native kernel (and the memory part under vtx-ept) with
// its exact figures, and the report's tables and chart. docs/isolation.md, "Resource control",
// quotes the figures this file computes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_CHART, controlFindings, controlSvg, controlTables } from '../../src/bench/isolation-control-report.js';
import { CTL_MARK, cpuSegments, cyclesOf, driver, longestStall, memoryRun, runControl, tracedRun, type ControlResults, type CpuSegment, type MemoryRun, type RunTrace } from '../../src/bench/isolation-control.js';
import { isolationBlocks, renderIsolationAll, renderIsolationTerminal } from '../../src/bench/isolation-render.js';
import { ISOLATION_SCHEMA, type IsolationResults } from '../../src/bench/isolation.js';
import { grouped } from '../../src/bench/render/format.js';
import { COST_PRESETS, DEFAULT_COSTS } from '../../src/machine/costs.js';

const plain = new Chalk({ level: 0 });
const MS = 3_000_000;

// ---------------------------------------------------------------------------------------------
// Hand-built traces. TEST DATA: mode changes at chosen cycles, with the pid running from each.

function trace(stretches: [cycle: number, pid: number, user: boolean, idle?: number][], markers: RunTrace['markers'] = [], ticks: number[] = [], quantum = 100): RunTrace {
  let idle = 0;
  const t: RunTrace = { cycles: [], idle: [], pids: [], user: [], markers, ticks, quantum };
  for (const [cycle, pid, user, wfi] of stretches) {
    t.cycles.push(cycle);
    t.idle.push(idle);
    t.pids.push(pid);
    t.user.push(user);
    idle += wfi ?? 0;
  }
  return t;
}

describe('who ran when, from the mode changes', () => {
  // pid 5 in user mode 0..100, the kernel for it 100..110, pid 6 110..300, the kernel idling
  // 300..400 (80 idle), pid 5 400..500, end 500
  const t = trace([[0, 5, true], [100, 5, false], [110, 6, true], [300, 0, false, 80], [400, 5, true], [500, 0, false]]);

  it('charges each stretch to the pid the kernel ran from its start, less the idle cycles', () => {
    expect(cyclesOf(t, 5, 0, 500)).toEqual({ own: 210, user: 200, idle: 80 });
    expect(cyclesOf(t, 6, 0, 500)).toEqual({ own: 190, user: 190, idle: 80 });
    expect(cyclesOf(t, 5, 50, 450)).toEqual({ own: 110, user: 100, idle: 80 });
  });

  it('finds the longest stretch a pid was out of user mode, the window\'s edges included', () => {
    expect(longestStall(t, 5, 0, 500)).toBe(300); // 100..400
    expect(longestStall(t, 6, 0, 500)).toBe(200); // 300..500, to the window's end
    expect(longestStall(t, 6, 150, 250)).toBe(0);
  });

  it('cuts cpu.max segments at the kernel\'s periods: whole periods after the first, tick to tick', () => {
    // a period of 1 us = 3,000 cycles = 30 ticks of 100 cycles; the segment runs 3 periods
    const ticks = Array.from({ length: 100 }, (_, i) => 1000 + 100 * i);
    const stretches: [number, number, boolean][] = [];
    for (let c = 950; c < 11_000; c += 100) stretches.push([c, Math.floor((c - 1000) / 1500) % 2 === 0 ? 7 : 8, true]);
    const m = (cycle: number, what: number, a2: number, a3: number, pid: number) => ({ cycle, what, a2, a3, pid });
    const segs = cpuSegments(trace(stretches, [m(100, CTL_MARK.spin, 1, 0, 7), m(200, CTL_MARK.spin, 2, 0, 8), m(990, CTL_MARK.segment, 0, 1, 2), m(10_990, CTL_MARK.segmentsEnd, 0, 0, 2)], ticks));
    expect(segs).toHaveLength(1);
    expect(segs[0]).toMatchObject({ quotaUs: null, periodUs: 1, configured: 1, window: [3900, 9900], periods: 2 });
    expect(segs[0]!.limCycles + segs[0]!.freeCycles).toBe(6000);
  });

  it('is an error, not a figure, when a hog never started or a segment is too short', () => {
    expect(() => cpuSegments(trace([[0, 1, true]], [{ cycle: 5, what: CTL_MARK.segment, a2: 0, a3: 1, pid: 2 }]))).toThrow(/never started/);
    const m = [{ cycle: 1, what: CTL_MARK.spin, a2: 1, a3: 0, pid: 7 }, { cycle: 2, what: CTL_MARK.spin, a2: 2, a3: 0, pid: 8 }, { cycle: 5, what: CTL_MARK.segment, a2: 0, a3: 1, pid: 2 }, { cycle: 50, what: CTL_MARK.segmentsEnd, a2: 0, a3: 0, pid: 2 }];
    expect(() => cpuSegments(trace([[0, 1, true]], m, [10, 20, 30]))).toThrow(/shorter than two periods/);
    expect(() => cpuSegments(trace([[0, 1, true]], [m[0]!, { ...m[1]!, cycle: 6 }, m[2]!, m[3]!], [10, 20, 30]))).toThrow(/a hog started after the first cpu.max segment/);
    expect(() => memoryRun(trace([[0, 1, true]]), 'alone')).toThrow(/did not finish/);
  });
});

// ---------------------------------------------------------------------------------------------
// A hand-built ControlResults. TEST DATA, not measurements.

function seg(quotaUs: number | null, periodUs: number, limShare: number, longestStall: number): CpuSegment {
  const span = 2 * periodUs * 3000;
  return {
    quotaUs, periodUs, configured: quotaUs === null ? 1 : quotaUs / periodUs, window: [0, span], periods: 2,
    limCycles: limShare * span, freeCycles: (1 - limShare) * span, limShare, freeShare: 1 - limShare,
    longestStall, expectedStall: quotaUs === null ? 0 : (periodUs - quotaUs) * 3000,
  };
}

function mem(run: MemoryRun['run'], own: number, wall: number, killed = true): MemoryRun {
  return {
    run, iterations: 100, wall: wall * 100, own: own * 100, user: own * 80, others: (wall - own) * 100, idle: 0, wallPerIteration: wall, ownPerIteration: own,
    ...(run === 'offender' && killed ? { offenderKilledAt: 5, oomMessage: 'kernel: memory cgroup out of memory: killed pid 6 (ctl-oom)' } : {}),
  };
}

function fixture(): ControlResults {
  return {
    config: 'native',
    cpu: [seg(null, 2000, 0.99, 200_000), seg(1000, 2000, 0.5, 1.001 * MS), seg(2000, 4000, 0.5, 2.001 * MS), seg(4000, 8000, 0.49, 4.001 * MS)],
    memory: [mem('alone', 20_000, 20_000), mem('offender', 20_200, 24_000)],
    offenderMemoryMax: '256K',
  };
}

describe('resource-control findings from a hand-built fixture', () => {
  it('states each claim with its verdict and the figures', () => {
    const f = controlFindings(fixture());
    expect(f.map((x) => [x.id, x.holds])).toEqual([['iso-cpu-max-share', true], ['iso-cpu-max-stall', true], ['iso-memory-max', true]]);
    expect(f[0]!.text).toContain('cpu.max "4000 8000" 49.00% of 50.00%');
    expect(f[0]!.text).toContain('without the limit the same container took 99.00%');
    expect(f[1]!.text).toContain('period 8.00 ms: 4.00 ms (period - quota 4.00 ms)');
    expect(f[2]!.text).toContain('20,200 cycles of its own processor time per iteration against 20,000 alone (1.01x');
    expect(f[2]!.text).toContain('by the wall clock 24,000 against 20,000 (1.20x)');
    for (const x of f) expect(x.claim).toMatch(/cgroup v2|CFS/);
  });

  it('turns around when the figures do, and says why', () => {
    const c = fixture();
    c.cpu[2] = seg(2000, 4000, 0.6, 0.9 * MS); // over its share, and a stall shorter than at 2 ms
    c.memory[1] = mem('offender', 30_000, 40_000, false);
    const f = controlFindings(c);
    expect(f.map((x) => x.holds)).toEqual([false, false, false]);
    expect(f[1]!.text).toMatch(/shortens the throttled stretch/);
    expect(f[2]!.text).toContain('was not killed');
  });

  it('leaves out what did not run', () => {
    expect(controlFindings({ ...fixture(), cpu: [] }).map((x) => x.id)).toEqual(['iso-memory-max']);
    expect(controlFindings({ ...fixture(), memory: [] }).map((x) => x.id)).toEqual(['iso-cpu-max-share', 'iso-cpu-max-stall']);
  });
});

describe('the resource-control report', () => {
  const c = fixture();

  it('tables: one row per cpu.max segment, one per memory run', () => {
    const [cpu, memory] = controlTables(c);
    expect(cpu!.rows.map((r) => r[0])).toEqual(['max 2000', '1000 2000', '2000 4000', '4000 8000']);
    expect(cpu!.rows[1]).toEqual(['1000 2000', '50.00%', '50.00%', '50.00%', '2', '3,003,000 (1.00 ms)', '3,000,000 (1.00 ms)']);
    expect(memory!.rows.map((r) => r[0])).toEqual(['alone', 'with the offender']);
    for (const t of [cpu!, memory!]) for (const r of t.rows) expect(r).toHaveLength(t.head.length);
  });

  it('the chart: the longest stall against the period, measured and period - quota', () => {
    const svg = controlSvg(c);
    expect(svg).toMatch(/^<svg/);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('period (ms)');
  });

  it('joins the suite\'s report: a section, the chart, the tables and the findings', () => {
    const r: IsolationResults = {
      schema: ISOLATION_SCHEMA, suite: 'isolation', revision: 'test', preset: COST_PRESETS['default']!, machineBytes: 16 << 20, configs: ['native'],
      syscalls: [], startup: [], memory: [], density: [], densityCurve: [], minGuestBytes: {}, findings: controlFindings(c), deterministic: true, control: c,
    };
    const blocks = isolationBlocks(r);
    expect(blocks.some((b) => b.kind === 'heading' && b.text === 'Resource control')).toBe(true);
    expect(blocks.filter((b) => b.kind === 'figure').map((b) => (b.kind === 'figure' ? b.file : ''))).toContain(CONTROL_CHART);
    const files = renderIsolationAll(r);
    expect(Object.keys(files)).toContain(CONTROL_CHART);
    expect(files['report.md']).toContain('## Resource control');
    expect(files['report.md']).toContain('| 4000 8000 | 50.00% | 49.00% | 51.00% | 2 |');
    const term = renderIsolationTerminal(r, plain);
    expect(term).toContain('Resource control: cpu.max on a container competing with a best-effort one');
    expect(term).toContain('✓ at 50% the longest time the limited container did not run');
  });
});

// ---------------------------------------------------------------------------------------------
// Real runs

describe('a real run of resource control in the native kernel', () => {
  let c: ControlResults;
  beforeAll(() => {
    c = runControl('native', DEFAULT_COSTS);
  }, 120_000);

  it('cpu.max: the configured share, and a longest stall of period - quota and a switch', () => {
    expect(c.cpu.map((s) => [s.quotaUs, s.periodUs, s.periods, s.limCycles, s.freeCycles, s.longestStall, s.expectedStall])).toEqual([
      [null, 2000, 2, 11_799_960, 200_040, 201_996, 0],
      [1000, 2000, 2, 5_999_788, 6_000_212, 3_001_988, 3_000_000],
      [2000, 4000, 2, 11_999_620, 12_000_380, 6_002_072, 6_000_000],
      [3000, 6000, 2, 17_999_620, 18_000_380, 9_002_072, 9_000_000],
      [4000, 8000, 2, 23_999_620, 24_000_380, 12_002_072, 12_000_000],
    ]);
    // the two hogs share every cycle of the window (the driver sleeps, nobody idles)
    for (const s of c.cpu) expect(s.limCycles + s.freeCycles).toBe(s.window[1] - s.window[0]);
    for (const s of c.cpu) expect(s.window[1] - s.window[0]).toBe(s.periods * s.periodUs * 3000);
  });

  it('memory.max: the offender is OOM-killed inside the neighbour\'s work, which goes on', () => {
    expect(c.memory.map((m) => [m.run, m.iterations, m.wall, m.own, m.user, m.others, m.idle])).toEqual([
      ['alone', 400, 7_992_716, 7_752_796, 6_451_260, 239_920, 0],
      ['offender', 400, 9_455_286, 7_828_167, 6_451_500, 1_627_119, 0],
    ]);
    expect(c.memory[1]!.oomMessage).toBe('kernel: memory cgroup out of memory: killed pid 6 (ctl-oom)');
    expect(c.memory[1]!.offenderKilledAt).toBe(15_795_333);
  });

  it('computes the findings from these figures, and docs/isolation.md quotes them', () => {
    const f = controlFindings(c);
    expect(f.map((x) => [x.id, x.holds])).toEqual([['iso-cpu-max-share', true], ['iso-cpu-max-stall', true], ['iso-memory-max', true]]);
    const doc = readFileSync(join(__dirname, '../../docs/isolation.md'), 'utf8');
    for (const row of controlTables(c)[0]!.rows) expect(doc).toContain(`| ${row.join(' | ')} |`);
    for (const m of c.memory) expect(doc).toContain(`${grouped(m.ownPerIteration)} |`);
    expect(doc).toContain(`(${grouped(c.memory[1]!.others)} cycles`);
  });

  it('the same memory experiment under vtx-ept: the guest kernel enforces its own limit', () => {
    const alone = tracedRun('vtx-ept', driver('ctl-mem', 0, DEFAULT_COSTS));
    const hit = tracedRun('vtx-ept', driver('ctl-mem', 1, DEFAULT_COSTS));
    expect([alone.result.exitCode, hit.result.exitCode]).toEqual([0, 4]);
    expect(hit.result.console).toContain('kernel: memory cgroup out of memory: killed pid 6 (ctl-oom)');
    const a = memoryRun(alone.trace, 'alone');
    const b = memoryRun(hit.trace, 'offender');
    expect([a.ownPerIteration, b.ownPerIteration, a.user, b.user]).toEqual([20_208.0275, 20_332.36, expect.any(Number), expect.any(Number)]);
    expect(b.ownPerIteration / a.ownPerIteration).toBeLessThan(1.05);
  }, 60_000);
});
