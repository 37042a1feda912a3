// Human-readable reports of a run: why the machine stopped and where the cycles went. Shared by
// the CLI (run, boot) and the debugger, so it lives below both.

import type { ChalkInstance } from 'chalk';
import type { MachineStats, StopReason } from '../machine/machine.js';
import type { BootStats } from './types.js';

export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** 1234567 -> "1,234,567". */
export function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function describeStop(stop: StopReason): string {
  switch (stop.kind) {
    case 'halt':
      return `halted with exit code ${stop.exitCode}`;
    case 'cycle-limit':
      return `stopped: cycle limit of ${grouped(stop.limit)} reached (raise it with --max-cycles)`;
    case 'double-fault':
      return `stopped: double fault: ${stop.cause} at the trap vector ${hex32(stop.pc)} before its first instruction completed (fault address ${hex32(stop.badAddr)}); is TVEC set to a mapped handler?`;
    case 'deadlock':
      return `stopped: deadlock: wfi at pc ${hex32(stop.pc)} with no interrupt that could ever wake it`;
    case 'step':
      return 'stopped after one step';
  }
}

const WORLD_LABELS: [keyof MachineStats['worlds'], string][] = [
  ['guestUser', 'guest user'],
  ['guestKernel', 'guest kernel'],
  ['vmm', 'vmm'],
  ['transition', 'transitions'],
  ['idle', 'idle'],
];

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function formatStats(stats: MachineStats, c: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(c.bold(`${grouped(stats.cycles)} cycles, ${grouped(stats.instructions)} instructions`) + c.dim(` (cost preset ${stats.costPreset})`));
  lines.push(c.dim('  world            cycles        share   instructions'));
  for (const [key, label] of WORLD_LABELS) {
    const w = stats.worlds[key];
    if (w.cycles === 0 && w.instructions === 0) continue;
    lines.push(`  ${label.padEnd(13)} ${grouped(w.cycles).padStart(12)}  ${percent(w.cycles, stats.cycles).padStart(7)}  ${grouped(w.instructions).padStart(13)}`);
  }
  const traps = Object.entries(stats.traps);
  lines.push(`  traps: ${traps.length === 0 ? 'none' : traps.map(([name, n]) => `${name} ${grouped(n)}`).join(', ')}`);
  const t = stats.tlb;
  lines.push(`  TLB (${t.entries} entries, ${t.ways}-way): ${grouped(t.hits)} hits, ${grouped(t.misses)} misses (${percent(t.hits, t.hits + t.misses)} hit rate), ${grouped(t.walkRefs)} walk references, ${grouped(t.flushes)} flushes`);
  const d = stats.disk;
  if (d) {
    lines.push(`  disk: ${grouped(d.requests)} requests (${grouped(d.reads)} reads, ${grouped(d.writes)} writes, ${grouped(d.flushes)} flushes), ${grouped(d.bytes)} bytes, ${grouped(d.errors)} errors, ${grouped(d.refused)} refused; busy ${grouped(d.busyCycles)} cycles, of which the CPU waited in wfi ${grouped(d.waitCycles)}`);
  }
  return lines.join('\n');
}

/** The lines a VMM's own counters add to --stats (configs with a VMM only). */
export function formatVmmStats(stats: BootStats, c: ChalkInstance): string {
  const v = stats.vmm;
  if (!v) return '';
  const list = (r: Record<string, number>): string => {
    const entries = Object.entries(r);
    return entries.length === 0 ? 'none' : entries.map(([name, n]) => `${name} ${grouped(n)}`).join(', ');
  };
  return [
    c.bold('  vmm:'),
    `    emulated: ${list(v.emulated)}`,
    `    reflected to the guest: ${list(v.reflected)}; virtual interrupts ${grouped(v.injectedInterrupts)}${v.coalescedTicks > 0 ? ` (timer ticks coalesced: ${grouped(v.coalescedTicks)})` : ''}`,
    `    page faults: ${grouped(v.hiddenPageFaults)} hidden (shadow filled), ${grouped(v.truePageFaults)} true (reflected); shadow resets ${grouped(v.shadowResets)}`,
    ...(v.hypercalls ? [`    hypercalls: ${list(v.hypercalls)}`] : []),
    ...(v.pageTableRequests ? [`    page-table requests (batched): ${list(v.pageTableRequests)}; shadow tables built ${grouped(v.shadowTablesBuilt ?? 0)}`] : []),
    ...(v.blockRing ? [`    block ring: ${list(v.blockRing)}`] : []),
  ].join('\n');
}
