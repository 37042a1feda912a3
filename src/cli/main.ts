// `ringlab`: the command-line entry point. Every failure ends in one clear message on stderr
// and a documented exit code (see errors.ts), never a stack trace.

import { Command, CommanderError, Option } from 'commander';
import { err } from './colour.js';
import { asmCommand } from './commands/asm.js';
import { benchCommand } from './commands/bench.js';
import { bootCommand } from './commands/boot.js';
import { debugCommand, DEFAULT_DEBUG_WORKLOAD, exitWhenDone } from './commands/debug.js';
import { disasmCommand } from './commands/disasm.js';
import { fuzzCommand } from './commands/fuzz.js';
import { isaCommand } from './commands/isa.js';
import { DEFAULT_MAX_CYCLES, runCommand } from './commands/run.js';
import { CliError, ExitCode } from './errors.js';
import { COST_PRESETS } from '../machine/costs.js';

/** -D for `boot` and `debug`: build options of the guest kernel, as `asm -D` gives them to a source. */
function kernelDefineOption(): Option {
  return new Option('-D, --define <NAME[=VALUE]>', 'build the guest kernel with this option (repeatable; e.g. -D LEGACY; docs/kernel.md)').argParser(
    (v: string, prev: string[] = []) => [...prev, v],
  );
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('ringlab')
    .description('An instruction-level machine emulator for teaching and measuring virtualization.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(err.red(text)) });

  const extensionsOption = new Option('--extensions <list>', 'comma-separated ISA extensions to switch on');
  const includeRootOption = (): Option =>
    new Option('--include-root <dir>', ".include may read only files inside this directory (default: the source file's directory) and ringlab's programs/lib");

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
    .addOption(includeRootOption())
    .action((file: string, opts) => setExit(runCommand(file, opts)));

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
    .action((opts) => setExit(bootCommand(opts)));

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
    .action((suite: string | undefined, opts) => setExit(benchCommand(suite, opts)));

  program
    .command('fuzz')
    .description('the equivalence tester: random programs under every config and preset, compared with native per process')
    .option('--programs <n>', 'about how many random programs to run (4 to 8 per boot set; default 60)')
    .option('--seed <n>', 'seed of the run: the same seed runs the same programs (default 1)')
    .option('--boot-seed <n>', 'run just this boot set (a divergence report names it)')
    .option('--config <list>', 'comma-separated configs compared with native (default: all)')
    .option('--preset <list>', `comma-separated cost presets (default: all: ${Object.keys(COST_PRESETS).join(', ')})`)
    .option('--save <dir>', "write each boot set's program sources under DIR/<boot seed>/")
    .option('--json', 'print one JSON object with the divergences')
    .action((opts) => setExit(fuzzCommand(opts)));

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
    .option('--input <file>', 'with FILE: console input bytes (as for run; commands still come from stdin)')
    .option('--extensions <list>', 'with FILE: comma-separated ISA extensions to switch on (as for run)')
    .addOption(kernelDefineOption())
    .addOption(includeRootOption())
    .action((file: string | undefined, opts) => setExit(exitWhenDone(debugCommand(file, opts))));

  program
    .command('asm')
    .description('assemble a source file into an image')
    .argument('<file>', 'assembly source')
    .option('-o, --output <image>', 'image file to write (default: FILE with .rli)')
    .option('--listing', 'print the listing (address, words, source) to stdout')
    .option('-D, --define <NAME[=VALUE]>', 'define a symbol before the first line (repeatable; VALUE defaults to 1)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .addOption(includeRootOption())
    .action((file: string, opts) => setExit(asmCommand(file, opts)));

  program
    .command('disasm')
    .description('disassemble an image (or a source file, after assembling it)')
    .argument('<file>', 'image (.rli) or assembly source')
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .addOption(includeRootOption())
    .action((file: string, opts) => setExit(disasmCommand(file, opts)));

  program
    .command('isa')
    .description('list the instruction set (derived from the instruction table)')
    .option('--markdown', 'print the full reference as Markdown (docs/ISA.md)')
    .option('--check', 'classify every instruction by running it (Popek-Goldberg) and say whether a trap-and-emulate VMM can be built; exit 10 if not')
    .option('--json', 'with --check: print one JSON object with the classification and its evidence')
    .addOption(new Option('--extensions <list>', 'comma-separated ISA extensions to switch on'))
    .action((opts) => setExit(isaCommand(opts)));

  return program;
}

export function main(argv: readonly string[]): number {
  let exitCode: number = ExitCode.OK;
  const program = buildProgram((code) => (exitCode = code));
  try {
    program.parse([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (e instanceof CliError) {
      process.stderr.write(`${err.red('ringlab:')} ${e.message}\n`);
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${err.red('ringlab: internal error:')} ${message}\n(this is a bug in ringlab; please report it with the command you ran)\n`);
    return ExitCode.INTERNAL;
  }
}

// A reader that stops early (`ringlab asm --listing | head`) closes the pipe: that is the
// reader's choice, not an error, so stop quietly instead of dying with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.OK);
    throw e;
  });
}

// Set the exit code and let Node finish writing stdout (process.exit could cut piped output).
process.exitCode = main(process.argv.slice(2));
