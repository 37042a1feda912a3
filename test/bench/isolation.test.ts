// The isolation suite (src/bench/isolation.ts): its findings from a hand-built fixture, the
// phase boundaries from hand-built traces, and one real run (native and te) with its exact
// figures, its determinism, the density search's end and the report's files.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSCALLS } from '../../src/abi/index.js';
import { isolationFindings } from '../../src/bench/isolation-findings.js';
import { isolationBlocks, renderIsolationAll, renderIsolationTerminal, startupSvg, writeIsolationReport } from '../../src/bench/isolation-render.js';
import { ISOLATION_SCHEMA, runIsolation, startupOfBoot, startupOfContainer, type IsolationResults, type SyscallRow, type Trace } from '../../src/bench/isolation.js';
import { cycles, grouped, ratio } from '../../src/bench/render/format.js';
import { COST_PRESETS } from '../../src/machine/costs.js';

const SYS = Object.fromEntries(SYSCALLS.map((s) => [s.name, s.number])) as Record<string, number>;
const plain = new Chalk({ level: 0 });

// ---------------------------------------------------------------------------------------------
// A hand-built IsolationResults. TEST DATA, not measurements: shaped like a run so that every
// finding has its inputs, with figures chosen to make some claims hold and others not.

function sys(op: SyscallRow['op'], config: string, where: SyscallRow['where'], perIteration: number, native: number): SyscallRow {
  const attribution = { guestUser: 0, guestKernel: perIteration, vmm: 0, transitions: 0, idle: 0 };
  return { op, config, where, iterations: 10, cycles: [1000, 1000 + 10 * perIteration], perIteration, attribution, ratio: perIteration / native };
}

function fixture(): IsolationResults {
  const base = { null: 200, read: 8000, socket: 4000 } as const;
  const factor: Record<string, number> = { native: 1, te: 12, vtx: 1.1 };
  const syscalls: SyscallRow[] = [];
  for (const config of ['native', 'te', 'vtx'])
    for (const op of ['null', 'read', 'socket'] as const) {
      syscalls.push(sys(op, config, 'process', base[op] * factor[config]!, base[op]));
      syscalls.push(sys(op, config, 'container', base[op] * factor[config]! * (op === 'read' ? 1.8 : 1.05), base[op]));
    }
  const ph = (name: string, cycles: number, idle = 0) => ({ name, cycles, idle });
  return {
    schema: ISOLATION_SCHEMA,
    suite: 'isolation',
    revision: 'test',
    preset: COST_PRESETS['default']!,
    machineBytes: 16 << 20,
    configs: ['native', 'te', 'vtx'],
    syscalls,
    startup: [
      { kind: 'process', config: 'native', phases: [ph('fork', 40_000), ph('exec', 700_000, 600_000)], total: 740_000 },
      { kind: 'vm', config: 'native', phases: [ph('guest kernel boot', 1_500_000), ph('init', 750_000)], total: 2_250_000 },
      { kind: 'container', config: 'native', phases: [ph('exec crun', 500_000, 400_000), ph('bundle and state', 4_000_000, 3_800_000), ph('exec', 700_000, 600_000)], total: 5_200_000 },
      { kind: 'vm', config: 'te', phases: [ph('VMM set-up', 5_000), ph('guest kernel boot', 1_600_000), ph('init', 800_000)], total: 2_405_000 },
      { kind: 'vm', config: 'vtx', phases: [ph('VMM set-up', 6_000), ph('guest kernel boot', 1_600_000), ph('init', 800_000)], total: 2_406_000 },
    ],
    memory: [
      { kind: 'container', config: 'native', parts: [ph('charged to its memory cgroup', 10), ph('kernel', 5)], pages: 15 },
      { kind: 'vm', config: 'te', parts: [ph('guest memory reservation', 320), ph('page tables', 5)], pages: 325, guestInUse: 300 },
      { kind: 'vm', config: 'vtx', parts: [ph('guest memory reservation', 320), ph('page tables', 7)], pages: 327, guestInUse: 300 },
    ],
    density: [
      { kind: 'container', config: 'native', instances: 8, how: 'found', limit: 'crun: c9: tmpfs: No space left on device', byMemory: 250 },
      { kind: 'vm', config: 'te', instances: 12, how: 'computed', limit: 'arithmetic', byMemory: 12 },
      { kind: 'vm', config: 'vtx', instances: 12, how: 'computed', limit: 'arithmetic', byMemory: 12 },
    ],
    densityCurve: [{ instance: 1, pagesInUse: 300, charged: 15 }],
    minGuestBytes: { te: 320 * 4096, vtx: 320 * 4096 },
    findings: [],
    deterministic: true,
  };
}

describe('isolation findings from a hand-built fixture', () => {
  const r = fixture();
  const findings = isolationFindings(r);
  const get = (id: string) => {
    const f = findings.find((x) => x.id === id);
    if (!f) throw new Error(`no finding ${id}: ${findings.map((x) => x.id).join(', ')}`);
    return f;
  };

  it('states each claim with its verdict and the figures', () => {
    expect(findings.map((f) => [f.id, f.holds])).toEqual([
      ['iso-container-syscalls', true],
      ['iso-overlay-read', true],
      ['iso-vm-syscalls', true],
      ['iso-container-in-vm', true],
      ['iso-startup-lightvm', true],
      ['iso-startup-vm-vs-container', false],
      ['iso-startup-vmm-share', true],
      ['iso-vmm-memory', true],
      ['iso-memory-per-instance', true],
      ['iso-density', false],
    ]);
    expect(get('iso-container-syscalls').text).toContain('null 210 against 200 cycles (1.05x)');
    expect(get('iso-overlay-read').text).toContain('14,400 cycles in a container against 8,000 for a process (1.80x)');
    expect(get('iso-vm-syscalls').text).toContain('te 12.0x, vtx 1.10x');
    expect(get('iso-startup-lightvm').text).toContain('against 740,000 for init\'s fork and exec natively (3.25x at most)');
    expect(get('iso-memory-per-instance').text).toContain('a container 15 (10 charged to its memory cgroup, 5 kernel), a VM at least 325 (te): 21.7x');
  });

  it('says what the numbers show when a claim does not hold, and why', () => {
    const start = get('iso-startup-vm-vs-container');
    expect(start.text).toContain('the VM is 0.463x the container');
    expect(start.text).toContain('waits for the disk 92% of the time');
    expect(start.text).toContain('its longest phase is bundle and state, 4,000,000 cycles');
    const density = get('iso-density');
    expect(density.text).toContain('8 containers of the server started before the next failed (crun: c9: tmpfs: No space left on device), where 12 te VMs, 12 vtx VMs fit');
    expect(density.text).toContain('by memory alone 250 would fit, 20.8x the VMs');
  });

  it('turns around when the figures do', () => {
    const r2 = fixture();
    r2.density[0] = { ...r2.density[0]!, instances: 40 };
    r2.syscalls = r2.syscalls.map((s) => (s.op === 'null' && s.where === 'container' && s.config === 'native' ? { ...s, ratio: 2 } : s));
    const f = isolationFindings(r2);
    expect(f.find((x) => x.id === 'iso-density')!.holds).toBe(true);
    expect(f.find((x) => x.id === 'iso-density')!.text).not.toContain('by memory alone');
    expect(f.find((x) => x.id === 'iso-container-syscalls')!.holds).toBe(false);
  });

  it('leaves out a claim whose figures did not run', () => {
    const r3 = fixture();
    r3.syscalls = r3.syscalls.filter((s) => s.config === 'native');
    r3.startup = [];
    const ids = isolationFindings(r3).map((f) => f.id);
    expect(ids).not.toContain('iso-vm-syscalls');
    expect(ids).not.toContain('iso-startup-lightvm');
    expect(ids).toContain('iso-container-syscalls');
  });

  it('renders the tables, findings, charts and both reports from results.json alone', () => {
    r.findings = findings;
    const t = renderIsolationTerminal(r, plain);
    expect(t).toContain('System calls and random reads: cycles per iteration');
    expect(t).toMatch(/container \(in native\) +5,200,000 +7\.03x +92% +exec crun 500,000, bundle and state 4,000,000, exec 700,000/);
    expect(t).toContain('✗ a container starts in 5,200,000 cycles');
    expect(renderIsolationTerminal(r, plain, true)).not.toMatch(/[✓✗—]/);
    const files = renderIsolationAll(r);
    expect(Object.keys(files)).toEqual(['results.json', 'report.md', 'report.html', 'startup.svg', 'syscalls.svg', 'density.svg']);
    expect(JSON.parse(files['results.json']!)).toEqual(r);
    expect(files['report.md']).toContain('## Start-up');
    expect(files['report.md']).toContain('![Start-up phases as stacked bars](startup.svg)');
    expect(files['report.html']).toContain('<svg');
    const svg = startupSvg(r);
    expect(svg).toContain('<title>VM (te): VMM set-up, 5,000 cycles</title>');
    expect(svg).toContain('bundle and state, 4,000,000 cycles (3,800,000 waiting for the disk)');
    expect(isolationBlocks(r).filter((b) => b.kind === 'figure')).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------
// Phase boundaries from hand-built traces

const at = (cycle: number, idle = 0) => ({ cycle, idle });
const call = (name: string, cycle: number, idle = 0) => ({ nr: SYS[name]!, cycle, idle });
/** A bare-metal boot's trace has no host processes. */
const NO_HOST: Trace['host'] = { userEntries: [], syscalls: [] };

describe('start-up phases from a trace', () => {
  it('a VM and a process: power-on, the first guest instruction, init, the fork, the exec, the probe', () => {
    const t: Trace = {
      guestEntry: at(100),
      userEntries: [at(1000, 50), at(1500, 60), at(3000, 400)],
      syscalls: [call('fork', 1200, 50), call('exec', 1600, 60), call('getpid', 3010, 400)],
      markers: [{ cycle: 3010, what: 1, count: 0 }],
      host: NO_HOST,
    };
    const [process, vm] = startupOfBoot('te', t);
    expect(process).toEqual({ kind: 'process', config: 'te', phases: [{ name: 'fork', cycles: 400, idle: 10 }, { name: 'exec', cycles: 1400, idle: 340 }], total: 1800 });
    expect(vm!.phases.map((p) => [p.name, p.cycles])).toEqual([['VMM set-up', 100], ['guest kernel boot', 900], ['init', 2000]]);
    expect(vm!.total).toBe(3000);
    expect(startupOfBoot('native', { ...t, guestEntry: at(0) })[1]!.phases.map((p) => p.name)).toEqual(['guest kernel boot', 'init']);
  });

  it('a hosted VM: the host\'s exec of rlvmm, rlvmm\'s first instruction, its vm_create, the first guest instruction; the host\'s boot apart', () => {
    const host = { userEntries: [at(40, 30), at(60, 30), at(70, 30)], syscalls: [call('fork', 50, 30), call('exec', 55, 30), call('vm_create', 90, 50)] };
    const t: Trace = {
      guestEntry: at(100, 55),
      userEntries: [at(1000, 100), at(3000, 400)],
      syscalls: [call('fork', 1200, 150), call('exec', 1600, 160), call('getpid', 3010, 400)],
      markers: [{ cycle: 3010, what: 1, count: 0 }],
      host,
    };
    const vm = startupOfBoot('hosted', t)[1]!;
    expect(vm.phases.map((p) => [p.name, p.cycles, p.idle])).toEqual([['exec rlvmm', 5, 0], ['rlvmm: I/O process, guest image', 30, 20], ['VM set-up', 10, 5], ['guest kernel boot', 900, 45], ['init', 2000, 300]]);
    expect(vm.total).toBe(2945);
    expect(vm.host).toEqual([{ name: 'host kernel boot', cycles: 40, idle: 30 }, { name: 'host init', cycles: 15, idle: 0 }]);
    expect(() => startupOfBoot('hosted', { ...t, host: { ...host, syscalls: host.syscalls.slice(0, 2) } })).toThrow(/vm_create/);
  });

  it('a container: crun exec\'d, its first instruction, cgroup_mkdir, clone, the first mount, the exec, the probe', () => {
    const t: Trace = {
      guestEntry: at(0),
      userEntries: [at(10), at(120), at(900)],
      syscalls: [call('exec', 100), call('cgroup_mkdir', 300), call('clone', 400), call('mount', 600), call('mount', 650), call('exec', 700), call('getpid', 905)],
      markers: [{ cycle: 905, what: 1, count: 0 }],
      host: NO_HOST,
    };
    const c = startupOfContainer('native', t);
    expect(c.phases.map((p) => [p.name, p.cycles])).toEqual([['exec crun', 20], ['bundle and state', 180], ['cgroup', 100], ['namespaces', 200], ['root filesystem', 100], ['exec', 200]]);
    expect(c.total).toBe(800);
  });

  it('a trace without a boundary is an error, not a figure', () => {
    const t: Trace = { guestEntry: at(0), userEntries: [at(10)], syscalls: [call('exec', 100)], markers: [], host: NO_HOST };
    expect(() => startupOfContainer('native', t)).toThrow(/start marker/);
    const u: Trace = { guestEntry: at(0), userEntries: [at(10), at(200)], syscalls: [call('exec', 100), call('getpid', 205)], markers: [{ cycle: 205, what: 1, count: 0 }], host: NO_HOST };
    expect(() => startupOfContainer('native', u)).toThrow(/cgroup_mkdir/);
  });
});

// ---------------------------------------------------------------------------------------------
// One real run: native, te and hosted

describe('a real run of the isolation suite (native, te and hosted)', () => {
  let r: IsolationResults;
  beforeAll(() => {
    r = runIsolation({ configs: ['te', 'hosted'] });
  }, 180_000);

  it('measures system calls per iteration, exactly', () => {
    const fig = (op: string, config: string, where: string) => r.syscalls.find((s) => s.op === op && s.config === config && s.where === where)!.perIteration;
    expect(r.configs).toEqual(['native', 'te', 'hosted']);
    expect(r.syscalls.map((s) => [s.op, s.config, s.where, s.perIteration])).toEqual([
      ['null', 'native', 'process', 227.9],
      ['read', 'native', 'process', 7706.65],
      ['socket', 'native', 'process', 3718.05],
      ['disk', 'native', 'process', 226360.75],
      ['null', 'native', 'container', 219.685],
      ['read', 'native', 'container', 13641.5],
      ['socket', 'native', 'container', 3741],
      ['disk', 'native', 'container', 253742.25],
      ['null', 'te', 'process', 3022.56],
      ['read', 'te', 'process', 16415.15],
      ['socket', 'te', 'process', 15002.8],
      ['disk', 'te', 'process', 235708.125],
      ['null', 'te', 'container', 3034.17],
      ['read', 'te', 'container', 22510.975],
      ['socket', 'te', 'container', 15059.1],
      ['disk', 'te', 'container', 262624],
      ['null', 'hosted', 'process', 242.41],
      ['read', 'hosted', 'process', 8303.725],
      ['socket', 'hosted', 'process', 4018.475],
      ['disk', 'hosted', 'process', 279486.375],
      ['null', 'hosted', 'container', 230.925],
      ['read', 'hosted', 'container', 14082.9],
      ['socket', 'hosted', 'container', 3961.325],
      ['disk', 'hosted', 'container', 314645.25],
    ]);
    expect(fig('null', 'native', 'process')).toBe(r.syscalls[0]!.perIteration / r.syscalls[0]!.ratio);
    expect(r.deterministic).toBe(true);
  });

  it('splits start-up into phases that add up to the total', () => {
    expect(r.startup.map((s) => [s.kind, s.config, s.total])).toEqual([
      ['process', 'native', 751456],
      ['vm', 'native', 2223440],
      ['container', 'native', 8961951],
      ['process', 'te', 818585],
      ['vm', 'te', 2361579],
      ['container', 'te', 9385386],
      ['process', 'hosted', 1170518],
      ['vm', 'hosted', 16042563],
      ['container', 'hosted', 17165484],
    ]);
    for (const s of r.startup) expect(s.phases.reduce((a, p) => a + p.cycles, 0)).toBe(s.total);
    expect(r.startup[2]!.phases.map((p) => p.name)).toEqual(['exec crun', 'bundle and state', 'cgroup', 'namespaces', 'root filesystem', 'exec']);
    expect(r.startup[4]!.phases[0]).toEqual({ name: 'VMM set-up', cycles: 5350, idle: 0 });
    // A hosted VM starts in a running host: from its init's exec of rlvmm; the host's boot before is apart.
    expect(r.startup[7]!.phases.map((p) => p.name)).toEqual(['exec rlvmm', 'rlvmm: I/O process, guest image', 'VM set-up', 'guest kernel boot', 'init']);
    expect(r.startup[7]!.host!.map((p) => p.name)).toEqual(['host kernel boot', 'host init']);
  });

  it('finds the density by starting containers until the next fails, and a VM\'s pages from one guest', () => {
    expect(r.density[0]).toEqual({ kind: 'container', config: 'native', instances: 14, how: 'found', limit: 'crun: c15: cgroup /crun/ID: No space left on device', byMemory: 270 });
    expect(r.densityCurve.map((p) => p.instance)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(r.densityCurve.map((p) => p.pagesInUse)).toEqual([322, 336, 350, 364, 378, 392, 406, 420, 434, 448, 462, 476, 490, 504]);
    expect(r.memory[0]!.pages).toBe((504 - 322) / 13);
    expect(r.memory[1]).toMatchObject({ kind: 'vm', config: 'te', pages: 327, guestInUse: 308 });
    expect(r.minGuestBytes).toEqual({ te: 1310720, hosted: 1310720 });
    expect(r.density[1]).toMatchObject({ kind: 'vm', config: 'te', instances: 12, how: 'computed' });
    // A hosted VM: the host's pages while it runs the server less those after it, the guest's as it touched them.
    expect(r.memory[2]).toEqual({
      kind: 'vm',
      config: 'hosted',
      parts: [
        { name: 'guest memory backed (pages the guest touched, pinned)', cycles: 84 },
        { name: 'VMCS and EPT tables', cycles: 3 },
        { name: 'rlvmm and its I/O process', cycles: 38 },
      ],
      pages: 125,
      guestInUse: 308,
    });
    expect(r.density[2]).toEqual({ kind: 'vm', config: 'hosted', instances: 30, how: 'computed', limit: '(4096 pages - 313 of the host kernel and init) / 125 pages per VM', byMemory: 30 });
  });

  it('computes the findings from these figures', () => {
    expect(r.findings.map((f) => [f.id, f.holds])).toEqual([
      ['iso-container-syscalls', true],
      ['iso-overlay-read', true],
      ['iso-container-in-vm', true],
      ['iso-disk-iops', true],
      ['iso-startup-lightvm', false], // hosted: its start reads the guest image from the host's disk
      ['iso-startup-vm-vs-container', false],
      ['iso-startup-vmm-share', false], // the same
      ['iso-vmm-memory', true],
      ['iso-memory-per-instance', true],
      ['iso-density', false], // hosted backs a guest's pages as it touches them; the containers stop at a kernel table
      ['iso-vm-iops', false],
      ['iso-layer-lookup', true],
      ['iso-copyup-tmpfs', true],
      ['iso-copyup-disk', true],
      ['iso-volume-writes', true],
      ['iso-cpu-max-share', true],
      ['iso-cpu-max-stall', true],
      ['iso-memory-max', true],
      ['iso-vuln-kernel-bug', true], // isolation strength (test/bench/isolation-vuln.test.ts)
    ]);
  });

  it('gives the figures docs/isolation.md quotes', () => {
    const doc = readFileSync(join(__dirname, '../../docs/isolation.md'), 'utf8');
    const sys = (op: string, where: string) => {
      const cell = (config: string) => {
        const s = r.syscalls.find((x) => x.op === op && x.config === config && x.where === where)!;
        return `${cycles(s.perIteration)} (${ratio(s.ratio)})`;
      };
      return `| ${op} | ${where} | ${cell('native')} | ${cell('te')} | ${cell('hosted')} |`;
    };
    for (const op of ['null', 'read', 'socket', 'disk']) for (const where of ['process', 'container']) expect(doc).toContain(sys(op, where));
    const base = r.startup[0]!.total;
    for (const s of r.startup) {
      const idle = s.phases.reduce((a, p) => a + (p.idle ?? 0), 0);
      const label = s.kind === 'vm' ? (s.config === 'native' ? 'VM (native: the bare machine\'s boot)' : `VM (${s.config})`) : `${s.kind} (in ${s.config})`;
      expect(doc).toContain(`| ${label} | ${grouped(s.total)} | ${ratio(s.total / base)} | ${Math.round((100 * idle) / s.total)}% |`);
    }
    expect(doc).toContain(`after containers 1 to 14: ${r.densityCurve.map((p) => p.pagesInUse).join(', ')}`);
    expect(doc).toContain(`**${cycles(r.memory[0]!.pages)} pages`);
    expect(doc).toContain(`${grouped(r.minGuestBytes['te']!)} bytes (${r.memory[1]!.parts[0]!.cycles} pages)`);
    expect(doc).toContain(`**${r.memory[1]!.pages} pages per VM**`);
    expect(doc).toContain(`**${r.density[1]!.instances} VMs fit**`);
    expect(doc).toContain(`**${r.density[0]!.instances} containers fit**`);
    expect(doc).toContain(`by memory alone, ${r.density[0]!.byMemory} would`);
    expect(doc).toContain(`VM's set-up is ${grouped(r.startup[4]!.phases[0]!.cycles)} cycles under te`);
    const flat = doc.replace(/\s+/g, ' '); // the prose wraps
    const hosted = r.startup[7]!;
    for (const p of [...hosted.phases, ...hosted.host!]) expect(flat, p.name).toContain(` ${grouped(p.cycles)}`); // "Start-up": every phase's figure
    const m = r.memory[2]!;
    expect(flat).toContain(`**${m.pages} pages per VM**, of which ${m.parts[0]!.cycles} are the guest's pages backed so far, ${m.parts[1]!.cycles} the VMCS`);
    expect(flat).toContain(`and ${m.parts[2]!.cycles} rlvmm and its I/O process`);
    // docs/vmm-hosted.md, section 5c, quotes the same run.
    const hostedDoc = readFileSync(join(__dirname, '../../docs/vmm-hosted.md'), 'utf8').replace(/\s+/g, ' ');
    for (const figure of [grouped(hosted.total), grouped(hosted.phases[1]!.cycles), `(${r.density[2]!.limit.match(/- (\d+)/)![1]}: the host kernel and init)`, `of the ${m.pages} per VM, ${m.parts[0]!.cycles} are`, `${m.parts[1]!.cycles} the VMCS and EPT, ${m.parts[2]!.cycles} rlvmm`, `${r.density[2]!.instances} hosted VMs fit`]) {
      expect(hostedDoc).toContain(figure);
    }
    expect(flat).toContain(`(4,096 - ${grouped(Number(r.density[2]!.limit.match(/- (\d+)/)![1]))}) / ${m.pages} = **${r.density[2]!.instances} hosted`);
  });

  it('writes the report files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlab-iso-'));
    try {
      const written = writeIsolationReport(r, dir);
      expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['results.json', 'report.md', 'report.html', 'startup.svg', 'syscalls.svg', 'density.svg', 'layers.svg', 'copyup.svg', 'control.svg']);
      expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(r);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
