// `ringlab debug [FILE | --config C --workload W]`: the debugger. FILE is loaded as `ringlab run`
// loads it (bare metal, ring 0, paging off); a configuration is prepared as `ringlab boot` would
// boot it, with every image's symbols. Commands come from --script, from stdin when it is not a
// terminal, or from the interactive prompt (src/debug/repl.ts).

import { basename, extname } from 'node:path';
import type { BootImage } from '../../configs/index.js';
import { Machine } from '../../machine/machine.js';
import { Session } from '../../debug/commands.js';
import { Debugger } from '../../debug/debugger.js';
import { interactive, runLines, streamLines } from '../../debug/repl.js';
import { out } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { includeRootOption, loadOnto, readText } from '../load.js';
import { bareMachine, type BareMachineFlags } from '../machine.js';
import { DEFAULT_DEBUG_WORKLOAD, DEFAULT_MAX_CYCLES, parseCount, parseDefines, parseIterations, parseList, parsePreset, parseSize } from '../options.js';
import { bootFailure, configNamed, userPrograms } from './boot.js';

export { DEFAULT_DEBUG_WORKLOAD };

/** --memory, --preset, and with FILE --input and --extensions, as `ringlab run` takes them. */
export interface DebugCliOptions extends BareMachineFlags {
  config?: string;
  workload?: string;
  iterations?: string;
  script?: string;
  batch?: boolean;
  maxCycles?: string;
  /** -D NAME[=VALUE]: kernel build options (with a configuration). */
  define?: string[];
  /** --include-root (with FILE or --program). */
  includeRoot?: string;
  /** With a configuration, as for boot: the timer quantum and programs of one's own. */
  quantum?: string;
  program?: string[];
}

interface Target {
  machine: Machine;
  images: BootImage[];
}

function loadFile(file: string, opts: DebugCliOptions): Target {
  const machine = bareMachine(opts);
  const includeRoot = includeRootOption(opts.includeRoot);
  const image = loadOnto(machine, file, { ...(includeRoot !== undefined && { includeRoot }) });
  return { machine, images: [{ name: basename(file, extname(file)), kind: 'kernel', image }] };
}

function prepareConfig(opts: DebugCliOptions): Target {
  const config = configNamed(opts.config ?? 'native');
  const programs = userPrograms(opts.program ?? [], opts);
  const workloads = opts.workload === undefined && programs.length > 0 ? [] : parseList(opts.workload ?? DEFAULT_DEBUG_WORKLOAD);
  const iterations = parseIterations(opts.iterations);
  const quantum = opts.quantum === undefined ? undefined : parseCount('--quantum', opts.quantum);
  const memoryBytes = opts.memory === undefined ? undefined : parseSize('--memory', opts.memory);
  const kernelDefines = parseDefines(opts.define);
  try {
    const prepared = config.prepare({
      workloads,
      programs,
      costs: parsePreset(opts.preset),
      ...(quantum !== undefined && { quantum }),
      ...(iterations !== undefined && { iterations }),
      ...(memoryBytes !== undefined && { memoryBytes }),
      ...(Object.keys(kernelDefines).length > 0 && { kernelDefines }),
    });
    return { machine: prepared.machine, images: [...prepared.images] };
  } catch (e) {
    throw bootFailure(e);
  }
}

/**
 * Set up the session (errors here are CliErrors, reported by main with their exit code), then
 * run it asynchronously: the interactive prompt needs the event loop. The returned promise
 * resolves to the exit code: 0, or 1 when a command of a script or of piped input failed.
 */
export function debugCommand(file: string | undefined, opts: DebugCliOptions): Promise<number> {
  if (file !== undefined && (opts.config !== undefined || opts.workload !== undefined || opts.iterations !== undefined || opts.program !== undefined || opts.quantum !== undefined)) {
    throw new CliError('give either FILE or --config/--workload, not both', ExitCode.USAGE);
  }
  if (file !== undefined && opts.define !== undefined) throw new CliError('-D builds the guest kernel of a configuration: give it with --config, not with FILE', ExitCode.USAGE);
  if (file === undefined && (opts.input !== undefined || opts.extensions !== undefined)) {
    throw new CliError('--input and --extensions go with FILE (a configuration brings its own extensions and takes no console input)', ExitCode.USAGE);
  }
  // The debugger reads its commands from stdin when it is not a terminal.
  if (opts.input === '-') throw new CliError("debug reads its commands from stdin: give the guest's --input in a file", ExitCode.USAGE);
  if (file === undefined && opts.program === undefined && opts.includeRoot !== undefined) throw new CliError('--include-root is for a FILE or --program to assemble, not for a configuration', ExitCode.USAGE);
  const maxCycles = opts.maxCycles === undefined ? DEFAULT_MAX_CYCLES : parseCount('--max-cycles', opts.maxCycles);
  if (maxCycles < 1) throw new CliError('--max-cycles must be at least 1', ExitCode.USAGE);
  const script = opts.script === undefined ? undefined : readText(opts.script, 'debugger scripts').split(/\r?\n/);
  if (script && script[script.length - 1] === '') script.pop();
  const target = file !== undefined ? loadFile(file, opts) : prepareConfig(opts);
  const dbg = new Debugger(target.machine, target.images, { maxCycles });
  const write = (text: string): void => {
    process.stdout.write(text);
  };
  const writeGuest = (bytes: Uint8Array): void => {
    process.stdout.write(bytes);
  };
  const session = new Session(dbg, { write, writeGuest, colour: out });
  return run(session, script, opts.batch === true, write);
}

async function run(session: Session, script: string[] | undefined, batch: boolean, write: (text: string) => void): Promise<number> {
  const stdinIsTty = process.stdin.isTTY === true;
  // A Ctrl-C sent as a signal (not typed at the prompt) stops a running command too.
  const onSignal = (): void => {
    if (session.busy) session.interrupt();
    else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  try {
    session.start();
    let quit = false;
    if (script) quit = await runLines(session, script, batch, write);
    if (!quit && !(batch && script)) {
      if (stdinIsTty && !batch) await interactive(session, process.stdin, process.stdout);
      else await runLines(session, streamLines(process.stdin), batch, write);
    }
    const scripted = script !== undefined || !stdinIsTty || batch;
    return scripted && session.failures > 0 ? ExitCode.USAGE : ExitCode.OK;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
