// `ringlab`: the command line, as a function of its arguments and io (main.ts is the executable).
// A command's module is loaded only when that command runs: loading all of them (the machine,
// the configurations, the debugger, the benchmark harness) took more time than `ringlab asm`.
// Every failure ends in one clear message on stderr and a documented exit code (see
// errors.ts), never a stack trace.

import { Command, CommanderError, Option } from 'commander';
import { err } from './colour.js';
import { CliError, ExitCode } from './errors.js';
import { processIo, setIo, type CliIo } from './io.js';
import { DEFAULT_DEBUG_WORKLOAD, DEFAULT_MAX_CYCLES } from './options.js';
import { COST_PRESETS } from '../machine/costs.js';

/** Each command's module, loaded on demand. */
export const COMMAND_MODULES = {
  run: () => import('./commands/run.js'),
  boot: () => import('./commands/boot.js'),
  bench: () => import('./commands/bench.js'),
  debug: () => import('./commands/debug.js'),
  asm: () => import('./commands/asm.js'),
  disasm: () => import('./commands/disasm.js'),
  isa: () => import('./commands/isa.js'),
};

type CommandName = keyof typeof COMMAND_MODULES;

/** The command modules at hand: main loads the one the command line names. */
export type Commands = { [K in CommandName]?: Awaited<ReturnType<(typeof COMMAND_MODULES)[K]>> };

/** An exit code; `debug` gives a promise of one (its prompt needs the event loop). */
export type Exit = number | Promise<number>;

/** -D for `boot` and `debug`: build options of the guest kernel, as `asm -D` gives them to a source. */
function kernelDefineOption(): Option {
  return new Option('-D, --define <NAME[=VALUE]>', 'build the guest kernel with this option (repeatable; e.g. -D LEGACY; docs/kernel.md)').argParser(
    (v: string, prev: string[] = []) => [...prev, v],
  );
}

function buildProgram(commands: Commands, io: CliIo, setExit: (code: Exit) => void): Command {
  const need = <K extends CommandName>(name: K): NonNullable<Commands[K]> => {
    const loaded = commands[name];
    if (!loaded) throw new Error(`the module of '${name}' is not loaded`);
    return loaded;
  };
  const program = new Command();
  program
    .name('ringlab')
    .description('An instruction-level machine emulator for teaching and measuring virtualization.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(err.red(text)),
    });

  const extensionsOption = new Option('--extensions <list>', 'comma-separated ISA extensions to switch on');

  program
    .command('run')
    .description('run a program on bare metal: ring 0, paging off, console on stdout')
    .argument('<file>', 'assembly source (.s) or image (.rli)')
    .option('--max-cycles <n>', `stop after this many cycles (default ${DEFAULT_MAX_CYCLES.toExponential()})`)
    .option('--stats', 'print cycles, instructions, traps and TLB figures to stderr')
    .option('--json', 'print one JSON object with the console output and statistics')
    .option('--input <file>', "console input bytes ('-' for stdin)")
    .option('--memory <size>', 'physical memory, e.g. 64K or 16M (default 16M)')
    .addOption(new Option('--preset <name>', 'cost model preset').choices(Object.keys(COST_PRESETS)).default('default'))
    .addOption(extensionsOption)
    .action((file: string, opts) => setExit(need('run').runCommand(file, opts)));

  program
    .command('boot')
    .description('boot the guest kernel with workloads as its processes (see --list)')
    .option('--config <name>', 'boot configuration', 'native')
    .option('--workload <list>', 'comma-separated workloads, one or more processes each')
    .option('--iterations <n>', "iteration count for every process (default: each workload's own)")
    .option('--max-cycles <n>', `stop after this many cycles (default ${DEFAULT_MAX_CYCLES.toExponential()})`)
    .option('--stats', 'print cycles, instructions, traps and TLB figures to stderr')
    .option('--json', 'print one JSON object with the console output, statistics and processes')
    .option('--quantum <cycles>', 'timer quantum in cycles (default: the kernel default, 100000)')
    .option('--memory <size>', 'physical memory, e.g. 16M (default 16M)')
    .addOption(new Option('--preset <name>', 'cost model preset').choices(Object.keys(COST_PRESETS)).default('default'))
    .option('--list', 'list configurations and workloads')
    .addOption(kernelDefineOption())
    .action((opts) => setExit(need('boot').bootCommand(opts)));

  program
    .command('bench')
    .description('run a benchmark suite and write its report (see docs/benchmarks.md)')
    .argument('[suite]', 'overhead (default), nano, sweep or speed')
    .option('--preset <list>', `comma-separated cost presets (default: all: ${Object.keys(COST_PRESETS).join(', ')})`)
    .option('--workload <list>', "comma-separated workloads (default: the suite's own)")
    .option('--config <list>', 'comma-separated configs (default: all; native always runs, as the baseline)')
    .option('--out <dir>', 'directory for results.json, results.csv, report.md, report.html and the SVG charts (default bench/results)')
    .option('--no-files', 'write no report files')
    .option('--json', 'print results.json to stdout instead of the terminal report')
    .option('--samples <n>', 'speed suite: timed boots per config (default 5)')
    .action((suite: string | undefined, opts) => setExit(need('bench').benchCommand(suite, opts)));

  program
    .command('debug')
    .description('debug a program or a boot configuration: step, break, watch, go backwards (see docs/debugger.md)')
    .argument('[file]', 'assembly source (.s) or image (.rli); without it, a boot configuration')
    .option('--config <name>', 'boot configuration (default native)')
    .option('--workload <list>', `comma-separated workloads (default ${DEFAULT_DEBUG_WORKLOAD})`)
    .option('--iterations <n>', "iteration count for every process (default: each workload's own)")
    .option('--script <file>', 'run the debugger commands in this file first')
    .option('--batch', 'print a transcript (each command after the prompt) and exit when the commands end')
    .option('--max-cycles <n>', `cycle budget of one continue, nexti or finish (default ${DEFAULT_MAX_CYCLES.toExponential()})`)
    .option('--memory <size>', 'physical memory, e.g. 64K or 16M (default 16M)')
    .addOption(new Option('--preset <name>', 'cost model preset').choices(Object.keys(COST_PRESETS)).default('default'))
    .addOption(kernelDefineOption())
    .action((file: string | undefined, opts) => setExit(need('debug').debugCommand(file, opts)));

  program
    .command('asm')
    .description('assemble a source file into an image')
    .argument('<file>', 'assembly source')
    .option('-o, --output <image>', 'image file to write (default: FILE with .rli)')
    .option('--listing', 'print the listing (address, words, source) to stdout')
    .option('-D, --define <NAME[=VALUE]>', 'define a symbol before the first line (repeatable; VALUE defaults to 1)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .action((file: string, opts) => setExit(need('asm').asmCommand(file, opts)));

  program
    .command('disasm')
    .description('disassemble an image (or a source file, after assembling it)')
    .argument('<file>', 'image (.rli) or assembly source')
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .action((file: string, opts) => setExit(need('disasm').disasmCommand(file, opts)));

  program
    .command('isa')
    .description('list the instruction set (derived from the instruction table)')
    .option('--markdown', 'print the full reference as Markdown (docs/ISA.md)')
    .option('--check', 'classify every instruction by running it (Popek-Goldberg) and say whether a trap-and-emulate VMM can be built; exit 10 if not')
    .option('--json', 'with --check: print one JSON object with the classification and its evidence')
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .action((opts) => setExit(need('isa').isaCommand(opts)));

  return program;
}

/** The command the arguments name: the first one that is not an option (the program's own
 *  options, --help and --version, take no value). */
function commandName(argv: readonly string[]): CommandName | undefined {
  const word = argv.find((a) => !a.startsWith('-'));
  return word !== undefined && Object.hasOwn(COMMAND_MODULES, word) ? (word as CommandName) : undefined;
}

/** The one message and exit code for an error out of a command. */
function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors were already printed.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (e instanceof CliError) {
    io.stderr.write(`${err.red('ringlab:')} ${e.message}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`${err.red('ringlab: internal error:')} ${message}\n(this is a bug in ringlab; please report it with the command you ran)\n`);
  return ExitCode.INTERNAL;
}

/** Run one command line with the command modules it needs already loaded. Synchronous, so
 *  tests can run the CLI in-process with captured io, except `debug`, which gives a promise. */
export function runCli(argv: readonly string[], io: CliIo, commands: Commands): Exit {
  let exit: Exit = ExitCode.OK;
  const previous = setIo(io);
  try {
    buildProgram(commands, io, (code) => (exit = code)).parse([...argv], { from: 'user' });
  } catch (e) {
    return reportError(e, io);
  } finally {
    setIo(previous);
  }
  const done = exit as Exit; // set by the action, which TypeScript does not see
  return typeof done === 'number' ? done : done.catch((e: unknown) => reportError(e, io));
}

/** Load the module of the command the arguments name, then run it. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const name = commandName(argv);
  const commands: Commands = {};
  if (name) Object.assign(commands, { [name]: await COMMAND_MODULES[name]() });
  return runCli(argv, io, commands);
}
