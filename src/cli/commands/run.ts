// `ringlab run FILE`: bare metal. The program starts at its entry point in ring 0 with paging
// off; the console goes to stdout; the exit code is the guest's (power port) or a documented
// ringlab code.

import type { MachineStats, StopReason } from '../../machine/machine.js';
import { isaWith } from '../../isa/index.js';
import { err } from '../colour.js';
import { ExitCode } from '../errors.js';
import { io } from '../io.js';
import { includeRootOption, loadOnto } from '../load.js';
import { writeBackDisk } from '../disk.js';
import { bareMachine, type BareMachineFlags } from '../machine.js';
import { DEFAULT_MAX_CYCLES, parseCount } from '../options.js';
import { describeStop, formatStats } from '../../configs/report.js';

export { DEFAULT_MAX_CYCLES };

export interface RunOptions extends BareMachineFlags {
  maxCycles?: string;
  stats?: boolean;
  json?: boolean;
  includeRoot?: string;
}

/** The JSON object `run --json` prints (a stable interface: add fields, never rename). */
export interface RunJson {
  config: string;
  file: string;
  exitCode: number;
  halted: boolean;
  stop: StopReason;
  /** What the guest printed: its first CONSOLE_KEEP_BYTES (1 MiB) bytes. */
  console: string;
  /** Bytes the guest printed in all. */
  consoleBytes: number;
  /** True when `console` holds only the first 1 MiB of consoleBytes. */
  consoleTruncated: boolean;
  stats: MachineStats;
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

/** Exit code for a stop: the guest's own code on halt, else GUEST. */
export function exitCodeFor(stop: StopReason): number {
  return stop.kind === 'halt' ? stop.exitCode : ExitCode.GUEST;
}

export function runCommand(file: string, opts: RunOptions): number {
  const maxCycles = opts.maxCycles === undefined ? DEFAULT_MAX_CYCLES : parseCount('--max-cycles', opts.maxCycles);
  const writer = opts.json ? undefined : new LineWriter((chunk) => io.stdout.write(chunk));
  const includeRoot = includeRootOption(opts.includeRoot);
  const machine = bareMachine(opts, writer && { onConsoleOutput: (byte: number) => writer.byte(byte) });
  loadOnto(machine, file, { ...(includeRoot !== undefined && { includeRoot }) });
  const stop = machine.run(maxCycles);
  writer?.flush();
  if (opts.disk !== undefined) writeBackDisk(opts.disk, machine.disk);
  const exitCode = exitCodeFor(stop);
  if (opts.json) {
    const result: RunJson = {
      config: 'bare',
      file,
      exitCode,
      halted: stop.kind === 'halt',
      stop,
      console: machine.console.output(),
      consoleBytes: machine.console.outputLength,
      consoleTruncated: machine.console.outputTruncated,
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
