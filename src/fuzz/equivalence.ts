// The differential equivalence tester: boots sets of random user programs (program.ts) under
// every configuration and cost preset and compares each process's output and exit code with
// native's. Popek and Goldberg's first property of a VMM is equivalence: a program run under
// it behaves as it does on the bare machine (timing and resource availability aside). Per
// process output and exit code are exactly what must not change; the interleaving of processes
// and every cycle count may.

import { join } from 'node:path';
import { assemble, formatAsmError, type Image } from '../asm/index.js';
import { BASE, EXTENSIONS, isaWith } from '../isa/index.js';
import { COST_PRESETS, costPreset, type CostModel } from '../machine/costs.js';
import { withWalkCache } from '../machine/mmu.js';
import { ALL_CONFIGS, CONFIGS, findConfig, type BootResult, type UserProgram } from '../configs/index.js';
import { USER_DIR } from '../configs/images.js';
import { generateProgram } from './program.js';
import { deriveSeed, Random } from './random.js';

export interface EquivalenceOptions {
  /** The boot sets to run, by seed (bootSeeds makes a run's). */
  seeds: readonly number[];
  /** Configurations compared with native (default: comparedConfigs()). */
  configs?: readonly string[];
  /** Cost presets (default: all). */
  presets?: readonly string[];
  /** Called before each boot set (progress), with its index. */
  beforeBoot?: (index: number, soFar: EquivalenceReport) => void;
  /** Called after each boot set. */
  onBoot?: (report: BootSetReport) => void;
}

/** One process that did not behave as it did natively. */
export interface Divergence {
  bootSeed: number;
  config: string;
  preset: string;
  pid: number;
  name: string;
  native: { exitCode: number | null; output: string };
  actual: { exitCode: number | null; output: string };
  /** A command that runs this boot set again under that config and preset. */
  reproduce: string;
}

export interface BootSetReport {
  bootSeed: number;
  programs: number;
  /** Boots made: native and each config, under each preset. */
  boots: number;
  divergences: Divergence[];
}

export interface EquivalenceReport {
  seeds: readonly number[];
  /** Programs run (each under every config and preset). */
  programs: number;
  /** Boots made, native ones included. */
  boots: number;
  configs: string[];
  presets: string[];
  divergences: Divergence[];
}

/** Every configuration but native: what the tester compares with native by default. */
export function comparedConfigs(): string[] {
  return CONFIGS.map((c) => c.name).filter((n) => n !== 'native');
}

/** Every configuration the tester can compare with native when asked (`--config`): CONFIGS and
 *  the extra ones (hosted, which is not in the default list: docs/vmm-hosted.md). */
export function comparableConfigs(): string[] {
  return ALL_CONFIGS.map((c) => c.name).filter((n) => n !== 'native');
}

/** The boot-set seeds of a run: boot set i of seed s is deriveSeed(s, i). */
export function bootSeeds(seed: number, sets: number): number[] {
  return Array.from({ length: sets }, (_, i) => deriveSeed(seed, i));
}

/** A boot whose native run does not power off cleanly is a generator bug, never a finding. */
export class GeneratorError extends Error {}

/** Cycle budget of one boot: random programs are short; a boot that needs more has hung. Native
 *  boots of a set take under 150 million cycles; with process blocks (fork, exec, wait) the
 *  slowest configuration, vtx under vtx-2006 at a 10,000-cycle quantum, where every tick and
 *  every switch costs shadow refills, was measured at 6.2x native (480 million cycles, boot
 *  seed 1550751390) before the container calls, and at 10.7x after them (1,236 million, boot
 *  seed 3789837364: the process table is five pages and the tick charges control groups): the
 *  budget leaves room for about twice that. */
export const BOOT_CYCLES = 2_500_000_000;

/** Instruction words of every extension instruction: illegal on the guest's plain machine. */
export function foreignWords(): number[] {
  const base = new Set(BASE.insns.map((i) => i.opcode));
  const words: number[] = [];
  for (const ext of EXTENSIONS.values()) {
    for (const insn of ext.insns) if (!base.has(insn.opcode)) words.push((insn.opcode << 24) >>> 0);
  }
  return words;
}

/** One boot set: its programs (source text and images) and the timer quantum they run with,
 *  all derived from its seed. */
export interface BootSet {
  bootSeed: number;
  sources: string[];
  programs: UserProgram[];
  /** Timer quantum in cycles (0: the kernel's default); short ones interleave more. */
  quantum: number;
}

export function bootSet(bootSeed: number): BootSet {
  const rng = new Random(bootSeed);
  const count = rng.int(4, 8);
  const quantum = rng.pick([0, 0, 30_000, 10_000]);
  const words = foreignWords();
  const isa = isaWith([]);
  const sources: string[] = [];
  const programs: UserProgram[] = [];
  for (let i = 0; i < count; i++) {
    const name = `rnd${i}`;
    const source = generateProgram(rng, name, { foreignWords: words });
    const result = assemble(source, { fileName: join(USER_DIR, `${name}.s`), isa });
    if (!result.ok) throw new GeneratorError(`boot ${bootSeed}: ${name} does not assemble:\n${result.errors.map(formatAsmError).join('\n')}`);
    sources.push(source);
    programs.push({ name, image: result.image as Image });
  }
  return { bootSeed, sources, programs, quantum };
}

export function bootOne(set: BootSet, config: string, preset: string): BootResult {
  const cfg = findConfig(config); // CONFIGS, or one asked for by name (--config hosted)
  if (!cfg) throw new GeneratorError(`unknown config '${config}'`);
  return cfg.boot({ workloads: [], programs: set.programs, quantum: set.quantum, costs: testedCosts(preset), maxCycles: BOOT_CYCLES });
}

/** A preset as the tester runs it: every cost as the preset says, but the disk's latency as
 *  `default` has it. vtx-2006's disk takes 36 million cycles a request (12 ms), so a boot set,
 *  which reads its programs and files from the disk, would spend billions of cycles waiting, and
 *  seconds of host time, without testing anything more: the latency is the same for native and
 *  every VMM, and `default`'s still lets processes run while a request is in flight. */
export function testedCosts(preset: string): CostModel {
  const costs = costPreset(preset);
  const disk = COST_PRESETS['default']!;
  return { ...costs, diskRequest: disk.diskRequest, diskPerByte: disk.diskPerByte };
}

/** Boot one set under native and every config and preset; the divergences found. The reference
 *  is native under the default preset, without the MMU's walk cache. */
export function checkBootSet(bootSeed: number, options: Pick<EquivalenceOptions, 'configs' | 'presets'> = {}): BootSetReport {
  const configs = options.configs ?? comparedConfigs();
  const presets = options.presets ?? Object.keys(COST_PRESETS);
  const set = bootSet(bootSeed);
  // Without the MMU's walk cache: the reference reads the page tables at every walk, so the
  // cache every other boot has is tested too.
  const native = withWalkCache(false, () => bootOne(set, 'native', 'default'));
  if (!native.halted || (native.exitCode !== 0 && native.exitCode !== 4)) {
    throw new GeneratorError(`boot ${bootSeed}: the native boot did not power off cleanly (${JSON.stringify(native.stop)})`);
  }
  const divergences: Divergence[] = [];
  let boots = 1;
  for (const preset of presets) {
    for (const config of ['native', ...configs]) {
      if (config === 'native' && preset === 'default') continue;
      const run = bootOne(set, config, preset);
      boots++;
      native.processes.forEach((expected, i) => {
        const actual = run.processes[i];
        const same = actual && actual.exitCode === expected.exitCode && actual.output === expected.output;
        if (same && run.halted && run.exitCode === native.exitCode) return;
        divergences.push({
          bootSeed,
          config,
          preset,
          pid: expected.pid,
          name: expected.name,
          native: { exitCode: expected.exitCode, output: expected.output },
          actual: actual ? { exitCode: actual.exitCode, output: actual.output } : { exitCode: null, output: '' },
          reproduce: reproduceCommand(bootSeed, config, preset),
        });
      });
    }
  }
  return { bootSeed, programs: set.programs.length, boots, divergences };
}

/** The command that runs one boot set again under one config and preset, and saves its
 *  programs' sources for `ringlab boot --program` or the debugger. */
export function reproduceCommand(bootSeed: number, config: string, preset: string): string {
  return `npx ringlab fuzz --boot-seed ${bootSeed} --config ${config} --preset ${preset} --save /tmp/ringlab-fuzz`;
}

/** Run the boot sets of `seeds` and gather what they found. */
export function runEquivalence(options: EquivalenceOptions): EquivalenceReport {
  const report: EquivalenceReport = {
    seeds: options.seeds,
    programs: 0,
    boots: 0,
    configs: [...(options.configs ?? comparedConfigs())],
    presets: [...(options.presets ?? Object.keys(COST_PRESETS))],
    divergences: [],
  };
  for (const [i, seed] of options.seeds.entries()) {
    options.beforeBoot?.(i, report);
    const set = checkBootSet(seed, { configs: report.configs, presets: report.presets });
    report.programs += set.programs;
    report.boots += set.boots;
    report.divergences.push(...set.divergences);
    options.onBoot?.(set);
  }
  return report;
}
