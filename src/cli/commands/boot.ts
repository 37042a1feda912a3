// `ringlab boot --config C --workload W[,W...]`: boot the guest kernel in a configuration with
// the named workloads as its processes, and run it to power-off. `ringlab boot --list` lists
// the configurations and workloads.

import { basename } from 'node:path';
import { USER_DIR } from '../../configs/images.js';
import { EXTENSIONS, isaWith, type Isa } from '../../isa/index.js';
import { includeRootOption, loadProgram } from '../load.js';
import { ALL_CONFIGS, BootError, type BootConfig, type BootOptions, type BootStats, findConfig, type PreparedBoot, ProgramAssemblyError, WORKLOADS, type BootResult, type UserProgram } from '../../configs/index.js';
import { layerTree, LayerAssemblyError, runContainer, type ContainerRun, type ContainerSpec } from '../../configs/container.js';
import { LoadError, type MachineStats, type StopReason } from '../../machine/machine.js';
import { err } from '../colour.js';
import { readDiskImage, writeBackDisk } from '../disk.js';
import { readInput } from '../machine.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { DEFAULT_MAX_CYCLES, parseCount, parseDefines, parseIterations, parseList, parsePreset, parseSize } from '../options.js';
import { describeStop, formatStats, formatVmmStats, grouped } from '../../configs/report.js';
import type { Exit } from '../program.js';
import { hangUp, interactiveSession, SessionOutput } from '../session.js';
import { LineWriter } from './run.js';

export interface BootCliOptions {
  config?: string;
  workload?: string;
  iterations?: string;
  maxCycles?: string;
  stats?: boolean;
  json?: boolean;
  preset?: string;
  memory?: string;
  quantum?: string;
  list?: boolean;
  /** -D NAME[=VALUE]: kernel build options. */
  define?: string[];
  /** --extensions LIST: ISA extensions the machine has (default none: the base ISA). */
  extensions?: string;
  /** --program FILE (repeatable): user programs of one's own, one process each. */
  program?: string[];
  includeRoot?: string;
  /** --disk FILE: the machine's disk image (written back if the guest wrote to it). */
  disk?: string;
  /** --input FILE: console input for read(0). */
  input?: string;
  /** --run PATH: executables already on the disk. */
  run?: string[];
  /** --read-only: the root filesystem is mounted read-only. */
  readOnly?: boolean;
  /** --tty: the console is a terminal (BOOT_TTY). */
  tty?: boolean;
  /** --shell: /bin/sh as the only process, interactive on a terminal (shellCommand). */
  shell?: boolean;
  /** --host-workload W[,W...]: with --config hosted, host processes beside the VMM process. */
  hostWorkload?: string;
  /** --vhost-console: with --config hosted, the console's output in the host kernel (BootOptions.vhostConsole). */
  vhostConsole?: boolean;
  /** --container DIR (repeatable): the layers of a container run by /bin/crun (containerCommand). */
  container?: string[];
}

/** The JSON object `boot --json` prints: the fields of `run --json` plus the processes. */
export interface BootJson {
  config: string;
  workloads: string[];
  exitCode: number;
  halted: boolean;
  stop: StopReason;
  console: string;
  consoleBytes: number;
  consoleTruncated: boolean;
  stats: BootStats;
  processes: BootResult['processes'];
  /** `--config hosted`: the whole console and the host's own processes (rlvmm first). */
  host?: BootResult['host'];
}

/** The boot configuration of that name, or a usage error listing the valid ones. */
export function configNamed(name: string): BootConfig {
  const config = findConfig(name);
  if (!config) throw new CliError(`unknown config '${name}' (valid: ${ALL_CONFIGS.map((c) => c.name).join(', ')})`, ExitCode.USAGE);
  return config;
}

/** A failure to build or load a boot configuration, as the CLI error a user should see. */
export function bootFailure(e: unknown): unknown {
  if (e instanceof BootError) return new CliError(e.message, ExitCode.USAGE);
  if (e instanceof ProgramAssemblyError) return new CliError(e.message, ExitCode.ASSEMBLY);
  if (e instanceof LoadError) return new CliError(`${e.message} (use --memory to give the machine more)`, ExitCode.GUEST);
  if (e instanceof Error && /memory size/.test(e.message)) return new CliError(e.message, ExitCode.USAGE);
  return e;
}

export function listText(): string {
  const width = Math.max(...WORKLOADS.map((w) => w.name.length));
  const lines = ['configurations:'];
  for (const c of ALL_CONFIGS) lines.push(`  ${c.name.padEnd(width)}  ${c.description}`);
  lines.push('workloads (default iterations in brackets):');
  for (const w of WORKLOADS) lines.push(`  ${w.name.padEnd(width)}  ${w.description} [${w.defaultIterations}]`);
  return `${lines.join('\n')}\n`;
}

/** The --program files, assembled as a cross-assembler would: every extension's instructions are
 *  accepted, and each executable's EX_ISA records the ones it used, so the guest's exec decides
 *  (ENOEXEC on a machine without them, see --extensions). Their includes are found next to
 *  them first, then in programs/user (user.inc, lib.s), as the workloads' are. */
export function userPrograms(files: readonly string[], opts: Pick<BootCliOptions, 'includeRoot'>): UserProgram[] {
  const includeRoot = includeRootOption(opts.includeRoot);
  return files.map((arg) => {
    // FILE:N gives this process its own iteration count (its a0), so processes can differ.
    const counted = /^(.+):(\d[\d_]*)$/.exec(arg);
    const file = counted ? counted[1]! : arg;
    return {
      name: basename(file).replace(/\.(s|rli)$/, '').slice(0, 15),
      image: loadProgram(file, isaWith([...EXTENSIONS.keys()]), { ...(includeRoot !== undefined && { includeRoot }), includePath: [USER_DIR] }).image,
      ...(counted && { iterations: parseCount(`--program ${arg}`, counted[2]!) }),
    };
  });
}

export function bootCommand(opts: BootCliOptions, command: readonly string[] = []): number {
  if (opts.list) {
    io.stdout.write(listText());
    return ExitCode.OK;
  }
  if (opts.container !== undefined) return containerCommand(opts, command);
  if (command.length > 0) throw new CliError(`a command (${command.join(' ')}) is for a container: give its layers with --container DIR`, ExitCode.USAGE);
  const config = configNamed(opts.config ?? 'native');
  if (opts.workload === undefined && opts.program === undefined && opts.run === undefined) {
    throw new CliError(`--workload, --program, --run or --shell is required (valid workloads: ${WORKLOADS.map((w) => w.name).join(', ')}); see ringlab boot --list`, ExitCode.USAGE);
  }
  const workloads = opts.workload === undefined ? [] : parseList(opts.workload);
  const programs = userPrograms(opts.program ?? [], opts);
  return bootAndReport(config, opts, { workloads, programs, ...(opts.run && { run: opts.run }) }, opts.input === undefined ? undefined : readInput(opts.input));
}

/** `boot --shell`: /bin/sh as the only process. On a terminal (stdin a TTY, no --input) an
 *  interactive session (../session.ts); otherwise a scripted one: the whole input (--input FILE,
 *  else stdin) given up front, so the transcript is the same every time and under every config. */
export function shellCommand(opts: BootCliOptions): Exit {
  const config = configNamed(opts.config ?? 'native');
  const others = (['workload', 'program', 'run'] as const).filter((name) => opts[name] !== undefined).map((name) => `--${name}`);
  if (others.length > 0) throw new CliError(`--shell runs /bin/sh as the only process: it cannot be combined with ${others.join(', ')}`, ExitCode.USAGE);
  const processes = { workloads: [], shell: true };
  if (opts.input !== undefined || io.stdinIsTTY?.() !== true) return bootAndReport(config, opts, processes, readInput(opts.input ?? '-'));
  if (opts.json) throw new CliError('--json needs a scripted session: give the input with --input FILE or through a pipe', ExitCode.USAGE);
  return interactiveShell(config, opts, processes);
}

/** `boot --container DIR ... -- CMD [ARGS]`: the layers and the bundle on the disk (container.ts),
 *  /bin/crun run as the one job. Prints the container's output (the job's, without the kernel's
 *  boot and power-off lines) and exits with its exit code; --json reports as `boot --json`. */
export function containerCommand(opts: BootCliOptions, command: readonly string[]): number {
  const config = configNamed(opts.config ?? 'native');
  const others = (['workload', 'program', 'run', 'shell'] as const).filter((name) => opts[name] !== undefined && opts[name] !== false).map((name) => `--${name}`);
  if (others.length > 0) throw new CliError(`--container runs one container as the only process: it cannot be combined with ${others.join(', ')}`, ExitCode.USAGE);
  if (command.length === 0) throw new CliError('--container needs the command the container runs: ringlab boot --container DIR [--container DIR2 ...] -- CMD [ARGS]', ExitCode.USAGE);
  const isa = isaWith([]);
  let spec: ContainerSpec;
  try {
    const dirs = opts.container ?? [];
    if (dirs.length === 0) throw new BootError('--container DIR is required');
    spec = { layers: dirs.map((dir) => layerTree(dir, isa)), command };
  } catch (e) {
    if (e instanceof LayerAssemblyError) throw new CliError(e.message, ExitCode.ASSEMBLY);
    throw bootFailure(e);
  }
  const base = opts.disk === undefined ? undefined : readDiskImage(opts.disk);
  const input = opts.input === undefined ? undefined : readInput(opts.input);
  const common = commonOptions(opts, undefined);
  const run = bootContainer(config, spec, isa, { ...common, maxCycles: maxCyclesOption(opts, DEFAULT_MAX_CYCLES), ...(base && { base }), ...(input && { input }) });
  if (opts.disk !== undefined) writeBackDisk(opts.disk, run.result.machine.disk, base);
  return reportContainer(run, opts);
}

/** runContainer (configs/container.ts) with its failures as the CLI reports them: the one path
 *  of `boot --container`, `container run` and RUN's boots. */
export function bootContainer(config: BootConfig, spec: ContainerSpec, isa: Isa, options: Parameters<typeof runContainer>[3]): ContainerRun {
  try {
    return runContainer(config, spec, isa, options);
  } catch (e) {
    throw bootFailure(e);
  }
}

/** Print a container boot's outcome as `docker run` does: the container's output (the job's,
 *  without the kernel's boot and power-off lines) and its exit code; --json as `boot --json`. */
export function reportContainer(run: ContainerRun, opts: Pick<BootCliOptions, 'json' | 'stats'>, extra: Record<string, unknown> = {}): number {
  const { result, job } = run;
  const exitCode = run.exitCode ?? ExitCode.GUEST;
  if (opts.json) {
    const out: BootJson & Record<string, unknown> = {
      ...extra,
      config: result.config,
      workloads: [],
      exitCode,
      halted: result.halted,
      stop: result.stop,
      console: result.console,
      consoleBytes: result.consoleBytes,
      consoleTruncated: result.consoleTruncated,
      stats: result.stats,
      processes: result.processes,
      ...(result.host && { host: result.host }),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return exitCode;
  }
  io.stdout.write(job?.output ?? '');
  if (result.stop.kind !== 'halt') io.stderr.write(`${err.red('ringlab:')} ${describeStop(result.stop)}\n`);
  printStats(opts, result);
  return exitCode;
}

type Processes = Pick<BootOptions, 'workloads' | 'programs' | 'run' | 'shell'>;

/** The boot options every boot takes from the command line (all but its processes and input). */
function commonOptions(opts: BootCliOptions, disk: Uint8Array | undefined): Omit<BootOptions, 'workloads'> {
  if (opts.hostWorkload !== undefined && opts.config !== 'hosted') throw new CliError('--host-workload is for --config hosted (the host of a hosted VMM)', ExitCode.USAGE);
  if (opts.vhostConsole && opts.config !== 'hosted') throw new CliError('--vhost-console is for --config hosted (the host kernel\'s driver of a hosted VMM)', ExitCode.USAGE);
  const iterations = parseIterations(opts.iterations);
  const quantum = opts.quantum === undefined ? undefined : parseCount('--quantum', opts.quantum);
  const memoryBytes = opts.memory === undefined ? undefined : parseSize('--memory', opts.memory);
  const kernelDefines = parseDefines(opts.define);
  const extensions = parseExtensions(opts.extensions);
  return {
    ...(extensions.length > 0 && { extensions }),
    ...(opts.readOnly && { readOnly: true }),
    ...(opts.tty && { tty: true }),
    costs: parsePreset(opts.preset),
    ...(iterations !== undefined && { iterations }),
    ...(quantum !== undefined && { quantum }),
    ...(memoryBytes !== undefined && { memoryBytes }),
    ...(disk && { disk }),
    ...(Object.keys(kernelDefines).length > 0 && { kernelDefines }),
    ...(opts.hostWorkload !== undefined && { hostWorkloads: parseList(opts.hostWorkload) }),
    ...(opts.vhostConsole && { vhostConsole: true }),
  };
}

/** --extensions a,b: known ISA extension names (usage error otherwise). */
export function parseExtensions(text: string | undefined): string[] {
  const names = text === undefined ? [] : parseList(text);
  for (const name of names) {
    if (!EXTENSIONS.has(name)) throw new CliError(`--extensions: unknown ISA extension '${name}' (known: ${[...EXTENSIONS.keys()].join(', ')})`, ExitCode.USAGE);
  }
  return [...new Set(names)].sort();
}

function maxCyclesOption(opts: BootCliOptions, otherwise: number): number {
  return opts.maxCycles === undefined ? otherwise : parseCount('--max-cycles', opts.maxCycles);
}

/** Boot to power-off (or the limit) with the input given up front, then report as `boot` does. */
function bootAndReport(config: BootConfig, opts: BootCliOptions, processes: Processes, input: Uint8Array | undefined): number {
  const maxCycles = maxCyclesOption(opts, DEFAULT_MAX_CYCLES);
  const disk = opts.disk === undefined ? undefined : readDiskImage(opts.disk);
  const common = commonOptions(opts, disk);
  const writer = opts.json ? undefined : new LineWriter((chunk) => io.stdout.write(chunk));
  let result: BootResult;
  try {
    result = config.boot({
      ...common,
      ...processes,
      maxCycles,
      ...(input && { input }),
      ...(writer && { onConsoleOutput: (b: number) => writer.byte(b) }),
    });
  } catch (e) {
    throw bootFailure(e);
  }
  writer?.flush();
  if (opts.disk !== undefined) writeBackDisk(opts.disk, result.machine.disk, disk);
  const exitCode = result.exitCode ?? ExitCode.GUEST;
  if (opts.json) {
    const out: BootJson = {
      config: result.config,
      workloads: [...processes.workloads],
      exitCode,
      halted: result.halted,
      stop: result.stop,
      console: result.console,
      consoleBytes: result.consoleBytes,
      consoleTruncated: result.consoleTruncated,
      stats: result.stats,
      processes: result.processes,
      ...(result.host && { host: result.host }),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return exitCode;
  }
  if (result.stop.kind !== 'halt') io.stderr.write(`${err.red('ringlab:')} ${describeStop(result.stop)}\n`);
  printStats(opts, result);
  return exitCode;
}

/** --stats: the figures on stderr, headed by why the run stopped (default: the machine's stop). */
function printStats(opts: Pick<BootCliOptions, 'stats'>, result: BootResult, why = describeStop(result.stop)): void {
  if (!opts.stats) return;
  const procs = result.processes.map((p) => `  pid ${p.pid} ${p.name}: exit ${p.exitCode ?? 'none (still running)'}`).join('\n');
  const vmm = result.stats.vmm ? `${formatVmmStats(result.stats, err)}\n` : '';
  const h = result.stats.hosted;
  const exits = (r: Record<string, number>): string => Object.entries(r).map(([k, n]) => `${k} ${grouped(n)}`).join(', ') || 'none';
  const hosted = h
    ? `  hosted: host kernel ${grouped(h.worlds.hostKernel.cycles)} cycles, host user ${grouped(h.worlds.hostUser.cycles)}, guest kernel ${grouped(h.worlds.guestKernel.cycles)}, guest user ${grouped(h.worlds.guestUser.cycles)}\n` +
      `  VM exits handled in the host kernel: ${exits(h.exits.kernel)}\n  VM exits handled by the VMM process: ${exits(h.exits.user)}\n` +
      `  guest pages backed ${grouped(h.eptPagesBacked)}, interrupts injected ${grouped(h.injectedInterrupts)}, vcpu_run restarts ${grouped(h.restarts)}, VM_EXIT_INTR returns ${grouped(h.intrReturns)}, guest ticks coalesced ${grouped(h.coalescedTicks)}\n`
    : '';
  io.stderr.write(`${err.dim(`${why} (config ${result.config})`)}\n${formatStats(result.stats, err)}\n${vmm}${hosted}${procs}\n`);
}

/** A container's interactive boot (`container run -it`): the disk the container's boot made,
 *  its launcher as the one process, and the boot's options; the exit code is the container's. */
export interface InteractiveContainer {
  readonly disk: Uint8Array;
  readonly launcher: UserProgram;
  readonly boot: Omit<BootOptions, 'workloads' | 'programs' | 'disk'>;
}

/** The kernel's own lines at boot and at power-off, which a container's terminal leaves out (as
 *  docker run -it shows only the container). */
const KERNEL_LINE = /^kernel: (booting \d+ process(es)?|\d+ process(es)? finished.*)\n$/;

/** Console bytes to `next`, without the kernel's boot and power-off lines: a line that could be
 *  one is held until it ends (or stops looking like one). */
function withoutKernelLines(next: (b: number) => void): (b: number) => void {
  const PREFIX = 'kernel: ';
  let held: number[] = [];
  let atStart = true;
  return (b) => {
    if (!atStart) {
      next(b);
      if (b === 10) atStart = true;
      return;
    }
    held.push(b);
    const text = String.fromCharCode(...held);
    const possible = text.length <= PREFIX.length ? PREFIX.startsWith(text) : text.startsWith(PREFIX);
    if (possible && b !== 10) return;
    if (!(possible && KERNEL_LINE.test(text))) for (const h of held) next(h);
    atStart = b === 10;
    held = [];
  };
}

/** `boot --shell` (or `container run -it`) on this process's terminal. Without --max-cycles
 *  there is no cycle limit: an idle guest's timer keeps simulated time going for as long as the
 *  person stays. */
export async function interactiveShell(config: BootConfig, opts: BootCliOptions, processes: Processes, container?: InteractiveContainer): Promise<number> {
  const maxCycles = maxCyclesOption(opts, Infinity);
  const disk = container ? undefined : opts.disk === undefined ? undefined : readDiskImage(opts.disk);
  const output = new SessionOutput((bytes) => io.stdout.write(bytes));
  let prepared: PreparedBoot;
  try {
    prepared = container
      ? config.prepare({ ...container.boot, disk: container.disk, workloads: [], programs: [container.launcher], tty: true, onConsoleOutput: withoutKernelLines((b) => output.byte(b)) })
      : config.prepare({ ...commonOptions(opts, disk), ...processes, tty: true, onConsoleOutput: (b) => output.byte(b) });
  } catch (e) {
    throw bootFailure(e);
  }
  const { end, stop, atLineStart, terminalGone } = await interactiveSession(prepared, output, maxCycles);
  const result = prepared.report(stop);
  if (!container && opts.disk !== undefined) writeBackDisk(opts.disk, result.machine.disk, disk);
  const say = (message: string): void => void io.stderr.write(`${atLineStart ? '' : '\n'}${err.red('ringlab:')} ${message}\n`);
  let exitCode: number = ExitCode.GUEST;
  let why: string;
  switch (end.kind) {
    case 'stop':
      why = describeStop(end.stop);
      if (end.stop.kind === 'halt') exitCode = container ? (result.processes[0]?.exitCode ?? ExitCode.GUEST) : end.stop.exitCode;
      else say(why);
      break;
    case 'quit':
      why = `stopped by Ctrl-\\ at cycle ${grouped(result.stats.cycles)}`;
      say('session ended by Ctrl-\\ (the guest was stopped where it was)');
      break;
    case 'signal':
      why = `stopped by ${end.signal} at cycle ${grouped(result.stats.cycles)}`;
      say(`session ended by ${end.signal} (the guest was stopped where it was)`);
      exitCode = 128 + end.number;
      break;
    case 'input-ended':
      why = `stopped ${grouped(end.cycles)} cycles after the input ended`;
      say(`the terminal closed and the guest did not finish within ${grouped(end.cycles)} cycles of it; stopped`);
      break;
  }
  printStats(opts, result, why);
  if (terminalGone) hangUp();
  return exitCode;
}
