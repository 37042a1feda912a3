// `ringlab run FILE`: bare metal. The program starts at its entry point in ring 0 with paging
// off; the console goes to stdout; the exit code is the guest's (power port) or a documented
// ringlab code.

import { readSync } from 'node:fs';
import { formatBytes, InputFileError, readInputBytes } from '../../asm/files.js';
import { Machine, type MachineStats, type StopReason } from '../../machine/machine.js';
import { isaWith } from '../../isa/index.js';
import { err } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { includeRootOption, loadOnto } from '../load.js';
import { parseCount, parseList, parsePreset, parseSize } from '../options.js';
import { describeStop, formatStats } from '../report.js';

export const DEFAULT_MAX_CYCLES = 1_000_000_000;

export interface RunOptions {
  maxCycles?: string;
  stats?: boolean;
  json?: boolean;
  input?: string;
  memory?: string;
  preset?: string;
  extensions?: string;
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

/** Bytes of --input: the guest reads them one at a time, so 16 MiB is far more than any lab needs. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Standard input up to `limit` bytes (a pipe or terminal: no size to check first). */
function readStdin(limit: number): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // non-blocking stdin: wait a little
        continue;
      }
      if (code === 'EOF') break;
      throw new CliError(`cannot read --input from stdin: ${(e as Error).message}`, ExitCode.USAGE);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw new CliError(`--input from stdin is more than the ${formatBytes(limit)} limit`, ExitCode.USAGE);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function readInput(path: string | undefined): Uint8Array | undefined {
  if (path === undefined) return undefined;
  if (path === '-') return readStdin(MAX_INPUT_BYTES);
  try {
    return new Uint8Array(readInputBytes(path, MAX_INPUT_BYTES, '--input'));
  } catch (e) {
    if (e instanceof InputFileError) throw new CliError(`cannot read --input ${path}: ${e.message}`, ExitCode.USAGE);
    throw e;
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
  const writer = opts.json ? undefined : new LineWriter((chunk) => process.stdout.write(chunk));
  const includeRoot = includeRootOption(opts.includeRoot);
  const machine = makeMachine(opts, writer);
  loadOnto(machine, file, { ...(includeRoot !== undefined && { includeRoot }) });
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
      consoleBytes: machine.console.outputLength,
      consoleTruncated: machine.console.outputTruncated,
      stats: machine.stats(),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return exitCode;
  }
  if (stop.kind !== 'halt') process.stderr.write(`${err.red('ringlab:')} ${describeStop(stop)}\n`);
  if (opts.stats) process.stderr.write(`${err.dim(describeStop(stop))}\n${formatStats(machine.stats(), err)}\n`);
  return exitCode;
}

export { isaWith };
