// `ringlab run FILE`: bare metal. The program starts at its entry point in ring 0 with paging
// off; the console goes to stdout; the exit code is the guest's (power port) or a documented
// ringlab code.

import { readFileSync } from 'node:fs';
import { Machine, type MachineStats, type StopReason } from '../../machine/machine.js';
import { isaWith } from '../../isa/index.js';
import { err } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { loadOnto } from '../load.js';
import { DEFAULT_MAX_CYCLES, parseCount, parseList, parsePreset, parseSize } from '../options.js';
import { describeStop, formatStats } from '../report.js';

export { DEFAULT_MAX_CYCLES };

export interface RunOptions {
  maxCycles?: string;
  stats?: boolean;
  json?: boolean;
  input?: string;
  memory?: string;
  preset?: string;
  extensions?: string;
}

/** The JSON object `run --json` prints (a stable interface: add fields, never rename). */
export interface RunJson {
  config: string;
  file: string;
  exitCode: number;
  halted: boolean;
  stop: StopReason;
  console: string;
  stats: MachineStats;
}

function readInput(path: string | undefined): Uint8Array | undefined {
  if (path === undefined) return undefined;
  try {
    return new Uint8Array(path === '-' ? io.readStdin() : readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`cannot read --input ${path}: ${why}`, ExitCode.USAGE);
  }
}

/** Streams console bytes to stdout a line at a time (one write per byte would dominate the run
 *  time of output-heavy programs). Call flush() when the run ends. */
export class LineWriter {
  private pending: number[] = [];

  constructor(private readonly write: (chunk: Uint8Array) => void) {}

  byte(b: number): void {
    this.pending.push(b);
    if (b === 10 || this.pending.length >= 4096) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.write(Uint8Array.from(this.pending));
    this.pending = [];
  }
}

function makeMachine(opts: RunOptions, consoleWriter: LineWriter | undefined): Machine {
  const extensions = opts.extensions ? parseList(opts.extensions) : [];
  try {
    return new Machine({
      ...(opts.memory !== undefined && { memoryBytes: parseSize('--memory', opts.memory) }),
      extensions,
      costs: parsePreset(opts.preset),
      ...(opts.input !== undefined && { consoleInput: readInput(opts.input) }),
      ...(consoleWriter && { onConsoleOutput: (byte: number) => consoleWriter.byte(byte) }),
    });
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, ExitCode.USAGE);
  }
}

/** Exit code for a stop: the guest's own code on halt, else GUEST. */
export function exitCodeFor(stop: StopReason): number {
  return stop.kind === 'halt' ? stop.exitCode : ExitCode.GUEST;
}

export function runCommand(file: string, opts: RunOptions): number {
  const maxCycles = opts.maxCycles === undefined ? DEFAULT_MAX_CYCLES : parseCount('--max-cycles', opts.maxCycles);
  const writer = opts.json ? undefined : new LineWriter((chunk) => io.stdout.write(chunk));
  const machine = makeMachine(opts, writer);
  loadOnto(machine, file);
  const stop = machine.run(maxCycles);
  writer?.flush();
  const exitCode = exitCodeFor(stop);
  if (opts.json) {
    const result: RunJson = {
      config: 'bare',
      file,
      exitCode,
      halted: stop.kind === 'halt',
      stop,
      console: machine.console.output(),
      stats: machine.stats(),
    };
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return exitCode;
  }
  if (stop.kind !== 'halt') io.stderr.write(`${err.red('ringlab:')} ${describeStop(stop)}\n`);
  if (opts.stats) io.stderr.write(`${err.dim(describeStop(stop))}\n${formatStats(machine.stats(), err)}\n`);
  return exitCode;
}

export { isaWith };
